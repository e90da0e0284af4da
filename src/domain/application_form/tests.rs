use chrono::NaiveDate;
use proptest::prelude::*;

use super::values::{self, Value, parse_value};
use super::*;
use crate::domain::evaluate::{
    CbecType, Evaluation, RosterCode, Status, evaluate, parse_input, validate,
};
use crate::domain::ruleset::{Check, builtin};

const REF: i32 = 2025;

fn applied() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

fn rules(id: &str) -> RuleSet {
    builtin(id).unwrap()
}

fn vals(pairs: &[(&str, &str)]) -> FormValues {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn keys_of(spec: &FormSpec) -> Vec<&str> {
    spec.fields().map(|f| f.key.as_str()).collect()
}

fn required_keys(spec: &FormSpec) -> Vec<&str> {
    spec.fields()
        .filter(|f| f.required)
        .map(|f| f.key.as_str())
        .collect()
}

fn kind(kind: FieldKind) -> FieldSpec {
    FieldSpec::new("k", "标签", kind)
}

fn one(kind: &FieldKind, raw: &str) -> Result<Option<Value>, String> {
    parse_value(kind, raw)
}

/// A plausible value for every field of the spec.
fn complete(spec: &FormSpec) -> FormValues {
    let mut v = FormValues::new();
    for f in spec.fields() {
        let value = match &f.kind {
            FieldKind::Text { .. } => "某某".to_string(),
            FieldKind::LongText { .. } => "报告内容。".to_string(),
            FieldKind::Integer => "30".to_string(),
            FieldKind::Area => "25000".to_string(),
            FieldKind::Money { .. } => "3,000,000,000".to_string(),
            FieldKind::Date => "2020-06-01".to_string(),
            FieldKind::YesNo => "yes".to_string(),
            FieldKind::Select(c) => c[0].code.clone(),
            FieldKind::Checkboxes(c) => format!("{},{}", c[0].code, c[1].code),
            FieldKind::Phone => "0577-88888888".to_string(),
            FieldKind::Mobile => "13800138000".to_string(),
            FieldKind::Email => "a@example.com".to_string(),
        };
        v.insert(f.key.clone(), value);
    }
    v
}

fn roster(n: usize) -> Vec<Enterprise> {
    (0..n)
        .map(|i| Enterprise {
            name: Some(format!("企业{i}")),
            uscc: Some(RosterCode::new(format!("X{i}"))),
            cbec_type: Some(CbecType::Operating),
            platform_registered: Some(true),
            active: Some(true),
            address_in_park: Some(true),
            import_export: None,
        })
        .collect()
}

/// Builds the input, checks it is a valid engine input (directly and as JSON), evaluates.
fn run(rules: &RuleSet, values: &FormValues, enterprises: Vec<Enterprise>) -> Evaluation {
    let spec = form_for(rules, REF);
    let parsed = parse(&spec, values);
    let input = to_input(
        rules,
        &parsed,
        applied(),
        REF,
        Some("某运营公司".into()),
        None,
        enterprises,
    );
    validate(rules, &input).unwrap();
    let json = serde_json::to_string(&input).unwrap();
    let back = parse_input(&json).unwrap();
    assert_eq!(back, input);
    validate(rules, &back).unwrap();
    evaluate(rules, &input)
}

fn status(eval: &Evaluation, id: &str) -> (Status, Option<String>) {
    let c = eval.checks.iter().find(|c| c.id == id).unwrap();
    (c.status, c.actual.clone())
}

// ----- field kinds ------------------------------------------------------------------------

#[test]
fn integers_accept_what_people_type() {
    let k = FieldKind::Integer;
    for (raw, n) in [
        ("25", 25),
        (" 25 ", 25),
        ("２５", 25),
        ("1,234", 1234),
        ("1，234，567", 1_234_567),
        ("0", 0),
    ] {
        assert_eq!(one(&k, raw), Ok(Some(Value::Count(n))), "{raw}");
    }
    assert_eq!(one(&k, "  "), Ok(None));
    for bad in [
        "-1", "1.5", "abc", "12,34", "1,2345", ",123", "1 234", "1e3",
    ] {
        assert_eq!(one(&k, bad), Err("请输入不小于 0 的整数".into()), "{bad}");
    }
    assert_eq!(one(&k, "99999999999999999999"), Err("数值过大".into()));
}

#[test]
fn money_is_an_integer_in_the_fields_currency() {
    let usd = FieldKind::Money {
        unit: "美元".into(),
    };
    let cny = FieldKind::Money { unit: "元".into() };
    assert_eq!(one(&usd, "40000000"), Ok(Some(Value::Money(40_000_000))));
    assert_eq!(
        one(&usd, "40,000,000 美元"),
        Ok(Some(Value::Money(40_000_000)))
    );
    assert_eq!(one(&usd, "$39,999,999"), Ok(Some(Value::Money(39_999_999))));
    assert_eq!(
        one(&cny, "５亿").unwrap_err(),
        "请填写以元为单位的完整金额，不要使用“万”“亿”"
    );
    assert_eq!(
        one(&cny, "￥500,000,000元"),
        Ok(Some(Value::Money(500_000_000)))
    );
    assert_eq!(one(&cny, "100元"), Ok(Some(Value::Money(100))));
    assert_eq!(one(&cny, "100美元").unwrap_err(), "金额单位应为元");
    assert_eq!(one(&usd, "100元").unwrap_err(), "金额单位应为美元");
    assert_eq!(one(&cny, "$100").unwrap_err(), "金额单位应为元");
    for bad in ["1.5", "-3", "四千万", "4000万"] {
        assert!(one(&usd, bad).is_err(), "{bad}");
    }
    assert_eq!(
        one(&usd, "1.5").unwrap_err(),
        "请输入不小于 0 的整数金额（单位：美元）"
    );
}

#[test]
fn areas_have_at_most_two_decimals() {
    let k = FieldKind::Area;
    let area = |s: &str| match one(&k, s) {
        Ok(Some(Value::Area(a))) => a.to_string(),
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(area("3000"), "3000");
    assert_eq!(area("3,000.5"), "3000.5");
    assert_eq!(area("3000.25平方米"), "3000.25");
    assert_eq!(area("３０００．２５ ㎡"), "3000.25");
    assert_eq!(area("120m²"), "120");
    assert_eq!(area("0.50"), "0.5");
    assert_eq!(area("2999.990"), "2999.99");
    assert_eq!(area(".5"), "0.5");
    assert_eq!(one(&k, "3000.125").unwrap_err(), "面积最多保留两位小数");
    for bad in ["-5", "abc", ".", "1.2.3", "1,00"] {
        assert_eq!(one(&k, bad).unwrap_err(), "请输入不小于 0 的数字", "{bad}");
    }
    assert_eq!(one(&k, "1000000000000").unwrap_err(), "数值过大");
}

#[test]
fn dates_in_common_chinese_forms() {
    let k = FieldKind::Date;
    let d = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    for raw in [
        "2026-03-15",
        "2026-3-15",
        "2026/3/15",
        "2026.03.15",
        "2026年3月15日",
        "２０２６－０３－１５",
    ] {
        assert_eq!(one(&k, raw), Ok(Some(Value::Date(d))), "{raw}");
    }
    for bad in [
        "2026-02-30",
        "15/03/2026",
        "2026-13-01",
        "26-3-15",
        "明天",
        "0026-01-01",
    ] {
        assert_eq!(
            one(&k, bad).unwrap_err(),
            "日期格式应为 2026-03-15",
            "{bad}"
        );
    }
}

#[test]
fn yes_no_select_and_checkboxes() {
    assert_eq!(one(&FieldKind::YesNo, "yes"), Ok(Some(Value::Bool(true))));
    assert_eq!(one(&FieldKind::YesNo, "否"), Ok(Some(Value::Bool(false))));
    assert_eq!(one(&FieldKind::YesNo, "maybe").unwrap_err(), "请选择是或否");
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let kinds = &spec.field(keys::PARK_KIND).unwrap().kind;
    assert_eq!(
        one(kinds, "cluster"),
        Ok(Some(Value::Code("cluster".into())))
    );
    assert_eq!(
        one(kinds, "仓储物流型"),
        Ok(Some(Value::Code("warehousing".into())))
    );
    assert_eq!(one(kinds, "farm").unwrap_err(), "请从列表中选择");
    let services = spec.field(keys::SERVICES).unwrap();
    assert_eq!(
        one(&services.kind, "tax, customs,,tax"),
        Ok(Some(Value::Codes(vec!["customs".into(), "tax".into()])))
    );
    assert_eq!(one(&services.kind, ",,"), Ok(None));
    assert_eq!(
        one(&services.kind, "tax,golf").unwrap_err(),
        "包含无效的选项：golf"
    );
    let v = vals(&[("services", "tax,customs")]);
    assert!(services.is_checked(&v, "tax"));
    assert!(!services.is_checked(&v, "fx_settlement"));
    // A malformed list still shows its known boxes checked.
    let v = vals(&[("services", "tax,golf")]);
    assert!(services.is_checked(&v, "tax"));
    let yn = kind(FieldKind::YesNo);
    let v = vals(&[("k", "是")]);
    assert!(yn.is_checked(&v, "yes") && !yn.is_checked(&v, "no"));
    assert_eq!(yn.options().len(), 2);
}

#[test]
fn phones_mobiles_emails_and_text() {
    let ok = |k: FieldKind, s: &str| one(&k, s).unwrap().is_some();
    assert!(ok(FieldKind::Phone, "0577-88888888"));
    assert!(ok(FieldKind::Phone, "(0760) 8888 8888转123"));
    assert!(ok(FieldKind::Phone, "+86 577 88888888"));
    assert!(ok(FieldKind::Phone, "13800138000"));
    for bad in ["123", "phone", "0577-8888x", "转123"] {
        assert_eq!(
            one(&FieldKind::Phone, bad).unwrap_err(),
            "电话号码格式不正确"
        );
    }
    assert_eq!(
        one(&FieldKind::Mobile, "+86 138-0013-8000"),
        Ok(Some(Value::Text("13800138000".into())))
    );
    assert!(ok(FieldKind::Mobile, "１３８００１３８０００"));
    for bad in ["1380013800", "12800138000", "0577-88888888", "138001380000"] {
        assert_eq!(
            one(&FieldKind::Mobile, bad).unwrap_err(),
            "手机号码格式不正确",
            "{bad}"
        );
    }
    assert!(ok(FieldKind::Email, "zhang.san@wz-park.com.cn"));
    assert!(ok(FieldKind::Email, "ｚｓ＠ｑｑ．ｃｏｍ"));
    for bad in [
        "a@b",
        "a b@c.com",
        "@c.com",
        "a@@c.com",
        "a@c..com",
        "a@-c.com",
    ] {
        assert_eq!(
            one(&FieldKind::Email, bad).unwrap_err(),
            "电子邮箱格式不正确"
        );
    }
    let text = FieldKind::Text { max: 5 };
    assert_eq!(
        one(&text, "  温州园区 "),
        Ok(Some(Value::Text("温州园区".into())))
    );
    assert_eq!(one(&text, "一二三四五六").unwrap_err(), "最多填写 5 个字");
    let long = FieldKind::LongText { max: 100 };
    assert_eq!(
        one(&long, "第一段\n\n第二段\n"),
        Ok(Some(Value::Text("第一段\n\n第二段".into())))
    );
}

#[test]
fn template_helpers() {
    assert_eq!(kind(FieldKind::Mobile).input_type(), "tel");
    assert_eq!(kind(FieldKind::Date).input_type(), "text");
    assert_eq!(kind(FieldKind::Date).placeholder(), "2026-03-15");
    assert_eq!(kind(FieldKind::Area).input_mode(), "decimal");
    assert_eq!(kind(FieldKind::Integer).widget(), "input");
    assert_eq!(kind(FieldKind::YesNo).widget(), "radio");
    assert_eq!(kind(FieldKind::LongText { max: 9 }).widget(), "textarea");
    assert!(kind(FieldKind::LongText { max: 9 }).is_long());
    assert_eq!(kind(FieldKind::Text { max: 9 }).max_len(), Some(9));
    assert!(kind(FieldKind::Integer).options().is_empty());
    assert_eq!(kind(FieldKind::Integer).hint_text(), "");
}

// ----- the form per rule set --------------------------------------------------------------

#[test]
fn wenzhou_form() {
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let keys = keys_of(&spec);
    assert!(spec.field(keys::TIER).is_none());
    assert!(!keys.iter().any(|k| k.starts_with("facilities.")));
    assert!(!keys.contains(&"trade.prev.import_export"));
    assert!(!keys.iter().any(|k| k.contains("transactions")));
    assert!(!keys.contains(&"area.leasable"));
    let req = required_keys(&spec);
    for k in [
        "park.name",
        "park.kind",
        "park.address",
        "area.building",
        "area.cbec_use",
        "service_center",
        "events.self_organized",
        "events.joint",
        "trade.ref.import_export",
        "declared.enterprises",
        "declared.cbec",
        "declared.registered",
        "services",
        "legal_rep.name",
        "contact.mobile",
        "report.basic",
        "report.s6",
        "report.plan",
    ] {
        assert!(req.contains(&k), "{k} should be required");
    }
    for k in [
        "park.operating_since",
        "park.approved_by",
        "area.planned",
        "report.s7",
        "report.s8",
        "services.other",
        "legal_rep.email",
    ] {
        assert!(
            keys.contains(&k) && !req.contains(&k),
            "{k} should be optional"
        );
    }
    let trade = spec.field("trade.ref.import_export").unwrap();
    assert_eq!(trade.label, "2025年跨境电商进出口总额（美元）");
    assert_eq!(
        trade.kind,
        FieldKind::Money {
            unit: "美元".into()
        }
    );
    assert!(trade.hint_text().contains("≥ 40000000 美元"));
    assert_eq!(
        spec.field("declared.registered").unwrap().label,
        "在温州综试区线上服务平台备案企业数"
    );
    assert!(
        spec.field("area.cbec_use")
            .unwrap()
            .hint_text()
            .contains("≥ 3000 m²（第四条（三））")
    );
}

#[test]
fn zhongshan_form_requires_tier_and_two_years_of_trade() {
    let spec = form_for(&rules("zhongshan-2022"), REF);
    let req = required_keys(&spec);
    for k in [
        "tier",
        "park.operating_since",
        "area.building",
        "trade.ref.import_export",
        "trade.prev.import_export",
        "trade.ref.transactions",
        "trade.prev.transactions",
    ] {
        assert!(req.contains(&k), "{k} should be required");
    }
    let keys = keys_of(&spec);
    assert!(!keys.contains(&"service_center"));
    assert!(!keys.contains(&"area.cbec_use"));
    assert!(!keys.iter().any(|k| k.starts_with("events.")));
    let tier = spec.field("tier").unwrap();
    let codes: Vec<_> = tier.options().iter().map(|c| c.label.as_str()).collect();
    assert_eq!(codes, ["引领型", "成长型"]);
    assert_eq!(
        spec.field("trade.prev.transactions").unwrap().label,
        "2024年跨境电商交易总额（元）"
    );
    assert_eq!(
        spec.field("declared.registered").unwrap().label,
        "完成中山市跨境电商企业备案的企业数"
    );
    let building = spec.field("area.building").unwrap().hint_text().to_string();
    assert!(building.contains("引领型 ≥ 20000 m²") && building.contains("成长型 ≥ 8000 m²"));
    // Only the checks averaging over the earlier year are hinted on its field.
    let prev = spec
        .field("trade.prev.transactions")
        .unwrap()
        .hint_text()
        .to_string();
    assert!(prev.contains("近2年年均") && !prev.contains("成长型"));
}

#[test]
fn standard_form_shows_facilities_and_quarters() {
    let spec = form_for(&rules("cbec-park-standard-2024"), REF);
    let req = required_keys(&spec);
    for k in [
        "facilities.incubator_mentors",
        "facilities.classroom",
        "facilities.practice",
        "area.total",
        "area.cbec_use",
        "area.supporting",
        "area.leasable",
        "area.occupied",
        "events.exchange",
        "events.policy_briefings.q1",
        "events.policy_briefings.q4",
        "park.operating_since",
    ] {
        assert!(req.contains(&k), "{k} should be required");
    }
    let keys = keys_of(&spec);
    // Optional facilities (na when absent) and the area alternative of the share check.
    for k in [
        "facilities.warehouse",
        "facilities.livestream",
        "facilities.party",
        "area.operating",
    ] {
        assert!(
            keys.contains(&k) && !req.contains(&k),
            "{k} should be optional"
        );
    }
    assert!(spec.field("tier").is_none());
    assert!(!keys.iter().any(|k| k.starts_with("trade.")));
    assert!(
        spec.field("area.occupied")
            .unwrap()
            .hint_text()
            .contains("≥ 可出租总面积的 50%")
    );
    assert_eq!(
        spec.field("events.policy_briefings.q2").unwrap().label,
        "2025年第二季度政策解读会（次）"
    );
}

#[test]
fn an_edited_rule_set_gets_the_fields_it_needs() {
    let mut wz = rules("wenzhou-2021");
    let mut extra: Check = rules("cbec-park-standard-2024").checks[0].clone();
    extra.id = "wz.area_total".into();
    wz.checks.push(extra);
    if let Rule::AtLeast { years, .. } = &mut wz
        .checks
        .iter_mut()
        .find(|c| c.id == "wz.trade")
        .unwrap()
        .rule
    {
        *years = Some(3);
    }
    let spec = form_for(&wz, REF);
    let req = required_keys(&spec);
    assert!(req.contains(&"area.total"));
    assert!(req.contains(&"trade.prev2.import_export"));
    assert_eq!(
        spec.field("trade.prev2.import_export").unwrap().label,
        "2023年跨境电商进出口总额（美元）"
    );
}

#[test]
fn keys_are_stable_across_reference_years_and_labels_show_the_years() {
    for id in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
        let r = rules(id);
        let a = form_for(&r, 2025);
        let b = form_for(&r, 2031);
        assert_eq!(keys_of(&a), keys_of(&b), "{id}");
        for key in keys_of(&a) {
            assert!(!key.contains("20"), "{key} contains a year");
        }
        let mut unique = keys_of(&a);
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys_of(&a).len(), "{id}: duplicate key");
        for f in b.fields().filter(|f| f.key.starts_with("trade.prev.")) {
            assert!(f.label.starts_with("2030年"), "{}", f.label);
        }
        for f in b.fields().filter(|f| f.key.starts_with("trade.ref.")) {
            assert!(f.label.starts_with("2031年"), "{}", f.label);
        }
        for f in b.fields().filter(|f| f.key.starts_with("events.")) {
            assert!(f.label.starts_with("2031年"), "{}", f.label);
        }
    }
}

// ----- parse, missing, to_input + evaluate --------------------------------------------------

#[test]
fn parse_reports_malformed_fields_and_keeps_good_ones() {
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let v = vals(&[
        ("area.cbec_use", "4,000"),
        ("area.building", "3000.125"),
        ("events.joint", "两场"),
        ("park.operating_since", "2026/02/30"),
        ("contact.mobile", "12345"),
        ("trade.ref.import_export", "1.5"),
        ("unknown.key", "kept by the caller"),
    ]);
    let p = parse(&spec, &v);
    assert_eq!(
        p.park.area.as_ref().unwrap().cbec_use,
        Some(Fixed::from_int(4000))
    );
    assert_eq!(p.park.area.as_ref().unwrap().building, None);
    assert_eq!(p.park.trade, None);
    let keys: Vec<_> = p.errors.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "area.building",
            "contact.mobile",
            "events.joint",
            "park.operating_since",
            "trade.ref.import_export"
        ]
    );
    assert_eq!(p.errors["area.building"], "面积最多保留两位小数");
    assert_eq!(p.errors["events.joint"], "请输入不小于 0 的整数");
    assert_eq!(p.errors["contact.mobile"], "手机号码格式不正确");
    // Empty is not an error.
    assert!(parse(&spec, &FormValues::new()).errors.is_empty());
}

#[test]
fn impossible_combinations_are_flagged() {
    let spec = form_for(&rules("cbec-park-standard-2024"), REF);
    let v = vals(&[
        ("declared.enterprises", "10"),
        ("declared.cbec", "12"),
        ("declared.registered", "13"),
        ("area.leasable", "100"),
        ("area.occupied", "100.01"),
    ]);
    let p = parse(&spec, &v);
    assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
    assert!(p.errors.contains_key("declared.cbec"));
    assert!(p.errors.contains_key("declared.registered"));
    assert!(p.errors.contains_key("area.occupied"));
    assert_eq!(p.park.declared.unwrap().cbec, Some(Integer(12)));
}

#[test]
fn missing_for_submit_lists_required_empty_fields() {
    for id in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
        let spec = form_for(&rules(id), REF);
        let missing = missing_for_submit(&spec, &FormValues::new());
        let req = required_keys(&spec);
        assert_eq!(missing.len(), req.len(), "{id}");
        assert!(
            missing_for_submit(&spec, &complete(&spec)).is_empty(),
            "{id}"
        );
    }
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let missing = missing_for_submit(&spec, &vals(&[("park.name", "  ")]));
    assert_eq!(missing["park.name"], "请填写园区名称");
    assert_eq!(missing["park.kind"], "请选择园区类型");
    assert_eq!(missing["services"], "请至少选择一项");
    assert_eq!(
        missing["trade.ref.import_export"],
        "请填写2025年跨境电商进出口总额（美元）"
    );
    // 其他 ticked: its text becomes required; a malformed value is not "missing".
    let mut v = complete(&spec);
    v.insert("services".into(), "tax,other".into());
    v.remove("services.other");
    v.insert("area.cbec_use".into(), "lots".into());
    let missing = missing_for_submit(&spec, &v);
    assert_eq!(missing.len(), 1);
    assert_eq!(missing["services.other"], "请填写其他服务内容");
}

#[test]
fn a_complete_wenzhou_form_evaluates() {
    let wz = rules("wenzhou-2021");
    let spec = form_for(&wz, REF);
    let mut v = complete(&spec);
    v.insert("area.cbec_use".into(), "4000".into());
    v.insert("events.self_organized".into(), "12".into());
    v.insert("events.joint".into(), "2".into());
    v.insert("trade.ref.import_export".into(), "39,999,999".into());
    v.insert("declared.enterprises".into(), "22".into());
    v.insert("declared.cbec".into(), "22".into());
    v.insert("declared.registered".into(), "22".into());
    let eval = run(&wz, &v, roster(22));
    assert_eq!(
        status(&eval, "wz.area"),
        (Status::Pass, Some("4000".into()))
    );
    assert_eq!(
        status(&eval, "wz.trade"),
        (Status::Fail, Some("39999999".into()))
    );
    assert_eq!(status(&eval, "wz.service_center").0, Status::Pass);
    assert_eq!(status(&eval, "wz.events_self").0, Status::Pass);
    assert_eq!(status(&eval, "wz.cbec_count").0, Status::Pass);
    assert!(!eval.eligible);
    v.insert("trade.ref.import_export".into(), "40000000美元".into());
    let eval = run(&wz, &v, roster(22));
    assert_eq!(status(&eval, "wz.trade").0, Status::Pass);
    assert!(eval.eligible);
}

#[test]
fn a_complete_zhongshan_form_reaches_the_leading_tier() {
    let zs = rules("zhongshan-2022");
    let spec = form_for(&zs, REF);
    let mut v = complete(&spec);
    v.insert("tier".into(), "leading".into());
    v.insert("trade.ref.import_export".into(), "560,000,000".into());
    v.insert("trade.prev.import_export".into(), "450,000,000".into());
    v.insert("trade.ref.transactions".into(), "2,200,000,000".into());
    v.insert("trade.prev.transactions".into(), "1,900,000,000".into());
    let eval = run(&zs, &v, roster(50));
    assert_eq!(eval.tier.as_deref(), Some("leading"));
    assert_eq!(status(&eval, "zs.leading.trade").0, Status::Pass);
    assert_eq!(status(&eval, "zs.leading.age").0, Status::Pass);
    let input = to_input(
        &zs,
        &parse(&spec, &v),
        applied(),
        REF,
        None,
        None,
        Vec::new(),
    );
    assert_eq!(input.tier.as_deref(), Some("leading"));
    assert_eq!(input.operator, None);
    let trade = input.park.unwrap().trade.unwrap();
    assert_eq!(trade.len(), 2);
    assert_eq!((trade[0].year, trade[1].year), (2025, 2024));
    assert!(trade.iter().all(|t| t.currency == Some(Currency::Cny)));
}

#[test]
fn to_input_dates_trade_by_the_given_reference_year() {
    let zs = rules("zhongshan-2022");
    let spec = form_for(&zs, 2024);
    let p = parse(&spec, &vals(&[("trade.prev.transactions", "5")]));
    let input = to_input(&zs, &p, applied(), 2025, None, None, Vec::new());
    let trade = input.park.unwrap().trade.unwrap();
    assert_eq!(trade[1].year, 2024);
    assert_eq!(trade[1].transactions, Some(Integer(5)));
    // The year left empty stays null rather than counting as 0.
    assert_eq!(trade[0].transactions, None);
}

#[test]
fn an_empty_draft_fails_with_null_actuals_not_an_input_error() {
    for id in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
        let r = rules(id);
        let eval = run(&r, &FormValues::new(), Vec::new());
        for (check, result) in r.checks.iter().zip(&eval.checks) {
            let expected = match (&check.rule, check.na_when_absent) {
                (Rule::Manual, _) => Status::Manual,
                (_, true) => Status::Na,
                _ => Status::Fail,
            };
            assert_eq!(result.status, expected, "{}", result.id);
            assert_eq!(result.actual, None, "{}", result.id);
        }
        assert!(!eval.eligible, "{id}");
    }
}

#[test]
fn complete_forms_are_valid_inputs_for_every_builtin() {
    for id in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
        let r = rules(id);
        let spec = form_for(&r, REF);
        let v = complete(&spec);
        assert!(parse(&spec, &v).errors.is_empty(), "{id}");
        let eval = run(&r, &v, roster(30));
        assert!(
            eval.checks
                .iter()
                .all(|c| c.actual.is_some() || c.status == Status::Manual),
            "{id}: {:?}",
            eval.checks
        );
    }
}

// ----- display and diff -------------------------------------------------------------------

#[test]
fn display_shows_labels_and_normal_forms() {
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let f = |k: &str| spec.field(k).unwrap();
    assert_eq!(display(f("park.kind"), "cluster"), "产业聚集型");
    assert_eq!(display(f("services"), "tax,customs"), "通关服务、税务服务");
    assert_eq!(display(f("service_center"), "yes"), "是");
    assert_eq!(
        display(f("trade.ref.import_export"), "40000000"),
        "40,000,000"
    );
    assert_eq!(display(f("area.cbec_use"), "４０００．５０"), "4000.5");
    assert_eq!(display(f("park.operating_since"), "2020/6/1"), "2020-06-01");
    assert_eq!(display(f("declared.cbec"), "1,234"), "1234");
    assert_eq!(display(f("declared.cbec"), " 很多 "), "很多");
    assert_eq!(display(f("park.name"), ""), "");
    assert_eq!(values::grouped(1_000), "1,000");
    assert_eq!(values::grouped(999), "999");
}

#[test]
fn diff_lists_exactly_the_changed_fields_in_form_order() {
    let spec = form_for(&rules("wenzhou-2021"), REF);
    let old = complete(&spec);
    let mut new = old.clone();
    new.insert("report.plan".into(), "新的计划。".into());
    new.insert("park.kind".into(), "warehousing".into());
    new.insert("declared.cbec".into(), "3,1".into());
    // Same values, typed differently: no change.
    new.insert("area.building".into(), "25,000.00 平方米".into());
    new.insert("contact.mobile".into(), " 13800138000 ".into());
    new.insert("unknown".into(), "x".into());
    let changes = diff(&spec, &old, &new);
    let keys: Vec<_> = changes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["park.kind", "declared.cbec", "report.plan"]);
    assert_eq!(changes[0].label, "园区类型");
    assert_eq!(
        (changes[0].old.as_str(), changes[0].new.as_str()),
        ("产业聚集型", "仓储物流型")
    );
    assert_eq!(changes[1].new, "3,1");
    assert!(diff(&spec, &old, &old).is_empty());
    let cleared = diff(&spec, &old, &FormValues::new());
    assert_eq!(cleared.len(), spec.fields().count());
    assert!(cleared.iter().all(|c| c.new.is_empty()));
}

proptest! {
    #[test]
    fn parsing_never_panics(raw in "\\PC{0,40}") {
        let spec = form_for(&rules("zhongshan-2022"), REF);
        for f in spec.fields() {
            let _ = parse_value(&f.kind, &raw);
            let _ = display(f, &raw);
        }
    }

    #[test]
    fn grouped_and_full_width_integers_round_trip(n in 0u64..100_000_000_000_000) {
        let grouped = values::grouped(n);
        let wide: String = grouped
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        for text in [n.to_string(), grouped, wide] {
            prop_assert_eq!(values::integer(&values::normalize(&text)), Ok(n));
        }
    }

    #[test]
    fn two_decimal_areas_are_exact(whole in 0u64..10_000_000_000, cents in 0u32..100) {
        let text = format!("{whole}.{cents:02}");
        let a = values::area(&text).unwrap();
        prop_assert_eq!(a.scaled(), whole as i64 * 10_000 + i64::from(cents) * 100);
    }
}

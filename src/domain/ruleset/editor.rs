//! The bureau's rule-set editor as one flat form: a rule set written out as fields
//! (`check.3.threshold`), and fields read back into a rule set with a message for every field
//! that is wrong, so that the page can show each next to its field and keep what was typed.
//!
//! The editor covers what a bureau revises in its measures: parameters, tiers, eligibility
//! checks, criteria and vetoes. What it does not show (metrics, the city's texts, the
//! provincial list, a combined "any of" rule) is carried over from the version it started from;
//! a document import changes those.
use std::collections::{BTreeMap, BTreeSet};

use super::{
    Aggregation, Check, Criterion, Currency, Fact, Op, Rule, RuleSet, Tier, VETO_KEYS, Veto,
};
use crate::domain::fixed::Fixed;

/// Field name → value, as typed.
pub type Fields = BTreeMap<String, String>;

/// Field name → message.
pub type Problems = BTreeMap<String, String>;

/// The kinds of check the editor offers, with their labels.
pub const RULE_KINDS: [(&str, &str); 6] = [
    ("manual", "人工核实"),
    ("flag", "是否具备"),
    ("at_least", "数值不低于"),
    ("ratio", "比例不低于（%）"),
    ("operating_years", "运营年限不少于（年）"),
    ("any_of", "组合条件（满足其一）"),
];

/// The sections of repeated rows, by field prefix.
pub const SECTIONS: [&str; 4] = ["tier", "check", "criterion", "veto"];

/// The rule set as the editor's fields.
pub fn to_fields(rules: &RuleSet) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: String, v: String| {
        f.insert(k, v);
    };
    put("id".into(), rules.id.clone());
    put("title".into(), rules.title.clone());
    put("source".into(), rules.source.clone());
    put(
        "currency".into(),
        rules.currency.map(|c| c.code()).unwrap_or("none").into(),
    );
    put("validity_years".into(), opt(rules.validity_years));
    put("publicity_days".into(), rules.publicity_days.to_string());
    put(
        "trim_min_experts".into(),
        rules.aggregation.trim_min_experts.to_string(),
    );
    put(
        "outlier_delta".into(),
        rules.aggregation.outlier_delta.to_string(),
    );
    put("rubric_total".into(), rules.rubric_total.to_string());
    let mode = if rules.criteria.is_empty() {
        "opinion"
    } else {
        "scores"
    };
    put("review_mode".into(), mode.into());
    for (i, t) in rules.tiers.iter().enumerate() {
        put(format!("tier.{i}.id"), t.id.clone());
        put(format!("tier.{i}.name"), t.name.clone());
        put(format!("tier.{i}.article"), t.article.clone());
        put(format!("tier.{i}.position"), (i + 1).to_string());
    }
    for (i, c) in rules.checks.iter().enumerate() {
        check_fields(&mut put, i, c);
    }
    for (i, c) in rules.criteria.iter().enumerate() {
        put(format!("criterion.{i}.id"), c.id.clone());
        put(format!("criterion.{i}.category"), c.category.clone());
        put(format!("criterion.{i}.name"), c.name.clone());
        put(format!("criterion.{i}.description"), c.description.clone());
        put(format!("criterion.{i}.max"), c.max.to_string());
    }
    for (i, v) in rules.vetoes.iter().enumerate() {
        put(format!("veto.{i}.id"), v.id.clone());
        put(format!("veto.{i}.key"), v.key.clone());
        put(format!("veto.{i}.article"), v.article.clone());
        put(format!("veto.{i}.description"), v.description.clone());
    }
    f
}

fn opt(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn check_fields(put: &mut impl FnMut(String, String), i: usize, c: &Check) {
    let k = |name: &str| format!("check.{i}.{name}");
    put(k("id"), c.id.clone());
    put(k("article"), c.article.clone());
    put(k("description"), c.description.clone());
    put(k("unit"), c.unit.clone().unwrap_or_default());
    put(k("tier"), c.tier.clone().unwrap_or_default());
    put(k("na_before_years"), opt(c.na_before_years));
    if c.na_when_absent {
        put(k("na_when_absent"), "on".into());
    }
    put(k("hint"), c.hint.clone().unwrap_or_default());
    let (kind, fact, per, op, threshold, years) = match &c.rule {
        Rule::Manual => ("manual", None, None, None, String::new(), None),
        Rule::Flag { fact } => ("flag", Some(*fact), None, None, String::new(), None),
        Rule::AtLeast {
            fact,
            op,
            min,
            years,
        } => (
            "at_least",
            Some(*fact),
            None,
            Some(*op),
            min.to_string(),
            *years,
        ),
        Rule::Ratio {
            fact,
            per,
            min_percent,
        } => (
            "ratio",
            Some(*fact),
            Some(*per),
            None,
            min_percent.to_string(),
            None,
        ),
        Rule::OperatingYears { min } => {
            ("operating_years", None, None, None, min.to_string(), None)
        }
        Rule::AnyOf { .. } => {
            let json = serde_json::to_string(&c.rule).unwrap_or_default();
            put(k("rule_json"), json);
            ("any_of", None, None, None, String::new(), None)
        }
    };
    put(k("kind"), kind.into());
    put(k("fact"), fact.map(Fact::key).unwrap_or_default());
    put(k("per"), per.map(Fact::key).unwrap_or_default());
    let op = match op {
        Some(Op::Gt) => "gt",
        _ => "ge",
    };
    put(k("op"), op.into());
    put(k("threshold"), threshold);
    put(k("years"), opt(years));
}

/// The row indices of a section present in the fields (`check.0.…`, `check.4.…`), in order.
pub fn rows(fields: &Fields, section: &str) -> Vec<usize> {
    let prefix = format!("{section}.");
    let found: BTreeSet<usize> = fields
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix)?.split_once('.')?.0.parse().ok())
        .collect();
    found.into_iter().collect()
}

/// One row's fields.
struct Row<'a> {
    fields: &'a Fields,
    section: &'static str,
    index: usize,
}

impl Row<'_> {
    fn key(&self, name: &str) -> String {
        format!("{}.{}.{name}", self.section, self.index)
    }
    fn get(&self, name: &str) -> &str {
        self.fields
            .get(&self.key(name))
            .map(|v| v.trim())
            .unwrap_or("")
    }
    fn removed(&self) -> bool {
        self.fields.contains_key(&self.key("remove"))
    }
    /// A row whose text fields are all empty: the blank row for adding one, left blank.
    fn blank(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.get(n).is_empty())
    }
}

/// Reads the fields back into a rule set. `base` is the version the draft started from: what
/// the editor does not show comes from it. Every problem is reported, each under its field.
pub fn from_fields(base: &RuleSet, fields: &Fields) -> Result<RuleSet, Problems> {
    let mut problems = Problems::new();
    let get = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("");
    let mut rules = base.clone();
    rules.id = get("id").to_string();
    rules.title = get("title").to_string();
    rules.source = get("source").to_string();
    match get("currency") {
        "USD" => rules.currency = Some(Currency::Usd),
        "CNY" => rules.currency = Some(Currency::Cny),
        "none" => rules.currency = None,
        _ => {
            problems.insert("currency".into(), "请选择金额币种".into());
        }
    }
    rules.validity_years = optional_count(get("validity_years"), "validity_years", &mut problems);
    rules.publicity_days =
        count(get("publicity_days"), "publicity_days", &mut problems).unwrap_or(0);
    rules.aggregation = Aggregation {
        trim_min_experts: count(get("trim_min_experts"), "trim_min_experts", &mut problems)
            .unwrap_or(0),
        outlier_delta: number(get("outlier_delta"), "outlier_delta", &mut problems)
            .unwrap_or(Fixed::ZERO),
    };
    rules.tiers = read_tiers(fields, &mut problems);
    rules.checks = rows(fields, "check")
        .into_iter()
        .filter_map(|index| {
            let row = Row {
                fields,
                section: "check",
                index,
            };
            read_check(&row, &mut problems)
        })
        .collect();
    read_review(fields, &mut rules, &mut problems);
    rules.vetoes = rows(fields, "veto")
        .into_iter()
        .filter_map(|index| {
            let row = Row {
                fields,
                section: "veto",
                index,
            };
            read_veto(&row, &mut problems)
        })
        .collect();
    // Consistency across rows, reported under the row fields that carry it; a field's own
    // problem comes first.
    for (field, message) in located(&rules, fields) {
        problems.entry(field).or_insert(message);
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

/// The rule set's own problems, with each row index mapped back to the form's row (the form may
/// skip indices: a removed or blank row leaves a gap).
fn located(rules: &RuleSet, fields: &Fields) -> Vec<(String, String)> {
    let kept = |section: &'static str| -> Vec<usize> {
        rows(fields, section)
            .into_iter()
            .filter(|&index| {
                let row = Row {
                    fields,
                    section,
                    index,
                };
                !row.removed() && !row.blank(&["id", "name", "description", "article"])
            })
            .collect()
    };
    let mut maps: BTreeMap<&str, Vec<usize>> = SECTIONS.iter().map(|s| (*s, kept(s))).collect();
    // Tiers are stored in the order of their position field, not of the form's rows.
    if let Some(tiers) = maps.get_mut("tier") {
        let position = |i: &usize| -> u32 {
            let value = fields.get(&format!("tier.{i}.position"));
            value.and_then(|v| v.trim().parse().ok()).unwrap_or(0)
        };
        tiers.sort_by_key(|i| (position(i), *i));
    }
    rules
        .problems()
        .into_iter()
        .map(|(field, message)| {
            let mut parts = field.splitn(3, '.');
            let (section, index, rest) = (parts.next(), parts.next(), parts.next());
            let mapped = match (section, index.and_then(|i| i.parse::<usize>().ok()), rest) {
                (Some(s), Some(i), Some(rest)) => maps
                    .get(s)
                    .and_then(|m| m.get(i))
                    .map(|row| format!("{s}.{row}.{rest}")),
                _ => None,
            };
            (mapped.unwrap_or(field), message)
        })
        .collect()
}

fn read_tiers(fields: &Fields, problems: &mut Problems) -> Vec<Tier> {
    let mut tiers: Vec<(u32, usize, Tier)> = Vec::new();
    for index in rows(fields, "tier") {
        let row = Row {
            fields,
            section: "tier",
            index,
        };
        if row.removed() || row.blank(&["id", "name", "article"]) {
            continue;
        }
        let id = code(&row, "id", problems);
        let name = required(&row, "name", "请填写等级名称", problems);
        let position = count(row.get("position"), &row.key("position"), problems).unwrap_or(0);
        tiers.push((
            position,
            index,
            Tier {
                id,
                name,
                article: row.get("article").to_string(),
            },
        ));
    }
    tiers.sort_by_key(|(position, index, _)| (*position, *index));
    tiers.into_iter().map(|(_, _, t)| t).collect()
}

fn read_check(row: &Row, problems: &mut Problems) -> Option<Check> {
    if row.removed() || row.blank(&["id", "article", "description"]) {
        return None;
    }
    let id = code(row, "id", problems);
    let description = required(row, "description", "请填写条件的原文", problems);
    // A rule that cannot be read keeps its row (as a placeholder) so that the rows' positions
    // stay those of the form for the rule set's own checks below.
    let rule = read_rule(row, problems).unwrap_or(Rule::Manual);
    let text = |name: &str| Some(row.get(name).to_string()).filter(|v| !v.is_empty());
    Some(Check {
        id,
        article: required(row, "article", "请填写条款，例如 第四条（三）", problems),
        description,
        rule,
        unit: text("unit"),
        tier: text("tier"),
        na_before_years: optional_count(
            row.get("na_before_years"),
            &row.key("na_before_years"),
            problems,
        ),
        na_when_absent: row.fields.contains_key(&row.key("na_when_absent")),
        hint: text("hint"),
    })
}

/// The fields a kind of check does not use: a value typed there would be lost, so it is refused.
fn unused_by(kind: &str) -> &'static [(&'static str, &'static str)] {
    const FACT: (&str, &str) = ("fact", "数据项");
    const PER: (&str, &str) = ("per", "比例的分母");
    const THRESHOLD: (&str, &str) = ("threshold", "门槛值");
    const YEARS: (&str, &str) = ("years", "平均年数");
    match kind {
        "manual" | "any_of" => &[FACT, PER, THRESHOLD, YEARS],
        "flag" => &[PER, THRESHOLD, YEARS],
        "at_least" => &[PER],
        "ratio" => &[YEARS],
        "operating_years" => &[FACT, PER, YEARS],
        _ => &[],
    }
}

fn read_rule(row: &Row, problems: &mut Problems) -> Option<Rule> {
    let kind = row.get("kind");
    let label = RULE_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("");
    for (name, what) in unused_by(kind) {
        if !row.get(name).is_empty() {
            let message = format!("“{label}”类条件不使用{what}，请清空或改选条件类型");
            problems.insert(row.key(name), message);
        }
    }
    let fact = |name: &str, problems: &mut Problems| -> Option<Fact> {
        let value = row.get(name);
        let found = Fact::from_key(value);
        if found.is_none() {
            let message = if value.is_empty() {
                "请选择数据项"
            } else {
                "没有这个数据项，请从列表中选择"
            };
            problems.insert(row.key(name), message.into());
        }
        found
    };
    let threshold = row.key("threshold");
    Some(match kind {
        "manual" => Rule::Manual,
        "flag" => Rule::Flag {
            fact: fact("fact", problems)?,
        },
        "at_least" => {
            let fact = fact("fact", problems);
            let min = number(row.get("threshold"), &threshold, problems);
            let years = optional_count(row.get("years"), &row.key("years"), problems);
            let op = if row.get("op") == "gt" {
                Op::Gt
            } else {
                Op::Ge
            };
            Rule::AtLeast {
                fact: fact?,
                op,
                min: min?,
                years,
            }
        }
        "ratio" => {
            let (fact, per) = (fact("fact", problems), fact("per", problems));
            let min_percent = number(row.get("threshold"), &threshold, problems);
            Rule::Ratio {
                fact: fact?,
                per: per?,
                min_percent: min_percent?,
            }
        }
        "operating_years" => Rule::OperatingYears {
            min: count(row.get("threshold"), &threshold, problems)?,
        },
        "any_of" => match serde_json::from_str(row.get("rule_json")) {
            Ok(rule @ Rule::AnyOf { .. }) => rule,
            _ => {
                problems.insert(row.key("kind"), "组合条件只能通过导入规则文件修改".into());
                return None;
            }
        },
        _ => {
            problems.insert(row.key("kind"), "请选择条件类型".into());
            return None;
        }
    })
}

/// Criteria under `scores`; none under `opinion` (and then none may be left in the form).
fn read_review(fields: &Fields, rules: &mut RuleSet, problems: &mut Problems) {
    let get = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("");
    let criteria: Vec<Criterion> = rows(fields, "criterion")
        .into_iter()
        .filter_map(|index| {
            let row = Row {
                fields,
                section: "criterion",
                index,
            };
            read_criterion(&row, problems)
        })
        .collect();
    match get("review_mode") {
        "scores" => {
            if let Some(total) = number(get("rubric_total"), "rubric_total", problems) {
                rules.rubric_total = total;
            }
            if criteria.is_empty() && !problems.contains_key("rubric_total") {
                problems.insert("rubric_total".into(), "专家打分时至少需要一个评分项".into());
            }
        }
        "opinion" if !criteria.is_empty() => {
            problems.insert(
                "review_mode".into(),
                "选择“通过 / 不通过意见”时，请先删除下方的评分项".into(),
            );
        }
        "opinion" => {}
        _ => {
            problems.insert("review_mode".into(), "请选择专家评审方式".into());
        }
    }
    rules.criteria = criteria;
}

fn read_criterion(row: &Row, problems: &mut Problems) -> Option<Criterion> {
    if row.removed() || row.blank(&["id", "name", "description"]) {
        return None;
    }
    Some(Criterion {
        id: code(row, "id", problems),
        name: required(row, "name", "请填写评分项名称", problems),
        category: row.get("category").to_string(),
        description: row.get("description").to_string(),
        max: number(row.get("max"), &row.key("max"), problems).unwrap_or(Fixed::ZERO),
    })
}

fn read_veto(row: &Row, problems: &mut Problems) -> Option<Veto> {
    if row.removed() || row.blank(&["id", "article", "description"]) {
        return None;
    }
    let key = row.get("key");
    if !VETO_KEYS.iter().any(|(k, _)| *k == key) {
        problems.insert(row.key("key"), "请选择否决事项的类别".into());
    }
    Some(Veto {
        id: code(row, "id", problems),
        key: key.to_string(),
        article: required(row, "article", "请填写条款", problems),
        description: required(row, "description", "请填写否决事项的原文", problems),
    })
}

/// A row's id: letters, digits, dots, hyphens and underscores (`wz.area`).
fn code(row: &Row, name: &str, problems: &mut Problems) -> String {
    let value = row.get(name);
    let ok = !value.is_empty()
        && value.len() <= 60
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        problems.insert(
            row.key(name),
            "请填写编号：字母、数字、点、连字符或下划线，例如 hz.area".into(),
        );
    }
    value.to_string()
}

fn required(row: &Row, name: &str, message: &str, problems: &mut Problems) -> String {
    let value = row.get(name);
    if value.is_empty() {
        problems.insert(row.key(name), message.into());
    }
    value.to_string()
}

/// A non-negative number with at most four decimals ("3000", "3,000", "0.5").
fn number(text: &str, field: &str, problems: &mut Problems) -> Option<Fixed> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '，')).collect();
    let parsed = match cleaned.parse::<f64>() {
        _ if cleaned.is_empty() => Err("请填写数值"),
        Ok(x) => Fixed::from_f64(x),
        Err(_) => Err("请填写数字，例如 3000 或 0.5"),
    };
    parsed
        .map_err(|message| problems.insert(field.to_string(), message.to_string()))
        .ok()
}

/// A whole number ≥ 0.
fn count(text: &str, field: &str, problems: &mut Problems) -> Option<u32> {
    match text.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            let message = if text.is_empty() {
                "请填写整数"
            } else {
                "请填写不带小数的整数"
            };
            problems.insert(field.to_string(), message.into());
            None
        }
    }
}

/// A whole number, or nothing when left empty.
fn optional_count(text: &str, field: &str, problems: &mut Problems) -> Option<u32> {
    if text.is_empty() {
        None
    } else {
        count(text, field, problems)
    }
}

/// A rule-set document's parse error in words: where and what.
pub fn document_error(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let inner = e.inner().to_string();
    let what = if inner.contains("unknown variant") {
        format!("取值不在允许范围内（{}）", between_backticks(&inner))
    } else if inner.contains("unknown field") {
        format!("有无法识别的字段 {}", between_backticks(&inner))
    } else if inner.contains("missing field") {
        format!("缺少字段 {}", between_backticks(&inner))
    } else if inner.contains("invalid type") {
        "类型不对（例如数值写成了文字）".to_string()
    } else if e.inner().is_syntax() || e.inner().is_eof() {
        format!("不是有效的 JSON（第 {} 行）", e.inner().line())
    } else {
        inner.clone()
    };
    match path.as_str() {
        "." | "" => what,
        _ => format!("{path}：{what}"),
    }
}

fn between_backticks(s: &str) -> &str {
    s.split('`').nth(1).unwrap_or(s)
}

/// Reads a rule-set document (the JSON `parkcert rules show` prints): its structure, then its
/// consistency. Every problem in words.
pub fn parse_document(text: &str) -> Result<RuleSet, Vec<String>> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let rules: RuleSet =
        serde_path_to_error::deserialize(de).map_err(|e| vec![document_error(&e)])?;
    let problems: Vec<String> = rules.problems().into_iter().map(|(_, m)| m).collect();
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ruleset::builtin;

    #[test]
    fn every_builtin_survives_the_editor_unchanged() {
        for id in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
            let rules = builtin(id).unwrap();
            let back = from_fields(&rules, &to_fields(&rules)).unwrap();
            assert_eq!(back, rules, "{id}");
        }
    }

    fn wenzhou_fields() -> (RuleSet, Fields) {
        let wz = builtin("wenzhou-2021").unwrap();
        let fields = to_fields(&wz);
        (wz, fields)
    }

    #[test]
    fn a_changed_threshold_is_read_back() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("check.2.threshold".into(), "5,000".into());
        let rules = from_fields(&wz, &f).unwrap();
        let Rule::AtLeast { min, .. } = &rules.checks[2].rule else {
            panic!("wz.area is at_least")
        };
        assert_eq!(*min, Fixed::from_int(5000));
    }

    #[test]
    fn each_wrong_field_gets_its_own_message() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("check.2.threshold".into(), "三千".into());
        f.insert("check.3.fact".into(), "area.moon".into());
        f.insert("publicity_days".into(), "5.5".into());
        let problems = from_fields(&wz, &f).unwrap_err();
        assert_eq!(
            problems["check.2.threshold"],
            "请填写数字，例如 3000 或 0.5"
        );
        assert_eq!(problems["check.3.fact"], "没有这个数据项，请从列表中选择");
        assert_eq!(problems["publicity_days"], "请填写不带小数的整数");
    }

    #[test]
    fn a_value_in_a_field_the_kind_does_not_use_is_refused_not_dropped() {
        let (wz, mut f) = wenzhou_fields();
        // wz.service_center is a yes/no check: it has no threshold.
        f.insert("check.3.threshold".into(), "1".into());
        let problems = from_fields(&wz, &f).unwrap_err();
        assert_eq!(
            problems["check.3.threshold"],
            "“是否具备”类条件不使用门槛值，请清空或改选条件类型"
        );
    }

    #[test]
    fn criteria_must_add_up_to_the_rubric_total() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("criterion.0.max".into(), "11".into());
        let problems = from_fields(&wz, &f).unwrap_err();
        assert!(problems["rubric_total"].contains("应等于总分 100 分"));
    }

    #[test]
    fn a_tier_without_checks_is_refused_on_its_row() {
        let zs = builtin("zhongshan-2022").unwrap();
        let mut f = to_fields(&zs);
        f.insert("tier.2.id".into(), "model".into());
        f.insert("tier.2.name".into(), "示范园区".into());
        f.insert("tier.2.position".into(), "3".into());
        let problems = from_fields(&zs, &f).unwrap_err();
        assert_eq!(problems["tier.2.id"], "等级“示范园区”没有任何认定条件");
    }

    #[test]
    fn a_removed_row_leaves_the_rule_set_and_errors_land_on_the_right_row() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("check.0.remove".into(), "on".into());
        f.insert("check.5.id".into(), "wz.area".into());
        let problems = from_fields(&wz, &f).unwrap_err();
        // The duplicate is the fifth kept check, shown on form row 5.
        assert_eq!(problems["check.5.id"], "检查项编号 wz.area 重复");
    }

    #[test]
    fn a_blank_added_row_is_ignored_and_a_filled_one_is_added() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("veto.3.id".into(), String::new());
        let same = from_fields(&wz, &f).unwrap();
        assert_eq!(same.vetoes.len(), 3);
        f.insert("check.12.id".into(), "hz.livestream".into());
        f.insert("check.12.article".into(), "第五条".into());
        f.insert(
            "check.12.description".into(),
            "直播营销中心面积不少于500平方米".into(),
        );
        f.insert("check.12.kind".into(), "at_least".into());
        f.insert("check.12.fact".into(), "facilities.livestream".into());
        f.insert("check.12.threshold".into(), "500".into());
        let more = from_fields(&wz, &f).unwrap();
        assert_eq!(more.checks.len(), 13);
        assert_eq!(more.requirement_text(&more.checks[12]), "≥ 500");
    }

    #[test]
    fn opinion_mode_refuses_leftover_criteria() {
        let (wz, mut f) = wenzhou_fields();
        f.insert("review_mode".into(), "opinion".into());
        let problems = from_fields(&wz, &f).unwrap_err();
        assert!(problems["review_mode"].contains("请先删除"));
    }

    #[test]
    fn a_document_with_a_threshold_of_the_wrong_type_names_where() {
        let json = crate::domain::ruleset::builtin("wenzhou-2021").unwrap();
        let mut value = serde_json::to_value(json).unwrap();
        value["checks"][2]["rule"]["min"] = serde_json::json!("3000");
        let errors = parse_document(&value.to_string()).unwrap_err();
        // An internally tagged rule is read whole, so the path ends at the rule.
        assert_eq!(errors, ["checks[2].rule：类型不对（例如数值写成了文字）"]);
        value["checks"][2]["rule"]["min"] = serde_json::json!(3000);
        value["checks"][2]["rule"]["fact"] = serde_json::json!("area.moon");
        let errors = parse_document(&value.to_string()).unwrap_err();
        assert!(
            errors[0].starts_with("checks[2].rule：取值不在允许范围内（area.moon）"),
            "{errors:?}"
        );
    }

    #[test]
    fn the_fact_catalogue_names_every_fact_once() {
        let keys: BTreeSet<String> = Fact::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys.len(), Fact::ALL.len());
        for fact in Fact::ALL {
            assert_eq!(Fact::from_key(&fact.key()), Some(fact));
        }
    }
}

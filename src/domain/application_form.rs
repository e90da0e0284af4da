//! The application form — 申报表 (温州 附件1) and 申报书 (附件2), with the facts the rule set's
//! checks test (DOMAIN.md §4) — as data, built from the call's rule set, and its translation
//! into the engine's [`Input`] for the live self-check. Pure: no IO.
//!
//! The web layer stores what the operator typed, verbatim, as [`FormValues`] (a checkbox group
//! as its codes joined with `,`); nothing typed is ever dropped. [`parse`] reads those strings
//! into facts and per-field messages; [`missing_for_submit`] lists what a submission still
//! lacks; [`to_input`] builds the engine input; [`diff`] and [`display`] serve read-only views.
//!
//! Fields whose facts a check uses are derived from the rule set's [`Fact`]s, so a tenant's
//! edited rule set still gets the fields it needs. Keys never contain a year (`trade.ref.*` is
//! the reference year, `trade.prev.*` the year before); labels show the actual years.
use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::domain::evaluate::{
    Area, Declared, Enterprise, Events, Facilities, Input, Integer, Operator, Park, TradeYear,
};
use crate::domain::fixed::Fixed;
use crate::domain::ruleset::{Currency, Fact, Rule, RuleSet};
use crate::domain::uscc::Uscc;

#[cfg(test)]
mod tests;
mod values;

use values::{Value, display_value, parse_value};

/// What the operator typed, by field key, verbatim.
pub type FormValues = BTreeMap<String, String>;

/// Keys the web layer reads directly.
pub mod keys {
    pub const PARK_NAME: &str = "park.name";
    pub const PARK_KIND: &str = "park.kind";
    pub const PARK_ADDRESS: &str = "park.address";
    pub const TIER: &str = "tier";
    pub const SERVICES: &str = "services";
    pub const SERVICES_OTHER: &str = "services.other";
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormSpec {
    pub sections: Vec<Section>,
    /// The year the annual figures (trade, events) refer to; labels show it.
    pub reference_year: i32,
    /// The rule set's currency (trade amounts).
    pub currency: Option<Currency>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Stable identifier, usable as an HTML anchor (`park`, `area`, `trade`…).
    pub id: &'static str,
    pub title: String,
    pub fields: Vec<FieldSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    /// Must be filled in before submission (a draft may leave it empty).
    pub required: bool,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// One line, at most `max` characters.
    Text {
        max: usize,
    },
    /// A report section (textarea), at most `max` characters.
    LongText {
        max: usize,
    },
    /// A non-negative count.
    Integer,
    /// m², non-negative, at most two decimals.
    Area,
    /// A non-negative integer amount in the currency's main unit (`unit`: 元 or 美元).
    Money {
        unit: String,
    },
    Date,
    /// Stored as `yes` / `no`.
    YesNo,
    /// One code.
    Select(Vec<Choice>),
    /// Codes joined with `,`.
    Checkboxes(Vec<Choice>),
    /// A landline (or any) telephone number.
    Phone,
    /// A mainland mobile number.
    Mobile,
    Email,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

impl Choice {
    fn new(code: &str, label: &str) -> Choice {
        Choice {
            code: code.into(),
            label: label.into(),
        }
    }
}

static YES_NO: LazyLock<Vec<Choice>> =
    LazyLock::new(|| vec![Choice::new("yes", "是"), Choice::new("no", "否")]);

/// Helpers for a generic template: loop over sections and fields, switch on `widget()`.
impl FieldSpec {
    /// `input`, `textarea`, `select`, `radio` (yes/no) or `checkboxes`.
    pub fn widget(&self) -> &'static str {
        match self.kind {
            FieldKind::LongText { .. } => "textarea",
            FieldKind::Select(_) => "select",
            FieldKind::YesNo => "radio",
            FieldKind::Checkboxes(_) => "checkboxes",
            _ => "input",
        }
    }

    /// The `type` of an `<input>`: `tel` for telephone numbers, else `text` (numbers, dates and
    /// e-mail addresses stay plain text so that the browser neither rejects nor rewrites what
    /// was typed: full-width digits, `1,234`, `2026年3月15日` are accepted here).
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Phone | FieldKind::Mobile => "tel",
            _ => "text",
        }
    }

    /// The `inputmode` attribute (on-screen keyboard), empty when none fits.
    pub fn input_mode(&self) -> &'static str {
        match self.kind {
            FieldKind::Integer | FieldKind::Money { .. } => "numeric",
            FieldKind::Area => "decimal",
            FieldKind::Phone | FieldKind::Mobile => "tel",
            FieldKind::Email => "email",
            _ => "",
        }
    }

    /// A placeholder showing the expected form, empty when none.
    pub fn placeholder(&self) -> &'static str {
        match self.kind {
            FieldKind::Date => "2026-03-15",
            _ => "",
        }
    }

    /// The `maxlength` of a text field.
    pub fn max_len(&self) -> Option<usize> {
        match self.kind {
            FieldKind::Text { max } | FieldKind::LongText { max } => Some(max),
            _ => None,
        }
    }

    /// The choices of a select, a checkbox group or a yes/no field; empty otherwise.
    pub fn options(&self) -> &[Choice] {
        match &self.kind {
            FieldKind::Select(c) | FieldKind::Checkboxes(c) => c,
            FieldKind::YesNo => &YES_NO,
            _ => &[],
        }
    }

    pub fn is_long(&self) -> bool {
        matches!(self.kind, FieldKind::LongText { .. })
    }

    pub fn hint_text(&self) -> &str {
        self.hint.as_deref().unwrap_or("")
    }

    /// The stored text, `""` when absent.
    pub fn value<'a>(&self, values: &'a FormValues) -> &'a str {
        values.get(&self.key).map_or("", String::as_str)
    }

    /// Whether `code` is selected (select, radio or checkbox), reading the stored text as
    /// `parse` does (`是` selects `yes`, a label selects its code).
    pub fn is_checked(&self, values: &FormValues, code: &str) -> bool {
        match parse_value(&self.kind, self.value(values)) {
            Ok(Some(Value::Code(c))) => c == code,
            Ok(Some(Value::Codes(cs))) => cs.iter().any(|c| c == code),
            Ok(Some(Value::Bool(b))) => code == if b { "yes" } else { "no" },
            // A malformed checkbox list still shows the boxes whose codes it names.
            Err(_) if matches!(self.kind, FieldKind::Checkboxes(_)) => self
                .value(values)
                .split(',')
                .any(|part| part.trim() == code),
            _ => false,
        }
    }

    fn new(key: impl Into<String>, label: impl Into<String>, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            key: key.into(),
            label: label.into(),
            kind,
            required: false,
            hint: None,
        }
    }

    fn required_if(mut self, required: bool) -> FieldSpec {
        self.required = required;
        self
    }

    fn with_hint(mut self, hint: impl Into<String>) -> FieldSpec {
        let hint = hint.into();
        self.hint = (!hint.is_empty()).then_some(hint);
        self
    }
}

impl FormSpec {
    pub fn fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields().find(|f| f.key == key)
    }
}

/// What a draft's values say: the engine's facts (None where empty or malformed), the tier
/// applied for, and a message per malformed field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub park: Park,
    pub tier: Option<String>,
    /// Field key → message ("请输入不小于 0 的整数"). Also a few impossible combinations
    /// (more CBEC enterprises than enterprises, more occupied than leasable area); their
    /// facts are kept.
    pub errors: BTreeMap<String, String>,
    /// The reference year the trade entries were dated with (the spec's).
    pub reference_year: i32,
}

/// One field whose displayed value differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub key: String,
    pub label: String,
    pub old: String,
    pub new: String,
}

// ---------------------------------------------------------------------------------------------
// Which facts the rule set uses.

/// A fact the rule set uses: `needed` when some check fails without it (not an optional
/// facility, not one alternative among several); `years` for trade facts.
#[derive(Default)]
struct Usage {
    shown: Vec<Fact>,
    needed: Vec<Fact>,
    /// (fact, years shown, years needed).
    trade: Vec<(Fact, u32, u32)>,
    operating_since: bool,
}

/// More years than this in a tenant's edited rule set are not asked for on the form.
const MAX_TRADE_YEARS: u32 = 10;

impl Usage {
    fn of(rules: &RuleSet) -> Usage {
        let mut u = Usage::default();
        for check in &rules.checks {
            u.operating_since |= check.na_before_years.is_some();
            u.rule(&check.rule, !check.na_when_absent);
        }
        for m in &rules.metrics {
            u.add(m.fact, m.years.unwrap_or(1), false);
            if let Some(per) = m.per {
                u.add(per, 1, false);
            }
        }
        u
    }

    fn rule(&mut self, rule: &Rule, needed: bool) {
        match rule {
            Rule::Manual => {}
            Rule::Flag { fact } => self.add(*fact, 1, needed),
            Rule::AtLeast { fact, years, .. } => self.add(*fact, years.unwrap_or(1), needed),
            Rule::Ratio { fact, per, .. } => {
                self.add(*fact, 1, needed);
                self.add(*per, 1, needed);
            }
            Rule::OperatingYears { .. } => self.operating_since = true,
            // Any one alternative can pass: none of their facts is needed on its own.
            Rule::AnyOf { alternatives } => {
                for alt in alternatives {
                    self.rule(&alt.rule, false);
                }
            }
        }
    }

    fn add(&mut self, fact: Fact, years: u32, needed: bool) {
        if !self.shown.contains(&fact) {
            self.shown.push(fact);
        }
        if needed && !self.needed.contains(&fact) {
            self.needed.push(fact);
        }
        if fact.is_trade() {
            let years = years.clamp(1, MAX_TRADE_YEARS);
            let need = if needed { years } else { 0 };
            match self.trade.iter_mut().find(|(f, _, _)| *f == fact) {
                Some((_, shown, needed)) => {
                    *shown = (*shown).max(years);
                    *needed = (*needed).max(need);
                }
                None => self.trade.push((fact, years, need)),
            }
        }
    }

    fn shows(&self, fact: Fact) -> bool {
        self.shown.contains(&fact)
    }

    fn needs(&self, fact: Fact) -> bool {
        self.needed.contains(&fact)
    }

    fn trade_years(&self, fact: Fact) -> (u32, u32) {
        self.trade
            .iter()
            .find(|(f, _, _)| *f == fact)
            .map_or((0, 0), |(_, s, n)| (*s, *n))
    }

    /// Zhongshan counts enterprises by registered address and files them with the city.
    fn counts_in_park(&self) -> bool {
        [
            Fact::RosterInPark,
            Fact::RosterCbecInPark,
            Fact::RosterFiledInPark,
        ]
        .iter()
        .any(|f| self.shows(*f))
    }
}

/// "要求：≥ 3000 m²（第四条（三））" for the checks that compare `fact` with a number
/// (and, for a trade figure `back` years before the reference year, only those averaging over
/// that year).
fn requirement_hint(rules: &RuleSet, fact: Fact, back: u32) -> String {
    let parts: Vec<String> = rules
        .checks
        .iter()
        .filter_map(|c| {
            let req = match &c.rule {
                Rule::AtLeast { fact: f, years, .. } if *f == fact && back < years.unwrap_or(1) => {
                    rules.requirement_text(c)
                }
                Rule::Flag { fact: f } if *f == fact => c.description.clone(),
                Rule::Ratio {
                    fact: f,
                    per,
                    min_percent,
                } if *f == fact && back == 0 => {
                    let (_, label, _) = fact_field(*per)?;
                    let name = label.split('（').next().unwrap_or(label);
                    format!("≥ {name}的 {min_percent}%")
                }
                _ => return None,
            };
            let tier = c
                .tier
                .as_deref()
                .and_then(|t| rules.tiers.iter().find(|x| x.id == t))
                .map_or(String::new(), |t| format!("{} ", t.name));
            let mut note = String::new();
            if let Some(years) = c.na_before_years {
                note.push_str(&format!("，运营满 {years} 年后适用"));
            }
            if c.na_when_absent {
                note.push_str("，没有的可不填");
            }
            Some(format!("{tier}{req}（{}{note}）", c.article))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("要求：{}", parts.join("；"))
    }
}

fn join_hints(a: &str, b: String) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b,
        (_, true) => a.to_string(),
        _ => format!("{a} {b}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The form.

const NAME_MAX: usize = 100;
const ADDRESS_MAX: usize = 200;
const PERSON_MAX: usize = 50;
const REPORT_MAX: usize = 20_000;

pub const PARK_KINDS: [(&str, &str, &str); 3] = [
    (
        "cluster",
        "产业聚集型",
        "各类跨境电商企业集聚，有一定的供应链基础，具备培训、供应链、通关报关、金融、营销推广、平台运营等服务能力，具有集群效应",
    ),
    (
        "warehousing",
        "仓储物流型",
        "有海关监管作业需要，但无需“海关监管货物仓储”行政许可审批的场所",
    ),
    (
        "supervised_site",
        "监管作业场所型",
        "运输工具进出、停靠，从事海关监管货物装卸、储存、交付、发运等活动并办理海关手续，符合海关设置标准的特定区域",
    ),
];

/// 园区服务内容 (附件1), in the form's order.
pub const SERVICES: [(&str, &str); 10] = [
    ("trading_platform", "交易平台服务"),
    ("customs", "通关服务"),
    ("tax", "税务服务"),
    ("fx_settlement", "结汇服务"),
    ("logistics", "物流服务"),
    ("payment", "支付和结算服务"),
    ("credit", "信用认证服务"),
    ("statistics", "统计监测服务"),
    ("incubation", "企业孵化服务"),
    ("other", "其他"),
];

/// 附件2 二、1–8: (key, heading, the outline's line); 7 and 8 are optional.
const REPORT_DEVELOPMENT: [(&str, &str, &str); 8] = [
    (
        "report.s1",
        "二、1．园区符合当地经济社会发展总体规划情况",
        "园区符合当地经济社会发展总体规划情况，包括建设发展规划、功能定位和产业布局等。",
    ),
    (
        "report.s2",
        "二、2．园区跨境电子商务企业集聚发展情况",
        "园区跨境电子商务企业集聚发展情况，包括企业聚集、孵化数量、企业年营收规模等。",
    ),
    (
        "report.s3",
        "二、3．园区跨境电子商务公共服务平台建设情况",
        "园区跨境电子商务公共服务平台建设情况。",
    ),
    (
        "report.s4",
        "二、4．园区跨境电子商务公共服务支撑体系建设情况",
        "园区跨境电子商务公共服务支撑体系建设情况。",
    ),
    (
        "report.s5",
        "二、5．园区基础配套设施建设和服务输出情况",
        "园区基础配套设施建设和服务输出情况。",
    ),
    (
        "report.s6",
        "二、6．园区运营管理机构、运营机制及规范管理等情况",
        "园区运营管理机构、运营机制及规范管理等情况。",
    ),
    (
        "report.s7",
        "二、7．园区荣誉获得情况",
        "园区荣誉获得情况（选填）。",
    ),
    (
        "report.s8",
        "二、8．其他需要表述事项",
        "其他需要表述事项（选填）。",
    ),
];

const REPORT_BASIC_HINT: &str = "重点说明在跨境电子商务产业园区建设方面已经具备的条件和基础，包括园区范围、园区布局建设、相关规划管理机构、工作机制、已入驻企业、业务开展情况、当地扶持政策以及园区对区域经济发展的影响等。";

fn currency_unit(currency: Option<Currency>) -> &'static str {
    match currency {
        Some(Currency::Usd) => "美元",
        Some(Currency::Cny) | None => "元",
    }
}

/// The key of a trade figure `back` years before the reference year.
fn trade_key(back: u32, fact: Fact) -> String {
    let year = match back {
        0 => "ref".to_string(),
        1 => "prev".to_string(),
        n => format!("prev{n}"),
    };
    let figure = match fact {
        Fact::TradeTransactions => "transactions",
        _ => "import_export",
    };
    format!("trade.{year}.{figure}")
}

/// (years back, fact) of a `trade.*` key.
fn parse_trade_key(key: &str) -> Option<(u32, Fact)> {
    let rest = key.strip_prefix("trade.")?;
    let (year, figure) = rest.split_once('.')?;
    let back = match year {
        "ref" => 0,
        "prev" => 1,
        other => other.strip_prefix("prev")?.parse().ok()?,
    };
    let fact = match figure {
        "import_export" => Fact::TradeImportExport,
        "transactions" => Fact::TradeTransactions,
        _ => return None,
    };
    Some((back, fact))
}

/// Key and label of the facts that are one field each.
fn fact_field(fact: Fact) -> Option<(&'static str, &'static str, FieldKind)> {
    let area = FieldKind::Area;
    Some(match fact {
        Fact::AreaTotal => ("area.total", "园区总面积（平方米）", area),
        Fact::AreaBuilding => ("area.building", "建筑面积（平方米）", area),
        Fact::AreaCbecUse => (
            "area.cbec_use",
            "直接用于跨境电商企业的使用面积（平方米）",
            area,
        ),
        Fact::AreaOperating => ("area.operating", "园区总经营面积（平方米）", area),
        Fact::AreaSupporting => ("area.supporting", "配套服务设施面积（平方米）", area),
        Fact::AreaLeasable => ("area.leasable", "可出租总面积（平方米）", area),
        Fact::AreaOccupied => ("area.occupied", "企业已入驻面积（平方米）", area),
        Fact::ServiceCenter => (
            "service_center",
            "是否建有跨境电商公共服务中心",
            FieldKind::YesNo,
        ),
        Fact::IncubatorMentors => (
            "facilities.incubator_mentors",
            "企业孵化基地指导人员数（名）",
            FieldKind::Integer,
        ),
        Fact::Classroom => (
            "facilities.classroom",
            "理论课堂教室面积（平方米，填最小的一间）",
            area,
        ),
        Fact::Practice => ("facilities.practice", "实操训练场地面积（平方米）", area),
        Fact::Warehouse => ("facilities.warehouse", "仓储基地建筑面积（平方米）", area),
        Fact::Livestream => ("facilities.livestream", "直播营销中心面积（平方米）", area),
        Fact::Party => ("facilities.party", "党建中心面积（平方米）", area),
        _ => return None,
    })
}

const QUARTERS: [&str; 4] = ["第一", "第二", "第三", "第四"];

fn quarter_key(q: usize) -> String {
    format!("events.policy_briefings.q{}", q + 1)
}

/// The form for a call under `rules`, whose annual figures refer to `reference_year`.
pub fn form_for(rules: &RuleSet, reference_year: i32) -> FormSpec {
    let usage = Usage::of(rules);
    let fact = |fact: Fact| -> Option<FieldSpec> {
        if !usage.shows(fact) {
            return None;
        }
        let (key, label, kind) = fact_field(fact)?;
        let hint = requirement_hint(rules, fact, 0);
        Some(
            FieldSpec::new(key, label, kind)
                .required_if(usage.needs(fact))
                .with_hint(hint),
        )
    };
    let mut sections = vec![
        park_section(&usage),
        area_section(rules, &fact),
        enterprises_section(rules, &usage),
        services_section(&fact),
    ];
    sections.extend(events_section(rules, &usage, reference_year));
    sections.extend(trade_section(rules, &usage, reference_year));
    let facilities: Vec<FieldSpec> = [
        Fact::IncubatorMentors,
        Fact::Classroom,
        Fact::Practice,
        Fact::Warehouse,
        Fact::Livestream,
        Fact::Party,
    ]
    .into_iter()
    .filter_map(&fact)
    .collect();
    if !facilities.is_empty() {
        sections.push(Section {
            id: "facilities",
            title: "配套设施".into(),
            fields: facilities,
        });
    }
    if !rules.tiers.is_empty() {
        sections.push(tier_section(rules));
    }
    sections.push(contacts_section(&rules.texts.phone_example));
    sections.push(report_section(rules));
    FormSpec {
        sections,
        reference_year,
        currency: rules.currency,
    }
}

fn park_section(usage: &Usage) -> Section {
    let kinds = PARK_KINDS
        .iter()
        .map(|(code, label, _)| Choice::new(code, label))
        .collect();
    let kind_hint = PARK_KINDS
        .iter()
        .map(|(_, label, about)| format!("{label}：{about}"))
        .collect::<Vec<_>>()
        .join("；");
    Section {
        id: "park",
        title: "园区基本信息".into(),
        fields: vec![
            FieldSpec::new(
                keys::PARK_NAME,
                "园区名称",
                FieldKind::Text { max: NAME_MAX },
            )
            .required_if(true),
            FieldSpec::new(keys::PARK_KIND, "园区类型", FieldKind::Select(kinds))
                .required_if(true)
                .with_hint(kind_hint),
            FieldSpec::new(
                "park.approved_by",
                "批准设立部门",
                FieldKind::Text { max: NAME_MAX },
            )
            .with_hint("未经批准设立的可不填"),
            FieldSpec::new("park.established_on", "设立时间", FieldKind::Date),
            FieldSpec::new("park.operating_since", "投入运营日期", FieldKind::Date)
                .required_if(usage.operating_since)
                .with_hint(if usage.operating_since {
                    "运营时间按此日期计算"
                } else {
                    ""
                }),
            FieldSpec::new(
                keys::PARK_ADDRESS,
                "园区地址",
                FieldKind::Text { max: ADDRESS_MAX },
            )
            .required_if(true),
        ],
    }
}

fn area_section(rules: &RuleSet, fact: &dyn Fn(Fact) -> Option<FieldSpec>) -> Section {
    let mut fields = vec![
        FieldSpec::new("area.planned", "规划面积（平方米）", FieldKind::Area),
        FieldSpec::new("area.building", "建筑面积（平方米）", FieldKind::Area)
            .required_if(true)
            .with_hint(requirement_hint(rules, Fact::AreaBuilding, 0)),
        FieldSpec::new("area.in_use", "实际使用面积（平方米）", FieldKind::Area),
    ];
    fields.extend(
        [
            Fact::AreaTotal,
            Fact::AreaCbecUse,
            Fact::AreaOperating,
            Fact::AreaSupporting,
            Fact::AreaLeasable,
            Fact::AreaOccupied,
        ]
        .into_iter()
        .filter_map(fact),
    );
    Section {
        id: "area",
        title: "面积".into(),
        fields,
    }
}

fn enterprises_section(rules: &RuleSet, usage: &Usage) -> Section {
    let zhongshan = usage.counts_in_park();
    let city = rules.city_name.as_deref().unwrap_or("");
    let registered = if zhongshan {
        format!("完成{city}跨境电商企业备案的企业数")
    } else {
        format!(
            "在{}综试区线上服务平台备案企业数",
            city.trim_end_matches('市')
        )
    };
    let count = |key: &str, label: &str, hint: &str| {
        FieldSpec::new(key, label, FieldKind::Integer)
            .required_if(true)
            .with_hint(hint)
    };
    let pick = |zs: &'static str, other: &'static str| if zhongshan { zs } else { other };
    Section {
        id: "enterprises",
        title: "企业情况".into(),
        fields: vec![
            count(
                "declared.enterprises",
                "入驻企业总数",
                pick(
                    "含非跨境电商企业；入驻以企业工商注册地址为准",
                    "含非跨境电商企业，应与企业名录一致",
                ),
            ),
            count(
                "declared.cbec",
                "入驻跨境电商企业数",
                pick(
                    "包括平台型、交易型及服务型企业等；入驻以企业工商注册地址为准",
                    "从事跨境电商经营或者提供相关服务的企业",
                ),
            ),
            count(
                "declared.operating",
                "跨境电商经营企业数",
                pick("交易型企业计入此项", ""),
            ),
            count(
                "declared.platform",
                "跨境电商平台企业数",
                pick("平台型企业计入此项", ""),
            ),
            count("declared.payment", "跨境电商支付企业数", ""),
            count("declared.logistics", "跨境电商物流供应链企业数", ""),
            count(
                "declared.other",
                "跨境电商其他类型企业数",
                pick("服务型等其他企业计入此项", ""),
            ),
            count("declared.registered", &registered, ""),
        ],
    }
}

fn services_section(fact: &dyn Fn(Fact) -> Option<FieldSpec>) -> Section {
    let choices = SERVICES
        .iter()
        .map(|(code, label)| Choice::new(code, label))
        .collect();
    let mut fields = vec![
        FieldSpec::new(
            keys::SERVICES,
            "园区服务内容",
            FieldKind::Checkboxes(choices),
        )
        .required_if(true),
        FieldSpec::new(
            keys::SERVICES_OTHER,
            "其他服务内容",
            FieldKind::Text { max: ADDRESS_MAX },
        )
        .with_hint("勾选“其他”时填写"),
    ];
    fields.extend(fact(Fact::ServiceCenter));
    Section {
        id: "services",
        title: "园区服务".into(),
        fields,
    }
}

fn events_section(rules: &RuleSet, usage: &Usage, year: i32) -> Option<Section> {
    let mut fields = Vec::new();
    let events: [(Fact, &str, String); 3] = [
        (
            Fact::EventsSelfOrganized,
            "events.self_organized",
            format!("{year}年园区自办跨境电商相关活动（场）"),
        ),
        (
            Fact::EventsJoint,
            "events.joint",
            format!("{year}年与商务主管部门、各类平台联合开展跨境电商相关活动（场）"),
        ),
        (
            Fact::EventsExchange,
            "events.exchange",
            format!("{year}年组织企业交流活动（次，如研讨会、工作坊、企业对接会）"),
        ),
    ];
    for (fact, key, label) in events {
        if usage.shows(fact) {
            fields.push(
                FieldSpec::new(key, label, FieldKind::Integer)
                    .required_if(usage.needs(fact))
                    .with_hint(requirement_hint(rules, fact, 0)),
            );
        }
    }
    let quarters = Fact::PolicyBriefingsMinQuarter;
    if usage.shows(quarters) {
        let hint = requirement_hint(rules, quarters, 0);
        for (q, name) in QUARTERS.iter().enumerate() {
            fields.push(
                FieldSpec::new(
                    quarter_key(q),
                    format!("{year}年{name}季度政策解读会（次）"),
                    FieldKind::Integer,
                )
                .required_if(usage.needs(quarters))
                .with_hint(hint.clone()),
            );
        }
    }
    (!fields.is_empty()).then(|| Section {
        id: "events",
        title: format!("{year}年活动开展情况"),
        fields,
    })
}

fn trade_section(rules: &RuleSet, usage: &Usage, year: i32) -> Option<Section> {
    let unit = currency_unit(rules.currency);
    let facts = [Fact::TradeImportExport, Fact::TradeTransactions];
    let most = facts
        .iter()
        .map(|f| usage.trade_years(*f).0)
        .max()
        .unwrap_or(0);
    let mut fields = Vec::new();
    for back in 0..most {
        let y = year - back as i32;
        for fact in facts {
            let (shown, needed) = usage.trade_years(fact);
            if back >= shown {
                continue;
            }
            let what = match fact {
                Fact::TradeTransactions => "跨境电商交易总额",
                _ => "跨境电商进出口总额",
            };
            let base = format!("填写整数金额，单位{unit}，如 40,000,000");
            fields.push(
                FieldSpec::new(
                    trade_key(back, fact),
                    format!("{y}年{what}（{unit}）"),
                    FieldKind::Money { unit: unit.into() },
                )
                .required_if(back < needed)
                .with_hint(join_hints(&base, requirement_hint(rules, fact, back))),
            );
        }
    }
    (!fields.is_empty()).then(|| Section {
        id: "trade",
        title: "跨境电商贸易额".into(),
        fields,
    })
}

fn tier_section(rules: &RuleSet) -> Section {
    let choices = rules
        .tiers
        .iter()
        .map(|t| Choice::new(&t.id, &t.name))
        .collect();
    let hint = rules
        .tiers
        .iter()
        .map(|t| format!("{}：{}", t.name, t.article))
        .collect::<Vec<_>>()
        .join("；");
    Section {
        id: "tier",
        title: "申报类型".into(),
        fields: vec![
            FieldSpec::new(keys::TIER, "申报类型", FieldKind::Select(choices))
                .required_if(true)
                .with_hint(hint),
        ],
    }
}

fn contacts_section(phone_example: &str) -> Section {
    let text = FieldKind::Text { max: PERSON_MAX };
    let landline = if phone_example.is_empty() {
        "固定电话，含区号".to_string()
    } else {
        format!("固定电话，如 {phone_example}")
    };
    Section {
        id: "contacts",
        title: "联系人".into(),
        fields: vec![
            FieldSpec::new("legal_rep.name", "法定代表人姓名", text.clone()).required_if(true),
            FieldSpec::new("legal_rep.phone", "法定代表人电话", FieldKind::Phone)
                .with_hint(landline.clone()),
            FieldSpec::new("legal_rep.mobile", "法定代表人手机", FieldKind::Mobile)
                .required_if(true),
            FieldSpec::new("legal_rep.email", "法定代表人邮箱", FieldKind::Email),
            FieldSpec::new("contact.name", "业务负责人姓名", text.clone()).required_if(true),
            FieldSpec::new("contact.title", "业务负责人职务", text).required_if(true),
            FieldSpec::new("contact.phone", "业务负责人电话", FieldKind::Phone).with_hint(landline),
            FieldSpec::new("contact.mobile", "业务负责人手机", FieldKind::Mobile).required_if(true),
            FieldSpec::new("contact.email", "业务负责人邮箱", FieldKind::Email).required_if(true),
        ],
    }
}

fn report_section(rules: &RuleSet) -> Section {
    let long = FieldKind::LongText { max: REPORT_MAX };
    let plan_hint = if rules.city_name.as_deref() == Some("温州市") {
        "根据县（市、区）、市级功能区发展规划，结合区域产业基础，围绕环境营造、效益实现、服务提供、企业培育等方面，重点说明3-5年内园区创建工作的目标和主要措施。"
    } else {
        "根据所在地区发展规划，结合区域产业基础，围绕环境营造、效益实现、服务提供、企业培育等方面，重点说明3-5年内园区创建工作的目标和主要措施。"
    };
    let mut fields = vec![
        FieldSpec::new("report.basic", "一、基本情况", long.clone())
            .required_if(true)
            .with_hint(REPORT_BASIC_HINT),
    ];
    for (i, (key, heading, outline)) in REPORT_DEVELOPMENT.iter().enumerate() {
        fields.push(
            FieldSpec::new(*key, *heading, long.clone())
                .required_if(i < 6)
                .with_hint(*outline),
        );
    }
    fields.push(
        FieldSpec::new("report.plan", "三、下一步发展计划", long)
            .required_if(true)
            .with_hint(plan_hint),
    );
    Section {
        id: "report",
        title: "申报书".into(),
        fields,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the values.

/// Reads every field of `spec` from `values`. Empty is not an error (a draft may be
/// incomplete); keys that are not in the spec are ignored (and kept by the caller).
pub fn parse(spec: &FormSpec, values: &FormValues) -> Parsed {
    let mut parsed: BTreeMap<&str, Value> = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for field in spec.fields() {
        match parse_value(&field.kind, field.value(values)) {
            Ok(Some(v)) => {
                parsed.insert(field.key.as_str(), v);
            }
            Ok(None) => {}
            Err(message) => {
                errors.insert(field.key.clone(), message);
            }
        }
    }
    let v = Read(&parsed);
    let mut park = Park {
        operating_since: v.date("park.operating_since"),
        service_center: v.bool("service_center"),
        ..Park::default()
    };
    let area = Area {
        total: v.area("area.total"),
        building: v.area("area.building"),
        cbec_use: v.area("area.cbec_use"),
        operating: v.area("area.operating"),
        supporting: v.area("area.supporting"),
        leasable: v.area("area.leasable"),
        occupied: v.area("area.occupied"),
    };
    park.area = (area != Area::default()).then_some(area);
    let quarters: Vec<Option<Integer>> = (0..4).map(|q| v.count(&quarter_key(q))).collect();
    let events = Events {
        self_organized: v.count("events.self_organized"),
        joint: v.count("events.joint"),
        exchange: v.count("events.exchange"),
        policy_briefings_by_quarter: quarters.iter().any(Option::is_some).then_some(quarters),
    };
    park.events = (events != Events::default()).then_some(events);
    let facilities = Facilities {
        incubator_mentors: v.count("facilities.incubator_mentors"),
        classroom: v.area("facilities.classroom"),
        practice: v.area("facilities.practice"),
        warehouse: v.area("facilities.warehouse"),
        livestream: v.area("facilities.livestream"),
        party: v.area("facilities.party"),
    };
    park.facilities = (facilities != Facilities::default()).then_some(facilities);
    let declared = Declared {
        enterprises: v.count("declared.enterprises"),
        cbec: v.count("declared.cbec"),
        registered: v.count("declared.registered"),
        operating: v.count("declared.operating"),
        platform: v.count("declared.platform"),
        payment: v.count("declared.payment"),
        logistics: v.count("declared.logistics"),
        other: v.count("declared.other"),
    };
    park.declared = (declared != Declared::default()).then_some(declared);
    park.trade = trade(spec, &v);
    cross_checks(&park, &mut errors);
    Parsed {
        park,
        tier: v.code(keys::TIER),
        errors,
        reference_year: spec.reference_year,
    }
}

struct Read<'a>(&'a BTreeMap<&'a str, Value>);

impl Read<'_> {
    fn count(&self, key: &str) -> Option<Integer> {
        match self.0.get(key)? {
            Value::Count(n) | Value::Money(n) => Some(Integer(*n)),
            _ => None,
        }
    }
    fn area(&self, key: &str) -> Option<Fixed> {
        match self.0.get(key)? {
            Value::Area(a) => Some(*a),
            _ => None,
        }
    }
    fn date(&self, key: &str) -> Option<NaiveDate> {
        match self.0.get(key)? {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    fn bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn code(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::Code(c) => Some(c.clone()),
            _ => None,
        }
    }
}

/// One entry per year the form asks about, once any trade figure is filled in: a year whose
/// figure is left empty stays `null` (the check shows "missing", not a mean with a 0 in it).
fn trade(spec: &FormSpec, v: &Read) -> Option<Vec<TradeYear>> {
    let mut years: Vec<TradeYear> = Vec::new();
    let mut any = false;
    for field in spec.fields() {
        let Some((back, fact)) = parse_trade_key(&field.key) else {
            continue;
        };
        let year = spec.reference_year - back as i32;
        let value = v.count(&field.key);
        any |= value.is_some();
        let pos = match years.iter().position(|t| t.year == year) {
            Some(p) => p,
            None => {
                years.push(TradeYear {
                    year,
                    currency: spec.currency,
                    import_export: None,
                    transactions: None,
                });
                years.len() - 1
            }
        };
        match fact {
            Fact::TradeTransactions => years[pos].transactions = value,
            _ => years[pos].import_export = value,
        }
    }
    any.then_some(years)
}

fn cross_checks(park: &Park, errors: &mut BTreeMap<String, String>) {
    let mut flag = |key: &str, message: &str| {
        errors
            .entry(key.to_string())
            .or_insert_with(|| message.to_string());
    };
    if let Some(d) = &park.declared {
        if let (Some(cbec), Some(all)) = (d.cbec, d.enterprises)
            && cbec > all
        {
            flag("declared.cbec", "入驻跨境电商企业数不能大于入驻企业总数");
        }
        if let (Some(registered), Some(cbec)) = (d.registered, d.cbec)
            && registered > cbec
        {
            flag(
                "declared.registered",
                "备案企业数不能大于入驻跨境电商企业数",
            );
        }
    }
    if let Some(a) = &park.area
        && let (Some(occupied), Some(leasable)) = (a.occupied, a.leasable)
        && occupied > leasable
    {
        flag("area.occupied", "企业已入驻面积不能大于可出租总面积");
    }
}

/// Required fields left empty, with the message to show: "请填写{label}", "请选择{label}",
/// "请至少选择一项". Malformed values are not listed here (see [`Parsed::errors`]).
pub fn missing_for_submit(spec: &FormSpec, values: &FormValues) -> BTreeMap<String, String> {
    let mut missing = BTreeMap::new();
    for field in spec.fields() {
        let empty = matches!(parse_value(&field.kind, field.value(values)), Ok(None));
        if !empty {
            continue;
        }
        let other_service = field.key == keys::SERVICES_OTHER
            && spec
                .field(keys::SERVICES)
                .is_some_and(|s| s.is_checked(values, "other"));
        if !field.required && !other_service {
            continue;
        }
        let message = match field.kind {
            FieldKind::Checkboxes(_) => "请至少选择一项".to_string(),
            FieldKind::Select(_) | FieldKind::YesNo => format!("请选择{}", field.label),
            _ => format!("请填写{}", field.label),
        };
        missing.insert(field.key.clone(), message);
    }
    missing
}

/// The engine input for the live self-check (and the evaluation frozen with a submission).
/// Trade entries carry the rule set's currency and are dated relative to `reference_year`;
/// an empty roster is left out, so that its checks show "missing" rather than 0.
pub fn to_input(
    rules: &RuleSet,
    parsed: &Parsed,
    applied_on: NaiveDate,
    reference_year: i32,
    operator_name: Option<String>,
    operator_uscc: Option<Uscc>,
    enterprises: Vec<Enterprise>,
) -> Input {
    let mut park = parsed.park.clone();
    let shift = reference_year - parsed.reference_year;
    for entry in park.trade.iter_mut().flatten() {
        entry.currency = rules.currency;
        entry.year += shift;
    }
    let operator_name = operator_name.filter(|n| !n.trim().is_empty());
    let operator = (operator_name.is_some() || operator_uscc.is_some()).then_some(Operator {
        name: operator_name,
        uscc: operator_uscc,
    });
    Input {
        rules: rules.id.clone(),
        applied_on,
        reference_year: Some(reference_year),
        tier: parsed.tier.clone().filter(|t| rules.tier_rank(t).is_some()),
        operator,
        park: Some(park),
        enterprises: (!enterprises.is_empty()).then_some(enterprises),
        attestations: None,
        vetoes: None,
        expert_scores: None,
    }
}

/// The value as a read-only page shows it: labels for codes, 是/否, grouped money
/// (`40,000,000`), `2026-03-15`; a malformed value as typed (trimmed); `""` when empty.
pub fn display(field: &FieldSpec, value: &str) -> String {
    match parse_value(&field.kind, value) {
        Ok(Some(v)) => display_value(&field.kind, &v),
        Ok(None) => String::new(),
        Err(_) => value.trim().to_string(),
    }
}

/// The fields whose displayed value differs, in form order (what a county sees of a
/// resubmission). Re-typing the same value differently (`1,234` for `1234`) is no change.
pub fn diff(spec: &FormSpec, old: &FormValues, new: &FormValues) -> Vec<FieldChange> {
    spec.fields()
        .filter_map(|field| {
            let before = display(field, field.value(old));
            let after = display(field, field.value(new));
            (before != after).then(|| FieldChange {
                key: field.key.clone(),
                label: field.label.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}

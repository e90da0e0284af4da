//! Rule sets as data: thresholds, articles, criteria, vetoes and aggregation parameters.
//!
//! The built-in templates live in `rules/*.json`. A tenant stores a copy (possibly edited,
//! e.g. another threshold) as its own version; `evaluate` reads nothing but this data.
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::domain::fixed::Fixed;

pub mod diff;
pub mod editor;

const TEMPLATES: [&str; 3] = [
    include_str!("rules/wenzhou-2021.json"),
    include_str!("rules/zhongshan-2022.json"),
    include_str!("rules/cbec-park-standard-2024.json"),
];

static BUILTIN: LazyLock<Vec<RuleSet>> = LazyLock::new(|| {
    TEMPLATES
        .iter()
        .map(|json| serde_json::from_str(json).expect("built-in rule set is valid JSON"))
        .collect()
});

/// The templates that ship with the program, in a stable order.
pub fn builtin_templates() -> Vec<RuleSet> {
    BUILTIN.clone()
}

/// A built-in template by id (`wenzhou-2021`, `zhongshan-2022`, `cbec-park-standard-2024`).
pub fn builtin(id: &str) -> Option<RuleSet> {
    BUILTIN.iter().find(|r| r.id == id).cloned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub id: String,
    /// Template version; a tenant's stored copy keeps its own version number elsewhere.
    pub version: u32,
    pub title: String,
    /// The document the rules come from.
    pub source: String,
    /// Currency of every trade figure; `None` accepts any (the standard has no money rules).
    pub currency: Option<Currency>,
    /// Years an award stays valid; `None`: it does not expire.
    pub validity_years: Option<u32>,
    /// Leading characters of the USCC region code of the city (`3303`): a consistency hint.
    pub city_uscc_prefix: Option<String>,
    pub city_name: Option<String>,
    pub aggregation: Aggregation,
    /// Tiers, highest first (Zhongshan: leading, growing); empty when the rules have none.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Automatic award of a tier from a higher authority's list (Zhongshan 第九条).
    #[serde(default)]
    pub provincial: Option<Provincial>,
    /// Numbers reported under `metrics`, in this order (`reference_year` is always added).
    #[serde(default)]
    pub metrics: Vec<MetricDef>,
    pub checks: Vec<Check>,
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    pub vetoes: Vec<Veto>,
    /// What pages, templates and hints say that is specific to the city (examples, column names,
    /// the articles cited for supervision).
    #[serde(default)]
    pub texts: CityTexts,
    /// How the counties send their opinions to the bureau.
    #[serde(default)]
    pub forwarding: Forwarding,
    /// Working days a publicity notice stays up (5 in both cities' measures).
    #[serde(
        default = "default_publicity_days",
        skip_serializing_if = "is_default_publicity"
    )]
    pub publicity_days: u32,
    /// What the criteria's maxima must add up to (the rubric's 100 points).
    #[serde(
        default = "default_rubric_total",
        skip_serializing_if = "is_default_rubric"
    )]
    pub rubric_total: Fixed,
}

fn default_publicity_days() -> u32 {
    5
}

fn is_default_publicity(days: &u32) -> bool {
    *days == default_publicity_days()
}

fn default_rubric_total() -> Fixed {
    Fixed::from_int(100)
}

fn is_default_rubric(total: &Fixed) -> bool {
    *total == default_rubric_total()
}

/// How a county forwards its opinions on the applications it checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Forwarding {
    /// Each application on its own as soon as it is checked, or several together (Wenzhou).
    #[default]
    Single,
    /// Only together, in batches with one cover letter and a recommendation order (Zhongshan
    /// 第八条（二）"加具推荐意见后，统一报送市商务局").
    Batch,
}

/// The city's own words: every text specific to a city comes from its rule set, never from the
/// other city's copy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CityTexts {
    /// A landline in the city's format (a hint).
    pub phone_example: String,
    /// What the roster calls the enterprise's county column (县（市、区） / 镇街).
    pub county_column: String,
    /// What the roster calls the platform registration column.
    pub registration_column: String,
    /// The roster template's example enterprise, its USCC without the check character, county.
    pub example_enterprise: String,
    pub example_uscc: String,
    pub example_county: String,
    /// The article that delists a park not rectified by the deadline, as cited.
    pub rectification_basis: String,
    /// The article that revokes for data still not reported after urging (empty: none).
    pub unreported_basis: String,
    /// The article that ends a title at the end of its term (empty: titles do not expire).
    pub expiry_basis: String,
    /// The article that lets a re-review delist a park at once, as cited (empty: rectification
    /// comes first).
    pub delisting_basis: String,
    /// The printed application form's title and the attachment it is (温州 附件1 申报表).
    pub form_title: String,
    pub form_attachment: String,
    /// The printed statement's title and attachment (温州 附件2 申报书).
    pub statement_title: String,
    pub statement_attachment: String,
    /// The attachment the roster is (温州 附件3 企业名录表).
    pub roster_attachment: String,
    /// The article that has the counties forward together, as cited (empty: one at a time).
    pub forwarding_basis: String,
}

impl CityTexts {
    /// The printed form's title, or the general one where the rules name none.
    pub fn form_title_or(&self, city: &str) -> String {
        match self.form_title.as_str() {
            "" => format!("{city}跨境电子商务产业园区申报表"),
            own => own.to_string(),
        }
    }

    /// "入驻企业名录（附件3）", or without the attachment where the rules number none.
    pub fn roster_title(&self) -> String {
        match self.roster_attachment.as_str() {
            "" => "入驻企业名录".to_string(),
            attachment => format!("入驻企业名录（{attachment}）"),
        }
    }

    pub fn statement_title_or(&self, city: &str) -> String {
        match self.statement_title.as_str() {
            "" => format!("{city}跨境电子商务产业园区申报书"),
            own => own.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "CNY")]
    Cny,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Cny => "CNY",
        }
    }

    /// The unit as a form label says it.
    pub fn label(self) -> &'static str {
        match self {
            Currency::Usd => "美元",
            Currency::Cny => "元",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregation {
    /// With at least this many scoring experts the highest and lowest totals are dropped.
    pub trim_min_experts: u32,
    /// An expert whose total differs from the plain mean by more than this is an outlier.
    pub outlier_delta: Fixed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub id: String,
    pub name: String,
    pub article: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provincial {
    pub id: String,
    pub article: String,
    pub description: String,
    /// The tier granted.
    pub tier: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    pub name: String,
    pub fact: Fact,
    /// When set, the metric is the ratio `fact / per`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<Fact>,
    /// For trade facts: the mean over this many years ending with the reference year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    pub article: String,
    /// What the check asks, in the regulation's words.
    pub description: String,
    pub rule: Rule,
    /// Unit for pages ("m²", "场", "家", "USD"); the JSON output carries bare numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The tier this check belongs to; `None` for basic checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// `na` while the park has operated for less than this many years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub na_before_years: Option<u32>,
    /// `na` when the fact is absent or zero (an optional facility).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub na_when_absent: bool,
    /// A note for the person attesting (e.g. the USCC region hint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// A person must attest (`attestations.<check id>`).
    Manual,
    /// A yes/no fact must be true.
    Flag { fact: Fact },
    /// `fact` compared with `min`; trade facts may be averaged over `years`.
    AtLeast {
        fact: Fact,
        #[serde(default)]
        op: Op,
        min: Fixed,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        years: Option<u32>,
    },
    /// `fact / per ≥ min_percent %`, compared by cross-multiplication.
    Ratio {
        fact: Fact,
        per: Fact,
        min_percent: Fixed,
    },
    /// The park has operated at least `min` whole years on the application date.
    OperatingYears { min: u32 },
    /// Passes when any alternative passes (the standard's area-or-count share).
    AnyOf { alternatives: Vec<Alternative> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub label: String,
    pub rule: Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// ≥ (以上、不少于、不低于 include the number).
    #[default]
    Ge,
    /// > (大于).
    Gt,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
        }
    }
}

/// A fact of the application, or a count over its roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fact {
    #[serde(rename = "area.total")]
    AreaTotal,
    #[serde(rename = "area.building")]
    AreaBuilding,
    #[serde(rename = "area.cbec_use")]
    AreaCbecUse,
    #[serde(rename = "area.operating")]
    AreaOperating,
    #[serde(rename = "area.supporting")]
    AreaSupporting,
    #[serde(rename = "area.leasable")]
    AreaLeasable,
    #[serde(rename = "area.occupied")]
    AreaOccupied,
    #[serde(rename = "service_center")]
    ServiceCenter,
    #[serde(rename = "events.self_organized")]
    EventsSelfOrganized,
    #[serde(rename = "events.joint")]
    EventsJoint,
    #[serde(rename = "events.exchange")]
    EventsExchange,
    /// The smallest of the reference year's four quarterly counts (a missing quarter is 0).
    #[serde(rename = "events.policy_briefings_min_quarter")]
    PolicyBriefingsMinQuarter,
    #[serde(rename = "trade.import_export")]
    TradeImportExport,
    #[serde(rename = "trade.transactions")]
    TradeTransactions,
    /// Every roster row.
    #[serde(rename = "roster.rows")]
    RosterRows,
    /// cbec_type ≠ none.
    #[serde(rename = "roster.cbec")]
    RosterCbec,
    /// cbec ∧ platform_registered.
    #[serde(rename = "roster.registered")]
    RosterRegistered,
    /// registered ∧ cbec_type = operating.
    #[serde(rename = "roster.operating")]
    RosterOperating,
    /// registered ∧ active.
    #[serde(rename = "roster.active")]
    RosterActive,
    /// address_in_park.
    #[serde(rename = "roster.in_park")]
    RosterInPark,
    /// in_park ∧ cbec.
    #[serde(rename = "roster.cbec_in_park")]
    RosterCbecInPark,
    /// cbec_in_park ∧ platform_registered.
    #[serde(rename = "roster.filed_in_park")]
    RosterFiledInPark,
    #[serde(rename = "facilities.incubator_mentors")]
    IncubatorMentors,
    #[serde(rename = "facilities.classroom")]
    Classroom,
    #[serde(rename = "facilities.practice")]
    Practice,
    #[serde(rename = "facilities.warehouse")]
    Warehouse,
    #[serde(rename = "facilities.livestream")]
    Livestream,
    #[serde(rename = "facilities.party")]
    Party,
}

impl Fact {
    /// The engine's fact catalogue, in the order the editor offers it.
    pub const ALL: [Fact; 28] = [
        Fact::AreaTotal,
        Fact::AreaBuilding,
        Fact::AreaCbecUse,
        Fact::AreaOperating,
        Fact::AreaSupporting,
        Fact::AreaLeasable,
        Fact::AreaOccupied,
        Fact::ServiceCenter,
        Fact::EventsSelfOrganized,
        Fact::EventsJoint,
        Fact::EventsExchange,
        Fact::PolicyBriefingsMinQuarter,
        Fact::TradeImportExport,
        Fact::TradeTransactions,
        Fact::RosterRows,
        Fact::RosterCbec,
        Fact::RosterRegistered,
        Fact::RosterOperating,
        Fact::RosterActive,
        Fact::RosterInPark,
        Fact::RosterCbecInPark,
        Fact::RosterFiledInPark,
        Fact::IncubatorMentors,
        Fact::Classroom,
        Fact::Practice,
        Fact::Warehouse,
        Fact::Livestream,
        Fact::Party,
    ];

    /// The name in rule-set documents (`area.total`).
    pub fn key(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(key)) => key,
            _ => unreachable!("a fact serializes as its name"),
        }
    }

    pub fn from_key(key: &str) -> Option<Fact> {
        serde_json::from_value(serde_json::Value::String(key.to_string())).ok()
    }

    /// What the fact is, as the editor offers it.
    pub fn label(self) -> &'static str {
        match self {
            Fact::AreaTotal => "园区总面积",
            Fact::AreaBuilding => "建筑面积",
            Fact::AreaCbecUse => "直接用于跨境电商企业的使用面积",
            Fact::AreaOperating => "园区总经营面积",
            Fact::AreaSupporting => "配套服务设施面积",
            Fact::AreaLeasable => "可出租总面积",
            Fact::AreaOccupied => "企业已入驻面积",
            Fact::ServiceCenter => "建有跨境电商公共服务中心（是/否）",
            Fact::EventsSelfOrganized => "自主组织的培训、交流活动场次",
            Fact::EventsJoint => "联合组织的大型活动场次",
            Fact::EventsExchange => "对外交流活动场次",
            Fact::PolicyBriefingsMinQuarter => "政策宣讲（各季度中最少的场次）",
            Fact::TradeImportExport => "跨境电商进出口额",
            Fact::TradeTransactions => "跨境电商交易额",
            Fact::RosterRows => "入驻企业总数",
            Fact::RosterCbec => "跨境电商企业数",
            Fact::RosterRegistered => "已在平台备案的跨境电商企业数",
            Fact::RosterOperating => "已备案的跨境电商经营企业数",
            Fact::RosterActive => "已备案且有实绩的企业数",
            Fact::RosterInPark => "注册地址在园区内的企业数",
            Fact::RosterCbecInPark => "注册在园区内的跨境电商企业数",
            Fact::RosterFiledInPark => "注册在园区内且已备案的跨境电商企业数",
            Fact::IncubatorMentors => "企业孵化基地指导人员数",
            Fact::Classroom => "理论课堂教室面积",
            Fact::Practice => "实操训练场地面积",
            Fact::Warehouse => "仓储基地建筑面积",
            Fact::Livestream => "直播营销中心面积",
            Fact::Party => "党建中心面积",
        }
    }

    pub fn is_trade(self) -> bool {
        matches!(self, Fact::TradeImportExport | Fact::TradeTransactions)
    }

    /// A fact an inspector sees with their own eyes on site (areas, the service centre, the
    /// facilities), as opposed to one read from statistics or the roster.
    pub fn is_observable(self) -> bool {
        matches!(
            self,
            Fact::AreaTotal
                | Fact::AreaBuilding
                | Fact::AreaCbecUse
                | Fact::AreaOperating
                | Fact::AreaSupporting
                | Fact::AreaLeasable
                | Fact::AreaOccupied
                | Fact::ServiceCenter
                | Fact::IncubatorMentors
                | Fact::Classroom
                | Fact::Practice
                | Fact::Warehouse
                | Fact::Livestream
                | Fact::Party
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub id: String,
    pub name: String,
    /// The rubric's category (园区基础建设 …).
    pub category: String,
    pub max: Fixed,
    /// What the experts judge, in the rubric's words.
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    pub id: String,
    /// The key under `vetoes` in the input (`violation`, `blacklist`, `falsified`).
    pub key: String,
    pub article: String,
    pub description: String,
}

impl RuleSet {
    pub fn tier_rank(&self, id: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }

    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// The requirement as a page shows it, with its unit ("≥ 3000 m²").
    pub fn requirement_text(&self, check: &Check) -> String {
        let base = crate::domain::evaluate::required_text(&check.rule);
        match &check.unit {
            Some(unit) if !matches!(check.rule, Rule::Ratio { .. } | Rule::Manual) => {
                format!("{base} {unit}")
            }
            _ => base,
        }
    }

    /// Sum of the criteria maxima (100 for wenzhou-2021).
    pub fn max_total(&self) -> Fixed {
        Fixed::from_scaled(self.criteria.iter().map(|c| c.max.scaled()).sum())
    }

    /// Internal consistency a stored copy must keep; `Err` names the first problem.
    pub fn validate(&self) -> Result<(), String> {
        match self.problems().into_iter().next() {
            Some((_, message)) => Err(message),
            None => Ok(()),
        }
    }

    /// Every inconsistency, each with the editor field it belongs to (`check.3.tier`), so that
    /// the editor shows it next to that field and an import lists them all.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut add = |field: String, message: String| found.push((field, message));
        if !valid_id(&self.id) {
            add(
                "id".into(),
                "规则标识应为 3–60 位小写字母、数字或连字符".into(),
            );
        }
        if self.title.trim().is_empty() {
            add("title".into(), "请填写规则名称".into());
        }
        if self.validity_years == Some(0) {
            add(
                "validity_years".into(),
                "有效期应至少 1 年；不设期限请留空".into(),
            );
        }
        if !(1..=30).contains(&self.publicity_days) {
            add("publicity_days".into(), "公示期应为 1–30 个工作日".into());
        }
        if self.aggregation.trim_min_experts < 3 {
            add(
                "trim_min_experts".into(),
                "去掉最高分和最低分至少需要 3 位评分专家".into(),
            );
        }
        if !self.aggregation.outlier_delta.is_tenths() {
            add("outlier_delta".into(), "分差最多保留一位小数".into());
        }
        self.tier_problems(&mut add);
        self.check_problems(&mut add);
        self.criteria_problems(&mut add);
        let mut seen = std::collections::BTreeSet::new();
        for (i, v) in self.vetoes.iter().enumerate() {
            if !seen.insert(v.id.as_str()) {
                add(
                    format!("veto.{i}.id"),
                    format!("否决事项编号 {} 重复", v.id),
                );
            }
            if !VETO_KEYS.iter().any(|(key, _)| *key == v.key) {
                add(
                    format!("veto.{i}.key"),
                    format!("否决事项 {} 的类别无效", v.id),
                );
            }
        }
        found
    }

    fn tier_problems(&self, add: &mut impl FnMut(String, String)) {
        let mut seen = std::collections::BTreeSet::new();
        for (i, t) in self.tiers.iter().enumerate() {
            if !seen.insert(t.id.as_str()) {
                add(format!("tier.{i}.id"), format!("等级编号 {} 重复", t.id));
            } else if !self.checks.iter().any(|c| c.tier.as_ref() == Some(&t.id)) {
                add(
                    format!("tier.{i}.id"),
                    format!("等级“{}”没有任何认定条件", t.name),
                );
            }
        }
        if let Some(p) = &self.provincial
            && self.tier_rank(&p.tier).is_none()
        {
            add(
                "provincial".into(),
                format!("{} 引用了不存在的等级 {}", p.id, p.tier),
            );
        }
    }

    fn check_problems(&self, add: &mut impl FnMut(String, String)) {
        if self.checks.is_empty() {
            add("checks".into(), "至少需要一项认定条件".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, check) in self.checks.iter().enumerate() {
            if !seen.insert(check.id.as_str()) {
                add(
                    format!("check.{i}.id"),
                    format!("检查项编号 {} 重复", check.id),
                );
            }
            if let Some(tier) = &check.tier
                && self.tier_rank(tier).is_none()
            {
                add(
                    format!("check.{i}.tier"),
                    format!("检查项 {} 引用了不存在的等级 {tier}", check.id),
                );
            }
            if let Some(message) = rule_problem(&check.rule) {
                add(
                    format!("check.{i}.threshold"),
                    format!("检查项 {}：{message}", check.id),
                );
            }
        }
    }

    fn criteria_problems(&self, add: &mut impl FnMut(String, String)) {
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in self.criteria.iter().enumerate() {
            if !seen.insert(c.id.as_str()) {
                add(
                    format!("criterion.{i}.id"),
                    format!("评分项编号 {} 重复", c.id),
                );
            }
            if c.max.scaled() <= 0 || !c.max.is_tenths() {
                add(
                    format!("criterion.{i}.max"),
                    format!("评分项 {} 的满分应为正数且最多一位小数", c.id),
                );
            }
        }
        if !self.criteria.is_empty() && self.max_total() != self.rubric_total {
            add(
                "rubric_total".into(),
                format!(
                    "各评分项满分合计 {} 分，应等于总分 {} 分",
                    self.max_total(),
                    self.rubric_total
                ),
            );
        }
    }
}

/// The veto categories the reviewers attest, with their labels.
pub const VETO_KEYS: [(&str, &str); 3] = [
    ("violation", "违法违规行为"),
    ("blacklist", "列入失信名单"),
    ("falsified", "弄虚作假"),
];

/// A rule-set id: 3–60 lowercase letters, digits or hyphens (the database checks the same).
pub fn valid_id(id: &str) -> bool {
    (3..=60).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What is wrong with a rule on its own, if anything.
fn rule_problem(rule: &Rule) -> Option<String> {
    match rule {
        Rule::AtLeast {
            fact,
            years: Some(y),
            ..
        } if !fact.is_trade() || !(1..=5).contains(y) => Some("只有贸易额可以按 1–5 年平均".into()),
        Rule::Ratio {
            fact,
            per,
            min_percent,
        } if fact == per || *min_percent > Fixed::from_int(100) => {
            Some("比例的分子分母应不同，比例不超过 100%".into())
        }
        Rule::OperatingYears { min } if *min == 0 || *min > 50 => {
            Some("运营年限应为 1–50 年".into())
        }
        Rule::AnyOf { alternatives } if alternatives.is_empty() => {
            Some("组合条件至少需要一个选项".into())
        }
        Rule::AnyOf { alternatives } => alternatives.iter().find_map(|a| rule_problem(&a.rule)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_validate_and_round_trip() {
        let all = builtin_templates();
        let ids: Vec<_> = all.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"]
        );
        for rules in &all {
            rules.validate().unwrap();
            let json = serde_json::to_string(rules).unwrap();
            let back: RuleSet = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, rules);
        }
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn wenzhou_rubric_totals_100() {
        let wz = builtin("wenzhou-2021").unwrap();
        assert_eq!(wz.max_total(), Fixed::from_int(100));
        assert_eq!(wz.criteria.len(), 9);
        assert_eq!(wz.vetoes.len(), 3);
        assert_eq!(wz.validity_years, Some(3));
        assert_eq!(wz.currency, Some(Currency::Usd));
    }

    #[test]
    fn check_ids_follow_domain_tables() {
        let ids = |id: &str| -> Vec<String> {
            builtin(id)
                .unwrap()
                .checks
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(
            ids("wenzhou-2021"),
            [
                "wz.plan",
                "wz.operator",
                "wz.area",
                "wz.service_center",
                "wz.events_self",
                "wz.events_joint",
                "wz.trade",
                "wz.cbec_count",
                "wz.operating_count",
                "wz.cbec_share",
                "wz.active_rate",
                "wz.reporting"
            ]
        );
        let zs = ids("zhongshan-2022");
        assert_eq!(zs.len(), 5 + 7 + 6);
        assert_eq!(zs[5], "zs.leading.age");
        assert_eq!(zs[12], "zs.growing.age");
        assert_eq!(ids("cbec-park-standard-2024").len(), 14);
    }

    #[test]
    fn pages_can_show_requirements_with_units() {
        let wz = builtin("wenzhou-2021").unwrap();
        let area = wz.checks.iter().find(|c| c.id == "wz.area").unwrap();
        assert_eq!(wz.requirement_text(area), "≥ 3000 m²");
        let share = wz.checks.iter().find(|c| c.id == "wz.cbec_share").unwrap();
        assert_eq!(wz.requirement_text(share), "≥ 50%");
    }

    #[test]
    fn a_stored_copy_with_a_dangling_tier_is_rejected() {
        let mut zs = builtin("zhongshan-2022").unwrap();
        zs.tiers.pop();
        assert!(zs.validate().unwrap_err().contains("growing"));
    }
}

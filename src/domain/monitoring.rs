//! Dynamic management after the award: reporting periods and their due dates, and the
//! re-evaluation of a park from its quarterly reports (温州 第八条–第九条; 中山 第十一条–第十五条).
//!
//! Choices where the regulations are silent (documented again where encoded):
//! - A park reports every quarter that ends after its award date; a county reports for as long
//!   as a park in its jurisdiction holds the title.
//! - Annual thresholds are tested on the year's reported quarters scaled to a year
//!   (`sum × 4 / quarters reported`), so a park is measured every quarter, not once a year.
//! - A threshold missed in one quarter puts the park `at_risk`; missed in two consecutive
//!   reported quarters, `non_compliant`. A veto found is `non_compliant` at once.
//! - Only checks the reports feed can fail here: a check with no figure (e.g. areas a
//!   provincial-list park never declared) is not a finding.
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::evaluate::{
    self, CbecType, Enterprise, Evaluation, Events, Input, Integer, Park, RosterCode, Status,
    TradeYear,
};
use crate::domain::ruleset::RuleSet;

/// What is reported, by whom, how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// A park operator's quarterly data (温州 第九条 via the county; 中山 第十四条).
    ParkQuarter,
    /// A county's quarterly park dynamics (温州 第九条).
    CountyQuarter,
    /// A county's half-year work report (温州 第九条).
    CountyHalf,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [
        ReportKind::ParkQuarter,
        ReportKind::CountyQuarter,
        ReportKind::CountyHalf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::ParkQuarter => "park_quarter",
            ReportKind::CountyQuarter => "county_quarter",
            ReportKind::CountyHalf => "county_half",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::ParkQuarter => "园区季度数据报告",
            ReportKind::CountyQuarter => "园区季度动态信息",
            ReportKind::CountyHalf => "半年度工作报告",
        }
    }

    fn periods_per_year(self) -> u8 {
        match self {
            ReportKind::CountyHalf => 2,
            _ => 4,
        }
    }
}

/// When reports fall due, per tenant: days after each quarter's (or half year's) end, and the
/// grace period a reminder gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueSettings {
    pub due_quarter: [u16; 4],
    pub due_half: u16,
    pub grace_days: u16,
}

impl Default for DueSettings {
    fn default() -> Self {
        DueSettings {
            due_quarter: [15, 15, 15, 20],
            due_half: 20,
            grace_days: 10,
        }
    }
}

/// A quarter (1–4) or a half year (1–2) of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    pub period: u8,
}

impl Period {
    /// The period a date falls in.
    pub fn containing(kind: ReportKind, date: NaiveDate) -> Period {
        let months = 12 / u32::from(kind.periods_per_year());
        Period {
            year: date.year(),
            period: ((date.month0() / months) + 1) as u8,
        }
    }

    pub fn last_day(self, kind: ReportKind) -> NaiveDate {
        let months = 12 / u32::from(kind.periods_per_year());
        let next = self.next(kind);
        let first_of_next =
            NaiveDate::from_ymd_opt(next.year, (u32::from(next.period) - 1) * months + 1, 1)
                .unwrap_or(NaiveDate::MAX);
        first_of_next.pred_opt().unwrap_or(first_of_next)
    }

    pub fn next(self, kind: ReportKind) -> Period {
        if self.period >= kind.periods_per_year() {
            Period {
                year: self.year + 1,
                period: 1,
            }
        } else {
            Period {
                year: self.year,
                period: self.period + 1,
            }
        }
    }

    pub fn previous(self, kind: ReportKind) -> Period {
        if self.period <= 1 {
            Period {
                year: self.year - 1,
                period: kind.periods_per_year(),
            }
        } else {
            Period {
                year: self.year,
                period: self.period - 1,
            }
        }
    }

    /// "2026年第3季度" or "2026年上半年".
    pub fn label(self, kind: ReportKind) -> String {
        match kind {
            ReportKind::CountyHalf => format!(
                "{}年{}",
                self.year,
                if self.period == 1 {
                    "上半年"
                } else {
                    "下半年"
                }
            ),
            _ => format!("{}年第{}季度", self.year, self.period),
        }
    }

    pub fn is_valid(self, kind: ReportKind) -> bool {
        (2000..=2100).contains(&self.year) && (1..=kind.periods_per_year()).contains(&self.period)
    }
}

impl DueSettings {
    pub fn due_date(&self, kind: ReportKind, period: Period) -> NaiveDate {
        let days = match kind {
            ReportKind::CountyHalf => self.due_half,
            _ => self.due_quarter[usize::from(period.period.clamp(1, 4)) - 1],
        };
        period.last_day(kind) + Duration::days(i64::from(days))
    }

    /// Every period that ended after `since` and is due by `today` (those a report is owed
    /// for), oldest first, and the next one falling due after `today`.
    pub fn owed(
        &self,
        kind: ReportKind,
        since: NaiveDate,
        today: NaiveDate,
    ) -> (Vec<Period>, Period) {
        let mut period = Period::containing(kind, since);
        if period.last_day(kind) <= since {
            period = period.next(kind);
        }
        let mut owed = Vec::new();
        while self.due_date(kind, period) <= today {
            owed.push(period);
            period = period.next(kind);
        }
        (owed, period)
    }
}

/// What a rule set says about supervision after the award. The rule-set JSON has no fields for
/// these yet, so the template id decides (a tenant's copy keeps its template's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SupervisionRules {
    /// Counties report quarterly dynamics and a half-year work report (温州 第九条).
    pub county_reports: bool,
    /// A report still missing after a reminder and its grace period is a ground for revocation
    /// (中山 第十五条).
    pub unreported_revokes: bool,
}

impl SupervisionRules {
    pub fn for_rule_set(rules: &RuleSet) -> Self {
        SupervisionRules {
            county_reports: rules.id == "wenzhou-2021",
            unreported_revokes: rules.id == "zhongshan-2022",
        }
    }
}

/// A ground on which the bureau revokes a title, with its article and consequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationGround {
    pub key: &'static str,
    pub label: &'static str,
    pub article: &'static str,
    /// Years the operator (by USCC) may not apply again (中山 第十二条: 三年内不得重新申报).
    pub bar_years: Option<u32>,
    /// Funds obtained are recorded for recovery (中山 第十三条).
    pub recovers_funds: bool,
}

const fn ground(
    key: &'static str,
    label: &'static str,
    article: &'static str,
    bar_years: Option<u32>,
    recovers_funds: bool,
) -> RevocationGround {
    RevocationGround {
        key,
        label,
        article,
        bar_years,
        recovers_funds,
    }
}

const WENZHOU_GROUNDS: &[RevocationGround] = &[
    ground(
        "violation",
        "运营主体发生违法行为",
        "温州 第八条、附件4 一票否决及摘牌",
        None,
        false,
    ),
    ground(
        "blacklist",
        "运营主体被列入失信黑名单",
        "温州 第八条、附件4 一票否决及摘牌",
        None,
        false,
    ),
];

const ZHONGSHAN_GROUNDS: &[RevocationGround] = &[
    ground(
        "falsified",
        "提供虚假材料骗取认定称号",
        "中山 第十二条",
        Some(3),
        false,
    ),
    ground(
        "violation",
        "违反国家法律法规并受处罚",
        "中山 第十二条",
        Some(3),
        false,
    ),
    ground(
        "falsified_funds",
        "提供虚假材料骗取财政资金支持",
        "中山 第十三条",
        None,
        true,
    ),
    ground(
        "accident",
        "发生特、重大安全生产事故或严重违法违规",
        "中山 第十五条",
        None,
        false,
    ),
    ground(
        "unreported",
        "数据逾期不报且经督促整改后仍不上报",
        "中山 第十五条",
        None,
        false,
    ),
];

/// The grounds a rule set names; a rule set without its own list uses Wenzhou's, the general
/// ones (an illegal act, a credit blacklist).
pub fn revocation_grounds(rules: &RuleSet) -> &'static [RevocationGround] {
    match rules.id.as_str() {
        "zhongshan-2022" => ZHONGSHAN_GROUNDS,
        _ => WENZHOU_GROUNDS,
    }
}

/// A park's quarterly data report, as filed. Money in the rule set's currency (Wenzhou USD,
/// Zhongshan yuan), whole units.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParkReport {
    /// The quarter's CBEC import/export.
    pub trade: u64,
    /// The quarter's CBEC transactions (Zhongshan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<u64>,
    /// Every enterprise resident at the quarter's end.
    pub enterprises: u64,
    /// CBEC enterprises by type: operating, platform, payment, logistics/supply chain, other.
    pub cbec: [u64; 5],
    /// CBEC enterprises registered on the pilot zone's platform (中山: 备案).
    pub registered: u64,
    /// Registered enterprises that did business in the quarter.
    pub active: u64,
    pub events_self: u64,
    pub events_joint: u64,
    /// Changes of note (new entrants, leavers, incidents), free text.
    #[serde(default)]
    pub changes: String,
}

impl ParkReport {
    pub fn cbec_total(&self) -> u64 {
        self.cbec.iter().sum()
    }

    /// The counts that cannot all be true at once, as (field, message).
    pub fn inconsistencies(&self) -> Vec<(&'static str, &'static str)> {
        let mut found = Vec::new();
        if self.cbec_total() > self.enterprises {
            found.push(("enterprises", "入驻企业总数不能少于各类跨境电商企业之和"));
        }
        if self.registered > self.cbec_total() {
            found.push(("registered", "备案企业数不能多于跨境电商企业数"));
        }
        if self.active > self.registered {
            found.push(("active", "活跃企业数不能多于备案企业数"));
        }
        found
    }

    /// Roster rows standing in for the counts, so that the engine's roster checks (count,
    /// share, active rate) read the report exactly as they read a roster. Registration goes to
    /// operating enterprises first and activity to registered ones (the counts do not say
    /// which; this is the reading most favourable to the park, as an official would read it).
    fn as_roster(&self) -> Vec<Enterprise> {
        const TYPES: [CbecType; 5] = [
            CbecType::Operating,
            CbecType::Platform,
            CbecType::Payment,
            CbecType::Logistics,
            CbecType::Other,
        ];
        let mut rows = Vec::new();
        let mut registered = self.registered;
        let mut active = self.active;
        for (kind, &count) in TYPES.iter().zip(&self.cbec) {
            for _ in 0..count.min(100_000) {
                let is_registered = registered > 0;
                registered = registered.saturating_sub(1);
                let is_active = is_registered && active > 0;
                if is_active {
                    active -= 1;
                }
                rows.push(row(Some(*kind), is_registered, is_active));
            }
        }
        let others = self
            .enterprises
            .saturating_sub(self.cbec_total())
            .min(100_000);
        rows.extend((0..others).map(|_| row(None, false, false)));
        rows
    }
}

fn row(kind: Option<CbecType>, registered: bool, active: bool) -> Enterprise {
    Enterprise {
        name: None,
        uscc: Some(RosterCode::new("")),
        cbec_type: kind,
        platform_registered: Some(registered),
        active: Some(active),
        address_in_park: Some(true),
        import_export: None,
    }
}

/// A park's standing after a re-evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitoringStatus {
    Compliant,
    AtRisk,
    NonCompliant,
}

impl MonitoringStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitoringStatus::Compliant => "compliant",
            MonitoringStatus::AtRisk => "at_risk",
            MonitoringStatus::NonCompliant => "non_compliant",
        }
    }

    pub fn parse(s: &str) -> Option<MonitoringStatus> {
        [
            MonitoringStatus::Compliant,
            MonitoringStatus::AtRisk,
            MonitoringStatus::NonCompliant,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MonitoringStatus::Compliant => "达标",
            MonitoringStatus::AtRisk => "预警",
            MonitoringStatus::NonCompliant => "不达标",
        }
    }
}

/// A threshold the park misses, with the article it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub article: String,
    pub description: String,
    pub required: String,
    pub actual: String,
}

/// The key figures of a quarter, for the dashboard's trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Indicators {
    /// The year's trade so far, scaled to a year.
    pub trade_annual: u64,
    pub cbec: u64,
    /// CBEC share of all enterprises, in tenths of a percent.
    pub share_permille: Option<u64>,
    /// Active share of registered enterprises, in tenths of a percent.
    pub active_permille: Option<u64>,
}

/// The outcome of re-evaluating a park for one quarter.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: MonitoringStatus,
    pub findings: Vec<Finding>,
    pub indicators: Indicators,
    pub evaluation: Evaluation,
}

/// Re-evaluates a park for `quarter` against the rule set it was awarded under. `baseline` is
/// the engine input it was awarded on (its frozen application, or for a provincial-list park an
/// input naming only its tier); `reports` are its accepted quarterly reports including this
/// quarter's; `previous` is the status of the quarter before, if it was evaluated.
pub fn monitor(
    rules: &RuleSet,
    baseline: &Input,
    quarter: Period,
    reports: &[(Period, ParkReport)],
    previous: Option<MonitoringStatus>,
) -> Outcome {
    let input = monitoring_input(baseline, quarter, reports);
    let evaluation = evaluate::evaluate(rules, &input);
    let findings = findings(rules, &evaluation, input.tier.as_deref());
    let status = classify(evaluation.vetoed, &findings, previous);
    let current = reports.iter().find(|(p, _)| *p == quarter).map(|(_, r)| r);
    Outcome {
        status,
        indicators: indicators(
            current,
            annualised(reports, quarter.year, |r| Some(r.trade)),
        ),
        findings,
        evaluation,
    }
}

/// See the module documentation: one quarter missed is a warning, two in a row a failure.
pub fn classify(
    vetoed: bool,
    findings: &[Finding],
    previous: Option<MonitoringStatus>,
) -> MonitoringStatus {
    if vetoed {
        MonitoringStatus::NonCompliant
    } else if findings.is_empty() {
        MonitoringStatus::Compliant
    } else if matches!(
        previous,
        Some(MonitoringStatus::AtRisk | MonitoringStatus::NonCompliant)
    ) {
        MonitoringStatus::NonCompliant
    } else {
        MonitoringStatus::AtRisk
    }
}

/// The bar on reapplying (中山 第十二条: 三年内不得重新申报) in words, from its last barred day:
/// one wording on every page, naming both the last day barred and the first day allowed.
pub fn bar_words(last_barred_day: NaiveDate) -> String {
    let label = |d: NaiveDate| d.format("%Y年%-m月%-d日").to_string();
    let first_allowed = last_barred_day.succ_opt().unwrap_or(last_barred_day);
    format!(
        "至 {} 不得重新申报，{} 起可重新申报",
        label(last_barred_day),
        label(first_allowed)
    )
}

/// The failed checks that have a figure behind them, with their descriptions. A park awarded a
/// tier is judged on its tier's checks and the basic ones only: a Zhongshan 成长型 park against
/// 第六条, never 第五条 (DOMAIN §3).
pub fn findings(rules: &RuleSet, evaluation: &Evaluation, tier: Option<&str>) -> Vec<Finding> {
    evaluation
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .filter_map(|c| {
            let actual = c.actual.clone()?;
            let rule = rules.checks.iter().find(|r| r.id == c.id);
            let other_tier = rule
                .and_then(|r| r.tier.as_deref())
                .is_some_and(|own| tier.is_some_and(|t| t != own));
            if other_tier {
                return None;
            }
            let description = rule.map(|r| r.description.clone()).unwrap_or_default();
            Some(Finding {
                id: c.id.clone(),
                article: c.article.clone(),
                description,
                required: c.required.clone(),
                actual,
            })
        })
        .collect()
}

/// The baseline with the reports' figures in place of the application's.
pub fn monitoring_input(
    baseline: &Input,
    quarter: Period,
    reports: &[(Period, ParkReport)],
) -> Input {
    let mut input = baseline.clone();
    input.reference_year = Some(quarter.year);
    input.applied_on = quarter.last_day(ReportKind::ParkQuarter);
    input.expert_scores = None;
    let park = input.park.get_or_insert_with(Park::default);
    park.declared = None;
    park.provincial_listed = None;
    let trade = park.trade.get_or_insert_with(Vec::new);
    let mut years: Vec<i32> = reports.iter().map(|(p, _)| p.year).collect();
    years.sort_unstable();
    years.dedup();
    for year in years.into_iter().filter(|y| *y <= quarter.year) {
        let import_export = annualised(reports, year, |r| Some(r.trade));
        let transactions = annualised(reports, year, |r| r.transactions);
        trade.retain(|t| t.year != year);
        trade.push(TradeYear {
            year,
            currency: None,
            import_export: import_export.map(Integer),
            transactions: transactions.map(Integer),
        });
    }
    let events = park.events.get_or_insert_with(Events::default);
    events.self_organized = annualised(reports, quarter.year, |r| Some(r.events_self)).map(Integer);
    events.joint = annualised(reports, quarter.year, |r| Some(r.events_joint)).map(Integer);
    if let Some((_, current)) = reports.iter().find(|(p, _)| *p == quarter) {
        input.enterprises = Some(current.as_roster());
    }
    input
}

/// A year's reported quarters (up to four) scaled to a year, rounded half up; None when no
/// quarter of the year gives the figure.
pub fn annualised(
    reports: &[(Period, ParkReport)],
    year: i32,
    figure: impl Fn(&ParkReport) -> Option<u64>,
) -> Option<u64> {
    let values: Vec<u64> = reports
        .iter()
        .filter(|(p, _)| p.year == year)
        .filter_map(|(_, r)| figure(r))
        .take(4)
        .collect();
    if values.is_empty() {
        return None;
    }
    let n = values.len() as u128;
    let sum: u128 = values.iter().map(|v| u128::from(*v)).sum();
    u64::try_from((sum * 4 + n / 2) / n).ok()
}

fn indicators(current: Option<&ParkReport>, trade_annual: Option<u64>) -> Indicators {
    let Some(r) = current else {
        return Indicators::default();
    };
    let permille = |part: u64, whole: u64| {
        (whole > 0).then(|| (u128::from(part) * 1000 / u128::from(whole)) as u64)
    };
    Indicators {
        trade_annual: trade_annual.unwrap_or(0),
        cbec: r.cbec_total(),
        share_permille: permille(r.cbec_total(), r.enterprises),
        active_permille: permille(r.active, r.registered),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ruleset::RuleSet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wenzhou() -> RuleSet {
        crate::domain::ruleset::builtin("wenzhou-2021").unwrap()
    }

    fn baseline() -> Input {
        serde_json::from_value(serde_json::json!({
            "rules": "wenzhou-2021",
            "applied_on": "2025-03-01",
            "park": {
                "operating_since": "2020-01-01",
                "area": { "cbec_use": 5000 },
                "service_center": true,
                "events": { "self_organized": 12, "joint": 3 },
                "trade": [{ "year": 2024, "import_export": 50000000 }]
            }
        }))
        .unwrap()
    }

    fn good() -> ParkReport {
        ParkReport {
            trade: 12_000_000,
            transactions: None,
            enterprises: 60,
            cbec: [20, 5, 2, 3, 5],
            registered: 30,
            active: 20,
            events_self: 3,
            events_joint: 1,
            changes: String::new(),
        }
    }

    const Q3: Period = Period {
        year: 2026,
        period: 3,
    };

    #[test]
    fn quarters_end_on_the_right_day_and_fall_due_days_later() {
        let s = DueSettings::default();
        let q4 = Period {
            year: 2026,
            period: 4,
        };
        assert_eq!(q4.last_day(ReportKind::ParkQuarter), d("2026-12-31"));
        assert_eq!(s.due_date(ReportKind::ParkQuarter, q4), d("2027-01-20"));
        assert_eq!(s.due_date(ReportKind::ParkQuarter, Q3), d("2026-10-15"));
        let h1 = Period {
            year: 2026,
            period: 1,
        };
        assert_eq!(h1.last_day(ReportKind::CountyHalf), d("2026-06-30"));
        assert_eq!(h1.label(ReportKind::CountyHalf), "2026年上半年");
        assert_eq!(Q3.label(ReportKind::ParkQuarter), "2026年第3季度");
    }

    #[test]
    fn a_park_owes_every_quarter_ending_after_its_award_that_is_due() {
        let s = DueSettings::default();
        let (owed, next) = s.owed(ReportKind::ParkQuarter, d("2026-03-31"), d("2026-11-23"));
        // Awarded on the last day of Q1: Q1 is not owed; Q2 (due 07-15) and Q3 (due 10-15) are.
        assert_eq!(
            owed,
            vec![
                Period {
                    year: 2026,
                    period: 2
                },
                Q3
            ]
        );
        assert_eq!(
            next,
            Period {
                year: 2026,
                period: 4
            }
        );
    }

    #[test]
    fn annual_figures_are_the_years_quarters_scaled_to_a_year() {
        let q = |p, trade| {
            (
                Period {
                    year: 2026,
                    period: p,
                },
                ParkReport {
                    trade,
                    ..ParkReport::default()
                },
            )
        };
        let reports = [q(1, 10), q(2, 11)];
        assert_eq!(annualised(&reports, 2026, |r| Some(r.trade)), Some(42));
        assert_eq!(annualised(&reports, 2025, |r| Some(r.trade)), None);
    }

    /// A Zhongshan park awarded `tier`, reporting a quarter that meets 第六条 (成长型) but not
    /// 第五条 (引领型).
    fn zhongshan_growing_quarter(tier: &str) -> Outcome {
        let rules = crate::domain::ruleset::builtin("zhongshan-2022").unwrap();
        let baseline: Input = serde_json::from_value(serde_json::json!({
            "rules": "zhongshan-2022",
            "applied_on": "2025-03-01",
            "tier": tier,
            "park": { "operating_since": "2021-01-01", "area": { "building": 12000 } }
        }))
        .unwrap();
        let quarter = ParkReport {
            trade: 50_000_000,
            transactions: Some(300_000_000),
            enterprises: 40,
            cbec: [6, 2, 1, 1, 2],
            registered: 6,
            active: 5,
            ..ParkReport::default()
        };
        monitor(&rules, &baseline, Q3, &[(Q3, quarter)], None)
    }

    #[test]
    fn a_growing_park_is_monitored_on_the_growing_tier_only() {
        let growing = zhongshan_growing_quarter("growing");
        assert_eq!(growing.findings, vec![], "{:?}", growing.evaluation.checks);
        assert_eq!(growing.status, MonitoringStatus::Compliant);
        let leading = zhongshan_growing_quarter("leading");
        assert!(!leading.findings.is_empty());
        assert!(
            leading
                .findings
                .iter()
                .all(|f| f.id.starts_with("zs.leading.")),
            "{:?}",
            leading.findings
        );
        assert_eq!(leading.status, MonitoringStatus::AtRisk);
    }

    #[test]
    fn a_park_meeting_every_threshold_is_compliant() {
        let out = monitor(&wenzhou(), &baseline(), Q3, &[(Q3, good())], None);
        assert_eq!(out.findings, vec![], "{:?}", out.evaluation.checks);
        assert_eq!(out.status, MonitoringStatus::Compliant);
        assert_eq!(out.indicators.trade_annual, 48_000_000);
        assert_eq!(out.indicators.share_permille, Some(583));
        assert_eq!(out.indicators.active_permille, Some(666));
    }

    #[test]
    fn one_missed_quarter_is_a_warning_and_two_in_a_row_a_failure() {
        let low = ParkReport {
            trade: 5_000_000,
            ..good()
        };
        let out = monitor(&wenzhou(), &baseline(), Q3, &[(Q3, low.clone())], None);
        assert_eq!(out.status, MonitoringStatus::AtRisk);
        let ids: Vec<&str> = out.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["wz.trade"]);
        assert_eq!(out.findings[0].article, "第四条（四）");
        let again = monitor(
            &wenzhou(),
            &baseline(),
            Q3,
            &[(Q3, low)],
            Some(MonitoringStatus::AtRisk),
        );
        assert_eq!(again.status, MonitoringStatus::NonCompliant);
    }

    #[test]
    fn the_reported_counts_feed_the_share_and_active_rate_checks() {
        let thin = ParkReport {
            enterprises: 100,
            active: 5,
            ..good()
        };
        let out = monitor(&wenzhou(), &baseline(), Q3, &[(Q3, thin)], None);
        let ids: Vec<&str> = out.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["wz.cbec_share", "wz.active_rate"]);
    }

    #[test]
    fn inconsistent_counts_are_named_by_field() {
        let bad = ParkReport {
            enterprises: 10,
            registered: 40,
            active: 50,
            ..good()
        };
        let fields: Vec<&str> = bad.inconsistencies().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["enterprises", "registered", "active"]);
    }
}

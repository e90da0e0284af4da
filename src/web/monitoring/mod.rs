//! Dynamic management after the award (issue 7): periodic reports, the engine's monitoring of
//! awarded parks, re-review, rectification, delisting, revocation and expiry.
pub mod bureau;
pub mod county;
pub mod operator;

use crate::db::monitoring::{MonitoringRow, Report};
use crate::db::rulesets;
use crate::domain::monitoring::{self as domain, MonitoringStatus, ParkReport, SupervisionRules};
use crate::domain::numbers::group_numbers;
use crate::domain::ruleset::RuleSet;
use crate::domain::workflow::{ReportAction, WorkflowRules};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::FieldErrors;

/// The city's own texts for pages that concern the tenant rather than one park: those of its
/// most recently adopted rule set that has them.
pub async fn tenant_texts(
    state: &AppState,
    tenant_id: i64,
) -> AppResult<crate::domain::ruleset::CityTexts> {
    let mut versions = rulesets::list(&state.db, tenant_id).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.id));
    for v in versions {
        let rules = rules_for_version(state, tenant_id, v.id).await?;
        if rules.texts != Default::default() {
            return Ok(rules.texts);
        }
    }
    Ok(Default::default())
}

/// Whether the tenant's current rule set has scored criteria (else experts give opinions).
pub async fn tenant_scores(state: &AppState, tenant_id: i64) -> AppResult<bool> {
    let mut versions = rulesets::list(&state.db, tenant_id).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.id));
    match versions.first() {
        Some(v) => Ok(!rules_for_version(state, tenant_id, v.id)
            .await?
            .criteria
            .is_empty()),
        None => Ok(true),
    }
}

pub use crate::db::rulesets::RuleSets;
pub use crate::service::monitoring::{accept_report, baseline, rules_for_version, rules_of};

/// The unit money is reported in under a rule set (Wenzhou USD, Zhongshan yuan).
pub fn currency_label(rules: &RuleSet) -> &'static str {
    rules.currency.map(|c| c.label()).unwrap_or("元")
}

pub use crate::service::monitoring::{Owed, owed};

/// The decisions a reviewer may take on a report now, as (form value, label): whatever the
/// report machine allows the role, so a page never offers what would be refused.
pub fn decisions(
    report: &Report,
    role: crate::domain::role::Role,
) -> Vec<(&'static str, &'static str)> {
    use crate::domain::role::Role;
    use crate::domain::workflow::{Actor, ReportState, allowed_report_actions};
    let Ok(state) = report.state.parse::<ReportState>() else {
        return Vec::new();
    };
    allowed_report_actions(state, Actor::User(role), &report.route())
        .into_iter()
        .filter_map(|action| match (action, role) {
            (ReportAction::CountyPass, _) => Some(("pass", "审核通过，报市商务局")),
            (ReportAction::Accept, _) => Some(("accept", "采纳（并重新评估园区）")),
            (ReportAction::Return, Role::County) => Some(("return", "退回园区修改")),
            (ReportAction::Return, _) => Some(("return", "退回修改")),
            (ReportAction::Resubmit, _) => None,
        })
        .collect()
}

/// Parses a park report form; every problem is a message next to its field.
pub fn parse_park_report(
    form: &std::collections::BTreeMap<String, String>,
    with_transactions: bool,
    errors: &mut FieldErrors,
) -> ParkReport {
    let mut number = |name: &str, required: bool| -> u64 {
        let raw = form.get(name).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if required {
                errors.add(name, "请填写（没有请填 0）。");
            }
            return 0;
        }
        match raw.replace([',', '，'], "").parse::<u64>() {
            Ok(n) if n <= 1_000_000_000_000_000 => n,
            _ => {
                errors.add(name, "请填写不小于 0 的整数。");
                0
            }
        }
    };
    let report = ParkReport {
        trade: number("trade", true),
        transactions: with_transactions.then(|| number("transactions", true)),
        enterprises: number("enterprises", true),
        cbec: [
            number("cbec_operating", true),
            number("cbec_platform", true),
            number("cbec_payment", true),
            number("cbec_logistics", true),
            number("cbec_other", true),
        ],
        registered: number("registered", true),
        active: number("active", true),
        events_self: number("events_self", true),
        events_joint: number("events_joint", true),
        changes: form.get("changes").cloned().unwrap_or_default(),
    };
    if report.changes.chars().count() > 5000 {
        errors.add("changes", "不超过 5000 字。");
    }
    if errors.is_empty() {
        for (field, message) in report.inconsistencies() {
            errors.add(field, message);
        }
    }
    report
}

/// The workflow and supervision rules of a park's rule set.
pub fn park_rules(rules: &RuleSet) -> (WorkflowRules, SupervisionRules) {
    (
        WorkflowRules::for_rule_set(rules),
        SupervisionRules::for_rule_set(rules),
    )
}

pub use crate::db::titles::note as note_title;

/// One park's trend in the four key indicators, oldest quarter first.
pub struct Trend {
    pub quarters: Vec<String>,
    pub trade: Vec<Option<u64>>,
    pub cbec: Vec<Option<u64>>,
    pub share: Vec<Option<u64>>,
    pub active: Vec<Option<u64>>,
    pub latest: Option<MonitoringRow>,
}

impl Trend {
    pub fn of(rows: &[&MonitoringRow]) -> Trend {
        let ind = |r: &MonitoringRow| {
            serde_json::from_value::<domain::Indicators>(r.indicators.0.clone()).unwrap_or_default()
        };
        Trend {
            quarters: rows
                .iter()
                .map(|r| format!("{}Q{}", r.year, r.quarter))
                .collect(),
            trade: rows.iter().map(|r| Some(ind(r).trade_annual)).collect(),
            cbec: rows.iter().map(|r| Some(ind(r).cbec)).collect(),
            share: rows.iter().map(|r| ind(r).share_permille).collect(),
            active: rows.iter().map(|r| ind(r).active_permille).collect(),
            latest: rows.last().map(|r| (*r).clone()),
        }
    }

    /// The latest figures as shown under the charts: trade, CBEC enterprises, share, activity.
    pub fn latest_figures(&self) -> [String; 4] {
        let last = |v: &[Option<u64>]| v.last().copied().flatten();
        [
            last(&self.trade).map(amount).unwrap_or_else(|| "—".into()),
            last(&self.cbec)
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into()),
            permille(&last(&self.share)),
            permille(&last(&self.active)),
        ]
    }

    pub fn status_label(&self) -> &'static str {
        self.latest
            .as_ref()
            .and_then(|r| MonitoringStatus::parse(&r.status))
            .map(|s| s.label())
            .unwrap_or("尚无报告")
    }

    pub fn status_class(&self) -> &str {
        self.latest
            .as_ref()
            .map(|r| r.status.as_str())
            .unwrap_or("none")
    }
}

/// An inline SVG polyline's points for a small trend chart (100 × 24), scaled to the series'
/// own range; a gap where a quarter has no figure.
pub fn sparkline(values: &[Option<u64>]) -> String {
    let present: Vec<u64> = values.iter().flatten().copied().collect();
    let (Some(&min), Some(&max)) = (present.iter().min(), present.iter().max()) else {
        return String::new();
    };
    let span = (max - min).max(1) as f64;
    let step = if values.len() > 1 {
        100.0 / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.map(|v| {
                let y = 22.0 - ((v - min) as f64 / span) * 20.0;
                format!("{:.1},{:.1}", i as f64 * step, y)
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A count or amount as templates hand it over (by value or by reference).
pub trait Whole {
    fn whole(&self) -> u64;
}

impl Whole for u64 {
    fn whole(&self) -> u64 {
        *self
    }
}

impl<T: Whole + ?Sized> Whole for &T {
    fn whole(&self) -> u64 {
        (**self).whole()
    }
}

/// Tenths of a percent as "58.3%".
pub fn permille(v: &Option<u64>) -> String {
    v.map(|v| format!("{}.{}%", v / 10, v % 10))
        .unwrap_or_else(|| "—".into())
}

/// A whole amount with thousands separators.
pub fn amount(v: impl Whole) -> String {
    crate::domain::numbers::grouped(v.whole())
}

/// The monitoring findings stored with a result, for display.
pub fn findings_of(value: &serde_json::Value) -> Vec<domain::Finding> {
    let findings: Vec<domain::Finding> = serde_json::from_value(value.clone()).unwrap_or_default();
    findings
        .into_iter()
        .map(|f| domain::Finding {
            required: group_numbers(&f.required),
            actual: group_numbers(&f.actual),
            ..f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_spans_the_box_and_skips_missing_quarters() {
        assert_eq!(sparkline(&[Some(1), None, Some(3)]), "0.0,22.0 100.0,2.0");
        assert_eq!(sparkline(&[None]), "");
    }

    #[test]
    fn amounts_and_shares_read_as_an_official_would_write_them() {
        assert_eq!(amount(48_000_000), "48,000,000");
        assert_eq!(amount(999), "999");
        assert_eq!(permille(&Some(583)), "58.3%");
        assert_eq!(permille(&None), "—");
    }
}

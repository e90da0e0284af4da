//! Applications in every role's eyes: the operator drafts and submits, the county pre-reviews
//! and recommends, the bureau accepts into review. What they share lives here: loading an
//! application with its call and frozen rule set, the engine's checks as rows for a page, and
//! the view of a frozen version.
pub mod batches;
pub mod operator;
pub mod print;
pub mod review;
pub mod roster;

use crate::db::applications::{self, Version};
use crate::domain::application_form;
use crate::domain::evaluate::{CheckResult, Evaluation, Status};
use crate::domain::numbers::group_numbers;
use crate::domain::roster::RosterRow;
use crate::domain::ruleset::RuleSet;

pub use crate::domain::vocabulary::{application_state_label as state_label, verdict_label};
pub use crate::service::applications::{
    Loaded, evaluate_form, input_for, load, reference_year, require_draft, roster_of, shanghai_day,
    year_of,
};

/// One line of the self-check or review table.
pub struct CheckRow {
    pub id: String,
    pub article: String,
    pub description: String,
    pub tier: String,
    pub required: String,
    pub actual: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

/// The engine's checks as page rows. The checks of a tier other than the one applied for are
/// information, not failures (an application for 成长型 does not fail 引领型's thresholds).
pub fn check_rows(
    rules: &RuleSet,
    evaluation: &Evaluation,
    applied_tier: Option<&str>,
) -> Vec<CheckRow> {
    evaluation
        .checks
        .iter()
        .map(|c: &CheckResult| {
            let def = rules.checks.iter().find(|d| d.id == c.id);
            let tier = def
                .and_then(|d| d.tier.as_ref())
                .and_then(|t| rules.tiers.iter().find(|x| &x.id == t))
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let other_tier = def
                .and_then(|d| d.tier.as_deref())
                .is_some_and(|own| applied_tier.is_some_and(|t| !t.is_empty() && t != own));
            let (status, status_label) = match c.status {
                _ if other_tier => ("info", "未申报该类型，仅供参考"),
                Status::Pass => ("pass", "符合"),
                Status::Fail => ("fail", "不符合"),
                Status::Manual => ("manual", "待人工确认"),
                Status::Na => ("na", "不适用"),
            };
            CheckRow {
                id: c.id.clone(),
                article: c.article.clone(),
                description: def.map(|d| d.description.clone()).unwrap_or_default(),
                tier,
                required: group_numbers(
                    &def.map(|d| rules.requirement_text(d))
                        .unwrap_or_else(|| c.required.clone()),
                ),
                actual: match (&c.actual, c.status) {
                    (Some(a), _) => group_numbers(a),
                    (None, Status::Manual) => "—".into(),
                    (None, _) => "未填写".into(),
                },
                status,
                status_label,
            }
        })
        .collect()
}

/// A frozen version, ready for a page.
pub struct VersionView {
    pub number: i32,
    pub park_name: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub sections: Vec<(String, Vec<(String, String)>)>,
    pub roster: Vec<RosterRow>,
    pub documents: Vec<applications::FrozenDocument>,
    pub checks: Vec<CheckRow>,
    pub warnings: Vec<String>,
    pub verdict: &'static str,
    pub tier: Option<String>,
    /// The roster's column titles in the city's words.
    pub roster_titles: Vec<String>,
}

/// The roster's column titles as the rule set names them (镇街, its own registration).
pub fn roster_titles(rules: &crate::domain::ruleset::RuleSet) -> Vec<String> {
    use crate::domain::roster::Column;
    Column::ALL
        .iter()
        .map(|c| {
            let own = match c {
                Column::County => &rules.texts.county_column,
                Column::PlatformRegistered => &rules.texts.registration_column,
                _ => return c.title().to_string(),
            };
            if own.is_empty() {
                c.title().to_string()
            } else {
                own.clone()
            }
        })
        .collect()
}

pub fn version_view(loaded: &Loaded, v: &Version) -> VersionView {
    let sections = loaded
        .spec
        .sections
        .iter()
        .map(|s| {
            let rows = s
                .fields
                .iter()
                .map(|f| {
                    let value = v.form.0.get(&f.key).map(String::as_str).unwrap_or("");
                    (f.label.clone(), application_form::display(f, value))
                })
                .collect();
            (s.title.to_string(), rows)
        })
        .collect();
    let evaluation: Option<Evaluation> = serde_json::from_value(v.evaluation.0.clone()).ok();
    VersionView {
        number: v.number,
        park_name: v.park_name.clone(),
        submitted_by: v.submitted_by_name.clone(),
        submitted_at: super::calls::shanghai_minute(v.submitted_at),
        sections,
        roster: roster_of(&v.roster.0),
        documents: v.documents.0.clone(),
        checks: evaluation
            .as_ref()
            .map(|e| check_rows(&loaded.rules, e, v.form.0.get("tier").map(String::as_str)))
            .unwrap_or_default(),
        warnings: evaluation
            .as_ref()
            .map(|e| e.warnings.iter().map(|w| w.message.clone()).collect())
            .unwrap_or_default(),
        verdict: evaluation.as_ref().map(verdict_label).unwrap_or(""),
        roster_titles: roster_titles(&loaded.rules),
        tier: evaluation.and_then(|e| e.tier).and_then(|t| {
            loaded
                .rules
                .tiers
                .iter()
                .find(|x| x.id == t)
                .map(|x| x.name.clone())
        }),
    }
}

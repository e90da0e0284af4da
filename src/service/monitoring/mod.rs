//! Dynamic management as use-cases: what a park is monitored against and a park evaluated now
//! (here); the filing, review and acceptance of periodic reports with the engine's
//! re-evaluation, and reminders (`reports`); the bureau's due dates and zone targets
//! (`settings`); re-review and its result (`re_review`); rectification orders answered and
//! judged (`rectification`); and revocation (`revocation`).
mod re_review;
pub mod re_review_panel;
mod rectification;
mod reports;
mod revocation;
mod settings;

pub use re_review::{ReReviewDecision, apply_result, decide_re_review, open_re_review};
pub use rectification::{judge_rectification, respond_to_order};
pub use reports::{
    Owing, Reminding, ReportDecision, accept_report, check_fileable, decide_report,
    file_county_report, file_park_report, remind, tell_owed,
};
pub use revocation::{Revocation, Revoked, revoke};
pub use settings::{save_due_settings, save_zone_targets};

use crate::db::applications::Scope;
use crate::db::monitoring::{self, Report};
use crate::db::rulesets;
use crate::db::titles::Park;
use crate::domain::evaluate::Input;
use crate::domain::monitoring::{
    self as domain, DueSettings, MonitoringStatus, Period, ReportKind,
};
use crate::domain::ruleset::RuleSet;
use crate::error::{AppError, AppResult};
use crate::service::applications::{input_for, load, roster_of, shanghai_day};
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;

/// The rule set a park was awarded under.
pub async fn rules_of(state: &AppState, tenant_id: i64, park: &Park) -> AppResult<RuleSet> {
    rules_for_version(state, tenant_id, park.rule_set_version_id).await
}

pub async fn rules_for_version(
    state: &AppState,
    tenant_id: i64,
    version_id: i64,
) -> AppResult<RuleSet> {
    Ok(rulesets::of_version(&state.db, tenant_id, version_id).await?)
}

/// What the park was awarded on, as the engine's input: the last version of its application,
/// or for a provincial-list park only its tier (it declared nothing else). Either way the input
/// names the tier awarded (not the one applied for), which monitoring judges it on.
pub async fn baseline(
    state: &AppState,
    tenant_id: i64,
    park: &Park,
    rules: &RuleSet,
) -> AppResult<Input> {
    if let Some(app_id) = park.application_id {
        let loaded = load(state, tenant_id, Scope::Bureau, app_id).await?;
        let versions = crate::db::applications::versions(&state.db, tenant_id, app_id).await?;
        if let Some(v) = versions.last() {
            let mut input = input_for(
                &loaded,
                &v.form.0,
                &roster_of(&v.roster.0),
                shanghai_day(v.submitted_at),
                None,
            );
            if park.tier.is_some() {
                input.tier = park.tier.clone();
            }
            return Ok(input);
        }
    }
    serde_json::from_value(json!({
        "rules": rules.id,
        "applied_on": park.awarded_on.to_string(),
        "tier": park.tier,
    }))
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("a provincial baseline")))
}

/// Whether a county files its own reports: when a park it supervises holds a title awarded
/// under a rule set that asks for them (温州 第九条).
pub async fn files_own_reports(
    state: &AppState,
    tenant_id: i64,
    parks: &[Park],
) -> AppResult<bool> {
    let mut rule_sets = rulesets::RuleSets::default();
    for park in parks.iter().filter(|p| p.holds_title()) {
        let rules = rule_sets
            .get(&state.db, tenant_id, park.rule_set_version_id)
            .await?;
        if domain::SupervisionRules::for_rule_set(rules).county_reports {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The engine's view of a park now: its latest accepted quarter if it has reported, else what
/// it was awarded on.
pub async fn evaluate_now(
    state: &AppState,
    tenant_id: i64,
    park: &Park,
) -> AppResult<(MonitoringStatus, Vec<domain::Finding>)> {
    let rules = rules_of(state, tenant_id, park).await?;
    let base = baseline(state, tenant_id, park, &rules).await?;
    let mut conn = state.db.acquire().await?;
    let reports = monitoring::accepted_park_reports(&mut conn, tenant_id, park.award_id).await?;
    match reports.last() {
        Some((quarter, _)) => {
            // The quarter before counts as it did when it was accepted (one miss is a warning,
            // two in a row a failure).
            let previous = monitoring::status_before(&mut conn, tenant_id, park.award_id, *quarter)
                .await?
                .and_then(|s| MonitoringStatus::parse(&s));
            let out = domain::monitor(&rules, &base, *quarter, &reports, previous);
            Ok((out.status, out.findings))
        }
        None => {
            let evaluation = crate::domain::evaluate::evaluate(&rules, &base);
            let findings = domain::findings(&rules, &evaluation, base.tier.as_deref());
            Ok((
                domain::classify(evaluation.vetoed, &findings, None),
                findings,
            ))
        }
    }
}

/// One period a report is owed for, and where it stands.
pub struct Owed {
    pub kind: ReportKind,
    pub period: Period,
    pub label: String,
    pub due: NaiveDate,
    pub report: Option<Report>,
    pub overdue: bool,
    /// The period has ended, so its report can be filed.
    pub ended: bool,
}

impl Owed {
    pub fn status_label(&self) -> &'static str {
        match &self.report {
            Some(r) => r.state_label(),
            None if self.overdue => "逾期未报",
            None => "待报送",
        }
    }

    pub fn kind_str(&self) -> &'static str {
        self.kind.as_str()
    }
}

/// The periods a park (or a county) owes from `since` to `today`, with the reports filed for
/// them, newest first; plus the next period falling due.
pub fn owed(
    settings: &DueSettings,
    kind: ReportKind,
    since: NaiveDate,
    today: NaiveDate,
    filed: &[Report],
) -> (Vec<Owed>, Owed) {
    let (periods, next) = settings.owed(kind, since, today);
    let find = |p: Period| {
        filed
            .iter()
            .find(|r| r.kind() == kind && r.period() == p)
            .cloned()
    };
    let make = |p: Period| {
        let report = find(p);
        let due = settings.due_date(kind, p);
        Owed {
            kind,
            period: p,
            label: p.label(kind),
            due,
            overdue: due < today && report.as_ref().is_none_or(|r| !r.counts_as_filed()),
            ended: p.last_day(kind) < today,
            report,
        }
    };
    let mut list: Vec<Owed> = periods.into_iter().map(make).collect();
    list.reverse();
    (list, make(next))
}

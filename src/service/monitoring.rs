//! Dynamic management as use-cases: what a park is monitored against, the bureau's acceptance
//! of a report with the engine's re-evaluation (one transaction), a park evaluated now, and a
//! re-review's result applied to its title.
use crate::db::applications::Scope;
use crate::db::monitoring::{self, NewReportReview, NewResult, Report, Reports};
use crate::db::rulesets;
use crate::db::titles::{self, Park};
use crate::db::transition::{self, By};
use crate::domain::evaluate::Input;
use crate::domain::monitoring::{self as domain, MonitoringStatus};
use crate::domain::ruleset::RuleSet;
use crate::domain::workflow::{ApplicationAction, ReportAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::applications::{input_for, load, roster_of, shanghai_day};
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;
use sqlx::PgConnection;

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

/// The bureau's acceptance of a report; for a park's report the engine then re-evaluates the
/// park and records its monitoring status, in the same transaction.
pub async fn accept_report(
    state: &AppState,
    tenant_id: i64,
    report: &Report,
    by: &By,
    user_id: i64,
) -> AppResult<Option<MonitoringStatus>> {
    let mut tx = state.db.begin().await?;
    transition::apply_in::<Reports>(
        &mut tx,
        tenant_id,
        report.id,
        ReportAction::Accept,
        by,
        None,
        &report.route(),
    )
    .await?;
    monitoring::insert_review(
        &mut tx,
        tenant_id,
        &NewReportReview {
            report_id: report.id,
            version: report.version_count,
            stage: "bureau",
            decision: "accept",
            reason: "",
            user_id,
        },
    )
    .await?;
    let status = match report.award_id {
        Some(award_id) => {
            Some(evaluate_park(state, &mut tx, tenant_id, award_id, report, by).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(status)
}

async fn evaluate_park(
    state: &AppState,
    tx: &mut PgConnection,
    tenant_id: i64,
    award_id: i64,
    report: &Report,
    by: &By,
) -> AppResult<MonitoringStatus> {
    let park = titles::get(&state.db, tenant_id, titles::ParkScope::Bureau, award_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = rules_of(state, tenant_id, &park).await?;
    let base = baseline(state, tenant_id, &park, &rules).await?;
    let reports = monitoring::accepted_park_reports(tx, tenant_id, award_id).await?;
    let previous = monitoring::status_before(tx, tenant_id, award_id, report.period())
        .await?
        .and_then(|s| MonitoringStatus::parse(&s));
    let outcome = domain::monitor(&rules, &base, report.period(), &reports, previous);
    let findings = serde_json::to_value(&outcome.findings).unwrap_or_default();
    let indicators = serde_json::to_value(outcome.indicators).unwrap_or_default();
    monitoring::insert_result(
        tx,
        tenant_id,
        &NewResult {
            award_id,
            report_id: report.id,
            period: report.period(),
            status: outcome.status.as_str(),
            findings: &findings,
            indicators: &indicators,
        },
    )
    .await?;
    crate::db::audit::record(
        tx,
        crate::db::audit::Entry {
            tenant_id: Some(tenant_id),
            actor_user_id: by.user_id,
            object_kind: "monitoring",
            object_id: award_id.to_string(),
            action: "evaluate",
            before: previous.map(|p| json!({ "status": p.as_str() })),
            after: Some(json!({
                "status": outcome.status.as_str(),
                "period": report.period_label(),
                "findings": findings,
            })),
            request_id: by.request_id.clone(),
            ip: by.ip.clone(),
        },
    )
    .await?;
    Ok(outcome.status)
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

#[allow(clippy::too_many_arguments)]
pub async fn apply_result(
    tx: &mut sqlx::PgConnection,
    tenant_id: i64,
    park: &Park,
    pid: i64,
    result: &str,
    findings: &str,
    deadline: Option<NaiveDate>,
    by: &By,
    rules: &WorkflowRules,
    today: NaiveDate,
    user_id: i64,
) -> AppResult<String> {
    let award = park.award_id;
    Ok(match (result, deadline) {
        ("rectify", Some(deadline)) => {
            titles::transition(
                tx,
                tenant_id,
                award,
                ApplicationAction::OrderRectification,
                by,
                Some(findings),
                rules,
            )
            .await?;
            monitoring::insert_order(tx, tenant_id, award, Some(pid), findings, deadline, user_id)
                .await?;
            titles::note(
                tx,
                tenant_id,
                award,
                &format!("{today} 复评未达标，责令限期整改至 {deadline}"),
                today,
            )
            .await?;
            format!("已责令{}限期整改，期限 {deadline}。", park.park_name)
        }
        ("delist", _) => {
            titles::transition(
                tx,
                tenant_id,
                award,
                ApplicationAction::Delist,
                by,
                Some(findings),
                rules,
            )
            .await?;
            titles::note(
                tx,
                tenant_id,
                award,
                &format!("{today} 复评未达到要求，取消资格（中山 第十一条）"),
                today,
            )
            .await?;
            format!("已取消{}的资格（摘牌）。", park.park_name)
        }
        _ => format!("{}复评通过。", park.park_name),
    })
}

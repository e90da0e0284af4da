//! Periodic reports as use-cases: a park's quarterly data report and a county's own report
//! filed (or filed again after a return), a reviewer's decision, the bureau's acceptance with
//! the engine's re-evaluation of the park, and a reminder for a period that is overdue.
use super::{baseline, rules_of};
use crate::db::audit;
use crate::db::events::Event;
use crate::db::monitoring::{
    self, Filing, NewReminder, NewReportReview, NewResult, Report, Reports,
};
use crate::db::titles::{self, Park, ParkScope};
use crate::db::transition::{self, By};
use crate::domain::monitoring::{self as domain, MonitoringStatus, ParkReport, Period, ReportKind};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workflow::{ReportAction, ReportRoute};
use crate::error::{AppError, AppResult};
use crate::service::notify::{self, About, Park as Told};
use crate::state::AppState;
use chrono::{Duration, NaiveDate};
use serde_json::json;
use sqlx::PgConnection;

/// Refuses a quarter the park may not report: one not yet ended, not after the award, or once
/// the title is no longer held.
pub fn check_fileable(park: &Park, period: Period, today: NaiveDate) -> AppResult<()> {
    let kind = ReportKind::ParkQuarter;
    let fileable = period.is_valid(kind)
        && park.holds_title()
        && period.last_day(kind) < today
        && period.last_day(kind) > park.awarded_on;
    if !fileable {
        return Err(AppError::Conflict(
            "该季度尚未结束、早于认定日期，或园区已不再持有称号，不能报送。".into(),
        ));
    }
    Ok(())
}

/// The operator files a park's quarterly data report, or its next version after a return; it
/// goes to the park's county for review.
pub async fn file_park_report(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    park: &Park,
    period: Period,
    report: &ParkReport,
) -> AppResult<()> {
    check_fileable(park, period, state.clock.today())?;
    let data = serde_json::to_value(report).unwrap_or_default();
    let jurisdiction_id = park.jurisdiction_id.ok_or(AppError::Conflict(
        "园区未登记所属县（市、区），请联系市商务局。".into(),
    ))?;
    let kind = ReportKind::ParkQuarter;
    let filing = Filing {
        kind,
        award_id: Some(park.award_id),
        jurisdiction_id,
        period,
    };
    let submitted = json!({ "state": "submitted", "period": period.label(kind), "data": data });
    let route = ReportRoute { via_county: true };
    file(state, tenant_id, by, &filing, &data, route, submitted).await
}

/// A county files its own quarterly park dynamics or half-year work report (温州 第九条), or its
/// next version after a return; it goes to the bureau.
pub async fn file_county_report(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    jurisdiction_id: i64,
    (kind, period): (ReportKind, Period),
    text: &str,
) -> AppResult<()> {
    let data = json!({ "text": text });
    let filing = Filing {
        kind,
        award_id: None,
        jurisdiction_id,
        period,
    };
    let submitted = json!({ "state": "submitted", "period": period.label(kind) });
    let route = ReportRoute { via_county: false };
    file(state, tenant_id, by, &filing, &data, route, submitted).await
}

/// Files a report's first version (audited as `submitted` with `submitted`'s details), or
/// resubmits a returned one with its next version: the machine refuses any other state.
async fn file(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    filing: &Filing,
    data: &serde_json::Value,
    route: ReportRoute,
    submitted: serde_json::Value,
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    match monitoring::report_for(&mut tx, tenant_id, filing).await? {
        Some(id) => {
            let resubmit = ReportAction::Resubmit;
            transition::apply_in::<Reports>(&mut tx, tenant_id, id, resubmit, by, None, &route)
                .await?;
            monitoring::add_version(&mut tx, tenant_id, id, data, user_id).await?;
        }
        None => {
            let id = monitoring::insert_report(&mut tx, tenant_id, filing, data, user_id).await?;
            let entry = by.entry(tenant_id, "periodic_report", id, "submit", submitted);
            audit::record(&mut tx, entry).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A reviewer's decision on a report short of the bureau's acceptance: the county's pass or
/// return, or the bureau's return.
pub struct ReportDecision<'a> {
    /// `county` or `bureau`.
    pub stage: &'static str,
    pub action: ReportAction,
    /// `pass` or `return`, as the review is recorded.
    pub decision: &'static str,
    /// Why (required to return); empty for none.
    pub reason: &'a str,
}

/// A county's or the bureau's decision on a report (not an acceptance): the transition and the
/// review of the version it judged, in one transaction.
pub async fn decide_report(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    report: &Report,
    d: &ReportDecision<'_>,
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let reason = Some(d.reason).filter(|r| !r.is_empty());
    let mut tx = state.db.begin().await?;
    transition::apply_in::<Reports>(
        &mut tx,
        tenant_id,
        report.id,
        d.action,
        by,
        reason,
        &report.route(),
    )
    .await?;
    let review = NewReportReview {
        report_id: report.id,
        version: report.version_count,
        stage: d.stage,
        decision: d.decision,
        reason: d.reason,
        user_id,
    };
    monitoring::insert_review(&mut tx, tenant_id, &review).await?;
    if d.action == ReportAction::Return {
        tell_returned(&mut tx, state, tenant_id, report, d.reason).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// The filer of the returned version hears why, linked to the report in their area.
async fn tell_returned(
    tx: &mut PgConnection,
    state: &AppState,
    tenant_id: i64,
    report: &Report,
    reason: &str,
) -> AppResult<()> {
    let filer = monitoring::filer_of(tx, tenant_id, report.id, report.version_count).await?;
    let p = report.period();
    let own = format!(
        "/county/own-reports/{}/{}/{}",
        report.kind, p.year, p.period
    );
    let links = match report.award_id {
        Some(award) => vec![(
            "operator",
            format!("/operator/parks/{award}/reports/{}/{}", p.year, p.period),
        )],
        None => vec![("county", own)],
    };
    let subject = report
        .park_name
        .clone()
        .unwrap_or_else(|| report.county.clone());
    let event = Event {
        kind: EventKind::ReportReturned,
        object_kind: "report",
        object_id: report.id,
        links,
        facts: Facts {
            subject: format!("{subject}{}", report.period_label()),
            detail: reason.to_string(),
            ..Facts::default()
        },
        audience: vec![Audience::User(filer)],
        dedupe_key: None,
    };
    notify::tell(tx, state, tenant_id, event).await?;
    Ok(())
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
    let details = json!({
        "status": outcome.status.as_str(),
        "period": report.period_label(),
        "findings": findings,
    });
    let mut entry = by.entry(tenant_id, "monitoring", award_id, "evaluate", details);
    entry.before = previous.map(|p| json!({ "status": p.as_str() }));
    audit::record(tx, entry).await?;
    Ok(outcome.status)
}

/// A reminder (催报/督促) the bureau sends for one period's report.
pub struct Reminding<'a> {
    pub kind: ReportKind,
    pub period: Period,
    /// The park's award for a park's quarter, else the county whose own report it is.
    pub of: i64,
    pub note: &'a str,
}

/// The bureau reminds a park or a county of a period that is overdue and still not filed; the
/// reminder gives the tenant's grace days. Returns the end of the grace.
pub async fn remind(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    r: &Reminding<'_>,
) -> AppResult<NaiveDate> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let today = state.clock.today();
    let settings = monitoring::settings(&state.db, tenant_id).await?;
    let (award_id, jurisdiction_id, since) = owing_since(state, tenant_id, r).await?;
    let filed = monitoring::reports(&state.db, tenant_id, award_id, Some(jurisdiction_id)).await?;
    let (owed, _) = super::owed(&settings, r.kind, since, today, &filed);
    let overdue = owed.iter().any(|o| o.period == r.period && o.overdue);
    if !overdue {
        return Err(AppError::Conflict(
            "该期报告未逾期或已报送，无需催报。".into(),
        ));
    }
    let grace_until = today + Duration::days(i64::from(settings.grace_days));
    let (kind, period, note) = (r.kind, r.period, r.note);
    let mut tx = state.db.begin().await?;
    let reminder = NewReminder {
        kind,
        award_id,
        jurisdiction_id,
        period,
        note,
        grace_until,
        sent_by: user_id,
        sent_at: state.clock.now(),
    };
    let id = monitoring::insert_reminder(&mut tx, tenant_id, &reminder).await?;
    let details = json!({ "kind": kind.as_str(), "award_id": award_id, "jurisdiction_id": jurisdiction_id,
                          "period": period.label(kind), "grace_until": grace_until, "note": note });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "report_reminder", id, "remind", details),
    )
    .await?;
    let owed = Owing {
        kind,
        period,
        award_id,
        jurisdiction_id,
        due: grace_until,
    };
    tell_owed(
        &mut tx,
        state,
        tenant_id,
        EventKind::ReportReminded,
        &owed,
        None,
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(grace_until)
}

/// A report someone owes: a park's quarter (its operator and county are told) or a county's
/// own report (the county is).
pub struct Owing {
    pub kind: ReportKind,
    pub period: Period,
    pub award_id: Option<i64>,
    pub jurisdiction_id: i64,
    pub due: NaiveDate,
}

/// Tells those who owe `owed` of `kind` (due soon, overdue, reminded); false when its dedupe
/// key was told before.
pub async fn tell_owed(
    tx: &mut PgConnection,
    state: &AppState,
    tenant_id: i64,
    kind: EventKind,
    owed: &Owing,
    dedupe_key: Option<String>,
) -> AppResult<bool> {
    let detail = owed.period.label(owed.kind);
    if let Some(award) = owed.award_id {
        let about = About {
            detail: &detail,
            due: Some(owed.due),
            dedupe_key,
        };
        return notify::about_park(tx, state, tenant_id, Told::Award(award), kind, about).await;
    }
    let p = owed.period;
    let event = Event {
        kind,
        object_kind: "jurisdiction",
        object_id: owed.jurisdiction_id,
        links: vec![(
            "county",
            format!(
                "/county/own-reports/{}/{}/{}",
                owed.kind.as_str(),
                p.year,
                p.period
            ),
        )],
        facts: Facts {
            subject: monitoring::jurisdiction_name(tx, tenant_id, owed.jurisdiction_id).await?,
            detail,
            due: Some(owed.due),
            ..Facts::default()
        },
        audience: vec![Audience::County(owed.jurisdiction_id)],
        dedupe_key,
    };
    notify::tell(tx, state, tenant_id, event).await
}

/// Who owes the reminded report, as (award, county), and since when reports are owed: a park
/// that holds its title from its award, a county from the earliest award it still supervises.
async fn owing_since(
    state: &AppState,
    tenant_id: i64,
    r: &Reminding<'_>,
) -> AppResult<(Option<i64>, i64, NaiveDate)> {
    if r.kind == ReportKind::ParkQuarter {
        let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, r.of)
            .await?
            .filter(Park::holds_title)
            .ok_or(AppError::NotFound)?;
        let j = park.jurisdiction_id.ok_or(AppError::NotFound)?;
        return Ok((Some(r.of), j, park.awarded_on));
    }
    let parks = titles::list(&state.db, tenant_id, ParkScope::Jurisdiction(r.of)).await?;
    let since = parks
        .iter()
        .filter(|p| p.holds_title())
        .map(|p| p.awarded_on)
        .min()
        .ok_or(AppError::NotFound)?;
    Ok((None, r.of, since))
}

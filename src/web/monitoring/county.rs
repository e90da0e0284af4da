//! The county's side of supervision (温州 第九条): reviewing its parks' quarterly reports before
//! the bureau, and filing its own quarterly park dynamics and half-year work report.
use super::{Owed, owed};
use crate::auth::CurrentUser;
use crate::db::monitoring::{self, Report, ReportReview, ReportVersion};
use crate::db::titles::{self, Park, ParkScope};
use crate::domain::monitoring::{ParkReport, Period, ReportKind};
use crate::domain::role::Role;
use crate::domain::workflow::ReportAction;
use crate::error::{AppError, AppResult};
use crate::service::monitoring::{self as service, ReportDecision};
use crate::state::AppState;
use crate::web::page::{FieldErrors, PageCtx, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

fn jurisdiction(user: &CurrentUser) -> AppResult<i64> {
    user.jurisdiction_id.ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "county/monitoring.html")]
struct HomePage {
    ctx: PageCtx,
    parks: Vec<(Park, Vec<Owed>)>,
    to_review: Vec<Report>,
    own: Vec<Owed>,
}

pub(crate) async fn home(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let j = jurisdiction(&user)?;
    let settings = monitoring::settings(&state.db, tenant_id).await?;
    let today = state.clock.today();
    let all = titles::list(&state.db, tenant_id, ParkScope::Jurisdiction(j)).await?;
    let filed = monitoring::reports(&state.db, tenant_id, None, Some(j)).await?;
    let mut parks = Vec::new();
    for park in all.iter().cloned() {
        let mine: Vec<Report> = filed
            .iter()
            .filter(|r| r.award_id == Some(park.award_id))
            .cloned()
            .collect();
        let (list, _) = owed(
            &settings,
            ReportKind::ParkQuarter,
            park.awarded_on,
            today,
            &mine,
        );
        let overdue = if park.holds_title() {
            list.into_iter().filter(|o| o.overdue).collect()
        } else {
            Vec::new()
        };
        parks.push((park, overdue));
    }
    let mut own = Vec::new();
    if service::files_own_reports(&state, tenant_id, &all).await? {
        let since = all
            .iter()
            .filter(|p| p.holds_title())
            .map(|p| p.awarded_on)
            .min();
        if let Some(since) = since {
            for kind in [ReportKind::CountyQuarter, ReportKind::CountyHalf] {
                let (list, next) = owed(&settings, kind, since, today, &filed);
                own.push(next);
                own.extend(list);
            }
        }
    }
    let to_review = monitoring::reports_in_state(&state.db, tenant_id, &["submitted"], Some(j))
        .await?
        .into_iter()
        .filter(|r| r.kind() == ReportKind::ParkQuarter)
        .collect();
    render_with(
        axum::http::StatusCode::OK,
        &HomePage {
            ctx,
            parks,
            to_review,
            own,
        },
    )
}

#[derive(Template)]
#[template(path = "monitoring/report.html")]
pub struct ReportView {
    pub ctx: PageCtx,
    pub report: Report,
    pub versions: Vec<ReportVersion>,
    pub reviews: Vec<ReportReview>,
    pub park: Option<ParkReport>,
    pub currency: &'static str,
    /// The decisions this user may take now, as (value, label).
    pub decisions: Vec<(&'static str, &'static str)>,
    pub action: String,
    pub errors: FieldErrors,
    pub monitoring: Option<monitoring::MonitoringRow>,
}

impl ReportView {
    pub fn findings(&self) -> Vec<crate::domain::monitoring::Finding> {
        self.monitoring
            .as_ref()
            .map(|m| super::findings_of(&m.findings.0))
            .unwrap_or_default()
    }

    pub fn status_label(&self) -> &'static str {
        self.monitoring
            .as_ref()
            .and_then(|m| crate::domain::monitoring::MonitoringStatus::parse(&m.status))
            .map(|s| s.label())
            .unwrap_or("")
    }
}

/// The page of one report for a reviewer (county or bureau). The decision form posts to
/// `{base}/reports/{id}/decision`: the county's base is its home, the bureau's its monitoring area.
pub async fn report_view(
    ctx: PageCtx,
    base: &str,
    state: &AppState,
    tenant_id: i64,
    report: Report,
    decisions: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let versions = monitoring::versions(&state.db, tenant_id, report.id).await?;
    let reviews = monitoring::reviews(&state.db, tenant_id, report.id).await?;
    let currency = match report.award_id {
        Some(award) => {
            let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, award)
                .await?
                .ok_or(AppError::NotFound)?;
            super::currency_label(&super::rules_of(state, tenant_id, &park).await?)
        }
        None => "",
    };
    let monitoring = monitoring::results(&state.db, tenant_id, report.award_id)
        .await?
        .into_iter()
        .find(|m| m.report_id == report.id);
    let page = ReportView {
        action: format!("{base}/reports/{}/decision", report.id),
        park: versions.last().and_then(|v| v.park()),
        ctx,
        versions,
        reviews,
        currency,
        decisions,
        errors,
        monitoring,
        report,
    };
    render_with(page.errors.status(), &page)
}

async fn own_report(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Report> {
    monitoring::report(&state.db, user.tenant()?, id)
        .await?
        .filter(|r| Some(r.jurisdiction_id) == user.jurisdiction_id)
        .ok_or(AppError::NotFound)
}

pub(crate) async fn report_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let report = own_report(&state, &user, id).await?;
    let decisions = super::decisions(&report, Role::County);
    let base = ctx.home();
    report_view(
        ctx,
        &base,
        &state,
        user.tenant()?,
        report,
        decisions,
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

pub(crate) async fn decide(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let report = own_report(&state, &user, id).await?;
    let (action, decision) = match form.decision.as_str() {
        "pass" => (ReportAction::CountyPass, "pass"),
        "return" => (ReportAction::Return, "return"),
        _ => {
            let mut errors = FieldErrors::default();
            errors.add("decision", "请选择审核意见。");
            let decisions = super::decisions(&report, Role::County);
            let base = ctx.home();
            return report_view(ctx, &base, &state, tenant_id, report, decisions, errors).await;
        }
    };
    if action == ReportAction::Return && form.reason.trim().is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("reason", "退回时请写明需要修改的内容。");
        let decisions = super::decisions(&report, Role::County);
        let base = ctx.home();
        return report_view(ctx, &base, &state, tenant_id, report, decisions, errors).await;
    }
    let decided = ReportDecision {
        stage: "county",
        action,
        decision,
        reason: form.reason.trim(),
    };
    service::decide_report(&state, tenant_id, &client.by(&user), &report, &decided).await?;
    flash(
        &session,
        "success",
        if decision == "pass" {
            "已审核通过，报市商务局。"
        } else {
            "已退回园区修改。"
        },
    )
    .await?;
    Ok(Redirect::to(&format!("{}/monitoring", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "county/own_report.html")]
struct OwnPage {
    ctx: PageCtx,
    label: String,
    kind_label: &'static str,
    action: String,
    report: Option<Report>,
    versions: Vec<ReportVersion>,
    reviews: Vec<ReportReview>,
    can_file: bool,
    text: String,
    errors: FieldErrors,
}

fn own_kind(kind: &str, year: i32, period: u8) -> AppResult<(ReportKind, Period)> {
    let kind = ReportKind::parse(kind)
        .filter(|k| *k != ReportKind::ParkQuarter)
        .ok_or(AppError::NotFound)?;
    let period = Period { year, period };
    if !period.is_valid(kind) {
        return Err(AppError::NotFound);
    }
    Ok((kind, period))
}

async fn own_view(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    (kind, period): (ReportKind, Period),
    text: Option<String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let j = jurisdiction(user)?;
    let report = monitoring::reports(&state.db, tenant_id, None, Some(j))
        .await?
        .into_iter()
        .find(|r| r.kind() == kind && r.period() == period);
    let (versions, reviews) = match &report {
        Some(r) => (
            monitoring::versions(&state.db, tenant_id, r.id).await?,
            monitoring::reviews(&state.db, tenant_id, r.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let ended = period.last_day(kind) < state.clock.today();
    let can_file = ended && report.as_ref().is_none_or(|r| r.state == "returned");
    let page = OwnPage {
        action: format!(
            "{}/own-reports/{}/{}/{}",
            ctx.home(),
            kind.as_str(),
            period.year,
            period.period
        ),
        label: period.label(kind),
        kind_label: kind.label(),
        text: text.unwrap_or_else(|| versions.last().map(|v| v.text()).unwrap_or_default()),
        ctx,
        report,
        versions,
        reviews,
        can_file,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn own_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, kind, year, period)): Path<(String, String, i32, u8)>,
) -> AppResult<Response> {
    let which = own_kind(&kind, year, period)?;
    own_view(ctx, &state, &user, which, None, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct OwnForm {
    #[serde(default)]
    text: String,
}

pub(crate) async fn own_file(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, kind, year, period)): Path<(String, String, i32, u8)>,
    Form(form): Form<OwnForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let j = jurisdiction(&user)?;
    let (kind, period) = own_kind(&kind, year, period)?;
    let mut errors = FieldErrors::default();
    if !(20..=20000).contains(&form.text.trim().chars().count()) {
        errors.add("text", "请填写报告内容（20–20000字）。");
    }
    if period.last_day(kind) >= state.clock.today() {
        errors.add("text", "该期尚未结束，期末后再报送。");
    }
    if !errors.is_empty() {
        return own_view(ctx, &state, &user, (kind, period), Some(form.text), errors).await;
    }
    let (by, text) = (client.by(&user), form.text.trim());
    service::file_county_report(&state, tenant_id, &by, j, (kind, period), text).await?;
    flash(
        &session,
        "success",
        format!("{}{}已报送市商务局。", period.label(kind), kind.label()),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/monitoring", user.home_url())).into_response())
}

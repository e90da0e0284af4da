//! A pool expert's opinion on a park of a re-review round (复评): their own sheets only; a
//! conflict declaration or the opinion with its reasons, submitted once.
use crate::auth::CurrentUser;
use crate::db::re_review_panels::{self as rr, Sheet};
use crate::db::titles::{self, ParkScope};
use crate::db::{experts, monitoring};
use crate::domain::workflow::WorkflowRules;
use crate::error::{AppError, AppResult};
use crate::service::monitoring::re_review_panel as service;
use crate::state::AppState;
use crate::web::page::{FieldErrors, PageCtx, Typed, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

type Fields = Typed;

#[derive(Template)]
#[template(path = "expert/re_review_sheet.html")]
struct SheetPage {
    ctx: PageCtx,
    sheet: Sheet,
    status: &'static str,
    findings: Vec<crate::domain::monitoring::Finding>,
    /// The park as it stands: its title and its periodic reports (park quarters), latest first.
    park: crate::db::titles::Park,
    reports: Vec<monitoring::Report>,
    may_delist: bool,
    form: Fields,
    errors: FieldErrors,
}

async fn own(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Sheet> {
    let tenant_id = user.tenant()?;
    let me = experts::of_user(&state.db, tenant_id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    rr::sheet_of_expert(&state.db, tenant_id, me.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn sheet_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    sheet: Sheet,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let entry = monitoring::re_review_parks(&state.db, tenant_id, sheet.re_review_id)
        .await?
        .into_iter()
        .find(|p| p.id == sheet.re_review_park_id)
        .ok_or(AppError::NotFound)?;
    let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, sheet.award_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = crate::service::monitoring::rules_of(state, tenant_id, &park).await?;
    let reports = monitoring::reports(&state.db, tenant_id, Some(park.award_id), None).await?;
    let page = SheetPage {
        reports,
        status: crate::domain::monitoring::MonitoringStatus::parse(&entry.status)
            .map(|s| s.label())
            .unwrap_or("—"),
        findings: crate::web::monitoring::findings_of(&entry.findings.0),
        may_delist: WorkflowRules::for_rule_set(&rules).delist_without_rectification,
        park,
        sheet,
        form,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let sheet = own(&state, &user, id).await?;
    sheet_page(
        ctx,
        &state,
        &user,
        sheet,
        Fields::default(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn answer(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<Fields>,
) -> AppResult<Response> {
    let sheet = own(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let conflict = match form.get("conflict") {
        "declared" => true,
        "none" => false,
        _ => {
            errors.add("conflict", "请选择是否需要回避。");
            false
        }
    };
    let (reason, opinion, summary) = (form.get("reason"), form.get("opinion"), form.get("summary"));
    if conflict && reason.is_empty() {
        errors.add("reason", "声明回避时请写明理由。");
    }
    if !conflict && !["pass", "rectify", "delist"].contains(&opinion) {
        errors.add("opinion", "请选择复评意见。");
    }
    if !conflict && summary.chars().count() < 10 {
        errors.add("summary", "请写明意见理由（不少于10字）。");
    }
    if !errors.is_empty() {
        return sheet_page(ctx, &state, &user, sheet, form, errors).await;
    }
    let answer = (
        conflict,
        reason,
        Some(opinion).filter(|_| !conflict),
        summary,
    );
    service::answer(&state, user.tenant()?, &client.by(&user), &sheet, answer).await?;
    flash(&session, "success", "复评意见已提交。").await?;
    Ok(Redirect::to(&format!("{}/re-review-sheets/{id}", user.home_url())).into_response())
}

//! The bureau enters an expert's signed paper sheet on their behalf (代录), twice, by two staff.
use super::expert::{CriterionRow, criterion_rows, typed_sheet};
use crate::auth::CurrentUser;
use crate::db::applications::Scope;
use crate::db::panels::{self, Assignment};
use crate::domain::scoring;
use crate::domain::workflow::SheetState;
use crate::error::{AppError, AppResult};
use crate::service::paper::{self, Entered, PaperSheet};
use crate::state::AppState;
use crate::web::applications::{Loaded, load};
use crate::web::calls::shanghai_minute;
use crate::web::files::read_upload;
use crate::web::page::{FieldErrors, PageCtx, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "review/paper.html")]
struct PaperPage {
    ctx: PageCtx,
    assignment: Assignment,
    scored: bool,
    criteria: Vec<CriterionRow>,
    max_total: String,
    opinion: String,
    summary: String,
    /// Who entered it in this round and when (never what they typed).
    entered: Vec<(String, String)>,
    /// This user's own earlier entry of the round, if any.
    mine: bool,
    /// Whether an entry of this round already brought the scan.
    has_scan: bool,
    errors: FieldErrors,
}

/// As typed: scores, opinion, summary.
type Typed = (BTreeMap<String, String>, String, String);

async fn sheet_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Assignment, Loaded)> {
    let tenant_id = user.tenant()?;
    let sheet = panels::get_assignment(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let loaded = load(state, tenant_id, Scope::Bureau, sheet.application_id).await?;
    Ok((sheet, loaded))
}

async fn paper_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    (assignment, loaded): (Assignment, Loaded),
    (scores, opinion, summary): Typed,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.db.acquire().await?;
    let entries = crate::db::paper::who_entered(&mut conn, loaded.tenant_id, assignment.id).await?;
    let has_scan = crate::db::paper::scan_of_round(
        &mut conn,
        loaded.tenant_id,
        assignment.id,
        assignment.lock_version,
    )
    .await?
    .is_some();
    let checked = scoring::check_sheet(&loaded.rules, &scores, false);
    let page = PaperPage {
        criteria: criterion_rows(&loaded, &scores, &BTreeMap::new(), &checked, &errors),
        scored: !loaded.rules.criteria.is_empty(),
        max_total: loaded.rules.max_total().to_string(),
        mine: entries.iter().any(|(by, _, _)| *by == user.id),
        entered: entries
            .into_iter()
            .map(|(_, name, at)| (name, shanghai_minute(at)))
            .collect(),
        has_scan,
        opinion,
        summary,
        assignment,
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
    let found = sheet_of(&state, &user, id).await?;
    let typed = (BTreeMap::new(), String::new(), String::new());
    paper_page(ctx, &state, &user, found, typed, FieldErrors::default()).await
}

pub(crate) async fn enter(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (sheet, loaded) = sheet_of(&state, &user, id).await?;
    if sheet.state != SheetState::Open || sheet.conflict == "declared" {
        return Err(AppError::Conflict(
            "该评分表已提交或专家已回避，不能再代录。".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "scan",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let pairs: Vec<(String, String)> = upload.fields.clone().into_iter().collect();
    let (scores, _) = typed_sheet(&pairs);
    let opinion = upload.field("opinion").to_string();
    let summary = upload.field("summary").trim().to_string();
    check_entry(&loaded, &scores, &opinion, &mut errors);
    let mut conn = state.db.acquire().await?;
    let round = sheet.lock_version;
    let has_scan = crate::db::paper::scan_of_round(&mut conn, loaded.tenant_id, id, round).await?;
    drop(conn);
    if upload.file.is_none() && has_scan.is_none() && errors.get("scan").is_none() {
        errors.add("scan", "请上传专家签字的纸质评分表扫描件（PDF 或图片）。");
    }
    if !errors.is_empty() {
        let typed = (scores, opinion, summary);
        return paper_page(ctx, &state, &user, (sheet, loaded), typed, errors).await;
    }
    let typed = PaperSheet {
        scores: &scores,
        opinion: Some(opinion.as_str()).filter(|o| !o.is_empty()),
        summary: &summary,
        scan: upload.file.as_ref(),
    };
    let outcome = paper::enter(&state, &loaded, &client.by(&user), &sheet, &typed).await?;
    let here = format!("{}/assignments/{id}/paper", user.home_url());
    let (kind, message, to) = match outcome {
        Entered::AwaitingSecond => (
            "success",
            "本次录入已保存。须由另一名工作人员对照纸质评分表独立录入第二次，两次一致后提交。"
                .to_string(),
            here,
        ),
        Entered::Differ(items) => (
            "error",
            format!(
                "两次录入不一致：{}。请对照纸质评分表核对后重新录入。",
                items.join("、")
            ),
            here,
        ),
        Entered::Submitted => (
            "success",
            format!(
                "两次录入一致，{}的纸质评分表已代录提交。",
                sheet.expert_name
            ),
            format!(
                "{}/applications/{}#review",
                user.home_url(),
                sheet.application_id
            ),
        ),
    };
    flash(&session, kind, message).await?;
    Ok(Redirect::to(&to).into_response())
}

/// A paper sheet is complete when entered: every score (or the opinion) is on it.
fn check_entry(
    loaded: &Loaded,
    scores: &BTreeMap<String, String>,
    opinion: &str,
    errors: &mut FieldErrors,
) {
    let checked = scoring::check_sheet(&loaded.rules, scores, true);
    for (criterion, message) in &checked.errors {
        errors.add(format!("score.{criterion}"), message.clone());
    }
    if loaded.rules.criteria.is_empty() && !["pass", "fail"].contains(&opinion) {
        errors.add("opinion", "请按纸质评审意见表选择“通过”或“不通过”。");
    }
}

//! The expert's side: their own assignments only; a conflict declaration before anything of the
//! application is shown; then an independent score sheet (or Zhongshan's pass / fail opinion),
//! saved as a draft and submitted, after which it is locked.
use crate::auth::CurrentUser;
use crate::db::applications::{self, Scope};
use crate::db::experts::{self, Expert};
use crate::db::panels::{self, Assignment, Sheet};
use crate::domain::scoring::{self, CheckedSheet};
use crate::domain::workflow::{ApplicationState, SheetState};
use crate::error::{AppError, AppResult};
use crate::service::review::{self, SheetEntry, evaluate_with_scores};
use crate::state::AppState;
use crate::web::applications::{Loaded, VersionView, load, version_view};
use crate::web::calls::shanghai_minute;
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tower_sessions::Session;

async fn me(state: &AppState, user: &CurrentUser) -> AppResult<Expert> {
    experts::of_user(&state.db, user.tenant()?, user.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One of the signed-in expert's own assignments; anyone else's is "not found".
async fn own(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Expert, Assignment)> {
    let expert = me(state, user).await?;
    let assignment = panels::get_of_expert(&state.db, user.tenant()?, expert.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((expert, assignment))
}

pub fn conflict_label(a: &Assignment) -> &'static str {
    match a.conflict.as_str() {
        "declared" => "已回避",
        "none" => "无需回避",
        _ => "待声明",
    }
}

pub fn sheet_label(a: &Assignment) -> &'static str {
    match (a.conflict.as_str(), a.state.as_str()) {
        ("declared", _) => "—",
        (_, "submitted") if a.on_paper() => "已提交（纸质代录）",
        (_, "submitted") => "已提交",
        (_, "withdrawn") => "已撤回",
        _ => "未提交",
    }
}

#[derive(Template)]
#[template(path = "expert/home.html")]
struct Home {
    ctx: PageCtx,
    /// Whether the tenant's experts score (Wenzhou) or give pass/fail opinions (Zhongshan).
    scored: bool,
    expert: Option<Expert>,
    assignments: Vec<Assignment>,
    invitations: Vec<panels::Invitation>,
    /// The on-site inspections they are a member of.
    inspections: Vec<crate::db::inspections::Inspection>,
    /// For the staff of a third-party institution: its commissioned reviews.
    institution_reviews: Vec<crate::db::institutions::Review>,
    /// Their opinions on parks of re-review rounds (复评).
    re_review_sheets: Vec<crate::db::re_review_panels::Sheet>,
    todo: crate::service::todo::TodoList,
}

pub(crate) async fn home(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let expert = experts::of_user(&state.db, tenant_id, user.id).await?;
    let (assignments, invitations) = match &expert {
        Some(e) => (
            panels::of_expert(&state.db, tenant_id, e.id).await?,
            panels::invitations_of(&state.db, tenant_id, e.id, None).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let inspections = match &expert {
        Some(e) => crate::db::inspections::of_expert(&state.db, tenant_id, e.id).await?,
        None => Vec::new(),
    };
    let institution_reviews =
        match crate::db::institutions::of_user(&state.db, tenant_id, user.id).await? {
            Some(i) => crate::db::institutions::of_institution(&state.db, tenant_id, i.id).await?,
            None => Vec::new(),
        };
    let re_review_sheets = match &expert {
        Some(e) => {
            crate::db::re_review_panels::sheets_of_expert(&state.db, tenant_id, e.id).await?
        }
        None => Vec::new(),
    };
    let scored = crate::web::monitoring::tenant_scores(&state, tenant_id).await?;
    let todo = crate::service::todo::expert(
        &state,
        tenant_id,
        (user.id, expert.as_ref().map(|e| e.id)),
        &ctx.home(),
    )
    .await?;
    render(&Home {
        scored,
        ctx,
        expert,
        assignments,
        invitations,
        inspections,
        institution_reviews,
        re_review_sheets,
        todo,
    })
}

/// A criterion row of the sheet, with what was typed and its message.
pub struct CriterionRow {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub max: String,
    pub score: String,
    pub comment: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "expert/assignment.html")]
struct AssignmentPage {
    ctx: PageCtx,
    base: String,
    assignment: Assignment,
    call_title: String,
    criteria: Vec<CriterionRow>,
    total: String,
    max_total: String,
    scored: bool,
    opinion: String,
    summary: String,
    version: Option<VersionView>,
    errors: FieldErrors,
    outlier: bool,
    editable: bool,
}

/// The sheet as typed: `score.<criterion>` and `comment.<criterion>` fields.
pub(crate) fn typed_sheet(
    pairs: &[(String, String)],
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let pick = |prefix: &str| {
        pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix(prefix)
                    .filter(|_| !v.trim().is_empty())
                    .map(|id| (id.to_string(), v.trim().to_string()))
            })
            .collect()
    };
    (pick("score."), pick("comment."))
}

fn field<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (_, assignment) = own(&state, &user, id).await?;
    let scores = assignment.scores.0.clone();
    let comments = assignment.comments.0.clone();
    let opinion = assignment.opinion.clone().unwrap_or_default();
    let summary = assignment.summary.clone();
    sheet_page(
        ctx,
        &state,
        &user,
        assignment,
        (scores, comments, opinion, summary),
        FieldErrors::default(),
    )
    .await
}

type Typed = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    String,
    String,
);

async fn sheet_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    assignment: Assignment,
    (scores, comments, opinion, summary): Typed,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    // A conflicted or undeclared expert sees the park's name and nothing else of it.
    let loaded = load(state, tenant_id, Scope::Bureau, assignment.application_id).await?;
    let show_details = assignment.conflict == "none";
    let version = if show_details {
        applications::versions(&state.db, tenant_id, assignment.application_id)
            .await?
            .last()
            .map(|v| version_view(&loaded, v))
    } else {
        None
    };
    let checked = scoring::check_sheet(&loaded.rules, &scores, false);
    let criteria = criterion_rows(&loaded, &scores, &comments, &checked, &errors);
    let outlier = show_details && is_outlier(state, &loaded, &assignment).await?;
    let page = AssignmentPage {
        base: format!("{}/assignments/{}", user.home_url(), assignment.id),
        call_title: loaded.call.title.clone(),
        scored: !loaded.rules.criteria.is_empty(),
        total: checked.total().to_string(),
        max_total: loaded.rules.max_total().to_string(),
        criteria,
        opinion,
        summary,
        version,
        editable: assignment.state == SheetState::Open && assignment.conflict == "none",
        outlier,
        assignment,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) fn criterion_rows(
    loaded: &Loaded,
    scores: &BTreeMap<String, String>,
    comments: &BTreeMap<String, String>,
    checked: &CheckedSheet,
    errors: &FieldErrors,
) -> Vec<CriterionRow> {
    loaded
        .rules
        .criteria
        .iter()
        .map(|c| CriterionRow {
            id: c.id.clone(),
            name: c.name.clone(),
            category: c.category.clone(),
            description: c.description.clone(),
            max: c.max.to_string(),
            score: scores.get(&c.id).cloned().unwrap_or_default(),
            comment: comments.get(&c.id).cloned().unwrap_or_default(),
            error: errors
                .get(&format!("score.{}", c.id))
                .map(str::to_string)
                .or_else(|| checked.errors.get(&c.id).cloned()),
        })
        .collect()
}

/// Whether this expert's submitted total is an outlier of the application's panel (only
/// computed once every sheet is in, so no expert learns anything from it before).
async fn is_outlier(state: &AppState, loaded: &Loaded, a: &Assignment) -> AppResult<bool> {
    if a.state != SheetState::Submitted || loaded.app.state == ApplicationState::InReview.as_str() {
        return Ok(false);
    }
    let sheets = panels::of_application(&state.db, loaded.tenant_id, a.application_id).await?;
    let versions = applications::versions(&state.db, loaded.tenant_id, a.application_id).await?;
    let Some(version) = versions.last() else {
        return Ok(false);
    };
    let roster = crate::web::applications::roster_of(&version.roster.0);
    let evaluation = evaluate_with_scores(loaded, version, &roster, &BTreeMap::new(), &sheets);
    Ok(evaluation
        .score
        .is_some_and(|s| s.outliers.contains(&a.expert_name)))
}

#[derive(Deserialize)]
pub(crate) struct DeclareForm {
    #[serde(default)]
    conflict: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn declare(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DeclareForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (_, assignment) = own(&state, &user, id).await?;
    let reason = form.reason.trim();
    let mut errors = FieldErrors::default();
    let conflict = match form.conflict.as_str() {
        "declared" => true,
        "none" => false,
        _ => {
            errors.add("conflict", "请选择是否需要回避。");
            false
        }
    };
    if conflict && reason.is_empty() {
        errors.add("reason", "声明回避时请写明理由。");
    }
    if !errors.is_empty() {
        let typed = (
            BTreeMap::new(),
            BTreeMap::new(),
            String::new(),
            String::new(),
        );
        return sheet_page(ctx, &state, &user, assignment, typed, errors).await;
    }
    let loaded = load(&state, tenant_id, Scope::Bureau, assignment.application_id).await?;
    let by = client.by(&user);
    review::declare_conflict(&state, &loaded, &by, id, conflict, reason).await?;
    let message = if conflict {
        "已声明回避，您不会看到该申报的材料和评分。"
    } else {
        "已声明无需回避，请独立评审。"
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/assignments/{id}", user.home_url())).into_response())
}

pub(crate) async fn save_sheet(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (_, assignment) = own(&state, &user, id).await?;
    if assignment.conflict != "none" {
        return Err(AppError::Conflict("请先声明是否需要回避。".into()));
    }
    if assignment.state != SheetState::Open {
        return Err(AppError::Conflict(
            "评分已提交并锁定；如需修改，请联系市商务局重新开放。".into(),
        ));
    }
    let loaded = load(&state, tenant_id, Scope::Bureau, assignment.application_id).await?;
    let (scores, comments) = typed_sheet(&pairs);
    let opinion = field(&pairs, "opinion").to_string();
    let summary = field(&pairs, "summary").trim().to_string();
    let submit = field(&pairs, "action") == "submit";
    let mut errors = FieldErrors::default();
    let checked = scoring::check_sheet(&loaded.rules, &scores, submit);
    for (criterion, message) in &checked.errors {
        errors.add(format!("score.{criterion}"), message.clone());
    }
    let scored = !loaded.rules.criteria.is_empty();
    if !opinion.is_empty() && !["pass", "fail"].contains(&opinion.as_str()) {
        errors.add("opinion", "请选择“通过”或“不通过”。");
    }
    if submit && !scored && opinion.is_empty() {
        errors.add("opinion", "请选择评审意见。");
    }
    if submit && !scored && summary.is_empty() {
        errors.add("summary", "请填写评审意见说明。");
    }
    if !errors.is_empty() {
        let typed = (scores, comments, opinion, summary);
        return sheet_page(ctx, &state, &user, assignment, typed, errors).await;
    }
    let expected: i32 = field(&pairs, "lock_version").parse().unwrap_or(-1);
    let entry = SheetEntry {
        sheet: Sheet {
            scores: &scores,
            comments: &comments,
            opinion: Some(opinion.as_str()).filter(|o| !o.is_empty()),
            summary: &summary,
        },
        expected_version: expected,
        submit,
        total: checked.total().to_string(),
    };
    if !review::save_sheet(&state, &loaded, &client.by(&user), id, &entry).await? {
        let mut errors = FieldErrors::default();
        errors.add(
            "sheet",
            "未保存：评分表已在其他页面保存或已被锁定。您填写的内容保留在下方，请核对后再保存。",
        );
        let current = panels::get_of_expert(&state.db, tenant_id, assignment.expert_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let typed = (scores, comments, opinion, summary);
        return sheet_page(ctx, &state, &user, current, typed, errors).await;
    }
    let message = if submit {
        "评分已提交并锁定。"
    } else {
        "评分草稿已保存。"
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/assignments/{id}", user.home_url())).into_response())
}

#[derive(Deserialize)]
pub(crate) struct OutlierForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn outlier_reason(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<OutlierForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (_, assignment) = own(&state, &user, id).await?;
    let reason = form.reason.trim();
    if reason.chars().count() < 10 {
        let mut errors = FieldErrors::default();
        errors.add("outlier_reason", "请写明评分理由（不少于10字）。");
        let typed = (
            assignment.scores.0.clone(),
            assignment.comments.0.clone(),
            assignment.opinion.clone().unwrap_or_default(),
            assignment.summary.clone(),
        );
        return sheet_page(ctx, &state, &user, assignment, typed, errors).await;
    }
    review::explain_outlier(&state, tenant_id, &client.by(&user), id, reason).await?;
    flash(&session, "success", "评分理由已提交。").await?;
    Ok(Redirect::to(&format!("{}/assignments/{id}", user.home_url())).into_response())
}

pub fn submitted_at(a: &Assignment) -> String {
    a.submitted_at.map(shanghai_minute).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "expert/invitation.html")]
struct InvitationPage {
    ctx: PageCtx,
    invitation: panels::Invitation,
    reason: String,
    errors: FieldErrors,
}

/// The signed-in expert's invitation to one panel; a panel they were not drawn onto is "not
/// found".
async fn own_invitation(
    state: &AppState,
    user: &CurrentUser,
    panel: i64,
) -> AppResult<(Expert, panels::Invitation)> {
    let expert = me(state, user).await?;
    let invitation = panels::invitations_of(&state.db, user.tenant()?, expert.id, Some(panel))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok((expert, invitation))
}

pub(crate) async fn invitation(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, panel)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (_, invitation) = own_invitation(&state, &user, panel).await?;
    render(&InvitationPage {
        ctx,
        invitation,
        reason: String::new(),
        errors: FieldErrors::default(),
    })
}

pub(crate) async fn accept(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, panel)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (expert, _) = own_invitation(&state, &user, panel).await?;
    let by = client.by(&user);
    crate::service::panels::accept_invitation(&state, user.tenant()?, &by, panel, expert.id)
        .await?;
    flash(&session, "success", "已接受评审邀请，请按期完成评审。").await?;
    Ok(Redirect::to(&ctx.home()).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DeclineForm {
    #[serde(default)]
    reason: String,
}

/// The expert declines: the reason is required, and the same lottery seats the replacement
/// (as when the bureau records a decline it was told of).
pub(crate) async fn decline(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, panel)): Path<(String, i64)>,
    Form(form): Form<DeclineForm>,
) -> AppResult<Response> {
    use crate::service::panels::{DrawFailure, decline};
    let (expert, invitation) = own_invitation(&state, &user, panel).await?;
    let reason = form.reason.trim();
    let mut errors = FieldErrors::default();
    if reason.is_empty() {
        errors.add("reason", "请写明谢绝原因。");
    }
    if errors.is_empty() {
        let by = client.by(&user);
        match decline(&state, user.tenant()?, &by, panel, expert.id, reason).await {
            Ok(_) => {
                let done = "已谢绝评审邀请，市商务局将按抽签顺序替补。";
                flash(&session, "success", done).await?;
                return Ok(Redirect::to(&ctx.home()).into_response());
            }
            Err(DrawFailure::Rules(message)) => errors.add("reason", message),
            Err(DrawFailure::App(e)) => return Err(e),
        }
    }
    let page = InvitationPage {
        ctx,
        invitation,
        reason: form.reason,
        errors,
    };
    render_with(page.errors.status(), &page)
}

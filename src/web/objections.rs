//! Objections (异议): anyone may object to a listed park while its publicity window is open
//! (and only then), with real name, contact, grounds and evidence, and follows the case by its
//! number; the bureau investigates (by someone who did not score the park) and decides.
use super::files::{Upload, read_upload};
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::documents::{self, Document};
use crate::db::objections::{self, Objection};
use crate::db::publicity::{self, Entry, Notice};
use crate::domain::workflow::{self, ApplicationState, ObjectionAction};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::service::objections::{Filer, Filing};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// Evidence files one objection may carry.
const MAX_EVIDENCE_FILES: usize = 10;

#[derive(Debug, Default)]
struct FilingForm {
    application_id: String,
    filer_name: String,
    filer_contact: String,
    /// "on" when the filer asks to hear the decision at the contact given.
    notify_me: String,
    grounds: String,
}

#[derive(Template)]
#[template(path = "public/objection_form.html")]
struct FormPage {
    ctx: PageCtx,
    notice: Notice,
    entries: Vec<Entry>,
    open: bool,
    form: FilingForm,
    errors: FieldErrors,
    max_mb: usize,
}

async fn notice_of(state: &AppState, tenant_id: i64, id: i64) -> AppResult<Notice> {
    publicity::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    notice: Notice,
    form: FilingForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let page = FormPage {
        entries: publicity::entries(&state.db, tenant_id, notice.id).await?,
        open: notice.is_open_at(state.clock.now()),
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        ctx,
        notice,
        form,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn form(
    ctx: PageCtx,
    session: Session,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let ctx = ctx.with_csrf(&session).await?;
    let notice = notice_of(&state, ctx.tenant()?.id, id).await?;
    form_page(
        ctx,
        &state,
        notice,
        FilingForm::default(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Template)]
#[template(path = "public/objection_filed.html")]
struct FiledPage {
    ctx: PageCtx,
    case_no: String,
}

pub(crate) async fn file(
    ctx: PageCtx,
    client: ClientInfo,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let notice = notice_of(&state, tenant_id, id).await?;
    let now = state.clock.now();
    service::objections::check_may_file(&state, &notice, &client.ip, now).await?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "evidence",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let form = FilingForm {
        application_id: upload.field("application_id").to_string(),
        filer_name: upload.field("filer_name").trim().to_string(),
        filer_contact: upload.field("filer_contact").trim().to_string(),
        notify_me: upload.field("notify_me").to_string(),
        grounds: upload.field("grounds").trim().to_string(),
    };
    let target = check_filing(&state, tenant_id, id, &form, &upload, &mut errors).await?;
    let (Some(application_id), true) = (target, errors.is_empty()) else {
        return form_page(ctx, &state, notice, form, errors).await;
    };
    let filing = Filing {
        notice_id: id,
        application_id,
        filer_name: &form.filer_name,
        filer_contact: &form.filer_contact,
        notify_me: form.notify_me == "on",
        grounds: &form.grounds,
        filed_at: now,
        evidence: upload.files().collect(),
    };
    let filer = Filer {
        ip: &client.ip,
        request_id: client.request_id.clone(),
    };
    let case_no = service::objections::file(&state, tenant_id, &filer, &filing).await?;
    render(&FiledPage { ctx, case_no })
}

/// The form's checks, each a message next to its field; the park the objection is about, if
/// it is on the notice.
async fn check_filing(
    state: &AppState,
    tenant_id: i64,
    notice_id: i64,
    form: &FilingForm,
    upload: &Upload,
    errors: &mut FieldErrors,
) -> AppResult<Option<i64>> {
    let entries = publicity::entries(&state.db, tenant_id, notice_id).await?;
    let target = form
        .application_id
        .parse::<i64>()
        .ok()
        .and_then(|a| entries.iter().find(|e| e.application_id == a));
    match target {
        None => errors.add("application_id", "请选择异议针对的园区。"),
        Some(e) => {
            let state_now = e
                .state
                .parse::<ApplicationState>()
                .map_err(|e| AppError::Internal(e.into()))?;
            if let Err(e) = workflow::check_objection_filing(state_now) {
                errors.add("application_id", e.to_string());
            }
        }
    }
    if !(2..=40).contains(&form.filer_name.chars().count()) {
        errors.add("filer_name", "请填写真实姓名。");
    }
    let contact_ok = super::register::is_phone(&form.filer_contact)
        || (form.filer_contact.contains('@') && form.filer_contact.contains('.'));
    if !contact_ok {
        errors.add("filer_contact", "请填写电话或电子邮箱，以便调查核实。");
    }
    if upload.files().count() > MAX_EVIDENCE_FILES {
        errors.add(
            "evidence",
            format!("证据材料最多 {MAX_EVIDENCE_FILES} 个文件。"),
        );
    }
    if !(10..=5000).contains(&form.grounds.chars().count()) {
        errors.add("grounds", "请写明异议的具体事实和理由（10–5000字）。");
    }
    Ok(target.map(|e| e.application_id))
}

#[derive(Deserialize)]
pub(crate) struct CaseQuery {
    case: Option<String>,
}

#[derive(Template)]
#[template(path = "public/objection_status.html")]
struct StatusPage {
    ctx: PageCtx,
    case: String,
    objection: Option<Objection>,
}

pub(crate) async fn status(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<CaseQuery>,
) -> AppResult<Response> {
    let case = q.case.unwrap_or_default().trim().to_uppercase();
    let objection = if case.is_empty() {
        None
    } else {
        objections::by_case(&state.db, ctx.tenant()?.id, &case).await?
    };
    render(&StatusPage {
        ctx,
        case,
        objection,
    })
}

#[derive(Template)]
#[template(path = "bureau/objections.html")]
struct ListPage {
    ctx: PageCtx,
    objections: Vec<Objection>,
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    render(&ListPage {
        objections: objections::list(&state.db, user.tenant()?).await?,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "bureau/objection.html")]
struct CasePage {
    ctx: PageCtx,
    objection: Objection,
    evidence: Vec<Document>,
    investigators: Vec<(String, String)>,
    errors: FieldErrors,
}

/// Who may investigate: the bureau's staff and experts with accounts, but never someone who
/// scored the park the objection is about.
async fn investigators(
    state: &AppState,
    tenant_id: i64,
    application_id: i64,
) -> AppResult<Vec<(String, String)>> {
    let rows = objections::investigators(&state.db, tenant_id, application_id).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| {
            let role = if role == "bureau" {
                "市商务局"
            } else {
                "专家"
            };
            (id.to_string(), format!("{name}（{role}）"))
        })
        .collect())
}

async fn case_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let objection = objections::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = CasePage {
        evidence: documents::attached_to_objection(&state.db, tenant_id, id).await?,
        investigators: investigators(state, tenant_id, objection.application_id).await?,
        objection,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn case(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    case_page(ctx, &state, user.tenant()?, id, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct InvestigateForm {
    #[serde(default)]
    investigator_id: String,
}

pub(crate) async fn investigate(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<InvestigateForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let objection = objections::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = investigators(&state, tenant_id, objection.application_id).await?;
    let Some(investigator) = allowed
        .iter()
        .find(|(uid, _)| *uid == form.investigator_id)
        .and_then(|(uid, _)| uid.parse::<i64>().ok())
    else {
        let mut errors = FieldErrors::default();
        errors.add(
            "investigator_id",
            "请选择调查人员（不得为该园区的评审专家）。",
        );
        return case_page(ctx, &state, tenant_id, id, errors).await;
    };
    service::objections::investigate(&state, tenant_id, &client.by(&user), id, investigator)
        .await?;
    flash(&session, "success", "已指定调查人员，案件进入调查复审。").await?;
    Ok(Redirect::to(&format!("{}/objections/{id}", user.home_url())).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    investigation: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn decide(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let action = match form.decision.as_str() {
        "upheld" => Some(ObjectionAction::Uphold),
        "dismissed" => Some(ObjectionAction::Dismiss),
        _ => {
            errors.add("decision", "请选择处理结论。");
            None
        }
    };
    if form.investigation.trim().chars().count() < 10 {
        errors.add("investigation", "请记录调查复审情况（不少于10字）。");
    }
    if form.reason.trim().is_empty() {
        errors.add("reason", "请写明理由，异议人可凭案件编号查看。");
    }
    let (Some(action), true) = (action, errors.is_empty()) else {
        return case_page(ctx, &state, tenant_id, id, errors).await;
    };
    let (investigation, reason) = (form.investigation.trim(), form.reason.trim());
    let by = client.by(&user);
    service::objections::decide(&state, tenant_id, &by, id, action, investigation, reason).await?;
    flash(&session, "success", format!("已{}。", action.label())).await?;
    Ok(Redirect::to(&format!("{}/objections/{id}", user.home_url())).into_response())
}

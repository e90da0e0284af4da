//! Objections (异议): anyone may object to a listed park while its publicity window is open
//! (and only then), with real name, contact, grounds and evidence, and follows the case by its
//! number; the bureau investigates (by someone who did not score the park) and decides.
use super::files::{self, read_upload};
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::audit;
use crate::db::documents::{self, Document, Owner};
use crate::db::objections::{self, NewObjection, Objection};
use crate::db::publicity::{self, Entry, Notice};
use crate::db::transition::{self, Applications, Objections};
use crate::domain::workflow::{self, ApplicationState, ObjectionAction};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

/// Objections one address may file per hour.
const PER_IP_PER_HOUR: i64 = 5;
/// Evidence files one objection may carry.
const MAX_EVIDENCE_FILES: usize = 10;

#[derive(Debug, Default)]
struct FilingForm {
    application_id: String,
    filer_name: String,
    filer_contact: String,
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

/// Twelve characters from an alphabet without look-alikes: unguessable, easy to read aloud.
fn case_number() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
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
    if !notice.is_open_at(now) {
        return Err(AppError::Conflict(
            "不在公示期内，不受理异议。公示期为 ".to_string()
                + &notice.window_label()
                + "（北京时间）。",
        ));
    }
    let hour_ago = now - chrono::Duration::hours(1);
    if objections::count_from_ip(&state.db, &client.ip, hour_ago).await? >= PER_IP_PER_HOUR {
        return Err(AppError::TooManyRequests(
            "提交过于频繁，请一小时后再试。".into(),
        ));
    }
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
        grounds: upload.field("grounds").trim().to_string(),
    };
    let entries = publicity::entries(&state.db, tenant_id, id).await?;
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
    let (Some(target), true) = (target, errors.is_empty()) else {
        return form_page(ctx, &state, notice, form, errors).await;
    };
    let case_no = case_number();
    let new = NewObjection {
        notice_id: id,
        application_id: target.application_id,
        case_no: &case_no,
        filer_name: &form.filer_name,
        filer_contact: &form.filer_contact,
        grounds: &form.grounds,
        filed_at: now,
        filer_ip: &client.ip,
    };
    let mut tx = state.db.begin().await?;
    objections::lock_filer(&mut tx, &client.ip).await?;
    // Under the application's lock (the award takes it too), the park must still be in
    // publicity: an objection is never filed behind an award that did not count it.
    let locked = transition::lock_state::<Applications>(&mut tx, tenant_id, target.application_id)
        .await?
        .parse::<ApplicationState>()
        .map_err(|e| AppError::Internal(e.into()))?;
    workflow::check_objection_filing(locked).map_err(transition::refused)?;
    let minute_ago = now - chrono::Duration::minutes(1);
    if let Some(first) = objections::same_filed_since(&mut tx, tenant_id, &new, minute_ago).await? {
        return render(&FiledPage {
            ctx,
            case_no: first,
        });
    }
    if objections::count_from_ip(&mut *tx, &client.ip, hour_ago).await? >= PER_IP_PER_HOUR {
        return Err(AppError::TooManyRequests(
            "提交过于频繁，请一小时后再试。".into(),
        ));
    }
    let objection = objections::insert(&mut tx, tenant_id, &new).await?;
    for file in upload.files() {
        files::keep(
            &state,
            &mut tx,
            tenant_id,
            Owner::Objection(objection),
            "objection_evidence",
            file,
            None,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        audit::Entry {
            after: Some(json!({
                "case_no": case_no, "application_id": target.application_id,
                "evidence": upload.files().map(|f| f.filename.clone()).collect::<Vec<_>>(),
            })),
            ..client.audit(Some(tenant_id), None, "objection", objection, "file")
        },
    )
    .await?;
    tx.commit().await?;
    render(&FiledPage { ctx, case_no })
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
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.role FROM users u
         WHERE u.tenant_id = $1 AND u.active AND u.role IN ('bureau', 'expert')
           AND NOT EXISTS (SELECT 1 FROM assignments s JOIN experts e ON e.tenant_id = s.tenant_id AND e.id = s.expert_id
                           WHERE s.tenant_id = u.tenant_id AND e.user_id = u.id AND s.application_id = $2
                             AND s.conflict = 'none' AND s.state = 'submitted')
         ORDER BY u.role, u.id",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(&state.db)
    .await?;
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
    let mut tx = state.db.begin().await?;
    transition::apply_in::<Objections>(
        &mut tx,
        tenant_id,
        id,
        ObjectionAction::Investigate,
        &client.by(&user),
        None,
        &(),
    )
    .await?;
    objections::set_investigator(&mut tx, tenant_id, id, investigator).await?;
    tx.commit().await?;
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
    let mut tx = state.db.begin().await?;
    objections::record_decision(
        &mut tx,
        tenant_id,
        id,
        form.investigation.trim(),
        form.reason.trim(),
    )
    .await?;
    transition::apply_in::<Objections>(
        &mut tx,
        tenant_id,
        id,
        action,
        &client.by(&user),
        Some(form.reason.trim()),
        &(),
    )
    .await?;
    tx.commit().await?;
    flash(&session, "success", format!("已{}。", action.label())).await?;
    Ok(Redirect::to(&format!("{}/objections/{id}", user.home_url())).into_response())
}

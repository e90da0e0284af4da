//! Calls for applications: the bureau drafts, edits and publishes them; the public reads them.
use super::files;
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::calls::{self, Call, CallFields};
use crate::db::documents::{self, Document};
use crate::db::rulesets::{self, VersionRow};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::Deserialize;
use tower_sessions::Session;

pub use crate::domain::time::shanghai_minute;

fn input_value(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The state a visitor sees: an open call past its deadline is closed even before the
/// scheduled job has recorded it, so no page ever invites a late application.
pub fn state_label(call: &Call, now: DateTime<Utc>) -> &'static str {
    use crate::domain::workflow::CallState;
    match call.state {
        CallState::Open if now >= call.deadline => "已截止",
        CallState::Open if now < call.opens_at => "即将开始",
        state => state.label(),
    }
}

pub struct CallView {
    pub call: Call,
    pub state_label: &'static str,
    pub opens: String,
    pub deadline: String,
}

impl CallView {
    pub fn new(call: Call, now: DateTime<Utc>) -> CallView {
        CallView {
            state_label: state_label(&call, now),
            opens: shanghai_minute(call.opens_at),
            deadline: shanghai_minute(call.deadline),
            call,
        }
    }
}

#[derive(Template)]
#[template(path = "bureau/calls.html")]
struct ListPage {
    ctx: PageCtx,
    calls: Vec<CallView>,
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let now = state.clock.now();
    let calls = calls::list(&state.db, tenant_id, calls::Audience::Bureau)
        .await?
        .into_iter()
        .map(|c| CallView::new(c, now))
        .collect();
    render(&ListPage { ctx, calls })
}

impl CallForm {
    /// An example title in the tenant's own words (its city, the year typed).
    pub fn title_example(&self, ctx: &PageCtx) -> String {
        let city = ctx.tenant.as_ref().map(|t| t.city.as_str()).unwrap_or("");
        let year = self.year.trim();
        let year = if year.is_empty() { "××××" } else { year };
        format!("例如 关于开展{year}年度{city}跨境电子商务产业园区认定工作的通知")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CallForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    rule_set_version_id: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    description: String,
    /// `written` or `both` (with an on-site inspection).
    #[serde(default)]
    review_forms: String,
    #[serde(default)]
    lock_version: String,
}

impl CallForm {
    fn from_call(call: &Call) -> CallForm {
        CallForm {
            title: call.title.clone(),
            year: call.year.to_string(),
            rule_set_version_id: call.rule_set_version_id.to_string(),
            opens_at: input_value(call.opens_at),
            deadline: input_value(call.deadline),
            description: call.description.clone(),
            review_forms: call.review_forms.clone(),
            lock_version: call.lock_version.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "bureau/call_form.html")]
struct FormPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    form: CallForm,
    errors: FieldErrors,
    versions: Vec<VersionRow>,
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    call: Option<&Call>,
    form: CallForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let (heading, action) = match call {
        Some(c) => (
            format!("编辑申报通知：{}", c.title),
            format!("{}/calls/{}", ctx.home(), c.id),
        ),
        None => ("新建申报通知".to_string(), format!("{}/calls", ctx.home())),
    };
    let versions = rulesets::active(&state.db, tenant_id).await?;
    render_with(
        status,
        &FormPage {
            ctx,
            heading,
            action,
            form,
            errors,
            versions,
        },
    )
}

pub(crate) async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let form = CallForm {
        year: state
            .clock
            .now()
            .with_timezone(&Shanghai)
            .format("%Y")
            .to_string(),
        ..Default::default()
    };
    form_page(ctx, &state, tenant_id, None, form, FieldErrors::default()).await
}

fn parse_local(value: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Shanghai
        .from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// Validated fields, owned so the form can still be shown again.
struct Valid {
    title: String,
    year: i32,
    rule_set_version_id: i64,
    opens_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    description: String,
    review_forms: &'static str,
}

impl Valid {
    fn fields(&self) -> CallFields<'_> {
        CallFields {
            title: &self.title,
            year: self.year,
            rule_set_version_id: self.rule_set_version_id,
            opens_at: self.opens_at,
            deadline: self.deadline,
            description: &self.description,
            review_forms: self.review_forms,
        }
    }
}

async fn validate(
    state: &AppState,
    tenant_id: i64,
    form: &CallForm,
) -> AppResult<Result<Valid, FieldErrors>> {
    let mut errors = FieldErrors::default();
    let title = form.title.trim().to_string();
    if !(4..=120).contains(&title.chars().count()) {
        errors.add("title", "请填写通知标题（4–120字）。");
    }
    let year = form
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("year", "请填写年度，例如 2026。");
    }
    let versions = rulesets::active(&state.db, tenant_id).await?;
    let version = form
        .rule_set_version_id
        .parse::<i64>()
        .ok()
        .filter(|id| versions.iter().any(|v| v.id == *id));
    if version.is_none() {
        errors.add("rule_set_version_id", "请选择本通知适用的认定规则版本。");
    }
    let opens_at = parse_local(&form.opens_at);
    if opens_at.is_none() {
        errors.add("opens_at", "请填写开始时间（北京时间）。");
    }
    let deadline = parse_local(&form.deadline);
    if deadline.is_none() {
        errors.add("deadline", "请填写截止时间（北京时间）。");
    }
    if let (Some(o), Some(d)) = (opens_at, deadline)
        && d <= o
    {
        errors.add("deadline", "截止时间应晚于开始时间。");
    }
    let description = form.description.trim().to_string();
    if description.chars().count() > 20_000 {
        errors.add("description", "通知正文不超过20000字。");
    }
    let review_forms = match form.review_forms.as_str() {
        "" | "written" => "written",
        "both" => "both",
        _ => {
            errors.add("review_forms", "请选择评审形式。");
            "written"
        }
    };
    match (year, version, opens_at, deadline, errors.is_empty()) {
        (Some(year), Some(rule_set_version_id), Some(opens_at), Some(deadline), true) => {
            Ok(Ok(Valid {
                title,
                year,
                rule_set_version_id,
                opens_at,
                deadline,
                description,
                review_forms,
            }))
        }
        _ => Ok(Err(errors)),
    }
}

pub(crate) async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<CallForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let valid = match validate(&state, tenant_id, &form).await? {
        Ok(v) => v,
        Err(errors) => return form_page(ctx, &state, tenant_id, None, form, errors).await,
    };
    let by = client.by(&user);
    let id = service::calls::create_draft(&state, tenant_id, &by, &valid.fields()).await?;
    flash(&session, "success", "申报通知草稿已保存。").await?;
    Ok(Redirect::to(&format!("{}/calls/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "bureau/call.html")]
struct ShowPage {
    ctx: PageCtx,
    view: CallView,
    attachments: Vec<Document>,
    max_mb: usize,
    form: CallForm,
    errors: FieldErrors,
    versions: Vec<VersionRow>,
    conflict: bool,
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = calls::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    show_page(
        ctx,
        &state,
        tenant_id,
        call,
        None,
        FieldErrors::default(),
        false,
    )
    .await
}

async fn show_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    call: Call,
    form: Option<CallForm>,
    errors: FieldErrors,
    conflict: bool,
) -> AppResult<Response> {
    let status = if conflict {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        errors.status()
    };
    let form = form.unwrap_or_else(|| CallForm::from_call(&call));
    let versions = rulesets::active(&state.db, tenant_id).await?;
    let attachments = documents::attached_to_call(&state.db, tenant_id, call.id).await?;
    let view = CallView::new(call, state.clock.now());
    render_with(
        status,
        &ShowPage {
            ctx,
            view,
            attachments,
            max_mb: state.config.max_upload_bytes / (1024 * 1024),
            form,
            errors,
            versions,
            conflict,
        },
    )
}

pub(crate) async fn update(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<CallForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = calls::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if call.state != crate::domain::workflow::CallState::Draft {
        return Err(AppError::Conflict("已发布的通知不能再修改。".into()));
    }
    let valid = match validate(&state, tenant_id, &form).await? {
        Ok(v) => v,
        Err(errors) => {
            return show_page(ctx, &state, tenant_id, call, Some(form), errors, false).await;
        }
    };
    let lock_version = form.lock_version.parse::<i32>().unwrap_or(-1);
    let by = client.by(&user);
    if !service::calls::edit_draft(&state, tenant_id, &by, &call, lock_version, &valid.fields())
        .await?
    {
        // Someone saved in between: show their version's state but keep every field typed here.
        let current = calls::get(&state.db, tenant_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let form = CallForm {
            lock_version: current.lock_version.to_string(),
            ..form
        };
        return show_page(
            ctx,
            &state,
            tenant_id,
            current,
            Some(form),
            FieldErrors::default(),
            true,
        )
        .await;
    }
    flash(&session, "success", "申报通知已保存。").await?;
    Ok(Redirect::to(&format!("{}/calls/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "public/call.html")]
struct PublicPage {
    ctx: PageCtx,
    view: CallView,
    attachments: Vec<Document>,
}

pub(crate) async fn public_show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let call = calls::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if call.state == crate::domain::workflow::CallState::Draft {
        return Err(AppError::NotFound);
    }
    render(&PublicPage {
        attachments: documents::attached_to_call(&state.db, tenant_id, id).await?,
        ctx,
        view: CallView::new(call, state.clock.now()),
    })
}

/// Attaches the official notice (the sealed PDF the bureau also posts on its website) or another
/// file to a call; the public page lists it once the call is published.
pub(crate) async fn attach(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = calls::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let upload = files::read_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let Some(file) = upload.file.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.add("file", "请选择要上传的文件。");
        }
        return show_page(ctx, &state, tenant_id, call, None, errors, false).await;
    };
    service::calls::attach_document(&state, tenant_id, &client.by(&user), id, &file).await?;
    flash(&session, "success", format!("已上传 {}。", file.filename)).await?;
    Ok(Redirect::to(&format!("{}/calls/{id}#attachments", user.home_url())).into_response())
}

/// Publishing opens the call (or schedules it to open at `opens_at`) and freezes its rule-set
/// version: the row can no longer be edited.
pub(crate) async fn publish(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    service::calls::publish(&state, tenant_id, &client.by(&user), id).await?;
    flash(
        &session,
        "success",
        "申报通知已发布，公众可在本局首页查看。",
    )
    .await?;
    Ok(Redirect::to(&format!("{}/calls/{id}", user.home_url())).into_response())
}

//! The bureau's expert pool (专家库): list, add one, import from XLSX, open a sign-in account,
//! deactivate, and each expert's panels served.
use crate::auth::CurrentUser;
use crate::db::experts::{self, Expert};
use crate::db::jurisdictions;
use crate::domain::expert_pool;
use crate::error::{AppError, AppResult};
use crate::io::expert_pool as pool_xlsx;
use crate::io::storage::FileKind;
use crate::service;
use crate::state::AppState;
use crate::web::bureau::{validate_login, validate_password};
use crate::web::calls::shanghai_minute;
use crate::web::files;
use crate::web::page::{FieldErrors, PageCtx, flash, render_with};
use crate::web::register::jurisdiction_options;
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExpertForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    employer_uscc: String,
    #[serde(default)]
    specialties: String,
    #[serde(default)]
    home_jurisdiction_id: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    title: String,
}

#[derive(Template)]
#[template(path = "review/experts.html")]
struct ListPage {
    ctx: PageCtx,
    experts: Vec<Expert>,
    jurisdictions: Vec<(String, String)>,
    form: ExpertForm,
    errors: FieldErrors,
    import_errors: Vec<String>,
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: ExpertForm,
    errors: FieldErrors,
    import_errors: Vec<String>,
) -> AppResult<Response> {
    let status = if import_errors.is_empty() {
        errors.status()
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        experts: experts::list(&state.db, tenant_id).await?,
        jurisdictions: jurisdiction_options(state, tenant_id).await?,
        ctx,
        form,
        errors,
        import_errors,
    };
    render_with(status, &page)
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    list_page(
        ctx,
        &state,
        tenant_id,
        ExpertForm::default(),
        FieldErrors::default(),
        Vec::new(),
    )
    .await
}

pub(crate) async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ExpertForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    // The same checks as an imported row (domain::expert_pool), keyed by this form's fields.
    let expert = expert_pool::parse_expert_form(
        &form.name,
        &form.employer,
        &form.employer_uscc,
        &form.specialties,
        &form.mobile,
        &form.email,
        &form.title,
    )
    .map_err(|problems| {
        for (key, reason) in problems {
            errors.add(key, reason);
        }
    })
    .ok();
    let jurisdiction = match form.home_jurisdiction_id.parse::<i64>() {
        Ok(id) => jurisdictions::get(&state.db, tenant_id, id)
            .await?
            .map(|j| j.id),
        Err(_) => None,
    };
    let Some(expert) = expert else {
        return list_page(ctx, &state, tenant_id, form, errors, Vec::new()).await;
    };
    let by = client.by(&user);
    let added = service::experts::add(&state, tenant_id, &by, &expert, jurisdiction).await?;
    if added.is_none() {
        errors.add("mobile", "专家库中已有该手机号码的专家。");
        return list_page(ctx, &state, tenant_id, form, errors, Vec::new()).await;
    }
    flash(
        &session,
        "success",
        format!("已将 {} 加入专家库。", expert.name),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/experts", user.home_url())).into_response())
}

/// All-or-nothing import: every row valid and new, or nothing is added.
pub(crate) async fn import(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let upload = files::read_data_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let Some(bytes) = upload.bytes.filter(|_| errors.is_empty()) else {
        return list_page(
            ctx,
            &state,
            tenant_id,
            ExpertForm::default(),
            errors,
            Vec::new(),
        )
        .await;
    };
    let parsed = crate::io::parse_off_thread(move || pool_xlsx::parse_expert_pool(&bytes)).await?;
    let rows = match parsed {
        Ok(rows) => rows,
        Err(messages) => {
            return list_page(
                ctx,
                &state,
                tenant_id,
                ExpertForm::default(),
                FieldErrors::default(),
                messages,
            )
            .await;
        }
    };
    let by = client.by(&user);
    if let Err(messages) = service::experts::import(&state, tenant_id, &by, &rows).await? {
        return list_page(
            ctx,
            &state,
            tenant_id,
            ExpertForm::default(),
            FieldErrors::default(),
            messages,
        )
        .await;
    }
    flash(
        &session,
        "success",
        format!("已导入 {} 位专家。", rows.len()),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/experts", user.home_url())).into_response())
}

pub(crate) async fn template(_user: CurrentUser) -> AppResult<Response> {
    Ok(files::attachment(
        pool_xlsx::expert_pool_template(),
        FileKind::Xlsx,
        "专家库导入模板.xlsx",
    ))
}

pub struct Served {
    pub panel_id: i64,
    pub panel: String,
    pub call: String,
    pub at: String,
    pub declined: Option<String>,
}

#[derive(Template)]
#[template(path = "review/expert.html")]
struct ShowPage {
    ctx: PageCtx,
    expert: Expert,
    served: Vec<Served>,
    errors: FieldErrors,
    login: String,
}

async fn show_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    errors: FieldErrors,
    login: String,
) -> AppResult<Response> {
    let expert = experts::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let served = experts::history(&state.db, tenant_id, id)
        .await?
        .into_iter()
        .map(|(panel_id, panel, call, at, declined)| Served {
            panel_id,
            panel,
            call,
            at: shanghai_minute(at),
            declined,
        })
        .collect();
    let page = ShowPage {
        ctx,
        expert,
        served,
        errors,
        login,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    show_page(
        ctx,
        &state,
        user.tenant()?,
        id,
        FieldErrors::default(),
        String::new(),
    )
    .await
}

pub(crate) async fn toggle(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let by = client.by(&user);
    let expert = service::experts::toggle_active(&state, tenant_id, &by, id).await?;
    let message = if expert.active {
        "已停用，今后不参加抽签。"
    } else {
        "已启用。"
    };
    flash(&session, "success", format!("{}{message}", expert.name)).await?;
    Ok(Redirect::to(&format!("{}/experts/{id}", user.home_url())).into_response())
}

#[derive(Deserialize)]
pub(crate) struct AccountForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// Opens the expert's sign-in account (role expert), linked to the pool entry.
pub(crate) async fn open_account(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let expert = experts::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if expert.user_id.is_some() {
        return Err(AppError::Conflict("该专家已有账号。".into()));
    }
    let login = form.login.trim().to_lowercase();
    let mut errors = FieldErrors::default();
    validate_login(&login, &mut errors);
    let policy = crate::db::security_policy::get(&state.db).await?;
    validate_password(&policy, (&login, &form.password), &mut errors);
    if !errors.is_empty() {
        return show_page(ctx, &state, tenant_id, id, errors, login).await;
    }
    let by = client.by(&user);
    let opened =
        service::experts::open_account(&state, tenant_id, &by, &expert, &login, &form.password)
            .await?;
    if opened.is_none() {
        errors.add("login", "该账号已存在，请换一个。");
        return show_page(ctx, &state, tenant_id, id, errors, login).await;
    }
    flash(
        &session,
        "success",
        format!("已为 {} 开通账号 {login}。", expert.name),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/experts/{id}", user.home_url())).into_response())
}

//! Third-party review institutions (第三方机构): the bureau registers them, opens their staff
//! accounts and commissions applications; the staff read the application and submit the
//! institution's opinion with its report.
use crate::auth::CurrentUser;
use crate::db::applications::{self, Scope};
use crate::db::institutions::{self, Institution, Review};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};
use crate::service::institutions as service;
use crate::state::AppState;
use crate::web::applications::{VersionView, load, version_view};
use crate::web::bureau::{validate_login, validate_password};
use crate::web::files::read_upload;
use crate::web::page::{FieldErrors, PageCtx, Typed, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

type Fields = Typed;

// ---------------------------------------------------------------------------------------------
// The bureau's register of institutions

#[derive(Template)]
#[template(path = "review/institutions.html")]
struct ListPage {
    ctx: PageCtx,
    institutions: Vec<Institution>,
    form: Fields,
    errors: FieldErrors,
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = ListPage {
        institutions: institutions::list(&state.db, tenant_id).await?,
        form,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    list_page(
        ctx,
        &state,
        user.tenant()?,
        Fields::default(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn register(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let name = form.get("name");
    if !(2..=100).contains(&name.chars().count()) {
        errors.add("name", "请填写机构名称（2–100字）。");
    }
    let uscc = form.get("uscc").to_uppercase();
    if let Err(e) = Uscc::parse(&uscc) {
        errors.add("uscc", e.to_string());
    }
    let contact = form.get("contact");
    if contact.chars().count() > 100 {
        errors.add("contact", "联系人不超过100字。");
    }
    if !errors.is_empty() {
        return list_page(ctx, &state, tenant_id, form, errors).await;
    }
    let by = client.by(&user);
    let Some(id) = service::register(&state, tenant_id, &by, (name, &uscc, contact)).await? else {
        errors.add("uscc", "已登记过统一社会信用代码相同的机构。");
        return list_page(ctx, &state, tenant_id, form, errors).await;
    };
    flash(&session, "success", format!("已登记第三方机构 {name}。")).await?;
    Ok(Redirect::to(&format!("{}/institutions/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "review/institution.html")]
struct ShowPage {
    ctx: PageCtx,
    institution: Institution,
    staff: Vec<(i64, String, String)>,
    reviews: Vec<Review>,
    form: Fields,
    errors: FieldErrors,
}

async fn show_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<Response> {
    let institution = institutions::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = ShowPage {
        staff: institutions::staff(&state.db, tenant_id, id).await?,
        reviews: institutions::of_institution(&state.db, tenant_id, id).await?,
        institution,
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
    show_page(
        ctx,
        &state,
        user.tenant()?,
        id,
        Fields::default(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn open_account(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<Fields>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let institution = institutions::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let login = form.get("login").to_lowercase();
    let name = form.get("display_name");
    let secret = form.0.get("password").map(String::as_str).unwrap_or("");
    let mut errors = FieldErrors::default();
    validate_login(&login, &mut errors);
    let policy = crate::db::security_policy::get(&state.db).await?;
    validate_password(&policy, (&login, secret), &mut errors);
    if !(2..=40).contains(&name.chars().count()) {
        errors.add("display_name", "请填写工作人员姓名（2–40字）。");
    }
    if !errors.is_empty() {
        return show_page(ctx, &state, tenant_id, id, form, errors).await;
    }
    let by = client.by(&user);
    let account = (login.as_str(), name, secret);
    if service::open_staff_account(&state, tenant_id, &by, &institution, account)
        .await?
        .is_none()
    {
        errors.add("login", "该账号已存在，请换一个。");
        return show_page(ctx, &state, tenant_id, id, form, errors).await;
    }
    flash(
        &session,
        "success",
        format!("已为 {name} 开通账号 {login}。"),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/institutions/{id}", user.home_url())).into_response())
}

/// Commissions an application in review to an institution (from the application's page).
pub(crate) async fn assign(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<Fields>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load(&state, tenant_id, Scope::Bureau, id).await?;
    let page = format!("{}/applications/{id}#institutions", user.home_url());
    let chosen = form.get("institution").parse::<i64>().ok();
    let institution = match chosen {
        Some(i) => institutions::get(&state.db, tenant_id, i).await?,
        None => None,
    };
    let Some(institution) = institution else {
        flash(&session, "error", "请选择受委托的第三方机构。").await?;
        return Ok(Redirect::to(&page).into_response());
    };
    match service::assign(&state, &loaded, &client.by(&user), &institution).await {
        Ok(_) => {
            flash(
                &session,
                "success",
                format!("已委托 {} 评审。", institution.name),
            )
            .await?
        }
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => flash(&session, "error", m).await?,
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&page).into_response())
}

// ---------------------------------------------------------------------------------------------
// The institution's staff

#[derive(Template)]
#[template(path = "expert/institution_review.html")]
struct ReviewPage {
    ctx: PageCtx,
    review: Review,
    version: Option<VersionView>,
    form: Fields,
    errors: FieldErrors,
}

/// A review of the signed-in staff member's own institution; anything else is "not found".
async fn own_review(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Review> {
    let tenant_id = user.tenant()?;
    let mine = institutions::of_user(&state.db, tenant_id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    institutions::review(&state.db, tenant_id, id)
        .await?
        .filter(|r| r.institution_id == mine.id)
        .ok_or(AppError::NotFound)
}

async fn review_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    review: Review,
    form: Fields,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load(state, tenant_id, Scope::Bureau, review.application_id).await?;
    let version = applications::versions(&state.db, tenant_id, review.application_id)
        .await?
        .last()
        .map(|v| version_view(&loaded, v));
    let page = ReviewPage {
        review,
        version,
        form,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn review(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let review = own_review(&state, &user, id).await?;
    review_page(
        ctx,
        &state,
        &user,
        review,
        Fields::default(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn submit(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let review = own_review(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "report",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let opinion = upload.field("opinion").to_string();
    let summary = upload.field("summary").trim().to_string();
    if !["pass", "fail"].contains(&opinion.as_str()) {
        errors.add("opinion", "请选择机构评审意见：通过或不通过。");
    }
    if summary.chars().count() < 10 {
        errors.add("summary", "请填写评审意见说明（不少于10字）。");
    }
    if upload.file.is_none() && errors.get("report").is_none() {
        errors.add("report", "请上传加盖机构公章的评审报告（PDF）。");
    }
    let form = Typed(upload.fields.clone());
    let Some(report) = upload.file.as_ref().filter(|_| errors.is_empty()) else {
        return review_page(ctx, &state, &user, review, form, errors).await;
    };
    let loaded = load(&state, user.tenant()?, Scope::Bureau, review.application_id).await?;
    let by = client.by(&user);
    service::submit_opinion(&state, &loaded, &by, &review, (&opinion, &summary, report)).await?;
    flash(&session, "success", "机构评审意见已提交并锁定。").await?;
    Ok(Redirect::to(&format!("{}/institution-reviews/{id}", user.home_url())).into_response())
}

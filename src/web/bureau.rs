//! The bureau's area: its home, its users and its jurisdictions. Every query is scoped by the
//! signed-in user's tenant.
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::jurisdictions::{self, Jurisdiction};
use crate::db::users::{self, UserRow};
use crate::db::{applications, calendar, calls, tenants};
use crate::domain::role::Role;
use crate::error::AppResult;
use crate::service;
use crate::service::users::NewAccount;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "bureau/home.html")]
struct Home {
    ctx: PageCtx,
    user_count: i64,
    jurisdiction_count: i64,
    calls: Vec<CallProgress>,
    /// The tenant's rules award parks on a higher authority's list directly (Zhongshan 第九条).
    provincial: bool,
    todo: service::todo::TodoList,
    calendar_warning: Option<String>,
    /// A new city's first-run checklist, until every step is done.
    onboarding: Option<Vec<service::onboarding::Step>>,
}

/// From 1 November the bureau is told when next year's holiday calendar is not loaded: a
/// publicity or deadline reaching into that year cannot be counted in working days.
fn calendar_warning(today: chrono::NaiveDate, covers: impl Fn(i32) -> bool) -> Option<String> {
    let missing = if !covers(today.year()) {
        today.year()
    } else if today.month() >= 11 && !covers(today.year() + 1) {
        today.year() + 1
    } else {
        return None;
    };
    Some(format!(
        "尚未导入{missing}年节假日安排：公示期等按工作日计算的期限无法进入{missing}年，发布公示时将被拒绝。请联系平台管理员按国务院办公厅公布的{missing}年节假日安排导入。"
    ))
}

/// A published call and where its applications stand.
struct CallProgress {
    id: i64,
    title: String,
    state_label: &'static str,
    /// Forwarded by the counties, waiting for the bureau's formal check.
    awaiting_check: i64,
    /// With the counties.
    at_county: i64,
    total: i64,
}

pub(crate) async fn home(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (user_count, jurisdiction_count) = tenants::counts(&state.db, tenant_id).await?;
    let counts = applications::counts_by_call(&state.db, tenant_id).await?;
    let count = |call: i64, states: &[&str]| -> i64 {
        counts
            .iter()
            .filter(|(c, s, _)| *c == call && (states.is_empty() || states.contains(&s.as_str())))
            .map(|(_, _, n)| n)
            .sum()
    };
    let now = state.clock.now();
    let calls = calls::list(&state.db, tenant_id, calls::Audience::Public)
        .await?
        .into_iter()
        .map(|c| CallProgress {
            id: c.id,
            state_label: super::calls::state_label(&c, now),
            awaiting_check: count(c.id, &["forwarded"]),
            at_county: count(c.id, &["submitted"]),
            total: count(c.id, &[]),
            title: c.title,
        })
        .collect();
    let provincial = crate::service::awards::provincial_rules(&state, tenant_id)
        .await?
        .is_some();
    let todo = service::todo::bureau(&state, tenant_id, &ctx.home()).await?;
    let cal = calendar::load(&state.db).await?;
    let calendar_warning = calendar_warning(state.clock.today(), |y| cal.covers(y));
    let onboarding = service::onboarding::checklist(&state, tenant_id, ctx.county()).await?;
    render(&Home {
        onboarding,
        ctx,
        user_count,
        jurisdiction_count,
        calls,
        provincial,
        todo,
        calendar_warning,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    jurisdiction_id: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "bureau/users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<UserRow>,
    jurisdictions: Vec<Jurisdiction>,
    form: NewUserForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, &'static str)>,
}

/// Operators register their own organization (with its USCC) when they apply, so the bureau
/// creates the other roles here.
fn creatable_roles() -> Vec<(&'static str, &'static str)> {
    [Role::County, Role::Expert, Role::Bureau]
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

async fn users_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: NewUserForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = UsersPage {
        ctx,
        users: users::list(&state.db, tenant_id).await?,
        jurisdictions: jurisdictions::list(&state.db, tenant_id).await?,
        form: NewUserForm {
            password: String::new(),
            ..form
        },
        errors,
        roles: creatable_roles(),
    };
    render_with(status, &page)
}

pub(crate) async fn user_list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    users_page(
        ctx,
        &state,
        tenant_id,
        NewUserForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub fn validate_login(login: &str, errors: &mut FieldErrors) {
    let ok = (3..=40).contains(&login.len())
        && login
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !ok {
        errors.add(
            "login",
            "账号为3–40位小写字母、数字或 . _ -，以字母或数字开头。",
        );
    }
}

/// The password rule of every form that sets one: the product's own (length, common passwords,
/// the login) and the security policy's (length, character classes).
pub fn validate_password(
    policy: &crate::domain::security_policy::Policy,
    (login, password): (&str, &str),
    errors: &mut FieldErrors,
) {
    let why = crate::auth::password::weakness(login, password)
        .map(str::to_string)
        .or_else(|| policy.password_problem(password));
    if let Some(why) = why {
        errors.add("password", why);
    }
}

pub fn validate_display_name(name: &str, errors: &mut FieldErrors) {
    if name.is_empty() || name.chars().count() > 60 {
        errors.add("display_name", "请填写姓名（不超过60字）。");
    }
}

pub(crate) async fn user_create(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Form(mut form): Form<NewUserForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    form.login = form.login.trim().to_lowercase();
    form.display_name = form.display_name.trim().to_string();
    let mut errors = FieldErrors::default();
    validate_login(&form.login, &mut errors);
    validate_display_name(&form.display_name, &mut errors);
    let policy = crate::db::security_policy::get(&state.db).await?;
    validate_password(&policy, (&form.login, &form.password), &mut errors);
    let role = form
        .role
        .parse::<Role>()
        .ok()
        .filter(|r| creatable_roles().iter().any(|(k, _)| *k == r.as_str()));
    if role.is_none() {
        errors.add("role", "请选择角色。");
    }
    let mut jurisdiction_id = None;
    if role == Some(Role::County) {
        let chosen = match form.jurisdiction_id.parse::<i64>() {
            Ok(id) => jurisdictions::get(&state.db, tenant_id, id)
                .await?
                .filter(|j| j.active),
            Err(_) => None,
        };
        match chosen {
            Some(j) => jurisdiction_id = Some(j.id),
            None => errors.add("jurisdiction_id", "县（市、区）/镇街用户须选择所属辖区。"),
        }
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return users_page(ctx, &state, tenant_id, form, errors).await;
    };

    let account = NewAccount {
        login: &form.login,
        display_name: &form.display_name,
        role,
        jurisdiction_id,
        password: &form.password,
    };
    let by = client.by(&user);
    if service::users::create(&state, tenant_id, &by, &account)
        .await?
        .is_none()
    {
        errors.add("login", "该账号已存在，请换一个。");
        return users_page(ctx, &state, tenant_id, form, errors).await;
    }
    flash(&session, "success", format!("已创建用户 {}。", form.login)).await?;
    Ok(Redirect::to(&format!("{}/users", user.home_url())).into_response())
}

pub(crate) async fn user_deactivate(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    if id == user.id {
        flash(&session, "error", "不能停用自己的账号。").await?;
        return Ok(Redirect::to(&format!("{}/users", user.home_url())).into_response());
    }
    let login = service::users::deactivate(&state, tenant_id, &client.by(&user), id).await?;
    flash(&session, "success", format!("已停用用户 {login}。")).await?;
    Ok(Redirect::to(&format!("{}/users", user.home_url())).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NewJurisdictionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "bureau/jurisdictions.html")]
struct JurisdictionsPage {
    ctx: PageCtx,
    jurisdictions: Vec<Jurisdiction>,
    kinds: &'static [(&'static str, &'static str)],
    form: NewJurisdictionForm,
    errors: FieldErrors,
    /// Why an imported table was refused, row by row.
    import_errors: Vec<String>,
}

async fn jurisdictions_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: NewJurisdictionForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    refused_import(ctx, state, tenant_id, form, errors, vec![]).await
}

async fn refused_import(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: NewJurisdictionForm,
    errors: FieldErrors,
    import_errors: Vec<String>,
) -> AppResult<Response> {
    let status = errors.status();
    let page = JurisdictionsPage {
        ctx,
        jurisdictions: jurisdictions::list(&state.db, tenant_id).await?,
        kinds: &jurisdictions::KINDS,
        form,
        errors,
        import_errors,
    };
    render_with(status, &page)
}

/// Imports the city's counties (or towns) from a CSV or XLSX table: 名称, 行政区划代码 and
/// optionally 类型. A table with any bad row imports nothing and lists every problem.
pub(crate) async fn jurisdiction_import(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let max = state.config.max_upload_bytes;
    let upload = super::files::read_data_upload(multipart, "file", max, &mut errors).await?;
    let form = NewJurisdictionForm::default();
    let Some(bytes) = upload.bytes.filter(|_| errors.is_empty()) else {
        return refused_import(ctx, &state, tenant_id, form, errors, vec![]).await;
    };
    let prefix = ctx.tenant()?.region_prefix.clone();
    let parsed = crate::io::parse_off_thread(move || {
        let rows = crate::io::spreadsheet::read_table(&bytes).map_err(|e| vec![e.to_string()])?;
        crate::domain::jurisdiction_table::parse(&rows, prefix.as_deref())
            .map_err(|errors| errors.iter().map(|e| e.to_string()).collect())
    })
    .await?;
    let rows = match parsed {
        Ok(rows) => rows,
        Err(problems) => {
            errors.add("file", "表格有误，未导入任何辖区，见下方列表。");
            return refused_import(ctx, &state, tenant_id, form, errors, problems).await;
        }
    };
    let by = client.by(&user);
    let done = service::jurisdictions::import(&state, tenant_id, &by, &rows).await?;
    let mut message = format!("已导入 {} 个辖区。", done.added.len());
    if !done.existing.is_empty() {
        message.push_str(&format!(
            "{} 已存在，未重复添加。",
            done.existing.join("、")
        ));
    }
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/jurisdictions", user.home_url())).into_response())
}

pub(crate) async fn jurisdiction_list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    jurisdictions_page(
        ctx,
        &state,
        tenant_id,
        NewJurisdictionForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn jurisdiction_create(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(mut form): Form<NewJurisdictionForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    form.name = form.name.trim().to_string();
    let mut errors = FieldErrors::default();
    if !(2..=40).contains(&form.name.chars().count()) {
        errors.add("name", "请填写辖区名称（2–40字）。");
    }
    if !jurisdictions::KINDS.iter().any(|(k, _)| *k == form.kind) {
        errors.add("kind", "请选择辖区类型。");
    }
    if !errors.is_empty() {
        return jurisdictions_page(ctx, &state, tenant_id, form, errors).await;
    }
    let by = client.by(&user);
    let created =
        service::jurisdictions::create(&state, tenant_id, &by, &form.name, &form.kind).await?;
    let Some(j) = created else {
        errors.add("name", "已有同名辖区。");
        return jurisdictions_page(ctx, &state, tenant_id, form, errors).await;
    };
    flash(&session, "success", format!("已添加辖区 {}。", j.name)).await?;
    Ok(Redirect::to(&format!("{}/jurisdictions", user.home_url())).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ToggleForm {
    active: String,
}

pub(crate) async fn jurisdiction_toggle(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ToggleForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let active = form.active == "true";
    let by = client.by(&user);
    let j = service::jurisdictions::set_active(&state, tenant_id, &by, id, active).await?;
    let verb = if active { "启用" } else { "停用" };
    flash(&session, "success", format!("已{verb}辖区 {}。", j.name)).await?;
    Ok(Redirect::to(&format!("{}/jurisdictions", user.home_url())).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn the_calendar_warning_starts_on_1_november_when_next_year_is_missing() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let only_2026 = |y: i32| y == 2026;
        assert_eq!(calendar_warning(day(10, 31), only_2026), None);
        let warning = calendar_warning(day(11, 1), only_2026).unwrap();
        assert!(warning.contains("尚未导入2027年节假日安排"), "{warning}");
        assert_eq!(calendar_warning(day(12, 28), |y| y <= 2027), None);
        assert!(
            calendar_warning(day(3, 1), |y| y == 2025)
                .unwrap()
                .contains("2026年")
        );
    }
}

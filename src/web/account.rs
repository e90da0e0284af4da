//! A user's own account: change the password (which ends every other session) and see and end
//! the sessions signed in as them.
use super::page::{FieldErrors, PageCtx, flash, render_with};
use crate::auth::store::id_hash;
use crate::auth::{CurrentUser, password, totp};
use crate::db::transition::By;
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::service::accounts::{self, Own};
use crate::state::AppState;
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tower_sessions::Session;

/// A secret shown to the user and not yet confirmed with a code lives in the session only.
const PENDING_TOTP: &str = "totp_pending";

/// Two-factor sign-in is for the accounts that decide (bureau) and administer (admin).
fn may_use_totp(user: &CurrentUser) -> bool {
    matches!(
        user.role(),
        crate::domain::role::Role::Bureau | crate::domain::role::Role::Admin
    )
}

pub use crate::db::users::SessionRow;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    sessions: Vec<SessionRow>,
    current: String,
    errors: FieldErrors,
    totp_allowed: bool,
    totp_on: bool,
    /// (secret, otpauth address) while the user sets it up.
    totp_pending: Option<(String, String)>,
}

impl AccountPage {
    fn minute(&self, t: &DateTime<Utc>) -> String {
        crate::web::calls::shanghai_minute(*t)
    }
}

/// The user, acting on their own account.
fn own<'a>(user: &CurrentUser, by: &'a By) -> Own<'a> {
    Own {
        user_id: user.id,
        tenant_id: user.tenant_id,
        by,
    }
}

async fn show(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    errors: FieldErrors,
) -> AppResult<Response> {
    let totp_on = users::totp_secret(&state.db, user.id).await?.is_some();
    let pending = session.get::<String>(PENDING_TOTP).await?;
    let page = AccountPage {
        sessions: users::sessions_of(&state.db, user.id).await?,
        current: session.id().map(|id| id_hash(&id)).unwrap_or_default(),
        totp_allowed: may_use_totp(user),
        totp_on,
        totp_pending: pending
            .filter(|_| !totp_on)
            .map(|s| (s.clone(), totp::url(&s, &user.login))),
        ctx,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    session: Session,
) -> AppResult<Response> {
    show(ctx, &state, &user, &session, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// A new password ends every other session of the user: whoever else was signed in as them is
/// signed out at once.
pub(crate) async fn change_password(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let stored = users::password_hash(&state.db, user.id).await?;
    if !password::verify(form.current.clone(), Some(stored)).await? {
        errors.add("current", "当前密码不正确。");
    }
    if let Some(why) = password::weakness(&user.login, &form.password) {
        errors.add("password", why);
    } else if form.password == form.current {
        errors.add("password", "新密码不能与当前密码相同。");
    }
    if form.password != form.password_confirm {
        errors.add("password_confirm", "两次输入的新密码不一致。");
    }
    if !errors.is_empty() {
        return show(ctx, &state, &user, &session, errors).await;
    }
    let hash = password::hash(form.password).await?;
    let current = session
        .id()
        .map(|id| id_hash(&id))
        .ok_or(AppError::Forbidden)?;
    let by = client.by(&user);
    let ended = accounts::change_password(&state, &own(&user, &by), &hash, &current).await?;
    flash(
        &session,
        "success",
        format!("密码已修改，其他 {ended} 个会话已退出登录。"),
    )
    .await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub(crate) struct EndForm {
    #[serde(default)]
    session: String,
}

pub(crate) async fn end_session(
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<EndForm>,
) -> AppResult<Response> {
    let by = client.by(&user);
    accounts::end_session(&state, &own(&user, &by), &form.session).await?;
    flash(&session, "success", "该会话已退出登录。").await?;
    Ok(Redirect::to("/account").into_response())
}

pub(crate) async fn totp_start(user: CurrentUser, session: Session) -> AppResult<Response> {
    if !may_use_totp(&user) {
        return Err(AppError::Forbidden);
    }
    session.insert(PENDING_TOTP, totp::new_secret()).await?;
    Ok(Redirect::to("/account#totp").into_response())
}

#[derive(Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Turns two-factor sign-in on once the user proves their app has the secret.
pub(crate) async fn totp_enable(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if !may_use_totp(&user) {
        return Err(AppError::Forbidden);
    }
    let Some(secret) = session.get::<String>(PENDING_TOTP).await? else {
        return Ok(Redirect::to("/account").into_response());
    };
    if !totp::check(&secret, &form.code, state.clock.now().timestamp()) {
        let mut errors = FieldErrors::default();
        errors.add(
            "code",
            "验证码不正确，请核对手机时间后输入当前显示的 6 位数字。",
        );
        return show(ctx, &state, &user, &session, errors).await;
    }
    let by = client.by(&user);
    accounts::set_totp(&state, &own(&user, &by), Some(&secret)).await?;
    session.remove::<String>(PENDING_TOTP).await?;
    flash(
        &session,
        "success",
        "两步验证已开启，今后登录需输入验证码。",
    )
    .await?;
    Ok(Redirect::to("/account").into_response())
}

pub(crate) async fn totp_disable(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let secret = users::totp_secret(&state.db, user.id).await?;
    let Some(secret) = secret else {
        return Ok(Redirect::to("/account").into_response());
    };
    if !totp::check(&secret, &form.code, state.clock.now().timestamp()) {
        let mut errors = FieldErrors::default();
        errors.add("off_code", "验证码不正确。");
        return show(ctx, &state, &user, &session, errors).await;
    }
    let by = client.by(&user);
    accounts::set_totp(&state, &own(&user, &by), None).await?;
    flash(&session, "success", "两步验证已关闭。").await?;
    Ok(Redirect::to("/account").into_response())
}

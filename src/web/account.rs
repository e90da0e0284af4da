//! A user's own account: change the password (which ends every other session) and see and end
//! the sessions signed in as them.
use super::page::{FieldErrors, PageCtx, flash, render_with};
use crate::auth::store::id_hash;
use crate::auth::{CurrentUser, password, totp};
use crate::db::audit;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
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

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

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

async fn sessions_of(state: &AppState, user_id: i64) -> AppResult<Vec<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT id_hash, created_at, updated_at, expires_at FROM sessions
         WHERE user_id = $1 AND expires_at > now() ORDER BY updated_at DESC",
    )
    .bind(user_id)
    .fetch_all(&state.db)
    .await?)
}

async fn show(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    errors: FieldErrors,
) -> AppResult<Response> {
    let totp_on: bool =
        sqlx::query_scalar("SELECT totp_secret IS NOT NULL FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&state.db)
            .await?;
    let pending = session.get::<String>(PENDING_TOTP).await?;
    let page = AccountPage {
        sessions: sessions_of(state, user.id).await?,
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
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&state.db)
        .await?;
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
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user.id)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user.id)
        .bind(&current)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    record_own(
        &mut tx,
        &client,
        &user,
        "change_password",
        json!({ "password": "changed", "other_sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
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
    let mut tx = state.db.begin().await?;
    // Only the user's own sessions: another user's id hash matches nothing.
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2")
        .bind(user.id)
        .bind(&form.session)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    record_own(
        &mut tx,
        &client,
        &user,
        "end_session",
        json!({ "session": &form.session[..form.session.len().min(12)] }),
    )
    .await?;
    tx.commit().await?;
    flash(&session, "success", "该会话已退出登录。").await?;
    Ok(Redirect::to("/account").into_response())
}

/// An audit entry for a change users make to their own account.
async fn record_own(
    tx: &mut sqlx::PgConnection,
    client: &ClientInfo,
    user: &CurrentUser,
    action: &str,
    after: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        tx,
        audit::Entry {
            after: Some(after),
            ..client.audit(user.tenant_id, Some(user.id), "user", user.id, action)
        },
    )
    .await?;
    Ok(())
}

/// Stores (or clears) the user's two-factor secret, audited; the secret itself is not logged.
async fn set_totp(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    secret: Option<&str>,
) -> AppResult<()> {
    let (action, value) = match secret {
        Some(_) => ("enable_totp", "on"),
        None => ("disable_totp", "off"),
    };
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE users SET totp_secret = $2 WHERE id = $1")
        .bind(user.id)
        .bind(secret)
        .execute(&mut *tx)
        .await?;
    record_own(
        &mut tx,
        client,
        user,
        action,
        json!({ "two_factor": value }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
    set_totp(&state, &user, &client, Some(&secret)).await?;
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
    let secret: Option<String> = sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&state.db)
        .await?;
    let Some(secret) = secret else {
        return Ok(Redirect::to("/account").into_response());
    };
    if !totp::check(&secret, &form.code, state.clock.now().timestamp()) {
        let mut errors = FieldErrors::default();
        errors.add("off_code", "验证码不正确。");
        return show(ctx, &state, &user, &session, errors).await;
    }
    set_totp(&state, &user, &client, None).await?;
    flash(&session, "success", "两步验证已关闭。").await?;
    Ok(Redirect::to("/account").into_response())
}

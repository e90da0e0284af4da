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

/// Two-factor sign-in is for the accounts that decide (bureau) and administer (the platform's
/// three administrators).
fn may_use_totp(user: &CurrentUser) -> bool {
    let role = user.role();
    role == crate::domain::role::Role::Bureau || role.is_platform()
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
    /// The notification form: as stored, or as typed when it had errors.
    channels: ChannelsForm,
    email_on: bool,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct ChannelsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    notify_email: String,
    #[serde(default)]
    notify_sms: String,
}

impl ChannelsForm {
    fn stored(c: users::Channels) -> ChannelsForm {
        let on = |b: bool| if b { "on".to_string() } else { String::new() };
        ChannelsForm {
            email: c.email.unwrap_or_default(),
            mobile: c.mobile.unwrap_or_default(),
            notify_email: on(c.notify_email),
            notify_sms: on(c.notify_sms),
        }
    }

    /// The choice as stored, or the errors next to its fields.
    fn parse(&self, errors: &mut FieldErrors) -> users::Channels {
        let email = Some(self.email.trim().to_string()).filter(|e| !e.is_empty());
        let mobile = Some(self.mobile.trim().to_string()).filter(|m| !m.is_empty());
        if email.as_deref().is_some_and(|e| !is_email(e)) {
            errors.add("email", "请填写有效的电子邮箱，如 name@example.gov.cn。");
        }
        if mobile.as_deref().is_some_and(|m| !is_mobile(m)) {
            errors.add("mobile", "请填写11位手机号码。");
        }
        let (notify_email, notify_sms) = (self.notify_email == "on", self.notify_sms == "on");
        if notify_email && email.is_none() {
            errors.add("email", "选择邮件通知时，请填写电子邮箱。");
        }
        if notify_sms && mobile.is_none() {
            errors.add("mobile", "选择短信通知时，请填写手机号码。");
        }
        users::Channels {
            email,
            mobile,
            notify_email,
            notify_sms,
        }
    }
}

/// As the users table's check accepts it: one @, a dot in the domain, no spaces.
fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
                && s.len() <= 254
        }
        None => false,
    }
}

/// A mainland mobile number, 1[3-9] and nine digits.
fn is_mobile(s: &str) -> bool {
    s.len() == 11
        && s.starts_with('1')
        && s.as_bytes()
            .get(1)
            .is_some_and(|b| (b'3'..=b'9').contains(b))
        && s.bytes().all(|b| b.is_ascii_digit())
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
    let channels = ChannelsForm::stored(users::channels(&state.db, user.id).await?);
    show_with(ctx, state, user, session, errors, channels).await
}

async fn show_with(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    session: &Session,
    errors: FieldErrors,
    channels: ChannelsForm,
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
        channels,
        email_on: state.outbox.mailer.is_some(),
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

/// Where, besides the inbox, the user is told.
pub(crate) async fn set_channels(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<ChannelsForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let channels = form.parse(&mut errors);
    if !errors.is_empty() {
        return show_with(ctx, &state, &user, &session, errors, form).await;
    }
    let by = client.by(&user);
    accounts::set_channels(&state, &own(&user, &by), &channels).await?;
    flash(&session, "success", "通知方式已保存。").await?;
    Ok(Redirect::to("/account").into_response())
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
    let policy = crate::db::security_policy::get(&state.db).await?;
    let why = password::weakness(&user.login, &form.password)
        .map(str::to_string)
        .or_else(|| policy.password_problem(&form.password));
    if let Some(why) = why {
        errors.add("password", why);
    } else if form.password == form.current {
        errors.add("password", "新密码不能与当前密码相同。");
    } else if reused(&state, user.id, &form.password, policy.history).await? {
        let message = format!("新密码不能与最近 {} 次使用过的密码相同。", policy.history);
        errors.add("password", message);
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
    session
        .remove::<bool>(crate::auth::user::PASSWORD_EXPIRED_KEY)
        .await?;
    flash(
        &session,
        "success",
        format!("密码已修改，其他 {ended} 个会话已退出登录。"),
    )
    .await?;
    Ok(Redirect::to("/account").into_response())
}

/// Whether `password` is one of the user's last `count` passwords (the current one included).
async fn reused(state: &AppState, user_id: i64, password: &str, count: u32) -> AppResult<bool> {
    for old in users::recent_password_hashes(&state.db, user_id, count).await? {
        if password::verify(password.to_string(), Some(old)).await? {
            return Ok(true);
        }
    }
    Ok(false)
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

//! Sign-in and sign-out. Tenant users sign in on their tenant's page; platform admins on /admin/login.
use super::page::{FieldErrors, PageCtx, flash, render_with};
use super::request::ClientInfo;
use crate::auth::{csrf, password, store::USER_KEY, throttle, user::SIGNED_IN_AT_KEY};
use crate::db::{audit, users};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    /// The authenticator app's code, for accounts with two-factor sign-in.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    form: SignInForm,
    errors: FieldErrors,
    error: Option<String>,
    /// The security policy's notice (系统使用须知), empty for none.
    notice: String,
}

/// Which sign-in page: a tenant's, or the platform admins'.
struct Target {
    tenant_id: Option<i64>,
    heading: String,
    action: String,
    /// `next` is followed only within the user's own area, so the form cannot be used as an
    /// open redirect.
    allowed_next_prefix: String,
    notice: String,
}

impl Target {
    fn of(ctx: &PageCtx) -> AppResult<Target> {
        let tenant = ctx.tenant()?;
        Ok(Target {
            tenant_id: Some(tenant.id),
            heading: format!("{} 登录", tenant.name),
            action: format!("/t/{}/login", tenant.slug),
            allowed_next_prefix: format!("/t/{}/", tenant.slug),
            notice: String::new(),
        })
    }

    /// With the security policy's notice for the page.
    async fn noticed(mut self, state: &AppState) -> AppResult<Target> {
        self.notice = crate::db::security_policy::get(&state.db)
            .await?
            .login_notice;
        Ok(self)
    }

    fn admin() -> Target {
        Target {
            tenant_id: None,
            heading: "平台管理员登录（系统、安全、审计管理员）".into(),
            action: "/admin/login".into(),
            allowed_next_prefix: "/admin/".into(),
            notice: String::new(),
        }
    }

    fn page(
        &self,
        ctx: PageCtx,
        form: SignInForm,
        errors: FieldErrors,
        error: Option<String>,
    ) -> SignInPage {
        SignInPage {
            notice: self.notice.clone(),
            ctx,
            heading: self.heading.clone(),
            action: self.action.clone(),
            // A password is never sent back to the browser.
            form: SignInForm {
                password: String::new(),
                ..form
            },
            errors,
            error,
        }
    }
}

pub(crate) async fn tenant_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let ctx = ctx.with_csrf(&session).await?;
    let target = Target::of(&ctx)?.noticed(&state).await?;
    blank_form(ctx, target, q.next)
}

pub(crate) async fn admin_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let ctx = ctx.with_csrf(&session).await?;
    blank_form(ctx, Target::admin().noticed(&state).await?, q.next)
}

fn blank_form(ctx: PageCtx, target: Target, next: String) -> AppResult<Response> {
    let form = SignInForm {
        next,
        ..Default::default()
    };
    render_with(
        StatusCode::OK,
        &target.page(ctx, form, FieldErrors::default(), None),
    )
}

pub(crate) async fn tenant_submit(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let target = Target::of(&ctx)?.noticed(&state).await?;
    sign_in(ctx, &state, &session, &client, target, form).await
}

pub(crate) async fn admin_submit(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Form(form): Form<SignInForm>,
) -> AppResult<Response> {
    let target = Target::admin().noticed(&state).await?;
    sign_in(ctx, &state, &session, &client, target, form).await
}

async fn sign_in(
    ctx: PageCtx,
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    target: Target,
    mut form: SignInForm,
) -> AppResult<Response> {
    form.login = form.login.trim().to_lowercase();
    let mut errors = FieldErrors::default();
    if form.login.is_empty() {
        errors.add("login", "请输入账号。");
    }
    if form.password.is_empty() {
        errors.add("password", "请输入密码。");
    }
    let reshow = |ctx, form, errors, error, status| {
        render_with(status, &target.page(ctx, form, errors, error))
    };
    if !errors.is_empty() {
        return reshow(ctx, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let policy = crate::db::security_policy::get(&state.db).await?;
    let account = (target.tenant_id, form.login.as_str());
    let attempt = throttle::begin_attempt(&state.db, account, &client.ip, &policy).await?;
    let throttle::Attempt::Counted(attempt) = attempt else {
        let msg = format!(
            "登录失败次数过多，账号已临时锁定，请{}分钟后再试。",
            policy.lockout_minutes
        );
        return reshow(ctx, form, errors, Some(msg), StatusCode::TOO_MANY_REQUESTS);
    };
    let creds = users::credentials(&state.db, target.tenant_id, &form.login).await?;
    let checked = password::verify(
        form.password.clone(),
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    if let Err(password::HashError::Busy) = checked {
        throttle::withdraw_attempt(&state.db, attempt).await?;
    }
    let ok = checked?;
    // With two-factor sign-in on, the code must be right too; the message never says which of
    // the three was wrong.
    let now = state.clock.now().timestamp();
    let second_factor = |c: &users::Credentials| match &c.totp_secret {
        Some(secret) => crate::auth::totp::check(secret, &form.code, now),
        None => true,
    };
    let Some(creds) = creds.filter(|c| ok && second_factor(c)) else {
        // The attempt was counted as a failure before the check.
        tracing::info!(login = form.login, ip = client.ip, "failed sign-in");
        let msg = "账号、密码或验证码不正确。".to_string();
        return reshow(ctx, form, errors, Some(msg), StatusCode::UNAUTHORIZED);
    };
    throttle::clear_account(&state.db, target.tenant_id, &form.login).await?;

    // A new session id at sign-in defeats session fixation; a new CSRF token goes with it.
    session.cycle_id().await?;
    session.insert(USER_KEY, creds.id).await?;
    session
        .insert(SIGNED_IN_AT_KEY, chrono::Utc::now().timestamp())
        .await?;
    session.remove::<String>(csrf::SESSION_KEY).await?;
    csrf::token(session).await?;
    let age = state.clock.now() - creds.password_changed_at;
    if policy
        .max_age_days
        .is_some_and(|days| age > chrono::Duration::days(days as i64))
    {
        session
            .insert(crate::auth::user::PASSWORD_EXPIRED_KEY, true)
            .await?;
        flash(
            session,
            "error",
            "密码已超过安全策略规定的使用期限，请先修改密码后再办理业务。",
        )
        .await?;
    }

    let mut conn = state.db.acquire().await?;
    audit::record(
        &mut conn,
        client.audit(
            target.tenant_id,
            Some(creds.id),
            "user",
            creds.id,
            "sign_in",
        ),
    )
    .await?;

    let user = crate::auth::user::load_user(state, creds.id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished during sign-in")))?;
    let next = if form.next.starts_with(&target.allowed_next_prefix) && !form.next.contains("//") {
        form.next
    } else {
        user.home_url()
    };
    Ok(Redirect::to(&next).into_response())
}

pub(crate) async fn sign_out(session: Session) -> AppResult<Response> {
    session.flush().await?;
    Ok(Redirect::to("/").into_response())
}

//! Who is asking: the signed-in user loaded from the server-side session, and the per-area
//! role guard that every signed-in route sits behind.
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CurrentUser {
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub tenant_slug: Option<String>,
    pub tenant_name: Option<String>,
    pub login: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: RoleColumn,
    pub jurisdiction_id: Option<i64>,
    pub jurisdiction_name: Option<String>,
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
}

/// `Role` read from its text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleColumn(pub Role);

impl TryFrom<String> for RoleColumn {
    type Error = crate::domain::role::UnknownRole;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse().map(RoleColumn)
    }
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.role.0
    }

    /// The tenant of a tenant user; platform admins have none and never reach tenant areas.
    pub fn tenant(&self) -> AppResult<i64> {
        self.tenant_id.ok_or(AppError::Forbidden)
    }

    /// The user's landing page.
    pub fn home_url(&self) -> String {
        match (&self.tenant_slug, self.role()) {
            (Some(slug), role) => format!("/t/{slug}/{}", role.area()),
            (None, role) => role.platform_home().to_string(),
        }
    }
}

/// The signed-in user by the id their session holds. Looked up as the system (whatever tenant
/// the URL names), so that a user who strays into another tenant's URLs is still recognised and
/// refused there, not taken for a stranger.
pub async fn load_user(state: &AppState, user_id: i64) -> sqlx::Result<Option<CurrentUser>> {
    use crate::db::scope::{TenantScope, within};
    within(TenantScope::System, load_user_row(state, user_id)).await
}

async fn load_user_row(state: &AppState, user_id: i64) -> sqlx::Result<Option<CurrentUser>> {
    sqlx::query_as(
        "SELECT u.id, u.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, u.login,
                u.display_name, u.role, u.jurisdiction_id, j.name AS jurisdiction_name,
                u.organization_id, o.name AS organization_name
         FROM users u
         LEFT JOIN tenants t ON t.id = u.tenant_id
         LEFT JOIN jurisdictions j ON j.id = u.jurisdiction_id AND j.tenant_id = u.tenant_id
         LEFT JOIN organizations o ON o.id = u.organization_id AND o.tenant_id = u.tenant_id
         WHERE u.id = $1 AND u.active",
    )
    .bind(user_id)
    .fetch_optional(&state.db)
    .await
}

/// The user of this session, if one is signed in and the session is within its absolute lifetime.
pub async fn session_user(state: &AppState, session: &Session) -> AppResult<Option<CurrentUser>> {
    let Some(uid) = session.get::<i64>(crate::auth::store::USER_KEY).await? else {
        return Ok(None);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY).await?.unwrap_or(0);
    let age = chrono::Utc::now().timestamp() - signed_in_at;
    if age < 0 || age as u64 > state.config.session_absolute.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    Ok(load_user(state, uid).await?)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    /// In a role area the guard has already loaded the user; elsewhere it comes from the session.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| AppError::Internal(anyhow::anyhow!("session layer missing: {m}")))?;
        match session_user(state, &session).await? {
            Some(user) => Ok(user),
            None => Err(AppError::SignInRequired {
                login_url: login_url_for(&original_path(parts)),
            }),
        }
    }
}

/// For pages that anyone may see but that show more to the signed-in.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Option<Self>> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::SignInRequired { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The request's full path: inside a nested router `parts.uri` has lost the nest's prefix.
pub fn original_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

/// The tenant slug in a `/t/{slug}/…` path.
pub fn tenant_slug_of(path: &str) -> Option<&str> {
    path.strip_prefix("/t/")?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

fn login_url_for(path: &str) -> String {
    let next = urlencode(path);
    match tenant_slug_of(path) {
        Some(slug) => format!("/t/{slug}/login?next={next}"),
        None => format!("/admin/login?next={next}"),
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// Guard for a role area: the user must be signed in (else the sign-in page), belong to the
/// tenant in the path (else 404 — another tenant's URLs must not even be confirmed to exist),
/// and have the area's role (else 403).
pub async fn require_role(
    role: Role,
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> AppResult<Response> {
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let Some(user) = session_user(&state, &session).await? else {
        return Err(AppError::SignInRequired {
            login_url: login_url_for(&path),
        });
    };
    if tenant_slug_of(&path) != user.tenant_slug.as_deref() {
        tracing::warn!(user = user.id, path, "request for another tenant's URL");
        return Err(AppError::NotFound);
    }
    if user.role() != role {
        tracing::warn!(
            user = user.id,
            path,
            ?role,
            "request for another role's area"
        );
        return Err(AppError::Forbidden);
    }
    // A password past the policy's age is changed before anything else is done.
    if session
        .get::<bool>(PASSWORD_EXPIRED_KEY)
        .await?
        .unwrap_or(false)
    {
        let to_account = axum::response::Redirect::to("/account#password");
        return Ok(axum::response::IntoResponse::into_response(to_account));
    }
    req.extensions_mut().insert(user);
    Ok(next.run(req).await)
}

/// Set at sign-in when the password is older than the security policy allows; cleared when the
/// password is changed.
pub const PASSWORD_EXPIRED_KEY: &str = "password_expired";

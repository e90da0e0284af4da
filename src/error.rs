//! One error type for every handler. Handlers return `AppError`; the `render_errors` middleware
//! turns it into an HTML error page (or JSON under `/api/`) in one place, with the request id.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not signed in: pages redirect to the sign-in page, the API answers 401.
    #[error("sign-in required")]
    SignInRequired { login_url: String },
    #[error("CSRF check failed: {0}")]
    Csrf(&'static str),
    #[error("too many requests")]
    TooManyRequests(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A body over a limit (HTTP 413).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The action does not fit the object's current state (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // A unique key no handler maps to a field of its own: the same action was done a
            // moment ago (a double click, a second tab, a burst of identical requests), and
            // this one lost the race.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
                tracing::info!(constraint = db.constraint(), "duplicate refused");
                AppError::Conflict(
                    "同样的操作刚刚已经完成（可能来自另一个窗口或重复点击）。请刷新页面查看当前状态。"
                        .into(),
                )
            }
            // Two transactions wrote the same rows at once and PostgreSQL kept one.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("40001") | Some("40P01")) =>
            {
                AppError::Conflict(
                    "有人同时在处理同一事项，本次操作未生效。请刷新页面后重试。".into(),
                )
            }
            other => AppError::Internal(anyhow::Error::new(other).context("database")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("rendering a template"))
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e).context("session store"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// What the error middleware needs to render a page: carried as a response extension so the
/// rendering (which needs the request's path and id) happens in one place.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub message: String,
}

impl AppError {
    /// A state conflict told in the words of the page that met it (the machine's own message
    /// names states; the page knows what the person was trying to do).
    pub fn conflict_reads(self, message: &str) -> AppError {
        match self {
            AppError::Conflict(_) => AppError::Conflict(message.into()),
            other => other,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf(_) => StatusCode::FORBIDDEN,
            AppError::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a user sees: never internals.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "页面不存在，或您无权查看。".into(),
            AppError::Forbidden => "您的角色无权访问此页面。".into(),
            AppError::SignInRequired { .. } => "请先登录。".into(),
            AppError::Csrf(_) => "表单已过期或来源不可信，请返回刷新页面后重新提交。".into(),
            AppError::TooManyRequests(m)
            | AppError::BadRequest(m)
            | AppError::TooLarge(m)
            | AppError::Conflict(m) => m.clone(),
            AppError::Internal(_) => {
                "系统内部错误，请稍后再试；如问题持续，请将请求编号告知系统管理员。".into()
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        } else if let AppError::Csrf(reason) = &self {
            tracing::warn!(reason, "CSRF check failed");
        }
        if let AppError::SignInRequired { login_url } = &self {
            let mut response = Redirect::to(login_url).into_response();
            response.extensions_mut().insert(SignInRedirect);
            return response;
        }
        let status = self.status();
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorInfo {
            status,
            message: self.public_message(),
        });
        response
    }
}

/// Marks a sign-in redirect so the API can answer 401 instead.
#[derive(Debug, Clone, Copy)]
pub struct SignInRedirect;

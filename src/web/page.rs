//! What every page shares: the layout context (user, tenant, CSRF token, flash messages,
//! navigation), form field errors, and turning a template into a response.
use crate::auth::user::{original_path, tenant_slug_of};
use crate::auth::{CurrentUser, csrf};
use crate::db::tenants::Tenant;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tower_sessions::Session;

const FLASH_KEY: &str = "flash";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: String,
    pub message: String,
}

pub async fn flash(session: &Session, kind: &str, message: impl Into<String>) -> AppResult<()> {
    let mut all: Vec<Flash> = session.get(FLASH_KEY).await?.unwrap_or_default();
    all.push(Flash {
        kind: kind.into(),
        message: message.into(),
    });
    session.insert(FLASH_KEY, all).await?;
    Ok(())
}

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The layout's data, extracted once per request.
pub struct PageCtx {
    pub user: Option<CurrentUser>,
    /// The tenant named by a `/t/{slug}/…` path (looked up once per request; handlers reuse it).
    pub tenant: Option<Tenant>,
    pub csrf: String,
    pub flash: Vec<Flash>,
    pub nav: Vec<NavItem>,
    /// The signed-in tenant user's unread messages (the header's 消息 link).
    pub unread: i64,
}

impl PageCtx {
    /// For pages rendered without a request context (the error page).
    pub fn bare() -> PageCtx {
        PageCtx {
            user: None,
            tenant: None,
            csrf: String::new(),
            flash: vec![],
            nav: vec![],
            unread: 0,
        }
    }

    /// The signed-in user's inbox, None outside a tenant (the platform admin).
    pub fn inbox_url(&self) -> Option<String> {
        let slug = self.user.as_ref()?.tenant_slug.as_ref()?;
        Some(format!("/t/{slug}/inbox"))
    }

    /// The tenant of a `/t/{slug}/…` page; an unknown slug is a 404.
    pub fn tenant(&self) -> AppResult<&Tenant> {
        self.tenant.as_ref().ok_or(AppError::NotFound)
    }

    /// For a page with a form an anonymous visitor may post (sign-in, registration, objection):
    /// the session's CSRF token, made now if the visitor has none yet.
    pub async fn with_csrf(mut self, session: &Session) -> AppResult<PageCtx> {
        if self.csrf.is_empty() {
            self.csrf = csrf::token(session).await?;
        }
        Ok(self)
    }

    /// The signed-in user's id, 0 when nobody is signed in (ids start at 1).
    pub fn user_id(&self) -> i64 {
        self.user.as_ref().map(|u| u.id).unwrap_or(0)
    }

    /// The signed-in user's landing page, the root of their area's links.
    pub fn home(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.home_url())
            .unwrap_or_else(|| "/".into())
    }

    /// The role's name in the tenant's words (a 镇街 office in Zhongshan).
    pub fn role_label(&self) -> String {
        match self.user.as_ref().map(|u| u.role()) {
            Some(crate::domain::role::Role::County) => format!("{}商务主管部门", self.county()),
            Some(role) => role.label().to_string(),
            None => String::new(),
        }
    }

    /// What this tenant calls its sub-municipal offices: 县（市、区） (Wenzhou) or 镇街
    /// (Zhongshan); outside a tenant, both.
    pub fn county(&self) -> &str {
        self.tenant
            .as_ref()
            .map(|t| t.county_term.as_str())
            .unwrap_or("县（市、区）/镇街")
    }

    /// `prefix` followed by the tenant's word for its offices ("所在" → "所在镇街").
    pub fn county_with(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.county())
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| AppError::Internal(anyhow::anyhow!("session layer missing: {m}")))?;
        let user = match parts.extensions.get::<CurrentUser>() {
            Some(u) => Some(u.clone()),
            None => crate::auth::user::session_user(state, &session).await?,
        };
        let path = original_path(parts);
        // The tenant-scope middleware has looked the URL's tenant up already.
        let tenant = match (parts.extensions.get::<Tenant>(), tenant_slug_of(&path)) {
            (Some(t), _) => Some(t.clone()),
            (None, Some(slug)) => state.tenants.by_slug(&state.db, slug).await?,
            (None, None) => None,
        };
        // Signed-in users always get a token (every signed-in page has a form). An anonymous
        // visitor's is made by the pages with a form for them (`with_csrf`), so that reading the
        // public pages creates no session and writes nothing.
        let csrf = if user.is_some() {
            csrf::token(&session).await?
        } else {
            session
                .get::<String>(csrf::SESSION_KEY)
                .await?
                .unwrap_or_default()
        };
        // Taken out only when there is one: removing marks the session changed, and a changed
        // session is written back to the database at the end of the request.
        let flash: Vec<Flash> = match session.get(FLASH_KEY).await? {
            Some(flash) => {
                session.remove_value(FLASH_KEY).await?;
                flash
            }
            None => Vec::new(),
        };
        let nav = navigation(
            user.as_ref(),
            tenant.as_ref().map(|t| t.slug.as_str()),
            &path,
        );
        let unread = match user.as_ref().and_then(|u| Some((u.tenant_id?, u.id))) {
            Some((tenant_id, user_id)) => {
                crate::db::events::unread_count(&state.db, tenant_id, user_id).await?
            }
            None => 0,
        };
        Ok(PageCtx {
            user,
            tenant,
            csrf,
            flash,
            nav,
            unread,
        })
    }
}

fn navigation(user: Option<&CurrentUser>, tenant: Option<&str>, path: &str) -> Vec<NavItem> {
    let items: Vec<(String, &'static str)> = match user {
        Some(u) => {
            let home = u.home_url();
            let mut v = vec![(home.clone(), "工作台")];
            match u.role() {
                Role::Bureau => {
                    v.push((format!("{home}/users"), "用户管理"));
                    v.push((format!("{home}/calls"), "申报通知"));
                    v.push((format!("{home}/experts"), "专家库"));
                    v.push((format!("{home}/objections"), "异议处理"));
                    v.push((format!("{home}/monitoring"), "动态管理"));
                    v.push((format!("{home}/jurisdictions"), "辖区管理"));
                    v.push((format!("{home}/rulesets"), "认定规则"));
                    v.push((format!("{home}/audit"), "审计日志"));
                    v.push((format!("{home}/deliveries"), "发送记录"));
                }
                Role::County => v.push((format!("{home}/monitoring"), "园区监管")),
                Role::SysAdmin => {
                    v.push(("/admin/tenants/new".into(), "新建租户"));
                    v.push(("/admin/calendar".into(), "工作日历"));
                }
                _ => {}
            }
            if let Some(slug) = &u.tenant_slug {
                v.push((format!("/t/{slug}"), "公开信息"));
            }
            v.push(("/account".into(), "账号安全"));
            v
        }
        None => match tenant {
            Some(slug) => vec![
                (format!("/t/{slug}"), "首页"),
                (format!("/t/{slug}/login"), "登录"),
            ],
            None => vec![("/".into(), "首页")],
        },
    };
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            current: href == path,
            href,
            label,
        })
        .collect()
}

/// Errors of a form, keyed by field name, shown next to the field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// Records the first message for a field (later ones would only repeat the problem).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }
    /// Every message, in field order (for a summary at the top of a long form).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// A form shown with errors answers 422, so scripts and tests can tell it from a fresh form.
    pub fn status(&self) -> StatusCode {
        if self.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

pub use crate::domain::time::shanghai_date;

/// Renders a page template with status 200.
pub fn render<T: Template>(template: &T) -> AppResult<Response> {
    render_with(StatusCode::OK, template)
}

/// Renders a page with another status (a form re-shown with errors is 422).
pub fn render_with<T: Template>(status: StatusCode, template: &T) -> AppResult<Response> {
    Ok((status, Html(template.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: PageCtx,
    status: u16,
    reason: &'a str,
    message: &'a str,
    request_id: &'a str,
}

pub fn error_page(status: StatusCode, message: &str, request_id: &str) -> Response {
    let page = ErrorPage {
        ctx: PageCtx::bare(),
        status: status.as_u16(),
        reason: status_label(status),
        message,
        request_id,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "rendering the error page");
            (status, message.to_string()).into_response()
        }
    }
}

fn status_label(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "需要登录",
        403 => "无权访问",
        404 => "页面不存在",
        409 => "当前状态不允许此操作",
        408 => "请求超时",
        413 => "提交内容过大",
        422 => "提交内容有误",
        429 => "操作过于频繁",
        _ => "系统错误",
    }
}

/// A form as typed, kept to show again next to its errors: field name → value.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Typed(pub std::collections::BTreeMap<String, String>);

impl Typed {
    /// The value of `key` as typed, trimmed ("" when absent).
    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map(|v| v.trim()).unwrap_or("")
    }

    /// Whether the form sent `key` at all (a checked checkbox).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

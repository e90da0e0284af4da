//! The web layer: the route table (`routes.rs`), the handlers that parse, call one use-case and
//! render, and the shared page plumbing (layers, error pages).
pub mod account;
pub mod admin;
pub mod api;
pub mod applications;
pub mod audit;
pub mod awards;
pub mod bureau;
pub mod calendar_admin;
pub mod calls;
pub mod certificate_pdf;
pub mod deliveries;
pub mod files;
pub mod inbox;
pub mod input;
pub mod monitoring;
pub mod objections;
pub mod page;
pub mod platform;
pub mod public;
pub mod publicity;
pub mod register;
pub mod request;
pub mod review;
pub mod routes;
pub mod ruleset_drafts;
pub mod rulesets;
pub mod signin;

use crate::auth::{csrf, store::PgSessionStore, user::require_role};
use crate::domain::role::Role;
use crate::error::{AppError, ErrorInfo, SignInRedirect};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Room for the multipart envelope and the other fields around the largest accepted file.
const BODY_OVERHEAD: usize = 1024 * 1024;

pub fn app(state: AppState) -> Router {
    let routes = routes::areas()
        .into_iter()
        .fold(Router::new(), |all, area| {
            let router = match area.role {
                Some(role) => guarded(area.router, role, &state),
                None => area.router,
            };
            match area.prefix {
                "" => all.merge(router),
                prefix => all.nest(prefix, router),
            }
        })
        .fallback(|| async { AppError::NotFound });

    let secure = state.config.secure_cookies;
    let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
    let sessions = SessionManagerLayer::new(PgSessionStore::new(state.db.clone()))
        .with_name(if secure {
            "__Host-parkcert"
        } else {
            "parkcert"
        })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle));

    // Served over HTTPS (secure cookies): browsers are told to keep to HTTPS for a year.
    let hsts = secure.then(|| {
        header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        )
    });
    let scoped = state.clone();
    routes
        .layer(from_fn(move |req, next| {
            tenant_scope(scoped.clone(), req, next)
        }))
        .layer(from_fn(input::refuse_bad_text))
        .layer(from_fn(csrf::protect))
        .layer(sessions)
        // The one body limit is the layer below (axum's own 2 MB default would cut uploads short
        // before the handler can say which file was too big). Inside the error pages and the
        // security headers, so its 413 is the product's page with the same headers.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            state.config.max_upload_bytes + BODY_OVERHEAD,
        ))
        .layer(from_fn(render_errors))
        .layer(from_fn(no_store_when_signed_in))
        .layer(tower::util::option_layer(hsts))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // The fastest level: pages are small and compress well at any level, while the default
        // level cost about a sixth of the server's CPU per page under load (benches/load.sh).
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// A role area: every route in it requires a signed-in user of `role` in the path's tenant.
fn guarded(router: Router<AppState>, role: Role, state: &AppState) -> Router<AppState> {
    router.route_layer(from_fn_with_state(
        state.clone(),
        move |s, session, req, next| require_role(role, s, session, req, next),
    ))
}

/// Runs the request with its queries scoped (row-level security) to the tenant its URL names;
/// URLs outside `/t/` (the platform admin's, sign-out, the account page, the API) are the
/// system's.
async fn tenant_scope(
    state: AppState,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use crate::db::scope::{TenantScope, within};
    let slug = crate::auth::user::tenant_slug_of(req.uri().path()).map(str::to_string);
    let scope = match slug {
        None => TenantScope::System,
        Some(slug) => {
            match within(TenantScope::System, state.tenants.by_slug(&state.db, &slug)).await {
                Ok(Some(tenant)) => {
                    let id = tenant.id;
                    // Looked up once per request: the page context and handlers read it from here.
                    req.extensions_mut().insert(tenant);
                    TenantScope::Tenant(id)
                }
                Ok(None) => TenantScope::Nobody,
                Err(e) => return AppError::from(e).into_response(),
            }
        }
    };
    within(scope, next.run(req)).await
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// No inline scripts or styles anywhere, so the policy can be strict.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn request_id_of(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Pages for a signed-in person (any request with a session cookie) are never kept by the
/// browser or a proxy: the next person at a shared computer cannot page back to them.
async fn no_store_when_signed_in(req: Request, next: Next) -> Response {
    let with_session = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("parkcert="));
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if with_session && html && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The Chinese message for a request axum's extractors refused (a form with a field missing
/// or twice, a number in the address that is not one, an unreadable body).
fn rejection_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            "提交的内容无法识别（表单字段缺失、重复，或地址中的编号有误）。请返回上一页，刷新后重新填写提交。"
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "提交的内容格式不受支持。",
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容超过上限。请压缩或拆分文件后重试。",
        StatusCode::METHOD_NOT_ALLOWED => "此地址不接受这种请求方式。",
        _ => "请求无法处理。",
    }
}

/// Renders every `AppError` in one place: an HTML page with the request id, or JSON under `/api/`.
async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let request_id = request_id_of(&req);
    let response = next.run(req).await;
    if is_api && response.extensions().get::<SignInRedirect>().is_some() {
        return api_error(StatusCode::UNAUTHORIZED, "请先登录。", &request_id);
    }
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        // A refusal by the body limit or an extractor comes as plain English text (or empty):
        // the product answers with its own page, or the API's JSON error.
        let status = response.status();
        let own = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
        if status.is_client_error() && !own && status != StatusCode::NOT_FOUND {
            let message = rejection_message(status);
            return if is_api {
                api_error(status, message, &request_id)
            } else {
                page::error_page(status, message, &request_id)
            };
        }
        return response;
    };
    // Refusals are logged (an insider probing other tenants' or parties' URLs shows up here).
    if matches!(info.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        tracing::warn!(
            target: "parkcert::denied",
            status = info.status.as_u16(),
            %method,
            path,
            request_id,
            "access denied"
        );
    }
    if is_api {
        api_error(info.status, &info.message, &request_id)
    } else {
        page::error_page(info.status, &info.message, &request_id)
    }
}

fn api_error(status: StatusCode, message: &str, request_id: &str) -> Response {
    let body = serde_json::json!({
        "error": { "status": status.as_u16(), "message": message, "request_id": request_id }
    });
    (status, axum::Json(body)).into_response()
}

//! CSRF protection for every state-changing request: a per-session token that each form carries
//! (`_csrf` field, `?_csrf=` for multipart forms, or the `x-csrf-token` header) and a check that
//! the browser did not send the request from another site (Origin / Sec-Fetch-Site).
//! `/api/` is exempt: it authenticates no one by cookie and changes no state.
use crate::error::{AppError, AppResult};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use rand::RngCore;
use tower_sessions::Session;

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "_csrf";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> AppResult<String> {
    if let Some(t) = session.get::<String>(SESSION_KEY).await? {
        return Ok(t);
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let t = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    session.insert(SESSION_KEY, &t).await?;
    Ok(t)
}

pub async fn protect(session: Session, req: Request, next: Next) -> AppResult<Response> {
    if is_safe(req.method()) || req.uri().path().starts_with("/api/") {
        return Ok(next.run(req).await);
    }
    check_origin(req.headers())?;
    let expected = session
        .get::<String>(SESSION_KEY)
        .await?
        .ok_or(AppError::Csrf("no token in session"))?;
    let (parts, body) = req.into_parts();
    let mut provided = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| field_of(parts.uri.query().unwrap_or("").as_bytes()));
    let body = if provided.is_none() && is_urlencoded(&parts.headers) {
        let bytes = to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| AppError::BadRequest("提交的表单过大。".into()))?;
        provided = field_of(&bytes);
        Body::from(bytes)
    } else {
        body
    };
    match provided {
        Some(p) if constant_time_eq(p.as_bytes(), expected.as_bytes()) => {
            Ok(next.run(Request::from_parts(parts, body)).await)
        }
        Some(_) => Err(AppError::Csrf("token mismatch")),
        None => Err(AppError::Csrf("token missing")),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn field_of(form: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(form)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

/// Browsers send Origin on cross-origin POSTs and Sec-Fetch-Site on all requests; either one
/// naming another site is refused even before the token is looked at.
fn check_origin(headers: &HeaderMap) -> AppResult<()> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return Err(AppError::Csrf("Sec-Fetch-Site: cross-site"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin
        .to_str()
        .map_err(|_| AppError::Csrf("unreadable Origin"))?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or(AppError::Csrf("Origin without Host"))?;
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or("");
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(AppError::Csrf("foreign Origin"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_and_absent_origin_pass_but_foreign_origin_fails() {
        assert!(check_origin(&headers(&[("host", "127.0.0.1:8080")])).is_ok());
        assert!(
            check_origin(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ]))
            .is_ok()
        );
        assert!(
            check_origin(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://evil.example")
            ]))
            .is_err()
        );
        assert!(
            check_origin(&headers(&[("host", "a"), ("sec-fetch-site", "cross-site")])).is_err()
        );
        assert!(
            check_origin(&headers(&[
                ("host", "a"),
                ("sec-fetch-site", "same-origin")
            ]))
            .is_ok()
        );
    }

    #[test]
    fn the_token_field_is_found_among_other_fields() {
        assert_eq!(field_of(b"a=1&_csrf=xyz&b=2").as_deref(), Some("xyz"));
        assert_eq!(field_of(b"a=1"), None);
    }
}

//! CSRF protection for every state-changing request: a per-session token that each form carries
//! (a `_csrf` field — the first part of a multipart form — or the `x-csrf-token` header; never the
//! address, which a refused form would leave in the address bar and in logs) and a check that
//! the browser did not send the request from another site (Origin / Sec-Fetch-Site).
//! `/api/` is exempt: it authenticates no one by cookie and changes no state.
use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use futures_util::StreamExt;
use rand::RngCore;
use tower_sessions::Session;

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "_csrf";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// How much of a multipart body is read in search of its leading `_csrf` part: the part's
/// headers and a 43-character token fit many times over.
const MAX_MULTIPART_HEAD: usize = 8 * 1024;

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
        .map(str::to_string);
    let body = match (&provided, form_kind(&parts.headers)) {
        (None, FormKind::UrlEncoded) => {
            let bytes = to_bytes(body, MAX_FORM_BYTES)
                .await
                .map_err(|_| AppError::TooLarge("提交的表单过大。".into()))?;
            provided = field_of(&bytes);
            Body::from(bytes)
        }
        (None, FormKind::Multipart(boundary)) => {
            let (token, body) = leading_token(body, &boundary).await?;
            provided = token;
            body
        }
        _ => body,
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

enum FormKind {
    UrlEncoded,
    Multipart(String),
    Other,
}

fn form_kind(headers: &HeaderMap) -> FormKind {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut params = content_type.split(';').map(str::trim);
    match params.next().map(str::to_ascii_lowercase).as_deref() {
        Some("application/x-www-form-urlencoded") => FormKind::UrlEncoded,
        Some("multipart/form-data") => params
            .find_map(|p| p.strip_prefix("boundary="))
            .map(|b| FormKind::Multipart(b.trim_matches('"').to_string()))
            .unwrap_or(FormKind::Other),
        _ => FormKind::Other,
    }
}

/// Reads a multipart body only as far as its first part and returns that part's value when it is
/// the `_csrf` field, with a body that yields the same bytes again for the handler. Forms put the
/// hidden token first and browsers send parts in document order, so an upload is never buffered
/// here.
async fn leading_token(body: Body, boundary: &str) -> AppResult<(Option<String>, Body)> {
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let token = loop {
        match first_part_token(&head, boundary) {
            Leading::Token(t) => break Some(t),
            Leading::Absent => break None,
            Leading::Incomplete if head.len() > MAX_MULTIPART_HEAD => break None,
            Leading::Incomplete => {}
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(AppError::BadRequest("上传未完成，请重试。".into())),
            None => break None,
        }
    };
    let replay = futures_util::stream::once(async move { Ok(Bytes::from(head)) }).chain(stream);
    Ok((token, Body::from_stream(replay)))
}

#[derive(Debug, PartialEq)]
enum Leading {
    Token(String),
    Incomplete,
    Absent,
}

fn first_part_token(head: &[u8], boundary: &str) -> Leading {
    let opening = format!("--{boundary}\r\n");
    if head.len() < opening.len() {
        return if opening.as_bytes().starts_with(head) {
            Leading::Incomplete
        } else {
            Leading::Absent
        };
    }
    let Some(rest) = head.strip_prefix(opening.as_bytes()) else {
        return Leading::Absent;
    };
    let Some(headers_end) = find(rest, b"\r\n\r\n") else {
        return Leading::Incomplete;
    };
    if !names_the_token_field(&String::from_utf8_lossy(&rest[..headers_end])) {
        return Leading::Absent;
    }
    let value = &rest[headers_end + 4..];
    match find(value, format!("\r\n--{boundary}").as_bytes()) {
        Some(end) => Leading::Token(String::from_utf8_lossy(&value[..end]).into_owned()),
        None => Leading::Incomplete,
    }
}

/// Whether a part's headers say `Content-Disposition: form-data; name="_csrf"` (a file part whose
/// file name happens to be `_csrf` does not count).
fn names_the_token_field(headers: &str) -> bool {
    headers.lines().any(|line| {
        let Some((key, value)) = line.split_once(':') else {
            return false;
        };
        key.trim().eq_ignore_ascii_case("content-disposition")
            && value
                .split(';')
                .map(str::trim)
                .any(|p| p == format!("name=\"{FIELD}\""))
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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

    const B: &str = "----b7MA4";

    #[test]
    fn the_token_is_read_from_the_first_part_of_a_multipart_body_however_it_is_split() {
        let body = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok-123\r\n--{B}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--{B}--\r\n"
        );
        let whole = body.as_bytes();
        assert_eq!(first_part_token(whole, B), Leading::Token("tok-123".into()));
        for cut in 0..70 {
            assert_eq!(
                first_part_token(&whole[..cut], B),
                Leading::Incomplete,
                "{cut}"
            );
        }
    }

    #[test]
    fn a_multipart_body_whose_first_part_is_not_the_token_carries_none() {
        let file_first = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"_csrf\"\r\n\r\nx\r\n--{B}--\r\n"
        );
        assert_eq!(first_part_token(file_first.as_bytes(), B), Leading::Absent);
        assert_eq!(first_part_token(b"garbage", B), Leading::Absent);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=\"----b7MA4\""),
        );
        assert!(matches!(form_kind(&headers), FormKind::Multipart(b) if b == B));
    }
}

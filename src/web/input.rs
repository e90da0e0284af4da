//! Text input checked once, at the boundary: a form or query that carries control characters
//! (NUL, BEL, ESC…), invisible direction overrides or a BOM, or bytes that are not UTF-8, is
//! refused with a message in Chinese before any handler sees it. Such characters have no place
//! in anything a person types here, and PostgreSQL refuses NUL outright.
use super::page::error_page;
use crate::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode;

const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

pub const MESSAGE: &str = "提交的内容含有不允许的字符（如 NUL 等控制字符、文字方向控制符或非 UTF-8 编码的字节）。请删除这些字符后重新提交。";

/// Whether `c` may be part of text a person typed (line breaks and tabs may).
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// The first name or value of an `application/x-www-form-urlencoded` text that is not UTF-8
/// or holds a forbidden character; `None` when every one is clean.
pub fn bad_field(encoded: &[u8]) -> Option<String> {
    for pair in encoded.split(|b| *b == b'&') {
        for part in pair.splitn(2, |b| *b == b'=') {
            let spaced: Vec<u8> = part
                .iter()
                .map(|b| if *b == b'+' { b' ' } else { *b })
                .collect();
            let decoded: Vec<u8> = percent_decode(&spaced).collect();
            match std::str::from_utf8(&decoded) {
                Ok(text) if !text.chars().any(is_forbidden) => {}
                _ => {
                    let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
                    return Some(String::from_utf8_lossy(name).into_owned());
                }
            }
        }
    }
    None
}

/// Refuses a request whose query or urlencoded body holds text no one could have typed.
pub async fn refuse_bad_text(req: Request, next: Next) -> Response {
    let request_id = super::request_id_of(&req);
    if bad_field(req.uri().query().unwrap_or("").as_bytes()).is_some() {
        return refusal(&req, &request_id);
    }
    let urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return AppError::TooLarge("提交的表单过大。".into()).into_response();
    };
    let req = Request::from_parts(parts, Body::from(bytes.clone()));
    if bad_field(&bytes).is_some() {
        return refusal(&req, &request_id);
    }
    next.run(req).await
}

fn refusal(req: &Request, request_id: &str) -> Response {
    tracing::info!(
        path = req.uri().path(),
        "refused input with forbidden characters"
    );
    if req.uri().path().starts_with("/api/") {
        return super::api_error(StatusCode::UNPROCESSABLE_ENTITY, MESSAGE, request_id);
    }
    error_page(StatusCode::UNPROCESSABLE_ENTITY, MESSAGE, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_overrides_and_bad_utf8_are_found_and_ordinary_text_passes() {
        assert_eq!(
            bad_field(b"login=a%00b&password=x").as_deref(),
            Some("login")
        );
        assert_eq!(bad_field(b"name=%E2%80%AEabc").as_deref(), Some("name"));
        assert_eq!(
            bad_field(b"name=%EF%BB%BF%E5%9B%AD").as_deref(),
            Some("name")
        );
        assert_eq!(bad_field(b"name=%FF%FE").as_deref(), Some("name"));
        assert_eq!(bad_field(b"kind=%1B[31m").as_deref(), Some("kind"));
        assert_eq!(bad_field(b"a%00=1").as_deref(), Some("a%00"));
        assert_eq!(
            bad_field("reason=第一行%0D%0A第二行%09缩进+空格&x=%E5%9B%AD".as_bytes()),
            None
        );
        assert_eq!(bad_field(b""), None);
    }
}

//! The JSON API. `POST /api/v1/evaluate` is public and stateless: it evaluates the posted facts
//! against a built-in rule set (the body's `rules`) and reads or writes nothing, so a park can
//! self-check before applying and integrators can test against the same engine.
use crate::domain::evaluate::evaluate_request;
use crate::domain::ruleset::builtin;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

pub(crate) async fn evaluate(body: String) -> Response {
    match evaluate_request(None, &body, &builtin) {
        Ok(evaluation) => Json(evaluation).into_response(),
        Err(e) => {
            let body =
                json!({ "error": { "status": 422, "path": e.path, "message": e.to_string() } });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
    }
}

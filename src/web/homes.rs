//! The landing page of the expert role; the review issue fills it with the expert's work list.
use super::page::{PageCtx, render};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

#[derive(Template)]
#[template(path = "expert/home.html")]
struct ExpertHome {
    ctx: PageCtx,
}

pub fn expert_router() -> Router<AppState> {
    Router::new().route(
        "/",
        get(|ctx: PageCtx| async move { render(&ExpertHome { ctx }) as AppResult<Response> }),
    )
}

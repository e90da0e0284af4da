//! The landing pages of the operator, county and expert roles. Each states what the role does
//! here; the workflow issues fill them with the role's work lists.
use super::page::{PageCtx, render};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

#[derive(Template)]
#[template(path = "operator/home.html")]
struct OperatorHome {
    ctx: PageCtx,
}

#[derive(Template)]
#[template(path = "county/home.html")]
struct CountyHome {
    ctx: PageCtx,
}

#[derive(Template)]
#[template(path = "expert/home.html")]
struct ExpertHome {
    ctx: PageCtx,
}

pub fn operator_router() -> Router<AppState> {
    Router::new().route(
        "/",
        get(|ctx: PageCtx| async move { render(&OperatorHome { ctx }) }),
    )
}

pub fn county_router() -> Router<AppState> {
    Router::new().route(
        "/",
        get(|ctx: PageCtx| async move { render(&CountyHome { ctx }) }),
    )
}

pub fn expert_router() -> Router<AppState> {
    Router::new().route(
        "/",
        get(|ctx: PageCtx| async move { render(&ExpertHome { ctx }) as AppResult<Response> }),
    )
}

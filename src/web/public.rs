//! Pages anyone may read without signing in, the health check and static assets.
use super::page::{PageCtx, render};
use crate::db::tenants::{self, Tenant};
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "public/index.html")]
struct IndexPage {
    ctx: PageCtx,
    tenants: Vec<Tenant>,
}

pub(crate) async fn index(ctx: PageCtx, State(state): State<AppState>) -> AppResult<Response> {
    let tenants = tenants::all(&state.db).await?;
    render(&IndexPage { ctx, tenants })
}

#[derive(Template)]
#[template(path = "public/tenant_home.html")]
struct TenantHome {
    ctx: PageCtx,
    tenant: Tenant,
    calls: Vec<super::calls::CallView>,
}

pub(crate) async fn tenant_home(
    ctx: PageCtx,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant = ctx.tenant()?.clone();
    let now = state.clock.now();
    let calls = crate::db::calls::list(&state.db, tenant.id, crate::db::calls::Audience::Public)
        .await?
        .into_iter()
        .map(|c| super::calls::CallView::new(c, now))
        .collect();
    render(&TenantHome { ctx, tenant, calls })
}

pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    match crate::db::ping(&state.db).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// The stylesheet is compiled in, so the binary serves its pages from any working directory.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// The self-check panel's progressive enhancement (the form works without it).
pub(crate) async fn selfcheck_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/selfcheck.js"),
    )
        .into_response()
}

/// The score sheet's running total (progressive enhancement).
pub(crate) async fn sheet_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/sheet.js"),
    )
        .into_response()
}

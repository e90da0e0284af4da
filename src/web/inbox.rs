//! A signed-in user's messages (消息): unread first, each opened (and so marked read) on its
//! way to the page it links to.
use super::page::{PageCtx, flash, render};
use crate::auth::CurrentUser;
use crate::db::events::{self, Message};
use crate::domain::notification::EventKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Messages shown on the page (the oldest read ones beyond it are kept, not shown).
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    ctx: PageCtx,
    messages: Vec<Message>,
    base: String,
}

impl InboxPage {
    fn kind_label(&self, m: &Message) -> &'static str {
        m.kind
            .parse::<EventKind>()
            .map(|k| k.label())
            .unwrap_or("通知")
    }

    fn minute(&self, m: &Message) -> String {
        crate::domain::time::shanghai_minute(m.created_at)
    }
}

/// The user's own tenant, if the path names it; another tenant's inbox does not exist.
fn own_tenant(user: &CurrentUser, slug: &str) -> AppResult<(i64, String)> {
    match (user.tenant_id, user.tenant_slug.as_deref()) {
        (Some(id), Some(own)) if own == slug => Ok((id, format!("/t/{own}/inbox"))),
        _ => Err(AppError::NotFound),
    }
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (tenant_id, base) = own_tenant(&user, &slug)?;
    let messages = events::inbox(&state.db, tenant_id, user.id, SHOWN).await?;
    render(&InboxPage {
        ctx,
        messages,
        base,
    })
}

/// Opens a message: marks it read and goes to the page it is about.
pub(crate) async fn open(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (tenant_id, _) = own_tenant(&user, &slug)?;
    let link = events::mark_read(&state.db, tenant_id, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&link).into_response())
}

pub(crate) async fn read_all(
    user: CurrentUser,
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (tenant_id, base) = own_tenant(&user, &slug)?;
    let n = events::mark_all_read(&state.db, tenant_id, user.id).await?;
    flash(&session, "success", format!("已将 {n} 条消息标为已读。")).await?;
    Ok(Redirect::to(&base).into_response())
}

//! The bureau's delivery log (发送记录): every e-mail and text message the outbox sent or is
//! trying to send, with its attempts and last error, and a retry for a failed one.
use super::page::{PageCtx, flash, render};
use crate::auth::CurrentUser;
use crate::db::outbox::{self, LogLine};
use crate::domain::notification::{Channel, EventKind};
use crate::error::AppResult;
use crate::service;
use crate::state::AppState;
use crate::web::request::ClientInfo;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

const SHOWN: i64 = 300;

#[derive(Deserialize, Default)]
pub(crate) struct LogQuery {
    #[serde(default)]
    failed: String,
}

#[derive(Template)]
#[template(path = "bureau/deliveries.html")]
struct LogPage {
    ctx: PageCtx,
    lines: Vec<LogLine>,
    failed_only: bool,
    pending: i64,
    sent: i64,
    failed: i64,
    email_on: bool,
    sms_gateway: String,
}

impl LogPage {
    fn kind_label(&self, l: &LogLine) -> &'static str {
        l.kind
            .parse::<EventKind>()
            .map(|k| k.label())
            .unwrap_or("通知")
    }
    fn channel_label(&self, l: &LogLine) -> &'static str {
        l.channel
            .parse::<Channel>()
            .map(|c| c.label())
            .unwrap_or("—")
    }
    fn state_label(&self, l: &LogLine) -> &'static str {
        match l.state.as_str() {
            "pending" if l.attempts > 0 => "待重试",
            "pending" => "待发送",
            "sent" => "已发送",
            _ => "发送失败",
        }
    }
    fn minute(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::domain::time::shanghai_minute(*at)
    }
    /// `138****8000`, `z***@example.com`: the log shows where, not the whole address.
    fn masked(&self, l: &LogLine) -> String {
        mask_address(&l.address)
    }
}

fn mask_address(a: &str) -> String {
    match a.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None if a.len() == 11 && a.is_ascii() => format!("{}****{}", &a[..3], &a[7..]),
        None => "****".into(),
    }
}

pub(crate) async fn log(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<LogQuery>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let failed_only = q.failed == "1";
    let lines = outbox::log(&state.db, tenant_id, failed_only, SHOWN).await?;
    let (pending, sent, failed) = outbox::counts(&state.db, tenant_id).await?;
    render(&LogPage {
        ctx,
        lines,
        failed_only,
        pending,
        sent,
        failed,
        email_on: state.outbox.mailer.is_some(),
        sms_gateway: state.outbox.sms.name().to_string(),
    })
}

pub(crate) async fn retry(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    service::notify::retry_delivery(&state, tenant_id, &client.by(&user), id).await?;
    flash(&session, "success", "已重新加入发送队列。").await?;
    Ok(Redirect::to(&format!("{}/deliveries", user.home_url())).into_response())
}

#[cfg(test)]
mod tests {
    use super::mask_address;

    #[test]
    fn an_address_is_shown_masked() {
        assert_eq!(mask_address("13800138000"), "138****8000");
        assert_eq!(mask_address("zhang@example.com"), "z***@example.com");
    }
}

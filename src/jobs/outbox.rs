//! The outbox worker: sends each queued e-mail and text message, at least once and never twice
//! at the same time. Each delivery is taken under a row lock that another worker (another
//! server) skips, sent, and its attempt recorded in the same transaction; a server killed after
//! the commit that queued it delivers it when it starts again (the row is still pending), and
//! one killed between sending and recording sends it again with the same Message-ID.
use crate::db::outbox::{self, Due};
use crate::domain::notification::Channel;
use crate::io::mail::Mail;
use crate::state::AppState;

/// Runs forever: whenever a use-case wakes it, and every `config.outbox_every` for retries.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state).await {
                tracing::warn!(error = %e, "delivering the outbox");
            }
            tokio::select! {
                _ = state.outbox.woken() => {}
                _ = tokio::time::sleep(state.config.outbox_every) => {}
            }
        }
    });
}

/// Sends every delivery due now; returns how many were attempted.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let mut attempted = 0;
    loop {
        let mut tx = state.db.begin().await?;
        let Some(due) = outbox::next_due(&mut tx).await? else {
            return Ok(attempted);
        };
        let outcome = send(state, &due).await;
        if let Err(e) = &outcome {
            tracing::warn!(delivery = due.id, error = %e, "delivery failed");
        }
        outbox::record_attempt(&mut tx, &due, outcome).await?;
        tx.commit().await?;
        attempted += 1;
    }
}

async fn send(state: &AppState, due: &Due) -> Result<(), String> {
    match due.channel.parse::<Channel>() {
        Ok(Channel::Email) => {
            let Some(mailer) = &state.outbox.mailer else {
                return Err("未配置邮件服务器（PARKCERT_SMTP_URL）".into());
            };
            let body = format!(
                "{}\n\n办理页面：{}{}\n\n本邮件由系统自动发送，请勿直接回复。",
                due.body, state.config.public_url, due.link
            );
            let mail = Mail {
                to: &due.address,
                subject: &due.subject,
                body: &body,
                key: &due.delivery_key,
            };
            mailer.send(&mail).await
        }
        Ok(Channel::Sms) => {
            state
                .outbox
                .sms
                .send(&due.address, &due.body, &due.delivery_key)
                .await
        }
        Err(e) => Err(e.to_string()),
    }
}

//! Scheduled work: every tick, expired sessions go, calls and publicity windows past their end
//! close, the dynamic-management sweep runs and deadlines near are reminded of (the outbox
//! worker, `outbox`, runs on its own loop). Each job runs under a PostgreSQL advisory lock
//! of its own, taken here and only here, so with several servers one of them does it and the
//! others skip that tick.
pub mod outbox;
pub mod publicity;
pub mod reminders;
pub mod sweep;

use crate::state::AppState;

/// Keys of the jobs' advisory locks ("park" + the job's number).
pub const CLOSE_CALLS: i64 = 0x7061_726b_0001;
pub const CLOSE_PUBLICITY: i64 = 0x7061_726b_0002;
pub const SWEEP: i64 = 0x7061_726b_0007;
pub const REMINDERS: i64 = 0x7061_726b_0008;

/// Starts the scheduler on the runtime; it ticks every `config.jobs_every`.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.jobs_every);
        loop {
            tick.tick().await;
            run_once(&state).await;
        }
    });
}

/// One tick of every job; failures are logged and retried on the next tick.
pub async fn run_once(state: &AppState) {
    if let Err(e) = crate::auth::store::delete_expired(&state.db).await {
        tracing::warn!(error = %e, "deleting expired sessions");
    }
    let now = state.clock.now();
    exclusively(
        state,
        CLOSE_CALLS,
        "closing calls at their deadline",
        async {
            let n = crate::db::transition::close_expired_calls(&state.db, now).await?;
            if n > 0 {
                tracing::info!(calls = n, "closed calls at their deadline");
            }
            Ok(())
        },
    )
    .await;
    exclusively(state, CLOSE_PUBLICITY, "closing publicity windows", async {
        let n = publicity::close_due(state, now).await?;
        if n > 0 {
            tracing::info!(notices = n, "closed publicity at the end of its window");
        }
        Ok(())
    })
    .await;
    exclusively(state, SWEEP, "dynamic management sweep", async {
        let s = sweep::run(state, state.clock.today()).await?;
        if !s.is_empty() {
            tracing::info!(?s, "dynamic management: deadlines and validity");
        }
        Ok(())
    })
    .await;
    exclusively(state, REMINDERS, "reminders of deadlines", async {
        let n = reminders::run(state, state.clock.today()).await?;
        if n > 0 {
            tracing::info!(reminders = n, "reminded of deadlines");
            state.outbox.wake();
        }
        Ok(())
    })
    .await;
}

/// Runs `job` while holding the session-level advisory lock `key` on one connection; skips it
/// when another server holds the lock.
async fn exclusively(
    state: &AppState,
    key: i64,
    what: &str,
    job: impl std::future::Future<Output = anyhow::Result<()>>,
) {
    let outcome = async {
        let mut conn = state.db.acquire().await?;
        let held: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
        if !held {
            return Ok(());
        }
        let result = job.await;
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // Never back to the pool still holding the lock: closing the session releases it.
            drop(conn.detach());
        }
        unlocked?;
        result
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "{what}");
    }
}

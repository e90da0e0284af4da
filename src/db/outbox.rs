//! The outbox of e-mail and SMS deliveries: taking the next one due (locked, so that another
//! worker skips it), recording each attempt, and the bureau's delivery log.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// A delivery as the worker sends it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub tenant_id: i64,
    pub channel: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub delivery_key: String,
    pub attempts: i32,
}

/// The next pending delivery whose time has come, locked in `tx` until it commits; a delivery
/// another worker holds is skipped, never sent twice at once.
pub async fn next_due(tx: &mut PgConnection) -> sqlx::Result<Option<Due>> {
    sqlx::query_as(
        "SELECT d.id, d.tenant_id, d.channel, d.address, d.subject, d.body, d.link,
                d.delivery_key, d.attempts
           FROM deliveries d
          WHERE d.state = 'pending' AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at, d.id LIMIT 1
          FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(tx)
    .await
}

/// How many attempts a delivery gets before it is marked failed (a person may retry it).
pub const MAX_ATTEMPTS: i32 = 6;

/// Records an attempt at `d` and its outcome: sent; or, on error, retried after a backoff that
/// doubles from one minute, until the last attempt marks it failed.
pub async fn record_attempt(
    tx: &mut PgConnection,
    d: &Due,
    outcome: Result<(), String>,
) -> sqlx::Result<()> {
    let error = outcome.as_ref().err().cloned().unwrap_or_default();
    sqlx::query(
        "INSERT INTO delivery_attempts (tenant_id, delivery_id, ok, error) VALUES ($1, $2, $3, $4)",
    )
    .bind(d.tenant_id)
    .bind(d.id)
    .bind(outcome.is_ok())
    .bind(&error)
    .execute(&mut *tx)
    .await?;
    let attempts = d.attempts + 1;
    let (state, backoff_minutes) = match outcome {
        Ok(()) => ("sent", 0),
        Err(_) if attempts >= MAX_ATTEMPTS => ("failed", 0),
        Err(_) => ("pending", 1i32 << (attempts - 1).min(10)),
    };
    sqlx::query(
        "UPDATE deliveries SET state = $2, attempts = $3, last_error = $4,
                next_attempt_at = now() + make_interval(mins => $5),
                sent_at = CASE WHEN $2 = 'sent' THEN now() END, updated_at = now()
          WHERE id = $1",
    )
    .bind(d.id)
    .bind(state)
    .bind(attempts)
    .bind(&error)
    .bind(backoff_minutes)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A line of the bureau's delivery log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogLine {
    pub id: i64,
    pub kind: String,
    pub recipient_name: Option<String>,
    pub channel: String,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The tenant's deliveries, newest first; `failed_only` for those that need a person.
pub async fn log(
    pool: &PgPool,
    tenant_id: i64,
    failed_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<LogLine>> {
    sqlx::query_as(
        "SELECT d.id, e.kind, u.display_name AS recipient_name, d.channel, d.address, d.subject,
                d.body, d.state, d.attempts, d.last_error, d.created_at, d.sent_at
           FROM deliveries d
           JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
           LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.user_id
          WHERE d.tenant_id = $1 AND (NOT $2 OR d.state = 'failed')
          ORDER BY d.id DESC LIMIT $3",
    )
    .bind(tenant_id)
    .bind(failed_only)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Counts of the tenant's deliveries by state (pending, sent, failed).
pub async fn counts(pool: &PgPool, tenant_id: i64) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'sent'),
                count(*) FILTER (WHERE state = 'failed')
           FROM deliveries WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(pool)
    .await
}

/// Puts a failed delivery back in the queue, due now; false if it is not a failed delivery of
/// the tenant.
pub async fn retry(tx: &mut PgConnection, tenant_id: i64, id: i64) -> sqlx::Result<Option<bool>> {
    // None: no such delivery of this tenant (another tenant's id is simply not found).
    let current: Option<String> = sqlx::query_scalar(
        "SELECT state FROM deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(current) = current else {
        return Ok(None);
    };
    if current != "failed" {
        return Ok(Some(false));
    }
    sqlx::query(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = now(), attempts = 0,
                updated_at = now()
          WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(Some(true))
}

//! Throttling of failed sign-ins, per account and per client address, over a sliding window.
use sqlx::PgPool;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_IP: i64 = 20;

/// Counts a sign-in attempt before its password is checked: the attempt is recorded as a
/// failure at once (a success clears it), and refused when the account or the address has
/// failed too often recently. The count and the record are one step under advisory locks on the
/// account and the address, so simultaneous guesses cannot all pass the check before any is
/// recorded — on one server or many.
pub async fn begin_attempt(
    pool: &PgPool,
    tenant_id: Option<i64>,
    login: &str,
    ip: &str,
) -> sqlx::Result<Attempt> {
    let mut tx = pool.begin().await?;
    // Account first, address second, always: two attempts never wait on each other in a cycle.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("sign-in account {tenant_id:?} {login}"))
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("sign-in address {ip}"))
        .execute(&mut *tx)
        .await?;
    let (per_account, per_ip): (i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT count(*) FROM sign_in_failures
             WHERE tenant_id IS NOT DISTINCT FROM $1 AND login = $2
               AND at > now() - make_interval(mins => $4)),
           (SELECT count(*) FROM sign_in_failures
             WHERE ip = $3 AND at > now() - make_interval(mins => $4))",
    )
    .bind(tenant_id)
    .bind(login)
    .bind(ip)
    .bind(WINDOW_MINUTES as i32)
    .fetch_one(&mut *tx)
    .await?;
    if per_account >= MAX_PER_ACCOUNT || per_ip >= MAX_PER_IP {
        tx.commit().await?;
        return Ok(Attempt::Refused);
    }
    sqlx::query("INSERT INTO sign_in_failures (tenant_id, login, ip) VALUES ($1, $2, $3)")
        .bind(tenant_id)
        .bind(login)
        .bind(ip)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Attempt::Counted)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Recorded as a failure until the sign-in succeeds.
    Counted,
    /// Too many recent failures: the password is not checked.
    Refused,
}

/// A successful sign-in clears the account's recent failures (the address's remain counted).
pub async fn clear_account(pool: &PgPool, tenant_id: Option<i64>, login: &str) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM sign_in_failures WHERE tenant_id IS NOT DISTINCT FROM $1 AND login = $2",
    )
    .bind(tenant_id)
    .bind(login)
    .execute(pool)
    .await?;
    Ok(())
}

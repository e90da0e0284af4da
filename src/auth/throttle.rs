//! Throttling of failed sign-ins, per account and per client address, over a sliding window.
use sqlx::PgPool;

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_IP: i64 = 20;

/// True when this account or this address has failed too often recently.
pub async fn is_throttled(
    pool: &PgPool,
    tenant_id: Option<i64>,
    login: &str,
    ip: &str,
) -> sqlx::Result<bool> {
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
    .fetch_one(pool)
    .await?;
    Ok(per_account >= MAX_PER_ACCOUNT || per_ip >= MAX_PER_IP)
}

pub async fn record_failure(
    pool: &PgPool,
    tenant_id: Option<i64>,
    login: &str,
    ip: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO sign_in_failures (tenant_id, login, ip) VALUES ($1, $2, $3)")
        .bind(tenant_id)
        .bind(login)
        .bind(ip)
        .execute(pool)
        .await?;
    Ok(())
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

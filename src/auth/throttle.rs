//! Throttling of failed sign-ins, per account and per client address, over a sliding window.
use sqlx::PgPool;

use crate::domain::security_policy::Policy;

/// Failed sign-ins from one address within an hour that refuse it (the account's own limit is
/// the security policy's).
pub const IP_WINDOW_MINUTES: i64 = 15;
pub const MAX_PER_IP: i64 = 20;

/// Counts a sign-in attempt before its password is checked: the attempt is recorded as a
/// failure at once (a success clears it), and refused when the account or the address has
/// failed too often recently. The count and the record are one step under advisory locks on the
/// account and the address, so simultaneous guesses cannot all pass the check before any is
/// recorded — on one server or many.
pub async fn begin_attempt(
    pool: &PgPool,
    (tenant_id, login): (Option<i64>, &str),
    ip: &str,
    policy: &Policy,
) -> sqlx::Result<Attempt> {
    let mut tx = pool.begin().await?;
    // A flood at one account or address waits here at most this long, holding a connection
    // each; beyond it the attempt is refused like any throttled one.
    sqlx::query("SET LOCAL lock_timeout = '2s'")
        .execute(&mut *tx)
        .await?;
    // Account first, address second, always: two attempts never wait on each other in a cycle.
    for key in [
        format!("sign-in account {tenant_id:?} {login}"),
        format!("sign-in address {ip}"),
    ] {
        let locked = sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *tx)
            .await;
        match locked {
            Ok(_) => {}
            // lock_not_available: the queue for this account or address is too long.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {
                return Ok(Attempt::Refused);
            }
            Err(e) => return Err(e),
        }
    }
    let (per_account, per_ip): (i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT count(*) FROM sign_in_failures
             WHERE tenant_id IS NOT DISTINCT FROM $1 AND login = $2
               AND at > now() - make_interval(mins => $4)),
           (SELECT count(*) FROM sign_in_failures
             WHERE ip = $3 AND at > now() - make_interval(mins => $5))",
    )
    .bind(tenant_id)
    .bind(login)
    .bind(ip)
    .bind(policy.lockout_minutes as i32)
    .bind(IP_WINDOW_MINUTES as i32)
    .fetch_one(&mut *tx)
    .await?;
    if per_account >= policy.lockout_threshold as i64 || per_ip >= MAX_PER_IP {
        tx.commit().await?;
        return Ok(Attempt::Refused);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sign_in_failures (tenant_id, login, ip) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(tenant_id)
    .bind(login)
    .bind(ip)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Attempt::Counted(id))
}

/// Takes back an attempt whose password was never checked (every hasher was busy): it is not a
/// failure of the person signing in.
pub async fn withdraw_attempt(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Recorded as a failure (this row) until the sign-in succeeds.
    Counted(i64),
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

/// An account refused sign-in for now: it failed too often in the window.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Locked {
    pub tenant_id: Option<i64>,
    pub tenant_name: Option<String>,
    pub login: String,
    pub failures: i64,
    pub last_at: chrono::DateTime<chrono::Utc>,
}

impl Locked {
    pub fn last(&self) -> String {
        crate::domain::time::shanghai_minute(self.last_at)
    }
}

/// Every account locked out now (in any tenant): what the security administrator may unlock.
pub async fn locked(pool: &PgPool, policy: &Policy) -> sqlx::Result<Vec<Locked>> {
    sqlx::query_as(
        "SELECT f.tenant_id, t.name AS tenant_name, f.login, count(*) AS failures, max(f.at) AS last_at
         FROM sign_in_failures f LEFT JOIN tenants t ON t.id = f.tenant_id
         WHERE f.at > now() - make_interval(mins => $1)
         GROUP BY f.tenant_id, t.name, f.login HAVING count(*) >= $2
         ORDER BY max(f.at) DESC",
    )
    .bind(policy.lockout_minutes as i32)
    .bind(policy.lockout_threshold as i64)
    .fetch_all(pool)
    .await
}

/// Forgets an account's failed sign-ins, so that it may sign in again at once; returns how
/// many were forgotten.
pub async fn unlock(
    conn: &mut sqlx::PgConnection,
    tenant_id: Option<i64>,
    login: &str,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM sign_in_failures WHERE tenant_id IS NOT DISTINCT FROM $1 AND login = $2",
    )
    .bind(tenant_id)
    .bind(login)
    .execute(conn)
    .await?
    .rows_affected())
}

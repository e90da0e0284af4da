use crate::domain::role::Role;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    /// Set when the user has turned on two-factor sign-in.
    pub totp_secret: Option<String>,
    pub password_changed_at: chrono::DateTime<chrono::Utc>,
}

/// The credentials of an active account; `tenant_id` None looks among platform admins.
pub async fn credentials(
    pool: &PgPool,
    tenant_id: Option<i64>,
    login: &str,
) -> sqlx::Result<Option<Credentials>> {
    let found: Option<Credentials> = sqlx::query_as(
        "SELECT id, password_hash, totp_secret, password_changed_at FROM users
         WHERE tenant_id IS NOT DISTINCT FROM $1 AND login = $2 AND active",
    )
    .bind(tenant_id)
    .bind(login)
    .fetch_optional(pool)
    .await?;
    found
        .map(|mut c| {
            c.totp_secret = open_totp(c.id, c.totp_secret)?;
            Ok(c)
        })
        .transpose()
}

/// The context a user's TOTP secret is sealed to: its column and row.
fn totp_context(user_id: i64) -> String {
    format!("users.totp_secret:{user_id}")
}

fn crypto_error(e: crate::io::crypto::CryptoError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// A stored TOTP secret, decrypted (SM4-GCM at rest).
fn open_totp(user_id: i64, stored: Option<String>) -> sqlx::Result<Option<String>> {
    let Some(stored) = stored else {
        return Ok(None);
    };
    // A secret from before encryption at rest; the server reseals those when it starts.
    if !crate::io::crypto::is_sealed(&stored) {
        return Ok(Some(stored));
    }
    let crypto = crate::io::crypto::installed().map_err(crypto_error)?;
    let plain = crypto
        .decrypt(&stored, &totp_context(user_id))
        .map_err(crypto_error)?;
    String::from_utf8(plain)
        .map(Some)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn seal_totp(user_id: i64, secret: &str) -> sqlx::Result<String> {
    let crypto = crate::io::crypto::installed().map_err(crypto_error)?;
    crypto
        .encrypt(secret.as_bytes(), &totp_context(user_id))
        .map_err(crypto_error)
}

/// Re-encrypts every TOTP secret under the current key: those stored in clear before
/// encryption at rest, and, with `all`, every one (after a key rotation). Returns how many.
pub async fn reseal_totp_secrets(pool: &PgPool, all: bool) -> sqlx::Result<u64> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
            .fetch_all(pool)
            .await?;
    let current = crate::io::crypto::installed()
        .map_err(crypto_error)?
        .current();
    let mut done = 0;
    for (id, stored) in rows {
        let plain = match crate::io::crypto::version_of(&stored) {
            None => stored,
            Some(v) if all && v != current => open_totp(id, Some(stored))?.unwrap_or_default(),
            Some(_) => continue,
        };
        sqlx::query("UPDATE users SET totp_secret = $2 WHERE id = $1")
            .bind(id)
            .bind(seal_totp(id, &plain)?)
            .execute(pool)
            .await?;
        done += 1;
    }
    Ok(done)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction_name: Option<String>,
    pub organization_name: Option<String>,
    pub organization_uscc: Option<String>,
    pub active: bool,
}

impl UserRow {
    pub fn role_label(&self) -> &'static str {
        self.role.parse::<Role>().map(Role::label).unwrap_or("未知")
    }
}

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as(
        "SELECT u.id, u.login, u.display_name, u.role, j.name AS jurisdiction_name,
                o.name AS organization_name, o.uscc AS organization_uscc, u.active
         FROM users u
         LEFT JOIN jurisdictions j ON j.tenant_id = u.tenant_id AND j.id = u.jurisdiction_id
         LEFT JOIN organizations o ON o.tenant_id = u.tenant_id AND o.id = u.organization_id
         WHERE u.tenant_id = $1
         ORDER BY CASE u.role WHEN 'bureau' THEN 0 WHEN 'county' THEN 1 WHEN 'expert' THEN 2 ELSE 3 END, u.id",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub struct NewUser<'a> {
    pub tenant_id: Option<i64>,
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub jurisdiction_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub password_hash: &'a str,
}

pub async fn insert(conn: &mut PgConnection, u: &NewUser<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO users (tenant_id, login, display_name, role, jurisdiction_id, organization_id, password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(u.tenant_id)
    .bind(u.login)
    .bind(u.display_name)
    .bind(u.role.as_str())
    .bind(u.jurisdiction_id)
    .bind(u.organization_id)
    .bind(u.password_hash)
    .fetch_one(conn)
    .await
}

pub struct NewOrganization<'a> {
    pub tenant_id: i64,
    pub uscc: &'a str,
    pub name: &'a str,
    pub jurisdiction_id: Option<i64>,
}

/// Creates the organization, or returns the existing one with the same USCC in this tenant
/// (one company may have several operator accounts).
pub async fn upsert_organization(
    conn: &mut PgConnection,
    o: &NewOrganization<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO organizations (tenant_id, uscc, name, jurisdiction_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, uscc) DO UPDATE SET uscc = EXCLUDED.uscc
         RETURNING id",
    )
    .bind(o.tenant_id)
    .bind(o.uscc)
    .bind(o.name)
    .bind(o.jurisdiction_id)
    .fetch_one(conn)
    .await
}

pub async fn count_all(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
}

// ---------------------------------------------------------------------------------------------
// A user's own account: password, two-factor secret, sessions

/// A session signed in as the user (identified by the hash of its id, never the id).
#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The user's live sessions, most recently used first.
pub async fn sessions_of(pool: &PgPool, user_id: i64) -> sqlx::Result<Vec<SessionRow>> {
    sqlx::query_as(
        "SELECT id_hash, created_at, updated_at, expires_at FROM sessions
         WHERE user_id = $1 AND expires_at > now() ORDER BY updated_at DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

pub async fn password_hash(pool: &PgPool, user_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
}

/// Replaces the user's password; the old one goes to the history (no reuse) and the age starts
/// again.
pub async fn set_password_hash(
    conn: &mut PgConnection,
    user_id: i64,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash)
         SELECT id, password_hash FROM users WHERE id = $1",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The hashes of the user's current password and the ones before it, `count` in all, newest
/// first (what a new password may not repeat).
pub async fn recent_password_hashes(
    pool: &PgPool,
    user_id: i64,
    count: u32,
) -> sqlx::Result<Vec<String>> {
    if count == 0 {
        return Ok(vec![]);
    }
    sqlx::query_scalar(
        "(SELECT password_hash FROM users WHERE id = $1)
         UNION ALL
         (SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(user_id)
    .bind(count as i64 - 1)
    .fetch_all(pool)
    .await
}

/// Ends the user's sessions other than `keep` (an id hash); returns how many.
pub async fn end_sessions_except(
    conn: &mut PgConnection,
    user_id: i64,
    keep: &str,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Ends one of the user's own sessions (another user's id hash matches nothing).
pub async fn end_session(
    conn: &mut PgConnection,
    user_id: i64,
    id_hash: &str,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2")
            .bind(user_id)
            .bind(id_hash)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn totp_secret(pool: &PgPool, user_id: i64) -> sqlx::Result<Option<String>> {
    let stored = sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    open_totp(user_id, stored)
}

/// Stores (encrypted) or clears a user's TOTP secret.
pub async fn set_totp_secret(
    conn: &mut PgConnection,
    user_id: i64,
    secret: Option<&str>,
) -> sqlx::Result<()> {
    let sealed = secret.map(|s| seal_totp(user_id, s)).transpose()?;
    sqlx::query("UPDATE users SET totp_secret = $2 WHERE id = $1")
        .bind(user_id)
        .bind(sealed)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deactivates a user of the tenant; returns their login, None when there is no such user.
pub async fn deactivate(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE users SET active = FALSE WHERE tenant_id = $1 AND id = $2 RETURNING login",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Ends every session of a user (signs them out everywhere).
pub async fn end_sessions(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Where a user is told besides the inbox, and whether they want it.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Channels {
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub notify_email: bool,
    pub notify_sms: bool,
}

pub async fn channels(pool: &sqlx::PgPool, id: i64) -> sqlx::Result<Channels> {
    sqlx::query_as("SELECT email, mobile, notify_email, notify_sms FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

pub async fn set_channels(
    conn: &mut sqlx::PgConnection,
    id: i64,
    c: &Channels,
) -> sqlx::Result<bool> {
    // Saving what is already stored changes nothing, so it leaves no trace in the audit log.
    let changed = sqlx::query(
        "UPDATE users SET email = $2, mobile = $3, notify_email = $4, notify_sms = $5
          WHERE id = $1
            AND (email, mobile, notify_email, notify_sms) IS DISTINCT FROM ($2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&c.email)
    .bind(&c.mobile)
    .bind(c.notify_email)
    .bind(c.notify_sms)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

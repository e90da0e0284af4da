//! The audit trail: one row per state change, written in the same transaction as the change.
use crate::io::crypto::{Crypto, installed};
use serde_json::Value;
use sqlx::PgConnection;

pub struct Entry<'a> {
    pub tenant_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub object_kind: &'a str,
    pub object_id: String,
    pub action: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// Appends an entry to its tenant's chain and seals it, in the caller's transaction.
pub async fn record(conn: &mut PgConnection, e: Entry<'_>) -> sqlx::Result<()> {
    let crypto = installed().map_err(|e| sqlx::Error::Configuration(Box::new(e)))?;
    // The chain trigger holds the tenant's advisory lock to the end of the transaction, so the
    // entry before this one is settled while it is sealed.
    let (seq, hash): (i64, String) = sqlx::query_as(
        "INSERT INTO audit_log (tenant_id, actor_user_id, object_kind, object_id, action, before, after, request_id, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING seq, hash",
    )
    .bind(e.tenant_id)
    .bind(e.actor_user_id)
    .bind(e.object_kind)
    .bind(e.object_id)
    .bind(e.action)
    .bind(e.before)
    .bind(e.after)
    .bind(e.request_id)
    .bind(e.ip)
    .fetch_one(&mut *conn)
    .await?;
    seal(conn, crypto.as_ref(), e.tenant_id, seq, &hash).await
}

/// What an entry's seal covers: its tenant, place, hash and the seal before it.
fn sealed_text(tenant_id: Option<i64>, seq: i64, hash: &str, prev_mac: &str) -> String {
    let tenant = tenant_id.map_or_else(|| "platform".to_string(), |t| t.to_string());
    format!("parkcert-audit|{tenant}|{seq}|{hash}|{prev_mac}")
}

/// The seal before `seq` in a chain ("" before the first entry).
async fn previous_mac(
    conn: &mut PgConnection,
    tenant_id: Option<i64>,
    seq: i64,
) -> sqlx::Result<Option<String>> {
    if seq == 1 {
        return Ok(Some(String::new()));
    }
    sqlx::query_scalar(
        "SELECT mac FROM audit_seals WHERE coalesce(tenant_id, 0) = coalesce($1, 0) AND seq = $2",
    )
    .bind(tenant_id)
    .bind(seq - 1)
    .fetch_optional(conn)
    .await
}

async fn seal(
    conn: &mut PgConnection,
    crypto: &dyn Crypto,
    tenant_id: Option<i64>,
    seq: i64,
    hash: &str,
) -> sqlx::Result<()> {
    // An entry before the seals began (an older deployment) is sealed by `seal_backlog` at
    // start; until then the chain after it is sealed against an empty seal.
    let prev = previous_mac(&mut *conn, tenant_id, seq)
        .await?
        .unwrap_or_default();
    let version = crypto.current();
    let mac = crypto
        .mac(version, sealed_text(tenant_id, seq, hash, &prev).as_bytes())
        .map_err(|e| sqlx::Error::Configuration(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO audit_seals (tenant_id, seq, key_version, mac) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant_id)
    .bind(seq)
    .bind(version as i32)
    .bind(mac)
    .execute(conn)
    .await?;
    Ok(())
}

/// Seals, oldest first, every entry that has no seal yet (those written before the seals were
/// introduced); returns how many. Run once at start, under each chain's advisory lock.
pub async fn seal_backlog(pool: &sqlx::PgPool) -> sqlx::Result<u64> {
    let crypto = installed().map_err(|e| sqlx::Error::Configuration(Box::new(e)))?;
    let chains: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT DISTINCT a.tenant_id FROM audit_log a WHERE NOT EXISTS (
             SELECT 1 FROM audit_seals s
             WHERE coalesce(s.tenant_id, 0) = coalesce(a.tenant_id, 0) AND s.seq = a.seq)",
    )
    .fetch_all(pool)
    .await?;
    let mut sealed = 0;
    for tenant_id in chains {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(1885434475, coalesce($1, 0)::int)")
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
        let open: Vec<(i64, String)> = sqlx::query_as(
            "SELECT a.seq, a.hash FROM audit_log a
             WHERE a.tenant_id IS NOT DISTINCT FROM $1 AND NOT EXISTS (
                 SELECT 1 FROM audit_seals s
                 WHERE coalesce(s.tenant_id, 0) = coalesce(a.tenant_id, 0) AND s.seq = a.seq)
             ORDER BY a.seq",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        for (seq, hash) in open {
            seal(&mut tx, crypto.as_ref(), tenant_id, seq, &hash).await?;
            sealed += 1;
        }
        tx.commit().await?;
    }
    Ok(sealed)
}

/// What `verify` found in one tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    /// The first entry that does not hold: (seq, why).
    pub broken: Option<(i64, String)>,
}

/// Checks one tenant's chain (None: the platform's own): sequence numbers run 1, 2, 3…, each
/// entry links to the hash of the one before, each entry's hash is recomputed from its
/// content, and each entry's HMAC-SM3 seal is recomputed with the key. An entry changed,
/// removed or inserted out of order breaks it, and so does one changed and re-hashed by someone
/// without the key.
pub async fn verify(pool: &sqlx::PgPool, tenant_id: Option<i64>) -> sqlx::Result<Verified> {
    let crypto = installed().map_err(|e| sqlx::Error::Configuration(Box::new(e)))?;
    type Line = (i64, String, String, String, Option<i32>, Option<String>);
    let rows = sqlx::query_as::<_, Line>(
        "SELECT a.seq, a.prev_hash, a.hash, audit_entry_hash(a), s.key_version, s.mac
         FROM audit_log a
         LEFT JOIN audit_seals s ON coalesce(s.tenant_id, 0) = coalesce(a.tenant_id, 0) AND s.seq = a.seq
         WHERE a.tenant_id IS NOT DISTINCT FROM $1 ORDER BY a.seq",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await?;
    let mut expected_prev = "0".repeat(64);
    let mut prev_mac = String::new();
    let mut entries = 0u64;
    for (seq, prev, hash, recomputed, version, mac) in rows {
        entries += 1;
        let expected_mac = version.map(|v| {
            let text = sealed_text(tenant_id, seq, &hash, &prev_mac);
            crypto.mac(v as u32, text.as_bytes())
        });
        let why = if seq != entries as i64 {
            Some(format!(
                "expected entry {entries}, found {seq}: an entry is missing"
            ))
        } else if prev != expected_prev {
            Some("its link to the previous entry does not match".to_string())
        } else if hash != recomputed {
            Some("its content does not match its hash".to_string())
        } else {
            match (expected_mac, &mac) {
                (None, _) => Some("it has no HMAC-SM3 seal".to_string()),
                (Some(Err(e)), _) => Some(format!("its seal cannot be checked: {e}")),
                (Some(Ok(expected)), Some(mac)) if &expected == mac => None,
                _ => Some("its HMAC-SM3 seal does not match (changed without the key)".to_string()),
            }
        };
        prev_mac = mac.unwrap_or_default();
        if let Some(why) = why {
            return Ok(Verified {
                entries,
                broken: Some((seq, why)),
            });
        }
        expected_prev = hash;
    }
    Ok(Verified {
        entries,
        broken: None,
    })
}

/// One audit entry as the bureau reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: Option<String>,
    pub object_kind: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<sqlx::types::Json<Value>>,
    pub after: Option<sqlx::types::Json<Value>>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub hash: String,
}

impl Row {
    /// The reason recorded with a transition, if any.
    pub fn reason(&self) -> String {
        self.after
            .as_ref()
            .and_then(|a| a.0.get("reason"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }

    /// `from → to` for a state change.
    pub fn states(&self) -> Option<(String, String)> {
        let state = |v: &Option<sqlx::types::Json<Value>>| {
            v.as_ref()?.0.get("state")?.as_str().map(str::to_string)
        };
        Some((state(&self.before)?, state(&self.after)?))
    }

    pub fn json(v: &Option<sqlx::types::Json<Value>>) -> String {
        v.as_ref().map(|j| j.0.to_string()).unwrap_or_default()
    }
}

/// What the bureau filters the trail by; empty fields do not filter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

const ROW_SELECT: &str = "SELECT a.seq, a.at, u.display_name || '（' || u.login || '）' AS actor,
        a.object_kind, a.object_id, a.action, a.before, a.after, a.request_id, a.ip, a.hash
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
     WHERE a.tenant_id IS NOT DISTINCT FROM $1";

/// One page of a tenant's trail (None: the platform's), newest first. Dates are
/// Asia/Shanghai days, inclusive.
pub async fn search(
    pool: &sqlx::PgPool,
    tenant_id: Option<i64>,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Row>> {
    let date = |s: &str| s.trim().parse::<chrono::NaiveDate>().ok();
    sqlx::query_as(&format!(
        "{ROW_SELECT}
           AND ($2 = '' OR a.object_kind = $2)
           AND ($3 = '' OR a.action = $3)
           AND ($4 = '' OR u.login = $4 OR u.display_name = $4)
           AND ($5 = '' OR a.object_id = $5)
           AND ($6::date IS NULL OR a.at >= ($6::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
           AND ($7::date IS NULL OR a.at < (($7::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
         ORDER BY a.seq DESC LIMIT $8 OFFSET $9"
    ))
    .bind(tenant_id)
    .bind(f.kind.trim())
    .bind(f.action.trim())
    .bind(f.actor.trim())
    .bind(f.object.trim())
    .bind(date(&f.from))
    .bind(date(&f.to))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

/// Every entry about one object, oldest first (an application's own history).
pub async fn history(
    pool: &sqlx::PgPool,
    tenant_id: i64,
    object_kind: &str,
    object_id: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(&format!(
        "{ROW_SELECT} AND a.object_kind = $2 AND a.object_id = $3 ORDER BY a.seq"
    ))
    .bind(tenant_id)
    .bind(object_kind)
    .bind(object_id.to_string())
    .fetch_all(pool)
    .await
}

/// The object kinds and actions a tenant's trail holds, for the filter's choices.
pub async fn vocabulary(
    pool: &sqlx::PgPool,
    tenant_id: i64,
) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let kinds = sqlx::query_scalar(
        "SELECT DISTINCT object_kind FROM audit_log WHERE tenant_id = $1 ORDER BY 1",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await?;
    let actions =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log WHERE tenant_id = $1 ORDER BY 1")
            .bind(tenant_id)
            .fetch_all(pool)
            .await?;
    Ok((kinds, actions))
}

/// Entries of a chain between two days (Asia/Shanghai, inclusive), oldest first, with their
/// seals: what the audit administrator exports.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Exported {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_user_id: Option<i64>,
    pub object_kind: String,
    pub object_id: String,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    pub key_version: Option<i32>,
    pub mac: Option<String>,
}

pub async fn period(
    pool: &sqlx::PgPool,
    tenant_id: Option<i64>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> sqlx::Result<Vec<Exported>> {
    sqlx::query_as(
        "SELECT a.seq, a.at, a.actor_user_id, a.object_kind, a.object_id, a.action, a.before,
                a.after, a.request_id, a.ip, a.prev_hash, a.hash, s.key_version, s.mac
         FROM audit_log a
         LEFT JOIN audit_seals s ON coalesce(s.tenant_id, 0) = coalesce(a.tenant_id, 0) AND s.seq = a.seq
         WHERE a.tenant_id IS NOT DISTINCT FROM $1
           AND ($2::date IS NULL OR a.at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
           AND ($3::date IS NULL OR a.at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
         ORDER BY a.seq",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

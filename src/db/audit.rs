//! The audit trail: one row per state change, written in the same transaction as the change.
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

pub async fn record(conn: &mut PgConnection, e: Entry<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, actor_user_id, object_kind, object_id, action, before, after, request_id, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
    .execute(conn)
    .await?;
    Ok(())
}

/// What `verify` found in one tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    /// The first entry that does not hold: (seq, why).
    pub broken: Option<(i64, String)>,
}

/// Checks one tenant's chain (None: the platform's own): sequence numbers run 1, 2, 3…, each
/// entry links to the hash of the one before, and each entry's hash is recomputed from its
/// content. An entry changed, removed or inserted out of order breaks it.
pub async fn verify(pool: &sqlx::PgPool, tenant_id: Option<i64>) -> sqlx::Result<Verified> {
    let rows = sqlx::query_as::<_, (i64, String, String, String)>(
        "SELECT seq, prev_hash, hash, audit_entry_hash(a) FROM audit_log a
         WHERE tenant_id IS NOT DISTINCT FROM $1 ORDER BY seq",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await?;
    let mut expected_prev = "0".repeat(64);
    let mut entries = 0u64;
    for (seq, prev, hash, recomputed) in rows {
        entries += 1;
        let why = if seq != entries as i64 {
            Some(format!(
                "expected entry {entries}, found {seq}: an entry is missing"
            ))
        } else if prev != expected_prev {
            Some("its link to the previous entry does not match".to_string())
        } else if hash != recomputed {
            Some("its content does not match its hash".to_string())
        } else {
            None
        };
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

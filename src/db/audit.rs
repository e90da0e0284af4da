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
     WHERE a.tenant_id = $1";

/// One page of a tenant's trail, newest first. Dates are Asia/Shanghai days, inclusive.
pub async fn search(
    pool: &sqlx::PgPool,
    tenant_id: i64,
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

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

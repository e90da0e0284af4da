use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Jurisdiction {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub division_code: Option<String>,
    pub active: bool,
}

impl Jurisdiction {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

pub use crate::domain::jurisdiction_table::KINDS;

pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("其他")
}

const COLUMNS: &str = "id, name, kind, division_code, active";

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Jurisdiction>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM jurisdictions WHERE tenant_id = $1 ORDER BY sort_order, id"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Jurisdiction>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM jurisdictions WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    name: &str,
    kind: &str,
    division_code: Option<&str>,
) -> sqlx::Result<Jurisdiction> {
    sqlx::query_as(&format!(
        "INSERT INTO jurisdictions (tenant_id, name, kind, division_code, sort_order)
         VALUES ($1, $2, $3, $4, (SELECT coalesce(max(sort_order), 0) + 1 FROM jurisdictions WHERE tenant_id = $1))
         RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(name)
    .bind(kind)
    .bind(division_code)
    .fetch_one(conn)
    .await
}

pub async fn set_active(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    active: bool,
) -> sqlx::Result<Option<Jurisdiction>> {
    sqlx::query_as(&format!(
        "UPDATE jurisdictions SET active = $3 WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(active)
    .fetch_optional(conn)
    .await
}

//! Operator organizations (园区运营管理机构), always scoped by tenant.
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organization {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub jurisdiction_id: Option<i64>,
    pub jurisdiction_name: Option<String>,
    pub address: String,
    pub legal_representative: String,
    pub contact_name: String,
    pub contact_phone: String,
}

const SELECT: &str = "SELECT o.id, o.uscc, o.name, o.jurisdiction_id, j.name AS jurisdiction_name,
        o.address, o.legal_representative, o.contact_name, o.contact_phone
     FROM organizations o
     LEFT JOIN jurisdictions j ON j.tenant_id = o.tenant_id AND j.id = o.jurisdiction_id";

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Organization>> {
    sqlx::query_as(&format!("{SELECT} WHERE o.tenant_id = $1 AND o.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The organization an operator account belongs to.
pub async fn of_user(
    pool: &PgPool,
    tenant_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<Organization>> {
    sqlx::query_as(&format!(
        "{SELECT} JOIN users u ON u.tenant_id = o.tenant_id AND u.organization_id = o.id
         WHERE o.tenant_id = $1 AND u.id = $2"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

pub struct OrganizationFields<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
    pub jurisdiction_id: i64,
    pub address: &'a str,
    pub legal_representative: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
}

/// Fails with the `organizations_tenant_id_uscc_key` unique violation when the USCC is taken.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    o: &OrganizationFields<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO organizations (tenant_id, uscc, name, jurisdiction_id, address,
             legal_representative, contact_name, contact_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant_id)
    .bind(o.uscc)
    .bind(o.name)
    .bind(o.jurisdiction_id)
    .bind(o.address)
    .bind(o.legal_representative)
    .bind(o.contact_name)
    .bind(o.contact_phone)
    .fetch_one(conn)
    .await
}

/// Updates the profile; the USCC identifies the organization and never changes.
pub async fn update(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    o: &OrganizationFields<'_>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE organizations SET name = $3, jurisdiction_id = $4, address = $5,
             legal_representative = $6, contact_name = $7, contact_phone = $8
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(o.name)
    .bind(o.jurisdiction_id)
    .bind(o.address)
    .bind(o.legal_representative)
    .bind(o.contact_name)
    .bind(o.contact_phone)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Every organization of the tenant: (id, name, USCC), by name.
pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as("SELECT id, name, uscc FROM organizations WHERE tenant_id = $1 ORDER BY name")
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Tenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub city: String,
    pub region_prefix: Option<String>,
    /// What the tenant calls its sub-municipal offices: 县（市、区） or 镇街.
    pub county_term: String,
}

pub async fn by_slug(pool: &PgPool, slug: &str) -> sqlx::Result<Option<Tenant>> {
    sqlx::query_as(
        "SELECT id, slug, name, city, region_prefix, county_term FROM tenants WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await
}

/// Tenants are only ever added (no statement updates or deletes one), so the server keeps each
/// one it has found by its slug: the lookup every `/t/{slug}/…` request needs costs no query.
#[derive(Clone, Default)]
pub struct TenantCache(
    std::sync::Arc<std::sync::RwLock<std::collections::HashMap<String, Tenant>>>,
);

impl TenantCache {
    pub async fn by_slug(&self, pool: &PgPool, slug: &str) -> sqlx::Result<Option<Tenant>> {
        if let Some(t) = self.0.read().unwrap_or_else(|e| e.into_inner()).get(slug) {
            return Ok(Some(t.clone()));
        }
        let found = by_slug(pool, slug).await?;
        if let Some(t) = &found {
            let mut held = self.0.write().unwrap_or_else(|e| e.into_inner());
            held.insert(slug.to_string(), t.clone());
        }
        Ok(found)
    }
}

pub async fn all(pool: &PgPool) -> sqlx::Result<Vec<Tenant>> {
    sqlx::query_as(
        "SELECT id, slug, name, city, region_prefix, county_term FROM tenants ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

pub struct NewTenant<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub region_prefix: Option<&'a str>,
}

pub async fn insert(conn: &mut PgConnection, t: &NewTenant<'_>) -> sqlx::Result<Tenant> {
    sqlx::query_as(
        "INSERT INTO tenants (slug, name, city, region_prefix) VALUES ($1, $2, $3, $4)
         RETURNING id, slug, name, city, region_prefix, county_term",
    )
    .bind(t.slug)
    .bind(t.name)
    .bind(t.city)
    .bind(t.region_prefix)
    .fetch_one(conn)
    .await
}

/// The tenant's numbers of users and jurisdictions, for the bureau's home page.
pub async fn counts(pool: &PgPool, tenant_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM users WHERE tenant_id = $1),
                (SELECT count(*) FROM jurisdictions WHERE tenant_id = $1)",
    )
    .bind(tenant_id)
    .fetch_one(pool)
    .await
}

/// What a tenant has set up so far, for its first-run checklist.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct SetupCounts {
    pub jurisdictions: i64,
    pub versions: i64,
    pub drafts: i64,
    pub experts: i64,
    pub published_calls: i64,
}

pub async fn setup_counts(pool: &PgPool, tenant_id: i64) -> sqlx::Result<SetupCounts> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM jurisdictions WHERE tenant_id = $1) AS jurisdictions,
                (SELECT count(*) FROM rule_set_versions WHERE tenant_id = $1) AS versions,
                (SELECT count(*) FROM rule_set_drafts WHERE tenant_id = $1 AND state = 'draft') AS drafts,
                (SELECT count(*) FROM experts WHERE tenant_id = $1 AND active) AS experts,
                (SELECT count(*) FROM calls WHERE tenant_id = $1 AND state <> 'draft') AS published_calls",
    )
    .bind(tenant_id)
    .fetch_one(pool)
    .await
}

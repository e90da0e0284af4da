//! The expert pool (专家库), always scoped by tenant.
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Expert {
    pub id: i64,
    pub name: String,
    pub employer: String,
    pub employer_uscc: Option<String>,
    pub specialties: Vec<String>,
    pub home_jurisdiction_id: Option<i64>,
    pub home_jurisdiction: Option<String>,
    pub mobile: String,
    pub email: Option<String>,
    pub title: Option<String>,
    pub active: bool,
    pub user_id: Option<i64>,
    pub login: Option<String>,
}

impl Expert {
    /// The stable key the lottery hashes (the database id, so a re-run matches).
    pub fn key(&self) -> String {
        format!("E{}", self.id)
    }
}

const SELECT: &str = "SELECT e.id, e.name, e.employer, e.employer_uscc, e.specialties,
        e.home_jurisdiction_id, j.name AS home_jurisdiction, e.mobile, e.email, e.title, e.active,
        e.user_id, u.login
     FROM experts e
     LEFT JOIN jurisdictions j ON j.tenant_id = e.tenant_id AND j.id = e.home_jurisdiction_id
     LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id";

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Expert>> {
    sqlx::query_as(&format!("{SELECT} WHERE e.tenant_id = $1 ORDER BY e.id"))
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Expert>> {
    sqlx::query_as(&format!("{SELECT} WHERE e.tenant_id = $1 AND e.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The pool entry of a signed-in expert.
pub async fn of_user(pool: &PgPool, tenant_id: i64, user_id: i64) -> sqlx::Result<Option<Expert>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE e.tenant_id = $1 AND e.user_id = $2"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

pub struct NewExpert<'a> {
    pub name: &'a str,
    pub employer: &'a str,
    pub employer_uscc: Option<&'a str>,
    pub specialties: &'a [String],
    pub home_jurisdiction_id: Option<i64>,
    pub mobile: &'a str,
    pub email: Option<&'a str>,
    pub title: Option<&'a str>,
    pub user_id: Option<i64>,
}

/// Fails with the `experts_tenant_id_mobile_key` violation for a mobile number already in the pool.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    e: &NewExpert<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO experts (tenant_id, name, employer, employer_uscc, specialties,
             home_jurisdiction_id, mobile, email, title, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tenant_id)
    .bind(e.name)
    .bind(e.employer)
    .bind(e.employer_uscc)
    .bind(e.specialties)
    .bind(e.home_jurisdiction_id)
    .bind(e.mobile)
    .bind(e.email)
    .bind(e.title)
    .bind(e.user_id)
    .fetch_one(conn)
    .await
}

pub async fn set_active(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    active: bool,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("UPDATE experts SET active = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .bind(active)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

pub async fn link_user(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    user_id: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE experts SET user_id = $3 WHERE tenant_id = $1 AND id = $2 AND user_id IS NULL",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Panels an expert served on, newest first: (panel id, panel name, call title, drawn at, declined).
pub async fn history(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
) -> sqlx::Result<
    Vec<(
        i64,
        String,
        String,
        chrono::DateTime<chrono::Utc>,
        Option<String>,
    )>,
> {
    sqlx::query_as(
        "SELECT p.id, p.name, c.title, p.created_at, m.declined_reason
         FROM panel_members m
         JOIN panels p ON p.tenant_id = m.tenant_id AND p.id = m.panel_id
         JOIN calls c ON c.tenant_id = p.tenant_id AND c.id = p.call_id
         WHERE m.tenant_id = $1 AND m.expert_id = $2 ORDER BY p.created_at DESC",
    )
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await
}

//! Third-party review institutions (第三方机构), their staff and the applications commissioned
//! to them, scoped by tenant.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Institution {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub contact: String,
    pub staff: i64,
    pub reviews: i64,
}

const SELECT: &str = "SELECT i.id, i.name, i.uscc, i.contact,
        (SELECT count(*) FROM users u WHERE u.tenant_id = i.tenant_id AND u.institution_id = i.id) AS staff,
        (SELECT count(*) FROM institution_reviews r WHERE r.tenant_id = i.tenant_id AND r.institution_id = i.id) AS reviews
    FROM review_institutions i";

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Institution>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.tenant_id = $1 ORDER BY i.name, i.id"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Institution>> {
    sqlx::query_as(&format!("{SELECT} WHERE i.tenant_id = $1 AND i.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The institution a staff account belongs to.
pub async fn of_user(
    pool: &PgPool,
    tenant_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<Institution>> {
    sqlx::query_as(&format!(
        "{SELECT} JOIN users s ON s.tenant_id = i.tenant_id AND s.institution_id = i.id
         WHERE i.tenant_id = $1 AND s.id = $2"
    ))
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    (name, uscc, contact): (&str, &str, &str),
    created_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO review_institutions (tenant_id, name, uscc, contact, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant_id)
    .bind(name)
    .bind(uscc)
    .bind(contact)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Ties a new staff account to its institution.
pub async fn link_staff(
    conn: &mut PgConnection,
    tenant_id: i64,
    institution_id: i64,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET institution_id = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(user_id)
        .bind(institution_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An institution's staff: (user id, login, name).
pub async fn staff(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT id, login, display_name FROM users
         WHERE tenant_id = $1 AND institution_id = $2 ORDER BY login",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub institution_id: i64,
    pub institution_name: String,
    pub application_id: i64,
    pub park_name: String,
    pub organization_name: String,
    pub application_state: String,
    pub state: String,
    pub opinion: Option<String>,
    pub summary: String,
    pub report_document_id: Option<i64>,
    pub report_filename: Option<String>,
    pub assigned_at: DateTime<Utc>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl Review {
    pub fn opinion_label(&self) -> &'static str {
        match self.opinion.as_deref() {
            Some("pass") => "通过",
            Some("fail") => "不通过",
            _ => "—",
        }
    }
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "submitted" => "已提交",
            _ => "待评审",
        }
    }
}

const REVIEW: &str = "SELECT r.id, r.institution_id, i.name AS institution_name, r.application_id,
        a.park_name, o.name AS organization_name, a.state AS application_state, r.state,
        r.opinion, r.summary, r.report_document_id, d.filename AS report_filename, r.assigned_at,
        u.display_name AS submitted_by_name, r.submitted_at
    FROM institution_reviews r
    JOIN review_institutions i ON i.tenant_id = r.tenant_id AND i.id = r.institution_id
    JOIN applications a ON a.tenant_id = r.tenant_id AND a.id = r.application_id
    JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
    LEFT JOIN documents d ON d.tenant_id = r.tenant_id AND d.id = r.report_document_id
    LEFT JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.submitted_by";

pub async fn insert_review(
    conn: &mut PgConnection,
    tenant_id: i64,
    institution_id: i64,
    application_id: i64,
    assigned_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO institution_reviews (tenant_id, institution_id, application_id, assigned_by)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant_id)
    .bind(institution_id)
    .bind(application_id)
    .bind(assigned_by)
    .fetch_one(conn)
    .await
}

pub async fn review(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Review>> {
    sqlx::query_as(&format!("{REVIEW} WHERE r.tenant_id = $1 AND r.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn of_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Review>> {
    sqlx::query_as(&format!(
        "{REVIEW} WHERE r.tenant_id = $1 AND r.application_id = $2 ORDER BY r.id"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

pub async fn of_applications(
    pool: &PgPool,
    tenant_id: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<Review>> {
    sqlx::query_as(&format!(
        "{REVIEW} WHERE r.tenant_id = $1 AND r.application_id = ANY($2) ORDER BY r.id"
    ))
    .bind(tenant_id)
    .bind(ids)
    .fetch_all(pool)
    .await
}

pub async fn of_institution(
    pool: &PgPool,
    tenant_id: i64,
    institution_id: i64,
) -> sqlx::Result<Vec<Review>> {
    sqlx::query_as(&format!(
        "{REVIEW} WHERE r.tenant_id = $1 AND r.institution_id = $2 ORDER BY r.state, r.id DESC"
    ))
    .bind(tenant_id)
    .bind(institution_id)
    .fetch_all(pool)
    .await
}

/// Writes the opinion on an open review (the machine's step follows in the transaction).
pub async fn write_opinion(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    (opinion, summary, report): (&str, &str, i64),
    by: i64,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE institution_reviews SET opinion = $3, summary = $4, report_document_id = $5,
             submitted_by = $6
         WHERE tenant_id = $1 AND id = $2 AND state = 'open'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(opinion)
    .bind(summary)
    .bind(report)
    .bind(by)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// An application's commissioned reviews: (assigned, submitted).
pub async fn progress(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE state = 'submitted')
         FROM institution_reviews WHERE tenant_id = $1 AND application_id = $2",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_one(conn)
    .await
}

//! Calls for applications, always scoped by tenant.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Call {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub rule_set_version_id: i64,
    pub rule_set_title: String,
    pub rule_set_version: i32,
    pub opens_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub description: String,
    pub state: crate::domain::workflow::CallState,
    pub published_at: Option<DateTime<Utc>>,
    pub lock_version: i32,
    /// `written` (the online sheets) or `both` (and an on-site inspection, 现场考核).
    pub review_forms: String,
}

impl Call {
    pub fn requires_inspection(&self) -> bool {
        self.review_forms == "both"
    }

    pub fn review_forms_label(&self) -> &'static str {
        match self.review_forms.as_str() {
            "both" => "书面考核和现场考核",
            _ => "书面考核",
        }
    }
}

const SELECT: &str = "SELECT c.id, c.title, c.year, c.rule_set_version_id, v.title AS rule_set_title,
        v.version AS rule_set_version, c.opens_at, c.deadline, c.description, c.state,
        c.published_at, c.lock_version, c.review_forms
     FROM calls c JOIN rule_set_versions v ON v.tenant_id = c.tenant_id AND v.id = c.rule_set_version_id";

/// Whose view of the list: the bureau sees drafts, the public only what has been published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Bureau,
    Public,
}

pub async fn list(pool: &PgPool, tenant_id: i64, audience: Audience) -> sqlx::Result<Vec<Call>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE c.tenant_id = $1 AND ($2 OR c.state <> 'draft')
         ORDER BY c.deadline DESC, c.id DESC"
    ))
    .bind(tenant_id)
    .bind(audience == Audience::Bureau)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Call>> {
    sqlx::query_as(&format!("{SELECT} WHERE c.tenant_id = $1 AND c.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub struct CallFields<'a> {
    pub title: &'a str,
    pub year: i32,
    pub rule_set_version_id: i64,
    pub opens_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub description: &'a str,
    pub review_forms: &'a str,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    f: &CallFields<'_>,
    created_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO calls (tenant_id, title, year, rule_set_version_id, opens_at, deadline, description,
             created_by, review_forms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(tenant_id)
    .bind(f.title)
    .bind(f.year)
    .bind(f.rule_set_version_id)
    .bind(f.opens_at)
    .bind(f.deadline)
    .bind(f.description)
    .bind(created_by)
    .bind(f.review_forms)
    .fetch_one(conn)
    .await
}

/// Updates a draft call if nobody changed it since `lock_version`; `false` when the row is no
/// longer a draft or another edit got there first.
pub async fn update_draft(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    lock_version: i32,
    f: &CallFields<'_>,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE calls SET title = $4, year = $5, rule_set_version_id = $6, opens_at = $7, deadline = $8,
                description = $9, review_forms = $10, lock_version = lock_version + 1,
                updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3 AND state = 'draft'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(lock_version)
    .bind(f.title)
    .bind(f.year)
    .bind(f.rule_set_version_id)
    .bind(f.opens_at)
    .bind(f.deadline)
    .bind(f.description)
    .bind(f.review_forms)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

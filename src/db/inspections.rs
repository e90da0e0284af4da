//! On-site inspections (现场考核): the visit, its members, the working record and its photos,
//! and the frozen versions the members confirm, scoped by tenant.
use crate::domain::inspection::Recorded;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    pub application_id: i64,
    pub park_name: String,
    pub jurisdiction_id: Option<i64>,
    pub scheduled_at: DateTime<Utc>,
    pub address: String,
    pub lead_user_id: i64,
    pub lead_name: String,
    pub county_contact: String,
    pub state: String,
    pub findings: Json<BTreeMap<String, Recorded>>,
    pub others_present: String,
    pub version_count: i32,
    pub lock_version: i32,
}

const SELECT: &str = "SELECT i.id, i.application_id, a.park_name, a.jurisdiction_id,
        i.scheduled_at, i.address, i.lead_user_id, u.display_name AS lead_name,
        i.county_contact, i.state, i.findings, i.others_present, i.version_count, i.lock_version
    FROM inspections i
    JOIN applications a ON a.tenant_id = i.tenant_id AND a.id = i.application_id
    JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.lead_user_id";

pub struct NewInspection<'a> {
    pub application_id: i64,
    pub scheduled_at: DateTime<Utc>,
    pub address: &'a str,
    pub lead_user_id: i64,
    pub county_contact: &'a str,
    pub created_by: i64,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    n: &NewInspection<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO inspections (tenant_id, application_id, scheduled_at, address, lead_user_id,
             county_contact, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tenant_id)
    .bind(n.application_id)
    .bind(n.scheduled_at)
    .bind(n.address)
    .bind(n.lead_user_id)
    .bind(n.county_contact)
    .bind(n.created_by)
    .fetch_one(conn)
    .await
}

pub async fn insert_member(
    conn: &mut PgConnection,
    tenant_id: i64,
    inspection_id: i64,
    expert_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO inspection_members (tenant_id, inspection_id, expert_id) VALUES ($1, $2, $3)",
    )
    .bind(tenant_id)
    .bind(inspection_id)
    .bind(expert_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Inspection>> {
    sqlx::query_as(&format!("{SELECT} WHERE i.tenant_id = $1 AND i.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn of_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Inspection>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.tenant_id = $1 AND i.application_id = $2 ORDER BY i.scheduled_at, i.id"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

/// The inspections an expert is a member of, latest first.
pub async fn of_expert(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
) -> sqlx::Result<Vec<Inspection>> {
    sqlx::query_as(&format!(
        "{SELECT} JOIN inspection_members m ON m.tenant_id = i.tenant_id AND m.inspection_id = i.id
         WHERE i.tenant_id = $1 AND m.expert_id = $2 ORDER BY i.scheduled_at DESC, i.id DESC"
    ))
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub expert_id: i64,
    pub name: String,
    pub user_id: Option<i64>,
    pub present: bool,
    pub confirmed_version: Option<i32>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn members(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT m.expert_id, e.name, e.user_id, m.present, m.confirmed_version, m.confirmed_at
         FROM inspection_members m
         JOIN experts e ON e.tenant_id = m.tenant_id AND e.id = m.expert_id
         WHERE m.tenant_id = $1 AND m.inspection_id = $2 ORDER BY e.name, m.expert_id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The expert id of the signed-in user `user_id` if they are a member of the inspection.
pub async fn member_of_user(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
    user_id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT m.expert_id FROM inspection_members m
         JOIN experts e ON e.tenant_id = m.tenant_id AND e.id = m.expert_id
         WHERE m.tenant_id = $1 AND m.inspection_id = $2 AND e.user_id = $3",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// The working record, while the visit is not yet submitted and nobody saved since `expected`.
pub struct Record<'a> {
    pub findings: &'a BTreeMap<String, Recorded>,
    pub others_present: &'a str,
    /// Expert id → whether they were there.
    pub present: &'a BTreeMap<i64, bool>,
}

pub async fn save_record(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    expected: i32,
    r: &Record<'_>,
) -> sqlx::Result<bool> {
    let saved = sqlx::query(
        "UPDATE inspections SET findings = $4, others_present = $5,
             lock_version = lock_version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3 AND state = 'scheduled'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(expected)
    .bind(Json(r.findings))
    .bind(r.others_present)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if saved {
        for (expert, present) in r.present {
            sqlx::query(
                "UPDATE inspection_members SET present = $4
                 WHERE tenant_id = $1 AND inspection_id = $2 AND expert_id = $3",
            )
            .bind(tenant_id)
            .bind(id)
            .bind(expert)
            .bind(present)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(saved)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Photo {
    pub document_id: i64,
    pub filename: String,
    pub sha256: String,
    pub item: String,
    pub caption: String,
    pub taken_at: Option<NaiveDateTime>,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert_photo(
    conn: &mut PgConnection,
    tenant_id: i64,
    inspection_id: i64,
    document_id: i64,
    (item, caption, taken_at): (&str, &str, Option<NaiveDateTime>),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO inspection_photos (tenant_id, document_id, inspection_id, item, caption,
             taken_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(document_id)
    .bind(inspection_id)
    .bind(item)
    .bind(caption)
    .bind(taken_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn photos(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Vec<Photo>> {
    sqlx::query_as(
        "SELECT p.document_id, d.filename, d.sha256, p.item, p.caption, p.taken_at, d.uploaded_at
         FROM inspection_photos p
         JOIN documents d ON d.tenant_id = p.tenant_id AND d.id = p.document_id
         WHERE p.tenant_id = $1 AND p.inspection_id = $2 ORDER BY p.document_id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Freezes the record as version `number` (the state's step follows in the transaction).
pub async fn insert_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    record: &Value,
    submitted_by: i64,
) -> sqlx::Result<i32> {
    let number: i32 = sqlx::query_scalar(
        "UPDATE inspections SET version_count = version_count + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 RETURNING version_count",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO inspection_versions (tenant_id, inspection_id, number, record, submitted_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(number)
    .bind(record)
    .bind(submitted_by)
    .execute(conn)
    .await?;
    Ok(number)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub number: i32,
    pub record: Value,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
}

pub async fn latest_version(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Version>> {
    sqlx::query_as(
        "SELECT v.number, v.record, u.display_name AS submitted_by_name, v.submitted_at
         FROM inspection_versions v
         JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.submitted_by
         WHERE v.tenant_id = $1 AND v.inspection_id = $2 ORDER BY v.number DESC LIMIT 1",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// One present member confirms `version`; false when they are not a present member or the
/// record is no longer that version awaiting confirmation.
pub async fn confirm(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    expert_id: i64,
    version: i32,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE inspection_members m SET confirmed_version = $4, confirmed_at = now()
         FROM inspections i
         WHERE m.tenant_id = $1 AND m.inspection_id = $2 AND m.expert_id = $3 AND m.present
           AND i.tenant_id = m.tenant_id AND i.id = m.inspection_id
           AND i.state = 'confirming' AND i.version_count = $4
           AND m.confirmed_version IS DISTINCT FROM $4",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(expert_id)
    .bind(version)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Present members who have not confirmed `version` yet.
pub async fn unconfirmed(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    version: i32,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM inspection_members
         WHERE tenant_id = $1 AND inspection_id = $2 AND present
           AND confirmed_version IS DISTINCT FROM $3",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version)
    .fetch_one(conn)
    .await
}

/// Whether an application has a confirmed inspection record.
pub async fn confirmed_for(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM inspections
                        WHERE tenant_id = $1 AND application_id = $2 AND state = 'confirmed')",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_one(conn)
    .await
}

/// The latest inspection of each application and its latest frozen record, for a list:
/// application id → (inspection id, state, record).
pub async fn summaries(
    pool: &PgPool,
    tenant_id: i64,
    application_ids: &[i64],
) -> sqlx::Result<BTreeMap<i64, (i64, String, Option<Value>)>> {
    let rows: Vec<(i64, i64, String, Option<Value>)> = sqlx::query_as(
        "SELECT DISTINCT ON (i.application_id) i.application_id, i.id, i.state,
                (SELECT v.record FROM inspection_versions v
                  WHERE v.tenant_id = i.tenant_id AND v.inspection_id = i.id
                  ORDER BY v.number DESC LIMIT 1)
         FROM inspections i
         WHERE i.tenant_id = $1 AND i.application_id = ANY($2)
         ORDER BY i.application_id, i.scheduled_at DESC, i.id DESC",
    )
    .bind(tenant_id)
    .bind(application_ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(app, id, state, record)| (app, (id, state, record)))
        .collect())
}

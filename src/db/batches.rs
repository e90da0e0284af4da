//! A county's recorded opinions awaiting forwarding, and the batches it forwarded them in
//! (统一报送), scoped by tenant and, for a county, by its jurisdiction.
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;

/// A county's opinion on one submitted version, before it is forwarded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Prereview {
    pub application_id: i64,
    pub park_name: String,
    pub organization_name: String,
    pub version_number: i32,
    pub opinion: String,
    pub comments: String,
    pub attestations: Json<BTreeMap<String, bool>>,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
}

pub struct NewPrereview<'a> {
    pub application_id: i64,
    pub version_number: i32,
    pub opinion: &'a str,
    pub comments: &'a str,
    pub attestations: &'a BTreeMap<String, bool>,
    pub recorded_by: i64,
}

pub async fn insert_prereview(
    conn: &mut PgConnection,
    tenant_id: i64,
    p: &NewPrereview<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO county_prereviews (tenant_id, application_id, version_number, opinion,
             comments, attestations, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tenant_id)
    .bind(p.application_id)
    .bind(p.version_number)
    .bind(p.opinion)
    .bind(p.comments)
    .bind(Json(p.attestations))
    .bind(p.recorded_by)
    .fetch_one(conn)
    .await
}

const PREREVIEW: &str = "SELECT DISTINCT ON (p.application_id) p.application_id,
        a.park_name, o.name AS organization_name, p.version_number, p.opinion, p.comments, p.attestations,
        u.display_name AS recorded_by_name, p.recorded_at
    FROM county_prereviews p
    JOIN applications a ON a.tenant_id = p.tenant_id AND a.id = p.application_id
    JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
    JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.recorded_by";

/// The latest opinion recorded on the application's current version, if it still waits to be
/// forwarded (the application is `submitted`).
pub async fn pending_prereview(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Option<Prereview>> {
    sqlx::query_as(&format!(
        "{PREREVIEW}
         WHERE p.tenant_id = $1 AND p.application_id = $2
           AND p.version_number = a.version_count AND a.state = 'submitted'
         ORDER BY p.application_id, p.id DESC"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_optional(conn)
    .await
}

/// A county's applications to one call that it has checked and not yet forwarded.
pub async fn pending_for_call(
    pool: &PgPool,
    tenant_id: i64,
    jurisdiction_id: i64,
    call_id: i64,
) -> sqlx::Result<Vec<Prereview>> {
    sqlx::query_as(&format!(
        "{PREREVIEW}
         WHERE p.tenant_id = $1 AND a.jurisdiction_id = $2 AND a.call_id = $3
           AND p.version_number = a.version_count AND a.state = 'submitted'
         ORDER BY p.application_id, p.id DESC"
    ))
    .bind(tenant_id)
    .bind(jurisdiction_id)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

/// The calls for which a county has checked applications waiting to be forwarded, with how
/// many: (call id, call title, count).
pub async fn calls_with_pending(
    pool: &PgPool,
    tenant_id: i64,
    jurisdiction_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT c.id, c.title, count(DISTINCT a.id)
         FROM county_prereviews p
         JOIN applications a ON a.tenant_id = p.tenant_id AND a.id = p.application_id
         JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id
         WHERE p.tenant_id = $1 AND a.jurisdiction_id = $2
           AND p.version_number = a.version_count AND a.state = 'submitted'
         GROUP BY c.id, c.title ORDER BY c.id",
    )
    .bind(tenant_id)
    .bind(jurisdiction_id)
    .fetch_all(pool)
    .await
}

/// Starts a batch: its number is the next for this county and call. The caller holds the
/// county's lock for the call (`lock_numbering`), so two batches never take one number.
pub async fn insert_batch(
    conn: &mut PgConnection,
    tenant_id: i64,
    call_id: i64,
    jurisdiction_id: i64,
    forwarded_by: i64,
) -> sqlx::Result<(i64, i32)> {
    sqlx::query_as(
        "INSERT INTO forwarding_batches (tenant_id, call_id, jurisdiction_id, number, forwarded_by)
         SELECT $1, $2, $3, coalesce(max(number), 0) + 1, $4 FROM forwarding_batches
         WHERE tenant_id = $1 AND call_id = $2 AND jurisdiction_id = $3
         RETURNING id, number",
    )
    .bind(tenant_id)
    .bind(call_id)
    .bind(jurisdiction_id)
    .bind(forwarded_by)
    .fetch_one(conn)
    .await
}

/// Serialises the batches of one county for one call (their numbering).
pub async fn lock_numbering(
    conn: &mut PgConnection,
    tenant_id: i64,
    call_id: i64,
    jurisdiction_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('batch:' || $1 || ':' || $2 || ':' || $3, 0))")
        .bind(tenant_id)
        .bind(call_id)
        .bind(jurisdiction_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_item(
    conn: &mut PgConnection,
    tenant_id: i64,
    batch_id: i64,
    p: &Prereview,
    rank: Option<i32>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO forwarding_batch_items (tenant_id, batch_id, application_id, version_number,
             opinion, rank)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(batch_id)
    .bind(p.application_id)
    .bind(p.version_number)
    .bind(&p.opinion)
    .bind(rank)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Batch {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub jurisdiction_id: i64,
    pub jurisdiction_name: String,
    pub number: i32,
    pub forwarded_by_name: String,
    pub forwarded_at: DateTime<Utc>,
    pub letter_document_id: Option<i64>,
    pub letter_filename: Option<String>,
    pub items: i64,
}

const BATCH: &str = "SELECT b.id, b.call_id, c.title AS call_title, b.jurisdiction_id,
        j.name AS jurisdiction_name, b.number, u.display_name AS forwarded_by_name,
        b.forwarded_at, d.id AS letter_document_id, d.filename AS letter_filename,
        (SELECT count(*) FROM forwarding_batch_items i
          WHERE i.tenant_id = b.tenant_id AND i.batch_id = b.id) AS items
    FROM forwarding_batches b
    JOIN calls c ON c.tenant_id = b.tenant_id AND c.id = b.call_id
    JOIN jurisdictions j ON j.tenant_id = b.tenant_id AND j.id = b.jurisdiction_id
    JOIN users u ON u.tenant_id = b.tenant_id AND u.id = b.forwarded_by
    LEFT JOIN documents d ON d.tenant_id = b.tenant_id AND d.batch_id = b.id";

/// A batch, for the bureau (`jurisdiction` None) or for the county that forwarded it.
pub async fn get(
    pool: &PgPool,
    tenant_id: i64,
    jurisdiction: Option<i64>,
    id: i64,
) -> sqlx::Result<Option<Batch>> {
    sqlx::query_as(&format!(
        "{BATCH} WHERE b.tenant_id = $1 AND b.id = $2
           AND ($3::bigint IS NULL OR b.jurisdiction_id = $3)"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(jurisdiction)
    .fetch_optional(pool)
    .await
}

/// The batches forwarded to a call (`jurisdiction` None: by every county), oldest first.
pub async fn list(
    pool: &PgPool,
    tenant_id: i64,
    jurisdiction: Option<i64>,
    call_id: Option<i64>,
) -> sqlx::Result<Vec<Batch>> {
    sqlx::query_as(&format!(
        "{BATCH} WHERE b.tenant_id = $1
           AND ($2::bigint IS NULL OR b.jurisdiction_id = $2)
           AND ($3::bigint IS NULL OR b.call_id = $3)
         ORDER BY b.forwarded_at, b.id"
    ))
    .bind(tenant_id)
    .bind(jurisdiction)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchItem {
    pub application_id: i64,
    pub version_number: i32,
    pub opinion: String,
    pub rank: Option<i32>,
    pub park_name: String,
    pub organization_name: String,
    pub state: String,
    pub comments: String,
}

/// A batch's applications, recommended ones in their order first.
pub async fn items(pool: &PgPool, tenant_id: i64, batch_id: i64) -> sqlx::Result<Vec<BatchItem>> {
    sqlx::query_as(
        "SELECT i.application_id, i.version_number, i.opinion, i.rank, v.park_name,
                o.name AS organization_name, a.state,
                coalesce((SELECT r.comments FROM application_reviews r
                  WHERE r.tenant_id = i.tenant_id AND r.application_id = i.application_id
                    AND r.version_number = i.version_number AND r.stage = 'county'
                  ORDER BY r.id DESC LIMIT 1), '') AS comments
         FROM forwarding_batch_items i
         JOIN applications a ON a.tenant_id = i.tenant_id AND a.id = i.application_id
         JOIN application_versions v ON v.tenant_id = i.tenant_id
              AND v.application_id = i.application_id AND v.number = i.version_number
         JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
         WHERE i.tenant_id = $1 AND i.batch_id = $2
         ORDER BY i.rank NULLS LAST, i.id",
    )
    .bind(tenant_id)
    .bind(batch_id)
    .fetch_all(pool)
    .await
}

/// The batch that forwarded a version of an application, with its rank: (batch id, number,
/// county, rank).
pub async fn of_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<(i64, i32, String, Option<i32>, i32)>> {
    sqlx::query_as(
        "SELECT b.id, b.number, j.name, i.rank, i.version_number
         FROM forwarding_batch_items i
         JOIN forwarding_batches b ON b.tenant_id = i.tenant_id AND b.id = i.batch_id
         JOIN jurisdictions j ON j.tenant_id = b.tenant_id AND j.id = b.jurisdiction_id
         WHERE i.tenant_id = $1 AND i.application_id = $2 ORDER BY i.id",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

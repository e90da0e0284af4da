//! Paper sheets entered by bureau staff (代录): each entry, and the sheet submitted from two
//! that agree, scoped by tenant.
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub scores: Json<BTreeMap<String, String>>,
    pub opinion: Option<String>,
    pub summary: String,
    pub scan_document_id: Option<i64>,
    pub entered_by: i64,
    pub entered_by_name: String,
    pub entered_at: DateTime<Utc>,
}

pub struct NewEntry<'a> {
    pub assignment_id: i64,
    pub round: i32,
    pub scores: &'a BTreeMap<String, String>,
    pub opinion: Option<&'a str>,
    pub summary: &'a str,
    pub scan_document_id: Option<i64>,
    pub entered_by: i64,
}

/// The sheet's version, locked: two staff entering at once are taken one after the other.
/// None when the sheet is not open (submitted, withdrawn) or its expert recused.
pub async fn lock_round(
    conn: &mut PgConnection,
    tenant_id: i64,
    assignment_id: i64,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "SELECT lock_version FROM assignments
         WHERE tenant_id = $1 AND id = $2 AND state = 'open' AND conflict <> 'declared'
         FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(assignment_id)
    .fetch_optional(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    e: &NewEntry<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO paper_entries (tenant_id, assignment_id, round, scores, opinion, summary,
             scan_document_id, entered_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant_id)
    .bind(e.assignment_id)
    .bind(e.round)
    .bind(Json(e.scores))
    .bind(e.opinion)
    .bind(e.summary)
    .bind(e.scan_document_id)
    .bind(e.entered_by)
    .fetch_one(conn)
    .await
}

/// Each staff member's latest entry of this round, oldest first.
pub async fn current(
    conn: &mut PgConnection,
    tenant_id: i64,
    assignment_id: i64,
    round: i32,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT * FROM (
             SELECT DISTINCT ON (e.entered_by) e.id, e.scores, e.opinion, e.summary,
                    e.scan_document_id, e.entered_by, u.display_name AS entered_by_name,
                    e.entered_at
             FROM paper_entries e
             JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.entered_by
             WHERE e.tenant_id = $1 AND e.assignment_id = $2 AND e.round = $3
             ORDER BY e.entered_by, e.id DESC
         ) latest ORDER BY id",
    )
    .bind(tenant_id)
    .bind(assignment_id)
    .bind(round)
    .fetch_all(conn)
    .await
}

/// The latest scan of the signed sheet attached to an entry of this round.
pub async fn scan_of_round(
    conn: &mut PgConnection,
    tenant_id: i64,
    assignment_id: i64,
    round: i32,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT scan_document_id FROM paper_entries
         WHERE tenant_id = $1 AND assignment_id = $2 AND round = $3
           AND scan_document_id IS NOT NULL
         ORDER BY id DESC LIMIT 1",
    )
    .bind(tenant_id)
    .bind(assignment_id)
    .bind(round)
    .fetch_optional(conn)
    .await
}

/// What the two agreeing entries say becomes the sheet (the expert signed it, so it is no
/// longer undeclared); the sheet machine's step follows in the same transaction.
pub struct Agreed<'a> {
    pub assignment_id: i64,
    pub entry: &'a Entry,
    pub scan_document_id: i64,
    pub entries: [i64; 2],
}

pub async fn write_agreed(
    conn: &mut PgConnection,
    tenant_id: i64,
    a: &Agreed<'_>,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE assignments SET scores = $3, comments = '{}', opinion = $4, summary = $5,
             conflict = CASE WHEN conflict = 'undeclared' THEN 'none' ELSE conflict END,
             paper_scan_document_id = $6, paper_entries = $7,
             lock_version = lock_version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND state = 'open' AND conflict <> 'declared'",
    )
    .bind(tenant_id)
    .bind(a.assignment_id)
    .bind(&a.entry.scores)
    .bind(&a.entry.opinion)
    .bind(&a.entry.summary)
    .bind(a.scan_document_id)
    .bind(&a.entries[..])
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Who entered the open sheet so far in its current round, and when: (name, at). Never what
/// they typed — the second entry is made blind.
pub async fn who_entered(
    conn: &mut PgConnection,
    tenant_id: i64,
    assignment_id: i64,
) -> sqlx::Result<Vec<(i64, String, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT e.entered_by, u.display_name, e.entered_at
         FROM paper_entries e
         JOIN assignments s ON s.tenant_id = e.tenant_id AND s.id = e.assignment_id
         JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.entered_by
         WHERE e.tenant_id = $1 AND e.assignment_id = $2 AND e.round = s.lock_version
           AND s.state = 'open'
         ORDER BY e.id",
    )
    .bind(tenant_id)
    .bind(assignment_id)
    .fetch_all(conn)
    .await
}

/// The names of the staff whose entries a paper sheet was submitted from.
pub async fn names_of(
    conn: &mut PgConnection,
    tenant_id: i64,
    entries: &[i64],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT u.display_name FROM paper_entries e
         JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.entered_by
         WHERE e.tenant_id = $1 AND e.id = ANY($2) ORDER BY e.id",
    )
    .bind(tenant_id)
    .bind(entries)
    .fetch_all(conn)
    .await
}

//! Applications, their frozen versions and their review opinions, always scoped by tenant.
//! Who may see which application (the operator's organization, the county's jurisdiction) is
//! part of each query, so a page never fetches a row it would then have to hide.
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;

pub type FormValues = BTreeMap<String, String>;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub call_state: String,
    pub call_deadline: DateTime<Utc>,
    pub rule_set_version_id: i64,
    pub organization_id: i64,
    pub organization_name: String,
    pub organization_uscc: String,
    pub jurisdiction_id: Option<i64>,
    pub jurisdiction_name: Option<String>,
    pub park_name: String,
    pub state: String,
    pub form: Json<FormValues>,
    pub roster: Json<Value>,
    pub lock_version: i32,
    pub roster_lock_version: i32,
    pub version_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT a.id, a.call_id, c.title AS call_title, c.state AS call_state,
        c.deadline AS call_deadline, c.rule_set_version_id, a.organization_id,
        o.name AS organization_name, o.uscc AS organization_uscc, a.jurisdiction_id,
        j.name AS jurisdiction_name, a.park_name, a.state, a.form, a.roster, a.lock_version,
        a.roster_lock_version, a.version_count, a.created_at, a.updated_at
     FROM applications a
     JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id
     JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
     LEFT JOIN jurisdictions j ON j.tenant_id = a.tenant_id AND j.id = a.jurisdiction_id";

/// Whose view: each audience sees only its own applications.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The operator's organization: its drafts and submissions.
    Organization(i64),
    /// A county office: what has been submitted to it (never a draft that was not).
    Jurisdiction(i64),
    /// The bureau: everything that has ever been submitted.
    Bureau,
}

fn scope_sql(scope: Scope) -> (&'static str, i64) {
    match scope {
        Scope::Organization(id) => ("a.organization_id = $2", id),
        Scope::Jurisdiction(id) => ("a.jurisdiction_id = $2 AND a.version_count > 0", id),
        // Every query binds the scope's id as $2; the bureau's scope has none, so it compares
        // the placeholder with itself to keep one query shape.
        Scope::Bureau => ("a.version_count > 0 AND $2 = $2", 0),
    }
}

pub async fn list(pool: &PgPool, tenant_id: i64, scope: Scope) -> sqlx::Result<Vec<Application>> {
    let (cond, arg) = scope_sql(scope);
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.tenant_id = $1 AND {cond} ORDER BY a.updated_at DESC, a.id DESC"
    ))
    .bind(tenant_id)
    .bind(arg)
    .fetch_all(pool)
    .await
}

/// A call's submitted applications, for lists: their working form and roster are left out
/// (empty here), as no list shows them and a call's rosters run to megabytes; `get` has them.
pub async fn list_for_call(
    pool: &PgPool,
    tenant_id: i64,
    call_id: i64,
) -> sqlx::Result<Vec<Application>> {
    let select = SELECT.replace(
        "a.form, a.roster,",
        "'{}'::jsonb AS form, '[]'::jsonb AS roster,",
    );
    sqlx::query_as(&format!(
        "{select} WHERE a.tenant_id = $1 AND a.call_id = $2 AND a.version_count > 0
         ORDER BY j.sort_order, a.id"
    ))
    .bind(tenant_id)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

/// The applications still on their way to a title of the operator with this USCC, as
/// (id, park name): what a revocation barring it (中山 第十二条) puts before the bureau.
pub async fn in_progress_of_operator(
    pool: &PgPool,
    tenant_id: i64,
    uscc: &str,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT a.id, a.park_name FROM applications a
         JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
         WHERE a.tenant_id = $1 AND o.uscc = $2 AND a.state IN ('draft', 'submitted',
               'forwarded', 'in_review', 'reviewed', 'shortlisted', 'in_publicity',
               'publicity_closed')
         ORDER BY a.id",
    )
    .bind(tenant_id)
    .bind(uscc)
    .fetch_all(pool)
    .await
}

/// How many submitted applications each call has in each state (the bureau's overview).
pub async fn counts_by_call(
    pool: &PgPool,
    tenant_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT call_id, state, count(*) FROM applications
         WHERE tenant_id = $1 AND version_count > 0 GROUP BY call_id, state",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn get(
    pool: &PgPool,
    tenant_id: i64,
    scope: Scope,
    id: i64,
) -> sqlx::Result<Option<Application>> {
    let (cond, arg) = scope_sql(scope);
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.tenant_id = $1 AND {cond} AND a.id = $3"
    ))
    .bind(tenant_id)
    .bind(arg)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn create(
    conn: &mut PgConnection,
    tenant_id: i64,
    call_id: i64,
    organization_id: i64,
    jurisdiction_id: Option<i64>,
    user_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO applications (tenant_id, call_id, organization_id, jurisdiction_id, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant_id)
    .bind(call_id)
    .bind(organization_id)
    .bind(jurisdiction_id)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// Saves the draft's form if nobody saved it since `expected_lock`; false when someone did (or
/// the application is no longer a draft).
pub async fn save_form(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    expected_lock: i32,
    park_name: &str,
    jurisdiction_id: Option<i64>,
    form: &FormValues,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE applications SET park_name = $4, jurisdiction_id = $5, form = $6,
             lock_version = lock_version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3 AND state = 'draft'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(expected_lock)
    .bind(park_name)
    .bind(jurisdiction_id)
    .bind(Json(form))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the draft's roster if nobody changed it since `expected_lock`.
pub async fn save_roster(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    expected_lock: i32,
    roster: &Value,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE applications SET roster = $4, roster_lock_version = roster_lock_version + 1,
             updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND roster_lock_version = $3 AND state = 'draft'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(expected_lock)
    .bind(roster)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------------------------------------
// Versions

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Version {
    pub number: i32,
    pub park_name: String,
    pub jurisdiction_id: i64,
    pub form: Json<FormValues>,
    pub roster: Json<Value>,
    pub documents: Json<Vec<FrozenDocument>>,
    pub evaluation: Json<Value>,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
}

/// A document as frozen into a version: enough to find and verify its bytes for ever.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FrozenDocument {
    pub id: i64,
    pub category: String,
    pub filename: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
}

impl FrozenDocument {
    pub fn category_label(&self) -> &'static str {
        super::documents::category_label(&self.category)
    }

    pub fn size_label(&self) -> String {
        super::documents::size_label(self.size_bytes)
    }
}

pub struct NewVersion<'a> {
    pub number: i32,
    pub park_name: &'a str,
    pub jurisdiction_id: i64,
    pub form: &'a FormValues,
    pub roster: &'a Value,
    pub documents: &'a [FrozenDocument],
    pub evaluation: &'a Value,
    pub submit_token: uuid::Uuid,
    pub submitted_by: i64,
}

pub async fn insert_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
    v: &NewVersion<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO application_versions (tenant_id, application_id, number, park_name,
             jurisdiction_id, form, roster, documents, evaluation, submit_token, submitted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant_id)
    .bind(application_id)
    .bind(v.number)
    .bind(v.park_name)
    .bind(v.jurisdiction_id)
    .bind(Json(v.form))
    .bind(v.roster)
    .bind(Json(v.documents))
    .bind(v.evaluation)
    .bind(v.submit_token)
    .bind(v.submitted_by)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE applications SET version_count = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(application_id)
        .bind(v.number)
        .execute(conn)
        .await?;
    Ok(())
}

/// The application a submit token already created a version of, if any.
pub async fn version_of_token(
    pool: &PgPool,
    tenant_id: i64,
    token: uuid::Uuid,
) -> sqlx::Result<Option<(i64, i32)>> {
    sqlx::query_as(
        "SELECT application_id, number FROM application_versions
         WHERE tenant_id = $1 AND submit_token = $2",
    )
    .bind(tenant_id)
    .bind(token)
    .fetch_optional(pool)
    .await
}

const VERSION_SELECT: &str = "SELECT v.number, v.park_name, v.jurisdiction_id, v.form, v.roster,
        v.documents, v.evaluation, u.display_name AS submitted_by_name, v.submitted_at
     FROM application_versions v
     JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.submitted_by";

pub async fn versions(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Version>> {
    sqlx::query_as(&format!(
        "{VERSION_SELECT} WHERE v.tenant_id = $1 AND v.application_id = $2 ORDER BY v.number"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

/// The number of the latest version of each of the applications (those with one), by
/// application id: one query that reads no form or roster.
pub async fn latest_version_numbers(
    pool: &PgPool,
    tenant_id: i64,
    application_ids: &[i64],
) -> sqlx::Result<BTreeMap<i64, i32>> {
    let rows: Vec<(i64, i32)> = sqlx::query_as(
        "SELECT application_id, max(number) FROM application_versions
         WHERE tenant_id = $1 AND application_id = ANY($2) GROUP BY application_id",
    )
    .bind(tenant_id)
    .bind(application_ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The given versions (application id, number) in full, by application id.
pub async fn versions_numbered(
    pool: &PgPool,
    tenant_id: i64,
    wanted: &[(i64, i32)],
) -> sqlx::Result<Vec<(i64, Version)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        application_id: i64,
        #[sqlx(flatten)]
        version: Version,
    }
    let (apps, numbers): (Vec<i64>, Vec<i32>) = wanted.iter().copied().unzip();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{} WHERE v.tenant_id = $1
           AND (v.application_id, v.number) IN (SELECT * FROM unnest($2::bigint[], $3::int[]))",
        VERSION_SELECT.replacen("SELECT", "SELECT v.application_id,", 1)
    ))
    .bind(tenant_id)
    .bind(apps)
    .bind(numbers)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.application_id, r.version))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Review opinions

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Review {
    pub version_number: i32,
    pub stage: String,
    pub opinion: String,
    pub comments: String,
    pub attestations: Json<BTreeMap<String, bool>>,
    pub letter_document_id: Option<i64>,
    pub letter_filename: Option<String>,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

impl Review {
    pub fn opinion_label(&self) -> &'static str {
        opinion_label(&self.opinion)
    }
}

pub fn opinion_label(opinion: &str) -> &'static str {
    match opinion {
        "recommend" => "推荐",
        "not_recommend" => "不予推荐",
        "return" => "退回修改",
        "accept" => "受理，进入评审",
        "shortlist" => "列入拟认定名单",
        "reject" => "不予通过",
        _ => "未知",
    }
}

pub struct NewReview<'a> {
    pub version_number: i32,
    pub stage: &'a str,
    pub opinion: &'a str,
    pub comments: &'a str,
    pub attestations: &'a BTreeMap<String, bool>,
    pub letter_document_id: Option<i64>,
    pub decided_by: i64,
    /// The aggregated review results a decision was based on, frozen with it.
    pub results: Option<&'a Value>,
}

pub async fn insert_review(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
    r: &NewReview<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO application_reviews (tenant_id, application_id, version_number, stage,
             opinion, comments, attestations, letter_document_id, decided_by, results)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(tenant_id)
    .bind(application_id)
    .bind(r.version_number)
    .bind(r.stage)
    .bind(r.opinion)
    .bind(r.comments)
    .bind(Json(r.attestations))
    .bind(r.letter_document_id)
    .bind(r.decided_by)
    .bind(r.results)
    .execute(conn)
    .await?;
    Ok(())
}

/// The manual checks each application's county last attested (its latest recommendation), by
/// application id; applications never recommended are absent.
pub async fn county_attestations(
    pool: &PgPool,
    tenant_id: i64,
    application_ids: &[i64],
) -> sqlx::Result<BTreeMap<i64, BTreeMap<String, bool>>> {
    let rows: Vec<(i64, Json<BTreeMap<String, bool>>)> = sqlx::query_as(
        "SELECT DISTINCT ON (application_id) application_id, attestations
         FROM application_reviews
         WHERE tenant_id = $1 AND application_id = ANY($2)
           AND stage = 'county' AND opinion = 'recommend'
         ORDER BY application_id, id DESC",
    )
    .bind(tenant_id)
    .bind(application_ids)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, a)| (id, a.0)).collect())
}

pub async fn reviews(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Review>> {
    sqlx::query_as(
        "SELECT r.version_number, r.stage, r.opinion, r.comments, r.attestations,
                r.letter_document_id, d.filename AS letter_filename,
                u.display_name AS decided_by_name, r.decided_at
         FROM application_reviews r
         JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.decided_by
         LEFT JOIN documents d ON d.tenant_id = r.tenant_id AND d.id = r.letter_document_id
         WHERE r.tenant_id = $1 AND r.application_id = $2 ORDER BY r.id",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

/// An application's two edit counters (the form's and the roster's), read under the caller's
/// lock: what is frozen must be what was checked, not a save that slipped in between.
pub async fn lock_versions(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<(i32, i32)> {
    sqlx::query_as(
        "SELECT lock_version, roster_lock_version FROM applications WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(conn)
    .await
}

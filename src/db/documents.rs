//! Uploaded documents' metadata (the bytes are in the file store), scoped by tenant.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub category: String,
    pub application_id: Option<i64>,
    pub call_id: Option<i64>,
    pub objection_id: Option<i64>,
    pub award_id: Option<i64>,
    /// A county's cover letter for a batch it forwarded.
    pub batch_id: Option<i64>,
    /// The scan of an expert's signed paper sheet.
    pub assignment_id: Option<i64>,
    /// A photo taken on an on-site inspection.
    pub inspection_id: Option<i64>,
    /// A third-party institution's review report.
    pub institution_review_id: Option<i64>,
    pub filename: String,
    pub kind: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// The random name the file is stored under (None: stored under its hash, before names
    /// were random).
    pub storage_key: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub detached_at: Option<DateTime<Utc>>,
}

/// What a document is for, with the label operators and officials see.
pub const CATEGORIES: [(&str, &str); 10] = [
    ("uscc_certificate", "营业执照（统一社会信用代码证）复印件"),
    ("report", "申报书（盖章扫描件）"),
    ("evidence", "佐证材料"),
    ("recommendation_letter", "推荐意见（盖章）"),
    ("call_notice", "申报通知正式文件"),
    ("objection_evidence", "异议证据材料"),
    ("batch_letter", "推荐函（盖章）"),
    ("paper_sheet", "专家签字的纸质评分表（扫描件）"),
    ("inspection_photo", "现场考核照片"),
    ("institution_report", "第三方机构评审报告"),
];

pub fn category_label(category: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, l)| *l)
        .unwrap_or("其他")
}

impl Document {
    pub fn category_label(&self) -> &'static str {
        category_label(&self.category)
    }

    pub fn size_label(&self) -> String {
        size_label(self.size_bytes)
    }
}

pub fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

const SELECT: &str =
    "SELECT id, category, application_id, call_id, objection_id, award_id, batch_id, assignment_id,
        inspection_id, institution_review_id, filename, kind,
        size_bytes, sha256, storage_key, uploaded_at, detached_at FROM documents";

pub enum Owner {
    Application(i64),
    Call(i64),
    Objection(i64),
    /// Evidence in dynamic management (rectification, revocation).
    Award(i64),
    /// A county's batch (its cover letter).
    Batch(i64),
    /// An expert's sheet (the scan of the signed paper sheet).
    Assignment(i64),
    /// An on-site inspection (its photos).
    Inspection(i64),
    /// A third-party institution's review (its report).
    InstitutionReview(i64),
}

pub struct NewDocument<'a> {
    pub owner: Owner,
    pub category: &'a str,
    pub filename: &'a str,
    pub kind: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    /// The random name the file is stored under.
    pub storage_key: &'a str,
    /// None for an objection's evidence (the filer is not a user).
    pub uploaded_by: Option<i64>,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    d: &NewDocument<'_>,
) -> sqlx::Result<i64> {
    let (mut application_id, mut call_id, mut objection_id, mut award_id) =
        (None, None, None, None);
    let (mut batch_id, mut assignment_id, mut inspection_id) = (None, None, None);
    let mut institution_review_id = None;
    match d.owner {
        Owner::Application(id) => application_id = Some(id),
        Owner::Call(id) => call_id = Some(id),
        Owner::Objection(id) => objection_id = Some(id),
        Owner::Award(id) => award_id = Some(id),
        Owner::Batch(id) => batch_id = Some(id),
        Owner::Assignment(id) => assignment_id = Some(id),
        Owner::Inspection(id) => inspection_id = Some(id),
        Owner::InstitutionReview(id) => institution_review_id = Some(id),
    }
    sqlx::query_scalar(
        "INSERT INTO documents (tenant_id, category, application_id, call_id, filename, kind,
             size_bytes, sha256, uploaded_by, objection_id, award_id, storage_key, batch_id,
             assignment_id, inspection_id, institution_review_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id",
    )
    .bind(tenant_id)
    .bind(d.category)
    .bind(application_id)
    .bind(call_id)
    .bind(d.filename)
    .bind(d.kind)
    .bind(d.size_bytes)
    .bind(d.sha256)
    .bind(d.uploaded_by)
    .bind(objection_id)
    .bind(award_id)
    .bind(d.storage_key)
    .bind(batch_id)
    .bind(assignment_id)
    .bind(inspection_id)
    .bind(institution_review_id)
    .fetch_one(conn)
    .await
}

/// The documents currently attached to an application's draft.
pub async fn attached_to_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 AND application_id = $2 AND detached_at IS NULL
           AND category <> 'recommendation_letter'
         ORDER BY category, id"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

pub async fn attached_to_call(
    pool: &PgPool,
    tenant_id: i64,
    call_id: i64,
) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 AND call_id = $2 AND detached_at IS NULL ORDER BY id"
    ))
    .bind(tenant_id)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Document>> {
    sqlx::query_as(&format!("{SELECT} WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Removes a document from its draft; the row stays for the versions that froze it.
pub async fn detach(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE documents SET detached_at = now()
         WHERE tenant_id = $1 AND application_id = $2 AND id = $3 AND detached_at IS NULL",
    )
    .bind(tenant_id)
    .bind(application_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn attached_to_objection(
    pool: &PgPool,
    tenant_id: i64,
    objection_id: i64,
) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 AND objection_id = $2 ORDER BY id"
    ))
    .bind(tenant_id)
    .bind(objection_id)
    .fetch_all(pool)
    .await
}

//! A tenant's rule-set versions. Rows are immutable (a trigger refuses UPDATE and DELETE).
use crate::domain::ruleset::RuleSet;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub rule_set_id: String,
    pub version: i32,
    pub title: String,
    pub based_on: String,
    pub note: String,
    pub parent_version_id: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl VersionRow {
    /// "内置模板《…》第 1 版" for `wenzhou-2021@1`: where this version came from, in words.
    pub fn based_on_label(&self) -> String {
        let (id, version) = self
            .based_on
            .split_once('@')
            .unwrap_or((self.based_on.as_str(), ""));
        match crate::domain::ruleset::builtin(id) {
            Some(t) if !version.is_empty() => format!("内置模板《{}》第 {version} 版", t.title),
            Some(t) => format!("内置模板《{}》", t.title),
            None if self.based_on == "import" => "导入的规则文件".to_string(),
            None => "本局修订".to_string(),
        }
    }

    pub fn created_on(&self) -> String {
        crate::domain::time::shanghai_date(self.created_at)
    }
}

const COLUMNS: &str = "v.id, v.rule_set_id, v.version, v.title, v.based_on, v.note,
     v.parent_version_id, u.display_name AS created_by_name, v.created_at";
const FROM: &str = "FROM rule_set_versions v LEFT JOIN users u ON u.id = v.created_by";

#[derive(sqlx::FromRow)]
struct WithBody {
    #[sqlx(flatten)]
    meta: VersionRow,
    body: sqlx::types::Json<RuleSet>,
}

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} WHERE v.tenant_id = $1 ORDER BY v.rule_set_id, v.version DESC"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

/// The versions calls may be published under: the latest of each rule set.
pub async fn active(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<VersionRow>> {
    sqlx::query_as(&format!(
        "SELECT DISTINCT ON (v.rule_set_id) {COLUMNS} {FROM} WHERE v.tenant_id = $1
         ORDER BY v.rule_set_id, v.version DESC"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

/// One version with its rules, parsed.
pub async fn get(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<(VersionRow, RuleSet)>> {
    let row: Option<WithBody> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, v.body {FROM} WHERE v.tenant_id = $1 AND v.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.meta, r.body.0)))
}

/// Stores `rules` as the tenant's next version of `rules.id`; returns the new row's id.
pub async fn add_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    rules: &RuleSet,
    origin: &Origin<'_>,
    created_by: Option<i64>,
) -> sqlx::Result<(i64, i32)> {
    sqlx::query_as(
        "INSERT INTO rule_set_versions
             (tenant_id, rule_set_id, version, title, body, based_on, note, created_by, parent_version_id)
         VALUES ($1, $2,
                 (SELECT coalesce(max(version), 0) + 1 FROM rule_set_versions WHERE tenant_id = $1 AND rule_set_id = $2),
                 $3, $4, $5, $6, $7, $8)
         RETURNING id, version",
    )
    .bind(tenant_id)
    .bind(&rules.id)
    .bind(&rules.title)
    .bind(sqlx::types::Json(rules))
    .bind(origin.based_on)
    .bind(origin.note)
    .bind(created_by)
    .bind(origin.parent_version_id)
    .fetch_one(conn)
    .await
}

/// Where a version or draft comes from: a template (`wenzhou-2021@1`), another version of the
/// tenant's (`parent_version_id`), or an imported document (`import`); and the bureau's note.
pub struct Origin<'a> {
    pub based_on: &'a str,
    pub parent_version_id: Option<i64>,
    pub note: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftRow {
    pub id: i64,
    pub rule_set_id: String,
    pub title: String,
    pub parent_version_id: Option<i64>,
    pub based_on: String,
    pub note: String,
    pub state: String,
    pub activated_version_id: Option<i64>,
    pub created_by_name: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Moves with every save (optimistic locking between two editors).
    pub lock_version: i32,
}

impl DraftRow {
    pub fn state_label(&self) -> &'static str {
        self.state
            .parse::<crate::domain::workflow::RuleDraftState>()
            .map(|s| s.label())
            .unwrap_or("未知")
    }

    pub fn updated_on(&self) -> String {
        crate::domain::time::shanghai_date(self.updated_at)
    }
}

const DRAFT_COLUMNS: &str = "d.id, d.rule_set_id, d.title, d.parent_version_id, d.based_on, d.note,
     d.state, d.activated_version_id, u.display_name AS created_by_name, d.updated_at,
     d.lock_version";
const DRAFT_FROM: &str = "FROM rule_set_drafts d LEFT JOIN users u ON u.id = d.created_by";

/// The tenant's drafts, those being edited first.
pub async fn drafts(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<DraftRow>> {
    sqlx::query_as(&format!(
        "SELECT {DRAFT_COLUMNS} {DRAFT_FROM} WHERE d.tenant_id = $1
         ORDER BY d.state <> 'draft', d.updated_at DESC"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

#[derive(sqlx::FromRow)]
struct DraftWithBody {
    #[sqlx(flatten)]
    meta: DraftRow,
    body: sqlx::types::Json<RuleSet>,
}

pub async fn draft(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<(DraftRow, RuleSet)>> {
    let row: Option<DraftWithBody> = sqlx::query_as(&format!(
        "SELECT {DRAFT_COLUMNS}, d.body {DRAFT_FROM} WHERE d.tenant_id = $1 AND d.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.meta, r.body.0)))
}

pub async fn insert_draft(
    conn: &mut PgConnection,
    tenant_id: i64,
    rules: &RuleSet,
    origin: &Origin<'_>,
    created_by: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO rule_set_drafts
             (tenant_id, rule_set_id, title, body, parent_version_id, based_on, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant_id)
    .bind(&rules.id)
    .bind(&rules.title)
    .bind(sqlx::types::Json(rules))
    .bind(origin.parent_version_id)
    .bind(origin.based_on)
    .bind(origin.note)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Replaces a draft's rules (the caller holds its row lock and has checked it is a draft).
pub async fn save_draft(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    rules: &RuleSet,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE rule_set_drafts SET rule_set_id = $3, title = $4, body = $5, note = $6,
             updated_at = now(), lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&rules.id)
    .bind(&rules.title)
    .bind(sqlx::types::Json(rules))
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the version an activated draft became.
pub async fn set_activated_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    version_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE rule_set_drafts SET activated_version_id = $3 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(version_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The rule set of a version (`RowNotFound` when there is none in the tenant).
pub async fn of_version(pool: &PgPool, tenant_id: i64, version_id: i64) -> sqlx::Result<RuleSet> {
    get(pool, tenant_id, version_id)
        .await?
        .map(|(_, rules)| rules)
        .ok_or(sqlx::Error::RowNotFound)
}

/// Rule sets by version, each fetched once: a page or job going through many parks meets few
/// versions, so it should not fetch one per park. A version that is not there is
/// `RowNotFound`.
#[derive(Default)]
pub struct RuleSets(std::collections::BTreeMap<(i64, i64), RuleSet>);

impl RuleSets {
    pub async fn get(
        &mut self,
        pool: &PgPool,
        tenant_id: i64,
        version_id: i64,
    ) -> sqlx::Result<&RuleSet> {
        let key = (tenant_id, version_id);
        if let std::collections::btree_map::Entry::Vacant(slot) = self.0.entry(key) {
            slot.insert(of_version(pool, tenant_id, version_id).await?);
        }
        Ok(&self.0[&key])
    }
}

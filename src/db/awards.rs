//! Awards and the public register, scoped by tenant.
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Award {
    pub id: i64,
    pub application_id: Option<i64>,
    pub number: String,
    pub park_name: String,
    pub operator: String,
    pub uscc: String,
    pub county: Option<String>,
    pub tier: Option<String>,
    pub awarded_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// Where the title stands (awarded, rectification, delisted, revoked, expired).
    pub title_state: String,
    /// The title's latest change in words (摘牌、撤销 with reasons), empty while it simply holds.
    pub title_note: String,
    pub basis: String,
    pub evidence: String,
}

impl Award {
    /// The register's status column (DOMAIN.md §3 states after the award).
    pub fn status_label(&self) -> &'static str {
        match self.title_state.as_str() {
            "awarded" => "有效",
            "rectification" => "整改中",
            "delisted" => "已摘牌",
            "revoked" => "已撤销",
            "expired" => "已到期",
            _ => "—",
        }
    }

    pub fn tier_label(&self) -> &'static str {
        match self.tier.as_deref() {
            Some("leading") => "引领型",
            Some("growing") => "成长型",
            _ => "",
        }
    }
}

const SELECT: &str = "SELECT w.id, w.application_id, w.number, w.park_name, o.name AS operator,
        o.uscc, j.name AS county, w.tier, w.awarded_on, w.valid_until,
        t.state AS title_state, t.note AS title_note, w.basis, w.evidence
     FROM awards w
     JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
     LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
     JOIN organizations o ON o.tenant_id = w.tenant_id
          AND o.id = coalesce(w.organization_id, a.organization_id)
     LEFT JOIN jurisdictions j ON j.tenant_id = w.tenant_id
          AND j.id = coalesce(w.jurisdiction_id, a.jurisdiction_id)";

/// The register, optionally filtered by a search over park, operator, USCC, county or number.
pub async fn register(pool: &PgPool, tenant_id: i64, query: &str) -> sqlx::Result<Vec<Award>> {
    let pattern = format!("%{}%", query.replace(['%', '_', '\\'], ""));
    sqlx::query_as(&format!(
        "{SELECT} WHERE w.tenant_id = $1 AND ($2 = '%%' OR w.park_name ILIKE $2 OR o.name ILIKE $2
             OR o.uscc ILIKE $2 OR j.name ILIKE $2 OR w.number ILIKE $2)
         ORDER BY w.awarded_on DESC, w.seq DESC"
    ))
    .bind(tenant_id)
    .bind(pattern)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Award>> {
    sqlx::query_as(&format!("{SELECT} WHERE w.tenant_id = $1 AND w.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub struct NewAward<'a> {
    /// The application it concludes; None for a provincial-list award.
    pub application_id: Option<i64>,
    /// For a provincial-list award: the operator, the county, and the list it rests on.
    pub provincial: Option<(i64, Option<i64>, &'a str)>,
    pub year: i32,
    pub prefix: &'a str,
    pub park_name: &'a str,
    pub tier: Option<&'a str>,
    pub awarded_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub rule_set_version_id: i64,
    pub created_by: i64,
}

/// Records the award with the next number of its year (numbers are never reused or skipped
/// within a transaction: one tenant's awards are serialised by an advisory lock).
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    a: &NewAward<'_>,
) -> sqlx::Result<(i64, String)> {
    const NUMBERING: i64 = 0x7061_726b_0003_0000; // "park" + job 3, plus the tenant
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(NUMBERING + tenant_id)
        .execute(&mut *conn)
        .await?;
    let seq: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(seq), 0) + 1 FROM awards WHERE tenant_id = $1 AND year = $2",
    )
    .bind(tenant_id)
    .bind(a.year)
    .fetch_one(&mut *conn)
    .await?;
    let number = format!("{}〔{}〕{:03}号", a.prefix, a.year, seq);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO awards (tenant_id, application_id, year, seq, number, park_name, tier,
             awarded_on, valid_until, rule_set_version_id, created_by, basis, organization_id,
             jurisdiction_id, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(tenant_id)
    .bind(a.application_id)
    .bind(a.year)
    .bind(seq)
    .bind(&number)
    .bind(a.park_name)
    .bind(a.tier)
    .bind(a.awarded_on)
    .bind(a.valid_until)
    .bind(a.rule_set_version_id)
    .bind(a.created_by)
    .bind(if a.provincial.is_some() {
        "provincial"
    } else {
        "procedure"
    })
    .bind(a.provincial.map(|p| p.0))
    .bind(a.provincial.and_then(|p| p.1))
    .bind(a.provincial.map(|p| p.2).unwrap_or(""))
    .fetch_one(&mut *conn)
    .await?;
    // The title the award confers starts held; dynamic management moves it from here.
    sqlx::query("INSERT INTO titles (tenant_id, award_id) VALUES ($1, $2)")
        .bind(tenant_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok((id, number))
}

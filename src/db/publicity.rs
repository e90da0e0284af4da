//! Publicity notices and the applications they list, scoped by tenant.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub call_id: i64,
    pub year: i32,
    pub seq: i32,
    pub title: String,
    pub body: String,
    pub contact: String,
    pub official_url: String,
    pub published_on: NaiveDate,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: crate::domain::workflow::NoticeState,
}

impl Notice {
    pub fn number(&self) -> String {
        format!("公示〔{}〕{}号", self.year, self.seq)
    }

    /// "2026年12月2日 至 2026年12月8日 24:00".
    pub fn window_label(&self) -> String {
        format!(
            "{} 至 {} 24:00",
            crate::domain::time::date_label(self.first_day),
            crate::domain::time::date_label(self.last_day)
        )
    }

    /// Whether objections are accepted at `now`.
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

const SELECT: &str = "SELECT id, call_id, year, seq, title, body, contact, official_url,
        published_on, first_day, last_day, opens_at, closes_at, state FROM publicity_notices";

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 ORDER BY published_on DESC, id DESC"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Notice>> {
    sqlx::query_as(&format!("{SELECT} WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The notice listing an application, if any.
pub async fn of_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Option<Notice>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE tenant_id = $1 AND id = (SELECT notice_id FROM publicity_entries
             WHERE tenant_id = $1 AND application_id = $2)"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_optional(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub application_id: i64,
    pub park_name: String,
    pub operator: String,
    pub uscc: String,
    pub county: Option<String>,
    pub state: String,
    /// The tier the engine found on the submitted version (Zhongshan), the one to be awarded.
    pub tier: Option<String>,
}

impl Entry {
    pub fn tier_label(&self) -> &'static str {
        match self.tier.as_deref() {
            Some("leading") => "引领型",
            Some("growing") => "成长型",
            _ => "",
        }
    }
}

pub async fn entries(pool: &PgPool, tenant_id: i64, notice_id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT a.id AS application_id, a.park_name, o.name AS operator, o.uscc,
                j.name AS county, a.state, v.evaluation->>'tier' AS tier
         FROM publicity_entries e
         JOIN applications a ON a.tenant_id = e.tenant_id AND a.id = e.application_id
         LEFT JOIN application_versions v ON v.tenant_id = a.tenant_id
              AND v.application_id = a.id AND v.number = a.version_count
         JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id
         LEFT JOIN jurisdictions j ON j.tenant_id = a.tenant_id AND j.id = a.jurisdiction_id
         WHERE e.tenant_id = $1 AND e.notice_id = $2 ORDER BY e.position",
    )
    .bind(tenant_id)
    .bind(notice_id)
    .fetch_all(pool)
    .await
}

pub struct NewNotice<'a> {
    pub call_id: i64,
    pub year: i32,
    pub title: &'a str,
    pub body: &'a str,
    pub contact: &'a str,
    pub official_url: &'a str,
    pub published_on: NaiveDate,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub created_by: i64,
}

/// The publication date of the tenant's latest notice of a year.
pub async fn latest_publication(
    pool: &PgPool,
    tenant_id: i64,
    year: i32,
) -> sqlx::Result<Option<NaiveDate>> {
    sqlx::query_scalar(
        "SELECT max(published_on) FROM publicity_notices WHERE tenant_id = $1 AND year = $2",
    )
    .bind(tenant_id)
    .bind(year)
    .fetch_one(pool)
    .await
}

/// Inserts the notice with the next number of its year; returns (id, seq), or None when a
/// notice of that year is dated later (numbers follow the order of publication).
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    n: &NewNotice<'_>,
) -> sqlx::Result<Option<(i64, i32)>> {
    // One numbering per tenant and year: serialise concurrent publications of a tenant.
    const NUMBERING: i64 = 0x7061_726b_0002_0000; // "park" + job 2, plus the tenant
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(NUMBERING + tenant_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(
        "INSERT INTO publicity_notices (tenant_id, call_id, year, seq, title, body, contact,
             official_url, published_on, first_day, last_day, opens_at, closes_at, created_by)
         SELECT $1, $2, $3,
                (SELECT coalesce(max(seq), 0) + 1 FROM publicity_notices WHERE tenant_id = $1 AND year = $3),
                $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
         WHERE NOT EXISTS (SELECT 1 FROM publicity_notices
                           WHERE tenant_id = $1 AND year = $3 AND published_on > $8)
         RETURNING id, seq",
    )
    .bind(tenant_id)
    .bind(n.call_id)
    .bind(n.year)
    .bind(n.title)
    .bind(n.body)
    .bind(n.contact)
    .bind(n.official_url)
    .bind(n.published_on)
    .bind(n.first_day)
    .bind(n.last_day)
    .bind(n.opens_at)
    .bind(n.closes_at)
    .bind(n.created_by)
    .fetch_optional(conn)
    .await
}

pub async fn add_entry(
    conn: &mut PgConnection,
    tenant_id: i64,
    notice_id: i64,
    application_id: i64,
    position: i32,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO publicity_entries (tenant_id, notice_id, application_id, position)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant_id)
    .bind(notice_id)
    .bind(application_id)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open notices whose window has ended at `now`: (tenant, notice id).
pub async fn due(pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT tenant_id, id FROM publicity_notices WHERE state = 'open' AND closes_at <= $1",
    )
    .bind(now)
    .fetch_all(pool)
    .await
}

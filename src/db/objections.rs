//! Objection cases, scoped by tenant (the public reaches one only by its case number).
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub application_id: i64,
    pub park_name: String,
    pub case_no: String,
    pub filer_name: String,
    pub filer_contact: String,
    /// `none`, `email` or `sms`: how the filer asked to hear the decision.
    pub notify_by: String,
    pub grounds: String,
    pub state: crate::domain::workflow::ObjectionState,
    pub investigator_id: Option<i64>,
    pub investigator_name: Option<String>,
    pub investigation: String,
    pub decision_reason: String,
    pub filed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Objection {
    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }
}

const SELECT: &str = "SELECT x.id, x.notice_id, x.application_id, a.park_name, x.case_no,
        x.filer_name, x.filer_contact, x.notify_by, x.grounds, x.state, x.investigator_id,
        u.display_name AS investigator_name, x.investigation, x.decision_reason, x.filed_at,
        x.updated_at
     FROM objections x
     JOIN applications a ON a.tenant_id = x.tenant_id AND a.id = x.application_id
     LEFT JOIN users u ON u.tenant_id = x.tenant_id AND u.id = x.investigator_id";

pub async fn list(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Objection>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE x.tenant_id = $1 ORDER BY x.filed_at DESC"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Objection>> {
    sqlx::query_as(&format!("{SELECT} WHERE x.tenant_id = $1 AND x.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The objection, read inside a transaction.
pub async fn get_in(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Objection>> {
    sqlx::query_as(&format!("{SELECT} WHERE x.tenant_id = $1 AND x.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn by_case(
    pool: &PgPool,
    tenant_id: i64,
    case_no: &str,
) -> sqlx::Result<Option<Objection>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE x.tenant_id = $1 AND x.case_no = $2"
    ))
    .bind(tenant_id)
    .bind(case_no)
    .fetch_optional(pool)
    .await
}

pub struct NewObjection<'a> {
    pub notice_id: i64,
    pub application_id: i64,
    pub case_no: &'a str,
    pub filer_name: &'a str,
    pub filer_contact: &'a str,
    pub notify_by: &'a str,
    pub grounds: &'a str,
    pub filed_at: DateTime<Utc>,
    pub filer_ip: &'a str,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    o: &NewObjection<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO objections (tenant_id, notice_id, application_id, case_no, filer_name,
             filer_contact, grounds, filed_at, filer_ip, notify_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tenant_id)
    .bind(o.notice_id)
    .bind(o.application_id)
    .bind(o.case_no)
    .bind(o.filer_name)
    .bind(o.filer_contact)
    .bind(o.grounds)
    .bind(o.filed_at)
    .bind(o.filer_ip)
    .bind(o.notify_by)
    .fetch_one(conn)
    .await
}

/// Objections filed from `ip` since `since` (the rate limit).
pub async fn count_from_ip(
    conn: impl sqlx::PgExecutor<'_>,
    ip: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM objections WHERE filer_ip = $1 AND filed_at >= $2")
        .bind(ip)
        .bind(since)
        .fetch_one(conn)
        .await
}

/// Holds the filings of one address in turn until the transaction ends, so its count and its
/// new objection are one step (the rate limit holds however many arrive at once, on any
/// number of servers).
pub async fn lock_filer(conn: &mut PgConnection, ip: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("objection filer {ip}"))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The case number of the same objection (same notice, park, contact and grounds) filed since
/// `since`: a second press of the button gets the first case back.
pub async fn same_filed_since(
    conn: &mut PgConnection,
    tenant_id: i64,
    o: &NewObjection<'_>,
    since: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT case_no FROM objections
          WHERE tenant_id = $1 AND notice_id = $2 AND application_id = $3
            AND filer_contact = $4 AND grounds = $5 AND filed_at >= $6
          ORDER BY id LIMIT 1",
    )
    .bind(tenant_id)
    .bind(o.notice_id)
    .bind(o.application_id)
    .bind(o.filer_contact)
    .bind(o.grounds)
    .bind(since)
    .fetch_optional(conn)
    .await
}

pub async fn set_investigator(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    investigator: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE objections SET investigator_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(investigator)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_decision(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    investigation: &str,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE objections SET investigation = $3, decision_reason = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(investigation)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// (undecided, upheld) objections of an application: what the award depends on.
pub async fn standing(
    pool: impl sqlx::PgExecutor<'_>,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE state IN ('filed', 'investigating')),
                count(*) FILTER (WHERE state = 'upheld')
         FROM objections WHERE tenant_id = $1 AND application_id = $2",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_one(pool)
    .await
}

/// Who may investigate an objection about `application_id`: the tenant's active bureau staff
/// and experts with accounts, except an expert who scored the park. (id, name, role), bureau
/// first.
pub async fn investigators(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.role FROM users u
         WHERE u.tenant_id = $1 AND u.active AND u.role IN ('bureau', 'expert')
           AND NOT EXISTS (SELECT 1 FROM assignments s JOIN experts e ON e.tenant_id = s.tenant_id AND e.id = s.expert_id
                           WHERE s.tenant_id = u.tenant_id AND e.user_id = u.id AND s.application_id = $2
                             AND s.conflict = 'none' AND s.state = 'submitted')
         ORDER BY u.role, u.id",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

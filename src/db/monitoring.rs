//! Dynamic management's records, scoped by tenant: periodic reports and their versions and
//! reviews, reminders, monitoring results, re-reviews, rectification orders, revocations,
//! expiry notices, the zone's targets and the reporting settings.
use crate::db::transition::Machine;
use crate::domain::monitoring::{DueSettings, ParkReport, Period, ReportKind};
use crate::domain::workflow::{
    self, Actor, RectificationAction, RectificationState, ReportAction, ReportRoute, ReportState,
    TransitionError,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

/// A rectification order's machine (`domain::workflow::next_rectification_state`).
pub struct Orders;

impl Machine for Orders {
    const TABLE: &'static str = "rectification_orders";
    const KIND: &'static str = "rectification_order";
    type State = RectificationState;
    type Action = RectificationAction;
    type Ctx = ();
    fn next(
        from: RectificationState,
        action: RectificationAction,
        actor: Actor,
        _: &(),
    ) -> Result<RectificationState, TransitionError> {
        workflow::next_rectification_state(from, action, actor)
    }
}

pub struct Reports;

impl Machine for Reports {
    const TABLE: &'static str = "periodic_reports";
    const KIND: &'static str = "periodic_report";
    type State = ReportState;
    type Action = ReportAction;
    type Ctx = ReportRoute;
    fn next(
        from: ReportState,
        action: ReportAction,
        actor: Actor,
        route: &ReportRoute,
    ) -> Result<ReportState, TransitionError> {
        workflow::next_report_state(from, action, actor, route)
    }
}

// ---------------------------------------------------------------------------------------------
// Settings

pub async fn settings(pool: &PgPool, tenant_id: i64) -> sqlx::Result<DueSettings> {
    let row: Option<(i16, i16, i16, i16, i16, i16)> = sqlx::query_as(
        "SELECT due_q1, due_q2, due_q3, due_q4, due_half, grace_days
         FROM monitoring_settings WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some((q1, q2, q3, q4, half, grace)) => DueSettings {
            due_quarter: [q1, q2, q3, q4].map(|d| d as u16),
            due_half: half as u16,
            grace_days: grace as u16,
        },
        None => DueSettings::default(),
    })
}

pub async fn save_settings(
    conn: &mut PgConnection,
    tenant_id: i64,
    s: &DueSettings,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO monitoring_settings (tenant_id, due_q1, due_q2, due_q3, due_q4, due_half, grace_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id) DO UPDATE SET due_q1 = $2, due_q2 = $3, due_q3 = $4, due_q4 = $5,
             due_half = $6, grace_days = $7, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(s.due_quarter[0] as i16)
    .bind(s.due_quarter[1] as i16)
    .bind(s.due_quarter[2] as i16)
    .bind(s.due_quarter[3] as i16)
    .bind(s.due_half as i16)
    .bind(s.grace_days as i16)
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Periodic reports

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub kind: String,
    pub award_id: Option<i64>,
    pub park_name: Option<String>,
    pub jurisdiction_id: i64,
    pub county: String,
    pub year: i32,
    pub period: i16,
    pub state: String,
    pub version_count: i32,
    pub updated_at: DateTime<Utc>,
}

impl Report {
    pub fn kind(&self) -> ReportKind {
        ReportKind::parse(&self.kind).unwrap_or(ReportKind::ParkQuarter)
    }

    pub fn period(&self) -> Period {
        Period {
            year: self.year,
            period: self.period as u8,
        }
    }

    pub fn period_label(&self) -> String {
        self.period().label(self.kind())
    }

    pub fn state_label(&self) -> &'static str {
        self.state
            .parse::<ReportState>()
            .map(|s| s.label())
            .unwrap_or("—")
    }

    pub fn route(&self) -> ReportRoute {
        ReportRoute {
            via_county: self.kind() == ReportKind::ParkQuarter,
        }
    }

    /// A report filed and not sent back: the period is reported.
    pub fn counts_as_filed(&self) -> bool {
        self.state != "returned"
    }
}

const REPORT_SELECT: &str = "SELECT r.id, r.kind, r.award_id, w.park_name, r.jurisdiction_id,
        j.name AS county, r.year, r.period, r.state, r.version_count, r.updated_at
     FROM periodic_reports r
     JOIN jurisdictions j ON j.tenant_id = r.tenant_id AND j.id = r.jurisdiction_id
     LEFT JOIN awards w ON w.tenant_id = r.tenant_id AND w.id = r.award_id
     WHERE r.tenant_id = $1";

/// Reports filtered by award and/or jurisdiction, newest period first.
pub async fn reports(
    pool: &PgPool,
    tenant_id: i64,
    award_id: Option<i64>,
    jurisdiction_id: Option<i64>,
) -> sqlx::Result<Vec<Report>> {
    sqlx::query_as(&format!(
        "{REPORT_SELECT} AND ($2::bigint IS NULL OR r.award_id = $2)
             AND ($3::bigint IS NULL OR r.jurisdiction_id = $3)
         ORDER BY r.year DESC, r.period DESC, r.kind, r.id DESC"
    ))
    .bind(tenant_id)
    .bind(award_id)
    .bind(jurisdiction_id)
    .fetch_all(pool)
    .await
}

/// Reports in a state, for a work queue (county: submitted park reports; bureau: passed ones).
pub async fn reports_in_state(
    pool: &PgPool,
    tenant_id: i64,
    states: &[&str],
    jurisdiction_id: Option<i64>,
) -> sqlx::Result<Vec<Report>> {
    let states: Vec<String> = states.iter().map(|s| s.to_string()).collect();
    sqlx::query_as(&format!(
        "{REPORT_SELECT} AND r.state = ANY($2) AND ($3::bigint IS NULL OR r.jurisdiction_id = $3)
         ORDER BY r.updated_at"
    ))
    .bind(tenant_id)
    .bind(states)
    .bind(jurisdiction_id)
    .fetch_all(pool)
    .await
}

pub async fn report(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(&format!("{REPORT_SELECT} AND r.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Whose report for which period: a park's (award) or a county's own.
#[derive(Debug, Clone, Copy)]
pub struct Filing {
    pub kind: ReportKind,
    pub award_id: Option<i64>,
    pub jurisdiction_id: i64,
    pub period: Period,
}

/// The report already filed for a period, if any.
pub async fn report_for(
    conn: &mut PgConnection,
    tenant_id: i64,
    f: &Filing,
) -> sqlx::Result<Option<i64>> {
    let Filing {
        kind,
        award_id,
        jurisdiction_id,
        period,
    } = *f;
    sqlx::query_scalar(
        "SELECT id FROM periodic_reports
         WHERE tenant_id = $1 AND kind = $2 AND year = $5 AND period = $6
           AND (CASE WHEN $2 = 'park_quarter' THEN award_id = $3 ELSE jurisdiction_id = $4 END)",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(award_id)
    .bind(jurisdiction_id)
    .bind(period.year)
    .bind(i16::from(period.period))
    .fetch_optional(conn)
    .await
}

/// Files a report's first version.
pub async fn insert_report(
    conn: &mut PgConnection,
    tenant_id: i64,
    f: &Filing,
    data: &Value,
    user_id: i64,
) -> sqlx::Result<i64> {
    let Filing {
        kind,
        award_id,
        jurisdiction_id,
        period,
    } = *f;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO periodic_reports (tenant_id, kind, award_id, jurisdiction_id, year, period)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .bind(award_id)
    .bind(jurisdiction_id)
    .bind(period.year)
    .bind(i16::from(period.period))
    .fetch_one(&mut *conn)
    .await?;
    insert_version(conn, tenant_id, id, 1, data, user_id).await?;
    Ok(id)
}

/// Adds the next version of a returned report (the transition to `submitted` is the caller's).
pub async fn add_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    report_id: i64,
    data: &Value,
    user_id: i64,
) -> sqlx::Result<i32> {
    let number: i32 = sqlx::query_scalar(
        "UPDATE periodic_reports SET version_count = version_count + 1
         WHERE tenant_id = $1 AND id = $2 RETURNING version_count",
    )
    .bind(tenant_id)
    .bind(report_id)
    .fetch_one(&mut *conn)
    .await?;
    insert_version(conn, tenant_id, report_id, number, data, user_id).await?;
    Ok(number)
}

async fn insert_version(
    conn: &mut PgConnection,
    tenant_id: i64,
    report_id: i64,
    number: i32,
    data: &Value,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO periodic_report_versions (tenant_id, report_id, number, data, submitted_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(report_id)
    .bind(number)
    .bind(Json(data))
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportVersion {
    pub number: i32,
    pub data: Json<Value>,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
}

impl ReportVersion {
    /// A park report's figures (None for a county's report, or a row that does not parse).
    pub fn park(&self) -> Option<ParkReport> {
        serde_json::from_value(self.data.0.clone()).ok()
    }

    /// A county report's text.
    pub fn text(&self) -> String {
        self.data.0["text"].as_str().unwrap_or("").to_string()
    }
}

pub async fn versions(
    pool: &PgPool,
    tenant_id: i64,
    report_id: i64,
) -> sqlx::Result<Vec<ReportVersion>> {
    sqlx::query_as(
        "SELECT v.number, v.data, u.display_name AS submitted_by_name, v.submitted_at
         FROM periodic_report_versions v
         JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.submitted_by
         WHERE v.tenant_id = $1 AND v.report_id = $2 ORDER BY v.number",
    )
    .bind(tenant_id)
    .bind(report_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportReview {
    pub version: i32,
    pub stage: String,
    pub decision: String,
    pub reason: String,
    pub decided_by_name: String,
    pub decided_at: DateTime<Utc>,
}

impl ReportReview {
    pub fn label(&self) -> &'static str {
        match (self.stage.as_str(), self.decision.as_str()) {
            ("county", "pass") => "属地审核通过",
            ("county", _) => "属地退回",
            (_, "accept") => "市商务局采纳",
            _ => "市商务局退回",
        }
    }
}

/// A county's or the bureau's decision on one version of a report.
pub struct NewReportReview<'a> {
    pub report_id: i64,
    pub version: i32,
    /// `county` or `bureau`.
    pub stage: &'a str,
    /// `pass`, `accept` or `return`.
    pub decision: &'a str,
    pub reason: &'a str,
    pub user_id: i64,
}

pub async fn insert_review(
    conn: &mut PgConnection,
    tenant_id: i64,
    r: &NewReportReview<'_>,
) -> sqlx::Result<()> {
    let NewReportReview {
        report_id,
        version,
        stage,
        decision,
        reason,
        user_id,
    } = *r;
    sqlx::query(
        "INSERT INTO periodic_report_reviews (tenant_id, report_id, version, stage, decision,
             reason, decided_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(report_id)
    .bind(version)
    .bind(stage)
    .bind(decision)
    .bind(reason)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn reviews(
    pool: &PgPool,
    tenant_id: i64,
    report_id: i64,
) -> sqlx::Result<Vec<ReportReview>> {
    sqlx::query_as(
        "SELECT r.version, r.stage, r.decision, r.reason, u.display_name AS decided_by_name,
                r.decided_at
         FROM periodic_report_reviews r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.decided_by
         WHERE r.tenant_id = $1 AND r.report_id = $2 ORDER BY r.id",
    )
    .bind(tenant_id)
    .bind(report_id)
    .fetch_all(pool)
    .await
}

/// A park's accepted quarterly reports, oldest first, with their latest figures.
pub async fn accepted_park_reports(
    conn: &mut PgConnection,
    tenant_id: i64,
    award_id: i64,
) -> sqlx::Result<Vec<(Period, ParkReport)>> {
    let rows: Vec<(i32, i16, Json<Value>)> = sqlx::query_as(
        "SELECT r.year, r.period, v.data FROM periodic_reports r
         JOIN periodic_report_versions v ON v.tenant_id = r.tenant_id AND v.report_id = r.id
              AND v.number = r.version_count
         WHERE r.tenant_id = $1 AND r.award_id = $2 AND r.state = 'accepted'
         ORDER BY r.year, r.period",
    )
    .bind(tenant_id)
    .bind(award_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(year, period, data)| {
            let report = serde_json::from_value(data.0).ok()?;
            Some((
                Period {
                    year,
                    period: period as u8,
                },
                report,
            ))
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Reminders and grounds

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reminder {
    pub id: i64,
    pub kind: String,
    pub award_id: Option<i64>,
    pub jurisdiction_id: i64,
    pub year: i32,
    pub period: i16,
    pub note: String,
    pub grace_until: NaiveDate,
    pub sent_by_name: String,
    pub sent_at: DateTime<Utc>,
}

pub struct NewReminder<'a> {
    pub kind: ReportKind,
    pub award_id: Option<i64>,
    pub jurisdiction_id: i64,
    pub period: Period,
    pub note: &'a str,
    pub grace_until: NaiveDate,
    pub sent_by: i64,
    pub sent_at: DateTime<Utc>,
}

pub async fn insert_reminder(
    conn: &mut PgConnection,
    tenant_id: i64,
    r: &NewReminder<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO report_reminders (tenant_id, kind, award_id, jurisdiction_id, year, period,
             note, grace_until, sent_by, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tenant_id)
    .bind(r.kind.as_str())
    .bind(r.award_id)
    .bind(r.jurisdiction_id)
    .bind(r.period.year)
    .bind(i16::from(r.period.period))
    .bind(r.note)
    .bind(r.grace_until)
    .bind(r.sent_by)
    .bind(r.sent_at)
    .fetch_one(conn)
    .await
}

/// The reminders of one park's reports, newest first.
pub async fn reminders_of_award(
    pool: &PgPool,
    tenant_id: i64,
    award_id: i64,
) -> sqlx::Result<Vec<Reminder>> {
    Ok(reminders(pool, tenant_id)
        .await?
        .into_iter()
        .filter(|r| r.award_id == Some(award_id))
        .collect())
}

pub async fn reminders(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Reminder>> {
    sqlx::query_as(
        "SELECT m.id, m.kind, m.award_id, m.jurisdiction_id, m.year, m.period, m.note,
                m.grace_until, u.display_name AS sent_by_name, m.sent_at
         FROM report_reminders m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.sent_by
         WHERE m.tenant_id = $1 ORDER BY m.sent_at DESC",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ground {
    pub award_id: i64,
    pub article: String,
    pub detail: String,
    pub raised_at: DateTime<Utc>,
}

pub async fn grounds(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Ground>> {
    sqlx::query_as(
        "SELECT award_id, article, detail, raised_at FROM revocation_grounds
         WHERE tenant_id = $1 ORDER BY raised_at",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

// ---------------------------------------------------------------------------------------------
// Monitoring results

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonitoringRow {
    pub award_id: i64,
    pub report_id: i64,
    pub year: i32,
    pub quarter: i16,
    pub status: String,
    pub findings: Json<Value>,
    pub indicators: Json<Value>,
    pub evaluated_at: DateTime<Utc>,
}

/// The engine's re-evaluation of a park after one accepted report.
pub struct NewResult<'a> {
    pub award_id: i64,
    pub report_id: i64,
    pub period: Period,
    pub status: &'a str,
    pub findings: &'a Value,
    pub indicators: &'a Value,
}

pub async fn insert_result(
    conn: &mut PgConnection,
    tenant_id: i64,
    r: &NewResult<'_>,
) -> sqlx::Result<()> {
    let NewResult {
        award_id,
        report_id,
        period,
        status,
        findings,
        indicators,
    } = *r;
    sqlx::query(
        "INSERT INTO monitoring_results (tenant_id, award_id, report_id, year, quarter, status,
             findings, indicators)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant_id)
    .bind(award_id)
    .bind(report_id)
    .bind(period.year)
    .bind(i16::from(period.period))
    .bind(status)
    .bind(Json(findings))
    .bind(Json(indicators))
    .execute(conn)
    .await?;
    Ok(())
}

/// Every result of the tenant (or of one park), oldest quarter first.
pub async fn results(
    pool: &PgPool,
    tenant_id: i64,
    award_id: Option<i64>,
) -> sqlx::Result<Vec<MonitoringRow>> {
    sqlx::query_as(
        "SELECT award_id, report_id, year, quarter, status, findings, indicators, evaluated_at
         FROM monitoring_results
         WHERE tenant_id = $1 AND ($2::bigint IS NULL OR award_id = $2)
         ORDER BY award_id, year, quarter",
    )
    .bind(tenant_id)
    .bind(award_id)
    .fetch_all(pool)
    .await
}

/// The status of a park's result for the quarter before `period`, if evaluated.
pub async fn status_before(
    conn: &mut PgConnection,
    tenant_id: i64,
    award_id: i64,
    period: Period,
) -> sqlx::Result<Option<String>> {
    let before = period.previous(ReportKind::ParkQuarter);
    sqlx::query_scalar(
        "SELECT status FROM monitoring_results
         WHERE tenant_id = $1 AND award_id = $2 AND year = $3 AND quarter = $4",
    )
    .bind(tenant_id)
    .bind(award_id)
    .bind(before.year)
    .bind(i16::from(before.period))
    .fetch_optional(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Re-reviews and rectification

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReReview {
    pub id: i64,
    pub title: String,
    pub reason: String,
    pub opened_by_name: String,
    pub opened_at: DateTime<Utc>,
    pub parks: i64,
    pub decided: i64,
}

pub async fn re_reviews(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<ReReview>> {
    sqlx::query_as(
        "SELECT r.id, r.title, r.reason, u.display_name AS opened_by_name, r.opened_at,
                (SELECT count(*) FROM re_review_parks p WHERE p.tenant_id = r.tenant_id AND p.re_review_id = r.id) AS parks,
                (SELECT count(*) FROM re_review_parks p WHERE p.tenant_id = r.tenant_id AND p.re_review_id = r.id AND p.result IS NOT NULL) AS decided
         FROM re_reviews r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.opened_by
         WHERE r.tenant_id = $1 ORDER BY r.opened_at DESC",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

pub async fn re_review(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<ReReview>> {
    Ok(re_reviews(pool, tenant_id)
        .await?
        .into_iter()
        .find(|r| r.id == id))
}

pub async fn insert_re_review(
    conn: &mut PgConnection,
    tenant_id: i64,
    title: &str,
    reason: &str,
    user_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO re_reviews (tenant_id, title, reason, opened_by) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(tenant_id)
    .bind(title)
    .bind(reason)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

pub async fn insert_re_review_park(
    conn: &mut PgConnection,
    tenant_id: i64,
    re_review_id: i64,
    award_id: i64,
    status: &str,
    findings: &Value,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO re_review_parks (tenant_id, re_review_id, award_id, status, findings)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant_id)
    .bind(re_review_id)
    .bind(award_id)
    .bind(status)
    .bind(Json(findings))
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReReviewPark {
    pub id: i64,
    pub re_review_id: i64,
    pub award_id: i64,
    pub park_name: String,
    pub status: String,
    pub findings: Json<Value>,
    pub result: Option<String>,
    pub result_reason: String,
    pub decided_at: Option<DateTime<Utc>>,
}

impl ReReviewPark {
    pub fn result_label(&self) -> &'static str {
        match self.result.as_deref() {
            Some("pass") => "复评通过",
            Some("rectify") => "限期整改",
            Some("delist") => "取消资格（摘牌）",
            _ => "待定",
        }
    }
}

pub async fn re_review_parks(
    pool: &PgPool,
    tenant_id: i64,
    re_review_id: i64,
) -> sqlx::Result<Vec<ReReviewPark>> {
    sqlx::query_as(
        "SELECT p.id, p.re_review_id, p.award_id, w.park_name, p.status, p.findings, p.result,
                p.result_reason, p.decided_at
         FROM re_review_parks p JOIN awards w ON w.tenant_id = p.tenant_id AND w.id = p.award_id
         WHERE p.tenant_id = $1 AND p.re_review_id = $2 ORDER BY w.park_name, p.id",
    )
    .bind(tenant_id)
    .bind(re_review_id)
    .fetch_all(pool)
    .await
}

/// Records the bureau's result for a park in a round; false when it was already decided (a
/// second click, another tab).
pub async fn decide_re_review_park(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    result: &str,
    reason: &str,
    user_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE re_review_parks SET result = $3, result_reason = $4, decided_by = $5,
             decided_at = now()
         WHERE tenant_id = $1 AND id = $2 AND result IS NULL",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(result)
    .bind(reason)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub award_id: i64,
    pub park_name: String,
    pub findings: String,
    pub deadline: NaiveDate,
    pub state: String,
    pub ordered_by_name: String,
    pub ordered_at: DateTime<Utc>,
}

impl Order {
    pub fn state_label(&self) -> &'static str {
        self.state
            .parse::<RectificationState>()
            .map_or("逾期未整改到位", RectificationState::label)
    }
}

const ORDER_SELECT: &str = "SELECT o.id, o.award_id, w.park_name, o.findings, o.deadline, o.state,
        u.display_name AS ordered_by_name, o.ordered_at
     FROM rectification_orders o
     JOIN awards w ON w.tenant_id = o.tenant_id AND w.id = o.award_id
     JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.ordered_by
     WHERE o.tenant_id = $1";

pub async fn orders(
    pool: &PgPool,
    tenant_id: i64,
    award_id: Option<i64>,
) -> sqlx::Result<Vec<Order>> {
    sqlx::query_as(&format!(
        "{ORDER_SELECT} AND ($2::bigint IS NULL OR o.award_id = $2) ORDER BY o.ordered_at DESC"
    ))
    .bind(tenant_id)
    .bind(award_id)
    .fetch_all(pool)
    .await
}

pub async fn order(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Order>> {
    sqlx::query_as(&format!("{ORDER_SELECT} AND o.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn insert_order(
    conn: &mut PgConnection,
    tenant_id: i64,
    award_id: i64,
    re_review_park_id: Option<i64>,
    findings: &str,
    deadline: NaiveDate,
    user_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO rectification_orders (tenant_id, award_id, re_review_park_id, findings,
             deadline, ordered_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tenant_id)
    .bind(award_id)
    .bind(re_review_park_id)
    .bind(findings)
    .bind(deadline)
    .bind(user_id)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Response {
    pub id: i64,
    pub number: i32,
    pub report: String,
    pub documents: Json<Vec<(i64, String)>>,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
    pub verdict: Option<String>,
    pub verdict_reason: String,
}

pub async fn responses(
    pool: &PgPool,
    tenant_id: i64,
    order_id: i64,
) -> sqlx::Result<Vec<Response>> {
    sqlx::query_as(
        "SELECT r.id, r.number, r.report, r.documents, u.display_name AS submitted_by_name,
                r.submitted_at, r.verdict, r.verdict_reason
         FROM rectification_responses r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.submitted_by
         WHERE r.tenant_id = $1 AND r.order_id = $2 ORDER BY r.number",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(pool)
    .await
}

pub async fn insert_response(
    conn: &mut PgConnection,
    tenant_id: i64,
    order_id: i64,
    report: &str,
    documents: &[(i64, String)],
    user_id: i64,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "INSERT INTO rectification_responses (tenant_id, order_id, number, report, documents,
             submitted_by)
         VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM rectification_responses
                          WHERE tenant_id = $1 AND order_id = $2), $3, $4, $5)
         RETURNING number",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(report)
    .bind(Json(documents))
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// Records the verdict on the latest response of an order.
pub async fn judge_latest_response(
    conn: &mut PgConnection,
    tenant_id: i64,
    order_id: i64,
    verdict: &str,
    reason: &str,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE rectification_responses SET verdict = $3, verdict_reason = $4, verdict_by = $5,
             verdict_at = now()
         WHERE tenant_id = $1 AND order_id = $2 AND verdict IS NULL
           AND number = (SELECT max(number) FROM rectification_responses
                         WHERE tenant_id = $1 AND order_id = $2)",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(verdict)
    .bind(reason)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Revocations

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revocation {
    pub award_id: i64,
    pub park_name: String,
    pub ground: String,
    pub article: String,
    pub reason: String,
    pub uscc: String,
    pub revoked_on: NaiveDate,
    pub barred_until: Option<NaiveDate>,
    pub funds_to_recover: Option<i64>,
}

impl Revocation {
    /// "至 2029年12月2日 不得重新申报，2029年12月3日 起可重新申报", or "不限制".
    pub fn bar_text(&self) -> String {
        self.barred_until
            .map(crate::domain::monitoring::bar_words)
            .unwrap_or_else(|| "不限制".into())
    }
}

pub struct NewRevocation<'a> {
    pub award_id: i64,
    pub ground: &'a str,
    pub article: &'a str,
    pub reason: &'a str,
    pub uscc: &'a str,
    pub revoked_on: NaiveDate,
    pub barred_until: Option<NaiveDate>,
    pub funds_to_recover: Option<i64>,
    pub revoked_by: i64,
}

pub async fn insert_revocation(
    conn: &mut PgConnection,
    tenant_id: i64,
    r: &NewRevocation<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO revocations (tenant_id, award_id, ground, article, reason, uscc, revoked_on,
             barred_until, funds_to_recover, revoked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(tenant_id)
    .bind(r.award_id)
    .bind(r.ground)
    .bind(r.article)
    .bind(r.reason)
    .bind(r.uscc)
    .bind(r.revoked_on)
    .bind(r.barred_until)
    .bind(r.funds_to_recover)
    .bind(r.revoked_by)
    .execute(conn)
    .await?;
    Ok(())
}

const REVOCATION_SELECT: &str = "SELECT r.award_id, w.park_name, r.ground, r.article, r.reason,
        r.uscc, r.revoked_on, r.barred_until, r.funds_to_recover
     FROM revocations r JOIN awards w ON w.tenant_id = r.tenant_id AND w.id = r.award_id
     WHERE r.tenant_id = $1";

pub async fn revocations(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Revocation>> {
    sqlx::query_as(&format!("{REVOCATION_SELECT} ORDER BY r.revoked_on DESC"))
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

/// The bar on reapplying that is still running for an operator's USCC on `today`, if any.
pub async fn bar_for(
    pool: &PgPool,
    tenant_id: i64,
    uscc: &str,
    today: NaiveDate,
) -> sqlx::Result<Option<Revocation>> {
    sqlx::query_as(&format!(
        "{REVOCATION_SELECT} AND r.uscc = $2 AND r.barred_until >= $3
         ORDER BY r.barred_until DESC LIMIT 1"
    ))
    .bind(tenant_id)
    .bind(uscc)
    .bind(today)
    .fetch_optional(pool)
    .await
}

// ---------------------------------------------------------------------------------------------
// Expiry notices and zone targets

pub async fn notices(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT award_id, kind FROM title_notices WHERE tenant_id = $1 ORDER BY id")
        .bind(tenant_id)
        .fetch_all(pool)
        .await
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Targets {
    pub year: i32,
    pub trade: Option<i64>,
    pub parks: Option<i32>,
    pub enterprises: Option<i32>,
    pub basis: String,
}

pub async fn targets(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Option<Targets>> {
    sqlx::query_as(
        "SELECT year, trade, parks, enterprises, basis FROM zone_targets WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(pool)
    .await
}

pub async fn save_targets(
    conn: &mut PgConnection,
    tenant_id: i64,
    t: &Targets,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO zone_targets (tenant_id, year, trade, parks, enterprises, basis, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id) DO UPDATE SET year = $2, trade = $3, parks = $4,
             enterprises = $5, basis = $6, updated_by = $7, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(t.year)
    .bind(t.trade)
    .bind(t.parks)
    .bind(t.enterprises)
    .bind(&t.basis)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Re-review rounds: which parks a call's round may take

/// The calls under which some park was awarded, newest first, as (id, title).
pub async fn calls_with_awards(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT c.id, c.title FROM calls c
         JOIN applications a ON a.tenant_id = c.tenant_id AND a.call_id = c.id
         JOIN awards w ON w.tenant_id = a.tenant_id AND w.application_id = a.id
         WHERE c.tenant_id = $1 ORDER BY c.id DESC",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

/// The awards of a call's parks that hold the title unconditionally (a park under
/// rectification is already being re-examined).
pub async fn awarded_parks_of_call(
    pool: &PgPool,
    tenant_id: i64,
    call_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT w.id FROM awards w
         JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
         JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
         WHERE w.tenant_id = $1 AND a.call_id = $2 AND t.state = 'awarded'",
    )
    .bind(tenant_id)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

/// Who filed version `number` of a report.
pub async fn filer_of(
    conn: &mut PgConnection,
    tenant_id: i64,
    report_id: i64,
    number: i32,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT submitted_by FROM periodic_report_versions
          WHERE tenant_id = $1 AND report_id = $2 AND number = $3",
    )
    .bind(tenant_id)
    .bind(report_id)
    .bind(number)
    .fetch_one(conn)
    .await
}

pub async fn jurisdiction_name(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT name FROM jurisdictions WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Every tenant's id (the system's sweeps go tenant by tenant).
pub async fn tenant_ids(pool: &PgPool) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
        .fetch_all(pool)
        .await
}

/// Experts with a sheet still open on an open panel whose deadline is today or later:
/// (tenant, panel, expert, panel name, deadline), one row per expert and panel.
pub async fn open_sheets_due(
    pool: &PgPool,
    today: NaiveDate,
) -> sqlx::Result<Vec<(i64, i64, i64, String, NaiveDate)>> {
    sqlx::query_as(
        "SELECT DISTINCT p.tenant_id, p.id, s.expert_id, p.name, p.sheets_due
           FROM panels p
           JOIN assignments s ON s.tenant_id = p.tenant_id AND s.panel_id = p.id
          WHERE p.state = 'open' AND s.state = 'open' AND p.sheets_due >= $1
          ORDER BY p.id, s.expert_id",
    )
    .bind(today)
    .fetch_all(pool)
    .await
}

/// Rectification orders still awaiting the operator whose deadline is today or later:
/// (tenant, order, award, deadline).
pub async fn open_orders_due(
    pool: &PgPool,
    today: NaiveDate,
) -> sqlx::Result<Vec<(i64, i64, i64, NaiveDate)>> {
    sqlx::query_as(
        "SELECT tenant_id, id, award_id, deadline FROM rectification_orders
          WHERE state = 'open' AND deadline >= $1 ORDER BY id",
    )
    .bind(today)
    .fetch_all(pool)
    .await
}

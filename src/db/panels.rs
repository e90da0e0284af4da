//! Review panels, their members and the experts' assignments, always scoped by tenant.
use crate::domain::workflow::{PanelState, SheetState};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::BTreeMap;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Panel {
    pub id: i64,
    pub call_id: i64,
    pub name: String,
    pub state: PanelState,
    pub seed: String,
    pub draw_input: Json<Value>,
    pub draw_result: Json<Value>,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
    pub call_title: String,
    /// The experts' deadline and the date to accept or decline by (None for older panels).
    pub sheets_due: Option<chrono::NaiveDate>,
    pub reply_by: Option<chrono::NaiveDate>,
}

impl Panel {
    pub fn created_label(&self) -> String {
        crate::domain::time::shanghai_minute(self.created_at)
    }
}

const PANEL: &str = "SELECT p.id, p.call_id, p.name, p.state, p.seed, p.draw_input, p.draw_result,
        p.created_at, u.display_name AS created_by_name, c.title AS call_title, p.sheets_due,
        p.reply_by
     FROM panels p JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.created_by
     JOIN calls c ON c.tenant_id = p.tenant_id AND c.id = p.call_id";

pub async fn for_call(pool: &PgPool, tenant_id: i64, call_id: i64) -> sqlx::Result<Vec<Panel>> {
    sqlx::query_as(&format!(
        "{PANEL} WHERE p.tenant_id = $1 AND p.call_id = $2 ORDER BY p.id"
    ))
    .bind(tenant_id)
    .bind(call_id)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, tenant_id: i64, id: i64) -> sqlx::Result<Option<Panel>> {
    sqlx::query_as(&format!("{PANEL} WHERE p.tenant_id = $1 AND p.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The panel, read inside a transaction.
pub async fn get_in(conn: &mut PgConnection, tenant_id: i64, id: i64) -> sqlx::Result<Panel> {
    sqlx::query_as(&format!("{PANEL} WHERE p.tenant_id = $1 AND p.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

pub struct NewPanel<'a> {
    pub call_id: i64,
    pub name: &'a str,
    pub seed: &'a str,
    pub draw_input: &'a Value,
    pub draw_result: &'a Value,
    pub created_by: i64,
    pub reply_by: NaiveDate,
    pub sheets_due: NaiveDate,
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    p: &NewPanel<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO panels (tenant_id, call_id, name, seed, draw_input, draw_result, created_by,
                             reply_by, sheets_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(tenant_id)
    .bind(p.call_id)
    .bind(p.name)
    .bind(p.seed)
    .bind(p.draw_input)
    .bind(p.draw_result)
    .bind(p.created_by)
    .bind(p.reply_by)
    .bind(p.sheets_due)
    .fetch_one(conn)
    .await
}

/// Records the draw result after replacements (the input never changes).
pub async fn set_result(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    result: &Value,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE panels SET draw_result = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(result)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_member(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    expert_id: i64,
    seat: i32,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO panel_members (tenant_id, panel_id, expert_id, seat) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(expert_id)
    .bind(seat)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn add_application(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    application_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO panel_applications (tenant_id, panel_id, application_id) VALUES ($1, $2, $3)",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn application_ids(
    pool: &PgPool,
    tenant_id: i64,
    panel_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT application_id FROM panel_applications WHERE tenant_id = $1 AND panel_id = $2
         ORDER BY application_id",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub expert_id: i64,
    pub name: String,
    pub employer: String,
    pub seat: i32,
    pub declined_reason: Option<String>,
    pub login: Option<String>,
    pub user_id: Option<i64>,
    /// When the expert accepted the invitation themselves (None: not answered, or declined).
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Member {
    /// The member's answer to the invitation, as the bureau and the expert read it.
    pub fn reply_label(&self) -> String {
        match (&self.declined_reason, self.accepted_at) {
            (Some(reason), _) => format!("谢绝：{reason}"),
            (None, Some(_)) => "已接受邀请".into(),
            (None, None) => "待回复".into(),
        }
    }
}

pub async fn members(pool: &PgPool, tenant_id: i64, panel_id: i64) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT m.expert_id, e.name, e.employer, m.seat, m.declined_reason, u.login, e.user_id,
                m.accepted_at
         FROM panel_members m
         JOIN experts e ON e.tenant_id = m.tenant_id AND e.id = m.expert_id
         LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
         WHERE m.tenant_id = $1 AND m.panel_id = $2 ORDER BY m.seat",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .fetch_all(pool)
    .await
}

/// Records that a member accepted the invitation; false when they had answered already (or
/// are no member).
pub async fn accept(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    expert_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE panel_members SET accepted_at = now()
         WHERE tenant_id = $1 AND panel_id = $2 AND expert_id = $3
           AND declined_reason IS NULL AND accepted_at IS NULL",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(expert_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts the invitation of the expert whose sheet this is, unless they already answered: an
/// expert who starts on a sheet has accepted, whether or not they pressed the button first.
pub async fn accept_by_sheet(
    conn: &mut PgConnection,
    tenant_id: i64,
    sheet_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE panel_members m SET accepted_at = now()
         FROM assignments s
         WHERE s.tenant_id = $1 AND s.id = $2
           AND m.tenant_id = s.tenant_id AND m.panel_id = s.panel_id
           AND m.expert_id = s.expert_id
           AND m.declined_reason IS NULL AND m.accepted_at IS NULL",
    )
    .bind(tenant_id)
    .bind(sheet_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A panel an expert was invited to, with their answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub panel_id: i64,
    pub name: String,
    pub call_title: String,
    pub state: PanelState,
    pub reply_by: Option<NaiveDate>,
    pub sheets_due: Option<NaiveDate>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_reason: Option<String>,
    pub parks: i64,
}

impl Invitation {
    /// Whether the expert can still answer it (open, and not declined).
    pub fn open(&self) -> bool {
        self.state == PanelState::Open && self.declined_reason.is_none()
    }

    /// A date of the invitation as people read it, or a dash when the panel set none.
    pub fn date(&self, day: &Option<NaiveDate>) -> String {
        day.map(crate::domain::time::date_label)
            .unwrap_or_else(|| "—".into())
    }

    pub fn reply_label(&self) -> &'static str {
        match (&self.declined_reason, self.accepted_at) {
            (Some(_), _) => "已谢绝",
            (None, Some(_)) => "已接受",
            (None, None) => "待回复",
        }
    }
}

/// The panels an expert was drawn onto, newest first; `panel` narrows to one.
pub async fn invitations_of(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
    panel: Option<i64>,
) -> sqlx::Result<Vec<Invitation>> {
    sqlx::query_as(
        "SELECT p.id AS panel_id, p.name, c.title AS call_title, p.state, p.reply_by,
                p.sheets_due, m.accepted_at, m.declined_reason,
                (SELECT count(*) FROM panel_applications x
                  WHERE x.tenant_id = p.tenant_id AND x.panel_id = p.id) AS parks
           FROM panel_members m
           JOIN panels p ON p.tenant_id = m.tenant_id AND p.id = m.panel_id
           JOIN calls c ON c.tenant_id = p.tenant_id AND c.id = p.call_id
          WHERE m.tenant_id = $1 AND m.expert_id = $2 AND ($3::bigint IS NULL OR p.id = $3)
          ORDER BY p.created_at DESC, p.id DESC",
    )
    .bind(tenant_id)
    .bind(expert_id)
    .bind(panel)
    .fetch_all(pool)
    .await
}

/// Marks a member as having declined (the caller withdraws their open sheets).
pub async fn decline(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    expert_id: i64,
    reason: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE panel_members SET declined_reason = $4, declined_at = now()
         WHERE tenant_id = $1 AND panel_id = $2 AND expert_id = $3 AND declined_reason IS NULL",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(expert_id)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The open sheets of one member of a panel (withdrawn when the member declines).
pub async fn open_sheets_of_member(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    expert_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM assignments
         WHERE tenant_id = $1 AND panel_id = $2 AND expert_id = $3 AND state = 'open'
         ORDER BY id",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(expert_id)
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Assignments

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Assignment {
    pub id: i64,
    pub panel_id: i64,
    pub panel_state: PanelState,
    pub expert_id: i64,
    pub expert_name: String,
    /// The expert's account, if they have one.
    pub expert_user_id: Option<i64>,
    pub application_id: i64,
    pub park_name: String,
    pub organization_name: String,
    pub application_state: String,
    pub conflict: String,
    pub conflict_reason: String,
    pub scores: Json<BTreeMap<String, String>>,
    pub comments: Json<BTreeMap<String, String>>,
    pub opinion: Option<String>,
    pub summary: String,
    pub outlier_reason: String,
    pub state: SheetState,
    pub submitted_at: Option<DateTime<Utc>>,
    pub lock_version: i32,
    /// Submitted from a paper sheet entered twice by bureau staff: the scan and the entries.
    pub paper_scan_document_id: Option<i64>,
    pub paper_entries: Option<Vec<i64>>,
}

impl Assignment {
    pub fn on_paper(&self) -> bool {
        self.paper_entries.is_some()
    }
}

const ASSIGNMENT: &str = "SELECT s.id, s.panel_id, p.state AS panel_state, s.expert_id,
        e.name AS expert_name, e.user_id AS expert_user_id, s.application_id, a.park_name, o.name AS organization_name,
        a.state AS application_state, s.conflict, s.conflict_reason, s.scores, s.comments,
        s.opinion, s.summary, s.outlier_reason, s.state, s.submitted_at, s.lock_version,
        s.paper_scan_document_id, s.paper_entries
     FROM assignments s
     JOIN panels p ON p.tenant_id = s.tenant_id AND p.id = s.panel_id
     JOIN experts e ON e.tenant_id = s.tenant_id AND e.id = s.expert_id
     JOIN applications a ON a.tenant_id = s.tenant_id AND a.id = s.application_id
     JOIN organizations o ON o.tenant_id = a.tenant_id AND o.id = a.organization_id";

pub async fn insert_assignment(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel_id: i64,
    expert_id: i64,
    application_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO assignments (tenant_id, panel_id, expert_id, application_id)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant_id)
    .bind(panel_id)
    .bind(expert_id)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An expert's own assignments (never anyone else's).
pub async fn of_expert(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.state <> 'withdrawn'
         ORDER BY s.panel_id DESC, s.id"
    ))
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await
}

pub async fn get_of_expert(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
    id: i64,
) -> sqlx::Result<Option<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.id = $3
           AND s.state <> 'withdrawn'"
    ))
    .bind(tenant_id)
    .bind(expert_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Every assignment of each of the applications (a call's results in one query), in the order
/// `of_application` gives one application's.
pub async fn of_applications(
    pool: &PgPool,
    tenant_id: i64,
    application_ids: &[i64],
) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.application_id = ANY($2)
         ORDER BY s.application_id, s.panel_id, s.id"
    ))
    .bind(tenant_id)
    .bind(application_ids)
    .fetch_all(pool)
    .await
}

/// Every assignment of an application (the bureau's view), active ones first.
pub async fn of_application(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.application_id = $2 ORDER BY s.panel_id, s.id"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

pub async fn of_panel(
    pool: &PgPool,
    tenant_id: i64,
    panel_id: i64,
) -> sqlx::Result<Vec<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.panel_id = $2 ORDER BY s.application_id, s.expert_id"
    ))
    .bind(tenant_id)
    .bind(panel_id)
    .fetch_all(pool)
    .await
}

pub async fn get_assignment(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
) -> sqlx::Result<Option<Assignment>> {
    sqlx::query_as(&format!(
        "{ASSIGNMENT} WHERE s.tenant_id = $1 AND s.id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Records the expert's conflict declaration (once: it cannot be taken back). A declared
/// conflict also closes the sheet: the caller submits it through the sheet machine.
pub async fn declare(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    conflict: bool,
    reason: &str,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE assignments SET conflict = $3, conflict_reason = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND conflict = 'undeclared' AND state = 'open'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(if conflict { "declared" } else { "none" })
    .bind(reason)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub struct Sheet<'a> {
    pub scores: &'a BTreeMap<String, String>,
    pub comments: &'a BTreeMap<String, String>,
    pub opinion: Option<&'a str>,
    pub summary: &'a str,
}

/// Saves a sheet's content if it is still open and nobody saved since `expected` (submitting it
/// is the sheet machine's step, in the same transaction).
pub async fn save_sheet(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    expected: i32,
    sheet: &Sheet<'_>,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE assignments SET scores = $4, comments = $5, opinion = $6, summary = $7,
             lock_version = lock_version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3 AND state = 'open'
           AND conflict = 'none'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(expected)
    .bind(Json(sheet.scores))
    .bind(Json(sheet.comments))
    .bind(sheet.opinion)
    .bind(sheet.summary)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_outlier_reason(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    reason: &str,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE assignments SET outlier_reason = $3, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND state = 'submitted' AND conflict = 'none'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(reason)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// For the review-complete check: (assigned non-conflicted, submitted non-conflicted,
/// undeclared) over the application's active assignments.
pub async fn progress(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE conflict <> 'declared'),
                count(*) FILTER (WHERE conflict = 'none' AND state = 'submitted'),
                count(*) FILTER (WHERE conflict = 'undeclared')
         FROM assignments WHERE tenant_id = $1 AND application_id = $2 AND state <> 'withdrawn'",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_one(conn)
    .await
}

/// Whether the expert signed in as `user_id` reviews the application (declared no conflict).
pub async fn expert_reviews(
    pool: &PgPool,
    tenant_id: i64,
    user_id: i64,
    application_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM assignments s
             JOIN experts e ON e.tenant_id = s.tenant_id AND e.id = s.expert_id
             WHERE s.tenant_id = $1 AND e.user_id = $2 AND s.application_id = $3
               AND s.conflict = 'none' AND s.state <> 'withdrawn')",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(application_id)
    .fetch_one(pool)
    .await
}

/// The experts who served (and did not decline) on the panels of the latest earlier call in which
/// the same park (operator and park name) was reviewed: "the previous round".
pub async fn previous_round_experts(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "WITH this AS (
             SELECT organization_id, park_name, call_id FROM applications
             WHERE tenant_id = $1 AND id = $2),
         earlier AS (
             SELECT a.id, c.deadline FROM applications a
             JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id, this
             WHERE a.tenant_id = $1 AND a.organization_id = this.organization_id
               AND a.park_name = this.park_name AND a.call_id <> this.call_id
               AND EXISTS (SELECT 1 FROM panel_applications pa
                           WHERE pa.tenant_id = a.tenant_id AND pa.application_id = a.id)
             ORDER BY c.deadline DESC LIMIT 1)
         SELECT DISTINCT m.expert_id FROM earlier
         JOIN panel_applications pa ON pa.tenant_id = $1 AND pa.application_id = earlier.id
         JOIN panel_members m ON m.tenant_id = pa.tenant_id AND m.panel_id = pa.panel_id
         WHERE m.declined_reason IS NULL ORDER BY 1",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

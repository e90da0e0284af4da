//! A re-review round's expert panel (复评专家组): its recorded draw and each member's opinion on
//! each park of the round, scoped by tenant.
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Panel {
    pub id: i64,
    pub re_review_id: i64,
    pub seed: String,
    pub draw_input: Json<Value>,
    pub draw_result: Json<Value>,
    pub drawn_by_name: String,
    pub drawn_at: DateTime<Utc>,
}

pub async fn of_round(pool: &PgPool, tenant_id: i64, round: i64) -> sqlx::Result<Option<Panel>> {
    sqlx::query_as(
        "SELECT p.id, p.re_review_id, p.seed, p.draw_input, p.draw_result,
                u.display_name AS drawn_by_name, p.drawn_at
         FROM re_review_panels p JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.drawn_by
         WHERE p.tenant_id = $1 AND p.re_review_id = $2",
    )
    .bind(tenant_id)
    .bind(round)
    .fetch_optional(pool)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: i64,
    round: i64,
    (seed, input, result): (&str, &Value, &Value),
    drawn_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO re_review_panels (tenant_id, re_review_id, seed, draw_input, draw_result, drawn_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tenant_id)
    .bind(round)
    .bind(seed)
    .bind(input)
    .bind(result)
    .bind(drawn_by)
    .fetch_one(conn)
    .await
}

pub async fn insert_sheet(
    conn: &mut PgConnection,
    tenant_id: i64,
    panel: i64,
    park_entry: i64,
    (expert, seat): (i64, i32),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO re_review_sheets (tenant_id, panel_id, re_review_park_id, expert_id, seat)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(panel)
    .bind(park_entry)
    .bind(expert)
    .bind(seat)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sheet {
    pub id: i64,
    pub panel_id: i64,
    pub re_review_id: i64,
    pub re_review_title: String,
    pub re_review_park_id: i64,
    pub award_id: i64,
    pub park_name: String,
    pub expert_id: i64,
    pub expert_name: String,
    pub expert_user_id: Option<i64>,
    pub seat: i32,
    pub conflict: String,
    pub conflict_reason: String,
    pub opinion: Option<String>,
    pub summary: String,
    pub state: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl Sheet {
    pub fn opinion_label(&self) -> &'static str {
        opinion_label(self.opinion.as_deref().unwrap_or(""))
    }
    pub fn state_label(&self) -> &'static str {
        match (self.conflict.as_str(), self.state.as_str()) {
            ("declared", _) => "已回避",
            (_, "submitted") => "已提交",
            _ => "待评审",
        }
    }
}

pub fn opinion_label(opinion: &str) -> &'static str {
    match opinion {
        "pass" => "通过",
        "rectify" => "限期整改",
        "delist" => "取消资格",
        _ => "—",
    }
}

const SHEET: &str = "SELECT s.id, s.panel_id, p.re_review_id, r.title AS re_review_title,
        s.re_review_park_id, rp.award_id, w.park_name, s.expert_id, e.name AS expert_name,
        e.user_id AS expert_user_id, s.seat, s.conflict, s.conflict_reason, s.opinion, s.summary,
        s.state, s.submitted_at
    FROM re_review_sheets s
    JOIN re_review_panels p ON p.tenant_id = s.tenant_id AND p.id = s.panel_id
    JOIN re_reviews r ON r.tenant_id = p.tenant_id AND r.id = p.re_review_id
    JOIN re_review_parks rp ON rp.tenant_id = s.tenant_id AND rp.id = s.re_review_park_id
    JOIN awards w ON w.tenant_id = rp.tenant_id AND w.id = rp.award_id
    JOIN experts e ON e.tenant_id = s.tenant_id AND e.id = s.expert_id";

pub async fn sheets_of_panel(
    pool: &PgPool,
    tenant_id: i64,
    panel: i64,
) -> sqlx::Result<Vec<Sheet>> {
    sqlx::query_as(&format!(
        "{SHEET} WHERE s.tenant_id = $1 AND s.panel_id = $2 ORDER BY s.re_review_park_id, s.seat"
    ))
    .bind(tenant_id)
    .bind(panel)
    .fetch_all(pool)
    .await
}

pub async fn sheets_of_expert(
    pool: &PgPool,
    tenant_id: i64,
    expert: i64,
) -> sqlx::Result<Vec<Sheet>> {
    sqlx::query_as(&format!(
        "{SHEET} WHERE s.tenant_id = $1 AND s.expert_id = $2 ORDER BY s.state, s.id DESC"
    ))
    .bind(tenant_id)
    .bind(expert)
    .fetch_all(pool)
    .await
}

pub async fn sheet_of_expert(
    pool: &PgPool,
    tenant_id: i64,
    expert: i64,
    id: i64,
) -> sqlx::Result<Option<Sheet>> {
    sqlx::query_as(&format!(
        "{SHEET} WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.id = $3"
    ))
    .bind(tenant_id)
    .bind(expert)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Records the member's answer on an open sheet: a conflict (with its reason), or no conflict
/// with the opinion (the sheet machine's step follows in the transaction).
pub async fn write(
    conn: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    (conflict, reason, opinion, summary): (&str, &str, Option<&str>, &str),
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "UPDATE re_review_sheets SET conflict = $3, conflict_reason = $4, opinion = $5, summary = $6,
             lock_version = lock_version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND state = 'open' AND conflict = 'undeclared'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(conflict)
    .bind(reason)
    .bind(opinion)
    .bind(summary)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The experts who reviewed the application a title was awarded on (its previous reviewers).
pub async fn previous_reviewers(
    pool: &PgPool,
    tenant_id: i64,
    application_id: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT expert_id FROM assignments
         WHERE tenant_id = $1 AND application_id = $2 AND state <> 'withdrawn'",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_all(pool)
    .await
}

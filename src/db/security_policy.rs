//! The platform's security policy: one row, read on every sign-in and password change.
use crate::domain::security_policy::Policy;
use sqlx::{PgConnection, PgPool};

#[derive(sqlx::FromRow)]
struct Stored {
    min_length: i32,
    min_classes: i32,
    lockout_threshold: i32,
    lockout_minutes: i32,
    max_age_days: Option<i32>,
    history: i32,
    login_notice: String,
}

const COLUMNS: &str = "min_length, min_classes, lockout_threshold, lockout_minutes, max_age_days, history, login_notice";

pub async fn get(pool: &PgPool) -> sqlx::Result<Policy> {
    let s: Stored = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM security_policy WHERE id = 1"
    ))
    .fetch_one(pool)
    .await?;
    Ok(Policy {
        min_length: s.min_length as u32,
        min_classes: s.min_classes as u32,
        lockout_threshold: s.lockout_threshold as u32,
        lockout_minutes: s.lockout_minutes as u32,
        max_age_days: s.max_age_days.map(|d| d as u32),
        history: s.history as u32,
        login_notice: s.login_notice,
    })
}

pub async fn save(conn: &mut PgConnection, p: &Policy, by: Option<i64>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE security_policy SET min_length = $1, min_classes = $2, lockout_threshold = $3,
             lockout_minutes = $4, login_notice = $5, updated_at = now(), updated_by = $6,
             max_age_days = $7, history = $8
         WHERE id = 1",
    )
    .bind(p.min_length as i32)
    .bind(p.min_classes as i32)
    .bind(p.lockout_threshold as i32)
    .bind(p.lockout_minutes as i32)
    .bind(&p.login_notice)
    .bind(by)
    .bind(p.max_age_days.map(|d| d as i32))
    .bind(p.history as i32)
    .execute(conn)
    .await?;
    Ok(())
}

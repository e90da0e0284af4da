//! The working-day calendar as the admin maintains it (platform-wide, not per tenant).
use crate::domain::workdays::{Calendar, CalendarEntry, CalendarError, DayKind};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

/// The calendar as stored; an error only if the stored rows are inconsistent.
pub async fn load(pool: &PgPool) -> anyhow::Result<Calendar> {
    let rows: Vec<(NaiveDate, String, String)> =
        sqlx::query_as("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(pool)
            .await?;
    let entries = rows
        .into_iter()
        .map(|(date, kind, name)| {
            let kind = DayKind::parse(&kind)
                .ok_or_else(|| anyhow::anyhow!("calendar row {date} has kind {kind}"))?;
            Ok(CalendarEntry { date, kind, name })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Calendar::from_entries(entries)
        .map_err(|e: CalendarError| anyhow::anyhow!("stored calendar: {e}"))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct YearSource {
    pub year: i32,
    pub source: String,
    pub imported_by_name: Option<String>,
    pub imported_at: DateTime<Utc>,
}

pub async fn years(pool: &PgPool) -> sqlx::Result<Vec<YearSource>> {
    sqlx::query_as(
        "SELECT y.year, y.source, u.display_name AS imported_by_name, y.imported_at
         FROM calendar_years y LEFT JOIN users u ON u.id = y.imported_by ORDER BY y.year",
    )
    .fetch_all(pool)
    .await
}

/// Replaces the years `calendar` covers (and its rows outside them, e.g. the December day off of
/// the next year's New Year holiday) and records where they came from.
pub async fn import(
    conn: &mut PgConnection,
    calendar: &Calendar,
    source: &str,
    user_id: i64,
) -> sqlx::Result<()> {
    for year in calendar.covered_years() {
        sqlx::query("DELETE FROM calendar_days WHERE extract(year FROM day) = $1")
            .bind(year)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO calendar_years (year, source, imported_by) VALUES ($1, $2, $3)
             ON CONFLICT (year) DO UPDATE SET source = EXCLUDED.source,
                 imported_by = EXCLUDED.imported_by, imported_at = now()",
        )
        .bind(year)
        .bind(source)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    for e in calendar.entries() {
        sqlx::query(
            "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
             ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name",
        )
        .bind(e.date)
        .bind(e.kind.as_str())
        .bind(&e.name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The year's rows (for the admin's page).
pub fn year_rows(calendar: &Calendar, year: i32) -> Vec<CalendarEntry> {
    calendar
        .entries_in_year(year)
        .filter(|e| e.date.year() == year)
        .collect()
}

//! Reminders the clock makes, once each (a dedupe key per object and milestone): a sheet still
//! open 2 working days before its panel's deadline, a quarterly report due within 5 working
//! days or overdue, a rectification deadline within 5 working days. Working days come from the
//! calendar; a deadline in a year the calendar does not cover is reminded of at the deadline
//! only when it is reached (counted as 0 days left).
use crate::db::monitoring;
use crate::db::titles::{self, ParkScope};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workdays::Calendar;
use crate::error::AppResult;
use crate::service::monitoring::{Owing, tell_owed};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};

/// Working days before the deadline when each reminder goes.
pub const SHEET_DAYS: u32 = 2;
pub const REPORT_DAYS: u32 = 5;
pub const RECTIFICATION_DAYS: u32 = 5;

/// Runs every reminder for `today`; returns how many were recorded.
pub async fn run(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    let cal = crate::db::calendar::load(&state.db)
        .await
        .map_err(crate::error::AppError::Internal)?;
    let left = |due: NaiveDate| working_days_left(&cal, today, due);
    Ok(sheets_due(state, today, &left).await?
        + reports_due(state, today, &cal).await?
        + rectifications_due(state, today, &left).await?)
}

/// Working days from `today` to `due`. A deadline in a year whose holidays are not loaded yet
/// (the bureau's home warns of it) counts Monday to Friday, so it is neither "due now" nor
/// never reminded of.
fn working_days_left(cal: &Calendar, today: NaiveDate, due: NaiveDate) -> u32 {
    cal.working_days_after(today, due).unwrap_or_else(|_| {
        today
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= due)
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .count() as u32
    })
}

async fn sheets_due(
    state: &AppState,
    today: NaiveDate,
    left: &impl Fn(NaiveDate) -> u32,
) -> AppResult<usize> {
    let mut told = 0;
    for (tenant_id, panel, expert, name, due) in
        monitoring::open_sheets_due(&state.db, today).await?
    {
        if left(due) > SHEET_DAYS {
            continue;
        }
        let event = crate::db::events::Event {
            kind: EventKind::SheetDueSoon,
            object_kind: "panel",
            object_id: panel,
            links: vec![("expert", "/expert".to_string())],
            facts: Facts {
                subject: name,
                due: Some(due),
                ..Facts::default()
            },
            audience: vec![Audience::Expert(expert)],
            dedupe_key: Some(format!("sheet_due:{panel}:{expert}")),
        };
        let mut tx = state.db.begin().await?;
        told += usize::from(notify::tell(&mut tx, state, tenant_id, event).await?);
        tx.commit().await?;
    }
    Ok(told)
}

/// Every park holding its title: each quarter not filed (or returned) that falls due within
/// `REPORT_DAYS` working days, or is overdue.
async fn reports_due(state: &AppState, today: NaiveDate, cal: &Calendar) -> AppResult<usize> {
    let mut told = 0;
    for tenant_id in monitoring::tenant_ids(&state.db).await? {
        let settings = monitoring::settings(&state.db, tenant_id).await?;
        for park in titles::list(&state.db, tenant_id, ParkScope::Bureau).await? {
            let Some(jurisdiction_id) = park.jurisdiction_id.filter(|_| park.holds_title()) else {
                continue;
            };
            let award = park.award_id;
            let filed = monitoring::reports(&state.db, tenant_id, Some(award), None).await?;
            let kind = crate::domain::monitoring::ReportKind::ParkQuarter;
            let (mut owed, next) =
                crate::service::monitoring::owed(&settings, kind, park.awarded_on, today, &filed);
            owed.push(next);
            for o in owed
                .iter()
                .filter(|o| o.report.as_ref().is_none_or(|r| !r.counts_as_filed()))
            {
                let soon = o.due >= today && working_days_left(cal, today, o.due) <= REPORT_DAYS;
                let (event, key) = match (o.overdue, soon) {
                    (true, _) => (EventKind::ReportOverdue, "report_overdue"),
                    (false, true) if o.ended => (EventKind::ReportDueSoon, "report_due"),
                    _ => continue,
                };
                let owing = Owing {
                    kind,
                    period: o.period,
                    award_id: Some(award),
                    jurisdiction_id,
                    due: o.due,
                };
                let dedupe = format!("{key}:{award}:{}:{}", o.period.year, o.period.period);
                let mut tx = state.db.begin().await?;
                told += usize::from(
                    tell_owed(&mut tx, state, tenant_id, event, &owing, Some(dedupe)).await?,
                );
                tx.commit().await?;
            }
        }
    }
    Ok(told)
}

async fn rectifications_due(
    state: &AppState,
    today: NaiveDate,
    left: &impl Fn(NaiveDate) -> u32,
) -> AppResult<usize> {
    let mut told = 0;
    for (tenant_id, order, award, deadline) in monitoring::open_orders_due(&state.db, today).await?
    {
        if left(deadline) > RECTIFICATION_DAYS {
            continue;
        }
        let about = About {
            detail: "",
            due: Some(deadline),
            dedupe_key: Some(format!("rectification_due:{order}")),
        };
        let mut tx = state.db.begin().await?;
        let kind = EventKind::RectificationDueSoon;
        told += usize::from(
            notify::about_park(&mut tx, state, tenant_id, Park::Award(award), kind, about).await?,
        );
        tx.commit().await?;
    }
    Ok(told)
}

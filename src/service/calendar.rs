//! The working-day calendar as a use-case: the platform admin imports a year's holidays
//! (DOMAIN.md §6), for every tenant at once.
use crate::db::transition::By;
use crate::db::{audit, calendar};
use crate::domain::workdays::Calendar;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// The admin imports the years `cal` covers, replacing what was loaded for them, with the
/// notice they come from as `source`; returns the years.
pub async fn import(
    state: &AppState,
    by: &By,
    cal: &Calendar,
    source: &str,
) -> AppResult<Vec<i32>> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let years = cal.covered_years();
    let mut tx = state.db.begin().await?;
    calendar::import(&mut tx, cal, source, user_id).await?;
    // The calendar is the platform's, not a tenant's: the entry has no tenant.
    let entry = audit::Entry {
        tenant_id: None,
        actor_user_id: by.user_id,
        object_kind: "calendar",
        object_id: years.first().copied().unwrap_or(0).to_string(),
        action: "import",
        before: None,
        after: Some(json!({ "years": years, "rows": cal.entries().count(), "source": source })),
        request_id: by.request_id.clone(),
        ip: by.ip.clone(),
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(years)
}

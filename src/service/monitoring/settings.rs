//! The bureau's settings for supervision: when reports fall due, and the zone's targets.
use crate::db::audit;
use crate::db::monitoring::{self, Targets};
use crate::db::transition::By;
use crate::domain::monitoring::DueSettings;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// The bureau sets the days after each period by which its report is due and the grace a
/// reminder gives; audited with what they were before.
pub async fn save_due_settings(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    settings: &DueSettings,
) -> AppResult<()> {
    let before = monitoring::settings(&state.db, tenant_id).await?;
    let mut tx = state.db.begin().await?;
    monitoring::save_settings(&mut tx, tenant_id, settings).await?;
    let after = json!({ "due_quarter": settings.due_quarter, "due_half": settings.due_half, "grace_days": settings.grace_days });
    let entry = audit::Entry {
        before: Some(
            json!({ "due_quarter": before.due_quarter, "due_half": before.due_half, "grace_days": before.grace_days }),
        ),
        ..by.entry(tenant_id, "monitoring_settings", tenant_id, "update", after)
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The bureau sets the zone's targets for a year (parks, trade, enterprises) and their basis.
pub async fn save_zone_targets(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    targets: &Targets,
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    monitoring::save_targets(&mut tx, tenant_id, targets, user_id).await?;
    let Targets {
        year,
        trade,
        parks,
        enterprises,
        basis,
    } = targets;
    let after = json!({ "year": year, "trade": trade, "parks": parks, "enterprises": enterprises, "basis": basis });
    let entry = by.entry(tenant_id, "zone_targets", tenant_id, "update", after);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

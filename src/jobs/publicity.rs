//! Publicity windows close by themselves: the applications listed go from 公示中 to 公示期满.
use crate::db::publicity;
use crate::db::transition::{self, Applications, By, Notices};
use crate::domain::workflow::{ApplicationAction, NoticeAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};

/// Closes every notice whose window has ended at `now` (the system's step; `now` is a
/// parameter so tests need no clock tricks). Returns how many notices closed.
pub async fn close_due(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut closed = 0;
    for (tenant_id, id) in publicity::due(&state.db, now).await? {
        let entries = publicity::entries(&state.db, tenant_id, id).await?;
        let mut tx = state.db.begin().await?;
        let closing = transition::apply_in::<Notices>(
            &mut tx,
            tenant_id,
            id,
            NoticeAction::Close,
            &By::system(),
            Some("公示期满"),
            &(),
        )
        .await;
        // Another instance closed it first (its state is no longer open): nothing to do.
        if let Err(AppError::Conflict(_)) = closing {
            continue;
        }
        closing?;
        for e in entries.iter().filter(|e| e.state == "in_publicity") {
            transition::apply_in::<Applications>(
                &mut tx,
                tenant_id,
                e.application_id,
                ApplicationAction::ClosePublicity,
                &By::system(),
                Some("公示期满"),
                &WorkflowRules::default(),
            )
            .await?;
        }
        tx.commit().await?;
        closed += 1;
    }
    Ok(closed)
}

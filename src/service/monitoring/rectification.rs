//! Rectification (限期整改) as use-cases: the operator's report with its evidence, and the
//! bureau's check of it, which restores the title or sends the order back.
use super::rules_of;
use crate::db::documents::Owner;
use crate::db::monitoring::{self, Order, Orders};
use crate::db::titles::{self, ParkScope};
use crate::db::transition::{self, By, Change};
use crate::domain::workflow::{ApplicationAction, RectificationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::state::AppState;
use serde_json::json;

/// The operator answers an open rectification order before its deadline with a report and its
/// evidence; the order then waits for the bureau's check.
pub async fn respond_to_order(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    order: &Order,
    text: &str,
    evidence: &[&UploadedFile],
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if order.deadline < state.clock.today() {
        return Err(AppError::Conflict(
            "整改期限已过，不能再提交整改报告。".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let mut docs = Vec::new();
    for file in evidence {
        let owner = Owner::Award(order.award_id);
        let category = "rectification_evidence";
        let (id, _) =
            files::keep(state, &mut tx, tenant_id, owner, category, file, user_id).await?;
        docs.push((id, file.filename.clone()));
    }
    let number =
        monitoring::insert_response(&mut tx, tenant_id, order.id, text, &docs, user_id).await?;
    let respond = Change {
        action: RectificationAction::Respond,
        by,
        reason: None,
    };
    let details = json!({ "response": number, "documents": docs });
    transition::apply_recording::<Orders>(&mut tx, tenant_id, order.id, respond, &(), details)
        .await
        .map_err(|e| e.conflict_reads("该整改通知的状态已变化，请刷新页面。"))?;
    tx.commit().await?;
    Ok(())
}

/// The bureau's check of the latest rectification report of an order: `accepted` restores the
/// park's title; `rejected` (with a reason) sends the order back to the operator.
pub async fn judge_rectification(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    order: &Order,
    verdict: &str,
    reason: &str,
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, order.award_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = WorkflowRules::for_rule_set(&rules_of(state, tenant_id, &park).await?);
    let accepted = verdict == "accepted";
    let today = state.clock.today();
    let mut tx = state.db.begin().await?;
    let judged = Change {
        action: if accepted {
            RectificationAction::Pass
        } else {
            RectificationAction::Fail
        },
        by,
        reason: Some(reason).filter(|r| !r.is_empty()),
    };
    let details = json!({ "verdict": verdict });
    transition::apply_recording::<Orders>(&mut tx, tenant_id, order.id, judged, &(), details)
        .await
        .map_err(|e| e.conflict_reads("该整改通知当前没有待验收的整改报告。"))?;
    monitoring::judge_latest_response(&mut tx, tenant_id, order.id, verdict, reason, user_id)
        .await?;
    if accepted {
        let award = order.award_id;
        let restore = ApplicationAction::AcceptRectification;
        titles::transition(&mut tx, tenant_id, award, restore, by, None, &rules).await?;
        let note = format!("{today} 整改验收通过");
        titles::note(&mut tx, tenant_id, award, &note, today).await?;
    }
    tx.commit().await?;
    Ok(())
}

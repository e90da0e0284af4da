//! The review round's use-cases on sheets: an expert's conflict declaration and sheet, the
//! outlier's explanation, the bureau's reopening of a sheet and closing of a panel; and the
//! aggregation that turns the submitted sheets into the engine's input (DOMAIN.md §5.4).
use crate::db::applications::Version;
use crate::db::audit;
use crate::db::panels::{self, Assignment, Sheet};
use crate::db::transition::{self, Applications, By, Change, Panels, Sheets};
use crate::domain::evaluate::{Evaluation, ExpertScores};
use crate::domain::notification::EventKind;
use crate::domain::roster::RosterRow;
use crate::domain::scoring;
use crate::domain::workflow::{
    ApplicationAction, ApplicationState, PanelAction, SheetAction, SheetState, WorkflowRules,
};
use crate::error::{AppError, AppResult};
use crate::service::applications::{Loaded, input_for, load, shanghai_day};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use serde_json::json;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// The engine's evaluation of an application's latest version with the county's attestations
/// and the submitted sheets of its non-conflicted experts: the same aggregation as
/// `parkcert evaluate` (DOMAIN.md §5.4).
pub fn evaluate_with_scores(
    loaded: &Loaded,
    version: &Version,
    roster: &[RosterRow],
    attestations: &BTreeMap<String, bool>,
    sheets: &[Assignment],
) -> Evaluation {
    let scores = expert_scores(loaded, sheets);
    let scores = (!scores.is_empty() && !loaded.rules.criteria.is_empty()).then_some(scores);
    let mut input = input_for(
        loaded,
        &version.form.0,
        roster,
        shanghai_day(version.submitted_at),
        scores,
    );
    if !attestations.is_empty() {
        input.attestations = Some(
            attestations
                .iter()
                .map(|(k, v)| (k.clone(), Some(*v)))
                .collect(),
        );
    }
    crate::domain::evaluate::evaluate(&loaded.rules, &input)
}

/// A sheet that counts: submitted by an expert who declared no conflict.
fn counts(s: &Assignment) -> bool {
    s.state == SheetState::Submitted && s.conflict == "none"
}

/// The submitted, non-conflicted sheets as the engine's `expert_scores`, keyed by the expert's
/// name so outliers are named.
pub fn expert_scores(loaded: &Loaded, sheets: &[Assignment]) -> Vec<ExpertScores> {
    sheets
        .iter()
        .filter(|s| counts(s))
        .map(|s| {
            let checked = scoring::check_sheet(&loaded.rules, &s.scores.0, true);
            ExpertScores {
                expert: Some(s.expert_name.clone()),
                conflict: Some(false),
                scores: Some(checked.scores),
            }
        })
        .collect()
}

/// Pass / fail opinions (Zhongshan) counted: (pass, fail).
pub fn opinions(sheets: &[Assignment]) -> (usize, usize) {
    let (pass, fail): (Vec<_>, Vec<_>) = sheets
        .iter()
        .filter(|s| counts(s))
        .partition(|s| s.opinion.as_deref() == Some("pass"));
    (pass.len(), fail.len())
}

/// Moves the application to `reviewed` once every assigned, non-conflicted expert has
/// submitted (the system's step, in the same transaction as the last sheet).
pub async fn complete_if_done(
    tx: &mut PgConnection,
    state: &AppState,
    loaded: &Loaded,
) -> AppResult<()> {
    let (sheets, sheets_in, undeclared) =
        panels::progress(tx, loaded.tenant_id, loaded.app.id).await?;
    // A commissioned institution (中山 第八条（三）) reviews instead of, or beside, the panel.
    let (commissioned, opinions_in) =
        crate::db::institutions::progress(tx, loaded.tenant_id, loaded.app.id).await?;
    let (assigned, submitted) = (sheets + commissioned, sheets_in + opinions_in);
    let now: String =
        transition::lock_state::<Applications>(tx, loaded.tenant_id, loaded.app.id).await?;
    if now != ApplicationState::InReview.as_str() || undeclared > 0 {
        return Ok(());
    }
    if crate::domain::workflow::check_review_complete(assigned as usize, submitted as usize)
        .is_err()
    {
        return Ok(());
    }
    // A call whose review takes both forms also needs the confirmed on-site record.
    let inspection = loaded.call.requires_inspection();
    if inspection
        && !crate::db::inspections::confirmed_for(tx, loaded.tenant_id, loaded.app.id).await?
    {
        return Ok(());
    }
    let parts = [
        (sheets_in > 0).then(|| format!("{sheets_in} 位评审专家均已提交")),
        (commissioned > 0).then(|| format!("{commissioned} 家第三方机构均已出具评审意见")),
        inspection.then(|| "现场考核记录已确认".to_string()),
    ];
    let reason = parts.into_iter().flatten().collect::<Vec<_>>().join("，");
    transition::apply_in::<Applications>(
        tx,
        loaded.tenant_id,
        loaded.app.id,
        ApplicationAction::CompleteReview,
        &By::system(),
        Some(&reason),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    let park = Park::Application(loaded.app.id);
    let all_in = EventKind::SheetsAllIn;
    notify::about_park(tx, state, loaded.tenant_id, park, all_in, About::default()).await?;
    Ok(())
}

/// The expert says, once, whether they must recuse (回避). A declared conflict closes the sheet
/// (it counts as done and is never scored); either answer may complete the review.
pub async fn declare_conflict(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    sheet_id: i64,
    conflict: bool,
    reason: &str,
) -> AppResult<()> {
    let tenant_id = loaded.tenant_id;
    let mut tx = state.db.begin().await?;
    if !panels::declare(&mut tx, tenant_id, sheet_id, conflict, reason).await? {
        return Err(AppError::Conflict("已声明过是否回避，不能更改。".into()));
    }
    let accepted = panels::accept_by_sheet(&mut tx, tenant_id, sheet_id).await?;
    let details = json!({ "conflict": conflict, "reason": reason, "accepts_invitation": accepted });
    if conflict {
        let change = Change {
            action: SheetAction::DeclareConflict,
            by,
            reason: Some(reason),
        };
        transition::apply_recording::<Sheets>(&mut tx, tenant_id, sheet_id, change, &(), details)
            .await?;
    } else {
        let entry = by.entry(
            tenant_id,
            "assignment",
            sheet_id,
            "declare_conflict",
            details,
        );
        audit::record(&mut tx, entry).await?;
    }
    complete_if_done(&mut tx, state, loaded).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// What the expert saves: the sheet, the version they edited, whether they submit it, and the
/// total the sheet's scores make (for the audit trail).
pub struct SheetEntry<'a> {
    pub sheet: Sheet<'a>,
    pub expected_version: i32,
    pub submit: bool,
    pub total: String,
}

/// Saves a draft sheet, or submits it (which locks it and may complete the review). Returns
/// false, and changes nothing, when the sheet was saved elsewhere since `expected_version` or
/// is no longer open.
pub async fn save_sheet(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    sheet_id: i64,
    entry: &SheetEntry<'_>,
) -> AppResult<bool> {
    let tenant_id = loaded.tenant_id;
    let sheet = &entry.sheet;
    let mut tx = state.db.begin().await?;
    if !panels::save_sheet(&mut tx, tenant_id, sheet_id, entry.expected_version, sheet).await? {
        return Ok(false);
    }
    let details = json!({
        "scores": sheet.scores, "opinion": sheet.opinion, "submitted": entry.submit,
        "total": entry.total,
    });
    if entry.submit {
        let change = Change {
            action: SheetAction::Submit,
            by,
            reason: None,
        };
        transition::apply_recording::<Sheets>(&mut tx, tenant_id, sheet_id, change, &(), details)
            .await?;
        complete_if_done(&mut tx, state, loaded).await?;
    } else {
        let entry = by.entry(tenant_id, "assignment", sheet_id, "save_sheet", details);
        audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(true)
}

/// The expert whose score is an outlier explains it (温州's rules ask for a reason).
pub async fn explain_outlier(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    sheet_id: i64,
    reason: &str,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !panels::set_outlier_reason(&mut tx, tenant_id, sheet_id, reason).await? {
        return Err(AppError::Conflict("该评分表当前不能填写说明。".into()));
    }
    let details = json!({ "outlier_reason": reason });
    let entry = by.entry(tenant_id, "assignment", sheet_id, "outlier_reason", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The bureau reopens one submitted sheet with a reason; an application that had completed
/// its review goes back to `in_review` until the sheet is submitted again. Returns the
/// application's id and the expert's name.
pub async fn reopen_sheet(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    sheet_id: i64,
    reason: &str,
) -> AppResult<(i64, String)> {
    if reason.is_empty() {
        return Err(AppError::BadRequest("重新开放评分须写明理由。".into()));
    }
    let not_submitted = || AppError::Conflict("该评分表未提交，无需重新开放。".into());
    let sheet = panels::get_assignment(&state.db, tenant_id, sheet_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = crate::db::applications::Scope::Bureau;
    let loaded = load(state, tenant_id, scope, sheet.application_id).await?;
    let app_state = loaded.app.state.as_str();
    if app_state != ApplicationState::InReview.as_str()
        && app_state != ApplicationState::Reviewed.as_str()
    {
        return Err(AppError::Conflict(
            "已作出决定的申报，其评分不能再开放。".into(),
        ));
    }
    // A recusal is submitted too, but there is no score to reopen.
    if sheet.conflict != "none" {
        return Err(not_submitted());
    }
    let mut tx = state.db.begin().await?;
    let change = Change {
        action: SheetAction::Reopen,
        by,
        reason: Some(reason),
    };
    let details = json!({ "expert": sheet.expert_name });
    transition::apply_recording::<Sheets>(&mut tx, tenant_id, sheet_id, change, &(), details)
        .await
        .map_err(|e| e.conflict_reads("该评分表未提交，无需重新开放。"))?;
    if app_state == ApplicationState::Reviewed.as_str() {
        transition::apply_in::<Applications>(
            &mut tx,
            tenant_id,
            loaded.app.id,
            ApplicationAction::ReopenReview,
            by,
            Some(reason),
            &WorkflowRules::for_rule_set(&loaded.rules),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((loaded.app.id, sheet.expert_name))
}

/// The bureau closes a panel once none of its applications is still in review.
pub async fn close_panel(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    panel_id: i64,
) -> AppResult<()> {
    panels::get(&state.db, tenant_id, panel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sheets = panels::of_panel(&state.db, tenant_id, panel_id).await?;
    if sheets
        .iter()
        .any(|s| s.application_state == ApplicationState::InReview.as_str())
    {
        return Err(AppError::Conflict(
            "评审组仍有申报未完成评审，不能结束。".into(),
        ));
    }
    transition::apply::<Panels>(&state.db, tenant_id, panel_id, PanelAction::Close, by, None)
        .await
        .map_err(|e| e.conflict_reads("评审组已结束。"))?;
    Ok(())
}

//! Re-review (复评) as use-cases: a round opened on the parks chosen, each evaluated by the
//! engine now, and the bureau's result for one park applied to its title (passed, ordered to
//! rectify by a deadline, or delisted).
use super::evaluate_now;
use crate::db::audit;
use crate::db::monitoring;
use crate::db::titles::{self, Park};
use crate::db::transition::By;
use crate::domain::notification::EventKind;
use crate::domain::workflow::{ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::notify::{self, About, Park as Told};
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;

/// The bureau opens a re-review round of `parks` (each holding its title unconditionally): each
/// park is recorded with the engine's status and findings now. Returns the round's id.
pub async fn open_re_review(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    title: &str,
    reason: &str,
    parks: &[Park],
) -> AppResult<i64> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if parks.iter().any(|p| p.state != "awarded") {
        return Err(AppError::NotFound);
    }
    let mut evaluated = Vec::new();
    for p in parks {
        evaluated.push((p.award_id, evaluate_now(state, tenant_id, p).await?));
    }
    let mut tx = state.db.begin().await?;
    let id = monitoring::insert_re_review(&mut tx, tenant_id, title, reason, user_id).await?;
    for (award, (status, findings)) in &evaluated {
        let findings = serde_json::to_value(findings).unwrap_or_default();
        monitoring::insert_re_review_park(
            &mut tx,
            tenant_id,
            id,
            *award,
            status.as_str(),
            &findings,
        )
        .await?;
    }
    let chosen: Vec<i64> = parks.iter().map(|p| p.award_id).collect();
    let details = json!({ "title": title, "reason": reason, "parks": chosen });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "re_review", id, "open", details),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The bureau's result for one park of a round.
pub struct ReReviewDecision<'a> {
    /// The round.
    pub round: i64,
    /// The park's entry in the round.
    pub entry: i64,
    /// `pass`, `rectify` or `delist`.
    pub result: &'a str,
    pub findings: &'a str,
    /// The rectification deadline (for `rectify`).
    pub deadline: Option<NaiveDate>,
}

/// The bureau decides a park's re-review, once: the result recorded and applied to the park's
/// title (see [`apply_result`]), in one transaction. Returns the message to show.
pub async fn decide_re_review(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    park: &Park,
    rules: &WorkflowRules,
    d: &ReReviewDecision<'_>,
) -> AppResult<String> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let today = state.clock.today();
    let (pid, result, findings) = (d.entry, d.result, d.findings);
    let mut tx = state.db.begin().await?;
    if !monitoring::decide_re_review_park(&mut tx, tenant_id, pid, result, findings, user_id)
        .await?
    {
        return Err(AppError::Conflict("该园区的复评结论已作出。".into()));
    }
    let message = apply_result(
        &mut tx, tenant_id, park, pid, result, findings, d.deadline, by, rules, today, user_id,
    )
    .await?;
    let told = match (result, d.deadline) {
        ("rectify", Some(_)) => Some(EventKind::RectificationOrdered),
        ("delist", _) => Some(EventKind::Delisted),
        _ => None,
    };
    if let Some(kind) = told {
        let about = About {
            detail: findings,
            due: d.deadline,
            dedupe_key: None,
        };
        let award = Told::Award(park.award_id);
        notify::about_park(&mut tx, state, tenant_id, award, kind, about).await?;
    }
    let details = json!({ "re_review": d.round, "award_id": park.award_id, "result": result, "findings": findings, "deadline": d.deadline });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "re_review_park", pid, "decide", details),
    )
    .await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(message)
}

/// A re-review's result applied to the park's title in the caller's transaction: `rectify`
/// orders rectification by the deadline, `delist` delists, anything else passes. Returns the
/// message to show.
#[allow(clippy::too_many_arguments)]
pub async fn apply_result(
    tx: &mut sqlx::PgConnection,
    tenant_id: i64,
    park: &Park,
    pid: i64,
    result: &str,
    findings: &str,
    deadline: Option<NaiveDate>,
    by: &By,
    rules: &WorkflowRules,
    today: NaiveDate,
    user_id: i64,
) -> AppResult<String> {
    let award = park.award_id;
    Ok(match (result, deadline) {
        ("rectify", Some(deadline)) => {
            titles::transition(
                tx,
                tenant_id,
                award,
                ApplicationAction::OrderRectification,
                by,
                Some(findings),
                rules,
            )
            .await?;
            monitoring::insert_order(tx, tenant_id, award, Some(pid), findings, deadline, user_id)
                .await?;
            titles::note(
                tx,
                tenant_id,
                award,
                &format!("{today} 复评未达标，责令限期整改至 {deadline}"),
                today,
            )
            .await?;
            format!("已责令{}限期整改，期限 {deadline}。", park.park_name)
        }
        ("delist", _) => {
            titles::transition(
                tx,
                tenant_id,
                award,
                ApplicationAction::Delist,
                by,
                Some(findings),
                rules,
            )
            .await?;
            titles::note(
                tx,
                tenant_id,
                award,
                &format!("{today} 复评未达到要求，取消资格（中山 第十一条）"),
                today,
            )
            .await?;
            format!("已取消{}的资格（摘牌）。", park.park_name)
        }
        _ => format!("{}复评通过。", park.park_name),
    })
}

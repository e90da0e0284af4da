//! Re-review by an expert panel: the draw (the same lottery and recusal as a call's, with the
//! parks' previous reviewers excluded), each member's opinion on each park's current state, and
//! the tally the bureau's decision reads.
use crate::db::applications;
use crate::db::audit;
use crate::db::events::Event;
use crate::db::monitoring;
use crate::db::re_review_panels::{self as rr, Sheet};
use crate::db::titles::{self, ParkScope};
use crate::db::transition::{self, By, Change, ReReviewSheets};
use crate::domain::draw::{self, DrawInput, DrawRules, RosterEnterprise, ScopeApplication};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workflow::SheetAction;
use crate::error::{AppError, AppResult};
use crate::service::applications::roster_of;
use crate::service::panels::{DrawFailure, expert_id, pool_snapshot};
use crate::state::AppState;
use serde_json::json;

/// The lottery's input for a round: the pool now and, per park still undecided, what recusal
/// looks at — its operator, the roster it was awarded on, its county, and the experts who
/// reviewed it then.
pub async fn draw_input(
    state: &AppState,
    tenant_id: i64,
    round: i64,
    (size, seed): (u32, &str),
) -> AppResult<DrawInput> {
    let mut scope = Vec::new();
    for p in monitoring::re_review_parks(&state.db, tenant_id, round).await? {
        if p.result.is_some() {
            continue;
        }
        let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, p.award_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (roster, previous) = match park.application_id {
            Some(app) => {
                let versions = applications::versions(&state.db, tenant_id, app).await?;
                let roster = versions
                    .last()
                    .map(|v| roster_of(&v.roster.0))
                    .unwrap_or_default();
                (
                    roster,
                    rr::previous_reviewers(&state.db, tenant_id, app).await?,
                )
            }
            None => (Vec::new(), Vec::new()),
        };
        scope.push(ScopeApplication {
            key: format!("P{}", p.id),
            park_name: park.park_name,
            applicant_name: park.operator,
            applicant_uscc: park.uscc,
            county: park.county,
            roster: roster
                .into_iter()
                .map(|r| RosterEnterprise {
                    name: r.name,
                    uscc: r.uscc,
                })
                .collect(),
            previous_panel: previous.into_iter().map(|e| format!("E{e}")).collect(),
        });
    }
    Ok(DrawInput {
        seed: seed.to_string(),
        rules: DrawRules {
            size,
            quotas: Vec::new(),
        },
        pool: pool_snapshot(state, tenant_id).await?,
        applications: scope,
    })
}

/// Draws and records the round's panel; every member gets a sheet for every undecided park.
pub async fn draw_panel(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    round: i64,
    (size, seed): (u32, &str),
) -> Result<i64, DrawFailure> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if rr::of_round(&state.db, tenant_id, round).await?.is_some() {
        return Err(AppError::Conflict("本轮复评已抽取专家组。".into()).into());
    }
    let input = draw_input(state, tenant_id, round, (size, seed)).await?;
    if input.applications.is_empty() {
        return Err(DrawFailure::Rules(
            "本轮复评的园区均已作出结论，无需抽取专家组。".into(),
        ));
    }
    let result = draw::draw(&input).map_err(|e| DrawFailure::Rules(e.to_string()))?;
    let json = |e: serde_json::Error| AppError::Internal(e.into());
    let input_json = serde_json::to_value(&input).map_err(json)?;
    let result_json = serde_json::to_value(&result).map_err(json)?;
    let mut tx = state.db.begin().await?;
    let panel = rr::insert(
        &mut tx,
        tenant_id,
        round,
        (seed, &input_json, &result_json),
        user_id,
    )
    .await?;
    for scope in &input.applications {
        let entry: i64 = scope.key[1..].parse().map_err(|_| AppError::NotFound)?;
        for (seat, key) in result.panel.iter().enumerate() {
            let expert = expert_id(key)?;
            rr::insert_sheet(&mut tx, tenant_id, panel, entry, (expert, seat as i32 + 1)).await?;
        }
    }
    let details =
        json!({ "seed": seed, "size": size, "panel": result.panel, "algorithm": result.algorithm });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "re_review", round, "draw", details),
    )
    .await?;
    let title = monitoring::re_review(&state.db, tenant_id, round)
        .await?
        .map(|r| r.title)
        .unwrap_or_default();
    let members: Vec<i64> = result
        .panel
        .iter()
        .map(|k| expert_id(k))
        .collect::<AppResult<_>>()?;
    let event = Event {
        kind: EventKind::ReReviewPanelDrawn,
        object_kind: "re_review",
        object_id: round,
        links: vec![("expert", "/expert".to_string())],
        facts: Facts {
            subject: title,
            ..Facts::default()
        },
        audience: members.into_iter().map(Audience::Expert).collect(),
        dedupe_key: None,
    };
    crate::service::notify::tell(&mut tx, state, tenant_id, event).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(panel)
}

/// A member's answer, once: a conflict (回避, with its reason) closes the sheet; otherwise the
/// opinion on the park (pass / rectify / delist) with its reasons is submitted and locked.
pub async fn answer(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    sheet: &Sheet,
    (conflict, reason, opinion, summary): (bool, &str, Option<&str>, &str),
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let written = match conflict {
        true => rr::write(&mut tx, tenant_id, sheet.id, ("declared", reason, None, "")).await?,
        false => rr::write(&mut tx, tenant_id, sheet.id, ("none", "", opinion, summary)).await?,
    };
    if !written {
        return Err(AppError::Conflict("该复评意见已提交，不能更改。".into()));
    }
    let action = if conflict {
        SheetAction::DeclareConflict
    } else {
        SheetAction::Submit
    };
    let change = Change {
        action,
        by,
        reason: conflict.then_some(reason),
    };
    let details = json!({ "opinion": opinion, "summary": summary, "conflict": conflict });
    transition::apply_recording::<ReReviewSheets>(
        &mut tx,
        tenant_id,
        sheet.id,
        change,
        &(),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The panel's opinions on one park: (pass, rectify, delist, still open).
pub fn tally(sheets: &[Sheet], entry: i64) -> (usize, usize, usize, usize) {
    let of = |o: &str| {
        sheets
            .iter()
            .filter(|s| {
                s.re_review_park_id == entry
                    && s.state == "submitted"
                    && s.opinion.as_deref() == Some(o)
            })
            .count()
    };
    let open = sheets
        .iter()
        .filter(|s| s.re_review_park_id == entry && s.state == "open")
        .count();
    (of("pass"), of("rectify"), of("delist"), open)
}

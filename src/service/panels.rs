//! Drawing a panel and replacing a member who declines: the pool snapshot, the lottery, the
//! members, their sheets and the audit entry, each in one transaction.
use crate::db::applications::{self, Scope};
use crate::db::events::Event;
use crate::db::transition::{self, By, Change, Sheets};
use crate::db::{audit, experts, panels};
use crate::domain::draw::{
    self, Decline, DrawInput, DrawResult, DrawRules, PoolExpert, RosterEnterprise, ScopeApplication,
};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workflow::{PanelState, SheetAction, SheetState};
use crate::error::{AppError, AppResult};
use crate::service::applications::{load, roster_of};
use crate::service::notify;
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;

/// Why a draw could not be made: the lottery's own reason (shown next to the form) or an error.
pub enum DrawFailure {
    Rules(String),
    App(AppError),
}

impl From<AppError> for DrawFailure {
    fn from(e: AppError) -> Self {
        DrawFailure::App(e)
    }
}

impl From<sqlx::Error> for DrawFailure {
    fn from(e: sqlx::Error) -> Self {
        DrawFailure::App(e.into())
    }
}

pub struct PanelRequest<'a> {
    pub call_id: i64,
    pub name: &'a str,
    pub seed: &'a str,
    pub rules: DrawRules,
    pub application_ids: &'a [i64],
    /// The experts' deadline; None: ten working days from today.
    pub sheets_due: Option<NaiveDate>,
}

/// Working days a drawn expert has to accept or decline, and to score when no deadline is set.
const REPLY_WORKING_DAYS: u32 = 2;
const SCORING_WORKING_DAYS: u32 = 10;

/// The panel's deadlines: (reply by, sheets due), counted in working days from tomorrow.
async fn deadlines(state: &AppState, sheets_due: Option<NaiveDate>) -> (NaiveDate, NaiveDate) {
    let today = state.clock.today();
    let tomorrow = today + chrono::Days::new(1);
    let cal = crate::db::calendar::load(&state.db).await.ok();
    let after = |n: u32| {
        cal.as_ref()
            .and_then(|c| c.nth_working_day(tomorrow, n).ok())
            .unwrap_or(today + chrono::Days::new(u64::from(n) * 7 / 5 + 1))
    };
    let due = sheets_due.unwrap_or_else(|| after(SCORING_WORKING_DAYS));
    (after(REPLY_WORKING_DAYS).min(due), due)
}

/// The lottery's input: the pool as it stands now and, for each application, what recusal looks
/// at (applicant, roster of the latest version, county, the previous round's panel).
pub async fn draw_input(
    state: &AppState,
    tenant_id: i64,
    req: &PanelRequest<'_>,
) -> AppResult<DrawInput> {
    let pool = pool_snapshot(state, tenant_id).await?;
    let mut scope = Vec::new();
    for &id in req.application_ids {
        let loaded = load(state, tenant_id, Scope::Bureau, id).await?;
        let versions = applications::versions(&state.db, tenant_id, id).await?;
        let roster = versions
            .last()
            .map(|v| roster_of(&v.roster.0))
            .unwrap_or_default();
        let previous = panels::previous_round_experts(&state.db, tenant_id, id).await?;
        scope.push(ScopeApplication {
            key: format!("A{id}"),
            park_name: loaded.app.park_name.clone(),
            applicant_name: loaded.app.organization_name.clone(),
            applicant_uscc: loaded.app.organization_uscc.clone(),
            county: loaded.app.jurisdiction_name.clone(),
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
        seed: req.seed.to_string(),
        rules: req.rules.clone(),
        pool,
        applications: scope,
    })
}

/// The tenant's pool as a lottery sees it now (a call's or a re-review round's).
pub async fn pool_snapshot(state: &AppState, tenant_id: i64) -> AppResult<Vec<PoolExpert>> {
    Ok(experts::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .map(|e| PoolExpert {
            key: e.key(),
            name: e.name,
            employer: e.employer,
            employer_uscc: e.employer_uscc,
            specialties: e.specialties,
            home_jurisdiction: e.home_jurisdiction,
            active: e.active,
        })
        .collect())
}

/// The expert id in a lottery key ("E12").
pub fn expert_id(key: &str) -> AppResult<i64> {
    key.strip_prefix('E')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad expert key {key}")))
}

/// Draws and records a panel; every member is assigned every application of its scope.
pub async fn draw_panel(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    req: &PanelRequest<'_>,
) -> Result<i64, DrawFailure> {
    let input = draw_input(state, tenant_id, req).await?;
    let result = draw::draw(&input).map_err(|e| DrawFailure::Rules(e.to_string()))?;
    let created_by = by.user_id.ok_or(AppError::Forbidden)?;
    let (reply_by, sheets_due) = deadlines(state, req.sheets_due).await;
    let mut tx = state.db.begin().await?;
    let panel_id = panels::insert(
        &mut tx,
        tenant_id,
        &panels::NewPanel {
            call_id: req.call_id,
            name: req.name,
            seed: req.seed,
            draw_input: &json_of(&input)?,
            draw_result: &json_of(&result)?,
            created_by,
            reply_by,
            sheets_due,
        },
    )
    .await?;
    for &app in req.application_ids {
        panels::add_application(&mut tx, tenant_id, panel_id, app).await?;
    }
    for (seat, key) in result.panel.iter().enumerate() {
        let expert = expert_id(key)?;
        panels::add_member(&mut tx, tenant_id, panel_id, expert, seat as i32 + 1).await?;
        for &app in req.application_ids {
            panels::insert_assignment(&mut tx, tenant_id, panel_id, expert, app).await?;
        }
    }
    let details = json!({
        "call_id": req.call_id, "seed": req.seed, "rules": req.rules,
        "applications": req.application_ids, "panel": result.panel,
        "algorithm": result.algorithm,
    });
    let entry = by.entry(tenant_id, "panel", panel_id, "draw", details);
    audit::record(&mut tx, entry).await?;
    let members: Vec<i64> = result
        .panel
        .iter()
        .map(|k| expert_id(k))
        .collect::<AppResult<_>>()?;
    let panel = panels::get_in(&mut tx, tenant_id, panel_id).await?;
    invite(&mut tx, state, tenant_id, &panel, &members).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(panel_id)
}

/// Each drawn expert (and a replacement) is invited: to reply by the panel's reply date and
/// score by its deadline.
async fn invite(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    tenant_id: i64,
    panel: &panels::Panel,
    experts: &[i64],
) -> AppResult<()> {
    let detail = match panel.sheets_due {
        Some(d) => format!("评审表须于{}前提交。", crate::domain::time::date_label(d)),
        None => String::new(),
    };
    let event = Event {
        kind: EventKind::PanelDrawn,
        object_kind: "panel",
        object_id: panel.id,
        links: vec![("expert", "/expert".to_string())],
        facts: Facts {
            subject: format!("{}（{}）", panel.name, panel.call_title),
            detail,
            due: panel.reply_by.or(panel.sheets_due),
            ..Facts::default()
        },
        audience: experts.iter().copied().map(Audience::Expert).collect(),
        dedupe_key: None,
    };
    notify::tell(tx, state, tenant_id, event).await?;
    Ok(())
}

fn json_of<T: serde::Serialize>(value: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

/// The expert accepts a panel's invitation: recorded once, and audited.
pub async fn accept_invitation(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    panel_id: i64,
    expert: i64,
) -> AppResult<()> {
    let panel = panels::get(&state.db, tenant_id, panel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if panel.state != PanelState::Open {
        return Err(AppError::Conflict("评审组已结束。".into()));
    }
    let mut tx = state.db.begin().await?;
    if !panels::accept(&mut tx, tenant_id, panel_id, expert).await? {
        return Err(AppError::Conflict("您已回复过该评审邀请。".into()));
    }
    let details = json!({ "expert": expert });
    let entry = by.entry(tenant_id, "panel", panel_id, "accept_invitation", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that a member declined and seats the replacement the same lottery gives, with the
/// replacement assigned the panel's applications.
pub async fn decline(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    panel_id: i64,
    expert: i64,
    reason: &str,
) -> Result<i64, DrawFailure> {
    let panel = panels::get(&state.db, tenant_id, panel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if panel.state != PanelState::Open {
        return Err(DrawFailure::App(AppError::Conflict(
            "评审组已结束，不能替补。".into(),
        )));
    }
    let input: DrawInput = serde_json::from_value(panel.draw_input.0.clone())
        .map_err(|e| AppError::Internal(e.into()))?;
    let previous: DrawResult = serde_json::from_value(panel.draw_result.0.clone())
        .map_err(|e| AppError::Internal(e.into()))?;
    let sheets = panels::of_panel(&state.db, tenant_id, panel_id).await?;
    if sheets
        .iter()
        .any(|s| s.expert_id == expert && s.state == SheetState::Submitted && s.conflict == "none")
    {
        return Err(DrawFailure::Rules(
            "该专家已提交评分，不能再登记谢绝。".into(),
        ));
    }
    let mut declines: Vec<Decline> = previous
        .replacements
        .iter()
        .map(|r| Decline {
            expert: r.declined.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    declines.push(Decline {
        expert: format!("E{expert}"),
        reason: reason.to_string(),
    });
    let result = draw::replace(&input, &declines).map_err(|e| DrawFailure::Rules(e.to_string()))?;
    let replacement = result
        .replacements
        .last()
        .map(|r| expert_id(&r.replacement))
        .transpose()?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no replacement")))?;
    let seat = panels::members(&state.db, tenant_id, panel_id)
        .await?
        .iter()
        .map(|m| m.seat)
        .max()
        .unwrap_or(0)
        + 1;
    let applications = panels::application_ids(&state.db, tenant_id, panel_id).await?;
    let mut tx = state.db.begin().await?;
    if !panels::decline(&mut tx, tenant_id, panel_id, expert, reason).await? {
        return Err(DrawFailure::App(AppError::NotFound));
    }
    for sheet in panels::open_sheets_of_member(&mut tx, tenant_id, panel_id, expert).await? {
        let change = Change {
            action: SheetAction::Withdraw,
            by,
            reason: Some(reason),
        };
        transition::apply_recording::<Sheets>(&mut tx, tenant_id, sheet, change, &(), json!({}))
            .await?;
    }
    panels::add_member(&mut tx, tenant_id, panel_id, replacement, seat).await?;
    for &app in &applications {
        panels::insert_assignment(&mut tx, tenant_id, panel_id, replacement, app).await?;
    }
    panels::set_result(&mut tx, tenant_id, panel_id, &json_of(&result)?).await?;
    let details = json!({ "replacement": replacement, "panel": result.panel });
    let mut entry = by.entry(tenant_id, "panel", panel_id, "replace_member", details);
    entry.before = Some(json!({ "declined": expert, "reason": reason }));
    audit::record(&mut tx, entry).await?;
    let panel = panels::get_in(&mut tx, tenant_id, panel_id).await?;
    invite(&mut tx, state, tenant_id, &panel, &[replacement]).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(replacement)
}

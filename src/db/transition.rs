//! The one way any workflow object changes state: in one transaction, lock the row (scoped by
//! tenant), ask the domain state machine whether this actor may take this action from the
//! current state, write the new state and an audit entry with the reason. Callers never UPDATE a
//! `state` column themselves.
use crate::db::audit;
use crate::domain::workflow::{
    self, Actor, ApplicationAction, ApplicationState, CallAction, CallState, Named, NoticeAction,
    NoticeState, ObjectionAction, ObjectionState, PanelAction, PanelState, SheetAction, SheetState,
    TransitionError, WorkflowRules,
};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::str::FromStr;

/// Who is acting, for the audit trail.
#[derive(Debug, Clone)]
pub struct By {
    pub actor: Actor,
    pub user_id: Option<i64>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

impl By {
    /// An audit entry of this actor's act on object `id` of `kind` (not a state change: those
    /// are recorded by the transition itself), with what changed in `after`.
    pub fn entry<'a>(
        &self,
        tenant_id: i64,
        kind: &'a str,
        id: i64,
        action: &'a str,
        after: serde_json::Value,
    ) -> audit::Entry<'a> {
        audit::Entry {
            tenant_id: Some(tenant_id),
            actor_user_id: self.user_id,
            object_kind: kind,
            object_id: id.to_string(),
            action,
            before: None,
            after: Some(after),
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
        }
    }

    pub fn system() -> By {
        By {
            actor: Actor::System,
            user_id: None,
            request_id: None,
            ip: None,
        }
    }
}

/// A workflow object kind: its table, its state machine and the side effects of entering a state.
pub trait Machine {
    const TABLE: &'static str;
    const KIND: &'static str;
    type State: FromStr + Named;
    type Action: Named;
    /// What the machine needs besides the state (a tenant's rule set changes some transitions).
    type Ctx;
    fn next(
        from: Self::State,
        action: Self::Action,
        actor: Actor,
        ctx: &Self::Ctx,
    ) -> Result<Self::State, TransitionError>;
    /// Extra assignments made with the state change (e.g. `published_at = now()`).
    fn also_set(_action: Self::Action) -> &'static str {
        ""
    }
}

pub struct Calls;

impl Machine for Calls {
    const TABLE: &'static str = "calls";
    const KIND: &'static str = "call";
    type State = CallState;
    type Action = CallAction;
    type Ctx = ();
    fn next(
        from: CallState,
        action: CallAction,
        actor: Actor,
        _: &(),
    ) -> Result<CallState, TransitionError> {
        workflow::next_call_state(from, action, actor)
    }
    fn also_set(action: CallAction) -> &'static str {
        match action {
            CallAction::Publish => ", published_at = now()",
            _ => "",
        }
    }
}

pub struct Applications;

impl Machine for Applications {
    const TABLE: &'static str = "applications";
    const KIND: &'static str = "application";
    type State = ApplicationState;
    type Action = ApplicationAction;
    type Ctx = WorkflowRules;
    fn next(
        from: ApplicationState,
        action: ApplicationAction,
        actor: Actor,
        rules: &WorkflowRules,
    ) -> Result<ApplicationState, TransitionError> {
        workflow::next_application_state(from, action, actor, rules)
    }
}

pub struct Objections;

impl Machine for Objections {
    const TABLE: &'static str = "objections";
    const KIND: &'static str = "objection";
    type State = ObjectionState;
    type Action = ObjectionAction;
    type Ctx = ();
    fn next(
        from: ObjectionState,
        action: ObjectionAction,
        actor: Actor,
        _: &(),
    ) -> Result<ObjectionState, TransitionError> {
        workflow::next_objection_state(from, action, actor)
    }
}

pub struct Panels;

impl Machine for Panels {
    const TABLE: &'static str = "panels";
    const KIND: &'static str = "panel";
    type State = PanelState;
    type Action = PanelAction;
    type Ctx = ();
    fn next(
        from: PanelState,
        action: PanelAction,
        actor: Actor,
        _: &(),
    ) -> Result<PanelState, TransitionError> {
        workflow::next_panel_state(from, action, actor)
    }
    fn also_set(_: PanelAction) -> &'static str {
        ", closed_at = now()"
    }
}

/// A pool expert's opinion on a park of a re-review round: the sheet machine on its own table.
pub struct ReReviewSheets;

impl Machine for ReReviewSheets {
    const TABLE: &'static str = "re_review_sheets";
    const KIND: &'static str = "re_review_sheet";
    type State = SheetState;
    type Action = SheetAction;
    type Ctx = ();
    fn next(
        from: SheetState,
        action: SheetAction,
        actor: Actor,
        _: &(),
    ) -> Result<SheetState, TransitionError> {
        workflow::next_sheet_state(from, action, actor)
    }
    fn also_set(action: SheetAction) -> &'static str {
        match action {
            SheetAction::Submit | SheetAction::DeclareConflict => ", submitted_at = now()",
            _ => "",
        }
    }
}

/// A third-party institution's review of an application.
pub struct InstitutionReviews;

impl Machine for InstitutionReviews {
    const TABLE: &'static str = "institution_reviews";
    const KIND: &'static str = "institution_review";
    type State = workflow::InstitutionReviewState;
    type Action = workflow::InstitutionReviewAction;
    type Ctx = ();
    fn next(
        from: workflow::InstitutionReviewState,
        action: workflow::InstitutionReviewAction,
        actor: Actor,
        _: &(),
    ) -> Result<workflow::InstitutionReviewState, TransitionError> {
        workflow::next_institution_review_state(from, action, actor)
    }
    fn also_set(_: workflow::InstitutionReviewAction) -> &'static str {
        ", submitted_at = now()"
    }
}

/// A rule-set draft in the bureau's editor.
pub struct RuleDrafts;

impl Machine for RuleDrafts {
    const TABLE: &'static str = "rule_set_drafts";
    const KIND: &'static str = "rule_set_draft";
    type State = workflow::RuleDraftState;
    type Action = workflow::RuleDraftAction;
    type Ctx = ();
    fn next(
        from: workflow::RuleDraftState,
        action: workflow::RuleDraftAction,
        actor: Actor,
        _: &(),
    ) -> Result<workflow::RuleDraftState, TransitionError> {
        workflow::next_rule_draft_state(from, action, actor)
    }
}

/// An on-site inspection (现场考核).
pub struct Inspections;

impl Machine for Inspections {
    const TABLE: &'static str = "inspections";
    const KIND: &'static str = "inspection";
    type State = workflow::InspectionState;
    type Action = workflow::InspectionAction;
    type Ctx = ();
    fn next(
        from: workflow::InspectionState,
        action: workflow::InspectionAction,
        actor: Actor,
        _: &(),
    ) -> Result<workflow::InspectionState, TransitionError> {
        workflow::next_inspection_state(from, action, actor)
    }
}

/// An expert's sheet (the `assignments` table).
pub struct Sheets;

impl Machine for Sheets {
    const TABLE: &'static str = "assignments";
    const KIND: &'static str = "assignment";
    type State = SheetState;
    type Action = SheetAction;
    type Ctx = ();
    fn next(
        from: SheetState,
        action: SheetAction,
        actor: Actor,
        _: &(),
    ) -> Result<SheetState, TransitionError> {
        workflow::next_sheet_state(from, action, actor)
    }
    /// A submitted sheet is stamped (its content was saved, and its version moved, just
    /// before); a reopened one loses its submission time and its outlier explanation, and its
    /// version moves so an editor open from before cannot save over it.
    fn also_set(action: SheetAction) -> &'static str {
        match action {
            SheetAction::Submit | SheetAction::SubmitOnPaper | SheetAction::DeclareConflict => {
                ", submitted_at = now()"
            }
            SheetAction::Reopen => {
                ", submitted_at = NULL, outlier_reason = '', lock_version = lock_version + 1,
                 paper_entries = NULL, paper_scan_document_id = NULL"
            }
            SheetAction::Withdraw => "",
        }
    }
}

pub struct Notices;

impl Machine for Notices {
    const TABLE: &'static str = "publicity_notices";
    const KIND: &'static str = "publicity";
    type State = NoticeState;
    type Action = NoticeAction;
    type Ctx = ();
    fn next(
        from: NoticeState,
        action: NoticeAction,
        actor: Actor,
        _: &(),
    ) -> Result<NoticeState, TransitionError> {
        workflow::next_notice_state(from, action, actor)
    }
}

pub fn refused(e: TransitionError) -> AppError {
    use crate::domain::workflow::Refusal;
    match e.refusal() {
        Refusal::NotAllowed => AppError::Forbidden,
        Refusal::Incomplete => AppError::BadRequest(e.to_string()),
        Refusal::Conflict => AppError::Conflict(e.to_string()),
    }
}

/// Applies `action` to object `id` of `tenant_id` in its own transaction; returns the new state.
pub async fn apply<M: Machine>(
    pool: &PgPool,
    tenant_id: i64,
    id: i64,
    action: M::Action,
    by: &By,
    reason: Option<&str>,
) -> AppResult<M::State>
where
    M::Ctx: Default,
{
    let mut tx = pool.begin().await?;
    let to = apply_in::<M>(
        &mut tx,
        tenant_id,
        id,
        action,
        by,
        reason,
        &M::Ctx::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// Applies `action` inside the caller's transaction, so that what goes with the change (a
/// frozen version, an opinion) commits or rolls back with it.
pub async fn apply_in<M: Machine>(
    tx: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    action: M::Action,
    by: &By,
    reason: Option<&str>,
    ctx: &M::Ctx,
) -> AppResult<M::State> {
    let change = Change { action, by, reason };
    apply_recording::<M>(tx, tenant_id, id, change, ctx, serde_json::Value::Null).await
}

/// What a transition is: the action, who takes it and why.
pub struct Change<'a, A> {
    pub action: A,
    pub by: &'a By,
    pub reason: Option<&'a str>,
}

/// [`apply_in`], with what went with the change (a report's number, its files) recorded in the
/// same audit entry.
pub async fn apply_recording<M: Machine>(
    tx: &mut PgConnection,
    tenant_id: i64,
    id: i64,
    Change { action, by, reason }: Change<'_, M::Action>,
    ctx: &M::Ctx,
    details: serde_json::Value,
) -> AppResult<M::State> {
    let current = lock_state::<M>(tx, tenant_id, id).await?;
    let from = M::State::from_str(&current).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "{} {id} has unknown state {current}",
            M::KIND
        ))
    })?;
    let to = M::next(from, action, by.actor, ctx).map_err(refused)?;
    sqlx::query(&format!(
        "UPDATE {} SET state = $3, updated_at = now(){} WHERE tenant_id = $1 AND id = $2",
        M::TABLE,
        M::also_set(action)
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(to.name())
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        audit::Entry {
            tenant_id: Some(tenant_id),
            actor_user_id: by.user_id,
            object_kind: M::KIND,
            object_id: id.to_string(),
            action: action.name(),
            before: Some(json!({ "state": current })),
            after: Some({
                let mut after = json!({
                    "state": to.name(), "actor": by.actor.as_str(), "reason": reason
                });
                if let (Some(after), serde_json::Value::Object(more)) =
                    (after.as_object_mut(), details)
                {
                    after.extend(more);
                }
                after
            }),
            request_id: by.request_id.clone(),
            ip: by.ip.clone(),
        },
    )
    .await?;
    Ok(to)
}

/// Locks the object's row for the rest of the transaction and reads its state; another tenant's
/// id is simply not found.
pub async fn lock_state<M: Machine>(
    tx: &mut PgConnection,
    tenant_id: i64,
    id: i64,
) -> AppResult<String> {
    sqlx::query_scalar(&format!(
        "SELECT state FROM {} WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        M::TABLE
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Closes every open call whose deadline has passed (the system actor). The scheduler runs it
/// under its advisory lock (`jobs`), so with several app instances one does it.
pub async fn close_expired_calls(pool: &PgPool, now: DateTime<Utc>) -> AppResult<usize> {
    let due: Vec<(i64, i64)> =
        sqlx::query_as("SELECT tenant_id, id FROM calls WHERE state = 'open' AND deadline <= $1")
            .bind(now)
            .fetch_all(pool)
            .await?;
    let mut closed = 0;
    for (tenant_id, id) in due {
        match apply::<Calls>(
            pool,
            tenant_id,
            id,
            CallAction::Close,
            &By::system(),
            Some("申报截止时间已到"),
        )
        .await
        {
            Ok(_) => closed += 1,
            Err(e) => tracing::warn!(call = id, error = %e, "closing a call at its deadline"),
        }
    }
    Ok(closed)
}

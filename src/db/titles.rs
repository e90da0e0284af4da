//! Titles: where each award's title stands after the award, and the parks that hold one.
//!
//! A title moves by the after-award edges of the application machine (DOMAIN.md §3). For a
//! procedure award the application moves with it in the same transaction, so the application's
//! page and the register never disagree; a provincial-list award has only its title.
use crate::db::transition::{self, Applications, By, Machine};
use crate::domain::workflow::{
    self, Actor, ApplicationAction, ApplicationState, TransitionError, WorkflowRules,
};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

pub struct Titles;

impl Machine for Titles {
    const TABLE: &'static str = "titles";
    const KIND: &'static str = "title";
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

/// Moves the title of `award_id` (and its application, if any) in the caller's transaction.
pub async fn transition(
    tx: &mut PgConnection,
    tenant_id: i64,
    award_id: i64,
    action: ApplicationAction,
    by: &By,
    reason: Option<&str>,
    rules: &WorkflowRules,
) -> AppResult<ApplicationState> {
    let (title_id, application_id): (i64, Option<i64>) = sqlx::query_as(
        "SELECT t.id, w.application_id FROM titles t
         JOIN awards w ON w.tenant_id = t.tenant_id AND w.id = t.award_id
         WHERE t.tenant_id = $1 AND t.award_id = $2",
    )
    .bind(tenant_id)
    .bind(award_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let to =
        transition::apply_in::<Titles>(tx, tenant_id, title_id, action, by, reason, rules).await?;
    if let Some(app) = application_id {
        transition::apply_in::<Applications>(tx, tenant_id, app, action, by, reason, rules).await?;
    }
    Ok(to)
}

/// Whose parks a user may see: the bureau all, a county its jurisdiction's, an operator its own.
#[derive(Debug, Clone, Copy)]
pub enum ParkScope {
    Bureau,
    Jurisdiction(i64),
    Organization(i64),
}

/// An awarded park and where its title stands.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Park {
    pub award_id: i64,
    pub number: String,
    pub park_name: String,
    pub organization_id: i64,
    pub operator: String,
    pub uscc: String,
    pub jurisdiction_id: Option<i64>,
    pub county: Option<String>,
    pub tier: Option<String>,
    pub awarded_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub state: String,
    pub application_id: Option<i64>,
    pub rule_set_version_id: i64,
    pub basis: String,
}

impl Park {
    pub fn state_label(&self) -> &'static str {
        self.state
            .parse::<ApplicationState>()
            .map(|s| match s {
                ApplicationState::Awarded => "有效",
                other => other.label(),
            })
            .unwrap_or("—")
    }

    pub fn holds_title(&self) -> bool {
        self.state
            .parse::<ApplicationState>()
            .is_ok_and(|s| s.holds_title())
    }

    pub fn county_name(&self) -> &str {
        self.county.as_deref().unwrap_or("—")
    }
}

const SELECT: &str = "SELECT w.id AS award_id, w.number, w.park_name,
        o.id AS organization_id, o.name AS operator, o.uscc,
        j.id AS jurisdiction_id, j.name AS county, w.tier, w.awarded_on, w.valid_until, t.state,
        w.application_id, w.rule_set_version_id, w.basis
     FROM awards w
     JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
     LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
     JOIN organizations o ON o.tenant_id = w.tenant_id
          AND o.id = coalesce(w.organization_id, a.organization_id)
     LEFT JOIN jurisdictions j ON j.tenant_id = w.tenant_id
          AND j.id = coalesce(w.jurisdiction_id, a.jurisdiction_id)
     WHERE w.tenant_id = $1
       AND ($2::bigint IS NULL OR j.id = $2) AND ($3::bigint IS NULL OR o.id = $3)";

fn scope_binds(scope: ParkScope) -> (Option<i64>, Option<i64>) {
    match scope {
        ParkScope::Bureau => (None, None),
        ParkScope::Jurisdiction(j) => (Some(j), None),
        ParkScope::Organization(o) => (None, Some(o)),
    }
}

/// Every awarded park the scope may see, newest award first.
pub async fn list(pool: &PgPool, tenant_id: i64, scope: ParkScope) -> sqlx::Result<Vec<Park>> {
    let (j, o) = scope_binds(scope);
    sqlx::query_as(&format!("{SELECT} ORDER BY w.awarded_on DESC, w.id DESC"))
        .bind(tenant_id)
        .bind(j)
        .bind(o)
        .fetch_all(pool)
        .await
}

/// One awarded park, if the scope may see it.
pub async fn get(
    pool: &PgPool,
    tenant_id: i64,
    scope: ParkScope,
    award_id: i64,
) -> sqlx::Result<Option<Park>> {
    let (j, o) = scope_binds(scope);
    sqlx::query_as(&format!("{SELECT} AND w.id = $4"))
        .bind(tenant_id)
        .bind(j)
        .bind(o)
        .bind(award_id)
        .fetch_optional(pool)
        .await
}

/// Records a title's latest change in words, for the register.
pub async fn note(
    conn: &mut sqlx::PgConnection,
    tenant_id: i64,
    award_id: i64,
    note: &str,
    on: chrono::NaiveDate,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE titles SET note = $3, changed_on = $4 WHERE tenant_id = $1 AND award_id = $2",
    )
    .bind(tenant_id)
    .bind(award_id)
    .bind(note)
    .bind(on)
    .execute(conn)
    .await?;
    Ok(())
}

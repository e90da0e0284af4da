//! An application as every use-case needs it: loaded with its call and the call's frozen rule
//! set (scoped: an application the scope may not see is not found), and the engine's input
//! from its form and roster.
use crate::db::applications::{self, Application, FormValues, Scope};
use crate::db::calls::{self, Call};
use crate::db::rulesets;
use crate::domain::application_form::{self, FormSpec};
use crate::domain::evaluate::{self, Evaluation};
use crate::domain::roster::RosterRow;
use crate::domain::ruleset::RuleSet;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate, Utc};

/// An application with what every page about it needs.
pub struct Loaded {
    pub tenant_id: i64,
    pub app: Application,
    pub call: Call,
    /// Shared: a list of a call's applications (the ranked results) holds one rule set and one
    /// form for all of them.
    pub rules: std::sync::Arc<RuleSet>,
    pub spec: std::sync::Arc<FormSpec>,
    pub reference_year: i32,
    /// The server's day (Asia/Shanghai) when it was loaded.
    pub today: NaiveDate,
}

/// Loads an application the scope may see (else 404), its call and the call's rule set.
pub async fn load(state: &AppState, tenant_id: i64, scope: Scope, id: i64) -> AppResult<Loaded> {
    let app = applications::get(&state.db, tenant_id, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = calls::get(&state.db, tenant_id, app.call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, rules) = rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Loaded::new(
        tenant_id,
        app,
        call,
        rules,
        state.clock.today(),
    ))
}

impl Loaded {
    /// An application with its call and the call's rule set, already fetched (a page listing a
    /// call's applications fetches the call and its rules once).
    pub fn new(
        tenant_id: i64,
        app: Application,
        call: Call,
        rules: RuleSet,
        today: NaiveDate,
    ) -> Loaded {
        let reference_year = reference_year(&call);
        let spec = application_form::form_for(&rules, reference_year);
        Loaded {
            tenant_id,
            app,
            call,
            rules: std::sync::Arc::new(rules),
            spec: std::sync::Arc::new(spec),
            reference_year,
            today,
        }
    }
}

/// The reference year of a call's applications: the year before the call's year (a 2026 call
/// asks for 2025's figures, DOMAIN.md §5).
pub fn reference_year(call: &Call) -> i32 {
    call.year - 1
}

/// Only a draft can change; a submitted application waits for its review.
pub fn require_draft(loaded: &Loaded) -> AppResult<()> {
    if loaded.app.state == "draft" {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "申报已提交，不能再修改；如需修改，请等待退回。".into(),
        ))
    }
}

pub fn roster_of(value: &serde_json::Value) -> Vec<RosterRow> {
    // Read from the value in place: a copy of a 40-row roster's JSON costs more than reading it.
    <Vec<RosterRow> as serde::Deserialize>::deserialize(value).unwrap_or_default()
}

/// The engine's evaluation of a form and roster, as the self-check and the reviewers see it.
pub fn evaluate_form(
    loaded: &Loaded,
    form: &FormValues,
    roster: &[RosterRow],
    applied_on: NaiveDate,
) -> Evaluation {
    let input = input_for(loaded, form, roster, applied_on, None);
    evaluate::evaluate(&loaded.rules, &input)
}

/// The engine's input for a form and roster, with the experts' scores once there are any.
pub fn input_for(
    loaded: &Loaded,
    form: &FormValues,
    roster: &[RosterRow],
    applied_on: NaiveDate,
    expert_scores: Option<Vec<evaluate::ExpertScores>>,
) -> evaluate::Input {
    let parsed = application_form::parse(&loaded.spec, form);
    let mut input = application_form::to_input(
        &loaded.rules,
        &parsed,
        applied_on,
        loaded.reference_year,
        Some(loaded.app.organization_name.clone()),
        Uscc::parse(&loaded.app.organization_uscc).ok(),
        roster.iter().map(RosterRow::to_enterprise).collect(),
    );
    input.expert_scores = expert_scores;
    input
}

/// The reference date of a frozen version (its submission day in Shanghai).
pub fn shanghai_day(at: chrono::DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

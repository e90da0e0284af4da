//! An application as every use-case needs it: loaded with its call and the call's frozen rule
//! set (scoped: an application the scope may not see is not found), and the engine's input
//! from its form and roster.
use crate::db::applications::{self, Application, FormValues, FrozenDocument, NewReview, Scope};
use crate::db::calls::{self, Call};
use crate::db::documents;
use crate::db::rulesets;
use crate::db::transition::{self, Applications, By};
use crate::domain::application_form::{self, FormSpec};
use crate::domain::evaluate::{self, Evaluation};
use crate::domain::notification::EventKind;
use crate::domain::roster::RosterRow;
use crate::domain::ruleset::RuleSet;
use crate::domain::uscc::Uscc;
use crate::domain::workflow::{ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate, Utc};
use std::collections::BTreeMap;

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

/// The word the rule set uses for the county level (县（市、区） or 镇街).
pub fn county_term(loaded: &Loaded) -> &str {
    match loaded.rules.texts.county_column.as_str() {
        "" => "县（市、区）",
        own => own,
    }
}

/// Submits the saved draft: the transition to `submitted` and the frozen version (form, roster,
/// documents with their hashes, the engine's evaluation) in one transaction. Returns the
/// version's number.
pub async fn submit(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    token: uuid::Uuid,
) -> AppResult<i32> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let tenant_id = loaded.tenant_id;
    let id = loaded.app.id;
    let jurisdiction_id = loaded
        .app
        .jurisdiction_id
        .ok_or_else(|| AppError::Conflict(format!("请先选择园区所在{}。", county_term(loaded))))?;
    let roster = roster_of(&loaded.app.roster.0);
    let docs = documents::attached_to_application(&state.db, tenant_id, id).await?;
    let evaluation = evaluate_form(loaded, &loaded.app.form.0, &roster, state.clock.today());
    let frozen: Vec<FrozenDocument> = docs
        .iter()
        .map(|d| FrozenDocument {
            id: d.id,
            category: d.category.clone(),
            filename: d.filename.clone(),
            kind: d.kind.clone(),
            size_bytes: d.size_bytes,
            sha256: d.sha256.clone(),
        })
        .collect();
    let number = loaded.app.version_count + 1;
    let mut tx = state.db.begin().await?;
    transition::apply_in::<Applications>(
        &mut tx,
        tenant_id,
        id,
        ApplicationAction::Submit,
        by,
        Some(&format!("提交第{number}版")),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    // The row is locked now: what is frozen must be what was checked, not a save that slipped
    // in between.
    let (lock, roster_lock) = applications::lock_versions(&mut tx, tenant_id, id).await?;
    if (lock, roster_lock) != (loaded.app.lock_version, loaded.app.roster_lock_version) {
        return Err(AppError::Conflict(
            "提交时，此申报刚在其他页面被修改，未提交。请刷新页面核对后再提交。".into(),
        ));
    }
    applications::insert_version(
        &mut tx,
        tenant_id,
        id,
        &applications::NewVersion {
            number,
            park_name: &loaded.app.park_name,
            jurisdiction_id,
            form: &loaded.app.form.0,
            roster: &loaded.app.roster.0,
            documents: &frozen,
            evaluation: &serde_json::to_value(&evaluation)
                .map_err(|e| AppError::Internal(e.into()))?,
            submit_token: token,
            submitted_by: user_id,
        },
    )
    .await?;
    let kind = match number {
        1 => EventKind::ApplicationSubmitted,
        _ => EventKind::ApplicationResubmitted,
    };
    let park = Park::Application(id);
    notify::about_park(&mut tx, state, tenant_id, park, kind, About::default()).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(number)
}

/// A review decision: the opinion recorded against the version it judged, and the transition it
/// makes, in one transaction.
pub struct Decision<'a> {
    pub stage: &'static str,
    /// The review results a decision after review rests on (frozen with it).
    pub results: Option<&'a serde_json::Value>,
    pub action: ApplicationAction,
    /// `recommend`, `not_recommend`, `return`, `accept` or `reject`.
    pub opinion: &'a str,
    pub comments: &'a str,
    pub attestations: &'a BTreeMap<String, bool>,
    /// The county's sealed letter.
    pub letter: Option<&'a crate::io::files::UploadedFile>,
}

pub async fn decide(state: &AppState, loaded: &Loaded, by: &By, d: &Decision<'_>) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if d.action == ApplicationAction::Forward && crate::service::forwarding::batch_only(loaded) {
        return Err(AppError::Conflict(format!(
            "按{}，请先记录初审意见，再与本{}其他申报一并统一报送。",
            loaded.rules.texts.forwarding_basis,
            county_term(loaded)
        )));
    }
    let tenant_id = loaded.tenant_id;
    let id = loaded.app.id;
    let mut tx = state.db.begin().await?;
    let letter_id = match d.letter {
        Some(file) => Some(
            crate::io::files::keep(
                state,
                &mut tx,
                tenant_id,
                documents::Owner::Application(id),
                "recommendation_letter",
                file,
                user_id,
            )
            .await?
            .0,
        ),
        None => None,
    };
    let reason = format!(
        "{}{}{}",
        applications::opinion_label(d.opinion),
        if d.comments.is_empty() { "" } else { "：" },
        d.comments
    );
    transition::apply_in::<Applications>(
        &mut tx,
        tenant_id,
        id,
        d.action,
        by,
        Some(&reason),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    applications::insert_review(
        &mut tx,
        tenant_id,
        id,
        &NewReview {
            version_number: loaded.app.version_count,
            stage: d.stage,
            opinion: d.opinion,
            comments: d.comments,
            attestations: d.attestations,
            letter_document_id: letter_id,
            decided_by: user_id,
            results: d.results,
        },
    )
    .await?;
    if let Some(kind) = decision_event(d.action) {
        // The bureau reads the county's opinion (推荐 / 不推荐) with its comments.
        let detail = match d.action {
            ApplicationAction::Forward => reason.as_str(),
            _ => d.comments,
        };
        let about = About {
            detail,
            ..About::default()
        };
        notify::about_park(
            &mut tx,
            state,
            tenant_id,
            Park::Application(id),
            kind,
            about,
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// What a review decision tells (the operator of a return, an acceptance, a rejection, a
/// shortlisting or a refusal to award; the bureau of a forwarding).
fn decision_event(action: ApplicationAction) -> Option<EventKind> {
    match action {
        ApplicationAction::Return => Some(EventKind::ApplicationReturned),
        ApplicationAction::Forward => Some(EventKind::ApplicationForwarded),
        ApplicationAction::Accept => Some(EventKind::ApplicationAccepted),
        ApplicationAction::Reject => Some(EventKind::ApplicationRejected),
        ApplicationAction::Shortlist => Some(EventKind::Shortlisted),
        ApplicationAction::NotAward => Some(EventKind::NotAwarded),
        _ => None,
    }
}

//! Expert review: the bureau's pool and panels, the experts' conflict declarations and score
//! sheets, and the aggregated results the bureau decides on.
pub mod bureau;
pub mod expert;
pub mod panel_ops;
pub mod pool;
pub mod results;

use crate::db::applications::Version;
use crate::db::panels::Assignment;
use crate::domain::evaluate::{Evaluation, ExpertScores};
use crate::domain::roster::RosterRow;
use crate::domain::scoring;
use crate::web::applications::{Loaded, input_for, shanghai_day};
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

/// The submitted, non-conflicted sheets as the engine's `expert_scores`, keyed by the expert's
/// name so outliers are named.
pub fn expert_scores(loaded: &Loaded, sheets: &[Assignment]) -> Vec<ExpertScores> {
    sheets
        .iter()
        .filter(|s| s.state == "submitted" && s.conflict == "none")
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
    let submitted = sheets
        .iter()
        .filter(|s| s.state == "submitted" && s.conflict == "none");
    let (pass, fail): (Vec<_>, Vec<_>) =
        submitted.partition(|s| s.opinion.as_deref() == Some("pass"));
    (pass.len(), fail.len())
}

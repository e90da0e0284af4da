//! Aggregating expert scores (DOMAIN.md §5.4): integer tenths throughout, floats only out.
use serde_json::Number;

use super::input::{ExpertScores, Input};
use super::output::{Method, Metrics, ScoreSummary};
use crate::domain::fixed::SCALE;
use crate::domain::ruleset::RuleSet;

/// Trimming always keeps at least one expert, whatever a tenant configures.
const MIN_TRIMMABLE: usize = 3;

pub(super) fn aggregate(rules: &RuleSet, input: &Input) -> Option<ScoreSummary> {
    if rules.criteria.is_empty() {
        return None;
    }
    let experts: Vec<(usize, &ExpertScores)> = input
        .expert_scores
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.conflict != Some(true))
        .collect();
    if experts.is_empty() {
        return None;
    }
    let width = rules.criteria.len();
    let matrix = score_matrix(rules, &experts);
    let totals: Vec<u64> = matrix
        .chunks(width)
        .map(|row| row.iter().map(|&s| u64::from(s)).sum())
        .collect();
    let trim = experts.len() >= (rules.aggregation.trim_min_experts as usize).max(MIN_TRIMMABLE);
    let dropped = if trim { trimmed(&totals) } else { None };
    let kept = |i: &usize| dropped.is_none_or(|(hi, lo)| *i != hi && *i != lo);
    let counted = (0..totals.len()).filter(kept).count() as u64;
    let kept_sum: u64 = (0..totals.len()).filter(kept).map(|i| totals[i]).sum();
    let criteria = rules
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            let sum: u64 = (0..totals.len())
                .filter(kept)
                .map(|i| u64::from(matrix[i * width + c]))
                .sum();
            (
                criterion.id.clone(),
                Number::from_f64(tenths_mean(sum, counted)),
            )
        })
        .collect();
    Some(ScoreSummary {
        total: tenths_mean(kept_sum, counted),
        experts_scored: experts.len() as u32,
        experts_counted: counted as u32,
        method: if trim {
            Method::TrimmedMean
        } else {
            Method::Mean
        },
        criteria: Metrics(criteria),
        outliers: outliers(rules, &experts, &totals),
    })
}

/// Row-major experts × criteria, tenths; a missing score is 0 and a score is capped at its max.
fn score_matrix(rules: &RuleSet, experts: &[(usize, &ExpertScores)]) -> Vec<u32> {
    let mut matrix = Vec::with_capacity(experts.len() * rules.criteria.len());
    for (_, expert) in experts {
        for criterion in &rules.criteria {
            let max = (criterion.max.scaled() / (SCALE / 10)).clamp(0, i64::from(u32::MAX)) as u32;
            let given = expert
                .scores
                .as_ref()
                .and_then(|s| s.get(&criterion.id))
                .map_or(0, |s| s.tenths());
            matrix.push(given.min(max));
        }
    }
    matrix
}

/// Indices of the single highest and single lowest total; among equal totals the first
/// listed is dropped, and when all are equal the two dropped are the first two.
fn trimmed(totals: &[u64]) -> Option<(usize, usize)> {
    let hi = first_index_by(totals, None, |a, b| a > b)?;
    let lo = first_index_by(totals, Some(hi), |a, b| a < b)?;
    Some((hi, lo))
}

fn first_index_by(
    totals: &[u64],
    skip: Option<usize>,
    better: fn(u64, u64) -> bool,
) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &t) in totals.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        if best.is_none_or(|b| better(t, totals[b])) {
            best = Some(i);
        }
    }
    best
}

fn tenths_mean(sum_tenths: u64, count: u64) -> f64 {
    if count == 0 {
        return 0.0;
    }
    sum_tenths as f64 / (count as f64 * 10.0)
}

/// `|total − mean| > delta` as `|n·total − sum| > n·delta`, exactly.
fn outliers(rules: &RuleSet, experts: &[(usize, &ExpertScores)], totals: &[u64]) -> Vec<String> {
    let n = totals.len() as i128;
    let sum: i128 = totals.iter().map(|&t| i128::from(t)).sum();
    // Totals are tenths; the delta is fixed-point with SCALE.
    let delta = i128::from(rules.aggregation.outlier_delta.scaled()) * n;
    let per_tenth = i128::from(SCALE / 10);
    experts
        .iter()
        .zip(totals)
        .filter(|(_, t)| ((n * i128::from(**t) - sum) * per_tenth).abs() > delta)
        .map(|((index, e), _)| {
            e.expert
                .clone()
                .unwrap_or_else(|| format!("#{}", index + 1))
        })
        .collect()
}

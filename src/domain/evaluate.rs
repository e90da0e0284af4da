//! The scoring engine: facts + rule set → evaluation (DOMAIN.md §5, §7). Pure and fast.
mod checks;
mod facts;
mod input;
mod output;
mod request;
mod score;
mod warnings;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use checks::required_text;
pub use input::{
    Area, CbecType, Declared, Enterprise, Events, ExpertScores, Facilities, Input, Integer,
    Operator, Park, RosterCode, Score, TradeYear,
};
pub use output::{
    CheckResult, Evaluation, Method, Metrics, ScoreSummary, Status, Verdict, Warning,
};
pub use request::{InputError, evaluate_request, parse_input, validate};

use chrono::Datelike;

use crate::domain::ruleset::RuleSet;
use facts::Context;

/// Evaluates facts against a rule set. Never panics; input that `validate` would reject
/// still yields a result (missing scores count as 0, scores above the maximum are capped).
pub fn evaluate(rules: &RuleSet, input: &Input) -> Evaluation {
    let ctx = Context::new(rules, input);
    let vetoes = applicable_vetoes(rules, input);
    let provincial = provincial_tier(rules, input);
    let (checks, tier, eligible) = match provincial {
        Some(result) => result,
        None => checks::run_all(&ctx),
    };
    let vetoed = !vetoes.is_empty();
    let verdict = verdict(rules, vetoed, eligible, &checks);
    Evaluation {
        rules: input.rules.clone(),
        eligible,
        vetoed,
        vetoes,
        tier,
        checks,
        metrics: facts::metrics(&ctx),
        warnings: warnings::collect(&ctx),
        score: score::aggregate(rules, input),
        verdict,
    }
}

/// The reference year: the call's, else the last complete calendar year before applying.
pub fn reference_year(input: &Input) -> i32 {
    input.reference_year.unwrap_or(input.applied_on.year() - 1)
}

fn applicable_vetoes(rules: &RuleSet, input: &Input) -> Vec<String> {
    let Some(found) = &input.vetoes else {
        return Vec::new();
    };
    rules
        .vetoes
        .iter()
        .filter(|v| found.get(&v.key).copied().flatten() == Some(true))
        .map(|v| v.id.clone())
        .collect()
}

/// Zhongshan 第九条: a park on the provincial list is awarded its tier without other checks.
fn provincial_tier(
    rules: &RuleSet,
    input: &Input,
) -> Option<(Vec<CheckResult>, Option<String>, bool)> {
    let rule = rules.provincial.as_ref()?;
    let listed = input.park.as_ref().and_then(|p| p.provincial_listed);
    if listed != Some(true) {
        return None;
    }
    let check = CheckResult {
        id: rule.id.clone(),
        article: rule.article.clone(),
        status: Status::Pass,
        required: "列入省级跨境电商产业园区名单".into(),
        actual: Some("已列入".into()),
    };
    Some((vec![check], Some(rule.tier.clone()), true))
}

fn verdict(rules: &RuleSet, vetoed: bool, eligible: bool, checks: &[CheckResult]) -> Verdict {
    if vetoed {
        return Verdict::Vetoed;
    }
    if !eligible {
        return Verdict::NotEligible;
    }
    // Only basic checks (no tier) hold the verdict: a tier's manual check cannot block it.
    // `checks` follows `rules.checks` (the provincial shortcut has no manual check).
    let open = checks
        .iter()
        .zip(&rules.checks)
        .any(|(c, d)| c.status == Status::Manual && d.tier.is_none());
    if open {
        Verdict::NeedsAttestation
    } else {
        Verdict::Recommend
    }
}

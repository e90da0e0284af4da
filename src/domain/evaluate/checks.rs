//! Running a rule set's checks: status, required and actual display strings, tier.
use std::fmt::Write;

use chrono::{Months, NaiveDate};

use super::facts::{Context, Quantity};
use super::output::{CheckResult, Status};
use crate::domain::fixed::{SCALE, write_scaled};
use crate::domain::ruleset::{Check, Fact, Op, Rule};

/// Every check in the rule set's order, the tier reached, and eligibility.
pub(super) fn run_all(ctx: &Context) -> (Vec<CheckResult>, Option<String>, bool) {
    let results: Vec<CheckResult> = ctx.rules.checks.iter().map(|c| run(ctx, c)).collect();
    let tier_passes = |tier: &str| {
        ctx.rules
            .checks
            .iter()
            .zip(&results)
            .filter(|(c, _)| c.tier.as_deref() == Some(tier))
            .all(|(_, r)| r.status != Status::Fail && r.status != Status::Manual)
    };
    let tier = ctx
        .rules
        .tiers
        .iter()
        .find(|t| tier_passes(&t.id))
        .map(|t| t.id.clone());
    let basic_ok = ctx
        .rules
        .checks
        .iter()
        .zip(&results)
        .all(|(c, r)| c.tier.is_some() || r.status != Status::Fail);
    let eligible = basic_ok && tier_ok(ctx, tier.as_deref());
    (results, tier, eligible)
}

/// Without tiers, any passing set is enough; with tiers, the tier applied for or a higher one.
fn tier_ok(ctx: &Context, reached: Option<&str>) -> bool {
    if ctx.rules.tiers.is_empty() {
        return true;
    }
    let Some(reached) = reached.and_then(|t| ctx.rules.tier_rank(t)) else {
        return false;
    };
    match ctx.input.tier.as_deref() {
        None => true,
        // An unknown tier (unvalidated input) ranks below every known one.
        Some(applied) => reached <= ctx.rules.tier_rank(applied).unwrap_or(usize::MAX),
    }
}

fn run(ctx: &Context, check: &Check) -> CheckResult {
    let not_applicable =
        not_yet_due(ctx, check) || (check.na_when_absent && is_absent(ctx, &check.rule));
    let (status, actual) = if not_applicable {
        (Status::Na, None)
    } else {
        judge(ctx, check, &check.rule)
    };
    CheckResult {
        id: check.id.clone(),
        article: check.article.clone(),
        status,
        required: required_for(ctx, &check.rule),
        actual,
    }
}

/// `na_before_years`: the park is younger than that. Unknown start date: the check applies.
fn not_yet_due(ctx: &Context, check: &Check) -> bool {
    match (check.na_before_years, ctx.park.operating_since) {
        (Some(years), Some(since)) => !operated(since, years, ctx.input.applied_on),
        _ => false,
    }
}

fn operated(since: NaiveDate, years: u32, on: NaiveDate) -> bool {
    since
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .is_some_and(|d| d <= on)
}

fn is_absent(ctx: &Context, rule: &Rule) -> bool {
    match rule {
        Rule::AtLeast { fact, years, .. } => ctx
            .quantity(*fact, years.unwrap_or(1))
            .is_none_or(Quantity::is_zero),
        Rule::Ratio { fact, .. } => ctx.quantity(*fact, 1).is_none_or(Quantity::is_zero),
        Rule::Flag { fact } => ctx.flag(*fact) != Some(true),
        _ => false,
    }
}

fn judge(ctx: &Context, check: &Check, rule: &Rule) -> (Status, Option<String>) {
    match rule {
        Rule::Manual => manual(ctx, &check.id),
        Rule::Flag { fact } => match ctx.flag(*fact) {
            Some(true) => (Status::Pass, Some("是".into())),
            Some(false) => (Status::Fail, Some("否".into())),
            None => (Status::Fail, None),
        },
        Rule::AtLeast {
            fact,
            op,
            min,
            years,
        } => {
            let years = years.unwrap_or(1);
            let Some(q) = ctx.quantity(*fact, years) else {
                return (Status::Fail, None);
            };
            let threshold = q.divisor * min.scaled() as i128;
            let pass = match op {
                Op::Ge => q.sum >= threshold,
                Op::Gt => q.sum > threshold,
            };
            (status(pass), Some(actual_quantity(ctx, *fact, years, q)))
        }
        Rule::Ratio {
            fact,
            per,
            min_percent,
        } => ratio(ctx, *fact, *per, min_percent.scaled()),
        Rule::OperatingYears { min } => match ctx.park.operating_since {
            Some(since) => (
                status(operated(since, *min, ctx.input.applied_on)),
                Some(since.to_string()),
            ),
            None => (Status::Fail, None),
        },
        Rule::AnyOf { alternatives } => any_of(ctx, check, alternatives),
    }
}

fn status(pass: bool) -> Status {
    if pass { Status::Pass } else { Status::Fail }
}

fn manual(ctx: &Context, id: &str) -> (Status, Option<String>) {
    let attested = ctx
        .input
        .attestations
        .as_ref()
        .and_then(|a| a.get(id).copied().flatten());
    match attested {
        Some(true) => (Status::Pass, Some("已核实".into())),
        Some(false) => (Status::Fail, Some("不符合".into())),
        None => (Status::Manual, None),
    }
}

/// `fact / per ≥ percent %`, as `fact·100 ≥ per·percent` in integers. A zero base cannot
/// demonstrate a share, so it fails.
fn ratio(ctx: &Context, fact: Fact, per: Fact, percent_scaled: i64) -> (Status, Option<String>) {
    let (Some(num), Some(den)) = (ctx.quantity(fact, 1), ctx.quantity(per, 1)) else {
        return (Status::Fail, None);
    };
    let mut text = String::new();
    let _ = write_scaled(&mut text, num.sum, 1);
    text.push('/');
    let _ = write_scaled(&mut text, den.sum, 1);
    if den.is_zero() {
        return (Status::Fail, Some(text));
    }
    let pass = num.sum * 100 * SCALE as i128 >= den.sum * percent_scaled as i128;
    text.push_str(" = ");
    // Percentage rounded to two decimals, for display only.
    let hundredths = (num.sum * 10_000 * 2 + den.sum) / (den.sum * 2);
    let _ = write_scaled(&mut text, hundredths * (SCALE as i128 / 100), 1);
    text.push('%');
    (status(pass), Some(text))
}

fn any_of(
    ctx: &Context,
    check: &Check,
    alternatives: &[crate::domain::ruleset::Alternative],
) -> (Status, Option<String>) {
    let mut pass = false;
    let mut parts = Vec::with_capacity(alternatives.len());
    for alt in alternatives {
        let (s, actual) = judge(ctx, check, &alt.rule);
        pass |= s == Status::Pass;
        if let Some(actual) = actual {
            parts.push(format!("{} {actual}", alt.label));
        }
    }
    let actual = (!parts.is_empty()).then(|| parts.join("；"));
    (status(pass), actual)
}

fn actual_quantity(ctx: &Context, fact: Fact, years: u32, q: Quantity) -> String {
    let mut out = String::new();
    if fact == Fact::PolicyBriefingsMinQuarter
        && let Some(quarters) = ctx.quarters()
    {
        let _ = write!(
            out,
            "{}, {}, {}, {}",
            quarters[0], quarters[1], quarters[2], quarters[3]
        );
        return out;
    }
    if years > 1 {
        for back in 0..years.min(100) {
            let Some(year) = ctx.reference_year.checked_sub(back as i32) else {
                break;
            };
            let value = ctx.trade_year(fact, year).unwrap_or(0);
            let _ = write!(out, "{year}年 {value}；");
        }
        out.push_str("年均 ");
    }
    let _ = write_scaled(&mut out, q.sum, q.divisor);
    out
}

/// The requirement as the JSON output shows it (no unit): "≥ 3000", "≥ 50%".
pub fn required_text(rule: &Rule) -> String {
    match rule {
        Rule::Manual => "人工核实".into(),
        Rule::Flag { .. } => "是".into(),
        Rule::AtLeast {
            fact,
            op,
            min,
            years,
        } => {
            let prefix = match (fact, years.unwrap_or(1)) {
                (Fact::PolicyBriefingsMinQuarter, _) => "每季度 ".to_string(),
                (_, n) if n > 1 => format!("近{n}年年均 "),
                _ => String::new(),
            };
            format!("{prefix}{} {min}", op.symbol())
        }
        Rule::Ratio { min_percent, .. } => format!("≥ {min_percent}%"),
        Rule::OperatingYears { min } => format!("运营满 {min} 年"),
        Rule::AnyOf { alternatives } => alternatives
            .iter()
            .map(|a| format!("{} {}", a.label, required_text(&a.rule)))
            .collect::<Vec<_>>()
            .join(" 或 "),
    }
}

fn required_for(ctx: &Context, rule: &Rule) -> String {
    match rule {
        Rule::OperatingYears { min } => {
            let latest = ctx
                .input
                .applied_on
                .checked_sub_months(Months::new(min.saturating_mul(12)));
            match latest {
                Some(d) => format!("运营满 {min} 年（不晚于 {d} 开始运营）"),
                None => required_text(rule),
            }
        }
        _ => required_text(rule),
    }
}

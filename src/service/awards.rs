//! Awards (认定): after a quiet publicity window, or directly from Guangdong's provincial list
//! (中山 第九条); the bar on an operator whose title was revoked (中山 第十二条) on every path.
use crate::db::applications::{self, NewReview};
use crate::db::audit;
use crate::db::awards::{self, NewAward};
use crate::db::objections;
use crate::db::transition::{self, Applications, By};
use crate::domain::ruleset::RuleSet;
use crate::domain::workflow::{self, ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::applications::Loaded;
use crate::state::AppState;
use chrono::Datelike;
use serde_json::json;
use std::collections::BTreeMap;

/// The certificate number's prefix: the city's first character (温, 中…) and 商务跨园.
fn prefix(city: &str) -> String {
    format!("{}商务跨园", city.chars().next().unwrap_or('市'))
}

use crate::domain::notification::EventKind;
use crate::domain::time::valid_until;
use crate::service::notify::{self, About, Park};

/// Awards a park whose publicity has closed with no objection undecided or upheld: the number,
/// the validity, the tier (Zhongshan), the state change and the decision record, in one
/// transaction.
pub async fn award(
    state: &AppState,
    loaded: &Loaded,
    city: &str,
    by: &By,
    tier: Option<String>,
    comments: &str,
) -> AppResult<String> {
    let tenant_id = loaded.tenant_id;
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let awarded_on = state.clock.today();
    let mut tx = state.db.begin().await?;
    // The objections are counted under the application's lock, which a filing also takes: an
    // objection committed a moment ago is seen, and none can be filed while this awards.
    transition::lock_state::<Applications>(&mut tx, tenant_id, loaded.app.id).await?;
    let (undecided, upheld) = objections::standing(&mut *tx, tenant_id, loaded.app.id).await?;
    workflow::check_award_precondition(undecided as usize, upheld as usize)
        .map_err(transition::refused)?;
    if let Some(bar) = bar_on(state, loaded).await? {
        return Err(AppError::Conflict(format!("{bar}。")));
    }
    transition::apply_in::<Applications>(
        &mut tx,
        tenant_id,
        loaded.app.id,
        ApplicationAction::Award,
        by,
        Some("公示期满，无成立的异议"),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    let (_, number) = awards::insert(
        &mut tx,
        tenant_id,
        &NewAward {
            application_id: Some(loaded.app.id),
            provincial: None,
            year: awarded_on.year(),
            prefix: &prefix(city),
            park_name: &loaded.app.park_name,
            tier: tier.as_deref(),
            awarded_on,
            valid_until: valid_until(awarded_on, loaded.rules.validity_years),
            rule_set_version_id: loaded.call.rule_set_version_id,
            created_by: user_id,
        },
    )
    .await?;
    applications::insert_review(
        &mut tx,
        tenant_id,
        loaded.app.id,
        &NewReview {
            version_number: loaded.app.version_count,
            stage: "decision",
            opinion: "award",
            comments: &format!("{comments}（证书编号 {number}）"),
            attestations: &BTreeMap::new(),
            letter_document_id: None,
            decided_by: user_id,
            results: None,
        },
    )
    .await?;
    let about = About {
        detail: &format!("证书编号：{number}。"),
        ..About::default()
    };
    let park = Park::Application(loaded.app.id);
    notify::about_park(&mut tx, state, tenant_id, park, EventKind::Awarded, about).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(number)
}

/// The tenant's rule-set version that provides a provincial-list award (Zhongshan 第九条).
pub async fn provincial_rules(
    state: &AppState,
    tenant_id: i64,
) -> AppResult<Option<(i64, RuleSet)>> {
    for v in crate::db::rulesets::list(&state.db, tenant_id).await? {
        if let Some((meta, rules)) = crate::db::rulesets::get(&state.db, tenant_id, v.id).await?
            && rules.provincial.is_some()
        {
            return Ok(Some((meta.id, rules)));
        }
    }
    Ok(None)
}

/// The bar on the application's operator, in words for the bureau, if one runs today.
pub async fn bar_on(state: &AppState, loaded: &Loaded) -> AppResult<Option<String>> {
    Ok(
        bar_of_operator(state, loaded.tenant_id, &loaded.app.organization_uscc)
            .await?
            .map(|bar| format!("{bar}：本申报不得认定，请依该条作不予通过或取消资格处理")),
    )
}

/// The bar on an operator (by USCC) that runs today, in words for the bureau.
pub async fn bar_of_operator(
    state: &AppState,
    tenant_id: i64,
    uscc: &str,
) -> AppResult<Option<String>> {
    let bar =
        crate::db::monitoring::bar_for(&state.db, tenant_id, uscc, state.clock.today()).await?;
    Ok(bar.map(|r| {
        format!(
            "运营主体（{}）运营的{}已于 {} 被撤销称号（{}），{}",
            r.uscc,
            r.park_name,
            r.revoked_on,
            r.article,
            r.bar_text()
        )
    }))
}

/// A park on the provincial list, as the bureau records it.
pub struct ProvincialListing<'a> {
    pub organization_id: i64,
    pub jurisdiction_id: Option<i64>,
    pub park_name: &'a str,
    /// The provincial list's title and number.
    pub evidence: &'a str,
}

/// Records a 第九条 award: no application, recommendation, review or publicity, the provincial
/// list as the evidence, the tier the rule set grants. Returns the award's id and number.
pub async fn award_provincial(
    state: &AppState,
    tenant_id: i64,
    city: &str,
    by: &By,
    listed: &ProvincialListing<'_>,
) -> AppResult<(i64, String)> {
    let (version_id, rules) = provincial_rules(state, tenant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let awarded_on = state.clock.today();
    let tier = rules.provincial.as_ref().map(|p| p.tier.as_str());
    let mut tx = state.db.begin().await?;
    let (id, number) = awards::insert(
        &mut tx,
        tenant_id,
        &NewAward {
            application_id: None,
            provincial: Some((
                listed.organization_id,
                listed.jurisdiction_id,
                listed.evidence,
            )),
            year: awarded_on.year(),
            prefix: &prefix(city),
            park_name: listed.park_name,
            tier,
            awarded_on,
            valid_until: valid_until(awarded_on, rules.validity_years),
            rule_set_version_id: version_id,
            created_by: user_id,
        },
    )
    .await?;
    let details = json!({
        "number": number, "park": listed.park_name, "organization_id": listed.organization_id,
        "evidence": listed.evidence, "basis": "provincial",
    });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "award", id, "provincial_award", details),
    )
    .await?;
    tx.commit().await?;
    Ok((id, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_years_of_validity_end_the_day_before_the_anniversary() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(valid_until(d(2026, 12, 8), Some(3)), Some(d(2029, 12, 7)));
        assert_eq!(valid_until(d(2028, 2, 29), Some(3)), Some(d(2031, 2, 27)));
        assert_eq!(valid_until(d(2026, 12, 8), None), None);
        assert_eq!(prefix("温州"), "温商务跨园");
    }
}

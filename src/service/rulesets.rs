//! The tenant's rule sets as use-cases: adopting a built-in template as the next version.
use crate::db::audit;
use crate::db::rulesets;
use crate::db::transition::By;
use crate::domain::ruleset::RuleSet;
use crate::error::AppResult;
use crate::state::AppState;
use serde_json::json;

/// The bureau adopts a built-in template: a copy is stored as the tenant's next version of
/// that rule set. Returns the version's id and number.
pub async fn adopt_template(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    template: &RuleSet,
) -> AppResult<(i64, i32)> {
    let based_on = format!("{}@{}", template.id, template.version);
    let note = "采用内置模板";
    let mut tx = state.db.begin().await?;
    let (id, version) =
        rulesets::add_version(&mut tx, tenant_id, template, &based_on, note, by.user_id).await?;
    let details = json!({ "rule_set": template.id, "version": version, "based_on": based_on });
    let entry = by.entry(tenant_id, "rule_set_version", id, "adopt", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((id, version))
}

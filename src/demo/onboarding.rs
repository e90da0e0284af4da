//! A third city half way through onboarding, and revisions in the other two: Huzhou's bureau
//! was opened by the platform administrator, imported its counties from a table and drafted its
//! rule set from Wenzhou's with its own thresholds, but has no experts and no call yet; Wenzhou
//! and Zhongshan each have a revision of their measures in draft.
use super::applications::person;
use crate::auth::password;
use crate::db::rulesets;
use crate::db::transition::By;
use crate::domain::role::Role;
use crate::domain::ruleset::{self, Rule, RuleSet};
use crate::domain::workflow::Actor;
use crate::service::rulesets::DraftSource;
use crate::state::AppState;
use anyhow::Context;

pub const HUZHOU_LOGIN: &str = "hz-bureau";

/// Huzhou's counties as its bureau keeps them (GB/T 2260 codes).
pub const HUZHOU_COUNTIES_CSV: &str = "名称,行政区划代码,类型\n\
    吴兴区,330502,市辖区\n南浔区,330503,市辖区\n德清县,330521,县\n长兴县,330522,县\n安吉县,330523,县\n";

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    huzhou(state).await?;
    revision(state, "wenzhou", "wz-bureau", "wenzhou-2021", |r| {
        set_min(r, "wz.trade", 50_000_000);
        "2027年修订征求意见稿：年进出口总额门槛由4000万美元提高到5000万美元"
    })
    .await?;
    revision(state, "zhongshan", "zs-bureau", "zhongshan-2022", |r| {
        r.validity_years = Some(3);
        "试行期满修订：拟增设认定有效期三年"
    })
    .await
}

async fn huzhou(state: &AppState) -> anyhow::Result<()> {
    use crate::service::accounts::{self, TenantSetup};
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE role = 'sysadmin' LIMIT 1")
        .fetch_one(&state.db)
        .await?;
    let admin = By {
        actor: Actor::User(Role::SysAdmin),
        user_id: Some(admin),
        request_id: None,
        ip: None,
    };
    let hash = password::hash(super::DEMO_PASSWORD.to_string()).await?;
    let setup = TenantSetup {
        tenant: crate::db::tenants::NewTenant {
            slug: "huzhou",
            name: "湖州市商务局",
            city: "湖州市",
            region_prefix: Some("3305"),
        },
        jurisdictions: &[],
        login: HUZHOU_LOGIN,
        display_name: "沈嘉怡",
        password_hash: &hash,
    };
    let tenant = accounts::create_tenant(state, &admin, &setup)
        .await?
        .map_err(|t| anyhow::anyhow!(t.message))?;
    let bureau = person(state, tenant.id, HUZHOU_LOGIN, Role::Bureau).await?;
    let rows = crate::io::spreadsheet::read_table(HUZHOU_COUNTIES_CSV.as_bytes())?;
    let counties = crate::domain::jurisdiction_table::parse(&rows, Some("3305"))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    crate::service::jurisdictions::import(state, tenant.id, &bureau.by, &counties).await?;
    let wenzhou = ruleset::builtin("wenzhou-2021").context("template")?;
    let source = DraftSource::Template(wenzhou.clone());
    let draft = crate::service::rulesets::new_draft(state, tenant.id, &bureau.by, source).await?;
    let rules = huzhou_rules(&wenzhou)?;
    let note = "参照温州办法起草，结合湖州实际下调面积、进出口额和企业数门槛（征求意见稿）";
    let id = (draft, None);
    crate::service::rulesets::save_draft(state, tenant.id, &bureau.by, id, &rules, note).await?;
    Ok(())
}

/// Wenzhou's rules in Huzhou's words, with Huzhou's thresholds.
fn huzhou_rules(wenzhou: &RuleSet) -> anyhow::Result<RuleSet> {
    let text = serde_json::to_string(wenzhou)?
        .replace("温州综试区", "湖州综试区")
        .replace("温州", "湖州")
        .replace("0577-", "0572-")
        .replace("330302", "330502")
        .replace("\"3303\"", "\"3305\"")
        .replace("3303 开头", "3305 开头")
        .replace("鹿城区", "吴兴区");
    let mut rules: RuleSet = serde_json::from_str(&text)?;
    rules.id = "huzhou-2026".into();
    rules.title = "湖州市跨境电子商务产业园区认定".into();
    rules.source = "湖州市跨境电子商务产业园区认定管理办法（征求意见稿）第四条".into();
    set_min(&mut rules, "wz.area", 2_000);
    set_min(&mut rules, "wz.trade", 20_000_000);
    set_min(&mut rules, "wz.cbec_count", 15);
    Ok(rules)
}

/// Sets an at-least check's threshold.
fn set_min(rules: &mut RuleSet, check: &str, value: i64) {
    if let Some(Rule::AtLeast { min, .. }) = rules
        .checks
        .iter_mut()
        .find(|c| c.id == check)
        .map(|c| &mut c.rule)
    {
        *min = crate::domain::fixed::Fixed::from_int(value);
    }
}

/// A revision of a city's measures in draft: made from its version, edited, not yet activated.
async fn revision(
    state: &AppState,
    slug: &str,
    login: &str,
    rule_set: &str,
    edit: impl FnOnce(&mut RuleSet) -> &'static str,
) -> anyhow::Result<()> {
    let tenant = crate::db::tenants::by_slug(&state.db, slug)
        .await?
        .context("tenant")?;
    let bureau = person(state, tenant.id, login, Role::Bureau).await?;
    let version = rulesets::active(&state.db, tenant.id)
        .await?
        .into_iter()
        .find(|v| v.rule_set_id == rule_set)
        .context("version")?;
    let source = DraftSource::Version(version.id);
    let draft = crate::service::rulesets::new_draft(state, tenant.id, &bureau.by, source).await?;
    let (_, mut rules) = crate::service::rulesets::draft(state, tenant.id, draft).await?;
    let note = edit(&mut rules);
    let id = (draft, None);
    crate::service::rulesets::save_draft(state, tenant.id, &bureau.by, id, &rules, note).await?;
    Ok(())
}

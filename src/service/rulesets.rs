//! The tenant's rule sets as use-cases: adopting a built-in template, drafting a revision in the
//! editor (from a version, a template or an imported document), previewing what it would change,
//! and activating it as the next immutable version. Every step is audited.
use crate::db::audit;
use crate::db::rulesets::{self, DraftRow, Origin};
use crate::db::transition::{self, By, Change, RuleDrafts};
use crate::domain::ruleset::diff::{self, OutcomeChange};
use crate::domain::ruleset::{self, RuleSet};
use crate::domain::workflow::RuleDraftAction;
use crate::error::{AppError, AppResult};
use crate::service::applications::Loaded;
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
    let origin = Origin {
        based_on: &based_on,
        parent_version_id: None,
        note: "采用内置模板",
    };
    let mut tx = state.db.begin().await?;
    let (id, version) =
        rulesets::add_version(&mut tx, tenant_id, template, &origin, by.user_id).await?;
    let details = json!({ "rule_set": template.id, "version": version, "based_on": based_on });
    let entry = by.entry(tenant_id, "rule_set_version", id, "adopt", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((id, version))
}

/// What a new draft starts from.
pub enum DraftSource {
    /// One of the tenant's versions.
    Version(i64),
    /// A built-in template.
    Template(RuleSet),
    /// An imported rule-set document (already parsed and validated).
    Document(RuleSet),
}

/// Starts a draft; returns its id.
pub async fn new_draft(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    source: DraftSource,
) -> AppResult<i64> {
    let (rules, based_on, parent, action) = match source {
        DraftSource::Version(id) => {
            let (meta, rules) = rulesets::get(&state.db, tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            (rules, meta.based_on, Some(id), "create")
        }
        DraftSource::Template(t) => {
            let based_on = format!("{}@{}", t.id, t.version);
            (t, based_on, None, "create")
        }
        DraftSource::Document(rules) => (rules, "import".to_string(), None, "import"),
    };
    let origin = Origin {
        based_on: &based_on,
        parent_version_id: parent,
        note: "",
    };
    let mut tx = state.db.begin().await?;
    let id = rulesets::insert_draft(&mut tx, tenant_id, &rules, &origin, by.user_id).await?;
    let details =
        json!({ "rule_set": rules.id, "based_on": based_on, "parent_version_id": parent });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "rule_set_draft", id, action, details),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the editor's rules into a draft still being edited; the audit entry lists what changed
/// from what was saved before. `expected` is the draft's `lock_version` the editor was opened
/// at: a save made from an older one (another official saved in between) is refused, never
/// written over the other's.
pub async fn save_draft(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    (id, expected): (i64, Option<i32>),
    rules: &RuleSet,
    note: &str,
) -> AppResult<()> {
    if let Some((_, message)) = rules.problems().into_iter().next() {
        return Err(AppError::BadRequest(message));
    }
    let mut tx = state.db.begin().await?;
    require_draft(&transition::lock_state::<RuleDrafts>(&mut tx, tenant_id, id).await?)?;
    let (row, before) = rulesets::draft(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if expected.is_some_and(|v| v != row.lock_version) {
        return Err(AppError::Conflict(format!(
            "打开本页后，草稿已被他人再次保存（{}）。您的修改尚未保存，下方保留了您填写的内容；上方差异为最新保存的草稿，核对后再次保存即以您的内容为准。",
            row.updated_on()
        )));
    }
    rulesets::save_draft(&mut tx, tenant_id, id, rules, note).await?;
    let changed: Vec<String> = diff::diff(&before, rules)
        .iter()
        .map(|c| format!("{}：{}", c.section, c.item))
        .collect();
    let details = json!({ "rule_set": rules.id, "changed": changed, "note": note });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "rule_set_draft", id, "save_rules", details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn require_draft(state: &str) -> AppResult<()> {
    match state {
        "draft" => Ok(()),
        _ => Err(AppError::Conflict(
            "该草稿已启用或已放弃，不能再修改；请从相应版本另建草稿。".into(),
        )),
    }
}

/// Activates a draft: its rules become the tenant's next version of that rule set, used by the
/// calls published from now on (published calls and granted awards keep theirs). Returns the new
/// version's id and number.
pub async fn activate(state: &AppState, tenant_id: i64, by: &By, id: i64) -> AppResult<(i64, i32)> {
    let mut tx = state.db.begin().await?;
    require_draft(&transition::lock_state::<RuleDrafts>(&mut tx, tenant_id, id).await?)?;
    let (draft, rules) = rulesets::draft(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some((_, message)) = rules.problems().into_iter().next() {
        return Err(AppError::BadRequest(message));
    }
    let origin = Origin {
        based_on: &draft.based_on,
        parent_version_id: draft.parent_version_id,
        note: &draft.note,
    };
    let (version_id, version) =
        rulesets::add_version(&mut tx, tenant_id, &rules, &origin, by.user_id).await?;
    rulesets::set_activated_version(&mut tx, tenant_id, id, version_id).await?;
    let change = Change {
        action: RuleDraftAction::ActivateRules,
        by,
        reason: None,
    };
    let details = json!({ "rule_set": rules.id, "version": version, "version_id": version_id });
    transition::apply_recording::<RuleDrafts>(&mut tx, tenant_id, id, change, &(), details).await?;
    tx.commit().await?;
    Ok((version_id, version))
}

/// Sets a draft aside; it stays, read-only.
pub async fn discard(state: &AppState, tenant_id: i64, by: &By, id: i64) -> AppResult<()> {
    transition::apply::<RuleDrafts>(
        &state.db,
        tenant_id,
        id,
        RuleDraftAction::DiscardRules,
        by,
        None,
    )
    .await?;
    Ok(())
}

/// A version or draft against what it was made from: the parent version, else the template it
/// copies; nothing for an imported document.
pub struct Compared {
    /// "温州市跨境电子商务产业园区认定 第 1 版", "内置模板《…》".
    pub parent_name: Option<String>,
    /// The parent's rule-set id (the series a preview looks at).
    pub parent_id: Option<String>,
    pub changes: Vec<diff::Change>,
}

pub async fn compared(
    state: &AppState,
    tenant_id: i64,
    (parent_version_id, based_on): (Option<i64>, &str),
    rules: &RuleSet,
) -> AppResult<Compared> {
    let parent = match parent_version_id {
        Some(id) => {
            let (meta, parent) = rulesets::get(&state.db, tenant_id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Some((format!("{} 第 {} 版", meta.title, meta.version), parent))
        }
        None => {
            let template = based_on.split_once('@').map(|(id, _)| id).unwrap_or("");
            ruleset::builtin(template).map(|t| (format!("内置模板《{}》", t.title), t))
        }
    };
    Ok(Compared {
        changes: parent
            .as_ref()
            .map(|(_, p)| diff::diff(p, rules))
            .unwrap_or_default(),
        parent_id: parent.as_ref().map(|(_, p)| p.id.clone()),
        parent_name: parent.map(|(name, _)| name),
    })
}

/// The draft's rules with its row.
pub async fn draft(state: &AppState, tenant_id: i64, id: i64) -> AppResult<(DraftRow, RuleSet)> {
    rulesets::draft(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One submitted application whose verdict or tier would change under a draft.
pub struct PreviewLine {
    pub application_id: i64,
    pub park_name: String,
    pub call_title: String,
    pub version: i32,
    pub change: OutcomeChange,
}

/// The what-if preview: the latest submitted version of every application to a call under the
/// same rule set (`series`: the draft's id and that of the version it revises), evaluated under
/// the rules of its call and under `draft`, with the same facts and the county's attestations.
/// Returns the number evaluated and those whose verdict or tier changes.
pub async fn preview(
    state: &AppState,
    tenant_id: i64,
    draft: &RuleSet,
    series: &[String],
) -> AppResult<(usize, Vec<PreviewLine>)> {
    use crate::db::calls::{self, Audience};
    let mut evaluated = 0;
    let mut lines = Vec::new();
    let mut cache = rulesets::RuleSets::default();
    for call in calls::list(&state.db, tenant_id, Audience::Bureau).await? {
        let rules = cache
            .get(&state.db, tenant_id, call.rule_set_version_id)
            .await?
            .clone();
        if !series.contains(&rules.id) {
            continue;
        }
        let apps = crate::db::applications::list_for_call(&state.db, tenant_id, call.id).await?;
        if apps.is_empty() {
            continue;
        }
        let ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
        let versions = state.versions.latest(&state.db, tenant_id, &ids).await?;
        let attested =
            crate::db::applications::county_attestations(&state.db, tenant_id, &ids).await?;
        for app in apps {
            let Some(decoded) = versions.get(&app.id) else {
                continue;
            };
            let today = state.clock.today();
            let id = app.id;
            let (park_name, call_title) = (app.park_name.clone(), app.call_title.clone());
            let now = Loaded::new(tenant_id, app.clone(), call.clone(), rules.clone(), today);
            let then = Loaded::new(tenant_id, app, call.clone(), draft.clone(), today);
            let attestations = attested.get(&id).cloned().unwrap_or_default();
            let evaluate = |loaded: &Loaded| {
                let (version, roster) = (&decoded.version, &decoded.roster);
                crate::service::review::evaluate_with_scores(
                    loaded,
                    version,
                    roster,
                    &attestations,
                    &[],
                )
            };
            let (before, after) = (evaluate(&now), evaluate(&then));
            evaluated += 1;
            if let Some(change) = diff::outcome_change(&rules, &before, draft, &after) {
                lines.push(PreviewLine {
                    application_id: id,
                    park_name,
                    call_title,
                    version: decoded.version.number,
                    change,
                });
            }
        }
    }
    Ok((evaluated, lines))
}

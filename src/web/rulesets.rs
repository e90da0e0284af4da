//! The bureau's rule sets: which versions the tenant has adopted, and each one shown in full so
//! officials can see exactly what the machine applies.
use super::page::{PageCtx, flash, render};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::rulesets::{self, VersionRow};
use crate::domain::ruleset::{self, Check, Rule, RuleSet};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "bureau/rulesets.html")]
struct ListPage {
    ctx: PageCtx,
    versions: Vec<VersionRow>,
    templates: Vec<RuleSet>,
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let versions = rulesets::list(&state.db, tenant_id).await?;
    render(&ListPage {
        ctx,
        versions,
        templates: ruleset::builtin_templates(),
    })
}

#[derive(Debug, Deserialize)]
pub struct AdoptForm {
    template: String,
}

/// Adopting a template stores a copy as the tenant's next version of that rule set.
pub(crate) async fn adopt(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<AdoptForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let template = ruleset::builtin(&form.template)
        .ok_or_else(|| AppError::BadRequest("没有这个规则模板。".into()))?;
    let by = client.by(&user);
    let (id, version) =
        service::rulesets::adopt_template(&state, tenant_id, &by, &template).await?;
    flash(
        &session,
        "success",
        format!("已采用“{}”，保存为第 {version} 版。", template.title),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/rulesets/{id}", user.home_url())).into_response())
}

/// A check as a page row.
pub struct CheckRow {
    pub id: String,
    pub article: String,
    pub description: String,
    pub requirement: String,
    pub tier: String,
    pub notes: Vec<String>,
}

fn check_row(rules: &RuleSet, check: &Check) -> CheckRow {
    let mut notes = Vec::new();
    if matches!(check.rule, Rule::Manual) {
        notes.push("须人工核实确认".to_string());
    }
    if let Some(years) = check.na_before_years {
        notes.push(format!("开业不满{years}年的园区不适用"));
    }
    if check.na_when_absent {
        notes.push("未设置该设施时不适用".to_string());
    }
    if let Some(hint) = &check.hint {
        notes.push(hint.clone());
    }
    let tier = check
        .tier
        .as_ref()
        .and_then(|t| rules.tiers.iter().find(|x| &x.id == t))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "基本条件".to_string());
    CheckRow {
        id: check.id.clone(),
        article: check.article.clone(),
        description: check.description.clone(),
        requirement: rules.requirement_text(check),
        tier,
        notes,
    }
}

#[derive(Template)]
#[template(path = "bureau/ruleset.html")]
struct ShowPage {
    ctx: PageCtx,
    meta: VersionRow,
    rules: RuleSet,
    checks: Vec<CheckRow>,
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (meta, rules) = rulesets::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let checks = rules.checks.iter().map(|c| check_row(&rules, c)).collect();
    render(&ShowPage {
        ctx,
        meta,
        rules,
        checks,
    })
}

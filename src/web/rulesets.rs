//! The bureau's rule sets: which versions the tenant has adopted, and each one shown in full so
//! officials can see exactly what the machine applies.
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::rulesets::{self, DraftRow, VersionRow};
use crate::domain::ruleset::diff::Change;
use crate::domain::ruleset::{self, Check, Rule, RuleSet, editor};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "bureau/rulesets.html")]
struct ListPage {
    ctx: PageCtx,
    versions: Vec<VersionRow>,
    /// The latest version of each rule set: what new calls are published under.
    active: Vec<i64>,
    drafts: Vec<DraftRow>,
    templates: Vec<RuleSet>,
    /// Why an imported document was refused.
    import_errors: Vec<String>,
    errors: FieldErrors,
}

pub(crate) async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    list_page(ctx, &state, user.tenant()?, FieldErrors::default(), vec![]).await
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    errors: FieldErrors,
    import_errors: Vec<String>,
) -> AppResult<Response> {
    let versions = rulesets::list(&state.db, tenant_id).await?;
    let active = rulesets::active(&state.db, tenant_id).await?;
    let status = if errors.is_empty() && import_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with(
        status,
        &ListPage {
            ctx,
            versions,
            active: active.iter().map(|v| v.id).collect(),
            drafts: rulesets::drafts(&state.db, tenant_id).await?,
            templates: ruleset::builtin_templates(),
            import_errors,
            errors,
        },
    )
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
    /// What it was made from, and the difference.
    parent: Option<String>,
    changes: Vec<Change>,
    active: bool,
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
    let origin = (meta.parent_version_id, meta.based_on.as_str());
    let compared = service::rulesets::compared(&state, tenant_id, origin, &rules).await?;
    let active = rulesets::active(&state.db, tenant_id)
        .await?
        .iter()
        .any(|v| v.id == id);
    let checks = rules.checks.iter().map(|c| check_row(&rules, c)).collect();
    render(&ShowPage {
        ctx,
        meta,
        rules,
        checks,
        parent: compared.parent_name,
        changes: compared.changes,
        active,
    })
}

/// A version as a rule-set document (the JSON `parkcert rules show` prints), to share with
/// another city or to keep beside the published measures.
pub(crate) async fn export(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (meta, rules) = rulesets::get(&state.db, user.tenant()?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let json = serde_json::to_string_pretty(&rules).map_err(anyhow::Error::from)?;
    let name = format!("{}-v{}.json", meta.rule_set_id, meta.version);
    Ok(super::files::json_download(format!("{json}\n"), &name))
}

/// Imports a rule-set document as a new draft; a document that does not parse or is not
/// consistent is refused with every problem listed.
pub(crate) async fn import(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let upload = super::files::read_data_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let Some(bytes) = upload.bytes.filter(|_| errors.is_empty()) else {
        return list_page(ctx, &state, tenant_id, errors, vec![]).await;
    };
    let parsed = match String::from_utf8(bytes) {
        Ok(text) => editor::parse_document(text.trim_start_matches('\u{feff}')),
        Err(_) => Err(vec!["文件应为 UTF-8 编码的 JSON 规则文件。".to_string()]),
    };
    match parsed {
        Ok(rules) => {
            let source = service::rulesets::DraftSource::Document(rules);
            let id =
                service::rulesets::new_draft(&state, tenant_id, &client.by(&user), source).await?;
            Ok(Redirect::to(&format!("{}/rulesets/drafts/{id}", user.home_url())).into_response())
        }
        Err(problems) => {
            errors.add("file", "导入的规则文件有误，见下方列表。");
            list_page(ctx, &state, tenant_id, errors, problems).await
        }
    }
}

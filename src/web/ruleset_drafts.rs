//! The bureau's rule-set editor: a draft made from a version, a template or an imported
//! document, edited field by field (a wrong field is shown with its message and everything typed
//! is kept), compared with what it was made from, previewed against past submissions, and
//! activated as the next version.
use super::page::{FieldErrors, PageCtx, Typed, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::rulesets::DraftRow;
use crate::domain::ruleset::diff::Change;
use crate::domain::ruleset::editor::{self, Fields, Problems, RULE_KINDS};
use crate::domain::ruleset::{self, Fact, RuleSet, VETO_KEYS};
use crate::error::{AppError, AppResult};
use crate::service::{self, rulesets::DraftSource, rulesets::PreviewLine};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tower_sessions::Session;

#[derive(Debug, Deserialize)]
pub struct NewDraftForm {
    /// `version:<id>` or `template:<id>`.
    from: String,
}

/// Starts a draft from one of the tenant's versions or a built-in template.
pub(crate) async fn create(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    Form(form): Form<NewDraftForm>,
) -> AppResult<Response> {
    let source = match form.from.split_once(':') {
        Some(("version", id)) => DraftSource::Version(id.parse().map_err(|_| AppError::NotFound)?),
        Some(("template", id)) => {
            DraftSource::Template(ruleset::builtin(id).ok_or(AppError::NotFound)?)
        }
        _ => return Err(AppError::BadRequest("请选择从哪个版本修订。".into())),
    };
    let by = client.by(&user);
    let id = service::rulesets::new_draft(&state, user.tenant()?, &by, source).await?;
    Ok(Redirect::to(&draft_url(&user, id)).into_response())
}

fn draft_url(user: &CurrentUser, id: i64) -> String {
    format!("{}/rulesets/drafts/{id}", user.home_url())
}

/// One form field: its name, the value shown and its message.
pub struct Cell {
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

impl Cell {
    pub fn is(&self, value: &str) -> bool {
        self.value == value
    }
}

/// A row of a repeated section (a check, a tier…), with a cell per field.
pub struct RowView {
    pub index: usize,
    /// The blank row for adding one.
    pub added: bool,
    pub removed: bool,
    cells: BTreeMap<&'static str, Cell>,
}

impl RowView {
    pub fn c(&self, name: &str) -> &Cell {
        &self.cells[name]
    }
}

const TIER_FIELDS: &[&str] = &["id", "name", "article", "position"];
const CHECK_FIELDS: &[&str] = &[
    "id",
    "article",
    "description",
    "kind",
    "fact",
    "per",
    "op",
    "threshold",
    "years",
    "unit",
    "tier",
    "na_before_years",
    "na_when_absent",
    "hint",
    "rule_json",
];
const CRITERION_FIELDS: &[&str] = &["id", "category", "name", "description", "max"];
const VETO_FIELDS: &[&str] = &["id", "key", "article", "description"];

fn cell(fields: &Fields, errors: &Problems, name: String) -> Cell {
    Cell {
        value: fields
            .get(&name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default(),
        error: errors.get(&name).cloned(),
        name,
    }
}

/// The section's rows as typed, then one blank row to add another.
fn section(fields: &Fields, errors: &Problems, name: &str, names: &[&'static str]) -> Vec<RowView> {
    let mut indices = editor::rows(fields, name);
    let next = indices.last().map(|i| i + 1).unwrap_or(0);
    indices.push(next);
    indices
        .into_iter()
        .map(|index| RowView {
            index,
            added: index == next,
            removed: fields.contains_key(&format!("{name}.{index}.remove")),
            cells: names
                .iter()
                .map(|n| (*n, cell(fields, errors, format!("{name}.{index}.{n}"))))
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "bureau/ruleset_draft.html")]
struct EditPage {
    ctx: PageCtx,
    draft: DraftRow,
    fields: Fields,
    problems: Problems,
    errors: FieldErrors,
    tiers: Vec<RowView>,
    checks: Vec<RowView>,
    criteria: Vec<RowView>,
    vetoes: Vec<RowView>,
    facts: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    tier_options: Vec<(String, String)>,
    veto_keys: Vec<(String, String)>,
    parent: Option<String>,
    changes: Vec<Change>,
}

impl EditPage {
    /// A parameter's cell.
    pub fn p(&self, name: &str) -> Cell {
        cell(&self.fields, &self.problems, name.to_string())
    }

    pub fn editable(&self) -> bool {
        self.draft.state == "draft"
    }
}

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn edit_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    (draft, saved): (DraftRow, RuleSet),
    fields: Fields,
    problems: Problems,
) -> AppResult<Response> {
    let origin = (draft.parent_version_id, draft.based_on.as_str());
    let compared = service::rulesets::compared(state, tenant_id, origin, &saved).await?;
    let mut errors = FieldErrors::default();
    for (field, message) in &problems {
        errors.add(field.clone(), message.clone());
    }
    let tiers = section(&fields, &problems, "tier", TIER_FIELDS);
    let mut tier_options = vec![(String::new(), "基本条件".to_string())];
    tier_options.extend(
        tiers
            .iter()
            .filter(|t| !t.c("id").value.is_empty())
            .map(|t| (t.c("id").value.clone(), t.c("name").value.clone())),
    );
    let page = EditPage {
        ctx,
        draft,
        checks: section(&fields, &problems, "check", CHECK_FIELDS),
        criteria: section(&fields, &problems, "criterion", CRITERION_FIELDS),
        vetoes: section(&fields, &problems, "veto", VETO_FIELDS),
        tiers,
        fields,
        problems,
        facts: Fact::ALL
            .iter()
            .map(|f| (f.key(), format!("{}（{}）", f.label(), f.key())))
            .collect(),
        kinds: options(&RULE_KINDS),
        tier_options,
        veto_keys: options(&VETO_KEYS),
        parent: compared.parent_name,
        changes: compared.changes,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn edit(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (draft, rules) = service::rulesets::draft(&state, tenant_id, id).await?;
    let mut fields = editor::to_fields(&rules);
    fields.insert("note".into(), draft.note.clone());
    fields.insert("lock_version".into(), draft.lock_version.to_string());
    edit_page(
        ctx,
        &state,
        tenant_id,
        (draft, rules),
        fields,
        Problems::new(),
    )
    .await
}

/// Saves the editor's form; a form with problems is shown again as typed, each problem next to
/// its field, and nothing is saved.
pub(crate) async fn save(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(typed): Form<Typed>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (draft, saved) = service::rulesets::draft(&state, tenant_id, id).await?;
    let mut fields = typed.0;
    fields.remove("_csrf");
    let note = fields
        .get("note")
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let opened_at = fields
        .get("lock_version")
        .and_then(|v| v.trim().parse().ok());
    let rules = match editor::from_fields(&saved, &fields) {
        Ok(rules) => rules,
        Err(problems) => {
            return edit_page(ctx, &state, tenant_id, (draft, saved), fields, problems).await;
        }
    };
    let by = client.by(&user);
    let saving = service::rulesets::save_draft(
        &state,
        tenant_id,
        &by,
        (id, opened_at.or(Some(0))),
        &rules,
        &note,
    );
    match saving.await {
        Ok(()) => {
            flash(&session, "success", "草稿已保存。下方列出与原版本的差异。").await?;
            Ok(Redirect::to(&draft_url(&user, id)).into_response())
        }
        // Someone saved in between: what this official typed is shown again, with the
        // message, and a second save (now knowingly over the other) goes through.
        Err(AppError::Conflict(message)) if draft.state == "draft" => {
            fields.insert("lock_version".into(), draft.lock_version.to_string());
            let problems = Problems::from([("lock_version".to_string(), message)]);
            let mut page =
                edit_page(ctx, &state, tenant_id, (draft, saved), fields, problems).await?;
            *page.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bureau/ruleset_preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    draft: DraftRow,
    evaluated: usize,
    lines: Vec<PreviewLine>,
    changes: Vec<Change>,
}

/// The what-if preview: which past submissions would get another verdict or tier under the
/// draft, and why; the activation button is on this page, so that nobody activates unseen.
pub(crate) async fn preview(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (draft, rules) = service::rulesets::draft(&state, tenant_id, id).await?;
    let origin = (draft.parent_version_id, draft.based_on.as_str());
    let compared = service::rulesets::compared(&state, tenant_id, origin, &rules).await?;
    let mut series = vec![rules.id.clone()];
    series.extend(compared.parent_id);
    let (evaluated, lines) = service::rulesets::preview(&state, tenant_id, &rules, &series).await?;
    render(&PreviewPage {
        ctx,
        draft,
        evaluated,
        lines,
        changes: compared.changes,
    })
}

pub(crate) async fn activate(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let by = client.by(&user);
    let (version_id, version) =
        service::rulesets::activate(&state, user.tenant()?, &by, id).await?;
    let message = format!(
        "已启用为第 {version} 版。此后发布的申报通知使用该版本；已发布的通知和已作出的认定仍按原版本。"
    );
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/rulesets/{version_id}", user.home_url())).into_response())
}

pub(crate) async fn discard(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    service::rulesets::discard(&state, user.tenant()?, &client.by(&user), id).await?;
    flash(&session, "success", "草稿已放弃（仍保留备查）。").await?;
    Ok(Redirect::to(&format!("{}/rulesets", user.home_url())).into_response())
}

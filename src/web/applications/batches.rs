//! Forwarding together (统一报送): the county's batch form and the batch page the county and
//! the bureau read.
use crate::auth::CurrentUser;
use crate::db::batches::{self, Batch, BatchItem, Prereview};
use crate::db::{calls, rulesets};
use crate::domain::forwarding::{self, Entry, Problem};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::forwarding::{self as service, forward_batch};
use crate::state::AppState;
use crate::web::calls::shanghai_minute;
use crate::web::files::read_upload;
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// One checked application on the batch form, with what was typed for it.
pub struct Candidate {
    pub p: Prereview,
    pub recorded: String,
    pub included: bool,
    pub rank: String,
}

#[derive(Template)]
#[template(path = "applications/batch_form.html")]
struct BatchForm {
    ctx: PageCtx,
    call: calls::Call,
    /// The article that has this city forward together (empty: batches are a choice).
    basis: String,
    candidates: Vec<Candidate>,
    batches: Vec<Batch>,
    errors: FieldErrors,
}

fn county_of(user: &CurrentUser) -> AppResult<i64> {
    user.jurisdiction_id.ok_or(AppError::Forbidden)
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    call_id: i64,
    typed: &BTreeMap<String, String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let jurisdiction = county_of(user)?;
    let call = calls::get(&state.db, tenant_id, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, rules) = rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pending = batches::pending_for_call(&state.db, tenant_id, jurisdiction, call_id).await?;
    let candidates = pending
        .into_iter()
        .map(|p| Candidate {
            recorded: shanghai_minute(p.recorded_at),
            included: errors.is_empty()
                || typed.contains_key(&format!("include.{}", p.application_id)),
            rank: typed
                .get(&format!("rank.{}", p.application_id))
                .cloned()
                .unwrap_or_default(),
            p,
        })
        .collect();
    let page = BatchForm {
        basis: rules.texts.forwarding_basis.clone(),
        batches: batches::list(&state.db, tenant_id, Some(jurisdiction), Some(call_id)).await?,
        call,
        candidates,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn county_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    form_page(
        ctx,
        &state,
        &user,
        call_id,
        &BTreeMap::new(),
        FieldErrors::default(),
    )
    .await
}

/// The batch the form describes, or the messages for the fields that are wrong.
fn entries(pending: &[Prereview], fields: &BTreeMap<String, String>) -> Vec<Entry> {
    pending
        .iter()
        .map(|p| Entry {
            application_id: p.application_id,
            recommend: p.opinion == "recommend",
            included: fields.contains_key(&format!("include.{}", p.application_id)),
            rank: fields
                .get(&format!("rank.{}", p.application_id))
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

/// How many applications the form chose that no longer wait to be forwarded (returned or
/// forwarded in another tab since the form was loaded): the batch must not go without them
/// unnoticed.
fn stale_choices(pending: &[Prereview], fields: &BTreeMap<String, String>) -> usize {
    fields
        .keys()
        .filter_map(|k| k.strip_prefix("include."))
        .filter(|id| !pending.iter().any(|p| p.application_id.to_string() == *id))
        .count()
}

pub(crate) async fn county_forward(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, call_id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let jurisdiction_id = county_of(&user)?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "letter",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let pending = batches::pending_for_call(&state.db, tenant_id, jurisdiction_id, call_id).await?;
    let items = forwarding::order(&entries(&pending, &upload.fields)).unwrap_or_else(|problems| {
        for p in problems {
            match &p {
                Problem::NothingChosen => errors.add("include", p.message()),
                Problem::Rank(id, _) => errors.add(format!("rank.{id}"), p.message()),
            }
        }
        Vec::new()
    });
    let gone = stale_choices(&pending, &upload.fields);
    if gone > 0 {
        let message = format!(
            "所选申报中有 {gone} 个已不在待统一报送的申报中（可能刚被退回或已报送），本批未报送。请核对下表后重新报送。"
        );
        errors.add("include", message);
    }
    if upload.file.is_none() && errors.get("letter").is_none() {
        errors.add("letter", "请上传加盖公章的推荐函（PDF 或图片）。");
    }
    let Some(letter) = upload.file.as_ref().filter(|_| errors.is_empty()) else {
        return form_page(ctx, &state, &user, call_id, &upload.fields, errors).await;
    };
    let batch = service::Batch {
        call_id,
        jurisdiction_id,
        items: &items,
        letter,
    };
    let (id, number) = forward_batch(&state, tenant_id, &client.by(&user), &batch).await?;
    let message = format!("已统一报送第{number}批，共 {} 个申报。", items.len());
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/batches/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "applications/batch.html")]
struct BatchPage {
    ctx: PageCtx,
    batch: Batch,
    items: Vec<BatchItem>,
    forwarded: String,
}

impl BatchPage {
    fn state_label(&self, item: &BatchItem) -> &'static str {
        super::state_label(&item.state, item.version_number)
    }
}

async fn batch_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let jurisdiction = match user.role() {
        Role::Bureau => None,
        _ => Some(county_of(user)?),
    };
    let batch = batches::get(&state.db, tenant_id, jurisdiction, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&BatchPage {
        items: batches::items(&state.db, tenant_id, id).await?,
        forwarded: shanghai_minute(batch.forwarded_at),
        batch,
        ctx,
    })
}

pub(crate) async fn county_show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    batch_page(ctx, &state, &user, id).await
}

pub(crate) async fn bureau_show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    batch_page(ctx, &state, &user, id).await
}

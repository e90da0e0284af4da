//! Calls for applications as use-cases: the bureau drafts, edits, attaches the notice's files
//! to and publishes a call.
use crate::db::audit;
use crate::db::calls::{self, Call, CallFields};
use crate::db::documents;
use crate::db::events::Event;
use crate::db::transition::{self, By, Calls};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workflow::CallAction;
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::notify;
use crate::state::AppState;
use serde_json::json;

fn fields_json(f: &CallFields<'_>) -> serde_json::Value {
    json!({
        "title": f.title, "year": f.year, "rule_set_version_id": f.rule_set_version_id,
        "opens_at": f.opens_at, "deadline": f.deadline, "description": f.description,
    })
}

/// The bureau saves a new call as a draft; returns its id.
pub async fn create_draft(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    fields: &CallFields<'_>,
) -> AppResult<i64> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    let id = calls::insert(&mut tx, tenant_id, fields, user_id).await?;
    let entry = by.entry(tenant_id, "call", id, "create", fields_json(fields));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The bureau saves its edit of a draft call read at `lock_version`. Returns false, and
/// changes nothing, when someone saved in between or the call is no longer a draft.
pub async fn edit_draft(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    call: &Call,
    lock_version: i32,
    fields: &CallFields<'_>,
) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    if !calls::update_draft(&mut tx, tenant_id, call.id, lock_version, fields).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let entry = audit::Entry {
        before: Some(json!({
            "title": call.title, "year": call.year, "rule_set_version_id": call.rule_set_version_id,
            "opens_at": call.opens_at, "deadline": call.deadline, "description": call.description,
        })),
        ..by.entry(tenant_id, "call", call.id, "update", fields_json(fields))
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// The bureau attaches the official notice (or another file) to a call.
pub async fn attach_document(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    call_id: i64,
    file: &UploadedFile,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let (doc_id, sha256) = files::keep(
        state,
        &mut tx,
        tenant_id,
        documents::Owner::Call(call_id),
        "call_notice",
        file,
        by.user_id,
    )
    .await?;
    let details = json!({ "document_id": doc_id, "filename": file.filename, "sha256": sha256 });
    let entry = by.entry(tenant_id, "call", call_id, "attach_document", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The bureau publishes a call whose deadline is still ahead: it opens (or is scheduled to open
/// at `opens_at`) and its rule-set version is frozen.
pub async fn publish(state: &AppState, tenant_id: i64, by: &By, call_id: i64) -> AppResult<()> {
    let call = calls::get(&state.db, tenant_id, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if call.deadline <= state.clock.now() {
        return Err(AppError::Conflict(
            "截止时间已过，不能发布。请先修改截止时间。".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    let action = CallAction::Publish;
    transition::apply_in::<Calls>(&mut tx, tenant_id, call_id, action, by, None, &()).await?;
    let deadline = call
        .deadline
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let event = Event {
        kind: EventKind::CallPublished,
        object_kind: "call",
        object_id: call_id,
        links: vec![("", format!("/calls/{call_id}"))],
        facts: Facts {
            subject: call.title.clone(),
            due: Some(deadline),
            ..Facts::default()
        },
        audience: vec![Audience::CountiesAndOperators],
        dedupe_key: None,
    };
    notify::tell(&mut tx, state, tenant_id, event).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

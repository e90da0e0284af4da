//! The operator's draft, before it is submitted: opening an application in a call, saving the
//! form (附件1–2) and the roster (附件3) under their edit counters, attaching and removing
//! documents, and keeping the organization's own details.
use crate::db::applications::{self, FormValues};
use crate::db::audit;
use crate::db::documents::{self, Owner};
use crate::db::organizations::{self, Organization, OrganizationFields};
use crate::db::transition::By;
use crate::domain::roster::RosterRow;
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::applications::Loaded;
use crate::state::AppState;
use serde_json::json;

/// The acting user's id: every draft change is a signed-in operator's.
fn user_of(by: &By) -> AppResult<i64> {
    by.user_id.ok_or(AppError::Forbidden)
}

/// Opens a new application of the organization in an open call; returns its id.
pub async fn open_application(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    call_id: i64,
    org: &Organization,
) -> AppResult<i64> {
    let user_id = user_of(by)?;
    let mut tx = state.db.begin().await?;
    let id = applications::create(
        &mut tx,
        tenant_id,
        call_id,
        org.id,
        org.jurisdiction_id,
        user_id,
    )
    .await?;
    let details = json!({ "call_id": call_id, "organization_id": org.id });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "application", id, "create", details),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What an operator saves of the form: every value as typed, the park's name and county.
pub struct FormSave<'a> {
    pub expected_version: i32,
    pub park_name: &'a str,
    pub jurisdiction_id: Option<i64>,
    pub values: &'a FormValues,
}

/// Saves the draft's form if nobody saved since `expected_version`; false (nothing changed)
/// when someone did.
pub async fn save_form(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    id: i64,
    save: &FormSave<'_>,
) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    let saved = applications::save_form(
        &mut tx,
        tenant_id,
        id,
        save.expected_version,
        save.park_name,
        save.jurisdiction_id,
        save.values,
    )
    .await?;
    if !saved {
        return Ok(false);
    }
    let details = json!({
        "lock_version": save.expected_version + 1, "fields": save.values.len(),
    });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "application", id, "save_draft", details),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Replaces the draft's roster if nobody changed it since `expected_version` (`action` names
/// the edit on the trail: an import, a row added, edited or deleted).
pub async fn save_roster(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    expected_version: i32,
    rows: &[RosterRow],
    action: &str,
) -> AppResult<()> {
    let tenant_id = loaded.tenant_id;
    let id = loaded.app.id;
    let value = serde_json::to_value(rows).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin().await?;
    if !applications::save_roster(&mut tx, tenant_id, id, expected_version, &value).await? {
        return Err(AppError::Conflict(
            "名录已在其他页面被修改，本次操作未保存。请返回名录页面，刷新后重做。".into(),
        ));
    }
    let details = json!({ "rows": rows.len() });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "application", id, action, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps an uploaded document on the draft, under its category.
pub async fn attach_document(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    id: i64,
    category: &str,
    file: &UploadedFile,
) -> AppResult<()> {
    let user_id = user_of(by)?;
    let mut tx = state.db.begin().await?;
    let owner = Owner::Application(id);
    let (doc_id, sha256) =
        files::keep(state, &mut tx, tenant_id, owner, category, file, user_id).await?;
    let details = json!({
        "document_id": doc_id, "category": category, "filename": file.filename,
        "sha256": sha256, "size": file.bytes.len(),
    });
    let entry = by.entry(tenant_id, "application", id, "attach_document", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a document from the draft (a submitted version keeps its own copy).
pub async fn detach_document(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    id: i64,
    document_id: i64,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !documents::detach(&mut tx, tenant_id, id, document_id).await? {
        return Err(AppError::NotFound);
    }
    let details = json!({ "document_id": document_id });
    let entry = by.entry(tenant_id, "application", id, "detach_document", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The operator corrects its organization's details (the USCC, which identifies it, stays).
pub async fn update_organization(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    org: &Organization,
    fields: &OrganizationFields<'_>,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    organizations::update(&mut tx, tenant_id, org.id, fields).await?;
    let mut entry = by.entry(
        tenant_id,
        "organization",
        org.id,
        "update",
        json!({
            "name": fields.name, "jurisdiction_id": fields.jurisdiction_id,
            "address": fields.address, "legal_representative": fields.legal_representative,
            "contact_name": fields.contact_name, "contact_phone": fields.contact_phone,
        }),
    );
    entry.before = Some(json!({
        "name": org.name, "jurisdiction_id": org.jurisdiction_id, "address": org.address,
        "legal_representative": org.legal_representative,
        "contact_name": org.contact_name, "contact_phone": org.contact_phone,
    }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

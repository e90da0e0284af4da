//! The bureau's users as use-cases: opening an account for a county, an expert or a colleague,
//! and deactivating one.
use crate::auth::password;
use crate::db::transition::By;
use crate::db::users::{self, NewUser};
use crate::db::{audit, unique_violation};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;
use sqlx::PgConnection;

/// A sign-in account the bureau opens in its tenant.
pub struct NewAccount<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub jurisdiction_id: Option<i64>,
    pub password: &'a str,
}

/// Inserts the account with its password's `hash` in the caller's transaction; None when the
/// login is taken (the transaction must then be rolled back).
pub async fn insert_account(
    tx: &mut PgConnection,
    tenant_id: i64,
    account: &NewAccount<'_>,
    hash: &str,
) -> AppResult<Option<i64>> {
    let new = NewUser {
        tenant_id: Some(tenant_id),
        login: account.login,
        display_name: account.display_name,
        role: account.role,
        jurisdiction_id: account.jurisdiction_id,
        organization_id: None,
        password_hash: hash,
    };
    match users::insert(tx, &new).await {
        Ok(id) => Ok(Some(id)),
        Err(e) if unique_violation(&e).is_some() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The bureau opens an account in its tenant; returns its id, or None when the login is taken.
pub async fn create(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    account: &NewAccount<'_>,
) -> AppResult<Option<i64>> {
    let hash = password::hash(account.password.to_string()).await?;
    let mut tx = state.db.begin().await?;
    let Some(id) = insert_account(&mut tx, tenant_id, account, &hash).await? else {
        return Ok(None);
    };
    let details = json!({
        "login": account.login, "display_name": account.display_name,
        "role": account.role.as_str(), "jurisdiction_id": account.jurisdiction_id,
    });
    audit::record(&mut tx, by.entry(tenant_id, "user", id, "create", details)).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The bureau deactivates a user of its tenant, who loses access at once (every session
/// ends); returns the user's login.
pub async fn deactivate(state: &AppState, tenant_id: i64, by: &By, id: i64) -> AppResult<String> {
    let mut tx = state.db.begin().await?;
    let login = users::deactivate(&mut tx, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A deactivated account must lose access at once, not when its sessions expire.
    users::end_sessions(&mut tx, id).await?;
    let entry = audit::Entry {
        before: Some(json!({ "active": true })),
        ..by.entry(
            tenant_id,
            "user",
            id,
            "deactivate",
            json!({ "active": false }),
        )
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(login)
}

//! Accounts: an operator's self-registration, a new tenant with its first bureau user (the
//! admin's), and a user's own account — a new password (which ends every other session),
//! ending one session, two-factor sign-in on or off — each audited.
use crate::db::organizations::{self, OrganizationFields};
use crate::db::transition::By;
use crate::db::{audit, jurisdictions, tenants, unique_violation, users};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::{Value, json};
use sqlx::PgConnection;

/// Who acts on their own account: the user (an admin has no tenant).
pub struct Own<'a> {
    pub user_id: i64,
    pub tenant_id: Option<i64>,
    pub by: &'a By,
}

async fn record_own(
    tx: &mut PgConnection,
    own: &Own<'_>,
    action: &str,
    after: Value,
) -> AppResult<()> {
    let entry = audit::Entry {
        tenant_id: own.tenant_id,
        actor_user_id: Some(own.user_id),
        object_kind: "user",
        object_id: own.user_id.to_string(),
        action,
        before: None,
        after: Some(after),
        request_id: own.by.request_id.clone(),
        ip: own.by.ip.clone(),
    };
    audit::record(tx, entry).await?;
    Ok(())
}

/// Stores the new password's hash and ends every session but `current` (an id hash); returns
/// how many sessions ended.
pub async fn change_password(
    state: &AppState,
    own: &Own<'_>,
    hash: &str,
    current: &str,
) -> AppResult<u64> {
    let mut tx = state.db.begin().await?;
    users::set_password_hash(&mut tx, own.user_id, hash).await?;
    let ended = users::end_sessions_except(&mut tx, own.user_id, current).await?;
    let details = json!({ "password": "changed", "other_sessions_ended": ended });
    record_own(&mut tx, own, "change_password", details).await?;
    tx.commit().await?;
    Ok(ended)
}

/// The user chooses where besides the inbox they are told (audited: where messages go is a
/// security matter, and a changed address should be traceable).
pub async fn set_channels(state: &AppState, own: &Own<'_>, c: &users::Channels) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !users::set_channels(&mut tx, own.user_id, c).await? {
        return Ok(());
    }
    let details = json!({
        "email": c.email.is_some(), "mobile": c.mobile.is_some(),
        "notify_email": c.notify_email, "notify_sms": c.notify_sms,
    });
    record_own(&mut tx, own, "set_channels", details).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends one of the user's own sessions (by its id hash).
pub async fn end_session(state: &AppState, own: &Own<'_>, id_hash: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !users::end_session(&mut tx, own.user_id, id_hash).await? {
        return Err(AppError::NotFound);
    }
    let shown = &id_hash[..id_hash.len().min(12)];
    record_own(&mut tx, own, "end_session", json!({ "session": shown })).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores (or clears) the user's two-factor secret; the secret itself is not logged.
pub async fn set_totp(state: &AppState, own: &Own<'_>, secret: Option<&str>) -> AppResult<()> {
    let (action, value) = match secret {
        Some(_) => ("enable_totp", "on"),
        None => ("disable_totp", "off"),
    };
    let mut tx = state.db.begin().await?;
    users::set_totp_secret(&mut tx, own.user_id, secret).await?;
    record_own(&mut tx, own, action, json!({ "two_factor": value })).await?;
    tx.commit().await?;
    Ok(())
}

/// A field whose value is already taken (a USCC, a login, a tenant's address): the form shows
/// the message next to it and keeps what was typed.
pub struct Taken {
    pub field: &'static str,
    pub message: &'static str,
}

/// An operator's self-registration: its organization and its first account.
pub struct Registration<'a> {
    pub organization: OrganizationFields<'a>,
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

/// Registers an organization and its operator account in one transaction (the audit entry is
/// the new account's); a USCC or login already registered is a [`Taken`].
pub async fn register_operator(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    reg: &Registration<'_>,
) -> AppResult<Result<(), Taken>> {
    let mut tx = state.db.begin().await?;
    let org_id = match organizations::insert(&mut tx, tenant_id, &reg.organization).await {
        Ok(id) => id,
        Err(e) if unique_violation(&e).is_some() => {
            return Ok(Err(Taken {
                field: "uscc",
                message: "该统一社会信用代码已注册。请使用本单位已有账号登录，或联系市商务局。",
            }));
        }
        Err(e) => return Err(e.into()),
    };
    let new = users::NewUser {
        tenant_id: Some(tenant_id),
        login: reg.login,
        display_name: reg.display_name,
        role: Role::Operator,
        jurisdiction_id: None,
        organization_id: Some(org_id),
        password_hash: reg.password_hash,
    };
    let user_id = match users::insert(&mut tx, &new).await {
        Ok(id) => id,
        Err(e) if unique_violation(&e).is_some() => {
            return Ok(Err(Taken {
                field: "login",
                message: "该账号已存在，请换一个。",
            }));
        }
        Err(e) => return Err(e.into()),
    };
    let org = &reg.organization;
    let details = json!({
        "uscc": org.uscc, "name": org.name, "jurisdiction_id": org.jurisdiction_id,
        "operator_login": reg.login,
    });
    let mut entry = by.entry(tenant_id, "organization", org_id, "register", details);
    entry.actor_user_id = Some(user_id);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A new tenant (a city's bureau) as the admin sets it up: its counties and first bureau user.
pub struct TenantSetup<'a> {
    pub tenant: tenants::NewTenant<'a>,
    pub jurisdictions: &'a [(String, &'static str)],
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
}

/// Creates a tenant with its jurisdictions and first bureau account in one transaction; an
/// address already used is a [`Taken`].
pub async fn create_tenant(
    state: &AppState,
    by: &By,
    setup: &TenantSetup<'_>,
) -> AppResult<Result<tenants::Tenant, Taken>> {
    let mut tx = state.db.begin().await?;
    let tenant = match tenants::insert(&mut tx, &setup.tenant).await {
        Ok(t) => t,
        Err(e) if unique_violation(&e).is_some() => {
            return Ok(Err(Taken {
                field: "slug",
                message: "该网址标识已被使用。",
            }));
        }
        Err(e) => return Err(e.into()),
    };
    for (name, kind) in setup.jurisdictions {
        jurisdictions::insert(&mut tx, tenant.id, name, kind, None).await?;
    }
    let bureau = users::NewUser {
        tenant_id: Some(tenant.id),
        login: setup.login,
        display_name: setup.display_name,
        role: Role::Bureau,
        jurisdiction_id: None,
        organization_id: None,
        password_hash: setup.password_hash,
    };
    let bureau_id = users::insert(&mut tx, &bureau).await?;
    let names: Vec<&String> = setup.jurisdictions.iter().map(|(n, _)| n).collect();
    let details = json!({
        "tenant": tenant, "jurisdictions": names,
        "first_bureau_user": { "id": bureau_id, "login": setup.login },
    });
    audit::record(
        &mut tx,
        by.entry(tenant.id, "tenant", tenant.id, "create", details.clone()),
    )
    .await?;
    // The system administrator's act is in the platform's chain too, for the audit
    // administrator.
    let mut platform = by.entry(tenant.id, "tenant", tenant.id, "create", details);
    platform.tenant_id = None;
    audit::record(&mut tx, platform).await?;
    tx.commit().await?;
    Ok(Ok(tenant))
}

//! The platform administrators' use-cases (三员分立): the security administrator unlocks an
//! account; the audit administrator exports a chain as a signed file. Each is recorded in the
//! platform's own audit chain (no tenant), which only the audit administrator reads.
use crate::db::audit;
use crate::db::transition::By;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// A platform entry: an administrator's act, in the chain no tenant sees.
fn platform_entry<'a>(by: &By, kind: &'a str, id: String, action: &'a str) -> audit::Entry<'a> {
    audit::Entry {
        tenant_id: None,
        actor_user_id: by.user_id,
        object_kind: kind,
        object_id: id,
        action,
        before: None,
        after: None,
        request_id: by.request_id.clone(),
        ip: by.ip.clone(),
    }
}

/// The security administrator lets a locked-out account sign in again.
pub async fn unlock(
    state: &AppState,
    by: &By,
    tenant_id: Option<i64>,
    login: &str,
) -> AppResult<u64> {
    let mut tx = state.db.begin().await?;
    let forgotten = crate::auth::throttle::unlock(&mut tx, tenant_id, login).await?;
    if forgotten == 0 {
        return Err(AppError::Conflict("该账号当前未被锁定。".into()));
    }
    let mut entry = platform_entry(by, "account_lock", login.to_string(), "unlock");
    entry.after = Some(json!({ "tenant_id": tenant_id, "login": login, "failures": forgotten }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(forgotten)
}

/// A chain's entries over a period with their seals, as one JSON document signed with
/// HMAC-SM3 over its entries; the export itself is recorded.
pub async fn export_chain(
    state: &AppState,
    by: &By,
    (tenant_id, chain): (Option<i64>, &str),
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> AppResult<String> {
    let entries = audit::period(&state.db, tenant_id, from, to).await?;
    let crypto = crate::io::crypto::installed().map_err(anyhow::Error::from)?;
    // Signed in a form a verifier rebuilds from the file: the entries as compact JSON with
    // sorted keys.
    let entries = serde_json::to_value(&entries).map_err(anyhow::Error::from)?;
    let count = entries.as_array().map_or(0, Vec::len);
    let body = serde_json::to_string(&entries).map_err(anyhow::Error::from)?;
    let version = crypto.current();
    let signature = crypto
        .mac(
            version,
            format!("parkcert-audit-export|{chain}|{body}").as_bytes(),
        )
        .map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    let mut entry = platform_entry(by, "audit_export", chain.to_string(), "export");
    entry.after = Some(json!({ "from": from, "to": to, "entries": count }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    let document = json!({
        "chain": chain, "from": from, "to": to,
        "exported_at": state.clock.now(),
        "entries": entries,
        "signature": { "algorithm": "HMAC-SM3", "key_version": version, "value": signature,
                       "over": "parkcert-audit-export|<chain>|<entries as compact JSON, keys sorted>" },
    });
    Ok(serde_json::to_string_pretty(&document).map_err(anyhow::Error::from)?)
}

/// The security administrator sets the policy; in force at the next sign-in or password change.
pub async fn set_policy(
    state: &AppState,
    by: &By,
    policy: &crate::domain::security_policy::Policy,
) -> AppResult<()> {
    let before = crate::db::security_policy::get(&state.db).await?;
    let mut tx = state.db.begin().await?;
    crate::db::security_policy::save(&mut tx, policy, by.user_id).await?;
    let mut entry = platform_entry(by, "security_policy", "1".into(), "update");
    entry.before = Some(json!(before));
    entry.after = Some(json!(policy));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

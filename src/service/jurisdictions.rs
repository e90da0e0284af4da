//! The bureau's jurisdictions (辖区) as use-cases: adding one, and taking one in or out of use.
use crate::db::jurisdictions::{self, Jurisdiction};
use crate::db::transition::By;
use crate::db::{audit, unique_violation};
use crate::domain::jurisdiction_table::NewJurisdiction;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// The bureau adds a jurisdiction of `kind`; None when the tenant already has one of that name.
pub async fn create(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    name: &str,
    kind: &str,
) -> AppResult<Option<Jurisdiction>> {
    let mut tx = state.db.begin().await?;
    let j = match jurisdictions::insert(&mut tx, tenant_id, name, kind, None).await {
        Ok(j) => j,
        Err(e) if unique_violation(&e).is_some() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let details = json!({ "name": j.name, "kind": j.kind });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "jurisdiction", j.id, "create", details),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(j))
}

/// What an import did: the jurisdictions added, and the names the tenant already had (left as
/// they are).
pub struct Imported {
    pub added: Vec<String>,
    pub existing: Vec<String>,
}

/// The bureau imports its list of counties (or towns): all in one transaction, each audited; a
/// name the tenant already has is left as it is and reported.
pub async fn import(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    rows: &[NewJurisdiction],
) -> AppResult<Imported> {
    let have: Vec<String> = jurisdictions::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .map(|j| j.name)
        .collect();
    let mut done = Imported {
        added: vec![],
        existing: vec![],
    };
    let mut tx = state.db.begin().await?;
    for row in rows {
        if have.contains(&row.name) {
            done.existing.push(row.name.clone());
            continue;
        }
        let code = Some(row.division_code.as_str());
        let j = jurisdictions::insert(&mut tx, tenant_id, &row.name, row.kind, code).await?;
        let details = json!({ "name": j.name, "kind": j.kind, "division_code": j.division_code });
        audit::record(
            &mut tx,
            by.entry(tenant_id, "jurisdiction", j.id, "import", details),
        )
        .await?;
        done.added.push(j.name);
    }
    tx.commit().await?;
    Ok(done)
}

/// The bureau takes a jurisdiction into use (`active`) or out of it; returns it.
pub async fn set_active(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    id: i64,
    active: bool,
) -> AppResult<Jurisdiction> {
    let mut tx = state.db.begin().await?;
    let j = jurisdictions::set_active(&mut tx, tenant_id, id, active)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = if active { "activate" } else { "deactivate" };
    let entry = audit::Entry {
        before: Some(json!({ "active": !active })),
        ..by.entry(
            tenant_id,
            "jurisdiction",
            j.id,
            action,
            json!({ "active": active }),
        )
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(j)
}

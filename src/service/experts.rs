//! The expert pool (专家库) as use-cases: adding one expert, importing many from a sheet,
//! taking one out of the draw or back, and opening an expert's sign-in account.
use crate::auth::password;
use crate::db::experts::{self, Expert, NewExpert};
use crate::db::transition::By;
use crate::db::{audit, jurisdictions, unique_violation};
use crate::domain::expert_pool::ExpertRow;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::users::{NewAccount, insert_account};
use crate::state::AppState;
use serde_json::json;

async fn insert_row(
    tx: &mut sqlx::PgConnection,
    tenant_id: i64,
    row: &ExpertRow,
    home: Option<i64>,
) -> sqlx::Result<i64> {
    experts::insert(
        tx,
        tenant_id,
        &NewExpert {
            name: &row.name,
            employer: &row.employer,
            employer_uscc: row.employer_uscc.as_deref(),
            specialties: &row.specialties,
            home_jurisdiction_id: home,
            mobile: &row.mobile,
            email: row.email.as_deref(),
            title: row.title.as_deref(),
            user_id: None,
        },
    )
    .await
}

/// The bureau adds one expert (living in jurisdiction `home`); returns the id, or None when
/// the pool already has an expert with that mobile number.
pub async fn add(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    expert: &ExpertRow,
    home: Option<i64>,
) -> AppResult<Option<i64>> {
    let mut tx = state.db.begin().await?;
    let id = match insert_row(&mut tx, tenant_id, expert, home).await {
        Ok(id) => id,
        Err(e) if unique_violation(&e).is_some() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let details = json!({
        "name": expert.name, "employer": expert.employer, "specialties": expert.specialties,
    });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "expert", id, "create", details),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Each row's home jurisdiction by name among the tenant's, or a message per unknown name.
async fn homes_of(
    state: &AppState,
    tenant_id: i64,
    rows: &[ExpertRow],
) -> AppResult<Result<Vec<Option<i64>>, Vec<String>>> {
    let known = jurisdictions::list(&state.db, tenant_id).await?;
    let mut messages = Vec::new();
    let mut homes = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let home = match &row.home_jurisdiction {
            Some(name) => match known.iter().find(|j| &j.name == name) {
                Some(j) => Some(j.id),
                None => {
                    messages.push(format!(
                        "第{}位专家 {}：辖区“{name}”不在本市辖区列表中",
                        i + 1,
                        row.name
                    ));
                    None
                }
            },
            None => None,
        };
        homes.push(home);
    }
    Ok(if messages.is_empty() {
        Ok(homes)
    } else {
        Err(messages)
    })
}

/// The bureau imports the rows of a sheet, all or nothing: every row's jurisdiction known and
/// every mobile number new, or nothing is added and the problems are returned.
pub async fn import(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    rows: &[ExpertRow],
) -> AppResult<Result<(), Vec<String>>> {
    let homes = match homes_of(state, tenant_id, rows).await? {
        Ok(homes) => homes,
        Err(messages) => return Ok(Err(messages)),
    };
    let mut messages = Vec::new();
    let mut tx = state.db.begin().await?;
    for (row, home) in rows.iter().zip(homes) {
        if let Err(e) = insert_row(&mut tx, tenant_id, row, home).await {
            if unique_violation(&e).is_some() {
                messages.push(format!(
                    "{}：手机号码 {} 已在专家库中",
                    row.name, row.mobile
                ));
                continue;
            }
            return Err(e.into());
        }
    }
    if !messages.is_empty() {
        tx.rollback().await?;
        return Ok(Err(messages));
    }
    let details = json!({ "imported": rows.len() });
    let entry = by.entry(tenant_id, "expert_pool", tenant_id, "import", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// The bureau takes an expert out of the draw, or back into it; returns the expert as before.
pub async fn toggle_active(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    id: i64,
) -> AppResult<Expert> {
    let expert = experts::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    experts::set_active(&mut tx, tenant_id, id, !expert.active).await?;
    let details = json!({ "active": !expert.active });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "expert", id, "set_active", details),
    )
    .await?;
    tx.commit().await?;
    Ok(expert)
}

/// The bureau opens the expert's sign-in account (role expert), linked to the pool entry;
/// returns the user's id, or None when the login is taken.
pub async fn open_account(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    expert: &Expert,
    login: &str,
    password: &str,
) -> AppResult<Option<i64>> {
    let hash = password::hash(password.to_string()).await?;
    let account = NewAccount {
        login,
        display_name: &expert.name,
        role: Role::Expert,
        jurisdiction_id: None,
        password,
    };
    let mut tx = state.db.begin().await?;
    let Some(user_id) = insert_account(&mut tx, tenant_id, &account, &hash).await? else {
        return Ok(None);
    };
    experts::link_user(&mut tx, tenant_id, expert.id, user_id).await?;
    let details = json!({ "login": login, "user_id": user_id });
    let entry = by.entry(tenant_id, "expert", expert.id, "open_account", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

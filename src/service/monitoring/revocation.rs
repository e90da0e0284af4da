//! Revocation (撤销称号) as a use-case: immediate, with the ground's article, the reasons and
//! the evidence; the bar on reapplying and the funds to recover follow from the ground.
use crate::db::applications;
use crate::db::documents::Owner;
use crate::db::monitoring::{self, NewRevocation};
use crate::db::titles::{self, Park};
use crate::db::transition::By;
use crate::domain::monitoring::RevocationGround;
use crate::domain::notification::EventKind;
use crate::domain::ruleset::RuleSet;
use crate::domain::workflow::{ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::notify::{self, About, Park as Told};
use crate::state::AppState;
use chrono::{Months, NaiveDate};

/// What the bureau revokes a title on.
pub struct Revocation<'a> {
    pub ground: RevocationGround,
    pub reason: &'a str,
    /// The funds to recover (a ground that recovers them).
    pub funds: Option<i64>,
    pub evidence: Vec<&'a UploadedFile>,
}

/// What a revocation leaves behind: until when the operator may not apply again, and the
/// names of its applications still in progress, which must not be awarded.
pub struct Revoked {
    pub barred_until: Option<NaiveDate>,
    pub pending: Vec<String>,
}

/// The bureau revokes a park's title under the park's rule set: the transition, the revocation
/// record (with the bar on the operator's USCC), the evidence and the title's note, in one
/// transaction.
pub async fn revoke(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    park: &Park,
    rules: &RuleSet,
    r: &Revocation<'_>,
) -> AppResult<Revoked> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let (award, ground) = (park.award_id, r.ground);
    let today = state.clock.today();
    let barred_until = ground
        .bar_years
        .and_then(|y| today.checked_add_months(Months::new(12 * y)))
        .and_then(|d| d.pred_opt());
    let mut tx = state.db.begin().await?;
    let note = format!("{today} 撤销称号：{}（{}）", ground.label, ground.article);
    titles::transition(
        &mut tx,
        tenant_id,
        award,
        ApplicationAction::Revoke,
        by,
        Some(&format!("{}：{}", ground.label, r.reason)),
        &WorkflowRules::for_rule_set(rules),
    )
    .await?;
    let revocation = NewRevocation {
        award_id: award,
        ground: ground.key,
        article: ground.article,
        reason: r.reason,
        uscc: &park.uscc,
        revoked_on: today,
        barred_until,
        funds_to_recover: r.funds,
        revoked_by: user_id,
    };
    monitoring::insert_revocation(&mut tx, tenant_id, &revocation).await?;
    for file in &r.evidence {
        let (owner, category) = (Owner::Award(award), "revocation_evidence");
        files::keep(state, &mut tx, tenant_id, owner, category, file, user_id).await?;
    }
    titles::note(&mut tx, tenant_id, award, &note, today).await?;
    let about = About {
        detail: &format!("{}（{}）", ground.label, ground.article),
        ..About::default()
    };
    let kind = EventKind::Revoked;
    notify::about_park(&mut tx, state, tenant_id, Told::Award(award), kind, about).await?;
    tx.commit().await?;
    state.outbox.wake();
    let pending = match barred_until {
        Some(_) => applications::in_progress_of_operator(&state.db, tenant_id, &park.uscc)
            .await?
            .into_iter()
            .map(|(_, name)| name)
            .collect(),
        None => Vec::new(),
    };
    Ok(Revoked {
        barred_until,
        pending,
    })
}

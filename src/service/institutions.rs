//! Third-party review institutions (中山 第八条（三）): the bureau registers one with its staff
//! accounts and commissions applications to it, instead of or beside a panel; the recusal
//! rules apply to it; its staff submit the institution's opinion with its report.
use crate::auth::password;
use crate::db::audit;
use crate::db::documents::Owner;
use crate::db::events::Event;
use crate::db::institutions::{self, Institution, Review};
use crate::db::transition::{self, By, Change, InstitutionReviews};
use crate::domain::institution::{self, Party};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::role::Role;
use crate::domain::workflow::{ApplicationState, InstitutionReviewAction};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::applications::{Loaded, roster_of};
use crate::service::review::complete_if_done;
use crate::service::users::{NewAccount, insert_account};
use crate::state::AppState;
use serde_json::json;

/// Registers an institution; None when the tenant has one with this USCC already.
pub async fn register(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    (name, uscc, contact): (&str, &str, &str),
) -> AppResult<Option<i64>> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let mut tx = state.db.begin().await?;
    let id = match institutions::insert(&mut tx, tenant_id, (name, uscc, contact), user_id).await {
        Ok(id) => id,
        Err(e)
            if crate::db::unique_violation(&e).as_deref()
                == Some("review_institutions_uscc_key") =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let details = json!({ "name": name, "uscc": uscc, "contact": contact });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "institution", id, "register", details),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Opens a staff account of the institution (an expert-role account tied to it); None when
/// the login is taken.
pub async fn open_staff_account(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    institution: &Institution,
    (login, name, secret): (&str, &str, &str),
) -> AppResult<Option<i64>> {
    let hash = password::hash(secret.to_string()).await?;
    let account = NewAccount {
        login,
        display_name: name,
        role: Role::Expert,
        jurisdiction_id: None,
        password: secret,
    };
    let mut tx = state.db.begin().await?;
    let Some(user_id) = insert_account(&mut tx, tenant_id, &account, &hash).await? else {
        return Ok(None);
    };
    institutions::link_staff(&mut tx, tenant_id, institution.id, user_id).await?;
    let details = json!({ "login": login, "user_id": user_id, "name": name });
    let entry = by.entry(
        tenant_id,
        "institution",
        institution.id,
        "open_account",
        details,
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Why the institution may not review the application (it is, or is on the roster of, the
/// applicant), judged on the version under review.
pub async fn recusal(
    state: &AppState,
    loaded: &Loaded,
    i: &Institution,
) -> AppResult<Option<String>> {
    let versions =
        crate::db::applications::versions(&state.db, loaded.tenant_id, loaded.app.id).await?;
    let roster = versions
        .last()
        .map(|v| roster_of(&v.roster.0))
        .unwrap_or_default();
    let parties: Vec<Party> = roster
        .iter()
        .map(|r| Party {
            uscc: &r.uscc,
            name: &r.name,
        })
        .collect();
    let applicant = Party {
        uscc: &loaded.app.organization_uscc,
        name: &loaded.app.organization_name,
    };
    let me = Party {
        uscc: &i.uscc,
        name: &i.name,
    };
    Ok(institution::conflict(me, applicant, &parties))
}

/// Commissions the application in review to the institution, unless it must recuse.
pub async fn assign(state: &AppState, loaded: &Loaded, by: &By, i: &Institution) -> AppResult<i64> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if loaded.app.state != ApplicationState::InReview.as_str() {
        return Err(AppError::Conflict(
            "只有评审中的申报才能委托第三方机构评审。".into(),
        ));
    }
    if let Some(reason) = recusal(state, loaded, i).await? {
        return Err(AppError::BadRequest(format!(
            "{reason}，须回避，不能委托其评审。"
        )));
    }
    let tenant_id = loaded.tenant_id;
    let mut tx = state.db.begin().await?;
    let id = institutions::insert_review(&mut tx, tenant_id, i.id, loaded.app.id, user_id)
        .await
        .map_err(|e| match crate::db::unique_violation(&e) {
            Some(_) => AppError::Conflict("该申报已委托给这家机构。".into()),
            None => e.into(),
        })?;
    let details = json!({ "institution": i.id, "name": i.name, "application": loaded.app.id });
    let entry = by.entry(tenant_id, "institution_review", id, "assign", details);
    audit::record(&mut tx, entry).await?;
    let staff = institutions::staff(&state.db, tenant_id, i.id).await?;
    let event = Event {
        kind: EventKind::InstitutionCommissioned,
        object_kind: "institution_review",
        object_id: id,
        links: vec![("expert", format!("/expert/institution-reviews/{id}"))],
        facts: Facts {
            subject: loaded.app.park_name.clone(),
            ..Facts::default()
        },
        audience: staff
            .iter()
            .map(|(user, _, _)| Audience::User(*user))
            .collect(),
        dedupe_key: None,
    };
    crate::service::notify::tell(&mut tx, state, tenant_id, event).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(id)
}

/// The institution's opinion, with its report; locked once submitted, and may complete the
/// application's review.
pub async fn submit_opinion(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    review: &Review,
    (opinion, summary, report): (&str, &str, &UploadedFile),
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let tenant_id = loaded.tenant_id;
    let mut tx = state.db.begin().await?;
    let owner = Owner::InstitutionReview(review.id);
    let (doc, _) = files::keep(
        state,
        &mut tx,
        tenant_id,
        owner,
        "institution_report",
        report,
        user_id,
    )
    .await?;
    if !institutions::write_opinion(
        &mut tx,
        tenant_id,
        review.id,
        (opinion, summary, doc),
        user_id,
    )
    .await?
    {
        return Err(AppError::Conflict(
            "机构评审意见已提交，不能再修改。".into(),
        ));
    }
    let change = Change {
        action: InstitutionReviewAction::SubmitOpinion,
        by,
        reason: None,
    };
    let details = json!({ "opinion": opinion, "summary": summary, "report": doc });
    transition::apply_recording::<InstitutionReviews>(
        &mut tx,
        tenant_id,
        review.id,
        change,
        &(),
        details,
    )
    .await?;
    complete_if_done(&mut tx, state, loaded).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

//! Objections (异议) as use-cases: a member of the public files one while the publicity window
//! is open; the bureau names an investigator and decides.
use crate::db::audit;
use crate::db::documents::Owner;
use crate::db::events::Event;
use crate::db::objections::{self, NewObjection};
use crate::db::publicity::Notice;
use crate::db::transition::{self, Applications, By, Objections};
use crate::domain::notification::{self, Audience, Channel, EventKind, Facts};
use crate::domain::workflow::{self, ApplicationState, ObjectionAction, ObjectionState};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use sqlx::PgConnection;

/// Objections one address may file per hour.
pub const PER_IP_PER_HOUR: i64 = 5;

fn too_many() -> AppError {
    AppError::TooManyRequests("提交过于频繁，请一小时后再试。".into())
}

/// Twelve characters from an alphabet without look-alikes: unguessable, easy to read aloud.
fn case_number() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Refuses a filing before its form is read: outside the notice's publicity window, or from an
/// address that filed its hourly share already.
pub async fn check_may_file(
    state: &AppState,
    notice: &Notice,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !notice.is_open_at(now) {
        return Err(AppError::Conflict(
            "不在公示期内，不受理异议。公示期为 ".to_string()
                + &notice.window_label()
                + "（北京时间）。",
        ));
    }
    let hour_ago = now - chrono::Duration::hours(1);
    if objections::count_from_ip(&state.db, ip, hour_ago).await? >= PER_IP_PER_HOUR {
        return Err(too_many());
    }
    Ok(())
}

/// Who files: a member of the public, known by the address (and the request) they file from.
pub struct Filer<'a> {
    pub ip: &'a str,
    pub request_id: Option<String>,
}

/// What the public files: the park on the notice, the filer's name and contact, the grounds and
/// the evidence.
pub struct Filing<'a> {
    pub notice_id: i64,
    pub application_id: i64,
    pub filer_name: &'a str,
    pub filer_contact: &'a str,
    /// The filer asked to hear the decision at the contact given.
    pub notify_me: bool,
    pub grounds: &'a str,
    pub filed_at: DateTime<Utc>,
    pub evidence: Vec<&'a UploadedFile>,
}

/// Files an objection with its evidence, under the application's lock (an award takes it too)
/// and the filer's address's lock (the rate limit); returns the case number. The same objection
/// pressed again within a minute gets the first case's number back.
pub async fn file(
    state: &AppState,
    tenant_id: i64,
    filer: &Filer<'_>,
    filing: &Filing<'_>,
) -> AppResult<String> {
    let case_no = case_number();
    let new = NewObjection {
        notice_id: filing.notice_id,
        application_id: filing.application_id,
        case_no: &case_no,
        filer_name: filing.filer_name,
        filer_contact: filing.filer_contact,
        notify_by: match filing.notify_me {
            true => notification::channel_of_contact(filing.filer_contact).as_str(),
            false => "none",
        },
        grounds: filing.grounds,
        filed_at: filing.filed_at,
        filer_ip: filer.ip,
    };
    let mut tx = state.db.begin().await?;
    objections::lock_filer(&mut tx, filer.ip).await?;
    let minute_ago = filing.filed_at - chrono::Duration::minutes(1);
    if let Some(first) = objections::same_filed_since(&mut tx, tenant_id, &new, minute_ago).await? {
        return Ok(first);
    }
    // Under the application's lock (the award takes it too), the park must still be in
    // publicity: an objection is never filed behind an award that did not count it.
    let locked = transition::lock_state::<Applications>(&mut tx, tenant_id, new.application_id)
        .await?
        .parse::<ApplicationState>()
        .map_err(|e| AppError::Internal(e.into()))?;
    workflow::check_objection_filing(locked).map_err(transition::refused)?;
    let hour_ago = filing.filed_at - chrono::Duration::hours(1);
    if objections::count_from_ip(&mut *tx, filer.ip, hour_ago).await? >= PER_IP_PER_HOUR {
        return Err(too_many());
    }
    let objection = objections::insert(&mut tx, tenant_id, &new).await?;
    for file in &filing.evidence {
        let owner = Owner::Objection(objection);
        files::keep(
            state,
            &mut tx,
            tenant_id,
            owner,
            "objection_evidence",
            file,
            None,
        )
        .await?;
    }
    let evidence: Vec<_> = filing.evidence.iter().map(|f| f.filename.clone()).collect();
    let entry = audit::Entry {
        tenant_id: Some(tenant_id),
        actor_user_id: None,
        object_kind: "objection",
        object_id: objection.to_string(),
        action: "file",
        before: None,
        after: Some(json!({
            "case_no": case_no, "application_id": new.application_id, "evidence": evidence,
        })),
        request_id: filer.request_id.clone(),
        ip: Some(filer.ip.to_string()),
    };
    audit::record(&mut tx, entry).await?;
    let park = Park::Application(new.application_id);
    let kind = EventKind::ObjectionFiled;
    notify::about_park(&mut tx, state, tenant_id, park, kind, About::default()).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(case_no)
}

/// The bureau names the investigator (someone who did not score the park) and the case moves
/// into investigation.
pub async fn investigate(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    objection_id: i64,
    investigator_id: i64,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let action = ObjectionAction::Investigate;
    transition::apply_in::<Objections>(&mut tx, tenant_id, objection_id, action, by, None, &())
        .await?;
    objections::set_investigator(&mut tx, tenant_id, objection_id, investigator_id).await?;
    let case = objections::get_in(&mut tx, tenant_id, objection_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = Event {
        kind: EventKind::InvestigatorAssigned,
        object_kind: "objection",
        object_id: objection_id,
        links: vec![("bureau", format!("/bureau/objections/{objection_id}"))],
        facts: Facts {
            subject: case.park_name,
            ..Facts::default()
        },
        audience: vec![Audience::User(investigator_id)],
        dedupe_key: None,
    };
    notify::tell(&mut tx, state, tenant_id, event).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// The bureau upholds or dismisses an objection, with the investigation's record and the reason
/// the filer reads by the case number.
pub async fn decide(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    objection_id: i64,
    action: ObjectionAction,
    investigation: &str,
    reason: &str,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    objections::record_decision(&mut tx, tenant_id, objection_id, investigation, reason).await?;
    transition::apply_in::<Objections>(
        &mut tx,
        tenant_id,
        objection_id,
        action,
        by,
        Some(reason),
        &(),
    )
    .await?;
    tell_decision(&mut tx, state, tenant_id, objection_id, action).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

/// The park's operator hears the outcome; the filer too, at the contact given, if they asked.
async fn tell_decision(
    tx: &mut PgConnection,
    state: &AppState,
    tenant_id: i64,
    objection_id: i64,
    action: ObjectionAction,
) -> AppResult<()> {
    let case = objections::get_in(tx, tenant_id, objection_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = match action {
        ObjectionAction::Uphold => ObjectionState::Upheld.label(),
        _ => ObjectionState::Dismissed.label(),
    };
    let about = About {
        detail: outcome,
        ..About::default()
    };
    let park = Park::Application(case.application_id);
    notify::about_park(
        tx,
        state,
        tenant_id,
        park,
        EventKind::ObjectionDecided,
        about,
    )
    .await?;
    let Ok(channel) = case.notify_by.parse::<Channel>() else {
        return Ok(());
    };
    let event = Event {
        kind: EventKind::ObjectionAnswered,
        object_kind: "objection",
        object_id: objection_id,
        links: vec![("", "/objections/status".to_string())],
        facts: Facts {
            subject: case.case_no,
            detail: outcome.to_string(),
            ..Facts::default()
        },
        audience: vec![Audience::Contact {
            channel,
            address: case.filer_contact,
        }],
        dedupe_key: None,
    };
    notify::tell(tx, state, tenant_id, event).await?;
    Ok(())
}

//! Telling people: the use-cases call these inside their own transaction, so that what they
//! record is told exactly when it commits (`db::events` writes the messages and the outbox),
//! and wake the outbox worker after the commit.
use crate::db::events::{self, Event, ParkRef};
use crate::domain::notification::{Audience, EventKind, Facts, ParkParty, park_party};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use sqlx::PgConnection;

/// Records `event`; false when its dedupe key was recorded before.
pub async fn tell(
    tx: &mut PgConnection,
    state: &AppState,
    tenant_id: i64,
    event: Event,
) -> AppResult<bool> {
    Ok(
        events::record(tx, tenant_id, state.outbox.channels(), event)
            .await?
            .is_some(),
    )
}

/// What an event about a park adds to the park: reasons, a due date, a dedupe key.
#[derive(Debug, Clone, Default)]
pub struct About<'a> {
    pub detail: &'a str,
    pub due: Option<NaiveDate>,
    pub dedupe_key: Option<String>,
}

/// The park of an application or of an award, as events name it.
pub enum Park {
    Application(i64),
    Award(i64),
}

/// Tells those answering for a park (`park_party`) of `kind`, linking each to the park's page
/// in their own area.
pub async fn about_park(
    tx: &mut PgConnection,
    state: &AppState,
    tenant_id: i64,
    park: Park,
    kind: EventKind,
    about: About<'_>,
) -> AppResult<bool> {
    let (app, award) = match park {
        Park::Application(id) => (Some(id), None),
        Park::Award(id) => (None, Some(id)),
    };
    let p = events::park_of(tx, tenant_id, app, award)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no park for {kind}")))?;
    let event = Event {
        kind,
        object_kind: if award.is_some() {
            "award"
        } else {
            "application"
        },
        object_id: award.or(app).unwrap_or_default(),
        links: park_links(&p, award.is_some()),
        facts: Facts {
            subject: p.park_name.clone(),
            detail: about.detail.to_string(),
            due: about.due,
            ..Facts::default()
        },
        audience: park_audience(&p, park_party(kind)),
        dedupe_key: about.dedupe_key,
    };
    tell(tx, state, tenant_id, event).await
}

fn park_audience(p: &ParkRef, party: ParkParty) -> Vec<Audience> {
    let county = p.jurisdiction_id.map(Audience::County);
    let operator = Audience::Organization(p.organization_id);
    match party {
        ParkParty::Operator => vec![operator],
        ParkParty::County => county.into_iter().collect(),
        ParkParty::OperatorAndCounty => std::iter::once(operator).chain(county).collect(),
        ParkParty::Bureau => vec![Audience::Bureau],
    }
}

/// The application's page in each area; for the monitoring of an awarded park, the park's.
fn park_links(p: &ParkRef, monitoring: bool) -> Vec<(&'static str, String)> {
    match (monitoring, p.award_id, p.application_id) {
        (true, Some(award), _) | (false, Some(award), None) => vec![
            ("operator", format!("/operator/parks/{award}")),
            ("county", "/county/monitoring".to_string()),
            ("bureau", format!("/bureau/monitoring/parks/{award}")),
        ],
        (_, _, app) => vec![
            (
                "operator",
                format!("/operator/applications/{}", app.unwrap_or_default()),
            ),
            (
                "county",
                format!("/county/applications/{}", app.unwrap_or_default()),
            ),
            (
                "bureau",
                format!("/bureau/applications/{}", app.unwrap_or_default()),
            ),
        ],
    }
}

/// The bureau puts a failed delivery back in the queue (audited); the worker sends it at once.
pub async fn retry_delivery(
    state: &AppState,
    tenant_id: i64,
    by: &crate::db::transition::By,
    id: i64,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let retried = crate::db::outbox::retry(&mut tx, tenant_id, id).await?;
    if !retried.ok_or(AppError::NotFound)? {
        return Err(AppError::Conflict(
            "该条发送记录不是发送失败状态，无需重发。".into(),
        ));
    }
    let entry = by.entry(tenant_id, "delivery", id, "retry", serde_json::json!({}));
    crate::db::audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(())
}

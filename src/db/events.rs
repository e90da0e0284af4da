//! Events and their messages, written in the transaction of the use-case that caused them: the
//! event row, each recipient's in-app message (delivered by the commit itself) and the outbox
//! rows for e-mail and SMS that `jobs::outbox` sends afterwards. A rolled-back use-case leaves
//! none of them.
use crate::domain::notification::{Audience, Channel, EventKind, Facts, compose};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Something to tell: its kind, the object it concerns and the page the messages link to.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub object_kind: &'static str,
    pub object_id: i64,
    /// The page each recipient is sent to, by the recipient's role area (`operator`, `county`,
    /// `bureau`, `expert`); a recipient whose area is not listed (and a contact) gets the first.
    /// Paths are the tenant's (`/county/applications/7` for `/t/wenzhou/county/applications/7`).
    pub links: Vec<(&'static str, String)>,
    pub facts: Facts,
    pub audience: Vec<Audience>,
    /// Set for reminders the clock makes, so each is recorded once however often the sweep runs.
    pub dedupe_key: Option<String>,
}

impl Event {
    /// The page for a recipient of role area `area`.
    fn link_for(&self, area: &str) -> String {
        self.links
            .iter()
            .find(|(a, _)| *a == area)
            .or(self.links.first())
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// Which channels besides the inbox this server sends through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Channels {
    pub email: bool,
}

#[derive(sqlx::FromRow)]
struct Recipient {
    id: i64,
    role: String,
    email: Option<String>,
    mobile: Option<String>,
    notify_email: bool,
    notify_sms: bool,
}

/// Records `event` for `tenant_id` and its messages; returns the event's id, or None when an
/// event with the same dedupe key was recorded before (nothing is written then). `facts.from`
/// is filled in with the tenant's name.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: i64,
    channels: Channels,
    mut event: Event,
) -> sqlx::Result<Option<i64>> {
    let (name, slug): (String, String) =
        sqlx::query_as("SELECT name, slug FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *conn)
            .await?;
    if event.facts.from.is_empty() {
        event.facts.from = name;
    }
    for (_, link) in &mut event.links {
        *link = format!("/t/{slug}{link}");
    }
    let facts = serde_json::to_value(&event.facts).unwrap_or_default();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO events (tenant_id, kind, object_kind, object_id, link, facts, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(event.kind.as_str())
    .bind(event.object_kind)
    .bind(event.object_id)
    .bind(event.link_for(""))
    .bind(facts)
    .bind(&event.dedupe_key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    let text = compose(event.kind, &event.facts);
    let users = recipients(conn, tenant_id, &event.audience).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let links: Vec<String> = users.iter().map(|u| event.link_for(&u.role)).collect();
    sqlx::query(
        "INSERT INTO messages (tenant_id, event_id, user_id, title, body, link)
         SELECT $1, $2, u, $3, $4, l FROM unnest($5::bigint[], $6::text[]) AS r (u, l)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&text.title)
    .bind(&text.body)
    .bind(&ids)
    .bind(&links)
    .execute(&mut *conn)
    .await?;
    let mut outbox = Vec::new();
    for (u, link) in users.iter().zip(&links) {
        let who = format!("u{}", u.id);
        if let (true, true, Some(address)) = (channels.email, u.notify_email, &u.email) {
            outbox.push((
                Some(u.id),
                who.clone(),
                Channel::Email,
                address.clone(),
                link,
            ));
        }
        if let (true, Some(address)) = (u.notify_sms, &u.mobile) {
            outbox.push((Some(u.id), who, Channel::Sms, address.clone(), link));
        }
    }
    let first = event.link_for("");
    for (n, (channel, address)) in contacts(conn, tenant_id, &event.audience)
        .await?
        .into_iter()
        .enumerate()
    {
        if channel == Channel::Email && !channels.email {
            continue;
        }
        outbox.push((None, format!("c{n}"), channel, address, &first));
    }
    for (user_id, recipient, channel, address, link) in outbox {
        let (subject, body) = match channel {
            Channel::Email => (text.title.clone(), text.body.clone()),
            Channel::Sms => (String::new(), text.sms.clone()),
        };
        sqlx::query(
            "INSERT INTO deliveries (tenant_id, event_id, user_id, recipient, channel, address,
                                     subject, body, link, delivery_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(user_id)
        .bind(&recipient)
        .bind(channel.as_str())
        .bind(&address)
        .bind(subject)
        .bind(body)
        .bind(link)
        .bind(format!("{id}.{recipient}.{channel}"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(Some(id))
}

/// The active users the audience names, each once.
async fn recipients(
    conn: &mut PgConnection,
    tenant_id: i64,
    audience: &[Audience],
) -> sqlx::Result<Vec<Recipient>> {
    let (mut counties, mut orgs, mut users, mut experts) = (vec![], vec![], vec![], vec![]);
    let (mut everyone_local, mut bureau) = (false, false);
    for a in audience {
        match a {
            Audience::CountiesAndOperators => everyone_local = true,
            Audience::County(j) => counties.push(*j),
            Audience::Organization(o) => orgs.push(*o),
            Audience::Bureau => bureau = true,
            Audience::Expert(e) => experts.push(*e),
            Audience::User(u) => users.push(*u),
            Audience::Contact { .. } => {}
        }
    }
    sqlx::query_as(
        "SELECT id, role, email, mobile, notify_email, notify_sms FROM users
          WHERE tenant_id = $1 AND active
            AND ((role IN ('county', 'operator') AND $2)
              OR (role = 'county' AND jurisdiction_id = ANY($3))
              OR (role = 'operator' AND organization_id = ANY($4))
              OR (role = 'bureau' AND $5)
              OR id = ANY($6)
              OR id IN (SELECT user_id FROM experts WHERE tenant_id = $1 AND id = ANY($7)))
          ORDER BY id",
    )
    .bind(tenant_id)
    .bind(everyone_local)
    .bind(&counties)
    .bind(&orgs)
    .bind(bureau)
    .bind(&users)
    .bind(&experts)
    .fetch_all(&mut *conn)
    .await
}

/// Recipients who are no users: contacts given, and experts of the pool without an account
/// (told by text message at the pool's mobile number).
async fn contacts(
    conn: &mut PgConnection,
    tenant_id: i64,
    audience: &[Audience],
) -> sqlx::Result<Vec<(Channel, String)>> {
    let mut out = Vec::new();
    let mut experts = Vec::new();
    for a in audience {
        match a {
            Audience::Contact { channel, address } => out.push((*channel, address.clone())),
            Audience::Expert(e) => experts.push(*e),
            _ => {}
        }
    }
    if !experts.is_empty() {
        let mobiles: Vec<String> = sqlx::query_scalar(
            "SELECT mobile FROM experts
              WHERE tenant_id = $1 AND id = ANY($2) AND user_id IS NULL ORDER BY id",
        )
        .bind(tenant_id)
        .bind(&experts)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(mobiles.into_iter().map(|m| (Channel::Sms, m)));
    }
    Ok(out)
}

/// One message in a user's inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A user's messages, unread first, newest first within each.
pub async fn inbox(
    pool: &sqlx::PgPool,
    tenant_id: i64,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(
        "SELECT m.id, e.kind, m.title, m.body, m.link, m.read_at, m.created_at
           FROM messages m JOIN events e ON e.tenant_id = m.tenant_id AND e.id = m.event_id
          WHERE m.tenant_id = $1 AND m.user_id = $2
          ORDER BY (m.read_at IS NULL) DESC, m.id DESC LIMIT $3",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn unread_count(pool: &sqlx::PgPool, tenant_id: i64, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_one(pool)
    .await
}

/// Marks one of the user's messages read; returns its link, or None if it is not theirs.
pub async fn mark_read(
    pool: &sqlx::PgPool,
    tenant_id: i64,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE messages SET read_at = coalesce(read_at, now())
          WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING link",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn mark_all_read(pool: &sqlx::PgPool, tenant_id: i64, user_id: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE messages SET read_at = now()
          WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(tenant_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The park an event concerns, with who answers for it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParkRef {
    /// None for a park on the provincial list awarded without an application.
    pub application_id: Option<i64>,
    pub award_id: Option<i64>,
    pub park_name: String,
    pub organization_id: i64,
    pub jurisdiction_id: Option<i64>,
}

/// The park of an application (`award_id` None) or of an award.
pub async fn park_of(
    conn: &mut PgConnection,
    tenant_id: i64,
    application_id: Option<i64>,
    award_id: Option<i64>,
) -> sqlx::Result<Option<ParkRef>> {
    if let Some(award) = award_id {
        return sqlx::query_as(
            "SELECT w.application_id, w.id AS award_id, w.park_name,
                    coalesce(w.organization_id, a.organization_id) AS organization_id,
                    coalesce(w.jurisdiction_id, a.jurisdiction_id) AS jurisdiction_id
               FROM awards w
               LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
              WHERE w.tenant_id = $1 AND w.id = $2",
        )
        .bind(tenant_id)
        .bind(award)
        .fetch_optional(conn)
        .await;
    }
    sqlx::query_as(
        "SELECT a.id AS application_id, NULL::bigint AS award_id, a.park_name,
                a.organization_id, a.jurisdiction_id
           FROM applications a WHERE a.tenant_id = $1 AND a.id = $2",
    )
    .bind(tenant_id)
    .bind(application_id)
    .fetch_optional(conn)
    .await
}

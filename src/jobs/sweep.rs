//! The scheduled job of dynamic management: rectification deadlines that passed (→ delisted),
//! titles whose validity ended (→ expired), expiry reminders at 90 and 30 days, and reports
//! still missing after a reminder's grace period (→ a ground for revocation, 中山 第十五条).
//!
//! Every change is an audited transition or an insert that a unique key makes happen once, and
//! each item commits on its own: a second run, or a run after a crash mid-way, finds the done
//! items no longer due and carries on with the rest.
use crate::db::audit;
use crate::db::monitoring::Orders;
use crate::db::rulesets::RuleSets;
use crate::db::titles;
use crate::db::transition::{self, By};
use crate::domain::monitoring::SupervisionRules;
use crate::domain::notification::EventKind;
use crate::domain::workflow::{ApplicationAction, RectificationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub delisted: usize,
    pub expired: usize,
    pub notices: usize,
    pub grounds: usize,
}

impl Swept {
    pub fn is_empty(&self) -> bool {
        *self == Swept::default()
    }
}

/// Runs the job for `today` (Asia/Shanghai); the scheduler runs it under its advisory lock.
pub async fn run(state: &AppState, today: NaiveDate) -> AppResult<Swept> {
    Ok(Swept {
        delisted: delist_lapsed(state, today).await?,
        expired: expire(state, today).await?,
        notices: expiry_notices(state, today).await?,
        grounds: unreported_grounds(state, today).await?,
    })
}

/// A change of a title the system makes: the audited transition and the register's note.
struct SystemChange<'a> {
    action: ApplicationAction,
    reason: &'a str,
    note: &'a str,
}

impl SystemChange<'_> {
    async fn apply(
        &self,
        tx: &mut sqlx::PgConnection,
        tenant_id: i64,
        award: i64,
        rules: &WorkflowRules,
        today: NaiveDate,
    ) -> AppResult<()> {
        titles::transition(
            tx,
            tenant_id,
            award,
            self.action,
            &By::system(),
            Some(self.reason),
            rules,
        )
        .await?;
        crate::db::titles::note(tx, tenant_id, award, self.note, today).await?;
        Ok(())
    }
}

/// 整改不到位的予以摘牌 (温州 第八条; 中山 第十一条): an order still open after its deadline.
/// An order answered in time waits for the bureau's verdict instead.
async fn delist_lapsed(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    let due: Vec<(i64, i64, i64, NaiveDate, i64)> = sqlx::query_as(
        "SELECT o.tenant_id, o.id, o.award_id, o.deadline, w.rule_set_version_id
         FROM rectification_orders o
         JOIN titles t ON t.tenant_id = o.tenant_id AND t.award_id = o.award_id
         JOIN awards w ON w.tenant_id = o.tenant_id AND w.id = o.award_id
         WHERE o.state = 'open' AND o.deadline < $1 AND t.state = 'rectification'
         ORDER BY o.id",
    )
    .bind(today)
    .fetch_all(&state.db)
    .await?;
    let mut done = 0;
    let mut rule_sets = RuleSets::default();
    for (tenant_id, order, award, deadline, version) in due {
        let rules =
            WorkflowRules::for_rule_set(rule_sets.get(&state.db, tenant_id, version).await?);
        let mut tx = state.db.begin().await?;
        let reason = format!("整改期限 {deadline} 已过，未整改到位");
        let lapsed = transition::apply_in::<Orders>(
            &mut tx,
            tenant_id,
            order,
            RectificationAction::Lapse,
            &By::system(),
            Some(&reason),
            &(),
        )
        .await;
        // Answered a moment ago: the report awaits its verdict and the order does not lapse.
        if let Err(AppError::Conflict(_)) = lapsed {
            continue;
        }
        lapsed?;
        let note = format!("{today} 摘牌：{reason}");
        let change = SystemChange {
            action: ApplicationAction::DelistLapsed,
            reason: &reason,
            note: &note,
        };
        change
            .apply(&mut tx, tenant_id, award, &rules, today)
            .await?;
        let about = About {
            detail: &reason,
            ..About::default()
        };
        let kind = EventKind::Delisted;
        notify::about_park(&mut tx, state, tenant_id, Park::Award(award), kind, about).await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// 认定有效期为三年，期满后需重新认定 (温州 第八条): the day after `valid_until`.
async fn expire(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    let due: Vec<(i64, i64, NaiveDate, i64)> = sqlx::query_as(
        "SELECT w.tenant_id, w.id, w.valid_until, w.rule_set_version_id FROM awards w
         JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
         WHERE t.state IN ('awarded', 'rectification') AND w.valid_until < $1 ORDER BY w.id",
    )
    .bind(today)
    .fetch_all(&state.db)
    .await?;
    let mut done = 0;
    let mut rule_sets = RuleSets::default();
    for (tenant_id, award, until, version) in due {
        let rules =
            WorkflowRules::for_rule_set(rule_sets.get(&state.db, tenant_id, version).await?);
        let mut tx = state.db.begin().await?;
        let reason = format!("认定有效期（至 {until}）届满");
        let note = format!("{reason}，需重新认定");
        let change = SystemChange {
            action: ApplicationAction::Expire,
            reason: &reason,
            note: &note,
        };
        change
            .apply(&mut tx, tenant_id, award, &rules, today)
            .await?;
        let about = About {
            due: Some(until),
            ..About::default()
        };
        let kind = EventKind::Expired;
        notify::about_park(&mut tx, state, tenant_id, Park::Award(award), kind, about).await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// Reminders 90 and 30 days before the title expires, once each.
async fn expiry_notices(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    let mut made = 0;
    for (kind, days, told) in [
        ("expiry_90", 90, EventKind::TitleExpiring90),
        ("expiry_30", 30, EventKind::TitleExpiring30),
    ] {
        let mut tx = state.db.begin().await?;
        let rows: Vec<(i64, i64, Option<NaiveDate>)> = sqlx::query_as(
            "INSERT INTO title_notices (tenant_id, award_id, kind)
             SELECT w.tenant_id, w.id, $1 FROM awards w
             JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
             WHERE t.state IN ('awarded', 'rectification') AND w.valid_until IS NOT NULL
               AND w.valid_until >= $2 AND w.valid_until - $3::int <= $2
             ON CONFLICT (tenant_id, award_id, kind) DO NOTHING
             RETURNING tenant_id, award_id, (SELECT valid_until FROM awards a
                                             WHERE a.tenant_id = title_notices.tenant_id
                                               AND a.id = title_notices.award_id)",
        )
        .bind(kind)
        .bind(today)
        .bind(days)
        .fetch_all(&mut *tx)
        .await?;
        for (tenant_id, award, until) in &rows {
            let about = About {
                due: *until,
                ..About::default()
            };
            notify::about_park(&mut tx, state, *tenant_id, Park::Award(*award), told, about)
                .await?;
            audit::record(
                &mut tx,
                audit::Entry {
                    tenant_id: Some(*tenant_id),
                    actor_user_id: None,
                    object_kind: "title",
                    object_id: award.to_string(),
                    action: "expiry_notice",
                    before: None,
                    after: Some(json!({ "kind": kind, "actor": "system" })),
                    request_id: None,
                    ip: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        made += rows.len();
    }
    Ok(made)
}

/// 中山 第十五条: data still not reported after a recorded urging and its grace period.
async fn unreported_grounds(state: &AppState, today: NaiveDate) -> AppResult<usize> {
    let due: Vec<(i64, i64, i64, i32, i16, NaiveDate, i64)> = sqlx::query_as(
        "SELECT m.tenant_id, m.id, m.award_id, m.year, m.period, m.grace_until,
                w.rule_set_version_id
         FROM report_reminders m
         JOIN titles t ON t.tenant_id = m.tenant_id AND t.award_id = m.award_id
         JOIN awards w ON w.tenant_id = m.tenant_id AND w.id = m.award_id
         WHERE m.kind = 'park_quarter' AND m.grace_until < $1
           AND t.state IN ('awarded', 'rectification')
           -- One ground per missing quarter, however many times it was urged.
           AND NOT EXISTS (SELECT 1 FROM revocation_grounds g
                           JOIN report_reminders m2 ON m2.id = g.reminder_id
                           WHERE m2.tenant_id = m.tenant_id AND m2.award_id = m.award_id
                             AND m2.year = m.year AND m2.period = m.period)
           AND NOT EXISTS (SELECT 1 FROM periodic_reports r
                           WHERE r.tenant_id = m.tenant_id AND r.kind = 'park_quarter'
                             AND r.award_id = m.award_id AND r.year = m.year
                             AND r.period = m.period AND r.state <> 'returned')
         ORDER BY m.id",
    )
    .bind(today)
    .fetch_all(&state.db)
    .await?;
    let mut raised = 0;
    let mut rule_sets = RuleSets::default();
    for (tenant_id, reminder, award, year, period, grace, version) in due {
        let rules = rule_sets.get(&state.db, tenant_id, version).await?;
        if !SupervisionRules::for_rule_set(rules).unreported_revokes {
            continue;
        }
        let detail = format!("{year}年第{period}季度数据报告经督促（宽限至 {grace}）后仍未报送");
        let mut tx = state.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO revocation_grounds (tenant_id, award_id, ground, article, detail, reminder_id)
             VALUES ($1, $2, 'unreported', '中山 第十五条', $3, $4)
             ON CONFLICT (reminder_id) DO NOTHING",
        )
        .bind(tenant_id)
        .bind(award)
        .bind(&detail)
        .bind(reminder)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            audit::record(
                &mut tx,
                audit::Entry {
                    tenant_id: Some(tenant_id),
                    actor_user_id: None,
                    object_kind: "title",
                    object_id: award.to_string(),
                    action: "revocation_ground",
                    before: None,
                    after: Some(json!({ "ground": "unreported", "article": "中山 第十五条", "detail": detail, "actor": "system" })),
                    request_id: None,
                    ip: None,
                },
            )
            .await?;
            raised += 1;
        }
        tx.commit().await?;
    }
    Ok(raised)
}

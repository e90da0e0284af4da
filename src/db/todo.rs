//! What waits for whom, read from the current state (never from the messages sent about it):
//! the to-do list (待办事项) that leads every role's home page. Each query is scoped by the
//! tenant and by what the user answers for: a county's jurisdiction, an operator's
//! organization, an expert's own sheets; the bureau's are counts per call, round or order.
use crate::domain::monitoring::{Period, ReportKind};
use crate::domain::time::shanghai_date;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

/// One thing waiting for the user: what is to be done, on what (linked to the page where it is
/// done), since when it has waited and by when it is due (an Asia/Shanghai date), if a rule
/// or a decision sets a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub what: String,
    pub subject: String,
    pub link: String,
    pub since: DateTime<Utc>,
    pub due: Option<NaiveDate>,
}

impl Item {
    /// "2026-12-03", the day (Asia/Shanghai) it started waiting.
    pub fn since_label(&self) -> String {
        shanghai_date(self.since)
    }

    /// "已逾期" past the due date, "今天到期" on it.
    pub fn due_mark(&self, today: NaiveDate) -> Option<&'static str> {
        match self.due {
            Some(due) if due < today => Some("已逾期"),
            Some(due) if due == today => Some("今天到期"),
            _ => None,
        }
    }
}

/// Oldest first; among equals the nearer deadline first, then by the words, so the order is
/// stable.
pub fn oldest_first(items: &mut [Item]) {
    items.sort_by(|a, b| {
        a.since
            .cmp(&b.since)
            .then_with(|| match (a.due, b.due) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.link.cmp(&b.link))
    });
}

fn park_or_placeholder(name: String) -> String {
    if name.trim().is_empty() {
        "（未填写园区名称）".into()
    } else {
        name
    }
}

// ---------------------------------------------------------------------------------------------
// County

/// A county's pre-review queue and its parks' quarterly reports awaiting it, under `home`
/// (`/t/{tenant}/county`). Its own reports owed are the monitoring use-case's (they depend on
/// the due-date settings and the parks' rule sets).
pub async fn county(
    pool: &PgPool,
    tenant_id: i64,
    jurisdiction_id: i64,
    home: &str,
) -> sqlx::Result<Vec<Item>> {
    // An application whose opinion is recorded waits in its call's batch (统一报送).
    let apps: Vec<(i64, String, i32, DateTime<Utc>, i64, bool)> = sqlx::query_as(
        "SELECT a.id, a.park_name, a.version_count,
                coalesce((SELECT max(v.submitted_at) FROM application_versions v
                          WHERE v.tenant_id = a.tenant_id AND v.application_id = a.id),
                         a.updated_at),
                a.call_id,
                EXISTS (SELECT 1 FROM county_prereviews p
                        WHERE p.tenant_id = a.tenant_id AND p.application_id = a.id
                          AND p.version_number = a.version_count)
         FROM applications a
         WHERE a.tenant_id = $1 AND a.jurisdiction_id = $2 AND a.state = 'submitted'",
    )
    .bind(tenant_id)
    .bind(jurisdiction_id)
    .fetch_all(pool)
    .await?;
    let reports: Vec<(i64, String, i32, i16, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r.id, w.park_name, r.year, r.period,
                coalesce((SELECT max(v.submitted_at) FROM periodic_report_versions v
                          WHERE v.tenant_id = r.tenant_id AND v.report_id = r.id),
                         r.updated_at)
         FROM periodic_reports r
         JOIN awards w ON w.tenant_id = r.tenant_id AND w.id = r.award_id
         WHERE r.tenant_id = $1 AND r.jurisdiction_id = $2 AND r.kind = 'park_quarter'
           AND r.state = 'submitted'",
    )
    .bind(tenant_id)
    .bind(jurisdiction_id)
    .fetch_all(pool)
    .await?;
    let mut items: Vec<Item> = apps
        .into_iter()
        .map(|(id, park, versions, since, call, checked)| Item {
            what: match (checked, versions) {
                (true, _) => "已初审，待统一报送".into(),
                (false, 1) => "待初审（新提交）".into(),
                (false, _) => format!("待初审（重新提交，第{versions}版）"),
            },
            subject: park_or_placeholder(park),
            link: match checked {
                true => format!("{home}/calls/{call}/batch"),
                false => format!("{home}/applications/{id}"),
            },
            since,
            due: None,
        })
        .collect();
    items.extend(
        reports
            .into_iter()
            .map(|(id, park, year, period, since)| Item {
                what: "待审核园区季度数据报告".into(),
                subject: format!(
                    "{park} {}",
                    Period {
                        year,
                        period: period as u8
                    }
                    .label(ReportKind::ParkQuarter)
                ),
                link: format!("{home}/reports/{id}"),
                since,
                due: None,
            }),
    );
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Operator

/// An operator's applications to finish or to revise while their call still takes submissions
/// (due: the call's deadline), and the rectification orders on its parks still to be answered
/// (due: the order's deadline), under `home` (`/t/{tenant}/operator`). The quarterly reports it
/// owes are the monitoring use-case's.
pub async fn operator(
    pool: &PgPool,
    tenant_id: i64,
    organization_id: i64,
    now: DateTime<Utc>,
    home: &str,
) -> sqlx::Result<Vec<Item>> {
    // A returned application waits since its latest return; a draft since it was started.
    let apps: Vec<(i64, String, i32, DateTime<Utc>, NaiveDate)> = sqlx::query_as(
        "SELECT a.id, a.park_name, a.version_count,
                CASE WHEN a.version_count > 0 THEN
                    coalesce((SELECT max(r.decided_at) FROM application_reviews r
                              WHERE r.tenant_id = a.tenant_id AND r.application_id = a.id
                                AND r.opinion = 'return'), a.updated_at)
                ELSE a.created_at END,
                (c.deadline AT TIME ZONE 'Asia/Shanghai')::date
         FROM applications a
         JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id
         WHERE a.tenant_id = $1 AND a.organization_id = $2 AND a.state = 'draft'
           AND c.state = 'open' AND c.opens_at <= $3 AND $3 < c.deadline",
    )
    .bind(tenant_id)
    .bind(organization_id)
    .bind(now)
    .fetch_all(pool)
    .await?;
    let orders: Vec<(i64, String, DateTime<Utc>, NaiveDate, bool)> = sqlx::query_as(
        "SELECT o.award_id, w.park_name, o.ordered_at, o.deadline,
                EXISTS (SELECT 1 FROM rectification_responses r
                        WHERE r.tenant_id = o.tenant_id AND r.order_id = o.id
                          AND r.verdict = 'rejected')
         FROM rectification_orders o
         JOIN awards w ON w.tenant_id = o.tenant_id AND w.id = o.award_id
         JOIN titles t ON t.tenant_id = w.tenant_id AND t.award_id = w.id
         LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
         WHERE o.tenant_id = $1 AND o.state = 'open' AND t.state = 'rectification'
           AND coalesce(w.organization_id, a.organization_id) = $2",
    )
    .bind(tenant_id)
    .bind(organization_id)
    .fetch_all(pool)
    .await?;
    let mut items: Vec<Item> = apps
        .into_iter()
        .map(|(id, park, versions, since, deadline)| Item {
            what: if versions > 0 {
                "待修改后重新提交".into()
            } else {
                "待完成并提交申报".into()
            },
            subject: park_or_placeholder(park),
            link: format!("{home}/applications/{id}"),
            since,
            due: Some(deadline),
        })
        .collect();
    items.extend(
        orders
            .into_iter()
            .map(|(award, park, since, deadline, rejected)| Item {
                what: if rejected {
                    "整改验收未通过，待重新整改".into()
                } else {
                    "待整改".into()
                },
                subject: park,
                link: format!("{home}/parks/{award}"),
                since,
                due: Some(deadline),
            }),
    );
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Expert

/// An expert's open sheets on open panels (due: the panel's `sheets_due`, unset for panels
/// drawn before it existed) and the panels whose invitation it has neither accepted nor
/// declined, nor answered by declaring on a sheet, while the panel's `reply_by` has not passed (one item per panel), under `home`
/// (`/t/{tenant}/expert`). A sheet recused from, withdrawn, or of a member who declined is no
/// work.
pub async fn expert(
    pool: &PgPool,
    tenant_id: i64,
    expert_id: i64,
    today: NaiveDate,
    home: &str,
) -> sqlx::Result<Vec<Item>> {
    const MEMBER: &str = "NOT EXISTS (SELECT 1 FROM panel_members m
        WHERE m.tenant_id = s.tenant_id AND m.panel_id = s.panel_id AND m.expert_id = s.expert_id
          AND m.declined_reason IS NOT NULL)";
    // (sheet, park, conflict declaration, panel drawn at, sheets due)
    type Sheet = (i64, String, String, DateTime<Utc>, Option<NaiveDate>);
    let sheets: Vec<Sheet> = sqlx::query_as(&format!(
        "SELECT s.id, a.park_name, s.conflict, p.created_at, p.sheets_due
             FROM assignments s
             JOIN panels p ON p.tenant_id = s.tenant_id AND p.id = s.panel_id
             JOIN applications a ON a.tenant_id = s.tenant_id AND a.id = s.application_id
             WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.state = 'open'
               AND s.conflict <> 'declared' AND p.state = 'open' AND a.state = 'in_review'
               AND {MEMBER}"
    ))
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await?;
    let invitations: Vec<(i64, String, DateTime<Utc>, NaiveDate)> = sqlx::query_as(
        "SELECT p.id, p.name, p.created_at, p.reply_by
         FROM assignments s
         JOIN panels p ON p.tenant_id = s.tenant_id AND p.id = s.panel_id
         JOIN panel_members m ON m.tenant_id = s.tenant_id AND m.panel_id = s.panel_id
                             AND m.expert_id = s.expert_id
         WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.state <> 'withdrawn'
           AND p.state = 'open' AND p.reply_by IS NOT NULL AND p.reply_by >= $3
           AND m.declined_reason IS NULL AND m.accepted_at IS NULL
         GROUP BY p.id, p.name, p.created_at, p.reply_by
         HAVING bool_and(s.conflict = 'undeclared')",
    )
    .bind(tenant_id)
    .bind(expert_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    let mut items: Vec<Item> = invitations
        .into_iter()
        .map(|(panel_id, panel, since, reply_by)| Item {
            what: "待回复评审邀请".into(),
            subject: panel,
            link: format!("{home}/invitations/{panel_id}"),
            since,
            due: Some(reply_by),
        })
        .collect();
    // On-site records this expert was present for and has not confirmed in their latest version.
    let records: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT i.id, a.park_name, i.updated_at
         FROM inspection_members m
         JOIN inspections i ON i.tenant_id = m.tenant_id AND i.id = m.inspection_id
         JOIN applications a ON a.tenant_id = i.tenant_id AND a.id = i.application_id
         WHERE m.tenant_id = $1 AND m.expert_id = $2 AND m.present AND i.state = 'confirming'
           AND m.confirmed_version IS DISTINCT FROM i.version_count",
    )
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await?;
    let re_reviews: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT s.id, w.park_name, p.drawn_at
         FROM re_review_sheets s
         JOIN re_review_panels p ON p.tenant_id = s.tenant_id AND p.id = s.panel_id
         JOIN re_review_parks rp ON rp.tenant_id = s.tenant_id AND rp.id = s.re_review_park_id
         JOIN awards w ON w.tenant_id = rp.tenant_id AND w.id = rp.award_id
         WHERE s.tenant_id = $1 AND s.expert_id = $2 AND s.state = 'open' AND rp.result IS NULL",
    )
    .bind(tenant_id)
    .bind(expert_id)
    .fetch_all(pool)
    .await?;
    items.extend(re_reviews.into_iter().map(|(id, park, since)| Item {
        what: "待提出复评意见".into(),
        subject: park,
        link: format!("{home}/re-review-sheets/{id}"),
        since,
        due: None,
    }));
    items.extend(records.into_iter().map(|(id, park, since)| Item {
        what: "待确认现场考核记录".into(),
        subject: park_or_placeholder(park),
        link: format!("{home}/inspections/{id}"),
        since,
        due: None,
    }));
    items.extend(
        sheets
            .into_iter()
            .map(|(id, park, conflict, since, due)| Item {
                what: if conflict == "undeclared" {
                    "待声明回避并评审".into()
                } else {
                    "待评审".into()
                },
                subject: park_or_placeholder(park),
                link: format!("{home}/assignments/{id}"),
                since,
                due,
            }),
    );
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Bureau

/// One kind of waiting work: `subject_id` and `subject` name the call, round, order or panel it
/// belongs to (0 and empty for tenant-wide counts); `since` is when the oldest of them started
/// waiting and `due` the nearest date it is due by, where one is set.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub kind: String,
    pub subject_id: i64,
    pub subject: String,
    pub n: i64,
    pub since: DateTime<Utc>,
    pub due: Option<NaiveDate>,
}

/// Applications waiting for a bureau decision (per call and state), objections not yet
/// decided (due: the end of the earliest publicity they were filed in), reports waiting to be
/// accepted, rectification reports to judge (due: the order's deadline), re-review parks not
/// yet decided and open panels none of whose applications is still in review (to be closed).
pub async fn bureau(pool: &PgPool, tenant_id: i64) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        "SELECT a.state AS kind, c.id AS subject_id, c.title AS subject, count(*) AS n,
                min(a.updated_at) AS since, NULL::date AS due
           FROM applications a JOIN calls c ON c.tenant_id = a.tenant_id AND c.id = a.call_id
          WHERE a.tenant_id = $1 AND a.state IN ('forwarded', 'reviewed', 'publicity_closed')
          GROUP BY a.state, c.id, c.title
         UNION ALL
         SELECT 'objection', 0, '', count(*), min(o.filed_at), min(n.last_day)
           FROM objections o
           JOIN publicity_notices n ON n.tenant_id = o.tenant_id AND n.id = o.notice_id
          WHERE o.tenant_id = $1 AND o.state IN ('filed', 'investigating') HAVING count(*) > 0
         UNION ALL
         SELECT 'report', 0, '', count(*), min(updated_at), NULL FROM periodic_reports
          WHERE tenant_id = $1
            AND (state = 'county_passed' OR (state = 'submitted' AND kind <> 'park_quarter'))
         HAVING count(*) > 0
         UNION ALL
         SELECT 'rectification', o.id, w.park_name, 1, o.updated_at, o.deadline
           FROM rectification_orders o JOIN awards w ON w.tenant_id = o.tenant_id AND w.id = o.award_id
          WHERE o.tenant_id = $1 AND o.state = 'responded'
         UNION ALL
         SELECT 're_review', r.id, r.title, count(*), r.opened_at, NULL
           FROM re_review_parks p JOIN re_reviews r ON r.tenant_id = p.tenant_id AND r.id = p.re_review_id
          WHERE p.tenant_id = $1 AND p.result IS NULL
          GROUP BY r.id, r.title, r.opened_at
         UNION ALL
         SELECT 'panel', p.id, p.name, count(*), max(coalesce(s.submitted_at, s.updated_at)), NULL
           FROM panels p
           JOIN assignments s ON s.tenant_id = p.tenant_id AND s.panel_id = p.id
           JOIN applications a ON a.tenant_id = s.tenant_id AND a.id = s.application_id
          WHERE p.tenant_id = $1 AND p.state = 'open'
          GROUP BY p.id, p.name
         HAVING NOT bool_or(a.state = 'in_review')
         ORDER BY 1, 2",
    )
    .bind(tenant_id)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn item(link: &str, since_day: u32, due: Option<NaiveDate>) -> Item {
        Item {
            what: "待办".into(),
            subject: link.into(),
            link: link.into(),
            since: Utc.with_ymd_and_hms(2026, 11, since_day, 2, 0, 0).unwrap(),
            due,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_due_date_before_today_is_overdue_and_today_is_due_today() {
        let today = day(23);
        assert_eq!(item("a", 1, Some(day(22))).due_mark(today), Some("已逾期"));
        assert_eq!(
            item("a", 1, Some(day(23))).due_mark(today),
            Some("今天到期")
        );
        assert_eq!(item("a", 1, Some(day(24))).due_mark(today), None);
        assert_eq!(item("a", 1, None).due_mark(today), None);
    }

    #[test]
    fn the_oldest_comes_first_and_among_equals_the_nearer_deadline() {
        let mut items = vec![
            item("late", 20, None),
            item("undated", 5, None),
            item("dated", 5, Some(day(30))),
            item("first", 1, None),
        ];
        oldest_first(&mut items);
        let order: Vec<&str> = items.iter().map(|i| i.link.as_str()).collect();
        assert_eq!(order, ["first", "dated", "undated", "late"]);
    }
}

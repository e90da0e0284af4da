//! The to-do list (待办事项) that leads every role's home page: what waits for the signed-in
//! user, oldest first, with its deadline. Read only, and derived from the current state
//! alone (the rows of `db::todo`, plus the periodic reports owed by the monitoring rules), so
//! it is right for work that predates any message about it.
use crate::db::monitoring::{self, Report};
use crate::db::titles::{self, ParkScope};
use crate::db::todo::{self, Item, Waiting, oldest_first};
use crate::domain::monitoring::ReportKind;
use crate::error::AppResult;
use crate::service::monitoring::{Owed, files_own_reports, owed};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

/// The items, oldest first, and the day (Asia/Shanghai) they are judged against.
pub struct TodoList {
    pub items: Vec<Item>,
    pub today: NaiveDate,
}

impl TodoList {
    pub fn new(mut items: Vec<Item>, today: NaiveDate) -> Self {
        oldest_first(&mut items);
        TodoList { items, today }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// "已逾期" or "今天到期" for an item of this list, judged against its day.
    pub fn mark(&self, item: &Item) -> Option<&'static str> {
        item.due_mark(self.today)
    }
}

/// The first moment of a day in Asia/Shanghai.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    Shanghai
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// A period owed, as work: to file once it has ended (waiting since the day after its end), or
/// to file again when the report was sent back (waiting since then); none once it is filed.
fn owed_item(o: Owed, subject: String, link: String) -> Option<Item> {
    let label = o.kind.label();
    let (what, since) = match &o.report {
        None if o.ended => (
            format!("待报送{label}"),
            start_of(o.period.last_day(o.kind).succ_opt()?),
        ),
        Some(r) if !r.counts_as_filed() => {
            (format!("{label}已退回，待修改后重新报送"), r.updated_at)
        }
        _ => return None,
    };
    Some(Item {
        what,
        subject,
        link,
        since,
        due: Some(o.due),
    })
}

/// Every period owed from `since` to today and the next one, as work still to be done.
fn owed_items(
    settings: &crate::domain::monitoring::DueSettings,
    kind: ReportKind,
    since: NaiveDate,
    today: NaiveDate,
    filed: &[Report],
    item: impl Fn(Owed) -> Option<Item>,
) -> Vec<Item> {
    let (list, next) = owed(settings, kind, since, today, filed);
    list.into_iter()
        .chain(std::iter::once(next))
        .filter_map(item)
        .collect()
}

/// A county's: applications of its jurisdiction awaiting pre-review (first submissions and
/// resubmissions), its parks' quarterly reports awaiting it, and, where its parks' rules ask
/// for them (温州 第九条), its own quarterly and half-year reports due or overdue. `home` is
/// the county's area (`/t/{tenant}/county`).
pub async fn county(
    state: &AppState,
    tenant_id: i64,
    jurisdiction_id: i64,
    home: &str,
) -> AppResult<TodoList> {
    let today = state.clock.today();
    let mut items = todo::county(&state.db, tenant_id, jurisdiction_id, home).await?;
    let parks = titles::list(
        &state.db,
        tenant_id,
        ParkScope::Jurisdiction(jurisdiction_id),
    )
    .await?;
    let since = parks
        .iter()
        .filter(|p| p.holds_title())
        .map(|p| p.awarded_on)
        .min();
    if let Some(since) = since
        && files_own_reports(state, tenant_id, &parks).await?
    {
        let settings = monitoring::settings(&state.db, tenant_id).await?;
        let filed = monitoring::reports(&state.db, tenant_id, None, Some(jurisdiction_id)).await?;
        for kind in [ReportKind::CountyQuarter, ReportKind::CountyHalf] {
            items.extend(owed_items(&settings, kind, since, today, &filed, |o| {
                let link = format!(
                    "{home}/own-reports/{}/{}/{}",
                    o.kind_str(),
                    o.period.year,
                    o.period.period
                );
                let subject = o.label.clone();
                owed_item(o, subject, link)
            }));
        }
    }
    Ok(TodoList::new(items, today))
}

/// An operator's: drafts to finish and returned applications to resubmit while their call
/// takes submissions, rectification orders to answer, and its parks' quarterly reports due,
/// overdue or sent back. `home` is the operator's area (`/t/{tenant}/operator`).
pub async fn operator(
    state: &AppState,
    tenant_id: i64,
    organization_id: i64,
    home: &str,
) -> AppResult<TodoList> {
    let today = state.clock.today();
    let mut items = todo::operator(
        &state.db,
        tenant_id,
        organization_id,
        state.clock.now(),
        home,
    )
    .await?;
    let settings = monitoring::settings(&state.db, tenant_id).await?;
    let parks = titles::list(
        &state.db,
        tenant_id,
        ParkScope::Organization(organization_id),
    )
    .await?;
    for park in parks.into_iter().filter(|p| p.holds_title()) {
        let filed = monitoring::reports(&state.db, tenant_id, Some(park.award_id), None).await?;
        let kind = ReportKind::ParkQuarter;
        items.extend(owed_items(
            &settings,
            kind,
            park.awarded_on,
            today,
            &filed,
            |o| {
                let link = format!(
                    "{home}/parks/{}/reports/{}/{}",
                    park.award_id, o.period.year, o.period.period
                );
                let subject = format!("{} {}", park.park_name, o.label);
                owed_item(o, subject, link)
            },
        ));
    }
    Ok(TodoList::new(items, today))
}

/// An expert's: open sheets and unanswered invitations, for the expert record of the user
/// (none when the account is not linked to the pool), and for the staff of a third-party
/// institution its commissioned reviews still open. `home` is `/t/{tenant}/expert`.
pub async fn expert(
    state: &AppState,
    tenant_id: i64,
    (user_id, expert_id): (i64, Option<i64>),
    home: &str,
) -> AppResult<TodoList> {
    let today = state.clock.today();
    let mut items = match expert_id {
        Some(id) => todo::expert(&state.db, tenant_id, id, today, home).await?,
        None => Vec::new(),
    };
    use crate::db::institutions;
    if let Some(mine) = institutions::of_user(&state.db, tenant_id, user_id).await? {
        let open = institutions::of_institution(&state.db, tenant_id, mine.id).await?;
        items.extend(
            open.into_iter()
                .filter(|r| r.state == "open")
                .map(|r| Item {
                    what: "待出具机构评审意见".into(),
                    subject: r.park_name,
                    link: format!("{home}/institution-reviews/{}", r.id),
                    since: r.assigned_at,
                    due: None,
                }),
        );
    }
    Ok(TodoList::new(items, today))
}

/// The bureau's: its waiting work counted per call, round, order or panel, each linked to the
/// page where it is done. `home` is `/t/{tenant}/bureau`.
pub async fn bureau(state: &AppState, tenant_id: i64, home: &str) -> AppResult<TodoList> {
    let items = todo::bureau(&state.db, tenant_id)
        .await?
        .into_iter()
        .filter_map(|w| bureau_item(home, w))
        .collect();
    Ok(TodoList::new(items, state.clock.today()))
}

fn bureau_item(home: &str, w: Waiting) -> Option<Item> {
    let (n, id, subject) = (w.n, w.subject_id, &w.subject);
    let call = format!("{home}/calls/{id}/applications");
    let (what, text, link) = match w.kind.as_str() {
        "forwarded" => (
            "待形式审查",
            format!("{subject}：{n} 份申报待形式审查"),
            call,
        ),
        "reviewed" => (
            "待确定拟认定名单",
            format!("{subject}：{n} 份申报已完成专家评审，待确定拟认定名单"),
            call,
        ),
        "publicity_closed" => (
            "待作出认定",
            format!("{subject}：{n} 份申报公示期满，待作出认定"),
            call,
        ),
        "objection" => (
            "待调查处理异议",
            format!("{n} 件异议待调查处理"),
            format!("{home}/objections"),
        ),
        "report" => (
            "待采纳报告",
            format!("{n} 份报告待采纳"),
            format!("{home}/monitoring"),
        ),
        "rectification" => (
            "待验收整改报告",
            format!("{subject} 已提交整改报告，待验收"),
            format!("{home}/monitoring/rectifications/{id}"),
        ),
        "re_review" => (
            "待作出复评结论",
            format!("{subject}：{n} 个园区待作出复评结论"),
            format!("{home}/monitoring/re-reviews/{id}"),
        ),
        "panel" => (
            "待结束评审组",
            format!("{subject}：评审已全部完成，待结束评审组"),
            format!("{home}/panels/{id}"),
        ),
        _ => return None,
    };
    Some(Item {
        what: what.into(),
        subject: text,
        link,
        since: w.since,
        due: w.due,
    })
}

//! Demo dynamic management: parks awarded in earlier years (their calls are history: the review
//! and publicity of those years are recorded as imported, not replayed), with quarterly reports
//! in every state, a re-review, a rectification under way and one lapsed (delisted by the
//! scheduled job), revocations (one barring its operator, 中山 第十二条), an overdue report with
//! a reminder, a revocation ground (中山 第十五条), and a title about to expire.
use super::applications::{DemoApplication, Person, Step, demo_pdf, person, seed_one};
use crate::db::applications::Scope;
use crate::db::awards::{self, NewAward};
use crate::db::documents::Owner;
use crate::db::monitoring::{self as db, NewRevocation, Reports, Targets};
use crate::db::tenants::{self, Tenant};
use crate::db::titles::{self, ParkScope};
use crate::db::transition::{self, Applications, By, Calls};
use crate::domain::monitoring::{DueSettings, ParkReport, Period, ReportKind};
use crate::domain::role::Role;
use crate::domain::workflow::{
    ApplicationAction, CallAction, ReportAction, ReportRoute, WorkflowRules,
};
use crate::io::files::{self, UploadedFile};
use crate::io::storage::FileKind;
use crate::service::applications::load;
use crate::service::monitoring::evaluate_now;
use crate::state::AppState;
use anyhow::Context;
use chrono::{Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde_json::json;

const HISTORY: &str = "历史数据（演示）：该年度评审、公示记录导入";

/// How far a quarter's report went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filed {
    Accepted,
    CountyPassed,
    Submitted,
    Missing,
}

/// A healthy quarter for a Wenzhou park (USD), growing a little each quarter.
fn wenzhou_quarter(q: usize, trade_millions: u64) -> ParkReport {
    let q = q as u64;
    ParkReport {
        trade: (trade_millions * 1_000_000) + q * 250_000,
        transactions: None,
        enterprises: 44 + q,
        cbec: [16 + q / 2, 4, 2, 4, 2],
        registered: 22 + q / 3,
        active: 15 + q / 3,
        events_self: 3,
        events_joint: 1,
        changes: if q % 4 == 1 {
            format!(
                "本季度新入驻跨境电商企业{}家，举办跨境电商选品对接会1场。",
                2 + q % 3
            )
        } else {
            String::new()
        },
    }
}

/// A Zhongshan park's quarter (yuan).
fn zhongshan_quarter(q: usize) -> ParkReport {
    let q = q as u64;
    ParkReport {
        trade: 160_000_000 + q * 2_000_000,
        transactions: Some(560_000_000 + q * 5_000_000),
        enterprises: 62 + q,
        cbec: [14, 4, 2, 4, 2 + q / 2],
        registered: 14 + q / 2,
        active: 10 + q / 3,
        events_self: 2,
        events_joint: 1,
        changes: String::new(),
    }
}

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    let today = state.clock.today();
    wenzhou(state, today)
        .await
        .context("Wenzhou monitoring demo")?;
    zhongshan(state, today)
        .await
        .context("Zhongshan monitoring demo")?;
    // What the server's scheduled job would do on its first run: the lapsed rectification is
    // delisted, the expiry reminder and the revocation ground are raised.
    crate::jobs::sweep::run(state, today).await?;
    Ok(())
}

struct Cast {
    tenant: Tenant,
    bureau: Person,
}

async fn cast(state: &AppState, slug: &str, bureau_login: &str) -> anyhow::Result<Cast> {
    let tenant = tenants::by_slug(&state.db, slug).await?.context("tenant")?;
    let bureau = person(state, tenant.id, bureau_login, Role::Bureau).await?;
    Ok(Cast { tenant, bureau })
}

/// A call of an earlier year, published; `conclude` closes it once its parks are awarded.
async fn historic_call(state: &AppState, c: &Cast, year: i32, title: &str) -> anyhow::Result<i64> {
    use crate::db::calls::{self, CallFields};
    let version: i64 = sqlx::query_scalar(
        "SELECT min(id) FROM rule_set_versions WHERE tenant_id = $1
           AND rule_set_id <> 'cbec-park-standard-2024'",
    )
    .bind(c.tenant.id)
    .fetch_one(&state.db)
    .await?;
    let at = |m, d, h| {
        Shanghai
            .with_ymd_and_hms(year, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .context("demo date")
    };
    let fields = CallFields {
        title,
        year,
        rule_set_version_id: version,
        opens_at: at(3, 1, 9)?,
        deadline: at(4, 30, 17)?,
        description: "历年申报通知（演示数据）。",
        review_forms: "written",
    };
    let mut conn = state.db.acquire().await?;
    let id = calls::insert(&mut conn, c.tenant.id, &fields, c.bureau.id).await?;
    drop(conn);
    call_step(state, c, id, CallAction::Publish).await?;
    Ok(id)
}

async fn call_step(state: &AppState, c: &Cast, id: i64, action: CallAction) -> anyhow::Result<()> {
    let by = if action == CallAction::Close {
        By::system()
    } else {
        c.bureau.by.clone()
    };
    transition::apply::<Calls>(&state.db, c.tenant.id, id, action, &by, Some(HISTORY))
        .await
        .map_err(|e| anyhow::anyhow!("{action:?} on a demo call: {e}"))?;
    Ok(())
}

async fn conclude(state: &AppState, c: &Cast, call: i64) -> anyhow::Result<()> {
    for action in [
        CallAction::Close,
        CallAction::StartReview,
        CallAction::StartPublicity,
        CallAction::Conclude,
    ] {
        call_step(state, c, call, action).await?;
    }
    Ok(())
}

/// A park awarded on `awarded_on` through `call`: its application is filed, recommended and
/// accepted as the pages do it; the rest of that year's procedure is recorded as history.
async fn historic_award(
    state: &AppState,
    c: &Cast,
    call: i64,
    n: usize,
    demo: DemoApplication,
    awarded_on: NaiveDate,
) -> anyhow::Result<i64> {
    let app = seed_one(state, n, &demo, Some(call)).await?;
    let loaded = load(state, c.tenant.id, Scope::Bureau, app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rules = WorkflowRules::for_rule_set(&loaded.rules);
    let mut tx = state.db.begin().await?;
    for (action, system) in [
        (ApplicationAction::CompleteReview, true),
        (ApplicationAction::Shortlist, false),
        (ApplicationAction::PublishPublicity, false),
        (ApplicationAction::ClosePublicity, true),
        (ApplicationAction::Award, false),
    ] {
        let by = if system {
            By::system()
        } else {
            c.bureau.by.clone()
        };
        transition::apply_in::<Applications>(
            &mut tx,
            c.tenant.id,
            app,
            action,
            &by,
            Some(HISTORY),
            &rules,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let prefix = format!("{}商务跨园", c.tenant.city.chars().next().unwrap_or('市'));
    let tier = loaded.app.form.0.get("tier").cloned();
    let (award, _) = awards::insert(
        &mut tx,
        c.tenant.id,
        &NewAward {
            application_id: Some(app),
            provincial: None,
            year: awarded_on.year(),
            prefix: &prefix,
            park_name: demo.park,
            tier: tier.as_deref(),
            awarded_on,
            valid_until: crate::domain::time::valid_until(awarded_on, loaded.rules.validity_years),
            rule_set_version_id: loaded.call.rule_set_version_id,
            created_by: c.bureau.id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(award)
}

/// Files a park's quarterly reports for every quarter owed by `today`: `plan` says, per quarter
/// (oldest first), what was reported and how far it went.
async fn file_reports(
    state: &AppState,
    c: &Cast,
    award: i64,
    operator: &Person,
    county: &Person,
    today: NaiveDate,
    plan: impl Fn(usize, usize) -> (ParkReport, Filed),
) -> anyhow::Result<()> {
    let park = titles::get(&state.db, c.tenant.id, ParkScope::Bureau, award)
        .await?
        .context("park")?;
    let jurisdiction = park.jurisdiction_id.context("park county")?;
    let (owed, _) = DueSettings::default().owed(ReportKind::ParkQuarter, park.awarded_on, today);
    for (i, period) in owed.iter().enumerate() {
        let (report, filed) = plan(i, owed.len());
        if filed == Filed::Missing {
            continue;
        }
        let data = serde_json::to_value(&report)?;
        let mut tx = state.db.begin().await?;
        let id = db::insert_report(
            &mut tx,
            c.tenant.id,
            &db::Filing {
                kind: ReportKind::ParkQuarter,
                award_id: Some(award),
                jurisdiction_id: jurisdiction,
                period: *period,
            },
            &data,
            operator.id,
        )
        .await?;
        if filed != Filed::Submitted {
            transition::apply_in::<Reports>(
                &mut tx,
                c.tenant.id,
                id,
                ReportAction::CountyPass,
                &county.by,
                None,
                &ReportRoute { via_county: true },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            db::insert_review(
                &mut tx,
                c.tenant.id,
                &db::NewReportReview {
                    report_id: id,
                    version: 1,
                    stage: "county",
                    decision: "pass",
                    reason: "",
                    user_id: county.id,
                },
            )
            .await?;
        }
        tx.commit().await?;
        if filed == Filed::Accepted {
            let report = db::report(&state.db, c.tenant.id, id)
                .await?
                .context("report")?;
            crate::service::monitoring::accept_report(
                state,
                c.tenant.id,
                &report,
                &c.bureau.by,
                c.bureau.id,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}

/// A county's own reports (温州 第九条) for every period owed since `since`; the latest
/// quarterly one waits for the bureau, or (`late`) was never filed.
async fn county_reports(
    state: &AppState,
    c: &Cast,
    county: &Person,
    jurisdiction: i64,
    since: NaiveDate,
    today: NaiveDate,
    late: bool,
) -> anyhow::Result<()> {
    for kind in [ReportKind::CountyQuarter, ReportKind::CountyHalf] {
        let (owed, _) = DueSettings::default().owed(kind, since, today);
        for (i, period) in owed.iter().enumerate() {
            if late && kind == ReportKind::CountyQuarter && i + 1 == owed.len() {
                continue;
            }
            let text = match kind {
                ReportKind::CountyHalf => format!(
                    "{}，本区跨境电商产业园区建设稳步推进：园区新增入驻企业，组织跨境电商培训和选品对接活动，\
                     督促园区按季度报送数据。下一步将继续做好园区服务保障和数据监测。",
                    period.label(kind)
                ),
                _ => format!(
                    "{}园区动态：各园区运营正常，入驻企业稳定，未发生安全生产事故；重点企业出口订单同比增长。",
                    period.label(kind)
                ),
            };
            let mut tx = state.db.begin().await?;
            let id = db::insert_report(
                &mut tx,
                c.tenant.id,
                &db::Filing {
                    kind,
                    award_id: None,
                    jurisdiction_id: jurisdiction,
                    period: *period,
                },
                &json!({ "text": text }),
                county.id,
            )
            .await?;
            tx.commit().await?;
            let last_quarter = kind == ReportKind::CountyQuarter && i + 1 == owed.len();
            if !last_quarter {
                let report = db::report(&state.db, c.tenant.id, id)
                    .await?
                    .context("report")?;
                crate::service::monitoring::accept_report(
                    state,
                    c.tenant.id,
                    &report,
                    &c.bureau.by,
                    c.bureau.id,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
    }
    Ok(())
}

fn demo(
    tenant: &'static str,
    operator: &'static str,
    county_login: &'static str,
    county: &'static str,
    park: &'static str,
) -> DemoApplication {
    DemoApplication {
        tenant,
        operator,
        county_login,
        county,
        park,
        region: "",
        enterprises: 44,
        registered: 26,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("recommend"),
            Step::Bureau("accept"),
        ],
    }
}

fn years_before(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(12 * years))
        .unwrap_or(day)
}

async fn jurisdiction_id(state: &AppState, tenant_id: i64, name: &str) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT id FROM jurisdictions WHERE tenant_id = $1 AND name = $2")
            .bind(tenant_id)
            .bind(name)
            .fetch_one(&state.db)
            .await?,
    )
}

async fn wenzhou(state: &AppState, today: NaiveDate) -> anyhow::Result<()> {
    let c = cast(state, "wenzhou", "wz-bureau").await?;
    let op1 = person(state, c.tenant.id, "wz-operator1", Role::Operator).await?;
    let op2 = person(state, c.tenant.id, "wz-operator2", Role::Operator).await?;
    let lucheng = person(state, c.tenant.id, "wz-county-lucheng", Role::County).await?;
    let ruian = person(state, c.tenant.id, "wz-county-ruian", Role::County).await?;

    // The oldest park's title ends 25 days from today: the 30-day expiry reminder is up.
    let oldest = years_before(today + Duration::days(26), 3);
    let two_years = years_before(today, 2);
    let older_call = historic_call(
        state,
        &c,
        oldest.year(),
        &format!(
            "关于开展{}年度温州市跨境电子商务产业园区认定工作的通知",
            oldest.year()
        ),
    )
    .await?;
    let a = historic_award(
        state,
        &c,
        older_call,
        60,
        demo(
            "wenzhou",
            "wz-operator1",
            "wz-county-lucheng",
            "鹿城区",
            "鹿城跨境电商产业园（一期）",
        ),
        oldest,
    )
    .await?;
    conclude(state, &c, older_call).await?;
    let call = historic_call(
        state,
        &c,
        two_years.year(),
        &format!(
            "关于开展{}年度温州市跨境电子商务产业园区认定工作的通知",
            two_years.year()
        ),
    )
    .await?;
    let b = historic_award(
        state,
        &c,
        call,
        61,
        demo(
            "wenzhou",
            "wz-operator2",
            "wz-county-ruian",
            "瑞安市",
            "瑞安跨境电商物流园",
        ),
        two_years,
    )
    .await?;
    let cc = historic_award(
        state,
        &c,
        call,
        62,
        demo(
            "wenzhou",
            "wz-operator1",
            "wz-county-lucheng",
            "鹿城区",
            "鹿城跨境电商直播基地",
        ),
        two_years,
    )
    .await?;
    let d = historic_award(
        state,
        &c,
        call,
        63,
        demo(
            "wenzhou",
            "wz-operator2",
            "wz-county-ruian",
            "瑞安市",
            "瑞安眼镜跨境电商园",
        ),
        two_years,
    )
    .await?;
    let e = historic_award(
        state,
        &c,
        call,
        64,
        demo(
            "wenzhou",
            "wz-operator1",
            "wz-county-lucheng",
            "鹿城区",
            "鹿城鞋革跨境电商园",
        ),
        two_years,
    )
    .await?;
    conclude(state, &c, call).await?;

    // A: healthy; its latest quarter waits for the bureau.
    file_reports(state, &c, a, &op1, &lucheng, today, |i, n| {
        (
            wenzhou_quarter(i, 12),
            if i + 1 == n {
                Filed::CountyPassed
            } else {
                Filed::Accepted
            },
        )
    })
    .await?;
    // B: trade and activity fall in the last two quarters: at risk, then non-compliant.
    file_reports(state, &c, b, &op2, &ruian, today, |i, n| {
        let mut r = wenzhou_quarter(i, 11);
        if i + 2 >= n {
            r.trade = 5_600_000 + i as u64 * 100_000;
            r.active = 8;
        }
        (r, Filed::Accepted)
    })
    .await?;
    // C: the latest quarter is overdue (a reminder was sent); the one before waits for the county.
    file_reports(state, &c, cc, &op1, &lucheng, today, |i, n| {
        let filed = if i + 1 == n {
            Filed::Missing
        } else if i + 2 == n {
            Filed::Submitted
        } else {
            Filed::Accepted
        };
        (wenzhou_quarter(i, 10), filed)
    })
    .await?;
    file_reports(state, &c, d, &op2, &ruian, today, |i, _| {
        let mut r = wenzhou_quarter(i, 9);
        r.trade = 7_000_000;
        (r, Filed::Accepted)
    })
    .await?;
    file_reports(state, &c, e, &op1, &lucheng, today, |i, _| {
        (wenzhou_quarter(i, 10), Filed::Accepted)
    })
    .await?;
    let (owed, _) = DueSettings::default().owed(ReportKind::ParkQuarter, two_years, today);
    if let Some(last) = owed.last() {
        remind(
            state,
            &c,
            cc,
            lucheng_id(state, &c).await?,
            *last,
            today - Duration::days(3),
            10,
        )
        .await?;
    }
    county_reports(
        state,
        &c,
        &lucheng,
        lucheng_id(state, &c).await?,
        oldest,
        today,
        false,
    )
    .await?;
    let ruian_id = jurisdiction_id(state, c.tenant.id, "瑞安市").await?;
    county_reports(state, &c, &ruian, ruian_id, two_years, today, true).await?;
    targets(
        state,
        &c,
        Targets {
            year: today.year() + 1,
            trade: Some(200_000_000),
            parks: Some(8),
            enterprises: Some(300),
            basis: "演示目标，口径参照浙江省各综合试验区实施方案“一县一园”“累计培育300家以上跨境电子商务企业”".into(),
        },
    )
    .await?;

    // The re-review: D was ordered to rectify earlier and let the deadline pass (the job delists
    // it); this year's round passes A and orders B to rectify; C is still to be decided.
    let earlier = re_review(state, &c, "上半年已认定园区复评", &[d]).await?;
    decide(
        state,
        &c,
        earlier,
        d,
        "rectify",
        "跨境电商进出口额连续未达到第四条（四）4000万美元的要求，请限期整改。",
        Some(today - Duration::days(10)),
    )
    .await?;
    let round = re_review(
        state,
        &c,
        &format!("{}年度已认定园区复评", today.year()),
        &[a, b, cc],
    )
    .await?;
    decide(state, &c, round, a, "pass", "", None).await?;
    decide(state, &c, round, b, "rectify", "1. 年化跨境电商进出口额低于4000万美元（第四条（四））；\n2. 备案企业活跃率低于50%（第四条（四））。\n请于期限内提交整改报告和佐证材料。", Some(today + Duration::days(45))).await?;
    re_review_panel(state, &c, round).await?;

    revoke(
        state,
        &c,
        e,
        "blacklist",
        "温州 第八条、附件4 一票否决及摘牌",
        "运营主体被列入严重失信主体名单（信用中国公示），依照第八条自动取消其资格。",
        today - Duration::days(20),
        None,
    )
    .await?;
    Ok(())
}

async fn targets(state: &AppState, c: &Cast, t: Targets) -> anyhow::Result<()> {
    let mut conn = state.db.acquire().await?;
    db::save_targets(&mut conn, c.tenant.id, &t, c.bureau.id).await?;
    Ok(())
}

async fn lucheng_id(state: &AppState, c: &Cast) -> anyhow::Result<i64> {
    jurisdiction_id(state, c.tenant.id, "鹿城区").await
}

async fn zhongshan(state: &AppState, today: NaiveDate) -> anyhow::Result<()> {
    let c = cast(state, "zhongshan", "zs-bureau").await?;
    let op1 = person(state, c.tenant.id, "zs-operator1", Role::Operator).await?;
    let op2 = person(state, c.tenant.id, "zs-operator2", Role::Operator).await?;
    let op3 = person(state, c.tenant.id, "zs-operator3", Role::Operator).await?;
    let guzhen = person(state, c.tenant.id, "zs-county-guzhen", Role::County).await?;
    let torch = person(state, c.tenant.id, "zs-county-torch", Role::County).await?;
    let awarded = years_before(today, 1) - Duration::days(120);
    let call = historic_call(
        state,
        &c,
        awarded.year(),
        &format!(
            "关于组织申报{}年度中山市跨境电商产业园区的通知",
            awarded.year()
        ),
    )
    .await?;
    let f = historic_award(
        state,
        &c,
        call,
        70,
        demo(
            "zhongshan",
            "zs-operator2",
            "zs-county-torch",
            "中山港街道",
            "中山港跨境电商物流园",
        ),
        awarded,
    )
    .await?;
    let g = historic_award(
        state,
        &c,
        call,
        71,
        demo(
            "zhongshan",
            "zs-operator3",
            "zs-county-torch",
            "中山港街道",
            "中山港保税跨境电商直播园",
        ),
        awarded,
    )
    .await?;
    let h = historic_award(
        state,
        &c,
        call,
        72,
        demo(
            "zhongshan",
            "zs-operator1",
            "zs-county-guzhen",
            "古镇镇",
            "古镇灯饰跨境电商直播园",
        ),
        awarded,
    )
    .await?;
    conclude(state, &c, call).await?;

    file_reports(state, &c, h, &op1, &guzhen, today, |i, _| {
        (zhongshan_quarter(i), Filed::Accepted)
    })
    .await?;
    // F: the latest quarter was never reported, even after the bureau's urging and its grace
    // period: the job raises 第十五条's ground for revocation.
    file_reports(state, &c, f, &op2, &torch, today, |i, n| {
        (
            zhongshan_quarter(i),
            if i + 1 == n {
                Filed::Missing
            } else {
                Filed::Accepted
            },
        )
    })
    .await?;
    let (owed, _) = DueSettings::default().owed(ReportKind::ParkQuarter, awarded, today);
    if let Some(last) = owed.last() {
        let torch_id = jurisdiction_id(state, c.tenant.id, "中山港街道").await?;
        remind(
            state,
            &c,
            f,
            torch_id,
            *last,
            today - Duration::days(25),
            10,
        )
        .await?;
    }
    // This year's re-review (中山 第十一条) orders F to rectify within days: its operator's to-do
    // list and inbox carry the deadline, and the reminder job warns of it.
    let round = re_review(
        state,
        &c,
        &format!("{}年度已认定园区复评", today.year()),
        &[f],
    )
    .await?;
    decide(
        state,
        &c,
        round,
        f,
        "rectify",
        "1. 未按要求定期报送园区数据（第十四条）；\n2. 公共服务平台运营记录不完整。\n请于期限内提交整改报告和佐证材料。",
        Some(today + Duration::days(6)),
    )
    .await?;
    file_reports(state, &c, g, &op3, &torch, today, |i, _| {
        (zhongshan_quarter(i), Filed::Accepted)
    })
    .await?;
    revoke(
        state,
        &c,
        g,
        "falsified",
        "中山 第十二条",
        "经核查，申报材料中的入驻企业名录有12家企业未在园区实际经营，属提供虚假材料骗取认定称号。",
        today - Duration::days(30),
        None,
    )
    .await?;
    Ok(())
}

/// A reminder recorded `days_ago`, giving `grace` days.
async fn remind(
    state: &AppState,
    c: &Cast,
    award: i64,
    jurisdiction: i64,
    period: Period,
    sent_on: NaiveDate,
    grace: i64,
) -> anyhow::Result<()> {
    let sent_at = Shanghai
        .from_local_datetime(&sent_on.and_hms_opt(10, 0, 0).context("time")?)
        .single()
        .context("time")?
        .with_timezone(&Utc);
    let mut conn = state.db.acquire().await?;
    db::insert_reminder(
        &mut conn,
        c.tenant.id,
        &db::NewReminder {
            kind: ReportKind::ParkQuarter,
            award_id: Some(award),
            jurisdiction_id: jurisdiction,
            period,
            note: "电话督促园区运营负责人，要求尽快报送。",
            grace_until: sent_on + Duration::days(grace),
            sent_by: c.bureau.id,
            sent_at,
        },
    )
    .await?;
    Ok(())
}

/// The article that makes a re-review the bureau's to order, in the tenant's own regulation.
fn re_review_basis(c: &Cast) -> &'static str {
    match c.tenant.slug.as_str() {
        "wenzhou" => "温州 第八条",
        _ => "中山 第十一条",
    }
}

async fn re_review(state: &AppState, c: &Cast, title: &str, parks: &[i64]) -> anyhow::Result<i64> {
    let mut evaluated = Vec::new();
    for award in parks {
        let park = titles::get(&state.db, c.tenant.id, ParkScope::Bureau, *award)
            .await?
            .context("park")?;
        let (status, findings) = evaluate_now(state, c.tenant.id, &park)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        evaluated.push((*award, status, serde_json::to_value(findings)?));
    }
    let mut tx = state.db.begin().await?;
    let id = db::insert_re_review(
        &mut tx,
        c.tenant.id,
        title,
        &format!("根据季度监测结果，适时组织复评（{}）。", re_review_basis(c)),
        c.bureau.id,
    )
    .await?;
    for (award, status, findings) in &evaluated {
        db::insert_re_review_park(&mut tx, c.tenant.id, id, *award, status.as_str(), findings)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The round's undecided park is re-reviewed by a drawn panel: two members advise
/// rectification, one passing; the bureau's decision is still to be made.
async fn re_review_panel(state: &AppState, c: &Cast, round: i64) -> anyhow::Result<()> {
    use crate::service::monitoring::re_review_panel::{answer, draw_panel};
    use crate::service::panels::DrawFailure;
    let seed = "20261125-温州市商务局-复评-监督员王某";
    let panel = match draw_panel(state, c.tenant.id, &c.bureau.by, round, (3, seed)).await {
        Ok(p) => p,
        Err(DrawFailure::Rules(m)) => anyhow::bail!("re-review draw: {m}"),
        Err(DrawFailure::App(e)) => return Err(e.into()),
    };
    let sheets =
        crate::db::re_review_panels::sheets_of_panel(&state.db, c.tenant.id, panel).await?;
    for (i, sheet) in sheets.iter().enumerate() {
        let by = By {
            actor: crate::domain::workflow::Actor::User(Role::Expert),
            user_id: sheet.expert_user_id,
            request_id: None,
            ip: None,
        };
        let (opinion, summary) = match i {
            1 => (
                "pass",
                "直播基地入驻率和活跃度较去年回升，建议复评通过，继续监测。",
            ),
            0 => (
                "rectify",
                "上季度数据逾期未报，直播间实际使用率偏低，建议限期整改后再行评估。",
            ),
            _ => (
                "rectify",
                "定期报告报送不及时，建议限期补报并完善数据报送制度。",
            ),
        };
        answer(
            state,
            c.tenant.id,
            &by,
            sheet,
            (false, "", Some(opinion), summary),
        )
        .await?;
    }
    Ok(())
}

async fn decide(
    state: &AppState,
    c: &Cast,
    round: i64,
    award: i64,
    result: &str,
    findings: &str,
    deadline: Option<NaiveDate>,
) -> anyhow::Result<()> {
    let entry = db::re_review_parks(&state.db, c.tenant.id, round)
        .await?
        .into_iter()
        .find(|p| p.award_id == award)
        .context("re-review entry")?;
    let park = titles::get(&state.db, c.tenant.id, ParkScope::Bureau, award)
        .await?
        .context("park")?;
    let rules = WorkflowRules::for_rule_set(
        &crate::db::rulesets::of_version(&state.db, c.tenant.id, park.rule_set_version_id).await?,
    );
    let decision = crate::service::monitoring::ReReviewDecision {
        round,
        entry: entry.id,
        result,
        findings,
        deadline,
    };
    crate::service::monitoring::decide_re_review(
        state,
        c.tenant.id,
        &c.bureau.by,
        &park,
        &rules,
        &decision,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn revoke(
    state: &AppState,
    c: &Cast,
    award: i64,
    ground: &str,
    article: &str,
    reason: &str,
    on: NaiveDate,
    funds: Option<i64>,
) -> anyhow::Result<()> {
    let park = titles::get(&state.db, c.tenant.id, ParkScope::Bureau, award)
        .await?
        .context("park")?;
    let rules =
        crate::db::rulesets::of_version(&state.db, c.tenant.id, park.rule_set_version_id).await?;
    let bar = crate::domain::monitoring::revocation_grounds(&rules)
        .iter()
        .find(|g| g.key == ground)
        .and_then(|g| g.bar_years)
        .and_then(|y| on.checked_add_months(Months::new(12 * y)))
        .and_then(|d| d.pred_opt());
    let mut tx = state.db.begin().await?;
    titles::transition(
        &mut tx,
        c.tenant.id,
        award,
        ApplicationAction::Revoke,
        &c.bureau.by,
        Some(reason),
        &WorkflowRules::for_rule_set(&rules),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    db::insert_revocation(
        &mut tx,
        c.tenant.id,
        &NewRevocation {
            award_id: award,
            ground,
            article,
            reason,
            uscc: &park.uscc,
            revoked_on: on,
            barred_until: bar,
            funds_to_recover: funds,
            revoked_by: c.bureau.id,
        },
    )
    .await?;
    let evidence = UploadedFile {
        filename: "处罚决定书.pdf".into(),
        kind: FileKind::Pdf,
        bytes: demo_pdf("penalty decision"),
    };
    files::keep(
        state,
        &mut tx,
        c.tenant.id,
        Owner::Award(award),
        "revocation_evidence",
        &evidence,
        c.bureau.id,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::db::titles::note(
        &mut tx,
        c.tenant.id,
        award,
        &format!("{on} 撤销称号（{article}）"),
        on,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

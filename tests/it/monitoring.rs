//! Dynamic management after the award (issue 7), on the demo's awarded parks: quarterly reports
//! through county and bureau into the monitoring status; overdue reports, reminders and
//! Zhongshan's revocation ground; re-review, rectification and delisting by the scheduled job;
//! revocation and its bar on reapplying; expiry; and isolation between tenants and parties.
use crate::helpers::{TestApp, duplicate_ids, fixture};
use crate::notifications::{mark, told, told_of_award};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use parkcert::domain::monitoring::{DueSettings, Period, ReportKind};
use parkcert::domain::notification::EventKind;
use parkcert::jobs::sweep;

/// The demo content seeded on a fixed day, so that which quarters are owed, overdue or due
/// does not depend on the day the tests run.
pub(crate) async fn with_demo() -> TestApp {
    let app = TestApp::spawn().await;
    set_day(&app, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    parkcert::demo::seed_content(&app.state).await.unwrap();
    app
}

/// The award id and date of a demo park.
pub(crate) async fn award_of(app: &TestApp, park: &str) -> (i64, NaiveDate) {
    sqlx::query_as("SELECT id, awarded_on FROM awards WHERE park_name = $1")
        .bind(park)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn title_state(app: &TestApp, award: i64) -> String {
    sqlx::query_scalar("SELECT state FROM titles WHERE award_id = $1")
        .bind(award)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The accounts of a title's park: its operator's, and with `county` its county office's too.
pub(crate) async fn park_people(app: &TestApp, award: i64, county: bool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT u.login FROM users u JOIN awards w ON w.tenant_id = u.tenant_id
           LEFT JOIN applications a ON a.tenant_id = w.tenant_id AND a.id = w.application_id
          WHERE w.id = $1 AND u.active
            AND ((u.role = 'operator'
                  AND u.organization_id = coalesce(w.organization_id, a.organization_id))
              OR ($2 AND u.role = 'county'
                  AND u.jurisdiction_id = coalesce(w.jurisdiction_id, a.jurisdiction_id)))
          ORDER BY u.login",
    )
    .bind(award)
    .bind(county)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

pub(crate) async fn browser(app: &TestApp, login: &str) -> TestApp {
    let mut b = app.new_browser();
    b.sign_in_as(login).await;
    b
}

/// Moves the app's clock to noon (Shanghai) of `day`.
pub(crate) fn set_day(app: &TestApp, day: NaiveDate) {
    let noon = chrono_tz::Asia::Shanghai
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc);
    app.state.clock.set(noon);
}

fn owed(awarded_on: NaiveDate, today: NaiveDate) -> Vec<Period> {
    DueSettings::default()
        .owed(ReportKind::ParkQuarter, awarded_on, today)
        .0
}

fn report_fields<'a>(trade: &'a str, active: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("trade", trade),
        ("enterprises", "50"),
        ("cbec_operating", "18"),
        ("cbec_platform", "4"),
        ("cbec_payment", "2"),
        ("cbec_logistics", "4"),
        ("cbec_other", "2"),
        ("registered", "24"),
        ("active", active),
        ("events_self", "3"),
        ("events_joint", "1"),
        ("changes", "新入驻跨境电商企业2家。"),
    ]
}

#[tokio::test]
async fn a_quarterly_report_passes_the_county_and_the_bureau_and_sets_the_monitoring_status() {
    let app = with_demo().await;
    let (award, awarded_on) = award_of(&app, "鹿城跨境电商直播基地").await;
    let today = app.state.clock.today();
    let latest = *owed(awarded_on, today).last().unwrap();
    let mut operator = browser(&app, "wz-operator1").await;
    let page = format!(
        "/t/wenzhou/operator/parks/{award}/reports/{}/{}",
        latest.year, latest.period
    );
    operator
        .get(&format!("/t/wenzhou/operator/parks/{award}"))
        .await
        .assert_contains("逾期未报");
    operator.get(&page).await.assert_status(StatusCode::OK);

    // Counts that cannot be true together are named next to their fields, and kept.
    let bad = report_fields("4500000", "30");
    let refused = operator.post_form(&page, &bad).await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("活跃企业数不能多于备案企业数")
        .assert_contains("value=\"4500000\"");

    // A weak quarter: USD 4.5 million, a year's pace of 18 million against 第四条（四）'s 40.
    operator
        .post_form(&page, &report_fields("4500000", "16"))
        .await
        .assert_redirect_to(&page);
    let report: i64 = sqlx::query_scalar(
        "SELECT id FROM periodic_reports WHERE award_id = $1 AND year = $2 AND period = $3",
    )
    .bind(award)
    .bind(latest.year)
    .bind(i16::from(latest.period))
    .fetch_one(&app.db)
    .await
    .unwrap();

    // The bureau cannot accept before the county has passed it.
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau
        .get(&format!("/t/wenzhou/bureau/monitoring/reports/{report}"))
        .await
        .assert_not_contains("采纳（并重新评估园区）");
    bureau
        .post_form(
            &format!("/t/wenzhou/bureau/monitoring/reports/{report}/decision"),
            &[("decision", "accept")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);

    let mut county = browser(&app, "wz-county-lucheng").await;
    county
        .get("/t/wenzhou/county/monitoring")
        .await
        .assert_contains("鹿城跨境电商直播基地");
    county
        .get(&format!("/t/wenzhou/county/reports/{report}"))
        .await
        .assert_contains("4,500,000 美元");
    county
        .post_form(
            &format!("/t/wenzhou/county/reports/{report}/decision"),
            &[("decision", "pass"), ("reason", "")],
        )
        .await
        .assert_redirect_to("/t/wenzhou/county/monitoring");

    bureau.get("/t/wenzhou/bureau/monitoring").await;
    bureau
        .post_form(
            &format!("/t/wenzhou/bureau/monitoring/reports/{report}/decision"),
            &[("decision", "accept")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/monitoring/reports/{report}"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM monitoring_results WHERE report_id = $1")
            .bind(report)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        status, "at_risk",
        "one quarter below the threshold is a warning"
    );
    bureau
        .get(&format!("/t/wenzhou/bureau/monitoring/reports/{report}"))
        .await
        .assert_contains("预警")
        .assert_contains("第四条（四）")
        .assert_contains("进出口总额达4000万美元")
        .assert_not_contains("采纳（并重新评估园区）");
    // The version is immutable and the decisions are on record.
    let reviews: i64 =
        sqlx::query_scalar("SELECT count(*) FROM periodic_report_reviews WHERE report_id = $1")
            .bind(report)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(reviews, 2);
    assert!(
        sqlx::query("UPDATE periodic_report_versions SET data = '{}' WHERE report_id = $1")
            .bind(report)
            .execute(&app.db)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_report_the_county_returns_tells_its_filer_why_and_no_one_else() {
    let app = with_demo().await;
    let (award, awarded_on) = award_of(&app, "鹿城跨境电商直播基地").await;
    let latest = *owed(awarded_on, app.state.clock.today()).last().unwrap();
    let mut operator = browser(&app, "wz-operator1").await;
    let page = format!(
        "/t/wenzhou/operator/parks/{award}/reports/{}/{}",
        latest.year, latest.period
    );
    operator.get(&page).await;
    operator
        .post_form(&page, &report_fields("12000000", "16"))
        .await
        .assert_redirect_to(&page);
    let report: i64 = sqlx::query_scalar(
        "SELECT id FROM periodic_reports WHERE award_id = $1 AND year = $2 AND period = $3",
    )
    .bind(award)
    .bind(latest.year)
    .bind(i16::from(latest.period))
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut county = browser(&app, "wz-county-lucheng").await;
    let review = format!("/t/wenzhou/county/reports/{report}");
    county.get(&review).await;
    let since = mark(&app).await;
    county
        .post_form(
            &format!("{review}/decision"),
            &[("decision", "return"), ("reason", "请附海关统计数据截图。")],
        )
        .await
        .assert_redirect_to("/t/wenzhou/county/monitoring");
    assert_eq!(
        told(&app, EventKind::ReportReturned, since).await,
        ["wz-operator1"]
    );
    operator
        .get("/t/wenzhou/inbox")
        .await
        .assert_contains("请附海关统计数据截图。");
}

#[tokio::test]
async fn a_report_missing_after_a_reminder_and_its_grace_becomes_a_zhongshan_revocation_ground() {
    let app = with_demo().await;
    let (award, awarded_on) = award_of(&app, "古镇灯饰跨境电商直播园").await;
    let today = app.state.clock.today();
    // A quarter on, the next report is overdue.
    let (_, next) = DueSettings::default().owed(ReportKind::ParkQuarter, awarded_on, today);
    let due = DueSettings::default().due_date(ReportKind::ParkQuarter, next);
    let later = due + Duration::days(1);
    set_day(&app, later);
    let mut bureau = browser(&app, "zs-bureau").await;
    bureau
        .get("/t/zhongshan/bureau/monitoring")
        .await
        .assert_contains(&format!("{} 逾期", next.label(ReportKind::ParkQuarter)));
    let (year, period) = (next.year.to_string(), next.period.to_string());
    let remind = [
        ("kind", "park_quarter"),
        ("award_id", &award.to_string()),
        ("year", year.as_str()),
        ("period", period.as_str()),
    ];
    let since = mark(&app).await;
    bureau
        .post_form("/t/zhongshan/bureau/monitoring/remind", &remind)
        .await
        .assert_redirect_to("/t/zhongshan/bureau/monitoring");
    assert_eq!(
        told(&app, EventKind::ReportReminded, since).await,
        park_people(&app, award, true).await,
        "催报 reaches the park's operator and its county, and no one else"
    );
    let grace: NaiveDate =
        sqlx::query_scalar("SELECT grace_until FROM report_reminders WHERE award_id = $1")
            .bind(award)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(grace, later + Duration::days(10));
    let grounds = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM revocation_grounds WHERE award_id = $1",
            )
            .bind(award)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    // Within the grace period nothing is raised; after it, once, however often the job runs.
    sweep::run(&app.state, grace).await.unwrap();
    assert_eq!(grounds(&app).await, 0);
    let after = grace + Duration::days(1);
    let first = sweep::run(&app.state, after).await.unwrap();
    assert_eq!(first.grounds, 1);
    let again = sweep::run(&app.state, after).await.unwrap();
    assert_eq!(again.grounds, 0);
    assert_eq!(grounds(&app).await, 1);
    set_day(&app, after);
    bureau
        .get("/t/zhongshan/bureau/monitoring")
        .await
        .assert_contains("可撤销")
        .assert_contains("中山 第十五条");
    // A second urging of the same quarter raises no second ground.
    bureau
        .post_form("/t/zhongshan/bureau/monitoring/remind", &remind)
        .await
        .assert_redirect_to("/t/zhongshan/bureau/monitoring");
    sweep::run(&app.state, after + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(grounds(&app).await, 1);

    // In Wenzhou the same lapse is only a reminder on record (第九条 sets no such ground).
    let (wz_award, _) = award_of(&app, "鹿城跨境电商直播基地").await;
    let wz_grace: NaiveDate =
        sqlx::query_scalar("SELECT grace_until FROM report_reminders WHERE award_id = $1")
            .bind(wz_award)
            .fetch_one(&app.db)
            .await
            .unwrap();
    sweep::run(&app.state, wz_grace + Duration::days(1))
        .await
        .unwrap();
    let wz_grounds: i64 =
        sqlx::query_scalar("SELECT count(*) FROM revocation_grounds WHERE award_id = $1")
            .bind(wz_award)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(wz_grounds, 0);
}

#[tokio::test]
async fn a_round_of_two_parks_gives_each_decision_form_its_own_field_ids() {
    let app = with_demo().await;
    let (first, _) = award_of(&app, "鹿城跨境电商直播基地").await;
    let (second, _) = award_of(&app, "鹿城跨境电商产业园（一期）").await;
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau.get("/t/wenzhou/bureau/monitoring/re-reviews").await;
    let opened = bureau
        .post_form(
            "/t/wenzhou/bureau/monitoring/re-reviews",
            &[
                ("title", "专项复评"),
                ("reason", "季度报告逾期"),
                ("award", &first.to_string()),
                ("award", &second.to_string()),
            ],
        )
        .await;
    // The new round's id is not known before it is opened.
    opened.assert_redirect_starting("/t/wenzhou/bureau/monitoring/re-reviews/");
    let page = bureau.get(opened.location()).await;
    page.assert_contains("鹿城跨境电商直播基地")
        .assert_contains("鹿城跨境电商产业园（一期）");
    assert_eq!(page.body.matches("name=\"findings\"").count(), 2);
    assert_eq!(duplicate_ids(&page.body), Vec::<String>::new());
}

#[tokio::test]
async fn a_re_review_orders_rectification_and_a_missed_deadline_delists_the_park() {
    let app = with_demo().await;
    let (award, _) = award_of(&app, "鹿城跨境电商直播基地").await;
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau.get("/t/wenzhou/bureau/monitoring/re-reviews").await;
    let none = bureau
        .post_form(
            "/t/wenzhou/bureau/monitoring/re-reviews",
            &[("title", "专项复评"), ("reason", "")],
        )
        .await;
    none.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请选择参加复评的园区")
        .assert_contains("value=\"专项复评\"");
    let opened = bureau
        .post_form(
            "/t/wenzhou/bureau/monitoring/re-reviews",
            &[
                ("title", "专项复评"),
                ("reason", "季度报告逾期"),
                ("award", &award.to_string()),
            ],
        )
        .await;
    // The new round's id is not known before it is opened.
    opened.assert_redirect_starting("/t/wenzhou/bureau/monitoring/re-reviews/");
    let round_page = opened.location().to_string();
    bureau
        .get(&round_page)
        .await
        .assert_contains("鹿城跨境电商直播基地");
    let round: i64 = round_page.rsplit('/').next().unwrap().parse().unwrap();
    let entry: i64 = sqlx::query_scalar(
        "SELECT id FROM re_review_parks WHERE award_id = $1 AND re_review_id = $2",
    )
    .bind(award)
    .bind(round)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let decide = format!("{round_page}/parks/{entry}");
    let today = app.state.clock.today();
    // A deadline in the past is refused next to the field.
    bureau
        .post_form(
            &decide,
            &[
                ("result", "rectify"),
                ("findings", "季度数据逾期未报。"),
                ("deadline", &today.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写今天以后的整改期限");
    // Wenzhou 第八条 has no delisting without rectification.
    bureau
        .post_form(&decide, &[("result", "delist"), ("findings", "不达标")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let deadline = today + Duration::days(30);
    bureau
        .post_form(
            &decide,
            &[
                ("result", "rectify"),
                ("findings", "季度数据逾期未报。"),
                ("deadline", &deadline.to_string()),
            ],
        )
        .await
        .assert_redirect_to(&round_page);
    let operator_people = park_people(&app, award, false).await;
    assert!(!operator_people.is_empty());
    assert_eq!(
        told_of_award(&app, EventKind::RectificationOrdered, award, 0).await,
        operator_people
    );
    assert_eq!(title_state(&app, award).await, "rectification");
    let public = &mut app.new_browser();
    public
        .get("/t/wenzhou/parks?q=鹿城跨境电商直播基地")
        .await
        .assert_contains("整改中");

    // The operator answers; the bureau finds it not enough; the order is open again.
    let order: i64 = sqlx::query_scalar(
        "SELECT id FROM rectification_orders WHERE award_id = $1 AND state = 'open'",
    )
    .bind(award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut operator = browser(&app, "wz-operator1").await;
    operator
        .get(&format!("/t/wenzhou/operator/parks/{award}"))
        .await
        .assert_contains("限期整改通知")
        .assert_contains(&deadline.to_string());
    operator
        .post_multipart(
            &format!("/t/wenzhou/operator/parks/{award}/rectifications/{order}"),
            &[("report", "已补报全部季度数据，并建立专人报送制度。")],
            &[("evidence", "制度.pdf", &fixture("documents/licence.pdf"))],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/operator/parks/{award}"));
    bureau
        .get(&format!(
            "/t/wenzhou/bureau/monitoring/rectifications/{order}"
        ))
        .await
        .assert_contains("制度.pdf");
    bureau
        .post_form(
            &format!("/t/wenzhou/bureau/monitoring/rectifications/{order}/verdict"),
            &[("verdict", "rejected"), ("reason", "")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不予通过时请写明理由");
    bureau
        .post_form(
            &format!("/t/wenzhou/bureau/monitoring/rectifications/{order}/verdict"),
            &[
                ("verdict", "rejected"),
                ("reason", "未提供补报数据的回执。"),
            ],
        )
        .await
        .assert_redirect_to(&format!(
            "/t/wenzhou/bureau/monitoring/rectifications/{order}"
        ));

    // The deadline day itself is still in time; the day after, the job delists — once.
    // (The demo's other parks under rectification have deadlines of their own: the park's
    // title is what is asserted, and the second run's count.)
    sweep::run(&app.state, deadline).await.unwrap();
    assert_eq!(title_state(&app, award).await, "rectification");
    let after = deadline + Duration::days(1);
    let since = mark(&app).await;
    sweep::run(&app.state, after).await.unwrap();
    assert_eq!(title_state(&app, award).await, "delisted");
    assert_eq!(
        told_of_award(&app, EventKind::Delisted, award, since).await,
        operator_people
    );
    assert_eq!(sweep::run(&app.state, after).await.unwrap().delisted, 0);
    assert_eq!(title_state(&app, award).await, "delisted");
    let app_state: String = sqlx::query_scalar(
        "SELECT a.state FROM applications a JOIN awards w ON w.application_id = a.id WHERE w.id = $1",
    )
    .bind(award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        app_state, "delisted",
        "the application moves with its title"
    );
    public
        .get("/t/wenzhou/parks?q=鹿城跨境电商直播基地")
        .await
        .assert_contains("已摘牌")
        .assert_contains("未整改到位");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'title' AND action = 'delist_lapsed'
           AND after->>'actor' = 'system'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(audited >= 1);
    // The order itself went through its machine: answered, failed, lapsed — each audited with
    // the states it moved between and who moved it.
    let trail: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT action, before->>'state', after->>'state', after->>'actor' FROM audit_log
         WHERE object_kind = 'rectification_order' AND object_id = $1::text ORDER BY id",
    )
    .bind(order)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let trail: Vec<(&str, &str, &str, &str)> = trail
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            ("respond", "open", "responded", "operator"),
            ("fail", "responded", "open", "bureau"),
            ("lapse", "open", "lapsed", "system"),
        ]
    );
}

#[tokio::test]
async fn an_accepted_rectification_restores_the_title() {
    let app = with_demo().await;
    let (award, _) = award_of(&app, "瑞安跨境电商物流园").await;
    assert_eq!(title_state(&app, award).await, "rectification");
    let order: i64 = sqlx::query_scalar(
        "SELECT id FROM rectification_orders WHERE award_id = $1 AND state = 'open'",
    )
    .bind(award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut operator = browser(&app, "wz-operator2").await;
    operator
        .get(&format!("/t/wenzhou/operator/parks/{award}"))
        .await;
    operator
        .post_multipart(
            &format!("/t/wenzhou/operator/parks/{award}/rectifications/{order}"),
            &[("report", "短")],
            &[],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请写明整改情况");
    operator
        .post_multipart(
            &format!("/t/wenzhou/operator/parks/{award}/rectifications/{order}"),
            &[(
                "report",
                "引进跨境电商经营企业6家，季度进出口额恢复至1200万美元。",
            )],
            &[(
                "evidence",
                "海关统计.pdf",
                &fixture("documents/licence.pdf"),
            )],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/operator/parks/{award}"));
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau
        .get(&format!(
            "/t/wenzhou/bureau/monitoring/rectifications/{order}"
        ))
        .await;
    bureau
        .post_form(
            &format!("/t/wenzhou/bureau/monitoring/rectifications/{order}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirect_to(&format!(
            "/t/wenzhou/bureau/monitoring/rectifications/{order}"
        ));
    assert_eq!(title_state(&app, award).await, "awarded");
    // An accepted order is not delisted when its deadline passes.
    let far = app.state.clock.today() + Duration::days(60);
    sweep::run(&app.state, far).await.unwrap();
    assert_eq!(title_state(&app, award).await, "awarded");
}

#[tokio::test]
async fn a_revocation_bars_the_operator_from_applying_until_the_bar_ends() {
    let app = with_demo().await;
    let (award, _) = award_of(&app, "古镇灯饰跨境电商直播园").await;
    let mut bureau = browser(&app, "zs-bureau").await;
    let page = format!("/t/zhongshan/bureau/monitoring/parks/{award}");
    bureau.get(&page).await.assert_contains("撤销依据");
    // Evidence is required, and the reasons are kept when something is missing.
    bureau
        .post_multipart(
            &format!("{page}/revoke"),
            &[
                ("ground", "falsified"),
                ("reason", "入驻企业名录中8家企业系虚构。"),
            ],
            &[],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请上传证据材料")
        .assert_contains("请勾选确认")
        .assert_contains("入驻企业名录中8家企业系虚构。");
    assert_eq!(title_state(&app, award).await, "awarded");
    assert_eq!(
        told_of_award(&app, EventKind::Revoked, award, 0).await,
        Vec::<String>::new(),
        "a refused revocation tells nobody"
    );
    bureau
        .post_multipart(
            &format!("{page}/revoke"),
            &[
                ("ground", "falsified"),
                ("reason", "入驻企业名录中8家企业系虚构。"),
                ("confirm", "on"),
            ],
            &[(
                "evidence",
                "核查报告.pdf",
                &fixture("documents/licence.pdf"),
            )],
        )
        .await
        .assert_redirect_to(&page);
    assert_eq!(title_state(&app, award).await, "revoked");
    assert_eq!(
        told_of_award(&app, EventKind::Revoked, award, 0).await,
        park_people(&app, award, false).await
    );
    let today = app.state.clock.today();
    let ends = parkcert::domain::time::valid_until(today, Some(3)).unwrap();
    // One wording of the bar on the bureau's page and the operator's home (they differed by a day).
    let bar_words = parkcert::domain::monitoring::bar_words(ends);
    bureau
        .get(&page)
        .await
        .assert_contains("中山 第十二条")
        .assert_contains(&bar_words);
    app.new_browser()
        .get("/t/zhongshan/parks?q=古镇灯饰跨境电商直播园")
        .await
        .assert_contains("已撤销");

    // 第十三条: falsified materials that obtained funds — the amount is recorded for recovery.
    let (funded, _) = award_of(&app, "中山港跨境电商物流园").await;
    let funded_page = format!("/t/zhongshan/bureau/monitoring/parks/{funded}");
    bureau.get(&funded_page).await;
    let revoke = |funds: &'static str| {
        [
            ("ground", "falsified_funds"),
            ("reason", "虚报跨境电商进出口额，骗取2025年度园区扶持资金。"),
            ("funds", funds),
            ("confirm", "on"),
        ]
    };
    bureau
        .post_multipart(
            &format!("{funded_page}/revoke"),
            &revoke(""),
            &[(
                "evidence",
                "审计报告.pdf",
                &fixture("documents/licence.pdf"),
            )],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写应收回的财政资金金额");
    bureau
        .post_multipart(
            &format!("{funded_page}/revoke"),
            &revoke("1,200,000"),
            &[(
                "evidence",
                "审计报告.pdf",
                &fixture("documents/licence.pdf"),
            )],
        )
        .await
        .assert_redirect_to(&funded_page);
    let (funds, bar): (Option<i64>, Option<NaiveDate>) = sqlx::query_as(
        "SELECT funds_to_recover, barred_until FROM revocations WHERE award_id = $1",
    )
    .bind(funded)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (funds, bar),
        (Some(1_200_000), None),
        "第十三条 sets no bar"
    );
    bureau
        .get(&funded_page)
        .await
        .assert_contains("1,200,000 元");

    // The operator (by USCC) may not start an application for the open call.
    let call: i64 = sqlx::query_scalar(
        "SELECT c.id FROM calls c JOIN tenants t ON t.id = c.tenant_id
         WHERE t.slug = 'zhongshan' AND c.state = 'open'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut operator = browser(&app, "zs-operator1").await;
    let bar_ends = (ends + Duration::days(1))
        .format("%Y年%-m月%-d日")
        .to_string();
    operator
        .get("/t/zhongshan/operator")
        .await
        .assert_contains(&bar_words)
        .assert_not_contains(&format!("/calls/{call}/apply"));
    operator
        .post_form(&format!("/t/zhongshan/operator/calls/{call}/apply"), &[])
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains(&bar_ends);
    // The last barred day, and the day the bar ends.
    set_day(&app, ends);
    operator
        .get("/t/zhongshan/operator")
        .await
        .assert_contains("不得重新申报");
    set_day(&app, ends + Duration::days(1));
    operator
        .get("/t/zhongshan/operator")
        .await
        .assert_not_contains("不得重新申报");
}

#[tokio::test]
async fn a_wenzhou_title_expires_after_three_years_with_reminders_before() {
    let app = with_demo().await;
    let (award, _) = award_of(&app, "鹿城跨境电商产业园（一期）").await;
    let until: NaiveDate = sqlx::query_scalar("SELECT valid_until FROM awards WHERE id = $1")
        .bind(award)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let notices: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM title_notices WHERE award_id = $1 ORDER BY kind")
            .bind(award)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(notices, ["expiry_30", "expiry_90"]);
    let people = park_people(&app, award, false).await;
    for kind in [EventKind::TitleExpiring90, EventKind::TitleExpiring30] {
        assert_eq!(
            told_of_award(&app, kind, award, 0).await,
            people,
            "{kind:?}"
        );
    }
    let mut operator = browser(&app, "wz-operator1").await;
    operator
        .get(&format!("/t/wenzhou/operator/parks/{award}"))
        .await
        .assert_contains("不足 30 天");
    assert_eq!(sweep::run(&app.state, until).await.unwrap().expired, 0);
    assert_eq!(title_state(&app, award).await, "awarded");
    assert_eq!(
        sweep::run(&app.state, until + Duration::days(1))
            .await
            .unwrap()
            .expired,
        1
    );
    assert_eq!(title_state(&app, award).await, "expired");
    assert_eq!(
        told_of_award(&app, EventKind::Expired, award, 0).await,
        people
    );
    app.new_browser()
        .get("/t/wenzhou/parks?q=鹿城跨境电商产业园（一期）")
        .await
        .assert_contains("已到期");
    // Zhongshan's titles have no term (its 第十七条 is the term of the measures themselves).
    let (zs, _) = award_of(&app, "古镇灯饰跨境电商直播园").await;
    sweep::run(&app.state, until + Duration::days(4000))
        .await
        .unwrap();
    assert_eq!(title_state(&app, zs).await, "awarded");
}

#[tokio::test]
async fn monitoring_pages_are_not_found_for_other_tenants_counties_and_operators() {
    let app = with_demo().await;
    let (wz_award, _) = award_of(&app, "鹿城跨境电商产业园（一期）").await;
    let (ruian_award, _) = award_of(&app, "瑞安跨境电商物流园").await;
    let lucheng_report: i64 = sqlx::query_scalar(
        "SELECT id FROM periodic_reports WHERE award_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(wz_award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let evidence: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN awards w ON w.id = d.award_id
         WHERE w.park_name = '鹿城鞋革跨境电商园'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();

    let mut zs = browser(&app, "zs-bureau").await;
    for path in [
        format!("/t/zhongshan/bureau/monitoring/parks/{wz_award}"),
        format!("/t/zhongshan/bureau/monitoring/reports/{lucheng_report}"),
        format!("/t/zhongshan/files/{evidence}"),
        "/t/wenzhou/bureau/monitoring".to_string(),
    ] {
        zs.get(&path).await.assert_status(StatusCode::NOT_FOUND);
    }
    let mut ruian = browser(&app, "wz-county-ruian").await;
    ruian
        .get(&format!("/t/wenzhou/county/reports/{lucheng_report}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut op2 = browser(&app, "wz-operator2").await;
    op2.get(&format!("/t/wenzhou/operator/parks/{wz_award}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    op2.get(&format!("/t/wenzhou/operator/parks/{ruian_award}"))
        .await
        .assert_status(StatusCode::OK);
    op2.get(&format!("/t/wenzhou/files/{evidence}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau
        .get(&format!("/t/wenzhou/files/{evidence}"))
        .await
        .assert_status(StatusCode::OK);
}

/// Revokes a demo park under 中山 第十二条 (falsified materials: a three-year bar).
async fn revoke_falsified(bureau: &mut TestApp, award: i64) -> crate::helpers::TestResponse {
    let page = format!("/t/zhongshan/bureau/monitoring/parks/{award}");
    bureau.get(&page).await;
    let response = bureau
        .post_multipart(
            &format!("{page}/revoke"),
            &[
                ("ground", "falsified"),
                ("reason", "申报材料中的入驻企业名录系虚构。"),
                ("confirm", "on"),
            ],
            &[(
                "evidence",
                "核查报告.pdf",
                &fixture("documents/licence.pdf"),
            )],
        )
        .await;
    response.assert_redirect_to(&page);
    response
}

#[tokio::test]
async fn the_three_year_bar_holds_on_every_path_to_a_title_and_flags_applications_in_progress() {
    let app = with_demo().await;
    let mut bureau = browser(&app, "zs-bureau").await;
    // zs-operator2 runs 中山港跨境电商物流园 (titled) and applies for 中山港跨境电商产业园 (reviewed).
    let (award, _) = award_of(&app, "中山港跨境电商物流园").await;
    let revoked = revoke_falsified(&mut bureau, award).await;
    bureau
        .get(revoked.location())
        .await
        .assert_contains("尚有")
        .assert_contains("个申报在办理中")
        .assert_contains("中山港跨境电商产业园");
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM applications WHERE park_name = '中山港跨境电商产业园'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let page = format!("/t/zhongshan/bureau/applications/{id}");
    bureau.get(&page).await.assert_contains("本申报不得认定");

    // Through publicity to the award: refused, and not even offered.
    bureau.get(&page).await;
    let shortlisted = bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "shortlist")])
        .await;
    let call: i64 = sqlx::query_scalar("SELECT call_id FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    shortlisted.assert_redirect_to(&format!("/t/zhongshan/bureau/calls/{call}/applications"));
    let publicity = format!("/t/zhongshan/bureau/calls/{call}/publicity");
    bureau.get(&publicity).await;
    // The new notice's id is not known before it is published.
    bureau
        .post_form(
            &publicity,
            &[
                ("published_on", "2026-11-23"),
                ("first_day", ""),
                ("contact", "市商务局电子商务科，电话：0760-88310000"),
                ("official_url", ""),
            ],
        )
        .await
        .assert_redirect_starting("/t/zhongshan/publicity/");
    let after = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    parkcert::jobs::publicity::close_due(&app.state, after)
        .await
        .unwrap();
    bureau
        .get(&page)
        .await
        .assert_contains("本申报不得认定")
        .assert_not_contains("value=\"award\"");
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "award")])
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("不得重新申报");
    let awards: i64 = sqlx::query_scalar("SELECT count(*) FROM awards WHERE application_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(awards, 0);

    // The provincial list (第九条) is a path to a title too.
    let (org, county): (i64, i64) = sqlx::query_as(
        "SELECT o.id, j.id FROM organizations o, jurisdictions j
         WHERE o.uscc = (SELECT uscc FROM revocations WHERE award_id = $1)
           AND j.name = '中山港街道'",
    )
    .bind(award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    bureau.get("/t/zhongshan/bureau/provincial").await;
    bureau
        .post_form(
            "/t/zhongshan/bureau/provincial",
            &[
                ("organization_id", &org.to_string()),
                ("park_name", "中山港跨境电商综合园"),
                ("jurisdiction_id", &county.to_string()),
                (
                    "evidence",
                    "广东省商务厅关于公布广东省跨境电子商务产业园区名单的通知",
                ),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不能认定");
    let provincial: i64 =
        sqlx::query_scalar("SELECT count(*) FROM awards WHERE park_name = '中山港跨境电商综合园'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(provincial, 0);
}

#[tokio::test]
async fn an_operator_reads_the_bureaus_urging_and_its_grace_date_on_its_home_park_and_report() {
    let app = with_demo().await;
    // The demo: 中山港跨境电商物流园's latest quarter was never filed; the bureau urged it.
    let (award, _) = award_of(&app, "中山港跨境电商物流园").await;
    let (year, period, grace): (i32, i16, NaiveDate) = sqlx::query_as(
        "SELECT year, period, grace_until FROM report_reminders WHERE award_id = $1",
    )
    .bind(award)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let quarter = format!("{year}年第{period}季度");
    let mut operator = browser(&app, "zs-operator2").await;
    for page in [
        "/t/zhongshan/operator".to_string(),
        format!("/t/zhongshan/operator/parks/{award}"),
        format!("/t/zhongshan/operator/parks/{award}/reports/{year}/{period}"),
    ] {
        operator
            .get(&page)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("催报中山港跨境电商物流园{quarter}"))
            .assert_contains(&format!("请于 {grace} 前报送"));
    }
    // Another operator is not told of it.
    browser(&app, "zs-operator1")
        .await
        .get("/t/zhongshan/operator")
        .await
        .assert_not_contains("催报中山港跨境电商物流园");
}

#[tokio::test]
async fn the_bureau_home_lists_what_waits_for_it_and_warns_that_next_years_calendar_is_missing() {
    let app = with_demo().await;
    let mut bureau = browser(&app, "wz-bureau").await;
    let home = bureau.get("/t/wenzhou/bureau").await;
    home.assert_status(StatusCode::OK)
        .assert_contains("待办事项")
        .assert_contains("<a href=\"/t/wenzhou/bureau/monitoring\">待采纳报告</a>")
        .assert_contains("2 份报告待采纳")
        .assert_contains("个园区待作出复评结论")
        // 23 November 2026, and the program knows holidays up to 2026 only.
        .assert_contains("尚未导入2027年节假日安排");
    let round = home
        .body
        .split("href=\"/t/wenzhou/bureau/monitoring/re-reviews/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the to-do list links the round to decide");
    bureau
        .get(&format!("/t/wenzhou/bureau/monitoring/re-reviews/{round}"))
        .await
        .assert_contains("作出结论");
}

#[tokio::test]
async fn a_refused_settings_form_shows_what_was_typed() {
    let app = with_demo().await;
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau.get("/t/wenzhou/bureau/monitoring").await;
    bureau
        .post_form(
            "/t/wenzhou/bureau/monitoring/settings",
            &[
                ("due_q1", "17"),
                ("due_q2", "18"),
                ("due_q3", "19"),
                ("due_q4", "二十"),
                ("due_half", "33"),
                ("grace_days", "9"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("value=\"17\"")
        .assert_contains("value=\"二十\"")
        .assert_contains("value=\"33\"")
        .assert_contains("value=\"9\"");
}

#[tokio::test]
async fn a_re_review_panel_is_drawn_reproducibly_and_its_majority_informs_the_decision() {
    let app = with_demo().await;
    let (award, _) = award_of(&app, "鹿城跨境电商产业园（一期）").await;
    let mut bureau = browser(&app, "wz-bureau").await;
    bureau.get("/t/wenzhou/bureau/monitoring/re-reviews").await;
    let opened = bureau
        .post_form(
            "/t/wenzhou/bureau/monitoring/re-reviews",
            &[
                ("title", "期满前复评"),
                ("reason", "称号即将到期"),
                ("award", &award.to_string()),
            ],
        )
        .await;
    opened.assert_redirect_starting("/t/wenzhou/bureau/monitoring/re-reviews/");
    let page = opened.location().to_string();
    let round: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    bureau.get(&page).await.assert_contains("抽取复评专家组");
    let seed = "20261201-复评-见证人张某";
    let before = crate::notifications::mark(&app).await;
    bureau
        .post_form(&format!("{page}/panel"), &[("size", "3"), ("seed", seed)])
        .await
        .assert_redirect_to(&page);
    // The stored input, drawn again, gives the stored panel; so does a fresh input from the
    // same pool and seed.
    let (input, result): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT draw_input, draw_result FROM re_review_panels WHERE re_review_id = $1",
    )
    .bind(round)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let input: parkcert::domain::draw::DrawInput = serde_json::from_value(input).unwrap();
    let stored: parkcert::domain::draw::DrawResult = serde_json::from_value(result).unwrap();
    assert_eq!(
        parkcert::domain::draw::draw(&input).unwrap().panel,
        stored.panel
    );
    let tenant = crate::helpers::tenant_id(&app, "wenzhou").await;
    let again = parkcert::service::monitoring::re_review_panel::draw_input(
        &app.state,
        tenant,
        round,
        (3, seed),
    )
    .await
    .unwrap();
    assert_eq!(
        parkcert::domain::draw::draw(&again).unwrap().panel,
        stored.panel
    );
    assert_eq!(stored.panel.len(), 3);
    bureau
        .post_form(
            &format!("{page}/panel"),
            &[("size", "3"), ("seed", "another")],
        )
        .await
        .assert_redirect_to(&page);
    bureau
        .get(&page)
        .await
        .assert_contains("本轮复评已抽取专家组");

    // Each member answers on their own page; the majority is preselected for the bureau.
    let sheets: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, u.login FROM re_review_sheets s JOIN re_review_panels p ON p.id = s.panel_id
         JOIN experts e ON e.id = s.expert_id JOIN users u ON u.id = e.user_id
         WHERE p.re_review_id = $1 ORDER BY s.seat",
    )
    .bind(round)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        sheets.len(),
        3,
        "every member has an account in the demo pool"
    );
    let mut members: Vec<String> = sheets.iter().map(|(_, l)| l.clone()).collect();
    members.sort();
    assert_eq!(
        crate::notifications::told(&app, EventKind::ReReviewPanelDrawn, before).await,
        members,
        "each member is invited, nobody else"
    );
    let outsider: String = sqlx::query_scalar(
        "SELECT u.login FROM experts e JOIN users u ON u.id = e.user_id
         WHERE u.login LIKE 'wz-expert%' AND u.login <> ALL($1) LIMIT 1",
    )
    .bind(sheets.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>())
    .fetch_one(&app.db)
    .await
    .unwrap();
    let first = format!("/t/wenzhou/expert/re-review-sheets/{}", sheets[0].0);
    browser(&app, &outsider)
        .await
        .get(&first)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    for (n, (id, login)) in sheets.iter().enumerate() {
        let sheet = format!("/t/wenzhou/expert/re-review-sheets/{id}");
        let mut expert = browser(&app, login).await;
        expert
            .get("/t/wenzhou/expert")
            .await
            .assert_contains("待提出复评意见");
        expert
            .get(&sheet)
            .await
            .assert_contains("鹿城跨境电商产业园（一期）");
        let opinion = if n == 0 { "pass" } else { "rectify" };
        if n == 0 {
            expert
                .post_form(
                    &sheet,
                    &[
                        ("conflict", "none"),
                        ("opinion", opinion),
                        ("summary", "短"),
                    ],
                )
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("请写明意见理由");
        }
        expert
            .post_form(
                &sheet,
                &[
                    ("conflict", "none"),
                    ("opinion", opinion),
                    ("summary", "年度指标基本达标，但配套服务仍需完善。"),
                ],
            )
            .await
            .assert_redirect_to(&sheet);
    }
    bureau
        .get(&page)
        .await
        .assert_contains("复评专家组意见：通过 1，限期整改 2，取消资格 0")
        .assert_contains("value=\"rectify\" checked");
}

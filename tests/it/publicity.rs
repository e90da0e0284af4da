//! Publicity: the 5-working-day window from the stored calendar, its refusal for a year not yet
//! loaded, the public notice, and the system closing it (with an injected clock).
use crate::helpers::TestApp;
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use parkcert::domain::notification::EventKind;

/// The demo content, and Zhongshan's reviewed park (three pass opinions) shortlisted by its
/// bureau through the decision form. (Wenzhou's demo shortlist is already on publicity.)
pub(crate) async fn with_shortlist() -> (TestApp, TestApp, i64) {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let (id, call): (i64, i64) = sqlx::query_as(
        "SELECT a.id, a.call_id FROM applications a JOIN tenants t ON t.id = a.tenant_id
         WHERE t.slug = 'zhongshan' AND a.state = 'reviewed' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // The bureau works on 2026-09-30 (09:00 in Shanghai): a notice is dated the day it is
    // published, so the tests' windows are fixed by the clock, not by the day the suite runs.
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 9, 30, 1, 0, 0).unwrap());
    let mut bureau = app.new_browser();
    bureau.sign_in_as("zs-bureau").await;
    let page = format!("/t/zhongshan/bureau/applications/{id}");
    bureau.get(&page).await;
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "shortlist")])
        .await
        .assert_redirect_to(&format!("/t/zhongshan/bureau/calls/{call}/applications"));
    (app, bureau, call)
}

/// The id of the application `with_shortlist` shortlisted (中山港跨境电商产业园).
pub(crate) async fn shortlisted_application(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM applications WHERE park_name = '中山港跨境电商产业园'")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

pub(crate) async fn publish(
    bureau: &mut TestApp,
    call: i64,
    published_on: &str,
    first_day: &str,
) -> crate::helpers::TestResponse {
    let path = format!("/t/zhongshan/bureau/calls/{call}/publicity");
    bureau.get(&path).await;
    bureau
        .post_form(
            &path,
            &[
                ("published_on", published_on),
                ("first_day", first_day),
                ("contact", "市商务局电子商务科，电话：0760-88310000"),
                ("official_url", ""),
            ],
        )
        .await
}

#[tokio::test]
async fn the_window_skips_national_day_and_counts_the_adjusted_saturday() {
    let (app, mut bureau, call) = with_shortlist().await;
    // Published 2026-09-30: 10-01…10-07 are off; the window runs 10-08 (Thu), 10-09 (Fri),
    // 10-10 (an adjusted working Saturday), 10-12 (Mon), 10-13 (Tue).
    let response = publish(&mut bureau, call, "2026-09-30", "").await;
    // The new notice's id is not known before it is published.
    response.assert_redirect_starting("/t/zhongshan/publicity/");
    let notice = app.new_browser().get(response.location()).await;
    notice
        .assert_status(StatusCode::OK)
        .assert_contains("公示〔2026〕1号")
        .assert_contains("2026年10月8日 至 2026年10月13日 24:00（5 个工作日）")
        .assert_contains("中山港跨境电商产业园");
    let state: String = sqlx::query_scalar(
        "SELECT state FROM applications WHERE park_name = '中山港跨境电商产业园'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(state, "in_publicity");
    let (closes_at,): (chrono::DateTime<Utc>,) = sqlx::query_as(
        "SELECT n.closes_at FROM publicity_notices n JOIN tenants t ON t.id = n.tenant_id
         WHERE t.slug = 'zhongshan'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // 24:00 Asia/Shanghai on 10-13 is 16:00 UTC that day.
    assert_eq!(
        closes_at,
        Utc.with_ymd_and_hms(2026, 10, 13, 16, 0, 0).unwrap()
    );

    // The system closes the window at its end, not a second before.
    let closed = parkcert::jobs::publicity::close_due(&app.state, closes_at - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(closed, 0);
    let closed = parkcert::jobs::publicity::close_due(&app.state, closes_at)
        .await
        .unwrap();
    assert_eq!(closed, 1);
    let state: String = sqlx::query_scalar(
        "SELECT state FROM applications WHERE park_name = '中山港跨境电商产业园'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(state, "publicity_closed");
    // The notice's own close is the system's, on the trail like every state change.
    let closing: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE object_kind = 'publicity' AND action = 'close'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(closing["actor"], "system");
    assert_eq!(closing["state"], "closed");
    app.new_browser()
        .get("/t/zhongshan/publicity")
        .await
        .assert_contains("已结束");
}

#[tokio::test]
async fn a_window_reaching_an_unloaded_year_is_refused_and_a_first_day_must_be_a_working_day() {
    let (app, mut bureau, call) = with_shortlist().await;
    publish(&mut bureau, call, "2026-12-28", "")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("2027年的节假日安排尚未导入");
    publish(&mut bureau, call, "2026-09-30", "2026-10-03")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("2026-10-03");
    let notices: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM publicity_notices n JOIN tenants t ON t.id = n.tenant_id
         WHERE t.slug = 'zhongshan'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(notices, 0);
}

#[tokio::test]
async fn a_notice_is_dated_the_day_it_is_published_never_earlier_and_a_scheduled_one_is_public_from_its_day()
 {
    let (app, mut bureau, call) = with_shortlist().await;
    // Typed on 2026-09-30: a publication date in the past would give a window already over.
    publish(&mut bureau, call, "2026-09-20", "")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("发布日期不能早于今天（2026年9月30日）")
        .assert_contains("value=\"2026-09-20\"");
    // The first day is never the publication day itself, nor before it.
    for first_day in ["2026-09-29", "2026-09-30"] {
        publish(&mut bureau, call, "2026-09-30", first_day)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("须晚于发布日期");
    }
    let notices = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM publicity_notices n JOIN tenants t ON t.id = n.tenant_id
             WHERE t.slug = 'zhongshan'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    assert_eq!(notices().await, 0);

    // Scheduled for a later day: numbered 1, and not public before that day.
    let scheduled = publish(&mut bureau, call, "2026-10-12", "").await;
    // The new notice's id is not known before it is published.
    scheduled.assert_redirect_starting("/t/zhongshan/publicity/");
    let location = scheduled.location().to_string();
    let mut public = app.new_browser();
    public
        .get(&location)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    public
        .get("/t/zhongshan/publicity")
        .await
        .assert_not_contains("公示〔2026〕1号");
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 12, 1, 0, 0).unwrap());
    public
        .get(&location)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("公示〔2026〕1号")
        .assert_contains("2026年10月13日 至 2026年10月19日 24:00");
}

#[tokio::test]
async fn a_notice_cannot_be_dated_before_the_years_latest_so_numbers_follow_publication_order() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    // The demo's Wenzhou shortlist went on publicity the day it was seeded: 公示〔year〕1号.
    let (first, year): (NaiveDate, i32) = sqlx::query_as(
        "SELECT n.published_on, n.year FROM publicity_notices n
         JOIN tenants t ON t.id = n.tenant_id WHERE t.slug = 'wenzhou' AND n.seq = 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (id, call): (i64, i64) = sqlx::query_as(
        "SELECT a.id, a.call_id FROM applications a JOIN tenants t ON t.id = a.tenant_id
         WHERE t.slug = 'wenzhou' AND a.state = 'reviewed' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau.get(&page).await;
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "shortlist")])
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{call}/applications"));
    // A bureau whose clock reads a day before the first notice (another desk, a wrong date):
    // the second notice would be numbered 2 and dated before 1.
    let day_before = first.pred_opt().unwrap();
    assert_eq!(
        chrono::Datelike::year(&day_before),
        year,
        "the demo's first notice is on 1 January"
    );
    let noon = chrono_tz::Asia::Shanghai
        .from_local_datetime(&day_before.and_hms_opt(12, 0, 0).unwrap())
        .single()
        .unwrap();
    app.state.clock.set(noon.with_timezone(&Utc));
    let path = format!("/t/wenzhou/bureau/calls/{call}/publicity");
    bureau.get(&path).await;
    bureau
        .post_form(
            &path,
            &[
                ("published_on", &day_before.to_string()),
                ("first_day", ""),
                ("contact", "陈立新，电话：0577-88960000"),
                ("official_url", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("公示编号按发布先后排列");
    let notices: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM publicity_notices n JOIN tenants t ON t.id = n.tenant_id
         WHERE t.slug = 'wenzhou'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(notices, 1);
}

pub(crate) async fn file_objection(
    public: &mut TestApp,
    notice: &str,
    application: &str,
    grounds: &str,
) -> crate::helpers::TestResponse {
    public.get(&format!("{notice}/objection")).await;
    public
        .post_multipart(
            &format!("{notice}/objection"),
            &[
                ("application_id", application),
                ("filer_name", "张明"),
                ("filer_contact", "13800001111"),
                ("grounds", grounds),
            ],
            &[(
                "evidence",
                "照片.png",
                &crate::helpers::fixture("documents/plan.png"),
            )],
        )
        .await
}

#[tokio::test]
async fn objections_are_taken_only_inside_the_window_and_decided_as_cases() {
    let (app, mut bureau, call) = with_shortlist().await;
    let notice = publish(&mut bureau, call, "2026-09-30", "").await;
    // The new notice's id is not known before it is published.
    notice.assert_redirect_starting("/t/zhongshan/publicity/");
    let notice_path = notice.location().to_string();
    let application = shortlisted_application(&app).await;
    let application = application.to_string();
    let grounds = "该园区入驻企业中有多家未实际经营，申报的企业数量不实。";
    let mut public = app.new_browser();

    // The window is 2026-10-08 00:00 to 2026-10-13 24:00, Asia/Shanghai.
    let before = Utc.with_ymd_and_hms(2026, 10, 7, 15, 59, 59).unwrap();
    let opening = Utc.with_ymd_and_hms(2026, 10, 7, 16, 0, 0).unwrap();
    let closing = Utc.with_ymd_and_hms(2026, 10, 13, 16, 0, 0).unwrap();
    // (A browser that loaded the form while it was open, posting once the window has passed.)
    app.state.clock.set(opening);
    public.get(&format!("{notice_path}/objection")).await;
    app.state.clock.set(before);
    file_objection(&mut public, &notice_path, &application, grounds)
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("不在公示期内");
    app.state.clock.set(closing);
    file_objection(&mut public, &notice_path, &application, grounds)
        .await
        .assert_status(StatusCode::CONFLICT);
    app.state.clock.set(opening);
    file_objection(&mut public, &notice_path, &application, "太短")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请写明异议的具体事实和理由");
    let filed = file_objection(&mut public, &notice_path, &application, grounds).await;
    filed
        .assert_status(StatusCode::OK)
        .assert_contains("案件编号");
    let case_no: String = sqlx::query_scalar("SELECT case_no FROM objections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    public
        .get(&format!("/t/zhongshan/objections/status?case={case_no}"))
        .await
        .assert_contains("已提出");

    // The bureau investigates with someone who did not score the park, then decides.
    let id: i64 = sqlx::query_scalar("SELECT id FROM objections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let case = format!("/t/zhongshan/bureau/objections/{id}");
    let page = bureau.get(&case).await;
    page.assert_contains("照片.png")
        .assert_not_contains("吴启明（专家）");
    let scorer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'zs-expert1'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    bureau
        .post_form(
            &format!("{case}/investigate"),
            &[("investigator_id", &scorer.to_string())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不得为该园区的评审专家");
    let staff: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'zs-bureau'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    bureau
        .post_form(
            &format!("{case}/investigate"),
            &[("investigator_id", &staff.to_string())],
        )
        .await
        .assert_redirect_to(&case);
    // The window closes with the case still under investigation: no award while it is open.
    parkcert::jobs::publicity::close_due(&app.state, closing)
        .await
        .unwrap();
    let application_page = format!("/t/zhongshan/bureau/applications/{application}");
    // The page says why before the bureau tries, and offers no 认定 meanwhile.
    bureau
        .get(&application_page)
        .await
        .assert_contains("尚有1件异议未办结")
        .assert_not_contains("value=\"award\"");
    bureau
        .post_form(
            &format!("{application_page}/decision"),
            &[("opinion", "award")],
        )
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("异议");
    bureau.get(&case).await;
    bureau
        .post_form(
            &format!("{case}/decide"),
            &[
                ("decision", "upheld"),
                ("investigation", "实地核查发现12家入驻企业无实际经营场所。"),
                ("reason", "经调查核实，园区入驻企业数量不符合第六条规定。"),
            ],
        )
        .await
        .assert_redirect_to(&case);
    let standing = parkcert::db::objections::standing(
        &app.db,
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'zhongshan'")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        application.parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(standing, (0, 1), "one upheld objection, none undecided");
    public
        .get(&format!("/t/zhongshan/objections/status?case={case_no}"))
        .await
        .assert_contains("异议成立")
        .assert_contains("园区入驻企业数量不符合第六条规定");

    // The upheld objection blocks the award and ends in not_awarded.
    let page = format!("/t/zhongshan/bureau/applications/{application}");
    bureau.get(&page).await;
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "award")])
        .await
        .assert_status(StatusCode::CONFLICT);
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[
                ("opinion", "not_award"),
                ("comments", "异议成立，不予认定。"),
            ],
        )
        .await
        .assert_redirect_to(&format!("/t/zhongshan/bureau/calls/{call}/applications"));
    let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
        .bind(application.parse::<i64>().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "not_awarded");
    let application: i64 = application.parse().unwrap();
    let operator = crate::notifications::logins(
        &app,
        "zhongshan",
        &format!(
            "u.organization_id = (SELECT organization_id FROM applications WHERE id = {application})"
        ),
    )
    .await;
    assert!(!operator.is_empty());
    assert_eq!(
        crate::notifications::told_of(&app, EventKind::NotAwarded, application).await,
        operator
    );
    let application = application.to_string();

    // One address may file five objections an hour (the window is long past for this park,
    // so the count is checked on another open notice's form).
    app.state.clock.set(opening);
    for _ in 0..4 {
        sqlx::query(
            "INSERT INTO objections (tenant_id, notice_id, application_id, case_no, filer_name,
                 filer_contact, grounds, filed_at, filer_ip)
             SELECT tenant_id, notice_id, application_id, upper(substr(md5(random()::text), 1, 12)),
                    filer_name, filer_contact, grounds, $1, filer_ip FROM objections LIMIT 1",
        )
        .bind(opening)
        .execute(&app.db)
        .await
        .unwrap();
    }
    file_objection(&mut public, &notice_path, &application, grounds)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_award_after_a_quiet_window_is_numbered_certified_and_on_the_register() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    // The demo's Wenzhou notice was published today; a month on, its window has closed.
    let closed = parkcert::jobs::publicity::close_due(&app.state, Utc::now() + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(closed, 1);
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM applications WHERE park_name = '温州鹿城跨境电商产业园'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau.get(&page).await;
    // Not-award needs an upheld objection; there is none.
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "not_award"), ("comments", "不予认定")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "award")])
        .await
        .assert_redirect_to(&page);
    let operator = crate::notifications::logins(
        &app,
        "wenzhou",
        &format!("u.organization_id = (SELECT organization_id FROM applications WHERE id = {id})"),
    )
    .await;
    assert!(!operator.is_empty());
    assert_eq!(
        crate::notifications::told_of(&app, EventKind::Awarded, id).await,
        operator
    );
    let year = app.state.clock.today().format("%Y").to_string();
    let (number, awarded_on, valid_until): (String, chrono::NaiveDate, Option<chrono::NaiveDate>) =
        sqlx::query_as(
            "SELECT number, awarded_on, valid_until FROM awards
             WHERE park_name = '温州鹿城跨境电商产业园'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(number, format!("温商务跨园〔{year}〕001号"));
    assert_eq!(
        valid_until,
        parkcert::domain::time::valid_until(awarded_on, Some(3)),
        "Wenzhou: three years"
    );
    let public = &mut app.new_browser();
    let register = public.get("/t/wenzhou/parks?q=鹿城").await;
    register
        .assert_status(StatusCode::OK)
        .assert_contains(&number)
        .assert_contains("有效");
    public
        .get("/t/wenzhou/parks?q=不存在的园区")
        .await
        .assert_not_contains(&number);
    let csv = public.get("/t/wenzhou/parks.csv").await;
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    csv.assert_contains("证书编号,园区名称")
        .assert_contains(&number);
    let award_id: i64 =
        sqlx::query_scalar("SELECT id FROM awards WHERE park_name = '温州鹿城跨境电商产业园'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    public
        .get(&format!("/t/wenzhou/certificates/{award_id}"))
        .await
        .assert_contains(&number)
        .assert_contains("温州鹿城跨境电商产业园")
        .assert_contains("有效期至");
    // Another tenant's register and certificate URLs know nothing of it.
    public
        .get("/t/zhongshan/parks")
        .await
        .assert_not_contains(&number);
    public
        .get(&format!("/t/zhongshan/certificates/{award_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_park_on_the_provincial_list_is_awarded_leading_directly() {
    let app = TestApp::spawn().await;
    let mut bureau = app.new_browser();
    bureau.sign_in_as("zs-bureau").await;
    bureau
        .get("/t/zhongshan/bureau")
        .await
        .assert_contains("省级名单直接认定");
    let page = bureau.get("/t/zhongshan/bureau/provincial").await;
    page.assert_status(StatusCode::OK).assert_contains("第九条");
    let org: i64 =
        sqlx::query_scalar("SELECT id FROM organizations WHERE uscc = '91442000MA51PQ3X6D'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let county: i64 = sqlx::query_scalar("SELECT id FROM jurisdictions WHERE name = '中山港街道'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    bureau
        .post_form(
            "/t/zhongshan/bureau/provincial",
            &[
                ("organization_id", &org.to_string()),
                ("park_name", "火炬"),
                ("evidence", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请选择园区所在镇街")
        .assert_contains("请填写省级名单的文件名称和文号");
    let done = bureau
        .post_form(
            "/t/zhongshan/bureau/provincial",
            &[
                ("organization_id", &org.to_string()),
                ("park_name", "中山火炬跨境电商产业园"),
                ("jurisdiction_id", &county.to_string()),
                (
                    "evidence",
                    "广东省商务厅关于公布广东省跨境电子商务产业园区名单的通知",
                ),
            ],
        )
        .await;
    // The new certificate's id is not known before the award.
    done.assert_redirect_starting("/t/zhongshan/certificates/");
    app.new_browser()
        .get(done.location())
        .await
        .assert_contains("中山火炬跨境电商产业园")
        .assert_contains("引领型")
        .assert_contains("长期有效")
        .assert_contains("依据广东省商务厅关于公布广东省跨境电子商务产业园区名单的通知，直接认定")
        .assert_not_contains("专家评审和公示");
    let pdf = app
        .new_browser()
        .get(&format!("{}/pdf", done.location()))
        .await;
    pdf.assert_status(StatusCode::OK);
    assert_eq!(
        parkcert::io::storage::FileKind::sniff(&pdf.bytes),
        Some(parkcert::io::storage::FileKind::Pdf)
    );
    // The park's name is in the page, as UTF-16 for the Chinese font.
    let name_hex: String = "中山火炬跨境电商产业园"
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    let body = String::from_utf8_lossy(&pdf.bytes).to_uppercase();
    assert!(body.contains("STSONG-LIGHT"));
    let document = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    assert_eq!(document.get_pages().len(), 1);
    let page = *document.get_pages().values().next().unwrap();
    let content = String::from_utf8_lossy(&document.get_page_content(page)).to_uppercase();
    assert!(
        content.contains(&name_hex),
        "the park's name is on the page"
    );
    let (basis, tier): (String, Option<String>) = sqlx::query_as("SELECT basis, tier FROM awards")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        (basis.as_str(), tier.as_deref()),
        ("provincial", Some("leading"))
    );
    // Wenzhou's rules have no such path.
    let mut wz = app.new_browser();
    wz.sign_in_as("wz-bureau").await;
    wz.get("/t/wenzhou/bureau/provincial")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_objection_keeps_every_evidence_file_the_filer_chose() {
    let (app, mut bureau, call) = with_shortlist().await;
    let notice = publish(&mut bureau, call, "2026-09-30", "").await;
    let notice_path = notice.location().to_string();
    let application = shortlisted_application(&app).await;
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 8, 2, 0, 0).unwrap());
    let mut public = app.new_browser();
    public.get(&format!("{notice_path}/objection")).await;
    let (png, pdf, docx) = (
        crate::helpers::fixture("documents/plan.png"),
        crate::helpers::fixture("documents/licence.pdf"),
        crate::helpers::fixture("documents/report.docx"),
    );
    public
        .post_multipart(
            &format!("{notice_path}/objection"),
            &[
                ("application_id", &application.to_string()),
                ("filer_name", "张明"),
                ("filer_contact", "13800001111"),
                (
                    "grounds",
                    "该园区入驻企业中有多家未实际经营，申报的企业数量不实。",
                ),
            ],
            &[
                ("evidence", "现场照片.png", &png),
                ("evidence", "工商登记.pdf", &pdf),
                ("evidence", "情况说明.docx", &docx),
            ],
        )
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("异议已提交");
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT d.filename FROM documents d JOIN objections o ON o.id = d.objection_id
         ORDER BY d.id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(names, ["现场照片.png", "工商登记.pdf", "情况说明.docx"]);
}

#[tokio::test]
async fn twenty_identical_publishes_at_once_make_one_notice_and_clear_refusals() {
    let (app, mut bureau, call) = with_shortlist().await;
    let path = format!("/t/zhongshan/bureau/calls/{call}/publicity");
    bureau.get(&path).await;
    let tabs: Vec<_> = (0..20)
        .map(|_| {
            let mut tab = bureau.same_browser();
            let path = path.clone();
            tokio::spawn(async move {
                tab.post_form(
                    &path,
                    &[
                        ("published_on", "2026-09-30"),
                        ("first_day", ""),
                        ("contact", "市商务局电子商务科，电话：0760-88310000"),
                        ("official_url", ""),
                    ],
                )
                .await
                .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for tab in tabs {
        statuses.push(tab.await.unwrap().as_u16());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 303 | 409 | 422)),
        "{statuses:?}"
    );
    let notices: i64 =
        sqlx::query_scalar("SELECT count(*) FROM publicity_notices WHERE call_id = $1")
            .bind(call)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(notices, 1);
}

#[tokio::test]
async fn the_same_objection_sent_at_once_is_one_case_and_a_burst_keeps_the_hourly_limit() {
    let (app, mut bureau, call) = with_shortlist().await;
    let notice = publish(&mut bureau, call, "2026-09-30", "").await;
    let notice_path = notice.location().to_string();
    let application = shortlisted_application(&app).await;
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 8, 2, 0, 0).unwrap());
    let mut public = app.new_browser();
    public.get(&format!("{notice_path}/objection")).await;
    let burst = |grounds: Vec<String>| {
        let handles: Vec<_> = grounds
            .into_iter()
            .map(|g| {
                let mut tab = public.same_browser();
                let (path, application) = (notice_path.clone(), application.to_string());
                tokio::spawn(async move {
                    let r = file_objection(&mut tab, &path, &application, &g).await;
                    (r.status.as_u16(), r.body)
                })
            })
            .collect();
        async move {
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap());
            }
            out
        }
    };
    let same = "该园区入驻企业中有多家未实际经营，申报的企业数量不实。".to_string();
    let answers = burst(vec![same; 20]).await;
    assert!(
        answers.iter().all(|(s, _)| *s == 200),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM objections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cases, 1, "twenty presses of one objection make one case");
    let case: String = sqlx::query_scalar("SELECT case_no FROM objections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(answers.iter().all(|(_, body)| body.contains(&case)));
    let different = (0..20)
        .map(|i| format!("第{i}条异议：该园区申报的入驻企业数量与实际不符，请核查。"))
        .collect();
    let answers = burst(different).await;
    let taken = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(taken, 4, "five an hour from one address, one already filed");
    assert!(answers.iter().all(|(s, _)| matches!(s, 200 | 429)));
}

#[tokio::test]
async fn a_zhongshan_notice_is_titled_by_year_and_city_and_lists_the_tier() {
    let (app, mut bureau, call) = with_shortlist().await;
    let notice = publish(&mut bureau, call, "2026-09-30", "").await;
    // The new notice's id is not known before it is published.
    notice.assert_redirect_starting("/t/zhongshan/publicity/");
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 8, 2, 0, 0).unwrap());
    let mut public = app.new_browser();
    public
        .get(notice.location())
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("关于2026年度中山市跨境电子商务产业园区拟认定名单的公示")
        .assert_not_contains("关于组织申报")
        .assert_contains("<th scope=\"col\">认定类型</th>");
}

#[tokio::test]
async fn a_window_is_closed_by_whichever_server_holds_the_jobs_lock_and_by_no_other() {
    let (app, mut bureau, call) = with_shortlist().await;
    // The new notice's id is not known before it is published.
    publish(&mut bureau, call, "2026-09-30", "")
        .await
        .assert_redirect_starting("/t/zhongshan/publicity/");
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 20, 2, 0, 0).unwrap());
    let state_of = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT state FROM applications WHERE park_name = '中山港跨境电商产业园'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    // Another server is closing windows: this one skips the job.
    let mut other = app.db.acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(parkcert::jobs::CLOSE_PUBLICITY)
        .execute(&mut *other)
        .await
        .unwrap();
    parkcert::jobs::run_once(&app.state).await;
    assert_eq!(state_of().await, "in_publicity");
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(parkcert::jobs::CLOSE_PUBLICITY)
        .execute(&mut *other)
        .await
        .unwrap();
    parkcert::jobs::run_once(&app.state).await;
    assert_eq!(state_of().await, "publicity_closed");
}

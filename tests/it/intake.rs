//! Intake end to end through the real router: registration, the draft, the roster, documents,
//! submission into versions, county pre-review and the bureau's formal check.
use crate::helpers::{TestApp, TestResponse, fixture};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use chrono_tz::Asia::Shanghai;
use parkcert::domain::notification::EventKind;

/// Publishes a Wenzhou call that is open now (as the bureau) and returns its id.
pub async fn open_call(app: &mut TestApp) -> i64 {
    open_call_in(app, "wenzhou", "wz-bureau").await
}

pub async fn open_call_in(app: &mut TestApp, tenant: &str, bureau_login: &str) -> i64 {
    open_call_reviewed_by(app, tenant, bureau_login, "written").await
}

/// An open call whose review takes `forms` (`written`, or `both` with an on-site inspection).
pub async fn open_call_reviewed_by(
    app: &mut TestApp,
    tenant: &str,
    bureau_login: &str,
    forms: &str,
) -> i64 {
    let mut bureau = app.new_browser();
    bureau.sign_in_as(bureau_login).await;
    let version = crate::calls::rule_set_version(&bureau, tenant).await;
    let at = |days: i64| {
        (Utc::now() + Duration::days(days))
            .with_timezone(&Shanghai)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let created = bureau
        .post_form(
            &format!("/t/{tenant}/bureau/calls"),
            &[
                (
                    "title",
                    "关于开展2026年度温州市跨境电子商务产业园区认定工作的通知",
                ),
                ("year", "2026"),
                ("rule_set_version_id", &version),
                ("opens_at", &at(-1)),
                ("deadline", &at(30)),
                ("description", "一、申报条件\n二、申报材料"),
                ("review_forms", forms),
            ],
        )
        .await;
    // The new call's id is not known before it is created.
    created.assert_redirect_starting(&format!("/t/{tenant}/bureau/calls/"));
    let path = created.location().to_string();
    bureau.get(&path).await;
    bureau
        .post_form(&format!("{path}/publish"), &[])
        .await
        .assert_redirect_to(&path);
    path.rsplit('/').next().unwrap().parse().unwrap()
}

/// Creates an application to the call as the signed-in operator; returns its page's path.
pub async fn apply(app: &mut TestApp, call: i64) -> String {
    app.get("/t/wenzhou/operator").await;
    let response = app
        .post_form(&format!("/t/wenzhou/operator/calls/{call}/apply"), &[])
        .await;
    // The new application's id is not known before it is created.
    response.assert_redirect_starting("/t/wenzhou/operator/applications/");
    response.location().trim_end_matches("/form").to_string()
}

pub async fn jurisdiction_id(app: &TestApp, name: &str) -> String {
    let id: i64 = sqlx::query_scalar(
        "SELECT j.id FROM jurisdictions j JOIN tenants t ON t.id = j.tenant_id
         WHERE t.slug = 'wenzhou' AND j.name = $1",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap();
    id.to_string()
}

/// A complete Wenzhou form (附件1 and 附件2) whose counts agree with `wenzhou-25.xlsx`.
fn wenzhou_form(park: &str) -> Vec<(&'static str, String)> {
    let v = |s: &str| s.to_string();
    vec![
        ("park.name", park.to_string()),
        ("park.kind", v("cluster")),
        ("park.address", v("温州市鹿城区创业路88号")),
        ("park.approved_by", v("鹿城区人民政府")),
        ("park.established_on", v("2019-06-18")),
        ("park.operating_since", v("2019-09-01")),
        ("area.planned", v("52000")),
        ("area.building", v("36500")),
        ("area.in_use", v("24800")),
        ("area.cbec_use", v("6200")),
        ("service_center", v("yes")),
        ("events.self_organized", v("14")),
        ("events.joint", v("3")),
        ("trade.ref.import_export", v("52,600,000")),
        ("declared.enterprises", v("25")),
        ("declared.cbec", v("22")),
        ("declared.operating", v("12")),
        ("declared.platform", v("4")),
        ("declared.payment", v("2")),
        ("declared.logistics", v("3")),
        ("declared.other", v("1")),
        ("declared.registered", v("21")),
        ("services", v("trading_platform")),
        ("services", v("customs")),
        ("services", v("logistics")),
        ("legal_rep.name", v("王建国")),
        ("legal_rep.mobile", v("13905770001")),
        ("contact.name", v("李敏")),
        ("contact.title", v("运营部经理")),
        ("contact.mobile", v("13805770002")),
        ("contact.email", v("limin@example.com")),
        ("report.basic", v("园区位于鹿城区，入驻企业25家。")),
        ("report.s1", v("符合鹿城区跨境电商产业规划。")),
        ("report.s2", v("集聚跨境电商企业22家。")),
        ("report.s3", v("建成公共服务中心。")),
        ("report.s4", v("对接综试区线上服务平台。")),
        ("report.s5", v("配套直播基地和共享仓储。")),
        ("report.s6", v("运营团队12人，制度完备。")),
        ("report.plan", v("三年内进出口额突破1亿美元。")),
    ]
}

async fn save_form(
    app: &mut TestApp,
    base: &str,
    county: &str,
    fields: &[(&'static str, String)],
) -> TestResponse {
    let page = app.get(&format!("{base}/form")).await;
    let lock = hidden(&page.body, "lock_version");
    let county = jurisdiction_id(app, county).await;
    let mut all: Vec<(&str, &str)> = vec![("lock_version", &lock), ("jurisdiction_id", &county)];
    all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    app.post_form(&format!("{base}/form"), &all).await
}

/// The value of a hidden input on a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

async fn import_roster(app: &mut TestApp, base: &str, name: &str, bytes: &[u8]) -> TestResponse {
    let page = app.get(&format!("{base}/roster")).await;
    let lock = hidden(&page.body, "roster_lock_version");
    app.post_multipart(
        &format!("{base}/roster/import"),
        &[("roster_lock_version", &lock)],
        &[("file", name, bytes)],
    )
    .await
}

async fn upload(
    app: &mut TestApp,
    base: &str,
    category: &str,
    name: &str,
    bytes: &[u8],
) -> TestResponse {
    app.get(base).await;
    app.post_multipart(
        &format!("{base}/documents"),
        &[("category", category)],
        &[("file", name, bytes)],
    )
    .await
}

/// Fills in everything a submission needs.
pub async fn complete_draft(app: &mut TestApp, base: &str) {
    save_form(app, base, "鹿城区", &wenzhou_form("温州鹿城跨境电商产业园"))
        .await
        .assert_redirect_to(&format!("{base}/form"));
    import_roster(app, base, "名录.xlsx", &fixture("roster/wenzhou-25.xlsx"))
        .await
        .assert_redirect_to(&format!("{base}/roster"));
    upload(
        app,
        base,
        "uscc_certificate",
        "营业执照.pdf",
        &fixture("documents/licence.pdf"),
    )
    .await
    .assert_redirect_to(&format!("{base}#documents"));
    upload(
        app,
        base,
        "report",
        "申报书.docx",
        &fixture("documents/report.docx"),
    )
    .await
    .assert_redirect_to(&format!("{base}#documents"));
}

pub async fn submit(app: &mut TestApp, base: &str) -> TestResponse {
    let page = app.get(base).await;
    let fields = ["submit_token", "lock_version", "roster_lock_version"]
        .map(|name| (name, hidden(&page.body, name)));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(&format!("{base}/submit"), &fields).await
}

pub async fn state_of(app: &TestApp, base: &str) -> String {
    let id: i64 = base.rsplit('/').next().unwrap().parse().unwrap();
    sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn versions_of(app: &TestApp, base: &str) -> i64 {
    let id: i64 = base.rsplit('/').next().unwrap().parse().unwrap();
    sqlx::query_scalar("SELECT count(*) FROM application_versions WHERE application_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

pub fn id_of(base: &str) -> &str {
    base.rsplit('/').next().unwrap()
}

pub async fn county_opinion(
    app: &mut TestApp,
    id: &str,
    fields: &[(&str, &str)],
    letter: Option<&[u8]>,
) -> TestResponse {
    let page = format!("/t/wenzhou/county/applications/{id}");
    app.get(&page).await;
    // With no letter chosen, a browser still sends the file input: empty, with no file name.
    let files: Vec<(&str, &str, &[u8])> = match letter {
        Some(bytes) => vec![("letter", "推荐意见.pdf", bytes)],
        None => vec![("letter", "", &[])],
    };
    app.post_multipart(&format!("{page}/opinion"), fields, &files)
        .await
}

#[tokio::test]
async fn an_operator_registers_their_organization_and_a_bad_uscc_is_explained_and_kept() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/register")
        .await
        .assert_status(StatusCode::OK);
    let county = jurisdiction_id(&app, "瑞安市").await;
    let mut fields = vec![
        ("name", "瑞安市云帆跨境电商园区管理有限公司"),
        ("uscc", "91330381MA2CQ7R8D8"),
        ("jurisdiction_id", county.as_str()),
        ("address", "瑞安市安阳街道万松东路1号"),
        ("legal_representative", "林海"),
        ("contact_name", "陈晨"),
        ("contact_phone", "0577-65800001"),
        ("login", "yunfan-admin"),
        ("display_name", "陈晨"),
        ("password", "a-long-enough-password-7"),
        ("password_confirm", "a-long-enough-password-7"),
    ];
    app.post_form("/t/wenzhou/register", &fields)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("统一社会信用代码校验位不正确")
        .assert_contains("value=\"瑞安市云帆跨境电商园区管理有限公司\"")
        .assert_contains("value=\"91330381MA2CQ7R8D8\"");

    let valid = parkcert::domain::uscc::Uscc::with_check_char("91330381MA2CQ7R8D")
        .unwrap()
        .as_str()
        .to_string();
    let valid = if valid == "91330381MA2CQ7R8D7" {
        // That code belongs to a demo operator; use another.
        parkcert::domain::uscc::Uscc::with_check_char("91330381MA2CQ7R9A")
            .unwrap()
            .as_str()
            .to_string()
    } else {
        valid
    };
    fields[1] = ("uscc", valid.as_str());
    let response = app.post_form("/t/wenzhou/register", &fields).await;
    response.assert_redirect_to("/t/wenzhou/login");
    app.get("/t/wenzhou/login")
        .await
        .assert_contains("已注册，请使用账号 yunfan-admin 登录");

    // The same company cannot register twice.
    let mut again = app.new_browser();
    again.get("/t/wenzhou/register").await;
    fields[7] = ("login", "yunfan-2");
    again
        .post_form("/t/wenzhou/register", &fields)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("该统一社会信用代码已注册");

    let mut operator = app.new_browser();
    operator
        .sign_in("wenzhou", "yunfan-admin", "a-long-enough-password-7")
        .await
        .assert_redirect_to("/t/wenzhou/operator");
    operator
        .get("/t/wenzhou/operator")
        .await
        .assert_contains("瑞安市云帆跨境电商园区管理有限公司");
}

#[tokio::test]
async fn an_application_goes_from_draft_through_a_return_and_a_resubmission_into_review() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;

    // The self-check shows the engine's checks for the saved data.
    operator
        .get(&base)
        .await
        .assert_contains("入驻企业名录：25 家")
        .assert_contains("22/25")
        .assert_contains("申报材料已齐全");
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    assert_eq!(state_of(&app, &base).await, "submitted");
    operator
        .get(&base)
        .await
        .assert_contains("已提交第 1 版申报")
        .assert_contains("申报已提交，当前不能修改");
    // A submitted application cannot be edited.
    operator
        .post_form(&format!("{base}/form"), &[("lock_version", "1")])
        .await
        .assert_status(StatusCode::CONFLICT);

    // The county of the park sees it and returns it with a reason.
    let id = id_of(&base).to_string();
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county
        .get("/t/wenzhou/county")
        .await
        .assert_contains("温州鹿城跨境电商产业园");
    county_opinion(
        &mut county,
        &id,
        &[("opinion", "return"), ("comments", "")],
        None,
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("请写明理由");
    county_opinion(
        &mut county,
        &id,
        &[
            ("opinion", "return"),
            ("comments", "请补充2025年海关统计证明。"),
        ],
        None,
    )
    .await
    .assert_redirect_to("/t/wenzhou/county");
    assert_eq!(state_of(&app, &base).await, "draft");

    // The operator reads the reason, edits and resubmits as version 2.
    operator
        .get(&base)
        .await
        .assert_contains("退回修改")
        .assert_contains("请补充2025年海关统计证明。");
    let mut form = wenzhou_form("温州鹿城跨境电商产业园");
    form.retain(|(k, _)| *k != "trade.ref.import_export");
    form.push(("trade.ref.import_export", "48000000".into()));
    save_form(&mut operator, &base, "鹿城区", &form)
        .await
        .assert_redirect_to(&format!("{base}/form"));
    let row = operator.get(&format!("{base}/roster/rows/1")).await;
    row.assert_status(StatusCode::OK);
    let mut cells: Vec<(String, String)> = parkcert::domain::roster::Column::ALL
        .iter()
        .map(|c| (c.key().to_string(), hidden_input_value(&row.body, c.key())))
        .collect();
    cells.iter_mut().find(|(k, _)| k == "employees").unwrap().1 = "99".into();
    let lock = hidden(&row.body, "roster_lock_version");
    let mut posted: Vec<(&str, &str)> = vec![("roster_lock_version", &lock)];
    posted.extend(cells.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    operator
        .post_form(&format!("{base}/roster/rows/1"), &posted)
        .await
        .assert_redirect_to(&format!("{base}/roster?page=1#rows"));
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    assert_eq!(versions_of(&app, &base).await, 2);

    // The county sees what changed, attests and recommends with the sealed letter.
    county
        .get(&format!("/t/wenzhou/county/applications/{id}"))
        .await
        .assert_contains("与第 1 版相比的修改")
        .assert_contains("52,600,000")
        .assert_contains("48,000,000")
        .assert_contains("修改 1 家")
        .assert_contains("员工人数");
    county_opinion(
        &mut county,
        &id,
        &[("opinion", "recommend"), ("comments", "")],
        None,
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("请上传加盖公章的推荐意见")
    .assert_contains("推荐前请逐项核实");
    county_opinion(
        &mut county,
        &id,
        &[
            ("opinion", "recommend"),
            ("comments", "同意推荐。"),
            ("attest.wz.plan", "on"),
            ("attest.wz.operator", "on"),
            ("attest.wz.reporting", "on"),
        ],
        Some(&fixture("documents/licence.pdf")),
    )
    .await
    .assert_redirect_to("/t/wenzhou/county");
    assert_eq!(state_of(&app, &base).await, "forwarded");

    // The bureau accepts it into review; both versions stay readable.
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    bureau
        .get(&format!("/t/wenzhou/bureau/calls/{call}/applications"))
        .await
        .assert_contains("温州鹿城跨境电商产业园")
        .assert_contains("已报送");
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau
        .get(&page)
        .await
        .assert_contains("已核实")
        .assert_contains("推荐");
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "accept"), ("comments", "")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{call}/applications"));
    assert_eq!(state_of(&app, &base).await, "in_review");
    bureau
        .get(&format!("{page}/versions/1"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("52,600,000");
    // Each version prints as the regulations' 申报表 and 申报书, with the boxes to sign and seal,
    // for the operator and the reviewers alike, on a page and as a PDF.
    bureau
        .get(&format!("{page}/versions/1/print"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("附件1")
        .assert_contains("温州市跨境电子商务产业园区申报表")
        .assert_contains("法定代表人签字")
        .assert_contains("温州市跨境电子商务产业园区申报书")
        .assert_contains("加盖单位公章")
        .assert_contains("入驻企业名录（附件3）");
    let pdf = operator.get(&format!("{base}/versions/2/pdf")).await;
    pdf.assert_status(StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let document = lopdf::Document::load_mem(&pdf.bytes).expect("a readable PDF");
    assert!(
        document.get_pages().len() >= 3,
        "申报表, 申报书 and the roster"
    );
    operator
        .get(&format!("{base}/versions/2/docx"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Every step is in the audit trail.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_kind = 'application' AND object_id = $1
           AND action IN ('submit', 'return', 'forward', 'accept') ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(actions, ["submit", "return", "submit", "forward", "accept"]);
}

/// The value of a visible text input (the roster row form).
fn hidden_input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" type=");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name}"));
    let rest = &html[start..];
    let v = rest.find("value=\"").unwrap() + "value=\"".len();
    let end = rest[v..].find('"').unwrap() + v;
    rest[v..end]
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
        .replace("&#40;", "(")
        .replace("&#41;", ")")
}

/// A complete draft ready to submit: the operator's browser, the application's path and the
/// submit form's hidden fields as the page gave them.
pub async fn ready_to_submit(app: &mut TestApp) -> (TestApp, String, Vec<(String, String)>) {
    let call = open_call(app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    let page = operator.get(&base).await;
    let fields = ["submit_token", "lock_version", "roster_lock_version"]
        .iter()
        .map(|name| (name.to_string(), hidden(&page.body, name)))
        .collect();
    (operator, base, fields)
}

#[tokio::test]
async fn a_repeated_submit_post_creates_one_version() {
    let mut app = TestApp::spawn().await;
    let (mut operator, base, fields) = ready_to_submit(&mut app).await;
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let first = operator.post_form(&format!("{base}/submit"), &fields).await;
    let second = operator.post_form(&format!("{base}/submit"), &fields).await;
    first.assert_redirect_to(&base);
    second.assert_redirect_to(&base);
    assert_eq!(versions_of(&app, &base).await, 1);
}

#[tokio::test]
async fn submission_lists_what_is_missing_and_is_refused_after_the_deadline() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    operator
        .get(&base)
        .await
        .assert_contains("请填写园区名称")
        .assert_contains("入驻企业名录（附件3）：请录入或导入")
        .assert_contains("营业执照复印件：请上传")
        .assert_contains("/form?check=1#f-park.name")
        .assert_not_contains("提交申报</button>");
    // Opened from the checklist, the form marks each field that stops the submission.
    operator
        .get(&format!("{base}/form?check=1"))
        .await
        .assert_contains("id=\"f-park.name-error\"")
        .assert_contains("id=\"f-services-error\"")
        .assert_contains("id=\"f-report.basic-error\"");
    complete_draft(&mut operator, &base).await;
    sqlx::query("UPDATE calls SET deadline = now() - interval '1 minute' WHERE id = $1")
        .bind(call)
        .execute(&app.db)
        .await
        .unwrap();
    submit(&mut operator, &base)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("截止，不能再提交");
    assert_eq!(state_of(&app, &base).await, "draft");
}

#[tokio::test]
async fn a_draft_keeps_malformed_values_with_a_message_next_to_each() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    let fields = vec![
        ("park.name", "测试园区".to_string()),
        ("park.kind", "游乐园".to_string()),
        ("service_center", "也许".to_string()),
        ("legal_rep.phone", "电话号码".to_string()),
        ("area.cbec_use", "三千".to_string()),
        ("events.joint", "-2".to_string()),
        ("trade.ref.import_export", "1.5".to_string()),
        ("park.established_on", "2019年13月1日".to_string()),
        ("contact.mobile", "12345".to_string()),
        ("contact.email", "not-an-email".to_string()),
    ];
    save_form(&mut operator, &base, "鹿城区", &fields)
        .await
        .assert_redirect_to(&format!("{base}/form"));
    let page = operator.get(&format!("{base}/form")).await;
    page.assert_contains("草稿已保存，其中 9 项格式有误")
        .assert_contains("value=\"电话号码\"")
        .assert_contains("value=\"三千\"")
        .assert_contains("value=\"-2\"")
        .assert_contains("value=\"1.5\"")
        .assert_contains("value=\"2019年13月1日\"")
        .assert_contains("value=\"12345\"")
        .assert_contains("value=\"not-an-email\"");
    for key in [
        "park.kind",
        "service_center",
        "legal_rep.phone",
        "area.cbec_use",
        "events.joint",
        "trade.ref.import_export",
        "park.established_on",
        "contact.mobile",
        "contact.email",
    ] {
        page.assert_contains(&format!("id=\"f-{key}-error\""));
    }
    // A malformed draft cannot be submitted.
    operator.get(&base).await.assert_contains("提交前还需补全");
}

#[tokio::test]
async fn two_tabs_saving_one_draft_do_not_overwrite_each_other() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    let page = operator.get(&format!("{base}/form")).await;
    let stale = hidden(&page.body, "lock_version");
    save_form(
        &mut operator,
        &base,
        "鹿城区",
        &[("park.name", "甲园区".into())],
    )
    .await
    .assert_redirect_to(&format!("{base}/form"));
    let county = jurisdiction_id(&app, "鹿城区").await;
    let response = operator
        .post_form(
            &format!("{base}/form"),
            &[
                ("lock_version", &stale),
                ("jurisdiction_id", &county),
                ("park.name", "乙园区"),
            ],
        )
        .await;
    response
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("未保存")
        .assert_contains("value=\"乙园区\"")
        .assert_contains("甲园区");
    let saved: String = sqlx::query_scalar("SELECT park_name FROM applications WHERE id = $1")
        .bind(id_of(&base).parse::<i64>().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(saved, "甲园区");
    // Saving again from the conflict page is a deliberate overwrite.
    let lock = hidden(&response.body, "lock_version");
    operator
        .post_form(
            &format!("{base}/form"),
            &[
                ("lock_version", &lock),
                ("jurisdiction_id", &county),
                ("park.name", "乙园区"),
            ],
        )
        .await
        .assert_redirect_to(&format!("{base}/form"));
}

#[tokio::test]
async fn rosters_import_from_xlsx_and_gb18030_csv_and_bad_files_import_nothing() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;

    import_roster(
        &mut operator,
        &base,
        "名录.csv",
        &fixture("roster/wenzhou-25-gb18030.csv"),
    )
    .await
    .assert_redirect_to(&format!("{base}/roster"));
    operator
        .get(&format!("{base}/roster"))
        .await
        .assert_contains("已导入 25 家企业")
        .assert_contains("共 25 家企业");

    let bad = import_roster(
        &mut operator,
        &base,
        "名录.xlsx",
        &fixture("roster/bad-rows.xlsx"),
    )
    .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("导入失败，名录未改变")
        .assert_contains("第3行，统一社会信用代码：统一社会信用代码校验位不正确")
        .assert_contains("第9行，注册资金（万元）")
        .assert_contains("共 25 家企业");
    import_roster(
        &mut operator,
        &base,
        "名录.xlsx",
        &fixture("roster/not-a-spreadsheet.xlsx"),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("文件不是有效的 XLSX 或 CSV 文件");

    import_roster(
        &mut operator,
        &base,
        "名录.xlsx",
        &fixture("roster/wenzhou-25.xlsx"),
    )
    .await
    .assert_redirect_to(&format!("{base}/roster"));
    // The export imports back unchanged, and the template is a workbook.
    let exported = operator.get(&format!("{base}/roster.xlsx")).await;
    exported.assert_status(StatusCode::OK);
    assert_eq!(
        parkcert::io::storage::FileKind::sniff(&exported.bytes),
        Some(parkcert::io::storage::FileKind::Xlsx)
    );
    let template = operator.get(&format!("{base}/roster-template.xlsx")).await;
    assert!(
        template.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    // One row added by hand, with a message next to each bad cell.
    let page = operator.get(&format!("{base}/roster")).await;
    let lock = hidden(&page.body, "roster_lock_version");
    operator
        .post_form(
            &format!("{base}/roster/rows"),
            &[
                ("roster_lock_version", &lock),
                ("name", "温州新企业有限公司"),
                ("founded_year", "1800"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("value=\"温州新企业有限公司\"")
        .assert_contains("id=\"uscc-error\"")
        .assert_contains("id=\"founded_year-error\"");
}

#[tokio::test]
async fn uploads_are_accepted_by_content_and_size_never_by_name() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;

    upload(
        &mut operator,
        &base,
        "evidence",
        "照片.pdf",
        &fixture("documents/script.pdf"),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("按文件内容识别");
    upload(
        &mut operator,
        &base,
        "evidence",
        "旧文档.doc",
        &fixture("documents/legacy.doc"),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    upload(&mut operator, &base, "evidence", "大文件.pdf", &big)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("文件超过 20 MB 上限");
    upload(
        &mut operator,
        &base,
        "evidence",
        "规划图.png",
        &fixture("documents/plan.png"),
    )
    .await
    .assert_redirect_to(&format!("{base}#documents"));

    let (doc, sha): (i64, String) =
        sqlx::query_as("SELECT id, sha256 FROM documents ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        sha,
        sha2_hex(&fixture("documents/plan.png")),
        "the hash is the content's"
    );
    let download = operator.get(&format!("/t/wenzhou/files/{doc}")).await;
    download.assert_status(StatusCode::OK);
    assert_eq!(download.bytes, fixture("documents/plan.png"));
    assert_eq!(download.headers["content-type"], "image/png");
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // Another operator, a county that is not the park's, and another tenant see nothing.
    for login in ["wz-operator2", "wz-county-lucheng", "zs-bureau"] {
        let mut other = app.new_browser();
        other.sign_in_as(login).await;
        other
            .get(&format!("/t/wenzhou/files/{doc}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    app.new_browser()
        .get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn counties_see_only_their_jurisdiction_and_other_tenants_get_404() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    let id = id_of(&base);

    let mut ruian = app.new_browser();
    ruian.sign_in_as("wz-county-ruian").await;
    ruian
        .get(&format!("/t/wenzhou/county/applications/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    ruian
        .get("/t/wenzhou/county")
        .await
        .assert_not_contains("温州鹿城跨境电商产业园");
    ruian
        .get(&format!("/t/wenzhou/county/applications/{id}"))
        .await;
    ruian
        .post_multipart(
            &format!("/t/wenzhou/county/applications/{id}/opinion"),
            &[("opinion", "return"), ("comments", "越权")],
            &[],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let mut other_operator = app.new_browser();
    other_operator.sign_in_as("wz-operator2").await;
    other_operator
        .get(&base)
        .await
        .assert_status(StatusCode::NOT_FOUND);

    let mut zhongshan = app.new_browser();
    zhongshan.sign_in_as("zs-bureau").await;
    for path in [
        format!("/t/wenzhou/bureau/applications/{id}"),
        format!("/t/zhongshan/bureau/applications/{id}"),
        format!("/t/zhongshan/bureau/calls/{call}/applications"),
    ] {
        let status = zhongshan.get(&path).await.status;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // The county of the park does see it.
    let mut lucheng = app.new_browser();
    lucheng.sign_in_as("wz-county-lucheng").await;
    lucheng
        .get(&format!("/t/wenzhou/county/applications/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("第 1 版");
}

#[tokio::test]
async fn the_bureau_returns_or_rejects_a_forwarded_application_only_with_a_reason() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    submit(&mut operator, &base).await;
    let id = id_of(&base).to_string();
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county_opinion(
        &mut county,
        &id,
        &[
            ("opinion", "not_recommend"),
            ("comments", "备案企业数不足。"),
        ],
        Some(&fixture("documents/plan.png")),
    )
    .await
    .assert_redirect_to("/t/wenzhou/county");
    assert_eq!(state_of(&app, &base).await, "forwarded");

    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau.get(&page).await.assert_contains("不予推荐");
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "reject"), ("comments", " ")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请写明理由");
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "reject"), ("comments", "不符合第四条（四）。")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{call}/applications"));
    assert_eq!(state_of(&app, &base).await, "rejected");
    let own = crate::notifications::organization_of(&app, "wz-operator1").await;
    assert_eq!(
        crate::notifications::told_of(&app, EventKind::ApplicationRejected, id.parse().unwrap())
            .await,
        crate::notifications::logins(&app, "wenzhou", &own).await
    );
    // A decided application takes no further decision.
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "accept")])
        .await
        .assert_status(StatusCode::CONFLICT);
    operator
        .get(&base)
        .await
        .assert_contains("不予通过")
        .assert_contains("不符合第四条（四）。");
}

#[tokio::test]
async fn the_self_check_evaluates_what_is_typed_before_it_is_saved() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    operator
        .get(&format!("{base}/form"))
        .await
        .assert_contains("data-selfcheck=")
        .assert_contains("/static/selfcheck.js");
    let panel = operator
        .post_form(
            &format!("{base}/selfcheck"),
            &[("area.cbec_use", "2999.5"), ("events.self_organized", "12")],
        )
        .await;
    panel
        .assert_status(StatusCode::OK)
        .assert_contains("尚未保存")
        .assert_contains("实际 2999.5")
        .assert_contains("实际 12")
        .assert_not_contains("<html");
    // Nothing was saved.
    let form: serde_json::Value = sqlx::query_scalar("SELECT form FROM applications WHERE id = $1")
        .bind(id_of(&base).parse::<i64>().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(form, serde_json::json!({}));
    operator
        .get("/static/selfcheck.js")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("data-selfcheck");
}

#[tokio::test]
async fn an_operator_updates_the_profile_but_never_the_uscc() {
    let app = TestApp::spawn().await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let page = operator.get("/t/wenzhou/operator/organization").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("91330302MA2AX1B3C8");
    let county = jurisdiction_id(&app, "鹿城区").await;
    let mut fields = vec![
        ("name", "温州鹿城跨境电商产业园运营管理有限公司"),
        ("uscc", "91330302MA2AX1B3C8"),
        ("jurisdiction_id", county.as_str()),
        ("address", "温州市鹿城区创业路99号"),
        ("legal_representative", "王建国"),
        ("contact_name", "李娜"),
        ("contact_phone", "电话"),
    ];
    operator
        .post_form("/t/wenzhou/operator/organization", &fields)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"contact_phone-error\"")
        .assert_contains("value=\"温州市鹿城区创业路99号\"");
    fields[6] = ("contact_phone", "0577-88990002");
    fields[1] = ("uscc", "91330381MA2CQ7R8D7");
    operator
        .post_form("/t/wenzhou/operator/organization", &fields)
        .await
        .assert_redirect_to("/t/wenzhou/operator");
    let (uscc, address): (String, String) = sqlx::query_as(
        "SELECT o.uscc, o.address FROM organizations o JOIN users u ON u.organization_id = o.id
         WHERE u.login = 'wz-operator1'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(uscc, "91330302MA2AX1B3C8");
    assert_eq!(address, "温州市鹿城区创业路99号");
}

/// A Zhongshan operator's new draft under an open call: the operator's browser and the draft's
/// base URL.
async fn zhongshan_draft(app: &mut TestApp) -> (TestApp, String) {
    let call = open_call_in(app, "zhongshan", "zs-bureau").await;
    let mut operator = app.new_browser();
    operator.sign_in_as("zs-operator1").await;
    operator.get("/t/zhongshan/operator").await;
    let response = operator
        .post_form(&format!("/t/zhongshan/operator/calls/{call}/apply"), &[])
        .await;
    let base = response.location().trim_end_matches("/form").to_string();
    (operator, base)
}

#[tokio::test]
async fn a_zhongshan_form_asks_for_the_tier_and_two_years_in_yuan() {
    let mut app = TestApp::spawn().await;
    let (mut operator, base) = zhongshan_draft(&mut app).await;
    let form = operator.get(&format!("{base}/form")).await;
    // The call is for 2026: the reference year is 2025, and Zhongshan also asks for 2024.
    form.assert_status(StatusCode::OK)
        .assert_contains("name=\"tier\"")
        .assert_contains("引领型")
        .assert_contains("成长型")
        .assert_contains("2025年")
        .assert_contains("2024年")
        .assert_contains("（元）")
        .assert_not_contains("美元")
        .assert_contains("中山市跨境电商企业备案");
}

#[tokio::test]
async fn a_growing_self_check_shows_the_leading_tier_as_information_and_groups_amounts() {
    let mut app = TestApp::spawn().await;
    let (mut operator, base) = zhongshan_draft(&mut app).await;
    operator.get(&format!("{base}/form")).await;
    let panel = operator
        .post_form(
            &format!("{base}/selfcheck"),
            &[
                ("tier", "growing"),
                ("trade.ref.transactions", "2250000000"),
                ("trade.prev.transactions", "1726666667"),
            ],
        )
        .await;
    panel.assert_status(StatusCode::OK);
    let body = &panel.body;
    // 第五条 (引领型) is not what was applied for: information, never a failure in red.
    let leading: Vec<&str> = body
        .split("<li class=\"check-")
        .skip(1)
        .filter(|item| item.contains("第五条"))
        .collect();
    assert!(!leading.is_empty(), "{body}");
    assert!(
        leading
            .iter()
            .all(|item| item.starts_with("info") && item.contains("未申报该类型，仅供参考")),
        "{leading:?}"
    );
    assert!(
        body.contains("check-fail"),
        "the growing tier's own gaps still fail"
    );
    // Amounts read with separators, years as they are.
    panel
        .assert_contains("2025年 2,250,000,000")
        .assert_contains("2024年 1,726,666,667")
        .assert_not_contains("2250000000");
}

//! Calls for applications: drafting, editing with optimistic locking, tenant isolation.
use crate::helpers::TestApp;
use axum::http::StatusCode;

pub async fn rule_set_version(app: &TestApp, tenant: &str) -> String {
    let id: i64 = sqlx::query_scalar(
        "SELECT v.id FROM rule_set_versions v JOIN tenants t ON t.id = v.tenant_id
         WHERE t.slug = $1 AND v.rule_set_id <> 'cbec-park-standard-2024' ORDER BY v.id LIMIT 1",
    )
    .bind(tenant)
    .fetch_one(&app.db)
    .await
    .unwrap();
    id.to_string()
}

const TITLE: &str = "关于开展2026年度温州市跨境电子商务产业园区认定工作的通知";

/// Creates a draft call as the signed-in bureau user and returns its page's path.
pub async fn create_call(app: &mut TestApp, tenant: &str, title: &str) -> String {
    let version = rule_set_version(app, tenant).await;
    app.get(&format!("/t/{tenant}/bureau/calls/new"))
        .await
        .assert_status(StatusCode::OK);
    let response = app
        .post_form(
            &format!("/t/{tenant}/bureau/calls"),
            &[
                ("title", title),
                ("year", "2026"),
                ("rule_set_version_id", &version),
                ("opens_at", "2026-03-01T09:00"),
                ("deadline", "2026-04-30T17:00"),
                ("description", "一、申报条件\n二、申报材料"),
            ],
        )
        .await;
    // The new call's id is not known before it is created.
    response.assert_redirect_starting(&format!("/t/{tenant}/bureau/calls/"));
    response.location().to_string()
}

#[tokio::test]
async fn the_bureau_saves_a_draft_call_that_the_public_cannot_see_yet() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let path = create_call(&mut app, "wenzhou", TITLE).await;
    app.get(&path)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("申报通知草稿已保存")
        .assert_contains("2026-03-01 09:00 至 2026-04-30 17:00")
        .assert_contains("草稿");
    app.get("/t/wenzhou/bureau/calls")
        .await
        .assert_contains(TITLE);
    let deadline: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT deadline FROM calls")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        deadline.to_rfc3339(),
        "2026-04-30T09:00:00+00:00",
        "times are Asia/Shanghai"
    );

    let id = path.rsplit('/').next().unwrap();
    let mut public = app.new_browser();
    public
        .get(&format!("/t/wenzhou/calls/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert!(!public.get("/t/wenzhou").await.body.contains(TITLE));
}

#[tokio::test]
async fn bad_call_input_is_explained_per_field_and_kept() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/calls/new").await;
    let response = app
        .post_form(
            "/t/wenzhou/bureau/calls",
            &[
                ("title", "2026年度认定通知"),
                ("year", "二〇二六"),
                ("rule_set_version_id", ""),
                ("opens_at", "2026-05-01T09:00"),
                ("deadline", "2026-04-30T17:00"),
                ("description", "正文"),
            ],
        )
        .await;
    response
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"year-error\"")
        .assert_contains("id=\"rule_set_version_id-error\"")
        .assert_contains("截止时间应晚于开始时间")
        .assert_contains("value=\"2026年度认定通知\"")
        .assert_contains("value=\"2026-05-01T09:00\"");
}

#[tokio::test]
async fn a_call_cannot_use_another_tenants_rule_set() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let zhongshan_rules = rule_set_version(&app, "zhongshan").await;
    app.get("/t/wenzhou/bureau/calls/new").await;
    app.post_form(
        "/t/wenzhou/bureau/calls",
        &[
            ("title", TITLE),
            ("year", "2026"),
            ("rule_set_version_id", &zhongshan_rules),
            ("opens_at", "2026-03-01T09:00"),
            ("deadline", "2026-04-30T17:00"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("id=\"rule_set_version_id-error\"");
}

#[tokio::test]
async fn two_tabs_editing_one_draft_cannot_silently_overwrite_each_other() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let path = create_call(&mut app, "wenzhou", TITLE).await;
    let version = rule_set_version(&app, "wenzhou").await;
    app.get(&path).await;
    let edit = |title: &'static str, lock: &'static str| {
        vec![
            ("title", title),
            ("year", "2026"),
            ("opens_at", "2026-03-01T09:00"),
            ("deadline", "2026-05-15T17:00"),
            ("description", "正文"),
            ("lock_version", lock),
        ]
    };
    let mut first = edit("第一个标签页的标题修改", "0");
    first.push(("rule_set_version_id", &version));
    app.post_form(&path, &first).await.assert_redirect_to(&path);
    let mut second = edit("第二个标签页的标题修改", "0");
    second.push(("rule_set_version_id", &version));
    app.post_form(&path, &second)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("其他人已修改并保存")
        .assert_contains("value=\"第二个标签页的标题修改\"");
    let title: String = sqlx::query_scalar("SELECT title FROM calls")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, "第一个标签页的标题修改");
}

#[tokio::test]
async fn another_tenants_call_is_not_found() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let path = create_call(&mut app, "wenzhou", TITLE).await;
    let id = path.rsplit('/').next().unwrap().to_string();
    let mut other = app.new_browser();
    other.sign_in_as("zs-bureau").await;
    other
        .get(&format!("/t/zhongshan/bureau/calls/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    other
        .post_form(
            &format!("/t/zhongshan/bureau/calls/{id}"),
            &[("title", "篡改")],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_opens_the_call_to_the_public_and_freezes_it() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let version = rule_set_version(&app, "wenzhou").await;
    app.get("/t/wenzhou/bureau/calls/new").await;
    let response = app
        .post_form(
            "/t/wenzhou/bureau/calls",
            &[
                ("title", TITLE),
                ("year", "2026"),
                ("rule_set_version_id", &version),
                ("opens_at", "2026-01-05T09:00"),
                ("deadline", "2099-12-31T17:00"),
                ("description", "申报条件见附件"),
            ],
        )
        .await;
    let path = response.location().to_string();
    app.get(&path).await.assert_contains("发布申报通知");
    app.post_form(&format!("{path}/publish"), &[])
        .await
        .assert_redirect_to(&path);
    app.get(&path)
        .await
        .assert_contains("申报通知已发布")
        .assert_contains("申报中");

    let id = path.rsplit('/').next().unwrap();
    let mut public = app.new_browser();
    public
        .get("/t/wenzhou")
        .await
        .assert_contains(TITLE)
        .assert_contains("申报中");
    public
        .get(&format!("/t/wenzhou/calls/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("申报条件见附件");

    // Frozen: neither edited nor published twice.
    app.post_form(&path, &[("title", "发布后修改"), ("lock_version", "0")])
        .await
        .assert_status(StatusCode::CONFLICT);
    app.post_form(&format!("{path}/publish"), &[])
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("当前状态为");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE object_kind = 'call' ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(actions, ["create", "publish"]);
}

#[tokio::test]
async fn a_call_past_its_deadline_cannot_be_published_and_open_calls_close_at_the_deadline() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let path = create_call(&mut app, "wenzhou", TITLE).await; // deadline 2026-04-30, already past
    app.post_form(&format!("{path}/publish"), &[])
        .await
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("截止时间已过");
    // An open call whose deadline passes is closed by the scheduled job, as the system.
    sqlx::query("UPDATE calls SET state = 'open'")
        .execute(&app.db)
        .await
        .unwrap();
    let closed = parkcert::db::transition::close_expired_calls(&app.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(closed, 1);
    let state: String = sqlx::query_scalar("SELECT state FROM calls")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "closed");
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE object_kind = 'call' AND action = 'close'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(after["actor"], "system");
}

#[tokio::test]
async fn the_scheduler_closes_a_call_at_its_deadline() {
    let mut app = TestApp::spawn().await;
    let call = crate::intake::open_call(&mut app).await;
    let state = || async {
        sqlx::query_scalar::<_, String>("SELECT state FROM calls WHERE id = $1")
            .bind(call)
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    parkcert::jobs::run_once(&app.state).await;
    assert_eq!(state().await, "open");
    app.state
        .clock
        .set(chrono::Utc::now() + chrono::Duration::days(31));
    parkcert::jobs::run_once(&app.state).await;
    assert_eq!(state().await, "closed");
}

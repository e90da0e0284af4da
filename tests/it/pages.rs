//! Public pages, errors and the health check.
use crate::helpers::TestApp;
use axum::http::StatusCode;

#[tokio::test]
async fn the_health_check_answers_when_the_database_does() {
    let mut app = TestApp::spawn().await;
    app.get("/healthz").await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn the_front_page_lists_the_tenants_and_their_public_pages_need_no_sign_in() {
    let mut app = TestApp::spawn().await;
    app.get("/")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("温州市商务局")
        .assert_contains("中山市商务局");
    app.get("/t/zhongshan")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("中山市商务局")
        .assert_contains("镇街");
}

#[tokio::test]
async fn an_unknown_page_is_a_chinese_html_404_with_a_request_id() {
    let mut app = TestApp::spawn().await;
    let response = app.get("/t/nowhere").await;
    response
        .assert_status(StatusCode::NOT_FOUND)
        .assert_contains("页面不存在")
        .assert_contains("请求编号");
    assert!(response.headers.get("x-request-id").is_some());
    assert!(
        response.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn errors_under_the_api_are_json() {
    let mut app = TestApp::spawn().await;
    let response = app.get("/api/v1/nothing").await;
    response.assert_status(StatusCode::NOT_FOUND);
    let json: serde_json::Value = serde_json::from_str(&response.body).expect("JSON error body");
    assert_eq!(json["error"]["status"], 404);
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_stylesheet_is_served_locally() {
    let mut app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.headers["x-content-type-options"], "nosniff");
    assert!(
        response.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(response.body.contains("<html lang=\"zh-CN\">"));
    // HSTS only where the site is served over HTTPS (secure cookies configured).
    assert!(!response.headers.contains_key("strict-transport-security"));
    let mut config = parkcert::config::Config::for_tests(app.data_dir.clone());
    config.secure_cookies = true;
    let https = parkcert::app(parkcert::state::AppState::new(app.db.clone(), config));
    let res = tower::ServiceExt::oneshot(
        https,
        axum::http::Request::builder()
            .uri("/")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let css = app.get("/static/style.css").await;
    css.assert_status(StatusCode::OK)
        .assert_contains("@media print");
}

#[tokio::test]
async fn the_demo_content_publishes_a_call_per_city_through_the_workflow() {
    let mut app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    app.get("/t/wenzhou")
        .await
        .assert_contains("关于开展2026年度温州市跨境电子商务产业园区认定工作的通知")
        .assert_contains("申报中");
    assert!(
        !app.get("/t/wenzhou").await.body.contains("（草稿）"),
        "drafts stay private"
    );
    app.get("/t/zhongshan")
        .await
        .assert_contains("关于组织申报2026年度中山市跨境电商产业园区的通知");
    // This year's call per city is open; earlier years' calls are concluded history.
    let calls: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.state, count(*) FROM calls c
         WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.object_kind = 'call'
                         AND a.object_id = c.id::text AND a.action = 'publish')
         GROUP BY c.state ORDER BY c.state",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        calls,
        [("concluded".to_string(), 3), ("open".to_string(), 2)]
    );
    // Awarded parks in every state of dynamic management.
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT state FROM titles ORDER BY state")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(titles, ["awarded", "delisted", "rectification", "revoked"]);

    // Applications in every state intake reaches, each through the workflow.
    let states: Vec<(String, i32, i64)> = sqlx::query_as(
        "SELECT state, version_count, count(*) FROM applications
         GROUP BY state, version_count ORDER BY state, version_count",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let has =
        |state: &str, versions: i32| states.iter().any(|(s, v, _)| s == state && *v == versions);
    assert!(has("draft", 0), "a fresh draft: {states:?}");
    assert!(has("draft", 1), "a returned draft: {states:?}");
    assert!(has("submitted", 2), "a resubmission: {states:?}");
    for state in [
        "submitted",
        "forwarded",
        "in_review",
        "rejected",
        "reviewed",
    ] {
        assert!(
            states.iter().any(|(s, _, _)| s == state),
            "{state}: {states:?}"
        );
    }
    // The shortlisted park is on publicity when the calendar covers its window from today.
    assert!(
        states
            .iter()
            .any(|(s, _, _)| s == "shortlisted" || s == "in_publicity"),
        "{states:?}"
    );
    let unaudited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM application_versions v WHERE NOT EXISTS (
           SELECT 1 FROM audit_log a WHERE a.object_kind = 'application'
             AND a.object_id = v.application_id::text AND a.action = 'submit')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(unaudited, 0);
    // Each city's panel was drawn by the lottery and re-running its stored input agrees.
    let draws: Vec<(serde_json::Value, serde_json::Value)> =
        sqlx::query_as("SELECT draw_input, draw_result FROM panels ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(draws.len(), 2);
    for (input, result) in draws {
        let input: parkcert::domain::draw::DrawInput = serde_json::from_value(input).unwrap();
        let result: parkcert::domain::draw::DrawResult = serde_json::from_value(result).unwrap();
        assert_eq!(
            parkcert::domain::draw::draw(&input).unwrap().panel,
            result.panel
        );
    }
    // The demo's frozen documents are on disk under their hashes.
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let doc: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN users u ON u.id = d.uploaded_by
         WHERE u.login = 'wz-operator1' ORDER BY d.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    operator
        .get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(axum::http::StatusCode::OK);
}

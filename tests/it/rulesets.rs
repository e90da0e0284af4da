//! The tenant's rule-set versions, their pages, and the public evaluate API.
use crate::helpers::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

async fn version_id(app: &TestApp, tenant: &str, rule_set: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT v.id FROM rule_set_versions v JOIN tenants t ON t.id = v.tenant_id
         WHERE t.slug = $1 AND v.rule_set_id = $2 ORDER BY v.version DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(rule_set)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_bureau_sees_every_check_with_its_article_and_threshold_and_the_rubric() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/rulesets")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("温州")
        .assert_not_contains(">wenzhou-2021<");
    let id = version_id(&app, "wenzhou", "wenzhou-2021").await;
    let page = app.get(&format!("/t/wenzhou/bureau/rulesets/{id}")).await;
    // Officials read articles and descriptions; the engine's check ids are not shown.
    page.assert_status(StatusCode::OK)
        .assert_not_contains("wz.area")
        .assert_contains("第四条（三）")
        .assert_contains("≥ 3000 m²")
        .assert_contains("配套服务完善")
        .assert_contains("运营主体被列入失信黑名单")
        .assert_contains("自认定之日起 3 年")
        .assert_contains("<td>100</td>");
}

#[tokio::test]
async fn zhongshan_rules_show_both_tiers_and_an_opinion_instead_of_scores() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-bureau").await;
    let id = version_id(&app, "zhongshan", "zhongshan-2022").await;
    app.get(&format!("/t/zhongshan/bureau/rulesets/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("引领型")
        .assert_contains("成长型")
        .assert_contains("第六条")
        .assert_not_contains("zs.growing.volume")
        .assert_contains("专家出具通过 / 不通过的评审意见")
        .assert_not_contains("去掉一个最高分")
        .assert_contains("未规定期限");
}

#[tokio::test]
async fn another_tenants_rule_set_is_not_found() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let zhongshan = version_id(&app, "zhongshan", "zhongshan-2022").await;
    app.get(&format!("/t/wenzhou/bureau/rulesets/{zhongshan}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adopting_a_template_adds_a_new_immutable_version() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/rulesets").await;
    let response = app
        .post_form(
            "/t/wenzhou/bureau/rulesets/adopt",
            &[("template", "wenzhou-2021")],
        )
        .await;
    // The new version's id is not known before it is created.
    response.assert_redirect_starting("/t/wenzhou/bureau/rulesets/");
    app.get(response.location())
        .await
        .assert_contains("第 2 版")
        .assert_contains("已采用");
    let versions: Vec<i32> = sqlx::query_scalar(
        "SELECT version FROM rule_set_versions WHERE rule_set_id = 'wenzhou-2021' ORDER BY version",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(versions, [1, 2]);
    let change =
        sqlx::query("UPDATE rule_set_versions SET title = 'x' WHERE rule_set_id = 'wenzhou-2021'")
            .execute(&app.db)
            .await;
    assert!(
        change.is_err(),
        "stored rule-set versions must never change"
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_kind = 'rule_set_version'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    app.post_form(
        "/t/wenzhou/bureau/rulesets/adopt",
        &[("template", "no-such-rules")],
    )
    .await
    .assert_status(StatusCode::BAD_REQUEST);
}

async fn post_json(app: &mut TestApp, body: &str) -> crate::helpers::TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evaluate")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.request(req).await
}

#[tokio::test]
async fn the_evaluate_api_answers_without_sign_in_and_explains_a_draft() {
    let mut app = TestApp::spawn().await;
    let response = post_json(
        &mut app,
        r#"{"rules": "wenzhou-2021", "applied_on": "2026-03-15"}"#,
    )
    .await;
    response.assert_status(StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(json["verdict"], "not_eligible");
    assert_eq!(json["metrics"]["reference_year"], 2025);
    let area = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "wz.area")
        .unwrap();
    assert_eq!(area["status"], "fail");
    assert!(
        area["actual"].is_null(),
        "a missing fact fails with actual null"
    );
}

#[tokio::test]
async fn malformed_input_to_the_api_is_a_422_naming_the_field() {
    let mut app = TestApp::spawn().await;
    let body = r#"{"rules": "wenzhou-2021", "applied_on": "2026-03-15",
                   "park": {"trade": [{"year": 2025, "currency": "CNY", "import_export": 1}]}}"#;
    let response = post_json(&mut app, body).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(json["error"]["path"], "park.trade[0].currency");
    let garbage = post_json(&mut app, "{not json").await;
    garbage.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

//! The bureau manages its own users and jurisdictions.
use crate::helpers::{DEMO_PASSWORD, TestApp};
use axum::http::StatusCode;

#[tokio::test]
async fn the_bureau_creates_a_county_user_who_can_then_sign_in() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let page = app.get("/t/wenzhou/bureau/users").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("wz-county-lucheng");
    let yongjia: i64 = sqlx::query_scalar("SELECT id FROM jurisdictions WHERE name = '永嘉县'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let response = app
        .post_form(
            "/t/wenzhou/bureau/users",
            &[
                ("login", "wz-county-yongjia"),
                ("display_name", "叶小青"),
                ("role", "county"),
                ("jurisdiction_id", &yongjia.to_string()),
                ("password", "a-long-enough-password-7"),
            ],
        )
        .await;
    response.assert_redirect_to("/t/wenzhou/bureau/users");
    app.get("/t/wenzhou/bureau/users")
        .await
        .assert_contains("已创建用户 wz-county-yongjia")
        .assert_contains("叶小青");

    let mut newcomer = app.new_browser();
    newcomer
        .sign_in("wenzhou", "wz-county-yongjia", "a-long-enough-password-7")
        .await
        .assert_redirect_to("/t/wenzhou/county");
    newcomer
        .get("/t/wenzhou/county")
        .await
        .assert_contains("永嘉县");
}

#[tokio::test]
async fn invalid_user_input_is_reported_per_field_and_what_was_typed_is_kept() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let response = app
        .post_form(
            "/t/wenzhou/bureau/users",
            &[
                ("login", "X"),
                ("display_name", "吴敏"),
                ("role", "county"),
                ("jurisdiction_id", ""),
                ("password", "short"),
            ],
        )
        .await;
    response
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"login-error\"")
        .assert_contains("id=\"jurisdiction_id-error\"")
        .assert_contains("id=\"password-error\">密码至少12位")
        .assert_contains("value=\"吴敏\"")
        .assert_contains("<option value=\"county\" selected>");
}

#[tokio::test]
async fn a_taken_login_is_a_field_error_not_a_server_error() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/users").await;
    app.post_form(
        "/t/wenzhou/bureau/users",
        &[
            ("login", "wz-expert1"),
            ("display_name", "重名"),
            ("role", "expert"),
            ("password", "a-long-enough-password-7"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("该账号已存在");
}

#[tokio::test]
async fn a_county_user_cannot_be_bound_to_another_tenants_jurisdiction() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/users").await;
    let guzhen: i64 = sqlx::query_scalar("SELECT id FROM jurisdictions WHERE name = '古镇镇'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.post_form(
        "/t/wenzhou/bureau/users",
        &[
            ("login", "wz-sneaky"),
            ("display_name", "越权"),
            ("role", "county"),
            ("jurisdiction_id", &guzhen.to_string()),
            ("password", "a-long-enough-password-7"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("id=\"jurisdiction_id-error\"");
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_at_once() {
    let mut app = TestApp::spawn().await;
    let mut expert = app.new_browser();
    expert.sign_in_as("wz-expert3").await;
    expert
        .get("/t/wenzhou/expert")
        .await
        .assert_status(StatusCode::OK);

    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/users").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'wz-expert3'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.post_form(&format!("/t/wenzhou/bureau/users/{id}/deactivate"), &[])
        .await
        .assert_redirect_to("/t/wenzhou/bureau/users");

    expert
        .get("/t/wenzhou/expert")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fexpert");
    expert
        .sign_in("wenzhou", "wz-expert3", DEMO_PASSWORD)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_bureau_cannot_deactivate_another_tenants_user() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/users").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'zs-expert1'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.post_form(&format!("/t/wenzhou/bureau/users/{id}/deactivate"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let active: bool = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(active);
}

#[tokio::test]
async fn the_bureau_adds_and_deactivates_a_jurisdiction_and_both_are_audited() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-bureau").await;
    app.get("/t/zhongshan/bureau/jurisdictions")
        .await
        .assert_contains("古镇镇")
        .assert_contains("南朗街道");
    app.post_form(
        "/t/zhongshan/bureau/jurisdictions",
        &[("name", "翠亨新区"), ("kind", "function_zone")],
    )
    .await
    .assert_redirect_to("/t/zhongshan/bureau/jurisdictions");
    let id: i64 = sqlx::query_scalar("SELECT id FROM jurisdictions WHERE name = '翠亨新区'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    app.get("/t/zhongshan/bureau/jurisdictions").await;
    app.post_form(
        &format!("/t/zhongshan/bureau/jurisdictions/{id}/active"),
        &[("active", "false")],
    )
    .await
    .assert_redirect_to("/t/zhongshan/bureau/jurisdictions");
    app.get("/t/zhongshan/bureau/jurisdictions")
        .await
        .assert_contains("已停用辖区 翠亨新区");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE object_kind = 'jurisdiction' AND object_id = $1 ORDER BY id")
            .bind(id.to_string())
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(actions, ["create", "deactivate"]);
    app.post_form(
        "/t/zhongshan/bureau/jurisdictions",
        &[("name", "古镇镇"), ("kind", "town")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("已有同名辖区");
}

#[tokio::test]
async fn pages_in_a_role_area_name_the_tenant_and_mark_the_current_menu_item() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-bureau").await;
    app.get("/t/zhongshan/bureau/users")
        .await
        .assert_contains("<title>用户管理 · 中山市商务局</title>")
        .assert_contains("href=\"/t/zhongshan/bureau/users\" aria-current=\"page\"");
}

#[tokio::test]
async fn the_bureau_home_counts_only_its_own_users_and_jurisdictions() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau")
        .await
        .assert_contains(
            "<span class=\"stat-value\">11</span><span class=\"stat-label\">系统用户</span>",
        )
        .assert_contains(
            "<span class=\"stat-value\">16</span><span class=\"stat-label\">辖区</span>",
        );
}

//! A platform admin adds a city as a new tenant, which works at once.
use crate::helpers::TestApp;
use axum::http::StatusCode;

const HUZHOU_JURISDICTIONS: &str = "吴兴区\n南浔区\n德清县\n长兴县\n安吉县\n南太湖新区,市级功能区";

#[tokio::test]
async fn an_admin_creates_a_tenant_whose_bureau_can_sign_in_at_once() {
    let mut app = TestApp::spawn().await;
    app.sign_in_admin().await.assert_redirect_to("/admin");
    app.get("/admin/tenants/new")
        .await
        .assert_status(StatusCode::OK);
    let response = app
        .post_form(
            "/admin/tenants/new",
            &[
                ("slug", "huzhou"),
                ("name", "湖州市商务局"),
                ("city", "湖州市"),
                ("region_prefix", "3305"),
                ("jurisdictions", HUZHOU_JURISDICTIONS),
                ("login", "hz-bureau"),
                ("display_name", "沈海燕"),
                ("password", "huzhou-first-password-1"),
            ],
        )
        .await;
    response.assert_redirect_to("/admin");
    app.get("/admin")
        .await
        .assert_contains("已创建租户 湖州市商务局")
        .assert_contains("/t/huzhou");

    let mut bureau = app.new_browser();
    bureau
        .get("/t/huzhou")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("湖州市商务局");
    bureau
        .sign_in("huzhou", "hz-bureau", "huzhou-first-password-1")
        .await
        .assert_redirect_to("/t/huzhou/bureau");
    let jurisdictions = bureau.get("/t/huzhou/bureau/jurisdictions").await;
    jurisdictions
        .assert_status(StatusCode::OK)
        .assert_contains("南浔区")
        .assert_contains("南太湖新区")
        .assert_contains("市级功能区");
    // The new tenant is isolated like the others.
    bureau
        .get("/t/wenzhou/bureau")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_tenant_form_keeps_its_input_and_names_each_problem() {
    let mut app = TestApp::spawn().await;
    app.sign_in_admin().await;
    app.get("/admin/tenants/new").await;
    let response = app
        .post_form(
            "/admin/tenants/new",
            &[
                ("slug", "wenzhou"),
                ("name", "温州市商务局二"),
                ("city", "温州市"),
                ("region_prefix", "33x"),
                ("jurisdictions", "鹿城区\n鹿城区"),
                ("login", "wz-bureau-2"),
                ("display_name", "测试"),
                ("password", "long-enough-password-7"),
            ],
        )
        .await;
    response
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"region_prefix-error\"")
        .assert_contains("重复")
        .assert_contains("value=\"温州市商务局二\"");
    // Fix the two problems; the taken slug is then reported.
    let response = app
        .post_form(
            "/admin/tenants/new",
            &[
                ("slug", "wenzhou"),
                ("name", "温州市商务局二"),
                ("city", "温州市"),
                ("region_prefix", "3303"),
                ("jurisdictions", "鹿城区"),
                ("login", "wz-bureau-2"),
                ("display_name", "测试"),
                ("password", "long-enough-password-7"),
            ],
        )
        .await;
    response
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("该网址标识已被使用");
}

#[tokio::test]
async fn only_platform_admins_reach_the_admin_area() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/admin/tenants/new")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut anonymous = app.new_browser();
    let response = anonymous.get("/admin").await;
    response.assert_redirect_to("/admin/login?next=%2Fadmin");
}

/// The system administrator (signed in as `admin`) opens Huzhou with no counties yet.
pub async fn open_huzhou(admin: &mut TestApp) {
    admin.get("/admin/tenants/new").await;
    admin
        .post_form(
            "/admin/tenants/new",
            &[
                ("slug", "huzhou"),
                ("name", "湖州市商务局"),
                ("city", "湖州市"),
                ("region_prefix", "3305"),
                ("jurisdictions", ""),
                ("login", "hz-bureau"),
                ("display_name", "沈海燕"),
                ("password", "huzhou-first-password-1"),
            ],
        )
        .await
        .assert_redirect_to("/admin");
}

#[tokio::test]
async fn a_new_bureau_imports_its_counties_from_a_table_and_its_checklist_follows() {
    let mut app = TestApp::spawn().await;
    app.sign_in_admin().await;
    open_huzhou(&mut app).await;
    let mut bureau = app.new_browser();
    bureau
        .sign_in("huzhou", "hz-bureau", "huzhou-first-password-1")
        .await;
    bureau
        .get("/t/huzhou/bureau")
        .await
        .assert_contains("开通向导")
        .assert_contains("尚未添加县（市、区）")
        .assert_contains("尚未采用或起草认定规则")
        .assert_contains(r#"href="/t/huzhou/bureau/jurisdictions">导入辖区名单</a>"#);
    bureau.get("/t/huzhou/bureau/jurisdictions").await;
    // One row of another city and a short code: nothing is imported, every row is named.
    let bad = "名称,行政区划代码\n吴兴区,330502\n鹿城区,330302\n南浔区,33050\n";
    bureau
        .post_multipart(
            "/t/huzhou/bureau/jurisdictions/import",
            &[],
            &[("file", "counties.csv", bad.as_bytes())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("第3行，行政区划代码：不属于本市（应以 3305 开头）")
        .assert_contains("第4行，行政区划代码：应为6位");
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM jurisdictions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let wenzhou_and_zhongshan: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jurisdictions j JOIN tenants t ON t.id = j.tenant_id WHERE t.slug <> 'huzhou'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(none, wenzhou_and_zhongshan, "nothing imported");
    let good =
        "名称,行政区划代码,类型\n吴兴区,330502,\n德清县,330521,县\n南太湖新区,330598,市级功能区\n";
    bureau
        .post_multipart(
            "/t/huzhou/bureau/jurisdictions/import",
            &[],
            &[("file", "counties.csv", good.as_bytes())],
        )
        .await
        .assert_redirect_to("/t/huzhou/bureau/jurisdictions");
    bureau
        .get("/t/huzhou/bureau/jurisdictions")
        .await
        .assert_contains("已导入 3 个辖区")
        .assert_contains("<td>330521</td>")
        .assert_contains("市级功能区");
    bureau
        .get("/t/huzhou/bureau")
        .await
        .assert_contains("已有 3 个辖区");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'jurisdiction' AND action = 'import'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

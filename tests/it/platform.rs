//! The platform's three administrators (三员分立): each does only its own work, none sees
//! business data, and the audit administrator reads what the other two did.
use crate::helpers::TestApp;
use axum::http::StatusCode;

const ADMINS: [(&str, &str); 3] = [
    ("sysadmin", "admin"),
    ("secadmin", "security"),
    ("auditadmin", "auditing"),
];

#[tokio::test]
async fn each_administrator_reaches_only_its_own_routes_and_no_business_page() {
    let app = TestApp::spawn().await;
    let table = parkcert::web::routes::listed();
    let mut tried = 0;
    for (login, own) in ADMINS {
        let mut admin = app.new_browser();
        admin.sign_in_platform(login).await;
        for route in table
            .iter()
            .filter(|r| ["admin", "security", "auditing"].contains(&r.area))
        {
            let response = if route.methods.contains("GET") {
                admin.get(&route.path).await
            } else {
                admin.post_form(&route.path, &[]).await
            };
            let refused = response.status == StatusCode::FORBIDDEN;
            assert_eq!(
                refused,
                route.area != own,
                "{login} at {} {}: {}",
                route.methods,
                route.path,
                response.status
            );
            tried += 1;
        }
        // No administrator sees a bureau's, a county's or an operator's pages.
        for page in [
            "/t/wenzhou/bureau",
            "/t/wenzhou/bureau/calls",
            "/t/wenzhou/county",
            "/t/wenzhou/operator",
        ] {
            let status = admin.get(page).await.status;
            assert!(
                [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&status),
                "{login} at {page}: {status}"
            );
        }
    }
    assert!(tried >= 3 * 7, "{tried}");
    // And to a tenant's bureau the platform's pages do not exist.
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    for path in ["/admin", "/admin/security", "/admin/audit"] {
        bureau.get(path).await.assert_status(StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_audit_administrator_reads_what_the_other_two_did_and_they_cannot() {
    let app = TestApp::spawn().await;
    // The system administrator opens a tenant.
    let mut sys = app.new_browser();
    sys.sign_in_platform("sysadmin").await;
    crate::admin::open_huzhou(&mut sys).await;
    // Someone guesses a county's password until it is locked; the security administrator
    // unlocks it.
    let mut guesser = app.new_browser();
    for _ in 0..5 {
        guesser
            .sign_in("wenzhou", "wz-county-ruian", "not-the-password")
            .await;
    }
    let mut sec = app.new_browser();
    sec.sign_in_platform("secadmin").await;
    sec.get("/admin/security")
        .await
        .assert_contains("wz-county-ruian")
        .assert_contains("低于三级要求");
    let wenzhou = crate::helpers::tenant_id(&app, "wenzhou").await.to_string();
    sec.post_form(
        "/admin/security/unlock",
        &[("tenant_id", &wenzhou), ("login", "wz-county-ruian")],
    )
    .await
    .assert_redirect_to("/admin/security");
    let mut county = app.new_browser();
    county
        .sign_in_as("wz-county-ruian")
        .await
        .assert_redirect_to("/t/wenzhou/county");

    let mut audit = app.new_browser();
    audit.sign_in_platform("auditadmin").await;
    audit
        .get("/admin/audit?chain=platform")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("平台系统管理员")
        .assert_contains("平台安全管理员")
        .assert_contains("解除锁定")
        .assert_contains("哈希链和 HMAC-SM3 校验完整");
    audit
        .get("/admin/audit?chain=wenzhou")
        .await
        .assert_status(StatusCode::OK);
    let export = audit.get("/admin/audit/export?chain=platform").await;
    export.assert_status(StatusCode::OK);
    let document: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(document["signature"]["algorithm"], "HMAC-SM3");
    assert!(document["entries"].as_array().unwrap().len() >= 3);
    // The other two cannot read the platform's chain.
    for admin in [&mut sys, &mut sec] {
        admin
            .get("/admin/audit?chain=platform")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_security_policy_is_checked_field_by_field_and_holds_at_once() {
    let app = TestApp::spawn().await;
    let mut sec = app.new_browser();
    sec.sign_in_platform("secadmin").await;
    sec.get("/admin/security").await;
    let mut form = vec![
        ("min_length", "8"),
        ("min_classes", "4"),
        ("lockout_threshold", "3"),
        ("lockout_minutes", "30"),
        ("max_age_days", "90"),
        ("history", "5"),
        ("login_notice", "本系统仅供授权人员使用，操作全程记录。"),
    ];
    sec.post_form("/admin/security/policy", &form)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写12–64之间的整数")
        .assert_contains(r#"value="30""#);
    form[0] = ("min_length", "14");
    sec.post_form("/admin/security/policy", &form)
        .await
        .assert_redirect_to("/admin/security");

    // The notice is on every sign-in page.
    let mut visitor = app.new_browser();
    visitor
        .get("/t/wenzhou/login")
        .await
        .assert_contains("本系统仅供授权人员使用");
    // Three failures now lock an account.
    for _ in 0..3 {
        visitor
            .sign_in("wenzhou", "wz-county-lucheng", "not-the-password")
            .await;
    }
    visitor
        .sign_in(
            "wenzhou",
            "wz-county-lucheng",
            crate::helpers::DEMO_PASSWORD,
        )
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("请30分钟后再试");
    // A new password must have 14 characters of four classes.
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    bureau.get("/account").await;
    bureau
        .post_form(
            "/account/password",
            &[
                ("current", crate::helpers::DEMO_PASSWORD),
                ("password", "only-three-classes-1"),
                ("password_confirm", "only-three-classes-1"),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("至少4类");
    let recorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE tenant_id IS NULL AND object_kind = 'security_policy'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn an_expired_password_is_changed_first_and_the_last_ones_are_not_reused() {
    let app = TestApp::spawn().await;
    let mut sec = app.new_browser();
    sec.sign_in_platform("secadmin").await;
    sec.get("/admin/security").await;
    let policy = [
        ("min_length", "12"),
        ("min_classes", "3"),
        ("lockout_threshold", "5"),
        ("lockout_minutes", "10"),
        ("max_age_days", "30"),
        ("history", "3"),
        ("login_notice", ""),
    ];
    sec.post_form("/admin/security/policy", &policy)
        .await
        .assert_redirect_to("/admin/security");
    // Thirty-one days on, the bureau's password is past its age: every page leads to the
    // password form until it is changed.
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    app.state.clock.set(later);
    let mut bureau = app.new_browser();
    bureau
        .sign_in_as("wz-bureau")
        .await
        .assert_redirect_to("/t/wenzhou/bureau");
    bureau
        .get("/t/wenzhou/bureau/calls")
        .await
        .assert_redirect_to("/account#password");
    bureau
        .get("/account")
        .await
        .assert_contains("密码已超过安全策略规定的使用期限");
    let change = |new: &'static str, current: &'static str| {
        [
            ("current", current),
            ("password", new),
            ("password_confirm", new),
        ]
    };
    bureau
        .post_form(
            "/account/password",
            &change("Second-password-2026", crate::helpers::DEMO_PASSWORD),
        )
        .await
        .assert_redirect_to("/account");
    bureau
        .get("/t/wenzhou/bureau/calls")
        .await
        .assert_status(StatusCode::OK);
    // The password before (the demo's) may not come back within the last three.
    bureau.get("/account").await;
    bureau
        .post_form(
            "/account/password",
            &change(crate::helpers::DEMO_PASSWORD, "Second-password-2026"),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不能与最近 3 次使用过的密码相同");
}

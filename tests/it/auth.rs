//! Sign-in, sessions, throttling, CSRF and role/tenant guards.
use crate::helpers::{DEMO_PASSWORD, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use parkcert::demo::USERS;

#[tokio::test]
async fn every_demo_account_signs_in_and_lands_on_its_roles_home() {
    let app = TestApp::spawn().await;
    for user in USERS {
        let mut browser = app.new_browser();
        let response = browser
            .sign_in(user.tenant, user.login, DEMO_PASSWORD)
            .await;
        let home = format!("/t/{}/{}", user.tenant, user.role.as_str());
        response.assert_redirect_to(&home);
        let page = browser.get(&home).await;
        page.assert_status(StatusCode::OK)
            .assert_contains(user.name)
            .assert_contains("工作台");
    }
    let mut admin = app.new_browser();
    let response = admin.sign_in_admin().await;
    assert_eq!(response.location(), "/admin");
    admin
        .get("/admin")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("温州市商务局");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message_and_keeps_the_login() {
    let mut app = TestApp::spawn().await;
    let response = app
        .sign_in("wenzhou", "wz-bureau", "not-the-password")
        .await;
    response
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains("账号、密码或验证码不正确")
        .assert_contains("value=\"wz-bureau\"");
    assert!(
        !response.body.contains("not-the-password"),
        "the password must not be echoed"
    );
    app.get("/t/wenzhou/bureau")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fbureau");
}

#[tokio::test]
async fn an_unknown_account_gets_the_same_message_as_a_wrong_password() {
    let mut app = TestApp::spawn().await;
    app.sign_in("wenzhou", "nobody-here", "whatever-password")
        .await
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains("账号、密码或验证码不正确");
}

#[tokio::test]
async fn an_account_of_one_tenant_cannot_sign_in_on_another_tenants_page() {
    let mut app = TestApp::spawn().await;
    app.sign_in("zhongshan", "wz-bureau", DEMO_PASSWORD)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn empty_fields_are_reported_next_to_each_field() {
    let mut app = TestApp::spawn().await;
    let response = app.sign_in("wenzhou", "", "").await;
    response
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"login-error\">请输入账号")
        .assert_contains("id=\"password-error\">请输入密码");
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let mut app = TestApp::spawn().await;
    for _ in 0..5 {
        app.sign_in("wenzhou", "wz-bureau", "wrong-password")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    app.sign_in("wenzhou", "wz-bureau", DEMO_PASSWORD)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS)
        .assert_contains("登录失败次数过多");
    // Another account from another address is unaffected.
    let mut other = app.new_browser();
    other.ip = "203.0.113.9:1000".parse().unwrap();
    other.sign_in_as("wz-expert1").await;
}

#[tokio::test]
async fn many_failures_from_one_address_throttle_that_address() {
    let mut app = TestApp::spawn().await;
    for i in 0..20 {
        let login = format!("guess-{i}");
        app.sign_in("wenzhou", &login, "wrong-password")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    app.sign_in("wenzhou", "wz-expert2", DEMO_PASSWORD)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    let mut elsewhere = app.new_browser();
    elsewhere.ip = "203.0.113.10:1000".parse().unwrap();
    elsewhere.sign_in_as("wz-expert2").await;
}

#[tokio::test]
async fn signing_in_rotates_the_session_id_and_the_old_id_is_not_signed_in() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/login").await;
    let before = app
        .session_cookie()
        .expect("the sign-in form starts a session for its CSRF token");
    app.sign_in_as("wz-bureau").await;
    let after = app.session_cookie().expect("session cookie after sign-in");
    assert_ne!(before, after, "the session id must change at sign-in");

    let mut attacker = app.new_browser();
    attacker.cookies.insert("parkcert".into(), before);
    attacker
        .get("/t/wenzhou/bureau")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fbureau");
    app.get("/t/wenzhou/bureau")
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let mut app = TestApp::spawn().await;
    let response = app.get("/t/wenzhou/login").await;
    let cookie = response
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-county-lucheng").await;
    app.get("/t/wenzhou/county")
        .await
        .assert_status(StatusCode::OK);
    let cookie = app.session_cookie().unwrap();
    app.sign_out().await.assert_redirect_to("/");
    let mut replay = app.new_browser();
    replay.cookies.insert("parkcert".into(), cookie);
    replay
        .get("/t/wenzhou/county")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fcounty");
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let response = app
        .post_raw(
            "/t/wenzhou/bureau/jurisdictions",
            &[("name", "新增区"), ("kind", "district")],
            &[],
        )
        .await;
    response
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("表单已过期");
    let wrong = app
        .post_raw(
            "/t/wenzhou/bureau/jurisdictions",
            &[
                ("_csrf", "forged"),
                ("name", "新增区"),
                ("kind", "district"),
            ],
            &[],
        )
        .await;
    wrong.assert_status(StatusCode::FORBIDDEN);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM jurisdictions WHERE name = '新增区'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing may change without the token");
}

#[tokio::test]
async fn an_upload_form_sends_its_token_in_the_body_never_in_the_address() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let page = app.get("/t/wenzhou/bureau/experts").await;
    page.assert_contains("action=\"/t/wenzhou/bureau/experts/import\"")
        .assert_not_contains("_csrf=");
    let token = app.csrf.clone().unwrap();
    // The token in the address only is not taken: it would stay in the address bar and logs.
    let boundary = "----parkcert-query-token";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--{boundary}--\r\n"
    );
    let query_only = Request::builder()
        .method(Method::POST)
        .uri(format!("/t/wenzhou/bureau/experts/import?_csrf={token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.request(query_only)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.post_multipart(
        "/t/wenzhou/bureau/experts/import",
        &[("_csrf", "forged")],
        &[],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // With its token as the first part, a refused upload is shown again from the POST itself.
    app.post_multipart(
        "/t/wenzhou/bureau/experts/import",
        &[],
        &[("file", "", b"")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("请选择要上传的文件");
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_refused_even_with_the_token() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/jurisdictions").await;
    let token = app.csrf.clone().unwrap();
    let fields = [
        ("_csrf", token.as_str()),
        ("name", "新增区"),
        ("kind", "district"),
    ];
    app.post_raw(
        "/t/wenzhou/bureau/jurisdictions",
        &fields,
        &[("origin", "https://evil.example")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    app.post_raw(
        "/t/wenzhou/bureau/jurisdictions",
        &fields,
        &[("sec-fetch-site", "cross-site")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    // The same request from our own origin goes through.
    app.post_raw(
        "/t/wenzhou/bureau/jurisdictions",
        &fields,
        &[("origin", "http://localhost")],
    )
    .await
    .assert_redirect_to("/t/wenzhou/bureau/jurisdictions");
}

#[tokio::test]
async fn sign_in_itself_needs_the_csrf_token() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/login").await;
    app.post_raw(
        "/t/wenzhou/login",
        &[("login", "wz-bureau"), ("password", DEMO_PASSWORD)],
        &[],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_signed_in_user_gets_403_in_another_roles_area() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-operator1").await;
    app.get("/t/wenzhou/bureau")
        .await
        .assert_status(StatusCode::FORBIDDEN)
        .assert_contains("无权访问");
    app.get("/t/wenzhou/bureau/users")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get("/t/wenzhou/expert")
        .await
        .assert_status(StatusCode::FORBIDDEN);
    app.get("/admin").await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_user_of_one_tenant_gets_404_on_every_area_of_the_other() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    for path in [
        "/t/zhongshan/bureau",
        "/t/zhongshan/bureau/users",
        "/t/zhongshan/bureau/jurisdictions",
        "/t/zhongshan/operator",
        "/t/zhongshan/county",
        "/t/zhongshan/expert",
    ] {
        let response = app.get(path).await;
        response.assert_status(StatusCode::NOT_FOUND);
        assert!(
            !response.body.contains("中山市商务局工作台"),
            "{path} leaked a page"
        );
    }
    let token = app.csrf.clone().unwrap();
    app.post_raw(
        "/t/zhongshan/bureau/jurisdictions",
        &[("_csrf", &token), ("name", "渗透镇"), ("kind", "town")],
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_the_tenants_sign_in_page_and_back() {
    let mut app = TestApp::spawn().await;
    let response = app.get("/t/zhongshan/bureau/users").await;
    response.assert_redirect_to("/t/zhongshan/login?next=%2Ft%2Fzhongshan%2Fbureau%2Fusers");
    app.get(response.location())
        .await
        .assert_contains("name=\"next\" value=\"/t/zhongshan/bureau/users\"");
    app.get("/t/zhongshan/login").await;
    let signed_in = app
        .post_form(
            "/t/zhongshan/login",
            &[
                ("login", "zs-bureau"),
                ("password", DEMO_PASSWORD),
                ("next", "/t/zhongshan/bureau/users"),
            ],
        )
        .await;
    assert_eq!(signed_in.location(), "/t/zhongshan/bureau/users");
}

#[tokio::test]
async fn the_next_parameter_cannot_redirect_off_site() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/login").await;
    let response = app
        .post_form(
            "/t/wenzhou/login",
            &[
                ("login", "wz-bureau"),
                ("password", DEMO_PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.location(), "/t/wenzhou/bureau");
}

#[tokio::test]
async fn sign_ins_are_written_to_the_audit_trail() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-expert1").await;
    let (action, ip): (String, String) = sqlx::query_as(
        "SELECT action, ip FROM audit_log WHERE object_kind = 'user' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(action, "sign_in");
    assert_eq!(ip, "198.51.100.7");
}

#[tokio::test]
async fn changing_the_password_ends_the_users_other_sessions_and_weak_ones_are_refused() {
    let app = TestApp::spawn().await;
    let mut laptop = app.new_browser();
    laptop.sign_in_as("wz-bureau").await;
    let mut phone = app.new_browser();
    phone.sign_in_as("wz-bureau").await;
    let mut colleague = app.new_browser();
    colleague.sign_in_as("wz-county-lucheng").await;

    let page = laptop.get("/account").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("当前会话");
    assert_eq!(
        page.body.matches("退出该会话").count(),
        1,
        "the phone's session is listed"
    );

    let change = |current: &'static str, new: &'static str| {
        [
            ("current", current),
            ("password", new),
            ("password_confirm", new),
        ]
    };
    laptop
        .post_form(
            "/account/password",
            &change("wrong-password-1", "Wz-new-pass-2026!"),
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("当前密码不正确");
    laptop
        .post_form("/account/password", &change(DEMO_PASSWORD, "1qaz2wsx3edc"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("常见密码");
    laptop
        .post_form(
            "/account/password",
            &change(DEMO_PASSWORD, "Wz-new-pass-2026!"),
        )
        .await
        .assert_redirect_to("/account");

    // The phone is signed out; the laptop and the colleague are not.
    phone
        .get("/t/wenzhou/bureau")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fbureau");
    laptop
        .get("/t/wenzhou/bureau")
        .await
        .assert_status(StatusCode::OK);
    colleague
        .get("/t/wenzhou/county")
        .await
        .assert_status(StatusCode::OK);
    let mut again = app.new_browser();
    assert_eq!(
        again
            .sign_in("wenzhou", "wz-bureau", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    again
        .sign_in("wenzhou", "wz-bureau", "Wz-new-pass-2026!")
        .await
        .assert_redirect_to("/t/wenzhou/bureau");

    // The laptop ends the new session from its list; another user's session cannot be ended.
    let page = laptop.get("/account").await;
    let other = crate::intake::hidden(&page.body, "session");
    laptop
        .post_form("/account/sessions/end", &[("session", &other)])
        .await
        .assert_redirect_to("/account");
    again
        .get("/t/wenzhou/bureau")
        .await
        .assert_redirect_to("/t/wenzhou/login?next=%2Ft%2Fwenzhou%2Fbureau");
    let colleague_session: String =
        sqlx::query_scalar("SELECT id_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.login = 'wz-county-lucheng'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    laptop
        .post_form("/account/sessions/end", &[("session", &colleague_session)])
        .await
        .assert_status(StatusCode::NOT_FOUND);
    colleague
        .get("/t/wenzhou/county")
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_bureau_account_with_two_factor_sign_in_needs_the_code_from_its_app() {
    let app = TestApp::spawn().await;
    app.state
        .clock
        .set(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap());
    let now = || 1_800_000_000;
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    bureau.get("/account").await.assert_contains("开启两步验证");
    bureau
        .post_form("/account/totp/start", &[])
        .await
        .assert_redirect_to("/account#totp");
    let page = bureau.get("/account").await;
    let marker = "<code class=\"secret\">";
    let start = page.body.find(marker).unwrap() + marker.len();
    let secret = page.body[start..start + page.body[start..].find('<').unwrap()].to_string();
    bureau
        .post_form("/account/totp/enable", &[("code", "000000")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("验证码不正确");
    let code = parkcert::auth::totp::code_at(&secret, now());
    bureau
        .post_form("/account/totp/enable", &[("code", &code)])
        .await
        .assert_redirect_to("/account");
    // At rest the secret is SM4-GCM ciphertext, never the secret itself.
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT totp_secret FROM users WHERE login = 'wz-bureau'")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    let sealed = stored().await;
    assert!(sealed.starts_with("sm4gcm:v"), "{sealed}");
    assert!(!sealed.contains(&secret));

    let mut next = app.new_browser();
    next.get("/t/wenzhou/login").await;
    fn sign_in(code: &str) -> [(&str, &str); 3] {
        [
            ("login", "wz-bureau"),
            ("password", DEMO_PASSWORD),
            ("code", code),
        ]
    }
    next.post_form("/t/wenzhou/login", &sign_in(""))
        .await
        .assert_status(StatusCode::UNAUTHORIZED)
        .assert_contains("账号、密码或验证码不正确");
    let code: &'static str =
        Box::leak(parkcert::auth::totp::code_at(&secret, now()).into_boxed_str());
    next.post_form("/t/wenzhou/login", &sign_in(code))
        .await
        .assert_redirect_to("/t/wenzhou/bureau");

    // After a key rotation every secret is re-encrypted under the new key and still works.
    let version = parkcert::io::crypto::installed().unwrap().rotate().unwrap();
    parkcert::db::users::reseal_totp_secrets(&app.db, true)
        .await
        .unwrap();
    let resealed = stored().await;
    assert!(
        resealed.starts_with(&format!("sm4gcm:v{version}:")),
        "{resealed}"
    );
    let mut after = app.new_browser();
    after.get("/t/wenzhou/login").await;
    after
        .post_form("/t/wenzhou/login", &sign_in(code))
        .await
        .assert_redirect_to("/t/wenzhou/bureau");

    // Counties' accounts do not have it.
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county.get("/account").await.assert_not_contains("两步验证");
    county
        .post_form("/account/totp/start", &[])
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

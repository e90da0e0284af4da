//! Who is told, and how: each use-case's event reaches exactly the users it concerns (never
//! another tenant's, county's or operator's), the inbox and the header count follow, e-mail
//! goes through a real SMTP server, and the outbox sends each delivery once.
use crate::helpers::{TestApp, fixture};
use crate::intake::{apply, complete_draft, county_opinion, id_of, open_call, state_of, submit};
use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use parkcert::domain::notification::{Audience, EventKind, Facts};
use std::sync::{Arc, Mutex};

/// The newest message id: what a step told is what comes after it.
pub(crate) async fn mark(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM messages")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The logins told of `kind` since `since`, sorted (a login twice would be a double message).
pub(crate) async fn told(app: &TestApp, kind: EventKind, since: i64) -> Vec<String> {
    told_where(app, kind, since, "true").await
}

/// The logins ever told of `kind` about one application.
pub(crate) async fn told_of(app: &TestApp, kind: EventKind, application: i64) -> Vec<String> {
    let about = format!("e.object_kind = 'application' AND e.object_id = {application}");
    told_where(app, kind, 0, &about).await
}

/// The logins told of `kind` about one title (award) since `since`.
pub(crate) async fn told_of_award(
    app: &TestApp,
    kind: EventKind,
    award: i64,
    since: i64,
) -> Vec<String> {
    let about = format!("e.object_kind = 'award' AND e.object_id = {award}");
    told_where(app, kind, since, &about).await
}

pub(crate) async fn told_where(
    app: &TestApp,
    kind: EventKind,
    since: i64,
    about: &str,
) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT u.login FROM messages m JOIN events e ON e.id = m.event_id
           JOIN users u ON u.id = m.user_id
          WHERE e.kind = $1 AND m.id > $2 AND ({about}) ORDER BY u.login"
    ))
    .bind(kind.as_str())
    .bind(since)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The active logins of a tenant matching `filter` (SQL over `users u`), sorted.
pub(crate) async fn logins(app: &TestApp, tenant: &str, filter: &str) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT u.login FROM users u JOIN tenants t ON t.id = u.tenant_id
          WHERE t.slug = $1 AND u.active AND ({filter}) ORDER BY u.login"
    ))
    .bind(tenant)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn unread_of(app: &TestApp, login: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM messages m JOIN users u ON u.id = m.user_id
          WHERE u.login = $1 AND m.read_at IS NULL",
    )
    .bind(login)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

pub(crate) async fn organization_of(app: &TestApp, login: &str) -> String {
    let org: i64 = sqlx::query_scalar("SELECT organization_id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(&app.db)
        .await
        .unwrap();
    format!("u.organization_id = {org}")
}

#[tokio::test]
async fn an_applications_path_tells_its_county_its_operator_and_the_bureau_and_no_one_else() {
    let mut app = TestApp::spawn().await;
    let start = mark(&app).await;
    let call = open_call(&mut app).await;
    let local = logins(&app, "wenzhou", "u.role IN ('county', 'operator')").await;
    assert!(local.contains(&"wz-county-ruian".to_string()));
    assert_eq!(told(&app, EventKind::CallPublished, start).await, local);
    assert!(
        told(&app, EventKind::CallPublished, start)
            .await
            .iter()
            .all(|l| l.starts_with("wz-")),
        "no Zhongshan user hears of a Wenzhou call"
    );

    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    let lucheng = logins(
        &app,
        "wenzhou",
        "u.role = 'county' AND u.login = 'wz-county-lucheng'",
    )
    .await;
    let own_operator = logins(
        &app,
        "wenzhou",
        &organization_of(&app, "wz-operator1").await,
    )
    .await;
    assert!(!own_operator.contains(&"wz-operator2".to_string()));

    let before = mark(&app).await;
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    assert_eq!(
        told(&app, EventKind::ApplicationSubmitted, before).await,
        lucheng
    );
    assert_eq!(
        mark(&app).await - before,
        lucheng.len() as i64,
        "nobody else is told"
    );

    // The county sees it in its inbox and in the header; opening it marks it read and leads
    // to the application.
    let id = id_of(&base).to_string();
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    let inbox = county.get("/t/wenzhou/inbox").await;
    inbox
        .assert_status(StatusCode::OK)
        .assert_contains("待预审：温州鹿城跨境电商产业园")
        .assert_contains("未读")
        .assert_contains("条未读");
    let unread = unread_of(&app, "wz-county-lucheng").await;
    assert!(unread > 0);
    let message: i64 = sqlx::query_scalar(
        "SELECT m.id FROM messages m JOIN users u ON u.id = m.user_id
          WHERE u.login = 'wz-county-lucheng' ORDER BY m.id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    county
        .get(&format!("/t/wenzhou/inbox/{message}"))
        .await
        .assert_redirect_to(&format!("/t/wenzhou/county/applications/{id}"));
    assert_eq!(unread_of(&app, "wz-county-lucheng").await, unread - 1);
    let after = county.get("/t/wenzhou/inbox").await;
    if unread > 1 {
        after.assert_contains(&format!("您有 {} 条未读消息", unread - 1));
    } else {
        after.assert_not_contains("条未读");
    }
    // Another user's message, and another tenant's inbox, do not exist for this user.
    let mut ruian = app.new_browser();
    ruian.sign_in_as("wz-county-ruian").await;
    ruian
        .get(&format!("/t/wenzhou/inbox/{message}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    ruian
        .get("/t/zhongshan/inbox")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Returned → the operator, with the reasons.
    let before = mark(&app).await;
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
    assert_eq!(
        told(&app, EventKind::ApplicationReturned, before).await,
        own_operator
    );
    operator
        .get("/t/wenzhou/inbox")
        .await
        .assert_contains("退回意见：请补充2025年海关统计证明。");

    // Resubmitted → the county again; forwarded → the bureau; accepted → the operator.
    let before = mark(&app).await;
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    assert_eq!(
        told(&app, EventKind::ApplicationResubmitted, before).await,
        lucheng
    );
    let before = mark(&app).await;
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
    let bureau_logins = logins(&app, "wenzhou", "u.role = 'bureau'").await;
    assert_eq!(
        told(&app, EventKind::ApplicationForwarded, before).await,
        bureau_logins
    );
    let before = mark(&app).await;
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau.get(&page).await;
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "accept"), ("comments", "")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{call}/applications"));
    assert_eq!(state_of(&app, &base).await, "in_review");
    assert_eq!(
        told(&app, EventKind::ApplicationAccepted, before).await,
        own_operator
    );

    // A decision refused (the same acceptance again) tells nobody.
    let before = mark(&app).await;
    bureau
        .post_form(
            &format!("{page}/decision"),
            &[("opinion", "accept"), ("comments", "")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
    assert_eq!(mark(&app).await, before);
}

#[tokio::test]
async fn a_drawn_panel_invites_each_expert_and_one_without_an_account_by_text_message() {
    let mut s = crate::review::setup().await;
    let before = mark(&s.app).await;
    crate::review::draw_panel(&mut s, "3", "", "通知测试")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let (panel, reply_by, due): (i64, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) =
        sqlx::query_as("SELECT id, reply_by, sheets_due FROM panels ORDER BY id DESC LIMIT 1")
            .fetch_one(&s.app.db)
            .await
            .unwrap();
    assert!(reply_by.unwrap() <= due.unwrap());
    let members: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT u.login, x.mobile FROM panel_members m JOIN experts x ON x.id = m.expert_id
           LEFT JOIN users u ON u.id = x.user_id WHERE m.panel_id = $1 ORDER BY u.login",
    )
    .bind(panel)
    .fetch_all(&s.app.db)
    .await
    .unwrap();
    let with_account: Vec<String> = members.iter().filter_map(|(l, _)| l.clone()).collect();
    let mut told_now = told(&s.app, EventKind::PanelDrawn, before).await;
    told_now.sort();
    let mut expected = with_account.clone();
    expected.sort();
    assert_eq!(told_now, expected);
    let texted: Vec<String> = sqlx::query_scalar(
        "SELECT address FROM deliveries WHERE channel = 'sms' AND user_id IS NULL ORDER BY address",
    )
    .fetch_all(&s.app.db)
    .await
    .unwrap();
    let mut without: Vec<String> = members
        .iter()
        .filter(|(l, _)| l.is_none())
        .map(|(_, m)| m.clone())
        .collect();
    without.sort();
    assert_eq!(texted, without);
}

#[tokio::test]
async fn publicity_and_an_objection_tell_the_operator_the_bureau_the_investigator_and_the_filer() {
    let (app, mut bureau, call) = crate::publicity::with_shortlist().await;
    let application = crate::publicity::shortlisted_application(&app).await;
    let org: i64 = sqlx::query_scalar("SELECT organization_id FROM applications WHERE id = $1")
        .bind(application)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let operator = logins(&app, "zhongshan", &format!("u.organization_id = {org}")).await;
    assert!(!operator.is_empty());
    assert_eq!(
        told_of(&app, EventKind::Shortlisted, application).await,
        operator
    );
    let before = mark(&app).await;
    let notice = crate::publicity::publish(&mut bureau, call, "2026-09-30", "").await;
    notice.assert_redirect_starting("/t/zhongshan/publicity/");
    assert_eq!(
        told(&app, EventKind::PublicityPublished, before).await,
        operator
    );

    let notice_path = notice.location().to_string();
    app.state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 10, 8, 2, 0, 0).unwrap());
    let mut public = app.new_browser();
    public.get(&format!("{notice_path}/objection")).await;
    let before = mark(&app).await;
    public
        .post_multipart(
            &format!("{notice_path}/objection"),
            &[
                ("application_id", &application.to_string()),
                ("filer_name", "张明"),
                ("filer_contact", "13800001111"),
                ("notify_me", "on"),
                (
                    "grounds",
                    "该园区入驻企业中有多家未实际经营，申报的企业数量不实。",
                ),
            ],
            &[("evidence", "", &[])],
        )
        .await
        .assert_status(StatusCode::OK);
    let bureau_logins = logins(&app, "zhongshan", "u.role = 'bureau'").await;
    assert_eq!(
        told(&app, EventKind::ObjectionFiled, before).await,
        bureau_logins
    );

    let id: i64 = sqlx::query_scalar("SELECT id FROM objections")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let staff: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'zs-bureau'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let case = format!("/t/zhongshan/bureau/objections/{id}");
    bureau.get(&case).await;
    let before = mark(&app).await;
    bureau
        .post_form(
            &format!("{case}/investigate"),
            &[("investigator_id", &staff.to_string())],
        )
        .await
        .assert_redirect_to(&case);
    assert_eq!(
        told(&app, EventKind::InvestigatorAssigned, before).await,
        ["zs-bureau"]
    );
    let before = mark(&app).await;
    bureau
        .post_form(
            &format!("{case}/decide"),
            &[
                ("decision", "dismissed"),
                ("investigation", "实地核查，入驻企业均有经营场所。"),
                ("reason", "经调查核实，异议反映的情况不属实。"),
            ],
        )
        .await
        .assert_redirect_to(&case);
    assert_eq!(
        told(&app, EventKind::ObjectionDecided, before).await,
        operator
    );
    // The filer is no user: told by text message at the number given, with the case number.
    let (address, body): (String, String) = sqlx::query_as(
        "SELECT d.address, d.body FROM deliveries d JOIN events e ON e.id = d.event_id
          WHERE e.kind = 'objection_answered'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(address, "13800001111");
    assert!(
        body.contains("异议处理结果") && !body.contains("张明"),
        "{body}"
    );
}

#[tokio::test]
async fn every_message_of_the_demo_stays_with_its_tenant_its_county_and_its_operator() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let strays: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT e.kind, u.login, u.role FROM messages m
           JOIN events e ON e.id = m.event_id JOIN users u ON u.id = m.user_id
           LEFT JOIN applications a ON a.tenant_id = e.tenant_id AND e.object_kind = 'application'
                                   AND a.id = e.object_id
           LEFT JOIN awards w ON w.tenant_id = e.tenant_id AND e.object_kind = 'award'
                             AND w.id = e.object_id
           LEFT JOIN applications wa ON wa.tenant_id = w.tenant_id AND wa.id = w.application_id
          WHERE u.tenant_id <> e.tenant_id OR m.tenant_id <> e.tenant_id
             OR (u.role = 'operator' AND coalesce(a.organization_id, w.organization_id,
                                                  wa.organization_id) <> u.organization_id)
             OR (u.role = 'county' AND coalesce(a.jurisdiction_id, w.jurisdiction_id,
                                                wa.jurisdiction_id) <> u.jurisdiction_id)",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(strays.is_empty(), "{strays:?}");
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT e.kind, count(*) FROM messages m JOIN events e ON e.id = m.event_id
          GROUP BY e.kind ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for kind in [
        "application_submitted",
        "application_forwarded",
        "application_resubmitted",
        "panel_drawn",
        "publicity_published",
        "rectification_ordered",
    ] {
        assert!(
            counts.iter().any(|(k, n)| k == kind && *n > 0),
            "{kind}: {counts:?}"
        );
    }
}

/// An event recorded in a transaction that is rolled back leaves no message and no delivery.
#[tokio::test]
async fn a_rolled_back_use_case_tells_nobody() {
    let app = TestApp::spawn().await;
    let tenant = crate::helpers::tenant_id(&app, "wenzhou").await;
    let mut tx = app.db.begin().await.unwrap();
    parkcert::service::notify::tell(&mut tx, &app.state, tenant, broadcast("回滚的通知"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let (messages, deliveries): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM deliveries)")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((messages, deliveries), (0, 0));
}

fn broadcast(subject: &str) -> parkcert::db::events::Event {
    parkcert::db::events::Event {
        kind: EventKind::CallPublished,
        object_kind: "call",
        object_id: 1,
        links: vec![("", "/calls/1".into())],
        facts: Facts {
            subject: subject.into(),
            ..Facts::default()
        },
        audience: vec![Audience::CountiesAndOperators],
        dedupe_key: None,
    }
}

/// Counts what it is asked to send, per delivery key.
#[derive(Default)]
struct CountingSms(Mutex<Vec<String>>);

impl parkcert::io::sms::SmsSender for CountingSms {
    fn name(&self) -> &str {
        "测试网关"
    }
    fn send<'a>(
        &'a self,
        _to: &'a str,
        _text: &'a str,
        key: &'a str,
    ) -> parkcert::io::sms::Sent<'a> {
        Box::pin(async move {
            // Slow enough that two workers overlap.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            self.0.lock().unwrap().push(key.to_string());
            Ok(())
        })
    }
}

#[tokio::test]
async fn two_outbox_workers_at_once_send_each_text_message_once() {
    let app = TestApp::spawn().await;
    let sms = Arc::new(CountingSms::default());
    let state = app.state.clone().with_sms(sms.clone());
    sqlx::query("UPDATE users SET mobile = '13900000001', notify_sms = true WHERE role IN ('county', 'operator')")
        .execute(&app.db)
        .await
        .unwrap();
    let tenant = crate::helpers::tenant_id(&app, "wenzhou").await;
    for n in 0..10 {
        let mut tx = app.db.begin().await.unwrap();
        parkcert::service::notify::tell(&mut tx, &state, tenant, broadcast(&format!("第{n}条")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(queued >= 20, "{queued}");
    let (a, b) = tokio::join!(
        parkcert::jobs::outbox::deliver_due(&state),
        parkcert::jobs::outbox::deliver_due(&state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), queued as usize);
    let mut sent = sms.0.lock().unwrap().clone();
    let all = sent.len();
    sent.sort();
    sent.dedup();
    assert_eq!((all, sent.len()), (queued as usize, queued as usize));
    // Nothing is left, so a third run sends nothing again.
    assert_eq!(
        parkcert::jobs::outbox::deliver_due(&state).await.unwrap(),
        0
    );
}

/// A real SMTP server on loopback keeping what it receives.
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<u8>>>);

impl mailin_embedded::Handler for Inbox {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.1.lock().unwrap().extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        let mail =
            String::from_utf8_lossy(&std::mem::take(&mut *self.1.lock().unwrap())).into_owned();
        self.0.lock().unwrap().push(mail);
        mailin_embedded::response::OK
    }
}

fn smtp_server() -> (String, Inbox) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let inbox = Inbox::default();
    let mut server = mailin_embedded::Server::new(inbox.clone());
    server.with_name("mail.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (url, inbox)
}

#[tokio::test]
async fn an_operator_who_chose_email_gets_the_return_by_mail_with_a_link_to_the_page() {
    let (url, inbox) = smtp_server();
    let mut app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(url.clone());
        c.mail_from = "noreply@wenzhou.example.gov.cn".into();
        c.public_url = "https://parkcert.example.gov.cn".into();
    })
    .await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    operator.get("/account").await.assert_contains("通知方式");
    operator
        .post_form(
            "/account/notifications",
            &[
                ("email", "not-an-address"),
                ("notify_email", "on"),
                ("mobile", ""),
            ],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请填写有效的电子邮箱")
        .assert_contains("not-an-address");
    operator
        .post_form(
            "/account/notifications",
            &[
                ("email", "wang@example.com"),
                ("notify_email", "on"),
                ("mobile", ""),
            ],
        )
        .await
        .assert_redirect_to("/account");
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    submit(&mut operator, &base).await.assert_redirect_to(&base);
    let id = id_of(&base).to_string();
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county_opinion(
        &mut county,
        &id,
        &[("opinion", "return"), ("comments", "请补充海关统计证明。")],
        None,
    )
    .await
    .assert_redirect_to("/t/wenzhou/county");
    assert_eq!(
        parkcert::jobs::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        1
    );
    let mails = inbox.0.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = decoded(&mails[0]);
    assert!(mail.contains("申报被退回修改"), "{mail}");
    assert!(mail.contains("请补充海关统计证明"), "{mail}");
    assert!(
        mail.contains(&format!(
            "https://parkcert.example.gov.cn/t/wenzhou/operator/applications/{id}"
        )),
        "{mail}"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM deliveries WHERE channel = 'email'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "sent");
    // The bureau's log shows it, with the address masked.
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    bureau
        .get("/t/wenzhou/bureau/deliveries")
        .await
        .assert_contains("已发送")
        .assert_contains("w***@example.com")
        .assert_not_contains("wang@example.com");
}

/// The mail as a person reads it: headers, and the body's base64 or quoted-printable decoded.
fn decoded(raw: &str) -> String {
    let mut out = raw.to_string();
    if let Some(body_at) = raw.find("\r\n\r\n") {
        let body: String = raw[body_at + 4..].split_whitespace().collect();
        if let Ok(bytes) = base64_decode(&body) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    // Subjects are RFC 2047 encoded words; decode the base64 ones.
    for word in raw
        .split("=?utf-8?b?")
        .chain(raw.split("=?UTF-8?B?"))
        .skip(1)
    {
        if let Some(end) = word.find("?=")
            && let Ok(bytes) = base64_decode(&word[..end])
        {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

fn base64_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s)
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_backoff_then_failed_and_the_bureau_can_resend_it() {
    // Nothing listens on this port: every attempt fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(url)).await;
    sqlx::query("UPDATE users SET email = 'b@example.com', notify_email = true WHERE login = 'wz-county-ruian'")
        .execute(&app.db)
        .await
        .unwrap();
    let tenant = crate::helpers::tenant_id(&app, "wenzhou").await;
    let mut tx = app.db.begin().await.unwrap();
    parkcert::service::notify::tell(&mut tx, &app.state, tenant, broadcast("重试"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        parkcert::jobs::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        1
    );
    let (state, attempts, error, later): (String, i32, String, bool) = sqlx::query_as(
        "SELECT state, attempts, last_error, next_attempt_at > now() FROM deliveries",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts, later), ("pending", 1, true));
    assert!(error.contains("邮件服务器未接受"), "{error}");
    // Not due again before its backoff.
    assert_eq!(
        parkcert::jobs::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    for _ in 1..parkcert::db::outbox::MAX_ATTEMPTS {
        sqlx::query("UPDATE deliveries SET next_attempt_at = now()")
            .execute(&app.db)
            .await
            .unwrap();
        parkcert::jobs::outbox::deliver_due(&app.state)
            .await
            .unwrap();
    }
    let (state, tries): (String, i64) = sqlx::query_as(
        "SELECT d.state, (SELECT count(*) FROM delivery_attempts) FROM deliveries d",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), tries),
        ("failed", i64::from(parkcert::db::outbox::MAX_ATTEMPTS))
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM deliveries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    bureau
        .get("/t/wenzhou/bureau/deliveries?failed=1")
        .await
        .assert_contains("发送失败")
        .assert_contains("重新发送");
    bureau
        .post_form(&format!("/t/wenzhou/bureau/deliveries/{id}/retry"), &[])
        .await
        .assert_redirect_to("/t/wenzhou/bureau/deliveries");
    let state: String = sqlx::query_scalar("SELECT state FROM deliveries")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "pending");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'delivery' AND action = 'retry'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

/// The clock's reminders reach the park's own people, once: the rectification deadline within
/// 5 working days its operator, an overdue quarterly report its operator and its county; a
/// second run (or a second server) tells nobody again.
#[tokio::test]
async fn the_reminder_job_tells_each_park_party_once() {
    let app = crate::monitoring::with_demo().await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let start = mark(&app).await;
    assert!(
        parkcert::jobs::reminders::run(&app.state, day)
            .await
            .unwrap()
            > 0
    );
    let operator2 = logins(
        &app,
        "zhongshan",
        &organization_of(&app, "zs-operator2").await,
    )
    .await;
    assert_eq!(
        told(&app, EventKind::RectificationDueSoon, start).await,
        operator2,
        "the Zhongshan demo's order, due in 6 days, and no one else's"
    );
    let overdue = told(&app, EventKind::ReportOverdue, start).await;
    assert!(overdue.contains(&"zs-operator2".to_string()), "{overdue:?}");
    assert!(
        overdue.contains(&"zs-county-torch".to_string()),
        "{overdue:?}"
    );
    assert!(
        !overdue.contains(&"zs-operator1".to_string())
            && !overdue.contains(&"zs-county-guzhen".to_string()),
        "{overdue:?}"
    );
    let again = mark(&app).await;
    parkcert::jobs::reminders::run(&app.state, day)
        .await
        .unwrap();
    assert_eq!(mark(&app).await, again, "a second run tells nobody again");
}

/// A mail server that takes connections and never answers: a worker sending through it is
/// stuck mid-send. Returns its URL and how many connections it has taken.
fn stalled_smtp_server() -> (String, Arc<Mutex<Vec<std::net::TcpStream>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let taken = Arc::new(Mutex::new(Vec::new()));
    let keep = taken.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            keep.lock().unwrap().push(stream);
        }
    });
    (url, taken)
}

fn wait_for(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The operator's submission over HTTP to the real server; true once the server confirmed it.
fn submit_over_http(client: &mut crate::crash::Client, draft: &str) -> bool {
    client.get("/t/wenzhou/login");
    let signed_in = client.post_form(
        "/t/wenzhou/login",
        &[
            ("login", "wz-operator1"),
            ("password", crate::helpers::DEMO_PASSWORD),
        ],
    );
    assert_eq!(signed_in.map(|(s, _, _)| s), Some(303));
    let Some((200, _, page)) = client.get(draft) else {
        panic!("the draft did not open");
    };
    let fields = ["submit_token", "lock_version", "roster_lock_version"]
        .map(|n| (n, crate::intake::hidden(&page, n)));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client
        .post_form(&format!("{draft}/submit"), &pairs)
        .is_some_and(|(s, _, _)| s == 303)
}

/// The crash test of the outbox: the server binary commits a submission, is killed with SIGKILL
/// while its worker is still sending the county's e-mail, and the next start sends it — once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_between_the_commit_and_the_mail_sends_it_once_after_restart() {
    let (stalled, taken) = stalled_smtp_server();
    let (url, inbox) = smtp_server();
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county.get("/account").await;
    county
        .post_form(
            "/account/notifications",
            &[
                ("email", "lucheng@example.com"),
                ("notify_email", "on"),
                ("mobile", ""),
            ],
        )
        .await
        .assert_redirect_to("/account");
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let draft = apply(&mut operator, call).await;
    complete_draft(&mut operator, &draft).await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let port = crate::crash::free_port();
    let env = [
        ("PARKCERT_SMTP_URL", stalled.as_str()),
        ("PARKCERT_OUTBOX_EVERY_SECONDS", "1"),
    ];
    let mut server = crate::crash::start_server_with(&database, &app.data_dir, port, &env);
    let mut client = crate::crash::Client::new(port);
    assert!(
        submit_over_http(&mut client, &draft),
        "the server confirmed"
    );
    wait_for("the worker to start sending", || {
        !taken.lock().unwrap().is_empty()
    });
    server.kill().expect("SIGKILL");
    server.wait().ok();
    let (state, attempts): (String, i32) = sqlx::query_as(
        "SELECT state, attempts FROM deliveries WHERE address = 'lucheng@example.com'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), attempts),
        ("pending", 0),
        "nothing was sent"
    );

    let env = [
        ("PARKCERT_SMTP_URL", url.as_str()),
        ("PARKCERT_OUTBOX_EVERY_SECONDS", "1"),
    ];
    let mut server =
        crate::crash::start_server_with(&database, &app.data_dir, crate::crash::free_port(), &env);
    wait_for("the mail after the restart", || {
        inbox
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.contains("lucheng@example.com"))
    });
    // Two more of the worker's rounds: nothing is sent again.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    server.kill().ok();
    server.wait().ok();
    let mails: Vec<String> = inbox.0.lock().unwrap().clone();
    let to_county: Vec<String> = mails
        .iter()
        .filter(|m| m.contains("lucheng@example.com"))
        .map(|m| decoded(m))
        .collect();
    assert_eq!(to_county.len(), 1, "{mails:?}");
    assert!(
        to_county[0].contains("温州鹿城跨境电商产业园"),
        "{}",
        to_county[0]
    );
    let (state, attempts): (String, i32) = sqlx::query_as(
        "SELECT state, attempts FROM deliveries WHERE address = 'lucheng@example.com'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((state.as_str(), attempts), ("sent", 1));
}

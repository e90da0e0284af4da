//! The isolation sweep: every route that names an object, for every role that has it, asked for
//! objects of the other tenant, of another county and of another operator. Only 403 or 404 come
//! back, nothing changes, and each refusal is logged.
use crate::helpers::TestApp;
use axum::http::StatusCode;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// (area, methods, path): the area's prefix is `/t/{tenant}/{area}` ("public": `/t/{tenant}`);
/// M marks a route whose POST is a multipart upload.
const ROUTES: &[(&str, &str, &str)] = &[
    ("bureau", "GP", "/calls/{call}"),
    ("bureau", "P", "/calls/{call}/publish"),
    ("bureau", "M", "/calls/{call}/attachments"),
    ("bureau", "G", "/calls/{call}/applications"),
    ("bureau", "GP", "/calls/{call}/publicity"),
    ("bureau", "GP", "/calls/{call}/panels"),
    ("bureau", "G", "/calls/{call}/results.xlsx"),
    ("bureau", "G", "/calls/{call}/results/print"),
    ("bureau", "G", "/calls/{call}/review"),
    ("bureau", "G", "/batches/{batch}"),
    ("bureau", "G", "/institutions/{institution}"),
    ("bureau", "P", "/institutions/{institution}/staff"),
    ("bureau", "P", "/applications/{app}/institution"),
    ("bureau", "G", "/applications/{app}/inspections/new"),
    ("bureau", "P", "/applications/{app}/inspections"),
    ("bureau", "G", "/inspections/{inspection}"),
    ("bureau", "P", "/inspections/{inspection}/record"),
    ("bureau", "M", "/inspections/{inspection}/photos"),
    ("bureau", "P", "/inspections/{inspection}/return"),
    ("bureau", "G", "/inspections/{inspection}/print"),
    ("bureau", "G", "/inspections/{inspection}/pdf"),
    ("bureau", "G", "/applications/{app}"),
    ("bureau", "P", "/applications/{app}/decision"),
    ("bureau", "G", "/applications/{app}/versions/1"),
    ("bureau", "G", "/applications/{app}/versions/1/print"),
    ("bureau", "G", "/applications/{app}/versions/1/pdf"),
    ("bureau", "P", "/assignments/{assignment}/reopen"),
    ("bureau", "GM", "/assignments/{assignment}/paper"),
    ("bureau", "G", "/panels/{panel}"),
    ("bureau", "P", "/panels/{panel}/close"),
    ("bureau", "P", "/panels/{panel}/decline"),
    ("bureau", "G", "/experts/{expert}"),
    ("bureau", "P", "/experts/{expert}/account"),
    ("bureau", "P", "/experts/{expert}/active"),
    ("bureau", "G", "/rulesets/{ruleset}"),
    ("bureau", "G", "/rulesets/{ruleset}/export"),
    ("bureau", "GP", "/rulesets/drafts/{rdraft}"),
    ("bureau", "G", "/rulesets/drafts/{rdraft}/preview"),
    ("bureau", "P", "/rulesets/drafts/{rdraft}/activate"),
    ("bureau", "P", "/rulesets/drafts/{rdraft}/discard"),
    ("bureau", "P", "/jurisdictions/{jurisdiction}/active"),
    ("bureau", "P", "/users/{user}/deactivate"),
    ("bureau", "G", "/objections/{objection}"),
    ("bureau", "P", "/objections/{objection}/decide"),
    ("bureau", "P", "/objections/{objection}/investigate"),
    ("bureau", "G", "/monitoring/parks/{award}"),
    ("bureau", "M", "/monitoring/parks/{award}/revoke"),
    ("bureau", "G", "/monitoring/re-reviews/{rereview}"),
    ("bureau", "P", "/monitoring/re-reviews/{rereview}/panel"),
    (
        "bureau",
        "P",
        "/monitoring/re-reviews/{rereview}/parks/{pid}",
    ),
    ("bureau", "G", "/monitoring/rectifications/{order}"),
    ("bureau", "P", "/monitoring/rectifications/{order}/verdict"),
    ("bureau", "G", "/monitoring/reports/{report}"),
    ("bureau", "P", "/monitoring/reports/{report}/decision"),
    ("bureau", "P", "/deliveries/{delivery}/retry"),
    ("county", "G", "/applications/{app}"),
    ("county", "M", "/applications/{app}/opinion"),
    ("county", "G", "/applications/{app}/versions/1"),
    ("county", "G", "/applications/{app}/versions/1/print"),
    ("county", "G", "/applications/{app}/versions/1/pdf"),
    ("county", "GM", "/calls/{call}/batch"),
    ("county", "G", "/batches/{batch}"),
    ("county", "G", "/inspections/{inspection}"),
    ("county", "G", "/inspections/{inspection}/print"),
    ("county", "G", "/inspections/{inspection}/pdf"),
    ("county", "G", "/reports/{report}"),
    ("county", "P", "/reports/{report}/decision"),
    ("operator", "G", "/applications/{app}"),
    ("operator", "M", "/applications/{app}/documents"),
    (
        "operator",
        "P",
        "/applications/{app}/documents/{doc}/detach",
    ),
    ("operator", "GP", "/applications/{app}/form"),
    ("operator", "P", "/applications/{app}/selfcheck"),
    ("operator", "P", "/applications/{app}/submit"),
    ("operator", "G", "/applications/{app}/versions/1"),
    ("operator", "G", "/applications/{app}/versions/1/print"),
    ("operator", "G", "/applications/{app}/versions/1/pdf"),
    ("operator", "G", "/applications/{app}/roster"),
    ("operator", "G", "/applications/{app}/roster-template.xlsx"),
    ("operator", "G", "/applications/{app}/roster.xlsx"),
    ("operator", "M", "/applications/{app}/roster/import"),
    ("operator", "P", "/applications/{app}/roster/rows"),
    ("operator", "GP", "/applications/{app}/roster/rows/0"),
    ("operator", "P", "/applications/{app}/roster/rows/0/delete"),
    ("operator", "P", "/calls/{call}/apply"),
    ("operator", "G", "/parks/{award}"),
    ("operator", "M", "/parks/{award}/rectifications/{order}"),
    ("operator", "GP", "/parks/{award}/reports/2026/1"),
    ("expert", "G", "/invitations/{panel}"),
    ("expert", "P", "/invitations/{panel}/accept"),
    ("expert", "P", "/invitations/{panel}/decline"),
    ("expert", "G", "/assignments/{assignment}"),
    ("expert", "P", "/assignments/{assignment}/declare"),
    ("expert", "P", "/assignments/{assignment}/outlier"),
    ("expert", "P", "/assignments/{assignment}/sheet"),
    ("expert", "GM", "/institution-reviews/{ireview}"),
    ("expert", "GP", "/re-review-sheets/{rrsheet}"),
    ("expert", "G", "/inspections/{inspection}"),
    ("expert", "P", "/inspections/{inspection}/confirm"),
    ("expert", "G", "/inspections/{inspection}/print"),
    ("expert", "G", "/inspections/{inspection}/pdf"),
    ("inbox", "G", "/{message}"),
    ("public", "G", "/calls/{draft_call}"),
    ("public", "G", "/certificates/{award}"),
    ("public", "G", "/certificates/{award}/pdf"),
    ("public", "G", "/files/{doc}"),
    ("public", "G", "/publicity/{notice}"),
    ("public", "GM", "/publicity/{notice}/objection"),
];

/// Route patterns with an object in them that are not in the sweep, and why.
const NOT_SWEPT: &[&str] = &[
    // The county's own reports are found by its jurisdiction, never by an id in the URL.
    "/own-reports/{kind}/{year}/{period}",
    // Pages of a tenant as a whole, by its slug: the other tenant's are simply its own pages.
    "/t/{tenant}",
    "/t/{tenant}/login",
    "/t/{tenant}/register",
    "/t/{tenant}/parks",
    "/t/{tenant}/parks.csv",
    "/t/{tenant}/parks.xlsx",
    "/t/{tenant}/publicity",
    "/t/{tenant}/objections/status",
];

/// A body that every form's fields parse from (the handler, not the extractor, must refuse).
const FIELDS: &[(&str, &str)] = &[
    ("reason", "x"),
    ("active", "false"),
    ("decision", "x"),
    ("verdict", "x"),
    ("result", "x"),
    ("opinion", "x"),
    ("conflict", "none"),
    ("comments", "x"),
    ("lock_version", "0"),
    ("roster_lock_version", "0"),
    ("submit_token", "00000000-0000-0000-0000-000000000000"),
    ("jurisdiction_id", "0"),
];

/// An id of each object kind, taken from one tenant (and, optionally, one county or operator).
async fn objects(app: &TestApp, tenant: &str, filter: &str) -> BTreeMap<&'static str, String> {
    // (kind, table, alias, condition)
    let queries: &[(&str, &str, &str, &str)] = &[
        ("call", "calls", "c", "c.state <> 'draft'"),
        ("draft_call", "calls", "c", "c.state = 'draft'"),
        ("app", "applications", "a", "true"),
        ("assignment", "assignments", "s", "true"),
        ("panel", "panels", "p", "true"),
        ("expert", "experts", "e", "true"),
        ("ruleset", "rule_set_versions", "v", "true"),
        ("rdraft", "rule_set_drafts", "d", "d.state = 'draft'"),
        ("jurisdiction", "jurisdictions", "j", "true"),
        ("user", "users", "u", "true"),
        ("objection", "objections", "o", "true"),
        ("award", "awards", "w", "true"),
        ("rereview", "re_reviews", "r", "true"),
        ("pid", "re_review_parks", "p", "true"),
        ("order", "rectification_orders", "o", "true"),
        ("report", "periodic_reports", "r", "true"),
        ("notice", "publicity_notices", "n", "true"),
        ("doc", "documents", "d", "true"),
        ("message", "messages", "m", "true"),
        ("delivery", "deliveries", "d", "true"),
        ("batch", "forwarding_batches", "b", "true"),
        ("inspection", "inspections", "i", "true"),
        ("institution", "review_institutions", "i", "true"),
        ("ireview", "institution_reviews", "r", "true"),
        ("rrsheet", "re_review_sheets", "s", "true"),
    ];
    let mut ids = BTreeMap::new();
    for (kind, table, alias, condition) in queries {
        let extra = match filter.strip_prefix(&format!("{kind}:")) {
            Some(f) => format!(" AND {f}"),
            None => String::new(),
        };
        let sql = format!(
            "SELECT {alias}.id FROM {table} {alias} JOIN tenants t ON t.id = {alias}.tenant_id
             WHERE t.slug = $1 AND {condition}{extra} ORDER BY {alias}.id LIMIT 1"
        );
        let id: Option<i64> = sqlx::query_scalar(&sql)
            .bind(tenant)
            .fetch_optional(&app.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        if let Some(id) = id {
            ids.insert(*kind, id.to_string());
        }
    }
    ids
}

/// Fills a route's placeholders; None when the other side has no such object.
fn fill(path: &str, ids: &BTreeMap<&'static str, String>) -> Option<String> {
    let mut out = path.to_string();
    while let Some(start) = out.find('{') {
        let end = out[start..].find('}')? + start;
        let id = ids.get(&out[start + 1..end])?;
        out.replace_range(start..=end, id);
    }
    Some(out)
}

struct Outcome {
    requests: usize,
    skipped: usize,
}

/// Sends every route of `area` at `ids` as `browser`, expecting only 403/404.
async fn sweep(
    browser: &mut TestApp,
    area: &str,
    tenant: &str,
    ids: &BTreeMap<&'static str, String>,
    kinds: Option<&[&str]>,
) -> Outcome {
    let mut out = Outcome {
        requests: 0,
        skipped: 0,
    };
    let prefix = if area == "public" {
        format!("/t/{tenant}")
    } else {
        format!("/t/{tenant}/{area}")
    };
    browser.get(&format!("/t/{tenant}")).await; // a page, for the CSRF token
    for (route_area, methods, path) in ROUTES.iter().filter(|r| r.0 == area) {
        let _ = route_area;
        if let Some(kinds) = kinds
            && !kinds.iter().any(|k| path.contains(&format!("{{{k}}}")))
        {
            continue;
        }
        let Some(filled) = fill(path, ids) else {
            out.skipped += 1;
            continue;
        };
        let url = format!("{prefix}{filled}");
        // Every method is tried: one the route does not have is 405 before any object is
        // looked at; the ones it has must refuse.
        let mut refused = 0;
        for method in ['G', 'P', 'M'] {
            let response = match method {
                'G' => browser.get(&url).await,
                'P' if methods.contains('M') => continue,
                'P' => browser.post_form(&url, FIELDS).await,
                _ if !methods.contains('M') => continue,
                _ => browser.post_multipart(&url, &[("reason", "x")], &[]).await,
            };
            match response.status {
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => refused += 1,
                StatusCode::METHOD_NOT_ALLOWED => {}
                other => panic!(
                    "{method} {url} as {area}: {other} {}",
                    &response.body[..response.body.len().min(400)]
                ),
            }
        }
        assert!(refused > 0, "{url}: no method of the route answered");
        out.requests += refused;
    }
    out
}

async fn audit_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action <> 'sign_in'")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Captures the server's log lines (the test runs on one thread, so a thread default works).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_object_route_refuses_other_tenants_counties_and_operators() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // With a single dispatcher alive, tracing-core judges a callsite's interest by whichever
    // thread meets it first: a test on another thread (no subscriber) would cache "never" for
    // the denial and hide this thread's events. A second live dispatcher makes it ask them all.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());

    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let before = audit_rows(&app).await;
    let (mut requests, mut skipped) = (0, 0);
    let mut tally = |o: Outcome| {
        requests += o.requests;
        skipped += o.skipped;
    };
    // Each tenant's users at the other tenant's objects, under their own tenant's URLs.
    for (viewer, other, logins) in [
        (
            "wenzhou",
            "zhongshan",
            [
                "wz-bureau",
                "wz-county-lucheng",
                "wz-operator1",
                "wz-expert2",
            ],
        ),
        (
            "zhongshan",
            "wenzhou",
            ["zs-bureau", "zs-county-torch", "zs-operator2", "zs-expert1"],
        ),
    ] {
        let ids = objects(&app, other, "").await;
        for (login, area) in logins
            .iter()
            .zip(["bureau", "county", "operator", "expert"])
        {
            let mut browser = app.new_browser();
            browser.sign_in_as(login).await;
            tally(sweep(&mut browser, area, viewer, &ids, None).await);
            tally(sweep(&mut browser, "inbox", viewer, &ids, None).await);
            tally(sweep(&mut browser, "public", viewer, &ids, None).await);
        }
        tally(sweep(&mut app.new_browser(), "public", viewer, &ids, None).await);
    }
    // Within Wenzhou: 瑞安市 at 鹿城区's applications and reports; one operator at the other's
    // applications, parks and files; one expert at another's sheets.
    let lucheng = "(SELECT id FROM jurisdictions WHERE name = '鹿城区')";
    for (login, area, filter, kinds) in [
        ("wz-county-ruian", "county", format!("app:a.jurisdiction_id = {lucheng}"), &["app"][..]),
        ("wz-county-ruian", "county", format!("report:r.jurisdiction_id = {lucheng}"), &["report"][..]),
        // The demo's visit is of a 鹿城区 park, with three other experts.
        ("wz-county-ruian", "county", String::new(), &["inspection"][..]),
        ("wz-expert2", "expert", String::new(), &["inspection"][..]),
        (
            "wz-expert2",
            "expert",
            "rrsheet:s.expert_id <> (SELECT e.id FROM experts e JOIN users u ON u.id = e.user_id WHERE u.login = 'wz-expert2')".to_string(),
            &["rrsheet"][..],
        ),
        (
            "wz-operator2",
            "operator",
            "app:a.organization_id = (SELECT organization_id FROM users WHERE login = 'wz-operator1')".to_string(),
            &["app"][..],
        ),
        (
            "wz-operator2",
            "operator",
            "award:w.application_id IN (SELECT a.id FROM applications a JOIN users u ON u.organization_id = a.organization_id WHERE u.login = 'wz-operator1')".to_string(),
            &["award"][..],
        ),
        (
            "wz-expert2",
            "expert",
            "assignment:s.expert_id = (SELECT e.id FROM experts e JOIN users u ON u.id = e.user_id WHERE u.login = 'wz-expert1')".to_string(),
            &["assignment"][..],
        ),
        (
            "wz-county-ruian",
            "inbox",
            "message:m.user_id = (SELECT id FROM users WHERE login = 'wz-county-lucheng')".to_string(),
            &["message"][..],
        ),
        (
            "wz-operator2",
            "inbox",
            "message:m.user_id = (SELECT id FROM users WHERE login = 'wz-operator1')".to_string(),
            &["message"][..],
        ),
    ] {
        let ids = objects(&app, "wenzhou", &filter).await;
        let mut browser = app.new_browser();
        browser.sign_in_as(login).await;
        tally(sweep(&mut browser, area, "wenzhou", &ids, Some(kinds)).await);
    }
    // Within Zhongshan: one town at the other's batch and its cover letter.
    let guzhen = "(SELECT id FROM jurisdictions WHERE name = '古镇镇')";
    let ids = objects(
        &app,
        "zhongshan",
        &format!("batch:b.jurisdiction_id = {guzhen}"),
    )
    .await;
    assert!(
        ids.contains_key("batch"),
        "the demo has a batch from 古镇镇"
    );
    let mut torch = app.new_browser();
    torch.sign_in_as("zs-county-torch").await;
    tally(sweep(&mut torch, "county", "zhongshan", &ids, Some(&["batch"])).await);
    // A pool expert at the commissioned institution's review.
    let ids = objects(&app, "zhongshan", "").await;
    assert!(
        ids.contains_key("ireview"),
        "the demo commissions an institution"
    );
    let mut pool_expert = app.new_browser();
    pool_expert.sign_in_as("zs-expert1").await;
    tally(
        sweep(
            &mut pool_expert,
            "expert",
            "zhongshan",
            &ids,
            Some(&["ireview"]),
        )
        .await,
    );
    let letter: i64 = sqlx::query_scalar(&format!(
        "SELECT d.id FROM documents d JOIN forwarding_batches b ON b.id = d.batch_id
         WHERE b.jurisdiction_id = {guzhen}"
    ))
    .fetch_one(&app.db)
    .await
    .unwrap();
    torch
        .get(&format!("/t/zhongshan/files/{letter}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    requests += 1;

    // A document of one operator's application is not the other's to download.
    let doc: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN applications a ON a.id = d.application_id
         JOIN users u ON u.organization_id = a.organization_id WHERE u.login = 'wz-operator1' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut op2 = app.new_browser();
    op2.sign_in_as("wz-operator2").await;
    op2.get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    requests += 1;

    assert_eq!(
        audit_rows(&app).await,
        before,
        "no refused request changed anything"
    );
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let denials = logged.matches("access denied").count();
    assert_eq!(
        denials,
        requests,
        "each refusal is logged: {}",
        &logged[..logged.len().min(600)]
    );
    eprintln!(
        "sweep: {requests} requests refused and logged, {skipped} routes without an object to try"
    );
    assert!(requests > 150, "{requests}");
}

#[test]
fn every_route_with_an_object_in_it_is_swept() {
    // A route names an object when a placeholder follows its area's prefix.
    let local = |route: &parkcert::web::routes::Route| {
        let path = route
            .path
            .strip_prefix("/t/{tenant}")
            .unwrap_or(&route.path);
        let area = format!("/{}", route.area);
        match path.strip_prefix(&area) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.to_string(),
            _ => path.to_string(),
        }
    };
    let missing: Vec<String> = parkcert::web::routes::listed()
        .into_iter()
        .filter(|route| local(route).contains('{') || route.path == "/t/{tenant}")
        .filter(|route| {
            let local = local(route);
            !NOT_SWEPT.iter().any(|p| *p == route.path || *p == local)
                && !ROUTES.iter().any(|(area, methods, p)| {
                    *area == route.area && same_shape(p, &local) && covers(methods, route.methods)
                })
        })
        .map(|route| format!("{} {} ({})", route.methods, route.path, route.area))
        .collect();
    assert!(missing.is_empty(), "routes not in the sweep: {missing:#?}");
}

/// Whether the sweep's methods (G, P, M for a multipart POST) are every method of the route.
fn covers(swept: &str, methods: &str) -> bool {
    methods.split(' ').all(|m| match m {
        "GET" => swept.contains('G'),
        _ => swept.contains('P') || swept.contains('M'),
    })
}

/// Whether a swept path (placeholders named by kind, some filled in) is the route pattern.
fn same_shape(swept: &str, pattern: &str) -> bool {
    let pattern = pattern.strip_prefix("/t/{tenant}").unwrap_or(pattern);
    let a: Vec<&str> = swept.split('/').collect();
    let b: Vec<&str> = pattern.split('/').collect();
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x == y || y.starts_with('{') || (x.starts_with('{') && y.starts_with('{'))
        })
}

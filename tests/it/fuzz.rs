//! Hostile input against every POST route of the route table, as the role the route belongs to:
//! a NUL, a direction override, every field twice, and a body over the limit, sent urlencoded and
//! as multipart. Each is refused with the product's own page (JSON under `/api/`) and the
//! security headers, never a 500 or plain text, and nothing is recorded. The crawl (`crawl.rs`)
//! sends the same cases through the forms the pages render, with their real fields; this test
//! reads the table, so a route no page links yet is covered the day it is added.
use crate::helpers::{TestApp, TestResponse};
use axum::http::StatusCode;
use parkcert::web::routes::{self, Route};

/// Field names the product's forms use, so that a typed extractor meets each one twice.
const FIELDS: &[&str] = &[
    "login",
    "password",
    "name",
    "title",
    "reason",
    "decision",
    "verdict",
    "result",
    "opinion",
    "conflict",
    "comments",
    "lock_version",
    "submit_token",
    "jurisdiction_id",
    "display_name",
    "code",
];

/// The one signed-in person whose area it is (the public and sign-in pages: nobody).
async fn client_for(app: &TestApp, area: &str) -> TestApp {
    let mut client = app.new_browser();
    match area {
        "public" => {}
        "admin" => {
            client.sign_in_admin().await;
        }
        "security" => {
            client.sign_in_platform("secadmin").await;
        }
        "auditing" => {
            client.sign_in_platform("auditadmin").await;
        }
        "account" | "bureau" | "inbox" => {
            client.sign_in_as("wz-bureau").await;
        }
        "operator" => {
            client.sign_in_as("wz-operator1").await;
        }
        "county" => {
            client.sign_in_as("wz-county-lucheng").await;
        }
        "expert" => {
            client.sign_in_as("wz-expert1").await;
        }
        other => panic!("no client for the area {other}"),
    }
    client
}

/// The route's address with the tenant filled in and every other placeholder an id no object
/// has, so that nothing a hostile request might reach exists.
fn address(route: &Route) -> String {
    route
        .path
        .split('/')
        .map(|part| match part {
            "{tenant}" => "wenzhou",
            p if p.starts_with('{') => "0",
            p => p,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_own_answer(path: &str, response: &TestResponse) -> bool {
    let content_type = response
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = if path.starts_with("/api/") {
        "application/json"
    } else {
        "text/html"
    };
    (response.status.is_redirection() || content_type.starts_with(expected))
        && response.headers.contains_key("content-security-policy")
        && response.headers.contains_key("x-content-type-options")
}

async fn audit_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Sends each hostile case to one route; returns the faults, one line each.
async fn fuzz(client: &mut TestApp, route: &Route) -> Vec<String> {
    let path = address(route);
    let mut faults = Vec::new();
    let mut check = |case: &str, response: TestResponse, refused: Option<StatusCode>| {
        let wrong_status = refused.is_some_and(|s| response.status != s);
        if response.status.is_server_error() || wrong_status || !is_own_answer(&path, &response) {
            faults.push(format!(
                "POST {path} with {case}: {} {:?}",
                response.status,
                response.headers.get("content-type")
            ));
        }
    };
    let unprocessable = Some(StatusCode::UNPROCESSABLE_ENTITY);
    let nul: Vec<(&str, &str)> = FIELDS.iter().map(|f| (*f, "a\0b")).collect();
    check("a NUL", client.post_form(&path, &nul).await, unprocessable);
    let rlo: Vec<(&str, &str)> = FIELDS.iter().map(|f| (*f, "a\u{202E}b")).collect();
    check(
        "a direction override",
        client.post_form(&path, &rlo).await,
        unprocessable,
    );
    let huge = "x".repeat(3 * 1024 * 1024);
    let too_large = Some(StatusCode::PAYLOAD_TOO_LARGE);
    check(
        "an oversized form",
        client.post_form(&path, &[("name", &huge)]).await,
        too_large,
    );
    let file = [("file", "huge.xlsx", huge.as_bytes())];
    check(
        "an oversized upload",
        client.post_multipart(&path, &[], &file).await,
        too_large,
    );
    // Last: with nothing wrong but its shape, a sign-out goes through.
    let twice: Vec<(&str, &str)> = FIELDS.iter().flat_map(|f| [(*f, "1"), (*f, "2")]).collect();
    check(
        "every field twice",
        client.post_form(&path, &twice).await,
        None,
    );
    let response = client.post_multipart(&path, &nul, &[]).await;
    check("a NUL in a multipart form", response, None);
    let response = client.post_multipart(&path, &twice, &[]).await;
    check("every multipart field twice", response, None);
    faults
}

#[tokio::test]
async fn every_post_route_in_the_table_refuses_hostile_input_with_the_products_page() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 64 * 1024).await;
    let table = routes::listed();
    let mut faults = Vec::new();
    let mut fuzzed = 0;
    for area in [
        "public", "admin", "security", "auditing", "bureau", "operator", "county", "expert",
        "account", "inbox",
    ] {
        let mut client = client_for(&app, area).await;
        for route in table.iter().filter(|r| r.area == area) {
            if !route.methods.contains("POST") {
                continue;
            }
            // Ending a session or signing out are meant to work whatever else is sent.
            if matches!(area, "account" | "public") {
                client = client_for(&app, area).await;
            }
            let before = audit_rows(&app).await;
            faults.extend(fuzz(&mut client, route).await);
            let after = audit_rows(&app).await;
            if after != before {
                faults.push(format!(
                    "POST {}: {} audit entries",
                    route.path,
                    after - before
                ));
            }
            fuzzed += 1;
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    assert!(fuzzed > 60, "only {fuzzed} POST routes in the table");
}

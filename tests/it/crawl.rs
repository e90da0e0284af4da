//! The crawl: as every demo account of both cities, and as the public, visit every page
//! reachable from the home page and submit every form found there with its own CSRF token and
//! empty fields. A link must never answer 404, 403 or 5xx; a form must reach a route that exists
//! for its method and role (a field error, a refusal or a redirect, never 404/405/5xx). A form
//! that posts to a URL its page's route table does not serve fails here, whatever the unit tests
//! that post straight to the right URL say.
use crate::helpers::{DEMO_PASSWORD, TestApp, TestResponse, duplicate_ids};
use axum::http::StatusCode;
use scraper::{ElementRef, Html, Selector};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// URLs of one shape (digits replaced) visited at most this often: every route is reached,
/// without walking each of a hundred versions of the same page.
const PER_SHAPE: usize = 3;
/// A bound on the crawl of one account, so that a page linking to ever new pages cannot hang it.
const MAX_PAGES: usize = 600;

#[derive(Debug, Clone)]
struct FormSeen {
    page: String,
    method: String,
    action: String,
    multipart: bool,
    /// Hidden fields with their values; every other named control empty.
    fields: Vec<(String, String)>,
    /// Names of file inputs: sent as a browser sends an empty one.
    files: Vec<String>,
}

fn shape(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    let keys: BTreeSet<&str> = url
        .split_once('?')
        .map(|(_, q)| q.split('&').filter_map(|kv| kv.split('=').next()).collect())
        .unwrap_or_default();
    let mut shaped = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                shaped.push('#');
            }
            in_digits = true;
        } else {
            shaped.push(c);
            in_digits = false;
        }
    }
    format!(
        "{shaped}?{}",
        keys.into_iter().collect::<Vec<_>>().join("&")
    )
}

/// The absolute path a link on `page` points to, when it stays on this server.
fn resolve(page: &str, href: &str) -> Option<String> {
    let href = href.split('#').next().unwrap_or("").trim();
    if href.is_empty() || href.contains("://") || href.contains(':') && !href.starts_with('/') {
        return None;
    }
    if href.starts_with("//") {
        return None;
    }
    if href.starts_with('/') {
        return Some(href.to_string());
    }
    let page_path = page.split('?').next().unwrap_or(page);
    if let Some(query) = href.strip_prefix('?') {
        return Some(format!("{page_path}?{query}"));
    }
    let dir = &page_path[..page_path.rfind('/').map(|i| i + 1).unwrap_or(0)];
    Some(format!("{dir}{href}"))
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
}

fn links_and_forms(page: &str, html: &str) -> (Vec<String>, Vec<FormSeen>) {
    let doc = Html::parse_document(html);
    let a = Selector::parse("a[href]").unwrap();
    let links = doc
        .select(&a)
        .filter_map(|e| resolve(page, &unescape(e.value().attr("href")?)))
        .collect();
    let form = Selector::parse("form").unwrap();
    let forms = doc.select(&form).map(|f| form_seen(page, f)).collect();
    (links, forms)
}

fn form_seen(page: &str, form: ElementRef) -> FormSeen {
    let controls = Selector::parse("input[name], textarea[name], select[name]").unwrap();
    let mut fields = Vec::new();
    let mut files = Vec::new();
    for control in form.select(&controls) {
        let el = control.value();
        let name = el.attr("name").unwrap_or("").to_string();
        match (el.name(), el.attr("type").unwrap_or("text")) {
            ("input", "hidden") => fields.push((name, el.attr("value").unwrap_or("").to_string())),
            ("input", "file") => files.push(name),
            // Unchecked boxes and radios are not sent, as in a browser.
            ("input", "checkbox" | "radio" | "submit" | "button" | "reset") => {}
            _ => {
                if !fields.iter().any(|(n, _)| *n == name) {
                    fields.push((name, String::new()));
                }
            }
        }
    }
    let method = form
        .value()
        .attr("method")
        .unwrap_or("get")
        .to_ascii_lowercase();
    let action = form
        .value()
        .attr("action")
        .and_then(|a| resolve(page, &unescape(a)))
        .unwrap_or_else(|| page.to_string());
    FormSeen {
        page: page.to_string(),
        method,
        multipart: form.value().attr("enctype") == Some("multipart/form-data"),
        action,
        fields,
        files,
    }
}

/// Words of one city that must not appear on the other's pages: every text specific to a city
/// comes from its own rule set or settings.
fn other_citys_words(url: &str) -> &'static [&'static str] {
    // The built-in templates of every city are offered to every bureau to adopt.
    if url.ends_with("/bureau/rulesets") {
        return &[];
    }
    if url.starts_with("/t/zhongshan") {
        &[
            "温州",
            "0577-",
            "鹿城",
            "综试区线上服务平台",
            "县（市、区）",
            // Wenzhou's 办法 numbers its forms 附件1–3; Zhongshan's has none.
            "附件1",
            "附件2",
            "附件3",
        ]
    } else if url.starts_with("/t/wenzhou") {
        &["中山", "0760-", "古镇", "镇街"]
    } else {
        &[]
    }
}

fn is_html(response: &TestResponse) -> bool {
    response
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Visits everything reachable from `start` and then submits every form seen; returns the
/// faults found, one line each.
async fn crawl(app: &mut TestApp, start: &str) -> Vec<String> {
    crawl_at_least(app, start, 4).await
}

/// The crawl, failing unless it reaches `least` pages (a crawl that reached almost nothing is
/// itself broken).
async fn crawl_at_least(app: &mut TestApp, start: &str, least: usize) -> Vec<String> {
    let mut faults = Vec::new();
    let mut queue = VecDeque::from([(start.to_string(), "(start)".to_string())]);
    let mut seen = BTreeSet::new();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut forms: BTreeMap<(String, String), FormSeen> = BTreeMap::new();
    let mut visited = 0;
    while let Some((url, from)) = queue.pop_front() {
        if visited >= MAX_PAGES || !seen.insert(url.clone()) {
            continue;
        }
        let count = shapes.entry(shape(&url)).or_default();
        if *count >= PER_SHAPE {
            continue;
        }
        *count += 1;
        visited += 1;
        let response = app.get(&url).await;
        let status = response.status;
        if status == StatusCode::NOT_FOUND
            || status == StatusCode::FORBIDDEN
            || status.is_server_error()
        {
            faults.push(format!("GET {url} (linked from {from}): {status}"));
            continue;
        }
        if status.is_redirection() {
            queue.push_back((response.location().to_string(), url.clone()));
            continue;
        }
        if !is_html(&response) {
            continue;
        }
        for word in other_citys_words(&url) {
            if let Some(at) = response.body.find(word) {
                let before: String = response.body[..at].chars().rev().take(40).collect();
                let context: String = before.chars().rev().collect();
                faults.push(format!(
                    "GET {url}: another city's text {word:?} in …{context}…"
                ));
            }
        }
        for id in duplicate_ids(&response.body) {
            faults.push(format!("GET {url}: the id {id:?} is used more than once"));
        }
        let (links, page_forms) = links_and_forms(&url, &response.body);
        for link in links {
            queue.push_back((link, url.clone()));
        }
        for form in page_forms {
            if form.action.contains("_csrf") {
                faults.push(format!(
                    "GET {url}: a form carries its token in the address {}",
                    form.action
                ));
            }
            let key = (form.method.clone(), shape(&form.action));
            forms.entry(key).or_insert(form);
        }
    }
    assert!(
        visited >= least,
        "the crawl from {start} reached only {visited} pages"
    );
    eprintln!("crawl from {start}: {visited} pages, {} forms", forms.len());
    for form in forms.into_values() {
        if form.action.ends_with("/logout") {
            continue;
        }
        // A hostile variant that still did the form's work (a detach whose only field is the
        // token, say) may leave the plain submission nothing to act on: its 404 is then right.
        let mut consumed = false;
        if form.method == "post" {
            for (case, hostile) in hostile_variants(&form) {
                let response = submit(app, &hostile).await;
                consumed |= response.status.is_redirection();
                let plain = !response.status.is_redirection() && !is_html(&response);
                if response.status.is_server_error() || plain {
                    faults.push(format!(
                        "POST {} (form on {}) with {case}: {} {:?}",
                        form.action,
                        form.page,
                        response.status,
                        response.headers.get("content-type")
                    ));
                }
            }
        }
        let response = submit(app, &form).await;
        let status = response.status;
        if (status == StatusCode::NOT_FOUND && !consumed)
            || status == StatusCode::METHOD_NOT_ALLOWED
            || status.is_server_error()
        {
            faults.push(format!(
                "{} {} (form on {}): {status}",
                form.method.to_uppercase(),
                form.action,
                form.page
            ));
        }
    }
    faults
}

/// The form as an attacker would send it: a NUL in every field but the token, a direction
/// override and a bell in every field, its first field twice, and its first field 3 MB long. Each must be refused with the product's own page, never a 500 or plain text.
fn hostile_variants(form: &FormSeen) -> Vec<(&'static str, FormSeen)> {
    let mut nul = form.clone();
    for (name, value) in nul.fields.iter_mut() {
        if name != "_csrf" {
            value.push_str("a\0b");
        }
    }
    let mut override_ = form.clone();
    for (name, value) in override_.fields.iter_mut() {
        if name != "_csrf" {
            value.push_str("a\u{202E}b\u{7}");
        }
    }
    let mut twice = form.clone();
    let mut oversized = form.clone();
    if let Some(first) = form.fields.iter().find(|(n, _)| n != "_csrf") {
        twice.fields.push(first.clone());
    }
    if let Some((_, value)) = oversized.fields.iter_mut().find(|(n, _)| n != "_csrf") {
        *value = "长".repeat(1024 * 1024);
    }
    vec![
        ("a NUL byte", nul),
        ("a direction override and a bell", override_),
        ("a field twice", twice),
        ("a field of 3 MB", oversized),
    ]
}

async fn submit(app: &mut TestApp, form: &FormSeen) -> TestResponse {
    let fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if form.method == "get" {
        let query = serde_urlencoded::to_string(&fields).unwrap();
        let sep = if form.action.contains('?') { '&' } else { '?' };
        return app.get(&format!("{}{sep}{query}", form.action)).await;
    }
    if form.multipart {
        // The page's own token is its first hidden field; a browser sends an empty, unnamed part
        // for a file input left empty.
        let files: Vec<(&str, &str, &[u8])> = form
            .files
            .iter()
            .map(|f| (f.as_str(), "", &b""[..]))
            .collect();
        return app.post_multipart(&form.action, &fields, &files).await;
    }
    app.post_raw(&form.action, &fields, &[]).await
}

/// The app with the whole demo: calls, applications in every state, parks under monitoring.
async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    app
}

async fn crawl_as(login: &str) {
    let mut app = demo_app().await;
    let tenant = if login.starts_with("zs-") {
        "zhongshan"
    } else {
        "wenzhou"
    };
    let response = app.sign_in(tenant, login, DEMO_PASSWORD).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "sign-in of {login}");
    let home = response.location().to_string();
    assert!(
        home.starts_with(&format!("/t/{tenant}/")),
        "{login}'s home is {home}"
    );
    let faults = crawl(&mut app, &home).await;
    assert!(faults.is_empty(), "as {login}:\n{}", faults.join("\n"));
}

macro_rules! crawls {
    ($($test:ident => $login:literal,)*) => {$(
        #[tokio::test]
        async fn $test() {
            crawl_as($login).await;
        }
    )*};
}

crawls! {
    every_link_and_form_of_the_wenzhou_bureau_reaches_a_route => "wz-bureau",
    every_link_and_form_of_a_wenzhou_county_reaches_a_route => "wz-county-lucheng",
    every_link_and_form_of_another_wenzhou_county_reaches_a_route => "wz-county-ruian",
    every_link_and_form_of_a_wenzhou_expert_reaches_a_route => "wz-expert1",
    every_link_and_form_of_a_second_wenzhou_expert_reaches_a_route => "wz-expert2",
    every_link_and_form_of_a_wenzhou_operator_reaches_a_route => "wz-operator1",
    every_link_and_form_of_another_wenzhou_operator_reaches_a_route => "wz-operator2",
    every_link_and_form_of_the_zhongshan_bureau_reaches_a_route => "zs-bureau",
    every_link_and_form_of_a_zhongshan_town_reaches_a_route => "zs-county-guzhen",
    every_link_and_form_of_another_zhongshan_town_reaches_a_route => "zs-county-torch",
    every_link_and_form_of_a_zhongshan_expert_reaches_a_route => "zs-expert1",
    every_link_and_form_of_a_zhongshan_operator_reaches_a_route => "zs-operator1",
    every_link_and_form_of_another_zhongshan_operator_reaches_a_route => "zs-operator2",
    every_link_and_form_of_a_barred_zhongshan_operator_reaches_a_route => "zs-operator3",
}

#[tokio::test]
async fn every_public_link_and_form_of_both_cities_reaches_a_route() {
    let mut app = demo_app().await;
    let faults = crawl(&mut app, "/").await;
    assert!(faults.is_empty(), "as the public:\n{}", faults.join("\n"));
}

#[tokio::test]
async fn every_link_and_form_of_the_platform_administrators_reaches_a_route() {
    let app = demo_app().await;
    for login in ["sysadmin", "secadmin", "auditadmin"] {
        let mut admin = app.new_browser();
        let response = admin.sign_in_platform(login).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER);
        let home = response.location().to_string();
        // The security administrator has one page of its own, and its account page.
        let least = if login == "secadmin" { 2 } else { 4 };
        let faults = crawl_at_least(&mut admin, &home, least).await;
        assert!(faults.is_empty(), "as {login}:\n{}", faults.join("\n"));
    }
}

#[test]
fn urls_of_one_route_share_a_shape_and_relative_links_resolve() {
    assert_eq!(
        shape("/t/wenzhou/bureau/applications/12/versions/3"),
        shape("/t/wenzhou/bureau/applications/7/versions/1")
    );
    assert_ne!(shape("/t/x/audit?page=2"), shape("/t/x/audit?kind=a"));
    assert_eq!(resolve("/t/x/a/b", "c").as_deref(), Some("/t/x/a/c"));
    assert_eq!(resolve("/t/x/a?q=1", "?q=2").as_deref(), Some("/t/x/a?q=2"));
    assert_eq!(resolve("/t/x/a", "https://gov.cn/"), None);
    assert_eq!(resolve("/t/x/a", "mailto:a@b"), None);
}

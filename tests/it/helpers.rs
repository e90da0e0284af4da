//! The test harness: one private PostgreSQL cluster per test process, a template database
//! migrated and seeded with the demo accounts once, and a fresh copy of it for every test.
//! `TestApp` drives the real router in-process, keeping cookies like a browser.
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use parkcert::config::Config;
use parkcert::pgcluster::Cluster;
use parkcert::state::AppState;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use tower::ServiceExt;

pub const DEMO_PASSWORD: &str = parkcert::demo::DEMO_PASSWORD;
const TEMPLATE_DB: &str = "parkcert_template";
/// The test cluster's password for the application's login role.
const APP_PASSWORD: &str = "parkcertTestAppLogin2026";

struct Shared {
    cluster: Cluster,
    root: PathBuf,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        // Each #[tokio::test] has its own runtime; the one-time setup gets its own thread and
        // runtime so that nothing it creates is tied to the first test's runtime.
        std::thread::spawn(|| {
            let root = std::env::temp_dir().join(format!("parkcert-test-{}", std::process::id()));
            remove_stale_roots();
            std::fs::create_dir_all(&root).expect("creating the test directory");
            let cluster =
                Cluster::start(&root.join("pg")).expect("starting the test PostgreSQL cluster");
            cluster
                .ensure_database(TEMPLATE_DB)
                .expect("creating the template database");
            let url = cluster.url(TEMPLATE_DB);
            tokio::runtime::Runtime::new()
                .expect("runtime")
                .block_on(async {
                    let pool = PgPoolOptions::new()
                        .max_connections(2)
                        .connect(&url)
                        .await
                        .expect("connecting");
                    parkcert::server::MIGRATOR
                        .run(&pool)
                        .await
                        .expect("migrating the template database");
                    parkcert::demo::seed(&pool)
                        .await
                        .expect("seeding the demo accounts");
                    parkcert::db::scope::ensure_app_login(&pool, APP_PASSWORD)
                        .await
                        .expect("creating the application's login role");
                    pool.close().await;
                });
            Shared { cluster, root }
        })
        .join()
        .expect("test database setup panicked")
    })
}

/// Test directories of processes that no longer run (their clusters were stopped by the
/// cluster's watchdog; only the files remain).
fn remove_stale_roots() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(pid) = name
            .strip_prefix("parkcert-test-")
            .and_then(|p| p.parse::<u32>().ok())
            && !PathBuf::from(format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A tenant's id by its slug.
pub async fn tenant_id(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The owner's (superuser's) URL of a database of the test cluster.
pub fn cluster_url(database: &str) -> String {
    shared().cluster.url(database)
}

/// The application login's URL of a database of the test cluster (as the server connects).
pub fn app_url(database: &str) -> String {
    format!(
        "postgres://{}:{APP_PASSWORD}@127.0.0.1:{}/{database}",
        parkcert::db::scope::APP_LOGIN,
        shared().cluster.port()
    )
}

/// A client program of the test cluster's PostgreSQL (pg_dump, pg_restore).
pub fn pg_tool(name: &'static str) -> PathBuf {
    shared()
        .cluster
        .tool(name)
        .expect("PostgreSQL client programs")
}

/// A fresh database copied from the migrated, seeded template.
pub async fn fresh_database() -> PgPool {
    let shared = shared();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&shared.cluster.url("postgres"))
        .await
        .expect("admin connection");
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
        .execute(&mut admin)
        .await
        .expect("creating a test database");
    admin.close().await.ok();
    // As the server does: its own login, acting as parkcert_app, under row-level security.
    parkcert::db::scope::pool_options()
        .max_connections(4)
        .connect(&app_url(&name))
        .await
        .expect("connecting to the test database")
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_status(&self, expected: StatusCode) -> &Self {
        assert_eq!(
            self.status, expected,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }

    /// A 303 See Other to exactly `expected`.
    #[track_caller]
    pub fn assert_redirect_to(&self, expected: &str) -> &Self {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a 303 See Other to {expected:?}, got {} (Location {:?}); body:\n{}",
            self.status,
            self.location(),
            self.body
        );
        assert_eq!(
            self.location(),
            expected,
            "redirected to {:?}, expected {expected:?}",
            self.location()
        );
        self
    }

    /// A 303 See Other to a target that starts with `prefix` (for a target holding a value the
    /// test cannot know, such as a fresh id).
    #[track_caller]
    pub fn assert_redirect_starting(&self, prefix: &str) -> &Self {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a 303 See Other to {prefix:?}…, got {} (Location {:?}); body:\n{}",
            self.status,
            self.location(),
            self.body
        );
        assert!(
            self.location().starts_with(prefix),
            "redirected to {:?}, expected a target starting with {prefix:?}",
            self.location()
        );
        self
    }

    #[track_caller]
    pub fn assert_not_contains(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }
}

/// The app under test with one browser's cookie jar.
pub struct TestApp {
    pub state: AppState,
    pub db: PgPool,
    pub router: Router,
    pub cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
    pub ip: SocketAddr,
    pub data_dir: PathBuf,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// The app with a configuration the test adjusts (limits, say).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = fresh_database().await;
        let data_dir = shared()
            .root
            .join(format!("files-{}", uuid::Uuid::new_v4().simple()));
        let mut config = Config::for_tests(data_dir.clone());
        // One key store per test process, as in a server process.
        config.key_file = shared().root.join("keys.json");
        parkcert::io::crypto::install_from(&config.key_file).unwrap();
        adjust(&mut config);
        let state = AppState::new(db.clone(), config);
        TestApp {
            router: parkcert::app(state.clone()),
            state,
            db,
            cookies: BTreeMap::new(),
            csrf: None,
            ip: "198.51.100.7:40000".parse().unwrap(),
            data_dir,
        }
    }

    /// Another tab of this browser: the same cookies and CSRF token (for concurrent requests).
    pub fn same_browser(&self) -> TestApp {
        TestApp {
            cookies: self.cookies.clone(),
            csrf: self.csrf.clone(),
            ..self.new_browser()
        }
    }

    /// Another browser (no cookies) on the same server and database.
    pub fn new_browser(&self) -> TestApp {
        TestApp {
            state: self.state.clone(),
            db: self.db.clone(),
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
            ip: self.ip,
            data_dir: self.data_dir.clone(),
        }
    }

    pub async fn request(&mut self, req: Request<Body>) -> TestResponse {
        let mut req = req;
        req.extensions_mut().insert(ConnectInfo(self.ip));
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut()
                .insert(header::COOKIE, HeaderValue::from_str(&jar).unwrap());
        }
        req.headers_mut()
            .entry(header::HOST)
            .or_insert(HeaderValue::from_static("localhost"));
        let response = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        for cookie in response.headers().get_all(header::SET_COOKIE) {
            self.store_cookie(cookie.to_str().unwrap());
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("reading the body")
            .to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(token) = hidden_csrf(&body) {
            self.csrf = Some(token);
        }
        TestResponse {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    fn store_cookie(&mut self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or("");
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let expired = set_cookie.to_ascii_lowercase().contains("max-age=0");
        if expired || value.is_empty() {
            self.cookies.remove(name.trim());
        } else {
            self.cookies
                .insert(name.trim().to_string(), value.trim().to_string());
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = Request::builder().uri(path).body(Body::empty()).unwrap();
        self.request(req).await
    }

    /// Posts a form the way a browser does, with the CSRF token of the last page seen.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        if self.csrf.is_none() {
            self.get("/t/wenzhou/login").await;
        }
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &token)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// Posts exactly the given fields and headers (for CSRF tests).
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.request(builder.body(Body::from(body)).unwrap()).await
    }

    /// Posts a multipart form as a browser's file upload does: text fields, then files as
    /// `(field, file name, bytes)`; the CSRF token goes first, as the pages' hidden field does.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        const BOUNDARY: &str = "----parkcert-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        // The token travels as the first part, as the page's hidden field puts it.
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !fields.iter().any(|(name, _)| *name == "_csrf") {
            all.push(("_csrf", &token));
        }
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, filename, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap();
        self.request(req).await
    }

    pub async fn sign_in(&mut self, tenant: &str, login: &str, password: &str) -> TestResponse {
        let login_page = format!("/t/{tenant}/login");
        self.get(&login_page).await;
        let response = self
            .post_form(&login_page, &[("login", login), ("password", password)])
            .await;
        self.follow(&response).await;
        response
    }

    /// Loads the page a redirect points to, as a browser would (which also picks up the new
    /// session's CSRF token after sign-in).
    pub async fn follow(&mut self, response: &TestResponse) {
        if response.status == StatusCode::SEE_OTHER {
            let location = response.location().to_string();
            self.get(&location).await;
        }
    }

    /// Signs in a demo account (its tenant follows from the login's prefix).
    pub async fn sign_in_as(&mut self, login: &str) -> TestResponse {
        let tenant = if login.starts_with("zs-") {
            "zhongshan"
        } else {
            "wenzhou"
        };
        let response = self.sign_in(tenant, login, DEMO_PASSWORD).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "sign-in of {login} failed: {}",
            response.body
        );
        response
    }

    /// Signs in as the platform's system administrator.
    pub async fn sign_in_admin(&mut self) -> TestResponse {
        self.sign_in_platform("sysadmin").await
    }

    /// Signs in as one of the platform's three administrators (`sysadmin`, `secadmin`,
    /// `auditadmin`).
    pub async fn sign_in_platform(&mut self, login: &str) -> TestResponse {
        self.get("/admin/login").await;
        let response = self
            .post_form(
                "/admin/login",
                &[("login", login), ("password", DEMO_PASSWORD)],
            )
            .await;
        self.follow(&response).await;
        response
    }

    pub async fn sign_out(&mut self) -> TestResponse {
        self.post_form("/logout", &[]).await
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("parkcert").cloned()
    }
}

/// A file under `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// The page's CSRF token: its hidden field.
fn hidden_csrf(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// Ids a page uses more than once (invalid HTML: a label or an error message would point at the
/// wrong field).
pub fn duplicate_ids(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let with_id = scraper::Selector::parse("[id]").unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut twice = std::collections::BTreeSet::new();
    for e in doc.select(&with_id) {
        let id = e.value().attr("id").unwrap_or("").to_string();
        if !seen.insert(id.clone()) {
            twice.insert(id);
        }
    }
    twice.into_iter().collect()
}

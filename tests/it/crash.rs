//! The crash test: the real server binary, killed with SIGKILL at a random moment while an
//! operator submits an application and uploads files, restarted, again and again. Everything
//! the server confirmed (a redirect after the POST) is there afterwards, no row names a file
//! that is missing, and no transition is half done.
//!
//! `PARKCERT_CRASH_ITERATIONS` sets the number of kills (default 5, which CI runs; the full
//! run is `PARKCERT_CRASH_ITERATIONS=100 cargo test --test it crash`). Loopback only.
use crate::helpers::{TestApp, app_url, cluster_url, fixture};
use crate::intake::{apply, complete_draft, hidden, id_of, open_call};
use parkcert::io::storage::FileStore;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A browser for the real server: cookies, the CSRF token, no redirects followed.
pub(crate) struct Client {
    base: String,
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
    csrf: String,
}

/// What a request came to: a status, the redirect target, the body; None when the server was
/// gone (killed mid-request).
pub(crate) type Answer = Option<(u16, String, String)>;

impl Client {
    pub(crate) fn new(port: u16) -> Client {
        Client {
            base: format!("http://127.0.0.1:{port}"),
            agent: ureq::AgentBuilder::new()
                .redirects(0)
                .timeout(Duration::from_secs(10))
                .build(),
            cookies: BTreeMap::new(),
            csrf: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn finish(&mut self, result: Result<ureq::Response, ureq::Error>) -> Answer {
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(_)) => return None,
        };
        for set in response.all("set-cookie") {
            if let Some((name, value)) = set.split(';').next().and_then(|kv| kv.split_once('=')) {
                self.cookies
                    .insert(name.trim().to_string(), value.to_string());
            }
        }
        let status = response.status();
        let location = response.header("location").unwrap_or("").to_string();
        let body = response.into_string().ok()?;
        if let Some(at) = body.find("name=\"_csrf\" value=\"") {
            self.csrf = hidden(&body[at..], "_csrf");
        }
        Some((status, location, body))
    }

    pub(crate) fn get(&mut self, path: &str) -> Answer {
        let request = self
            .agent
            .get(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie_header());
        let result = request.call();
        self.finish(result)
    }

    pub(crate) fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all = vec![("_csrf", self.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let request = self
            .agent
            .post(&format!("{}{path}", self.base))
            .set("cookie", &self.cookie_header())
            .set("origin", &self.base.clone());
        let result = request.send_form(&pairs);
        self.finish(result)
    }

    fn upload(&mut self, path: &str, category: &str, name: &str, bytes: &[u8]) -> Answer {
        self.post_multipart(path, &[("category", category)], ("file", name, bytes))
    }

    /// A multipart POST as a browser's upload form sends it: the token first, the fields, one
    /// file.
    pub(crate) fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        (field, name, bytes): (&str, &str, &[u8]),
    ) -> Answer {
        const BOUNDARY: &str = "----parkcert-crash-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in std::iter::once(("_csrf", self.csrf.as_str())).chain(fields.iter().copied()) {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let url = format!("{}{path}", self.base);
        let request = self
            .agent
            .post(&url)
            .set("cookie", &self.cookie_header())
            .set("origin", &self.base.clone())
            .set(
                "content-type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            );
        let result = request.send_bytes(&body);
        self.finish(result)
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub(crate) fn start_server(database: &str, data_dir: &std::path::Path, port: u16) -> Child {
    start_server_with(database, data_dir, port, &[])
}

/// The server binary with extra environment (`env`), once it answers `/healthz`.
pub(crate) fn start_server_with(
    database: &str,
    data_dir: &std::path::Path,
    port: u16,
    env: &[(&str, &str)],
) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_parkcert"))
        .envs(env.iter().copied())
        .env("DATABASE_URL", app_url(database))
        .env("PARKCERT_MIGRATION_DATABASE_URL", cluster_url(database))
        .env("PARKCERT_DATA_DIR", data_dir)
        .env("PARKCERT_BIND", format!("127.0.0.1:{port}"))
        .env("PARKCERT_DEMO", "false")
        .env("PARKCERT_UPLOADS_PER_HOUR", "1000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the server");
    let started = Instant::now();
    let mut probe = Client::new(port);
    while probe.get("/healthz").is_none_or(|(s, _, _)| s != 200) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// A pseudo-random delay, different each iteration (no seed to keep: any moment will do).
fn random_millis(iteration: u64, range: std::ops::Range<u64>) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    range.start + (nanos ^ iteration.wrapping_mul(0x9E37_79B9)) % (range.end - range.start)
}

#[derive(Default)]
struct Confirmed {
    submissions: Vec<i64>,
    uploads: Vec<String>,
}

/// One operator's session against the running server: submit `draft`, then upload files to
/// `scratch` until the server is killed.
fn operator_run(port: u16, draft: &str, scratch: &str, iteration: usize) -> Confirmed {
    let mut confirmed = Confirmed::default();
    let mut client = Client::new(port);
    if client.get("/t/wenzhou/login").is_none() {
        return confirmed;
    }
    let signed_in = client.post_form(
        "/t/wenzhou/login",
        &[
            ("login", "wz-operator1"),
            ("password", crate::helpers::DEMO_PASSWORD),
        ],
    );
    if signed_in.is_none_or(|(s, _, _)| s != 303) {
        return confirmed;
    }
    if let Some((200, _, page)) = client.get(draft) {
        let fields =
            ["submit_token", "lock_version", "roster_lock_version"].map(|n| (n, hidden(&page, n)));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match client.post_form(&format!("{draft}/submit"), &pairs) {
            Some((303, _, _)) => confirmed.submissions.push(id_of(draft).parse().unwrap()),
            Some((status, _, body)) => panic!("submit answered {status}: {body}"),
            None => return confirmed,
        }
    }
    let pdf = fixture("documents/licence.pdf");
    if client.get(scratch).is_none() {
        return confirmed;
    }
    for n in 0.. {
        // Distinct content, so each upload is its own stored file.
        let mut bytes = pdf.clone();
        bytes.extend_from_slice(format!("\n% crash {iteration}-{n}\n").as_bytes());
        let name = format!("crash-{iteration}-{n}.pdf");
        match client.upload(&format!("{scratch}/documents"), "evidence", &name, &bytes) {
            Some((303, _, _)) => confirmed.uploads.push(name),
            Some((429, _, _)) => break,
            Some((status, _, body)) => panic!("upload answered {status}: {body}"),
            None => break,
        }
    }
    confirmed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_write_loses_nothing_it_confirmed() {
    let iterations: usize = std::env::var("PARKCERT_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut app = TestApp::spawn_with(|c| c.uploads_per_hour = 1_000_000).await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let mut drafts = Vec::new();
    for _ in 0..iterations {
        let base = apply(&mut operator, call).await;
        complete_draft(&mut operator, &base).await;
        drafts.push(base);
    }
    let scratch = apply(&mut operator, call).await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let mut confirmed = Confirmed::default();
    for (i, draft) in drafts.iter().enumerate() {
        let port = free_port();
        let mut server = start_server(&database, &app.data_dir, port);
        let (draft, scratch) = (draft.clone(), scratch.clone());
        let client = std::thread::spawn(move || operator_run(port, &draft, &scratch, i));
        std::thread::sleep(Duration::from_millis(random_millis(i as u64, 150..900)));
        server.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
        server.wait().ok();
        let done = client.join().expect("the client thread");
        confirmed.submissions.extend(done.submissions);
        confirmed.uploads.extend(done.uploads);
    }
    // A restart after the last kill comes up on the same data.
    let mut server = start_server(&database, &app.data_dir, free_port());
    server.kill().ok();
    server.wait().ok();

    // Everything confirmed is there.
    for id in &confirmed.submissions {
        let (state, versions, count): (String, i32, i64) = sqlx::query_as(
            "SELECT a.state, a.version_count,
                    (SELECT count(*) FROM application_versions v WHERE v.application_id = a.id)
             FROM applications a WHERE a.id = $1",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!((state.as_str(), versions, count), ("submitted", 1, 1));
    }
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT filename FROM documents WHERE filename LIKE 'crash-%'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let lost: Vec<&String> = confirmed
        .uploads
        .iter()
        .filter(|n| !stored.contains(n))
        .collect();
    assert!(lost.is_empty(), "confirmed but lost: {lost:?}");
    // No row names a missing file.
    let files = FileStore::new(&app.data_dir);
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT coalesce(storage_key, sha256) FROM documents")
            .fetch_all(&app.db)
            .await
            .unwrap();
    for sha in &hashes {
        assert!(
            files.get(sha).await.is_ok(),
            "a document row names missing file {sha}"
        );
    }
    // No half-done transition: versions, version counts, states and audit entries agree.
    let inconsistent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM applications a WHERE
           a.version_count <> (SELECT count(*) FROM application_versions v WHERE v.application_id = a.id)
        OR (a.state = 'submitted') <> (a.version_count > 0)
        OR a.version_count <> (SELECT count(*) FROM audit_log l WHERE l.object_kind = 'application'
                                 AND l.object_id = a.id::text AND l.action = 'submit')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(inconsistent, 0);
    eprintln!(
        "crash: {iterations} kills, {} submissions and {} uploads confirmed, 0 lost, {} stored files checked",
        confirmed.submissions.len(),
        confirmed.uploads.len(),
        hashes.len()
    );
}

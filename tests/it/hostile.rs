//! Hostile input against the real server binary (loopback only): bursts of sign-ins, guesses
//! sent at once. Memory is read from the server's /proc status, never inferred from timing.
use crate::crash::{Client, free_port, start_server};
use crate::helpers::{DEMO_PASSWORD, TestApp};
use axum::http::StatusCode;
use std::process::Child;

/// The server's resident memory now and at its peak, in KiB (VmRSS, VmHWM).
fn memory_kib(server: &Child) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id()))
        .expect("the server's /proc status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A running server on a fresh database with the demo accounts.
async fn real_server() -> (TestApp, Child, u16) {
    let app = TestApp::spawn().await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let port = free_port();
    let server = start_server(&database, &app.data_dir, port);
    (app, server, port)
}

/// `n` sign-ins sent at once from their own connections; the statuses that came back.
fn at_once(port: u16, n: usize, login: impl Fn(usize) -> (String, String)) -> Vec<u16> {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (login, password) = login(i);
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut client = Client::new(port);
                client.get("/t/wenzhou/login");
                barrier.wait();
                client
                    .post_form(
                        "/t/wenzhou/login",
                        &[("login", &login), ("password", &password)],
                    )
                    .map_or(0, |(status, _, _)| status)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[tokio::test]
async fn a_burst_of_sign_ins_queues_for_the_hashers_and_gives_the_memory_back() {
    let (_app, mut server, port) = real_server().await;
    // One sign-in first, so the baseline includes what every later one shares.
    at_once(port, 1, |_| {
        ("nobody-warmup".into(), "wrong-password-1".into())
    });
    let (baseline, _) = memory_kib(&server);
    let statuses = at_once(port, 20, |i| {
        (format!("nobody-{i}"), "wrong-password-1".into())
    });
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    let (after, peak) = memory_kib(&server);
    server.kill().ok();
    server.wait().ok();
    // 19 MiB per password check; only one per core runs at once.
    let hashers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8) as u64;
    let mib = |kib: u64| kib / 1024;
    eprintln!(
        "sign-in burst: baseline {} MiB, peak {} MiB, after {} MiB ({hashers} hashers)",
        mib(baseline),
        mib(peak),
        mib(after)
    );
    assert!(
        peak.saturating_sub(baseline) < (hashers + 2) * 20 * 1024,
        "peak {} MiB over a baseline of {} MiB",
        mib(peak),
        mib(baseline)
    );
    assert!(
        after.saturating_sub(baseline) < 40 * 1024,
        "{} MiB kept after the burst (baseline {} MiB)",
        mib(after),
        mib(baseline)
    );
}

#[tokio::test]
async fn guesses_sent_at_once_cannot_outrun_the_lock_out() {
    let (_app, mut server, port) = real_server().await;
    let statuses = at_once(port, 30, |_| {
        ("wz-operator1".into(), "wrong-password-1".into())
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 5, "only five guesses are checked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    // The right password now finds the account locked.
    let right = at_once(port, 1, |_| ("wz-operator1".into(), DEMO_PASSWORD.into()));
    server.kill().ok();
    server.wait().ok();
    assert_eq!(right, [429]);
}

#[tokio::test]
async fn a_nul_byte_or_a_direction_override_is_refused_in_chinese_never_a_500() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/login").await;
    app.post_form("/t/wenzhou/login", &[("login", "a\0b"), ("password", "x")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("不允许的字符");
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/jurisdictions").await;
    app.post_form(
        "/t/wenzhou/bureau/jurisdictions",
        &[("name", "\u{202E}区新"), ("kind", "district")],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jurisdictions WHERE name LIKE '%区新'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, 0);
    for path in [
        "/t/wenzhou/bureau/audit?kind=%00",
        "/t/wenzhou/bureau/audit?actor=%00",
        "/t/wenzhou/bureau/audit.csv?kind=%00",
    ] {
        app.get(path)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    app.get("/t/wenzhou/bureau/audit?page=9223372036854775807")
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_form_or_address_gets_the_products_own_page() {
    let mut app = TestApp::spawn().await;
    app.get("/t/wenzhou/login").await;
    let twice = app
        .post_form(
            "/t/wenzhou/login",
            &[("login", "a"), ("login", "b"), ("password", "x")],
        )
        .await;
    assert!(twice.status.is_client_error(), "{}", twice.status);
    assert!(
        twice.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        twice.headers
    );
    twice
        .assert_contains("提交的内容无法识别")
        .assert_not_contains("Failed to deserialize");
    app.sign_in_as("wz-bureau").await;
    let bad_id = app.get("/t/wenzhou/bureau/applications/not-a-number").await;
    assert!(bad_id.status.is_client_error());
    bad_id.assert_not_contains("Invalid URL");
    assert!(
        bad_id.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // A signed-in page is not kept by the browser.
    let home = app.get("/t/wenzhou/bureau").await;
    assert_eq!(home.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn an_oversized_body_gets_the_products_page_with_the_security_headers() {
    let mut app = TestApp::spawn_with(|c| c.max_upload_bytes = 1024 * 1024).await;
    app.sign_in_as("wz-bureau").await;
    let huge = vec![b'x'; 4 * 1024 * 1024];
    let response = app
        .post_multipart(
            "/t/wenzhou/bureau/experts/import",
            &[],
            &[("file", "huge.xlsx", &huge)],
        )
        .await;
    response
        .assert_status(StatusCode::PAYLOAD_TOO_LARGE)
        .assert_contains("超过上限");
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
    ] {
        assert!(
            response.headers.contains_key(name),
            "{name} missing: {:?}",
            response.headers
        );
    }
}

/// A real workbook of a few hundred KiB whose one shared string unpacks to `mib` MiB.
fn zip_bomb(mib: usize) -> Vec<u8> {
    use std::io::Write;
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "企业名称").unwrap();
    let plain = book.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let part = archive.by_index(i).unwrap();
        if part.name().unwrap() != "xl/sharedStrings.xml" {
            zip.raw_copy_file(part).unwrap();
        }
    }
    zip.start_file(
        "xl/sharedStrings.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>")
        .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..mib {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</t></si></sst>").unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn two_zip_bombs_at_once_are_refused_early_and_the_server_keeps_answering() {
    let mut app = TestApp::spawn_with(|c| c.uploads_per_hour = 1_000).await;
    let call = crate::intake::open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = crate::intake::apply(&mut operator, call).await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let port = free_port();
    let mut server = start_server(&database, &app.data_dir, port);
    let bomb = std::sync::Arc::new(zip_bomb(1024));
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let (baseline, _) = memory_kib(&server);
    let uploads: Vec<_> = (0..2)
        .map(|_| {
            let (bomb, base) = (bomb.clone(), base.clone());
            std::thread::spawn(move || {
                let mut client = Client::new(port);
                client.get("/t/wenzhou/login");
                client.post_form(
                    "/t/wenzhou/login",
                    &[("login", "wz-operator1"), ("password", DEMO_PASSWORD)],
                );
                let page = client
                    .get(&format!("{base}/roster"))
                    .map(|a| a.2)
                    .unwrap_or_default();
                let lock = crate::intake::hidden(&page, "roster_lock_version");
                client.post_multipart(
                    &format!("{base}/roster/import"),
                    &[("roster_lock_version", &lock)],
                    ("file", "企业名录.xlsx", &bomb),
                )
            })
        })
        .collect();
    // The health check keeps answering while the bombs are handled.
    let mut probe = Client::new(port);
    let mut slowest = std::time::Duration::ZERO;
    while !uploads.iter().all(|u| u.is_finished()) {
        let started = std::time::Instant::now();
        assert_eq!(probe.get("/healthz").map(|a| a.0), Some(200));
        slowest = slowest.max(started.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let answers: Vec<_> = uploads.into_iter().map(|u| u.join().unwrap()).collect();
    let (_, peak) = memory_kib(&server);
    server.kill().ok();
    server.wait().ok();
    eprintln!(
        "two bombs: slowest /healthz {slowest:?}, peak {} MiB over a baseline of {} MiB",
        peak / 1024,
        baseline / 1024
    );
    for answer in answers {
        let (status, _, body) = answer.expect("an answer");
        assert_eq!(status, 422, "the roster page again, with the message");
        assert!(body.contains("解压后过大"), "{body}");
    }
    assert!(
        peak.saturating_sub(baseline) < 256 * 1024,
        "peak {} MiB over a baseline of {} MiB",
        peak / 1024,
        baseline / 1024
    );
}

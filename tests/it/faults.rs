//! Fault tests in process: concurrent saves of one draft and a submission fired many times at
//! once. Nothing a user sent is silently lost, and nothing is done twice.
use crate::helpers::TestApp;
use crate::intake::{apply, hidden, id_of, jurisdiction_id, open_call, ready_to_submit};
use axum::http::StatusCode;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_saves_of_one_draft_exactly_one_wins_each_time() {
    let mut app = TestApp::spawn().await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    let county = jurisdiction_id(&app, "鹿城区").await;
    let id: i64 = id_of(&base).parse().unwrap();
    const PAIRS: usize = 20;
    let (mut won, mut refused) = (0, 0);
    for pair in 0..PAIRS {
        // Two tabs opened on the same version of the draft, saving different names at once.
        let page = operator.get(&format!("{base}/form")).await;
        let lock = hidden(&page.body, "lock_version");
        let mut tabs = JoinSet::new();
        for tab in ["甲", "乙"] {
            let mut browser = operator.same_browser();
            let (base, lock, county) = (base.clone(), lock.clone(), county.clone());
            let name = format!("{tab}园区{pair}");
            tabs.spawn(async move {
                let r = browser
                    .post_form(
                        &format!("{base}/form"),
                        &[
                            ("lock_version", &lock),
                            ("jurisdiction_id", &county),
                            ("park.name", &name),
                        ],
                    )
                    .await;
                (r.status, name, r.body)
            });
        }
        let mut winner = None;
        while let Some(done) = tabs.join_next().await {
            let (status, name, body) = done.unwrap();
            match status {
                StatusCode::SEE_OTHER => {
                    won += 1;
                    winner = Some(name);
                }
                StatusCode::CONFLICT => {
                    refused += 1;
                    assert!(
                        body.contains(&format!("value=\"{name}\"")),
                        "the loser's input is kept"
                    );
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        let saved: String = sqlx::query_scalar("SELECT park_name FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(
            Some(saved),
            winner,
            "pair {pair}: the stored name is the winner's"
        );
    }
    assert_eq!((won, refused), (PAIRS, PAIRS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_submission_fired_ten_times_at_once_makes_one_version() {
    let mut app = TestApp::spawn().await;
    let (operator, base, fields) = ready_to_submit(&mut app).await;
    let mut posts = JoinSet::new();
    for _ in 0..10 {
        let mut browser = operator.same_browser();
        let (base, fields) = (base.clone(), fields.clone());
        posts.spawn(async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = browser.post_form(&format!("{base}/submit"), &pairs).await;
            (r.status, r.body)
        });
    }
    while let Some(done) = posts.join_next().await {
        let (status, body) = done.unwrap();
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::CONFLICT,
            "{status}: {body}"
        );
    }
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM application_versions WHERE application_id = $1")
            .bind(id_of(&base).parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(versions, 1);
    let submits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'application' AND object_id = $1
           AND action = 'submit'",
    )
    .bind(id_of(&base))
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(submits, 1, "one transition, one audit entry");
}

#[tokio::test]
async fn uploads_beyond_the_hourly_limit_are_refused_and_nothing_is_stored() {
    let mut app = TestApp::spawn_with(|c| c.uploads_per_hour = 2).await;
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    let pdf = crate::helpers::fixture("documents/licence.pdf");
    operator.get(&base).await;
    for expected in [
        StatusCode::SEE_OTHER,
        StatusCode::SEE_OTHER,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let r = operator
            .post_multipart(
                &format!("{base}/documents"),
                &[("category", "evidence")],
                &[("file", "证明.pdf", &pdf)],
            )
            .await;
        r.assert_status(expected);
        if expected == StatusCode::TOO_MANY_REQUESTS {
            r.assert_contains("一小时内最多上传 2 个文件");
        }
    }
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM documents WHERE application_id = $1")
            .bind(id_of(&base).parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, 2);
}

/// Tables whose rows are never changed once written: a consistent backup holds a prefix of
/// each, whatever was written while it ran.
const APPEND_ONLY: &[&str] = &[
    "audit_log",
    "application_versions",
    "application_reviews",
    "awards",
    "monitoring_results",
    "periodic_report_versions",
    "revocations",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_write_load_restores_with_its_audit_chain_intact() {
    use crate::helpers::{cluster_url, pg_tool};
    use parkcert::db::audit;
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let source: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Writers: operators signing in (a session and an audit entry each) again and again while
    // pg_dump runs. What counts is that writes were in flight during the dump, not how many a
    // loaded machine manages: each write's span is kept and compared with the dump's.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = JoinSet::new();
    for w in 0..3 {
        let mut browser = app.new_browser();
        let stop = stop.clone();
        writers.spawn(async move {
            let mut spans = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let started = std::time::Instant::now();
                browser
                    .sign_in_as(if w == 0 {
                        "wz-operator1"
                    } else {
                        "zs-operator2"
                    })
                    .await;
                spans.push((started, std::time::Instant::now()));
            }
            spans
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let dump = std::env::temp_dir().join(format!("parkcert-backup-{source}.dump"));
    let dump_started = std::time::Instant::now();
    let dumped = tokio::process::Command::new(pg_tool("pg_dump"))
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(cluster_url(&source))
        .status()
        .await
        .unwrap();
    let dump_ended = std::time::Instant::now();
    assert!(dumped.success());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut during = 0;
    while let Some(spans) = writers.join_next().await {
        during += spans
            .unwrap()
            .iter()
            .filter(|(start, end)| *start < dump_ended && *end > dump_started)
            .count();
    }
    assert!(during > 0, "no write was in flight during the dump");

    // Restore into a fresh database of the same cluster.
    let restored = format!("r_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&cluster_url("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {restored}"))
        .execute(&admin)
        .await
        .unwrap();
    let status = tokio::process::Command::new(pg_tool("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(cluster_url(&restored))
        .arg(&dump)
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let _ = std::fs::remove_file(&dump);
    let copy = sqlx::PgPool::connect(&cluster_url(&restored))
        .await
        .unwrap();

    // Every tenant's chain verifies in the copy, and is a prefix of the live one.
    let tenants: Vec<Option<i64>> = sqlx::query_scalar("SELECT DISTINCT tenant_id FROM audit_log")
        .fetch_all(&copy)
        .await
        .unwrap();
    for tenant in tenants {
        let verified = audit::verify(&copy, tenant).await.unwrap();
        assert_eq!(verified.broken, None, "tenant {tenant:?}");
        let hash_at = |db: sqlx::PgPool| async move {
            sqlx::query_scalar::<_, String>(
                "SELECT hash FROM audit_log WHERE tenant_id IS NOT DISTINCT FROM $1 AND seq = $2",
            )
            .bind(tenant)
            .bind(verified.entries as i64)
            .fetch_one(&db)
            .await
            .unwrap()
        };
        let (in_copy, in_live) = (hash_at(copy.clone()).await, hash_at(app.db.clone()).await);
        assert_eq!(in_copy, in_live);
    }
    // Append-only tables: the copy holds exactly the live rows up to its last id.
    for table in APPEND_ONLY {
        let (count, max): (i64, Option<i64>) =
            sqlx::query_as(&format!("SELECT count(*), max(id) FROM {table}"))
                .fetch_one(&copy)
                .await
                .unwrap();
        let live: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE id <= coalesce($1, 0)"
        ))
        .bind(max)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(count, live, "{table}");
    }
    copy.close().await;
    // A closed pool's backends may still be exiting; FORCE does not wait on them.
    sqlx::query(&format!("DROP DATABASE {restored} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
}

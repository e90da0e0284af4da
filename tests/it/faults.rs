//! Fault tests in process: concurrent saves of one draft and a submission fired many times at
//! once. Nothing a user sent is silently lost, and nothing is done twice.
use crate::helpers::TestApp;
use crate::intake::{apply, complete_draft, hidden, id_of, jurisdiction_id, open_call};
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
    let call = open_call(&mut app).await;
    let mut operator = app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    let base = apply(&mut operator, call).await;
    complete_draft(&mut operator, &base).await;
    let page = operator.get(&base).await;
    let fields: Vec<(String, String)> = ["submit_token", "lock_version", "roster_lock_version"]
        .iter()
        .map(|name| (name.to_string(), hidden(&page.body, name)))
        .collect();
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

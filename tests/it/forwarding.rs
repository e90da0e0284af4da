//! Zhongshan's towns forward together (统一报送, 中山 第八条（二）): an opinion recorded on each
//! application, then one batch with one cover letter and a recommendation order.
use crate::helpers::{TestApp, fixture};
use crate::intake::open_call_in;
use crate::notifications::{logins, told_of};
use axum::http::StatusCode;
use parkcert::domain::notification::EventKind;

const GUZHEN: (&str, &str, &str) = ("zs-operator1", "zs-county-guzhen", "古镇镇");
const TORCH: (&str, &str, &str) = ("zs-operator2", "zs-county-torch", "中山港街道");

async fn submitted(
    app: &TestApp,
    who: (&'static str, &'static str, &'static str),
    park: &'static str,
) -> i64 {
    parkcert::demo::submitted(&app.state, "zhongshan", who, park)
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

/// The town's opinion on one application, as its page's form sends it (every manual check
/// attested when it recommends).
async fn record(
    town: &mut TestApp,
    id: i64,
    opinion: &str,
    comments: &str,
) -> crate::helpers::TestResponse {
    let page = format!("/t/zhongshan/county/applications/{id}");
    let html = town.get(&page).await.body;
    let attest: Vec<String> = html
        .match_indices("name=\"attest.")
        .map(|(at, _)| {
            let rest = &html[at + "name=\"".len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    let mut fields = vec![("opinion", opinion), ("comments", comments)];
    if opinion == "recommend" {
        fields.extend(attest.iter().map(|a| (a.as_str(), "on")));
    }
    town.post_multipart(&format!("{page}/opinion"), &fields, &[("letter", "", &[])])
        .await
}

#[tokio::test]
async fn a_town_forwards_its_checked_applications_in_one_batch_with_one_letter_and_an_order() {
    let mut app = TestApp::spawn().await;
    let call = open_call_in(&mut app, "zhongshan", "zs-bureau").await;
    let lamps = submitted(&app, GUZHEN, "古镇灯饰跨境电商产业园").await;
    let lights = submitted(&app, GUZHEN, "古镇照明跨境电商园").await;
    let harbour = submitted(&app, TORCH, "中山港跨境电商产业园").await;
    let mut town = app.new_browser();
    town.sign_in_as("zs-county-guzhen").await;

    // The page records the opinion and asks for no letter: the letter comes with the batch.
    let page = town
        .get(&format!("/t/zhongshan/county/applications/{lamps}"))
        .await;
    page.assert_contains("记录初审意见")
        .assert_contains("第八条（二）")
        .assert_not_contains("name=\"letter\"");
    let batch_form = format!("/t/zhongshan/county/calls/{call}/batch");
    record(&mut town, lamps, "recommend", "同意推荐。")
        .await
        .assert_redirect_to(&batch_form);
    assert_eq!(
        state_of(&app, lamps).await,
        "submitted",
        "recorded, not forwarded"
    );
    record(
        &mut town,
        lights,
        "not_recommend",
        "备案企业不足，不予推荐。",
    )
    .await
    .assert_redirect_to(&batch_form);

    // The form lists this town's two, never the other town's.
    let form = town.get(&batch_form).await;
    form.assert_status(StatusCode::OK)
        .assert_contains("古镇灯饰跨境电商产业园")
        .assert_contains("古镇照明跨境电商园")
        .assert_not_contains("中山港跨境电商产业园");
    let include = [
        (format!("include.{lamps}"), "on"),
        (format!("include.{lights}"), "on"),
    ];
    let fields: Vec<(&str, &str)> = include.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let letter = fixture("documents/licence.pdf");

    // A recommended park without its place in the order, or a batch without its letter, is
    // refused next to the field, with what was chosen kept.
    let refused = town
        .post_multipart(&batch_form, &fields, &[("letter", "推荐函.pdf", &letter)])
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(&format!("id=\"rank-{lamps}-error\""))
        .assert_contains("请填写推荐排序");
    let rank = format!("rank.{lamps}");
    let mut with_rank = fields.clone();
    with_rank.push((rank.as_str(), "1"));
    town.post_multipart(&batch_form, &with_rank, &[("letter", "", &[])])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请上传加盖公章的推荐函");
    assert_eq!(
        count(&app, "SELECT count(*) FROM forwarding_batches").await,
        0
    );

    let sent = town
        .post_multipart(
            &batch_form,
            &with_rank,
            &[("letter", "推荐函.pdf", &letter)],
        )
        .await;
    sent.assert_redirect_starting("/t/zhongshan/county/batches/");
    let batch_page = sent.location().to_string();
    for id in [lamps, lights] {
        assert_eq!(state_of(&app, id).await, "forwarded");
    }
    assert_eq!(state_of(&app, harbour).await, "submitted");
    let order: Vec<(i64, Option<i32>, String)> = sqlx::query_as(
        "SELECT application_id, rank, opinion FROM forwarding_batch_items ORDER BY rank NULLS LAST",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        order,
        vec![
            (lamps, Some(1), "recommend".to_string()),
            (lights, None, "not_recommend".to_string())
        ]
    );
    // Each forwarded application tells the bureau, once.
    let bureau_users = logins(&app, "zhongshan", "u.role = 'bureau'").await;
    assert_eq!(
        told_of(&app, EventKind::ApplicationForwarded, lamps).await,
        bureau_users
    );

    // The bureau sees the batch, in its order, with the letter; the call's page lists it.
    let batch = batch_page.rsplit('/').next().unwrap().to_string();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("zs-bureau").await;
    let seen = bureau
        .get(&format!("/t/zhongshan/bureau/batches/{batch}"))
        .await;
    seen.assert_status(StatusCode::OK)
        .assert_contains("古镇镇统一报送第 1 批")
        .assert_contains("推荐函.pdf");
    let (first, second) = (
        seen.body.find("古镇灯饰跨境电商产业园").unwrap(),
        seen.body.find("古镇照明跨境电商园").unwrap(),
    );
    assert!(first < second, "the recommended park comes first");
    bureau
        .get(&format!("/t/zhongshan/bureau/calls/{call}/applications"))
        .await
        .assert_contains(&format!("/batches/{batch}\">第 1 批"));
    bureau
        .get(&format!("/t/zhongshan/bureau/applications/{lamps}"))
        .await
        .assert_contains("统一报送第 1 批</a>，推荐排序第 1 位");

    // The letter ranks parks against each other: not for the operators, nor another town.
    let letter_id: i64 = sqlx::query_scalar("SELECT id FROM documents WHERE batch_id IS NOT NULL")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let file = format!("/t/zhongshan/files/{letter_id}");
    bureau.get(&file).await.assert_status(StatusCode::OK);
    town.get(&file).await.assert_status(StatusCode::OK);
    let mut operator = app.new_browser();
    operator.sign_in_as("zs-operator1").await;
    operator
        .get(&file)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut torch = app.new_browser();
    torch.sign_in_as("zs-county-torch").await;
    torch.get(&file).await.assert_status(StatusCode::NOT_FOUND);
    torch
        .get(&format!("/t/zhongshan/county/batches/{batch}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_batch_forwards_all_its_applications_or_none() {
    let mut app = TestApp::spawn().await;
    let call = open_call_in(&mut app, "zhongshan", "zs-bureau").await;
    let lamps = submitted(&app, GUZHEN, "古镇灯饰跨境电商产业园").await;
    let lights = submitted(&app, GUZHEN, "古镇照明跨境电商园").await;
    let mut town = app.new_browser();
    town.sign_in_as("zs-county-guzhen").await;
    record(&mut town, lamps, "recommend", "同意推荐。").await;
    record(&mut town, lights, "recommend", "同意推荐。").await;
    let batch_form = format!("/t/zhongshan/county/calls/{call}/batch");
    town.get(&batch_form).await;

    // While the form is open, a colleague returns one of them for revision.
    let mut colleague = town.same_browser();
    record(&mut colleague, lights, "return", "请补充海关统计证明。")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, lights).await, "draft");

    let fields = [
        (format!("include.{lamps}"), "on"),
        (format!("rank.{lamps}"), "1"),
        (format!("include.{lights}"), "on"),
        (format!("rank.{lights}"), "2"),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let letter = fixture("documents/licence.pdf");
    town.post_multipart(&batch_form, &fields, &[("letter", "推荐函.pdf", &letter)])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("已不在待统一报送");
    assert_eq!(state_of(&app, lamps).await, "submitted");

    // The service itself refuses the batch whole when one of its applications cannot go: the
    // first application's transition is undone with it.
    let county: i64 = sqlx::query_scalar("SELECT id FROM jurisdictions WHERE name = '古镇镇'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let by = parkcert::db::transition::By {
        actor: parkcert::domain::workflow::Actor::User(parkcert::domain::role::Role::County),
        user_id: Some(
            sqlx::query_scalar("SELECT id FROM users WHERE login = 'zs-county-guzhen'")
                .fetch_one(&app.db)
                .await
                .unwrap(),
        ),
        request_id: None,
        ip: None,
    };
    use parkcert::domain::forwarding::Item;
    let items = [
        Item {
            application_id: lamps,
            rank: Some(1),
        },
        Item {
            application_id: lights,
            rank: Some(2),
        },
    ];
    let file = parkcert::io::files::UploadedFile {
        filename: "推荐函.pdf".into(),
        kind: parkcert::io::storage::FileKind::Pdf,
        bytes: letter.clone(),
    };
    let batch = parkcert::service::forwarding::Batch {
        call_id: call,
        jurisdiction_id: county,
        items: &items,
        letter: &file,
    };
    let tenant = crate::helpers::tenant_id(&app, "zhongshan").await;
    let refused =
        parkcert::service::forwarding::forward_batch(&app.state, tenant, &by, &batch).await;
    assert!(refused.is_err());
    assert_eq!(state_of(&app, lamps).await, "submitted");
    assert_eq!(
        count(&app, "SELECT count(*) FROM forwarding_batches").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM documents WHERE batch_id IS NOT NULL"
        )
        .await,
        0
    );
    assert!(
        told_of(&app, EventKind::ApplicationForwarded, lamps)
            .await
            .is_empty()
    );

    // Without the returned one, the batch goes.
    let items = [Item {
        application_id: lamps,
        rank: Some(1),
    }];
    let batch = parkcert::service::forwarding::Batch {
        items: &items,
        ..batch
    };
    let (_, number) = parkcert::service::forwarding::forward_batch(&app.state, tenant, &by, &batch)
        .await
        .unwrap();
    assert_eq!(number, 1);
    assert_eq!(state_of(&app, lamps).await, "forwarded");
}

//! The audit trail: append-only in the database itself and hash-chained per tenant, so that an
//! entry changed behind the application's back is found by `audit verify`.
use crate::helpers::TestApp;
use parkcert::db::audit;

use crate::helpers::tenant_id as tenant;

#[tokio::test]
async fn every_tenants_chain_verifies_after_the_whole_demo_procedure() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    for slug in ["wenzhou", "zhongshan"] {
        let verified = audit::verify(&app.db, Some(tenant(&app, slug).await))
            .await
            .unwrap();
        assert_eq!(verified.broken, None, "{slug}");
        assert!(verified.entries > 50, "{slug}: {verified:?}");
    }
}

#[tokio::test]
async fn the_audit_trail_refuses_updates_and_deletes() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'award' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "TRUNCATE audit_log",
    ] {
        let refused = sqlx::query(sql).execute(&app.db).await;
        assert!(refused.is_err(), "{sql} went through");
    }
}

#[tokio::test]
async fn a_changed_or_removed_entry_breaks_the_chain_where_it_happened() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let wz = tenant(&app, "wenzhou").await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let owner = sqlx::PgPool::connect(&crate::helpers::cluster_url(&database))
        .await
        .unwrap();
    // Someone with the owner's rights (not the application's: it may not even try) switches
    // the guard off and edits the past.
    sqlx::raw_sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
         UPDATE audit_log SET after = '{{\"state\": \"awarded\"}}' WHERE tenant_id = {wz} AND seq = 40;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
    ))
    .execute(&owner)
    .await
    .unwrap();
    let verified = audit::verify(&app.db, Some(wz)).await.unwrap();
    assert_eq!(verified.broken.map(|(seq, _)| seq), Some(40));
    // The other tenant's chain is its own and still intact.
    let zs = tenant(&app, "zhongshan").await;
    assert_eq!(audit::verify(&app.db, Some(zs)).await.unwrap().broken, None);

    sqlx::raw_sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
         DELETE FROM audit_log WHERE tenant_id = {zs} AND seq = 7;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
    ))
    .execute(&owner)
    .await
    .unwrap();
    let (seq, why) = audit::verify(&app.db, Some(zs))
        .await
        .unwrap()
        .broken
        .unwrap();
    assert_eq!(seq, 8);
    assert!(why.contains("missing"), "{why}");
}

#[tokio::test]
async fn an_entry_changed_and_rehashed_without_the_key_fails_its_hmac_sm3_seal() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let wz = tenant(&app, "wenzhou").await;
    assert_eq!(audit::verify(&app.db, Some(wz)).await.unwrap().broken, None);
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let owner = sqlx::PgPool::connect(&crate::helpers::cluster_url(&database))
        .await
        .unwrap();
    // The owner edits entry 40 and recomputes the SHA-256 chain from there on, as anyone with
    // the database (but not the key) can.
    sqlx::raw_sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
         UPDATE audit_log SET after = '{{\"state\": \"awarded\"}}' WHERE tenant_id = {wz} AND seq = 40;
         DO $$
         DECLARE r RECORD; prev TEXT;
         BEGIN
             SELECT hash INTO prev FROM audit_log WHERE tenant_id = {wz} AND seq = 39;
             FOR r IN SELECT id FROM audit_log WHERE tenant_id = {wz} AND seq >= 40 ORDER BY seq LOOP
                 UPDATE audit_log SET prev_hash = prev WHERE id = r.id;
                 UPDATE audit_log a SET hash = audit_entry_hash(a) WHERE id = r.id RETURNING hash INTO prev;
             END LOOP;
         END $$;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
    ))
    .execute(&owner)
    .await
    .unwrap();
    let (seq, why) = audit::verify(&app.db, Some(wz))
        .await
        .unwrap()
        .broken
        .expect("the change is found");
    assert_eq!(seq, 40);
    assert!(why.contains("HMAC-SM3"), "{why}");
}

#[tokio::test]
async fn the_bureau_filters_and_exports_its_trail_and_each_application_shows_its_history() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = bureau
        .get("/t/wenzhou/bureau/audit?kind=title&action=delist_lapsed")
        .await;
    page.assert_status(axum::http::StatusCode::OK)
        .assert_contains("哈希链完整")
        .assert_contains("整改逾期摘牌")
        .assert_not_contains("<td>提交</td>");
    let csv = bureau
        .get("/t/wenzhou/bureau/audit.csv?kind=application")
        .await;
    assert!(csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    csv.assert_contains("序号,时间,操作人")
        .assert_contains(",申报,");
    assert!(
        !csv.body.contains(",称号,"),
        "the filter applies to the export"
    );
    // Zhongshan's entries are not in Wenzhou's trail.
    let zs_entry: String = sqlx::query_scalar(
        "SELECT a.hash FROM audit_log a JOIN tenants t ON t.id = a.tenant_id
         WHERE t.slug = 'zhongshan' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        !bureau
            .get("/t/wenzhou/bureau/audit.csv")
            .await
            .body
            .contains(&zs_entry)
    );
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county
        .get("/t/wenzhou/bureau/audit")
        .await
        .assert_status(axum::http::StatusCode::FORBIDDEN);

    // The application's own page lists its transitions with who, when and why.
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM applications WHERE park_name = '瑞安跨境电商产业园' AND version_count = 2",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    bureau
        .get(&format!("/t/wenzhou/bureau/applications/{id}"))
        .await
        .assert_contains("办理记录")
        .assert_contains("已提交 → 草稿")
        .assert_contains("入驻企业名录缺少部分企业的备案信息");
}

#[tokio::test]
async fn the_audit_page_names_every_recorded_object_action_and_state_in_chinese() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let pairs: Vec<(String, String)> =
        sqlx::query_as("SELECT DISTINCT object_kind, action FROM audit_log ORDER BY 1, 2")
            .fetch_all(&app.db)
            .await
            .unwrap();
    for (kind, action) in &pairs {
        use parkcert::domain::vocabulary::{action_label, object_kind_label};
        assert!(object_kind_label(kind).is_some(), "object kind {kind}");
        assert!(action_label(kind, action).is_some(), "{kind}: {action}");
    }
    let page = bureau.get("/t/wenzhou/bureau/audit").await;
    page.assert_contains("登录")
        .assert_contains("状态：")
        .assert_not_contains(">sign_in<")
        .assert_not_contains("\"state\"")
        .assert_not_contains(">user ");
    for (_, action) in &pairs {
        page.assert_not_contains(&format!("<td>{action}</td>"));
        page.assert_not_contains(&format!(">{action}</option>"));
    }
}

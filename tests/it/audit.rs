//! The audit trail: append-only in the database itself and hash-chained per tenant, so that an
//! entry changed behind the application's back is found by `audit verify`.
use crate::helpers::TestApp;
use parkcert::db::audit;

async fn tenant(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

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
    // Someone with the owner's rights switches the guard off and edits the past.
    sqlx::raw_sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
         UPDATE audit_log SET after = '{{\"state\": \"awarded\"}}' WHERE tenant_id = {wz} AND seq = 40;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;"
    ))
    .execute(&app.db)
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
    .execute(&app.db)
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

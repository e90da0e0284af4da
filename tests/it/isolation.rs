//! Tenant isolation enforced by PostgreSQL itself: the application's role is subject to
//! row-level security, so a query that forgets its tenant filter sees only its own tenant.
use crate::helpers::TestApp;
use parkcert::db::scope::{TenantScope, within};

use crate::helpers::tenant_id as tenant;

#[tokio::test]
async fn a_query_without_a_tenant_filter_sees_only_the_scoped_tenant() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let (wz, zs) = (
        tenant(&app, "wenzhou").await,
        tenant(&app, "zhongshan").await,
    );
    // The forgotten filter: no WHERE tenant_id at all.
    let tenants_seen = |scope| {
        let db = app.db.clone();
        within(scope, async move {
            sqlx::query_scalar::<_, i64>("SELECT DISTINCT tenant_id FROM applications ORDER BY 1")
                .fetch_all(&db)
                .await
                .unwrap()
        })
    };
    assert_eq!(tenants_seen(TenantScope::Tenant(wz)).await, [wz]);
    assert_eq!(tenants_seen(TenantScope::Tenant(zs)).await, [zs]);
    assert_eq!(tenants_seen(TenantScope::Nobody).await, Vec::<i64>::new());
    let mut both = tenants_seen(TenantScope::System).await;
    both.sort();
    assert_eq!(both.len(), 2, "the system's own work sees every tenant");

    // Every tenant-owned table is covered, and a write into another tenant is refused.
    let uncovered: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
           AND a.attname = 'tenant_id' AND NOT c.relrowsecurity",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(uncovered, Vec::<String>::new());
    let db = app.db.clone();
    let refused = within(TenantScope::Tenant(wz), async move {
        sqlx::query(
            "INSERT INTO jurisdictions (tenant_id, name, kind) VALUES ($1, '越界区', 'county')",
        )
        .bind(zs)
        .execute(&db)
        .await
    })
    .await;
    assert!(
        refused.is_err(),
        "a row for another tenant cannot be written"
    );
    let db = app.db.clone();
    let updated = within(TenantScope::Tenant(wz), async move {
        sqlx::query("UPDATE applications SET park_name = park_name")
            .execute(&db)
            .await
            .unwrap()
            .rows_affected()
    })
    .await;
    let wz_apps: i64 = sqlx::query_scalar("SELECT count(*) FROM applications WHERE tenant_id = $1")
        .bind(wz)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        updated as i64, wz_apps,
        "an unfiltered UPDATE touches only the scoped tenant"
    );
    // The application's login owns nothing, is no superuser, and cannot switch the guards
    // off, even after resetting its role.
    let (login, superuser): (String, bool) = sqlx::query_as(
        "SELECT session_user::text, rolsuper FROM pg_roles WHERE rolname = session_user",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (login.as_str(), superuser),
        (parkcert::db::scope::APP_LOGIN, false)
    );
    let db = app.db.clone();
    let mut conn = within(TenantScope::Tenant(wz), async move {
        db.acquire().await.unwrap()
    })
    .await;
    sqlx::query("RESET ROLE").execute(&mut *conn).await.unwrap();
    assert!(
        sqlx::query("ALTER TABLE applications DISABLE ROW LEVEL SECURITY")
            .execute(&mut *conn)
            .await
            .is_err()
    );
    let leaked: i64 = sqlx::query_scalar("SELECT count(DISTINCT tenant_id) FROM applications")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(leaked, 1, "after a reset it still sees only its tenant");
    sqlx::query("SET ROLE parkcert_app")
        .execute(&mut *conn)
        .await
        .unwrap();
}

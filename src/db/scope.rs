//! Which tenant's rows the database lets a query see (row-level security, migration 0014).
//!
//! A request runs inside the scope of the tenant its URL names (`/t/{slug}/…`); every connection
//! it takes from the pool is set to that tenant before use, so a query that forgets its tenant
//! filter still sees nothing of another tenant. Work that is the system's own (scheduled jobs,
//! the demo seeding, the command line, the platform admin's pages) runs unscoped, which is
//! `System`: it sees every tenant, as it must.
use sqlx::postgres::PgPoolOptions;
use std::future::Future;

tokio::task_local! {
    static SCOPE: TenantScope;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantScope {
    /// All tenants: the system's own work.
    System,
    Tenant(i64),
    /// No tenant's rows at all (a URL naming no known tenant).
    Nobody,
}

impl TenantScope {
    fn setting(self) -> String {
        match self {
            TenantScope::System => "system".into(),
            TenantScope::Tenant(id) => id.to_string(),
            TenantScope::Nobody => String::new(),
        }
    }
}

/// The scope of the running task (System outside any request).
pub fn current() -> TenantScope {
    SCOPE.try_with(|s| *s).unwrap_or(TenantScope::System)
}

/// Runs `f` with its queries scoped to `scope`.
pub async fn within<F: Future>(scope: TenantScope, f: F) -> F::Output {
    SCOPE.scope(scope, f).await
}

const SET_SCOPE: &str = "SELECT set_config('parkcert.tenant', $1, false)";

/// The application's pool: every connection acts as `parkcert_app` (so row-level security
/// applies) and is set to the current task's tenant each time it is handed out.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        // `before_acquire` runs a statement on every hand-out, which tests the connection as
        // well as sqlx's ping would (a broken one is dropped and another taken): one round trip
        // per query less.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET ROLE parkcert_app")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(SET_SCOPE)
                    .bind(current().setting())
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .before_acquire(|conn, _| {
            Box::pin(async move {
                sqlx::query(SET_SCOPE)
                    .bind(current().setting())
                    .execute(&mut *conn)
                    .await?;
                Ok(true)
            })
        })
}

/// The login role the server connects as: a member of `parkcert_app` that owns nothing and is
/// no superuser, so row-level security and the audit trail's missing rights apply to it even
/// if a statement reset its role.
pub const APP_LOGIN: &str = "parkcert_login";

/// Creates (or re-keys) the application's login role; run by the owner after migrating. The
/// password is ours (random letters and digits), so it can be spelled into the statement.
pub async fn ensure_app_login(owner: &sqlx::PgPool, password: &str) -> sqlx::Result<()> {
    if !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(sqlx::Error::Protocol(
            "the application password must be letters and digits".into(),
        ));
    }
    sqlx::raw_sql(&format!(
        "DO $$
         BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_LOGIN}') THEN
                 CREATE ROLE {APP_LOGIN} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
                     PASSWORD '{password}' IN ROLE parkcert_app;
             ELSE
                 ALTER ROLE {APP_LOGIN} LOGIN PASSWORD '{password}';
             END IF;
         END
         $$;"
    ))
    .execute(owner)
    .await
    .map(|_| ())
}

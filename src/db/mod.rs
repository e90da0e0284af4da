//! Queries. Every query on tenant-owned data takes the tenant id and filters by it.
pub mod applications;
pub mod audit;
pub mod awards;
pub mod calendar;
pub mod calls;
pub mod documents;
pub mod experts;
pub mod jurisdictions;
pub mod monitoring;
pub mod objections;
pub mod organizations;
pub mod panels;
pub mod publicity;
pub mod rulesets;
pub mod scope;
pub mod tenants;
pub mod titles;
pub mod todo;
pub mod transition;
pub mod users;
pub mod versions;

/// Maps a unique-constraint violation to `Some(constraint name)` so callers can turn it into a
/// message next to the right form field.
pub fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Some(db.constraint().unwrap_or_default().to_string())
        }
        _ => None,
    }
}

/// Whether the database answers (the health check).
pub async fn ping(pool: &sqlx::PgPool) -> sqlx::Result<()> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await
        .map(drop)
}

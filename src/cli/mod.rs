//! Command-line subcommands other than `serve`.
pub mod audit;
pub mod evaluate;
pub mod keys;
pub mod rules;
pub mod user;
pub mod workdays;

use crate::config::Config;
use crate::server::Database;

/// `parkcert migrate`: apply pending migrations and exit.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    let result = match db.migrate().await {
        // An upgrade seals the audit entries written before the seals, as the server would.
        Ok(()) => crate::db::audit::seal_backlog(&db.pool)
            .await
            .map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    db.close().await;
    let sealed = result?;
    println!("migrations applied; {sealed} older audit entries sealed");
    Ok(())
}

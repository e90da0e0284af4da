//! Command-line subcommands other than `serve`.
pub mod audit;
pub mod evaluate;
pub mod rules;
pub mod user;
pub mod workdays;

use crate::config::Config;
use crate::server::Database;

/// `parkcert migrate`: apply pending migrations and exit.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    let result = db.migrate().await;
    db.close().await;
    result?;
    println!("migrations applied");
    Ok(())
}

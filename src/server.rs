//! Opening the database (an existing server, or our own private cluster) and serving HTTP.
use crate::config::Config;
use crate::state::AppState;
use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::net::SocketAddr;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub const DATABASE_NAME: &str = "parkcert";

// The private cluster is development tooling (the `dev` feature, on by default so that
// `cargo run` needs no setup); a build without it needs DATABASE_URL.
#[cfg(feature = "dev")]
use crate::pgcluster::{Cluster, open_private};

#[cfg(not(feature = "dev"))]
type Cluster = std::convert::Infallible;

#[cfg(not(feature = "dev"))]
struct Private {
    owner_url: String,
    app_url: String,
    app_password: String,
    cluster: Cluster,
    lock: nix::fcntl::Flock<std::fs::File>,
}

#[cfg(not(feature = "dev"))]
async fn open_private(_: &Config) -> anyhow::Result<Private> {
    anyhow::bail!(
        "DATABASE_URL is not set, and this build has no private PostgreSQL cluster (it was built without the `dev` feature)"
    )
}

#[cfg(not(feature = "dev"))]
fn stop(cluster: Cluster) -> anyhow::Result<()> {
    match cluster {}
}

#[cfg(feature = "dev")]
fn stop(cluster: Cluster) -> anyhow::Result<()> {
    Ok(cluster.stop()?)
}

/// The database and, when we started it, the private cluster that must be stopped at the end.
pub struct Database {
    pub pool: PgPool,
    /// The owner's connection, for migrations only.
    pub owner: PgPool,
    /// The private cluster's password for the application's login role.
    app_password: Option<String>,
    cluster: Option<Cluster>,
    /// Held while we run the private cluster: a second process on the same data directory (say
    /// `parkcert user create` while the server runs) would otherwise restart it under the server.
    _lock: Option<nix::fcntl::Flock<std::fs::File>>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the private cluster in the configured directory.
    pub async fn open(config: &Config) -> anyhow::Result<Database> {
        // Every command that opens the database may write the audit trail, which is sealed.
        crate::io::crypto::install_from(&config.key_file)?;
        let (owner_url, app_url, app_password, cluster, lock) = match &config.database_url {
            // Given a server: DATABASE_URL is the application's login, and
            // PARKCERT_MIGRATION_DATABASE_URL the owner's (the same login when not given).
            Some(url) => (
                config
                    .migration_database_url
                    .clone()
                    .unwrap_or_else(|| url.clone()),
                url.clone(),
                None,
                None,
                None,
            ),
            None => {
                let private = open_private(config).await?;
                (
                    private.owner_url,
                    private.app_url,
                    Some(private.app_password),
                    Some(private.cluster),
                    Some(private.lock),
                )
            }
        };
        // Migrations run as the owner; the application's queries as its own login (which the
        // migrations and `migrate` create): so the application's pool connects lazily.
        let owner = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&owner_url)
            .await
            .context("connecting to PostgreSQL")?;
        let pool = crate::db::scope::pool_options()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_lazy(&app_url)
            .context("connecting to PostgreSQL")?;
        Ok(Database {
            pool,
            owner,
            app_password,
            cluster,
            _lock: lock,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.owner)
            .await
            .context("running migrations")?;
        if let Some(password) = &self.app_password {
            crate::db::scope::ensure_app_login(&self.owner, password)
                .await
                .context("creating the application's login role")?;
        }
        Ok(())
    }

    /// Closes the pool and stops the private cluster, if we started one.
    pub async fn close(self) {
        self.pool.close().await;
        self.owner.close().await;
        // The lock is released when `self` is dropped, after the cluster has stopped.
        if let Some(cluster) = self.cluster {
            match tokio::task::spawn_blocking(move || stop(cluster)).await {
                Ok(Ok(())) => tracing::info!("PostgreSQL stopped"),
                Ok(Err(e)) => tracing::error!(error = %e, "stopping PostgreSQL"),
                Err(e) => tracing::error!(error = %e, "stopping PostgreSQL"),
            }
        }
    }
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    let result = run(&config, &db).await;
    db.close().await;
    result
}

async fn run(config: &Config, db: &Database) -> anyhow::Result<()> {
    db.migrate().await?;
    let sealed = crate::db::audit::seal_backlog(&db.pool).await?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "sealed the audit entries written before HMAC-SM3 seals"
        );
    }
    let encrypted = crate::db::users::reseal_totp_secrets(&db.pool, false).await?;
    if encrypted > 0 {
        tracing::info!(
            encrypted,
            "encrypted the two-factor secrets stored in clear"
        );
    }
    let state = AppState::new(db.pool.clone(), config.clone());
    if let Some(file) = &config.test_clock_file {
        tracing::warn!(file = %file.display(), "the clock is read from a test file: never in production");
    }
    if config.demo {
        seed_demo(&state).await?;
    }
    crate::jobs::spawn(state.clone());
    crate::jobs::outbox::spawn(state.clone());
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    println!("\nparkcert is running at http://{addr}/");
    #[cfg(feature = "dev")]
    if config.demo {
        crate::demo::print_accounts();
    }
    println!("Press Ctrl-C to stop.\n");
    axum::serve(
        listener,
        crate::app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")
}

#[cfg(feature = "dev")]
async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    crate::demo::seed_if_empty(state).await.map(drop)
}

#[cfg(not(feature = "dev"))]
async fn seed_demo(_: &AppState) -> anyhow::Result<()> {
    tracing::warn!(
        "PARKCERT_DEMO is set, but this build has no demo data (built without the `dev` feature)"
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    println!("\nShutting down…");
}

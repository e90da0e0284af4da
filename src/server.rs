//! Opening the database (an existing server, or our own private cluster) and serving HTTP.
use crate::config::Config;
use crate::pgcluster::Cluster;
use crate::state::AppState;
use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::net::SocketAddr;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub const DATABASE_NAME: &str = "parkcert";

/// The database and, when we started it, the private cluster that must be stopped at the end.
pub struct Database {
    pub pool: PgPool,
    /// The owner's connection, for migrations only.
    pub owner: PgPool,
    /// The private cluster's password for the application's login role.
    app_password: Option<String>,
    pub cluster: Option<Cluster>,
    /// Held while we run the private cluster: a second process on the same data directory (say
    /// `parkcert user create` while the server runs) would otherwise restart it under the server.
    _lock: Option<nix::fcntl::Flock<std::fs::File>>,
}

/// The application login's password for the private cluster, kept beside its data directory
/// (mode 0600), made on first use.
fn app_password(pg_dir: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = pg_dir.with_extension("app-password");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let password = text.trim().to_string();
        if !password.is_empty() && password.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(password);
        }
    }
    let password = uuid::Uuid::new_v4().simple().to_string();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{password}")?;
    Ok(password)
}

fn lock_data_dir(pg_dir: &std::path::Path) -> anyhow::Result<nix::fcntl::Flock<std::fs::File>> {
    let lock_path = pg_dir.with_extension("lock");
    if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock).map_err(|_| {
        anyhow::anyhow!(
            "another parkcert process is using the database in {}; stop it first, or set DATABASE_URL",
            pg_dir.display()
        )
    })
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the private cluster in the configured directory.
    pub async fn open(config: &Config) -> anyhow::Result<Database> {
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
                let lock = lock_data_dir(&config.pg_dir)?;
                let dir = config.pg_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || -> anyhow::Result<Cluster> {
                    let cluster = Cluster::start(&dir)?;
                    cluster.ensure_database(DATABASE_NAME)?;
                    Ok(cluster)
                })
                .await??;
                let password = app_password(&config.pg_dir)?;
                let app_url = format!(
                    "postgres://{}:{password}@127.0.0.1:{}/{DATABASE_NAME}",
                    crate::db::scope::APP_LOGIN,
                    cluster.port()
                );
                (
                    cluster.url(DATABASE_NAME),
                    app_url,
                    Some(password),
                    Some(cluster),
                    Some(lock),
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
            match tokio::task::spawn_blocking(move || cluster.stop()).await {
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
    let state = AppState::new(db.pool.clone(), config.clone());
    if let Some(file) = &config.test_clock_file {
        tracing::warn!(file = %file.display(), "the clock is read from a test file: never in production");
    }
    if config.demo {
        crate::demo::seed_if_empty(&state).await?;
    }
    crate::jobs::spawn(state.clone());
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    println!("\nparkcert is running at http://{addr}/");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_process_cannot_take_a_data_directory_in_use() {
        let dir = std::env::temp_dir().join(format!("parkcert-lock-{}", std::process::id()));
        let pg_dir = dir.join("pg");
        let first = lock_data_dir(&pg_dir).unwrap();
        let second = lock_data_dir(&pg_dir).unwrap_err();
        assert!(
            second.to_string().contains("another parkcert process"),
            "{second}"
        );
        drop(first);
        assert!(lock_data_dir(&pg_dir).is_ok(), "released with its holder");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

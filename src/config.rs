//! Runtime configuration, from the environment (and CLI flags that override it).
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the server listens (`PARKCERT_BIND`, default 127.0.0.1:8080).
    pub bind: SocketAddr,
    /// An existing PostgreSQL server; when unset the program runs its own private cluster.
    pub database_url: Option<String>,
    /// The owner's URL for migrations (`PARKCERT_MIGRATION_DATABASE_URL`); DATABASE_URL's when
    /// not given.
    pub migration_database_url: Option<String>,
    /// Data directory for the private cluster (`PARKCERT_PG_DIR`, default ./var/pg).
    pub pg_dir: PathBuf,
    /// Uploaded files and other state (`PARKCERT_DATA_DIR`, default ./var).
    pub data_dir: PathBuf,
    /// The software crypto's keys (`PARKCERT_KEY_FILE`, default `<data_dir>/keys.json`; made with
    /// mode 0600 on first start).
    pub key_file: PathBuf,
    /// Serve cookies with `Secure` and the `__Host-` prefix (`PARKCERT_SECURE_COOKIES=true`):
    /// required behind HTTPS, impossible on plain http://127.0.0.1.
    pub secure_cookies: bool,
    /// A session unused this long ends (`PARKCERT_SESSION_IDLE_MINUTES`, default 30).
    pub session_idle: Duration,
    /// A session ends this long after sign-in whatever its use (`PARKCERT_SESSION_MAX_HOURS`, default 12).
    pub session_absolute: Duration,
    /// Seed the demo tenants' users on an empty database (`PARKCERT_DEMO`, default true).
    pub demo: bool,
    /// The largest uploaded file accepted (`PARKCERT_MAX_UPLOAD_MB`, default 20).
    pub max_upload_bytes: usize,
    /// Files one user may upload in an hour (`PARKCERT_UPLOADS_PER_HOUR`, default 100).
    pub uploads_per_hour: u64,
    /// All the bytes one user may have uploaded (`PARKCERT_UPLOAD_QUOTA_MB`, default 1024).
    pub upload_quota_bytes: u64,
    /// Browser tests only: a file holding the time the server takes as now
    /// (`PARKCERT_TEST_CLOCK_FILE`; see `state::Clock`). Never set in production.
    pub test_clock_file: Option<PathBuf>,
    /// How often the scheduled jobs run (`PARKCERT_JOBS_EVERY_SECONDS`, default 60): closing
    /// calls and publicity at their deadlines, the dynamic-management sweep.
    pub jobs_every: Duration,
    /// The SMTP server e-mail goes through (`PARKCERT_SMTP_URL`, e.g. `smtp://127.0.0.1:2525`,
    /// `smtps://user:pass@mail.example.gov.cn`); unset, e-mail is off and the inbox still works.
    pub smtp_url: Option<String>,
    /// The sender of every e-mail (`PARKCERT_MAIL_FROM`, default `parkcert@localhost`).
    pub mail_from: String,
    /// The address people reach the site at, for links in e-mail (`PARKCERT_PUBLIC_URL`,
    /// default `http://` and the bind address).
    pub public_url: String,
    /// How often the outbox worker looks for deliveries due (`PARKCERT_OUTBOX_EVERY_SECONDS`,
    /// default 5); a use-case that queues one wakes it at once.
    pub outbox_every: Duration,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        use anyhow::Context;
        let bind = env_or("PARKCERT_BIND", "127.0.0.1:8080")
            .parse()
            .context("PARKCERT_BIND must be an address like 127.0.0.1:8080")?;
        let smtp_url = std::env::var("PARKCERT_SMTP_URL")
            .ok()
            .filter(|s| !s.is_empty());
        let mail_from = env_or("PARKCERT_MAIL_FROM", "parkcert@localhost");
        if let Some(url) = &smtp_url {
            crate::io::mail::Mailer::from_url(url, &mail_from)?;
        }
        Ok(Config {
            bind,
            database_url: std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()),
            migration_database_url: std::env::var("PARKCERT_MIGRATION_DATABASE_URL")
                .ok()
                .filter(|s| !s.is_empty()),
            pg_dir: env_or("PARKCERT_PG_DIR", "var/pg").into(),
            data_dir: env_or("PARKCERT_DATA_DIR", "var").into(),
            key_file: match std::env::var_os("PARKCERT_KEY_FILE") {
                Some(path) if !path.is_empty() => PathBuf::from(path),
                _ => PathBuf::from(env_or("PARKCERT_DATA_DIR", "var")).join("keys.json"),
            },
            secure_cookies: parse_bool("PARKCERT_SECURE_COOKIES", false)?,
            session_idle: Duration::from_secs(60 * parse_u64("PARKCERT_SESSION_IDLE_MINUTES", 30)?),
            session_absolute: Duration::from_secs(
                3600 * parse_u64("PARKCERT_SESSION_MAX_HOURS", 12)?,
            ),
            demo: parse_bool("PARKCERT_DEMO", true)?,
            max_upload_bytes: 1024 * 1024 * parse_u64("PARKCERT_MAX_UPLOAD_MB", 20)? as usize,
            uploads_per_hour: parse_u64("PARKCERT_UPLOADS_PER_HOUR", 100)?,
            upload_quota_bytes: 1024 * 1024 * parse_u64("PARKCERT_UPLOAD_QUOTA_MB", 1024)?,
            test_clock_file: std::env::var_os("PARKCERT_TEST_CLOCK_FILE").map(PathBuf::from),
            jobs_every: Duration::from_secs(parse_u64("PARKCERT_JOBS_EVERY_SECONDS", 60)?.max(1)),
            smtp_url,
            mail_from,
            public_url: env_or("PARKCERT_PUBLIC_URL", &format!("http://{bind}"))
                .trim_end_matches('/')
                .to_string(),
            outbox_every: Duration::from_secs(
                parse_u64("PARKCERT_OUTBOX_EVERY_SECONDS", 5)?.max(1),
            ),
        })
    }

    /// A configuration for tests: everything default, no demo seeding, files under `data_dir`.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            bind: "127.0.0.1:0".parse().expect("literal address"),
            database_url: None,
            migration_database_url: None,
            pg_dir: data_dir.join("pg"),
            key_file: data_dir.join("keys.json"),
            data_dir,
            secure_cookies: false,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            demo: false,
            max_upload_bytes: 20 * 1024 * 1024,
            uploads_per_hour: 100,
            upload_quota_bytes: 1024 * 1024 * 1024,
            test_clock_file: None,
            jobs_every: Duration::from_secs(60),
            smtp_url: None,
            mail_from: "parkcert@localhost".into(),
            public_url: "http://127.0.0.1".into(),
            outbox_every: Duration::from_secs(5),
        }
    }
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn parse_bool(key: &str, default: bool) -> anyhow::Result<bool> {
    match std::env::var(key).ok().as_deref() {
        None | Some("") => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => anyhow::bail!("{key} must be true or false, not {other:?}"),
    }
}

fn parse_u64(key: &str, default: u64) -> anyhow::Result<u64> {
    match std::env::var(key).ok().as_deref() {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{key} must be a whole number, not {v:?}")),
    }
}

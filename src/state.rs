use crate::config::Config;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};

/// Shared by every handler. Holds nothing that must survive a restart: the server is stateless
/// (sessions live in PostgreSQL), so any number of instances can run behind a load balancer.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Submitted versions already decoded (they never change).
    pub versions: crate::db::versions::VersionCache,
    /// Tenants by slug, as found (they never change).
    pub tenants: crate::db::tenants::TenantCache,
    /// Where messages go besides the inbox.
    pub outbox: Outbox,
}

/// The channels the outbox worker sends through, and the bell that wakes it.
#[derive(Clone)]
pub struct Outbox {
    pub mailer: Option<crate::io::mail::Mailer>,
    pub sms: Arc<dyn crate::io::sms::SmsSender>,
    wake: Arc<tokio::sync::Notify>,
}

impl Outbox {
    fn from_config(config: &Config) -> Outbox {
        let mailer = config.smtp_url.as_deref().and_then(|url| {
            crate::io::mail::Mailer::from_url(url, &config.mail_from)
                .map_err(|e| tracing::error!(error = %e, "e-mail is off"))
                .ok()
        });
        Outbox {
            mailer,
            sms: Arc::new(crate::io::sms::LogOnly),
            wake: Arc::default(),
        }
    }

    /// The channels use-cases queue deliveries for.
    pub fn channels(&self) -> crate::db::events::Channels {
        crate::db::events::Channels {
            email: self.mailer.is_some(),
        }
    }

    /// Tells the worker that deliveries were queued (after the commit that queued them).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub async fn woken(&self) {
        self.wake.notified().await
    }
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> AppState {
        AppState {
            db,
            clock: Clock::from_config(&config),
            versions: Default::default(),
            tenants: Default::default(),
            outbox: Outbox::from_config(&config),
            config: Arc::new(config),
        }
    }

    /// The same state sending text messages through `sms`: a deployment's gateway.
    pub fn with_sms(mut self, sms: Arc<dyn crate::io::sms::SmsSender>) -> AppState {
        self.outbox.sms = sms;
        self
    }
}

/// The time deadlines and windows are judged by: the system clock, unless a test sets it (so a
/// window can be tested at its edges without sleeping).
#[derive(Clone, Default)]
pub struct Clock {
    fixed: Arc<Mutex<Option<DateTime<Utc>>>>,
    file: Option<Arc<std::path::PathBuf>>,
}

impl Clock {
    fn from_config(config: &Config) -> Clock {
        Clock {
            fixed: Arc::default(),
            file: config.test_clock_file.clone().map(Arc::new),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        if let Some(fixed) = self.fixed.lock().ok().and_then(|fixed| *fixed) {
            return fixed;
        }
        self.file
            .as_deref()
            .and_then(|file| read_clock_file(file, Utc::now()))
            .unwrap_or_else(Utc::now)
    }

    /// Today in Asia/Shanghai, where every deadline of the regulations is counted.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
    }

    /// Stops the clock at `at` (tests only use this; nothing in the program calls it).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut fixed) = self.fixed.lock() {
            *fixed = Some(at);
        }
    }
}

/// A browser test runs the server as a separate process, so it moves the server's time through a
/// file (`PARKCERT_TEST_CLOCK_FILE`): the instant written in it (RFC 3339) was "now" when the file
/// was written, and time runs on from there, so entries made a second apart stay in order. No file
/// or an unreadable one means the system clock.
fn read_clock_file(file: &std::path::Path, real_now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(file).ok()?;
    let set_at: DateTime<Utc> = std::fs::metadata(file).ok()?.modified().ok()?.into();
    let instant = DateTime::parse_from_rfc3339(text.trim()).ok()?;
    Some(instant.with_timezone(&Utc) + (real_now - set_at).max(chrono::TimeDelta::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_file_sets_the_time_which_then_runs_on() {
        let dir = std::env::temp_dir().join(format!("parkcert-clock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("clock");
        assert_eq!(
            read_clock_file(&file, Utc::now()),
            None,
            "no file: system time"
        );
        std::fs::write(&file, "2027-03-01T02:00:00+08:00\n").unwrap();
        let written: DateTime<Utc> = std::fs::metadata(&file).unwrap().modified().unwrap().into();
        let later = read_clock_file(&file, written + chrono::TimeDelta::seconds(90)).unwrap();
        assert_eq!(later.to_rfc3339(), "2027-02-28T18:01:30+00:00");
        std::fs::write(&file, "not a time").unwrap();
        assert_eq!(read_clock_file(&file, Utc::now()), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

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
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            clock: Clock::default(),
        }
    }
}

/// The time deadlines and windows are judged by: the system clock, unless a test sets it (so a
/// window can be tested at its edges without sleeping).
#[derive(Clone, Default)]
pub struct Clock(Arc<Mutex<Option<DateTime<Utc>>>>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .ok()
            .and_then(|fixed| *fixed)
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
        if let Ok(mut fixed) = self.0.lock() {
            *fixed = Some(at);
        }
    }
}

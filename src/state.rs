use crate::config::Config;
use sqlx::PgPool;
use std::sync::Arc;

/// Shared by every handler. Holds nothing that must survive a restart: the server is stateless
/// (sessions live in PostgreSQL), so any number of instances can run behind a load balancer.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
}

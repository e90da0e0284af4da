//! Pure domain logic: no IO, no sqlx, no axum.
pub mod application_form;
pub mod draw;
pub mod evaluate;
pub mod expert_pool;
pub mod fixed;
pub mod monitoring;
pub mod numbers;
pub mod role;
pub mod roster;
pub mod ruleset;
pub mod scoring;
pub mod tabular;
pub mod time;
pub mod uscc;
pub mod vocabulary;
pub mod workdays;
pub mod workflow;

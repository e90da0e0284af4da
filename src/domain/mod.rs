//! Pure domain logic: no IO, no sqlx, no axum.
pub mod evaluate;
pub mod fixed;
pub mod role;
pub mod ruleset;
pub mod uscc;
pub mod workdays;
pub mod workflow;

//! Pure domain logic: no IO, no sqlx, no axum.
pub mod role;

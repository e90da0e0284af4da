//! Authentication: passwords, sessions, CSRF, sign-in throttling and the current user.
pub mod csrf;
pub mod password;
pub mod store;
pub mod throttle;
pub mod totp;
pub mod user;

pub use user::CurrentUser;

//! parkcert: accreditation of cross-border e-commerce industrial parks.
pub mod auth;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod db;
#[cfg(feature = "dev")]
pub mod demo;
pub mod domain;
pub mod error;
pub mod io;
pub mod jobs;
#[cfg(feature = "dev")]
pub mod pgcluster;
pub mod server;
pub mod service;
pub mod state;
pub mod web;

pub use web::app;

//! parkcert: accreditation of cross-border e-commerce industrial parks.
pub mod cli;
pub mod domain;

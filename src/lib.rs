//! parkcert: accreditation of cross-border e-commerce industrial parks.
pub mod domain;

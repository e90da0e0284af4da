//! Files in and out: printable documents.
pub mod pdf;

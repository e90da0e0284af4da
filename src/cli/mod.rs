//! Command-line subcommands other than `serve`.
pub mod evaluate;

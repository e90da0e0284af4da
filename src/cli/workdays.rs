//! `parkcert workdays --from DATE --count N` (placeholder until the calendar lands).
use std::process::ExitCode;

pub fn run(_from: &str, _count: i64) -> ExitCode {
    eprintln!("workdays: not implemented yet");
    ExitCode::from(2)
}

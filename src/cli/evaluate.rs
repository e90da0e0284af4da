//! `parkcert evaluate --rules ID FILE.json` (placeholder until the engine lands).
use std::path::Path;
use std::process::ExitCode;

pub fn run(_rules: &str, _file: &Path) -> ExitCode {
    eprintln!("evaluate: not implemented yet");
    ExitCode::from(2)
}

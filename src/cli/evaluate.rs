//! `parkcert evaluate --rules ID FILE.json`: evaluates an application with a built-in rule set,
//! or with a rule-set document (`--rules RULES.json`, as `parkcert rules show` prints one), and
//! prints the result as pretty JSON (DOMAIN.md §7).
use std::path::Path;
use std::process::ExitCode;

use crate::domain::evaluate::evaluate_request;
use crate::domain::ruleset::builtin;

/// Exit 0 with the evaluation on stdout; exit 2 with one line on stderr for unreadable or
/// malformed input.
pub fn run(rules: &str, file: &Path) -> ExitCode {
    let body = match std::fs::read_to_string(file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("无法读取文件 {}：{e}", file.display());
            return ExitCode::from(2);
        }
    };
    // A path to a document, or a built-in's name; the application's `rules` names the id.
    let evaluated = if rules.ends_with(".json") || Path::new(rules).is_file() {
        let doc = match super::rules::load(Path::new(rules)) {
            Ok(doc) => doc,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        let only = |id: &str| (id == doc.id).then(|| doc.clone());
        evaluate_request(Some(&doc.id), &body, &only)
    } else {
        evaluate_request(Some(rules), &body, &builtin)
    };
    match evaluated {
        Ok(evaluation) => match serde_json::to_string_pretty(&evaluation) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("无法输出结果：{e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

//! `parkcert rules show NAME`: a built-in rule-set template as the JSON document that
//! `parkcert evaluate --rules FILE.json` reads, so that a city can start from another's measures.
use crate::domain::ruleset::{RuleSet, builtin, builtin_templates};
use std::path::Path;
use std::process::ExitCode;

pub fn show(name: &str) -> ExitCode {
    let Some(rules) = builtin(name) else {
        let known: Vec<String> = builtin_templates().into_iter().map(|r| r.id).collect();
        eprintln!("未知的规则集 {name}（内置：{}）", known.join("、"));
        return ExitCode::from(2);
    };
    match serde_json::to_string_pretty(&rules) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("无法输出规则集：{e}");
            ExitCode::FAILURE
        }
    }
}

/// A rule-set document from a file: parsed strictly (an unknown field is named with its path)
/// and validated as a whole.
pub fn load(file: &Path) -> Result<RuleSet, String> {
    let body = std::fs::read_to_string(file)
        .map_err(|e| format!("无法读取规则集文件 {}：{e}", file.display()))?;
    let mut de = serde_json::Deserializer::from_str(&body);
    let rules: RuleSet = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        format!(
            "规则集文件 {} 的 {} 有误：{}",
            file.display(),
            e.path(),
            e.inner()
        )
    })?;
    rules
        .validate()
        .map_err(|e| format!("规则集文件 {} 不成立：{e}", file.display()))?;
    Ok(rules)
}

//! `parkcert evaluate --rules ID FILE.json` on the fixtures in `tests/fixtures/evaluate/`:
//! stdout compared as JSON with `*.expected.json`, exit codes, one-line errors on stderr.
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/evaluate")
        .join(name)
}

fn evaluate(rules: &str, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parkcert"))
        .args(["evaluate", "--rules", rules])
        .arg(fixture(file))
        .output()
        .expect("run parkcert")
}

fn assert_matches_expected(rules: &str, name: &str) -> Value {
    let out = evaluate(rules, &format!("{name}.json"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    let actual: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let expected_text = std::fs::read_to_string(fixture(&format!("{name}.expected.json"))).unwrap();
    let expected: Value = serde_json::from_str(&expected_text).unwrap();
    assert_eq!(actual, expected, "{name}");
    actual
}

fn assert_input_error(rules: &str, file: &str, line: &str) {
    let out = evaluate(rules, file);
    assert_eq!(out.status.code(), Some(2), "{file}");
    assert!(out.stdout.is_empty(), "{file}: nothing on stdout");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("{line}\n"),
        "{file}"
    );
}

#[test]
fn wenzhou_passing_case() {
    let v = assert_matches_expected("wenzhou-2021", "wenzhou-pass");
    assert_eq!(v["verdict"], "recommend");
    assert_eq!(v["score"]["method"], "trimmed_mean");
}

#[test]
fn wenzhou_failing_case() {
    let v = assert_matches_expected("wenzhou-2021", "wenzhou-fail");
    assert_eq!(
        (v["eligible"].as_bool(), v["verdict"].as_str()),
        (Some(false), Some("not_eligible"))
    );
}

#[test]
fn zhongshan_growing_only_but_applied_for_leading() {
    let v = assert_matches_expected("zhongshan-2022", "zhongshan-growing-only");
    assert_eq!(
        (v["tier"].as_str(), v["eligible"].as_bool()),
        (Some("growing"), Some(false))
    );
}

#[test]
fn standard_self_assessment() {
    let v = assert_matches_expected("cbec-park-standard-2024", "standard");
    assert_eq!(v["score"], Value::Null);
}

#[test]
fn malformed_inputs_exit_2_with_one_line_naming_the_field() {
    let cases = [
        (
            "malformed-score.json",
            "expert_scores[1].scores.wz.s.services: 评分应在 0 至 20 分之间",
        ),
        (
            "malformed-currency.json",
            "park.trade[0].currency: 规则集 wenzhou-2021 的金额币种为 USD，不能填写 CNY",
        ),
        (
            "malformed-unknown-key.json",
            "enterprises[3].employees: 未知字段",
        ),
        ("malformed-syntax.json", "JSON 格式错误（第 2 行第 41 列）"),
    ];
    for (file, line) in cases {
        assert_input_error("wenzhou-2021", file, line);
    }
}

#[test]
fn the_flag_must_match_rules_in_the_body() {
    assert_input_error(
        "zhongshan-2022",
        "wenzhou-pass.json",
        "rules: 与 --rules 参数 zhongshan-2022 不一致",
    );
}

#[test]
fn an_unreadable_file_exits_2() {
    let out = evaluate("wenzhou-2021", "no-such-file.json");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("无法读取文件") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

fn parkcert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parkcert"))
        .args(args)
        .output()
        .expect("run parkcert")
}

#[test]
fn a_template_printed_by_rules_show_reads_back_as_the_same_rule_set() {
    for name in ["wenzhou-2021", "zhongshan-2022", "cbec-park-standard-2024"] {
        let out = parkcert(&["rules", "show", name]);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let doc: parkcert::domain::ruleset::RuleSet =
            serde_json::from_slice(&out.stdout).expect("a rule-set document");
        assert_eq!(
            doc,
            parkcert::domain::ruleset::builtin(name).unwrap(),
            "{name}"
        );
    }
    let unknown = parkcert(&["rules", "show", "huzhou-2027"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("未知的规则集 huzhou-2027"));
}

#[test]
fn a_document_derived_from_wenzhou_with_a_higher_area_threshold_changes_the_verdict() {
    let out = parkcert(&["rules", "show", "wenzhou-2021"]);
    let mut doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let area = doc["checks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["id"] == "wz.area")
        .unwrap();
    area["rule"]["min"] = serde_json::json!(5000);
    let dir = std::env::temp_dir().join(format!("parkcert-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wenzhou-area-5000.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();

    // The fixture park uses 4000 m² for CBEC: enough under the measures, not under the draft.
    let builtin = evaluate("wenzhou-2021", "wenzhou-pass.json");
    let builtin: Value = serde_json::from_slice(&builtin.stdout).unwrap();
    let derived = evaluate(file.to_str().unwrap(), "wenzhou-pass.json");
    assert_eq!(
        derived.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&derived.stderr)
    );
    let derived: Value = serde_json::from_slice(&derived.stdout).unwrap();
    let area_status = |v: &Value| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "wz.area")
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(area_status(&builtin), "pass");
    assert_eq!(area_status(&derived), "fail");
    assert_eq!(builtin["verdict"], "recommend");
    assert_ne!(derived["verdict"], "recommend");

    // A document with an unknown field is refused, with where it is.
    doc["checks"][0]["threshold"] = serde_json::json!(1);
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let refused = evaluate(file.to_str().unwrap(), "wenzhou-pass.json");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("checks[0]"));
    std::fs::remove_dir_all(&dir).ok();
}

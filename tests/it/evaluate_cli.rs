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

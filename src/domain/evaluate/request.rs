//! Parsing and validating an evaluate request body; errors name the field as a path.
use std::collections::BTreeSet;
use std::fmt;

use serde_path_to_error::Segment;

use super::input::{ExpertScores, Input, TradeYear};
use super::output::Evaluation;
use crate::domain::fixed::SCALE;
use crate::domain::ruleset::{Rule, RuleSet};

/// A malformed request: the field's path (`park.trade[0].currency`) and what is wrong.
/// `Display` is one line: `path: message` (just the message for a body that is not JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

impl InputError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
            message: one_line(&message.into()),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// Parses, checks `rules` against the caller's flag (when given), looks the rule set up,
/// validates and evaluates.
pub fn evaluate_request(
    rules_flag: Option<&str>,
    body: &str,
    rulesets: &dyn Fn(&str) -> Option<RuleSet>,
) -> Result<Evaluation, InputError> {
    let input = parse_input(body)?;
    if let Some(flag) = rules_flag
        && flag != input.rules
    {
        return Err(InputError::new(
            "rules",
            format!("与 --rules 参数 {flag} 不一致"),
        ));
    }
    let rules = rulesets(&input.rules)
        .ok_or_else(|| InputError::new("rules", format!("未知的规则集 {}", input.rules)))?;
    validate(&rules, &input)?;
    Ok(super::evaluate(&rules, &input))
}

/// Parses the body; type, enum, sign and unknown-key errors carry their path.
pub fn parse_input(body: &str) -> Result<Input, InputError> {
    let mut de = serde_json::Deserializer::from_str(body);
    let input: Input = serde_path_to_error::deserialize(&mut de).map_err(from_serde)?;
    de.end()
        .map_err(|e| InputError::new("", syntax_message(&e)))?;
    Ok(input)
}

/// The checks that need the rule set: currency, years, tier, attestations, vetoes, scores.
pub fn validate(rules: &RuleSet, input: &Input) -> Result<(), InputError> {
    validate_tier(rules, input)?;
    if let Some(trade) = input.park.as_ref().and_then(|p| p.trade.as_deref()) {
        validate_trade(rules, trade)?;
    }
    if let Some(quarters) = input
        .park
        .as_ref()
        .and_then(|p| p.events.as_ref())
        .and_then(|e| e.policy_briefings_by_quarter.as_ref())
        && quarters.len() > 4
    {
        return Err(InputError::new(
            "park.events.policy_briefings_by_quarter",
            "最多填写4个季度",
        ));
    }
    validate_attestations(rules, input)?;
    validate_vetoes(rules, input)?;
    for (i, expert) in input.expert_scores.iter().flatten().enumerate() {
        validate_expert(rules, i, expert)?;
    }
    Ok(())
}

fn validate_tier(rules: &RuleSet, input: &Input) -> Result<(), InputError> {
    let Some(tier) = &input.tier else {
        return Ok(());
    };
    if rules.tiers.is_empty() {
        return Err(InputError::new(
            "tier",
            format!("规则集 {} 不分等级，不能填写 tier", rules.id),
        ));
    }
    if rules.tier_rank(tier).is_none() {
        let known: Vec<&str> = rules.tiers.iter().map(|t| t.id.as_str()).collect();
        return Err(InputError::new(
            "tier",
            format!("未知等级 {tier}，可选：{}", known.join("、")),
        ));
    }
    Ok(())
}

fn validate_trade(rules: &RuleSet, trade: &[TradeYear]) -> Result<(), InputError> {
    let mut seen = BTreeSet::new();
    for (i, entry) in trade.iter().enumerate() {
        if let (Some(expected), Some(given)) = (rules.currency, entry.currency)
            && expected != given
        {
            return Err(InputError::new(
                format!("park.trade[{i}].currency"),
                format!(
                    "规则集 {} 的金额币种为 {}，不能填写 {}",
                    rules.id,
                    expected.code(),
                    given.code()
                ),
            ));
        }
        if !seen.insert(entry.year) {
            return Err(InputError::new(
                format!("park.trade[{i}].year"),
                format!("{} 年重复填写", entry.year),
            ));
        }
    }
    Ok(())
}

fn validate_attestations(rules: &RuleSet, input: &Input) -> Result<(), InputError> {
    for id in input.attestations.iter().flat_map(|a| a.keys()) {
        let manual = rules
            .checks
            .iter()
            .any(|c| &c.id == id && matches!(c.rule, Rule::Manual));
        if !manual {
            return Err(InputError::new(
                format!("attestations.{id}"),
                "不是该规则集的人工核实项",
            ));
        }
    }
    Ok(())
}

/// The three usual veto keys are accepted as `false` by every rule set, so one form serves all.
fn validate_vetoes(rules: &RuleSet, input: &Input) -> Result<(), InputError> {
    const COMMON: [&str; 3] = ["violation", "blacklist", "falsified"];
    for (key, value) in input.vetoes.iter().flatten() {
        if rules.vetoes.iter().any(|v| &v.key == key) {
            continue;
        }
        if !COMMON.contains(&key.as_str()) {
            return Err(InputError::new(format!("vetoes.{key}"), "未知的否决项"));
        }
        if *value == Some(true) {
            return Err(InputError::new(
                format!("vetoes.{key}"),
                format!("规则集 {} 没有该否决项", rules.id),
            ));
        }
    }
    Ok(())
}

fn validate_expert(rules: &RuleSet, i: usize, expert: &ExpertScores) -> Result<(), InputError> {
    if expert.conflict == Some(true) {
        return Ok(()); // a conflicted expert's scores are ignored
    }
    let scores = expert.scores.as_ref();
    for (id, score) in scores.into_iter().flatten() {
        let Some(criterion) = rules.criterion(id) else {
            return Err(InputError::new(
                format!("expert_scores[{i}].scores.{id}"),
                "未知的评分项",
            ));
        };
        if i64::from(score.tenths()) * (SCALE / 10) > criterion.max.scaled() {
            return Err(InputError::new(
                format!("expert_scores[{i}].scores.{id}"),
                format!("评分应在 0 至 {} 分之间", criterion.max),
            ));
        }
    }
    for criterion in &rules.criteria {
        if !scores.is_some_and(|s| s.contains_key(&criterion.id)) {
            return Err(InputError::new(
                format!("expert_scores[{i}].scores.{}", criterion.id),
                "缺少该评分项的分数",
            ));
        }
    }
    Ok(())
}

fn from_serde(err: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let inner = err.inner();
    if !inner.is_data() {
        return InputError::new("", syntax_message(inner));
    }
    let mut path = render_path(err.path());
    let raw = inner.to_string();
    let detail = raw
        .rsplit_once(" at line ")
        .map_or(raw.as_str(), |(head, _)| head);
    let (field, message) = translate(detail);
    if let Some(field) = field.filter(|f| !path.ends_with(f.as_str())) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&field);
    }
    if path.is_empty() && message.starts_with("类型错误") {
        // The body itself is not an object.
        return InputError::new("", "请求体应为 JSON 对象");
    }
    InputError::new(path, message)
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

fn syntax_message(err: &serde_json::Error) -> String {
    if err.is_eof() {
        return "JSON 不完整（意外结束）".into();
    }
    format!(
        "JSON 格式错误（第 {} 行第 {} 列）",
        err.line(),
        err.column()
    )
}

/// serde's English detail → (extra path segment, Chinese message).
fn translate(detail: &str) -> (Option<String>, String) {
    if let Some(field) = quoted_after(detail, "unknown field `") {
        return (Some(field), "未知字段".into());
    }
    if let Some(field) = quoted_after(detail, "missing field `") {
        return (Some(field), "缺少必填字段".into());
    }
    if let Some(field) = quoted_after(detail, "duplicate field `") {
        return (Some(field), "字段重复".into());
    }
    if let Some(value) = quoted_after(detail, "unknown variant `") {
        let options = detail.split_once("expected ").map_or("", |(_, rest)| rest);
        let options = options
            .trim_start_matches("one of ")
            .replace('`', "")
            .replace(" or ", ", ");
        return (None, format!("未知取值 {value}，可选：{options}"));
    }
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            None,
            format!(
                "类型错误：应为{}，实际为{}",
                kind_name(expected),
                kind_name(found)
            ),
        );
    }
    if detail.starts_with("invalid value: integer `-") {
        return (None, "不能为负数".into());
    }
    if detail.starts_with("invalid length") {
        return (None, "类型错误：应为对象".into());
    }
    if detail.starts_with("invalid value") {
        return (None, "取值超出范围".into());
    }
    (None, detail.to_string())
}

fn quoted_after(detail: &str, prefix: &str) -> Option<String> {
    let rest = detail.strip_prefix(prefix)?;
    rest.split_once('`').map(|(value, _)| value.to_string())
}

fn kind_name(serde_kind: &str) -> &'static str {
    let k = serde_kind.trim();
    if k.starts_with("a boolean") || k.starts_with("boolean") {
        "布尔值（true/false）"
    } else if k.starts_with("a string") || k.starts_with("string") || k.starts_with("a date") {
        "字符串"
    } else if k.starts_with("a sequence") || k.starts_with("sequence") {
        "数组"
    } else if k.starts_with("struct")
        || k.starts_with("a map")
        || k == "map"
        || k.contains("object")
    {
        "对象"
    } else if k == "null" || k.starts_with("unit") {
        "null"
    } else if k.contains("integer")
        || k.contains("number")
        || k.starts_with("floating")
        || k.starts_with('i')
        || k.starts_with('u')
    {
        "数字"
    } else {
        "其他类型"
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

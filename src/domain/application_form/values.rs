//! Turning what a person typed into one field into a value, and a value back into text.
//!
//! Accepted input, for every kind: surrounding spaces, full-width characters (１２３、，．＠),
//! which are read as their ASCII counterparts. Numbers may use thousands separators in the
//! usual three-digit groups (`1,234,567`); an amount of money is an integer in the field's
//! currency, optionally with `¥`/`￥` or a trailing `元` (yuan fields) or `$` / a trailing `美元`
//! (dollar fields); `万`/`亿` are refused rather than guessed. An area may end in 平方米, 平米,
//! ㎡, m² or m2 and has at most two decimals (trailing zeros do not count).
use chrono::NaiveDate;

use super::{Choice, FieldKind};
use crate::domain::fixed::{Fixed, SCALE};

pub(super) const MSG_INTEGER: &str = "请输入不小于 0 的整数";
pub(super) const MSG_NUMBER: &str = "请输入不小于 0 的数字";
pub(super) const MSG_AREA_DECIMALS: &str = "面积最多保留两位小数";
pub(super) const MSG_TOO_LARGE: &str = "数值过大";
pub(super) const MSG_DATE: &str = "日期格式应为 2026-03-15";
pub(super) const MSG_YES_NO: &str = "请选择是或否";
pub(super) const MSG_SELECT: &str = "请从列表中选择";
pub(super) const MSG_PHONE: &str = "电话号码格式不正确";
pub(super) const MSG_MOBILE: &str = "手机号码格式不正确";
pub(super) const MSG_EMAIL: &str = "电子邮箱格式不正确";

/// A well-formed value of one field.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Text(String),
    Count(u64),
    Area(Fixed),
    Money(u64),
    Date(NaiveDate),
    Bool(bool),
    Code(String),
    Codes(Vec<String>),
}

/// `Ok(None)` for an empty value; `Err` carries the message shown next to the field.
pub(super) fn parse_value(kind: &FieldKind, raw: &str) -> Result<Option<Value>, String> {
    let text = normalize(raw);
    if text.is_empty() {
        return Ok(None);
    }
    let value = match kind {
        FieldKind::Text { max } | FieldKind::LongText { max } => {
            // Long text keeps its own line breaks and inner spacing; only the ends are trimmed.
            let kept = raw.trim();
            if kept.chars().count() > *max {
                return Err(format!("最多填写 {max} 个字"));
            }
            Value::Text(kept.to_string())
        }
        FieldKind::Integer => Value::Count(integer(&text).map_err(str::to_string)?),
        FieldKind::Area => Value::Area(area(&text).map_err(str::to_string)?),
        FieldKind::Money { unit } => Value::Money(money(&text, unit)?),
        FieldKind::Date => Value::Date(date(&text).ok_or(MSG_DATE)?),
        FieldKind::YesNo => Value::Bool(yes_no(&text).ok_or(MSG_YES_NO)?),
        FieldKind::Select(choices) => Value::Code(choice(choices, &text).ok_or(MSG_SELECT)?),
        FieldKind::Checkboxes(choices) => {
            let mut codes: Vec<String> = Vec::new();
            for part in text
                .split([',', '、'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let code =
                    choice(choices, part).ok_or_else(|| format!("包含无效的选项：{part}"))?;
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            if codes.is_empty() {
                return Ok(None);
            }
            // Option order, so that equal selections compare equal.
            codes.sort_by_key(|c| choices.iter().position(|o| &o.code == c));
            Value::Codes(codes)
        }
        FieldKind::Phone => Value::Text(phone(&text).ok_or(MSG_PHONE)?),
        FieldKind::Mobile => Value::Text(mobile(&text).ok_or(MSG_MOBILE)?),
        FieldKind::Email => Value::Text(email(&text).ok_or(MSG_EMAIL)?),
    };
    Ok(Some(value))
}

/// The value as a read-only page shows it.
pub(super) fn display_value(kind: &FieldKind, value: &Value) -> String {
    match value {
        Value::Text(s) => s.clone(),
        Value::Count(n) => n.to_string(),
        Value::Money(n) => grouped(*n),
        Value::Area(a) => a.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Code(code) => label_of(kind, code),
        Value::Codes(codes) => codes
            .iter()
            .map(|c| label_of(kind, c))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

fn label_of(kind: &FieldKind, code: &str) -> String {
    let choices: &[Choice] = match kind {
        FieldKind::Select(c) | FieldKind::Checkboxes(c) => c,
        _ => &[],
    };
    choices
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_string(), |c| c.label.clone())
}

/// Full-width forms (U+FF01–U+FF5E) and the ideographic space read as ASCII; ends trimmed.
pub(super) fn normalize(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Digits with optional three-digit groups separated by commas: `1234`, `1,234`.
fn digits(text: &str) -> Option<u64> {
    let mut groups = text.split(',');
    let first = groups.next()?;
    let grouped = text.contains(',');
    let ok_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !ok_digits(first) || (grouped && first.len() > 3) {
        return None;
    }
    if !groups.all(|g| g.len() == 3 && ok_digits(g)) {
        return None;
    }
    // Overflow of u64 is reported as "too large" by the caller's range check.
    Some(text.bytes().filter(u8::is_ascii_digit).fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

fn in_range(n: u64) -> Result<u64, &'static str> {
    Fixed::from_u64(n).map(|_| n).map_err(|_| MSG_TOO_LARGE)
}

pub(super) fn integer(text: &str) -> Result<u64, &'static str> {
    in_range(digits(text.trim()).ok_or(MSG_INTEGER)?)
}

fn money(text: &str, unit: &str) -> Result<u64, String> {
    let usd = unit == "美元";
    let mut t = text.trim();
    let strip_prefix = |t: &str, prefixes: &[&str]| -> Option<String> {
        prefixes
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .map(|r| r.trim().to_string())
    };
    let wrong_unit = || format!("金额单位应为{unit}");
    let owned;
    if let Some(rest) = strip_prefix(t, if usd { &["US$", "$"] } else { &["¥", "￥"] }) {
        owned = rest;
        t = &owned;
    } else if strip_prefix(t, if usd { &["¥", "￥"] } else { &["US$", "$"] }).is_some() {
        return Err(wrong_unit());
    }
    if let Some(rest) = t.strip_suffix("美元") {
        if !usd {
            return Err(wrong_unit());
        }
        t = rest.trim_end();
    } else if let Some(rest) = t.strip_suffix('元') {
        if usd {
            return Err(wrong_unit());
        }
        t = rest.trim_end();
    }
    if t.ends_with('万') || t.ends_with('亿') {
        return Err(format!("请填写以{unit}为单位的完整金额，不要使用“万”“亿”"));
    }
    let n = digits(t).ok_or_else(|| format!("请输入不小于 0 的整数金额（单位：{unit}）"))?;
    in_range(n).map_err(str::to_string)
}

/// Areas stay far below the range where a decimal survives a JSON round trip exactly.
const MAX_AREA: u64 = 100_000_000_000;

const AREA_UNITS: [&str; 6] = ["平方米", "平米", "㎡", "m²", "m2", "M2"];

pub(super) fn area(text: &str) -> Result<Fixed, &'static str> {
    let mut t = text.trim();
    if let Some(rest) = AREA_UNITS.iter().find_map(|u| t.strip_suffix(u)) {
        t = rest.trim_end();
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if frac.bytes().any(|b| !b.is_ascii_digit()) || (int.is_empty() && frac.is_empty()) {
        return Err(MSG_NUMBER);
    }
    let whole = if int.is_empty() {
        0
    } else {
        digits(int).ok_or(MSG_NUMBER)?
    };
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(MSG_AREA_DECIMALS);
    }
    let hundredths: i64 = match frac.len() {
        0 => 0,
        1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
        _ => frac.parse().map_err(|_| MSG_NUMBER)?,
    };
    if whole >= MAX_AREA {
        return Err(MSG_TOO_LARGE);
    }
    let base = Fixed::from_u64(whole).map_err(|_| MSG_TOO_LARGE)?;
    Ok(Fixed::from_scaled(
        base.scaled() + hundredths * (SCALE / 100),
    ))
}

/// `2026-03-15`, `2026-3-15`, `2026/3/15`, `2026.3.15`, `2026年3月15日`.
pub(super) fn date(text: &str) -> Option<NaiveDate> {
    let t: String = text
        .trim()
        .trim_end_matches(['日', '号'])
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            other => other,
        })
        .collect();
    let parts: Vec<&str> = t.split('-').map(str::trim).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !ok(y, 4..=4) || !ok(m, 1..=2) || !ok(d, 1..=2) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

fn yes_no(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "是" | "true" | "1" | "y" | "有" => Some(true),
        "no" | "否" | "false" | "0" | "n" | "无" => Some(false),
        _ => None,
    }
}

/// The code of a choice, given its code or its label.
fn choice(choices: &[Choice], text: &str) -> Option<String> {
    choices
        .iter()
        .find(|c| c.code == text || c.label == text)
        .map(|c| c.code.clone())
}

/// A landline or mobile number: digits with `-`, spaces, parentheses, a leading `+`, and an
/// extension after `转`; 7 to 20 digits in all.
fn phone(text: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_digit() || "-() +转".contains(c);
    if !text.chars().all(allowed) || text.starts_with('转') || text.ends_with('转') {
        return None;
    }
    if text.chars().skip(1).any(|c| c == '+') {
        return None;
    }
    let count = text.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&count).then(|| text.to_string())
}

/// A mainland mobile number: 11 digits starting 13–19, optionally after +86 / 0086 / 86;
/// spaces and hyphens between digits are ignored. Returns the 11 digits.
fn mobile(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
    let number = ["+86", "0086", "86"]
        .iter()
        .find_map(|p| compact.strip_prefix(p).filter(|r| r.len() == 11))
        .unwrap_or(&compact);
    let b = number.as_bytes();
    let ok = b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1]);
    ok.then(|| number.to_string())
}

fn email(text: &str) -> Option<String> {
    if text.len() > 254 || text.chars().any(char::is_whitespace) {
        return None;
    }
    let (local, domain) = text.split_once('@')?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = !local.is_empty()
        && !local.contains('@')
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && labels.len() >= 2
        && labels.iter().all(|l| label_ok(l));
    ok.then(|| text.to_string())
}

pub(super) use crate::domain::numbers::grouped;

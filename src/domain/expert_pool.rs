//! The expert pool's rows (专家库): one expert per row, checked all-or-nothing, each problem as
//! “第N行，列：原因”, by the same table rules as the roster (`domain::tabular`). Headers are
//! compared on letters, digits and CJK characters only, so the width of parentheses and
//! slashes does not matter; unknown columns (序号, 备注…) are ignored; a title row above the
//! header is fine. The form that adds one expert is checked by the same rules.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::tabular::{self, Header, Layout, half_width};
pub use crate::domain::tabular::{MAX_ERRORS, RowError};
/// One expert of the pool, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertRow {
    /// 2–20 characters; spaces padding a Chinese name (“张　三”) are removed.
    pub name: String,
    pub employer: String,
    /// A valid code, upper case.
    pub employer_uscc: Option<String>,
    /// Distinct tags in the order typed, each 1–20 characters.
    pub specialties: Vec<String>,
    /// Free text as typed (trimmed); the caller checks it against its jurisdictions.
    pub home_jurisdiction: Option<String>,
    /// 11 digits, without spaces, dashes or a +86 prefix.
    pub mobile: String,
    pub email: Option<String>,
    /// 职称/职务.
    pub title: Option<String>,
}

/// The header texts of the template, in order (序号 first; it is ignored on import).
pub const EXPERT_COLUMNS: [&str; 9] = [
    "序号",
    "姓名",
    "工作单位",
    "工作单位统一社会信用代码",
    "专业特长",
    "常住县（市、区）/镇街",
    "手机",
    "电子邮箱",
    "职称/职务",
];

const MAX_EMPLOYER_CHARS: usize = 100;
const MAX_JURISDICTION_CHARS: usize = 50;
const MAX_TITLE_CHARS: usize = 50;
const MAX_TAG_CHARS: usize = 20;
const MAX_TAGS: usize = 20;
const MAX_EMAIL_CHARS: usize = 254;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Col {
    Name,
    Employer,
    EmployerUscc,
    Specialties,
    HomeJurisdiction,
    Mobile,
    Email,
    Title,
}

impl Col {
    pub const ALL: [Col; 8] = [
        Col::Name,
        Col::Employer,
        Col::EmployerUscc,
        Col::Specialties,
        Col::HomeJurisdiction,
        Col::Mobile,
        Col::Email,
        Col::Title,
    ];

    /// The template's header text.
    fn title(self) -> &'static str {
        EXPERT_COLUMNS[self as usize + 1]
    }

    fn required(self) -> bool {
        matches!(self, Col::Name | Col::Employer | Col::Mobile)
    }

    /// Header keys (see [`header_key`]) that name this column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Name => &["姓名", "专家姓名", "名字", "专家"],
            Col::Employer => &[
                "工作单位",
                "单位",
                "所在单位",
                "单位名称",
                "工作单位名称",
                "工作单位全称",
                "所在单位名称",
                "任职单位",
            ],
            Col::EmployerUscc => &[
                "工作单位统一社会信用代码",
                "单位统一社会信用代码",
                "统一社会信用代码",
                "社会信用代码",
                "信用代码",
                "USCC",
            ],
            Col::Specialties => &[
                "专业特长",
                "专业领域",
                "专长",
                "专业",
                "研究领域",
                "擅长领域",
                "专业方向",
            ],
            Col::HomeJurisdiction => &[
                "常住县市区镇街",
                "常住县市区",
                "常住镇街",
                "常住地",
                "县市区镇街",
                "县市区",
                "镇街",
                "区县",
                "县区",
                "所在县市区",
                "所在镇街",
            ],
            Col::Mobile => &[
                "手机",
                "手机号",
                "手机号码",
                "移动电话",
                "联系电话",
                "联系方式",
                "电话",
                "联系手机",
            ],
            Col::Email => &[
                "电子邮箱",
                "邮箱",
                "电子邮件",
                "EMAIL",
                "邮件",
                "电子信箱",
                "邮箱地址",
            ],
            Col::Title => &[
                "职称职务",
                "职称",
                "职务",
                "职务职称",
                "职称或职务",
                "职称及职务",
            ],
        }
    }
}

/// A header as compared: letters, digits and CJK characters only, upper case. So
/// “常住县(市、区)/镇街”, “常住县（市，区） / 镇街” and “*手机:” all match.
fn header_key(raw: &str) -> String {
    half_width(raw)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn classify_header(raw: &str) -> Option<Col> {
    let key = header_key(raw);
    if key.is_empty() {
        return None;
    }
    if let Some(&col) = Col::ALL
        .iter()
        .find(|c| c.aliases().contains(&key.as_str()))
    {
        return Some(col);
    }
    if key.contains("信用代码") {
        Some(Col::EmployerUscc)
    } else if key.contains("常住") {
        Some(Col::HomeJurisdiction)
    } else if key.contains("手机") {
        Some(Col::Mobile)
    } else if key.contains("邮箱") {
        Some(Col::Email)
    } else {
        None
    }
}

/// The pool's header: known titles, any order; each column once; the required ones present.
fn layout(rows: &[Vec<String>]) -> Result<Layout<Col>, Vec<RowError>> {
    let required: Vec<(Col, &'static str)> = Col::ALL
        .iter()
        .filter(|c| c.required())
        .map(|&c| (c, c.title()))
        .collect();
    let header = Header {
        classify: &classify_header,
        column: &|c: &Col| *c,
        problem: &|_: &Col, _: &str| None,
        required: &required,
        expected: "专家库的列标题（姓名、工作单位、手机……）",
    };
    tabular::layout(rows, &header)
}

/// The pool's rows (`rows[0]` is spreadsheet row 1): every row valid, or every problem as
/// “第N行，列：原因” (at most [`MAX_ERRORS`] and a count of the rest).
pub fn parse_expert_table(rows: &[Vec<String>]) -> Result<Vec<ExpertRow>, Vec<RowError>> {
    let layout = layout(rows)?;
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    let mut mobiles: HashMap<String, usize> = HashMap::new();
    let mut data_rows = 0usize;
    for (row, cells) in layout.data_rows(rows) {
        let cell = |col: Col| layout.cell(cells, col);
        data_rows += 1;
        let (expert, mut row_errors) = match parse_expert(cell) {
            Ok(expert) => (Some(expert), Vec::new()),
            Err(errors) => (None, errors),
        };
        // Duplicates are reported even on a row with other problems.
        let mobile = parse_mobile(cell(Col::Mobile)).unwrap_or_default();
        if !mobile.is_empty() {
            if let Some(first) = mobiles.get(&mobile) {
                row_errors.push((Col::Mobile, format!("手机号码与第{first}行重复")));
            } else {
                mobiles.insert(mobile.clone(), row);
            }
        }
        if let (Some(expert), true) = (expert, row_errors.is_empty()) {
            parsed.push(expert);
        } else {
            // In column order, the duplicate mobile with the other 手机 problems.
            row_errors.sort_by_key(|(col, _)| *col);
            errors.extend(row_errors.into_iter().map(|(col, reason)| RowError {
                row,
                column: layout.header_text(col, col.title()),
                reason,
            }));
        }
    }
    let no_data = "表中没有专家数据：请在表头下方逐行填写专家信息";
    tabular::outcome(parsed, errors, data_rows, layout.row, no_data)
}

/// One expert's cells, checked: the row, or every problem by column.
fn parse_expert<'a>(cell: impl Fn(Col) -> &'a str) -> Result<ExpertRow, Vec<(Col, String)>> {
    let mut row_errors: Vec<(Col, String)> = Vec::new();
    let errs = &mut row_errors;
    let name = take(errs, Col::Name, parse_name(cell(Col::Name)));
    let employer = take(
        errs,
        Col::Employer,
        required_text(cell(Col::Employer), "工作单位", MAX_EMPLOYER_CHARS),
    );
    let employer_uscc = take(errs, Col::EmployerUscc, parse_uscc(cell(Col::EmployerUscc)));
    let specialties = take(
        errs,
        Col::Specialties,
        parse_specialties(cell(Col::Specialties)),
    );
    let home_jurisdiction = take(
        errs,
        Col::HomeJurisdiction,
        optional_text(
            cell(Col::HomeJurisdiction),
            "常住县（市、区）/镇街",
            MAX_JURISDICTION_CHARS,
        ),
    );
    let mobile = take(errs, Col::Mobile, parse_mobile(cell(Col::Mobile)));
    let email = take(errs, Col::Email, parse_email(cell(Col::Email)));
    let title = take(
        errs,
        Col::Title,
        optional_text(cell(Col::Title), "职称/职务", MAX_TITLE_CHARS),
    );
    if !row_errors.is_empty() {
        return Err(row_errors);
    }
    let some = |s: String| (!s.is_empty()).then_some(s);
    Ok(ExpertRow {
        name,
        employer,
        employer_uscc: some(employer_uscc),
        specialties,
        home_jurisdiction: some(home_jurisdiction),
        mobile,
        email: some(email),
        title: some(title),
    })
}

/// One expert as typed into the pool's form, checked exactly as an imported row is; problems
/// come keyed by the form's field names. (The form picks the home jurisdiction from a list, so
/// it is not among the cells.)
pub fn parse_expert_form(
    name: &str,
    employer: &str,
    employer_uscc: &str,
    specialties: &str,
    mobile: &str,
    email: &str,
    title: &str,
) -> Result<ExpertRow, Vec<(&'static str, String)>> {
    parse_expert(|col| match col {
        Col::Name => name,
        Col::Employer => employer,
        Col::EmployerUscc => employer_uscc,
        Col::Specialties => specialties,
        Col::HomeJurisdiction => "",
        Col::Mobile => mobile,
        Col::Email => email,
        Col::Title => title,
    })
    .map_err(|errors| {
        errors
            .into_iter()
            .map(|(col, reason)| {
                let key = match col {
                    Col::Name => "name",
                    Col::Employer => "employer",
                    Col::EmployerUscc => "employer_uscc",
                    Col::Specialties => "specialties",
                    Col::HomeJurisdiction => "home_jurisdiction_id",
                    Col::Mobile => "mobile",
                    Col::Email => "email",
                    Col::Title => "title",
                };
                (key, reason)
            })
            .collect()
    })
}

/// The value, or its default with the reason recorded against `col`.
fn take<T: Default>(errors: &mut Vec<(Col, String)>, col: Col, result: Result<T, String>) -> T {
    result.unwrap_or_else(|reason| {
        errors.push((col, reason));
        T::default()
    })
}

/// Trimmed, with runs of whitespace as one space.
fn squeeze(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_name(raw: &str) -> Result<String, String> {
    let mut name = squeeze(raw);
    if name.is_empty() {
        return Err("请填写姓名".into());
    }
    // “张　三”: spaces only pad a Chinese name; a name with Latin letters keeps them.
    if !name.chars().any(|c| c.is_ascii_alphabetic()) {
        name.retain(|c| c != ' ');
    }
    if name
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return Err(format!("姓名不能包含数字（当前为“{}”）", raw.trim()));
    }
    let count = name.chars().count();
    if !(2..=20).contains(&count) {
        return Err(format!("姓名应为2–20个字（当前为“{}”）", raw.trim()));
    }
    Ok(name)
}

fn required_text(raw: &str, label: &str, max: usize) -> Result<String, String> {
    let value = squeeze(raw);
    if value.is_empty() {
        return Err(format!("请填写{label}"));
    }
    optional_text(&value, label, max)
}

fn optional_text(raw: &str, label: &str, max: usize) -> Result<String, String> {
    let value = squeeze(raw);
    if value.chars().count() > max {
        return Err(format!("{label}过长（最多{max}个字）"));
    }
    Ok(value)
}

/// Optional: empty, or a valid code (upper case).
fn parse_uscc(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    tabular::parse_uscc(raw)
}

/// Tags separated by 、，,;；/ or spaces; distinct, in the order typed.
fn parse_specialties(raw: &str) -> Result<Vec<String>, String> {
    let value = half_width(raw);
    let mut tags: Vec<String> = Vec::new();
    for tag in value.split(|c: char| matches!(c, '、' | ',' | ';' | '/') || c.is_whitespace()) {
        if tag.is_empty() || tags.iter().any(|t| t == tag) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!(
                "专业特长每项最多{MAX_TAG_CHARS}个字（“{tag}”过长），多项请用顿号分隔"
            ));
        }
        tags.push(tag.to_string());
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("专业特长最多填写{MAX_TAGS}项"));
    }
    Ok(tags)
}

/// A mainland mobile number, 1[3-9] and 9 more digits; spaces, dashes and +86 allowed.
fn parse_mobile(raw: &str) -> Result<String, String> {
    let value: String = half_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}'))
        .collect();
    if value.is_empty() {
        return Err("请填写手机号码".into());
    }
    let digits = ["+86", "0086"]
        .iter()
        .find_map(|p| value.strip_prefix(p))
        .or_else(|| value.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&value);
    let b = digits.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(digits.to_string())
    } else {
        Err(format!(
            "手机号码应为11位中国大陆手机号，如 13812345678（当前为“{}”）",
            raw.trim()
        ))
    }
}

/// Optional: empty, or name@domain.tld without spaces.
fn parse_email(raw: &str) -> Result<String, String> {
    let value = half_width(raw.trim());
    if value.is_empty() {
        return Ok(value);
    }
    let valid = (|| {
        let (local, domain) = value.split_once('@')?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| {
                tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
            });
        (local_ok && domain_ok && value.chars().count() <= MAX_EMAIL_CHARS).then_some(())
    })()
    .is_some();
    if valid {
        Ok(value)
    } else {
        Err(format!(
            "电子邮箱格式不正确，应如 name@example.com（当前为“{}”）",
            raw.trim()
        ))
    }
}

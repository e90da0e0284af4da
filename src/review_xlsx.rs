//! Expert review spreadsheets: importing the expert pool (专家库导入) and exporting the
//! review results (评审结果导出) for the bureau to file and print.
//!
//! Import: [`parse_expert_pool`] reads an uploaded XLSX or CSV with
//! [`read_table`](crate::roster_io::read_table) and validates it all-or-nothing, every problem
//! as “第N行，列：原因”. Headers are matched as the roster's are: by text, in any order, ignoring
//! whitespace, `*` markers and punctuation (so the width of parentheses and slashes does not
//! matter); unknown columns (序号, 备注…) are ignored; a title row above the header is fine.
//!
//! Export: [`export_results`] writes one summary sheet (A4 landscape, one page wide, header row
//! repeated on every printed page, page numbers, room for the panel's signatures) and one sheet
//! per expert with a signature line. Numbers are numeric cells shown with two decimals; a
//! missing value is an empty cell. Nothing here panics on any input.
use std::collections::{HashMap, HashSet};

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

use crate::domain::roster::{MAX_ERRORS, RowError};
use crate::domain::uscc::{Uscc, UsccError};
/// Why an export failed: only content beyond Excel's limits (a million rows) can make it fail.
pub use crate::roster_io::ExportError;
use crate::roster_io::read_table;

// ---------------------------------------------------------------------------------------------
// Expert pool import

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
enum Col {
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
    const ALL: [Col; 8] = [
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

/// Full-width ASCII (“１３８”, “＠”, “／”) as half-width; the ideographic space as a space.
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
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

/// The header row (0-based index) and each column's position and header text as in the file.
type Layout = (usize, Vec<(Col, usize, String)>);

fn layout(rows: &[Vec<String>]) -> Result<Layout, Vec<RowError>> {
    let non_empty = || {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
    };
    let Some((first, _)) = non_empty().next() else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            reason: "文件中没有内容".into(),
        }]);
    };
    let Some((index, matches)) = non_empty().take(10).find_map(|(i, row)| {
        let matches: Vec<Option<Col>> = row.iter().map(|c| classify_header(c)).collect();
        (matches.iter().flatten().count() >= 3).then_some((i, matches))
    }) else {
        return Err(vec![RowError {
            row: first + 1,
            column: String::new(),
            reason: "未找到表头：第一行应为专家库的列标题（姓名、工作单位、手机……），请使用系统提供的模板".into(),
        }]);
    };
    let header = &rows[index];
    let mut errors = Vec::new();
    let mut columns: Vec<(Col, usize, String)> = Vec::new();
    for (pos, m) in matches.iter().enumerate() {
        let Some(col) = *m else { continue };
        let raw = header[pos].trim().to_string();
        if let Some((_, first_pos, first_text)) = columns.iter().find(|(c, _, _)| *c == col) {
            errors.push(RowError {
                row: index + 1,
                column: raw,
                reason: format!("与第{}列“{first_text}”重复", first_pos + 1),
            });
            continue;
        }
        columns.push((col, pos, raw));
    }
    for col in Col::ALL {
        if col.required() && !columns.iter().any(|(c, _, _)| *c == col) {
            errors.push(RowError {
                row: index + 1,
                column: col.title().to_string(),
                reason: "表头中缺少此列".into(),
            });
        }
    }
    if errors.is_empty() {
        columns.sort();
        Ok((index, columns))
    } else {
        Err(errors)
    }
}

/// Reads an uploaded expert pool (XLSX, or CSV in UTF-8, UTF-8 with BOM or GB18030): every row
/// valid, or every problem as “第N行，列：原因” (row numbers as in the spreadsheet; at most
/// [`MAX_ERRORS`] and a count of the rest). A file that cannot be read gives one message.
pub fn parse_expert_pool(bytes: &[u8]) -> Result<Vec<ExpertRow>, Vec<String>> {
    let table = read_table(bytes).map_err(|e| vec![e.to_string()])?;
    parse_expert_table(&table).map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

/// [`parse_expert_pool`] on rows already read (`rows[0]` is spreadsheet row 1).
pub fn parse_expert_table(rows: &[Vec<String>]) -> Result<Vec<ExpertRow>, Vec<RowError>> {
    let (header_index, columns) = layout(rows)?;
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    let mut mobiles: HashMap<String, usize> = HashMap::new();
    let mut data_rows = 0usize;
    for (index, cells) in rows.iter().enumerate().skip(header_index + 1) {
        let row = index + 1;
        let cell = |col: Col| -> &str {
            columns
                .iter()
                .find(|(c, _, _)| *c == col)
                .and_then(|(_, pos, _)| cells.get(*pos))
                .map_or("", String::as_str)
        };
        if Col::ALL.iter().all(|&c| cell(c).trim().is_empty()) {
            continue;
        }
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
        let header_text = |col: Col| {
            columns
                .iter()
                .find(|(c, _, _)| *c == col)
                .map_or_else(|| col.title().to_string(), |(_, _, text)| text.clone())
        };
        if let (Some(expert), true) = (expert, row_errors.is_empty()) {
            parsed.push(expert);
        } else {
            // In column order, the duplicate mobile with the other 手机 problems.
            row_errors.sort_by_key(|(col, _)| *col);
            errors.extend(row_errors.into_iter().map(|(col, reason)| RowError {
                row,
                column: header_text(col),
                reason,
            }));
        }
    }
    if data_rows == 0 {
        errors.push(RowError {
            row: header_index + 1,
            column: String::new(),
            reason: "表中没有专家数据：请在表头下方逐行填写专家信息".into(),
        });
    }
    if errors.is_empty() {
        return Ok(parsed);
    }
    if errors.len() > MAX_ERRORS {
        let rest = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(RowError {
            row: 0,
            column: String::new(),
            reason: format!("…另有 {rest} 处错误"),
        });
    }
    Err(errors)
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

/// “1.5E+17”, “9.13303027044837E17”: what a long number typed into a number cell becomes.
fn looks_scientific(s: &str) -> bool {
    let s = s.trim_start_matches(['+', '-']);
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.trim_start_matches(['+', '-']);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// Optional: empty, or a valid code (upper case).
fn parse_uscc(raw: &str) -> Result<String, String> {
    let value = half_width(raw.trim());
    if value.is_empty() {
        return Ok(String::new());
    }
    if looks_scientific(&value) {
        return Err(
            "统一社会信用代码被 Excel 当作数字保存，已丢失位数：请将该列设置为“文本”格式后重新填写"
                .into(),
        );
    }
    match Uscc::parse(&value) {
        Ok(code) => Ok(code.as_str().to_string()),
        Err(UsccError::CheckChar) if value.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
            "{}（如该列曾被 Excel 当作数字，末几位会变成0，请设置为“文本”格式后重新填写）",
            UsccError::CheckChar
        )),
        Err(e) => Err(e.to_string()),
    }
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

// ---------------------------------------------------------------------------------------------
// Expert pool template

const POOL_SHEET: &str = "专家库";
const GUIDE_SHEET: &str = "填写说明";
const POOL_WIDTHS: [f64; 9] = [6.0, 12.0, 30.0, 24.0, 28.0, 22.0, 16.0, 26.0, 18.0];

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin)
}

/// The expert pool template: the header row (bold, frozen; 工作单位统一社会信用代码 and 手机
/// as text columns) on sheet “专家库”, and a sheet “填写说明”.
pub fn expert_pool_template() -> Vec<u8> {
    pool_template_book()
        .and_then(|mut book| book.save_to_buffer())
        .expect("the template's content is fixed and within Excel's limits")
}

fn pool_template_book() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let header = header_format();
    let sheet = book.add_worksheet().set_name(POOL_SHEET)?;
    for (c, width) in POOL_WIDTHS.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    for col in [Col::EmployerUscc, Col::Mobile] {
        sheet.set_column_format(col as u16 + 1, &text)?;
    }
    sheet.set_row_height(0, 30)?;
    for (c, title) in EXPERT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let guide = book.add_worksheet().set_name(GUIDE_SHEET)?;
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let example_uscc = Uscc::with_check_char("91330302MA2H3K7L5")
        .map(|c| c.to_string())
        .unwrap_or_default();
    let rules: [(&str, &str, &str); 9] = [
        ("否", "可不填，导入时忽略", "1"),
        ("是", "专家姓名，2–20个字", "陈立新"),
        ("是", "工作单位全称", "温州大学商学院"),
        (
            "否",
            "18位，含校验位。本列为文本格式，请勿改成数字格式，否则会丢失位数",
            &example_uscc,
        ),
        (
            "否",
            "可填多项，用顿号“、”、逗号、分号、斜杠或空格分隔；每项最多20个字",
            "跨境电商、国际贸易、供应链管理",
        ),
        ("否", "专家常住的县（市、区），中山填镇街", "鹿城区"),
        (
            "是",
            "11位中国大陆手机号，可含空格或短横线；同一表中不得重复。本列为文本格式",
            "13812345678",
        ),
        ("否", "如 name@example.com", "chenlx@example.com"),
        ("否", "如 教授、高级经济师、副主任", "教授"),
    ];
    for (c, (title, width)) in ["列名", "必填", "填写要求", "示例"]
        .iter()
        .zip([26.0, 6.0, 60.0, 30.0])
        .enumerate()
    {
        guide.set_column_width(c as u16, width)?;
        guide.write_string_with_format(0, c as u16, *title, &header)?;
    }
    for (i, (column, (required, rule, example))) in EXPERT_COLUMNS.iter().zip(rules).enumerate() {
        let r = i as u32 + 1;
        for (c, value) in [*column, required, rule, example].iter().enumerate() {
            guide.write_string_with_format(r, c as u16, *value, &wrap)?;
        }
    }
    let notes = [
        "说明：",
        "1. 每位专家填一行。",
        "2. 请勿修改表头文字；列的顺序可以调整，多出的列（如“备注”）导入时忽略。",
        "3. 导入时整表校验：任何一处有误则整表不导入，并列出每处错误所在的行和列。",
        "4. 可保存为 .xlsx，或 CSV（UTF-8 或 GBK/GB18030 编码均可）；旧版 .xls 请先另存为 .xlsx。",
    ];
    let first = EXPERT_COLUMNS.len() as u32 + 2;
    for (i, note) in notes.iter().enumerate() {
        guide.write_string(first + i as u32, 0, *note)?;
    }
    Ok(book)
}

// ---------------------------------------------------------------------------------------------
// Results export

/// A scoring criterion, as a column head: “name（满分max）”.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionHead {
    pub id: String,
    pub name: String,
    /// The maximum score as displayed, e.g. “15”.
    pub max: String,
}

/// One park's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub rank: Option<u32>,
    pub park: String,
    pub operator: String,
    pub uscc: String,
    pub county: String,
    /// e.g. “全部条件符合”.
    pub verdict: String,
    pub vetoes: String,
    pub tier: String,
    /// “去掉最高最低分后平均” or “平均”.
    pub method: String,
    pub total: Option<f64>,
    /// Per-criterion means, in [`ResultsSheet::criteria`] order; extra values are ignored,
    /// missing ones are empty cells.
    pub criteria: Vec<Option<f64>>,
    /// The highest expert total less the lowest.
    pub spread: Option<f64>,
    pub experts_scored: u32,
    pub experts_counted: u32,
    pub outliers: String,
    /// e.g. “通过 3 / 不通过 1” (Zhongshan).
    pub opinions: String,
    pub decision: String,
}

/// The summary sheet's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsSheet {
    /// The call's title.
    pub title: String,
    /// The panel and date.
    pub subtitle: String,
    pub criteria: Vec<CriterionHead>,
    pub rows: Vec<ResultRow>,
}

/// One park as scored by one expert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertSheetRow {
    pub park: String,
    /// 回避理由, when the expert stood aside for this park.
    pub conflict: Option<String>,
    /// In [`ResultsSheet::criteria`] order.
    pub scores: Vec<Option<f64>>,
    pub total: Option<f64>,
    pub opinion: String,
    pub comment: String,
    pub submitted_at: String,
}

/// One expert's sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertSheet {
    pub expert: String,
    pub employer: String,
    pub rows: Vec<ExpertSheetRow>,
}

/// The name of the summary sheet.
pub const SUMMARY_SHEET: &str = "评审结果汇总";
/// The line below each expert's table.
pub const EXPERT_SIGNATURE: &str = "专家签字：＿＿＿＿  日期：＿＿＿＿";
/// The last row of the summary.
pub const PANEL_SIGNATURE: &str = "专家签名：";
/// Excel's limit on a cell's text is 32,767 UTF-16 units; stay well clear of it.
const MAX_CELL_CHARS: usize = 10_000;
/// Excel's limit on a sheet name, in UTF-16 units.
const MAX_SHEET_NAME: usize = 31;
const A4: u8 = 9;
const FOOTER: &str = "&C第 &P 页，共 &N 页";

/// The results workbook: sheet “评审结果汇总”, then one sheet per expert (in `experts` order)
/// named after the expert, made a valid and unique Excel sheet name (see [`sheet_names`]).
pub fn export_results(
    results: &ResultsSheet,
    experts: &[ExpertSheet],
) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    write_summary(book.add_worksheet(), results, &formats)?;
    let names = sheet_names(experts.iter().map(|e| e.expert.as_str()));
    for (expert, name) in experts.iter().zip(names) {
        let sheet = book.add_worksheet().set_name(name)?;
        write_expert(sheet, results, expert, &formats)?;
    }
    Ok(book.save_to_buffer()?)
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    wrap: Format,
    center: Format,
    integer: Format,
    decimal: Format,
    signature: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: header_format(),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
            integer: cell.clone().set_num_format("0"),
            decimal: cell.set_num_format("0.00"),
            signature: Format::new()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top),
        }
    }
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

fn text_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, col, clip(value), format)?;
    Ok(())
}

/// A numeric cell, or an empty (formatted) cell for `None` and for NaN or infinity.
fn number_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<(), XlsxError> {
    match value.filter(|v| v.is_finite()) {
        Some(v) => sheet.write_number_with_format(row, col, v, format)?,
        None => sheet.write_blank(row, col, format)?,
    };
    Ok(())
}

/// A title across `cols` columns (a plain cell when there is only one).
fn banner(
    sheet: &mut Worksheet,
    row: u32,
    cols: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if cols > 1 {
        sheet.merge_range(row, 0, row, cols - 1, clip(value), format)?;
    } else {
        sheet.write_string_with_format(row, 0, clip(value), format)?;
    }
    Ok(())
}

fn print_setup(sheet: &mut Worksheet, header_row: u32) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.4, 0.4, 0.6, 0.7, 0.3, 0.3)
        .set_footer(FOOTER);
    sheet.set_repeat_rows(header_row, header_row)?;
    Ok(())
}

fn criterion_title(c: &CriterionHead) -> String {
    format!("{}（满分{}）", c.name, c.max)
}

fn write_summary(
    sheet: &mut Worksheet,
    results: &ResultsSheet,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SUMMARY_SHEET)?;
    let k = results.criteria.len();
    let mut headers: Vec<(String, f64)> = [
        ("排名", 6.0),
        ("园区名称", 26.0),
        ("运营管理机构", 24.0),
        ("统一社会信用代码", 21.0),
        ("县（市、区）", 10.0),
        ("核对结论", 14.0),
        ("否决事项", 18.0),
        ("认定等级", 10.0),
        ("汇总方法", 12.0),
        ("总分", 9.0),
    ]
    .iter()
    .map(|(t, w)| (t.to_string(), *w))
    .collect();
    headers.extend(results.criteria.iter().map(|c| (criterion_title(c), 10.0)));
    headers.extend(
        [
            ("极差", 8.0),
            ("评分专家数", 8.0),
            ("计入专家数", 8.0),
            ("离群专家", 14.0),
            ("专家意见", 14.0),
            ("决定", 12.0),
        ]
        .iter()
        .map(|(t, w)| (t.to_string(), *w)),
    );
    let cols = u16::try_from(headers.len()).map_err(|_| XlsxError::RowColumnLimitError)?;

    banner(sheet, 0, cols, &results.title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    banner(sheet, 1, cols, &results.subtitle, &f.subtitle)?;
    sheet.set_row_height(1, 20)?;
    const HEADER: u32 = 2;
    for (c, (title, width)) in headers.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, *width)?;
        text_cell(sheet, HEADER, c, title, &f.header)?;
    }
    sheet.set_row_height(HEADER, 45)?;
    sheet.set_freeze_panes(HEADER + 1, 2)?;
    print_setup(sheet, HEADER)?;

    let mut r = HEADER;
    for row in &results.rows {
        r = r.checked_add(1).ok_or(XlsxError::RowColumnLimitError)?;
        number_cell(sheet, r, 0, row.rank.map(f64::from), &f.integer)?;
        let texts = [
            (&row.park, &f.wrap),
            (&row.operator, &f.wrap),
            (&row.uscc, &f.text),
            (&row.county, &f.center),
            (&row.verdict, &f.wrap),
            (&row.vetoes, &f.wrap),
            (&row.tier, &f.center),
            (&row.method, &f.wrap),
        ];
        for (c, (value, format)) in texts.iter().enumerate() {
            text_cell(sheet, r, c as u16 + 1, value, format)?;
        }
        number_cell(sheet, r, 9, row.total, &f.decimal)?;
        for i in 0..k {
            let value = row.criteria.get(i).copied().flatten();
            number_cell(sheet, r, 10 + i as u16, value, &f.decimal)?;
        }
        let c = 10 + k as u16;
        number_cell(sheet, r, c, row.spread, &f.decimal)?;
        number_cell(
            sheet,
            r,
            c + 1,
            Some(f64::from(row.experts_scored)),
            &f.integer,
        )?;
        number_cell(
            sheet,
            r,
            c + 2,
            Some(f64::from(row.experts_counted)),
            &f.integer,
        )?;
        text_cell(sheet, r, c + 3, &row.outliers, &f.wrap)?;
        text_cell(sheet, r, c + 4, &row.opinions, &f.wrap)?;
        text_cell(sheet, r, c + 5, &row.decision, &f.center)?;
    }

    // A blank row, then room for the panel's signatures.
    let r = r.checked_add(2).ok_or(XlsxError::RowColumnLimitError)?;
    banner(sheet, r, cols, PANEL_SIGNATURE, &f.signature)?;
    sheet.set_row_height(r, 80)?;
    Ok(())
}

fn write_expert(
    sheet: &mut Worksheet,
    results: &ResultsSheet,
    expert: &ExpertSheet,
    f: &Formats,
) -> Result<(), XlsxError> {
    let k = results.criteria.len();
    let mut headers: Vec<(String, f64)> = vec![("园区".into(), 26.0), ("回避".into(), 14.0)];
    headers.extend(results.criteria.iter().map(|c| (criterion_title(c), 10.0)));
    headers.extend([
        ("总分".into(), 9.0),
        ("意见".into(), 10.0),
        ("评语".into(), 40.0),
        ("提交时间".into(), 18.0),
    ]);
    let cols = u16::try_from(headers.len()).map_err(|_| XlsxError::RowColumnLimitError)?;

    banner(sheet, 0, cols, &results.title, &f.title)?;
    sheet.set_row_height(0, 30)?;
    banner(
        sheet,
        1,
        cols,
        &format!("专家：{}", expert.expert),
        &f.signature,
    )?;
    banner(
        sheet,
        2,
        cols,
        &format!("工作单位：{}", expert.employer),
        &f.signature,
    )?;
    const HEADER: u32 = 3;
    for (c, (title, width)) in headers.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, *width)?;
        text_cell(sheet, HEADER, c, title, &f.header)?;
    }
    sheet.set_row_height(HEADER, 45)?;
    sheet.set_freeze_panes(HEADER + 1, 1)?;
    print_setup(sheet, HEADER)?;

    let mut r = HEADER;
    for row in &expert.rows {
        r = r.checked_add(1).ok_or(XlsxError::RowColumnLimitError)?;
        text_cell(sheet, r, 0, &row.park, &f.wrap)?;
        let conflict = match row.conflict.as_deref().map(str::trim) {
            Some("") => "是",
            Some(reason) => reason,
            None => "",
        };
        text_cell(sheet, r, 1, conflict, &f.wrap)?;
        for i in 0..k {
            let value = row.scores.get(i).copied().flatten();
            number_cell(sheet, r, 2 + i as u16, value, &f.decimal)?;
        }
        let c = 2 + k as u16;
        number_cell(sheet, r, c, row.total, &f.decimal)?;
        text_cell(sheet, r, c + 1, &row.opinion, &f.center)?;
        text_cell(sheet, r, c + 2, &row.comment, &f.wrap)?;
        text_cell(sheet, r, c + 3, &row.submitted_at, &f.center)?;
    }

    let r = r.checked_add(2).ok_or(XlsxError::RowColumnLimitError)?;
    banner(sheet, r, cols, EXPERT_SIGNATURE, &f.signature)?;
    sheet.set_row_height(r, 36)?;
    Ok(())
}

/// Sheet names for the experts, in order: the name with Excel's forbidden characters
/// `[]:*?/\` replaced by their full-width forms, control characters and leading or trailing
/// apostrophes dropped, at most 31 UTF-16 units, unique (ignoring case) among themselves and
/// with “评审结果汇总” and Excel's reserved “History” — a repeat gets “（2）”, “（3）”…; an
/// empty name becomes “专家N”.
pub fn sheet_names<'a>(experts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::from([SUMMARY_SHEET.to_lowercase(), "history".into()]);
    experts
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut base = sanitize_sheet_name(name);
            if base.is_empty() {
                base = format!("专家{}", i + 1);
            }
            let mut candidate = base.clone();
            let mut n = 2u32;
            while used.contains(&candidate.to_lowercase()) {
                let suffix = format!("（{n}）");
                let room = MAX_SHEET_NAME - suffix.encode_utf16().count();
                candidate = format!("{}{suffix}", truncate_utf16(&base, room));
                n += 1;
            }
            used.insert(candidate.to_lowercase());
            candidate
        })
        .collect()
}

fn sanitize_sheet_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            ':' => '：',
            '*' => '＊',
            '?' => '？',
            '/' => '／',
            '\\' => '＼',
            _ => c,
        })
        .collect();
    let tidy = |s: &str| s.trim().trim_matches('\'').trim().to_string();
    let tidied = tidy(&replaced);
    tidy(truncate_utf16(&tidied, MAX_SHEET_NAME))
}

/// The longest prefix of `s` of at most `max` UTF-16 units.
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx};
    use encoding_rs::GB18030;

    use super::*;

    // --- import ------------------------------------------------------------------------------

    fn uscc(first17: &str) -> String {
        Uscc::with_check_char(first17).unwrap().to_string()
    }

    /// A workbook from rows of cells; cells parsing as integers of at most 15 digits in the
    /// columns listed in `numeric` are written as numbers, as Excel would keep them.
    fn xlsx(rows: &[Vec<&str>], numeric: &[usize]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                match value.parse::<f64>() {
                    Ok(n) if numeric.contains(&c) => sheet.write_number(r as u32, c as u16, n),
                    _ => sheet.write_string(r as u32, c as u16, *value),
                }
                .unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    fn csv_text(rows: &[Vec<&str>]) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(Vec::new());
        for row in rows {
            writer.write_record(row).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    fn header() -> Vec<&'static str> {
        EXPERT_COLUMNS.to_vec()
    }

    #[test]
    fn reads_a_good_pool_leniently() {
        let code = uscc("12330300470000123");
        let lower = code.to_lowercase();
        // A title row, headers in another order and spelling, an extra column, a blank row
        // and a pre-numbered empty row.
        let rows: Vec<Vec<&str>> = vec![
            vec!["温州市跨境电商产业园认定评审专家库"],
            vec![
                "序号",
                " 手 机 ",
                "*姓名",
                "工作单位",
                "专业特长",
                "常住县(市、区)/镇街",
                "工作单位统一社会信用代码",
                "E-mail",
                "职称／职务",
                "备注",
            ],
            vec![
                "1",
                "138 0013 8000",
                "张　三",
                "温州大学商学院",
                "跨境电商、国际贸易,物流；物流 / 海外仓",
                "鹿城区",
                &lower,
                "zhangsan@wzu.edu.cn",
                "教授",
                "组长",
            ],
            vec![],
            vec![
                "2",
                "13912345678",
                "Mary Smith",
                " 温州海关  综合业务处 ",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            vec![
                "3",
                "+86 150-5777-0001",
                "李四",
                "温州市商务局",
                "",
                "瓯海区",
                "",
                "",
                "",
                "",
            ],
            vec!["4"],
        ];
        let bytes = xlsx(&rows, &[0, 1]);
        let experts = parse_expert_pool(&bytes).unwrap();
        assert_eq!(experts.len(), 3);
        assert_eq!(
            experts[0],
            ExpertRow {
                name: "张三".into(),
                employer: "温州大学商学院".into(),
                employer_uscc: Some(code.clone()),
                specialties: vec![
                    "跨境电商".into(),
                    "国际贸易".into(),
                    "物流".into(),
                    "海外仓".into()
                ],
                home_jurisdiction: Some("鹿城区".into()),
                mobile: "13800138000".into(),
                email: Some("zhangsan@wzu.edu.cn".into()),
                title: Some("教授".into()),
            }
        );
        assert_eq!(experts[1].name, "Mary Smith");
        assert_eq!(experts[1].employer, "温州海关 综合业务处");
        assert_eq!(experts[1].mobile, "13912345678", "a number cell reads back");
        assert_eq!(experts[1].employer_uscc, None);
        assert!(experts[1].specialties.is_empty());
        assert_eq!(experts[1].email, None);
        assert_eq!(experts[2].mobile, "15057770001");
        assert_eq!(experts[2].home_jurisdiction.as_deref(), Some("瓯海区"));

        // The same as a UTF-8 CSV with a BOM.
        let text = csv_text(&rows);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(parse_expert_pool(&bom).unwrap(), experts);
        // Serde round trip.
        let json = serde_json::to_string(&experts[0]).unwrap();
        assert_eq!(
            serde_json::from_str::<ExpertRow>(&json).unwrap(),
            experts[0]
        );
    }

    #[test]
    fn reads_a_gb18030_csv() {
        let rows = vec![
            header(),
            vec![
                "1",
                "王芳",
                "中山市商务局",
                "",
                "电子商务、统计",
                "石岐街道",
                "137-2345-6789",
                "",
                "科长",
            ],
        ];
        let text = csv_text(&rows);
        let (bytes, _, unmappable) = GB18030.encode(&text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "not GB18030-encoded");
        let experts = parse_expert_pool(&bytes).unwrap();
        assert_eq!(experts.len(), 1);
        assert_eq!(experts[0].name, "王芳");
        assert_eq!(experts[0].specialties, ["电子商务", "统计"]);
        assert_eq!(experts[0].home_jurisdiction.as_deref(), Some("石岐街道"));
        assert_eq!(experts[0].mobile, "13723456789");
        assert_eq!(experts[0].title.as_deref(), Some("科长"));
    }

    #[test]
    fn every_bad_cell_is_reported() {
        let good = uscc("91330302MA2H3K7L5");
        let mut bad_check = good[..17].to_string();
        bad_check.push(if good.ends_with('0') { '1' } else { '0' });
        let long_tag = "跨".repeat(21);
        let long_specialties = format!("电商、{long_tag}");
        let long_employer = "单".repeat(101);
        let long_name = "名".repeat(21);
        let ok = |name: &'static str, mobile: &'static str| -> Vec<&'static str> {
            vec!["", name, "某单位", "", "", "", mobile, "", ""]
        };
        let mut rows: Vec<Vec<&str>> = vec![header()];
        rows.push(vec!["1", "", "", "", "", "", "", "", ""]); // row 2: only 序号: skipped
        rows.push(ok("张", "13800000001")); // 3
        rows.push(vec!["", &long_name, "", "", "", "", "", "", ""]); // 4: name too long, employer and mobile missing
        rows.push(ok("张三3", "13800000002")); // 5
        rows.push(vec![
            "",
            "李四",
            &long_employer,
            &bad_check,
            "",
            "",
            "13800000003",
            "",
            "",
        ]); // 6
        rows.push(vec![
            "",
            "王五",
            "某单位",
            "9.13303027044837E+17",
            "",
            "",
            "13800000004",
            "",
            "",
        ]); // 7
        rows.push(vec![
            "",
            "赵六",
            "某单位",
            "",
            &long_specialties,
            "",
            "12800000005",
            "",
            "",
        ]); // 8
        rows.push(vec![
            "",
            "钱七",
            "某单位",
            "",
            "",
            "",
            "1380000000",
            "a@b",
            "",
        ]); // 9
        rows.push(vec![
            "",
            "孙八",
            "某单位",
            "",
            "",
            "",
            "138-0000-0003",
            "x y@example.com",
            "",
        ]); // 10
        let bytes = xlsx(&rows, &[]);
        let errors = parse_expert_pool(&bytes).unwrap_err();
        assert_eq!(
            errors,
            [
                "第3行，姓名：姓名应为2–20个字（当前为“张”）",
                format!("第4行，姓名：姓名应为2–20个字（当前为“{long_name}”）").as_str(),
                "第4行，工作单位：请填写工作单位",
                "第4行，手机：请填写手机号码",
                "第5行，姓名：姓名不能包含数字（当前为“张三3”）",
                "第6行，工作单位：工作单位过长（最多100个字）",
                "第6行，工作单位统一社会信用代码：统一社会信用代码校验位不正确，请核对",
                "第7行，工作单位统一社会信用代码：统一社会信用代码被 Excel 当作数字保存，已丢失位数：请将该列设置为“文本”格式后重新填写",
                format!(
                    "第8行，专业特长：专业特长每项最多20个字（“{long_tag}”过长），多项请用顿号分隔"
                )
                .as_str(),
                "第8行，手机：手机号码应为11位中国大陆手机号，如 13812345678（当前为“12800000005”）",
                "第9行，手机：手机号码应为11位中国大陆手机号，如 13812345678（当前为“1380000000”）",
                "第9行，电子邮箱：电子邮箱格式不正确，应如 name@example.com（当前为“a@b”）",
                "第10行，手机：手机号码与第6行重复",
                "第10行，电子邮箱：电子邮箱格式不正确，应如 name@example.com（当前为“x y@example.com”）",
            ]
        );
    }

    #[test]
    fn a_repeated_mobile_is_an_error_on_its_second_row() {
        let rows = vec![
            header(),
            vec!["1", "张三", "甲单位", "", "", "", "13800138000", "", ""],
            vec!["2", "李四", "乙单位", "", "", "", "13900139000", "", ""],
            vec!["3", "王五", "丙单位", "", "", "", "138 0013 8000", "", ""],
        ];
        let errors = parse_expert_pool(csv_text(&rows).as_bytes()).unwrap_err();
        assert_eq!(errors, ["第4行，手机：手机号码与第2行重复"]);
    }

    #[test]
    fn empty_and_headless_files_are_refused() {
        assert_eq!(parse_expert_pool(b"").unwrap_err(), ["文件为空"]);
        assert_eq!(parse_expert_pool(b" \r\n").unwrap_err(), ["文件为空"]);
        assert_eq!(
            parse_expert_pool(b"%PDF-1.7").unwrap_err(),
            ["文件不是有效的 XLSX 或 CSV 文件"]
        );
        let only_header = csv_text(&[header()]);
        assert_eq!(
            parse_expert_pool(only_header.as_bytes()).unwrap_err(),
            ["第1行：表中没有专家数据：请在表头下方逐行填写专家信息"]
        );
        let errors = parse_expert_pool("a,b,c\r\n1,2,3\r\n".as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("第1行：未找到表头"), "{}", errors[0]);
        let errors =
            parse_expert_pool("姓名,专业特长,电子邮箱,手机,手机号码\r\n".as_bytes()).unwrap_err();
        assert_eq!(
            errors,
            [
                "第1行，手机号码：与第4列“手机”重复",
                "第1行，工作单位：表头中缺少此列"
            ]
        );
        let empty_book = xlsx(&[], &[]);
        assert_eq!(
            parse_expert_pool(&empty_book).unwrap_err(),
            ["第1行：文件中没有内容"]
        );
    }

    #[test]
    fn template_reads_back_as_an_empty_pool() {
        let bytes = expert_pool_template();
        let table = read_table(&bytes).unwrap();
        assert_eq!(table, [EXPERT_COLUMNS.map(String::from).to_vec()]);
        assert_eq!(
            parse_expert_pool(&bytes).unwrap_err(),
            ["第1行：表中没有专家数据：请在表头下方逐行填写专家信息"]
        );
        let mut book = Xlsx::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["专家库", "填写说明"]);
        let guide = book.worksheet_range("填写说明").unwrap();
        assert_eq!(guide.get_value((7, 0)), Some(&Data::String("手机".into())));
        let sheet1 = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet1.contains(r#"<pane ySplit="1""#), "frozen header");
    }

    #[test]
    fn garbage_never_panics() {
        let template = expert_pool_template();
        let mut state: u32 = 7;
        let mut next = || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state >> 8
        };
        for _ in 0..200 {
            let mut bytes = template.clone();
            let i = next() as usize % bytes.len();
            bytes[i] = next() as u8;
            let _ = parse_expert_pool(&bytes);
            let len = next() as usize % 300;
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = parse_expert_pool(&noise);
        }
    }

    // --- export ------------------------------------------------------------------------------

    fn criteria() -> Vec<CriterionHead> {
        [
            ("infra", "基础设施", "15"),
            ("ops", "运营管理", "25"),
            ("svc", "公共服务", "20"),
        ]
        .iter()
        .map(|(id, name, max)| CriterionHead {
            id: (*id).into(),
            name: (*name).into(),
            max: (*max).into(),
        })
        .collect()
    }

    fn result_row(rank: Option<u32>, park: &str, total: Option<f64>) -> ResultRow {
        ResultRow {
            rank,
            park: park.into(),
            operator: format!("{park}运营有限公司"),
            uscc: uscc("91330302MA2H3K7L5"),
            county: "鹿城区".into(),
            verdict: "全部条件符合".into(),
            vetoes: String::new(),
            tier: "市级".into(),
            method: "去掉最高最低分后平均".into(),
            total,
            criteria: vec![Some(12.333_333), None, Some(18.0)],
            spread: total.map(|_| 6.5),
            experts_scored: 5,
            experts_counted: 3,
            outliers: "张三".into(),
            opinions: "通过 3 / 不通过 1".into(),
            decision: "拟认定".into(),
        }
    }

    fn expert(name: &str) -> ExpertSheet {
        ExpertSheet {
            expert: name.into(),
            employer: "温州大学".into(),
            rows: vec![
                ExpertSheetRow {
                    park: "鹿城跨境电商产业园".into(),
                    conflict: None,
                    scores: vec![Some(13.0), Some(20.5), Some(17.0)],
                    total: Some(50.5),
                    opinion: "通过".into(),
                    comment: "配套完善".into(),
                    submitted_at: "2026-03-02 10:15".into(),
                },
                ExpertSheetRow {
                    park: "瓯海跨境电商园".into(),
                    conflict: Some("曾任该园区顾问".into()),
                    scores: vec![],
                    total: None,
                    opinion: String::new(),
                    comment: String::new(),
                    submitted_at: String::new(),
                },
            ],
        }
    }

    fn sample_export() -> Vec<u8> {
        let results = ResultsSheet {
            title: "2026年温州市跨境电商产业园认定评审".into(),
            subtitle: "评审组：第一组　评审日期：2026年3月2日".into(),
            criteria: criteria(),
            rows: vec![
                result_row(Some(1), "鹿城跨境电商产业园", Some(85.5)),
                result_row(None, "瓯海跨境电商园", None),
            ],
        };
        let experts = [
            expert("王芳"),
            expert("王芳"),
            expert("李/明*[组长]:?"),
            expert(&"很".repeat(40)),
            expert("评审结果汇总"),
            expert("'history'"),
            expert("  "),
        ];
        export_results(&results, &experts).unwrap()
    }

    fn zip_entry(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn s(text: &str) -> Data {
        Data::String(text.into())
    }

    #[test]
    fn export_reads_back() {
        let bytes = sample_export();
        let mut book = Xlsx::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            [
                "评审结果汇总",
                "王芳",
                "王芳（2）",
                "李／明＊［组长］：？",
                &"很".repeat(31),
                "评审结果汇总（2）",
                "history（2）",
                "专家7",
            ]
        );
        let summary = book.worksheet_range("评审结果汇总").unwrap();
        let at = |r: u32, c: u32| summary.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(0, 0), s("2026年温州市跨境电商产业园认定评审"));
        assert_eq!(at(1, 0), s("评审组：第一组　评审日期：2026年3月2日"));
        let header: Vec<Data> = (0..19).map(|c| at(2, c)).collect();
        assert_eq!(
            header,
            [
                "排名",
                "园区名称",
                "运营管理机构",
                "统一社会信用代码",
                "县（市、区）",
                "核对结论",
                "否决事项",
                "认定等级",
                "汇总方法",
                "总分",
                "基础设施（满分15）",
                "运营管理（满分25）",
                "公共服务（满分20）",
                "极差",
                "评分专家数",
                "计入专家数",
                "离群专家",
                "专家意见",
                "决定",
            ]
            .map(s)
        );
        assert_eq!(at(3, 0), Data::Float(1.0));
        assert_eq!(at(3, 1), s("鹿城跨境电商产业园"));
        assert_eq!(at(3, 9), Data::Float(85.5));
        assert_eq!(at(3, 10), Data::Float(12.333_333));
        assert_eq!(at(3, 11), Data::Empty, "a missing criterion mean");
        assert_eq!(at(3, 13), Data::Float(6.5));
        assert_eq!(at(3, 14), Data::Float(5.0));
        assert_eq!(at(3, 17), s("通过 3 / 不通过 1"));
        assert_eq!(at(4, 0), Data::Empty, "no rank");
        assert_eq!(at(4, 9), Data::Empty, "no total");
        assert_eq!(at(4, 13), Data::Empty, "no spread");
        assert_eq!(at(6, 0), s(PANEL_SIGNATURE));

        let sheet = book.worksheet_range("王芳（2）").unwrap();
        let at = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(1, 0), s("专家：王芳"));
        assert_eq!(at(2, 0), s("工作单位：温州大学"));
        let header: Vec<Data> = (0..9).map(|c| at(3, c)).collect();
        assert_eq!(
            header,
            [
                "园区",
                "回避",
                "基础设施（满分15）",
                "运营管理（满分25）",
                "公共服务（满分20）",
                "总分",
                "意见",
                "评语",
                "提交时间",
            ]
            .map(s)
        );
        assert_eq!(at(4, 3), Data::Float(20.5));
        assert_eq!(at(4, 5), Data::Float(50.5));
        assert_eq!(at(4, 8), s("2026-03-02 10:15"));
        assert_eq!(at(5, 1), s("曾任该园区顾问"));
        assert_eq!(at(5, 2), Data::Empty);
        assert_eq!(at(5, 5), Data::Empty);
        assert_eq!(at(7, 0), s(EXPERT_SIGNATURE));
    }

    #[test]
    fn export_is_set_up_for_printing() {
        let bytes = sample_export();
        let summary = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        for needle in [
            r#"paperSize="9""#,
            r#"orientation="landscape""#,
            r#"fitToHeight="0""#,
            r#"<pageSetUpPr fitToPage="1"/>"#,
            "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>",
            r#"<mergeCell ref="A1:S1"/>"#,
        ] {
            assert!(summary.contains(needle), "{needle} missing");
        }
        let styles = zip_entry(&bytes, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="0.00""#));
        let workbook = zip_entry(&bytes, "xl/workbook.xml");
        assert!(
            workbook.contains(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">评审结果汇总!$3:$3</definedName>"
            ),
            "{workbook}"
        );
        let expert = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
        assert!(expert.contains(r#"orientation="landscape""#));
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "一".repeat(31);
        let names = sheet_names([
            long.as_str(),
            long.as_str(),
            "a'b",
            "'",
            "A",
            "a",
            "x\u{7}y",
            "😀".repeat(20).as_str(),
        ]);
        assert_eq!(names[0], long);
        assert_eq!(names[1], format!("{}（2）", "一".repeat(28)));
        assert_eq!(names[2], "a'b");
        assert_eq!(names[3], "专家4");
        assert_eq!(names[4], "A");
        assert_eq!(names[5], "a（2）");
        assert_eq!(names[6], "xy");
        assert_eq!(names[7], "😀".repeat(15));
        for name in &names {
            rust_xlsxwriter::utility::check_sheet_name(name).unwrap();
        }
    }

    #[test]
    fn export_copes_with_odd_input() {
        let results = ResultsSheet {
            title: String::new(),
            subtitle: "x".repeat(40_000),
            criteria: vec![],
            rows: vec![ResultRow {
                total: Some(f64::NAN),
                spread: Some(f64::INFINITY),
                criteria: vec![Some(1.0), Some(2.0)],
                ..result_row(Some(1), "=SUM(A1)", Some(1.0))
            }],
        };
        let bytes = export_results(&results, &[]).unwrap();
        let mut book = Xlsx::new(Cursor::new(&bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["评审结果汇总"]);
        let summary = book.worksheet_range("评审结果汇总").unwrap();
        assert_eq!(summary.get_value((3, 1)), Some(&s("=SUM(A1)")));
        assert_eq!(summary.get_value((3, 9)), Some(&Data::Empty));
        assert_eq!(summary.get_value((3, 10)), Some(&Data::Empty));
        assert_eq!(summary.get_value((2, 10)), Some(&s("极差")));
        let json = serde_json::to_value(&results.rows[0]).unwrap();
        assert_eq!(json["park"], "=SUM(A1)");
    }
}

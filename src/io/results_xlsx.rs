//! The review results as a workbook (评审结果导出) for the bureau to file and print: one summary
//! sheet (A4 landscape, one page wide, header row repeated on every printed page, page
//! numbers, room for the panel's signatures) and one sheet per expert with a signature line.
//! Numbers are numeric cells shown with two decimals; a missing value is an empty cell.
//! Nothing here panics on any input.
use std::collections::HashSet;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

/// Why an export failed: only content beyond Excel's limits (a million rows) can make it fail.
pub use crate::io::spreadsheet::ExportError;
use crate::io::spreadsheet::header_format;

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
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::*;
    use crate::domain::uscc::Uscc;
    use crate::io::spreadsheet::zip_entry;

    fn uscc(first17: &str) -> String {
        Uscc::with_check_char(first17).unwrap().to_string()
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

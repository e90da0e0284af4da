//! Spreadsheets in: reading any uploaded XLSX or CSV into rows of strings (for the roster's
//! [`parse_table`](crate::domain::roster::parse_table) and the expert pool's import); and out:
//! the roster (附件3) template and export, and the “填写说明” sheet every template carries.
//!
//! Reading never panics on any input. XLSX is recognised by content (a ZIP), not by file name;
//! everything else is read as CSV: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or else GB18030
//! (what Excel in China writes for “CSV”). Tab-separated text (Excel's “Unicode 文本”) works too.
use std::borrow::Cow;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx};
use encoding_rs::{Encoding, GB18030};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook,
    XlsxError,
};

use crate::domain::roster::{CBEC_TYPE_LABELS, Column, RosterRow, cbec_type_label, header_row};
use crate::domain::ruleset::CityTexts;
use crate::domain::uscc::Uscc;

/// Spreadsheet rows read at most (the header and any rows above it included): a park has
/// hundreds of enterprises and a pool hundreds of experts, not a hundred thousand, and a roster
/// is frozen into every version and shown on every page of the application.
pub const MAX_ROWS: usize = 3_000;
/// What an XLSX may unpack to, counted while it is unpacked: a small file can hold gigabytes (a
/// "zip bomb"), and the spreadsheet reader would load its shared strings whole.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Shared strings (distinct cell texts) an XLSX may hold.
pub const MAX_SHARED_STRINGS: usize = 200_000;
/// Cells right of this many columns are ignored.
pub const MAX_COLUMNS: usize = 64;

/// Why an upload cannot be read as a table; shown to the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("文件为空")]
    Empty,
    #[error("文件不是有效的 XLSX 或 CSV 文件")]
    NotSpreadsheet,
    #[error(
        "这是旧版 Excel（.xls）文件或设有密码的工作簿：请在 Excel 中“另存为”Excel 工作簿（*.xlsx）（如设有密码请先取消）后再上传"
    )]
    LegacyXls,
    #[error("XLSX 文件已损坏：{0}")]
    Corrupt(String),
    #[error("工作簿中没有工作表")]
    NoWorksheet,
    #[error("表格超过 {MAX_ROWS} 行，请删除多余内容后再上传")]
    TooManyRows,
    #[error("CSV 文件无法读取：{0}")]
    Csv(String),
    #[error(
        "XLSX 文件解压后过大或文本单元格过多（超过 64 MB 或 20 万个），不像一份名录；请删除多余内容后再上传"
    )]
    TooLarge,
}

const ZIP: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP: &[u8] = b"PK\x05\x06";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Formats people upload by mistake: PDF, PNG, JPEG, GIF, RAR, 7z, gzip.
const OTHER_BINARY: [&[u8]; 7] = [
    b"%PDF",
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"Rar!",
    b"7z\xBC\xAF",
    b"\x1F\x8B",
];

/// Reads the first worksheet of an XLSX, or a CSV, as rows of cell texts: `rows[0]` is
/// spreadsheet row 1 (empty rows kept, so positions match what Excel shows). Numbers are
/// written without a trailing “.0”; numbers of 15 digits or more (beyond Excel's precision,
/// e.g. a USCC typed into a number cell) in scientific notation, which `parse_table` reports.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(ZIP) || bytes.starts_with(EMPTY_ZIP) {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(OLE) {
        return Err(ReadError::LegacyXls);
    }
    if OTHER_BINARY.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(ReadError::NotSpreadsheet);
    }
    read_csv(bytes)
}

fn corrupt(e: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt(e.to_string())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    check_unpacked(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => ReadError::LegacyXls,
        e => corrupt(e),
    })?;
    let name = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or(ReadError::NoWorksheet)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(corrupt)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(corrupt)? {
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize, col as usize);
        if col >= MAX_COLUMNS {
            continue;
        }
        let text = render(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if row >= MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells_of_row = &mut rows[row];
        if cells_of_row.len() <= col {
            cells_of_row.resize(col + 1, String::new());
        }
        cells_of_row[col] = text;
    }
    Ok(rows)
}

/// Unpacks every part of the archive once, without keeping it, and refuses the file as soon as
/// it passes [`MAX_UNPACKED_BYTES`] in all or [`MAX_SHARED_STRINGS`] shared strings. The sizes
/// an archive declares are not trusted: what counts is what comes out.
fn check_unpacked(bytes: &[u8]) -> Result<(), ReadError> {
    check_unpacked_within(bytes, MAX_UNPACKED_BYTES, MAX_SHARED_STRINGS)
}

fn check_unpacked_within(
    bytes: &[u8],
    max_bytes: u64,
    max_strings: usize,
) -> Result<(), ReadError> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(corrupt)?;
        let shared = part
            .name()
            .map_err(corrupt)?
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml");
        let mut strings = SharedStringCount::default();
        loop {
            let n = part.read(&mut buf).map_err(corrupt)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > max_bytes {
                return Err(ReadError::TooLarge);
            }
            if shared && strings.feed(&buf[..n]) > max_strings {
                return Err(ReadError::TooLarge);
            }
        }
    }
    Ok(())
}

/// Counts `<si>` elements in a stream of XML chunks; a tag may be split between chunks. (A
/// part that spells them with a namespace prefix is still bounded by [`MAX_UNPACKED_BYTES`].)
#[derive(Default)]
struct SharedStringCount {
    count: usize,
    carry: Vec<u8>,
}

impl SharedStringCount {
    fn feed(&mut self, chunk: &[u8]) -> usize {
        self.carry.extend_from_slice(chunk);
        let text = &self.carry;
        let ends_name = |b: u8| matches!(b, b'>' | b'/') || b.is_ascii_whitespace();
        self.count += text
            .windows(4)
            .filter(|w| w.starts_with(b"<si") && ends_name(w[3]))
            .count();
        // Keep the last three bytes: a tag cut there is counted with the next chunk.
        let keep = text.len().min(3);
        self.carry = text[text.len() - keep..].to_vec();
        self.count
    }
}

fn render(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => render_float(*f),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => render_datetime(dt),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Integers without “.0”; from 10^15 on (past Excel's 15 significant digits) scientific.
fn render_float(f: f64) -> String {
    if !f.is_finite() {
        String::new()
    } else if f.abs() >= 1e15 {
        format!("{f:E}")
    } else if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A date cell as `YYYY-MM-DD` (with the time when it has one), so “成立年份” typed as a
/// date still reads.
fn render_datetime(dt: &ExcelDateTime) -> String {
    if !dt.is_datetime() {
        return render_float(dt.as_f64());
    }
    let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
    if (h, min, s) == (0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
    }
}

fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .ok_or(ReadError::NotSpreadsheet);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ReadError::NotSpreadsheet)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let text = decode(bytes)?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    if text.contains('\0') || controls * 100 > text.len() {
        return Err(ReadError::NotSpreadsheet);
    }
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut record = csv::StringRecord::new();
    // The reader skips blank lines; keep them, so row numbers match the file. The row of a
    // record is its line less the line breaks inside quoted cells before it.
    let bytes = text.as_bytes();
    let (mut cursor, mut lines_before) = (0usize, 0u64);
    let mut breaks_in_cells = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ReadError::Csv(e.to_string())),
        }
        // The reported start is the end of the previous record: skip the line breaks.
        let start = record
            .position()
            .map_or(cursor, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .clamp(cursor, bytes.len());
        let start = start
            + bytes[start..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        lines_before += bytes[cursor..start].iter().filter(|&&b| b == b'\n').count() as u64;
        cursor = start;
        let next = rows.len() as u64 + 1;
        let row = (lines_before + 1).saturating_sub(breaks_in_cells).max(next);
        if row > MAX_ROWS as u64 {
            return Err(ReadError::TooManyRows);
        }
        rows.resize_with(row as usize - 1, Vec::new);
        rows.push(
            record
                .iter()
                .take(MAX_COLUMNS)
                .map(unquote_formula)
                .collect(),
        );
        breaks_in_cells += record
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
    }
    Ok(rows)
}

/// `="0123"`, the trick some exports use to keep text in Excel, as `0123`.
fn unquote_formula(field: &str) -> String {
    field
        .strip_prefix("=\"")
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Writing

const SHEET: &str = "企业名录";
const GUIDE: &str = "填写说明";
/// Column widths of the roster sheet, in template order (序号 first).
const WIDTHS: [f64; 17] = [
    6.0, 34.0, 22.0, 12.0, 10.0, 10.0, 12.0, 30.0, 10.0, 20.0, 20.0, 14.0, 18.0, 10.0, 12.0, 10.0,
    16.0,
];
/// Empty rows below the data that get the drop-down lists.
const SPARE_ROWS: u32 = 2000;
/// Excel's limit on a cell's text is 32,767 UTF-16 units; stay well clear of it.
const MAX_CELL_CHARS: usize = 10_000;
/// Larger integers are written as text: a number cell keeps 15 significant digits, and
/// `read_table` shows larger numbers in scientific notation.
const MAX_NUMBER: u64 = 999_999_999_999_999;

/// The roster template: the header row (bold, frozen, 统一社会信用代码 and 联系方式 as text
/// cells, drop-down lists for 企业类型 and 是/否), and a second sheet “填写说明”.
/// `currency_label`: “美元” or “元”; `year_label`: “2025年” or “上年”.
pub fn template_xlsx(currency_label: &str, year_label: &str, texts: &CityTexts) -> Vec<u8> {
    export_xlsx(&[], currency_label, year_label, texts)
        .expect("the template's content is fixed and within Excel's limits")
}

/// Why an export failed (only a roster beyond Excel's million rows can).
#[derive(Debug, thiserror::Error)]
#[error("无法生成 XLSX 文件：{0}")]
pub struct ExportError(#[from] XlsxError);

/// The roster in the template's layout; it imports back unchanged.
pub fn export_xlsx(
    rows: &[RosterRow],
    currency_label: &str,
    year_label: &str,
    texts: &CityTexts,
) -> Result<Vec<u8>, ExportError> {
    Ok(workbook(rows, currency_label, year_label, texts)?.save_to_buffer()?)
}

/// The header row in the city's words: its name for the county column (镇街 in Zhongshan) and
/// for platform registration; both still import, as any header naming 镇街 or 备案 does.
fn city_headers(currency_label: &str, year_label: &str, texts: &CityTexts) -> Vec<String> {
    let mut headers = header_row(currency_label, year_label);
    for (column, text) in [
        (Column::County, &texts.county_column),
        (Column::PlatformRegistered, &texts.registration_column),
    ] {
        if !text.is_empty() {
            headers[column.index()] = text.clone();
        }
    }
    headers
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

fn col(column: Column) -> u16 {
    column.index() as u16
}

fn workbook(
    rows: &[RosterRow],
    currency_label: &str,
    year_label: &str,
    texts: &CityTexts,
) -> Result<Workbook, XlsxError> {
    let (currency_label, year_label) = (clip(currency_label), clip(year_label));
    let headers = city_headers(currency_label, year_label, texts);
    let mut book = Workbook::new();
    let header_format = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");

    let sheet = book.add_worksheet().set_name(SHEET)?;
    for (c, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
    }
    sheet.set_column_format(col(Column::Uscc), &text)?;
    sheet.set_column_format(col(Column::ContactPhone), &text)?;
    sheet.set_row_height(0, 45)?;
    for (c, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, title, &header_format)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let last_row = u32::try_from(rows.len())
        .ok()
        .and_then(|n| n.checked_add(SPARE_ROWS))
        .ok_or(XlsxError::RowColumnLimitError)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, r as f64)?;
        for column in Column::ALL {
            let c = col(column);
            let number = match column {
                Column::FoundedYear => u64::try_from(row.founded_year).ok(),
                Column::RegisteredCapital => Some(row.registered_capital),
                Column::Employees => Some(u64::from(row.employees)),
                Column::ImportExport => Some(row.import_export),
                _ => None,
            };
            match number {
                Some(n) if n <= MAX_NUMBER => {
                    sheet.write_number(r, c, n as f64)?;
                }
                _ if matches!(column, Column::Uscc | Column::ContactPhone) => {
                    sheet.write_string_with_format(r, c, clip(&row.cell(column)), &text)?;
                }
                _ => {
                    sheet.write_string(r, c, clip(&row.cell(column)))?;
                }
            }
        }
    }

    let mut type_list: Vec<&str> = CBEC_TYPE_LABELS.iter().map(|(_, l)| *l).collect();
    type_list.insert(1, "交易型");
    type_list.insert(type_list.len() - 2, "服务型");
    let types = DataValidation::new()
        .allow_list_strings(&type_list)?
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title("企业类型")?
        .set_error_message("请从列表中选择企业类型；非跨境电商企业选“非跨境电商”。")?;
    sheet.add_data_validation(
        1,
        col(Column::CbecType),
        last_row,
        col(Column::CbecType),
        &types,
    )?;
    let yes_no = DataValidation::new()
        .allow_list_strings(&["是", "否"])?
        .set_error_title("是/否")?
        .set_error_message("请填写“是”或“否”。")?;
    sheet.add_data_validation(
        1,
        col(Column::PlatformRegistered),
        last_row,
        col(Column::AddressInPark),
        &yes_no,
    )?;
    let uscc_hint = DataValidation::new()
        .allow_any_value()
        .set_input_title("统一社会信用代码")?
        .set_input_message("18位代码。本列为文本格式，请勿改成数字格式（会丢失位数）。")?;
    sheet.add_data_validation(
        1,
        col(Column::Uscc),
        last_row,
        col(Column::Uscc),
        &uscc_hint,
    )?;

    write_guide(
        book.add_worksheet().set_name(GUIDE)?,
        &headers,
        currency_label,
        texts,
    )?;
    Ok(book)
}

fn write_guide<'a>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    headers: &[String],
    currency_label: &str,
    texts: &'a CityTexts,
) -> Result<(), XlsxError> {
    let or = |text: &'a str, fallback: &'a str| if text.is_empty() { fallback } else { text };
    let example_uscc = Uscc::with_check_char(or(&texts.example_uscc, "91330302MA2H3K7L5"))
        .map(|c| c.to_string())
        .unwrap_or_default();
    let county_rule = format!("企业所在{}", or(&texts.county_column, "县（市、区）"));
    let types: Vec<&str> = CBEC_TYPE_LABELS.iter().map(|(_, l)| *l).collect();
    let type_rule = format!(
        "从列表中选择：{}（中山的“交易型”即经营型，“服务型”即其他）",
        types.join("、")
    );
    let amount_rule = format!(
        "上一年度跨境电商进出口额，整数，单位：{currency_label}，不带小数和单位；非跨境电商企业填0"
    );
    let yes_no = "填“是”或“否”";
    let guide: [(&str, &str, &str); 17] = [
        ("否", "可不填，导入时忽略", "1"),
        (
            "是",
            "营业执照上的企业全称",
            or(&texts.example_enterprise, "某某进出口有限公司"),
        ),
        (
            "是",
            "18位，含校验位。本列为文本格式，请勿改成数字格式，否则会丢失位数",
            &example_uscc,
        ),
        ("是", &county_rule, or(&texts.example_county, "")),
        ("是", "法定代表人姓名", "陈立新"),
        ("是", "4位数字年份，1900年至今", "2019"),
        ("是", "整数，单位：万元，不带小数（可用千分位逗号）", "500"),
        ("是", "主营业务和主要产品", "鞋类出口"),
        ("是", "整数", "35"),
        ("是", &amount_rule, "1200000"),
        (
            "否",
            "如：亚马逊、速卖通、独立站、海外仓、跨境支付",
            "亚马逊",
        ),
        (
            "是",
            &type_rule,
            cbec_type_label(crate::domain::evaluate::CbecType::Operating),
        ),
        ("是", yes_no, "是"),
        ("是", yes_no, "是"),
        ("是", yes_no, "是"),
        ("是", "联系人姓名", "林晓"),
        (
            "是",
            "一个电话号码：7–20位，只含数字、空格、+、- 和括号",
            or(&texts.phone_example, "13800000000"),
        ),
    ];
    let rows: Vec<[&str; 4]> = headers
        .iter()
        .zip(guide)
        .map(|(header, (required, rule, example))| [header.as_str(), required, rule, example])
        .collect();
    let notes = [
        "说明：",
        "1. 每家入驻企业填一行，包括非跨境电商企业（企业类型选“非跨境电商”）。",
        "2. 请勿修改表头文字；列的顺序可以调整，多出的列（如“备注”）导入时忽略。",
        "3. 金额和人数只填整数，不带单位和小数。",
        "4. 导入时整表校验：任何一处有误则整表不导入，并列出每处错误所在的行和列。",
        "5. 可保存为 .xlsx，或 CSV（UTF-8 或 GBK/GB18030 编码均可）；旧版 .xls 请先另存为 .xlsx。",
    ];
    guide_sheet(sheet, &rows, 30.0, &notes)
}

/// A template's header cells: bold, centred, shaded, framed.
pub fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin)
}

/// A template's “填写说明” sheet: a row per column of the template (its title, 必填, the rule,
/// an example), then the notes below.
pub fn guide_sheet(
    sheet: &mut rust_xlsxwriter::Worksheet,
    rows: &[[&str; 4]],
    title_width: f64,
    notes: &[&str],
) -> Result<(), XlsxError> {
    let header = header_format();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    for (c, (title, width)) in ["列名", "必填", "填写要求", "示例"]
        .iter()
        .zip([title_width, 6.0, 60.0, 30.0])
        .enumerate()
    {
        sheet.set_column_width(c as u16, width)?;
        sheet.write_string_with_format(0, c as u16, *title, &header)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        for (c, value) in cells.iter().enumerate() {
            sheet.write_string_with_format(i as u32 + 1, c as u16, *value, &wrap)?;
        }
    }
    let first = rows.len() as u32 + 2;
    for (i, note) in notes.iter().enumerate() {
        sheet.write_string(first + i as u32, 0, *note)?;
    }
    Ok(())
}

/// One part of an XLSX package as text (for tests that look at the written XML).
#[cfg(test)]
pub(crate) fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::*;
    use crate::domain::evaluate::CbecType;
    use crate::domain::roster::{RosterCells, RosterContext, parse_table, validate_row};
    use crate::domain::ruleset::Currency;

    type Sample<'a> = (
        &'a str, // name
        &'a str, // first 17 characters of the USCC
        &'a str, // county
        &'a str, // legal representative
        &'a str, // founded
        &'a str, // capital (万元)
        &'a str, // main business
        &'a str, // employees
        &'a str, // import/export
        &'a str, // platform
        &'a str, // type
        &'a str, // registered, active, in park
        &'a str, // contact
    );

    /// 25 resident enterprises of a park in 鹿城区, Wenzhou: 22 CBEC (12 operating, 4 platform,
    /// 2 payment, 3 logistics, 1 other), 21 registered, 20 active; 3 non-CBEC. Fictitious.
    #[rustfmt::skip]
    const WENZHOU: [Sample<'static>; 25] = [
        ("温州瓯越鞋业进出口有限公司", "91330302MA2H3K7L5", "鹿城区", "陈立新", "2016", "1000", "皮鞋、休闲鞋出口", "86", "4350000", "亚马逊、速卖通", "经营型", "是是是", "林晓"),
        ("温州市博展箱包有限公司", "91330302MA2J8R4Q2", "鹿城区", "王建平", "2018", "500", "箱包皮具", "42", "1860000", "速卖通", "经营型", "是是是", "王丽"),
        ("温州启航电子商务有限公司", "91330302MA2K5N8P3", "鹿城区", "周海燕", "2020", "200", "眼镜及配件", "25", "980000", "亚马逊、eBay", "经营型", "是是是", "周敏"),
        ("温州市泽瑞服饰有限公司", "91330302MA2L6M9R1", "鹿城区", "黄志强", "2017", "800", "男装、衬衫", "64", "2720000", "SHEIN", "经营型", "是是是", "黄蕾"),
        ("温州恒达电气科技有限公司", "91330304MA2A1B2C3", "瓯海区", "郑国华", "2012", "3000", "低压电器", "120", "3100000", "阿里巴巴国际站", "经营型", "是是否", "郑凯"),
        ("温州嘉禾文具有限公司", "91330302MA2B4D6F8", "鹿城区", "李春梅", "2019", "300", "文具、礼品", "30", "760000", "Temu", "经营型", "是是是", "李娜"),
        ("温州新锐阀门贸易有限公司", "91330303MA2C5E7G9", "龙湾区", "吴晓东", "2015", "1500", "阀门、管件", "55", "2050000", "阿里巴巴国际站", "经营型", "是是是", "吴昊"),
        ("温州市尚品烟具有限公司", "91330302MA2D6F8H0", "鹿城区", "潘永强", "2014", "600", "打火机及烟具", "48", "1540000", "速卖通", "经营型", "是是是", "潘婷"),
        ("温州蓝海汽摩配件有限公司", "91330381MA2E7G9J1", "瑞安市", "林志明", "2013", "2000", "汽摩配件", "95", "3880000", "eBay、亚马逊", "经营型", "是是是", "林峰"),
        ("温州优米家居用品有限公司", "91330302MA2F8H0K2", "鹿城区", "徐丽娜", "2021", "100", "家居用品", "18", "640000", "亚马逊", "经营型", "是是是", "徐静"),
        ("温州卓越锁业有限公司", "91330302MA2G9J1L3", "鹿城区", "张伟", "2020", "500", "锁具五金", "22", "0", "Wish", "经营型", "是否是", "张磊"),
        ("温州市瓯江童装有限公司", "91330302MA2H0K2M4", "鹿城区", "金晓燕", "2022", "200", "童装", "16", "420000", "TikTok Shop", "经营型", "是是是", "金鑫"),
        ("温州跨境通网络科技有限公司", "91330302MA2J1L3N5", "鹿城区", "叶建华", "2018", "1000", "跨境电商B2B平台运营", "60", "5200000", "自营B2B平台", "平台型", "是是是", "叶青"),
        ("温州市云仓数字科技有限公司", "91330302MA2K2M4P6", "鹿城区", "陈思远", "2021", "500", "独立站建站与运营服务", "28", "1100000", "Shopify 服务商", "平台型", "是是是", "陈琳"),
        ("温州易购全球供应链管理有限公司", "91330302MA2L3N5Q7", "鹿城区", "胡敏", "2019", "800", "跨境选品与分销平台", "35", "2300000", "自营分销平台", "平台型", "是是是", "胡杰"),
        ("温州市鹿城直播电商产业有限公司", "91330302MA2M4P6R8", "鹿城区", "朱丹", "2022", "300", "跨境直播电商", "40", "1450000", "TikTok", "平台型", "是是是", "朱琳"),
        ("温州瓯付信息技术有限公司", "91330302MA2N5Q7T9", "鹿城区", "孙磊", "2019", "1000", "跨境收款服务", "20", "0", "跨境支付", "支付型", "是是是", "孙悦"),
        ("温州汇通支付服务有限公司", "91330302MA2P6R8U0", "鹿城区", "方静", "2020", "1000", "外汇结算服务", "15", "0", "跨境支付", "支付型", "是是是", "方圆"),
        ("温州港通国际物流有限公司", "91330303MA2Q7T9W1", "龙湾区", "杨帆", "2011", "2000", "国际货运代理", "75", "0", "海运、空运", "物流供应链型", "是是是", "杨洋"),
        ("温州市速达供应链管理有限公司", "91330302MA2R8U0X2", "鹿城区", "刘洋", "2017", "1200", "海外仓与头程物流", "50", "0", "海外仓", "物流供应链型", "是是是", "刘畅"),
        ("温州通联报关服务有限公司", "91330302MA2T9W1Y3", "鹿城区", "谢文", "2016", "200", "报关报检", "12", "0", "报关", "物流供应链型", "否是是", "谢敏"),
        ("温州智联跨境电商服务有限公司", "91330302MA2U0X2A4", "鹿城区", "蔡慧", "2023", "100", "跨境电商培训与孵化", "10", "0", "培训孵化", "其他", "是否是", "蔡琴"),
        ("温州市鹿城区味道餐饮管理有限公司", "91330302MA2W1Y3B5", "鹿城区", "何军", "2018", "50", "餐饮", "14", "0", "", "非跨境电商", "否是是", "何平"),
        ("温州明德财务咨询有限公司", "91330302MA2X2A4C6", "鹿城区", "罗红", "2015", "100", "代理记账", "8", "0", "", "非跨境电商", "否是否", "罗兰"),
        ("温州市鹿城区联创物业服务有限公司", "91330302MA2Y3B5D7", "鹿城区", "高峰", "2010", "300", "物业管理", "26", "0", "", "非跨境电商", "否是是", "高远"),
    ];

    fn sample_cells(i: usize, s: &Sample<'_>) -> RosterCells {
        let flag = |k: usize| s.11.chars().nth(k).unwrap_or('否').to_string();
        let phone = if i.is_multiple_of(3) {
            format!("138{:08}", 57_700_000 + i * 1013)
        } else {
            format!("0577-88{:06}", 200_000 + i * 4321)
        };
        RosterCells {
            name: s.0.into(),
            uscc: Uscc::with_check_char(s.1).unwrap().to_string(),
            county: s.2.into(),
            legal_representative: s.3.into(),
            founded_year: s.4.into(),
            registered_capital: s.5.into(),
            main_business: s.6.into(),
            employees: s.7.into(),
            import_export: s.8.into(),
            platform_type: s.9.into(),
            cbec_type: s.10.into(),
            platform_registered: flag(0),
            active: flag(1),
            address_in_park: flag(2),
            contact_name: s.12.into(),
            contact_phone: phone,
        }
    }

    fn wz() -> RosterContext {
        RosterContext::new(Currency::Usd, 2026)
    }

    fn wenzhou_rows() -> Vec<RosterRow> {
        WENZHOU
            .iter()
            .enumerate()
            .map(|(i, s)| validate_row(&sample_cells(i, s), &wz()).unwrap())
            .collect()
    }

    /// Rows of display strings with 序号, as a CSV would hold them.
    fn as_table(header: Vec<String>, rows: &[RosterRow]) -> Vec<Vec<String>> {
        let mut table = vec![header];
        for (i, row) in rows.iter().enumerate() {
            let mut cells = vec![(i + 1).to_string()];
            cells.extend(Column::ALL.iter().map(|&c| row.cell(c)));
            table.push(cells);
        }
        table
    }

    fn csv_text(table: &[Vec<String>]) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in table {
            writer.write_record(row).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    }

    fn gb18030(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GB18030.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn fixture_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster")
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = fixture_dir().join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A workbook with fixed document dates, so regenerated fixtures are byte-identical.
    fn fixed_date(mut book: Workbook) -> Vec<u8> {
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
        let properties = rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date);
        book.set_properties(&properties);
        book.save_to_buffer().unwrap()
    }

    /// A Zhongshan roster as a CSV: other column order and wording, 元, a blank line, a
    /// quoted cell with a comma, a pre-numbered empty row and an extra 备注 column.
    fn zhongshan_csv() -> String {
        let header = "序号,统一社会信用代码,企业名称,镇街,法定代表人,跨境电商企业类型,\
                      是否在中山市跨境电商企业备案,是否开展业务,注册地址是否在园区内,\
                      2025年跨境电商进出口额(元),企业成立年份,注册资本（万元）,主营业务,员工人数,\
                      主营平台/服务类型,联系人,联系电话,备注";
        let rows = [
            (
                "91442000MA4UA1B2C",
                "中山市海纳跨境电子商务有限公司,火炬开发区,梁志华,交易型,是,是,是,\"8,600,000\",2018,500,\"灯饰, 照明\",45,亚马逊,梁敏,0760-88231234,",
            ),
            (
                "91442000MA4UD3E4F",
                "中山市灯都网络科技有限公司,古镇镇,冯建国,平台型,是,是,是,12000000,2019,\"1,200\",跨境电商B2B平台,60,自营平台,冯洁,0760-22345678,平台",
            ),
            ("", ""),
            (
                "91442000MA4UG5H6J",
                "中山市小榄五金制品有限公司,小榄镇,何永康,交易型,是,是,是,3500000,2012,800,五金制品,110,阿里巴巴国际站,何琳,13902201234,",
            ),
            (
                "91442000MA4UK7L8M",
                "中山市东区跨境电商服务中心有限公司,东区街道,甘露,服务型,是,是,是,0,2021,100,培训与代运营,12,代运营,甘雨,0760-88990011,",
            ),
            (
                "91442000MA4UN9P0Q",
                "中山市南头家电进出口有限公司,南头镇,邓伟,交易型,否,否,是,0,2023,300,小家电,30,Temu,邓佳,13800760123,",
            ),
            (
                "91442000MA4UR1T2U",
                "中山市石岐食品有限公司,石岐街道,卢芳,非跨境电商,否,是,否,0,2009,200,食品加工,52,,卢川,0760-88112233,",
            ),
        ];
        let mut text = format!("{header}\r\n");
        let mut n = 0;
        for (code, rest) in rows {
            if code.is_empty() {
                text.push_str("\r\n");
                continue;
            }
            n += 1;
            let uscc = Uscc::with_check_char(code).unwrap();
            text.push_str(&format!("{n},{uscc},{rest}\r\n"));
        }
        text.push_str(&format!("{},,,,,,,,,,,,,,,,,\r\n", n + 1));
        text
    }

    /// Wenzhou rows 1–8 spoilt one way each (rows 3–9 of the sheet); see the fixture README.
    fn bad_rows_xlsx() -> Vec<u8> {
        let rows = wenzhou_rows();
        let mut table = as_table(header_row("美元", "2025年"), &rows[..8]);
        let first = rows[0].uscc.clone();
        let mut bad_check = first[..17].to_string();
        bad_check.push(if rows[1].uscc.ends_with('0') {
            '1'
        } else {
            '0'
        });
        bad_check.replace_range(..17, &rows[1].uscc[..17]);
        table[2][Column::Uscc.index()] = bad_check;
        table[3][Column::FoundedYear.index()] = "二〇一九".into();
        table[4][Column::Employees.index()] = "-3".into();
        table[5][Column::CbecType.index()] = "贸易型".into();
        table[6][Column::Uscc.index()] = first;
        table[7][Column::Uscc.index()] = "913303027044837210".into();
        table[8][Column::RegisteredCapital.index()] = "50.5".into();
        let mut book = workbook(&[], "美元", "2025年", &CityTexts::default()).unwrap();
        let sheet = book.worksheet_from_index(0).unwrap();
        let numeric = [
            0,
            Column::FoundedYear.index(),
            Column::RegisteredCapital.index(),
            Column::Employees.index(),
            Column::ImportExport.index(),
        ];
        for (r, row) in table.iter().enumerate().skip(1) {
            for (c, value) in row.iter().enumerate() {
                let number = value.parse::<f64>().ok();
                // Row 8: the USCC typed into a number cell, as Excel would keep it.
                let as_number = numeric.contains(&c) || (r == 7 && c == Column::Uscc.index());
                match number {
                    Some(n) if as_number => sheet.write_number(r as u32, c as u16, n),
                    _ => sheet.write_string(r as u32, c as u16, value),
                }
                .unwrap();
            }
        }
        fixed_date(book)
    }

    const BAD_ROWS_ERRORS: [&str; 7] = [
        "第3行，统一社会信用代码：统一社会信用代码校验位不正确，请核对",
        "第4行，成立年份：成立年份应为4位数字年份，如 2019（当前为“二〇一九”）",
        "第5行，员工人数（人）：员工人数不能为负数（当前为“-3”）",
        "第6行，跨境电商企业类型：无法识别的企业类型“贸易型”，应为：经营型、平台型、支付型、物流供应链型、其他、非跨境电商",
        "第7行，统一社会信用代码：统一社会信用代码与第2行重复",
        "第8行，统一社会信用代码：统一社会信用代码被 Excel 当作数字保存，已丢失位数：请将该列设置为“文本”格式后重新填写",
        "第9行，注册资金（万元）：注册资金应为整数（单位：万元），不能带小数（当前为“50.5”）",
    ];

    /// PNG's signature followed by pseudo-random bytes: an image renamed to .xlsx.
    fn not_a_spreadsheet() -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut state: u32 = 2026;
        for _ in 0..512 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            bytes.push((state >> 24) as u8);
        }
        bytes
    }

    #[test]
    #[ignore = "writes tests/fixtures/roster; run with --ignored to regenerate"]
    fn generate_roster_fixtures() {
        let dir = fixture_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        let rows = wenzhou_rows();
        write(
            "wenzhou-25.xlsx",
            &fixed_date(workbook(&rows, "美元", "2025年", &CityTexts::default()).unwrap()),
        );
        let table = as_table(header_row("美元", "2025年"), &rows);
        write("wenzhou-25-gb18030.csv", &gb18030(&csv_text(&table)));
        write(
            "utf8-bom.csv",
            &[b"\xEF\xBB\xBF".as_slice(), zhongshan_csv().as_bytes()].concat(),
        );
        write("bad-rows.xlsx", &bad_rows_xlsx());
        write("not-a-spreadsheet.xlsx", &not_a_spreadsheet());
    }

    fn count(rows: &[RosterRow], f: impl Fn(&RosterRow) -> bool) -> usize {
        rows.iter().filter(|r| f(r)).count()
    }

    #[test]
    fn fixture_wenzhou_25() {
        let rows = parse_table(&read_table(&fixture("wenzhou-25.xlsx")).unwrap(), &wz()).unwrap();
        assert_eq!(rows, wenzhou_rows());
        let cbec = |r: &RosterRow| r.cbec_type != CbecType::None;
        assert_eq!(rows.len(), 25);
        assert_eq!(count(&rows, cbec), 22);
        assert_eq!(count(&rows, |r| cbec(r) && r.platform_registered), 21);
        assert_eq!(count(&rows, |r| r.cbec_type == CbecType::Operating), 12);
        assert_eq!(count(&rows, |r| cbec(r) && r.active), 20);
        assert!(rows.iter().all(|r| r.uscc.starts_with("913303")));
        assert!(
            rows.iter()
                .all(|r| r.to_enterprise().uscc.unwrap().is_valid())
        );

        let bytes = fixture("wenzhou-25-gb18030.csv");
        assert!(std::str::from_utf8(&bytes).is_err(), "not GB18030-encoded");
        let csv_rows = parse_table(&read_table(&bytes).unwrap(), &wz()).unwrap();
        assert_eq!(csv_rows, rows);
    }

    #[test]
    fn fixture_utf8_bom() {
        let bytes = fixture("utf8-bom.csv");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let table = read_table(&bytes).unwrap();
        assert_eq!(table[0][0], "序号");
        assert_eq!(
            table[3],
            Vec::<String>::new(),
            "the blank line keeps its row"
        );
        let zs = RosterContext::new(Currency::Cny, 2026);
        let rows = parse_table(&table, &zs).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].county, "火炬开发区");
        assert_eq!(rows[0].import_export, 8_600_000);
        assert_eq!(rows[0].main_business, "灯饰, 照明");
        assert_eq!(rows[1].registered_capital, 1200);
        let types: Vec<CbecType> = rows.iter().map(|r| r.cbec_type).collect();
        use CbecType::*;
        assert_eq!(
            types,
            [Operating, Platform, Operating, Other, Operating, None]
        );
        // In a Wenzhou call the 元 column is refused.
        let errs = parse_table(&table, &wz()).unwrap_err();
        assert!(errs[0].reason.contains("以美元为单位"), "{}", errs[0]);
    }

    #[test]
    fn fixture_bad_rows() {
        let table = read_table(&fixture("bad-rows.xlsx")).unwrap();
        let errs = parse_table(&table, &wz()).unwrap_err();
        let errs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(errs, BAD_ROWS_ERRORS);
    }

    #[test]
    fn fixture_not_a_spreadsheet() {
        let bytes = fixture("not-a-spreadsheet.xlsx");
        assert_eq!(read_table(&bytes), Err(ReadError::NotSpreadsheet));
        assert_eq!(
            ReadError::NotSpreadsheet.to_string(),
            "文件不是有效的 XLSX 或 CSV 文件"
        );
    }

    #[test]
    fn export_imports_back_unchanged() {
        let mut rows = wenzhou_rows();
        rows[3].import_export = MAX_NUMBER;
        rows[4].platform_type = "含,逗号\n和换行".into();
        let bytes = export_xlsx(&rows, "美元", "2025年", &CityTexts::default()).unwrap();
        assert!(bytes.starts_with(ZIP));
        let table = read_table(&bytes).unwrap();
        assert_eq!(table[0], header_row("美元", "2025年"));
        assert_eq!(table[1][0], "1");
        assert_eq!(table[1][Column::FoundedYear.index()], "2016");
        assert_eq!(table[4][Column::ImportExport.index()], "999999999999999");
        let mut ctx = wz();
        ctx.reference_year = Some(2025);
        assert_eq!(parse_table(&table, &ctx).unwrap(), rows);
        // Beyond what a number cell shows exactly: written as text, digits intact.
        rows[3].import_export = u64::MAX;
        let table =
            read_table(&export_xlsx(&rows, "美元", "2025年", &CityTexts::default()).unwrap())
                .unwrap();
        assert_eq!(table[4][Column::ImportExport.index()], u64::MAX.to_string());
        let book = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["企业名录", "填写说明"]);
    }

    #[test]
    fn a_zhongshan_template_speaks_of_its_towns_and_its_own_filing_and_still_imports() {
        let texts = crate::domain::ruleset::builtin("zhongshan-2022")
            .unwrap()
            .texts;
        let bytes = template_xlsx("元", "上年", &texts);
        let table = read_table(&bytes).unwrap();
        assert!(table[0].contains(&"镇街".to_string()), "{:?}", table[0]);
        assert!(table[0].contains(&"是否完成中山市跨境电商企业备案".to_string()));
        let zs = RosterContext::new(Currency::Cny, 2026);
        let errs = parse_table(&table, &zs).unwrap_err();
        assert!(errs[0].reason.contains("没有企业数据"), "{errs:?}");
        let book = calamine_text(&bytes);
        for wenzhou in ["温州", "鹿城", "0577", "综试区"] {
            assert!(
                !book.contains(wenzhou),
                "{wenzhou} in the Zhongshan template"
            );
        }
        assert!(book.contains("古镇镇") && book.contains("0760-88888888"));
    }

    /// Every cell of every sheet of a workbook, as one text.
    fn calamine_text(bytes: &[u8]) -> String {
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            for row in range.rows() {
                for cell in row {
                    text.push_str(&cell.to_string());
                    text.push('|');
                }
            }
        }
        text
    }

    #[test]
    fn template_has_the_header_only() {
        let bytes = template_xlsx("元", "上年", &CityTexts::default());
        let table = read_table(&bytes).unwrap();
        assert_eq!(table, [header_row("元", "上年")]);
        let zs = RosterContext::new(Currency::Cny, 2026);
        let errs = parse_table(&table, &zs).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].reason.contains("没有企业数据"));
        let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
        let guide = book.worksheet_range("填写说明").unwrap();
        let text: Vec<String> = guide
            .rows()
            .map(|r| {
                r.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert!(
            text[10].starts_with("上年跨境电商进出口额（元）|是|"),
            "{}",
            text[10]
        );
        assert!(text.iter().any(|l| l.contains("非跨境电商")));
    }

    #[test]
    fn csv_encodings_read_the_same() {
        let rows = wenzhou_rows();
        let text = csv_text(&as_table(header_row("美元", "2025年"), &rows));
        let utf8 = read_table(text.as_bytes()).unwrap();
        let bom = read_table(&[b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).unwrap();
        let gb = read_table(&gb18030(&text)).unwrap();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            text.replace(',', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let tabs = read_table(&utf16).unwrap();
        assert_eq!(utf8[0][0], "序号");
        assert_eq!(bom, utf8);
        assert_eq!(gb, utf8);
        assert_eq!(tabs, utf8);
        assert_eq!(parse_table(&gb, &wz()).unwrap(), rows);
    }

    #[test]
    fn csv_row_numbers_follow_the_file() {
        let text = "a,b\r\n\r\n\"line\nbreak\",x\r\n\r\nlast,=\"0123\"\r\n";
        let rows = read_table(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert!(rows[1].is_empty() && rows[3].is_empty());
        assert_eq!(rows[2], ["line\nbreak", "x"]);
        assert_eq!(rows[4], ["last", "0123"]);
    }

    #[test]
    fn an_xlsx_that_unpacks_too_far_or_holds_too_many_strings_is_refused_while_unpacking() {
        use std::io::Write;
        // A small file holding a big part: 4 MiB of one letter, a few KiB packed.
        let mut packed = zip::ZipWriter::new(Cursor::new(Vec::new()));
        packed
            .start_file(
                "xl/worksheets/sheet1.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        packed.write_all(&vec![b'a'; 4 << 20]).unwrap();
        let bomb = packed.finish().unwrap().into_inner();
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        assert_eq!(
            check_unpacked_within(&bomb, 1 << 20, 10),
            Err(ReadError::TooLarge)
        );
        assert_eq!(check_unpacked_within(&bomb, 8 << 20, 10), Ok(()));
        // Distinct texts become shared strings; a split tag is still counted once.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for i in 0..300u32 {
            sheet.write_string(i, 0, format!("企业{i}")).unwrap();
        }
        let many = book.save_to_buffer().unwrap();
        assert_eq!(
            check_unpacked_within(&many, 1 << 30, 299),
            Err(ReadError::TooLarge)
        );
        assert_eq!(check_unpacked_within(&many, 1 << 30, 300), Ok(()));
        let mut count = SharedStringCount::default();
        count.feed(b"<sst><s");
        count.feed(b"i><t>a</t></si><si");
        assert_eq!(count.feed(b"><t>b</t></si>"), 2);
        assert_eq!(count.feed(b"<si\n><t>c</t></si>"), 3);
    }

    #[test]
    fn xlsx_cells_are_rendered_as_typed() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 5, 1).unwrap();
        let date_format = Format::new().set_num_format("yyyy-mm-dd");
        // Starts at B3: positions stay those of the sheet.
        sheet.write_number(2, 1, 2019.0).unwrap();
        sheet.write_number(2, 2, 1.5).unwrap();
        sheet.write_number(2, 3, 913_303_027_044_837_210.0).unwrap();
        sheet
            .write_datetime_with_format(2, 4, &date, &date_format)
            .unwrap();
        sheet.write_boolean(2, 5, true).unwrap();
        sheet.write_number(2, 6, -3.0).unwrap();
        sheet.write_string(4, 1, " 文本 ").unwrap();
        sheet.write_number(4, 200, 1.0).unwrap(); // beyond MAX_COLUMNS: ignored
        let rows = read_table(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows.len(), 5);
        assert!(rows[0].is_empty() && rows[1].is_empty() && rows[3].is_empty());
        assert_eq!(
            rows[2],
            [
                "",
                "2019",
                "1.5",
                "9.133030270448372E17",
                "2019-05-01",
                "TRUE",
                "-3"
            ]
        );
        assert_eq!(rows[4], ["", " 文本 "]);
    }

    #[test]
    fn refuses_what_is_not_a_table() {
        assert_eq!(read_table(b""), Err(ReadError::Empty));
        assert_eq!(read_table(b" \r\n "), Err(ReadError::Empty));
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 and the rest of an old .xls";
        assert_eq!(read_table(ole), Err(ReadError::LegacyXls));
        assert!(ReadError::LegacyXls.to_string().contains(".xlsx"));
        assert_eq!(read_table(b"%PDF-1.7 ..."), Err(ReadError::NotSpreadsheet));
        assert_eq!(read_table(b"a,b\0c"), Err(ReadError::NotSpreadsheet));
        assert_eq!(
            read_table(b"\xFF\xFF\xFF\xFF"),
            Err(ReadError::NotSpreadsheet)
        );
        let Err(ReadError::Corrupt(detail)) = read_table(b"PK\x03\x04 not really a zip") else {
            panic!("a broken zip is a corrupt XLSX");
        };
        assert!(
            ReadError::Corrupt(detail)
                .to_string()
                .starts_with("XLSX 文件已损坏：")
        );
        let mut half = template_xlsx("美元", "上年", &CityTexts::default());
        half.truncate(half.len() / 2);
        assert!(matches!(read_table(&half), Err(ReadError::Corrupt(_))));
    }

    #[test]
    fn refuses_too_many_rows() {
        let text = "a\n".repeat(MAX_ROWS + 1);
        assert_eq!(read_table(text.as_bytes()), Err(ReadError::TooManyRows));
        assert_eq!(read_table(&text.as_bytes()[2..]).unwrap().len(), MAX_ROWS);
        let mut book = Workbook::new();
        book.add_worksheet()
            .write_string(MAX_ROWS as u32, 0, "x")
            .unwrap();
        assert_eq!(
            read_table(&book.save_to_buffer().unwrap()),
            Err(ReadError::TooManyRows)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn garbage_never_panics(
            prefix in prop::sample::select(vec![&b""[..], ZIP, OLE, b"\xEF\xBB\xBF", b"\xFF\xFE"]),
            body in prop::collection::vec(any::<u8>(), 0..2048),
        ) {
            let bytes = [prefix, &body].concat();
            if let Ok(table) = read_table(&bytes) {
                let _ = parse_table(&table, &wz());
            }
        }

        #[test]
        fn damaged_xlsx_never_panics(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = export_xlsx(&wenzhou_rows()[..3], "美元", "2025年", &CityTexts::default()).unwrap();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok(table) = read_table(&bytes) {
                let _ = parse_table(&table, &wz());
            }
        }
    }
}

//! What every import of a table a person filled in shares (the roster 附件3 and the expert
//! pool): finding the header row among the first rows, placing each known column and refusing
//! a column twice or one missing, walking the data rows, reading cells as typed in Excel
//! (full-width characters, a long code turned into a number), and reporting every problem as
//! “第N行，列：原因”, capped at [`MAX_ERRORS`].
//!
//! Pure: the table is rows of strings (`io::table::read_table`, or a one-row web form); row 0 is
//! spreadsheet row 1. Which titles name which column, and what a cell must hold, is each
//! import's own business (`domain::roster`, `domain::expert_pool`).
use crate::domain::uscc::{Uscc, UsccError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// At most this many problems are listed, then a count of the rest.
pub const MAX_ERRORS: usize = 200;

/// A problem in an uploaded table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based spreadsheet row; 0 only for the final “…另有 N 处错误” entry.
    pub row: usize,
    /// The header text of the column as in the file; empty for a whole-row problem.
    pub column: String,
    pub reason: String,
}

impl RowError {
    fn of_row(row: usize, reason: impl Into<String>) -> RowError {
        RowError {
            row,
            column: String::new(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => f.write_str(&self.reason),
            (row, true) => write!(f, "第{row}行：{}", self.reason),
            (row, false) => write!(f, "第{row}行，{}：{}", self.column, self.reason),
        }
    }
}

/// Full-width ASCII (“２０１９”, “（”, “＠”) as half-width; the ideographic space as a space.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// “1.5E+17”, “9.13303027044837E17”: what a long number typed into a number cell becomes.
pub fn looks_scientific(s: &str) -> bool {
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

/// A unified social credit code as typed in a cell: upper case and checked, with a message
/// that names Excel when the column was stored as a number.
pub fn parse_uscc(raw: &str) -> Result<String, String> {
    let value = half_width(raw.trim());
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

/// Where each known column of a table is.
#[derive(Debug, Clone)]
pub struct Layout<C> {
    /// The header's spreadsheet row (1-based): data starts below it.
    pub row: usize,
    /// For each column, its position in a row and its header text as in the file.
    pub columns: BTreeMap<C, (usize, String)>,
}

impl<C: Ord + Copy> Layout<C> {
    /// The cell of `column` in a data row ("" when the column is absent or the row short).
    pub fn cell<'a>(&self, cells: &'a [String], column: C) -> &'a str {
        self.columns
            .get(&column)
            .and_then(|(pos, _)| cells.get(*pos))
            .map_or("", String::as_str)
    }

    /// The column's header as the file wrote it, else `title`.
    pub fn header_text(&self, column: C, title: &str) -> String {
        self.columns
            .get(&column)
            .map_or_else(|| title.to_string(), |(_, text)| text.clone())
    }

    /// The data rows with anything in a known column: (spreadsheet row, cells).
    pub fn data_rows<'a>(
        &'a self,
        rows: &'a [Vec<String>],
    ) -> impl Iterator<Item = (usize, &'a [String])> + 'a {
        rows.iter()
            .enumerate()
            .skip(self.row)
            .map(|(index, cells)| (index + 1, cells.as_slice()))
            .filter(|(_, cells)| {
                self.columns
                    .values()
                    .any(|(pos, _)| cells.get(*pos).is_some_and(|c| !c.trim().is_empty()))
            })
    }
}

/// How one import recognises its header: what a title names (`classify`), which column that
/// is, what is wrong with a title that names it (a unit, a year), and which columns it needs.
pub struct Header<'a, M, C> {
    pub classify: &'a dyn Fn(&str) -> Option<M>,
    pub column: &'a dyn Fn(&M) -> C,
    pub problem: &'a dyn Fn(&M, &str) -> Option<String>,
    /// Each required column with the template's title for it.
    pub required: &'a [(C, &'static str)],
    /// What the first row should hold, for the message when no header is found.
    pub expected: &'static str,
}

/// Finds the header (the first of the first ten non-empty rows with at least three known
/// titles) and places every known column; every problem with the header at once.
pub fn layout<M, C: Ord + Copy>(
    rows: &[Vec<String>],
    header: &Header<'_, M, C>,
) -> Result<Layout<C>, Vec<RowError>> {
    let non_empty = || {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
    };
    let Some((first, _)) = non_empty().next() else {
        return Err(vec![RowError::of_row(1, "文件中没有内容")]);
    };
    let found = non_empty().take(10).find_map(|(i, row)| {
        let matches: Vec<Option<M>> = row.iter().map(|c| (header.classify)(c)).collect();
        (matches.iter().flatten().count() >= 3).then_some((i, matches))
    });
    let Some((index, matches)) = found else {
        let reason = format!(
            "未找到表头：第一行应为{}，请使用系统提供的模板",
            header.expected
        );
        return Err(vec![RowError::of_row(first + 1, reason)]);
    };
    let row = index + 1;
    let mut errors = Vec::new();
    let mut columns: BTreeMap<C, (usize, String)> = BTreeMap::new();
    for (pos, m) in matches.iter().enumerate() {
        let Some(m) = m else { continue };
        let column = (header.column)(m);
        let raw = rows[index][pos].trim().to_string();
        if let Some((first, first_text)) = columns.get(&column) {
            let reason = format!("与第{}列“{first_text}”重复", first + 1);
            errors.push(RowError {
                row,
                column: raw,
                reason,
            });
            continue;
        }
        if let Some(reason) = (header.problem)(m, &raw) {
            errors.push(RowError {
                row,
                column: raw.clone(),
                reason,
            });
        }
        columns.insert(column, (pos, raw));
    }
    for (column, title) in header.required {
        if !columns.contains_key(column) {
            errors.push(RowError {
                row,
                column: title.to_string(),
                reason: "表头中缺少此列".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(Layout { row, columns })
    } else {
        Err(errors)
    }
}

/// A table's outcome: every row valid, or every problem (a table without data rows is one;
/// at most [`MAX_ERRORS`] and a count of the rest). `no_data` says what the rows should hold.
pub fn outcome<T>(
    parsed: Vec<T>,
    mut errors: Vec<RowError>,
    data_rows: usize,
    header_row: usize,
    no_data: &str,
) -> Result<Vec<T>, Vec<RowError>> {
    if data_rows == 0 {
        errors.push(RowError::of_row(header_row, no_data));
    }
    if errors.is_empty() {
        return Ok(parsed);
    }
    if errors.len() > MAX_ERRORS {
        let rest = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(RowError::of_row(0, format!("…另有 {rest} 处错误")));
    }
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    fn letters(raw: &str) -> Option<char> {
        let c = raw.trim().chars().next()?;
        c.is_ascii_uppercase().then_some(c)
    }

    const HEADER: Header<'static, char, char> = Header {
        classify: &letters,
        column: &|c| *c,
        problem: &|_, _| None,
        required: &[('A', "A"), ('B', "B"), ('C', "C"), ('D', "D")],
        expected: "列标题",
    };

    #[test]
    fn the_header_may_follow_a_title_row_and_every_header_problem_is_listed_at_once() {
        let rows = vec![row(&["名录"]), row(&["A", "B", "x", "C", "A"])];
        let errors = layout(&rows, &HEADER).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["第2行，A：与第1列“A”重复", "第2行，D：表头中缺少此列"]
        );
        let none = layout(&[row(&["x", "y"])], &HEADER).unwrap_err();
        assert_eq!(
            none[0].to_string(),
            "第1行：未找到表头：第一行应为列标题，请使用系统提供的模板"
        );
        assert_eq!(
            layout(&[row(&[""])], &HEADER).unwrap_err()[0].to_string(),
            "第1行：文件中没有内容"
        );
    }

    #[test]
    fn data_rows_are_those_with_a_known_cell_filled_numbered_as_in_the_sheet() {
        let rows = vec![
            row(&["A", "B", "C", "D", "备注"]),
            row(&["", "", "", "", "只有备注"]),
            row(&["1", "", "", ""]),
            row(&[]),
            row(&["", "", "", "4"]),
        ];
        let layout = layout(&rows, &HEADER).unwrap();
        let numbers: Vec<usize> = layout.data_rows(&rows).map(|(n, _)| n).collect();
        assert_eq!(numbers, [3, 5]);
        assert_eq!(layout.cell(&rows[4], 'D'), "4");
        assert_eq!(layout.cell(&rows[3], 'D'), "");
    }

    #[test]
    fn problems_are_capped_with_a_count_of_the_rest_and_an_empty_table_is_one() {
        let many: Vec<RowError> = (1..=250).map(|r| RowError::of_row(r, "错")).collect();
        let errors = outcome::<()>(Vec::new(), many, 250, 1, "无数据").unwrap_err();
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        assert_eq!(errors[MAX_ERRORS].to_string(), "…另有 50 处错误");
        let empty = outcome::<()>(Vec::new(), Vec::new(), 0, 1, "无数据").unwrap_err();
        assert_eq!(empty[0].to_string(), "第1行：无数据");
        assert_eq!(outcome(vec![1], Vec::new(), 1, 1, "无数据"), Ok(vec![1]));
    }

    #[test]
    fn a_code_excel_turned_into_a_number_is_named_as_such() {
        assert!(parse_uscc("9.13303E+17").unwrap_err().contains("Excel"));
        assert_eq!(half_width("９１３３ＡＢ"), "9133AB");
        assert!(looks_scientific("1.5E+17") && !looks_scientific("E17"));
    }
}

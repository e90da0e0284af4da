//! The bureau's list of counties (or towns) as a table to import on its first day: 名称 and
//! 行政区划代码, optionally 类型, one per row, as a CSV or XLSX file. Every problem is reported
//! as “第N行，列：原因”, and nothing is imported until the whole table is right.
use crate::domain::tabular::{self, RowError, half_width};

/// The kinds of jurisdiction, stored name and label (the order the pages offer them).
pub const KINDS: [(&str, &str); 6] = [
    ("district", "市辖区"),
    ("county", "县"),
    ("county_city", "县级市"),
    ("function_zone", "市级功能区"),
    ("town", "镇"),
    ("subdistrict", "街道"),
];

/// A jurisdiction's kind from the end of its name (街道, 镇, 县, 市, 区), else a function zone.
pub fn kind_of_name(name: &str) -> &'static str {
    if name.ends_with("街道") {
        "subdistrict"
    } else if name.ends_with('镇') {
        "town"
    } else if name.ends_with('县') {
        "county"
    } else if name.ends_with('市') {
        "county_city"
    } else if name.ends_with('区') {
        "district"
    } else {
        "function_zone"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJurisdiction {
    pub name: String,
    /// GB/T 2260 county code (6 digits) or a town's statistical code (9 or 12 digits).
    pub division_code: String,
    pub kind: &'static str,
}

#[derive(Clone, Copy)]
enum Col {
    Name,
    Code,
    Kind,
}

impl Col {
    fn of_title(title: &str) -> Option<Col> {
        let title = half_width(title.trim());
        if title.contains("代码") {
            Some(Col::Code)
        } else if title.contains("类型") {
            Some(Col::Kind)
        } else if title.contains("名称") {
            Some(Col::Name)
        } else {
            None
        }
    }
}

/// Reads the table; `region_prefix` (the city's 3305) is what every code must start with.
pub fn parse(
    rows: &[Vec<String>],
    region_prefix: Option<&str>,
) -> Result<Vec<NewJurisdiction>, Vec<RowError>> {
    let Some((header, columns)) = header(rows) else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            reason: "未找到表头：第一行应为“名称”“行政区划代码”（可加“类型”）".into(),
        }]);
    };
    let cell = |cells: &[String], col: usize| -> String {
        cells
            .get(col)
            .map(|c| half_width(c.trim()))
            .unwrap_or_default()
    };
    let mut parsed: Vec<NewJurisdiction> = Vec::new();
    let mut errors = Vec::new();
    let mut data_rows = 0;
    for (index, cells) in rows.iter().enumerate().skip(header + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        data_rows += 1;
        let row = index + 1;
        let mut problem = |column: &str, reason: String| {
            errors.push(RowError {
                row,
                column: column.to_string(),
                reason,
            })
        };
        let name = cell(cells, columns.0);
        let code = cell(cells, columns.1);
        let kind_text = columns.2.map(|c| cell(cells, c)).unwrap_or_default();
        if !(2..=40).contains(&name.chars().count()) {
            problem("名称", "应为2–40字".into());
        } else if parsed.iter().any(|j| j.name == name) {
            problem("名称", format!("“{name}”与前面的行重复"));
        }
        let digits = code.bytes().all(|b| b.is_ascii_digit());
        if !digits || ![6, 9, 12].contains(&code.len()) {
            problem(
                "行政区划代码",
                "应为6位（县级）或9、12位（乡镇街道）数字".into(),
            );
        } else if let Some(prefix) = region_prefix.filter(|p| !code.starts_with(p)) {
            problem("行政区划代码", format!("不属于本市（应以 {prefix} 开头）"));
        }
        let kind = match kind_text.as_str() {
            "" => Some(kind_of_name(&name)),
            text => KINDS
                .iter()
                .find(|(k, l)| *k == text || *l == text)
                .map(|(k, _)| *k),
        };
        if kind.is_none() {
            let labels: Vec<&str> = KINDS.iter().map(|(_, l)| *l).collect();
            problem("类型", format!("应为{}之一，或留空", labels.join("、")));
        }
        parsed.push(NewJurisdiction {
            name,
            division_code: code,
            kind: kind.unwrap_or("function_zone"),
        });
    }
    let no_data = "表中没有辖区：请在表头下方逐行填写名称和行政区划代码";
    tabular::outcome(parsed, errors, data_rows, header + 1, no_data)
}

/// The positions of the 名称, 代码 and (optional) 类型 columns.
type Columns = (usize, usize, Option<usize>);

/// The header's row index and its columns: the first of the first ten rows with both a 名称
/// and a 代码 title.
fn header(rows: &[Vec<String>]) -> Option<(usize, Columns)> {
    rows.iter().take(10).enumerate().find_map(|(i, row)| {
        let find =
            |want: fn(Col) -> bool| row.iter().position(|t| Col::of_title(t).is_some_and(want));
        let name = find(|c| matches!(c, Col::Name))?;
        let code = find(|c| matches!(c, Col::Code))?;
        Some((i, (name, code, find(|c| matches!(c, Col::Kind)))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_county_list_reads_with_kinds_from_names_or_the_kind_column() {
        let rows = table(&[
            &["湖州市辖区名单"],
            &["名称", "行政区划代码", "类型"],
            &["吴兴区", "330502", ""],
            &["长兴县", "３３０５２２", "县"],
            &["湖州南太湖新区", "330598", "市级功能区"],
        ]);
        let parsed = parse(&rows, Some("3305")).unwrap();
        let kinds: Vec<_> = parsed.iter().map(|j| (j.name.as_str(), j.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("吴兴区", "district"),
                ("长兴县", "county"),
                ("湖州南太湖新区", "function_zone")
            ]
        );
        assert_eq!(parsed[1].division_code, "330522");
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_imported() {
        let rows = table(&[
            &["名称", "行政区划代码"],
            &["吴兴区", "33050"],
            &["鹿城区", "330302"],
            &["吴兴区", "330502"],
        ]);
        let errors: Vec<String> = parse(&rows, Some("3305"))
            .unwrap_err()
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "第2行，行政区划代码：应为6位（县级）或9、12位（乡镇街道）数字",
                "第3行，行政区划代码：不属于本市（应以 3305 开头）",
                "第4行，名称：“吴兴区”与前面的行重复",
            ]
        );
    }

    #[test]
    fn a_file_without_the_header_says_what_it_should_hold() {
        let rows = table(&[&["区县", "编码"], &["吴兴区", "330502"]]);
        let errors = parse(&rows, None).unwrap_err();
        assert!(errors[0].to_string().contains("“名称”“行政区划代码”"));
    }
}

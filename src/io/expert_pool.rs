//! The expert pool's spreadsheets: reading an uploaded XLSX or CSV into the pool's rows
//! (`domain::expert_pool` checks them) and writing the template with its “填写说明” sheet.
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::expert_pool::{self, Col, EXPERT_COLUMNS, ExpertRow};
use crate::domain::uscc::Uscc;
use crate::io::spreadsheet::{guide_sheet, header_format, read_table};

/// Reads an uploaded expert pool (XLSX, or CSV in UTF-8, UTF-8 with BOM or GB18030): every row
/// valid, or every problem as “第N行，列：原因” (row numbers as in the spreadsheet; at most
/// [`MAX_ERRORS`](crate::domain::tabular::MAX_ERRORS) and a count of the rest). A file that cannot be read gives one message.
pub fn parse_expert_pool(bytes: &[u8]) -> Result<Vec<ExpertRow>, Vec<String>> {
    let table = read_table(bytes).map_err(|e| vec![e.to_string()])?;
    expert_pool::parse_expert_table(&table)
        .map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

const POOL_SHEET: &str = "专家库";
const GUIDE_SHEET: &str = "填写说明";
const POOL_WIDTHS: [f64; 9] = [6.0, 12.0, 30.0, 24.0, 28.0, 22.0, 16.0, 26.0, 18.0];

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
    let rows: Vec<[&str; 4]> = EXPERT_COLUMNS
        .iter()
        .zip(rules)
        .map(|(column, (required, rule, example))| [*column, required, rule, example])
        .collect();
    let notes = [
        "说明：",
        "1. 每位专家填一行。",
        "2. 请勿修改表头文字；列的顺序可以调整，多出的列（如“备注”）导入时忽略。",
        "3. 导入时整表校验：任何一处有误则整表不导入，并列出每处错误所在的行和列。",
        "4. 可保存为 .xlsx，或 CSV（UTF-8 或 GBK/GB18030 编码均可）；旧版 .xls 请先另存为 .xlsx。",
    ];
    guide_sheet(guide, &rows, 26.0, &notes)?;
    Ok(book)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use encoding_rs::GB18030;

    use super::*;
    use crate::io::spreadsheet::zip_entry;

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
}

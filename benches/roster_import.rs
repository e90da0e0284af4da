//! Roster (附件3) import: `read_table` + `parse_table` on a 5,000-row XLSX (made with
//! `export_xlsx`) and the same rows as a GB18030 CSV, best of 5. Run with
//! `cargo bench --bench roster_import`.
use std::hint::black_box;
use std::time::{Duration, Instant};

use parkcert::domain::evaluate::CbecType;
use parkcert::domain::roster::{
    Column, RosterCells, RosterContext, RosterRow, header_row, parse_table, validate_row,
};
use parkcert::domain::ruleset::Currency;
use parkcert::domain::uscc::Uscc;
use parkcert::io::spreadsheet::{export_xlsx, read_table};

const ROWS: usize = 5_000;
const RUNS: usize = 5;
const TARGET: Duration = Duration::from_secs(2);

/// The 31 characters a USCC may use.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn rows(ctx: &RosterContext) -> Vec<RosterRow> {
    let types = [
        "经营型",
        "经营型",
        "平台型",
        "支付型",
        "物流供应链型",
        "其他",
        "非跨境电商",
    ];
    (0..ROWS)
        .map(|i| {
            let mut org: Vec<u8> = b"MA2".to_vec();
            let mut n = i;
            for _ in 0..6 {
                org.push(ALPHABET[n % ALPHABET.len()]);
                n /= ALPHABET.len();
            }
            let first17 = format!("91330302{}", String::from_utf8_lossy(&org));
            let cells = RosterCells {
                name: format!("温州市第{i}号跨境电子商务有限公司"),
                uscc: Uscc::with_check_char(&first17).unwrap().to_string(),
                county: "鹿城区".into(),
                legal_representative: "陈立新".into(),
                founded_year: (2000 + i % 25).to_string(),
                registered_capital: (100 + i % 900).to_string(),
                main_business: "鞋服、箱包、眼镜及配件出口".into(),
                employees: (5 + i % 200).to_string(),
                import_export: (i * 12_345).to_string(),
                platform_type: if i % 2 == 0 {
                    "亚马逊"
                } else {
                    "速卖通、独立站"
                }
                .into(),
                cbec_type: types[i % types.len()].into(),
                platform_registered: if i % 5 == 0 { "否" } else { "是" }.into(),
                active: "是".into(),
                address_in_park: "是".into(),
                contact_name: "林晓".into(),
                contact_phone: format!("0577-88{i:06}"),
            };
            validate_row(&cells, ctx).unwrap()
        })
        .collect()
}

fn gb18030_csv(rows: &[RosterRow]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header_row("美元", "2025年")).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let mut record = vec![(i + 1).to_string()];
        record.extend(Column::ALL.iter().map(|&c| row.cell(c)));
        writer.write_record(&record).unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    encoding_rs::GB18030.encode(&text).0.into_owned()
}

fn best_of(bytes: &[u8], ctx: &RosterContext, expected: &[RosterRow]) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let table = read_table(black_box(bytes)).unwrap();
            let parsed = parse_table(&table, ctx).unwrap();
            let elapsed = start.elapsed();
            assert_eq!(parsed.len(), expected.len());
            black_box(parsed);
            elapsed
        })
        .min()
        .unwrap()
}

fn main() {
    let ctx = RosterContext::new(Currency::Usd, 2026);
    let rows = rows(&ctx);
    assert!(rows.iter().any(|r| r.cbec_type == CbecType::None));
    let xlsx = export_xlsx(
        &rows,
        "美元",
        "2025年",
        &parkcert::domain::ruleset::CityTexts::default(),
    )
    .unwrap();
    let csv = gb18030_csv(&rows);
    let xlsx_time = best_of(&xlsx, &ctx, &rows);
    let csv_time = best_of(&csv, &ctx, &rows);
    println!(
        "roster import, {ROWS} rows: xlsx {} ms ({} KiB), csv-gb18030 {} ms ({} KiB) (best of {RUNS}; target < {} ms)",
        xlsx_time.as_millis(),
        xlsx.len() / 1024,
        csv_time.as_millis(),
        csv.len() / 1024,
        TARGET.as_millis(),
    );
    assert!(
        xlsx_time < TARGET && csv_time < TARGET,
        "roster import slower than the target"
    );
}

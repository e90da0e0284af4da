//! `parkcert workdays --from DATE --count N`: the Nth working day counting from DATE
//! (DOMAIN.md §7), with the built-in calendar.
use std::process::ExitCode;

use crate::domain::workdays::{Calendar, parse_iso_date};

pub fn run(from: &str, count: i64) -> ExitCode {
    match nth_working_day(&Calendar::builtin(), from, count) {
        Ok(date) => {
            println!("{}", date.format("%Y-%m-%d"));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The answer, or the one-line message for the user.
fn nth_working_day(
    calendar: &Calendar,
    from: &str,
    count: i64,
) -> Result<chrono::NaiveDate, String> {
    if count < 1 {
        return Err(format!("--count 必须是不小于 1 的整数，收到 {count}"));
    }
    // Beyond u32 the walk would leave the covered years long before, so report that year.
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let from_date = parse_iso_date(from)
        .ok_or_else(|| format!("--from 日期“{from}”无效，应为 YYYY-MM-DD 格式"))?;
    calendar
        .nth_working_day(from_date, count)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_messages() {
        let c = Calendar::builtin();
        assert_eq!(
            nth_working_day(&c, "2026-09-30", 2).unwrap().to_string(),
            "2026-10-08"
        );
        assert_eq!(
            nth_working_day(&c, "2026-09-30", 0).unwrap_err(),
            "--count 必须是不小于 1 的整数，收到 0"
        );
        assert_eq!(
            nth_working_day(&c, "2026-9-30", 1).unwrap_err(),
            "--from 日期“2026-9-30”无效，应为 YYYY-MM-DD 格式"
        );
        assert_eq!(
            nth_working_day(&c, "2026-12-28", 10).unwrap_err(),
            "2027年的节假日安排尚未导入，无法计算工作日"
        );
        assert_eq!(
            nth_working_day(&c, "2020-01-01", i64::MAX).unwrap_err(),
            "2027年的节假日安排尚未导入，无法计算工作日"
        );
    }
}

//! `parkcert workdays --from DATE --count N` (DOMAIN.md §7) with the built-in calendar.
//! Expected dates follow the State Council notices (see `src/domain/calendar/`).

use std::process::{Command, Output};

fn workdays(from: &str, count: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parkcert"))
        .args(["workdays", "--from", from, "--count", count])
        .output()
        .expect("run parkcert")
}

fn answer(from: &str, count: &str) -> String {
    let out = workdays(from, count);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{from} {count}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn refusal(from: &str, count: &str) -> String {
    let out = workdays(from, count);
    assert_eq!(out.status.code(), Some(2), "{from} {count}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    stderr.trim_end().to_string()
}

#[test]
fn workdays_counts_from_a_working_day_itself() {
    assert_eq!(answer("2026-03-02", "1"), "2026-03-02\n");
    assert_eq!(answer("2026-03-02", "5"), "2026-03-06\n");
    assert_eq!(answer("2026-03-07", "1"), "2026-03-09\n"); // from a Saturday
}

#[test]
fn workdays_across_national_day_2026() {
    // 国庆节 2026-10-01..07; Saturday 10-10 is an adjusted working day.
    assert_eq!(answer("2026-09-30", "1"), "2026-09-30\n");
    assert_eq!(answer("2026-09-30", "2"), "2026-10-08\n");
    assert_eq!(answer("2026-10-01", "1"), "2026-10-08\n");
    assert_eq!(answer("2026-10-01", "5"), "2026-10-13\n");
}

#[test]
fn workdays_across_spring_festival_2026() {
    // 春节 2026-02-15..23; Saturdays 02-14 and 02-28 are adjusted working days.
    assert_eq!(answer("2026-02-13", "2"), "2026-02-14\n");
    assert_eq!(answer("2026-02-13", "3"), "2026-02-24\n");
    assert_eq!(answer("2026-02-24", "5"), "2026-02-28\n");
}

#[test]
fn workdays_across_new_year() {
    // 元旦 2026-01-01..03; Sunday 01-04 is an adjusted working day.
    assert_eq!(answer("2025-12-31", "2"), "2026-01-04\n");
}

#[test]
fn workdays_refuses_a_count_below_one() {
    assert_eq!(
        refusal("2026-03-02", "0"),
        "--count 必须是不小于 1 的整数，收到 0"
    );
    assert_eq!(
        refusal("2026-03-02", "-3"),
        "--count 必须是不小于 1 的整数，收到 -3"
    );
}

#[test]
fn workdays_refuses_a_bad_date() {
    assert_eq!(
        refusal("2026-02-30", "1"),
        "--from 日期“2026-02-30”无效，应为 YYYY-MM-DD 格式"
    );
}

#[test]
fn workdays_refuses_an_uncovered_year() {
    let message = "2027年的节假日安排尚未导入，无法计算工作日";
    assert_eq!(refusal("2026-12-28", "10"), message);
    assert_eq!(refusal("2027-01-04", "1"), message);
    assert_eq!(
        refusal("2019-12-31", "1"),
        "2019年的节假日安排尚未导入，无法计算工作日"
    );
}

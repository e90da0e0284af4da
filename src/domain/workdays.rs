//! The working-day calendar of mainland China and the publicity window (DOMAIN.md §6).
//!
//! A date is a working day when the State Council's notice makes it one (调休, a `work` row), or
//! when it is Monday–Friday and not a statutory day off (an `off` row). The notices are published
//! one year at a time, so the calendar knows which years it covers and refuses to answer for any
//! other year: treating an unknown year's holidays as working days would silently shorten a
//! publicity window.
//!
//! The built-in seed data (`calendar/cn-2020-2026.csv`) was written from the annual notices
//! 国务院办公厅关于2020年…2026年部分节假日安排的通知, plus the 2020-01-27 notice extending the
//! 2020 Spring Festival holiday to 2 February. It lists statutory days off and adjusted working
//! days, not the weekends that merely join a holiday (they are days off anyway).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::{Asia::Shanghai, Tz};

/// The seed data: one row per statutory day off or adjusted working day, 2020–2026.
const BUILTIN_CSV: &str = include_str!("calendar/cn-2020-2026.csv");

const HEADER: [&str; 3] = ["date", "kind", "name"];

/// Fewest statutory days off a year can have: 11 (2014–2024), 13 from 2025. A year with fewer
/// `off` rows is an incomplete import, which would turn holidays into working days.
const MIN_OFF_DAYS_PER_YEAR: usize = 11;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0}年的节假日安排尚未导入，无法计算工作日")]
    YearNotCovered(i32),
    #[error("工作日数必须至少为 1")]
    ZeroCount,
    #[error("第{line}行：{message}")]
    Csv { line: usize, message: String },
    #[error("文件中没有任何日期行")]
    Empty,
    #[error("文件中没有任何年份的安排（只有 12 月的日期不算一年的安排）")]
    NoYearCovered,
    #[error("{year}年只有{off_days}个放假日，少于法定节假日天数（至少 11 天），请检查文件是否完整")]
    IncompleteYear { year: i32, off_days: usize },
    #[error("日期 {0} 重复出现")]
    DuplicateDate(NaiveDate),
    #[error("公示首日 {first_day} 须晚于发布日期 {published_on}（发布当日不计入公示期）")]
    FirstDayBeforePublication {
        first_day: NaiveDate,
        published_on: NaiveDate,
    },
    #[error("公示首日 {0} 不是工作日")]
    FirstDayNotWorkingDay(NaiveDate),
}

/// What the notice says about a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A statutory day off (放假).
    Off,
    /// An adjusted working day (调休上班), normally a Saturday or Sunday.
    Work,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Off => "off",
            DayKind::Work => "work",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "off" => Some(DayKind::Off),
            "work" => Some(DayKind::Work),
            _ => None,
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the calendar: `date,kind,name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday the row belongs to, as the notice names it (`春节`, `国庆节、中秋节`).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Special {
    kind: DayKind,
    name: String,
}

/// Statutory days off and adjusted working days for the years whose notices have been loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, Special>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// The program's own data for 2020–2026.
    pub fn builtin() -> Calendar {
        // The seed file is part of the program and checked by the tests below.
        Calendar::from_csv(BUILTIN_CSV).expect("the built-in calendar CSV is valid")
    }

    /// Parses a `date,kind,name` CSV (header required, UTF-8, optional BOM, blank lines ignored).
    ///
    /// The calendar covers every year that has a row dated January–November. A notice lists the
    /// days of its own year plus, when New Year's Day falls at a weekend, the last days of
    /// December of the year before (`2022-12-31,off,元旦` is in the 2023 notice); such a
    /// December row is kept but does not make that earlier year covered.
    pub fn from_csv(text: &str) -> Result<Calendar, CalendarError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header_ok = lines.next().is_some_and(|(_, header)| {
            let fields: Vec<String> = split_fields(header)
                .iter()
                .map(|f| f.to_ascii_lowercase())
                .collect();
            fields == HEADER
        });
        if !header_ok {
            return Err(csv_error(1, "缺少表头，第一行应为 date,kind,name"));
        }

        let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        let mut entries = Vec::new();
        for (line, raw) in lines {
            if raw.trim().is_empty() {
                continue;
            }
            let fields = split_fields(raw);
            if fields.len() != 3 {
                return Err(csv_error(
                    line,
                    format!("应有 3 列（date,kind,name），实际为 {} 列", fields.len()),
                ));
            }
            let date = parse_date(&fields[0]).ok_or_else(|| {
                csv_error(
                    line,
                    format!("日期“{}”无效，应为 YYYY-MM-DD 格式", fields[0]),
                )
            })?;
            let kind = DayKind::parse(&fields[1].to_ascii_lowercase()).ok_or_else(|| {
                csv_error(
                    line,
                    format!(
                        "类型“{}”无效，应为 off（放假）或 work（调休上班）",
                        fields[1]
                    ),
                )
            })?;
            if fields[2].is_empty() {
                return Err(csv_error(line, "缺少节日名称"));
            }
            if let Some(first) = seen.insert(date, line) {
                return Err(csv_error(line, format!("日期 {date} 与第{first}行重复")));
            }
            entries.push(CalendarEntry {
                date,
                kind,
                name: fields[2].clone(),
            });
        }
        Calendar::from_entries(entries)
    }

    /// Builds a calendar from rows kept elsewhere (the database); coverage as in [`Calendar::from_csv`].
    pub fn from_entries(
        entries: impl IntoIterator<Item = CalendarEntry>,
    ) -> Result<Calendar, CalendarError> {
        let mut calendar = Calendar::default();
        for entry in entries {
            let special = Special {
                kind: entry.kind,
                name: entry.name,
            };
            if calendar.days.insert(entry.date, special).is_some() {
                return Err(CalendarError::DuplicateDate(entry.date));
            }
            if entry.date.month() < 12 {
                calendar.years.insert(entry.date.year());
            }
        }
        if calendar.days.is_empty() {
            return Err(CalendarError::Empty);
        }
        if calendar.years.is_empty() {
            return Err(CalendarError::NoYearCovered);
        }
        for &year in &calendar.years {
            let off_days = calendar
                .entries_in_year(year)
                .filter(|e| e.kind == DayKind::Off)
                .count();
            if off_days < MIN_OFF_DAYS_PER_YEAR {
                return Err(CalendarError::IncompleteYear { year, off_days });
            }
        }
        Ok(calendar)
    }

    /// Adds the years `other` covers, replacing whatever this calendar had for them (an admin
    /// re-importing a corrected year). Rows of `other` outside its covered years (a December
    /// day off of the next year's New Year holiday) are added too, replacing a row on that date.
    pub fn merge(&mut self, other: Calendar) {
        self.days
            .retain(|date, _| !other.years.contains(&date.year()));
        self.years.extend(other.years.iter().copied());
        self.days.extend(other.days);
    }

    /// The years whose notices are loaded, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// All rows, by date.
    pub fn entries(&self) -> impl Iterator<Item = CalendarEntry> + '_ {
        self.days.iter().map(|(&date, s)| CalendarEntry {
            date,
            kind: s.kind,
            name: s.name.clone(),
        })
    }

    /// The rows dated in `year`, by date (for showing a year to an admin).
    pub fn entries_in_year(&self, year: i32) -> impl Iterator<Item = CalendarEntry> + '_ {
        let range = NaiveDate::from_ymd_opt(year, 1, 1)
            .zip(NaiveDate::from_ymd_opt(year, 12, 31))
            .map(|(first, last)| self.days.range(first..=last));
        range.into_iter().flatten().map(|(&date, s)| CalendarEntry {
            date,
            kind: s.kind,
            name: s.name.clone(),
        })
    }

    /// The calendar in the import format, so that an export can be edited and imported again.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("date,kind,name\n");
        for e in self.entries() {
            out.push_str(&format!("{},{},{}\n", e.date, e.kind, e.name));
        }
        out
    }

    /// Whether `date` is a working day in mainland China.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if !self.years.contains(&date.year()) {
            return Err(CalendarError::YearNotCovered(date.year()));
        }
        Ok(match self.days.get(&date) {
            Some(Special {
                kind: DayKind::Work,
                ..
            }) => true,
            Some(Special {
                kind: DayKind::Off, ..
            }) => false,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The working days after `from`, up to and including `to` (0 when `to` is not after it):
    /// how many working days are left before a deadline.
    pub fn working_days_after(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let mut n = 0;
        let mut date = from;
        while date < to {
            date = date
                .succ_opt()
                .ok_or(CalendarError::YearNotCovered(date.year()))?;
            if self.is_working_day(date)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The `n`th working day counting from `from`; `from` itself is the first when it is a
    /// working day. Refuses `n = 0` and any walk that reaches a year not covered.
    pub fn nth_working_day(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Err(CalendarError::ZeroCount);
        }
        let mut date = from;
        let mut remaining = n;
        loop {
            if self.is_working_day(date)? {
                remaining -= 1;
                if remaining == 0 {
                    return Ok(date);
                }
            }
            // The last representable date is in no covered year, so this only guards overflow.
            date = date
                .succ_opt()
                .ok_or(CalendarError::YearNotCovered(date.year()))?;
        }
    }

    /// The publicity window for a notice published on `published_on`, lasting `days` working
    /// days. Without a chosen first day the window starts on the first working day after the
    /// publication date (民法典第二百零一条: the day of the event is not counted); a chosen
    /// first day must be a working day not before the publication date. The window closes at
    /// 24:00 Asia/Shanghai on its last working day.
    pub fn publicity_window(
        &self,
        published_on: NaiveDate,
        first_day: Option<NaiveDate>,
        days: u32,
    ) -> Result<Window, CalendarError> {
        if days == 0 {
            return Err(CalendarError::ZeroCount);
        }
        let first_day = match first_day {
            Some(first_day) => {
                // DOMAIN §6: never before the day after publication (民法典第二百零一条).
                if first_day <= published_on {
                    return Err(CalendarError::FirstDayBeforePublication {
                        first_day,
                        published_on,
                    });
                }
                if !self.is_working_day(first_day)? {
                    return Err(CalendarError::FirstDayNotWorkingDay(first_day));
                }
                first_day
            }
            None => {
                let next = published_on
                    .succ_opt()
                    .ok_or(CalendarError::YearNotCovered(published_on.year()))?;
                self.nth_working_day(next, 1)?
            }
        };
        let last_day = self.nth_working_day(first_day, days)?;
        let after_last = last_day
            .succ_opt()
            .ok_or(CalendarError::YearNotCovered(last_day.year()))?;
        Ok(Window {
            first_day,
            last_day,
            opens_at: start_of_day_in_shanghai(first_day),
            closes_at: start_of_day_in_shanghai(after_last),
        })
    }
}

/// A publicity window: objections are accepted from `opens_at` (inclusive) to `closes_at`
/// (exclusive), i.e. from 00:00 of `first_day` to 24:00 of `last_day`, Asia/Shanghai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub opens_at: DateTime<Tz>,
    pub closes_at: DateTime<Tz>,
}

impl Window {
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.opens_at <= instant && instant < self.closes_at
    }
}

fn start_of_day_in_shanghai(date: NaiveDate) -> DateTime<Tz> {
    let midnight: NaiveDateTime = date.and_time(chrono::NaiveTime::MIN);
    // China has had no daylight saving time since 1991, so local midnight is unambiguous;
    // the fallback (UTC+8) only matters for dates no calendar covers.
    Shanghai
        .from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| Shanghai.from_utc_datetime(&(midnight - chrono::TimeDelta::hours(8))))
}

fn csv_error(line: usize, message: impl Into<String>) -> CalendarError {
    CalendarError::Csv {
        line,
        message: message.into(),
    }
}

/// Splits a CSV line into trimmed fields; a field may be double-quoted (spreadsheets quote
/// names), with `""` standing for a quote inside it.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            c => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

/// Strict `YYYY-MM-DD`: chrono alone would also take `2026-1-5`.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses a date given on the command line or in a form: strict `YYYY-MM-DD`.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    parse_date(s.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        Calendar::builtin()
    }

    fn work(s: &str) -> bool {
        cal().is_working_day(d(s)).unwrap()
    }

    fn nth(from: &str, n: u32) -> NaiveDate {
        cal().nth_working_day(d(from), n).unwrap()
    }

    fn shanghai(s: &str) -> DateTime<Tz> {
        Shanghai
            .from_local_datetime(&NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
            .single()
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        shanghai(s).with_timezone(&Utc)
    }

    #[test]
    fn builtin_covers_2020_to_2026() {
        assert_eq!(cal().covered_years(), (2020..=2026).collect::<Vec<_>>());
        // The 2023 notice's 2022-12-31 is in the data, and 2022 is covered by its own notice.
        assert!(!work("2022-12-31"));
    }

    #[test]
    fn weekends_and_ordinary_weekdays() {
        assert!(work("2026-03-02")); // Monday
        assert!(work("2026-03-06")); // Friday
        assert!(!work("2026-03-07")); // Saturday
        assert!(!work("2026-03-08")); // Sunday
    }

    #[test]
    fn statutory_days_off_on_weekdays() {
        assert!(!work("2026-01-01")); // 元旦, Thursday
        assert!(!work("2026-01-02")); // 元旦, Friday
        assert!(!work("2025-04-04")); // 清明节, Friday
        assert!(!work("2024-06-10")); // 端午节, Monday
        assert!(!work("2023-04-05")); // 清明节, Wednesday
        assert!(!work("2026-09-25")); // 中秋节, Friday
    }

    #[test]
    fn adjusted_working_weekends() {
        assert!(work("2026-01-04")); // Sunday after 元旦
        assert!(work("2026-02-14")); // Saturday before 春节
        assert!(work("2026-02-28")); // Saturday after 春节
        assert!(work("2026-09-20")); // Sunday before 国庆节
        assert!(work("2026-10-10")); // Saturday after 国庆节
        assert!(work("2025-01-26")); // Sunday before 春节
        assert!(work("2024-02-18")); // Sunday after 春节
        assert!(work("2023-10-07") && work("2023-10-08")); // Sat+Sun after 中秋国庆
        assert!(work("2022-01-29") && work("2022-01-30"));
        assert!(work("2020-01-19"));
        // The 2020 Saturday working day of 2 February was cancelled by the COVID extension.
        assert!(!work("2020-02-01"));
        assert!(work("2020-02-03")); // an ordinary Monday
    }

    #[test]
    fn spring_festival_spans() {
        let spans = [
            ("2020-01-24", "2020-02-02", "2020-01-23", "2020-02-03"),
            ("2021-02-11", "2021-02-17", "2021-02-10", "2021-02-18"),
            ("2022-01-31", "2022-02-06", "2022-01-30", "2022-02-07"),
            ("2023-01-21", "2023-01-27", "2023-01-20", "2023-01-28"),
            ("2024-02-10", "2024-02-17", "2024-02-09", "2024-02-18"),
            ("2025-01-28", "2025-02-04", "2025-01-27", "2025-02-05"),
            ("2026-02-15", "2026-02-23", "2026-02-14", "2026-02-24"),
        ];
        for (first_off, last_off, work_before, work_after) in spans {
            let mut day = d(first_off);
            while day <= d(last_off) {
                assert!(!cal().is_working_day(day).unwrap(), "{day}");
                day = day.succ_opt().unwrap();
            }
            assert_eq!(nth(work_before, 2), d(work_after), "{first_off}");
        }
    }

    #[test]
    fn national_day_spans() {
        // (last working day before, first working day after)
        let spans = [
            ("2020-09-30", "2020-10-09"),
            ("2021-09-30", "2021-10-08"),
            ("2022-09-30", "2022-10-08"),
            ("2023-09-28", "2023-10-07"),
            ("2024-09-30", "2024-10-08"),
            ("2025-09-30", "2025-10-09"),
            ("2026-09-30", "2026-10-08"),
        ];
        for (before, after) in spans {
            assert!(work(before));
            assert_eq!(nth(before, 2), d(after), "{before}");
        }
    }

    #[test]
    fn nth_counts_from_itself_when_working() {
        assert_eq!(nth("2026-03-02", 1), d("2026-03-02"));
        assert_eq!(nth("2026-03-02", 5), d("2026-03-06"));
        assert_eq!(nth("2026-03-07", 1), d("2026-03-09"));
        // From a day off, the first working day is the next one.
        assert_eq!(nth("2026-10-01", 1), d("2026-10-08"));
        // 2026-10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon.
        assert_eq!(nth("2026-10-01", 4), d("2026-10-12"));
    }

    #[test]
    fn year_boundaries() {
        // 2025-12-31 Wed, then 元旦 2026-01-01..03, 2026-01-04 Sunday worked.
        assert_eq!(nth("2025-12-31", 2), d("2026-01-04"));
        assert_eq!(nth("2025-12-31", 3), d("2026-01-05"));
        // 2022-12-31 was a day off of the 2023 New Year holiday (a Saturday anyway).
        assert_eq!(nth("2022-12-30", 2), d("2023-01-03"));
        assert_eq!(nth("2026-12-28", 4), d("2026-12-31"));
    }

    #[test]
    fn uncovered_year_is_refused() {
        let c = cal();
        let err = c.nth_working_day(d("2026-12-28"), 10).unwrap_err();
        assert_eq!(err, CalendarError::YearNotCovered(2027));
        assert_eq!(
            err.to_string(),
            "2027年的节假日安排尚未导入，无法计算工作日"
        );
        assert_eq!(
            c.is_working_day(d("2019-12-31")),
            Err(CalendarError::YearNotCovered(2019))
        );
        assert_eq!(
            c.is_working_day(d("2027-01-04")),
            Err(CalendarError::YearNotCovered(2027))
        );
    }

    #[test]
    fn zero_count_is_refused() {
        assert_eq!(
            cal().nth_working_day(d("2026-03-02"), 0),
            Err(CalendarError::ZeroCount)
        );
        assert_eq!(
            cal().publicity_window(d("2026-03-02"), None, 0),
            Err(CalendarError::ZeroCount)
        );
    }

    #[test]
    fn window_published_before_national_day() {
        // Published Wednesday 2026-09-30, the eve of 国庆: the window starts after the holiday.
        let w = cal().publicity_window(d("2026-09-30"), None, 5).unwrap();
        assert_eq!(w.first_day, d("2026-10-08"));
        // 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 Mon, 10-13 Tue.
        assert_eq!(w.last_day, d("2026-10-13"));
        assert_eq!(w.opens_at, shanghai("2026-10-08 00:00:00"));
        assert_eq!(w.closes_at, shanghai("2026-10-14 00:00:00"));
        assert!(!w.contains(utc("2026-10-07 23:59:59")));
        assert!(w.contains(utc("2026-10-08 00:00:00")));
        assert!(w.contains(utc("2026-10-13 23:59:59")));
        assert!(!w.contains(utc("2026-10-14 00:00:00")));
        // 24:00 Shanghai is 16:00 UTC.
        assert_eq!(
            w.closes_at.with_timezone(&Utc),
            "2026-10-13T16:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn window_spanning_national_day() {
        // Published Friday 2025-09-26: Sunday 9-28 is worked (调休), then 9-29 Mon, 9-30 Tue,
        // 国庆中秋 10-01..08, 10-09 Thu, 10-10 Fri.
        let w = cal().publicity_window(d("2025-09-26"), None, 5).unwrap();
        assert_eq!(w.first_day, d("2025-09-28"));
        assert_eq!(w.last_day, d("2025-10-10"));
        assert!(w.contains(utc("2025-10-05 10:00:00"))); // holidays inside the span count as open
    }

    #[test]
    fn window_published_before_spring_festival() {
        // Published Friday 2026-02-13; Saturday 2-14 is a 调休 working day, then 春节 2-15..23.
        let w = cal().publicity_window(d("2026-02-13"), None, 5).unwrap();
        assert_eq!(w.first_day, d("2026-02-14"));
        // 2-14 Sat, 2-24 Tue, 2-25 Wed, 2-26 Thu, 2-27 Fri.
        assert_eq!(w.last_day, d("2026-02-27"));
        assert_eq!(w.closes_at, shanghai("2026-02-28 00:00:00"));
        // Published on the last working day before 春节 2025 (Monday 1-27).
        let w = cal().publicity_window(d("2025-01-27"), None, 5).unwrap();
        assert_eq!(w.first_day, d("2025-02-05"));
        // 2-05 Wed, 2-06 Thu, 2-07 Fri, 2-08 Sat (调休), 2-10 Mon.
        assert_eq!(w.last_day, d("2025-02-10"));
        assert!(w.contains(utc("2025-02-09 12:00:00")));
    }

    #[test]
    fn window_with_chosen_first_day() {
        let c = cal();
        // A later working day may be chosen; the publication day itself may not.
        let w = c
            .publicity_window(d("2026-03-02"), Some(d("2026-03-04")), 5)
            .unwrap();
        assert_eq!(
            (w.first_day, w.last_day),
            (d("2026-03-04"), d("2026-03-10"))
        );
        for before in ["2026-03-01", "2026-03-02"] {
            assert_eq!(
                c.publicity_window(d("2026-03-02"), Some(d(before)), 5),
                Err(CalendarError::FirstDayBeforePublication {
                    first_day: d(before),
                    published_on: d("2026-03-02"),
                })
            );
        }
        assert_eq!(
            c.publicity_window(d("2026-09-30"), Some(d("2026-10-02")), 5),
            Err(CalendarError::FirstDayNotWorkingDay(d("2026-10-02")))
        );
        assert_eq!(
            c.publicity_window(d("2026-09-30"), Some(d("2026-10-02")), 5)
                .unwrap_err()
                .to_string(),
            "公示首日 2026-10-02 不是工作日"
        );
    }

    #[test]
    fn window_running_into_an_uncovered_year_is_refused() {
        let c = cal();
        assert_eq!(
            c.publicity_window(d("2026-12-28"), None, 5),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            c.publicity_window(d("2026-12-31"), None, 5),
            Err(CalendarError::YearNotCovered(2027))
        );
        let w = c.publicity_window(d("2026-12-23"), None, 5).unwrap();
        assert_eq!(w.last_day, d("2026-12-30"));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases: &[(&str, &str)] = &[
            ("", "第1行：缺少表头，第一行应为 date,kind,name"),
            (
                "2027-01-01,off,元旦\n",
                "第1行：缺少表头，第一行应为 date,kind,name",
            ),
            (
                "date,kind,name\n2027-01-01,off\n",
                "第2行：应有 3 列（date,kind,name），实际为 2 列",
            ),
            (
                "date,kind,name\n\n2027/01/01,off,元旦\n",
                "第3行：日期“2027/01/01”无效，应为 YYYY-MM-DD 格式",
            ),
            (
                "date,kind,name\n2027-02-30,off,春节\n",
                "第2行：日期“2027-02-30”无效，应为 YYYY-MM-DD 格式",
            ),
            (
                "date,kind,name\n2027-01-01,holiday,元旦\n",
                "第2行：类型“holiday”无效，应为 off（放假）或 work（调休上班）",
            ),
            ("date,kind,name\n2027-01-01,off,\n", "第2行：缺少节日名称"),
            (
                "date,kind,name\n2027-01-01,off,元旦\n2027-01-01,work,元旦\n",
                "第3行：日期 2027-01-01 与第2行重复",
            ),
            ("date,kind,name\n\n", "文件中没有任何日期行"),
            (
                "date,kind,name\n2027-12-31,off,元旦\n",
                "文件中没有任何年份的安排（只有 12 月的日期不算一年的安排）",
            ),
            (
                "date,kind,name\n2027-01-01,off,元旦\n",
                "2027年只有1个放假日，少于法定节假日天数（至少 11 天），请检查文件是否完整",
            ),
        ];
        for (csv, message) in cases {
            assert_eq!(
                Calendar::from_csv(csv).unwrap_err().to_string(),
                *message,
                "{csv:?}"
            );
        }
    }

    /// A plausible 2027 import (not official data: only the shape matters here).
    const SAMPLE_2027: &str = "\u{feff}Date,Kind,Name\r\n\
        2026-12-31,off,元旦\r\n\
        2027-01-01,off,元旦\r\n\
        2027-02-05,off,\"春节\"\r\n\
        2027-02-06,off,春节\r\n\
        2027-02-07,off,春节\r\n\
        2027-02-08,off,春节\r\n\
        2027-02-09,off,春节\r\n\
        2027-02-10,off,春节\r\n\
        2027-02-11,off,春节\r\n\
        2027-02-12,off,春节\r\n\
        2027-02-20,work,春节\r\n\
        2027-04-05,off,清明节\r\n\
        2027-05-01,off,劳动节\r\n\
        2027-05-03,off,劳动节\r\n";

    #[test]
    fn import_and_merge_a_year() {
        let y2027 = Calendar::from_csv(SAMPLE_2027).unwrap();
        assert_eq!(y2027.covered_years(), vec![2027]);
        assert_eq!(y2027.entries().count(), 14);
        assert_eq!(
            y2027.is_working_day(d("2026-12-31")),
            Err(CalendarError::YearNotCovered(2026))
        );

        let mut c = cal();
        c.merge(y2027.clone());
        assert_eq!(c.covered_years(), (2020..=2027).collect::<Vec<_>>());
        assert!(c.is_working_day(d("2027-02-20")).unwrap()); // Saturday worked
        assert!(!c.is_working_day(d("2027-02-08")).unwrap());
        // The 2027 notice's 2026-12-31 row now makes that Thursday a day off.
        assert!(!c.is_working_day(d("2026-12-31")).unwrap());
        assert_eq!(c.nth_working_day(d("2026-12-28"), 10), Ok(d("2027-01-12")));

        // Re-importing a year replaces it.
        let fixed = SAMPLE_2027.replace("2027-05-03,off", "2027-05-04,off");
        c.merge(Calendar::from_csv(&fixed).unwrap());
        assert!(c.is_working_day(d("2027-05-03")).unwrap());
        assert!(!c.is_working_day(d("2027-05-04")).unwrap());
        assert_eq!(c.entries_in_year(2027).count(), 13);

        // Export and import again.
        assert_eq!(Calendar::from_csv(&y2027.to_csv()), Ok(y2027));
    }

    #[test]
    fn builtin_round_trips_through_csv() {
        let c = cal();
        assert_eq!(Calendar::from_csv(&c.to_csv()), Ok(c.clone()));
        assert_eq!(Calendar::from_entries(c.entries()), Ok(c));
    }

    /// Rows of the shared reference file that the built-in data leaves out on purpose.
    /// 2020-02-03 (Monday): holiday-cn lists it as `work` because the COVID extension notice
    /// says work resumes that day, but it was an ordinary Monday, not an adjusted working day.
    const KNOWN_DIFFERENCES: &[&str] = &["2020-02-03,work,春节"];

    /// The built-in data was written from the State Council notices; the reference file (built
    /// from NateScarlet/holiday-cn, see its SOURCE.md; a copy of `../shared/calendar/` kept in
    /// the repository so the check always runs) is an independent check.
    #[test]
    fn builtin_agrees_with_shared_reference_csv() {
        let text = include_str!("../../tests/fixtures/calendar/cn-holidays.csv");
        let reference = Calendar::from_csv(text).expect("the shared CSV parses");
        let ours = cal();
        assert_eq!(reference.covered_years(), ours.covered_years());

        // Same working-day status on every day of every covered year.
        let mut day = d("2020-01-01");
        while day <= d("2026-12-31") {
            assert_eq!(
                ours.is_working_day(day),
                reference.is_working_day(day),
                "{day}"
            );
            day = day.succ_opt().unwrap();
        }

        // Same rows, names included, apart from the documented differences.
        let rows = |c: &Calendar| -> BTreeSet<String> {
            c.to_csv().lines().skip(1).map(str::to_string).collect()
        };
        let (ours, reference) = (rows(&ours), rows(&reference));
        let only_ours: Vec<_> = ours.difference(&reference).collect();
        let only_reference: Vec<&str> = reference.difference(&ours).map(String::as_str).collect();
        assert!(
            only_ours.is_empty(),
            "only in the built-in data: {only_ours:?}"
        );
        assert_eq!(
            only_reference, KNOWN_DIFFERENCES,
            "rows only in the shared CSV"
        );
    }

    #[test]
    fn parse_iso_date_is_strict() {
        assert_eq!(parse_iso_date("2026-09-30"), Some(d("2026-09-30")));
        assert_eq!(parse_iso_date(" 2026-09-30 "), Some(d("2026-09-30")));
        assert_eq!(parse_iso_date("2026-9-30"), None);
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("+2026-09-30"), None);
        assert_eq!(parse_iso_date("2026年9月30日"), None);
    }

    proptest! {
        #[test]
        fn nth_is_increasing_and_lands_on_working_days(offset in 0i64..2557, n in 1u32..400) {
            let c = cal();
            let from = d("2020-01-01") + chrono::TimeDelta::days(offset);
            match c.nth_working_day(from, n + 1) {
                Ok(next) => {
                    let this = c.nth_working_day(from, n).unwrap();
                    prop_assert!(next > this);
                    prop_assert!(this >= from);
                    prop_assert!(c.is_working_day(this).unwrap());
                    prop_assert!(c.is_working_day(next).unwrap());
                    // Exactly n working days in from..=this.
                    let mut count = 0;
                    let mut day = from;
                    while day <= this {
                        count += u32::from(c.is_working_day(day).unwrap());
                        day = day.succ_opt().unwrap();
                    }
                    prop_assert_eq!(count, n);
                }
                Err(e) => prop_assert_eq!(e, CalendarError::YearNotCovered(2027)),
            }
        }
    }
}

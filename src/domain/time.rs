//! Dates and moments as officials read them: Asia/Shanghai, in the forms the pages, the
//! documents and the stored labels share. Pure formatting: the clock is the caller's.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

/// "2026-12-03 14:05".
pub fn shanghai_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// "2026-12-03".
pub fn shanghai_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai).format("%Y-%m-%d").to_string()
}

/// "2026年12月3日", as a notice or a certificate writes a date.
pub fn date_label(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The last day an award is valid, `years` after the award date (the day before the
/// anniversary), or None for a rule set without a term (Zhongshan).
pub fn valid_until(awarded_on: NaiveDate, years: Option<u32>) -> Option<NaiveDate> {
    years
        .and_then(|y| awarded_on.checked_add_months(chrono::Months::new(12 * y)))
        .and_then(|d| d.pred_opt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_utc_moment_reads_in_shanghai() {
        let late = Utc.with_ymd_and_hms(2026, 12, 2, 16, 30, 0).unwrap();
        assert_eq!(shanghai_minute(late), "2026-12-03 00:30");
        assert_eq!(shanghai_date(late), "2026-12-03");
        assert_eq!(
            date_label(NaiveDate::from_ymd_opt(2026, 1, 9).unwrap()),
            "2026年1月9日"
        );
    }
}

//! Numbers as an official writes them: amounts with thousands separators.

/// `40000000` → `40,000,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Groups every amount in a text such as a check's "2025年 2250000000；年均 1988333333.5": runs of
/// five digits or more get separators. Years and other runs of up to four digits, decimals after
/// the point and codes with a leading zero stay as they are.
pub fn group_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 3);
    let mut run = String::new();
    let mut after_point = false;
    let flush = |run: &mut String, out: &mut String, after_point: bool| {
        let plain = after_point || run.len() < 5 || run.starts_with('0');
        match run.parse::<u64>() {
            Ok(n) if !plain => out.push_str(&grouped(n)),
            _ => out.push_str(run),
        }
        run.clear();
    };
    let mut previous = None;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if run.is_empty() {
                after_point = previous == Some('.');
            }
            run.push(c);
        } else {
            flush(&mut run, &mut out, after_point);
            out.push(c);
        }
        previous = Some(c);
    }
    flush(&mut run, &mut out, after_point);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_a_text_are_grouped_and_years_dates_and_decimals_are_not() {
        assert_eq!(
            group_numbers("2025年 2250000000；2024年 1726666667；年均 1988333333.5"),
            "2025年 2,250,000,000；2024年 1,726,666,667；年均 1,988,333,333.5"
        );
        assert_eq!(group_numbers("≥ 2000000000 元"), "≥ 2,000,000,000 元");
        assert_eq!(
            group_numbers("运营满 2 年（不晚于 2024-03-01 开始运营）"),
            "运营满 2 年（不晚于 2024-03-01 开始运营）"
        );
        assert_eq!(
            group_numbers("0.123456；3000；12000"),
            "0.123456；3000；12,000"
        );
        assert_eq!(group_numbers("057788001234"), "057788001234");
        assert_eq!(group_numbers(""), "");
    }
}

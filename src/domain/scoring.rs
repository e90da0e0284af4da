//! An expert's score sheet: each criterion's score as typed, checked against the rule set's
//! maximum (0..max, at most one decimal, DOMAIN.md §5.4), and the running total.
use crate::domain::evaluate::Score;
use crate::domain::fixed::{Fixed, SCALE};
use crate::domain::ruleset::RuleSet;
use std::collections::BTreeMap;

/// A sheet as typed (criterion id → text), checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckedSheet {
    pub scores: BTreeMap<String, Score>,
    /// Criterion id → message, for the field.
    pub errors: BTreeMap<String, String>,
    /// Sum of the valid scores, in tenths.
    pub total_tenths: u32,
}

impl CheckedSheet {
    pub fn total(&self) -> Fixed {
        Fixed::from_scaled(i64::from(self.total_tenths) * SCALE / 10)
    }
}

/// Checks every criterion of `rules`; with `complete`, an empty score is an error too (a
/// submitted sheet scores every criterion).
pub fn check_sheet(
    rules: &RuleSet,
    typed: &BTreeMap<String, String>,
    complete: bool,
) -> CheckedSheet {
    let mut sheet = CheckedSheet::default();
    for c in &rules.criteria {
        let text = typed.get(&c.id).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            if complete {
                sheet.errors.insert(c.id.clone(), "请打分".into());
            }
            continue;
        }
        match parse_score(text, c.max) {
            Ok(score) => {
                sheet.total_tenths += score.tenths();
                sheet.scores.insert(c.id.clone(), score);
            }
            Err(message) => {
                sheet.errors.insert(c.id.clone(), message);
            }
        }
    }
    sheet
}

/// A score between 0 and `max` with at most one decimal ("12", "12.5").
pub fn parse_score(text: &str, max: Fixed) -> Result<Score, String> {
    let range = || format!("请输入 0 至 {max} 之间的分数，最多一位小数");
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || whole.len() > 4 {
        return Err(range());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 1 {
        return Err("分数最多保留一位小数".into());
    }
    let tenths: u32 =
        whole.parse::<u32>().map_err(|_| range())? * 10 + fraction.parse::<u32>().unwrap_or(0);
    if i64::from(tenths) * SCALE / 10 > max.scaled() {
        return Err(format!("不能超过满分 {max} 分"));
    }
    Ok(Score(tenths))
}

/// One staff member's entry of a paper sheet: the scores as typed and the opinion.
#[derive(Debug, Clone, Copy)]
pub struct PaperEntry<'a> {
    pub scores: &'a BTreeMap<String, String>,
    pub opinion: Option<&'a str>,
}

/// Where two entries of one paper sheet differ, by the criterion's name (or 评审意见): two
/// staff typing the same sheet must arrive at the same scores before it is submitted (双人
/// 录入). "12" and "12.0" are the same score; a score one typed and the other left empty is not.
pub fn paper_differences(rules: &RuleSet, a: PaperEntry<'_>, b: PaperEntry<'_>) -> Vec<String> {
    let (checked_a, checked_b) = (
        check_sheet(rules, a.scores, true),
        check_sheet(rules, b.scores, true),
    );
    let mut differ: Vec<String> = rules
        .criteria
        .iter()
        .filter(|c| {
            checked_a.scores.get(&c.id) != checked_b.scores.get(&c.id)
                || !checked_a.scores.contains_key(&c.id)
        })
        .map(|c| c.name.clone())
        .collect();
    if a.opinion != b.opinion {
        differ.push("评审意见".to_string());
    }
    differ
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ruleset::builtin;

    #[test]
    fn two_paper_entries_agree_on_equal_scores_however_typed_and_name_what_differs() {
        let rules = builtin("wenzhou-2021").unwrap();
        let all = |score: &str| -> BTreeMap<String, String> {
            rules
                .criteria
                .iter()
                .map(|c| (c.id.clone(), score.to_string()))
                .collect()
        };
        let (a, b) = (all("1"), all("1.0"));
        let entry = |scores| PaperEntry {
            scores,
            opinion: None,
        };
        assert!(paper_differences(&rules, entry(&a), entry(&b)).is_empty());
        let mut c = all("1");
        let first = &rules.criteria[0];
        c.insert(first.id.clone(), "0.5".into());
        assert_eq!(
            paper_differences(&rules, entry(&a), entry(&c)),
            vec![first.name.clone()]
        );
        let zhongshan = builtin("zhongshan-2022").unwrap();
        let none = BTreeMap::new();
        let pass = PaperEntry {
            scores: &none,
            opinion: Some("pass"),
        };
        let fail = PaperEntry {
            scores: &none,
            opinion: Some("fail"),
        };
        assert!(paper_differences(&zhongshan, pass, pass).is_empty());
        assert_eq!(paper_differences(&zhongshan, pass, fail), vec!["评审意见"]);
    }

    #[test]
    fn scores_are_between_zero_and_the_maximum_with_one_decimal() {
        let max = Fixed::from_int(15);
        assert_eq!(parse_score("12.5", max), Ok(Score(125)));
        assert_eq!(parse_score("15", max), Ok(Score(150)));
        assert_eq!(parse_score("0", max), Ok(Score(0)));
        assert_eq!(parse_score("7.50", max), Ok(Score(75)));
        assert_eq!(parse_score("15.1", max).unwrap_err(), "不能超过满分 15 分");
        assert_eq!(
            parse_score("12.25", max).unwrap_err(),
            "分数最多保留一位小数"
        );
        for bad in ["-1", "abc", "", "1e2", ".5", "99999", "1.2.3"] {
            assert!(parse_score(bad, max).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_complete_sheet_scores_every_criterion_and_totals_them() {
        let rules = builtin("wenzhou-2021").unwrap();
        let mut typed: BTreeMap<String, String> = rules
            .criteria
            .iter()
            .map(|c| (c.id.clone(), c.max.to_string()))
            .collect();
        let full = check_sheet(&rules, &typed, true);
        assert!(full.errors.is_empty(), "{:?}", full.errors);
        assert_eq!(full.total(), Fixed::from_int(100));
        typed.remove("wz.s.planning");
        typed.insert("wz.s.talent".into(), "4.5".into());
        let partial = check_sheet(&rules, &typed, true);
        assert_eq!(partial.errors["wz.s.planning"], "请打分");
        assert_eq!(partial.errors["wz.s.talent"], "不能超过满分 4 分");
        assert!(
            !check_sheet(&rules, &typed, false)
                .errors
                .contains_key("wz.s.planning")
        );
    }
}

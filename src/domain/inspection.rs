//! On-site inspection (现场考核, 温州 第六条（四）"通过现场考核、书面考核等形式展开评审"): the
//! checklist a rule set implies, what the inspectors found on each item, and whether a record
//! is complete enough to be confirmed.
use crate::domain::ruleset::{Rule, RuleSet};
use crate::domain::workflow::{Named, UnknownName, labelled_enum};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One line of the inspection record (考核记录表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// The rule-set check it comes from.
    pub id: String,
    pub article: String,
    pub description: String,
    /// A manual check (someone must attest it) rather than a figure to see on site.
    pub manual: bool,
}

/// Every manual check and every check on something seen on site (areas, the service centre,
/// facilities), in the rule set's order.
pub fn checklist(rules: &RuleSet) -> Vec<ChecklistItem> {
    rules
        .checks
        .iter()
        .filter_map(|c| {
            let manual = matches!(c.rule, Rule::Manual);
            let seen = match &c.rule {
                Rule::Flag { fact } | Rule::AtLeast { fact, .. } | Rule::Ratio { fact, .. } => {
                    fact.is_observable()
                }
                _ => false,
            };
            (manual || seen).then(|| ChecklistItem {
                id: c.id.clone(),
                article: c.article.clone(),
                description: c.description.clone(),
                manual,
            })
        })
        .collect()
}

labelled_enum! {
    /// What the inspectors found on one item.
    pub enum Finding ("考核结论") {
        Conforms => "conforms", "符合",
        Partly => "partly", "部分符合",
        Fails => "fails", "不符合",
    }
}

/// One item's finding and note, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// `conforms`, `partly`, `fails`, or empty while not yet recorded.
    pub finding: String,
    pub note: String,
}

/// The items of the checklist with no finding yet (a record is confirmed only when complete),
/// and those whose finding is not one of the three.
pub fn incomplete(items: &[ChecklistItem], findings: &BTreeMap<String, Recorded>) -> Vec<String> {
    items
        .iter()
        .filter(|i| {
            findings
                .get(&i.id)
                .is_none_or(|r| r.finding.parse::<Finding>().is_err())
        })
        .map(|i| i.id.clone())
        .collect()
}

/// The items found not to conform, or only partly (what the bureau's decision may rest on).
pub fn shortcomings<'a>(
    items: &'a [ChecklistItem],
    findings: &BTreeMap<String, Recorded>,
) -> Vec<(&'a ChecklistItem, Finding)> {
    items
        .iter()
        .filter_map(|i| {
            let f = findings.get(&i.id)?.finding.parse::<Finding>().ok()?;
            (f != Finding::Conforms).then_some((i, f))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ruleset::builtin;

    #[test]
    fn the_checklist_has_every_manual_check_and_what_is_seen_on_site() {
        let ids: Vec<String> = checklist(&builtin("wenzhou-2021").unwrap())
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(
            ids,
            [
                "wz.plan",
                "wz.operator",
                "wz.area",
                "wz.service_center",
                "wz.reporting"
            ]
        );
        let zs = checklist(&builtin("zhongshan-2022").unwrap());
        assert!(zs.iter().any(|i| i.id == "zs.growing.area" && !i.manual));
        assert!(
            !zs.iter().any(|i| i.id.ends_with(".trade")),
            "figures are not seen on site"
        );
    }

    #[test]
    fn a_record_is_incomplete_until_every_item_has_one_of_the_three_findings() {
        let items = checklist(&builtin("wenzhou-2021").unwrap());
        let mut findings: BTreeMap<String, Recorded> = items
            .iter()
            .map(|i| {
                let r = Recorded {
                    finding: "conforms".into(),
                    note: String::new(),
                };
                (i.id.clone(), r)
            })
            .collect();
        assert!(incomplete(&items, &findings).is_empty());
        findings.get_mut("wz.area").unwrap().finding = "maybe".into();
        findings.remove("wz.plan");
        assert_eq!(incomplete(&items, &findings), ["wz.plan", "wz.area"]);
        findings.get_mut("wz.area").unwrap().finding = "fails".into();
        let short = shortcomings(&items, &findings);
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].1, Finding::Fails);
    }
}

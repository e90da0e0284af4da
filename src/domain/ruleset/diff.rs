//! What changed between two versions of a rule set, item by item, in the words of the version
//! page: so that an official can hold a revision against the published measures.
use std::collections::BTreeMap;

use super::{Check, Criterion, RuleSet, Tier, Veto};
use crate::domain::evaluate::{CheckResult, Evaluation, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// 参数, 认定等级, 认定条件, 评分项, 一票否决, 其他.
    pub section: &'static str,
    /// The item: a parameter's name, or a row's id and name.
    pub item: String,
    pub kind: ChangeKind,
    /// (what, before, after) per changed field; for an added or removed row, its summary.
    pub fields: Vec<(&'static str, String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "新增",
            ChangeKind::Removed => "删除",
            ChangeKind::Changed => "修改",
        }
    }
}

/// Every difference from `old` to `new`; empty when they apply the same rules.
pub fn diff(old: &RuleSet, new: &RuleSet) -> Vec<Change> {
    let mut changes = parameters(old, new);
    changes.extend(rows("认定等级", &old.tiers, &new.tiers, |t| {
        tier_fields(new, old, t)
    }));
    changes.extend(rows("认定条件", &old.checks, &new.checks, |c| {
        check_fields(old, new, c)
    }));
    changes.extend(rows(
        "评分项",
        &old.criteria,
        &new.criteria,
        criterion_fields,
    ));
    changes.extend(rows("一票否决", &old.vetoes, &new.vetoes, veto_fields));
    changes.extend(others(old, new));
    changes
}

/// A parameter's name and how to read it as text.
type Parameter = (&'static str, fn(&RuleSet) -> String);

fn parameters(old: &RuleSet, new: &RuleSet) -> Vec<Change> {
    let shown: [Parameter; 10] = [
        ("规则标识", |r| r.id.clone()),
        ("规则名称", |r| r.title.clone()),
        ("依据", |r| r.source.clone()),
        ("金额币种", |r| {
            r.currency.map(|c| c.label()).unwrap_or("不涉及金额").into()
        }),
        ("认定有效期", |r| match r.validity_years {
            Some(y) => format!("{y} 年"),
            None => "不设期限".into(),
        }),
        ("公示期", |r| format!("{} 个工作日", r.publicity_days)),
        ("去掉最高最低分的最少专家数", |r| {
            r.aggregation.trim_min_experts.to_string()
        }),
        ("须说明理由的分差", |r| {
            format!("{} 分", r.aggregation.outlier_delta)
        }),
        ("评分总分", |r| format!("{} 分", r.rubric_total)),
        ("专家评审方式", |r| review_mode(r).into()),
    ];
    shown
        .iter()
        .filter_map(|(name, read)| {
            let (before, after) = (read(old), read(new));
            (before != after).then(|| Change {
                section: "参数",
                item: name.to_string(),
                kind: ChangeKind::Changed,
                fields: vec![(*name, before, after)],
            })
        })
        .collect()
}

fn review_mode(r: &RuleSet) -> &'static str {
    if r.criteria.is_empty() {
        "通过 / 不通过意见"
    } else {
        "专家打分"
    }
}

/// A row of a section, known by its id.
trait Item {
    fn id(&self) -> &str;
    fn title(&self) -> String;
}

impl Item for Tier {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> String {
        self.name.clone()
    }
}

impl Item for Check {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> String {
        format!("{} {}", self.article, self.description)
    }
}

impl Item for Criterion {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> String {
        self.name.clone()
    }
}

impl Item for Veto {
    fn id(&self) -> &str {
        &self.id
    }
    fn title(&self) -> String {
        self.description.clone()
    }
}

type Fields = Vec<(&'static str, String)>;

/// Rows added, removed or changed, matched by id; `fields` lists what a row says.
fn rows<T: Item>(
    section: &'static str,
    old: &[T],
    new: &[T],
    fields: impl Fn(&T) -> Fields,
) -> Vec<Change> {
    let before: BTreeMap<&str, &T> = old.iter().map(|t| (t.id(), t)).collect();
    let after: BTreeMap<&str, &T> = new.iter().map(|t| (t.id(), t)).collect();
    let mut changes = Vec::new();
    for item in new {
        let item_name = item.title();
        match before.get(item.id()) {
            None => changes.push(Change {
                section,
                item: item_name,
                kind: ChangeKind::Added,
                fields: fields(item)
                    .into_iter()
                    .map(|(k, v)| (k, String::new(), v))
                    .collect(),
            }),
            Some(was) => {
                let changed: Vec<_> = fields(was)
                    .into_iter()
                    .zip(fields(item))
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((k, a), (_, b))| (k, a, b))
                    .collect();
                if !changed.is_empty() {
                    changes.push(Change {
                        section,
                        item: item_name,
                        kind: ChangeKind::Changed,
                        fields: changed,
                    });
                }
            }
        }
    }
    for item in old.iter().filter(|t| !after.contains_key(t.id())) {
        changes.push(Change {
            section,
            item: item.title(),
            kind: ChangeKind::Removed,
            fields: fields(item)
                .into_iter()
                .map(|(k, v)| (k, v, String::new()))
                .collect(),
        });
    }
    changes
}

fn tier_fields(new: &RuleSet, old: &RuleSet, t: &Tier) -> Fields {
    // The position is read in whichever version holds this very tier.
    let position = |r: &RuleSet| r.tiers.iter().position(|x| std::ptr::eq(x, t));
    let rank = position(new).or_else(|| position(old)).map(|p| p + 1);
    vec![
        ("名称", t.name.clone()),
        ("条款", t.article.clone()),
        (
            "顺序",
            rank.map(|r| format!("第 {r} 级")).unwrap_or_default(),
        ),
    ]
}

fn check_fields(old: &RuleSet, new: &RuleSet, c: &Check) -> Fields {
    // The requirement and the tier read in the version the check belongs to.
    let owner = if new.checks.iter().any(|x| std::ptr::eq(x, c)) {
        new
    } else {
        old
    };
    let tier = c
        .tier
        .as_ref()
        .map(|t| {
            owner
                .tiers
                .iter()
                .find(|x| &x.id == t)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| t.clone())
        })
        .unwrap_or_else(|| "基本条件".into());
    let mut applies = Vec::new();
    if let Some(y) = c.na_before_years {
        applies.push(format!("开业不满{y}年不适用"));
    }
    if c.na_when_absent {
        applies.push("未设置该设施时不适用".into());
    }
    vec![
        ("条款", c.article.clone()),
        ("条件原文", c.description.clone()),
        ("要求", owner.requirement_text(c)),
        ("类别", tier),
        ("适用", applies.join("；")),
        ("提示", c.hint.clone().unwrap_or_default()),
    ]
}

fn criterion_fields(c: &Criterion) -> Fields {
    vec![
        ("类别", c.category.clone()),
        ("名称", c.name.clone()),
        ("评分要点", c.description.clone()),
        ("满分", c.max.to_string()),
    ]
}

fn veto_fields(v: &Veto) -> Fields {
    let key = super::VETO_KEYS
        .iter()
        .find(|(k, _)| *k == v.key)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| v.key.clone());
    vec![
        ("类别", key),
        ("条款", v.article.clone()),
        ("事项", v.description.clone()),
    ]
}

/// What the editor does not show but an imported document may change.
fn others(old: &RuleSet, new: &RuleSet) -> Vec<Change> {
    let parts: [(&'static str, String, String); 6] = [
        ("统计指标", json(&old.metrics), json(&new.metrics)),
        ("城市文字", json(&old.texts), json(&new.texts)),
        ("省级认定", json(&old.provincial), json(&new.provincial)),
        ("报送方式", json(&old.forwarding), json(&new.forwarding)),
        (
            "注册地提示",
            json(&old.city_uscc_prefix),
            json(&new.city_uscc_prefix),
        ),
        ("城市名称", json(&old.city_name), json(&new.city_name)),
    ];
    parts
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, before, after)| Change {
            section: "其他",
            item: name.to_string(),
            kind: ChangeKind::Changed,
            fields: vec![(name, before, after)],
        })
        .collect()
}

/// A part shown only as text, as compact JSON.
fn json<T: serde::Serialize>(part: &T) -> String {
    serde_json::to_string(part).unwrap_or_default()
}

/// How one application's evaluation differs under a draft: the verdict and tier before and
/// after, and the findings that moved them. `None` when the verdict and tier stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeChange {
    pub verdict_before: &'static str,
    pub verdict_after: &'static str,
    pub tier_before: String,
    pub tier_after: String,
    /// "第四条（三） 园区直接用于…：符合 → 不符合（要求 ≥ 5000，实际 4200）".
    pub reasons: Vec<String>,
}

pub fn outcome_change(
    old: &RuleSet,
    before: &Evaluation,
    new: &RuleSet,
    after: &Evaluation,
) -> Option<OutcomeChange> {
    let tier = |rules: &RuleSet, e: &Evaluation| -> String {
        e.tier
            .as_ref()
            .map(|t| {
                rules
                    .tiers
                    .iter()
                    .find(|x| &x.id == t)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| t.clone())
            })
            .unwrap_or_default()
    };
    let (tier_before, tier_after) = (tier(old, before), tier(new, after));
    if before.verdict == after.verdict && tier_before == tier_after {
        return None;
    }
    let was: BTreeMap<&str, &CheckResult> =
        before.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    // A check as officials know it: its article and the regulation's words.
    let named = |rules: &RuleSet, id: &str, article: &str| -> String {
        match rules.checks.iter().find(|c| c.id == id) {
            Some(c) => format!("{article} {}", c.description),
            None => article.to_string(),
        }
    };
    let mut reasons: Vec<String> = after
        .checks
        .iter()
        .filter_map(|c| {
            let old = was.get(c.id.as_str());
            if old.is_some_and(|o| o.status == c.status && o.required == c.required) {
                return None;
            }
            let from = old
                .map(|o| status_label(o.status))
                .unwrap_or("（新增条件）");
            let actual = c.actual.as_deref().unwrap_or("未填写");
            Some(format!(
                "{}：{from} → {}（要求 {}，实际 {actual}）",
                named(new, &c.id, &c.article),
                status_label(c.status),
                c.required
            ))
        })
        .collect();
    let now: BTreeMap<&str, ()> = after.checks.iter().map(|c| (c.id.as_str(), ())).collect();
    reasons.extend(
        before
            .checks
            .iter()
            .filter(|c| !now.contains_key(c.id.as_str()))
            .map(|c| format!("{}：条件已删除", named(old, &c.id, &c.article))),
    );
    if before.vetoes != after.vetoes {
        reasons.push("一票否决事项有变化".into());
    }
    Some(OutcomeChange {
        verdict_before: crate::domain::vocabulary::verdict_label(before),
        verdict_after: crate::domain::vocabulary::verdict_label(after),
        tier_before,
        tier_after,
        reasons,
    })
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pass => "符合",
        Status::Fail => "不符合",
        Status::Manual => "待人工确认",
        Status::Na => "不适用",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixed::Fixed;
    use crate::domain::ruleset::{Rule, builtin};

    #[test]
    fn a_version_equal_to_its_parent_has_no_changes() {
        let wz = builtin("wenzhou-2021").unwrap();
        assert!(diff(&wz, &wz).is_empty());
    }

    #[test]
    fn a_changed_threshold_is_one_change_of_its_requirement() {
        let wz = builtin("wenzhou-2021").unwrap();
        let mut new = wz.clone();
        if let Rule::AtLeast { min, .. } = &mut new.checks[2].rule {
            *min = Fixed::from_int(5000);
        }
        new.validity_years = Some(5);
        let changes = diff(&wz, &new);
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes[0].fields,
            [("认定有效期", "3 年".to_string(), "5 年".to_string())]
        );
        assert_eq!(changes[1].section, "认定条件");
        assert!(
            changes[1]
                .item
                .starts_with("第四条（三） 园区直接用于跨境电商企业的使用面积")
        );
        assert_eq!(
            changes[1].fields,
            [("要求", "≥ 3000 m²".to_string(), "≥ 5000 m²".to_string())]
        );
    }

    #[test]
    fn added_and_removed_rows_are_named() {
        let wz = builtin("wenzhou-2021").unwrap();
        let mut new = wz.clone();
        let removed = new.vetoes.pop().unwrap();
        new.criteria[0].name = "园区规划".into();
        let changes = diff(&wz, &new);
        let kinds: Vec<_> = changes.iter().map(|c| (c.section, c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("评分项", ChangeKind::Changed),
                ("一票否决", ChangeKind::Removed)
            ]
        );
        assert_eq!(changes[1].item, removed.description);
    }
}

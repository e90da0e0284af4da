//! A county's batch (统一报送, 中山 第八条（二）): which of its checked applications go to the
//! bureau together, and the order in which it recommends them.

/// One checked application as the county's batch form offers it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub application_id: i64,
    /// The county's recorded opinion: only recommended applications are ranked.
    pub recommend: bool,
    pub included: bool,
    /// The place in the recommendation order, as typed.
    pub rank: String,
}

/// An application in the batch, in the order the bureau reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub application_id: i64,
    pub rank: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NothingChosen,
    /// The rank typed for this application is missing, not a number, out of range or taken.
    Rank(i64, String),
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::NothingChosen => "请至少选择一个申报纳入本批报送。".to_string(),
            Problem::Rank(_, m) => m.clone(),
        }
    }
}

/// The batch the entries describe: the recommended applications ranked 1..=n (each place once),
/// then those not recommended, in the order given.
pub fn order(entries: &[Entry]) -> Result<Vec<Item>, Vec<Problem>> {
    let chosen: Vec<&Entry> = entries.iter().filter(|e| e.included).collect();
    if chosen.is_empty() {
        return Err(vec![Problem::NothingChosen]);
    }
    let recommended = chosen.iter().filter(|e| e.recommend).count();
    let mut problems = Vec::new();
    let mut ranked: Vec<(i32, i64)> = Vec::new();
    for e in chosen.iter().filter(|e| e.recommend) {
        match e.rank.trim().parse::<i32>() {
            Ok(r) if (1..=recommended as i32).contains(&r) => {
                if ranked.iter().any(|(taken, _)| *taken == r) {
                    problems.push(Problem::Rank(
                        e.application_id,
                        format!("第 {r} 位已有其他园区，每个位次只能填一个园区。"),
                    ));
                }
                ranked.push((r, e.application_id));
            }
            _ => problems.push(Problem::Rank(
                e.application_id,
                format!("请填写推荐排序：1 至 {recommended} 之间的整数，1 为最优先推荐。"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    ranked.sort();
    let mut items: Vec<Item> = ranked
        .into_iter()
        .map(|(rank, application_id)| Item {
            application_id,
            rank: Some(rank),
        })
        .collect();
    items.extend(chosen.iter().filter(|e| !e.recommend).map(|e| Item {
        application_id: e.application_id,
        rank: None,
    }));
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, recommend: bool, included: bool, rank: &str) -> Entry {
        Entry {
            application_id: id,
            recommend,
            included,
            rank: rank.to_string(),
        }
    }

    #[test]
    fn recommended_applications_come_in_their_rank_then_the_others() {
        let items = order(&[
            entry(1, true, true, "2"),
            entry(2, false, true, ""),
            entry(3, true, true, "1"),
            entry(4, true, false, ""),
        ])
        .unwrap();
        let got: Vec<(i64, Option<i32>)> =
            items.iter().map(|i| (i.application_id, i.rank)).collect();
        assert_eq!(got, vec![(3, Some(1)), (1, Some(2)), (2, None)]);
    }

    #[test]
    fn an_empty_batch_is_refused() {
        assert_eq!(
            order(&[entry(1, true, false, "1")]),
            Err(vec![Problem::NothingChosen])
        );
    }

    #[test]
    fn a_rank_twice_out_of_range_or_missing_is_refused_for_that_application() {
        let problems = order(&[
            entry(1, true, true, "1"),
            entry(2, true, true, "1"),
            entry(3, true, true, "5"),
            entry(4, true, true, ""),
        ])
        .unwrap_err();
        let ids: Vec<i64> = problems
            .iter()
            .map(|p| match p {
                Problem::Rank(id, _) => *id,
                Problem::NothingChosen => 0,
            })
            .collect();
        assert_eq!(ids, vec![2, 3, 4]);
    }

    #[test]
    fn an_application_not_recommended_needs_no_rank() {
        let items = order(&[entry(7, false, true, "x")]).unwrap();
        assert_eq!(
            items,
            vec![Item {
                application_id: 7,
                rank: None
            }]
        );
    }
}

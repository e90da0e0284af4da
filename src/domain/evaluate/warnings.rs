//! Consistency findings: shown to people, never part of the verdict.
use super::facts::{Context, Roster};
use super::input::{Declared, Enterprise, Integer};
use super::output::Warning;
use crate::domain::ruleset::Fact;

pub(super) fn collect(ctx: &Context) -> Vec<Warning> {
    let mut out = Vec::new();
    if let (Some(declared), Some(roster)) = (&ctx.park.declared, &ctx.roster) {
        declared_counts(declared, roster, &mut out);
    }
    declared_trade(ctx, &mut out);
    if let Some(rows) = &ctx.input.enterprises {
        roster_codes(rows, &mut out);
    }
    operator_region(ctx, &mut out);
    out
}

fn declared_counts(declared: &Declared, roster: &Roster, out: &mut Vec<Warning>) {
    let t = &roster.by_type;
    let pairs: [(&str, &str, Option<Integer>, u64); 8] = [
        (
            "enterprises",
            "入驻企业总数",
            declared.enterprises,
            roster.rows,
        ),
        ("cbec", "入驻跨境电商企业数", declared.cbec, roster.cbec),
        (
            "registered",
            "平台备案跨境电商企业数",
            declared.registered,
            roster.registered,
        ),
        ("operating", "跨境电商经营企业数", declared.operating, t[0]),
        ("platform", "跨境电商平台企业数", declared.platform, t[1]),
        ("payment", "跨境电商支付企业数", declared.payment, t[2]),
        (
            "logistics",
            "跨境电商物流供应链企业数",
            declared.logistics,
            t[3],
        ),
        ("other", "跨境电商其他类型企业数", declared.other, t[4]),
    ];
    for (key, label, declared, computed) in pairs {
        if let Some(Integer(d)) = declared
            && d != computed
        {
            out.push(Warning {
                id: format!("declared.{key}"),
                message: format!("申报表填报{label} {d} 家，企业名录计得 {computed} 家"),
            });
        }
    }
}

fn declared_trade(ctx: &Context, out: &mut Vec<Warning>) {
    let year = ctx.reference_year;
    let declared = ctx
        .park
        .trade
        .as_ref()
        .and_then(|_| ctx.trade_year(Fact::TradeImportExport, year));
    let roster_sum = ctx.roster.as_ref().and_then(|r| r.import_export_sum);
    if let (Some(declared), Some(sum)) = (declared, roster_sum)
        && declared != sum
    {
        out.push(Warning {
            id: "declared.trade".into(),
            message: format!("申报的 {year} 年跨境电商进出口总额为 {declared}，企业名录各企业进出口额合计为 {sum}"),
        });
    }
}

/// Duplicate and invalid codes; rows are numbered from 1 as in the roster (序号).
fn roster_codes(rows: &[Enterprise], out: &mut Vec<Warning>) {
    let mut invalid: Vec<usize> = Vec::new();
    let mut seen = KeySet::new(rows.len());
    let mut duplicated: Vec<u128> = Vec::new();
    for (i, code) in rows
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.uscc.as_ref()?)))
    {
        if code.is_blank() {
            continue;
        }
        if !code.is_valid() {
            invalid.push(i + 1);
        }
        if let Some(key) = code.key()
            && !seen.insert(key)
            && !duplicated.contains(&key)
        {
            duplicated.push(key);
        }
    }
    if !invalid.is_empty() {
        out.push(Warning {
            id: "roster.invalid_uscc".into(),
            message: format!(
                "企业名录第 {} 行的统一社会信用代码无效",
                join_rows(&invalid)
            ),
        });
    }
    for key in duplicated {
        out.push(duplicate_warning(rows, key));
    }
}

/// Rare path: list every row that carries the duplicated code.
fn duplicate_warning(rows: &[Enterprise], key: u128) -> Warning {
    let numbers: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, e)| e.uscc.as_ref().and_then(|c| c.key()) == Some(key))
        .map(|(i, _)| i + 1)
        .collect();
    let code = rows[numbers[0] - 1]
        .uscc
        .as_ref()
        .map_or("", |c| c.as_str().trim());
    Warning {
        id: "roster.duplicate_uscc".into(),
        message: format!(
            "统一社会信用代码 {} 在企业名录中重复出现（第 {} 行）",
            code.to_ascii_uppercase(),
            join_rows(&numbers)
        ),
    }
}

/// Open-addressing set of non-zero keys: one allocation, no hashing library, no sort.
struct KeySet {
    slots: Vec<u128>,
    mask: usize,
}

impl KeySet {
    fn new(capacity: usize) -> KeySet {
        let size = (capacity * 2).next_power_of_two().max(16);
        KeySet {
            slots: vec![0; size],
            mask: size - 1,
        }
    }

    /// False when the key was already present.
    fn insert(&mut self, key: u128) -> bool {
        // Packing leaves the top bit clear; setting it keeps every key distinct from an empty slot.
        let key = key | 1 << 127;
        let mut i = ((key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32)
            as usize
            & self.mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = key;
                    return true;
                }
                k if k == key => return false,
                _ => i = (i + 1) & self.mask,
            }
        }
    }
}

fn join_rows(rows: &[usize]) -> String {
    rows.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("、")
}

fn operator_region(ctx: &Context, out: &mut Vec<Warning>) {
    let Some(prefix) = ctx.rules.city_uscc_prefix.as_deref() else {
        return;
    };
    let Some(uscc) = ctx.input.operator.as_ref().and_then(|o| o.uscc.as_ref()) else {
        return;
    };
    if uscc.region_code().starts_with(prefix) {
        return;
    }
    let city = ctx.rules.city_name.as_deref().unwrap_or("本市");
    out.push(Warning {
        id: "operator.uscc_region".into(),
        message: format!(
            "运营管理机构统一社会信用代码的登记地区码 {} 不在{city}（{prefix}）范围内，请核实注册地",
            uscc.region_code()
        ),
    });
}

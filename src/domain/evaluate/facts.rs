//! Reading facts from the input: roster counts (one pass), areas, events, trade years.
use serde_json::Number;

use super::input::{CbecType, Enterprise, Input, Park};
use super::output::Metrics;
use crate::domain::fixed::{Fixed, SCALE};
use crate::domain::ruleset::{Fact, RuleSet};

pub(super) struct Context<'a> {
    pub rules: &'a RuleSet,
    pub input: &'a Input,
    pub park: &'a Park,
    pub reference_year: i32,
    pub roster: Option<Roster>,
}

/// Counts over the roster, computed in one pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Roster {
    pub rows: u64,
    pub cbec: u64,
    pub registered: u64,
    pub operating: u64,
    pub active: u64,
    pub in_park: u64,
    pub cbec_in_park: u64,
    pub filed_in_park: u64,
    /// Rows per `cbec_type` (operating, platform, payment, logistics, other, none).
    pub by_type: [u64; 6],
    /// Sum of the rows' `import_export`, when at least one row gives it.
    pub import_export_sum: Option<u64>,
}

/// A number to compare: `sum / divisor` in fixed-point units (divisor > 1 for yearly means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Quantity {
    pub sum: i128,
    pub divisor: i128,
}

impl Quantity {
    pub fn of(value: Fixed) -> Quantity {
        Quantity {
            sum: value.scaled() as i128,
            divisor: 1,
        }
    }

    pub fn is_zero(self) -> bool {
        self.sum == 0
    }
}

static EMPTY_PARK: Park = Park {
    operating_since: None,
    area: None,
    service_center: None,
    events: None,
    trade: None,
    provincial_listed: None,
    facilities: None,
    declared: None,
};

impl<'a> Context<'a> {
    pub fn new(rules: &'a RuleSet, input: &'a Input) -> Context<'a> {
        Context {
            rules,
            input,
            park: input.park.as_ref().unwrap_or(&EMPTY_PARK),
            reference_year: super::reference_year(input),
            roster: input.enterprises.as_deref().map(count_roster),
        }
    }

    /// The fact's value; `years` averages trade over that many years up to the reference year.
    pub fn quantity(&self, fact: Fact, years: u32) -> Option<Quantity> {
        if fact.is_trade() {
            return self.trade(fact, years.max(1));
        }
        self.roster_count(fact)
            .map(|n| Fixed::from_u64(n).unwrap_or(Fixed::from_scaled(i64::MAX)))
            .or_else(|| self.park_fact(fact))
            .map(Quantity::of)
    }

    pub fn flag(&self, fact: Fact) -> Option<bool> {
        match fact {
            Fact::ServiceCenter => self.park.service_center,
            other => self.quantity(other, 1).map(|q| !q.is_zero()),
        }
    }

    fn roster_count(&self, fact: Fact) -> Option<u64> {
        let r = self.roster.as_ref();
        match fact {
            Fact::RosterRows => r.map(|r| r.rows),
            Fact::RosterCbec => r.map(|r| r.cbec),
            Fact::RosterRegistered => r.map(|r| r.registered),
            Fact::RosterOperating => r.map(|r| r.operating),
            Fact::RosterActive => r.map(|r| r.active),
            Fact::RosterInPark => r.map(|r| r.in_park),
            Fact::RosterCbecInPark => r.map(|r| r.cbec_in_park),
            Fact::RosterFiledInPark => r.map(|r| r.filed_in_park),
            _ => None,
        }
    }

    fn park_fact(&self, fact: Fact) -> Option<Fixed> {
        let p = self.park;
        let area = p.area.as_ref();
        let ev = p.events.as_ref();
        let fac = p.facilities.as_ref();
        match fact {
            Fact::AreaTotal => area?.total,
            Fact::AreaBuilding => area?.building,
            Fact::AreaCbecUse => area?.cbec_use,
            Fact::AreaOperating => area?.operating,
            Fact::AreaSupporting => area?.supporting,
            Fact::AreaLeasable => area?.leasable,
            Fact::AreaOccupied => area?.occupied,
            Fact::EventsSelfOrganized => ev?.self_organized.map(|n| n.fixed()),
            Fact::EventsJoint => ev?.joint.map(|n| n.fixed()),
            Fact::EventsExchange => ev?.exchange.map(|n| n.fixed()),
            Fact::PolicyBriefingsMinQuarter => self
                .quarters()
                .map(|q| q.into_iter().min().unwrap_or(0))
                .map(|n| Fixed::from_u64(n).unwrap_or_default()),
            Fact::IncubatorMentors => fac?.incubator_mentors.map(|n| n.fixed()),
            Fact::Classroom => fac?.classroom,
            Fact::Practice => fac?.practice,
            Fact::Warehouse => fac?.warehouse,
            Fact::Livestream => fac?.livestream,
            Fact::Party => fac?.party,
            _ => None,
        }
    }

    /// The reference year's four quarterly policy briefings; a missing quarter is 0.
    pub fn quarters(&self) -> Option<[u64; 4]> {
        let list = self
            .park
            .events
            .as_ref()?
            .policy_briefings_by_quarter
            .as_ref()?;
        let mut quarters = [0; 4];
        for (slot, value) in quarters.iter_mut().zip(list) {
            *slot = value.map_or(0, |n| n.0);
        }
        Some(quarters)
    }

    /// One trade figure per year, newest first: absent list → None; absent year → 0.
    pub fn trade_year(&self, fact: Fact, year: i32) -> Option<u64> {
        let list = self.park.trade.as_ref()?;
        let Some(entry) = list.iter().find(|t| t.year == year) else {
            return Some(0);
        };
        let value = match fact {
            Fact::TradeTransactions => entry.transactions,
            _ => entry.import_export,
        };
        value.map(|n| n.0)
    }

    fn trade(&self, fact: Fact, years: u32) -> Option<Quantity> {
        let mut sum: i128 = 0;
        for back in 0..years.min(100) {
            let year = self.reference_year.checked_sub(back as i32)?;
            sum += self.trade_year(fact, year)? as i128 * SCALE as i128;
        }
        Some(Quantity {
            sum,
            divisor: years.min(100) as i128,
        })
    }
}

fn count_roster(rows: &[Enterprise]) -> Roster {
    let mut r = Roster {
        rows: rows.len() as u64,
        ..Roster::default()
    };
    for e in rows {
        let kind = e.cbec_type.unwrap_or(CbecType::None);
        r.by_type[kind as usize] += 1;
        let cbec = kind != CbecType::None;
        let registered = cbec && e.platform_registered == Some(true);
        let in_park = e.address_in_park == Some(true);
        r.cbec += u64::from(cbec);
        r.registered += u64::from(registered);
        r.operating += u64::from(registered && kind == CbecType::Operating);
        r.active += u64::from(registered && e.active == Some(true));
        r.in_park += u64::from(in_park);
        r.cbec_in_park += u64::from(in_park && cbec);
        r.filed_in_park += u64::from(in_park && registered);
        if let Some(v) = e.import_export {
            r.import_export_sum = Some(r.import_export_sum.unwrap_or(0).saturating_add(v.0));
        }
    }
    r
}

/// The rule set's metrics, then `reference_year`.
pub(super) fn metrics(ctx: &Context) -> Metrics {
    let mut out = Vec::with_capacity(ctx.rules.metrics.len() + 1);
    for m in &ctx.rules.metrics {
        let value = ctx.quantity(m.fact, m.years.unwrap_or(1));
        let number = match m.per {
            None => value.and_then(quantity_number),
            Some(per) => ratio_number(value, ctx.quantity(per, 1)),
        };
        out.push((m.name.clone(), number));
    }
    out.push((
        "reference_year".into(),
        Some(Number::from(ctx.reference_year)),
    ));
    Metrics(out)
}

fn quantity_number(q: Quantity) -> Option<Number> {
    let unit = SCALE as i128 * q.divisor;
    if q.sum % unit == 0 {
        return i64::try_from(q.sum / unit).ok().map(Number::from);
    }
    Number::from_f64(q.sum as f64 / unit as f64)
}

fn ratio_number(num: Option<Quantity>, den: Option<Quantity>) -> Option<Number> {
    let (num, den) = (num?, den?);
    if den.is_zero() {
        return None;
    }
    let ratio = (num.sum as f64 / num.divisor as f64) / (den.sum as f64 / den.divisor as f64);
    Number::from_f64(ratio)
}

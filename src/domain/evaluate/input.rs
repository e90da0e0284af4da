//! The `evaluate` input (DOMAIN.md §7). Every key is optional except `rules` and
//! `applied_on`; unknown keys are input errors. `null` means the same as an absent key.
//!
//! Optional fields added beyond DOMAIN.md's example, for the consistency warnings and the
//! call's reference year:
//! - `reference_year`: the call's reference year; default the calendar year before `applied_on`.
//! - `operator: { "name", "uscc" }`: the applicant; `uscc` must be a valid code.
//! - `park.declared: { "enterprises", "cbec", "registered", "operating", "platform",
//!   "payment", "logistics", "other" }`: the counts typed into the application form (附件1),
//!   compared with the counts computed from the roster.
use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::fixed::{Fixed, NumberVisitor, SCALE};
use crate::domain::ruleset::Currency;
use crate::domain::uscc::{Uscc, roster_key};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub rules: String,
    #[serde(deserialize_with = "date")]
    pub applied_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_year: Option<i32>,
    /// The tier applied for (`leading`, `growing`); only for rule sets with tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park: Option<Park>,
    /// The roster (附件3): every resident enterprise, CBEC or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprises: Option<Vec<Enterprise>>,
    /// Manual checks attested by a person, by check id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations: Option<BTreeMap<String, Option<bool>>>,
    /// Veto findings by the rule set's veto keys (`violation`, `blacklist`, `falsified`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vetoes: Option<BTreeMap<String, Option<bool>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert_scores: Option<Vec<ExpertScores>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<Uscc>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Park {
    #[serde(
        default,
        deserialize_with = "opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub operating_since: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_center: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Events>,
    /// Yearly figures; a year missing from a present list counts as 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade: Option<Vec<TradeYear>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provincial_listed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilities: Option<Facilities>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<Declared>,
}

/// Areas in m², at most four decimals.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cbec_use: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supporting: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leasable: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupied: Option<Fixed>,
}

/// Events held in the reference year.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Events {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_organized: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Integer>,
    /// Up to four quarters; a missing (or null) quarter counts as 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_briefings_by_quarter: Option<Vec<Option<Integer>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeYear {
    pub year: i32,
    /// Defaults to the rule set's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// CBEC import/export, integer amount in the currency's main unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_export: Option<Integer>,
    /// CBEC transactions (Zhongshan), integer amount in the currency's main unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<Integer>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facilities {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incubator_mentors: Option<Integer>,
    /// The smallest classroom, m².
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classroom: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub livestream: Option<Fixed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Fixed>,
}

/// Counts as typed into the application form (附件1), for consistency warnings only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// All resident enterprises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprises: Option<Integer>,
    /// 入驻跨境电商企业数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cbec: Option<Integer>,
    /// 在综试区线上服务平台备案企业数 / 中山市跨境电商企业备案数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics: Option<Integer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Integer>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enterprise {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kept as typed: an invalid code is a warning, not an input error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<RosterCode>,
    /// Absent means `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cbec_type: Option<CbecType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_registered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_in_park: Option<bool>,
    /// Last year's CBEC import/export of the enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_export: Option<Integer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CbecType {
    Operating,
    Platform,
    Payment,
    Logistics,
    Other,
    None,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertScores {
    /// Shown in `outliers`; defaults to `#n` (1-based position).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<BTreeMap<String, Score>>,
}

/// A non-negative integer (counts; money in the currency's main unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Integer(pub u64);

impl Integer {
    pub fn fixed(self) -> Fixed {
        Fixed::from_u64(self.0).unwrap_or(Fixed::from_scaled(i64::MAX))
    }
}

impl Serialize for Integer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let scaled = d.deserialize_any(NumberVisitor { integer_only: true })?;
        Ok(Integer((scaled / SCALE) as u64))
    }
}

/// An expert's score for one criterion, in tenths of a point (at most one decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Score(pub u32);

impl Score {
    pub fn tenths(self) -> u32 {
        self.0
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(10) {
            s.serialize_u32(self.0 / 10)
        } else {
            s.serialize_f64(f64::from(self.0) / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Fixed::deserialize(d)?;
        if !value.is_tenths() {
            return Err(serde::de::Error::custom("评分最多保留1位小数"));
        }
        u32::try_from(value.scaled() / (SCALE / 10))
            .map(Score)
            .map_err(|_| serde::de::Error::custom("评分超出范围"))
    }
}

struct DateVisitor;

impl serde::de::Visitor<'_> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date YYYY-MM-DD")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<NaiveDate, E> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| E::custom("日期格式应为 YYYY-MM-DD 且为有效日期"))
    }
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    struct OptVisitor;
    impl<'de> serde::de::Visitor<'de> for OptVisitor {
        type Value = Option<NaiveDate>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date YYYY-MM-DD or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            date(d).map(Some)
        }
    }
    d.deserialize_option(OptVisitor)
}

/// A roster row's USCC as typed, with its identity and validity worked out once on parsing
/// (not per evaluation). Serializes as the plain string.
#[derive(Debug, Clone)]
pub struct RosterCode {
    text: String,
    key: Option<(u128, bool)>,
}

impl RosterCode {
    pub fn new(text: impl Into<String>) -> RosterCode {
        let text = text.into();
        let key = roster_key(&text);
        RosterCode { text, key }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Identity for duplicate detection (trimmed, upper-cased), if the text has 18 letters or digits.
    pub(crate) fn key(&self) -> Option<u128> {
        self.key.map(|(k, _)| k)
    }

    pub fn is_valid(&self) -> bool {
        self.key.is_some_and(|(_, valid)| valid)
    }

    pub fn is_blank(&self) -> bool {
        self.key.is_none() && self.text.trim().is_empty()
    }
}

impl PartialEq for RosterCode {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl From<&str> for RosterCode {
    fn from(text: &str) -> Self {
        RosterCode::new(text)
    }
}

impl Serialize for RosterCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for RosterCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(RosterCode::new)
    }
}

//! The evaluation as serialized by `parkcert evaluate` and `POST /api/v1/evaluate`.
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub rules: String,
    pub eligible: bool,
    pub vetoed: bool,
    /// Ids of the vetoes that apply.
    pub vetoes: Vec<String>,
    pub tier: Option<String>,
    pub checks: Vec<CheckResult>,
    pub metrics: Metrics,
    pub warnings: Vec<Warning>,
    pub score: Option<ScoreSummary>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    pub id: String,
    pub article: String,
    pub status: Status,
    /// Display string of the requirement ("≥ 3000", "≥ 50%").
    pub required: String,
    /// Display string of the actual value; null when the input lacks the fact.
    pub actual: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// A person must attest and has not.
    Manual,
    /// Does not apply.
    Na,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSummary {
    pub total: f64,
    /// Experts who scored (no conflict declared).
    pub experts_scored: u32,
    /// Experts whose scores were averaged after trimming.
    pub experts_counted: u32,
    pub method: Method,
    /// Mean per criterion over the counted experts, in the rule set's order.
    pub criteria: Metrics,
    /// Experts whose total differs from the plain mean by more than the rule set's delta.
    pub outliers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    TrimmedMean,
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Vetoed,
    NotEligible,
    NeedsAttestation,
    Recommend,
}

/// A JSON object whose keys keep the rule set's order; values are numbers or null.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metrics(pub Vec<(String, Option<Number>)>);

impl Metrics {
    pub fn get(&self, key: &str) -> Option<&Number> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_ref())
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MetricsVisitor;
        impl<'de> Visitor<'de> for MetricsVisitor {
            type Value = Metrics;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of numbers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metrics, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Metrics(entries))
            }
        }
        deserializer.deserialize_map(MetricsVisitor)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Manual => "manual",
            Status::Na => "na",
        })
    }
}

//! Exact non-negative decimal quantities (areas, thresholds, money) as fixed-point integers.
//!
//! JSON numbers arrive as f64; a value with at most four decimals maps to exactly one
//! `Fixed`, so thresholds compare exactly (2999.9999 < 3000, 10% of 800.5 is 80.05).
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const SCALE: i64 = 10_000;
/// Largest accepted value: keeps every product of two quantities inside i128 with room,
/// and every scaled value inside i64.
const MAX_UNITS: i64 = 100_000_000_000_000;
/// Below this, an f64 times SCALE is still an exact integer when it has ≤ 4 decimals.
const MAX_EXACT_F64: f64 = 900_000_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed(i64);

impl Fixed {
    pub const ZERO: Fixed = Fixed(0);

    pub const fn from_int(n: i64) -> Fixed {
        Fixed(n * SCALE)
    }

    pub const fn from_scaled(scaled: i64) -> Fixed {
        Fixed(scaled)
    }

    pub const fn scaled(self) -> i64 {
        self.0
    }

    /// Whether the value has at most one decimal (expert scores).
    pub fn is_tenths(self) -> bool {
        self.0 % (SCALE / 10) == 0
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// The exact value of a JSON number, or a message saying why it is not acceptable.
    pub fn from_f64(x: f64) -> Result<Fixed, &'static str> {
        if !x.is_finite() {
            return Err("应为有限数值");
        }
        if x < 0.0 {
            return Err("不能为负数");
        }
        if x.fract() == 0.0 {
            return if x <= MAX_UNITS as f64 {
                Ok(Fixed(x as i64 * SCALE))
            } else {
                Err("数值过大")
            };
        }
        if x >= MAX_EXACT_F64 {
            return Err("数值过大");
        }
        let scaled = (x * SCALE as f64).round();
        // The nearest f64 to scaled/SCALE is x itself exactly when x was written with ≤ 4 decimals.
        if scaled / SCALE as f64 != x {
            return Err("最多保留4位小数");
        }
        Ok(Fixed(scaled as i64))
    }

    pub fn from_u64(n: u64) -> Result<Fixed, &'static str> {
        if n > MAX_UNITS as u64 {
            return Err("数值过大");
        }
        Ok(Fixed(n as i64 * SCALE))
    }
}

/// Writes `scaled / (SCALE * divisor)` with up to four decimals, trailing zeros trimmed.
pub fn write_scaled(f: &mut impl fmt::Write, scaled: i128, divisor: i128) -> fmt::Result {
    // Display only, rounded half up to 4 decimals (SCALE); i64 when it fits, as i128
    // division and formatting are slow.
    let tenk = match (i64::try_from(scaled), i64::try_from(divisor)) {
        (Ok(s), Ok(1)) => i128::from(s),
        (Ok(s), Ok(d)) if s.unsigned_abs() < 1 << 40 && (1..1 << 16).contains(&d) => {
            i128::from((s * 2 + d) / (d * 2))
        }
        _ if divisor == 0 => 0,
        _ => (scaled * 2 + divisor) / (divisor * 2),
    };
    match i64::try_from(tenk) {
        Ok(t) => write_units(f, t / SCALE, t % SCALE),
        Err(_) => write_units(f, tenk / SCALE as i128, tenk % SCALE as i128),
    }
}

fn write_units<T>(f: &mut impl fmt::Write, int: T, frac: T) -> fmt::Result
where
    T: fmt::Display
        + Copy
        + PartialEq
        + From<u8>
        + std::ops::Rem<Output = T>
        + std::ops::Div<Output = T>,
{
    let (zero, ten) = (T::from(0), T::from(10));
    if frac == zero {
        return write!(f, "{int}");
    }
    let (mut frac, mut width) = (frac, 4);
    while frac % ten == zero {
        frac = frac / ten;
        width -= 1;
    }
    write!(f, "{int}.{frac:0width$}")
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, self.0 as i128, 1)
    }
}

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % SCALE == 0 {
            serializer.serialize_i64(self.0 / SCALE)
        } else {
            serializer.serialize_f64(self.to_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Fixed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(NumberVisitor {
                integer_only: false,
            })
            .map(Fixed)
    }
}

/// Accepts a JSON number as scaled units; `integer_only` rejects fractions (money, counts).
pub(crate) struct NumberVisitor {
    pub integer_only: bool,
}

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.integer_only {
            "a non-negative integer"
        } else {
            "a number"
        })
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<i64, E> {
        Fixed::from_u64(n).map(Fixed::scaled).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<i64, E> {
        if n < 0 {
            return Err(E::custom("不能为负数"));
        }
        self.visit_u64(n as u64)
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<i64, E> {
        if self.integer_only && x.fract() != 0.0 && x.is_finite() {
            return Err(E::custom(if x < 0.0 {
                "不能为负数"
            } else {
                "应为整数"
            }));
        }
        Fixed::from_f64(x).map(Fixed::scaled).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Fixed, String> {
        serde_json::from_str::<Fixed>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn decimals_map_exactly() {
        assert_eq!(parse("3000").unwrap(), Fixed::from_int(3000));
        assert_eq!(parse("2999.9999").unwrap().scaled(), 29_999_999);
        assert_eq!(parse("0.1").unwrap().scaled(), 1_000);
        assert_eq!(parse("800.05").unwrap().scaled(), 8_000_500);
        assert_eq!(parse("1e3").unwrap(), Fixed::from_int(1000));
    }

    #[test]
    fn rejects_negative_overlong_and_huge() {
        assert!(parse("-1").unwrap_err().contains("负数"));
        assert!(parse("-0.5").unwrap_err().contains("负数"));
        assert!(parse("1.00001").unwrap_err().contains("4位小数"));
        assert!(parse("1e300").unwrap_err().contains("过大"));
        assert!(parse("\"1\"").is_err());
    }

    #[test]
    fn displays_and_round_trips() {
        for s in ["0", "3000", "3000.5", "0.0001", "12345678.1234"] {
            let v = parse(s).unwrap();
            assert_eq!(v.to_string(), s);
            assert_eq!(parse(&serde_json::to_string(&v).unwrap()).unwrap(), v);
        }
        let mut out = String::new();
        write_scaled(&mut out, 3 * SCALE as i128, 2).unwrap();
        assert_eq!(out, "1.5");
    }
}

//! The platform's security policy (GB/T 22239-2019 level 3, 身份鉴别): what a password must be
//! and when repeated failures lock an account. Pure: the security administrator's page reads
//! and writes it, sign-in and every password change apply it.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub min_length: u32,
    /// Of lower-case letters, upper-case letters, digits and other characters.
    pub min_classes: u32,
    /// Failed sign-ins within `lockout_minutes` that lock an account for that long.
    pub lockout_threshold: u32,
    pub lockout_minutes: u32,
    /// Days a password may be used before it must be changed (None: no limit).
    pub max_age_days: Option<u32>,
    /// How many of an account's last passwords a new one may not repeat.
    pub history: u32,
    /// Shown on every sign-in page (empty: none).
    pub login_notice: String,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            min_length: 12,
            min_classes: 3,
            lockout_threshold: 5,
            lockout_minutes: 10,
            max_age_days: Some(90),
            history: 5,
            login_notice: String::new(),
        }
    }
}

/// How many of the four character classes a password uses.
pub fn classes(password: &str) -> u32 {
    let has = |f: fn(char) -> bool| password.chars().any(f) as u32;
    has(|c| c.is_ascii_lowercase())
        + has(|c| c.is_ascii_uppercase())
        + has(|c| c.is_ascii_digit())
        + has(|c| !c.is_ascii_alphanumeric())
}

impl Policy {
    /// Why `password` does not meet the policy's length and classes, if it does not.
    pub fn password_problem(&self, password: &str) -> Option<String> {
        if (password.chars().count() as u32) < self.min_length {
            return Some(format!("密码至少{}位。", self.min_length));
        }
        if classes(password) < self.min_classes {
            return Some(format!(
                "密码须包含小写字母、大写字母、数字、其他符号中的至少{}类。",
                self.min_classes
            ));
        }
        None
    }

    /// Where the policy falls below level 3, in words (the page marks those settings).
    pub fn below_level3(&self) -> Vec<&'static str> {
        let mut below = Vec::new();
        if self.min_classes < 3 {
            below.push("password");
        }
        if self.lockout_threshold > 5 || self.lockout_minutes < 10 {
            below.push("lockout");
        }
        if self.max_age_days.is_none_or(|d| d > 90) || self.history == 0 {
            below.push("age");
        }
        below
    }

    /// Reads the security administrator's form: every field checked, a message per field.
    pub fn from_form(form: &BTreeMap<String, String>) -> Result<Policy, BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let mut number = |key: &str, range: std::ops::RangeInclusive<u32>| -> u32 {
            let value = form.get(key).map(|v| v.trim()).unwrap_or("");
            match value.parse::<u32>() {
                Ok(n) if range.contains(&n) => n,
                _ => {
                    let message = format!("请填写{}–{}之间的整数", range.start(), range.end());
                    errors.insert(key.to_string(), message);
                    0
                }
            }
        };
        let policy = Policy {
            // The product's own floor is 12 characters (above level 3's 8).
            min_length: number("min_length", 12..=64),
            min_classes: number("min_classes", 1..=4),
            lockout_threshold: number("lockout_threshold", 3..=20),
            lockout_minutes: number("lockout_minutes", 1..=1440),
            max_age_days: match form.get("max_age_days").map(|v| v.trim()) {
                None | Some("") => None,
                Some(_) => Some(number("max_age_days", 1..=365)),
            },
            history: number("history", 0..=24),
            login_notice: form
                .get("login_notice")
                .map(|v| v.trim().to_string())
                .unwrap_or_default(),
        };
        if policy.login_notice.chars().count() > 500 {
            errors.insert("login_notice".into(), "登录提示最多500字".into());
        }
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_needs_the_length_and_the_classes_the_policy_asks() {
        let p = Policy::default();
        assert_eq!(p.password_problem("short"), Some("密码至少12位。".into()));
        assert!(
            p.password_problem("only-lower-case")
                .unwrap()
                .contains("至少3类")
        );
        assert_eq!(p.password_problem("parkcert-demo-2026"), None);
        assert_eq!(classes("Aa1!"), 4);
    }

    #[test]
    fn the_form_is_checked_field_by_field_and_level3_gaps_are_named() {
        let form: BTreeMap<String, String> = [
            ("min_length", "7"),
            ("min_classes", "2"),
            ("lockout_threshold", "5"),
            ("lockout_minutes", "abc"),
            ("max_age_days", ""),
            ("history", "5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let errors = Policy::from_form(&form).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors["min_length"].contains("12–64"));
        assert!(errors.contains_key("lockout_minutes"));
        let weak = Policy {
            min_classes: 2,
            lockout_threshold: 10,
            max_age_days: None,
            ..Policy::default()
        };
        assert_eq!(weak.below_level3(), ["password", "lockout", "age"]);
        assert!(Policy::default().below_level3().is_empty());
    }
}

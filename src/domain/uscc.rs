//! Unified social credit code (统一社会信用代码, GB 32100-2015).
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters a code may use (no I, O, Z, S, V), in check-value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const LEN: usize = 18;

/// A validated, upper-case, 18-character unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a string is not a valid code; messages are shown next to a form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("请填写统一社会信用代码")]
    Empty,
    #[error("统一社会信用代码应为18位（当前为{0}位）")]
    Length(usize),
    #[error("统一社会信用代码第{position}位含有无效字符“{found}”（不使用 I、O、Z、S、V）")]
    Charset { position: usize, found: char },
    #[error("统一社会信用代码第1位（登记管理部门代码）不正确")]
    Authority,
    #[error("统一社会信用代码第2位（机构类别代码）与登记管理部门不匹配")]
    OrgType,
    #[error("统一社会信用代码第3–8位应为6位数字的行政区划代码")]
    Region,
    #[error("统一社会信用代码校验位不正确，请核对")]
    CheckChar,
}

impl Uscc {
    /// Parses a code typed by a person: surrounding whitespace is ignored, lower case accepted.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let code = normalize(input)?;
        validate_structure(code.as_bytes())?;
        if check_char(&code.as_bytes()[..LEN - 1]) != code.as_bytes()[LEN - 1] {
            return Err(UsccError::CheckChar);
        }
        Ok(Uscc(code))
    }

    /// Completes the first 17 characters with their check character (handy for demo data).
    pub fn with_check_char(first17: &str) -> Result<Uscc, UsccError> {
        let trimmed = first17.trim();
        let count = trimmed.chars().count();
        if count != LEN - 1 {
            return Err(UsccError::Length(count + 1));
        }
        let mut code = trimmed.to_ascii_uppercase();
        validate_charset(code.as_bytes(), code.chars())?;
        code.push(check_char(code.as_bytes()) as char);
        Uscc::parse(&code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 3–8: the 6-digit administrative division of the registering authority.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

fn normalize(input: &str) -> Result<String, UsccError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(UsccError::Empty);
    }
    let count = trimmed.chars().count();
    if count != LEN {
        return Err(UsccError::Length(count));
    }
    let code = trimmed.to_ascii_uppercase();
    validate_charset(code.as_bytes(), code.chars())?;
    Ok(code)
}

fn validate_charset(bytes: &[u8], chars: std::str::Chars<'_>) -> Result<(), UsccError> {
    // A non-ASCII character makes byte and char positions differ; report by char.
    for (i, ch) in chars.enumerate() {
        if !ch.is_ascii() || !ALPHABET.contains(&(ch as u8)) {
            return Err(UsccError::Charset {
                position: i + 1,
                found: ch,
            });
        }
    }
    debug_assert!(bytes.iter().all(|b| ALPHABET.contains(b)));
    Ok(())
}

/// Registration-authority codes and the organisation types each allows (GB 32100-2015 表1).
fn org_types(authority: u8) -> Option<&'static [u8]> {
    Some(match authority {
        b'1' => b"1239",
        b'2' => b"19",
        b'3' => b"123459",
        b'4' => b"19",
        b'5' => b"1239",
        b'6' => b"129",
        b'7' => b"129",
        b'8' => b"19",
        b'9' => b"123",
        b'A' => b"19",
        b'N' => b"1239",
        b'Y' => b"1",
        _ => return None,
    })
}

fn validate_structure(code: &[u8]) -> Result<(), UsccError> {
    let types = org_types(code[0]).ok_or(UsccError::Authority)?;
    if !types.contains(&code[1]) {
        return Err(UsccError::OrgType);
    }
    if !code[2..8].iter().all(u8::is_ascii_digit) {
        return Err(UsccError::Region);
    }
    Ok(())
}

fn char_value(c: u8) -> u32 {
    u32::from(VALUES[c as usize] % 31)
}

/// The check character of 17 characters from `ALPHABET`.
fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| char_value(c) * w)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// Check value of each byte (`NOT_IN_ALPHABET` outside the 31 characters), for hot loops.
const NOT_IN_ALPHABET: u8 = 0xff;
const VALUES: [u8; 256] = {
    let mut table = [NOT_IN_ALPHABET; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        table[ALPHABET[i].to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    table
};

/// A cheap identity for roster rows: the trimmed, upper-cased code packed six bits per
/// character, and whether it is a valid code. No allocation: it runs per row per evaluation.
pub(crate) fn roster_key(input: &str) -> Option<(u128, bool)> {
    // Most rows are already clean; trimming Unicode whitespace is the slow path.
    let bytes = if input.len() == LEN {
        input.as_bytes()
    } else {
        input.trim().as_bytes()
    };
    let bytes: &[u8; LEN] = bytes.try_into().ok()?;
    let (mut hi, mut lo) = (0u64, 0u64);
    let mut sum: u32 = 0;
    let mut in_alphabet = true;
    for i in 0..LEN {
        let c = bytes[i].to_ascii_uppercase();
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        // Two independent shift chains keep the loop short.
        if i < 9 {
            hi = (hi << 6) | u64::from(c - b'0');
        } else {
            lo = (lo << 6) | u64::from(c - b'0');
        }
        let value = VALUES[c as usize];
        in_alphabet &= value != NOT_IN_ALPHABET;
        if i < LEN - 1 {
            sum += u32::from(value) * WEIGHTS[i];
        }
    }
    let key = (u128::from(hi) << 64) | u128::from(lo);
    if !in_alphabet {
        return Some((key, false));
    }
    let head = [
        bytes[0].to_ascii_uppercase(),
        bytes[1],
        bytes[2],
        bytes[3],
        bytes[4],
        bytes[5],
        bytes[6],
        bytes[7],
    ];
    let valid = u32::from(VALUES[bytes[LEN - 1] as usize]) == (31 - sum % 31) % 31
        && validate_structure(&head).is_ok();
    Some((key, valid))
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Uscc::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // First 17 characters in real formats (Wenzhou Lucheng 330302, Zhongshan 442000).
    const WENZHOU: &str = "91330302MA2AXXXX0";
    const ZHONGSHAN: &str = "91442000MA4UXXXX1";

    #[test]
    fn known_codes_have_known_check_chars() {
        // Sum for "91330302MA2AXXXX0" worked out independently of `check_char`.
        let code = "91330302MA2AXXXX0";
        let sum: u32 = code
            .bytes()
            .zip(WEIGHTS)
            .map(|(c, w)| char_value(c) * w)
            .sum();
        let expected = ALPHABET[((31 - sum % 31) % 31) as usize];
        assert_eq!(check_char(code.as_bytes()), expected);
        // A widely published sample code (Fuzhou).
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn completes_and_parses_valid_codes() {
        for first17 in [WENZHOU, ZHONGSHAN, "52330100MJ8800001", "12440000455858478"] {
            let code = Uscc::with_check_char(first17).unwrap();
            assert_eq!(code.as_str().len(), 18);
            assert_eq!(Uscc::parse(code.as_str()).unwrap(), code);
        }
        let wz = Uscc::with_check_char(WENZHOU).unwrap();
        assert_eq!(wz.region_code(), "330302");
        assert_eq!(
            Uscc::with_check_char(ZHONGSHAN).unwrap().region_code(),
            "442000"
        );
    }

    #[test]
    fn trims_and_upper_cases() {
        let code = Uscc::with_check_char(WENZHOU).unwrap();
        let typed = format!("  {}\t", code.as_str().to_lowercase());
        assert_eq!(Uscc::parse(&typed).unwrap(), code);
        assert_eq!(typed.parse::<Uscc>().unwrap().to_string(), code.as_str());
    }

    #[test]
    fn rejects_every_wrong_check_char() {
        let code = Uscc::with_check_char(WENZHOU).unwrap();
        let good = code.as_str().as_bytes()[17];
        for &c in ALPHABET.iter().filter(|&&c| c != good) {
            let mut bad = code.as_str()[..17].to_string();
            bad.push(c as char);
            assert_eq!(Uscc::parse(&bad), Err(UsccError::CheckChar), "{bad}");
        }
    }

    #[test]
    fn rejects_single_character_typos() {
        let code = Uscc::with_check_char(ZHONGSHAN).unwrap();
        let mut bad = code.as_str().as_bytes().to_vec();
        bad[10] = if bad[10] == b'4' { b'5' } else { b'4' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(Uscc::parse(&bad).is_err());
    }

    #[test]
    fn reports_the_kind_of_error() {
        assert_eq!(Uscc::parse("  "), Err(UsccError::Empty));
        assert_eq!(Uscc::parse("9133030"), Err(UsccError::Length(7)));
        assert_eq!(
            Uscc::parse("91330302MA2AXXXXI0"),
            Err(UsccError::Charset {
                position: 17,
                found: 'I'
            })
        );
        assert_eq!(
            Uscc::parse("9133030２MA2AXXXX00"),
            Err(UsccError::Charset {
                position: 8,
                found: '２'
            })
        );
        assert_eq!(
            Uscc::with_check_char("C1330302MA2AXXXX0"),
            Err(UsccError::Authority)
        );
        assert_eq!(
            Uscc::with_check_char("9533030２MA2AXXXX"),
            Err(UsccError::Length(17))
        );
        assert_eq!(
            Uscc::with_check_char("95330302MA2AXXXX0"),
            Err(UsccError::OrgType)
        );
        assert_eq!(
            Uscc::with_check_char("9133A302MA2AXXXX0"),
            Err(UsccError::Region)
        );
        assert_eq!(
            UsccError::CheckChar.to_string(),
            "统一社会信用代码校验位不正确，请核对"
        );
        assert_eq!(
            UsccError::Length(3).to_string(),
            "统一社会信用代码应为18位（当前为3位）"
        );
    }

    #[test]
    fn serde_validates() {
        let code = Uscc::with_check_char(WENZHOU).unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), code);
        let err = serde_json::from_str::<Uscc>("\"91330302MA2AXXXX00\"").unwrap_err();
        assert!(err.to_string().contains("校验位"), "{err}");
    }

    #[test]
    fn roster_key_agrees_with_parse() {
        let code = Uscc::with_check_char(WENZHOU).unwrap();
        let (k1, valid) = roster_key(code.as_str()).unwrap();
        assert!(valid);
        let (k2, _) = roster_key(&format!(" {} ", code.as_str().to_lowercase())).unwrap();
        assert_eq!(k1, k2);
        let mut bad = code.as_str()[..17].to_string();
        bad.push(if code.as_str().ends_with('0') {
            '1'
        } else {
            '0'
        });
        assert!(!roster_key(&bad).unwrap().1);
        assert_eq!(roster_key("short"), None);
    }
}

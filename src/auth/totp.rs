//! Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift
//! either way), the scheme every authenticator app speaks.
use totp_rs::{Algorithm, Secret, TOTP};

fn totp(secret_base32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("parkcert".to_string()),
        account.to_string(),
    )
    .ok()
}

/// A new random secret, base32.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

/// The `otpauth://` address an authenticator app takes (typed in or pasted).
pub fn url(secret_base32: &str, account: &str) -> String {
    totp(secret_base32, account)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// Whether `code` is right at `unix_time` (seconds).
pub fn check(secret_base32: &str, code: &str, unix_time: i64) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    code.len() == 6
        && totp(secret_base32, "check").is_some_and(|t| t.check(&code, unix_time.max(0) as u64))
}

/// The code at `unix_time` (tests play the authenticator app with it).
pub fn code_at(secret_base32: &str, unix_time: i64) -> String {
    totp(secret_base32, "check")
        .map(|t| t.generate(unix_time.max(0) as u64))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_for_its_step_and_the_ones_beside_it_only() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&secret, t);
        assert!(check(&secret, &code, t));
        assert!(check(&secret, &code, t + 30), "one step of drift");
        assert!(!check(&secret, &code, t + 90));
        assert!(!check(&secret, "12345", t));
        assert!(url(&secret, "wz-bureau").starts_with("otpauth://totp/parkcert:wz-bureau?"));
    }
}

//! argon2id password hashing with the OWASP minimum parameters (m=19456 KiB, t=2, p=1).
//! Hashing is deliberately slow and takes 19 MiB, so it runs on the blocking pool, at most one
//! per core at a time: a burst of sign-ins queues instead of taking the server's memory, and a
//! request that waits too long is told to come back.
use crate::blocking::{SlotError, Slots};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;
use std::time::Duration;

/// How long a sign-in waits for its turn at the hasher before it is refused.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hasher was busy for [`QUEUE_WAIT`].
    #[error("too many password checks at once")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<HashError> for crate::error::AppError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => crate::error::AppError::TooManyRequests(
                "同时登录的人数较多，请稍候片刻再试。".into(),
            ),
            HashError::Failed(e) => crate::error::AppError::Internal(e),
        }
    }
}

/// One hasher per core (at least one, at most eight).
fn hashers() -> &'static Slots {
    static HASHERS: OnceLock<Slots> = OnceLock::new();
    HASHERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Slots::new(cores.clamp(1, 8), QUEUE_WAIT)
    })
}

/// Runs `work` on the blocking pool once a hasher is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, HashError> {
    match hashers().run(work).await {
        Ok(out) => Ok(out?),
        Err(SlotError::Busy) => Err(HashError::Busy),
        Err(SlotError::Failed(e)) => Err(HashError::Failed(e.into())),
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Lower-cased, sorted: see the file's header for its source.
const COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
        v.sort_unstable();
        v
    })
}

/// Whether a password is on the list of common passwords (case does not matter).
pub fn is_common(password: &str) -> bool {
    common()
        .binary_search(&password.to_lowercase().as_str())
        .is_ok()
}

/// Why a new password is refused, if it is: the one rule for every form that sets one.
pub fn weakness(login: &str, password: &str) -> Option<&'static str> {
    if password.chars().count() < 12 {
        Some("密码至少12位。")
    } else if is_common(password) {
        Some("这是常见密码，容易被猜中，请换一个。")
    } else if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        Some("密码不能包含登录账号。")
    } else {
        None
    }
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

pub async fn hash(password: String) -> Result<String, HashError> {
    bounded(move || hash_blocking(&password)).await
}

/// Verifies `password` against `stored`; with no stored hash (unknown account) it still spends
/// one full verification so response times do not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, HashError> {
    bounded(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && ok)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("parkcert-timing-equaliser").expect("hashing a constant"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_long_passwords_and_ones_containing_the_login_are_refused() {
        assert!(is_common("1qaz2wsx3edc"));
        assert!(is_common("QWERTY123456"), "case does not matter");
        assert!(!is_common("温州跨境园区认定系统密码"));
        assert_eq!(weakness("li", "short"), Some("密码至少12位。"));
        assert!(weakness("li", "123qweasdzxc").is_some());
        assert!(weakness("wz-bureau", "my-wz-bureau-pass").is_some());
        assert_eq!(weakness("wz-bureau", "parkcert-demo-2026"), None);
    }

    #[test]
    fn a_hash_verifies_only_its_own_password_and_uses_argon2id() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        assert!(
            rt.block_on(verify("correct horse battery".into(), Some(h.clone())))
                .unwrap()
        );
        assert!(!rt.block_on(verify("wrong".into(), Some(h))).unwrap());
        assert!(!rt.block_on(verify("anything".into(), None)).unwrap());
    }
}

//! The product's cryptography behind one interface (GB/T 39786 application and data level):
//! SM4-GCM for fields kept encrypted at rest, HMAC-SM3 for the audit trail's seals. The software
//! implementation keeps its keys in a key file (`PARKCERT_KEY_FILE`, made on first start with
//! mode 0600); a deployment swaps in its certified crypto appliance by implementing [`Crypto`].
//!
//! Keys are versioned: every ciphertext and every seal names the version it was made with, so
//! that `parkcert keys rotate` can add a new version, re-encrypt under it, and still check the
//! seals made before.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// SM4 in GCM mode with a 96-bit nonce (RFC 8998's SM4_GCM).
type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;
type HmacSm3 = Hmac<sm3::Sm3>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("key file {0}: {1}")]
    KeyFile(PathBuf, String),
    #[error("no key of version {0}")]
    UnknownKey(u32),
    #[error("not a ciphertext of this product")]
    Malformed,
    #[error("the ciphertext does not authenticate (wrong key or changed)")]
    Forged,
    #[error("no crypto installed in this process")]
    NotInstalled,
}

/// What the product asks of its cryptography.
pub trait Crypto: Send + Sync {
    /// The version new ciphertexts and seals are made with.
    fn current(&self) -> u32;
    /// `plaintext` sealed under the current key, bound to `context` (a field's name and row, so
    /// a ciphertext moved to another row or field does not decrypt): `sm4gcm:v1:…`.
    fn encrypt(&self, plaintext: &[u8], context: &str) -> Result<String, CryptoError>;
    fn decrypt(&self, sealed: &str, context: &str) -> Result<Vec<u8>, CryptoError>;
    /// HMAC-SM3 of `data` under the MAC key of `version`, as hex.
    fn mac(&self, version: u32, data: &[u8]) -> Result<String, CryptoError>;
    /// Adds a new key version and makes it current; the old ones stay, to read and check what
    /// they made. Returns the new version.
    fn rotate(&self) -> Result<u32, CryptoError>;
}

const PREFIX: &str = "sm4gcm:v";

/// Whether a stored value is one of our ciphertexts (a value from before encryption is not).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

/// The key version a ciphertext was made with.
pub fn version_of(sealed: &str) -> Option<u32> {
    sealed.strip_prefix(PREFIX)?.split_once(':')?.0.parse().ok()
}

#[derive(Clone, Serialize, Deserialize)]
struct KeyPair {
    /// 128-bit SM4 key, hex.
    enc: String,
    /// 256-bit HMAC-SM3 key, hex.
    mac: String,
}

#[derive(Clone, Serialize, Deserialize, Default)]
struct KeyFile {
    current: u32,
    keys: BTreeMap<u32, KeyPair>,
}

/// The software implementation: keys from a key file.
pub struct SoftCrypto {
    path: PathBuf,
    file: RwLock<KeyFile>,
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

fn new_pair() -> KeyPair {
    KeyPair {
        enc: random_hex(16),
        mac: random_hex(32),
    }
}

impl SoftCrypto {
    /// Opens the key file, making one (mode 0600) with a first key when there is none.
    pub fn open_or_create(path: &Path) -> Result<SoftCrypto, CryptoError> {
        let fail = |e: String| CryptoError::KeyFile(path.to_path_buf(), e);
        let file = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let first = KeyFile {
                    current: 1,
                    keys: BTreeMap::from([(1, new_pair())]),
                };
                write_private(path, &first).map_err(|e| fail(e.to_string()))?;
                first
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        if !file.keys.contains_key(&file.current) {
            return Err(fail(format!("the current key {} is missing", file.current)));
        }
        Ok(SoftCrypto {
            path: path.to_path_buf(),
            file: RwLock::new(file),
        })
    }

    fn add_version(&self) -> Result<u32, CryptoError> {
        let mut file = self.file.write().unwrap_or_else(|e| e.into_inner());
        let mut next = file.clone();
        let version = next.keys.keys().max().copied().unwrap_or(0) + 1;
        next.keys.insert(version, new_pair());
        next.current = version;
        write_private(&self.path, &next)
            .map_err(|e| CryptoError::KeyFile(self.path.clone(), e.to_string()))?;
        *file = next;
        Ok(version)
    }

    fn pair(&self, version: u32) -> Result<KeyPair, CryptoError> {
        let file = self.file.read().unwrap_or_else(|e| e.into_inner());
        file.keys
            .get(&version)
            .cloned()
            .ok_or(CryptoError::UnknownKey(version))
    }

    fn cipher(&self, version: u32) -> Result<Sm4Gcm, CryptoError> {
        let key = hex::decode(self.pair(version)?.enc).map_err(|_| CryptoError::Malformed)?;
        Sm4Gcm::new_from_slice(&key).map_err(|_| CryptoError::Malformed)
    }
}

/// Writes the key file readable by its owner alone, replacing it in one step.
fn write_private(path: &Path, file: &KeyFile) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    out.write_all(serde_json::to_string_pretty(file)?.as_bytes())?;
    out.sync_all()?;
    std::fs::rename(tmp, path)
}

impl Crypto for SoftCrypto {
    fn current(&self) -> u32 {
        self.file.read().unwrap_or_else(|e| e.into_inner()).current
    }

    fn encrypt(&self, plaintext: &[u8], context: &str) -> Result<String, CryptoError> {
        let version = self.current();
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let sealed = self
            .cipher(version)?
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| CryptoError::Malformed)?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        let text = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        Ok(format!("{PREFIX}{version}:{text}"))
    }

    fn decrypt(&self, sealed: &str, context: &str) -> Result<Vec<u8>, CryptoError> {
        let version = version_of(sealed).ok_or(CryptoError::Malformed)?;
        let (_, text) = sealed[PREFIX.len()..]
            .split_once(':')
            .ok_or(CryptoError::Malformed)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .map_err(|_| CryptoError::Malformed)?;
        if bytes.len() < 12 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, body) = bytes.split_at(12);
        let payload = Payload {
            msg: body,
            aad: context.as_bytes(),
        };
        self.cipher(version)?
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| CryptoError::Forged)
    }

    fn rotate(&self) -> Result<u32, CryptoError> {
        self.add_version()
    }

    fn mac(&self, version: u32, data: &[u8]) -> Result<String, CryptoError> {
        let key = hex::decode(self.pair(version)?.mac).map_err(|_| CryptoError::Malformed)?;
        let mut mac = <HmacSm3 as Mac>::new_from_slice(&key).map_err(|_| CryptoError::Malformed)?;
        mac.update(data);
        Ok(hex::encode(mac.finalize().into_bytes()))
    }
}

static INSTALLED: OnceLock<Arc<dyn Crypto>> = OnceLock::new();

/// Installs the process's cryptography (the server and each command install it once, before
/// anything is sealed). A second install keeps the first: one process, one key store.
pub fn install(crypto: Arc<dyn Crypto>) -> Arc<dyn Crypto> {
    INSTALLED.get_or_init(|| crypto).clone()
}

/// The process's cryptography, as the audit trail and the encrypted fields use it.
pub fn installed() -> Result<Arc<dyn Crypto>, CryptoError> {
    INSTALLED.get().cloned().ok_or(CryptoError::NotInstalled)
}

/// Opens the key file and installs it (unless this process has its crypto already).
pub fn install_from(path: &Path) -> Result<Arc<dyn Crypto>, CryptoError> {
    // Callers on several threads at once (tests) open and create the file one at a time.
    static OPENING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = OPENING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(installed) = INSTALLED.get() {
        return Ok(installed.clone());
    }
    let soft = SoftCrypto::open_or_create(path)?;
    Ok(install(Arc::new(soft)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_keys() -> (tempdir::Dir, SoftCrypto) {
        let dir = tempdir::Dir::new();
        let crypto = SoftCrypto::open_or_create(&dir.0.join("keys.json")).unwrap();
        (dir, crypto)
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                let path =
                    std::env::temp_dir().join(format!("parkcert-keys-{}", uuid::Uuid::new_v4()));
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn a_value_encrypts_to_a_tagged_ciphertext_and_back_only_in_its_own_context() {
        let (_dir, c) = temp_keys();
        let sealed = c
            .encrypt("JBSWY3DPEHPK3PXP".as_bytes(), "users.totp_secret:7")
            .unwrap();
        assert!(sealed.starts_with("sm4gcm:v1:"));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            c.decrypt(&sealed, "users.totp_secret:7").unwrap(),
            b"JBSWY3DPEHPK3PXP"
        );
        // Moved to another user's row, it does not decrypt.
        assert!(matches!(
            c.decrypt(&sealed, "users.totp_secret:8"),
            Err(CryptoError::Forged)
        ));
        // Two encryptions of one value differ (a fresh nonce each).
        assert_ne!(
            sealed,
            c.encrypt(b"JBSWY3DPEHPK3PXP", "users.totp_secret:7")
                .unwrap()
        );
    }

    #[test]
    fn the_key_file_is_private_and_rotation_keeps_old_ciphertexts_readable() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, c) = temp_keys();
        let path = dir.0.join("keys.json");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let old = c.encrypt(b"13800000101", "x").unwrap();
        let mac_before = c.mac(1, b"entry").unwrap();
        assert_eq!(c.rotate().unwrap(), 2);
        let reopened = SoftCrypto::open_or_create(&path).unwrap();
        assert_eq!(reopened.current(), 2);
        assert_eq!(reopened.decrypt(&old, "x").unwrap(), b"13800000101");
        assert!(
            reopened
                .encrypt(b"y", "x")
                .unwrap()
                .starts_with("sm4gcm:v2:")
        );
        assert_eq!(reopened.mac(1, b"entry").unwrap(), mac_before);
        assert_ne!(reopened.mac(2, b"entry").unwrap(), mac_before);
    }

    #[test]
    fn sm3_matches_the_standards_test_vector() {
        // GB/T 32905-2016 appendix A, example 1: SM3("abc").
        use sm3::Digest;
        let digest = sm3::Sm3::digest(b"abc");
        assert_eq!(
            hex::encode(digest),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}

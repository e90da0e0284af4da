//! Uploaded files: what a file is (by its content, never its name) and where its bytes live.
//!
//! Files are content-addressed by SHA-256 under `<data_dir>/files/ab/cd/<hash>`, so a file
//! uploaded twice is stored once and a frozen version that names a hash can always be served.
//! One interface (`FileStore`) so that a shared-nothing deployment can swap the local disk for
//! an S3-compatible store (DOMAIN.md §8).
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The kinds of file the product accepts (issue 4: PDF, JPEG, PNG, XLSX, DOCX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Xlsx,
    Docx,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Pdf,
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Xlsx,
        FileKind::Docx,
    ];

    /// Recognises a file by its magic bytes (and, for the Office formats, the ZIP entries that
    /// make them what they are). Anything else — HTML, scripts, old .doc/.xls, executables — is
    /// `None`, whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"PK\x03\x04") {
            return office_kind(bytes);
        }
        match infer::get(bytes)?.mime_type() {
            "application/pdf" => Some(FileKind::Pdf),
            "image/jpeg" => Some(FileKind::Jpeg),
            "image/png" => Some(FileKind::Png),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
            FileKind::Xlsx => "xlsx",
            FileKind::Docx => "docx",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG 图片",
            FileKind::Png => "PNG 图片",
            FileKind::Xlsx => "Excel 表格",
            FileKind::Docx => "Word 文档",
        }
    }
}

/// An Office Open XML package is a ZIP whose directory names its main part. Reading the central
/// directory (not guessing from the order of local headers, which differs between Office, WPS and
/// LibreOffice) tells a workbook from a document and refuses any other ZIP.
fn office_kind(bytes: &[u8]) -> Option<FileKind> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    if !has("[Content_Types].xml") {
        return None;
    }
    if has("xl/workbook.xml") {
        Some(FileKind::Xlsx)
    } else if has("word/document.xml") {
        Some(FileKind::Docx)
    } else {
        None
    }
}

/// A stored file: the random name it is kept under, and the hash of its content (recorded so
/// that what comes back can be checked against what went in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub sha256: String,
    pub size: u64,
}

/// Local-disk storage under the data directory.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore {
            root: data_dir.join("files"),
        }
    }

    /// Stores the bytes under a new random name (nothing about a file can be guessed from its
    /// name) and returns it with their hash. Written to a temporary file and renamed, so a crash
    /// never leaves a half-written file under a valid name.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<Stored> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let key = uuid::Uuid::new_v4().simple().to_string();
        let path = self.path_of(&key);
        let dir = path.parent().expect("a key path has a parent");
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{key}.tmp"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(Stored {
            key,
            sha256,
            size: bytes.len() as u64,
        })
    }

    /// The bytes stored under `key` (a random name, or for files stored before names were
    /// random, their hash); `NotFound` for anything else.
    pub async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        if !is_key(key) {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        tokio::fs::read(self.path_of(key)).await
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256)
    }
}

/// Only lowercase hex of a key's length (32) or a hash's (64) can become a path: no traversal
/// through a crafted id.
fn is_key(s: &str) -> bool {
    (s.len() == 32 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn files_are_recognised_by_content_not_name() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n%\xe2\xe3"), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F']),
            Some(FileKind::Jpeg)
        );
        assert_eq!(FileKind::sniff(PNG), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(FileKind::sniff(b"MZ\x90\x00\x03"), None);
        assert_eq!(FileKind::sniff(b""), None);
        // An old binary .doc/.xls (OLE compound file) is not accepted.
        assert_eq!(
            FileKind::sniff(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
            None
        );
    }

    #[test]
    fn office_files_are_told_apart_by_their_zip_entries() {
        let fixture = |name: &str| {
            std::fs::read(format!(
                "{}/tests/fixtures/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        assert_eq!(
            FileKind::sniff(&fixture("documents/report.docx")),
            Some(FileKind::Docx)
        );
        assert_eq!(
            FileKind::sniff(&fixture("roster/wenzhou-25.xlsx")),
            Some(FileKind::Xlsx)
        );
        assert_eq!(
            FileKind::sniff(&fixture("documents/licence.pdf")),
            Some(FileKind::Pdf)
        );
        assert_eq!(
            FileKind::sniff(&fixture("documents/plan.png")),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(&fixture("documents/script.pdf")), None);
        assert_eq!(FileKind::sniff(&fixture("documents/legacy.doc")), None);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in FileKind::ALL {
            assert_eq!(FileKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(FileKind::parse("html"), None);
    }

    #[tokio::test]
    async fn a_stored_file_comes_back_by_its_random_name_and_nothing_else_does() {
        let dir = std::env::temp_dir().join(format!("parkcert-store-{}", uuid::Uuid::new_v4()));
        let store = FileStore::new(&dir);
        let stored = store.put(b"%PDF-1.4 hello").await.unwrap();
        assert_eq!(
            stored.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.4 hello"))
        );
        assert_eq!(store.get(&stored.key).await.unwrap(), b"%PDF-1.4 hello");
        assert!(
            store.get(&stored.sha256).await.is_err(),
            "not under its hash"
        );
        // The same content again is another file under another name.
        let again = store.put(b"%PDF-1.4 hello").await.unwrap();
        assert_ne!(again.key, stored.key);
        assert_eq!(again.sha256, stored.sha256);
        assert!(store.get("../../etc/passwd").await.is_err());
        assert!(store.get(&"0".repeat(64)).await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}

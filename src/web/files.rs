//! Uploads and downloads. A file is accepted by what its bytes are (PDF, JPEG, PNG, XLSX, DOCX),
//! never by its name; it is always served as an attachment of its detected type, so nothing a
//! user uploads can ever run as a page of this site.
use super::page::FieldErrors;
use crate::auth::CurrentUser;
use crate::db::applications::{self, Scope};
use crate::db::{calls, documents};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
pub use crate::io::files::{UploadedFile, keep};
use crate::io::storage::{FileKind, FileStore};
use crate::state::AppState;
use axum::extract::multipart::{Field, Multipart};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;
use std::collections::BTreeMap;

/// A multipart form: its text fields and at most one file.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: BTreeMap<String, String>,
    /// The first (for most forms, the only) file.
    pub file: Option<UploadedFile>,
    /// Every further file of a `multiple` file input, in the order sent.
    pub more: Vec<UploadedFile>,
}

impl Upload {
    /// All files sent, first to last.
    pub fn files(&self) -> impl Iterator<Item = &UploadedFile> {
        self.file.iter().chain(self.more.iter())
    }
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads a multipart form whose file input is `file_field`. A file that is too big or of a kind
/// we do not accept becomes a message on that field (the other fields are still returned, so the
/// form can be shown again with them).
pub async fn read_upload(
    mut multipart: Multipart,
    file_field: &str,
    max_bytes: usize,
    errors: &mut FieldErrors,
) -> AppResult<Upload> {
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(bad_multipart)? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            let filename = clean_filename(field.file_name().unwrap_or(""));
            let Some(bytes) = read_limited(field, max_bytes).await? else {
                errors.add(
                    file_field,
                    format!("文件超过 {} MB 上限。", max_bytes / (1024 * 1024)),
                );
                continue;
            };
            // A browser sends an empty, unnamed part for a file input left empty: that is no
            // file (callers that need one say so), not a faulty one.
            if bytes.is_empty() && filename.is_empty() {
                continue;
            }
            if bytes.is_empty() {
                errors.add(file_field, "文件是空的（0 字节），请检查后重新选择。");
                continue;
            }
            match FileKind::sniff(&bytes) {
                Some(kind) => {
                    let file = UploadedFile {
                        filename: if filename.is_empty() {
                            format!("file.{}", kind.as_str())
                        } else {
                            filename
                        },
                        kind,
                        bytes,
                    };
                    if upload.file.is_none() {
                        upload.file = Some(file);
                    } else {
                        upload.more.push(file);
                    }
                }
                None => errors.add(
                    file_field,
                    "只接受 PDF、JPEG、PNG、XLSX、DOCX 文件（按文件内容识别，不看扩展名）。",
                ),
            }
        } else {
            let text = field.text().await.map_err(bad_multipart)?;
            if text.chars().any(super::input::is_forbidden) {
                errors.add(&name, super::input::MESSAGE);
                continue;
            }
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

/// A multipart form carrying a data file (a roster, an expert pool, a calendar) whose format the
/// caller's reader judges: its text fields and the file's bytes, size-limited.
#[derive(Debug, Default)]
pub struct DataUpload {
    pub fields: BTreeMap<String, String>,
    pub bytes: Option<Vec<u8>>,
}

impl DataUpload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads a data-file form: a missing, empty or oversized file is a message on `file_field`.
pub async fn read_data_upload(
    mut multipart: Multipart,
    file_field: &str,
    max_bytes: usize,
    errors: &mut FieldErrors,
) -> AppResult<DataUpload> {
    let mut upload = DataUpload::default();
    while let Some(field) = multipart.next_field().await.map_err(bad_multipart)? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            match read_limited(field, max_bytes).await? {
                None => errors.add(
                    file_field,
                    format!("文件超过 {} MB 上限。", max_bytes / (1024 * 1024)),
                ),
                Some(bytes) if !bytes.is_empty() => upload.bytes = Some(bytes),
                Some(_) => {}
            }
        } else {
            let text = field.text().await.map_err(bad_multipart)?;
            if text.chars().any(super::input::is_forbidden) {
                errors.add(&name, super::input::MESSAGE);
                continue;
            }
            upload.fields.insert(name, text);
        }
    }
    if upload.bytes.is_none() && errors.get(file_field).is_none() {
        errors.add(file_field, "请选择要上传的文件。");
    }
    Ok(upload)
}

/// Reads a field up to `max` bytes; `None` when it is longer (the rest is not buffered).
async fn read_limited(mut field: Field<'_>, max: usize) -> AppResult<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
        if bytes.len() + chunk.len() > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

fn bad_multipart(e: axum::extract::multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!(
        "上传未完成或格式有误，请重试。（{}）",
        e.body_text()
    ))
}

/// The name as the user's computer called it, without any directory part or control characters,
/// at most 200 characters: it is only ever shown and offered back as a download name.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The application scope of a signed-in user: which applications' documents they may read.
pub fn scope_of(user: &CurrentUser) -> Option<Scope> {
    match user.role() {
        Role::Operator => user.organization_id.map(Scope::Organization),
        Role::County => user.jurisdiction_id.map(Scope::Jurisdiction),
        Role::Bureau => Some(Scope::Bureau),
        _ => None,
    }
}

/// Any document, for whoever may see what it belongs to; everybody else gets 404, as if it did
/// not exist. A call's notice is public once the call is published.
pub(crate) async fn download(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path((_, id)): Path<(String, i64)>,
    tenant: Option<axum::Extension<crate::db::tenants::Tenant>>,
) -> AppResult<Response> {
    // Looked up by the tenant-scope middleware; absent for an unknown tenant.
    let axum::Extension(tenant) = tenant.ok_or(AppError::NotFound)?;
    let doc = documents::get(&state.db, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = user.filter(|u| u.tenant_id == Some(tenant.id));
    let allowed = if let Some(award) = doc.award_id {
        award_visible(&state, tenant.id, user.as_ref(), award).await?
    } else if let Some(batch) = doc.batch_id {
        batch_visible(&state, tenant.id, user.as_ref(), batch).await?
    } else if let Some(review) = doc.institution_review_id {
        institution_report_visible(&state, tenant.id, user.as_ref(), review).await?
    } else if let Some(inspection) = doc.inspection_id {
        inspection_visible(&state, tenant.id, user.as_ref(), inspection).await?
    } else if doc.assignment_id.is_some() {
        // An expert's signed paper sheet is the bureau's record of the review.
        user.is_some_and(|u| u.role() == Role::Bureau)
    } else {
        match (doc.application_id, doc.call_id) {
            (Some(app_id), _) => match (user.as_ref(), user.as_ref().and_then(scope_of)) {
                (_, Some(scope)) => applications::get(&state.db, tenant.id, scope, app_id)
                    .await?
                    .is_some(),
                (Some(u), None) if u.role() == Role::Expert => {
                    crate::db::panels::expert_reviews(&state.db, tenant.id, u.id, app_id).await?
                        || institution_reviews(&state, tenant.id, u.id, app_id).await?
                }
                _ => false,
            },
            (None, Some(call_id)) if doc.objection_id.is_none() => {
                calls::get(&state.db, tenant.id, call_id)
                    .await?
                    .is_some_and(|c| {
                        c.state != crate::domain::workflow::CallState::Draft
                            || user.is_some_and(|u| u.role() == Role::Bureau)
                    })
            }
            // An objection's evidence is for the bureau handling the case.
            _ => doc.objection_id.is_some() && user.is_some_and(|u| u.role() == Role::Bureau),
        }
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let kind = FileKind::parse(&doc.kind).ok_or(AppError::NotFound)?;
    let key = doc.storage_key.as_deref().unwrap_or(&doc.sha256);
    let bytes = FileStore::new(&state.config.data_dir)
        .get(key)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading a stored file")))?;
    // What comes back is what went in, or nothing is served.
    if hex::encode(sha2::Sha256::digest(&bytes)) != doc.sha256 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "document {} does not match its recorded hash",
            doc.id
        )));
    }
    Ok(attachment(bytes, kind, &doc.filename))
}

/// A batch's cover letter is for the bureau and the county that forwarded it; the operators
/// are not shown how their county ranked them against each other.
async fn batch_visible(
    state: &AppState,
    tenant_id: i64,
    user: Option<&CurrentUser>,
    batch: i64,
) -> AppResult<bool> {
    let jurisdiction = match user.map(|u| (u.role(), u.jurisdiction_id)) {
        Some((Role::Bureau, _)) => None,
        Some((Role::County, Some(j))) => Some(j),
        _ => return Ok(false),
    };
    Ok(
        crate::db::batches::get(&state.db, tenant_id, jurisdiction, batch)
            .await?
            .is_some(),
    )
}

/// Whether the user is staff of an institution commissioned to review the application.
async fn institution_reviews(
    state: &AppState,
    tenant_id: i64,
    user_id: i64,
    app: i64,
) -> AppResult<bool> {
    use crate::db::institutions;
    let Some(mine) = institutions::of_user(&state.db, tenant_id, user_id).await? else {
        return Ok(false);
    };
    Ok(institutions::of_application(&state.db, tenant_id, app)
        .await?
        .iter()
        .any(|r| r.institution_id == mine.id))
}

/// An institution's report is for the bureau and the institution's own staff.
async fn institution_report_visible(
    state: &AppState,
    tenant_id: i64,
    user: Option<&CurrentUser>,
    review: i64,
) -> AppResult<bool> {
    use crate::db::institutions;
    let Some(r) = institutions::review(&state.db, tenant_id, review).await? else {
        return Ok(false);
    };
    Ok(match user.map(|u| (u.role(), u)) {
        Some((Role::Bureau, _)) => true,
        Some((Role::Expert, u)) => institutions::of_user(&state.db, tenant_id, u.id)
            .await?
            .is_some_and(|i| i.id == r.institution_id),
        _ => false,
    })
}

/// A photo of an on-site inspection is for the bureau, the park's county and the inspection's
/// experts.
async fn inspection_visible(
    state: &AppState,
    tenant_id: i64,
    user: Option<&CurrentUser>,
    id: i64,
) -> AppResult<bool> {
    use crate::db::inspections;
    let Some(i) = inspections::get(&state.db, tenant_id, id).await? else {
        return Ok(false);
    };
    Ok(match user.map(|u| (u.role(), u)) {
        Some((Role::Bureau, _)) => true,
        Some((Role::County, u)) => {
            u.jurisdiction_id.is_some() && u.jurisdiction_id == i.jurisdiction_id
        }
        Some((Role::Expert, u)) => inspections::member_of_user(&state.db, tenant_id, id, u.id)
            .await?
            .is_some(),
        _ => false,
    })
}

/// Dynamic-management evidence is for the bureau, the park's county and its operator.
async fn award_visible(
    state: &AppState,
    tenant_id: i64,
    user: Option<&CurrentUser>,
    award: i64,
) -> AppResult<bool> {
    use crate::db::titles::{self, ParkScope};
    let scope = match user.map(|u| (u.role(), u)) {
        Some((Role::Bureau, _)) => ParkScope::Bureau,
        Some((Role::County, u)) => match u.jurisdiction_id {
            Some(j) => ParkScope::Jurisdiction(j),
            None => return Ok(false),
        },
        Some((Role::Operator, u)) => match u.organization_id {
            Some(o) => ParkScope::Organization(o),
            None => return Ok(false),
        },
        _ => return Ok(false),
    };
    Ok(titles::get(&state.db, tenant_id, scope, award)
        .await?
        .is_some())
}

/// A cell a spreadsheet would run as a formula (OWASP's CSV injection: a leading `=`, `+`, `-`,
/// `@`, tab or carriage return) is prefixed with an apostrophe, so it is shown as the text it is.
fn neutralised(cell: &[u8]) -> Vec<u8> {
    match cell.first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => [b"'", cell].concat(),
        _ => cell.to_vec(),
    }
}

/// A CSV download: a header row and records, UTF-8 with a byte-order mark (so that Excel opens
/// Chinese text right), as an attachment named `filename` (`ascii_name` for old browsers).
pub fn csv_download<R, F>(
    records: impl IntoIterator<Item = R>,
    filename: &str,
    ascii_name: &str,
) -> AppResult<Response>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for record in records {
        let cells: Vec<Vec<u8>> = record
            .into_iter()
            .map(|f| neutralised(f.as_ref()))
            .collect();
        writer
            .write_record(&cells)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))?;
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        percent_encode(filename)
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A JSON document to keep (a rule-set document, a signed audit export), as an attachment.
pub fn json_download(body: String, ascii_name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{ascii_name}\"");
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A download: the detected type, always `attachment`, and a sandbox in case a browser ignores
/// both.
pub fn attachment(bytes: Vec<u8>, kind: FileKind, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(filename, kind),
        percent_encode(filename)
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// For the few clients that ignore `filename*`: the name itself when it is plain ASCII.
fn ascii_fallback(filename: &str, kind: FileKind) -> String {
    if !filename.is_empty()
        && filename
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._- ".contains(c))
    {
        filename.to_string()
    } else {
        format!("download.{}", kind.as_str())
    }
}

/// RFC 5987 encoding of a UTF-8 file name.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_that_would_run_as_formulas_are_shown_as_text() {
        for (cell, shown) in [
            (
                "=HYPERLINK(\"http://evil.example\")",
                "'=HYPERLINK(\"http://evil.example\")",
            ),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\tx", "'\tx"),
            ("温州鹿城园", "温州鹿城园"),
            ("", ""),
        ] {
            assert_eq!(neutralised(cell.as_bytes()), shown.as_bytes(), "{cell}");
        }
    }

    use super::*;

    #[test]
    fn file_names_lose_their_directories_and_control_characters() {
        assert_eq!(
            clean_filename("C:\\Users\\张三\\营业执照.pdf"),
            "营业执照.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\u{0}b\r\n.png"), "ab.png");
        assert_eq!(clean_filename(&"长".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn download_names_are_encoded_for_every_browser() {
        assert_eq!(percent_encode("报告 1.pdf"), "%E6%8A%A5%E5%91%8A%201.pdf");
        assert_eq!(ascii_fallback("报告.pdf", FileKind::Pdf), "download.pdf");
        assert_eq!(
            ascii_fallback("report-1.pdf", FileKind::Pdf),
            "report-1.pdf"
        );
    }
}

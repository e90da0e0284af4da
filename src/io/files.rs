//! Uploaded files kept: the bytes in the content-addressed store, the record in the caller's
//! transaction, within each user's upload limits.
use crate::db::documents;
use crate::error::{AppError, AppResult};
use crate::io::storage::{FileKind, FileStore};
use crate::state::AppState;

#[derive(Debug)]
pub struct UploadedFile {
    pub filename: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// Stores the bytes and records the document in the caller's transaction; returns its id and
/// hash (`user_id` None: a member of the public, e.g. an objection's evidence). If the transaction rolls back, the stored bytes stay unreferenced (content-addressed,
/// so harmless and reused by the next upload of the same file).
pub async fn keep(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    tenant_id: i64,
    owner: documents::Owner,
    category: &str,
    file: &UploadedFile,
    user_id: impl Into<Option<i64>>,
) -> AppResult<(i64, String)> {
    let user_id = user_id.into();
    if let Some(uid) = user_id {
        check_upload_limits(state, tx, uid, file.bytes.len() as u64).await?;
    }
    let stored = FileStore::new(&state.config.data_dir)
        .put(&file.bytes)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("storing an upload")))?;
    let id = documents::insert(
        tx,
        tenant_id,
        &documents::NewDocument {
            owner,
            category,
            filename: &file.filename,
            kind: file.kind.as_str(),
            size_bytes: file.bytes.len() as i64,
            sha256: &stored.sha256,
            storage_key: &stored.key,
            uploaded_by: user_id,
        },
    )
    .await?;
    Ok((id, stored.sha256))
}

/// A user's uploads are limited per hour and in total (the demo's and a real bureau's defaults
/// are far above any honest use; a runaway script or an account used to fill the disk stops).
async fn check_upload_limits(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    user_id: i64,
    size: u64,
) -> AppResult<()> {
    let (last_hour, total): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE uploaded_at > now() - interval '1 hour'),
                coalesce(sum(size_bytes), 0)::bigint
         FROM documents WHERE uploaded_by = $1",
    )
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    if last_hour as u64 >= state.config.uploads_per_hour {
        return Err(AppError::TooManyRequests(format!(
            "一小时内最多上传 {} 个文件，请稍后再试。",
            state.config.uploads_per_hour
        )));
    }
    if total as u64 + size > state.config.upload_quota_bytes {
        return Err(AppError::TooManyRequests(format!(
            "上传文件总量已达上限（{} MB），请联系市商务局。",
            state.config.upload_quota_bytes / (1024 * 1024)
        )));
    }
    Ok(())
}

//! Files in and out: printable documents, and the parsing of uploads off the request threads.
pub mod pdf;

use crate::error::{AppError, AppResult};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Uploads parsed at once; the rest wait their turn (up to [`PARSE_QUEUE_WAIT`]).
const PARSERS: usize = 2;
const PARSE_QUEUE_WAIT: Duration = Duration::from_secs(30);

/// Runs `work` (unzipping a spreadsheet, reading every cell) on the blocking pool, at most two
/// at a time: a few large or hostile files keep a core busy each, never the threads that
/// answer everyone else's pages.
pub async fn parse_off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Semaphore::new(PARSERS));
    let _slot = tokio::time::timeout(PARSE_QUEUE_WAIT, slots.acquire())
        .await
        .map_err(|_| AppError::TooManyRequests("正在处理的上传文件较多，请稍后再试。".into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("parser semaphore closed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("parsing an upload")))
}

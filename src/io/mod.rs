//! Files in and out: printable documents, and the parsing of uploads off the request threads.
pub mod files;
pub mod pdf;

use crate::error::{AppError, AppResult};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Uploads parsed at once; the rest wait their turn (up to [`PARSE_QUEUE_WAIT`]).
const PARSERS: usize = 2;
/// Shorter than the request timeout (30 s), so a request that waits is told why in Chinese.
const PARSE_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Runs `work` (unzipping a spreadsheet, reading every cell) on the blocking pool, at most two
/// at a time: a few large or hostile files keep a core busy each, never the threads that
/// answer everyone else's pages.
pub async fn parse_off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Arc::new(Semaphore::new(PARSERS)));
    let slot = tokio::time::timeout(PARSE_QUEUE_WAIT, slots.clone().acquire_owned())
        .await
        .map_err(|_| AppError::TooManyRequests("正在处理的上传文件较多，请稍后再试。".into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("parser semaphore closed: {e}")))?;
    // The slot goes with the work: a request given up on still holds it until parsing ends.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("parsing an upload")))
}

//! Files in and out: the file store, uploads kept as documents, spreadsheets read and written,
//! printable PDFs, and the parsing of uploads off the request threads.
pub mod crypto;
pub mod expert_pool;
pub mod files;
pub mod mail;
pub mod pdf;
pub mod photos;
pub mod results_xlsx;
pub mod sms;
pub mod spreadsheet;
pub mod storage;

use crate::blocking::{SlotError, Slots};
use crate::error::{AppError, AppResult};
use std::sync::OnceLock;
use std::time::Duration;

/// Uploads parsed at once; the rest wait their turn, shorter than the request timeout (30 s),
/// so a request that waits is told why in Chinese.
const PARSERS: usize = 2;
const PARSE_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Runs `work` (unzipping a spreadsheet, reading every cell) on the blocking pool, at most two
/// at a time: a few large or hostile files keep a core busy each, never the threads that
/// answer everyone else's pages.
pub async fn parse_off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    static PARSING: OnceLock<Slots> = OnceLock::new();
    let slots = PARSING.get_or_init(|| Slots::new(PARSERS, PARSE_QUEUE_WAIT));
    slots.run(work).await.map_err(|e| match e {
        SlotError::Busy => AppError::TooManyRequests("正在处理的上传文件较多，请稍后再试。".into()),
        SlotError::Failed(e) => {
            AppError::Internal(anyhow::Error::new(e).context("parsing an upload"))
        }
    })
}

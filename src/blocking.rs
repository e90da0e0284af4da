//! CPU-heavy work (password hashing, parsing uploads) on the blocking pool, a bounded number at
//! a time. The slot goes with the work: a request given up on (its client gone, the timeout)
//! still holds its slot until the work is done, so hanging up cannot start more.
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

pub struct Slots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SlotError {
    /// Every slot stayed busy for the whole wait.
    #[error("every slot busy")]
    Busy,
    /// The work panicked.
    #[error(transparent)]
    Failed(#[from] tokio::task::JoinError),
}

impl Slots {
    pub fn new(count: usize, wait: Duration) -> Slots {
        Slots {
            slots: Arc::new(Semaphore::new(count)),
            wait,
        }
    }

    /// Runs `work` once a slot is free, or answers `Busy` after the wait.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, SlotError> {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| SlotError::Busy)?
            // The semaphore is never closed.
            .map_err(|_| SlotError::Busy)?;
        Ok(tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await?)
    }
}

//! Text messages. The bureaus send through their province's SMS gateway, which differs from
//! one province to the next, so the product sends through one interface, [`SmsSender`]: a
//! deployment implements it for its gateway and passes it to `AppState::with_sms`, touching no
//! use-case. The built-in sender sends nothing and leaves the text in the delivery log.
use std::future::Future;
use std::pin::Pin;

/// A result the outbox records: Ok when the gateway accepted the message, or its error.
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait SmsSender: Send + Sync {
    /// What the delivery log calls this gateway.
    fn name(&self) -> &str;
    /// Sends `text` to the mobile number `to`; `key` is the same for every retry of one
    /// delivery (a gateway that deduplicates by a client id can use it).
    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> Sent<'a>;
}

/// No gateway: the delivery is recorded as sent in the log only.
pub struct LogOnly;

impl SmsSender for LogOnly {
    fn name(&self) -> &str {
        "未接入短信网关（仅记入发送记录）"
    }

    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> Sent<'a> {
        Box::pin(async move {
            let _ = to;
            tracing::info!(
                key,
                chars = text.chars().count(),
                "SMS kept in the delivery log"
            );
            Ok(())
        })
    }
}

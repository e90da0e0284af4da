//! E-mail through an SMTP server with lettre, configured by `PARKCERT_SMTP_URL`.
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The configured mail relay and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One e-mail: Chinese subject and body, and the message id that makes a resend recognisable.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The delivery key; the Message-ID is `<key@parkcert>`.
    pub key: &'a str,
}

impl Mailer {
    /// From `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or `smtps://…`.
    pub fn from_url(url: &str, from: &str) -> anyhow::Result<Mailer> {
        use anyhow::Context;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("PARKCERT_SMTP_URL must be like smtp://127.0.0.1:2525")?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .context("PARKCERT_MAIL_FROM must be an address like parkcert@example.gov.cn")?;
        Ok(Mailer { transport, from })
    }

    /// Sends `mail`; the error is the one the relay gave, for the delivery log.
    pub async fn send(&self, mail: &Mail<'_>) -> Result<(), String> {
        let to: Mailbox = mail.to.parse().map_err(|e| format!("收件地址无效：{e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(format!("<{}@parkcert>", mail.key)))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.to_string())
            .map_err(|e| format!("邮件无法生成：{e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("邮件服务器未接受：{e}"))
    }
}

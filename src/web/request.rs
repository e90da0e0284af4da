//! Facts about the request that security events and the audit trail record.
use crate::auth::CurrentUser;
use crate::db::audit;
use crate::db::transition::By;
use crate::domain::workflow::Actor;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::SocketAddr;

/// Request facts recorded with security events.
pub struct ClientInfo {
    pub ip: String,
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(ClientInfo { ip, request_id })
    }
}

impl ClientInfo {
    /// An audit entry for this request with no before/after; callers add those with
    /// struct-update syntax, so every entry carries the request id and address.
    pub fn audit<'a>(
        &self,
        tenant_id: Option<i64>,
        actor_user_id: Option<i64>,
        object_kind: &'a str,
        object_id: impl ToString,
        action: &'a str,
    ) -> audit::Entry<'a> {
        audit::Entry {
            tenant_id,
            actor_user_id,
            object_kind,
            object_id: object_id.to_string(),
            action,
            before: None,
            after: None,
            request_id: self.request_id.clone(),
            ip: Some(self.ip.clone()),
        }
    }

    /// The acting user for a workflow transition made by this request.
    /// Someone acting before they have an account (registering): the role they register for.
    pub fn before_sign_in(&self, actor: crate::domain::role::Role) -> By {
        By {
            actor: Actor::User(actor),
            user_id: None,
            request_id: self.request_id.clone(),
            ip: Some(self.ip.clone()),
        }
    }

    pub fn by(&self, user: &CurrentUser) -> By {
        By {
            actor: Actor::User(user.role()),
            user_id: Some(user.id),
            request_id: self.request_id.clone(),
            ip: Some(self.ip.clone()),
        }
    }
}

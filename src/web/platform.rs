//! The security and audit administrators' pages (三员分立). Neither shows business data: the
//! security administrator sees accounts locked out and the policy in force; the audit
//! administrator reads every audit trail, the platform's included, and changes nothing.
use super::page::{PageCtx, flash, render};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::auth::throttle::{self, Locked};
use crate::db::audit::{self, Filter, Row};
use crate::db::tenants;
use crate::domain::vocabulary;
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// A rule of the security policy in force, and whether it meets level 3.
pub struct PolicyLine {
    pub rule: &'static str,
    pub value: String,
    pub level3: bool,
}

fn policy(state: &AppState) -> Vec<PolicyLine> {
    let idle = state.config.session_idle.as_secs() / 60;
    let absolute = state.config.session_absolute.as_secs() / 3600;
    vec![
        PolicyLine {
            rule: "口令长度与复杂度",
            value: "至少12位，不得为常见口令，不得包含账号".into(),
            level3: true,
        },
        PolicyLine {
            rule: "登录失败处理",
            value: format!(
                "{} 分钟内失败 {} 次锁定该账号（同一地址 {} 次）",
                throttle::WINDOW_MINUTES,
                throttle::MAX_PER_ACCOUNT,
                throttle::MAX_PER_IP
            ),
            level3: true,
        },
        PolicyLine {
            rule: "会话空闲超时",
            value: format!("{idle} 分钟"),
            level3: idle <= 30,
        },
        PolicyLine {
            rule: "会话最长时间",
            value: format!("{absolute} 小时"),
            level3: true,
        },
        PolicyLine {
            rule: "两步验证",
            value: "市商务局和平台管理员可开启，未强制".into(),
            level3: false,
        },
        PolicyLine {
            rule: "口令定期更换",
            value: "未强制".into(),
            level3: false,
        },
    ]
}

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    ctx: PageCtx,
    policy: Vec<PolicyLine>,
    locked: Vec<Locked>,
}

pub(crate) async fn security_home(
    ctx: PageCtx,
    State(state): State<AppState>,
) -> AppResult<Response> {
    render(&SecurityPage {
        ctx,
        policy: policy(&state),
        locked: throttle::locked(&state.db).await?,
    })
}

#[derive(Debug, Deserialize)]
pub struct UnlockForm {
    /// Empty for a platform account.
    #[serde(default)]
    tenant_id: String,
    login: String,
}

pub(crate) async fn unlock(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<UnlockForm>,
) -> AppResult<Response> {
    let tenant_id = match form.tenant_id.trim() {
        "" => None,
        id => Some(id.parse().map_err(|_| AppError::NotFound)?),
    };
    let by = client.by(&user);
    service::platform::unlock(&state, &by, tenant_id, form.login.trim()).await?;
    flash(
        &session,
        "success",
        format!("已解除账号 {} 的登录锁定。", form.login.trim()),
    )
    .await?;
    Ok(Redirect::to("/admin/security").into_response())
}

/// A chain the audit administrator can read: the platform's or a tenant's.
pub struct Chain {
    /// `platform` or the tenant's slug.
    pub key: String,
    pub name: String,
    pub tenant_id: Option<i64>,
}

async fn chains(state: &AppState) -> AppResult<Vec<Chain>> {
    let mut all = vec![Chain {
        key: "platform".into(),
        name: "平台（管理员操作）".into(),
        tenant_id: None,
    }];
    all.extend(tenants::all(&state.db).await?.into_iter().map(|t| Chain {
        key: t.slug,
        name: t.name,
        tenant_id: Some(t.id),
    }));
    Ok(all)
}

#[derive(Debug, Default, Deserialize)]
pub struct ChainQuery {
    #[serde(default)]
    chain: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn chosen(state: &AppState, key: &str) -> AppResult<(Vec<Chain>, usize)> {
    let all = chains(state).await?;
    let key = if key.is_empty() { "platform" } else { key };
    let at = all
        .iter()
        .position(|c| c.key == key)
        .ok_or(AppError::NotFound)?;
    Ok((all, at))
}

/// One entry as the audit administrator reads it.
pub struct Line {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    chains: Vec<Chain>,
    current: usize,
    intact: String,
    lines: Vec<Line>,
}

pub(crate) async fn audit_home(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(q): Query<ChainQuery>,
) -> AppResult<Response> {
    let (chains, current) = chosen(&state, &q.chain).await?;
    let tenant_id = chains[current].tenant_id;
    let verified = audit::verify(&state.db, tenant_id).await?;
    let intact = match verified.broken {
        None => format!(
            "共 {} 条记录，哈希链和 HMAC-SM3 校验完整。",
            verified.entries
        ),
        Some((seq, why)) => format!("在第 {seq} 条处校验失败（{why}）。"),
    };
    let rows = audit::search(&state.db, tenant_id, &Filter::default(), 200, 0).await?;
    let lines = rows.iter().map(line).collect();
    render(&AuditPage {
        ctx,
        chains,
        current,
        intact,
        lines,
    })
}

fn line(r: &Row) -> Line {
    Line {
        seq: r.seq,
        at: crate::domain::time::shanghai_minute(r.at),
        actor: r.actor.clone().unwrap_or_else(|| "系统".into()),
        action: vocabulary::action_label(&r.object_kind, &r.action)
            .unwrap_or(&r.action)
            .to_string(),
        object: format!(
            "{} {}",
            vocabulary::object_kind_label(&r.object_kind).unwrap_or(&r.object_kind),
            r.object_id
        ),
        after: Row::json(&r.after),
    }
}

/// A chain over a period, as a JSON file signed with HMAC-SM3.
pub(crate) async fn audit_export(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    Query(q): Query<ChainQuery>,
) -> AppResult<Response> {
    let (chains, current) = chosen(&state, &q.chain).await?;
    let chain = &chains[current];
    let day = |s: &str| s.trim().parse::<chrono::NaiveDate>().ok();
    let by = client.by(&user);
    let document = service::platform::export_chain(
        &state,
        &by,
        (chain.tenant_id, &chain.key),
        day(&q.from),
        day(&q.to),
    )
    .await?;
    let name = format!("audit-{}.json", chain.key);
    Ok(super::files::json_download(document, &name))
}

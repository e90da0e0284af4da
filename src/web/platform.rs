//! The security and audit administrators' pages (三员分立). Neither shows business data: the
//! security administrator sees accounts locked out and the policy in force; the audit
//! administrator reads every audit trail, the platform's included, and changes nothing.
use super::page::{FieldErrors, PageCtx, Typed, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::auth::throttle::{self, Locked};
use crate::db::audit::{self, Filter, Row};
use crate::db::tenants;
use crate::domain::security_policy::Policy;
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

/// A setting in force that the policy page does not edit yet, and whether it meets level 3.
pub struct FixedLine {
    pub rule: &'static str,
    pub value: String,
    pub level3: bool,
}

fn fixed_settings(state: &AppState) -> Vec<FixedLine> {
    let idle = state.config.session_idle.as_secs() / 60;
    let absolute = state.config.session_absolute.as_secs() / 3600;
    vec![
        FixedLine {
            rule: "会话空闲超时（PARKCERT_SESSION_IDLE_MINUTES）",
            value: format!("{idle} 分钟"),
            level3: idle <= 30,
        },
        FixedLine {
            rule: "会话最长时间（PARKCERT_SESSION_MAX_HOURS）",
            value: format!("{absolute} 小时"),
            level3: true,
        },
        FixedLine {
            rule: "两步验证",
            value: "市商务局和平台管理员可自行开启，未强制".into(),
            level3: false,
        },
    ]
}

#[derive(Template)]
#[template(path = "admin/security.html")]
struct SecurityPage {
    ctx: PageCtx,
    form: Typed,
    errors: FieldErrors,
    /// Where the policy falls below level 3, in words (empty: it does not).
    below: String,
    fixed: Vec<FixedLine>,
    locked: Vec<Locked>,
}

fn policy_form(p: &Policy) -> Typed {
    Typed(
        [
            ("min_length", p.min_length.to_string()),
            ("min_classes", p.min_classes.to_string()),
            ("lockout_threshold", p.lockout_threshold.to_string()),
            ("lockout_minutes", p.lockout_minutes.to_string()),
            (
                "max_age_days",
                p.max_age_days.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("history", p.history.to_string()),
            ("login_notice", p.login_notice.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    )
}

async fn security_page(
    ctx: PageCtx,
    state: &AppState,
    form: Option<Typed>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let policy = crate::db::security_policy::get(&state.db).await?;
    let page = SecurityPage {
        ctx,
        below: policy
            .below_level3()
            .iter()
            .map(|part| match *part {
                "password" => "口令复杂度（三级要求至少3类字符）",
                "age" => "口令定期更换（三级要求定期更换且不得重复使用）",
                _ => "登录失败处理（三级要求不超过5次、锁定不少于10分钟）",
            })
            .collect::<Vec<_>>()
            .join("；"),
        form: form.unwrap_or_else(|| policy_form(&policy)),
        fixed: fixed_settings(state),
        locked: throttle::locked(&state.db, &policy).await?,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn security_home(
    ctx: PageCtx,
    State(state): State<AppState>,
) -> AppResult<Response> {
    security_page(ctx, &state, None, FieldErrors::default()).await
}

/// The security administrator sets the policy: checked field by field, in force at once.
pub(crate) async fn set_policy(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(mut form): Form<Typed>,
) -> AppResult<Response> {
    form.0.remove("_csrf");
    let policy = match Policy::from_form(&form.0) {
        Ok(policy) => policy,
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for (field, message) in problems {
                errors.add(field, message);
            }
            return security_page(ctx, &state, Some(form), errors).await;
        }
    };
    service::platform::set_policy(&state, &client.by(&user), &policy).await?;
    flash(&session, "success", "安全策略已保存，即时生效。").await?;
    Ok(Redirect::to("/admin/security").into_response())
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

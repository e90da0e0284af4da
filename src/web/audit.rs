//! The bureau's view of its tenant's audit trail: filter, page, export; and each application's
//! own history for the pages that show the application.
use super::page::{PageCtx, render};
use crate::auth::CurrentUser;
use crate::db::audit::{self, Filter, Row};
use crate::domain::vocabulary;
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

const PAGE: i64 = 100;
/// An export is for an inspection, not a backup: a filter narrows anything larger.
const EXPORT_MAX: i64 = 100_000;

#[derive(Deserialize)]
pub(crate) struct Params {
    #[serde(flatten)]
    filter: Filter,
    #[serde(default)]
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "bureau/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    filter: Filter,
    kinds: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    rows: Vec<Row>,
    page: i64,
    more: bool,
    query: String,
    intact: Option<String>,
}

impl AuditPage {
    fn at(&self, row: &Row) -> String {
        crate::web::calls::shanghai_minute(row.at)
    }

    fn kind(&self, row: &Row) -> String {
        kind_name(&row.object_kind)
    }

    fn action(&self, row: &Row) -> String {
        vocabulary::action_label(&row.object_kind, &row.action)
            .map(str::to_string)
            .unwrap_or_else(|| row.action.clone())
    }

    /// The change in words: "状态：已提交；理由：…" before and after.
    fn change(&self, row: &Row) -> String {
        let before = row
            .before
            .as_ref()
            .map(|j| describe(&row.object_kind, &j.0));
        let after = row.after.as_ref().map(|j| describe(&row.object_kind, &j.0));
        match (before, after) {
            (Some(b), Some(a)) => format!("{b} → {a}"),
            (None, Some(a)) => a,
            (Some(b), None) => b,
            (None, None) => String::new(),
        }
    }
}

fn kind_name(kind: &str) -> String {
    vocabulary::object_kind_label(kind)
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_string())
}

/// A recorded value in words: an object's fields by their names, states by theirs.
fn describe(kind: &str, value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let name = vocabulary::field_label(k).unwrap_or(k);
                let v = match (k.as_str(), v) {
                    ("state", Value::String(s)) => vocabulary::state_label_of(kind, s)
                        .map(str::to_string)
                        .unwrap_or_else(|| s.clone()),
                    _ => describe(kind, v),
                };
                format!("{name}：{v}")
            })
            .collect::<Vec<_>>()
            .join("；"),
        Value::Array(items) => items
            .iter()
            .map(|v| describe(kind, v))
            .collect::<Vec<_>>()
            .join("、"),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Null => "无".into(),
        Value::Number(n) => n.to_string(),
    }
}

fn query_string(f: &Filter) -> String {
    serde_urlencoded::to_string([
        ("kind", f.kind.as_str()),
        ("action", f.action.as_str()),
        ("actor", f.actor.as_str()),
        ("object", f.object.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
    ])
    .unwrap_or_default()
}

pub(crate) async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    // Bounded, so the offset cannot overflow whatever number the address holds.
    let page = p.page.unwrap_or(1).clamp(1, 1_000_000);
    let mut rows = audit::search(
        &state.db,
        Some(tenant_id),
        &p.filter,
        PAGE + 1,
        (page - 1) * PAGE,
    )
    .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let (kinds, actions) = audit::vocabulary(&state.db, tenant_id).await?;
    let kinds = kinds
        .into_iter()
        .map(|k| {
            let name = kind_name(&k);
            (k, name)
        })
        .collect();
    let actions = actions
        .into_iter()
        .map(|a| {
            let name = vocabulary::any_action_label(&a).unwrap_or(&a).to_string();
            (a, name)
        })
        .collect();
    let verified = audit::verify(&state.db, Some(tenant_id)).await?;
    let intact = Some(match verified.broken {
        None => format!("共 {} 条记录，哈希链完整。", verified.entries),
        Some((seq, why)) => format!("哈希链在第 {seq} 条处断开（{why}），请立即报告系统管理员。"),
    });
    render(&AuditPage {
        query: query_string(&p.filter),
        ctx,
        filter: p.filter,
        kinds,
        actions,
        rows,
        page,
        more,
        intact,
    })
}

pub(crate) async fn export(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let rows = audit::search(&state.db, Some(tenant_id), &p.filter, EXPORT_MAX, 0).await?;
    let header = [
        "序号",
        "时间",
        "操作人",
        "对象类型",
        "对象编号",
        "操作",
        "变更前",
        "变更后",
        "请求编号",
        "IP",
        "哈希",
    ]
    .map(String::from);
    let records = rows.iter().map(|r| {
        [
            r.seq.to_string(),
            r.at.to_rfc3339(),
            r.actor.clone().unwrap_or_else(|| "系统".into()),
            kind_name(&r.object_kind),
            r.object_id.clone(),
            vocabulary::action_label(&r.object_kind, &r.action)
                .map(str::to_string)
                .unwrap_or_else(|| r.action.clone()),
            Row::json(&r.before),
            Row::json(&r.after),
            r.request_id.clone().unwrap_or_default(),
            r.ip.clone().unwrap_or_default(),
            r.hash.clone(),
        ]
    });
    super::files::csv_download(
        std::iter::once(header).chain(records),
        "审计日志.csv",
        "audit.csv",
    )
}

/// One line of an application's history as its pages show it.
pub struct HistoryLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub reason: String,
}

/// An application's own history: every transition and change recorded against it.
/// The operator's edits to a draft, which are audited but are not transitions.
fn editing_label(action: &str) -> Option<&'static str> {
    Some(match action {
        "create" => "创建申报",
        "save_draft" => "保存草稿",
        "import_roster" => "导入企业名录",
        "add_roster_row" => "添加名录企业",
        "edit_roster_row" => "修改名录企业",
        "delete_roster_row" => "删除名录企业",
        "attach_document" => "上传材料",
        "detach_document" => "移除材料",
        _ => return None,
    })
}

pub async fn application_history(
    state: &AppState,
    tenant_id: i64,
    application_id: i64,
) -> AppResult<Vec<HistoryLine>> {
    use crate::domain::workflow::{ApplicationAction, ApplicationState};
    let label = |s: &str| {
        s.parse::<ApplicationState>()
            .map(|s| s.label().to_string())
            .unwrap_or_else(|_| s.to_string())
    };
    Ok(
        audit::history(&state.db, tenant_id, "application", application_id)
            .await?
            .into_iter()
            .map(|r| HistoryLine {
                at: crate::web::calls::shanghai_minute(r.at),
                actor: r.actor.clone().unwrap_or_else(|| "系统".into()),
                action: r
                    .action
                    .parse::<ApplicationAction>()
                    .map(|a| a.label())
                    .or_else(|_| editing_label(&r.action).ok_or(()))
                    .map(str::to_string)
                    .unwrap_or_else(|_| r.action.clone()),
                change: r
                    .states()
                    .map(|(from, to)| format!("{} → {}", label(&from), label(&to)))
                    .unwrap_or_default(),
                reason: r.reason(),
            })
            .collect(),
    )
}

//! A new city's first-run checklist: what the bureau must set up before its first call, in the
//! order it needs them (the counties receive applications, the rules judge them, the experts
//! review them), derived from what the tenant has, so that it is never out of date.
use crate::db::tenants;
use crate::error::AppResult;
use crate::state::AppState;

pub struct Step {
    pub title: &'static str,
    /// Where it stands, in words ("已导入 5 个辖区").
    pub status: String,
    pub done: bool,
    /// The page that does it, under the bureau's home.
    pub path: &'static str,
    pub action: &'static str,
}

/// The checklist, or `None` once every step is done (the tenant is onboarded).
pub async fn checklist(
    state: &AppState,
    tenant_id: i64,
    county_term: &str,
) -> AppResult<Option<Vec<Step>>> {
    let n = tenants::setup_counts(&state.db, tenant_id).await?;
    let rules_status = match (n.versions, n.drafts) {
        (0, 0) => "尚未采用或起草认定规则".to_string(),
        (0, d) => format!("有 {d} 份规则草稿待预览、启用"),
        (v, _) => format!("已启用 {v} 个规则版本"),
    };
    let steps = vec![
        Step {
            title: "添加辖区",
            status: match n.jurisdictions {
                0 => format!("尚未添加{county_term}"),
                j => format!("已有 {j} 个辖区"),
            },
            done: n.jurisdictions > 0,
            path: "/jurisdictions",
            action: "导入辖区名单",
        },
        Step {
            title: "制定认定规则",
            status: rules_status,
            done: n.versions > 0,
            path: "/rulesets",
            action: "编写、导入或采用认定规则",
        },
        Step {
            title: "建立专家库",
            status: match n.experts {
                0 => "专家库中还没有专家".to_string(),
                e => format!("专家库中有 {e} 位专家"),
            },
            done: n.experts > 0,
            path: "/experts",
            action: "添加或导入评审专家",
        },
        Step {
            title: "发布第一个申报通知",
            status: match n.published_calls {
                0 => "尚未发布申报通知".to_string(),
                c => format!("已发布 {c} 个申报通知"),
            },
            done: n.published_calls > 0,
            path: "/calls/new",
            action: "新建申报通知",
        },
    ];
    Ok((!steps.iter().all(|s| s.done)).then_some(steps))
}

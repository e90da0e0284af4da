//! The bureau's review of a call: draw panels, replace members who decline, follow progress,
//! read the ranked results, export and print them, reopen a sheet.
use crate::auth::CurrentUser;
use crate::db::applications::{self};
use crate::db::calls::{self, Call};
use crate::db::panels::{self, Member, Panel};
use crate::domain::draw::{self, DrawResult, DrawRules, Quota};
use crate::error::{AppError, AppResult};
use crate::io::results_xlsx::{
    self, CriterionHead, ExpertSheet, ExpertSheetRow, ResultRow, ResultsSheet,
};
use crate::io::storage::FileKind;
use crate::service::panels::{self as panel_ops, DrawFailure, PanelRequest};
use crate::service::results::{ResultLine, ranked, ranked_of};
use crate::service::review;
use crate::state::AppState;
use crate::web::calls::shanghai_minute;
use crate::web::files;
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use rand::Rng;
use serde::Deserialize;
use tower_sessions::Session;

async fn call_of(state: &AppState, tenant_id: i64, id: i64) -> AppResult<Call> {
    calls::get(&state.db, tenant_id, id)
        .await?
        .filter(|c| c.state != crate::domain::workflow::CallState::Draft)
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DrawForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    quotas: String,
    #[serde(default)]
    seed: String,
    /// 评分截止日期 (YYYY-MM-DD); empty: ten working days from today.
    #[serde(default)]
    sheets_due: String,
}

/// An application waiting for a panel: in review and on no panel yet.
pub struct Waiting {
    pub id: i64,
    pub park: String,
    pub county: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "review/hub.html")]
struct HubPage {
    ctx: PageCtx,
    call: Call,
    panels: Vec<(Panel, usize)>,
    waiting: Vec<Waiting>,
    lines: Vec<ResultLine>,
    criteria: Vec<(String, String)>,
    form: DrawForm,
    errors: FieldErrors,
    method: &'static str,
}

async fn hub_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    call: Call,
    form: DrawForm,
    chosen: Option<Vec<i64>>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let panels_of_call = panels::for_call(&state.db, tenant_id, call.id).await?;
    let mut panels = Vec::new();
    let mut on_panel = Vec::new();
    for p in panels_of_call {
        let apps = panels::application_ids(&state.db, tenant_id, p.id).await?;
        on_panel.extend(apps.iter().copied());
        panels.push((p, apps.len()));
    }
    let apps = applications::list_for_call(&state.db, tenant_id, call.id).await?;
    let waiting = apps
        .iter()
        .filter(|a| a.state == "in_review" && !on_panel.contains(&a.id))
        .map(|a| Waiting {
            checked: chosen.as_ref().is_none_or(|c| c.contains(&a.id)),
            id: a.id,
            park: a.park_name.clone(),
            county: a.jurisdiction_name.clone().unwrap_or_default(),
        })
        .collect();
    let rules = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .map(|(_, r)| r);
    let criteria = rules
        .map(|r| {
            r.criteria
                .iter()
                .map(|c| (c.name.clone(), c.max.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let page = HubPage {
        lines: ranked_of(state, tenant_id, call.id, apps).await?,
        ctx,
        call,
        panels,
        waiting,
        criteria,
        form,
        errors,
        method: draw::METHOD,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn hub(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = call_of(&state, tenant_id, call_id).await?;
    let form = DrawForm {
        size: "5".into(),
        ..DrawForm::default()
    };
    hub_page(
        ctx,
        &state,
        tenant_id,
        call,
        form,
        None,
        FieldErrors::default(),
    )
    .await
}

/// "专长:人数" per line (or separated by 、/，/;).
fn parse_quotas(text: &str) -> Result<Vec<Quota>, String> {
    let mut quotas = Vec::new();
    for part in text.split(['\n', '、', '，', ',', ';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, count) = part
            .rsplit_once([':', '：'])
            .ok_or_else(|| format!("“{part}”应写成“专长：人数”"))?;
        let min: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("“{part}”中的人数应为整数"))?;
        quotas.push(Quota {
            specialty: name.trim().to_string(),
            min,
        });
    }
    Ok(quotas)
}

/// A seed anyone can read aloud: date and six random digits.
fn generated_seed(today: chrono::NaiveDate) -> String {
    let n: u32 = rand::thread_rng().gen_range(0..1_000_000);
    format!("{}-{n:06}", today.format("%Y%m%d"))
}

pub(crate) async fn create_panel(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, call_id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = call_of(&state, tenant_id, call_id).await?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut form = DrawForm {
        name: get("name").trim().to_string(),
        size: get("size").trim().to_string(),
        quotas: get("quotas"),
        seed: get("seed").trim().to_string(),
        sheets_due: get("sheets_due").trim().to_string(),
    };
    let chosen: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "application")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let mut errors = FieldErrors::default();
    if form.name.is_empty() {
        form.name = format!("{}评审组", call.year);
    }
    let size: u32 = match form.size.parse() {
        Ok(n) if (1..=50).contains(&n) => n,
        _ => {
            errors.add("size", "请填写评审组人数（1–50）。");
            0
        }
    };
    let quotas = parse_quotas(&form.quotas).unwrap_or_else(|m| {
        errors.add("quotas", m);
        Vec::new()
    });
    if chosen.is_empty() {
        errors.add("application", "请至少选择一个待评审的申报。");
    }
    let waiting: Vec<i64> = applications::list_for_call(&state.db, tenant_id, call_id)
        .await?
        .into_iter()
        .filter(|a| a.state == "in_review")
        .map(|a| a.id)
        .collect();
    if chosen.iter().any(|id| !waiting.contains(id)) {
        errors.add("application", "所选申报不在评审中。");
    }
    if form.seed.is_empty() {
        form.seed = generated_seed(state.clock.today());
    } else if form.seed.chars().count() > draw::SEED_MAX_CHARS {
        errors.add("seed", "抽签种子不超过64个字符。");
    }
    let sheets_due = parse_sheets_due(&form.sheets_due, state.clock.today(), &mut errors);
    if !errors.is_empty() {
        return hub_page(ctx, &state, tenant_id, call, form, Some(chosen), errors).await;
    }
    let request = PanelRequest {
        call_id,
        name: &form.name,
        seed: &form.seed,
        rules: DrawRules { size, quotas },
        application_ids: &chosen,
        sheets_due,
    };
    match panel_ops::draw_panel(&state, tenant_id, &client.by(&user), &request).await {
        Ok(id) => {
            flash(
                &session,
                "success",
                format!("已抽取评审组（种子 {}）。", form.seed),
            )
            .await?;
            Ok(Redirect::to(&format!("{}/panels/{id}", user.home_url())).into_response())
        }
        Err(DrawFailure::Rules(message)) => {
            errors.add("draw", message);
            hub_page(ctx, &state, tenant_id, call, form, Some(chosen), errors).await
        }
        Err(DrawFailure::App(e)) => Err(e),
    }
}

/// The experts' deadline as typed: a date after today and within a year, or None (the service
/// sets ten working days).
fn parse_sheets_due(
    typed: &str,
    today: chrono::NaiveDate,
    errors: &mut FieldErrors,
) -> Option<chrono::NaiveDate> {
    if typed.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d") {
        Ok(d) if d > today && d <= today + chrono::Days::new(366) => Some(d),
        Ok(_) => {
            errors.add("sheets_due", "评分截止日期应在今天之后、一年之内。");
            None
        }
        Err(_) => {
            errors.add("sheets_due", "请按“2026-12-31”的格式填写日期。");
            None
        }
    }
}

pub struct ProgressRow {
    pub park: String,
    pub cells: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "review/panel.html")]
struct PanelPage {
    ctx: PageCtx,
    panel: Panel,
    call: Call,
    members: Vec<Member>,
    result: Option<DrawResult>,
    progress: Vec<ProgressRow>,
    errors: FieldErrors,
    method: &'static str,
}

async fn panel_view(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let panel = panels::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = call_of(state, tenant_id, panel.call_id).await?;
    let members = panels::members(&state.db, tenant_id, id).await?;
    let sheets = panels::of_panel(&state.db, tenant_id, id).await?;
    let mut progress: Vec<ProgressRow> = Vec::new();
    for app in panels::application_ids(&state.db, tenant_id, id).await? {
        let park = sheets
            .iter()
            .find(|s| s.application_id == app)
            .map(|s| s.park_name.clone())
            .unwrap_or_default();
        let cells = members
            .iter()
            .map(|m| {
                sheets
                    .iter()
                    .find(|s| s.application_id == app && s.expert_id == m.expert_id)
                    .map(status_of)
                    .unwrap_or("—")
            })
            .collect();
        progress.push(ProgressRow { park, cells });
    }
    let page = PanelPage {
        result: serde_json::from_value(panel.draw_result.0.clone()).ok(),
        ctx,
        panel,
        call,
        members,
        progress,
        errors,
        method: draw::METHOD,
    };
    render_with(page.errors.status(), &page)
}

/// A sheet's progress as the bureau sees it (never the scores while the review runs).
fn status_of(s: &panels::Assignment) -> &'static str {
    match (s.conflict.as_str(), s.state.as_str()) {
        (_, "withdrawn") => "已撤回",
        ("declared", _) => "回避",
        ("undeclared", _) => "待声明",
        (_, "submitted") => "已提交",
        _ => "评分中",
    }
}

pub(crate) async fn panel_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    panel_view(ctx, &state, user.tenant()?, id, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub(crate) struct DeclineForm {
    #[serde(default)]
    expert: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn decline(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DeclineForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let reason = form.reason.trim();
    let mut errors = FieldErrors::default();
    let expert: i64 = form.expert.parse().unwrap_or(0);
    let members = panels::members(&state.db, tenant_id, id).await?;
    if !members
        .iter()
        .any(|m| m.expert_id == expert && m.declined_reason.is_none())
    {
        errors.add("expert", "请选择谢绝的专家。");
    }
    if reason.is_empty() {
        errors.add("reason", "请写明谢绝原因。");
    }
    if !errors.is_empty() {
        return panel_view(ctx, &state, tenant_id, id, errors).await;
    }
    match panel_ops::decline(&state, tenant_id, &client.by(&user), id, expert, reason).await {
        Ok(_) => {
            flash(&session, "success", "已登记谢绝，并按抽签顺序替补。").await?;
            Ok(Redirect::to(&format!("{}/panels/{id}", user.home_url())).into_response())
        }
        Err(DrawFailure::Rules(message)) => {
            errors.add("draw", message);
            panel_view(ctx, &state, tenant_id, id, errors).await
        }
        Err(DrawFailure::App(e)) => Err(e),
    }
}

pub(crate) async fn close(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    review::close_panel(&state, tenant_id, &client.by(&user), id).await?;
    flash(&session, "success", "评审组已结束。").await?;
    Ok(Redirect::to(&format!("{}/panels/{id}", user.home_url())).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Reopens one submitted sheet with a logged reason; an application that had completed its
/// review goes back to `in_review` until the sheet is submitted again.
pub(crate) async fn reopen(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let by = client.by(&user);
    let (application, expert) =
        review::reopen_sheet(&state, tenant_id, &by, id, form.reason.trim()).await?;
    flash(
        &session,
        "success",
        format!("已重新开放 {expert} 的评分表。"),
    )
    .await?;
    let home = user.home_url();
    Ok(Redirect::to(&format!("{home}/applications/{application}")).into_response())
}

/// The ranked table and every expert's sheet, as the bureau files and prints them.
pub(crate) async fn export(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = call_of(&state, tenant_id, call_id).await?;
    let (results, experts) = workbook_data(&state, tenant_id, &call).await?;
    let bytes = results_xlsx::export_results(&results, &experts)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(files::attachment(
        bytes,
        FileKind::Xlsx,
        &format!("{}评审结果.xlsx", call.year),
    ))
}

pub async fn workbook_data(
    state: &AppState,
    tenant_id: i64,
    call: &Call,
) -> AppResult<(ResultsSheet, Vec<ExpertSheet>)> {
    let lines = ranked(state, tenant_id, call.id).await?;
    let rules = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .map(|(_, r)| r)
        .ok_or(AppError::NotFound)?;
    let criteria: Vec<CriterionHead> = rules
        .criteria
        .iter()
        .map(|c| CriterionHead {
            id: c.id.clone(),
            name: c.name.clone(),
            max: c.max.to_string(),
        })
        .collect();
    let rows = lines.iter().map(result_row).collect();
    let mut experts: Vec<ExpertSheet> = Vec::new();
    for l in &lines {
        for s in &l.sheets {
            let checked = crate::domain::scoring::check_sheet(&rules, &s.scores.0, false);
            let row = ExpertSheetRow {
                park: l.park.clone(),
                conflict: (s.conflict == "declared").then(|| s.conflict_reason.clone()),
                scores: rules
                    .criteria
                    .iter()
                    .map(|c| {
                        checked
                            .scores
                            .get(&c.id)
                            .map(|v| f64::from(v.tenths()) / 10.0)
                    })
                    .collect(),
                total: (s.conflict == "none" && !rules.criteria.is_empty())
                    .then(|| checked.total().to_f64()),
                opinion: match s.opinion.as_deref() {
                    Some("pass") => "通过".into(),
                    Some("fail") => "不通过".into(),
                    _ => String::new(),
                },
                comment: s.summary.clone(),
                submitted_at: super::expert::submitted_at(s),
            };
            match experts.iter_mut().find(|e| e.expert == s.expert_name) {
                Some(e) => e.rows.push(row),
                None => experts.push(ExpertSheet {
                    expert: s.expert_name.clone(),
                    employer: String::new(),
                    rows: vec![row],
                }),
            }
        }
    }
    let results = ResultsSheet {
        title: format!("{} 评审结果汇总", call.title),
        subtitle: format!(
            "导出时间 {}（北京时间）",
            shanghai_minute(state.clock.now())
        ),
        criteria,
        rows,
    };
    Ok((results, experts))
}

fn result_row(l: &ResultLine) -> ResultRow {
    ResultRow {
        rank: l.rank,
        park: l.park.clone(),
        operator: l.operator.clone(),
        uscc: l.uscc.clone(),
        county: l.county.clone(),
        verdict: l.verdict.to_string(),
        vetoes: l.vetoes.join("、"),
        tier: l.tier.clone(),
        method: l.method.to_string(),
        total: l.total,
        criteria: l.criteria.clone(),
        spread: l.spread,
        experts_scored: l.experts_scored,
        experts_counted: l.experts_counted,
        outliers: l
            .outliers
            .iter()
            .map(|(n, r)| format!("{n}（{r}）"))
            .collect::<Vec<_>>()
            .join("；"),
        opinions: l
            .opinions
            .map(|(p, f)| format!("通过 {p} / 不通过 {f}"))
            .unwrap_or_default(),
        decision: l.state_label.to_string(),
    }
}

#[derive(Template)]
#[template(path = "review/print.html")]
struct PrintPage {
    ctx: PageCtx,
    call: Call,
    lines: Vec<ResultLine>,
    criteria: Vec<(String, String)>,
    members: Vec<String>,
    printed_at: String,
}

/// The panel's score sheet to print and sign.
pub(crate) async fn print(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = call_of(&state, tenant_id, call_id).await?;
    let lines = ranked(&state, tenant_id, call_id).await?;
    let rules = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .map(|(_, r)| r)
        .ok_or(AppError::NotFound)?;
    let mut members: Vec<String> = Vec::new();
    for l in &lines {
        for s in &l.sheets {
            if s.conflict == "none" && !members.contains(&s.expert_name) {
                members.push(s.expert_name.clone());
            }
        }
    }
    render(&PrintPage {
        ctx,
        criteria: rules
            .criteria
            .iter()
            .map(|c| (c.name.clone(), c.max.to_string()))
            .collect(),
        call,
        lines,
        members,
        printed_at: shanghai_minute(state.clock.now()),
    })
}

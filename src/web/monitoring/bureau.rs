//! The bureau's side of supervision: the dashboard of awarded parks, report acceptance (which
//! re-evaluates the park), reminders, the zone dashboard, re-review, rectification and
//! revocation.
use super::county::{DecisionForm, report_view};
use super::{Owed, Trend, owed};
use crate::auth::CurrentUser;
use crate::db::monitoring::{self, Report, Targets};
use crate::db::titles::{self, Park, ParkScope};
use crate::domain::monitoring::{
    self as domain, DueSettings, MonitoringStatus, Period, ReportKind, RevocationGround,
    SupervisionRules, revocation_grounds,
};
use crate::domain::role::Role;
use crate::domain::ruleset::RuleSet;
use crate::domain::workflow::{ReportAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::monitoring::{self as service, ReReviewDecision, ReportDecision};
use crate::state::AppState;
use crate::web::files::{Upload, read_upload};
use crate::web::page::{FieldErrors, PageCtx, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// One row of the dashboard.
pub struct ParkRow {
    pub park: Park,
    pub trend: Trend,
    pub overdue: Vec<Owed>,
    pub next: Owed,
    pub reminded: Vec<String>,
    pub grounds: Vec<String>,
    pub notices: Vec<String>,
}

#[derive(Template)]
#[template(path = "monitoring/dashboard.html")]
struct Dashboard {
    ctx: PageCtx,
    texts: crate::domain::ruleset::CityTexts,
    rows: Vec<ParkRow>,
    ended: Vec<Park>,
    to_accept: Vec<Report>,
    county_overdue: Vec<Owed>,
    county_names: BTreeMap<i64, String>,
    county_of_overdue: Vec<i64>,
    settings: DueSettings,
    /// What was typed into the settings form when it was refused, shown again as typed.
    typed: BTreeMap<String, String>,
    errors: FieldErrors,
}

impl Dashboard {
    fn setting(&self, key: &str, stored: impl std::fmt::Display) -> String {
        self.typed
            .get(key)
            .cloned()
            .unwrap_or_else(|| stored.to_string())
    }

    fn spark(&self, values: &[Option<u64>]) -> String {
        super::sparkline(values)
    }
}

pub(crate) async fn dashboard(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let no_input = (BTreeMap::new(), FieldErrors::default());
    dashboard_page(ctx, &state, user.tenant()?, no_input).await
}

async fn dashboard_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    (typed, errors): (BTreeMap<String, String>, FieldErrors),
) -> AppResult<Response> {
    let today = state.clock.today();
    let settings = monitoring::settings(&state.db, tenant_id).await?;
    let parks = titles::list(&state.db, tenant_id, ParkScope::Bureau).await?;
    let reports = monitoring::reports(&state.db, tenant_id, None, None).await?;
    let results = monitoring::results(&state.db, tenant_id, None).await?;
    let reminders = monitoring::reminders(&state.db, tenant_id).await?;
    let grounds = monitoring::grounds(&state.db, tenant_id).await?;
    let notices = monitoring::notices(&state.db, tenant_id).await?;
    let mut rows = Vec::new();
    let mut ended = Vec::new();
    let mut county_reporting = BTreeMap::new();
    let mut rule_sets = super::RuleSets::default();
    for park in parks {
        if !park.holds_title() {
            ended.push(park);
            continue;
        }
        let rules = rule_sets
            .get(&state.db, tenant_id, park.rule_set_version_id)
            .await?;
        if let (true, Some(j)) = (
            SupervisionRules::for_rule_set(rules).county_reports,
            park.jurisdiction_id,
        ) {
            let since = county_reporting.entry(j).or_insert(park.awarded_on);
            *since = (*since).min(park.awarded_on);
        }
        let mine: Vec<Report> = reports
            .iter()
            .filter(|r| r.award_id == Some(park.award_id))
            .cloned()
            .collect();
        let (list, next) = owed(
            &settings,
            ReportKind::ParkQuarter,
            park.awarded_on,
            today,
            &mine,
        );
        let series: Vec<_> = results
            .iter()
            .filter(|r| r.award_id == park.award_id)
            .collect();
        rows.push(ParkRow {
            trend: Trend::of(&series),
            overdue: list.into_iter().filter(|o| o.overdue).collect(),
            next,
            reminded: reminders
                .iter()
                .filter(|m| m.award_id == Some(park.award_id))
                .map(|m| {
                    format!(
                        "{}年第{}季度：{} 催报，宽限至 {}",
                        m.year,
                        m.period,
                        super::super::page::shanghai_date(m.sent_at),
                        m.grace_until
                    )
                })
                .collect(),
            grounds: grounds
                .iter()
                .filter(|g| g.award_id == park.award_id)
                .map(|g| format!("{}（{}）", g.detail, g.article))
                .collect(),
            notices: notices
                .iter()
                .filter(|(a, _)| *a == park.award_id)
                .map(|(_, k)| {
                    if k == "expiry_30" {
                        "30 天内到期".to_string()
                    } else {
                        "90 天内到期".to_string()
                    }
                })
                .collect(),
            park,
        });
    }
    let mut county_overdue = Vec::new();
    let mut county_of_overdue = Vec::new();
    for (&j, &since) in &county_reporting {
        let theirs: Vec<Report> = reports
            .iter()
            .filter(|r| r.jurisdiction_id == j && r.award_id.is_none())
            .cloned()
            .collect();
        for kind in [ReportKind::CountyQuarter, ReportKind::CountyHalf] {
            let (list, _) = owed(&settings, kind, since, today, &theirs);
            for o in list.into_iter().filter(|o| o.overdue) {
                county_overdue.push(o);
                county_of_overdue.push(j);
            }
        }
    }
    let county_names = crate::db::jurisdictions::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .map(|j| (j.id, j.name))
        .collect();
    let to_accept =
        monitoring::reports_in_state(&state.db, tenant_id, &["county_passed", "submitted"], None)
            .await?
            .into_iter()
            .filter(|r| r.state == "county_passed" || r.kind() != ReportKind::ParkQuarter)
            .collect();
    let page = Dashboard {
        texts: super::tenant_texts(state, tenant_id).await?,
        ctx,
        rows,
        ended,
        to_accept,
        county_overdue,
        county_names,
        county_of_overdue,
        settings,
        typed,
        errors,
    };
    render_with(page.errors.status(), &page)
}

fn day_count(form: &BTreeMap<String, String>, name: &str, errors: &mut FieldErrors) -> u16 {
    match form.get(name).map(|s| s.trim().parse::<u16>()) {
        Some(Ok(n)) if (1..=90).contains(&n) => n,
        _ => {
            errors.add(name, "请填写 1–90 之间的天数。");
            1
        }
    }
}

pub(crate) async fn save_settings(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let settings = DueSettings {
        due_quarter: [
            day_count(&form, "due_q1", &mut errors),
            day_count(&form, "due_q2", &mut errors),
            day_count(&form, "due_q3", &mut errors),
            day_count(&form, "due_q4", &mut errors),
        ],
        due_half: day_count(&form, "due_half", &mut errors),
        grace_days: day_count(&form, "grace_days", &mut errors),
    };
    if !errors.is_empty() {
        return dashboard_page(ctx, &state, tenant_id, (form, errors)).await;
    }
    service::save_due_settings(&state, tenant_id, &client.by(&user), &settings).await?;
    flash(&session, "success", "报送期限已保存。").await?;
    Ok(Redirect::to(&format!("{}/monitoring", user.home_url())).into_response())
}

/// A recorded reminder (催报/督促) for a period that is overdue and still not filed.
pub(crate) async fn remind(
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let field = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    let kind = ReportKind::parse(field("kind")).ok_or(AppError::NotFound)?;
    let period = Period {
        year: field("year").parse().map_err(|_| AppError::NotFound)?,
        period: field("period").parse().map_err(|_| AppError::NotFound)?,
    };
    let of = if kind == ReportKind::ParkQuarter {
        field("award_id")
    } else {
        field("jurisdiction_id")
    };
    let reminding = service::Reminding {
        kind,
        period,
        of: of.parse().map_err(|_| AppError::NotFound)?,
        note: field("note"),
    };
    let grace_until = service::remind(&state, tenant_id, &client.by(&user), &reminding).await?;
    flash(
        &session,
        "success",
        format!("已催报{}，宽限至 {grace_until}。", period.label(kind)),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/monitoring", user.home_url())).into_response())
}

pub(crate) async fn report_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let report = monitoring::report(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let decisions = super::decisions(&report, Role::Bureau);
    let base = format!("{}/monitoring", user.home_url());
    report_view(
        ctx,
        &base,
        &state,
        tenant_id,
        report,
        decisions,
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn decide(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let report = monitoring::report(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let by = client.by(&user);
    let message = match form.decision.as_str() {
        "accept" => match super::accept_report(&state, tenant_id, &report, &by, user.id).await? {
            Some(status) => format!("已采纳。园区监测结果：{}。", status.label()),
            None => "已采纳。".to_string(),
        },
        "return" if !form.reason.trim().is_empty() => {
            let returned = ReportDecision {
                stage: "bureau",
                action: ReportAction::Return,
                decision: "return",
                reason: form.reason.trim(),
            };
            service::decide_report(&state, tenant_id, &by, &report, &returned).await?;
            "已退回修改。".to_string()
        }
        other => {
            let mut errors = FieldErrors::default();
            if other == "return" {
                errors.add("reason", "退回时请写明需要修改的内容。");
            } else {
                errors.add("decision", "请选择处理意见。");
            }
            let decisions = super::decisions(&report, Role::Bureau);
            let base = format!("{}/monitoring", user.home_url());
            return report_view(ctx, &base, &state, tenant_id, report, decisions, errors).await;
        }
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/monitoring/reports/{id}", user.home_url())).into_response())
}

// ---------------------------------------------------------------------------------------------
// Zone dashboard

pub struct CountyRow {
    pub name: String,
    pub parks: Vec<String>,
}

#[derive(Template)]
#[template(path = "monitoring/zone.html")]
struct ZonePage {
    ctx: PageCtx,
    parks: usize,
    reporting: usize,
    trade: u64,
    cbec: u64,
    currency: &'static str,
    counties: Vec<CountyRow>,
    covered: usize,
    targets: Targets,
    form: BTreeMap<String, String>,
    errors: FieldErrors,
}

impl ZonePage {
    /// The four headline figures as (value, label with target and progress).
    fn stats(&self) -> Vec<(String, String)> {
        let with_target = |label: String, actual: u64, target: Option<i64>| match target {
            Some(t) if t > 0 => format!(
                "{label}（目标 {}，完成 {}%）",
                super::amount(t as u64),
                u128::from(actual) * 100 / t as u128
            ),
            _ => label,
        };
        vec![
            (
                self.parks.to_string(),
                with_target(
                    "持有称号的园区".into(),
                    self.parks as u64,
                    self.targets.parks.map(i64::from),
                ),
            ),
            (
                super::amount(self.trade),
                with_target(
                    format!("年化跨境电商进出口额（{}）", self.currency),
                    self.trade,
                    self.targets.trade,
                ),
            ),
            (
                self.cbec.to_string(),
                with_target(
                    "园区跨境电商企业（家）".into(),
                    self.cbec,
                    self.targets.enterprises.map(i64::from),
                ),
            ),
            (
                format!("{} / {}", self.covered, self.counties.len()),
                format!("有园区的{}（一县一园）", self.ctx.county()),
            ),
        ]
    }

    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }
}

pub(crate) async fn zone(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    zone_page(ctx, &state, user.tenant()?, None, FieldErrors::default()).await
}

async fn zone_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: Option<BTreeMap<String, String>>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let parks: Vec<Park> = titles::list(&state.db, tenant_id, ParkScope::Bureau)
        .await?
        .into_iter()
        .filter(Park::holds_title)
        .collect();
    let results = monitoring::results(&state.db, tenant_id, None).await?;
    let (mut trade, mut cbec, mut reporting) = (0u64, 0u64, 0usize);
    let mut currency = "";
    for park in &parks {
        let latest = results.iter().rfind(|r| r.award_id == park.award_id);
        if let Some(r) = latest {
            let ind: domain::Indicators =
                serde_json::from_value(r.indicators.0.clone()).unwrap_or_default();
            trade += ind.trade_annual;
            cbec += ind.cbec;
            reporting += 1;
        }
        if currency.is_empty() {
            currency = super::currency_label(&super::rules_of(state, tenant_id, park).await?);
        }
    }
    let mut counties = Vec::new();
    for j in crate::db::jurisdictions::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .filter(|j| j.active)
    {
        counties.push(CountyRow {
            parks: parks
                .iter()
                .filter(|p| p.jurisdiction_id == Some(j.id))
                .map(|p| p.park_name.clone())
                .collect(),
            name: j.name,
        });
    }
    let covered = counties.iter().filter(|c| !c.parks.is_empty()).count();
    let targets = monitoring::targets(&state.db, tenant_id)
        .await?
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| {
        let mut m = BTreeMap::new();
        if targets.year > 0 {
            m.insert("year".into(), targets.year.to_string());
        }
        m.insert(
            "trade".into(),
            targets.trade.map(|v| v.to_string()).unwrap_or_default(),
        );
        m.insert(
            "parks".into(),
            targets.parks.map(|v| v.to_string()).unwrap_or_default(),
        );
        m.insert(
            "enterprises".into(),
            targets
                .enterprises
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
        m.insert("basis".into(), targets.basis.clone());
        m
    });
    let page = ZonePage {
        ctx,
        parks: parks.len(),
        reporting,
        trade,
        cbec,
        currency: if currency.is_empty() { "元" } else { currency },
        counties,
        covered,
        targets,
        form,
        errors,
    };
    render_with(page.errors.status(), &page)
}

/// The zone's targets as typed; every problem is a message next to its field.
fn targets_form(form: &BTreeMap<String, String>, errors: &mut FieldErrors) -> Targets {
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().replace([',', '，'], ""))
            .unwrap_or_default()
    };
    let mut optional = |k: &str| -> Option<i64> {
        let v = field(k);
        if v.is_empty() {
            return None;
        }
        match v.parse::<i64>() {
            Ok(n) if (0..=i64::from(i32::MAX) * 1000).contains(&n) => Some(n),
            _ => {
                errors.add(k, "请填写不小于 0 的整数，或留空。");
                None
            }
        }
    };
    let trade = optional("trade");
    let parks = optional("parks").map(|n| n.min(i64::from(i32::MAX)) as i32);
    let enterprises = optional("enterprises").map(|n| n.min(i64::from(i32::MAX)) as i32);
    let year = match field("year").parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => {
            errors.add("year", "请填写目标年份（如 2027）。");
            0
        }
    };
    let basis = field("basis");
    if basis.chars().count() > 500 {
        errors.add("basis", "不超过 500 字。");
    }
    Targets {
        year,
        trade,
        parks,
        enterprises,
        basis,
    }
}

pub(crate) async fn save_targets(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let mut errors = FieldErrors::default();
    let targets = targets_form(&form, &mut errors);
    if !errors.is_empty() {
        return zone_page(ctx, &state, tenant_id, Some(form), errors).await;
    }
    service::save_zone_targets(&state, tenant_id, &client.by(&user), &targets).await?;
    flash(&session, "success", "目标已保存。").await?;
    Ok(Redirect::to(&format!("{}/monitoring/zone", user.home_url())).into_response())
}

// ---------------------------------------------------------------------------------------------
// One park: history, revocation

#[derive(Template)]
#[template(path = "monitoring/park.html")]
struct ParkPage {
    ctx: PageCtx,
    park: Park,
    trend: Trend,
    results: Vec<monitoring::MonitoringRow>,
    reports: Vec<Report>,
    orders: Vec<monitoring::Order>,
    revocation: Option<monitoring::Revocation>,
    grounds: Vec<RevocationGround>,
    can_revoke: bool,
    currency: &'static str,
    form: BTreeMap<String, String>,
    errors: FieldErrors,
    max_mb: usize,
}

impl ParkPage {
    /// Whether a ground of this rule set records funds to recover (中山 第十三条).
    fn any_funds(&self) -> bool {
        self.grounds.iter().any(|g| g.recovers_funds)
    }

    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    fn findings(&self, row: &monitoring::MonitoringRow) -> Vec<domain::Finding> {
        super::findings_of(&row.findings.0)
    }

    fn indicators(&self, row: &monitoring::MonitoringRow) -> domain::Indicators {
        serde_json::from_value(row.indicators.0.clone()).unwrap_or_default()
    }

    fn status_label(&self, status: &str) -> &'static str {
        MonitoringStatus::parse(status)
            .map(|s| s.label())
            .unwrap_or("—")
    }
}

pub(crate) async fn park_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, award)): Path<(String, i64)>,
) -> AppResult<Response> {
    show_park(
        ctx,
        &state,
        user.tenant()?,
        award,
        None,
        FieldErrors::default(),
    )
    .await
}

async fn show_park(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    award: i64,
    form: Option<BTreeMap<String, String>>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, award)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = super::rules_of(state, tenant_id, &park).await?;
    let results = monitoring::results(&state.db, tenant_id, Some(award)).await?;
    let revocation = monitoring::revocations(&state.db, tenant_id)
        .await?
        .into_iter()
        .find(|r| r.award_id == award);
    let page = ParkPage {
        trend: Trend::of(&results.iter().collect::<Vec<_>>()),
        reports: monitoring::reports(&state.db, tenant_id, Some(award), None).await?,
        orders: monitoring::orders(&state.db, tenant_id, Some(award)).await?,
        grounds: revocation_grounds(&rules).to_vec(),
        can_revoke: park.holds_title(),
        currency: super::currency_label(&rules),
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        form: form.unwrap_or_default(),
        ctx,
        park,
        results,
        revocation,
        errors,
    };
    render_with(page.errors.status(), &page)
}

/// The revocation form read against the park's rule set's grounds; every problem is a message
/// next to its field (None when no ground was chosen).
fn revocation_form<'a>(
    upload: &'a Upload,
    rules: &RuleSet,
    errors: &mut FieldErrors,
) -> Option<service::Revocation<'a>> {
    let ground = revocation_grounds(rules)
        .iter()
        .find(|g| g.key == upload.field("ground"))
        .copied();
    if ground.is_none() {
        errors.add("ground", "请选择撤销依据。");
    }
    // Revocation cannot be undone: a deliberate second act, not one click.
    if upload.field("confirm") != "on" {
        errors.add("confirm", "请勾选确认：撤销称号后不可恢复。");
    }
    let reason = upload.field("reason").trim();
    if !(10..=5000).contains(&reason.chars().count()) {
        errors.add("reason", "请写明撤销的事实和理由（10–5000字）。");
    }
    if upload.file.is_none() && errors.get("evidence").is_none() {
        errors.add("evidence", "请上传证据材料（如处罚决定书、失信名单截图）。");
    }
    let funds = upload.field("funds").trim().replace([',', '，'], "");
    let funds = if ground.is_some_and(|g| g.recovers_funds) {
        match funds.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.add("funds", "请填写应收回的财政资金金额（元，正整数）。");
                None
            }
        }
    } else {
        None
    };
    Some(service::Revocation {
        ground: ground?,
        reason,
        funds,
        evidence: upload.files().collect(),
    })
}

/// What a revocation's bar means for the operator, as the flash after it says.
fn bar_words(revoked: &service::Revoked) -> String {
    let mut bar = revoked
        .barred_until
        .map(|d| format!("该运营主体{}。", crate::domain::monitoring::bar_words(d)))
        .unwrap_or_default();
    if !revoked.pending.is_empty() {
        bar.push_str(&format!(
            "该运营主体尚有 {} 个申报在办理中（{}），不得认定，请逐一处理。",
            revoked.pending.len(),
            revoked.pending.join("、")
        ));
    }
    bar
}

/// 撤销称号: immediate, with the ground's article, reasons and evidence; the bar on reapplying
/// and the funds to recover follow from the ground.
pub(crate) async fn revoke(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, award)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, award)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = super::rules_of(&state, tenant_id, &park).await?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "evidence",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let revocation = revocation_form(&upload, &rules, &mut errors);
    let (Some(revocation), true) = (revocation, errors.is_empty()) else {
        let form = upload.fields.clone();
        return show_park(ctx, &state, tenant_id, award, Some(form), errors).await;
    };
    let by = client.by(&user);
    let revoked = service::revoke(&state, tenant_id, &by, &park, &rules, &revocation).await?;
    let bar = bar_words(&revoked);
    flash(
        &session,
        "success",
        format!("已撤销{}的称号。{bar}", park.park_name),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/monitoring/parks/{award}", user.home_url())).into_response())
}

// ---------------------------------------------------------------------------------------------
// Re-review (复评) and rectification (限期整改)

#[derive(Template)]
#[template(path = "monitoring/re_reviews.html")]
struct ReReviewsPage {
    ctx: PageCtx,
    texts: crate::domain::ruleset::CityTexts,
    rounds: Vec<monitoring::ReReview>,
    parks: Vec<Park>,
    calls: Vec<(String, String)>,
    form: BTreeMap<String, String>,
    chosen: Vec<i64>,
    errors: FieldErrors,
}

pub(crate) async fn re_reviews(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    re_reviews_page(
        ctx,
        &state,
        user.tenant()?,
        BTreeMap::new(),
        Vec::new(),
        FieldErrors::default(),
    )
    .await
}

async fn re_reviews_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: BTreeMap<String, String>,
    chosen: Vec<i64>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let parks: Vec<Park> = titles::list(&state.db, tenant_id, ParkScope::Bureau)
        .await?
        .into_iter()
        .filter(|p| p.state == "awarded")
        .collect();
    let calls = monitoring::calls_with_awards(&state.db, tenant_id).await?;
    let page = ReReviewsPage {
        texts: super::tenant_texts(state, tenant_id).await?,
        ctx,
        rounds: monitoring::re_reviews(&state.db, tenant_id).await?,
        parks,
        calls: calls
            .into_iter()
            .map(|(id, t)| (id.to_string(), t))
            .collect(),
        form,
        chosen,
        errors,
    };
    render_with(page.errors.status(), &page)
}

/// The form's fields, and the parks ticked (`award`, repeated).
fn split_choices(pairs: Vec<(String, String)>) -> (BTreeMap<String, String>, Vec<i64>) {
    let mut form = BTreeMap::new();
    let mut chosen = Vec::new();
    for (k, v) in pairs {
        if k == "award" {
            if let Ok(id) = v.parse() {
                chosen.push(id);
            }
        } else {
            form.insert(k, v);
        }
    }
    (form, chosen)
}

/// The parks a round takes: those ticked and, with a call, all of that call's that hold the
/// title unconditionally (`chosen` becomes their ids, sorted); any other is not found.
async fn chosen_parks(
    state: &AppState,
    tenant_id: i64,
    call: Option<i64>,
    chosen: &mut Vec<i64>,
) -> AppResult<Vec<Park>> {
    if let Some(call) = call {
        chosen.extend(monitoring::awarded_parks_of_call(&state.db, tenant_id, call).await?);
    }
    chosen.sort_unstable();
    chosen.dedup();
    let mut parks = Vec::new();
    for id in chosen.iter() {
        match titles::get(&state.db, tenant_id, ParkScope::Bureau, *id).await? {
            Some(p) if p.state == "awarded" => parks.push(p),
            _ => return Err(AppError::NotFound),
        }
    }
    Ok(parks)
}

pub(crate) async fn open_re_review(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let (form, mut chosen) = split_choices(pairs);
    let mut errors = FieldErrors::default();
    let text = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let (title, reason) = (text("title"), text("reason"));
    if !(1..=200).contains(&title.chars().count()) {
        errors.add("title", "请填写复评名称（200字以内）。");
    }
    let call = form.get("call").and_then(|c| c.parse::<i64>().ok());
    let parks = chosen_parks(&state, tenant_id, call, &mut chosen).await?;
    if parks.is_empty() {
        errors.add(
            "award",
            "请选择参加复评的园区，或选择一次申报通知的全部已认定园区。",
        );
    }
    if !errors.is_empty() {
        return re_reviews_page(ctx, &state, tenant_id, form, chosen, errors).await;
    }
    let by = client.by(&user);
    let id = service::open_re_review(&state, tenant_id, &by, &title, &reason, &parks).await?;
    flash(
        &session,
        "success",
        format!("已启动复评，共 {} 个园区。", parks.len()),
    )
    .await?;
    Ok(Redirect::to(&format!("{}/monitoring/re-reviews/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "monitoring/re_review.html")]
struct ReReviewPage {
    ctx: PageCtx,
    round: monitoring::ReReview,
    parks: Vec<ReReviewEntry>,
    /// The round's expert panel (复评专家组), once drawn, with its members' names.
    panel: Option<crate::db::re_review_panels::Panel>,
    members: Vec<String>,
    errors: FieldErrors,
}

/// One park of a round, with its decision form's values and errors (only the form that was
/// sent shows what was typed and what was wrong).
struct ReReviewEntry {
    park: monitoring::ReReviewPark,
    findings: Vec<domain::Finding>,
    may_delist: bool,
    delist_basis: String,
    text: String,
    deadline: String,
    errors: FieldErrors,
    /// The panel's opinions on this park, their tally in words and the majority's result.
    opinions: Vec<crate::db::re_review_panels::Sheet>,
    tally: String,
    suggested: String,
}

impl ReReviewPage {
    fn status_label(&self, status: &str) -> &'static str {
        MonitoringStatus::parse(status)
            .map(|s| s.label())
            .unwrap_or("—")
    }
}

fn findings_text(findings: &[domain::Finding]) -> String {
    {
        findings
            .iter()
            .map(|f| {
                format!(
                    "{}（{}）：要求 {}，实际 {}",
                    f.description, f.article, f.required, f.actual
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub(crate) async fn re_review_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    show_re_review(
        ctx,
        &state,
        user.tenant()?,
        id,
        0,
        BTreeMap::new(),
        FieldErrors::default(),
    )
    .await
}

async fn show_re_review(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    errors_for: i64,
    form: BTreeMap<String, String>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let round = monitoring::re_review(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let panel = crate::db::re_review_panels::of_round(&state.db, tenant_id, id).await?;
    let sheets = match &panel {
        Some(p) => crate::db::re_review_panels::sheets_of_panel(&state.db, tenant_id, p.id).await?,
        None => Vec::new(),
    };
    let mut members: Vec<String> = sheets.iter().map(|s| s.expert_name.clone()).collect();
    members.dedup();
    let mut parks = Vec::new();
    for p in monitoring::re_review_parks(&state.db, tenant_id, id).await? {
        let (tally, suggested) = panel_view(&sheets, p.id);
        let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, p.award_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rules = super::rules_of(state, tenant_id, &park).await?;
        let findings = super::findings_of(&p.findings.0);
        let mine = errors_for == p.id;
        let value = |k: &str| form.get(k).cloned().unwrap_or_default();
        parks.push(ReReviewEntry {
            text: match (mine, findings_text(&findings)) {
                (true, _) => value("findings"),
                // Nothing the engine found: the panel's reasons for rectification are the draft.
                (false, t) if t.is_empty() && suggested == "rectify" => {
                    panel_reasons(&sheets, p.id)
                }
                (false, t) => t,
            },
            deadline: if mine {
                value("deadline")
            } else {
                (state.clock.today() + Duration::days(90)).to_string()
            },
            errors: if mine {
                errors.clone()
            } else {
                FieldErrors::default()
            },
            may_delist: WorkflowRules::for_rule_set(&rules).delist_without_rectification,
            delist_basis: rules.texts.delisting_basis.clone(),
            opinions: sheets
                .iter()
                .filter(|s| s.re_review_park_id == p.id)
                .cloned()
                .collect(),
            tally,
            suggested,
            park: p,
            findings,
        });
    }
    let page = ReReviewPage {
        ctx,
        round,
        parks,
        panel,
        members,
        errors,
    };
    render_with(page.errors.status(), &page)
}

/// The panel's opinions on one park in words, and the result most of them advise (empty while
/// any is open, or on a tie).
fn panel_view(sheets: &[crate::db::re_review_panels::Sheet], entry: i64) -> (String, String) {
    use crate::service::monitoring::re_review_panel::tally;
    if !sheets.iter().any(|s| s.re_review_park_id == entry) {
        return (String::new(), String::new());
    }
    let (pass, rectify, delist, open) = tally(sheets, entry);
    let mut words = format!("复评专家组意见：通过 {pass}，限期整改 {rectify}，取消资格 {delist}");
    if open > 0 {
        words.push_str(&format!("；{open} 位尚未提交"));
    }
    let counts = [(pass, "pass"), (rectify, "rectify"), (delist, "delist")];
    let top = counts.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let leaders: Vec<&str> = counts
        .iter()
        .filter(|(n, _)| *n == top && top > 0)
        .map(|(_, c)| *c)
        .collect();
    let suggested = match (open, leaders.as_slice()) {
        (0, [one]) => one.to_string(),
        _ => String::new(),
    };
    (words, suggested)
}

/// The reasons of the members who advise rectification, one line each.
fn panel_reasons(sheets: &[crate::db::re_review_panels::Sheet], entry: i64) -> String {
    sheets
        .iter()
        .filter(|s| s.re_review_park_id == entry && s.opinion.as_deref() == Some("rectify"))
        .map(|s| format!("复评专家意见：{}", s.summary))
        .fold(Vec::<String>::new(), |mut lines, l| {
            if !lines.contains(&l) {
                lines.push(l);
            }
            lines
        })
        .join("\n")
}

#[derive(serde::Deserialize)]
pub(crate) struct PanelForm {
    #[serde(default)]
    size: String,
    #[serde(default)]
    seed: String,
}

/// Draws the round's expert panel, with a seed read out or typed by a witness.
pub(crate) async fn draw_re_review_panel(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<PanelForm>,
) -> AppResult<Response> {
    use crate::service::monitoring::re_review_panel::draw_panel;
    use crate::service::panels::DrawFailure;
    let tenant_id = user.tenant()?;
    monitoring::re_review(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = format!("{}/monitoring/re-reviews/{id}", user.home_url());
    let size = form
        .size
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=15).contains(n));
    let seed = form.seed.trim();
    let (Some(size), false) = (size, seed.is_empty()) else {
        flash(&session, "error", "请填写专家组人数（1–15）和抽签种子。").await?;
        return Ok(Redirect::to(&page).into_response());
    };
    match draw_panel(&state, tenant_id, &client.by(&user), id, (size, seed)).await {
        Ok(_) => {
            flash(
                &session,
                "success",
                "复评专家组已抽取，已为每位专家生成各园区的复评意见表。",
            )
            .await?
        }
        Err(DrawFailure::Rules(m)) => flash(&session, "error", m).await?,
        Err(DrawFailure::App(AppError::Conflict(m))) => flash(&session, "error", m).await?,
        Err(DrawFailure::App(e)) => return Err(e),
    }
    Ok(Redirect::to(&page).into_response())
}

/// A park's re-review decision as typed: the result, the findings and (to rectify) the
/// deadline; every problem is a message next to its field.
fn re_review_form(
    form: &BTreeMap<String, String>,
    today: NaiveDate,
    may_delist: bool,
    errors: &mut FieldErrors,
) -> (String, String, Option<NaiveDate>) {
    let field = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let result = field("result");
    let findings = field("findings");
    let deadline = match result.as_str() {
        "pass" => None,
        "rectify" => {
            if !(1..=5000).contains(&findings.chars().count()) {
                errors.add("findings", "请写明需要整改的问题（5000字以内）。");
            }
            match field("deadline").parse::<NaiveDate>() {
                Ok(d) if d > today => Some(d),
                _ => {
                    errors.add("deadline", "请填写今天以后的整改期限（如 2027-03-31）。");
                    None
                }
            }
        }
        "delist" if may_delist => {
            if findings.is_empty() {
                errors.add("findings", "请写明取消资格的理由。");
            }
            None
        }
        _ => {
            errors.add("result", "请选择复评结论。");
            None
        }
    };
    (result, findings, deadline)
}

pub(crate) async fn decide_re_review(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, id, pid)): Path<(String, i64, i64)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let entry = monitoring::re_review_parks(&state.db, tenant_id, id)
        .await?
        .into_iter()
        .find(|p| p.id == pid)
        .ok_or(AppError::NotFound)?;
    let park = titles::get(&state.db, tenant_id, ParkScope::Bureau, entry.award_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = WorkflowRules::for_rule_set(&super::rules_of(&state, tenant_id, &park).await?);
    let mut errors = FieldErrors::default();
    let may_delist = rules.delist_without_rectification;
    let (result, findings, deadline) =
        re_review_form(&form, state.clock.today(), may_delist, &mut errors);
    if !errors.is_empty() {
        return show_re_review(ctx, &state, tenant_id, id, pid, form, errors).await;
    }
    let decision = ReReviewDecision {
        round: id,
        entry: pid,
        result: &result,
        findings: &findings,
        deadline,
    };
    let by = client.by(&user);
    let message =
        service::decide_re_review(&state, tenant_id, &by, &park, &rules, &decision).await?;
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/monitoring/re-reviews/{id}", user.home_url())).into_response())
}

#[derive(Template)]
#[template(path = "monitoring/rectification.html")]
struct OrderPage {
    ctx: PageCtx,
    /// The article that delists a park not rectified in time, as the park's rule set cites it.
    basis: String,
    order: monitoring::Order,
    responses: Vec<monitoring::Response>,
    errors: FieldErrors,
}

pub(crate) async fn order_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    show_order(ctx, &state, user.tenant()?, id, FieldErrors::default()).await
}

async fn show_order(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let order = monitoring::order(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let basis = super::rules_for_version(
        state,
        tenant_id,
        order_rule_set(state, tenant_id, &order).await?,
    )
    .await?
    .texts
    .rectification_basis;
    let page = OrderPage {
        basis,
        responses: monitoring::responses(&state.db, tenant_id, id).await?,
        order,
        ctx,
        errors,
    };
    render_with(page.errors.status(), &page)
}

async fn order_rule_set(
    state: &AppState,
    tenant_id: i64,
    order: &monitoring::Order,
) -> AppResult<i64> {
    Ok(
        titles::get(&state.db, tenant_id, ParkScope::Bureau, order.award_id)
            .await?
            .ok_or(AppError::NotFound)?
            .rule_set_version_id,
    )
}

/// The bureau's check of a rectification report: accepted restores the title; rejected sends
/// the order back to the operator, who may answer again until the deadline.
pub(crate) async fn verdict(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let order = monitoring::order(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let verdict = form.get("verdict").map(String::as_str).unwrap_or("");
    let reason = form.get("reason").map(|s| s.trim()).unwrap_or("");
    let mut errors = FieldErrors::default();
    match verdict {
        "accepted" => {}
        "rejected" if !reason.is_empty() => {}
        "rejected" => errors.add("reason", "不予通过时请写明理由。"),
        _ => errors.add("verdict", "请选择验收结论。"),
    }
    if !errors.is_empty() {
        return show_order(ctx, &state, tenant_id, id, errors).await;
    }
    let by = client.by(&user);
    service::judge_rectification(&state, tenant_id, &by, &order, verdict, reason).await?;
    flash(
        &session,
        "success",
        if verdict == "accepted" {
            "整改验收通过，园区恢复为有效。"
        } else {
            "整改报告不予通过，已退回园区继续整改。"
        },
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}/monitoring/rectifications/{id}",
        user.home_url()
    ))
    .into_response())
}

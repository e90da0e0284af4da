//! The operator's side of supervision: its awarded parks, the quarterly data reports it owes,
//! and its answers to rectification orders.
use super::{Owed, owed, parse_park_report};
use crate::auth::CurrentUser;
use crate::db::monitoring::{self, Order, Report, ReportVersion};
use crate::db::titles::{self, Park, ParkScope};
use crate::domain::monitoring::{ParkReport, Period, ReportKind};
use crate::error::{AppError, AppResult};
use crate::service::monitoring as service;
use crate::state::AppState;
use crate::web::files::read_upload;
use crate::web::page::{FieldErrors, PageCtx, flash, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use tower_sessions::Session;

fn scope(user: &CurrentUser) -> AppResult<ParkScope> {
    user.organization_id
        .map(ParkScope::Organization)
        .ok_or(AppError::NotFound)
}

async fn own_park(state: &AppState, user: &CurrentUser, award: i64) -> AppResult<Park> {
    titles::get(&state.db, user.tenant()?, scope(user)?, award)
        .await?
        .ok_or(AppError::NotFound)
}

/// The operator home's list of its awarded parks.
pub async fn parks_of(state: &AppState, user: &CurrentUser) -> AppResult<Vec<Park>> {
    match user.organization_id {
        Some(org) => {
            Ok(titles::list(&state.db, user.tenant()?, ParkScope::Organization(org)).await?)
        }
        None => Ok(Vec::new()),
    }
}

#[derive(Template)]
#[template(path = "operator/park.html")]
struct ParkPage {
    ctx: PageCtx,
    park: Park,
    owed: Vec<Owed>,
    next: Owed,
    orders: Vec<(Order, Vec<monitoring::Response>)>,
    notices: Vec<String>,
    errors: FieldErrors,
    max_mb: usize,
}

pub(crate) async fn park_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, award)): Path<(String, i64)>,
) -> AppResult<Response> {
    show_park(ctx, &state, &user, award, FieldErrors::default()).await
}

async fn show_park(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    award: i64,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let park = own_park(state, user, award).await?;
    let settings = monitoring::settings(&state.db, tenant_id).await?;
    let filed = monitoring::reports(&state.db, tenant_id, Some(award), None).await?;
    let (owed, next) = owed(
        &settings,
        ReportKind::ParkQuarter,
        park.awarded_on,
        state.clock.today(),
        &filed,
    );
    let mut orders = Vec::new();
    for o in monitoring::orders(&state.db, tenant_id, Some(award)).await? {
        let responses = monitoring::responses(&state.db, tenant_id, o.id).await?;
        orders.push((o, responses));
    }
    let mut notices = urgings(state, tenant_id, &park).await?;
    notices.extend(expiry_notices(state, tenant_id, &park).await?);
    let page = ParkPage {
        ctx,
        owed: if park.holds_title() { owed } else { Vec::new() },
        next,
        orders,
        notices,
        errors,
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        park,
    };
    render_with(page.errors.status(), &page)
}

/// The bureau's urgings (催报) of this park's quarterly reports that are still not filed, in
/// words for the operator: when, for which quarter, and the grace date. (Zhongshan 第十五条's
/// revocation for unreported data presupposes that the operator was told.)
pub async fn urgings(state: &AppState, tenant_id: i64, park: &Park) -> AppResult<Vec<String>> {
    let reminders = monitoring::reminders_of_award(&state.db, tenant_id, park.award_id).await?;
    if reminders.is_empty() {
        return Ok(Vec::new());
    }
    let filed = monitoring::reports(&state.db, tenant_id, Some(park.award_id), None).await?;
    let today = state.clock.today();
    let kind = ReportKind::ParkQuarter;
    Ok(reminders
        .into_iter()
        .filter(|m| m.kind == kind.as_str())
        .filter(|m| {
            !filed
                .iter()
                .any(|r| r.year == m.year && r.period == m.period && r.state != "returned")
        })
        .map(|m| {
            let period = Period {
                year: m.year,
                period: m.period as u8,
            };
            let lapsed = if m.grace_until < today {
                "宽限期已过，请立即报送。"
            } else {
                ""
            };
            let note = if m.note.is_empty() {
                String::new()
            } else {
                format!("（{}）", m.note)
            };
            format!(
                "市商务局（{}）于 {} 催报{}{}：请于 {} 前报送{}。{lapsed}",
                m.sent_by_name,
                crate::web::calls::shanghai_minute(m.sent_at),
                park.park_name,
                period.label(kind),
                m.grace_until,
                note,
            )
        })
        .collect())
}

/// The expiry reminders the system has made for a park, in words.
pub async fn expiry_notices(
    state: &AppState,
    tenant_id: i64,
    park: &Park,
) -> AppResult<Vec<String>> {
    let Some(until) = park.valid_until.filter(|_| park.holds_title()) else {
        return Ok(Vec::new());
    };
    // The nearer reminder says all the earlier one did.
    let kinds: Vec<String> = monitoring::notices(&state.db, tenant_id)
        .await?
        .into_iter()
        .filter(|(a, _)| *a == park.award_id)
        .map(|(_, kind)| kind)
        .collect();
    let days = if kinds.iter().any(|k| k == "expiry_30") {
        30
    } else if kinds.is_empty() {
        return Ok(Vec::new());
    } else {
        90
    };
    let basis = super::rules_of(state, tenant_id, park)
        .await?
        .texts
        .expiry_basis;
    let basis = if basis.is_empty() {
        String::new()
    } else {
        format!("（{basis}）")
    };
    Ok(vec![format!(
        "认定有效期至 {until}，距到期已不足 {days} 天。期满后需重新认定{basis}，请关注下一年度申报通知。"
    )])
}

#[derive(Template)]
#[template(path = "operator/report.html")]
struct ReportPage {
    ctx: PageCtx,
    park: Park,
    /// The bureau's urgings of this quarter, if it is still not filed.
    urged: Vec<String>,
    label: String,
    action: String,
    report: Option<Report>,
    versions: Vec<ReportVersion>,
    reviews: Vec<monitoring::ReportReview>,
    can_file: bool,
    due: chrono::NaiveDate,
    currency: &'static str,
    transactions: bool,
    /// "其中在综试区线上服务平台备案的企业（家）", in the rule set's words.
    registered_label: String,
    form: BTreeMap<String, String>,
    errors: FieldErrors,
}

impl ReportPage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    /// The numeric fields, as (name, label, hint).
    fn fields(&self) -> Vec<(&'static str, String, &'static str)> {
        let money = |what: &str| format!("本季度跨境电商{what}（{}）", self.currency);
        let mut v = vec![("trade", money("进出口额"), "海关监管平台项下，整数")];
        if self.transactions {
            v.push((
                "transactions",
                money("交易额"),
                "以本市跨境电商公共服务平台统计监测为准",
            ));
        }
        v.extend([
            (
                "enterprises",
                "季末入驻企业总数（家）".to_string(),
                "含非跨境电商企业",
            ),
            ("cbec_operating", "跨境电商经营企业（家）".to_string(), ""),
            ("cbec_platform", "跨境电商平台企业（家）".to_string(), ""),
            ("cbec_payment", "跨境电商支付企业（家）".to_string(), ""),
            (
                "cbec_logistics",
                "跨境电商物流、供应链企业（家）".to_string(),
                "",
            ),
            ("cbec_other", "其他跨境电商企业（家）".to_string(), ""),
            ("registered", self.registered_label.clone(), ""),
            (
                "active",
                "其中本季度已开展业务的备案企业（家）".to_string(),
                "用于计算备案企业活跃率",
            ),
            (
                "events_self",
                "本季度自办跨境电商活动（场）".to_string(),
                "",
            ),
            (
                "events_joint",
                "本季度与商务部门、平台联合开展的活动（场）".to_string(),
                "",
            ),
        ]);
        v
    }
}

/// A quarter the park may report: ended, after the award, while the title is held.
fn fileable(park: &Park, period: Period, today: chrono::NaiveDate) -> bool {
    service::check_fileable(park, period, today).is_ok()
}

async fn report_view(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    award: i64,
    period: Period,
    form: Option<BTreeMap<String, String>>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let park = own_park(state, user, award).await?;
    if !period.is_valid(ReportKind::ParkQuarter) {
        return Err(AppError::NotFound);
    }
    let rules = super::rules_of(state, tenant_id, &park).await?;
    let report = monitoring::reports(&state.db, tenant_id, Some(award), None)
        .await?
        .into_iter()
        .find(|r| r.period() == period);
    let (versions, reviews) = match &report {
        Some(r) => (
            monitoring::versions(&state.db, tenant_id, r.id).await?,
            monitoring::reviews(&state.db, tenant_id, r.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let can_file = fileable(&park, period, state.clock.today())
        && report.as_ref().is_none_or(|r| r.state == "returned");
    let form = form.unwrap_or_else(|| {
        versions
            .last()
            .and_then(|v| v.park())
            .map(|p| form_of(&p))
            .unwrap_or_default()
    });
    let due = monitoring::settings(&state.db, tenant_id)
        .await?
        .due_date(ReportKind::ParkQuarter, period);
    let urged = urgings(state, tenant_id, &park)
        .await?
        .into_iter()
        .filter(|u| u.contains(&period.label(ReportKind::ParkQuarter)))
        .collect();
    let page = ReportPage {
        urged,
        due,
        action: format!(
            "{}/parks/{award}/reports/{}/{}",
            ctx.home(),
            period.year,
            period.period
        ),
        label: period.label(ReportKind::ParkQuarter),
        currency: super::currency_label(&rules),
        transactions: rules.id == "zhongshan-2022",
        registered_label: registered_label(&rules),
        ctx,
        park,
        report,
        versions,
        reviews,
        can_file,
        form,
        errors,
    };
    render_with(page.errors.status(), &page)
}

fn registered_label(rules: &crate::domain::ruleset::RuleSet) -> String {
    let own = rules.texts.registration_column.trim_start_matches("是否");
    let own = if own.is_empty() { "备案" } else { own };
    format!("其中{own}的企业（家）")
}

/// A filed report back as form values (to start a resubmission from what was sent).
pub fn form_of(p: &ParkReport) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: u64| {
        m.insert(k.to_string(), v.to_string());
    };
    put("trade", p.trade);
    if let Some(t) = p.transactions {
        put("transactions", t);
    }
    put("enterprises", p.enterprises);
    for (k, v) in [
        "cbec_operating",
        "cbec_platform",
        "cbec_payment",
        "cbec_logistics",
        "cbec_other",
    ]
    .iter()
    .zip(p.cbec)
    {
        put(k, v);
    }
    put("registered", p.registered);
    put("active", p.active);
    put("events_self", p.events_self);
    put("events_joint", p.events_joint);
    m.insert("changes".into(), p.changes.clone());
    m
}

pub(crate) async fn report_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, award, year, period)): Path<(String, i64, i32, u8)>,
) -> AppResult<Response> {
    let period = Period { year, period };
    report_view(
        ctx,
        &state,
        &user,
        award,
        period,
        None,
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn report_file(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, award, year, period)): Path<(String, i64, i32, u8)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let period = Period { year, period };
    let park = own_park(&state, &user, award).await?;
    service::check_fileable(&park, period, state.clock.today())?;
    let rules = super::rules_of(&state, tenant_id, &park).await?;
    let mut errors = FieldErrors::default();
    let report = parse_park_report(&form, rules.id == "zhongshan-2022", &mut errors);
    if !errors.is_empty() {
        return report_view(ctx, &state, &user, award, period, Some(form), errors).await;
    }
    service::file_park_report(&state, tenant_id, &client.by(&user), &park, period, &report).await?;
    flash(
        &session,
        "success",
        format!(
            "{}数据报告已报送属地商务主管部门审核。",
            period.label(ReportKind::ParkQuarter)
        ),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}/parks/{award}/reports/{year}/{}",
        user.home_url(),
        period.period
    ))
    .into_response())
}

/// The operator's rectification report with evidence; the order waits for the bureau's check.
pub(crate) async fn rectification_respond(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    session: Session,
    State(state): State<AppState>,
    Path((_, award, order_id)): Path<(String, i64, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let park = own_park(&state, &user, award).await?;
    let order = monitoring::order(&state.db, tenant_id, order_id)
        .await?
        .filter(|o| o.award_id == park.award_id)
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "evidence",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let text = upload.field("report").trim().to_string();
    if !(10..=5000).contains(&text.chars().count()) {
        errors.add("report", "请写明整改情况（10–5000字）。");
    }
    if order.state != "open" {
        errors.add(
            "report",
            "该整改通知当前不接受整改报告（已提交待验收或已办结）。",
        );
    } else if order.deadline < state.clock.today() {
        errors.add("report", "整改期限已过，不能再提交整改报告。");
    }
    if !errors.is_empty() {
        return show_park(ctx, &state, &user, award, errors).await;
    }
    let (by, evidence): (_, Vec<_>) = (client.by(&user), upload.files().collect());
    service::respond_to_order(&state, tenant_id, &by, &order, &text, &evidence).await?;
    flash(&session, "success", "整改报告已提交，等待市商务局验收。").await?;
    Ok(Redirect::to(&format!("{}/parks/{award}", user.home_url())).into_response())
}

//! Pre-review by the county (推荐 / 不予推荐 / 退回修改, with the sealed letter and the manual
//! checks it attests) and the bureau's formal check (受理 / 退回 / 不予通过).
use super::operator::{ReviewLine, VersionPage, review_lines};
use super::{Loaded, VersionView, load, roster_of, version_view};
use crate::auth::CurrentUser;
use crate::db::applications::{self, Scope, Version};
use crate::domain::application_form::{self, FieldChange};
use crate::domain::roster::{self, RosterDiff};
use crate::domain::ruleset::Rule;
use crate::domain::workflow::ApplicationAction;
use crate::error::{AppError, AppResult};
use crate::service::applications::{Decision, decide};
use crate::service::forwarding::record_prereview;
use crate::state::AppState;
use crate::web::calls::shanghai_minute;
use crate::web::files::{self, read_upload};
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tower_sessions::Session;

fn reviewer_scope(user: &CurrentUser) -> AppResult<Scope> {
    files::scope_of(user).ok_or(AppError::Forbidden)
}

// ---------------------------------------------------------------------------------------------
// Lists

pub struct ListRow {
    pub id: i64,
    pub park_name: String,
    pub organization: String,
    pub uscc: String,
    pub county: String,
    pub call_title: String,
    pub state: String,
    pub state_label: &'static str,
    pub versions: i32,
    pub updated: String,
}

fn list_rows(apps: Vec<applications::Application>) -> Vec<ListRow> {
    apps.into_iter()
        .map(|a| ListRow {
            id: a.id,
            state_label: super::state_label(&a.state, a.version_count),
            park_name: a.park_name,
            organization: a.organization_name,
            uscc: a.organization_uscc,
            county: a.jurisdiction_name.unwrap_or_default(),
            call_title: a.call_title,
            state: a.state,
            versions: a.version_count,
            updated: shanghai_minute(a.updated_at),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "county/home.html")]
struct CountyHome {
    ctx: PageCtx,
    /// Calls with checked applications waiting to be forwarded together: (call, title, count).
    to_forward: Vec<(i64, String, i64)>,
    batches: Vec<crate::db::batches::Batch>,
    pending: Vec<ListRow>,
    others: Vec<ListRow>,
    todo: crate::service::todo::TodoList,
}

pub(crate) async fn county_home(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let rows =
        list_rows(applications::list(&state.db, user.tenant()?, reviewer_scope(&user)?).await?);
    let (pending, others) = rows.into_iter().partition(|r| r.state == "submitted");
    let jurisdiction = user
        .jurisdiction_id
        .ok_or(crate::error::AppError::NotFound)?;
    let todo =
        crate::service::todo::county(&state, user.tenant()?, jurisdiction, &ctx.home()).await?;
    use crate::db::batches;
    let tenant_id = user.tenant()?;
    render(&CountyHome {
        to_forward: batches::calls_with_pending(&state.db, tenant_id, jurisdiction).await?,
        batches: batches::list(&state.db, tenant_id, Some(jurisdiction), None).await?,
        ctx,
        pending,
        others,
        todo,
    })
}

#[derive(Template)]
#[template(path = "bureau/applications.html")]
struct BureauList {
    ctx: PageCtx,
    call: crate::db::calls::Call,
    rows: Vec<ListRow>,
    /// What the counties forwarded together (统一报送).
    batches: Vec<crate::db::batches::Batch>,
}

pub(crate) async fn bureau_list(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = crate::db::calls::get(&state.db, tenant_id, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = list_rows(applications::list_for_call(&state.db, tenant_id, call_id).await?);
    let batches = crate::db::batches::list(&state.db, tenant_id, None, Some(call_id)).await?;
    render(&BureauList {
        ctx,
        call,
        rows,
        batches,
    })
}

// ---------------------------------------------------------------------------------------------
// The review page

/// What changed from the previous version, for a resubmission.
pub struct VersionDiff {
    pub previous: i32,
    pub fields: Vec<FieldChange>,
    pub roster: RosterDiff,
}

pub struct Attestable {
    pub id: String,
    pub article: String,
    pub description: String,
    pub hint: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "applications/review.html")]
struct ReviewPage {
    ctx: PageCtx,
    base: String,
    stage: &'static str,
    loaded: Loaded,
    state_label: &'static str,
    version: Option<VersionView>,
    versions: Vec<(i32, String)>,
    diff: Option<VersionDiff>,
    reviews: Vec<ReviewLine>,
    attestable: Vec<Attestable>,
    actions: Vec<(&'static str, &'static str)>,
    form: OpinionForm,
    errors: FieldErrors,
    /// The bureau's view of the expert review, once the application is in it.
    review: Option<crate::service::results::ResultLine>,
    criteria: Vec<(String, String)>,
    history: Vec<crate::web::audit::HistoryLine>,
    /// What stands in the way of a decision the bureau might expect to take, said before it tries.
    blockers: Vec<String>,
    /// The county forwards only together (统一报送): its opinion is recorded, then batched.
    batch_only: bool,
    /// The county's opinion on this version, recorded and waiting for its batch.
    prereview: Option<crate::db::batches::Prereview>,
    /// The batches that forwarded versions of it: (batch id, number, county, rank, version).
    batches: Vec<(i64, i32, String, Option<i32>, i32)>,
    /// Its on-site inspections (现场考核), and whether the bureau may schedule one now.
    inspections: Vec<crate::db::inspections::Inspection>,
    can_schedule: bool,
    /// What the confirmed on-site record found short, which a decision may cite: (version, lines).
    inspection_findings: Option<(i32, Vec<String>)>,
    /// Third-party institutions commissioned to review it, and those it may be commissioned to.
    institution_reviews: Vec<crate::db::institutions::Review>,
    institutions: Vec<crate::db::institutions::Institution>,
}

impl ReviewPage {
    /// The decision section's heading: what the bureau decides at this stage.
    fn decision_title(&self) -> &'static str {
        match (self.stage, self.loaded.app.state.as_str()) {
            ("county", _) => "初审意见",
            (_, "reviewed") => "评审结论：是否列入拟认定名单",
            (_, "publicity_closed") => "认定决定",
            _ => "形式审查",
        }
    }
}

/// Why the bureau may not award now: a running bar on the operator (中山 第十二条, on every path
/// to a title) and objections undecided or upheld. Shown on the page, and the award refused.
async fn award_blockers(state: &AppState, loaded: &Loaded) -> AppResult<Vec<String>> {
    let mut blockers = Vec::new();
    let open = !matches!(
        loaded.app.state.as_str(),
        "awarded"
            | "rejected"
            | "not_awarded"
            | "disqualified"
            | "delisted"
            | "revoked"
            | "expired"
    );
    if open && let Some(bar) = crate::service::awards::bar_on(state, loaded).await? {
        blockers.push(bar);
    }
    if matches!(
        loaded.app.state.as_str(),
        "in_publicity" | "publicity_closed"
    ) {
        let (undecided, upheld) =
            crate::db::objections::standing(&state.db, loaded.tenant_id, loaded.app.id).await?;
        if let Err(e) =
            crate::domain::workflow::check_award_precondition(undecided as usize, upheld as usize)
        {
            blockers.push(format!("{e}：请先在“异议处理”中办结。"));
        }
    }
    Ok(blockers)
}

#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct OpinionForm {
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    comments: String,
    /// The bureau cites the confirmed on-site record's findings in its decision.
    #[serde(default)]
    cite_inspection: String,
}

pub(crate) async fn county_show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load(&state, user.tenant()?, reviewer_scope(&user)?, id).await?;
    review_page(
        ctx,
        &state,
        &user,
        loaded,
        OpinionForm::default(),
        BTreeMap::new(),
        FieldErrors::default(),
    )
    .await
}

pub(crate) async fn bureau_show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load(&state, user.tenant()?, Scope::Bureau, id).await?;
    review_page(
        ctx,
        &state,
        &user,
        loaded,
        OpinionForm::default(),
        BTreeMap::new(),
        FieldErrors::default(),
    )
    .await
}

fn is_county(user: &CurrentUser) -> bool {
    user.role() == crate::domain::role::Role::County
}

/// The opinions this user can give now.
fn actions_for(user: &CurrentUser, state: &str) -> Vec<(&'static str, &'static str)> {
    match (is_county(user), state) {
        (true, "submitted") => vec![
            ("recommend", "推荐"),
            ("not_recommend", "不予推荐"),
            ("return", "退回修改"),
        ],
        (false, "forwarded") => vec![
            ("accept", "受理，进入评审"),
            ("return", "退回修改"),
            ("reject", "不予通过"),
        ],
        (false, "reviewed") => vec![("shortlist", "列入拟认定名单"), ("reject", "不予通过")],
        (false, "publicity_closed") => vec![("award", "认定"), ("not_award", "不予认定")],
        _ => Vec::new(),
    }
}

/// The manual checks of the rule set: what the county attests with its recommendation.
fn attestable(loaded: &Loaded, attested: &BTreeMap<String, bool>) -> Vec<Attestable> {
    loaded
        .rules
        .checks
        .iter()
        .filter(|c| matches!(c.rule, Rule::Manual))
        .map(|c| Attestable {
            id: c.id.clone(),
            article: c.article.clone(),
            description: c.description.clone(),
            hint: c.hint.clone().unwrap_or_default(),
            checked: attested.get(&c.id).copied().unwrap_or(false),
        })
        .collect()
}

async fn review_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    form: OpinionForm,
    attested: BTreeMap<String, bool>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let id = loaded.app.id;
    let all: Vec<Version> = applications::versions(&state.db, tenant_id, id).await?;
    let latest = all.last();
    let diff = match all.as_slice() {
        [.., previous, current] => Some(VersionDiff {
            previous: previous.number,
            fields: application_form::diff(&loaded.spec, &previous.form.0, &current.form.0),
            roster: roster::diff(
                &roster_of(&previous.roster.0),
                &roster_of(&current.roster.0),
            ),
        }),
        _ => None,
    };
    let in_or_after_review = !matches!(
        loaded.app.state.as_str(),
        "draft" | "submitted" | "forwarded"
    );
    let review = if !is_county(user) && in_or_after_review {
        Some(crate::service::results::line(state, &loaded).await?)
    } else {
        None
    };
    let criteria = loaded
        .rules
        .criteria
        .iter()
        .map(|c| (c.name.clone(), c.max.to_string()))
        .collect();
    let blockers = if is_county(user) {
        Vec::new()
    } else {
        award_blockers(state, &loaded).await?
    };
    let mut actions = actions_for(user, &loaded.app.state);
    if !blockers.is_empty() {
        actions.retain(|(code, _)| *code != "award");
    }
    let prereview = match is_county(user) {
        true => {
            let mut conn = state.db.acquire().await?;
            crate::db::batches::pending_prereview(&mut conn, tenant_id, id).await?
        }
        false => None,
    };
    let (form, attested) = match (&prereview, form.opinion.is_empty()) {
        (Some(p), true) => (
            OpinionForm {
                opinion: p.opinion.clone(),
                comments: p.comments.clone(),
                cite_inspection: String::new(),
            },
            p.attestations.0.clone(),
        ),
        _ => (form, attested),
    };
    let inspection_findings = match is_county(user) {
        true => None,
        false => crate::service::inspections::findings_to_cite(state, &loaded).await?,
    };
    let (institution_reviews, institutions) = match is_county(user) {
        true => (Vec::new(), Vec::new()),
        false => (
            crate::db::institutions::of_application(&state.db, tenant_id, id).await?,
            crate::db::institutions::list(&state.db, tenant_id).await?,
        ),
    };
    let page = ReviewPage {
        institution_reviews,
        institutions,
        inspections: crate::db::inspections::of_application(&state.db, tenant_id, id).await?,
        can_schedule: !is_county(user) && loaded.app.state == "in_review",
        inspection_findings,
        batch_only: crate::service::forwarding::batch_only(&loaded),
        prereview,
        batches: crate::db::batches::of_application(&state.db, tenant_id, id).await?,
        blockers,
        history: crate::web::audit::application_history(state, loaded.tenant_id, id).await?,
        review,
        criteria,
        base: format!("{}/applications/{id}", user.home_url()),
        stage: if is_county(user) { "county" } else { "bureau" },
        state_label: super::state_label(&loaded.app.state, loaded.app.version_count),
        version: latest.map(|v| version_view(&loaded, v)),
        versions: all
            .iter()
            .map(|v| (v.number, shanghai_minute(v.submitted_at)))
            .collect(),
        diff,
        reviews: review_lines(state, &loaded).await?,
        attestable: attestable(&loaded, &attested),
        actions,
        loaded,
        form,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

/// The county's opinion: a multipart form, because the sealed letter comes with it.
pub(crate) async fn county_opinion(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load(&state, tenant_id, reviewer_scope(&user)?, id).await?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "letter",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let form = OpinionForm {
        opinion: upload.field("opinion").to_string(),
        comments: upload.field("comments").trim().to_string(),
        cite_inspection: String::new(),
    };
    let manual = attestable(&loaded, &BTreeMap::new());
    let attested: BTreeMap<String, bool> = manual
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                upload.field(&format!("attest.{}", a.id)) == "on",
            )
        })
        .collect();
    let action = match form.opinion.as_str() {
        "recommend" | "not_recommend" => ApplicationAction::Forward,
        "return" => ApplicationAction::Return,
        _ => {
            errors.add("opinion", "请选择初审意见。");
            ApplicationAction::Forward
        }
    };
    if form.opinion != "recommend" && form.comments.is_empty() {
        errors.add("comments", "不予推荐或退回修改时，请写明理由。");
    }
    let batch_only = crate::service::forwarding::batch_only(&loaded);
    if action == ApplicationAction::Forward
        && !batch_only
        && upload.file.is_none()
        && errors.get("letter").is_none()
    {
        errors.add("letter", "请上传加盖公章的推荐意见（PDF 或图片）。");
    }
    if form.opinion == "recommend" && attested.values().any(|v| !v) {
        errors.add(
            "attest",
            "推荐前请逐项核实并确认下列须由属地商务主管部门确认的条件；不符合的，请选择“不予推荐”。",
        );
    }
    if !errors.is_empty() {
        return review_page(ctx, &state, &user, loaded, form, attested, errors).await;
    }
    if batch_only && action == ApplicationAction::Forward {
        let by = client.by(&user);
        record_prereview(
            &state,
            &loaded,
            &by,
            &form.opinion,
            &form.comments,
            &attested,
        )
        .await?;
        let message = "初审意见已记录。请在本页与其他申报一并统一报送市商务局。";
        flash(&session, "success", message).await?;
        let batch = format!("{}/calls/{}/batch", user.home_url(), loaded.call.id);
        return Ok(Redirect::to(&batch).into_response());
    }
    let decision = Decision {
        results: None,
        stage: "county",
        action,
        opinion: &form.opinion,
        comments: &form.comments,
        attestations: &attested,
        letter: upload.file.as_ref(),
    };
    decide(&state, &loaded, &client.by(&user), &decision).await?;
    let message = match form.opinion.as_str() {
        "return" => "已退回申报单位修改。",
        _ => "初审意见已报送市商务局。",
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&user.home_url()).into_response())
}

pub(crate) async fn bureau_decision(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<OpinionForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load(&state, tenant_id, Scope::Bureau, id).await?;
    let mut form = OpinionForm {
        comments: form.comments.trim().to_string(),
        ..form
    };
    if form.cite_inspection == "on"
        && let Some((version, lines)) =
            crate::service::inspections::findings_to_cite(&state, &loaded).await?
        && !lines.is_empty()
    {
        let cited = format!("依据现场考核记录（第{version}版）：{}", lines.join("；"));
        form.comments = [form.comments.as_str(), cited.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut errors = FieldErrors::default();
    if form.opinion == "award" {
        let tier = crate::service::results::line(&state, &loaded)
            .await?
            .evaluation
            .and_then(|e| e.tier);
        let city = ctx.tenant()?.city.clone();
        let number = crate::service::awards::award(
            &state,
            &loaded,
            &city,
            &client.by(&user),
            tier,
            &form.comments,
        )
        .await?;
        flash(&session, "success", format!("已认定，证书编号 {number}。")).await?;
        return Ok(Redirect::to(&format!("{}/applications/{id}", user.home_url())).into_response());
    }
    if form.opinion == "not_award" {
        let (_, upheld) =
            crate::db::objections::standing(&state.db, tenant_id, loaded.app.id).await?;
        crate::domain::workflow::check_not_award_precondition(upheld as usize)
            .map_err(crate::db::transition::refused)?;
    }
    let after_review = loaded.app.state == "reviewed";
    let action = match form.opinion.as_str() {
        "accept" => ApplicationAction::Accept,
        "return" => ApplicationAction::Return,
        "reject" => ApplicationAction::Reject,
        "shortlist" => ApplicationAction::Shortlist,
        "not_award" => ApplicationAction::NotAward,
        _ => {
            errors.add("opinion", "请选择审查意见。");
            ApplicationAction::Accept
        }
    };
    if !matches!(
        action,
        ApplicationAction::Accept | ApplicationAction::Shortlist
    ) && form.comments.is_empty()
    {
        errors.add("comments", "退回或不予通过时，请写明理由。");
    }
    // A decision after review rests on the complete, explained results, frozen with it.
    let line = if after_review {
        Some(crate::service::results::line(&state, &loaded).await?)
    } else {
        None
    };
    if let Some(l) = &line
        && !l.decidable()
    {
        errors.add("opinion", "离群专家尚未书面说明评分理由，暂不能作出决定。");
    }
    if !errors.is_empty() {
        return review_page(ctx, &state, &user, loaded, form, BTreeMap::new(), errors).await;
    }
    let results = match &line {
        Some(l) => {
            Some(serde_json::to_value(&l.evaluation).map_err(|e| AppError::Internal(e.into()))?)
        }
        None => None,
    };
    let decision = Decision {
        results: results.as_ref(),
        stage: if after_review { "decision" } else { "bureau" },
        action,
        opinion: &form.opinion,
        comments: &form.comments,
        attestations: &BTreeMap::new(),
        letter: None,
    };
    decide(&state, &loaded, &client.by(&user), &decision).await?;
    flash(
        &session,
        "success",
        format!("已{}。", applications::opinion_label(&form.opinion)),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}/calls/{}/applications",
        user.home_url(),
        loaded.call.id
    ))
    .into_response())
}

pub(crate) async fn version_for_reviewer(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<Response> {
    let loaded = load(&state, user.tenant()?, reviewer_scope(&user)?, id).await?;
    let base = format!("{}/applications/{id}", user.home_url());
    render_version(ctx, &state, &user, loaded, n, base).await
}

pub(crate) async fn printed_for_reviewer(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id, n, format)): Path<(String, i64, i32, String)>,
) -> AppResult<Response> {
    let loaded = load(&state, user.tenant()?, reviewer_scope(&user)?, id).await?;
    let base = format!("{}/applications/{id}", user.home_url());
    render_printed(ctx, &state, &user, loaded, (n, &format), base).await
}

/// Version `n` of the application, as submitted (404 when there is none).
async fn frozen_version(
    state: &AppState,
    user: &CurrentUser,
    loaded: &Loaded,
    n: i32,
) -> AppResult<applications::Version> {
    applications::versions(&state.db, user.tenant()?, loaded.app.id)
        .await?
        .into_iter()
        .find(|v| v.number == n)
        .ok_or(AppError::NotFound)
}

/// A frozen version as its A4 print page (`print`) or PDF (`pdf`).
pub async fn render_printed(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    (n, format): (i32, &str),
    base: String,
) -> AppResult<Response> {
    let v = &frozen_version(state, user, &loaded, n).await?;
    let doc = super::print::printed(&loaded, v, &ctx.tenant()?.city);
    let version_url = format!("{base}/versions/{n}");
    match format {
        "print" => render(&super::print::PrintPage {
            ctx,
            pdf: format!("{version_url}/pdf"),
            back: version_url,
            doc,
        }),
        "pdf" => {
            let bytes = super::print::pdf(&doc).map_err(|e| {
                AppError::Internal(anyhow::Error::new(e).context("rendering a version as PDF"))
            })?;
            Ok(crate::web::files::attachment(
                bytes,
                crate::io::storage::FileKind::Pdf,
                &doc.file_name(),
            ))
        }
        _ => Err(AppError::NotFound),
    }
}

pub async fn render_version(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    n: i32,
    base: String,
) -> AppResult<Response> {
    let v = &frozen_version(state, user, &loaded, n).await?;
    let version = version_view(&loaded, v);
    render(&VersionPage {
        ctx,
        base,
        loaded,
        version,
    })
}

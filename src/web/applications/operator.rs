//! The operator's side: apply to an open call, fill in the form (附件1/2), keep the roster
//! (附件3), attach documents, watch the self-check, submit; after a return, edit and resubmit.
use super::{CheckRow, Loaded, check_rows, evaluate_form, load, require_draft, roster_of};
use crate::auth::CurrentUser;
use crate::db::applications::{self, FormValues, Scope};
use crate::db::calls::{self, Audience};
use crate::db::documents::{self, Document};
use crate::db::jurisdictions;
use crate::db::organizations::{self, Organization};
use crate::domain::application_form::{self, FieldChange};
use crate::domain::roster::RosterRow;
use crate::error::{AppError, AppResult};
use crate::service::applications::{self as use_case, county_term};
use crate::service::drafts::{self, FormSave};
use crate::state::AppState;
use crate::web::calls::{CallView, shanghai_minute};
use crate::web::files::read_upload;
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::register::{OrgForm, jurisdiction_options};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

fn org_scope(user: &CurrentUser) -> AppResult<Scope> {
    user.organization_id
        .map(Scope::Organization)
        .ok_or(AppError::Forbidden)
}

pub(super) async fn load_own(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Loaded> {
    load(state, user.tenant()?, org_scope(user)?, id).await
}

pub(super) fn app_url(user: &CurrentUser, id: i64) -> String {
    format!("{}/applications/{id}", user.home_url())
}

// ---------------------------------------------------------------------------------------------
// Home

pub struct AppRow {
    pub id: i64,
    pub park_name: String,
    pub call_title: String,
    pub state_label: &'static str,
    pub version_count: i32,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "operator/home.html")]
struct Home {
    ctx: PageCtx,
    org: Option<Organization>,
    open_calls: Vec<CallView>,
    applications: Vec<AppRow>,
    /// Awarded parks of the organization (dynamic management).
    parks: Vec<crate::db::titles::Park>,
    /// Why the organization may not apply now (中山 第十二条), if it may not.
    bar: Option<String>,
    /// The bureau's urgings of reports still not filed, across its parks.
    urgings: Vec<String>,
    todo: crate::service::todo::TodoList,
}

/// The bar on reapplying after a revocation (中山 第十二条: 三年内不得重新申报), in words, if it
/// still runs on `today` for this USCC.
pub async fn reapply_bar(
    state: &AppState,
    tenant_id: i64,
    uscc: &str,
    today: chrono::NaiveDate,
) -> AppResult<Option<String>> {
    Ok(
        crate::db::monitoring::bar_for(&state.db, tenant_id, uscc, today)
            .await?
            .map(|r| {
                format!(
                    "本单位（统一社会信用代码 {}）运营的{}已于 {} 被撤销称号（{}），{}。",
                    r.uscc,
                    r.park_name,
                    r.revoked_on,
                    r.article,
                    r.bar_text()
                )
            }),
    )
}

pub(crate) async fn home(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let org = organizations::of_user(&state.db, tenant_id, user.id).await?;
    let now = state.clock.now();
    let open_calls = calls::list(&state.db, tenant_id, Audience::Public)
        .await?
        .into_iter()
        .filter(|c| {
            c.state == crate::domain::workflow::CallState::Open
                && c.opens_at <= now
                && now < c.deadline
        })
        .map(|c| CallView::new(c, now))
        .collect();
    let applications = applications::list(&state.db, tenant_id, org_scope(&user)?)
        .await?
        .into_iter()
        .map(|a| AppRow {
            id: a.id,
            park_name: a.park_name,
            call_title: a.call_title,
            state_label: super::state_label(&a.state, a.version_count),
            version_count: a.version_count,
            updated: shanghai_minute(a.updated_at),
        })
        .collect();
    let bar = match &org {
        Some(o) => reapply_bar(&state, tenant_id, &o.uscc, state.clock.today()).await?,
        None => None,
    };
    let parks = crate::web::monitoring::operator::parks_of(&state, &user).await?;
    let mut urgings = Vec::new();
    for park in parks.iter().filter(|p| p.holds_title()) {
        urgings.extend(crate::web::monitoring::operator::urgings(&state, tenant_id, park).await?);
    }
    let todo = match user.organization_id {
        Some(org) => crate::service::todo::operator(&state, tenant_id, org, &ctx.home()).await?,
        None => crate::service::todo::TodoList::new(Vec::new(), state.clock.today()),
    };
    render(&Home {
        todo,
        parks,
        urgings,
        ctx,
        org,
        open_calls,
        applications,
        bar,
    })
}

#[derive(Template)]
#[template(path = "operator/organization.html")]
struct OrganizationPage {
    ctx: PageCtx,
    org: OrgForm,
    jurisdictions: Vec<(String, String)>,
    errors: FieldErrors,
}

async fn own_organization(state: &AppState, user: &CurrentUser) -> AppResult<Organization> {
    let org_id = user.organization_id.ok_or(AppError::Forbidden)?;
    organizations::get(&state.db, user.tenant()?, org_id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn organization_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let org = own_organization(&state, &user).await?;
    let form = OrgForm {
        name: org.name,
        uscc: org.uscc,
        jurisdiction_id: org
            .jurisdiction_id
            .map(|j| j.to_string())
            .unwrap_or_default(),
        address: org.address,
        legal_representative: org.legal_representative,
        contact_name: org.contact_name,
        contact_phone: org.contact_phone,
    };
    render(&OrganizationPage {
        jurisdictions: jurisdiction_options(&state, user.tenant()?).await?,
        ctx,
        org: form,
        errors: FieldErrors::default(),
    })
}

pub(crate) async fn organization_save(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(mut form): Form<OrgForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let org = own_organization(&state, &user).await?;
    // The USCC identifies the organization: whatever was posted, it stays.
    form.uscc = org.uscc.clone();
    let mut errors = FieldErrors::default();
    let jurisdiction_id = form.validate(&state, tenant_id, false, &mut errors).await?;
    let (Some(jurisdiction_id), true) = (jurisdiction_id, errors.is_empty()) else {
        let page = OrganizationPage {
            jurisdictions: jurisdiction_options(&state, tenant_id).await?,
            ctx,
            org: form,
            errors,
        };
        return render_with(page.errors.status(), &page);
    };
    let fields = form.fields(jurisdiction_id);
    drafts::update_organization(&state, tenant_id, &client.by(&user), &org, &fields).await?;
    flash(&session, "success", "单位信息已保存。").await?;
    Ok(Redirect::to(&user.home_url()).into_response())
}

pub(crate) async fn apply(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let org_id = user.organization_id.ok_or(AppError::Forbidden)?;
    let call = calls::get(&state.db, tenant_id, call_id)
        .await?
        .filter(|c| c.state != crate::domain::workflow::CallState::Draft)
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    if call.state != crate::domain::workflow::CallState::Open
        || now >= call.deadline
        || now < call.opens_at
    {
        return Err(AppError::Conflict(
            "该申报通知当前不在申报时间内，不能新建申报。".into(),
        ));
    }
    let org = organizations::get(&state.db, tenant_id, org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(bar) = reapply_bar(&state, tenant_id, &org.uscc, state.clock.today()).await? {
        return Err(AppError::Conflict(bar));
    }
    let id = drafts::open_application(&state, tenant_id, &client.by(&user), call_id, &org).await?;
    Ok(Redirect::to(&format!("{}/form", app_url(&user, id))).into_response())
}

// ---------------------------------------------------------------------------------------------
// Overview and submission

pub struct VersionLink {
    pub number: i32,
    pub submitted_at: String,
    pub submitted_by: String,
}

pub struct ReviewLine {
    pub version_number: i32,
    pub stage: &'static str,
    pub opinion: &'static str,
    pub comments: String,
    pub by: String,
    pub at: String,
    /// The manual checks the county attested, as "article description".
    pub attested: Vec<String>,
    /// The sealed letter: document id and file name.
    pub letter: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "operator/application.html")]
struct ShowPage {
    ctx: PageCtx,
    base: String,
    loaded: Loaded,
    state_label: &'static str,
    deadline: String,
    checks: Vec<CheckRow>,
    verdict: &'static str,
    warnings: Vec<String>,
    roster_count: usize,
    documents: Vec<Document>,
    versions: Vec<VersionLink>,
    reviews: Vec<ReviewLine>,
    missing: Vec<Missing>,
    errors: FieldErrors,
    submit_token: String,
    can_edit: bool,
    max_mb: usize,
    history: Vec<crate::web::audit::HistoryLine>,
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    show_page(ctx, &state, &user, loaded, FieldErrors::default()).await
}

async fn show_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let id = loaded.app.id;
    let roster = roster_of(&loaded.app.roster.0);
    let evaluation = evaluate_form(&loaded, &loaded.app.form.0, &roster, state.clock.today());
    let documents = documents::attached_to_application(&state.db, tenant_id, id).await?;
    let missing = completeness(&loaded, &app_url(user, id), &roster, &documents);
    let versions = applications::versions(&state.db, tenant_id, id)
        .await?
        .into_iter()
        .map(|v| VersionLink {
            number: v.number,
            submitted_at: shanghai_minute(v.submitted_at),
            submitted_by: v.submitted_by_name,
        })
        .collect();
    let page = ShowPage {
        history: crate::web::audit::application_history(state, loaded.tenant_id, id).await?,
        base: app_url(user, id),
        state_label: super::state_label(&loaded.app.state, loaded.app.version_count),
        deadline: shanghai_minute(loaded.call.deadline),
        checks: check_rows(&loaded.rules, &evaluation, applied_tier(&loaded.app.form.0)),
        verdict: super::verdict_label(&evaluation),
        warnings: evaluation
            .warnings
            .iter()
            .map(|w| w.message.clone())
            .collect(),
        roster_count: roster.len(),
        documents,
        versions,
        reviews: review_lines(state, &loaded).await?,
        missing,
        submit_token: uuid::Uuid::new_v4().to_string(),
        can_edit: loaded.app.state == "draft",
        max_mb: state.config.max_upload_bytes / (1024 * 1024),
        loaded,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub async fn review_lines(state: &AppState, loaded: &Loaded) -> AppResult<Vec<ReviewLine>> {
    let (tenant_id, id) = (loaded.tenant_id, loaded.app.id);
    let describe = |check: &str| {
        loaded
            .rules
            .checks
            .iter()
            .find(|c| c.id == check)
            .map(|c| format!("{} {}", c.article, c.description))
            .unwrap_or_else(|| check.to_string())
    };
    Ok(applications::reviews(&state.db, tenant_id, id)
        .await?
        .into_iter()
        .map(|r| ReviewLine {
            version_number: r.version_number,
            stage: match r.stage.as_str() {
                "county" => "属地初审",
                "decision" => "市商务局评审决定",
                _ => "市商务局形式审查",
            },
            opinion: r.opinion_label(),
            comments: r.comments.clone(),
            by: r.decided_by_name.clone(),
            at: shanghai_minute(r.decided_at),
            attested: r
                .attestations
                .0
                .iter()
                .filter(|(_, yes)| **yes)
                .map(|(check, _)| describe(check))
                .collect(),
            letter: r.letter_document_id.zip(r.letter_filename.clone()),
        })
        .collect())
}

/// One thing that still stops a submission, and where to fix it.
pub struct Missing {
    pub text: String,
    pub href: String,
}

/// What still stops a submission, in words: required fields, malformed values, the county, the
/// roster and the required documents. Each links to the place to fix it; the form marks its
/// fields when opened from here (`?check=1`).
fn completeness(
    loaded: &Loaded,
    app_base: &str,
    roster: &[RosterRow],
    documents: &[Document],
) -> Vec<Missing> {
    let base = format!("{app_base}/form?check=1");
    let field = |key: &str, message: &str| Missing {
        text: format!(
            "{}：{message}",
            loaded
                .spec
                .field(key)
                .map(|f| f.label.as_str())
                .unwrap_or(key)
        ),
        href: format!("{base}#f-{key}"),
    };
    let mut missing: Vec<Missing> = Vec::new();
    if loaded.app.jurisdiction_id.is_none() {
        missing.push(Missing {
            text: format!("园区所在{}：请选择", county_term(loaded)),
            href: format!("{base}#jurisdiction_id"),
        });
    }
    for (key, message) in field_problems(loaded, &loaded.app.form.0) {
        missing.push(field(&key, &message));
    }
    if roster.is_empty() {
        missing.push(Missing {
            text: format!("{}：请录入或导入", loaded.rules.texts.roster_title()),
            href: format!("{app_base}/roster"),
        });
    }
    for (category, label) in [
        ("uscc_certificate", "营业执照复印件"),
        ("report", "盖章的申报书扫描件"),
    ] {
        if !documents.iter().any(|d| d.category == category) {
            missing.push(Missing {
                text: format!("{label}：请上传"),
                href: "#documents".into(),
            });
        }
    }
    missing
}

/// Malformed values and required fields left empty, in form order.
fn field_problems(loaded: &Loaded, form: &FormValues) -> Vec<(String, String)> {
    let malformed = application_form::parse(&loaded.spec, form).errors;
    let empty = application_form::missing_for_submit(&loaded.spec, form);
    loaded
        .spec
        .fields()
        .filter_map(|f| {
            malformed
                .get(&f.key)
                .or_else(|| empty.get(&f.key))
                .map(|m| (f.key.clone(), m.clone()))
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    submit_token: String,
    #[serde(default)]
    lock_version: String,
    #[serde(default)]
    roster_lock_version: String,
}

/// Freezes the draft as a new immutable version and routes it to the park's county. One POST
/// makes one version: a repeated POST (double click, reload) finds the version its token made.
pub(crate) async fn submit(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<SubmitForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let token = uuid::Uuid::parse_str(&form.submit_token)
        .map_err(|_| AppError::BadRequest("提交表单已失效，请刷新页面后重试。".into()))?;
    if let Some(done) = already_submitted(&state, &user, id, token).await? {
        return Ok(done);
    }
    let loaded = load_own(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    if state.clock.now() >= loaded.call.deadline
        || loaded.call.state != crate::domain::workflow::CallState::Open
    {
        errors.add(
            "submit",
            format!(
                "申报已于 {} 截止，不能再提交。",
                shanghai_minute(loaded.call.deadline)
            ),
        );
        return show_page(ctx, &state, &user, loaded, errors).await;
    }
    let today = state.clock.today();
    if let Some(bar) = reapply_bar(&state, tenant_id, &loaded.app.organization_uscc, today).await? {
        errors.add("submit", bar);
        return show_page(ctx, &state, &user, loaded, errors).await;
    }
    if form.lock_version != loaded.app.lock_version.to_string()
        || form.roster_lock_version != loaded.app.roster_lock_version.to_string()
    {
        errors.add(
            "submit",
            "提交前，此申报已在其他页面被修改。请核对下方最新内容后再提交。",
        );
        return show_page(ctx, &state, &user, loaded, errors).await;
    }
    let roster = roster_of(&loaded.app.roster.0);
    let docs = documents::attached_to_application(&state.db, tenant_id, id).await?;
    let missing = completeness(&loaded, &app_url(&user, id), &roster, &docs);
    if !missing.is_empty() {
        errors.add("submit", "申报材料尚不完整，请补全下列内容后再提交。");
        return show_page(ctx, &state, &user, loaded, errors).await;
    }
    let number = match use_case::submit(&state, &loaded, &client.by(&user), token).await {
        Ok(number) => number,
        Err(e) => {
            // A concurrent POST with the same token may have won the row lock.
            if let Some(done) = already_submitted(&state, &user, id, token).await? {
                return Ok(done);
            }
            return Err(e);
        }
    };
    flash(
        &session,
        "success",
        format!(
            "已提交第 {number} 版申报，等待{}初审。",
            loaded
                .app
                .jurisdiction_name
                .as_deref()
                .unwrap_or(county_term(&loaded))
        ),
    )
    .await?;
    Ok(Redirect::to(&app_url(&user, id)).into_response())
}

async fn already_submitted(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    token: uuid::Uuid,
) -> AppResult<Option<Response>> {
    match applications::version_of_token(&state.db, user.tenant()?, token).await? {
        Some((app_id, _)) if app_id == id => {
            Ok(Some(Redirect::to(&app_url(user, id)).into_response()))
        }
        Some(_) => Err(AppError::BadRequest(
            "提交表单有误，请刷新页面后重试。".into(),
        )),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// The form (附件1 and 附件2)

#[derive(Template)]
#[template(path = "operator/form.html")]
struct FormPage {
    ctx: PageCtx,
    base: String,
    loaded: Loaded,
    values: FormValues,
    jurisdiction_id: String,
    jurisdictions: Vec<(String, String)>,
    lock_version: i32,
    errors: FieldErrors,
    checks: Vec<CheckRow>,
    verdict: &'static str,
    conflict: Vec<FieldChange>,
    conflict_shown: bool,
    live: bool,
}

#[derive(Deserialize)]
pub(crate) struct CheckQuery {
    check: Option<String>,
}

pub(crate) async fn form_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Query(check): Query<CheckQuery>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    if loaded.app.state != "draft" {
        return Ok(Redirect::to(&app_url(&user, id)).into_response());
    }
    let values = loaded.app.form.0.clone();
    let jurisdiction_id = loaded
        .app
        .jurisdiction_id
        .map(|j| j.to_string())
        .unwrap_or_default();
    let lock = loaded.app.lock_version;
    let mut errors = FieldErrors::default();
    if check.check.is_some() {
        // Opened from the submission checklist: mark every field that stops it.
        for (k, m) in field_problems(&loaded, &values) {
            errors.add(k, m);
        }
        if loaded.app.jurisdiction_id.is_none() {
            errors.add(
                "jurisdiction_id",
                format!("请选择园区所在{}。", county_term(&loaded)),
            );
        }
    } else {
        for (k, m) in application_form::parse(&loaded.spec, &values).errors {
            errors.add(k, m);
        }
    }
    form_response(
        ctx,
        &state,
        &user,
        loaded,
        values,
        jurisdiction_id,
        lock,
        errors,
        Vec::new(),
        false,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn form_response(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    values: FormValues,
    jurisdiction_id: String,
    lock_version: i32,
    errors: FieldErrors,
    conflict: Vec<FieldChange>,
    conflict_shown: bool,
) -> AppResult<Response> {
    let roster = roster_of(&loaded.app.roster.0);
    let evaluation = evaluate_form(&loaded, &values, &roster, state.clock.today());
    let status = if conflict_shown {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        base: app_url(user, loaded.app.id),
        jurisdictions: jurisdiction_options(state, user.tenant()?).await?,
        checks: check_rows(&loaded.rules, &evaluation, applied_tier(&values)),
        verdict: super::verdict_label(&evaluation),
        loaded,
        values,
        jurisdiction_id,
        lock_version,
        errors,
        conflict,
        conflict_shown,
        live: false,
        ctx,
    };
    render_with(status, &page)
}

#[derive(Template)]
#[template(path = "operator/_selfcheck.html")]
struct SelfCheckPanel {
    checks: Vec<CheckRow>,
    verdict: &'static str,
    live: bool,
}

/// The self-check panel for the form as typed, not saved (the page's script asks for it while
/// the operator types).
pub(crate) async fn selfcheck(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    let values = typed_values(&loaded, &pairs);
    let roster = roster_of(&loaded.app.roster.0);
    let evaluation = evaluate_form(&loaded, &values, &roster, state.clock.today());
    render(&SelfCheckPanel {
        checks: check_rows(&loaded.rules, &evaluation, applied_tier(&values)),
        verdict: super::verdict_label(&evaluation),
        live: true,
    })
}

/// The posted form as typed: repeated keys (checkboxes) joined with ',', only the spec's keys.
fn typed_values(loaded: &Loaded, pairs: &[(String, String)]) -> FormValues {
    let mut values = FormValues::new();
    for field in loaded.spec.sections.iter().flat_map(|s| s.fields.iter()) {
        let parts: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == field.key)
            .map(|(_, v)| v.as_str())
            .collect();
        let joined = parts.join(",");
        if !joined.trim().is_empty() {
            values.insert(field.key.clone(), joined);
        }
    }
    values
}

fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Saves the draft whatever it holds (a draft may be incomplete or even hold a malformed value,
/// which is shown with its message); refuses only to overwrite someone else's newer save.
pub(crate) async fn form_save(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load_own(&state, &user, id).await?;
    if loaded.app.state != "draft" {
        return Err(AppError::Conflict(
            "申报已提交，不能再修改；如需修改，请等待退回。".into(),
        ));
    }
    let values = typed_values(&loaded, &pairs);
    let jurisdiction_text = pair(&pairs, "jurisdiction_id").to_string();
    let jurisdiction_id = match jurisdiction_text.parse::<i64>() {
        Ok(j) => jurisdictions::get(&state.db, tenant_id, j)
            .await?
            .filter(|j| j.active)
            .map(|j| j.id),
        Err(_) => None,
    };
    let expected: i32 = pair(&pairs, "lock_version").parse().unwrap_or(-1);
    let park_name = values
        .get(application_form::keys::PARK_NAME)
        .map(|n| n.trim().chars().take(100).collect::<String>())
        .unwrap_or_default();
    let save = FormSave {
        expected_version: expected,
        park_name: &park_name,
        jurisdiction_id,
        values: &values,
    };
    let saved = drafts::save_form(&state, tenant_id, &client.by(&user), id, &save).await?;
    if !saved {
        // Someone saved in between. Nothing typed here is lost: the page shows it again, lists
        // what the other save changed, and carries the new lock so that saving again is a
        // deliberate overwrite.
        let current = load_own(&state, &user, id).await?;
        let conflict = application_form::diff(&current.spec, &values, &current.app.form.0);
        let lock = current.app.lock_version;
        return form_response(
            ctx,
            &state,
            &user,
            current,
            values,
            jurisdiction_text,
            lock,
            FieldErrors::default(),
            conflict,
            true,
        )
        .await;
    }
    let malformed = application_form::parse(&loaded.spec, &values).errors.len();
    let message = if malformed == 0 {
        "草稿已保存。".to_string()
    } else {
        format!("草稿已保存，其中 {malformed} 项格式有误，请按提示修改。")
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/form", app_url(&user, id))).into_response())
}

// ---------------------------------------------------------------------------------------------
// Documents

pub(crate) async fn document_upload(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let category = upload.field("category").to_string();
    if !["uscc_certificate", "report", "evidence"].contains(&category.as_str()) {
        errors.add("category", "请选择材料类别。");
    }
    let file = match upload.file {
        Some(f) if errors.is_empty() => f,
        None if errors.is_empty() => {
            errors.add("file", "请选择要上传的文件。");
            return show_page(ctx, &state, &user, loaded, errors).await;
        }
        _ => return show_page(ctx, &state, &user, loaded, errors).await,
    };
    let by = client.by(&user);
    drafts::attach_document(&state, tenant_id, &by, id, &category, &file).await?;
    flash(&session, "success", format!("已上传 {}。", file.filename)).await?;
    Ok(Redirect::to(&format!("{}#documents", app_url(&user, id))).into_response())
}

pub(crate) async fn document_detach(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id, doc)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    drafts::detach_document(&state, tenant_id, &client.by(&user), id, doc).await?;
    flash(
        &session,
        "success",
        "已移除该材料（已提交的版本中仍保留）。",
    )
    .await?;
    Ok(Redirect::to(&format!("{}#documents", app_url(&user, id))).into_response())
}

// ---------------------------------------------------------------------------------------------
// Frozen versions

#[derive(Template)]
#[template(path = "applications/version.html")]
pub struct VersionPage {
    pub ctx: PageCtx,
    pub base: String,
    pub loaded: Loaded,
    pub version: super::VersionView,
}

pub(crate) async fn version_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id, n)): Path<(String, i64, i32)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    super::review::render_version(ctx, &state, &user, loaded, n, app_url(&user, id)).await
}

pub(crate) async fn printed_version(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id, n, format)): Path<(String, i64, i32, String)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    let base = app_url(&user, id);
    super::review::render_printed(ctx, &state, &user, loaded, (n, &format), base).await
}

/// What the application's rule set calls the office that pre-reviews it (县（市、区） / 镇街).
/// The tier a form applies for (Zhongshan), if one is chosen.
fn applied_tier(form: &std::collections::BTreeMap<String, String>) -> Option<&str> {
    form.get("tier").map(String::as_str)
}

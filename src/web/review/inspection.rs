//! On-site inspection pages: the bureau schedules and records the visit, the members present
//! confirm the record, the county reads it; everyone who may see it can print it or take it as
//! PDF.
use crate::auth::CurrentUser;
use crate::db::applications::Scope;
use crate::db::inspections::{self, Inspection, Member, Photo, Record};
use crate::domain::inspection::{self, ChecklistItem, Recorded};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::inspections::{self as service, Schedule};
use crate::state::AppState;
use crate::web::applications::{Loaded, load};
use crate::web::calls::shanghai_minute;
use crate::web::files::{attachment, read_upload};
use crate::web::page::{FieldErrors, PageCtx, Typed, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Asia::Shanghai;
use std::collections::BTreeMap;
use tower_sessions::Session;

// ---------------------------------------------------------------------------------------------
// Scheduling

#[derive(Template)]
#[template(path = "review/inspection_new.html")]
struct NewPage {
    ctx: PageCtx,
    loaded: Loaded,
    members: Vec<(i64, String)>,
    staff: Vec<(i64, String)>,
    form: Typed,
    errors: FieldErrors,
}

impl NewPage {
    fn chose(&self, expert: &i64) -> bool {
        self.form.has(&format!("expert.{expert}"))
    }
}

async fn bureau_staff(state: &AppState, tenant_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(crate::db::users::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .filter(|u| u.role == "bureau" && u.active)
        .map(|u| (u.id, u.display_name))
        .collect())
}

async fn new_page(
    ctx: PageCtx,
    state: &AppState,
    loaded: Loaded,
    form: Typed,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = NewPage {
        members: service::eligible_members(state, &loaded).await?,
        staff: bureau_staff(state, loaded.tenant_id).await?,
        loaded,
        form,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load(&state, user.tenant()?, Scope::Bureau, id).await?;
    let address = loaded
        .app
        .form
        .0
        .get("park.address")
        .cloned()
        .unwrap_or_default();
    let form = Typed(BTreeMap::from([
        ("address".to_string(), address),
        ("lead".to_string(), user.id.to_string()),
    ]));
    new_page(ctx, &state, loaded, form, FieldErrors::default()).await
}

pub(crate) async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<Typed>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let loaded = load(&state, tenant_id, Scope::Bureau, id).await?;
    let mut errors = FieldErrors::default();
    let when = NaiveDateTime::parse_from_str(form.get("scheduled_at"), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|n| Shanghai.from_local_datetime(&n).single());
    let today = state.clock.today();
    match when {
        None => errors.add("scheduled_at", "请填写考核日期和时间（北京时间）。"),
        Some(w) if w.date_naive() < today => errors.add(
            "scheduled_at",
            "考核时间不能早于今天：现场考核只能安排在今后。",
        ),
        _ => {}
    }
    if !(1..=200).contains(&form.get("address").chars().count()) {
        errors.add("address", "请填写考核地点（200字以内）。");
    }
    let staff = bureau_staff(&state, tenant_id).await?;
    let lead = form
        .get("lead")
        .parse::<i64>()
        .ok()
        .filter(|l| staff.iter().any(|(id, _)| id == l));
    if lead.is_none() {
        errors.add("lead", "请选择带队的市商务局工作人员。");
    }
    if form.get("county_contact").chars().count() > 100 {
        errors.add("county_contact", "属地联系人不超过100字。");
    }
    let experts: Vec<i64> = form
        .0
        .keys()
        .filter_map(|k| k.strip_prefix("expert.")?.parse().ok())
        .collect();
    if experts.is_empty() {
        errors.add("experts", "请至少选择一名参加现场考核的评审专家。");
    }
    let (Some(when), Some(lead), true) = (when, lead, errors.is_empty()) else {
        return new_page(ctx, &state, loaded, form, errors).await;
    };
    let plan = Schedule {
        scheduled_at: when.with_timezone(&chrono::Utc),
        address: form.get("address"),
        lead_user_id: lead,
        county_contact: form.get("county_contact"),
        experts: &experts,
    };
    let inspection = service::schedule(&state, &loaded, &client.by(&user), &plan).await?;
    flash(
        &session,
        "success",
        "现场考核已安排。考核后请在本页填写考核记录。",
    )
    .await?;
    Ok(Redirect::to(&format!("{}/inspections/{inspection}", user.home_url())).into_response())
}

// ---------------------------------------------------------------------------------------------
// The record

/// One checklist line with what was recorded.
pub struct Line {
    pub item: ChecklistItem,
    pub recorded: Recorded,
    pub photos: Vec<Photo>,
}

#[derive(Template)]
#[template(path = "review/inspection.html")]
struct InspectionPage {
    ctx: PageCtx,
    inspection: Inspection,
    loaded: Loaded,
    scheduled: String,
    lines: Vec<Line>,
    members: Vec<Member>,
    /// Photos of the visit as a whole.
    general: Vec<Photo>,
    /// The frozen version being confirmed or confirmed: (number, by, at).
    version: Option<(i32, String, String)>,
    /// The bureau records; an expert present confirms; the county reads.
    editable: bool,
    can_confirm: bool,
    bureau_view: bool,
    expert_view: bool,
    has_photos: bool,
    errors: FieldErrors,
}

/// An inspection's state in words.
pub fn state_label(i: &Inspection) -> &'static str {
    i.state
        .parse::<crate::domain::workflow::InspectionState>()
        .map(|s| s.label())
        .unwrap_or("")
}

impl InspectionPage {
    fn state_label(&self) -> &'static str {
        state_label(&self.inspection)
    }
    fn taken(&self, p: &Photo) -> String {
        match p.taken_at {
            Some(t) => format!("拍摄于 {}", t.format("%Y-%m-%d %H:%M")),
            None => format!(
                "上传于 {}（照片未记录拍摄时间）",
                shanghai_minute(p.uploaded_at)
            ),
        }
    }
}

/// The inspection the user may see, with its application: the bureau's, the county's own, or
/// one the expert is a member of; anything else is "not found".
async fn visible(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Inspection, Loaded, Option<i64>)> {
    let tenant_id = user.tenant()?;
    let i = inspections::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let expert = match user.role() {
        Role::Bureau => None,
        Role::County
            if user.jurisdiction_id.is_some() && user.jurisdiction_id == i.jurisdiction_id =>
        {
            None
        }
        Role::Expert => Some(
            inspections::member_of_user(&state.db, tenant_id, id, user.id)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        _ => return Err(AppError::NotFound),
    };
    let loaded = load(state, tenant_id, Scope::Bureau, i.application_id).await?;
    Ok((i, loaded, expert))
}

async fn inspection_page(
    ctx: PageCtx,
    state: &AppState,
    user: &CurrentUser,
    (inspection, loaded, expert): (Inspection, Loaded, Option<i64>),
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = loaded.tenant_id;
    let photos = inspections::photos(&state.db, tenant_id, inspection.id).await?;
    let members = inspections::members(&state.db, tenant_id, inspection.id).await?;
    let version = inspections::latest_version(&state.db, tenant_id, inspection.id)
        .await?
        .filter(|_| inspection.state != "scheduled")
        .map(|v| {
            (
                v.number,
                v.submitted_by_name,
                shanghai_minute(v.submitted_at),
            )
        });
    let lines = inspection::checklist(&loaded.rules)
        .into_iter()
        .map(|item| Line {
            recorded: inspection
                .findings
                .0
                .get(&item.id)
                .cloned()
                .unwrap_or_default(),
            photos: photos
                .iter()
                .filter(|p| p.item == item.id)
                .cloned()
                .collect(),
            item,
        })
        .collect();
    let can_confirm = expert.is_some_and(|e| {
        inspection.state == "confirming"
            && members.iter().any(|m| {
                m.expert_id == e
                    && m.present
                    && m.confirmed_version != Some(inspection.version_count)
            })
    });
    let page = InspectionPage {
        editable: user.role() == Role::Bureau && inspection.state == "scheduled",
        can_confirm,
        bureau_view: user.role() == Role::Bureau,
        has_photos: !photos.is_empty(),
        expert_view: expert.is_some(),
        scheduled: shanghai_minute(inspection.scheduled_at),
        general: photos.into_iter().filter(|p| p.item.is_empty()).collect(),
        lines,
        members,
        version,
        inspection,
        loaded,
        errors,
        ctx,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let found = visible(&state, &user, id).await?;
    inspection_page(ctx, &state, &user, found, FieldErrors::default()).await
}

/// Saves the record; with `action=submit`, then submits it for the members' confirmation.
pub(crate) async fn record(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let (inspection, loaded, _) = visible(&state, &user, id).await?;
    let tenant_id = loaded.tenant_id;
    let findings = service::findings_from(&form);
    let members = inspections::members(&state.db, tenant_id, id).await?;
    let present: BTreeMap<i64, bool> = members
        .iter()
        .map(|m| {
            (
                m.expert_id,
                form.contains_key(&format!("present.{}", m.expert_id)),
            )
        })
        .collect();
    let others = form.get("others_present").map(|s| s.trim()).unwrap_or("");
    let record = Record {
        findings: &findings,
        others_present: others,
        present: &present,
    };
    let expected: i32 = form
        .get("lock_version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let by = client.by(&user);
    if !service::save_record(&state, tenant_id, &by, &inspection, expected, &record).await? {
        return Err(AppError::Conflict(
            "未保存：考核记录已在其他页面保存或已提交。请刷新后再填写。".into(),
        ));
    }
    let here = format!("{}/inspections/{id}", user.home_url());
    if form.get("action").map(String::as_str) != Some("submit") {
        flash(&session, "success", "考核记录已保存。").await?;
        return Ok(Redirect::to(&here).into_response());
    }
    let saved = inspections::get(&state.db, tenant_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let errors = submit_errors(&loaded, &saved, &present);
    if !errors.is_empty() {
        return inspection_page(ctx, &state, &user, (saved, loaded, None), errors).await;
    }
    let number = service::submit_record(&state, &loaded, &by, &saved).await?;
    let message = format!("考核记录第 {number} 版已提交，请到场专家逐一确认。");
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&here).into_response())
}

/// Every checklist item needs a finding, and someone must have been there.
fn submit_errors(loaded: &Loaded, i: &Inspection, present: &BTreeMap<i64, bool>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let items = inspection::checklist(&loaded.rules);
    for id in inspection::incomplete(&items, &i.findings.0) {
        errors.add(format!("finding.{id}"), "请选择考核结论。");
    }
    if !present.values().any(|p| *p) {
        errors.add("present", "请勾选到场的考核专家。");
    }
    errors
}

pub(crate) async fn photo(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> AppResult<Response> {
    let (inspection, loaded, _) = visible(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let upload = read_upload(
        multipart,
        "photo",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let here = format!("{}/inspections/{id}", user.home_url());
    let Some(file) = upload.file.as_ref().filter(|_| errors.is_empty()) else {
        let message = errors
            .get("photo")
            .unwrap_or("请选择要上传的现场照片（JPEG 或 PNG）。");
        flash(&session, "error", message).await?;
        return Ok(Redirect::to(&here).into_response());
    };
    let item = upload.field("item");
    let items = inspection::checklist(&loaded.rules);
    let item = if items.iter().any(|i| i.id == item) {
        item
    } else {
        ""
    };
    let caption: String = upload.field("caption").trim().chars().take(100).collect();
    let by = client.by(&user);
    let tenant_id = loaded.tenant_id;
    match service::add_photo(&state, tenant_id, &by, &inspection, file, (item, &caption)).await {
        Ok(()) => flash(&session, "success", "照片已上传。").await?,
        Err(AppError::BadRequest(m)) => flash(&session, "error", m).await?,
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&here).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn return_record(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<ReasonForm>,
) -> AppResult<Response> {
    let (inspection, loaded, _) = visible(&state, &user, id).await?;
    let by = client.by(&user);
    service::return_record(
        &state,
        loaded.tenant_id,
        &by,
        &inspection,
        form.reason.trim(),
    )
    .await?;
    flash(
        &session,
        "success",
        "考核记录已退回修改，专家此前的确认失效。",
    )
    .await?;
    Ok(Redirect::to(&format!("{}/inspections/{id}", user.home_url())).into_response())
}

pub(crate) async fn confirm(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (inspection, loaded, expert) = visible(&state, &user, id).await?;
    let expert = expert.ok_or(AppError::Forbidden)?;
    let last = service::confirm(&state, &loaded, &client.by(&user), &inspection, expert).await?;
    let message = match last {
        true => "已确认。到场专家均已确认，考核记录已定稿。",
        false => "已确认考核记录。",
    };
    flash(&session, "success", message).await?;
    Ok(Redirect::to(&format!("{}/inspections/{id}", user.home_url())).into_response())
}

// ---------------------------------------------------------------------------------------------
// Print and PDF: the frozen version

#[derive(Template)]
#[template(path = "review/inspection_print.html")]
pub struct PrintPage {
    ctx: PageCtx,
    pub doc: Printed,
}

/// The frozen record as printed: the visit, the items, who was there, who confirmed.
pub struct Printed {
    pub title: String,
    pub version: i32,
    pub facts: Vec<(String, String)>,
    pub items: Vec<[String; 4]>,
    pub present: String,
    pub absent: String,
    pub others: String,
    pub photos: Vec<String>,
    pub confirmations: Vec<(String, String)>,
}

async fn printed(state: &AppState, i: &Inspection, loaded: &Loaded) -> AppResult<Printed> {
    let tenant_id = loaded.tenant_id;
    let v = inspections::latest_version(&state.db, tenant_id, i.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let r = &v.record;
    let text = |k: &str| r[k].as_str().unwrap_or("").to_string();
    let members = inspections::members(&state.db, tenant_id, i.id).await?;
    let names = |present: bool| -> String {
        r["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["present"].as_bool() == Some(present))
            .filter_map(|m| m["name"].as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let items = r["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|it| {
            let s = |k: &str| it[k].as_str().unwrap_or("").to_string();
            [
                s("article"),
                s("description"),
                s("finding_label"),
                s("note"),
            ]
        })
        .collect();
    Ok(Printed {
        title: format!(
            "{}现场考核记录表",
            loaded.rules.city_name.clone().unwrap_or_default()
        ),
        version: v.number,
        facts: vec![
            ("园区名称".into(), text("park")),
            ("运营管理机构".into(), text("organization")),
            ("申报通知".into(), text("call")),
            ("考核时间".into(), shanghai_minute(i.scheduled_at)),
            ("考核地点".into(), text("address")),
            ("带队人员".into(), text("lead")),
            ("属地联系人".into(), text("county_contact")),
        ],
        items,
        present: names(true),
        absent: names(false),
        others: text("others_present"),
        photos: r["photos"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let caption = p["caption"].as_str().unwrap_or("");
                let file = p["filename"].as_str().unwrap_or("");
                let hash = p["sha256"].as_str().unwrap_or("");
                format!(
                    "{caption}（{file}，SHA-256 {}…）",
                    &hash[..hash.len().min(12)]
                )
            })
            .collect(),
        confirmations: members
            .iter()
            .filter(|m| m.present)
            .map(|m| {
                let at = match (m.confirmed_version, m.confirmed_at) {
                    (Some(n), Some(at)) if n == v.number => {
                        format!("已确认（{}）", shanghai_minute(at))
                    }
                    _ => "未确认".to_string(),
                };
                (m.name.clone(), at)
            })
            .collect(),
    })
}

pub(crate) async fn print(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (i, loaded, _) = visible(&state, &user, id).await?;
    let doc = printed(&state, &i, &loaded).await?;
    render(&PrintPage { ctx, doc })
}

pub(crate) async fn pdf(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (i, loaded, _) = visible(&state, &user, id).await?;
    let doc = printed(&state, &i, &loaded).await?;
    let bytes = super::inspection_pdf::render(&doc)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("inspection PDF: {e}")))?;
    let name = format!("{}现场考核记录表（第{}版）.pdf", i.park_name, doc.version);
    Ok(attachment(bytes, crate::io::storage::FileKind::Pdf, &name))
}

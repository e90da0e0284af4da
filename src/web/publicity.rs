//! Publicity (公示): the bureau publishes a call's shortlist for 5 working days, computed from the
//! admin's calendar; the public reads current and past notices; the system closes each notice
//! at 24:00 Asia/Shanghai on its last working day.
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::applications;
use crate::db::calendar;
use crate::db::calls::{self, Call};
use crate::db::publicity::{self, Entry, Notice};
use crate::domain::workdays::parse_iso_date;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use tower_sessions::Session;

pub use crate::domain::time::date_label;
pub use crate::service::publicity::{
    Candidate, notice_body, notice_title, publish_notice, regulation_of, window_text,
};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PublishForm {
    #[serde(default)]
    published_on: String,
    #[serde(default)]
    first_day: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    official_url: String,
}

#[derive(Template)]
#[template(path = "bureau/publicity_form.html")]
struct FormPage {
    ctx: PageCtx,
    call: Call,
    candidates: Vec<Candidate>,
    form: PublishForm,
    errors: FieldErrors,
    preview: Option<String>,
}

async fn candidates(state: &AppState, tenant_id: i64, call_id: i64) -> AppResult<Vec<Candidate>> {
    Ok(applications::list_for_call(&state.db, tenant_id, call_id)
        .await?
        .into_iter()
        .filter(|a| a.state == "shortlisted")
        .map(|a| Candidate {
            id: a.id,
            park: a.park_name,
            operator: a.organization_name,
            county: a.jurisdiction_name.unwrap_or_default(),
        })
        .collect())
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    call: Call,
    form: PublishForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let cal = calendar::load(&state.db).await?;
    let days = regulation_of(state, tenant_id, &call).await?.publicity_days;
    let preview = parse_iso_date(&form.published_on)
        .and_then(|d| cal.publicity_window(d, None, days).ok())
        .map(|w| window_text(&w, days));
    let page = FormPage {
        candidates: candidates(state, tenant_id, call.id).await?,
        ctx,
        call,
        form,
        errors,
        preview,
    };
    render_with(page.errors.status(), &page)
}

async fn call_of(state: &AppState, tenant_id: i64, id: i64) -> AppResult<Call> {
    calls::get(&state.db, tenant_id, id)
        .await?
        .filter(|c| c.state != crate::domain::workflow::CallState::Draft)
        .ok_or(AppError::NotFound)
}

pub(crate) async fn form(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, call_id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let call = call_of(&state, tenant_id, call_id).await?;
    let form = PublishForm {
        published_on: state.clock.today().to_string(),
        contact: format!("{}，电话：", user.display_name),
        ..PublishForm::default()
    };
    form_page(ctx, &state, tenant_id, call, form, FieldErrors::default()).await
}

pub(crate) async fn publish(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, call_id)): Path<(String, i64)>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    let tenant_name = ctx.tenant()?.name.clone();
    let call = call_of(&state, tenant_id, call_id).await?;
    let mut errors = FieldErrors::default();
    let published_on = parse_iso_date(&form.published_on);
    match published_on {
        None => errors.add("published_on", "请填写发布日期，格式如 2026-12-01。"),
        Some(day) => {
            if let Some(message) = backdating(&state, tenant_id, day).await? {
                errors.add("published_on", message);
            }
        }
    }
    let first_day = if form.first_day.trim().is_empty() {
        None
    } else {
        let d = parse_iso_date(&form.first_day);
        if d.is_none() {
            errors.add("first_day", "日期格式应为 2026-12-02，或留空。");
        }
        d
    };
    if form.contact.trim().chars().count() < 4 {
        errors.add("contact", "请填写联系人和电话。");
    }
    let url = form.official_url.trim();
    let web_address = url.starts_with("https://") || url.starts_with("http://");
    if !url.is_empty() && !web_address {
        errors.add("official_url", "网址应以 http:// 或 https:// 开头。");
    }
    let listed = candidates(&state, tenant_id, call_id).await?;
    if listed.is_empty() {
        errors.add("published_on", "本通知没有列入拟认定名单的园区，无需公示。");
    }
    let regulation = regulation_of(&state, tenant_id, &call).await?;
    let window = match published_on {
        Some(day) if errors.is_empty() => {
            let cal = calendar::load(&state.db).await?;
            let days = regulation.publicity_days;
            match cal.publicity_window(day, first_day, days) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.add(
                        if first_day.is_some() {
                            "first_day"
                        } else {
                            "published_on"
                        },
                        e.to_string(),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let (Some(day), Some(window), true) = (published_on, window, errors.is_empty()) else {
        return form_page(ctx, &state, tenant_id, call, form, errors).await;
    };
    let by = client.by(&user);
    let title = notice_title(call.year, &ctx.tenant()?.city);
    let body = notice_body(&regulation, &tenant_name, &window, form.contact.trim());
    let id = publish_notice(
        &state,
        tenant_id,
        &by,
        &call,
        &title,
        &body,
        form.contact.trim(),
        url,
        day,
        &window,
        &listed,
    )
    .await?;
    flash(
        &session,
        "success",
        format!(
            "公示已发布：{}。",
            window_text(&window, regulation.publicity_days)
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/t/{}/publicity/{id}", ctx.tenant()?.slug)).into_response())
}

/// Why a notice may not be dated `day`, if it may not: a notice is published on the day it is
/// actually published or scheduled for a later one, never backdated (DOMAIN §6), and its number
/// follows the order of publication, so it cannot be dated before the year's latest notice.
async fn backdating(state: &AppState, tenant_id: i64, day: NaiveDate) -> AppResult<Option<String>> {
    let today = state.clock.today();
    if day < today {
        return Ok(Some(format!(
            "发布日期不能早于今天（{}）：公示以实际发布之日为发布日期，不得倒签；如需以后发布，可填写以后的日期。",
            date_label(today)
        )));
    }
    let latest =
        publicity::latest_publication(&state.db, tenant_id, chrono::Datelike::year(&day)).await?;
    Ok(latest.filter(|latest| *latest > day).map(|latest| {
        format!(
            "本年度已有定于 {} 发布的公示；公示编号按发布先后排列，发布日期不能早于该日。",
            date_label(latest)
        )
    }))
}

#[derive(Template)]
#[template(path = "public/notices.html")]
struct ListPage {
    ctx: PageCtx,
    notices: Vec<(Notice, bool)>,
}

pub(crate) async fn public_list(
    ctx: PageCtx,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let now = state.clock.now();
    let today = state.clock.today();
    let notices = publicity::list(&state.db, tenant_id)
        .await?
        .into_iter()
        // A notice scheduled for a later day is not public before it.
        .filter(|n| n.published_on <= today)
        .map(|n| {
            let open = n.is_open_at(now);
            (n, open)
        })
        .collect();
    render(&ListPage { ctx, notices })
}

#[derive(Template)]
#[template(path = "public/notice.html")]
struct NoticePage {
    ctx: PageCtx,
    notice: Notice,
    entries: Vec<Entry>,
    open: bool,
    published: String,
    /// Whether the rule set has tiers (Zhongshan): the list then says which each park is to get.
    tiered: bool,
}

pub(crate) async fn public_show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let notice = publicity::get(&state.db, tenant_id, id)
        .await?
        .filter(|n| n.published_on <= state.clock.today())
        .ok_or(AppError::NotFound)?;
    let entries = publicity::entries(&state.db, tenant_id, id).await?;
    render(&NoticePage {
        tiered: entries.iter().any(|e| e.tier.is_some()),
        open: notice.is_open_at(state.clock.now()),
        published: date_label(notice.published_on),
        ctx,
        notice,
        entries,
    })
}

//! The admin's working-day calendar: a year shown month by month, and the import of a new year
//! from the CSV written off the State Council's notice (DOMAIN.md §6).
use super::page::{FieldErrors, PageCtx, flash, render_with};
use super::request::ClientInfo;
use crate::auth::CurrentUser;
use crate::db::calendar;
use crate::domain::workdays::{Calendar, DayKind};
use crate::error::AppResult;
use crate::service;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;
use tower_sessions::Session;

/// One day cell of a month grid.
#[derive(Clone)]
pub struct Day {
    pub day: u32,
    /// `off` (statutory day off), `work` (adjusted working day), `weekend`, `workday`, or
    /// `blank` for the padding before the 1st.
    pub class: &'static str,
    pub title: String,
}

pub struct Month {
    pub month: u32,
    pub weeks: Vec<Vec<Day>>,
    pub working_days: u32,
}

/// The grid of a year's months, Monday first, as a wall calendar.
pub fn months(cal: &Calendar, year: i32) -> Vec<Month> {
    let specials: std::collections::BTreeMap<NaiveDate, (DayKind, String)> = cal
        .entries_in_year(year)
        .map(|e| (e.date, (e.kind, e.name)))
        .collect();
    (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut days: Vec<Day> = (0..first.weekday().num_days_from_monday())
                .map(|_| Day {
                    day: 0,
                    class: "blank",
                    title: String::new(),
                })
                .collect();
            let mut working_days = 0;
            let mut d = first;
            while d.month() == m {
                let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                let (class, title) = match specials.get(&d) {
                    Some((DayKind::Off, name)) => ("off", format!("{name}放假")),
                    Some((DayKind::Work, name)) => ("work", format!("{name}调休上班")),
                    None if weekend => ("weekend", String::new()),
                    None => ("workday", String::new()),
                };
                if matches!(class, "work" | "workday") {
                    working_days += 1;
                }
                days.push(Day {
                    day: d.day(),
                    class,
                    title,
                });
                d += Duration::days(1);
            }
            let weeks = days.chunks(7).map(<[Day]>::to_vec).collect();
            Some(Month {
                month: m,
                weeks,
                working_days,
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    ctx: PageCtx,
    year: i32,
    covered: bool,
    years: Vec<calendar::YearSource>,
    months: Vec<Month>,
    holidays: Vec<(String, String, String)>,
    errors: FieldErrors,
    import_error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i32>,
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    year: Option<i32>,
    errors: FieldErrors,
    import_error: Option<String>,
) -> AppResult<Response> {
    let cal = calendar::load(&state.db).await?;
    let years = calendar::years(&state.db).await?;
    let year = year
        .or_else(|| years.last().map(|y| y.year))
        .unwrap_or(2026);
    let holidays = calendar::year_rows(&cal, year)
        .into_iter()
        .map(|e| {
            (
                e.date.to_string(),
                match e.kind {
                    DayKind::Off => "放假".to_string(),
                    DayKind::Work => "调休上班".to_string(),
                },
                e.name,
            )
        })
        .collect();
    let page = CalendarPage {
        covered: cal.covers(year),
        months: months(&cal, year),
        ctx,
        year,
        years,
        holidays,
        import_error,
        errors,
    };
    let status = if page.import_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        page.errors.status()
    };
    render_with(status, &page)
}

pub(crate) async fn show(
    ctx: PageCtx,
    _user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    page(ctx, &state, q.year, FieldErrors::default(), None).await
}

pub(crate) async fn import(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let upload = super::files::read_data_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let source = upload.field("source").trim().to_string();
    let text = upload.bytes.map(String::from_utf8);
    if source.is_empty() {
        errors.add(
            "source",
            "请填写依据（如“国务院办公厅关于2027年部分节假日安排的通知”）。",
        );
    }
    let parsed = match text {
        None => Err("请选择 CSV 文件。".to_string()),
        Some(Err(_)) => Err("文件应为 UTF-8 编码的 CSV（date,kind,name）。".to_string()),
        Some(Ok(text)) => Calendar::from_csv(&text).map_err(|e| e.to_string()),
    };
    let cal = match parsed {
        Ok(cal) if errors.is_empty() => cal,
        Ok(_) => return page(ctx, &state, None, errors, None).await,
        Err(message) => return page(ctx, &state, None, errors, Some(message)).await,
    };
    let years = service::calendar::import(&state, &client.by(&user), &cal, &source).await?;
    let listed: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    flash(
        &session,
        "success",
        format!("已导入 {} 年的节假日安排。", listed.join("、")),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/admin/calendar?year={}",
        years.last().copied().unwrap_or(2026)
    ))
    .into_response())
}

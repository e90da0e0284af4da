//! The roster (附件3) of a draft: a paged table, one-row add/edit/delete, and the all-or-nothing
//! import from XLSX or CSV with its template and export.
use super::operator::{app_url, load_own};
use super::{Loaded, require_draft, roster_of};
use crate::auth::CurrentUser;
use crate::domain::roster::{self, RosterRow};
use crate::error::{AppError, AppResult};
use crate::io::spreadsheet;
use crate::state::AppState;
use crate::web::files;
use crate::web::page::{FieldErrors, PageCtx, flash, render, render_with};
use crate::web::request::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

const ROSTER_PAGE: usize = 100;

#[derive(Template)]
#[template(path = "operator/roster.html")]
struct RosterPage {
    ctx: PageCtx,
    base: String,
    /// The city's column names and units for the row form (`_roster_cells.html`).
    labels: CellLabels,
    loaded: Loaded,
    rows: Vec<(usize, RosterRow)>,
    total: usize,
    page: usize,
    pages: usize,
    import_errors: Vec<String>,
    errors: FieldErrors,
    new_row: roster::RosterCells,
    can_edit: bool,
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<usize>,
}

pub(crate) async fn roster_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    roster_response(
        ctx,
        &user,
        loaded,
        q.page.unwrap_or(1),
        Vec::new(),
        FieldErrors::default(),
        roster::RosterCells::default(),
    )
}

fn roster_response(
    ctx: PageCtx,
    user: &CurrentUser,
    loaded: Loaded,
    page: usize,
    import_errors: Vec<String>,
    errors: FieldErrors,
    new_row: roster::RosterCells,
) -> AppResult<Response> {
    let all = roster_of(&loaded.app.roster.0);
    let total = all.len();
    let pages = total.div_ceil(ROSTER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = all
        .into_iter()
        .enumerate()
        .skip((page - 1) * ROSTER_PAGE)
        .take(ROSTER_PAGE)
        .map(|(i, r)| (i + 1, r))
        .collect();
    let status = if import_errors.is_empty() {
        errors.status()
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RosterPage {
        labels: CellLabels::of(&loaded),
        base: app_url(user, loaded.app.id),
        can_edit: loaded.app.state == "draft",
        loaded,
        rows,
        total,
        page,
        pages,
        import_errors,
        errors,
        new_row,
        ctx,
    };
    render_with(status, &page)
}

pub(crate) async fn roster_import(
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
    let upload = files::read_data_upload(
        multipart,
        "file",
        state.config.max_upload_bytes,
        &mut errors,
    )
    .await?;
    let Some(bytes) = upload.bytes.clone().filter(|_| errors.is_empty()) else {
        return roster_response(
            ctx,
            &user,
            loaded,
            1,
            Vec::new(),
            errors,
            Default::default(),
        );
    };
    let ctx_rows = roster_context(&loaded);
    let parsed = crate::io::parse_off_thread(move || {
        spreadsheet::read_table(&bytes)
            .map_err(|e| vec![e.to_string()])
            .and_then(|table| {
                roster::parse_table(&table, &ctx_rows)
                    .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>())
            })
    })
    .await?;
    let rows = match parsed {
        Ok(rows) => rows,
        Err(messages) => {
            return roster_response(
                ctx,
                &user,
                loaded,
                1,
                messages,
                FieldErrors::default(),
                Default::default(),
            );
        }
    };
    let expected: i32 = upload.field("roster_lock_version").parse().unwrap_or(-1);
    let count = rows.len();
    save_roster(
        &state,
        &user,
        &client,
        &loaded,
        expected,
        rows,
        "import_roster",
    )
    .await?;
    flash(
        &session,
        "success",
        format!("已导入 {count} 家企业，原名录已被替换。"),
    )
    .await?;
    let _ = tenant_id;
    Ok(Redirect::to(&format!("{}/roster", app_url(&user, id))).into_response())
}

fn roster_context(loaded: &Loaded) -> roster::RosterContext {
    let currency = loaded
        .rules
        .currency
        .unwrap_or(crate::domain::ruleset::Currency::Cny);
    roster::RosterContext {
        reference_year: Some(loaded.reference_year),
        ..roster::RosterContext::new(currency, super::year_of(loaded.today))
    }
}

async fn save_roster(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    loaded: &Loaded,
    expected: i32,
    rows: Vec<RosterRow>,
    action: &str,
) -> AppResult<()> {
    let by = client.by(user);
    crate::service::drafts::save_roster(state, loaded, &by, expected, &rows, action).await
}

/// Validates one row as typed, and refuses a USCC another row (not `except`) already has.
fn checked_row(
    loaded: &Loaded,
    cells: &roster::RosterCells,
    rows: &[RosterRow],
    except: Option<usize>,
) -> Result<RosterRow, FieldErrors> {
    let mut errors = FieldErrors::default();
    match roster::validate_row(cells, &roster_context(loaded)) {
        Ok(row) => {
            let taken = rows
                .iter()
                .enumerate()
                .any(|(i, r)| Some(i) != except && r.uscc == row.uscc);
            if !taken {
                return Ok(row);
            }
            errors.add("uscc", "名录中已有该统一社会信用代码的企业。");
        }
        Err(field_errors) => {
            for e in field_errors {
                errors.add(e.column.key(), e.reason);
            }
        }
    }
    Err(errors)
}

#[derive(Deserialize)]
pub(crate) struct RowForm {
    #[serde(default)]
    roster_lock_version: String,
    #[serde(flatten)]
    cells: roster::RosterCells,
}

pub(crate) async fn roster_add(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id)): Path<(String, i64)>,
    Form(form): Form<RowForm>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    let mut rows = roster_of(&loaded.app.roster.0);
    let row = match checked_row(&loaded, &form.cells, &rows, None) {
        Ok(row) => row,
        Err(errors) => {
            let last_page = usize::MAX;
            return roster_response(
                ctx,
                &user,
                loaded,
                last_page,
                Vec::new(),
                errors,
                form.cells,
            );
        }
    };
    rows.push(row);
    let expected = form.roster_lock_version.parse().unwrap_or(-1);
    save_roster(
        &state,
        &user,
        &client,
        &loaded,
        expected,
        rows,
        "add_roster_row",
    )
    .await?;
    flash(&session, "success", "已添加一家企业。").await?;
    Ok(Redirect::to(&format!("{}/roster?page=999999#rows", app_url(&user, id))).into_response())
}

/// What a roster row's form calls the city-specific columns.
pub struct CellLabels {
    pub county: String,
    pub registered: String,
    pub amount_hint: String,
}

impl CellLabels {
    fn of(loaded: &Loaded) -> CellLabels {
        let texts = &loaded.rules.texts;
        let or = |t: &str, fallback: &str| if t.is_empty() { fallback } else { t }.to_string();
        CellLabels {
            county: or(&texts.county_column, "县（市、区）"),
            registered: or(&texts.registration_column, "是否备案"),
            amount_hint: format!("整数，单位：{}", roster_context(loaded).currency_label()),
        }
    }
}

#[derive(Template)]
#[template(path = "operator/roster_row.html")]
struct RowPage {
    ctx: PageCtx,
    base: String,
    labels: CellLabels,
    number: usize,
    cells: roster::RosterCells,
    errors: FieldErrors,
    roster_lock_version: i32,
}

pub(crate) async fn roster_row_page(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id, number)): Path<(String, i64, usize)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    let rows = roster_of(&loaded.app.roster.0);
    let row = rows.get(number.wrapping_sub(1)).ok_or(AppError::NotFound)?;
    render(&RowPage {
        labels: CellLabels::of(&loaded),
        ctx,
        base: app_url(&user, id),
        number,
        cells: roster::RosterCells::from_row(row),
        errors: FieldErrors::default(),
        roster_lock_version: loaded.app.roster_lock_version,
    })
}

pub(crate) async fn roster_row_save(
    ctx: PageCtx,
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id, number)): Path<(String, i64, usize)>,
    Form(form): Form<RowForm>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    let mut rows = roster_of(&loaded.app.roster.0);
    let index = number.wrapping_sub(1);
    if index >= rows.len() {
        return Err(AppError::NotFound);
    }
    match checked_row(&loaded, &form.cells, &rows, Some(index)) {
        Ok(row) => rows[index] = row,
        Err(errors) => {
            let page = RowPage {
                labels: CellLabels::of(&loaded),
                ctx,
                base: app_url(&user, id),
                number,
                cells: form.cells,
                errors,
                roster_lock_version: form.roster_lock_version.parse().unwrap_or(-1),
            };
            return render_with(page.errors.status(), &page);
        }
    }
    let expected = form.roster_lock_version.parse().unwrap_or(-1);
    save_roster(
        &state,
        &user,
        &client,
        &loaded,
        expected,
        rows,
        "edit_roster_row",
    )
    .await?;
    flash(&session, "success", format!("第 {number} 行已保存。")).await?;
    let page = index / ROSTER_PAGE + 1;
    Ok(Redirect::to(&format!("{}/roster?page={page}#rows", app_url(&user, id))).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LockForm {
    #[serde(default)]
    roster_lock_version: String,
}

pub(crate) async fn roster_row_delete(
    user: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Path((_, id, number)): Path<(String, i64, usize)>,
    Form(form): Form<LockForm>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    require_draft(&loaded)?;
    let mut rows = roster_of(&loaded.app.roster.0);
    let index = number.wrapping_sub(1);
    if index >= rows.len() {
        return Err(AppError::NotFound);
    }
    let removed = rows.remove(index);
    let expected = form.roster_lock_version.parse().unwrap_or(-1);
    save_roster(
        &state,
        &user,
        &client,
        &loaded,
        expected,
        rows,
        "delete_roster_row",
    )
    .await?;
    flash(&session, "success", format!("已删除 {}。", removed.name)).await?;
    let page = index / ROSTER_PAGE + 1;
    Ok(Redirect::to(&format!("{}/roster?page={page}#rows", app_url(&user, id))).into_response())
}

fn xlsx_download(bytes: Vec<u8>, filename: &str) -> Response {
    files::attachment(bytes, crate::io::storage::FileKind::Xlsx, filename)
}

/// The template in the call's currency and reference year, so that what the operator fills in
/// imports without a header complaint.
pub(crate) async fn roster_template(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    let year = format!("{}年", loaded.reference_year);
    Ok(xlsx_download(
        spreadsheet::template_xlsx(
            roster_context(&loaded).currency_label(),
            &year,
            &loaded.rules.texts,
        ),
        "园区跨境电商企业名录表（模板）.xlsx",
    ))
}

pub(crate) async fn roster_export(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let loaded = load_own(&state, &user, id).await?;
    let rows = roster_of(&loaded.app.roster.0);
    let year = format!("{}年", loaded.reference_year);
    let bytes = spreadsheet::export_xlsx(
        &rows,
        roster_context(&loaded).currency_label(),
        &year,
        &loaded.rules.texts,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let mut response = xlsx_download(bytes, "园区跨境电商企业名录表.xlsx");
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

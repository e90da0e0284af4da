//! Award (认定) after publicity, the printable certificate and the public register.
use super::page::{PageCtx, render};
use crate::db::awards::{self, Award};
use crate::error::{AppError, AppResult};
use crate::service::awards::{self as use_case, ProvincialListing, provincial_rules};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Deserialize)]
pub(crate) struct Search {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "public/awards_register.html")]
struct RegisterPage {
    ctx: PageCtx,
    q: String,
    awards: Vec<Award>,
}

pub(crate) async fn register(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(s): Query<Search>,
) -> AppResult<Response> {
    let q = s.q.unwrap_or_default().trim().to_string();
    let awards = awards::register(&state.db, ctx.tenant()?.id, &q).await?;
    render(&RegisterPage { ctx, q, awards })
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "长期".into())
}

const REGISTER_COLUMNS: [&str; 10] = [
    "证书编号",
    "园区名称",
    "运营管理机构",
    "统一社会信用代码",
    "所在地",
    "类型",
    "认定日期",
    "有效期至",
    "状态",
    "说明",
];

fn register_row(a: &Award) -> [String; 10] {
    [
        a.number.clone(),
        a.park_name.clone(),
        a.operator.clone(),
        a.uscc.clone(),
        a.county.clone().unwrap_or_default(),
        a.tier_label().to_string(),
        a.awarded_on.to_string(),
        date_text(a.valid_until),
        a.status_label().to_string(),
        a.title_note.clone(),
    ]
}

/// The register as a workbook (text cells, so codes and dates stay as shown).
pub(crate) async fn register_xlsx(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(s): Query<Search>,
) -> AppResult<Response> {
    use rust_xlsxwriter::{Format, Workbook};
    let q = s.q.unwrap_or_default();
    let awards = awards::register(&state.db, ctx.tenant()?.id, q.trim()).await?;
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::Error::new(e));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("认定名录").map_err(xlsx)?;
    let bold = Format::new().set_bold();
    for (c, title) in REGISTER_COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *title, &bold)
            .map_err(xlsx)?;
        sheet
            .set_column_width(c as u16, if c < 4 { 28 } else { 14 })
            .map_err(xlsx)?;
    }
    for (r, a) in awards.iter().enumerate() {
        for (c, value) in register_row(a).iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, value)
                .map_err(xlsx)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    let bytes = book.save_to_buffer().map_err(xlsx)?;
    Ok(super::files::attachment(
        bytes,
        crate::io::storage::FileKind::Xlsx,
        "认定名录.xlsx",
    ))
}

/// The register as CSV (UTF-8 with BOM, so Excel in China opens it correctly).
pub(crate) async fn register_csv(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(s): Query<Search>,
) -> AppResult<Response> {
    let q = s.q.unwrap_or_default();
    let awards = awards::register(&state.db, ctx.tenant()?.id, q.trim()).await?;
    let header = REGISTER_COLUMNS.map(String::from);
    let rows = awards.iter().map(register_row);
    super::files::csv_download(
        std::iter::once(header).chain(rows),
        "认定名录.csv",
        "register.csv",
    )
}

#[derive(Template)]
#[template(path = "public/certificate.html")]
struct CertificatePage {
    ctx: PageCtx,
    award: Award,
    awarded: String,
    valid: String,
}

pub(crate) async fn certificate(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let award = awards::get(&state.db, ctx.tenant()?.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&CertificatePage {
        awarded: crate::web::publicity::date_label(award.awarded_on),
        valid: validity_text(&award),
        ctx,
        award,
    })
}

fn validity_text(award: &Award) -> String {
    award
        .valid_until
        .map(crate::web::publicity::date_label)
        .unwrap_or_else(|| "长期有效（动态管理）".into())
}

pub(crate) async fn certificate_pdf(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path((_, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let tenant = ctx.tenant()?;
    let award = awards::get(&state.db, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = super::certificate_pdf::render(
        &award,
        &tenant.city,
        &tenant.name,
        &crate::web::publicity::date_label(award.awarded_on),
        &validity_text(&award),
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("rendering a certificate")))?;
    Ok(super::files::attachment(
        bytes,
        crate::io::storage::FileKind::Pdf,
        &format!("认定证书-{}.pdf", award.number),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProvincialForm {
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    park_name: String,
    #[serde(default)]
    jurisdiction_id: String,
    #[serde(default)]
    evidence: String,
}

#[derive(Template)]
#[template(path = "bureau/provincial.html")]
struct ProvincialPage {
    ctx: PageCtx,
    article: String,
    description: String,
    organizations: Vec<(String, String)>,
    jurisdictions: Vec<(String, String)>,
    form: ProvincialForm,
    errors: super::page::FieldErrors,
}

async fn provincial_page(
    ctx: PageCtx,
    state: &AppState,
    tenant_id: i64,
    form: ProvincialForm,
    errors: super::page::FieldErrors,
) -> AppResult<Response> {
    let (_, rules) = provincial_rules(state, tenant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let provincial = rules.provincial.clone().ok_or(AppError::NotFound)?;
    let page = ProvincialPage {
        article: provincial.article,
        description: provincial.description,
        organizations: crate::db::organizations::list(&state.db, tenant_id)
            .await?
            .into_iter()
            .map(|(id, name, uscc)| (id.to_string(), format!("{name}（{uscc}）")))
            .collect(),
        jurisdictions: super::register::jurisdiction_options(state, tenant_id).await?,
        ctx,
        form,
        errors,
    };
    super::page::render_with(page.errors.status(), &page)
}

pub(crate) async fn provincial_form(
    ctx: PageCtx,
    user: crate::auth::CurrentUser,
    State(state): State<AppState>,
) -> AppResult<Response> {
    provincial_page(
        ctx,
        &state,
        user.tenant()?,
        ProvincialForm::default(),
        Default::default(),
    )
    .await
}

/// Records a 第九条 award: no application, recommendation, review or publicity, the provincial
/// list as the evidence, the tier the rule set grants.
pub(crate) async fn provincial_award(
    ctx: PageCtx,
    user: crate::auth::CurrentUser,
    client: super::request::ClientInfo,
    State(state): State<AppState>,
    session: tower_sessions::Session,
    axum::Form(form): axum::Form<ProvincialForm>,
) -> AppResult<Response> {
    let tenant_id = user.tenant()?;
    provincial_rules(&state, tenant_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = super::page::FieldErrors::default();
    let organization = match form.organization_id.parse::<i64>() {
        Ok(id) => crate::db::organizations::get(&state.db, tenant_id, id).await?,
        Err(_) => None,
    };
    if organization.is_none() {
        errors.add(
            "organization_id",
            "请选择运营管理机构（须先在本系统注册）。",
        );
    }
    let park = form.park_name.trim();
    if !(2..=100).contains(&park.chars().count()) {
        errors.add("park_name", "请填写园区名称。");
    }
    let jurisdiction = match form.jurisdiction_id.parse::<i64>() {
        Ok(id) => crate::db::jurisdictions::get(&state.db, tenant_id, id)
            .await?
            .map(|j| j.id),
        Err(_) => None,
    };
    if jurisdiction.is_none() {
        errors.add("jurisdiction_id", "请选择园区所在镇街。");
    }
    let evidence = form.evidence.trim();
    if evidence.chars().count() < 6 {
        errors.add("evidence", "请填写省级名单的文件名称和文号。");
    }
    // 中山 第十二条: the bar holds on every path to a title, the provincial list included.
    if let Some(org) = &organization
        && let Some(bar) = use_case::bar_of_operator(&state, tenant_id, &org.uscc).await?
    {
        errors.add("organization_id", format!("{bar}，不能认定。"));
    }
    let (Some(org), true) = (organization, errors.is_empty()) else {
        return provincial_page(ctx, &state, tenant_id, form, errors).await;
    };
    let city = ctx.tenant()?.city.clone();
    let listed = ProvincialListing {
        organization_id: org.id,
        jurisdiction_id: jurisdiction,
        park_name: park,
        evidence,
    };
    let by = client.by(&user);
    let (id, number) = use_case::award_provincial(&state, tenant_id, &city, &by, &listed).await?;
    super::page::flash(
        &session,
        "success",
        format!("已按省级名单直接认定，证书编号 {number}。"),
    )
    .await?;
    Ok(
        axum::response::Redirect::to(&format!("/t/{}/certificates/{id}", ctx.tenant()?.slug))
            .into_response(),
    )
}

//! Award (认定) after publicity, the printable certificate and the public register.
use super::page::{PageCtx, render};
use crate::db::applications::{self, NewReview};
use crate::db::awards::{self, Award, NewAward};
use crate::db::objections;
use crate::db::transition::{self, Applications, By};
use crate::domain::workflow::{self, ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::applications::Loaded;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The certificate number's prefix: the city's first character (温, 中…) and 商务跨园.
fn prefix(city: &str) -> String {
    format!("{}商务跨园", city.chars().next().unwrap_or('市'))
}

pub use crate::domain::time::valid_until;

/// Awards a park whose publicity has closed with no objection undecided or upheld: the number,
/// the validity, the tier (Zhongshan), the state change and the decision record, in one
/// transaction.
pub async fn award(
    state: &AppState,
    loaded: &Loaded,
    city: &str,
    by: &By,
    tier: Option<String>,
    comments: &str,
) -> AppResult<String> {
    let tenant_id = loaded.tenant_id;
    let (undecided, upheld) = objections::standing(&state.db, tenant_id, loaded.app.id).await?;
    workflow::check_award_precondition(undecided as usize, upheld as usize)
        .map_err(transition::refused)?;
    if let Some(bar) = crate::web::applications::review::bar_on(state, loaded).await? {
        return Err(AppError::Conflict(format!("{bar}。")));
    }
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let awarded_on = state.clock.today();
    let mut tx = state.db.begin().await?;
    transition::apply_in::<Applications>(
        &mut tx,
        tenant_id,
        loaded.app.id,
        ApplicationAction::Award,
        by,
        Some("公示期满，无成立的异议"),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    let (_, number) = awards::insert(
        &mut tx,
        tenant_id,
        &NewAward {
            application_id: Some(loaded.app.id),
            provincial: None,
            year: awarded_on.year(),
            prefix: &prefix(city),
            park_name: &loaded.app.park_name,
            tier: tier.as_deref(),
            awarded_on,
            valid_until: valid_until(awarded_on, loaded.rules.validity_years),
            rule_set_version_id: loaded.call.rule_set_version_id,
            created_by: user_id,
        },
    )
    .await?;
    applications::insert_review(
        &mut tx,
        tenant_id,
        loaded.app.id,
        &NewReview {
            version_number: loaded.app.version_count,
            stage: "decision",
            opinion: "award",
            comments: &format!("{comments}（证书编号 {number}）"),
            attestations: &BTreeMap::new(),
            letter_document_id: None,
            decided_by: user_id,
            results: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

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
        crate::storage::FileKind::Xlsx,
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
        crate::storage::FileKind::Pdf,
        &format!("认定证书-{}.pdf", award.number),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_years_of_validity_end_the_day_before_the_anniversary() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(valid_until(d(2026, 12, 8), Some(3)), Some(d(2029, 12, 7)));
        assert_eq!(valid_until(d(2028, 2, 29), Some(3)), Some(d(2031, 2, 27)));
        assert_eq!(valid_until(d(2026, 12, 8), None), None);
        assert_eq!(prefix("温州"), "温商务跨园");
    }
}

/// The tenant's rule-set version that provides a provincial-list award (Zhongshan 第九条).
pub async fn provincial_rules(
    state: &AppState,
    tenant_id: i64,
) -> AppResult<Option<(i64, crate::domain::ruleset::RuleSet)>> {
    for v in crate::db::rulesets::list(&state.db, tenant_id).await? {
        if let Some((meta, rules)) = crate::db::rulesets::get(&state.db, tenant_id, v.id).await?
            && rules.provincial.is_some()
        {
            return Ok(Some((meta.id, rules)));
        }
    }
    Ok(None)
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
    let (version_id, rules) = provincial_rules(&state, tenant_id)
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
        && let Some(bar) =
            crate::web::applications::review::bar_of_operator(&state, tenant_id, &org.uscc).await?
    {
        errors.add("organization_id", format!("{bar}，不能认定。"));
    }
    let (Some(org), true) = (organization, errors.is_empty()) else {
        return provincial_page(ctx, &state, tenant_id, form, errors).await;
    };
    let tier = rules.provincial.as_ref().map(|p| p.tier.clone());
    let awarded_on = state.clock.today();
    let city = ctx.tenant()?.city.clone();
    let mut tx = state.db.begin().await?;
    let (id, number) = awards::insert(
        &mut tx,
        tenant_id,
        &NewAward {
            application_id: None,
            provincial: Some((org.id, jurisdiction, evidence)),
            year: awarded_on.year(),
            prefix: &prefix(&city),
            park_name: park,
            tier: tier.as_deref(),
            awarded_on,
            valid_until: valid_until(awarded_on, rules.validity_years),
            rule_set_version_id: version_id,
            created_by: user.id,
        },
    )
    .await?;
    crate::db::audit::record(
        &mut tx,
        crate::db::audit::Entry {
            after: Some(serde_json::json!({
                "number": number, "park": park, "organization_id": org.id, "evidence": evidence,
                "basis": "provincial",
            })),
            ..client.audit(
                Some(tenant_id),
                Some(user.id),
                "award",
                id,
                "provincial_award",
            )
        },
    )
    .await?;
    tx.commit().await?;
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

//! The platform admin's area: tenants. A new tenant (a further city's bureau) works at once:
//! its slug routes, its jurisdictions and its first bureau account are rows, not code.
use super::bureau::{validate_display_name, validate_login, validate_password};
use super::page::{FieldErrors, PageCtx, flash, render, render_with};
use super::request::ClientInfo;
use crate::auth::{CurrentUser, password};
use crate::db::jurisdictions;
use crate::db::tenants::{self, Tenant};
use crate::error::AppResult;
use crate::service::accounts::{self, TenantSetup};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "admin/home.html")]
struct Home {
    ctx: PageCtx,
    tenants: Vec<Tenant>,
}

pub(crate) async fn home(ctx: PageCtx, State(state): State<AppState>) -> AppResult<Response> {
    render(&Home {
        ctx,
        tenants: tenants::all(&state.db).await?,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewTenantForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region_prefix: String,
    /// One jurisdiction per line: `名称` or `名称,类型` (类型 one of the jurisdiction kinds).
    #[serde(default)]
    jurisdictions: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "admin/tenant_form.html")]
struct TenantFormPage {
    ctx: PageCtx,
    form: NewTenantForm,
    errors: FieldErrors,
}

pub(crate) async fn new_tenant_form(ctx: PageCtx) -> AppResult<Response> {
    let page = TenantFormPage {
        ctx,
        form: NewTenantForm::default(),
        errors: FieldErrors::default(),
    };
    render(&page)
}

fn reshow(ctx: PageCtx, form: NewTenantForm, errors: FieldErrors) -> AppResult<Response> {
    let form = NewTenantForm {
        password: String::new(),
        ..form
    };
    let page = TenantFormPage { ctx, form, errors };
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Parses the jurisdiction lines; the kind may be given by its code or its Chinese label.
fn parse_jurisdictions(text: &str) -> Result<Vec<(String, &'static str)>, String> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut parts = line.splitn(2, [',', '，']);
        let name = parts.next().unwrap_or("").trim().to_string();
        let kind_text = parts.next().map(str::trim).unwrap_or("");
        let kind = if kind_text.is_empty() {
            crate::domain::jurisdiction_table::kind_of_name(&name)
        } else {
            jurisdictions::KINDS
                .iter()
                .find(|(k, l)| *k == kind_text || *l == kind_text)
                .map(|(k, _)| *k)
                .ok_or_else(|| format!("第{}行：无法识别的辖区类型“{kind_text}”。", i + 1))?
        };
        if !(2..=40).contains(&name.chars().count()) {
            return Err(format!("第{}行：辖区名称应为2–40字。", i + 1));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("第{}行：辖区“{name}”重复。", i + 1));
        }
        out.push((name, kind));
    }
    // None is fine: the bureau then imports its list on its first-run checklist.
    Ok(out)
}

pub(crate) async fn create_tenant(
    ctx: PageCtx,
    admin: CurrentUser,
    client: ClientInfo,
    State(state): State<AppState>,
    session: Session,
    Form(mut form): Form<NewTenantForm>,
) -> AppResult<Response> {
    form.slug = form.slug.trim().to_lowercase();
    form.name = form.name.trim().to_string();
    form.city = form.city.trim().to_string();
    form.region_prefix = form.region_prefix.trim().to_string();
    form.login = form.login.trim().to_lowercase();
    form.display_name = form.display_name.trim().to_string();
    let mut errors = FieldErrors::default();
    let slug_ok = (2..=32).contains(&form.slug.len())
        && form.slug.starts_with(|c: char| c.is_ascii_lowercase())
        && form
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !slug_ok {
        errors.add(
            "slug",
            "网址标识为2–32位小写字母、数字或连字符，以字母开头，例如 huzhou。",
        );
    }
    if !(2..=60).contains(&form.name.chars().count()) {
        errors.add("name", "请填写机构名称，例如 湖州市商务局。");
    }
    if !(2..=20).contains(&form.city.chars().count()) {
        errors.add("city", "请填写城市名称，例如 湖州市。");
    }
    let prefix_ok = form.region_prefix.is_empty()
        || ((2..=6).contains(&form.region_prefix.len())
            && form.region_prefix.chars().all(|c| c.is_ascii_digit()));
    if !prefix_ok {
        errors.add(
            "region_prefix",
            "行政区划代码前缀为2–6位数字，例如 3305；可留空。",
        );
    }
    let parsed = parse_jurisdictions(&form.jurisdictions);
    if let Err(m) = &parsed {
        errors.add("jurisdictions", m.clone());
    }
    validate_login(&form.login, &mut errors);
    validate_display_name(&form.display_name, &mut errors);
    let policy = crate::db::security_policy::get(&state.db).await?;
    validate_password(&policy, (&form.login, &form.password), &mut errors);
    let (Ok(list), true) = (parsed, errors.is_empty()) else {
        return reshow(ctx, form, errors);
    };

    let hash = password::hash(form.password.clone()).await?;
    let setup = TenantSetup {
        tenant: tenants::NewTenant {
            slug: &form.slug,
            name: &form.name,
            city: &form.city,
            region_prefix: Some(form.region_prefix.as_str()).filter(|p| !p.is_empty()),
        },
        jurisdictions: &list,
        login: &form.login,
        display_name: &form.display_name,
        password_hash: &hash,
    };
    let tenant = match accounts::create_tenant(&state, &client.by(&admin), &setup).await? {
        Ok(tenant) => tenant,
        Err(taken) => {
            errors.add(taken.field, taken.message);
            return reshow(ctx, form, errors);
        }
    };
    flash(
        &session,
        "success",
        format!(
            "已创建租户 {}（/t/{}），首个市商务局账号 {}。",
            tenant.name, tenant.slug, form.login
        ),
    )
    .await?;
    Ok(Redirect::to("/admin").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdiction_lines_take_a_kind_by_code_label_or_name_suffix() {
        let parsed =
            parse_jurisdictions("吴兴区\n德清县,county\n\n南太湖新区，市级功能区\n").unwrap();
        assert_eq!(
            parsed,
            vec![
                ("吴兴区".to_string(), "district"),
                ("德清县".to_string(), "county"),
                ("南太湖新区".to_string(), "function_zone")
            ]
        );
        assert!(
            parse_jurisdictions("吴兴区\n吴兴区")
                .unwrap_err()
                .contains("重复")
        );
        assert!(
            parse_jurisdictions("吴兴区,省")
                .unwrap_err()
                .contains("第1行")
        );
        // None at all is allowed: the bureau imports its list on its first day.
        assert_eq!(parse_jurisdictions("  \n"), Ok(vec![]));
    }
}

//! Operator self-registration: a park's operating company registers itself (with its USCC) and
//! its first operator account, then signs in to apply. Further accounts of the same company
//! register the same way and are refused with a clear message (the USCC is taken), so that one
//! company is one organization.
use super::bureau::{validate_display_name, validate_login, validate_password};
use super::page::{FieldErrors, PageCtx, flash, render_with};
use super::request::ClientInfo;
use crate::auth::password;
use crate::db::jurisdictions;
use crate::db::organizations::OrganizationFields;
use crate::domain::role::Role;
use crate::domain::uscc::Uscc;
use crate::error::AppResult;
use crate::service::accounts::{self, Registration};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

/// The organization's profile fields, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub jurisdiction_id: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
}

impl OrgForm {
    fn trim(&mut self) {
        for f in [
            &mut self.name,
            &mut self.uscc,
            &mut self.address,
            &mut self.legal_representative,
            &mut self.contact_name,
            &mut self.contact_phone,
        ] {
            *f = f.trim().to_string();
        }
        self.uscc = self.uscc.to_uppercase();
    }

    /// Checks the profile; returns the chosen jurisdiction's id when it is one of the tenant's
    /// active jurisdictions.
    pub async fn validate(
        &mut self,
        state: &AppState,
        tenant_id: i64,
        check_uscc: bool,
        errors: &mut FieldErrors,
    ) -> AppResult<Option<i64>> {
        self.trim();
        if !(2..=100).contains(&self.name.chars().count()) {
            errors.add("name", "请填写运营管理机构全称（2–100字）。");
        }
        if check_uscc && let Err(e) = Uscc::parse(&self.uscc) {
            errors.add("uscc", format!("{e}。"));
        }
        require_text(&self.address, "address", "请填写注册地址。", 200, errors);
        require_text(
            &self.legal_representative,
            "legal_representative",
            "请填写法定代表人姓名。",
            40,
            errors,
        );
        require_text(
            &self.contact_name,
            "contact_name",
            "请填写联系人。",
            40,
            errors,
        );
        if !is_phone(&self.contact_phone) {
            errors.add(
                "contact_phone",
                "请填写联系电话（7–20位数字，可含区号分隔符 -）。",
            );
        }
        let jurisdiction = match self.jurisdiction_id.parse::<i64>() {
            Ok(id) => jurisdictions::get(&state.db, tenant_id, id)
                .await?
                .filter(|j| j.active),
            Err(_) => None,
        };
        if jurisdiction.is_none() {
            errors.add("jurisdiction_id", "请选择所在县（市、区）/镇街。");
        }
        Ok(jurisdiction.map(|j| j.id))
    }

    pub fn fields(&self, jurisdiction_id: i64) -> OrganizationFields<'_> {
        OrganizationFields {
            uscc: &self.uscc,
            name: &self.name,
            jurisdiction_id,
            address: &self.address,
            legal_representative: &self.legal_representative,
            contact_name: &self.contact_name,
            contact_phone: &self.contact_phone,
        }
    }
}

fn require_text(value: &str, field: &str, message: &str, max: usize, errors: &mut FieldErrors) {
    let n = value.chars().count();
    if n == 0 {
        errors.add(field, message);
    } else if n > max {
        errors.add(field, format!("不超过{max}字。"));
    }
}

/// A Chinese landline or mobile number as people write it: digits with optional +, -, spaces
/// and parentheses.
pub fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(flatten)]
    org: OrgForm,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "public/register.html")]
struct RegisterPage {
    ctx: PageCtx,
    form: RegisterForm,
    jurisdictions: Vec<(String, String)>,
    errors: FieldErrors,
}

pub async fn jurisdiction_options(
    state: &AppState,
    tenant_id: i64,
) -> AppResult<Vec<(String, String)>> {
    Ok(jurisdictions::list(&state.db, tenant_id)
        .await?
        .into_iter()
        .filter(|j| j.active)
        .map(|j| (j.id.to_string(), j.name))
        .collect())
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    form: RegisterForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let tenant_id = ctx.tenant()?.id;
    let page = RegisterPage {
        jurisdictions: jurisdiction_options(state, tenant_id).await?,
        form: RegisterForm {
            password: String::new(),
            password_confirm: String::new(),
            ..form
        },
        ctx,
        errors,
    };
    render_with(page.errors.status(), &page)
}

pub(crate) async fn form(
    ctx: PageCtx,
    session: Session,
    State(state): State<AppState>,
) -> AppResult<Response> {
    let ctx = ctx.with_csrf(&session).await?;
    page(ctx, &state, RegisterForm::default(), FieldErrors::default()).await
}

pub(crate) async fn submit(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    Form(mut form): Form<RegisterForm>,
) -> AppResult<Response> {
    let tenant = ctx.tenant()?.clone();
    let mut errors = FieldErrors::default();
    let jurisdiction_id = form
        .org
        .validate(&state, tenant.id, true, &mut errors)
        .await?;
    form.login = form.login.trim().to_lowercase();
    form.display_name = form.display_name.trim().to_string();
    validate_login(&form.login, &mut errors);
    validate_display_name(&form.display_name, &mut errors);
    let policy = crate::db::security_policy::get(&state.db).await?;
    validate_password(&policy, (&form.login, &form.password), &mut errors);
    if form.password != form.password_confirm {
        errors.add("password_confirm", "两次输入的密码不一致。");
    }
    let (Some(jurisdiction_id), true) = (jurisdiction_id, errors.is_empty()) else {
        return page(ctx, &state, form, errors).await;
    };

    let hash = password::hash(form.password.clone()).await?;
    let registration = Registration {
        organization: form.org.fields(jurisdiction_id),
        login: &form.login,
        display_name: &form.display_name,
        password_hash: &hash,
    };
    let by = client.before_sign_in(Role::Operator);
    if let Err(taken) = accounts::register_operator(&state, tenant.id, &by, &registration).await? {
        errors.add(taken.field, taken.message);
        return page(ctx, &state, form, errors).await;
    }
    flash(
        &session,
        "success",
        format!("{} 已注册，请使用账号 {} 登录。", form.org.name, form.login),
    )
    .await?;
    Ok(Redirect::to(&format!("/t/{}/login", tenant.slug)).into_response())
}

//! Every URL of the product and the handler that answers it, in one table by role area.
//!
//! The table is also data: `listed()` gives each route's area, methods and full pattern, so the
//! isolation sweep and the form fuzzing read the same list the router is built from, and a new
//! route is covered (or fails those tests) the day it is added.
use super::{
    account, admin, api, applications, audit, awards, bureau, calendar_admin, calls, deliveries,
    files, inbox, monitoring, objections, platform, public, publicity, register, review,
    ruleset_drafts, rulesets, signin,
};
use crate::domain::role::Role;
use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};

/// One route as the table lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The role area (`public` for pages without a role).
    pub area: &'static str,
    /// `GET`, `POST` or `GET POST`.
    pub methods: &'static str,
    /// The full pattern, e.g. `/t/{tenant}/bureau/calls/{id}`.
    pub path: String,
}

/// The routes of one area: a path prefix, the role every route in it requires, and the routes.
pub(super) struct Area {
    pub name: &'static str,
    pub prefix: &'static str,
    pub role: Option<Role>,
    pub router: Router<AppState>,
    routes: Vec<(&'static str, &'static str)>,
}

impl Area {
    fn new(name: &'static str, prefix: &'static str, role: Option<Role>) -> Self {
        Area {
            name,
            prefix,
            role,
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.routes.push(("GET", path));
        self.router = self.router.route(path, get(h));
        self
    }

    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.routes.push(("POST", path));
        self.router = self.router.route(path, post(h));
        self
    }

    fn get_post<G, TG, P, TP>(mut self, path: &'static str, g: G, p: P) -> Self
    where
        G: Handler<TG, AppState>,
        P: Handler<TP, AppState>,
        TG: 'static,
        TP: 'static,
    {
        self.routes.push(("GET POST", path));
        self.router = self.router.route(path, get(g).post(p));
        self
    }
}

/// Every route of the product, as data.
pub fn listed() -> Vec<Route> {
    areas()
        .into_iter()
        .flat_map(|area| {
            let (name, prefix) = (area.name, area.prefix);
            area.routes.into_iter().map(move |(methods, path)| Route {
                area: name,
                methods,
                path: match (prefix, path) {
                    ("", _) => path.to_string(),
                    (_, "/") => prefix.to_string(),
                    _ => format!("{prefix}{path}"),
                },
            })
        })
        .collect()
}

pub(super) fn areas() -> Vec<Area> {
    vec![
        public(),
        account(),
        inbox(),
        admin(),
        security(),
        auditing(),
        bureau(),
        operator(),
        county(),
        expert(),
    ]
}

fn public() -> Area {
    Area::new("public", "", None)
        .get("/", public::index)
        .get("/healthz", public::healthz)
        .get("/static/style.css", public::stylesheet)
        .get("/static/selfcheck.js", public::selfcheck_script)
        .get("/static/sheet.js", public::sheet_script)
        .get("/t/{tenant}", public::tenant_home)
        .get_post(
            "/t/{tenant}/login",
            signin::tenant_form,
            signin::tenant_submit,
        )
        .get_post("/admin/login", signin::admin_form, signin::admin_submit)
        .post("/logout", signin::sign_out)
        .get_post("/t/{tenant}/register", register::form, register::submit)
        .get("/t/{tenant}/files/{id}", files::download)
        .get("/t/{tenant}/calls/{id}", calls::public_show)
        .get("/t/{tenant}/publicity", publicity::public_list)
        .get("/t/{tenant}/publicity/{id}", publicity::public_show)
        .get_post(
            "/t/{tenant}/publicity/{id}/objection",
            objections::form,
            objections::file,
        )
        .get("/t/{tenant}/objections/status", objections::status)
        .get("/t/{tenant}/parks", awards::register)
        .get("/t/{tenant}/parks.csv", awards::register_csv)
        .get("/t/{tenant}/parks.xlsx", awards::register_xlsx)
        .get("/t/{tenant}/certificates/{id}", awards::certificate)
        .get("/t/{tenant}/certificates/{id}/pdf", awards::certificate_pdf)
        .post("/api/v1/evaluate", api::evaluate)
}

/// The signed-in person's own account, whatever their role.
fn account() -> Area {
    Area::new("account", "", None)
        .get("/account", account::page)
        .post("/account/password", account::change_password)
        .post("/account/notifications", account::set_channels)
        .post("/account/sessions/end", account::end_session)
        .post("/account/totp/start", account::totp_start)
        .post("/account/totp/enable", account::totp_enable)
        .post("/account/totp/disable", account::totp_disable)
}

/// The signed-in person's messages, in their own tenant (any role of it).
fn inbox() -> Area {
    Area::new("inbox", "/t/{tenant}/inbox", None)
        .get("/", inbox::list)
        .post("/read-all", inbox::read_all)
        .get("/{id}", inbox::open)
}

/// The system administrator's area (三员分立): tenants and the calendar.
fn admin() -> Area {
    Area::new("admin", "/admin", Some(Role::SysAdmin))
        .get("/", admin::home)
        .get_post("/tenants/new", admin::new_tenant_form, admin::create_tenant)
        .get("/calendar", calendar_admin::show)
        .post("/calendar/import", calendar_admin::import)
}

/// The security administrator's area: the policy in force, locked accounts.
fn security() -> Area {
    Area::new("security", "/admin/security", Some(Role::SecAdmin))
        .get("/", platform::security_home)
        .post("/policy", platform::set_policy)
        .post("/unlock", platform::unlock)
}

/// The audit administrator's area: every audit trail, read only, and signed exports.
fn auditing() -> Area {
    Area::new("auditing", "/admin/audit", Some(Role::AuditAdmin))
        .get("/", platform::audit_home)
        .get("/export", platform::audit_export)
}

fn bureau() -> Area {
    use applications::review as intake;
    use monitoring::bureau as mon;
    use review::{bureau as panels, pool};
    Area::new("bureau", "/t/{tenant}/bureau", Some(Role::Bureau))
        .get("/", bureau::home)
        // People and places.
        .get_post("/users", bureau::user_list, bureau::user_create)
        .post("/users/{id}/deactivate", bureau::user_deactivate)
        .get_post(
            "/jurisdictions",
            bureau::jurisdiction_list,
            bureau::jurisdiction_create,
        )
        .post("/jurisdictions/import", bureau::jurisdiction_import)
        .post("/jurisdictions/{id}/active", bureau::jurisdiction_toggle)
        .get("/rulesets", rulesets::list)
        .post("/rulesets/adopt", rulesets::adopt)
        .post("/rulesets/import", rulesets::import)
        .get("/rulesets/{id}", rulesets::show)
        .get("/rulesets/{id}/export", rulesets::export)
        .post("/rulesets/drafts", ruleset_drafts::create)
        .get_post(
            "/rulesets/drafts/{id}",
            ruleset_drafts::edit,
            ruleset_drafts::save,
        )
        .get("/rulesets/drafts/{id}/preview", ruleset_drafts::preview)
        .post("/rulesets/drafts/{id}/activate", ruleset_drafts::activate)
        .post("/rulesets/drafts/{id}/discard", ruleset_drafts::discard)
        // Calls and the applications to them.
        .get_post("/calls", calls::list, calls::create)
        .get("/calls/new", calls::new_form)
        .get_post("/calls/{id}", calls::show, calls::update)
        .post("/calls/{id}/publish", calls::publish)
        .post("/calls/{id}/attachments", calls::attach)
        .get("/calls/{call}/applications", intake::bureau_list)
        .get("/batches/{id}", applications::batches::bureau_show)
        // Third-party institutions (第三方机构).
        .get_post(
            "/institutions",
            review::institutions::list,
            review::institutions::register,
        )
        .get("/institutions/{id}", review::institutions::show)
        .post(
            "/institutions/{id}/staff",
            review::institutions::open_account,
        )
        .post(
            "/applications/{id}/institution",
            review::institutions::assign,
        )
        // On-site inspections (现场考核).
        .get(
            "/applications/{id}/inspections/new",
            review::inspection::new_form,
        )
        .post("/applications/{id}/inspections", review::inspection::create)
        .get("/inspections/{id}", review::inspection::show)
        .post("/inspections/{id}/record", review::inspection::record)
        .post("/inspections/{id}/photos", review::inspection::photo)
        .post(
            "/inspections/{id}/return",
            review::inspection::return_record,
        )
        .get("/inspections/{id}/print", review::inspection::print)
        .get("/inspections/{id}/pdf", review::inspection::pdf)
        .get("/applications/{id}", intake::bureau_show)
        .post("/applications/{id}/decision", intake::bureau_decision)
        .get(
            "/applications/{id}/versions/{n}",
            intake::version_for_reviewer,
        )
        .get(
            "/applications/{id}/versions/{n}/{format}",
            intake::printed_for_reviewer,
        )
        // Expert review.
        .get_post("/experts", pool::list, pool::create)
        .post("/experts/import", pool::import)
        .get("/experts/template.xlsx", pool::template)
        .get("/experts/{id}", pool::show)
        .post("/experts/{id}/active", pool::toggle)
        .post("/experts/{id}/account", pool::open_account)
        .get("/calls/{call}/review", panels::hub)
        .post("/calls/{call}/panels", panels::create_panel)
        .get("/calls/{call}/results.xlsx", panels::export)
        .get("/calls/{call}/results/print", panels::print)
        .get("/panels/{id}", panels::panel_page)
        .post("/panels/{id}/decline", panels::decline)
        .post("/panels/{id}/close", panels::close)
        .post("/assignments/{id}/reopen", panels::reopen)
        .get_post(
            "/assignments/{id}/paper",
            review::paper::show,
            review::paper::enter,
        )
        // Publicity, objections, awards.
        .get_post(
            "/calls/{call}/publicity",
            publicity::form,
            publicity::publish,
        )
        .get("/objections", objections::list)
        .get("/objections/{id}", objections::case)
        .post("/objections/{id}/investigate", objections::investigate)
        .post("/objections/{id}/decide", objections::decide)
        .get_post(
            "/provincial",
            awards::provincial_form,
            awards::provincial_award,
        )
        // Dynamic management.
        .get("/monitoring", mon::dashboard)
        .post("/monitoring/settings", mon::save_settings)
        .post("/monitoring/remind", mon::remind)
        .get("/monitoring/reports/{id}", mon::report_page)
        .post("/monitoring/reports/{id}/decision", mon::decide)
        .get_post("/monitoring/zone", mon::zone, mon::save_targets)
        .get("/monitoring/parks/{award}", mon::park_page)
        .post("/monitoring/parks/{award}/revoke", mon::revoke)
        .get_post(
            "/monitoring/re-reviews",
            mon::re_reviews,
            mon::open_re_review,
        )
        .get("/monitoring/re-reviews/{id}", mon::re_review_page)
        .post(
            "/monitoring/re-reviews/{id}/panel",
            mon::draw_re_review_panel,
        )
        .post(
            "/monitoring/re-reviews/{id}/parks/{pid}",
            mon::decide_re_review,
        )
        .get("/monitoring/rectifications/{id}", mon::order_page)
        .post("/monitoring/rectifications/{id}/verdict", mon::verdict)
        .get("/audit", audit::page)
        .get("/audit.csv", audit::export)
        .get("/deliveries", deliveries::log)
        .post("/deliveries/{id}/retry", deliveries::retry)
}

fn operator() -> Area {
    use applications::{operator as apps, roster};
    use monitoring::operator as mon;
    Area::new("operator", "/t/{tenant}/operator", Some(Role::Operator))
        .get("/", apps::home)
        .get_post(
            "/organization",
            apps::organization_page,
            apps::organization_save,
        )
        .post("/calls/{call}/apply", apps::apply)
        .get("/applications/{id}", apps::show)
        .get_post("/applications/{id}/form", apps::form_page, apps::form_save)
        .post("/applications/{id}/selfcheck", apps::selfcheck)
        .post("/applications/{id}/documents", apps::document_upload)
        .post(
            "/applications/{id}/documents/{doc}/detach",
            apps::document_detach,
        )
        .post("/applications/{id}/submit", apps::submit)
        .get("/applications/{id}/versions/{n}", apps::version_page)
        .get(
            "/applications/{id}/versions/{n}/{format}",
            apps::printed_version,
        )
        .get("/applications/{id}/roster", roster::roster_page)
        .post("/applications/{id}/roster/import", roster::roster_import)
        .post("/applications/{id}/roster/rows", roster::roster_add)
        .get_post(
            "/applications/{id}/roster/rows/{row}",
            roster::roster_row_page,
            roster::roster_row_save,
        )
        .post(
            "/applications/{id}/roster/rows/{row}/delete",
            roster::roster_row_delete,
        )
        .get("/applications/{id}/roster.xlsx", roster::roster_export)
        .get(
            "/applications/{id}/roster-template.xlsx",
            roster::roster_template,
        )
        .get("/parks/{award}", mon::park_page)
        .get_post(
            "/parks/{award}/reports/{year}/{period}",
            mon::report_page,
            mon::report_file,
        )
        .post(
            "/parks/{award}/rectifications/{order}",
            mon::rectification_respond,
        )
}

fn county() -> Area {
    use applications::review as intake;
    use monitoring::county as mon;
    Area::new("county", "/t/{tenant}/county", Some(Role::County))
        .get("/", intake::county_home)
        .get("/applications/{id}", intake::county_show)
        .post("/applications/{id}/opinion", intake::county_opinion)
        .get_post(
            "/calls/{call}/batch",
            applications::batches::county_form,
            applications::batches::county_forward,
        )
        .get("/batches/{id}", applications::batches::county_show)
        .get("/inspections/{id}", review::inspection::show)
        .get("/inspections/{id}/print", review::inspection::print)
        .get("/inspections/{id}/pdf", review::inspection::pdf)
        .get(
            "/applications/{id}/versions/{n}",
            intake::version_for_reviewer,
        )
        .get(
            "/applications/{id}/versions/{n}/{format}",
            intake::printed_for_reviewer,
        )
        .get("/monitoring", mon::home)
        .get("/reports/{id}", mon::report_page)
        .post("/reports/{id}/decision", mon::decide)
        .get_post(
            "/own-reports/{kind}/{year}/{period}",
            mon::own_page,
            mon::own_file,
        )
}

fn expert() -> Area {
    use review::expert;
    Area::new("expert", "/t/{tenant}/expert", Some(Role::Expert))
        .get("/", expert::home)
        .get("/invitations/{id}", expert::invitation)
        .post("/invitations/{id}/accept", expert::accept)
        .post("/invitations/{id}/decline", expert::decline)
        .get("/assignments/{id}", expert::show)
        .post("/assignments/{id}/declare", expert::declare)
        .post("/assignments/{id}/sheet", expert::save_sheet)
        .post("/assignments/{id}/outlier", expert::outlier_reason)
        .get("/inspections/{id}", review::inspection::show)
        .post("/inspections/{id}/confirm", review::inspection::confirm)
        .get_post(
            "/re-review-sheets/{id}",
            review::re_review::show,
            review::re_review::answer,
        )
        .get_post(
            "/institution-reviews/{id}",
            review::institutions::review,
            review::institutions::submit,
        )
        .get("/inspections/{id}/print", review::inspection::print)
        .get("/inspections/{id}/pdf", review::inspection::pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_pattern_is_listed_twice_for_one_method() {
        let mut seen = std::collections::BTreeSet::new();
        for route in listed() {
            for method in route.methods.split(' ') {
                assert!(
                    seen.insert((method, route.path.clone())),
                    "{method} {} twice",
                    route.path
                );
            }
        }
        assert!(seen.len() > 100, "{}", seen.len());
    }
}

//! Demo data, seeded on the first start of an empty database so `cargo run` shows a working
//! system. The passwords are for the demo only and are printed on the console and in the README.
use crate::auth::password;
use crate::db::{tenants, users};
use crate::domain::role::Role;
use crate::state::AppState;
use anyhow::Context;
use sqlx::PgPool;

mod applications;
pub use applications::{submitted, submitted_with};
pub mod monitoring;
mod onboarding;
mod review;

pub const DEMO_PASSWORD: &str = "parkcert-demo-2026";
/// The platform's three administrators (三员分立), at `/admin/login`.
pub const ADMINISTRATORS: [(&str, &str, Role); 3] = [
    ("sysadmin", "平台系统管理员", Role::SysAdmin),
    ("secadmin", "平台安全管理员", Role::SecAdmin),
    ("auditadmin", "平台审计管理员", Role::AuditAdmin),
];

pub struct DemoUser {
    pub tenant: &'static str,
    pub login: &'static str,
    pub name: &'static str,
    pub role: Role,
    /// County users: their jurisdiction; operators: their organization's jurisdiction.
    pub jurisdiction: Option<&'static str>,
    /// Operators: (USCC, organization name).
    pub organization: Option<(&'static str, &'static str)>,
}

const fn user(
    tenant: &'static str,
    login: &'static str,
    name: &'static str,
    role: Role,
) -> DemoUser {
    DemoUser {
        tenant,
        login,
        name,
        role,
        jurisdiction: None,
        organization: None,
    }
}

pub const USERS: &[DemoUser] = &[
    user("wenzhou", "wz-bureau", "陈立新", Role::Bureau),
    user("wenzhou", "wz-bureau2", "周敏", Role::Bureau),
    DemoUser {
        jurisdiction: Some("鹿城区"),
        ..user("wenzhou", "wz-county-lucheng", "林晓燕", Role::County)
    },
    DemoUser {
        jurisdiction: Some("瑞安市"),
        ..user("wenzhou", "wz-county-ruian", "周建华", Role::County)
    },
    user("wenzhou", "wz-expert1", "王志明", Role::Expert),
    user("wenzhou", "wz-expert2", "黄静", Role::Expert),
    user("wenzhou", "wz-expert3", "郑海涛", Role::Expert),
    user("wenzhou", "wz-expert4", "林晓红", Role::Expert),
    user("wenzhou", "wz-expert5", "陈国华", Role::Expert),
    DemoUser {
        jurisdiction: Some("鹿城区"),
        organization: Some((
            "91330302MA2AX1B3C8",
            "温州鹿城跨境电商产业园运营管理有限公司",
        )),
        ..user("wenzhou", "wz-operator1", "李娜", Role::Operator)
    },
    DemoUser {
        jurisdiction: Some("瑞安市"),
        organization: Some(("91330381MA2CQ7R8D7", "瑞安市跨境电商创业园管理有限公司")),
        ..user("wenzhou", "wz-operator2", "潘伟", Role::Operator)
    },
    user("zhongshan", "zs-bureau", "梁文杰", Role::Bureau),
    DemoUser {
        jurisdiction: Some("古镇镇"),
        ..user("zhongshan", "zs-county-guzhen", "何丽珊", Role::County)
    },
    DemoUser {
        jurisdiction: Some("中山港街道"),
        ..user("zhongshan", "zs-county-torch", "冯国强", Role::County)
    },
    user("zhongshan", "zs-expert1", "吴启明", Role::Expert),
    user("zhongshan", "zs-expert2", "谭雅婷", Role::Expert),
    user("zhongshan", "zs-expert3", "欧阳俊", Role::Expert),
    DemoUser {
        jurisdiction: Some("古镇镇"),
        organization: Some((
            "91442000MA4UK2L5EW",
            "中山古镇灯饰跨境电商产业园运营有限公司",
        )),
        ..user("zhongshan", "zs-operator1", "苏敏", Role::Operator)
    },
    DemoUser {
        jurisdiction: Some("中山港街道"),
        organization: Some(("91442000MA51PQ3X6D", "中山火炬跨境电商产业园管理有限公司")),
        ..user("zhongshan", "zs-operator2", "陆嘉豪", Role::Operator)
    },
    DemoUser {
        jurisdiction: Some("中山港街道"),
        organization: Some(("91442000MA53TX8K2K", "中山港保税跨境电商园运营有限公司")),
        ..user("zhongshan", "zs-operator3", "钟启航", Role::Operator)
    },
];

/// Seeds the demo accounts when the database has no users yet (the first start), and the demo
/// content when there is none (so a data directory from an older version gets it too).
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<bool> {
    let pool = &state.db;
    let fresh = users::count_all(pool).await? == 0;
    if fresh {
        seed(pool).await?;
    }
    let calls: i64 = sqlx::query_scalar("SELECT count(*) FROM calls")
        .fetch_one(pool)
        .await?;
    if calls == 0 {
        seed_content(state).await?;
    }
    Ok(fresh)
}

/// A demo call per city, as a bureau would publish it: Wenzhou's open for applications with a
/// second one still a draft, Zhongshan's open. Published through the workflow like any other;
/// then applications to the open calls in every state intake can reach.
pub async fn seed_content(state: &AppState) -> anyhow::Result<()> {
    seed_channels(state).await?;
    seed_calls(&state.db).await?;
    applications::seed(state).await?;
    review::seed(state).await?;
    monitoring::seed(state).await?;
    onboarding::seed(state).await
}

/// Some demo users are told by text message or e-mail as well (the rest by the inbox alone), so
/// the bureau's delivery log has entries: the built-in SMS sender records them, and e-mail
/// waits for `PARKCERT_SMTP_URL`. The addresses are made up (e-mail under example.org, which is
/// reserved for examples).
async fn seed_channels(state: &AppState) -> anyhow::Result<()> {
    use crate::db::users::Channels;
    use crate::domain::role::Role;
    use crate::service::accounts::{self, Own};
    let people = [
        (
            "wenzhou",
            "wz-county-ruian",
            Role::County,
            Some("13800000101"),
            None,
        ),
        (
            "wenzhou",
            "wz-expert1",
            Role::Expert,
            Some("13800000102"),
            None,
        ),
        (
            "wenzhou",
            "wz-bureau",
            Role::Bureau,
            None,
            Some("bureau@wenzhou.example.org"),
        ),
        (
            "zhongshan",
            "zs-operator2",
            Role::Operator,
            Some("13800000201"),
            Some("operator2@zhongshan.example.org"),
        ),
    ];
    for (tenant, login, role, mobile, email) in people {
        let tenant_id = crate::db::tenants::by_slug(&state.db, tenant)
            .await?
            .with_context(|| format!("demo tenant {tenant}"))?
            .id;
        let who = applications::person(state, tenant_id, login, role).await?;
        let channels = Channels {
            email: email.map(String::from),
            mobile: mobile.map(String::from),
            notify_email: email.is_some(),
            notify_sms: mobile.is_some(),
        };
        let own = Own {
            user_id: who.id,
            tenant_id: Some(tenant_id),
            by: &who.by,
        };
        accounts::set_channels(state, &own, &channels)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

async fn seed_calls(pool: &PgPool) -> anyhow::Result<()> {
    use crate::db::calls::{self, CallFields};
    use crate::db::transition::{self, By};
    use crate::domain::workflow::{Actor, CallAction};
    use chrono::{TimeZone, Utc};
    use chrono_tz::Asia::Shanghai;

    let at = |y, m, d, h| {
        Shanghai
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    let demo_calls = [
        (
            "wenzhou",
            "wz-bureau",
            "关于开展2026年度温州市跨境电子商务产业园区认定工作的通知",
            true,
            WENZHOU_CALL,
        ),
        (
            "wenzhou",
            "wz-bureau",
            "关于开展2027年度温州市跨境电子商务产业园区认定工作的通知（草稿）",
            false,
            WENZHOU_CALL,
        ),
        (
            "zhongshan",
            "zs-bureau",
            "关于组织申报2026年度中山市跨境电商产业园区的通知",
            true,
            ZHONGSHAN_CALL,
        ),
    ];
    for (slug, bureau_login, title, publish, description) in demo_calls {
        let tenant = tenants::by_slug(pool, slug)
            .await?
            .with_context(|| format!("tenant {slug}"))?;
        let (bureau_id, version_id): (i64, i64) = sqlx::query_as(
            "SELECT u.id, (SELECT min(v.id) FROM rule_set_versions v WHERE v.tenant_id = $1
                             AND v.rule_set_id <> 'cbec-park-standard-2024')
             FROM users u WHERE u.tenant_id = $1 AND u.login = $2",
        )
        .bind(tenant.id)
        .bind(bureau_login)
        .fetch_one(pool)
        .await?;
        let (year, opens, deadline) = if publish {
            (2026, at(2026, 11, 2, 9), at(2026, 12, 31, 17))
        } else {
            (2027, at(2027, 3, 1, 9), at(2027, 4, 30, 17))
        };
        let fields = CallFields {
            title,
            year,
            rule_set_version_id: version_id,
            opens_at: opens.context("demo date")?,
            deadline: deadline.context("demo date")?,
            description,
            review_forms: "written",
        };
        let mut conn = pool.acquire().await?;
        let id = calls::insert(&mut conn, tenant.id, &fields, bureau_id).await?;
        drop(conn);
        if publish {
            let by = By {
                actor: Actor::User(Role::Bureau),
                user_id: Some(bureau_id),
                request_id: None,
                ip: None,
            };
            transition::apply::<transition::Calls>(
                pool,
                tenant.id,
                id,
                CallAction::Publish,
                &by,
                None,
            )
            .await
            .map_err(|e| anyhow::anyhow!("publishing the demo call: {e}"))?;
        }
    }
    Ok(())
}

const WENZHOU_CALL: &str = "各县（市、区）和市级功能区商务主管部门：\n\n\
根据《温州市跨境电子商务产业园区认定和管理办法》，现组织开展年度市级跨境电子商务产业园区认定工作。\n\n\
一、申报条件：见办法第四条。\n\
二、申报材料：温州市跨境电子商务产业园区认定申报表（附件1）、申报书（附件2）、入驻企业名录（附件3）及相关证明材料。\n\
三、申报程序：园区运营管理机构在线填报并提交属地商务主管部门，属地出具初审意见后报送市商务局。\n\n\
联系人：市商务局电子商务处";

const ZHONGSHAN_CALL: &str = "各镇街：\n\n\
根据《中山市跨境电商产业园区认定办法（试行）》，现组织申报年度中山市跨境电商产业园区（引领型、成长型）。\n\n\
一、申报条件：见办法第四至六条。\n\
二、申报程序：园区在线填报并提交所在镇街，镇街初审后统一报送市商务局。\n\
三、已列入广东省跨境电商产业园区名单的园区按第九条直接认定为引领型，无需申报。";

pub async fn seed(pool: &PgPool) -> anyhow::Result<()> {
    let hash = || password::hash(DEMO_PASSWORD.to_string());
    let mut tx = pool.begin().await?;
    let admin_hash = hash().await?;
    // The demo's policy lets the accounts below sign in with the README's password for good:
    // no password age (the policy page marks it as below level 3).
    let mut policy = crate::db::security_policy::get(pool).await?;
    policy.max_age_days = None;
    crate::db::security_policy::save(&mut tx, &policy, None).await?;
    for (login, display_name, role) in ADMINISTRATORS {
        users::insert(
            &mut tx,
            &users::NewUser {
                tenant_id: None,
                login,
                display_name,
                role,
                jurisdiction_id: None,
                organization_id: None,
                password_hash: &admin_hash,
            },
        )
        .await?;
    }
    for u in USERS {
        let tenant = tenants::by_slug(pool, u.tenant)
            .await?
            .with_context(|| format!("demo tenant {} is missing", u.tenant))?;
        let jurisdiction_id = match u.jurisdiction {
            Some(name) => Some(
                sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM jurisdictions WHERE tenant_id = $1 AND name = $2",
                )
                .bind(tenant.id)
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .with_context(|| format!("demo jurisdiction {name}"))?,
            ),
            None => None,
        };
        let organization_id = match u.organization {
            Some((uscc, name)) => Some(
                users::upsert_organization(
                    &mut tx,
                    &users::NewOrganization {
                        tenant_id: tenant.id,
                        uscc,
                        name,
                        jurisdiction_id,
                    },
                )
                .await?,
            ),
            None => None,
        };
        let password_hash = hash().await?;
        users::insert(
            &mut tx,
            &users::NewUser {
                tenant_id: Some(tenant.id),
                login: u.login,
                display_name: u.name,
                role: u.role,
                jurisdiction_id: if u.role == Role::County {
                    jurisdiction_id
                } else {
                    None
                },
                organization_id,
                password_hash: &password_hash,
            },
        )
        .await?;
    }
    adopt_rule_sets(&mut tx, pool).await?;
    tx.commit().await?;
    Ok(())
}

/// Each demo tenant adopts its city's rule set and the park standard (for self-assessment).
async fn adopt_rule_sets(tx: &mut sqlx::PgConnection, pool: &PgPool) -> anyhow::Result<()> {
    let adoptions = [
        ("wenzhou", "wenzhou-2021"),
        ("wenzhou", "cbec-park-standard-2024"),
        ("zhongshan", "zhongshan-2022"),
        ("zhongshan", "cbec-park-standard-2024"),
    ];
    for (slug, rule_set) in adoptions {
        let tenant = tenants::by_slug(pool, slug)
            .await?
            .with_context(|| format!("tenant {slug}"))?;
        let rules = crate::domain::ruleset::builtin(rule_set)
            .with_context(|| format!("template {rule_set}"))?;
        let based_on = format!("{}@{}", rules.id, rules.version);
        let origin = crate::db::rulesets::Origin {
            based_on: &based_on,
            parent_version_id: None,
            note: "采用内置模板",
        };
        crate::db::rulesets::add_version(tx, tenant.id, &rules, &origin, None).await?;
    }
    Ok(())
}

pub fn print_accounts() {
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for (login, _, role) in ADMINISTRATORS {
        println!("  {:<20} /admin/login   {login}", role.label());
    }
    for u in USERS {
        println!(
            "  {:<10} {:<9} /t/{}/login   {}",
            u.tenant,
            u.role.as_str(),
            u.tenant,
            u.login
        );
    }
    let hz = onboarding::HUZHOU_LOGIN;
    println!(
        "  {:<10} {:<9} /t/huzhou/login   {hz}（开通中）",
        "huzhou", "bureau"
    );
}

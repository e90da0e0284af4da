//! `parkcert user create --tenant T --role R --login L`.
use crate::auth::password;
use crate::config::Config;
use crate::db::{tenants, users};
use crate::domain::role::Role;
use crate::server::Database;
use anyhow::{Context, bail};
use std::io::{BufRead, IsTerminal};

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// Tenant slug (e.g. wenzhou); omit for a platform admin.
    #[arg(long)]
    pub tenant: Option<String>,
    /// operator, county, expert, bureau or admin.
    #[arg(long)]
    pub role: Role,
    #[arg(long)]
    pub login: String,
    /// Display name (defaults to the login).
    #[arg(long)]
    pub name: Option<String>,
    /// County users: the jurisdiction's name (e.g. 鹿城区).
    #[arg(long)]
    pub jurisdiction: Option<String>,
}

pub async fn create(config: Config, args: CreateArgs) -> anyhow::Result<()> {
    let password = read_password()?;
    if let Some(why) = password::weakness(&args.login, &password) {
        bail!("the password is refused: {why}");
    }
    let db = Database::open(&config).await?;
    let policy = match db.migrate().await {
        Ok(()) => crate::db::security_policy::get(&db.pool).await.ok(),
        Err(_) => None,
    };
    if let Some(why) = policy.and_then(|p| p.password_problem(&password)) {
        db.close().await;
        bail!("the password is refused: {why}");
    }
    let result = insert(&db, &args, password).await;
    db.close().await;
    let id = result?;
    println!("created user {} (id {id})", args.login);
    Ok(())
}

async fn insert(db: &Database, args: &CreateArgs, password: String) -> anyhow::Result<i64> {
    db.migrate().await?;
    let tenant_id = match (&args.tenant, args.role) {
        (None, role) if role.is_platform() => None,
        (Some(_), role) if role.is_platform() => {
            bail!("a platform administrator belongs to no tenant: omit --tenant")
        }
        (None, _) => bail!("--tenant is required for role {}", args.role),
        (Some(slug), _) => Some(
            tenants::by_slug(&db.pool, slug)
                .await?
                .with_context(|| format!("no tenant {slug}"))?
                .id,
        ),
    };
    if args.role == Role::Operator {
        bail!(
            "operators register their own organization on the sign-up page; create county, expert, bureau or admin users here"
        );
    }
    let jurisdiction_id = match (args.role, &args.jurisdiction, tenant_id) {
        (Role::County, Some(name), Some(tid)) => Some(
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM jurisdictions WHERE tenant_id = $1 AND name = $2",
            )
            .bind(tid)
            .bind(name)
            .fetch_optional(&db.pool)
            .await?
            .with_context(|| format!("no jurisdiction {name} in this tenant"))?,
        ),
        (Role::County, None, _) => bail!("--jurisdiction is required for a county user"),
        _ => None,
    };
    let hash = password::hash(password).await?;
    let mut conn = db.pool.acquire().await?;
    let new = users::NewUser {
        tenant_id,
        login: &args.login,
        display_name: args.name.as_deref().unwrap_or(&args.login),
        role: args.role,
        jurisdiction_id,
        organization_id: None,
        password_hash: &hash,
    };
    users::insert(&mut conn, &new)
        .await
        .context("inserting the user (is the login taken, or not 3–40 lowercase letters/digits?)")
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Repeat: ")?;
        if p != again {
            bail!("the passwords differ");
        }
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

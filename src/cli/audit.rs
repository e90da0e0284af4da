//! `parkcert audit verify --tenant T`: checks a tenant's hash-chained, HMAC-SM3-sealed audit trail.
use crate::config::Config;
use crate::db::{audit, tenants};
use crate::server::Database;
use anyhow::{Context, bail};

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Tenant slug (e.g. wenzhou); omit for the platform's own entries (admin sign-ins).
    #[arg(long)]
    pub tenant: Option<String>,
}

pub async fn verify(config: Config, args: VerifyArgs) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    let result = run(&db, &args).await;
    db.close().await;
    result
}

async fn run(db: &Database, args: &VerifyArgs) -> anyhow::Result<()> {
    db.migrate().await?;
    let tenant_id = match &args.tenant {
        Some(slug) => Some(
            tenants::by_slug(&db.pool, slug)
                .await?
                .with_context(|| format!("no tenant {slug}"))?
                .id,
        ),
        None => None,
    };
    let name = args.tenant.as_deref().unwrap_or("platform");
    let verified = audit::verify(&db.pool, tenant_id).await?;
    match verified.broken {
        None => {
            println!(
                "{name}: {} audit entries, hash chain and HMAC-SM3 seals intact",
                verified.entries
            );
            Ok(())
        }
        Some((seq, why)) => bail!("{name}: the audit chain breaks at entry {seq}: {why}"),
    }
}

//! `parkcert keys rotate`: adds a new key version to the key file, makes it current and
//! re-encrypts every encrypted field under it. Old versions stay in the file, so the audit
//! seals made with them still verify. Run it with the servers stopped (they hold the keys they
//! started with), then start them again.
use crate::config::Config;
use crate::db::audit;
use crate::server::Database;

pub async fn rotate(config: Config) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    let result = rotate_with(&db).await;
    db.close().await;
    let (version, resealed) = result?;
    println!(
        "key version {version} is current ({}); {resealed} encrypted values re-encrypted",
        config.key_file.display()
    );
    Ok(())
}

async fn rotate_with(db: &Database) -> anyhow::Result<(u32, u64)> {
    db.migrate().await?;
    // What is not sealed yet is sealed under the key it belongs to, before that key is retired.
    audit::seal_backlog(&db.pool).await?;
    let version = crate::io::crypto::installed()?.rotate()?;
    Ok((version, reseal(db, version).await?))
}

/// Re-encrypts every encrypted value under `version` and records the rotation.
async fn reseal(db: &Database, version: u32) -> anyhow::Result<u64> {
    let resealed = crate::db::users::reseal_totp_secrets(&db.pool, true).await?;
    let mut tx = db.pool.begin().await?;
    let entry = audit::Entry {
        tenant_id: None,
        actor_user_id: None,
        object_kind: "crypto_key",
        object_id: version.to_string(),
        action: "rotate",
        before: None,
        after: Some(serde_json::json!({ "version": version, "resealed": resealed })),
        request_id: None,
        ip: None,
    };
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(resealed)
}

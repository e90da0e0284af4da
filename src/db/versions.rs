//! Submitted versions, decoded once: they never change, so the pages that show many of them
//! read them from here.
use crate::db::applications::{self, Version};
use crate::domain::roster::RosterRow;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A submitted version with its roster read out of the JSON.
pub struct Decoded {
    pub version: Version,
    pub roster: Vec<RosterRow>,
}

/// Submitted versions never change, so a page that shows many of them (the ranked results
/// evaluate every application's latest) keeps them decoded here instead of fetching and parsing
/// megabytes of JSON (and reading the rosters out of it) on every view. Bounded: when full it starts again empty.
#[derive(Clone, Default)]
pub struct VersionCache(Arc<Mutex<HashMap<VersionKey, Arc<Decoded>>>>);

/// Tenant, application, version number.
type VersionKey = (i64, i64, i32);

impl VersionCache {
    const CAPACITY: usize = 1024;

    /// The latest version of each of the applications, by application id.
    pub async fn latest(
        &self,
        pool: &PgPool,
        tenant_id: i64,
        application_ids: &[i64],
    ) -> sqlx::Result<BTreeMap<i64, Arc<Decoded>>> {
        let numbers =
            applications::latest_version_numbers(pool, tenant_id, application_ids).await?;
        let mut found = BTreeMap::new();
        let mut missing = Vec::new();
        {
            let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
            for (&app, &number) in &numbers {
                match held.get(&(tenant_id, app, number)) {
                    Some(v) => {
                        found.insert(app, v.clone());
                    }
                    None => missing.push((app, number)),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let fetched = applications::versions_numbered(pool, tenant_id, &missing).await?;
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if held.len() + fetched.len() > Self::CAPACITY {
            held.clear();
        }
        for (app, version) in fetched {
            let decoded = Arc::new(Decoded {
                roster: serde::Deserialize::deserialize(&version.roster.0).unwrap_or_default(),
                version,
            });
            held.insert((tenant_id, app, decoded.version.number), decoded.clone());
            found.insert(app, decoded);
        }
        Ok(found)
    }
}

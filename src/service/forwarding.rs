//! Forwarding together (统一报送, 中山 第八条（二）): a county records its opinion on each
//! application it checked, then sends several of them to the bureau in one batch, with one
//! cover letter and the order in which it recommends them — all of them or none.
use crate::db::applications::{self, NewReview, Scope};
use crate::db::audit;
use crate::db::batches::{self, NewPrereview};
use crate::db::documents::Owner;
use crate::db::transition::{self, Applications, By};
use crate::domain::forwarding::Item;
use crate::domain::notification::EventKind;
use crate::domain::ruleset::Forwarding;
use crate::domain::workflow::{ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::applications::{Loaded, load};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use serde_json::json;
use std::collections::BTreeMap;

/// Whether the application's county forwards only in batches (its rule set says so).
pub fn batch_only(loaded: &Loaded) -> bool {
    loaded.rules.forwarding == Forwarding::Batch
}

/// The county's opinion on the current version, kept until it forwards it in a batch; the
/// application stays `submitted` (the county may still change its opinion or return it).
pub async fn record_prereview(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    opinion: &str,
    comments: &str,
    attestations: &BTreeMap<String, bool>,
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if loaded.app.state != "submitted" {
        return Err(AppError::Conflict(
            "此申报已不在待初审状态，不能再记录初审意见。".into(),
        ));
    }
    let (tenant_id, id) = (loaded.tenant_id, loaded.app.id);
    let mut tx = state.db.begin().await?;
    let prereview = batches::insert_prereview(
        &mut tx,
        tenant_id,
        &NewPrereview {
            application_id: id,
            version_number: loaded.app.version_count,
            opinion,
            comments,
            attestations,
            recorded_by: user_id,
        },
    )
    .await?;
    let details = json!({
        "prereview": prereview, "version": loaded.app.version_count, "opinion": opinion,
        "comments": comments,
    });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "application", id, "prereview", details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One batch: the applications, in order, and the cover letter.
pub struct Batch<'a> {
    pub call_id: i64,
    pub jurisdiction_id: i64,
    pub items: &'a [Item],
    pub letter: &'a UploadedFile,
}

/// Forwards the batch: each application's recorded opinion becomes its county review and the
/// application goes to `forwarded`, in one transaction. Returns the batch's id and number.
pub async fn forward_batch(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    batch: &Batch<'_>,
) -> AppResult<(i64, i32)> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let mut loaded = Vec::with_capacity(batch.items.len());
    for item in batch.items {
        let app = load(
            state,
            tenant_id,
            Scope::Jurisdiction(batch.jurisdiction_id),
            item.application_id,
        )
        .await?;
        if app.call.id != batch.call_id {
            return Err(AppError::NotFound);
        }
        loaded.push(app);
    }
    let mut tx = state.db.begin().await?;
    batches::lock_numbering(&mut tx, tenant_id, batch.call_id, batch.jurisdiction_id).await?;
    let (batch_id, number) = batches::insert_batch(
        &mut tx,
        tenant_id,
        batch.call_id,
        batch.jurisdiction_id,
        user_id,
    )
    .await?;
    files::keep(
        state,
        &mut tx,
        tenant_id,
        Owner::Batch(batch_id),
        "batch_letter",
        batch.letter,
        user_id,
    )
    .await?;
    for (item, app) in batch.items.iter().zip(&loaded) {
        forward_one(&mut tx, state, by, (batch_id, number), item, app).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok((batch_id, number))
}

/// One application of a batch: its transition, its county review and its place in the batch.
async fn forward_one(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    by: &By,
    (batch_id, number): (i64, i32),
    item: &Item,
    loaded: &Loaded,
) -> AppResult<()> {
    let (tenant_id, id) = (loaded.tenant_id, loaded.app.id);
    let park = &loaded.app.park_name;
    let prereview = batches::pending_prereview(tx, tenant_id, id)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "“{park}”已不在待报送状态（可能刚被退回或重新提交），本批未报送。请刷新后重新选择。"
            ))
        })?;
    if (prereview.opinion == "recommend") != item.rank.is_some() {
        return Err(AppError::Conflict(format!(
            "“{park}”的初审意见刚被修改，本批未报送。请刷新后重新排序。"
        )));
    }
    let order = match item.rank {
        Some(rank) => format!("推荐，排序第{rank}位"),
        None => "不予推荐".to_string(),
    };
    let reason = format!(
        "统一报送（第{number}批）：{order}{}{}",
        if prereview.comments.is_empty() {
            ""
        } else {
            "："
        },
        prereview.comments
    );
    transition::apply_in::<Applications>(
        tx,
        tenant_id,
        id,
        ApplicationAction::Forward,
        by,
        Some(&reason),
        &WorkflowRules::for_rule_set(&loaded.rules),
    )
    .await?;
    let review = NewReview {
        version_number: prereview.version_number,
        stage: "county",
        opinion: &prereview.opinion,
        comments: &prereview.comments,
        attestations: &prereview.attestations.0,
        letter_document_id: None,
        decided_by: by.user_id.ok_or(AppError::Forbidden)?,
        results: None,
    };
    applications::insert_review(tx, tenant_id, id, &review).await?;
    batches::insert_item(tx, tenant_id, batch_id, &prereview, item.rank).await?;
    let about = About {
        detail: &reason,
        ..About::default()
    };
    let kind = EventKind::ApplicationForwarded;
    notify::about_park(tx, state, tenant_id, Park::Application(id), kind, about).await?;
    Ok(())
}

//! On-site inspection (现场考核): the bureau schedules the visit with members of the
//! application's panel, records the findings on the rule set's checklist with photos and who
//! was there, and submits the record; each member present confirms it, and the last
//! confirmation freezes it and may complete the review.
use crate::db::audit;
use crate::db::documents::Owner;
use crate::db::events::Event;
use crate::db::inspections::{self, Inspection, NewInspection, Record};
use crate::db::panels;
use crate::db::transition::{self, By, Change, Inspections};
use crate::domain::inspection::{self, Finding, Recorded};
use crate::domain::notification::{Audience, EventKind, Facts};
use crate::domain::workflow::{ApplicationState, InspectionAction};
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::io::storage::FileKind;
use crate::service::applications::Loaded;
use crate::service::review::complete_if_done;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What the bureau plans: when, where, who leads, whom the county sends, which members go.
pub struct Schedule<'a> {
    pub scheduled_at: DateTime<Utc>,
    pub address: &'a str,
    pub lead_user_id: i64,
    pub county_contact: &'a str,
    pub experts: &'a [i64],
}

/// The panel members of an application who may go on its visit: those with a sheet for it who
/// did not recuse, and who have an account — the record is confirmed by each member present,
/// online. (expert id, name)
pub async fn eligible_members(state: &AppState, loaded: &Loaded) -> AppResult<Vec<(i64, String)>> {
    let sheets = panels::of_application(&state.db, loaded.tenant_id, loaded.app.id).await?;
    let mut members: Vec<(i64, String)> = sheets
        .into_iter()
        .filter(|s| s.conflict != "declared" && s.state.as_str() != "withdrawn")
        .filter(|s| s.expert_user_id.is_some())
        .map(|s| (s.expert_id, s.expert_name))
        .collect();
    members.dedup();
    Ok(members)
}

pub async fn schedule(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    s: &Schedule<'_>,
) -> AppResult<i64> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if loaded.app.state != ApplicationState::InReview.as_str() {
        return Err(AppError::Conflict(
            "只有评审中的申报才能安排现场考核。".into(),
        ));
    }
    let day = s
        .scheduled_at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    if day < state.clock.today() {
        return Err(AppError::BadRequest(
            "现场考核只能安排在今天或以后。".into(),
        ));
    }
    let eligible = eligible_members(state, loaded).await?;
    if s.experts.is_empty()
        || s.experts
            .iter()
            .any(|e| !eligible.iter().any(|(id, _)| id == e))
    {
        return Err(AppError::BadRequest(
            "请从本申报的评审组成员中选择考核专家。".into(),
        ));
    }
    let tenant_id = loaded.tenant_id;
    let mut tx = state.db.begin().await?;
    let new = NewInspection {
        application_id: loaded.app.id,
        scheduled_at: s.scheduled_at,
        address: s.address,
        lead_user_id: s.lead_user_id,
        county_contact: s.county_contact,
        created_by: user_id,
    };
    let id = inspections::insert(&mut tx, tenant_id, &new).await?;
    for expert in s.experts {
        inspections::insert_member(&mut tx, tenant_id, id, *expert).await?;
    }
    let details = json!({
        "application": loaded.app.id, "scheduled_at": s.scheduled_at, "address": s.address,
        "lead": s.lead_user_id, "county_contact": s.county_contact, "experts": s.experts,
    });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "inspection", id, "schedule", details),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the working record; false when it was saved elsewhere since `expected` or is no
/// longer being recorded.
pub async fn save_record(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    inspection: &Inspection,
    expected: i32,
    record: &Record<'_>,
) -> AppResult<bool> {
    let mut tx = state.db.begin().await?;
    if !inspections::save_record(&mut tx, tenant_id, inspection.id, expected, record).await? {
        return Ok(false);
    }
    let details = json!({
        "findings": record.findings, "others_present": record.others_present,
        "present": record.present,
    });
    let entry = by.entry(
        tenant_id,
        "inspection",
        inspection.id,
        "save_record",
        details,
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// A photo taken on site, for one item (or the visit): JPEG or PNG by content, with the time
/// the camera recorded if the file carries it.
pub async fn add_photo(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    inspection: &Inspection,
    file: &UploadedFile,
    (item, caption): (&str, &str),
) -> AppResult<()> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    if !matches!(file.kind, FileKind::Jpeg | FileKind::Png) {
        return Err(AppError::BadRequest(
            "现场照片请上传 JPEG 或 PNG 图片。".into(),
        ));
    }
    if inspection.state != "scheduled" {
        return Err(AppError::Conflict(
            "考核记录已提交，不能再添加照片。".into(),
        ));
    }
    let taken_at = crate::io::photos::taken_at(&file.bytes);
    let mut tx = state.db.begin().await?;
    let owner = Owner::Inspection(inspection.id);
    let (doc, _) = files::keep(
        state,
        &mut tx,
        tenant_id,
        owner,
        "inspection_photo",
        file,
        user_id,
    )
    .await?;
    let photo = (item, caption, taken_at);
    inspections::insert_photo(&mut tx, tenant_id, inspection.id, doc, photo).await?;
    let details =
        json!({ "document": doc, "item": item, "caption": caption, "taken_at": taken_at });
    let entry = by.entry(tenant_id, "inspection", inspection.id, "add_photo", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Submits the record for the members' confirmation: complete (every checklist item has a
/// finding) and frozen as a new version.
pub async fn submit_record(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    inspection: &Inspection,
) -> AppResult<i32> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let tenant_id = loaded.tenant_id;
    let items = inspection::checklist(&loaded.rules);
    let missing = inspection::incomplete(&items, &inspection.findings.0);
    if !missing.is_empty() {
        return Err(AppError::BadRequest(format!(
            "考核记录尚有 {} 项未填写结论，不能提交确认。",
            missing.len()
        )));
    }
    let members = inspections::members(&state.db, tenant_id, inspection.id).await?;
    if !members.iter().any(|m| m.present) {
        return Err(AppError::BadRequest(
            "请至少勾选一名到场的考核专家。".into(),
        ));
    }
    let photos = inspections::photos(&state.db, tenant_id, inspection.id).await?;
    let record = frozen_record(loaded, inspection, &members, &photos);
    let mut tx = state.db.begin().await?;
    let number =
        inspections::insert_version(&mut tx, tenant_id, inspection.id, &record, user_id).await?;
    let change = Change {
        action: InspectionAction::SubmitRecord,
        by,
        reason: None,
    };
    let details = json!({ "version": number });
    transition::apply_recording::<Inspections>(
        &mut tx,
        tenant_id,
        inspection.id,
        change,
        &(),
        details,
    )
    .await?;
    let present = members
        .iter()
        .filter(|m| m.present)
        .map(|m| Audience::Expert(m.expert_id));
    let event = Event {
        kind: EventKind::InspectionToConfirm,
        object_kind: "inspection",
        object_id: inspection.id,
        links: vec![("expert", format!("/expert/inspections/{}", inspection.id))],
        facts: Facts {
            subject: inspection.park_name.clone(),
            ..Facts::default()
        },
        audience: present.collect(),
        dedupe_key: None,
    };
    crate::service::notify::tell(&mut tx, state, tenant_id, event).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(number)
}

/// What is printed and confirmed: the visit, each item with its article, finding and note,
/// who was there and the photos by their hashes.
fn frozen_record(
    loaded: &Loaded,
    i: &Inspection,
    members: &[inspections::Member],
    photos: &[inspections::Photo],
) -> Value {
    let items: Vec<Value> = inspection::checklist(&loaded.rules)
        .into_iter()
        .map(|item| {
            let r = i.findings.0.get(&item.id).cloned().unwrap_or_default();
            let label = r
                .finding
                .parse::<Finding>()
                .map(|f| f.label())
                .unwrap_or("");
            json!({
                "id": item.id, "article": item.article, "description": item.description,
                "manual": item.manual, "finding": r.finding, "finding_label": label, "note": r.note,
            })
        })
        .collect();
    json!({
        "park": i.park_name, "organization": loaded.app.organization_name,
        "call": loaded.call.title, "scheduled_at": i.scheduled_at, "address": i.address,
        "lead": i.lead_name, "county_contact": i.county_contact,
        "items": items,
        "members": members.iter().map(|m| json!({ "expert_id": m.expert_id, "name": m.name, "present": m.present })).collect::<Vec<_>>(),
        "others_present": i.others_present,
        "photos": photos.iter().map(|p| json!({
            "document": p.document_id, "filename": p.filename, "sha256": p.sha256,
            "item": p.item, "caption": p.caption, "taken_at": p.taken_at,
        })).collect::<Vec<_>>(),
    })
}

/// The bureau takes a submitted record back to correct it (the confirmations so far lapse: the
/// next submission is a new version).
pub async fn return_record(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    inspection: &Inspection,
    reason: &str,
) -> AppResult<()> {
    if reason.is_empty() {
        return Err(AppError::BadRequest("退回修改考核记录须写明理由。".into()));
    }
    let change = Change {
        action: InspectionAction::ReturnRecord,
        by,
        reason: Some(reason),
    };
    let mut tx = state.db.begin().await?;
    transition::apply_recording::<Inspections>(
        &mut tx,
        tenant_id,
        inspection.id,
        change,
        &(),
        json!({}),
    )
    .await
    .map_err(|e| e.conflict_reads("考核记录不在待确认状态。"))?;
    tx.commit().await?;
    Ok(())
}

/// A member present confirms the submitted version; the last confirmation freezes the record
/// (`confirmed`) and may complete the application's review.
pub async fn confirm(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    inspection: &Inspection,
    expert_id: i64,
) -> AppResult<bool> {
    let tenant_id = loaded.tenant_id;
    let version = inspection.version_count;
    let mut tx = state.db.begin().await?;
    if !inspections::confirm(&mut tx, tenant_id, inspection.id, expert_id, version).await? {
        return Err(AppError::Conflict(
            "该考核记录当前不需要您确认（可能已确认，或记录已退回修改）。".into(),
        ));
    }
    let details = json!({ "version": version, "expert": expert_id });
    let last = inspections::unconfirmed(&mut tx, tenant_id, inspection.id, version).await? == 0;
    if last {
        let change = Change {
            action: InspectionAction::Confirm,
            by,
            reason: None,
        };
        transition::apply_recording::<Inspections>(
            &mut tx,
            tenant_id,
            inspection.id,
            change,
            &(),
            details,
        )
        .await?;
        complete_if_done(&mut tx, state, loaded).await?;
    } else {
        let entry = by.entry(tenant_id, "inspection", inspection.id, "confirm", details);
        audit::record(&mut tx, entry).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(last)
}

/// The working record as typed on the page: `finding.<item>` and `note.<item>`.
pub fn findings_from(pairs: &BTreeMap<String, String>) -> BTreeMap<String, Recorded> {
    let mut out: BTreeMap<String, Recorded> = BTreeMap::new();
    for (key, value) in pairs {
        if let Some(item) = key.strip_prefix("finding.") {
            out.entry(item.to_string()).or_default().finding = value.trim().to_string();
        } else if let Some(item) = key.strip_prefix("note.") {
            out.entry(item.to_string()).or_default().note = value.trim().to_string();
        }
    }
    out
}

/// What the latest confirmed on-site record found short (不符合 / 部分符合), as lines to cite
/// in the bureau's decision: (version, lines). None without a confirmed record.
pub async fn findings_to_cite(
    state: &AppState,
    loaded: &Loaded,
) -> AppResult<Option<(i32, Vec<String>)>> {
    let all = inspections::of_application(&state.db, loaded.tenant_id, loaded.app.id).await?;
    let Some(confirmed) = all.iter().rev().find(|i| i.state == "confirmed") else {
        return Ok(None);
    };
    let Some(v) = inspections::latest_version(&state.db, loaded.tenant_id, confirmed.id).await?
    else {
        return Ok(None);
    };
    let lines = v.record["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["finding"] == "fails" || i["finding"] == "partly")
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_string();
            let note = s("note");
            let note = if note.is_empty() {
                String::new()
            } else {
                format!("（{note}）")
            };
            format!(
                "{} {}：{}{note}",
                s("article"),
                s("description"),
                s("finding_label")
            )
        })
        .collect();
    Ok(Some((v.number, lines)))
}

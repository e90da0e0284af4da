//! Review meetings with paper sheets (代录): bureau staff enter an expert's signed paper sheet
//! twice, by two different people, blind to each other; the sheet is submitted when the two
//! entries agree, marked as entered on paper, with the scan of the signed sheet attached.
use crate::db::audit;
use crate::db::documents::Owner;
use crate::db::panels::{self, Assignment};
use crate::db::paper::{self, Agreed, NewEntry};
use crate::db::transition::{self, By, Change, Sheets};
use crate::domain::scoring::{self, PaperEntry};
use crate::domain::workflow::SheetAction;
use crate::error::{AppError, AppResult};
use crate::io::files::{self, UploadedFile};
use crate::service::applications::Loaded;
use crate::service::review::complete_if_done;
use crate::state::AppState;
use serde_json::json;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// One staff member's entry of the paper sheet, as typed.
pub struct PaperSheet<'a> {
    pub scores: &'a BTreeMap<String, String>,
    pub opinion: Option<&'a str>,
    pub summary: &'a str,
    /// The scan of the signed sheet: required unless an entry of this round brought it.
    pub scan: Option<&'a UploadedFile>,
}

/// What an entry led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entered {
    /// The first entry (or a correction of one's own): another staff member enters it again.
    AwaitingSecond,
    /// The two entries differ in these items; either staff member corrects theirs.
    Differ(Vec<String>),
    /// The two agreed: the sheet is submitted.
    Submitted,
}

/// Records one entry; when it is the second by another person and agrees with theirs, the
/// sheet is submitted (and the review may complete) in the same transaction.
pub async fn enter(
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    sheet: &Assignment,
    typed: &PaperSheet<'_>,
) -> AppResult<Entered> {
    let user_id = by.user_id.ok_or(AppError::Forbidden)?;
    let tenant_id = loaded.tenant_id;
    let mut tx = state.db.begin().await?;
    let round = paper::lock_round(&mut tx, tenant_id, sheet.id)
        .await?
        .ok_or_else(|| AppError::Conflict("该评分表已提交或专家已回避，不能再代录。".into()))?;
    let scan = match typed.scan {
        Some(file) => {
            let owner = Owner::Assignment(sheet.id);
            Some(
                files::keep(
                    state,
                    &mut tx,
                    tenant_id,
                    owner,
                    "paper_sheet",
                    file,
                    user_id,
                )
                .await?
                .0,
            )
        }
        None => paper::scan_of_round(&mut tx, tenant_id, sheet.id, round).await?,
    };
    let scan =
        scan.ok_or_else(|| AppError::BadRequest("请上传专家签字的纸质评分表扫描件。".into()))?;
    let new = NewEntry {
        assignment_id: sheet.id,
        round,
        scores: typed.scores,
        opinion: typed.opinion,
        summary: typed.summary,
        scan_document_id: typed.scan.map(|_| scan),
        entered_by: user_id,
    };
    let id = paper::insert(&mut tx, tenant_id, &new).await?;
    let entries = paper::current(&mut tx, tenant_id, sheet.id, round).await?;
    let other = entries.iter().rev().find(|e| e.entered_by != user_id);
    let mine = entries.iter().find(|e| e.id == id);
    let outcome = match (other, mine) {
        (Some(other), Some(mine)) => compare(loaded, other, mine),
        _ => Entered::AwaitingSecond,
    };
    let differ = match &outcome {
        Entered::Differ(items) => items.clone(),
        _ => Vec::new(),
    };
    let details = json!({ "entry": id, "round": round, "differ": differ });
    audit::record(
        &mut tx,
        by.entry(tenant_id, "assignment", sheet.id, "paper_entry", details),
    )
    .await?;
    if let (Entered::Submitted, Some(first), Some(second)) = (&outcome, other, mine) {
        let agreed = Agreed {
            assignment_id: sheet.id,
            entry: first,
            scan_document_id: scan,
            entries: [first.id, second.id],
        };
        submit_agreed(&mut tx, state, loaded, by, &agreed).await?;
    }
    tx.commit().await?;
    state.outbox.wake();
    Ok(outcome)
}

fn as_entry(e: &paper::Entry) -> PaperEntry<'_> {
    PaperEntry {
        scores: &e.scores.0,
        opinion: e.opinion.as_deref(),
    }
}

fn compare(loaded: &Loaded, first: &paper::Entry, second: &paper::Entry) -> Entered {
    let differ = if loaded.rules.criteria.is_empty() {
        // An opinion (Zhongshan): only the pass / fail decides.
        match first.opinion == second.opinion {
            true => Vec::new(),
            false => vec!["评审意见".to_string()],
        }
    } else {
        scoring::paper_differences(&loaded.rules, as_entry(first), as_entry(second))
    };
    match differ.is_empty() {
        true => Entered::Submitted,
        false => Entered::Differ(differ),
    }
}

/// The agreed content becomes the sheet, which is submitted as entered on paper.
async fn submit_agreed(
    tx: &mut PgConnection,
    state: &AppState,
    loaded: &Loaded,
    by: &By,
    agreed: &Agreed<'_>,
) -> AppResult<()> {
    let tenant_id = loaded.tenant_id;
    if !paper::write_agreed(tx, tenant_id, agreed).await? {
        return Err(AppError::Conflict("该评分表已提交，不能再代录。".into()));
    }
    panels::accept_by_sheet(tx, tenant_id, agreed.assignment_id).await?;
    let checked = scoring::check_sheet(&loaded.rules, &agreed.entry.scores.0, false);
    let names = paper::names_of(tx, tenant_id, &agreed.entries).await?;
    let details = json!({
        "paper": true, "entries": agreed.entries, "entered_by": names,
        "scan": agreed.scan_document_id, "scores": agreed.entry.scores.0,
        "opinion": agreed.entry.opinion, "total": checked.total().to_string(),
    });
    let change = Change {
        action: SheetAction::SubmitOnPaper,
        by,
        reason: None,
    };
    transition::apply_recording::<Sheets>(
        tx,
        tenant_id,
        agreed.assignment_id,
        change,
        &(),
        details,
    )
    .await?;
    complete_if_done(tx, state, loaded).await
}

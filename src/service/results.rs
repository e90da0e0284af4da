//! The bureau's view of a call in review: where each application stands, and — once its
//! sheets are in — the engine's aggregation ranked, with the per-expert sheets behind it.
use crate::db::applications::{self, Application, Version};
use crate::db::panels::{self, Assignment};
use crate::domain::evaluate::{Evaluation, Method};
use crate::domain::roster::RosterRow;
use crate::domain::vocabulary::verdict_label;
use crate::domain::workflow::SheetState;
use crate::error::AppResult;
use crate::service::applications::{Loaded, roster_of};
use crate::service::review::{evaluate_with_scores, opinions};
use crate::state::AppState;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One application's line of the ranked table.
#[derive(Clone)]
pub struct ResultLine {
    pub rank: Option<u32>,
    pub application_id: i64,
    pub park: String,
    pub operator: String,
    pub uscc: String,
    pub county: String,
    pub state: String,
    pub state_label: &'static str,
    pub verdict: &'static str,
    pub vetoes: Vec<String>,
    pub tier: String,
    pub method: &'static str,
    pub total: Option<f64>,
    pub criteria: Vec<Option<f64>>,
    pub spread: Option<f64>,
    pub experts_scored: u32,
    pub experts_counted: u32,
    /// Outlier experts with their written reason ("待说明" until given).
    pub outliers: Vec<(String, String)>,
    pub opinions: Option<(usize, usize)>,
    /// Sheets submitted / expected (non-conflicted, active).
    pub submitted: usize,
    pub expected: usize,
    pub sheets: Vec<Assignment>,
    pub evaluation: Option<Evaluation>,
    /// The on-site inspection, in words ("已确认，不符合 1 项"), empty without one.
    pub inspection: String,
    /// Commissioned institutions' opinions ("某研究院：通过"), empty without any.
    pub institutions: String,
}

impl ResultLine {
    pub fn total_text(&self) -> String {
        self.total
            .map(|t| format!("{t:.2}"))
            .unwrap_or_else(|| "—".into())
    }

    pub fn criterion_text(&self, i: &usize) -> String {
        self.criteria
            .get(*i)
            .copied()
            .flatten()
            .map(|t| format!("{t:.2}"))
            .unwrap_or_else(|| "—".into())
    }

    pub fn spread_text(&self) -> String {
        self.spread
            .map(|t| format!("{t:.2}"))
            .unwrap_or_else(|| "—".into())
    }

    /// All sheets in and every outlier explained: the bureau may decide.
    pub fn decidable(&self) -> bool {
        self.state == "reviewed" && self.outliers.iter().all(|(_, r)| r != "待说明")
    }
}

/// The applications of a call that reached review, ranked by the aggregated total (those without
/// a total after, in list order).
pub async fn ranked(state: &AppState, tenant_id: i64, call_id: i64) -> AppResult<Vec<ResultLine>> {
    let apps = applications::list_for_call(&state.db, tenant_id, call_id).await?;
    ranked_of(state, tenant_id, call_id, apps).await
}

/// `ranked` over a call's applications already fetched (`applications::list_for_call`). The
/// sheets, latest versions and county attestations of them all come in one query each.
pub async fn ranked_of(
    state: &AppState,
    tenant_id: i64,
    call_id: i64,
    apps: Vec<Application>,
) -> AppResult<Vec<ResultLine>> {
    let apps: Vec<Application> = apps
        .into_iter()
        .filter(|a| !matches!(a.state.as_str(), "draft" | "submitted" | "forwarded"))
        .collect();
    let call = crate::db::calls::get(&state.db, tenant_id, call_id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let (_, rules) = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    // Ranking a call is CPU work over every application: two at a time keep both cores busy,
    // and more at once would only hold more evaluations in memory together.
    let _turn = RANKING.acquire().await.map_err(anyhow::Error::from)?;
    let ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
    let mut sheets: BTreeMap<i64, Vec<Assignment>> = BTreeMap::new();
    for s in panels::of_applications(&state.db, tenant_id, &ids).await? {
        sheets.entry(s.application_id).or_default().push(s);
    }
    let mut versions = state.versions.latest(&state.db, tenant_id, &ids).await?;
    let mut attested = applications::county_attestations(&state.db, tenant_id, &ids).await?;
    let inspections = crate::db::inspections::summaries(&state.db, tenant_id, &ids).await?;
    let mut commissioned: BTreeMap<i64, Vec<crate::db::institutions::Review>> = BTreeMap::new();
    for r in crate::db::institutions::of_applications(&state.db, tenant_id, &ids).await? {
        commissioned.entry(r.application_id).or_default().push(r);
    }
    let reference_year = crate::service::applications::reference_year(&call);
    let spec = Arc::new(crate::domain::application_form::form_for(
        &rules,
        reference_year,
    ));
    let rules = Arc::new(rules);
    let mut lines = Vec::new();
    for app in apps {
        let id = app.id;
        let loaded = Loaded {
            tenant_id,
            app,
            call: call.clone(),
            rules: rules.clone(),
            spec: spec.clone(),
            reference_year,
            today: state.clock.today(),
        };
        let line = line_of(
            &loaded,
            sheets.remove(&id).unwrap_or_default(),
            versions
                .remove(&id)
                .as_deref()
                .map(|d| (&d.version, d.roster.as_slice())),
            &attested.remove(&id).unwrap_or_default(),
        );
        let mut line = line;
        line.inspection = inspections
            .get(&id)
            .map(inspection_label)
            .unwrap_or_default();
        line.institutions = institutions_label(&commissioned.remove(&id).unwrap_or_default());
        // Rejected at the formal check, it never reached the experts.
        if !line.sheets.is_empty() || line.state != "rejected" {
            lines.push(line);
        }
    }
    lines.sort_by(|a, b| {
        b.total
            .unwrap_or(f64::MIN)
            .total_cmp(&a.total.unwrap_or(f64::MIN))
    });
    let mut rank = 0;
    for l in lines.iter_mut() {
        if l.total.is_some() {
            rank += 1;
            l.rank = Some(rank);
        }
    }
    Ok(lines)
}

/// The latest county attestations of an application (what the county confirmed).
async fn attestations(state: &AppState, loaded: &Loaded) -> AppResult<BTreeMap<String, bool>> {
    Ok(
        applications::reviews(&state.db, loaded.tenant_id, loaded.app.id)
            .await?
            .into_iter()
            .rev()
            .find(|r| r.stage == "county" && r.opinion == "recommend")
            .map(|r| r.attestations.0)
            .unwrap_or_default(),
    )
}

pub async fn line(state: &AppState, loaded: &Loaded) -> AppResult<ResultLine> {
    let app = &loaded.app;
    let sheets = panels::of_application(&state.db, loaded.tenant_id, app.id).await?;
    let versions = applications::versions(&state.db, loaded.tenant_id, app.id).await?;
    let attested = attestations(state, loaded).await?;
    let latest = versions.last();
    let roster = latest.map(|v| roster_of(&v.roster.0)).unwrap_or_default();
    let mut line = line_of(
        loaded,
        sheets,
        latest.map(|v| (v, roster.as_slice())),
        &attested,
    );
    let inspections =
        crate::db::inspections::summaries(&state.db, loaded.tenant_id, &[app.id]).await?;
    line.inspection = inspections
        .get(&app.id)
        .map(inspection_label)
        .unwrap_or_default();
    let commissioned =
        crate::db::institutions::of_application(&state.db, loaded.tenant_id, app.id).await?;
    line.institutions = institutions_label(&commissioned);
    Ok(line)
}

/// The commissioned institutions' opinions in a results table.
fn institutions_label(reviews: &[crate::db::institutions::Review]) -> String {
    reviews
        .iter()
        .map(|r| format!("{}：{}", r.institution_name, r.opinion_label()))
        .collect::<Vec<_>>()
        .join("；")
}

/// An inspection in a results table: its state and, once recorded, what did not conform.
fn inspection_label((_, state, record): &(i64, String, Option<serde_json::Value>)) -> String {
    let label = state
        .parse::<crate::domain::workflow::InspectionState>()
        .map(|s| s.label())
        .unwrap_or("");
    let short = |code: &str| {
        record
            .as_ref()
            .and_then(|r| r["items"].as_array())
            .map(|items| items.iter().filter(|i| i["finding"] == code).count())
            .unwrap_or(0)
    };
    match (short("fails"), short("partly")) {
        (0, 0) if record.is_some() => format!("{label}，全部符合"),
        (0, 0) => label.to_string(),
        (f, p) => format!("{label}，不符合 {f} 项、部分符合 {p} 项"),
    }
}

/// One application's line from its sheets (withdrawn ones are left out here), its latest
/// version and its county's attestations.
fn line_of(
    loaded: &Loaded,
    sheets: Vec<Assignment>,
    latest: Option<(&Version, &[RosterRow])>,
    attested: &BTreeMap<String, bool>,
) -> ResultLine {
    let app = &loaded.app;
    let sheets: Vec<Assignment> = sheets
        .into_iter()
        .filter(|s| s.state != SheetState::Withdrawn)
        .collect();
    let evaluation =
        latest.map(|(v, roster)| evaluate_with_scores(loaded, v, roster, attested, &sheets));
    let expected = sheets.iter().filter(|s| s.conflict != "declared").count();
    let submitted = sheets
        .iter()
        .filter(|s| s.conflict == "none" && s.state == SheetState::Submitted)
        .count();
    // Scores are shown to the bureau once every sheet is in: a partial mean invites nothing good.
    let complete = expected > 0 && submitted == expected;
    let score = evaluation
        .as_ref()
        .and_then(|e| e.score.as_ref())
        .filter(|_| complete);
    let totals: Vec<f64> = sheets
        .iter()
        .filter(|s| s.conflict == "none" && s.state == SheetState::Submitted)
        .map(|s| {
            crate::domain::scoring::check_sheet(&loaded.rules, &s.scores.0, false)
                .total()
                .to_f64()
        })
        .collect();
    let spread = (complete && !totals.is_empty() && !loaded.rules.criteria.is_empty()).then(|| {
        totals.iter().copied().fold(f64::MIN, f64::max)
            - totals.iter().copied().fold(f64::MAX, f64::min)
    });
    let outliers = score
        .map(|s| {
            s.outliers
                .iter()
                .map(|name| {
                    let reason = sheets
                        .iter()
                        .find(|x| &x.expert_name == name)
                        .map(|x| x.outlier_reason.clone())
                        .filter(|r| !r.is_empty())
                        .unwrap_or_else(|| "待说明".into());
                    (name.clone(), reason)
                })
                .collect()
        })
        .unwrap_or_default();
    let criteria = loaded
        .rules
        .criteria
        .iter()
        .map(|c| {
            score
                .and_then(|s| s.criteria.get(&c.id))
                .and_then(|n| n.as_f64())
        })
        .collect();
    let tier = evaluation
        .as_ref()
        .and_then(|e| e.tier.clone())
        .and_then(|t| {
            loaded
                .rules
                .tiers
                .iter()
                .find(|x| x.id == t)
                .map(|x| x.name.clone())
        })
        .unwrap_or_default();
    ResultLine {
        rank: None,
        application_id: app.id,
        park: app.park_name.clone(),
        operator: app.organization_name.clone(),
        uscc: app.organization_uscc.clone(),
        county: app.jurisdiction_name.clone().unwrap_or_default(),
        state: app.state.clone(),
        state_label: crate::domain::vocabulary::application_state_label(
            &app.state,
            app.version_count,
        ),
        verdict: evaluation.as_ref().map(verdict_label).unwrap_or(""),
        vetoes: evaluation
            .as_ref()
            .map(|e| e.vetoes.clone())
            .unwrap_or_default(),
        tier,
        method: match score.map(|s| s.method) {
            Some(Method::TrimmedMean) => "去掉最高最低分后平均",
            Some(Method::Mean) => "平均",
            None => "",
        },
        total: score.map(|s| s.total),
        criteria,
        spread,
        experts_scored: score.map(|s| s.experts_scored).unwrap_or(0),
        experts_counted: score.map(|s| s.experts_counted).unwrap_or(0),
        outliers,
        inspection: String::new(),
        institutions: String::new(),
        opinions: (loaded.rules.criteria.is_empty() && complete).then(|| opinions(&sheets)),
        submitted,
        expected,
        sheets,
        evaluation,
    }
}

/// One sheet's result for the bureau: its total, or its opinion.
pub fn sheet_result(s: &Assignment, rules: &crate::domain::ruleset::RuleSet) -> String {
    if s.conflict != "none" || s.state != SheetState::Submitted {
        return "—".into();
    }
    if rules.criteria.is_empty() {
        return match s.opinion.as_deref() {
            Some("pass") => "通过".into(),
            Some("fail") => "不通过".into(),
            _ => "—".into(),
        };
    }
    crate::domain::scoring::check_sheet(rules, &s.scores.0, false)
        .total()
        .to_string()
}

static RANKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

//! Publicity (公示) as use-cases: the notice's title and text, and publishing it — the notice,
//! its list and every listed application's move into publicity, in one transaction.
use crate::db::audit;
use crate::db::calls::Call;
use crate::db::publicity::{self, NewNotice};
use crate::db::transition::{self, Applications, By};
use crate::domain::notification::EventKind;
use crate::domain::time::date_label;
use crate::domain::workdays::Window;
use crate::domain::workflow::{ApplicationAction, WorkflowRules};
use crate::error::{AppError, AppResult};
use crate::service::notify::{self, About, Park};
use crate::state::AppState;
use chrono::{NaiveDate, Utc};
use serde_json::json;

/// What a call's rule set says about its publicity: the measures cited and how many working
/// days the notice stays up (5 in 温州 第六条（五） and 中山 第八条（四）).
pub struct Regulation {
    pub cited: String,
    pub publicity_days: u32,
}

pub struct Candidate {
    pub id: i64,
    pub park: String,
    pub operator: String,
    pub county: String,
}

pub fn window_text(w: &Window, days: u32) -> String {
    format!(
        "{} 至 {} 24:00（{days} 个工作日）",
        date_label(w.first_day),
        date_label(w.last_day),
    )
}

/// "关于2026年度中山市跨境电子商务产业园区拟认定名单的公示": the call's year and the city, not
/// the call's title (which reads "关于组织申报…的通知").
pub fn notice_title(year: i32, city: &str) -> String {
    format!("关于{year}年度{city}跨境电子商务产业园区拟认定名单的公示")
}

/// The notice text in the bureau's usual form; the list and the window come with it.
pub fn notice_body(
    regulation: &Regulation,
    tenant_name: &str,
    window: &Window,
    contact: &str,
) -> String {
    format!(
        "根据{rules}，经园区申报、属地初审推荐、专家评审，{bureau}拟认定下列园区为市级跨境电子商务产业园区，现予以公示。\n\n\
         公示期：{window}。\n\n\
         公示期间，任何单位和个人对公示对象有异议的，可通过本页面“提出异议”或以书面形式向{bureau}反映。反映情况应实事求是，须提供真实姓名、联系方式及相关证据材料；匿名或无具体事实依据的异议不予受理。\n\n\
         联系人：{contact}",
        rules = regulation.cited,
        bureau = tenant_name,
        window = window_text(window, regulation.publicity_days),
    )
}

/// The regulation a call applies, as its rule set cites it, with its publicity period.
pub async fn regulation_of(state: &AppState, tenant_id: i64, call: &Call) -> AppResult<Regulation> {
    let rules = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id).await?;
    Ok(match rules {
        // "温州市…管理办法（征求意见稿）第四条、附件4 …": the title is before the articles.
        Some((_, r)) => Regulation {
            cited: format!(
                "《{}》",
                r.source.split('第').next().unwrap_or(&r.source).trim()
            ),
            publicity_days: r.publicity_days,
        },
        None => Regulation {
            cited: format!("《{}》", call.rule_set_title),
            publicity_days: 5,
        },
    })
}

/// Creates the notice and moves every listed application into publicity, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn publish_notice(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    call: &Call,
    title: &str,
    body: &str,
    contact: &str,
    official_url: &str,
    published_on: NaiveDate,
    window: &Window,
    listed: &[Candidate],
) -> AppResult<i64> {
    let rules = crate::db::rulesets::get(&state.db, tenant_id, call.rule_set_version_id)
        .await?
        .map(|(_, r)| WorkflowRules::for_rule_set(&r))
        .unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let (id, seq) = publicity::insert(
        &mut tx,
        tenant_id,
        &NewNotice {
            call_id: call.id,
            year: chrono::Datelike::year(&published_on),
            title,
            body,
            contact,
            official_url,
            published_on,
            first_day: window.first_day,
            last_day: window.last_day,
            opens_at: window.opens_at.with_timezone(&Utc),
            closes_at: window.closes_at.with_timezone(&Utc),
            created_by: by.user_id.ok_or(AppError::Forbidden)?,
        },
    )
    .await?
    // The handler checked the order; a notice dated later that was published meanwhile wins.
    .ok_or_else(|| {
        AppError::Conflict("本年度已有日期更晚的公示发布，请刷新后重新选择发布日期。".into())
    })?;
    for (i, c) in listed.iter().enumerate() {
        publicity::add_entry(&mut tx, tenant_id, id, c.id, i as i32 + 1).await?;
        transition::apply_in::<Applications>(
            &mut tx,
            tenant_id,
            c.id,
            ApplicationAction::PublishPublicity,
            by,
            Some(&format!(
                "公示〔{}〕{seq}号",
                chrono::Datelike::year(&published_on)
            )),
            &rules,
        )
        .await?;
        let about = About {
            due: Some(window.last_day),
            ..About::default()
        };
        let (park, kind) = (Park::Application(c.id), EventKind::PublicityPublished);
        notify::about_park(&mut tx, state, tenant_id, park, kind, about).await?;
    }
    let details = json!({
        "seq": seq, "published_on": published_on, "first_day": window.first_day,
        "last_day": window.last_day, "applications": listed.iter().map(|c| c.id).collect::<Vec<_>>(),
    });
    let entry = by.entry(tenant_id, "publicity", id, "publish", details);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(id)
}

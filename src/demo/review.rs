//! Demo expert review: each city's expert pool, a panel drawn by the lottery over the
//! applications in review, and sheets in every state — all submitted (one outlier, explained)
//! and shortlisted; all submitted awaiting the decision; one conflict declared and one sheet
//! still open. Driven through the same functions as the pages.
use crate::db::applications::Scope;
use crate::db::experts::{self, NewExpert};
use crate::db::panels::{self, Sheet};
use crate::db::tenants;
use crate::db::transition::By;
use crate::domain::draw::{DrawRules, Quota};
use crate::domain::role::Role;
use crate::domain::workflow::{Actor, ApplicationAction};
use crate::service::applications::{Decision, decide, load};
use crate::service::panels::{self as panel_ops, DrawFailure, PanelRequest};
use crate::service::results;
use crate::service::review::{self, SheetEntry};
use crate::state::AppState;
use anyhow::Context;
use std::collections::BTreeMap;

/// (name, employer, specialties, home jurisdiction, mobile, login)
type PoolEntry = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<&'static str>,
);

const WENZHOU_POOL: &[PoolEntry] = &[
    (
        "王志明",
        "温州大学商学院",
        &["电子商务", "产业规划"],
        "龙湾区",
        "13705770101",
        Some("wz-expert1"),
    ),
    (
        "黄静",
        "温州海关",
        &["通关监管"],
        "瓯海区",
        "13705770102",
        Some("wz-expert2"),
    ),
    (
        "郑海涛",
        "浙江省跨境电商协会",
        &["跨境电商运营"],
        "乐清市",
        "13705770103",
        Some("wz-expert3"),
    ),
    (
        "林晓红",
        "温州市物流协会",
        &["跨境物流"],
        "永嘉县",
        "13705770104",
        Some("wz-expert4"),
    ),
    (
        "陈国华",
        "中国银行温州分行",
        &["外汇结算", "金融"],
        "平阳县",
        "13705770105",
        Some("wz-expert5"),
    ),
    // Excluded by recusal in the demo draw: lives in 鹿城区 (a park's county) …
    (
        "周立新",
        "温州职业技术学院",
        &["电子商务"],
        "鹿城区",
        "13705770106",
        None,
    ),
    // … and works for an applicant (matched by exact name).
    (
        "吴敏",
        "温州鹿城跨境电商产业园运营管理有限公司",
        &["跨境电商运营"],
        "苍南县",
        "13705770107",
        None,
    ),
];

const ZHONGSHAN_POOL: &[PoolEntry] = &[
    (
        "吴启明",
        "中山职业技术学院",
        &["电子商务"],
        "石岐街道",
        "13802760101",
        Some("zs-expert1"),
    ),
    (
        "谭雅婷",
        "中山海关",
        &["通关监管"],
        "东区街道",
        "13802760102",
        Some("zs-expert2"),
    ),
    (
        "欧阳俊",
        "中山市电子商务协会",
        &["跨境电商运营"],
        "小榄镇",
        "13802760103",
        Some("zs-expert3"),
    ),
];

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    seed_pool(state, "wenzhou", WENZHOU_POOL).await?;
    seed_pool(state, "zhongshan", ZHONGSHAN_POOL).await?;
    review_wenzhou(state).await?;
    review_zhongshan(state).await
}

async fn seed_pool(state: &AppState, slug: &str, pool: &[PoolEntry]) -> anyhow::Result<()> {
    let tenant = tenants::by_slug(&state.db, slug).await?.context("tenant")?;
    let mut tx = state.db.begin().await?;
    for (name, employer, specialties, home, mobile, login) in pool {
        let home_id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM jurisdictions WHERE tenant_id = $1 AND name = $2")
                .bind(tenant.id)
                .bind(home)
                .fetch_optional(&mut *tx)
                .await?;
        let user_id: Option<i64> = match login {
            Some(l) => {
                sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND login = $2")
                    .bind(tenant.id)
                    .bind(l)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let specialties: Vec<String> = specialties.iter().map(|s| s.to_string()).collect();
        experts::insert(
            &mut tx,
            tenant.id,
            &NewExpert {
                name,
                employer,
                employer_uscc: None,
                specialties: &specialties,
                home_jurisdiction_id: home_id,
                mobile,
                email: None,
                title: Some("高级职称"),
                user_id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn bureau(state: &AppState, tenant_id: i64, login: &str) -> anyhow::Result<By> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND login = $2")
        .bind(tenant_id)
        .bind(login)
        .fetch_one(&state.db)
        .await?;
    Ok(By {
        actor: Actor::User(Role::Bureau),
        user_id: Some(id),
        request_id: None,
        ip: None,
    })
}

/// An expert acting on their own sheet (experts without an account have none: their sheets
/// stand for the paper ones a bureau files).
fn expert_by(user_id: Option<i64>) -> By {
    By {
        actor: Actor::User(Role::Expert),
        user_id,
        request_id: None,
        ip: None,
    }
}

/// The applications in review of the tenant's open call, by park name.
async fn in_review(state: &AppState, tenant_id: i64) -> anyhow::Result<(i64, Vec<(i64, String)>)> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT a.call_id, a.id, a.park_name FROM applications a
         WHERE a.tenant_id = $1 AND a.state = 'in_review' ORDER BY a.id",
    )
    .bind(tenant_id)
    .fetch_all(&state.db)
    .await?;
    let call = rows
        .first()
        .map(|r| r.0)
        .context("an application in review")?;
    Ok((
        call,
        rows.into_iter().map(|(_, id, park)| (id, park)).collect(),
    ))
}

async fn draw(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    request: PanelRequest<'_>,
) -> anyhow::Result<i64> {
    match panel_ops::draw_panel(state, tenant_id, by, &request).await {
        Ok(id) => Ok(id),
        Err(DrawFailure::Rules(m)) => anyhow::bail!("demo draw: {m}"),
        Err(DrawFailure::App(e)) => Err(e.into()),
    }
}

async fn review_wenzhou(state: &AppState) -> anyhow::Result<()> {
    let tenant = tenants::by_slug(&state.db, "wenzhou")
        .await?
        .context("tenant")?;
    let by = bureau(state, tenant.id, "wz-bureau").await?;
    let (call, apps) = in_review(state, tenant.id).await?;
    let ids: Vec<i64> = apps.iter().map(|(id, _)| *id).collect();
    let rules = DrawRules {
        size: 5,
        quotas: vec![Quota {
            specialty: "跨境物流".into(),
            min: 1,
        }],
    };
    let request = PanelRequest {
        call_id: call,
        name: "2026年度第一评审组",
        seed: "20261120-温州市商务局-监督员王某",
        rules,
        application_ids: &ids,
        sheets_due: None,
    };
    let panel = draw(state, tenant.id, &by, request).await?;
    let sheets = panels::of_panel(&state.db, tenant.id, panel).await?;
    // Per application: each seat's share of the maximum (None = conflict declared, Some(None) =
    // sheet still open).
    let plans: [&[Option<Option<f64>>]; 3] = [
        &[
            Some(Some(0.90)),
            Some(Some(0.86)),
            Some(Some(0.88)),
            Some(Some(0.93)),
            Some(Some(0.62)),
        ],
        &[
            Some(Some(0.80)),
            Some(Some(0.78)),
            Some(Some(0.83)),
            Some(Some(0.76)),
            Some(Some(0.79)),
        ],
        &[
            Some(Some(0.74)),
            None,
            Some(Some(0.70)),
            Some(None),
            Some(Some(0.72)),
        ],
    ];
    let members = panels::members(&state.db, tenant.id, panel).await?;
    inspect(state, tenant.id, &by, ids[0]).await?;
    for (n, app) in ids.iter().enumerate().take(3) {
        let loaded = load(state, tenant.id, Scope::Bureau, *app).await?;
        for (seat, member) in members.iter().enumerate() {
            let Some(sheet) = sheets
                .iter()
                .find(|s| s.application_id == *app && s.expert_id == member.expert_id)
            else {
                continue;
            };
            let plan = plans[n].get(seat).copied().flatten();
            let by = expert_by(member.user_id);
            let Some(share) = plan else {
                let reason = "本人曾为该园区运营管理机构提供咨询服务";
                review::declare_conflict(state, &loaded, &by, sheet.id, true, reason).await?;
                continue;
            };
            let on_paper = share.is_some() && (member.user_id.is_none() || (n == 1 && seat == 4));
            if !on_paper {
                review::declare_conflict(state, &loaded, &by, sheet.id, false, "").await?;
            }
            // Experts differ a little per criterion, as real sheets do.
            let scores: BTreeMap<String, String> = loaded
                .rules
                .criteria
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let wobble = ((i * 7 + seat * 3) % 5) as f64 * 0.02 - 0.04;
                    let share = (share.unwrap_or(0.8) + wobble).clamp(0.0, 1.0);
                    (c.id.clone(), score(c.max.to_f64(), share))
                })
                .collect();
            let summary = "园区规划清晰，公共服务体系较完善，建议加强人才引育。";
            if on_paper {
                enter_on_paper(state, &loaded, &sheet.id, &scores, summary).await?;
                continue;
            }
            let entry = SheetEntry {
                sheet: Sheet {
                    scores: &scores,
                    comments: &BTreeMap::new(),
                    opinion: None,
                    summary,
                },
                expected_version: 0,
                submit: share.is_some(),
                total: String::new(),
            };
            review::save_sheet(state, &loaded, &by, sheet.id, &entry).await?;
        }
    }
    // The outlier explains; the bureau shortlists the first park.
    let first = load(state, tenant.id, Scope::Bureau, ids[0]).await?;
    let line = results::line(state, &first).await?;
    for (name, _) in &line.outliers {
        if let Some(s) = line.sheets.iter().find(|s| &s.expert_name == name) {
            let reason = "实地考察发现园区公共服务中心实际使用率偏低，配套服务与申报材料描述差距较大，故评分偏低。";
            let by = expert_by(s.expert_user_id);
            review::explain_outlier(state, tenant.id, &by, s.id, reason).await?;
        }
    }
    let line = results::line(state, &first).await?;
    let frozen = serde_json::to_value(&line.evaluation)?;
    let decision = Decision {
        results: Some(&frozen),
        stage: "decision",
        action: ApplicationAction::Shortlist,
        opinion: "shortlist",
        comments: "评审总分居前，各项认定条件符合，列入拟认定名单。",
        attestations: &BTreeMap::new(),
        letter: None,
    };
    decide(state, &first, &by, &decision).await?;
    publish_shortlist(state, tenant.id, &by, call).await
}

/// The panel visits the first park (现场考核): three members go, the bureau records what they
/// found with two photos, and each confirms the record.
async fn inspect(state: &AppState, tenant_id: i64, by: &By, app: i64) -> anyhow::Result<()> {
    use crate::db::inspections::{self, Record};
    use crate::domain::inspection::{self, Recorded};
    use crate::service::inspections::{self as visit, Schedule};
    let loaded = load(state, tenant_id, Scope::Bureau, app).await?;
    let members = visit::eligible_members(state, &loaded).await?;
    let experts: Vec<i64> = members.iter().take(3).map(|(id, _)| *id).collect();
    let plan = Schedule {
        scheduled_at: state.clock.now(),
        address: "温州市鹿城区创业路88号",
        lead_user_id: by.user_id.context("bureau user")?,
        county_contact: "林晓燕（鹿城区商务局）",
        experts: &experts,
    };
    let id = visit::schedule(state, &loaded, by, &plan).await?;
    let findings = inspection::checklist(&loaded.rules)
        .into_iter()
        .map(|item| {
            let (finding, note) = match item.id.as_str() {
                "wz.service_center" => (
                    "partly",
                    "公共服务中心已建成，直播间尚在装修，预计下月投用。",
                ),
                "wz.area" => (
                    "conforms",
                    "实地查看一至三层，跨境电商企业使用面积约6200平方米，与申报一致。",
                ),
                _ => ("conforms", ""),
            };
            let r = Recorded {
                finding: finding.into(),
                note: note.into(),
            };
            (item.id, r)
        })
        .collect();
    let present = experts.iter().map(|e| (*e, true)).collect();
    let record = Record {
        findings: &findings,
        others_present: "林晓燕（鹿城区商务局）；王建国（园区运营管理机构总经理）",
        present: &present,
    };
    let i = inspections::get(&state.db, tenant_id, id)
        .await?
        .context("inspection")?;
    visit::save_record(state, tenant_id, by, &i, i.lock_version, &record).await?;
    let photo = crate::io::files::UploadedFile {
        filename: "公共服务中心.jpg".into(),
        kind: crate::io::storage::FileKind::Jpeg,
        bytes: include_bytes!("site-photo.jpg").to_vec(),
    };
    for (item, caption) in [
        ("wz.service_center", "公共服务中心服务大厅"),
        ("", "园区外景"),
    ] {
        visit::add_photo(state, tenant_id, by, &i, &photo, (item, caption)).await?;
    }
    let i = inspections::get(&state.db, tenant_id, id)
        .await?
        .context("inspection")?;
    visit::submit_record(state, &loaded, by, &i).await?;
    let i = inspections::get(&state.db, tenant_id, id)
        .await?
        .context("inspection")?;
    for m in inspections::members(&state.db, tenant_id, id).await? {
        visit::confirm(state, &loaded, &expert_by(m.user_id), &i, m.expert_id).await?;
    }
    Ok(())
}

/// A sheet scored on paper at the review meeting, entered by two officials (代录): the first
/// entry mistypes one score, the second disagrees, the first corrects it and the sheet goes in.
async fn enter_on_paper(
    state: &AppState,
    loaded: &crate::service::applications::Loaded,
    sheet_id: &i64,
    scores: &BTreeMap<String, String>,
    summary: &str,
) -> anyhow::Result<()> {
    use crate::service::paper::{self, PaperSheet};
    let tenant_id = loaded.tenant_id;
    let first = bureau(state, tenant_id, "wz-bureau").await?;
    let second = bureau(state, tenant_id, "wz-bureau2").await?;
    let scan = crate::io::files::UploadedFile {
        filename: "专家纸质评分表（签字）.pdf".into(),
        kind: crate::io::storage::FileKind::Pdf,
        bytes: super::applications::demo_pdf("signed paper score sheet"),
    };
    let mut mistyped = scores.clone();
    if let Some((_, v)) = mistyped.iter_mut().next() {
        *v = "0".into();
    }
    for (by, typed, scan) in [
        (&first, &mistyped, Some(&scan)),
        (&second, scores, None),
        (&first, scores, None),
    ] {
        let sheet = panels::get_assignment(&state.db, tenant_id, *sheet_id)
            .await?
            .context("sheet")?;
        let entry = PaperSheet {
            scores: typed,
            opinion: None,
            summary,
            scan,
        };
        paper::enter(state, loaded, by, &sheet, &entry).await?;
    }
    Ok(())
}

/// The shortlist goes on publicity today, when the calendar reaches far enough (a demo started in
/// late December waits for the next year's calendar, as real publications would).
async fn publish_shortlist(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    call_id: i64,
) -> anyhow::Result<()> {
    use crate::service::publicity::{Candidate, notice_body, publish_notice};
    let call = crate::db::calls::get(&state.db, tenant_id, call_id)
        .await?
        .context("call")?;
    let cal = crate::db::calendar::load(&state.db).await?;
    let today = state.clock.today();
    let regulation = crate::service::publicity::regulation_of(state, tenant_id, &call).await?;
    let Ok(window) = cal.publicity_window(today, None, regulation.publicity_days) else {
        tracing::info!("demo publicity skipped: the calendar does not cover its window yet");
        return Ok(());
    };
    let listed: Vec<Candidate> =
        crate::db::applications::list_for_call(&state.db, tenant_id, call_id)
            .await?
            .into_iter()
            .filter(|a| a.state == "shortlisted")
            .map(|a| Candidate {
                id: a.id,
                park: a.park_name,
                operator: a.organization_name,
                county: a.jurisdiction_name.unwrap_or_default(),
            })
            .collect();
    let contact = "陈立新，电话：0577-88960000";
    let body = notice_body(&regulation, "温州市商务局", &window, contact);
    publish_notice(
        state,
        tenant_id,
        by,
        &call,
        "关于2026年度温州市跨境电子商务产业园区拟认定名单的公示",
        &body,
        contact,
        "https://swj.wenzhou.gov.cn/",
        today,
        &window,
        &listed,
    )
    .await?;
    Ok(())
}

/// A score near `share` of `max`, to half a point.
fn score(max: f64, share: f64) -> String {
    let s = (max * share * 2.0).round() / 2.0;
    let s = s.min(max);
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// Zhongshan 第九条: a park on Guangdong's provincial list, awarded 引领型 directly.
async fn provincial_award(state: &AppState, tenant_id: i64, by: &By) -> anyhow::Result<()> {
    use crate::service::awards::{ProvincialListing, award_provincial};
    let (org, county): (i64, i64) = sqlx::query_as(
        "SELECT o.id, j.id FROM organizations o, jurisdictions j
         WHERE o.tenant_id = $1 AND o.uscc = '91442000MA4UK2L5EW'
           AND j.tenant_id = $1 AND j.name = '小榄镇'",
    )
    .bind(tenant_id)
    .fetch_one(&state.db)
    .await?;
    let listed = ProvincialListing {
        organization_id: org,
        jurisdiction_id: Some(county),
        park_name: "中山市小榄跨境电商产业园",
        evidence: "广东省商务厅关于公布2025年广东省跨境电子商务产业园区名单的通知",
    };
    award_provincial(state, tenant_id, "中山", by, &listed).await?;
    Ok(())
}

async fn review_zhongshan(state: &AppState) -> anyhow::Result<()> {
    let tenant = tenants::by_slug(&state.db, "zhongshan")
        .await?
        .context("tenant")?;
    let by = bureau(state, tenant.id, "zs-bureau").await?;
    let (call, apps) = in_review(state, tenant.id).await?;
    let ids: Vec<i64> = apps.iter().map(|(id, _)| *id).collect();
    let rules = DrawRules {
        size: 3,
        quotas: Vec::new(),
    };
    let request = PanelRequest {
        call_id: call,
        name: "2026年度评审组",
        seed: "20261121-中山市商务局",
        rules,
        application_ids: &ids,
        sheets_due: None,
    };
    let panel = draw(state, tenant.id, &by, request).await?;
    let commissioned = commission(state, tenant.id, &by, &ids).await?;
    let sheets = panels::of_panel(&state.db, tenant.id, panel).await?;
    for (i, sheet) in sheets.iter().enumerate() {
        let loaded = load(state, tenant.id, Scope::Bureau, sheet.application_id).await?;
        let by = expert_by(sheet.expert_user_id);
        review::declare_conflict(state, &loaded, &by, sheet.id, false, "").await?;
        let entry = SheetEntry {
            sheet: Sheet {
                scores: &BTreeMap::new(),
                comments: &BTreeMap::new(),
                opinion: Some(if i == 2 { "fail" } else { "pass" }),
                summary: if i == 2 {
                    "备案企业数量刚达门槛，建议培育一年后再申报引领型。"
                } else {
                    "基本条件和成长型条件均符合，同意通过。"
                },
            },
            expected_version: 0,
            submit: true,
            total: String::new(),
        };
        review::save_sheet(state, &loaded, &by, sheet.id, &entry).await?;
    }
    institution_opinions(state, tenant.id, &commissioned).await?;
    provincial_award(state, tenant.id, &by).await
}

/// Zhongshan commissions a third-party institution (第八条（三）) beside its panel: one
/// institution with a staff account, each application in review commissioned to it.
async fn commission(
    state: &AppState,
    tenant_id: i64,
    by: &By,
    ids: &[i64],
) -> anyhow::Result<Vec<i64>> {
    use crate::service::institutions as inst;
    let uscc = crate::domain::uscc::Uscc::with_check_char("91440101MA5CXK7Q6")
        .map(|u| u.as_str().to_string())
        .context("demo USCC")?;
    let id = inst::register(
        state,
        tenant_id,
        by,
        (
            "广东粤港澳跨境电商研究院有限公司",
            &uscc,
            "黄志明（项目负责人）",
        ),
    )
    .await?
    .context("a new institution")?;
    let institution = crate::db::institutions::get(&state.db, tenant_id, id)
        .await?
        .context("institution")?;
    let staff = ("zs-institute", "黄志明", crate::demo::DEMO_PASSWORD);
    inst::open_staff_account(state, tenant_id, by, &institution, staff).await?;
    let mut reviews = Vec::new();
    for app in ids {
        let loaded = load(state, tenant_id, Scope::Bureau, *app).await?;
        reviews.push(inst::assign(state, &loaded, by, &institution).await?);
    }
    Ok(reviews)
}

/// The institution's staff submit its opinion on each commissioned application, with a report.
async fn institution_opinions(
    state: &AppState,
    tenant_id: i64,
    reviews: &[i64],
) -> anyhow::Result<()> {
    let staff: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND login = 'zs-institute'")
            .bind(tenant_id)
            .fetch_one(&state.db)
            .await?;
    let by = expert_by(Some(staff));
    let report = crate::io::files::UploadedFile {
        filename: "第三方机构评审报告（盖章）.pdf".into(),
        kind: crate::io::storage::FileKind::Pdf,
        bytes: super::applications::demo_pdf("institution review report"),
    };
    for id in reviews {
        let review = crate::db::institutions::review(&state.db, tenant_id, *id)
            .await?
            .context("review")?;
        let loaded = load(state, tenant_id, Scope::Bureau, review.application_id).await?;
        let opinion = (
            "pass",
            "经核查申报材料并实地走访，园区基本条件和成长型条件均符合，建议通过。",
            &report,
        );
        crate::service::institutions::submit_opinion(state, &loaded, &by, &review, opinion).await?;
    }
    Ok(())
}

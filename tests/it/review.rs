//! Expert review end to end: the pool, a reproducible draw with recusal, conflict declarations,
//! bounded and locked scores, independence, aggregation by the engine, the XLSX export and the
//! decision.
use crate::helpers::{TestApp, fixture};
use crate::intake::{
    apply, complete_draft, county_opinion, hidden, id_of, jurisdiction_id, state_of, submit,
};
use axum::http::StatusCode;
use parkcert::domain::draw::{self, DrawInput, DrawResult};
use parkcert::domain::notification::EventKind;

const EXPERT_PASSWORD: &str = "expert-password-2026";

/// An application of `operator` taken through intake into review; returns its id.
async fn in_review(app: &mut TestApp, call: i64, operator: &str) -> i64 {
    let mut op = app.new_browser();
    op.sign_in_as(operator).await;
    let base = apply(&mut op, call).await;
    complete_draft(&mut op, &base).await;
    submit(&mut op, &base).await.assert_redirect_to(&base);
    let id = id_of(&base).to_string();
    let mut county = app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county_opinion(
        &mut county,
        &id,
        &[
            ("opinion", "recommend"),
            ("attest.wz.plan", "on"),
            ("attest.wz.operator", "on"),
            ("attest.wz.reporting", "on"),
        ],
        Some(&fixture("documents/licence.pdf")),
    )
    .await
    .assert_redirect_to("/t/wenzhou/county");
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let page = format!("/t/wenzhou/bureau/applications/{id}");
    bureau.get(&page).await;
    bureau
        .post_form(&format!("{page}/decision"), &[("opinion", "accept")])
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{call}/applications"));
    assert_eq!(state_of(app, &base).await, "in_review");
    id.parse().unwrap()
}

/// Adds an expert to the pool through the page; with a login, opens their account.
async fn add_expert(
    bureau: &mut TestApp,
    name: &str,
    employer: &str,
    specialties: &str,
    home: &str,
    mobile: &str,
    login: Option<&str>,
) -> i64 {
    bureau.get("/t/wenzhou/bureau/experts").await;
    bureau
        .post_form(
            "/t/wenzhou/bureau/experts",
            &[
                ("name", name),
                ("employer", employer),
                ("specialties", specialties),
                ("home_jurisdiction_id", home),
                ("mobile", mobile),
            ],
        )
        .await
        .assert_redirect_to("/t/wenzhou/bureau/experts");
    let id: i64 = sqlx::query_scalar("SELECT id FROM experts WHERE mobile = $1")
        .bind(mobile)
        .fetch_one(&bureau.db)
        .await
        .unwrap();
    if let Some(login) = login {
        let page = format!("/t/wenzhou/bureau/experts/{id}");
        bureau.get(&page).await;
        bureau
            .post_form(
                &format!("{page}/account"),
                &[("login", login), ("password", EXPERT_PASSWORD)],
            )
            .await
            .assert_redirect_to(&page);
    }
    id
}

pub(crate) struct Setup {
    pub app: TestApp,
    pub bureau: TestApp,
    pub call: i64,
    pub applications: Vec<i64>,
}

/// Two applications in review and a pool of seven: five who can score, one living in the parks'
/// county, one employed by the applicant.
pub(crate) async fn setup() -> Setup {
    setup_reviewed_by("written").await
}

/// As `setup`, under a call whose review takes `forms`.
pub(crate) async fn setup_reviewed_by(forms: &str) -> Setup {
    let mut app = TestApp::spawn().await;
    let call = crate::intake::open_call_reviewed_by(&mut app, "wenzhou", "wz-bureau", forms).await;
    let first = in_review(&mut app, call, "wz-operator1").await;
    let second = in_review(&mut app, call, "wz-operator1").await;
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let longwan = jurisdiction_id(&app, "龙湾区").await;
    let lucheng = jurisdiction_id(&app, "鹿城区").await;
    for (i, (name, specialties)) in [
        ("甲专家", "电子商务"),
        ("乙专家", "跨境物流"),
        ("丙专家", "通关监管"),
        ("丁专家", "电子商务、产业规划"),
        ("戊专家", "金融"),
    ]
    .into_iter()
    .enumerate()
    {
        add_expert(
            &mut bureau,
            name,
            &format!("第{i}研究院"),
            specialties,
            &longwan,
            &format!("1390577000{i}"),
            Some(&format!("ex-{i}")),
        )
        .await;
    }
    add_expert(
        &mut bureau,
        "己专家",
        "温州大学",
        "电子商务",
        &lucheng,
        "13905770010",
        None,
    )
    .await;
    add_expert(
        &mut bureau,
        "庚专家",
        "温州鹿城跨境电商产业园运营管理有限公司",
        "电子商务",
        &longwan,
        "13905770011",
        None,
    )
    .await;
    Setup {
        app,
        bureau,
        call,
        applications: vec![first, second],
    }
}

pub(crate) async fn draw_panel(
    s: &mut Setup,
    size: &str,
    quotas: &str,
    seed: &str,
) -> crate::helpers::TestResponse {
    let hub = format!("/t/wenzhou/bureau/calls/{}/review", s.call);
    s.bureau.get(&hub).await;
    let apps: Vec<String> = s.applications.iter().map(|a| a.to_string()).collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("name", "第一评审组"),
        ("size", size),
        ("quotas", quotas),
        ("seed", seed),
    ];
    fields.extend(apps.iter().map(|a| ("application", a.as_str())));
    s.bureau
        .post_form(
            &format!("/t/wenzhou/bureau/calls/{}/panels", s.call),
            &fields,
        )
        .await
}

async fn stored_draw(app: &TestApp) -> (DrawInput, DrawResult) {
    let (input, result): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("SELECT draw_input, draw_result FROM panels ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    (
        serde_json::from_value(input).unwrap(),
        serde_json::from_value(result).unwrap(),
    )
}

#[tokio::test]
async fn a_draw_is_reproducible_and_recusal_excludes_the_right_experts() {
    let mut s = setup().await;
    // Quotas the pool cannot meet, and a panel larger than the eligible pool, are refused.
    draw_panel(&mut s, "5", "海关稽查：1", "seed-1")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("海关稽查");
    draw_panel(&mut s, "6", "", "seed-1")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("少于评审组人数 6 人");
    let drawn = draw_panel(&mut s, "3", "跨境物流：1", "seed-1").await;
    // The new panel's id is not known before it is drawn.
    drawn.assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let page = s.bureau.get(drawn.location()).await;
    page.assert_contains("常住地为园区所在县（市、区）“鹿城区”")
        .assert_contains("工作单位为申报单位")
        .assert_contains("seed-1");

    // Anyone re-running the stored input gets the stored panel; the quota is met.
    let (input, result) = stored_draw(&s.app).await;
    let again = draw::draw(&input).unwrap();
    assert_eq!(again.panel, result.panel);
    assert_eq!(result.panel.len(), 3);
    let names: Vec<&str> = result
        .lines
        .iter()
        .filter(|l| l.seat.is_some())
        .map(|l| l.name.as_str())
        .collect();
    assert!(names.contains(&"乙专家"), "the 跨境物流 quota: {names:?}");
    assert!(!names.contains(&"己专家") && !names.contains(&"庚专家"));
    // Another seed is another lottery.
    let other = draw::draw(&DrawInput {
        seed: "seed-2".into(),
        ..input.clone()
    })
    .unwrap();
    assert_ne!(
        other
            .lines
            .iter()
            .map(|l| &l.lottery_number)
            .collect::<Vec<_>>(),
        result
            .lines
            .iter()
            .map(|l| &l.lottery_number)
            .collect::<Vec<_>>()
    );

    // A member declines: the replacement comes from the same lottery and is logged.
    let panel_path = drawn.location().to_string();
    // Someone not holding the quota seat declines (the quota's only holder could not be replaced).
    let declined = result
        .lines
        .iter()
        .find(|l| l.seat.is_some() && l.counted_for.is_empty())
        .map(|l| l.key.trim_start_matches('E').to_string())
        .unwrap();
    s.bureau.get(&panel_path).await;
    s.bureau
        .post_form(
            &format!("{panel_path}/decline"),
            &[("expert", &declined), ("reason", "出差在外")],
        )
        .await
        .assert_redirect_to(&panel_path);
    let (input, after) = stored_draw(&s.app).await;
    assert_eq!(after.replacements.len(), 1);
    assert_eq!(after.replacements[0].reason, "出差在外");
    let replayed = draw::replace(
        &input,
        &[draw::Decline {
            expert: format!("E{declined}"),
            reason: "出差在外".into(),
        }],
    )
    .unwrap();
    assert_eq!(replayed.panel, after.panel);
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'panel' AND action IN ('draw', 'replace_member')",
    )
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    assert_eq!(audit, 2);
    // The member who declined keeps no open sheet: each is withdrawn on the trail.
    let (open, withdrawn): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE state = 'open'), count(*) FILTER (WHERE state = 'withdrawn')
         FROM assignments WHERE expert_id = $1::text::bigint",
    )
    .bind(&declined)
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    assert_eq!(open, 0);
    assert!(withdrawn > 0);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'assignment' AND action = 'withdraw'",
    )
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    assert_eq!(logged, withdrawn);
}

/// The logins of a panel's members (not declined), in seat order, and of the pool's experts
/// with an account who are not on it.
async fn members_and_others(app: &TestApp, panel: i64) -> (Vec<String>, Vec<String>) {
    let on: Vec<String> = sqlx::query_scalar(
        "SELECT u.login FROM panel_members m JOIN experts e ON e.id = m.expert_id
           JOIN users u ON u.id = e.user_id
          WHERE m.panel_id = $1 AND m.declined_reason IS NULL ORDER BY m.seat",
    )
    .bind(panel)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let others: Vec<String> = sqlx::query_scalar(
        "SELECT u.login FROM experts e JOIN users u ON u.id = e.user_id
          WHERE u.login LIKE 'ex-%' AND NOT EXISTS (SELECT 1 FROM panel_members m
                WHERE m.panel_id = $1 AND m.expert_id = e.id) ORDER BY u.login",
    )
    .bind(panel)
    .fetch_all(&app.db)
    .await
    .unwrap();
    (on, others)
}

#[tokio::test]
async fn an_expert_accepts_or_declines_the_invitation_and_a_decline_seats_and_invites_the_replacement()
 {
    let mut s = setup().await;
    let drawn = draw_panel(&mut s, "3", "", "seed-invite").await;
    drawn.assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let panel: i64 = drawn
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (members, others) = members_and_others(&s.app, panel).await;
    assert_eq!((members.len(), others.len()), (3, 2));
    let invitation = format!("/t/wenzhou/expert/invitations/{panel}");

    // The to-do item leads to the invitation; an expert not drawn finds no such page.
    let mut first = expert(&s.app, &members[0]).await;
    first
        .get("/t/wenzhou/expert")
        .await
        .assert_contains("待回复评审邀请")
        .assert_contains(&format!("href=\"{invitation}\""));
    first
        .get(&invitation)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("接受邀请")
        .assert_contains("谢绝邀请");
    let mut outsider = expert(&s.app, &others[0]).await;
    outsider
        .get(&invitation)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    outsider
        .post_form(&format!("{invitation}/accept"), &[])
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Accepting is recorded once; the to-do item is gone.
    first
        .post_form(&format!("{invitation}/accept"), &[])
        .await
        .assert_redirect_to("/t/wenzhou/expert");
    first
        .get("/t/wenzhou/expert")
        .await
        .assert_not_contains("待回复评审邀请")
        .assert_contains("已接受");
    first
        .post_form(&format!("{invitation}/accept"), &[])
        .await
        .assert_status(StatusCode::CONFLICT);

    // A decline needs its reason, and keeps what was typed when refused.
    let mut second = expert(&s.app, &members[1]).await;
    second.get(&invitation).await;
    second
        .post_form(&format!("{invitation}/decline"), &[("reason", "  ")])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请写明谢绝原因");
    let since = crate::notifications::mark(&s.app).await;
    second
        .post_form(
            &format!("{invitation}/decline"),
            &[("reason", "评审期间出差在外")],
        )
        .await
        .assert_redirect_to("/t/wenzhou/expert");
    let (now_on, _) = members_and_others(&s.app, panel).await;
    assert!(!now_on.contains(&members[1]), "{now_on:?}");
    let replacement: Vec<String> = now_on
        .iter()
        .filter(|l| !members.contains(l))
        .cloned()
        .collect();
    assert_eq!(replacement.len(), 1, "{now_on:?}");
    assert_eq!(
        crate::notifications::told(&s.app, EventKind::PanelDrawn, since).await,
        replacement,
        "the replacement is invited, and no one else"
    );
    let withdrawn: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM assignments s JOIN experts e ON e.id = s.expert_id
           JOIN users u ON u.id = e.user_id WHERE u.login = $1 AND s.state = 'withdrawn'",
    )
    .bind(&members[1])
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    assert_eq!(withdrawn, s.applications.len() as i64);
    second
        .get(&invitation)
        .await
        .assert_contains("已谢绝")
        .assert_not_contains("name=\"reason\"");
    // Both answers are on the trail, each as its expert's own.
    let trail: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.action, u.login FROM audit_log l JOIN users u ON u.id = l.actor_user_id
          WHERE l.object_kind = 'panel' AND l.object_id = $1::text
            AND l.action IN ('accept_invitation', 'replace_member') ORDER BY l.id",
    )
    .bind(panel.to_string())
    .fetch_all(&s.app.db)
    .await
    .unwrap();
    assert_eq!(
        trail,
        [
            ("accept_invitation".to_string(), members[0].clone()),
            ("replace_member".to_string(), members[1].clone())
        ]
    );
    s.bureau
        .get(&format!("/t/wenzhou/bureau/panels/{panel}"))
        .await
        .assert_contains("已接受邀请")
        .assert_contains("谢绝：评审期间出差在外")
        .assert_contains("待回复");

    // Starting on a sheet is accepting: the invitation is no longer awaited.
    let mut third = expert(&s.app, &members[2]).await;
    let sheet = assignment_of(&s.app, &members[2], s.applications[0]).await;
    declare(&mut third, sheet, "none", "").await;
    third
        .get(&invitation)
        .await
        .assert_contains("已接受")
        .assert_not_contains(&format!("{invitation}/accept"));
    third
        .post_form(&format!("{invitation}/accept"), &[])
        .await
        .assert_status(StatusCode::CONFLICT);
}

/// The signed-in expert's assignment for an application.
async fn assignment_of(app: &TestApp, login: &str, application: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT s.id FROM assignments s JOIN experts e ON e.id = s.expert_id
         JOIN users u ON u.id = e.user_id WHERE u.login = $1 AND s.application_id = $2
           AND s.state <> 'withdrawn'",
    )
    .bind(login)
    .bind(application)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn expert(app: &TestApp, login: &str) -> TestApp {
    let mut e = app.new_browser();
    e.sign_in("wenzhou", login, EXPERT_PASSWORD)
        .await
        .assert_redirect_to("/t/wenzhou/expert");
    e
}

/// Wenzhou's nine criteria at `share` of their maximum (to one decimal).
fn sheet(share: f64) -> Vec<(String, String)> {
    let rules = parkcert::domain::ruleset::builtin("wenzhou-2021").unwrap();
    rules
        .criteria
        .iter()
        .map(|c| {
            let v = (c.max.to_f64() * share * 10.0).round() / 10.0;
            (format!("score.{}", c.id), format!("{v:.1}"))
        })
        .collect()
}

async fn score(
    e: &mut TestApp,
    assignment: i64,
    share: f64,
    action: &str,
) -> crate::helpers::TestResponse {
    let page = e
        .get(&format!("/t/wenzhou/expert/assignments/{assignment}"))
        .await;
    let lock = hidden(&page.body, "lock_version");
    let cells = sheet(share);
    let mut fields: Vec<(&str, &str)> = vec![
        ("lock_version", &lock),
        ("action", action),
        ("summary", "总体良好"),
    ];
    fields.extend(cells.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    e.post_form(
        &format!("/t/wenzhou/expert/assignments/{assignment}/sheet"),
        &fields,
    )
    .await
}

async fn declare(e: &mut TestApp, assignment: i64, conflict: &str, reason: &str) {
    let page = format!("/t/wenzhou/expert/assignments/{assignment}");
    e.get(&page).await;
    e.post_form(
        &format!("{page}/declare"),
        &[("conflict", conflict), ("reason", reason)],
    )
    .await
    .assert_redirect_to(&page);
}

#[tokio::test]
async fn experts_declare_conflicts_score_within_bounds_and_cannot_see_each_other() {
    let mut s = setup().await;
    // The new panel's id is not known before it is drawn.
    draw_panel(&mut s, "5", "", "seed-x")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let target = s.applications[0];
    let a0 = assignment_of(&s.app, "ex-0", target).await;
    let a1 = assignment_of(&s.app, "ex-1", target).await;
    let mut e0 = expert(&s.app, "ex-0").await;
    let mut e1 = expert(&s.app, "ex-1").await;

    // Before declaring, only the park's name: no documents, no roster, no form.
    let before = e0.get(&format!("/t/wenzhou/expert/assignments/{a0}")).await;
    before
        .assert_status(StatusCode::OK)
        .assert_contains("回避声明")
        .assert_not_contains("申报材料（第")
        .assert_not_contains("入驻企业名录（");
    let doc: i64 = sqlx::query_scalar(
        "SELECT id FROM documents WHERE application_id = $1 AND category = 'report'",
    )
    .bind(target)
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    e0.get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // A declared conflict keeps it hidden for good.
    declare(&mut e1, a1, "declared", "本人曾为该园区提供咨询").await;
    e1.get(&format!("/t/wenzhou/expert/assignments/{a1}"))
        .await
        .assert_contains("您已声明回避")
        .assert_not_contains("申报材料（第");
    e1.get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // No conflict: the materials, and a sheet whose bounds are enforced.
    declare(&mut e0, a0, "none", "").await;
    e0.get(&format!("/t/wenzhou/expert/assignments/{a0}"))
        .await
        .assert_contains("申报材料（第 1 版）")
        .assert_contains("发展规划科学");
    e0.get(&format!("/t/wenzhou/files/{doc}"))
        .await
        .assert_status(StatusCode::OK);
    let page = e0.get(&format!("/t/wenzhou/expert/assignments/{a0}")).await;
    let lock = hidden(&page.body, "lock_version");
    e0.post_form(
        &format!("/t/wenzhou/expert/assignments/{a0}/sheet"),
        &[
            ("lock_version", &lock),
            ("action", "save"),
            ("score.wz.s.planning", "15.5"),
            ("score.wz.s.services", "12.25"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("不能超过满分 15 分")
    .assert_contains("分数最多保留一位小数")
    .assert_contains("value=\"15.5\"");
    e0.post_form(
        &format!("/t/wenzhou/expert/assignments/{a0}/sheet"),
        &[
            ("lock_version", &lock),
            ("action", "submit"),
            ("score.wz.s.planning", "12"),
        ],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("请打分");
    score(&mut e0, a0, 0.9, "submit")
        .await
        .assert_redirect_to(&format!("/t/wenzhou/expert/assignments/{a0}"));
    // Locked once submitted.
    score(&mut e0, a0, 0.5, "save")
        .await
        .assert_status(StatusCode::CONFLICT);

    // Independence: another expert's sheet is not found at any URL, and the bureau sees
    // progress, not scores, while the review runs.
    let a2 = assignment_of(&s.app, "ex-2", target).await;
    let mut e2 = expert(&s.app, "ex-2").await;
    e2.get(&format!("/t/wenzhou/expert/assignments/{a0}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    e2.get(&format!("/t/wenzhou/expert/assignments/{a2}")).await;
    e2.post_form(
        &format!("/t/wenzhou/expert/assignments/{a0}/sheet"),
        &[("lock_version", "0"), ("action", "save")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    e2.post_form(
        &format!("/t/wenzhou/expert/assignments/{a0}/declare"),
        &[("conflict", "none")],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    for path in [
        format!("/t/wenzhou/bureau/calls/{}/applications", s.call),
        "/t/wenzhou/expert".to_string(),
    ] {
        e2.get(&path).await.assert_not_contains("13.5");
    }
    let panel: i64 = sqlx::query_scalar("SELECT id FROM panels LIMIT 1")
        .fetch_one(&s.app.db)
        .await
        .unwrap();
    s.bureau
        .get(&format!("/t/wenzhou/bureau/panels/{panel}"))
        .await
        .assert_contains("已提交")
        .assert_contains("回避")
        .assert_not_contains("13.5");
    s.bureau
        .get(&format!("/t/wenzhou/bureau/applications/{target}"))
        .await
        .assert_contains("全部评审专家提交后显示汇总结果");
}

#[tokio::test]
async fn from_in_review_to_shortlisted_with_the_engines_aggregation_and_an_xlsx_export() {
    let mut s = setup().await;
    // The new panel's id is not known before it is drawn.
    draw_panel(&mut s, "5", "", "seed-y")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let target = s.applications[0];
    // Five sheets: totals 90, 85, 88, 93 and an outlier at 60.
    let shares = [0.90, 0.85, 0.88, 0.93, 0.60];
    let since = crate::notifications::mark(&s.app).await;
    for (i, share) in shares.iter().enumerate() {
        let login = format!("ex-{i}");
        let a = assignment_of(&s.app, &login, target).await;
        let mut e = expert(&s.app, &login).await;
        declare(&mut e, a, "none", "").await;
        score(&mut e, a, *share, "submit")
            .await
            .assert_redirect_to(&format!("/t/wenzhou/expert/assignments/{a}"));
    }
    let base = format!("/t/wenzhou/operator/applications/{target}");
    assert_eq!(state_of(&s.app, &base).await, "reviewed");
    assert_eq!(
        crate::notifications::told(&s.app, EventKind::SheetsAllIn, since).await,
        crate::notifications::logins(&s.app, "wenzhou", "u.role = 'bureau'").await,
        "the last sheet in tells the bureau, once"
    );

    // The engine's aggregation of the same sheets: trimmed mean of the middle three.
    let totals: Vec<f64> = shares
        .iter()
        .map(|sh| {
            sheet(*sh)
                .iter()
                .map(|(_, v)| v.parse::<f64>().unwrap())
                .sum()
        })
        .collect();
    let mut sorted = totals.clone();
    sorted.sort_by(f64::total_cmp);
    let expected = (sorted[1] + sorted[2] + sorted[3]) / 3.0;
    let page = s
        .bureau
        .get(&format!("/t/wenzhou/bureau/applications/{target}"))
        .await;
    page.assert_contains(&format!("{expected:.2}"))
        .assert_contains("去掉最高最低分后平均")
        .assert_contains("戊专家：待说明");

    // No decision while the outlier has not explained.
    s.bureau
        .post_form(
            &format!("/t/wenzhou/bureau/applications/{target}/decision"),
            &[("opinion", "shortlist")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("离群专家尚未书面说明评分理由");
    let outlier = assignment_of(&s.app, "ex-4", target).await;
    let mut e4 = expert(&s.app, "ex-4").await;
    e4.get(&format!("/t/wenzhou/expert/assignments/{outlier}"))
        .await
        .assert_contains("请说明评分理由");
    e4.post_form(
        &format!("/t/wenzhou/expert/assignments/{outlier}/outlier"),
        &[("reason", "园区公共服务中心实际使用率偏低，与申报材料不符。")],
    )
    .await
    .assert_redirect_to(&format!("/t/wenzhou/expert/assignments/{outlier}"));

    // The export opens in calamine with the same total.
    let export = s
        .bureau
        .get(&format!("/t/wenzhou/bureau/calls/{}/results.xlsx", s.call))
        .await;
    export.assert_status(StatusCode::OK);
    use calamine::{DataType, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(export.bytes.clone())).unwrap();
    let names = book.sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "评审结果汇总"), "{names:?}");
    assert!(names.iter().any(|n| n == "甲专家"), "{names:?}");
    let summary = book.worksheet_range("评审结果汇总").unwrap();
    let found = summary.rows().any(|row| {
        row.iter()
            .any(|c| c.get_float().is_some_and(|v| (v - expected).abs() < 0.005))
    });
    assert!(found, "total {expected} in the summary sheet");
    s.bureau
        .get(&format!("/t/wenzhou/bureau/calls/{}/results/print", s.call))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("签名");

    // Reopening a sheet sends the application back into review until it is resubmitted.
    let a0 = assignment_of(&s.app, "ex-0", target).await;
    s.bureau
        .get(&format!("/t/wenzhou/bureau/applications/{target}"))
        .await;
    s.bureau
        .post_form(
            &format!("/t/wenzhou/bureau/assignments/{a0}/reopen"),
            &[("reason", "评分录入有误")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/applications/{target}"));
    assert_eq!(state_of(&s.app, &base).await, "in_review");
    let mut e0 = expert(&s.app, "ex-0").await;
    score(&mut e0, a0, 0.90, "submit")
        .await
        .assert_redirect_to(&format!("/t/wenzhou/expert/assignments/{a0}"));
    assert_eq!(state_of(&s.app, &base).await, "reviewed");

    // Shortlisted, with the results frozen beside the decision.
    s.bureau
        .get(&format!("/t/wenzhou/bureau/applications/{target}"))
        .await;
    s.bureau
        .post_form(
            &format!("/t/wenzhou/bureau/applications/{target}/decision"),
            &[("opinion", "shortlist"), ("comments", "")],
        )
        .await
        .assert_redirect_to(&format!("/t/wenzhou/bureau/calls/{}/applications", s.call));
    assert_eq!(state_of(&s.app, &base).await, "shortlisted");
    let frozen: serde_json::Value = sqlx::query_scalar(
        "SELECT results FROM application_reviews WHERE application_id = $1 AND opinion = 'shortlist'",
    )
    .bind(target)
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    let total = frozen["score"]["total"].as_f64().unwrap();
    assert!((total - expected).abs() < 1e-9, "{total} vs {expected}");
    // Decided: no more reopening.
    s.bureau
        .post_form(
            &format!("/t/wenzhou/bureau/assignments/{a0}/reopen"),
            &[("reason", "再改")],
        )
        .await
        .assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_expert_pool_imports_all_or_nothing_and_matches_jurisdictions_by_name() {
    let app = TestApp::spawn().await;
    let mut bureau = app.new_browser();
    bureau.sign_in_as("wz-bureau").await;
    let template = bureau.get("/t/wenzhou/bureau/experts/template.xlsx").await;
    template.assert_status(StatusCode::OK);
    assert_eq!(
        parkcert::io::storage::FileKind::sniff(&template.bytes),
        Some(parkcert::io::storage::FileKind::Xlsx)
    );
    let header = "序号,姓名,工作单位,工作单位统一社会信用代码,专业特长,常住县（市、区）/镇街,手机,电子邮箱,职称/职务\n";
    let bad = format!(
        "{header}1,张三,温州大学,,电子商务,龙湾区,13905779901,,教授\n2,李四,温州海关,,通关监管,火星区,1390577,,\n"
    );
    bureau.get("/t/wenzhou/bureau/experts").await;
    bureau
        .post_multipart(
            "/t/wenzhou/bureau/experts/import",
            &[],
            &[("file", "专家.csv", bad.as_bytes())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("第3行，手机");
    let unknown_place = format!(
        "{header}1,张三,温州大学,,电子商务,龙湾区,13905779901,,教授\n2,李四,温州海关,,通关监管,火星区,13905779902,,\n"
    );
    bureau
        .post_multipart(
            "/t/wenzhou/bureau/experts/import",
            &[],
            &[("file", "专家.csv", unknown_place.as_bytes())],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("辖区“火星区”不在本市辖区列表中");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM experts")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    assert_eq!(
        count().await,
        0,
        "nothing is imported from a file with an error"
    );
    let good = format!(
        "{header}1,张三,温州大学,,电子商务、产业规划,龙湾区,13905779901,zs@example.com,教授\n2,李四,温州海关,,通关监管,,13905779902,,\n"
    );
    bureau
        .post_multipart(
            "/t/wenzhou/bureau/experts/import",
            &[],
            &[("file", "专家.csv", good.as_bytes())],
        )
        .await
        .assert_redirect_to("/t/wenzhou/bureau/experts");
    assert_eq!(count().await, 2);
    bureau
        .get("/t/wenzhou/bureau/experts")
        .await
        .assert_contains("电子商务、产业规划")
        .assert_contains("龙湾区");
    // Another tenant's bureau sees none of them.
    let mut zs = app.new_browser();
    zs.sign_in_as("zs-bureau").await;
    zs.get("/t/zhongshan/bureau/experts")
        .await
        .assert_not_contains("张三");
    let id: i64 = sqlx::query_scalar("SELECT id FROM experts LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    zs.get(&format!("/t/zhongshan/bureau/experts/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_decoded_versions_kept_for_the_ranking_follow_a_new_version_and_stay_in_their_tenant() {
    let app = TestApp::spawn().await;
    parkcert::demo::seed_content(&app.state).await.unwrap();
    let (tenant, id, number): (i64, i64, i32) = sqlx::query_as(
        "SELECT v.tenant_id, v.application_id, max(v.number) FROM application_versions v
         JOIN tenants t ON t.id = v.tenant_id WHERE t.slug = 'wenzhou'
         GROUP BY 1, 2 ORDER BY 2 LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let ids = [id];
    let latest = |tenant| app.state.versions.latest(&app.db, tenant, &ids);
    assert_eq!(latest(tenant).await.unwrap()[&id].version.number, number);
    // A later version (as a resubmission makes) is what the next view reads, not the kept one.
    sqlx::query(
        "INSERT INTO application_versions (tenant_id, application_id, number, park_name,
             jurisdiction_id, form, roster, documents, evaluation, submit_token, submitted_by)
         SELECT tenant_id, application_id, number + 1, park_name || '（第二版）', jurisdiction_id,
                form, roster, documents, evaluation, gen_random_uuid(), submitted_by
         FROM application_versions WHERE application_id = $1 AND number = $2",
    )
    .bind(id)
    .bind(number)
    .execute(&app.db)
    .await
    .unwrap();
    let again = latest(tenant).await.unwrap();
    assert_eq!(again[&id].version.number, number + 1);
    assert!(again[&id].version.park_name.ends_with("（第二版）"));
    // Asked for under another tenant, the application has no version at all.
    let zhongshan = crate::helpers::tenant_id(&app, "zhongshan").await;
    assert!(latest(zhongshan).await.unwrap().is_empty());
}

fn fields(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_paper_sheet_is_submitted_only_when_two_staff_enter_it_alike() {
    let mut s = setup().await;
    draw_panel(&mut s, "5", "", "seed-x")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let target = s.applications[0];
    let a0 = assignment_of(&s.app, "ex-0", target).await;
    let page = format!("/t/wenzhou/bureau/assignments/{a0}/paper");
    let application = format!("/t/wenzhou/bureau/applications/{target}");
    s.bureau
        .get(&application)
        .await
        .assert_contains(&format!("/assignments/{a0}/paper\">代录纸质评分表"));
    let state = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT state FROM assignments WHERE id = $1")
                .bind(a0)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let as_fields = |cells: &[(String, String)]| -> Vec<(String, String)> {
        let mut f = cells.to_vec();
        f.push(("summary".into(), "总体良好".into()));
        f
    };
    let (right, wrong) = (as_fields(&sheet(0.8)), as_fields(&sheet(0.7)));
    let scan = fixture("documents/licence.pdf");
    let no_file: [(&str, &str, &[u8]); 1] = [("scan", "", &[])];

    // The scan of the signed sheet comes with the first entry.
    s.bureau.get(&page).await;
    s.bureau
        .post_multipart(&page, &fields(&right), &no_file)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请上传专家签字的纸质评分表扫描件");
    s.bureau
        .post_multipart(&page, &fields(&right), &[("scan", "评分表.pdf", &scan)])
        .await
        .assert_redirect_to(&page);
    // Entering it again oneself is a correction, never the second entry.
    s.bureau
        .post_multipart(&page, &fields(&right), &no_file)
        .await
        .assert_redirect_to(&page);
    assert_eq!(state(&s.app).await, "open");

    // The second official enters blind: who entered it is shown, never what they typed.
    let mut second = s.app.new_browser();
    second.sign_in_as("wz-bureau2").await;
    let blind = second.get(&page).await;
    blind.assert_contains("陈立新 录入于");
    let first_cell = &right[0];
    blind.assert_contains(&format!(
        "name=\"{}\" type=\"text\" inputmode=\"decimal\" size=\"5\" value=\"\"",
        first_cell.0
    ));
    // Entries that disagree are not submitted; the message names where they differ.
    second
        .post_multipart(&page, &fields(&wrong), &no_file)
        .await
        .assert_redirect_to(&page);
    assert_eq!(state(&s.app).await, "open");
    second.get(&page).await.assert_contains("两次录入不一致");
    // Entries that agree submit the sheet, marked as entered on paper with its scan.
    second
        .post_multipart(&page, &fields(&right), &no_file)
        .await
        .assert_redirect_to(&format!("{application}#review"));
    assert_eq!(state(&s.app).await, "submitted");
    let (scores, entries, scan_id, conflict): (serde_json::Value, Vec<i64>, i64, String) =
        sqlx::query_as(
            "SELECT scores, paper_entries, paper_scan_document_id, conflict
             FROM assignments WHERE id = $1",
        )
        .bind(a0)
        .fetch_one(&s.app.db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(conflict, "none", "the signed sheet declares no conflict");
    let typed = first_cell.0.strip_prefix("score.").unwrap();
    assert_eq!(scores[typed], serde_json::json!(first_cell.1));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE object_kind = 'assignment' AND object_id = $1
           AND action = 'submit_paper_sheet' AND after->>'paper' = 'true'",
    )
    .bind(a0.to_string())
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    s.bureau
        .get(&application)
        .await
        .assert_contains("已提交（纸质代录）")
        .assert_contains(&format!("/files/{scan_id}\">纸质评分表扫描件"));
    // The scan is the bureau's: the applicant never reads it; the sheet takes no more entries.
    let mut operator = s.app.new_browser();
    operator.sign_in_as("wz-operator1").await;
    operator
        .get(&format!("/t/wenzhou/files/{scan_id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    second
        .post_multipart(&page, &fields(&right), &no_file)
        .await
        .assert_status(StatusCode::CONFLICT);
}

/// The expert id of a login.
async fn expert_id(app: &TestApp, login: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT e.id FROM experts e JOIN users u ON u.id = e.user_id WHERE u.login = $1",
    )
    .bind(login)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// Schedules a visit of `application` tomorrow with the experts of `logins`; returns its page.
async fn schedule_inspection(s: &mut Setup, application: i64, logins: &[&str]) -> String {
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT09:30")
        .to_string();
    let lead: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'wz-bureau'")
        .fetch_one(&s.app.db)
        .await
        .unwrap();
    let mut experts = Vec::new();
    for login in logins {
        experts.push(format!("expert.{}", expert_id(&s.app, login).await));
    }
    let lead = lead.to_string();
    let mut fields = vec![
        ("scheduled_at", tomorrow.as_str()),
        ("address", "温州市鹿城区创业路88号"),
        ("lead", lead.as_str()),
        ("county_contact", "林晓燕（鹿城区商务局）"),
    ];
    fields.extend(experts.iter().map(|e| (e.as_str(), "on")));
    let new = format!("/t/wenzhou/bureau/applications/{application}/inspections/new");
    s.bureau.get(&new).await.assert_status(StatusCode::OK);
    let created = s
        .bureau
        .post_form(
            &format!("/t/wenzhou/bureau/applications/{application}/inspections"),
            &fields,
        )
        .await;
    created.assert_redirect_starting("/t/wenzhou/bureau/inspections/");
    created.location().to_string()
}

/// Wenzhou's checklist, every item found to conform (the area only partly), with a note.
fn complete_record(action: &'static str) -> Vec<(String, String)> {
    let rules = parkcert::domain::ruleset::builtin("wenzhou-2021").unwrap();
    let mut fields: Vec<(String, String)> = parkcert::domain::inspection::checklist(&rules)
        .into_iter()
        .map(|i| {
            let finding = if i.id == "wz.area" {
                "partly"
            } else {
                "conforms"
            };
            (format!("finding.{}", i.id), finding.to_string())
        })
        .collect();
    fields.push(("note.wz.area".into(), "二层东区尚未投入使用".into()));
    fields.push(("action".into(), action.into()));
    fields
}

async fn post_record(
    bureau: &mut TestApp,
    page: &str,
    fields: &[(String, String)],
    present: &[i64],
) -> crate::helpers::TestResponse {
    let html = bureau.get(page).await.body;
    // A frozen record's page has no form: post what an old tab would.
    let lock = match html.contains("name=\"lock_version\"") {
        true => hidden(&html, "lock_version"),
        false => "0".to_string(),
    };
    let present: Vec<String> = present.iter().map(|e| format!("present.{e}")).collect();
    let mut all: Vec<(&str, &str)> = vec![("lock_version", lock.as_str())];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    all.extend(present.iter().map(|p| (p.as_str(), "on")));
    bureau.post_form(&format!("{page}/record"), &all).await
}

async fn inspection_state(app: &TestApp, page: &str) -> String {
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    sqlx::query_scalar("SELECT state FROM inspections WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_on_site_record_is_complete_before_confirmation_and_frozen_once_every_member_confirms() {
    let mut s = setup().await;
    draw_panel(&mut s, "5", "", "seed-x")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let target = s.applications[0];
    let page = schedule_inspection(&mut s, target, &["ex-0", "ex-1"]).await;
    let (e0, e1) = (
        expert_id(&s.app, "ex-0").await,
        expert_id(&s.app, "ex-1").await,
    );

    // A visit cannot be dated in the past.
    let past = format!("/t/wenzhou/bureau/applications/{target}/inspections");
    s.bureau
        .post_form(
            &past,
            &[("scheduled_at", "2020-01-01T09:00"), ("address", "x")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("考核时间不能早于今天");

    // Photos by content: a JPEG keeps the time its camera recorded; a PDF is no photo.
    let upload = |name: &'static str, bytes: Vec<u8>| (name, bytes);
    for (name, bytes) in [
        upload("服务中心.jpg", fixture("documents/site-photo.jpg")),
        upload("照片.jpg", fixture("documents/licence.pdf")),
    ] {
        s.bureau.get(&page).await;
        s.bureau
            .post_multipart(
                &format!("{page}/photos"),
                &[("item", "wz.service_center"), ("caption", "公共服务中心")],
                &[("photo", name, &bytes)],
            )
            .await
            .assert_redirect_to(&page);
    }
    s.bureau
        .get(&page)
        .await
        .assert_contains("拍摄于 2026-11-20 10:32")
        .assert_not_contains("照片.jpg");

    // Not every item has a finding: the record is not submitted, and says where.
    let partial = vec![
        ("finding.wz.plan".to_string(), "conforms".to_string()),
        ("action".to_string(), "submit".to_string()),
    ];
    post_record(&mut s.bureau, &page, &partial, &[e0, e1])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"finding-wz.area-error\"");
    assert_eq!(inspection_state(&s.app, &page).await, "scheduled");

    // Complete: submitted as version 1 for the members present to confirm, who are told.
    let before = crate::notifications::mark(&s.app).await;
    post_record(&mut s.bureau, &page, &complete_record("submit"), &[e0, e1])
        .await
        .assert_redirect_to(&page);
    assert_eq!(inspection_state(&s.app, &page).await, "confirming");
    assert_eq!(
        crate::notifications::told(&s.app, EventKind::InspectionToConfirm, before).await,
        ["ex-0", "ex-1"]
    );
    let id = page.rsplit('/').next().unwrap();
    let expert_page = format!("/t/wenzhou/expert/inspections/{id}");
    let mut x2 = expert(&s.app, "ex-2").await;
    x2.get(&expert_page)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    for (n, login) in ["ex-0", "ex-1"].iter().enumerate() {
        let mut e = expert(&s.app, login).await;
        e.get("/t/wenzhou/expert")
            .await
            .assert_contains("待确认现场考核记录");
        e.get(&expert_page)
            .await
            .assert_contains("二层东区尚未投入使用")
            .assert_contains("确认考核记录（第 1 版）");
        e.post_form(&format!("{expert_page}/confirm"), &[])
            .await
            .assert_redirect_to(&expert_page);
        let expected = if n == 0 { "confirming" } else { "confirmed" };
        assert_eq!(inspection_state(&s.app, &page).await, expected);
    }

    // Frozen: no more edits, the version itself cannot change, and the PDF carries it.
    post_record(&mut s.bureau, &page, &complete_record("save"), &[e0])
        .await
        .assert_status(StatusCode::CONFLICT);
    let changed = sqlx::query("UPDATE inspection_versions SET record = '{}'")
        .execute(&s.app.db)
        .await;
    assert!(changed.is_err(), "a frozen record cannot be rewritten");
    let pdf = s.bureau.get(&format!("{page}/pdf")).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let document = lopdf::Document::load_mem(&pdf.bytes).expect("a readable PDF");
    let text: String = document
        .get_pages()
        .values()
        .map(|p| String::from_utf8_lossy(&document.get_page_content(*p)).to_uppercase())
        .collect();
    let hex = |t: &str| -> String { t.encode_utf16().map(|u| format!("{u:04X}")).collect() };
    assert!(
        text.contains(&hex("二层东区尚未投入使用")),
        "the note is in the PDF"
    );
    assert!(text.contains(&hex("部分符合")), "so is the finding");

    // Beside the scores: on the bureau's application page, the ranked results and the county's page.
    s.bureau
        .get(&format!("/t/wenzhou/bureau/applications/{target}"))
        .await
        .assert_contains("现场考核")
        .assert_contains("已确认");
    s.bureau
        .get(&format!("/t/wenzhou/bureau/calls/{}/review", s.call))
        .await
        .assert_contains("已确认，不符合 0 项、部分符合 1 项");
    let mut county = s.app.new_browser();
    county.sign_in_as("wz-county-lucheng").await;
    county
        .get(&format!("/t/wenzhou/county/inspections/{id}"))
        .await
        .assert_status(StatusCode::OK);
    let mut other = s.app.new_browser();
    other.sign_in_as("wz-county-ruian").await;
    other
        .get(&format!("/t/wenzhou/county/inspections/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_call_reviewed_in_both_forms_is_reviewed_only_when_the_record_is_confirmed_too() {
    let mut s = setup_reviewed_by("both").await;
    draw_panel(&mut s, "3", "", "seed-x")
        .await
        .assert_redirect_starting("/t/wenzhou/bureau/panels/");
    let target = s.applications[0];
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT u.login FROM assignments s JOIN experts e ON e.id = s.expert_id
         JOIN users u ON u.id = e.user_id WHERE s.application_id = $1 ORDER BY u.login",
    )
    .bind(target)
    .fetch_all(&s.app.db)
    .await
    .unwrap();
    for login in &members {
        let a = assignment_of(&s.app, login, target).await;
        let mut e = expert(&s.app, login).await;
        declare(&mut e, a, "none", "").await;
        score(&mut e, a, 0.8, "submit").await;
    }
    let state = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT state FROM applications WHERE id = $1")
                .bind(target)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        state(&s.app).await,
        "in_review",
        "the written review alone is not enough"
    );

    let first = members[0].as_str();
    let page = schedule_inspection(&mut s, target, &[first]).await;
    let e = expert_id(&s.app, first).await;
    post_record(&mut s.bureau, &page, &complete_record("submit"), &[e])
        .await
        .assert_redirect_to(&page);
    assert_eq!(
        state(&s.app).await,
        "in_review",
        "nor a record not yet confirmed"
    );
    let id = page.rsplit('/').next().unwrap();
    let mut x = expert(&s.app, first).await;
    let expert_page = format!("/t/wenzhou/expert/inspections/{id}");
    x.get(&expert_page).await;
    x.post_form(&format!("{expert_page}/confirm"), &[])
        .await
        .assert_redirect_to(&expert_page);
    assert_eq!(state(&s.app).await, "reviewed");
}

async fn register_institution(bureau: &mut TestApp, name: &str, uscc: &str) -> String {
    let created = bureau
        .post_form(
            "/t/wenzhou/bureau/institutions",
            &[("name", name), ("uscc", uscc)],
        )
        .await;
    created.assert_redirect_starting("/t/wenzhou/bureau/institutions/");
    created.location().rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn an_institution_linked_to_the_applicant_is_refused_and_its_opinion_alone_completes_the_review()
 {
    let mut s = setup().await;
    let target = s.applications[0];
    let page = format!("/t/wenzhou/bureau/applications/{target}");
    let (rostered_uscc, rostered_name): (String, String) = sqlx::query_as(
        "SELECT roster->0->>'uscc', roster->0->>'name' FROM application_versions
         WHERE application_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(target)
    .fetch_one(&s.app.db)
    .await
    .unwrap();
    let clean = parkcert::domain::uscc::Uscc::with_check_char("91330300MA2HXY7K1")
        .unwrap()
        .as_str()
        .to_string();
    s.bureau.get("/t/wenzhou/bureau/institutions").await;
    s.bureau
        .post_form(
            "/t/wenzhou/bureau/institutions",
            &[("name", "某评估机构"), ("uscc", "91330300MA2HXY7K10")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("id=\"uscc-error\"")
        .assert_contains("value=\"某评估机构\"");
    // The enterprise on the park's roster may not review the park.
    let linked = register_institution(&mut s.bureau, &rostered_name, &rostered_uscc).await;
    let independent =
        register_institution(&mut s.bureau, "温州跨境电商发展研究院有限公司", &clean).await;
    // The institution's staff account comes first: it is told of each commission.
    let institution = format!("/t/wenzhou/bureau/institutions/{independent}");
    s.bureau.get(&institution).await;
    s.bureau
        .post_form(
            &format!("{institution}/staff"),
            &[
                ("display_name", "周评估"),
                ("login", "inst-1"),
                ("password", EXPERT_PASSWORD),
            ],
        )
        .await
        .assert_redirect_to(&institution);
    s.bureau.get(&page).await;
    s.bureau
        .post_form(
            &format!("{page}/institution"),
            &[("institution", linked.as_str())],
        )
        .await
        .assert_redirect_to(&format!("{page}#institutions"));
    s.bureau.get(&page).await.assert_contains("须回避");
    let before = crate::notifications::mark(&s.app).await;
    s.bureau
        .post_form(
            &format!("{page}/institution"),
            &[("institution", independent.as_str())],
        )
        .await
        .assert_redirect_to(&format!("{page}#institutions"));
    assert_eq!(
        crate::notifications::told(&s.app, EventKind::InstitutionCommissioned, before).await,
        ["inst-1"]
    );
    let commissioned: Vec<i64> = sqlx::query_scalar(
        "SELECT institution_id FROM institution_reviews WHERE application_id = $1",
    )
    .bind(target)
    .fetch_all(&s.app.db)
    .await
    .unwrap();
    assert_eq!(commissioned, vec![independent.parse::<i64>().unwrap()]);

    // Its staff member reads the application and gives the institution's opinion, with a report.
    let mut staff = s.app.new_browser();
    staff
        .sign_in("wenzhou", "inst-1", EXPERT_PASSWORD)
        .await
        .assert_redirect_to("/t/wenzhou/expert");
    let review: i64 =
        sqlx::query_scalar("SELECT id FROM institution_reviews WHERE application_id = $1")
            .bind(target)
            .fetch_one(&s.app.db)
            .await
            .unwrap();
    let review_page = format!("/t/wenzhou/expert/institution-reviews/{review}");
    staff
        .get("/t/wenzhou/expert")
        .await
        .assert_contains(&format!(
            "/institution-reviews/{review}\">待出具机构评审意见"
        ));
    staff
        .get(&review_page)
        .await
        .assert_contains("申报材料（第 1 版）");
    let opinion = [
        ("opinion", "pass"),
        ("summary", "材料齐全，条件符合，建议通过认定。"),
    ];
    staff
        .post_multipart(&review_page, &opinion, &[("report", "", &[])])
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请上传加盖机构公章的评审报告");
    let report = fixture("documents/licence.pdf");
    staff
        .post_multipart(
            &review_page,
            &opinion,
            &[("report", "评审报告.pdf", &report)],
        )
        .await
        .assert_redirect_to(&review_page);
    let state: String = sqlx::query_scalar("SELECT state FROM applications WHERE id = $1")
        .bind(target)
        .fetch_one(&s.app.db)
        .await
        .unwrap();
    assert_eq!(
        state, "reviewed",
        "commissioned instead of a panel, its opinion completes the review"
    );
    s.bureau
        .get(&format!("/t/wenzhou/bureau/calls/{}/review", s.call))
        .await
        .assert_contains("温州跨境电商发展研究院有限公司：通过");
    // Another expert of the pool sees nothing of it.
    let mut other = expert(&s.app, "ex-0").await;
    other
        .get(&review_page)
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

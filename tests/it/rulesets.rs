//! The tenant's rule-set versions, their pages, and the public evaluate API.
use crate::helpers::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

async fn version_id(app: &TestApp, tenant: &str, rule_set: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT v.id FROM rule_set_versions v JOIN tenants t ON t.id = v.tenant_id
         WHERE t.slug = $1 AND v.rule_set_id = $2 ORDER BY v.version DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(rule_set)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_bureau_sees_every_check_with_its_article_and_threshold_and_the_rubric() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/rulesets")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("温州")
        .assert_not_contains(">wenzhou-2021<");
    let id = version_id(&app, "wenzhou", "wenzhou-2021").await;
    let page = app.get(&format!("/t/wenzhou/bureau/rulesets/{id}")).await;
    // Officials read articles and descriptions; the engine's check ids are not shown.
    page.assert_status(StatusCode::OK)
        .assert_not_contains("wz.area")
        .assert_contains("第四条（三）")
        .assert_contains("≥ 3000 m²")
        .assert_contains("配套服务完善")
        .assert_contains("运营主体被列入失信黑名单")
        .assert_contains("自认定之日起 3 年")
        .assert_contains("<td>100</td>");
}

#[tokio::test]
async fn zhongshan_rules_show_both_tiers_and_an_opinion_instead_of_scores() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-bureau").await;
    let id = version_id(&app, "zhongshan", "zhongshan-2022").await;
    app.get(&format!("/t/zhongshan/bureau/rulesets/{id}"))
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("引领型")
        .assert_contains("成长型")
        .assert_contains("第六条")
        .assert_not_contains("zs.growing.volume")
        .assert_contains("专家出具通过 / 不通过的评审意见")
        .assert_not_contains("去掉一个最高分")
        .assert_contains("未规定期限");
}

#[tokio::test]
async fn another_tenants_rule_set_is_not_found() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let zhongshan = version_id(&app, "zhongshan", "zhongshan-2022").await;
    app.get(&format!("/t/wenzhou/bureau/rulesets/{zhongshan}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adopting_a_template_adds_a_new_immutable_version() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/rulesets").await;
    let response = app
        .post_form(
            "/t/wenzhou/bureau/rulesets/adopt",
            &[("template", "wenzhou-2021")],
        )
        .await;
    // The new version's id is not known before it is created.
    response.assert_redirect_starting("/t/wenzhou/bureau/rulesets/");
    app.get(response.location())
        .await
        .assert_contains("第 2 版")
        .assert_contains("已采用");
    let versions: Vec<i32> = sqlx::query_scalar(
        "SELECT version FROM rule_set_versions WHERE rule_set_id = 'wenzhou-2021' ORDER BY version",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(versions, [1, 2]);
    let change =
        sqlx::query("UPDATE rule_set_versions SET title = 'x' WHERE rule_set_id = 'wenzhou-2021'")
            .execute(&app.db)
            .await;
    assert!(
        change.is_err(),
        "stored rule-set versions must never change"
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE object_kind = 'rule_set_version'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    app.post_form(
        "/t/wenzhou/bureau/rulesets/adopt",
        &[("template", "no-such-rules")],
    )
    .await
    .assert_status(StatusCode::BAD_REQUEST);
}

async fn post_json(app: &mut TestApp, body: &str) -> crate::helpers::TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/evaluate")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.request(req).await
}

#[tokio::test]
async fn the_evaluate_api_answers_without_sign_in_and_explains_a_draft() {
    let mut app = TestApp::spawn().await;
    let response = post_json(
        &mut app,
        r#"{"rules": "wenzhou-2021", "applied_on": "2026-03-15"}"#,
    )
    .await;
    response.assert_status(StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(json["verdict"], "not_eligible");
    assert_eq!(json["metrics"]["reference_year"], 2025);
    let area = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "wz.area")
        .unwrap();
    assert_eq!(area["status"], "fail");
    assert!(
        area["actual"].is_null(),
        "a missing fact fails with actual null"
    );
}

#[tokio::test]
async fn malformed_input_to_the_api_is_a_422_naming_the_field() {
    let mut app = TestApp::spawn().await;
    let body = r#"{"rules": "wenzhou-2021", "applied_on": "2026-03-15",
                   "park": {"trade": [{"year": 2025, "currency": "CNY", "import_export": 1}]}}"#;
    let response = post_json(&mut app, body).await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(json["error"]["path"], "park.trade[0].currency");
    let garbage = post_json(&mut app, "{not json").await;
    garbage.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}

// The rule-set editor (issue 20).

use parkcert::domain::ruleset::editor::{self, Fields};

/// Starts a draft from the tenant's latest version of `rule_set`; returns the draft's path.
async fn draft_from(app: &mut TestApp, tenant: &str, rule_set: &str) -> String {
    let version = version_id(app, tenant, rule_set).await;
    app.get(&format!("/t/{tenant}/bureau/rulesets")).await;
    let response = app
        .post_form(
            &format!("/t/{tenant}/bureau/rulesets/drafts"),
            &[("from", &format!("version:{version}"))],
        )
        .await;
    // The draft's id is not known before it is created.
    response.assert_redirect_starting(&format!("/t/{tenant}/bureau/rulesets/drafts/"));
    response.location().to_string()
}

/// The editor's fields for a built-in template, as the page fills them in.
/// The editor's fields for a built-in template, as the page fills them in for a draft opened
/// before its first save.
fn template_fields(id: &str) -> Fields {
    let mut fields = editor::to_fields(&parkcert::domain::ruleset::builtin(id).unwrap());
    fields.insert("lock_version".into(), "1".into());
    fields
}

async fn save(app: &mut TestApp, draft: &str, fields: &Fields) -> crate::helpers::TestResponse {
    app.get(draft).await;
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(draft, &pairs).await
}

/// Saves `fields` into a new Wenzhou draft and activates it; returns the new version's id.
async fn activate_revision(app: &mut TestApp, fields: &Fields) -> i64 {
    let draft = draft_from(app, "wenzhou", "wenzhou-2021").await;
    save(app, &draft, fields).await.assert_redirect_to(&draft);
    app.get(&format!("{draft}/preview")).await;
    let activated = app.post_form(&format!("{draft}/activate"), &[]).await;
    activated.assert_redirect_starting("/t/wenzhou/bureau/rulesets/");
    activated
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_invalid_revision_is_refused_field_by_field_and_keeps_what_was_typed() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let draft = draft_from(&mut app, "wenzhou", "wenzhou-2021").await;
    let mut fields = template_fields("wenzhou-2021");
    fields.insert("criterion.0.max".into(), "16".into()); // the rubric then totals 101
    fields.insert("check.2.threshold".into(), "三千".into()); // wz.area: not a number
    fields.insert("check.4.fact".into(), "area.moon".into()); // no such fact
    fields.insert("tier.0.id".into(), "model".into()); // a tier no check belongs to
    fields.insert("tier.0.name".into(), "示范园区".into());
    fields.insert("tier.0.position".into(), "1".into());
    let page = save(&mut app, &draft, &fields).await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("请修改下列 4 处错误")
        .assert_contains("各评分项满分合计 101 分，应等于总分 100 分")
        .assert_contains(r#"<p class="field-error" id="check.2.threshold-error">请填写数字"#)
        .assert_contains(r#"id="check.4.fact-error">没有这个数据项"#)
        .assert_contains("等级“示范园区”没有任何认定条件")
        // What was typed is shown again, not the saved values.
        .assert_contains(r#"value="三千""#)
        .assert_contains(r#"value="示范园区""#);
    let saved: serde_json::Value =
        sqlx::query_scalar("SELECT body->'checks'->2->'rule'->'min' FROM rule_set_drafts")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(saved, serde_json::json!(3000), "nothing is saved");
}

#[tokio::test]
async fn a_call_published_under_version_1_keeps_it_after_version_2_is_activated() {
    let mut app = TestApp::spawn().await;
    let call = crate::intake::open_call(&mut app).await;
    let v1 = version_id(&app, "wenzhou", "wenzhou-2021").await;
    app.sign_in_as("wz-bureau").await;
    let mut fields = template_fields("wenzhou-2021");
    fields.insert("check.2.threshold".into(), "5000".into());
    fields.insert("note".into(), "面积门槛提高到5000平方米".into());
    let v2 = activate_revision(&mut app, &fields).await;
    app.get(&format!("/t/wenzhou/bureau/rulesets/{v2}"))
        .await
        .assert_contains("第 2 版")
        .assert_contains("当前启用")
        .assert_contains("<del>≥ 3000 m²</del>")
        .assert_contains("<ins>≥ 5000 m²</ins>");
    let kept: i64 = sqlx::query_scalar("SELECT rule_set_version_id FROM calls WHERE id = $1")
        .bind(call)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, v1);
    // New calls are offered the active version only.
    let form = app.get("/t/wenzhou/bureau/calls/new").await;
    form.assert_contains(&format!(r#"<option value="{v2}""#))
        .assert_not_contains(&format!(r#"<option value="{v1}""#));
    let history: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_kind = 'rule_set_draft' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(history, ["create", "save_rules", "activate_rules"]);
    // An activated draft is closed to edits.
    let draft: i64 = sqlx::query_scalar("SELECT id FROM rule_set_drafts")
        .fetch_one(&app.db)
        .await
        .unwrap();
    save(
        &mut app,
        &format!("/t/wenzhou/bureau/rulesets/drafts/{draft}"),
        &fields,
    )
    .await
    .assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_exported_version_imports_as_an_identical_version() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let v1 = version_id(&app, "wenzhou", "wenzhou-2021").await;
    let export = app
        .get(&format!("/t/wenzhou/bureau/rulesets/{v1}/export"))
        .await;
    export.assert_status(StatusCode::OK);
    assert_eq!(
        export.headers[header::CONTENT_DISPOSITION],
        r#"attachment; filename="wenzhou-2021-v1.json""#
    );
    app.get("/t/wenzhou/bureau/rulesets").await;
    let imported = app
        .post_multipart(
            "/t/wenzhou/bureau/rulesets/import",
            &[],
            &[("file", "wenzhou-2021-v1.json", export.body.as_bytes())],
        )
        .await;
    imported.assert_redirect_starting("/t/wenzhou/bureau/rulesets/drafts/");
    let draft = imported.location().to_string();
    app.get(&draft).await.assert_contains("来自导入的规则文件");
    app.get(&format!("{draft}/preview")).await;
    let activated = app.post_form(&format!("{draft}/activate"), &[]).await;
    let v2: i64 = activated
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let same: bool = sqlx::query_scalar(
        "SELECT a.body = b.body FROM rule_set_versions a, rule_set_versions b
         WHERE a.id = $1 AND b.id = $2",
    )
    .bind(v1)
    .bind(v2)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(same, "export then import must give an identical version");
}

#[tokio::test]
async fn an_import_that_does_not_hold_together_is_refused_with_every_reason() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    app.get("/t/wenzhou/bureau/rulesets").await;
    let mut doc =
        serde_json::to_value(parkcert::domain::ruleset::builtin("wenzhou-2021").unwrap()).unwrap();
    doc["checks"][2]["rule"]["fact"] = serde_json::json!("area.moon");
    let refused = app
        .post_multipart(
            "/t/wenzhou/bureau/rulesets/import",
            &[],
            &[("file", "bad.json", doc.to_string().as_bytes())],
        )
        .await;
    refused
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains("checks[2].rule：取值不在允许范围内（area.moon）");
    doc["checks"][2]["rule"]["fact"] = serde_json::json!("area.cbec_use");
    doc["criteria"][0]["max"] = serde_json::json!(20);
    app.post_multipart(
        "/t/wenzhou/bureau/rulesets/import",
        &[],
        &[("file", "bad.json", doc.to_string().as_bytes())],
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
    .assert_contains("各评分项满分合计 105 分，应等于总分 100 分");
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM rule_set_drafts")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(drafts, 0);
}

#[tokio::test]
async fn the_what_if_preview_lists_exactly_the_applications_whose_verdict_changes() {
    let mut app = TestApp::spawn().await;
    crate::intake::open_call(&mut app).await;
    let state = &app.state;
    let lucheng = ("wz-operator1", "wz-county-lucheng", "鹿城区");
    let ruian = ("wz-operator2", "wz-county-ruian", "瑞安市");
    // 26 and 22 registered CBEC enterprises: both meet 第四条（四）'s 20.
    parkcert::demo::submitted_with(state, "wenzhou", lucheng, "甲跨境电商园", 26)
        .await
        .unwrap();
    parkcert::demo::submitted_with(state, "wenzhou", ruian, "乙跨境电商园", 22)
        .await
        .unwrap();
    app.sign_in_as("wz-bureau").await;
    let draft = draft_from(&mut app, "wenzhou", "wenzhou-2021").await;
    let mut fields = template_fields("wenzhou-2021");
    fields.insert("check.7.threshold".into(), "24".into()); // wz.cbec_count
    save(&mut app, &draft, &fields)
        .await
        .assert_redirect_to(&draft);
    let preview = app.get(&format!("{draft}/preview")).await;
    preview
        .assert_status(StatusCode::OK)
        .assert_contains(
            r#"<span class="stat-value">2</span><span class="stat-label">已核对的申报"#,
        )
        .assert_contains(
            r#"<span class="stat-value">1</span><span class="stat-label">结论或等级将改变"#,
        )
        .assert_contains("乙跨境电商园")
        .assert_not_contains("甲跨境电商园")
        .assert_contains("入驻的各类跨境电商企业不少于20家")
        .assert_contains("符合 → 不符合（要求 ≥ 24，实际 22）");
}

#[tokio::test]
async fn another_tenants_draft_is_not_found() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("zs-bureau").await;
    let zhongshan = draft_from(&mut app, "zhongshan", "zhongshan-2022").await;
    let id = zhongshan.rsplit('/').next().unwrap();
    let mut wz = app.new_browser();
    wz.sign_in_as("wz-bureau").await;
    wz.get(&format!("/t/wenzhou/bureau/rulesets/drafts/{id}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    wz.post_form(
        &format!("/t/wenzhou/bureau/rulesets/drafts/{id}/activate"),
        &[],
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_officials_saving_one_draft_cannot_silently_overwrite_each_other() {
    let mut app = TestApp::spawn().await;
    app.sign_in_as("wz-bureau").await;
    let draft = draft_from(&mut app, "wenzhou", "wenzhou-2021").await;
    let mut colleague = app.new_browser();
    colleague.sign_in_as("wz-bureau2").await;
    // Both open the draft at lock version 1.
    let mut first = template_fields("wenzhou-2021");
    first.insert("lock_version".into(), "1".into());
    let mut second = first.clone();
    first.insert("check.2.threshold".into(), "5000".into());
    save(&mut app, &draft, &first)
        .await
        .assert_redirect_to(&draft);
    second.insert("check.4.threshold".into(), "12".into());
    let refused = save(&mut colleague, &draft, &second).await;
    refused
        .assert_status(StatusCode::CONFLICT)
        .assert_contains("草稿已被他人再次保存")
        .assert_contains(r#"value="12""#);
    let kept: serde_json::Value =
        sqlx::query_scalar("SELECT body->'checks'->2->'rule'->'min' FROM rule_set_drafts")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(kept, serde_json::json!(5000), "the first save stands");
    // Saving again, having seen the message, goes through.
    second.insert("lock_version".into(), "2".into());
    save(&mut colleague, &draft, &second)
        .await
        .assert_redirect_to(&draft);
}

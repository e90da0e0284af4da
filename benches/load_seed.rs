//! Seeds the volume the load benchmark (`benches/load.sh`) measures the pages at, on top of the
//! demo data: 500 applications over the two tenants (spread over the states intake and review
//! reach, each with a working roster, frozen versions, county and bureau opinions, expert sheets
//! where review has begun), 50 awarded parks on the registers (with their publicity notice),
//! 20,000 roster rows and 10,000 audit entries.
//!
//! It opens the private cluster of `PARKCERT_PG_DIR` the way the server does (so run it while no
//! server uses that directory), migrates, seeds the demo if the database is empty, then adds the
//! volume as the owner in one transaction. Rows are copied from the demo's own applications
//! (forms, versions, panels), so the pages render real content. Running it again on a seeded
//! database does nothing.
//!
//! `PARKCERT_DATA_DIR=… PARKCERT_PG_DIR=… cargo bench --bench load_seed`
use anyhow::{Context, bail};
use parkcert::config::Config;
use parkcert::domain::uscc::Uscc;
use parkcert::server::Database;
use parkcert::state::AppState;
use serde_json::{Value, json};
use sqlx::{PgConnection, Postgres, Transaction};

const APPLICATIONS: i64 = 500;
const ROSTER_ROWS: i64 = 20_000;
const AUDIT_ENTRIES: i64 = 10_000;
const AWARDED: i64 = 50;
/// Not awarded after publicity, in the same earlier call as the new awards.
const NOT_AWARDED: usize = 10;
/// Of the new applications to the open calls, Wenzhou's share (the rest are Zhongshan's).
const WENZHOU_SHARE: f64 = 0.56;

/// The 31 characters a USCC may use.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

const THEMES: [&str; 12] = [
    "鞋服",
    "眼镜",
    "五金",
    "汽摩配",
    "泵阀",
    "电气",
    "灯饰",
    "家具",
    "小家电",
    "服装",
    "日用品",
    "文具",
];
const SUFFIXES: [&str; 4] = ["产业园", "孵化基地", "直播基地", "创新园"];
const ROSTER_TYPES: [&str; 7] = [
    "operating",
    "operating",
    "operating",
    "logistics",
    "other",
    "none",
    "operating",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "陈", "林", "黄", "周", "吴", "郑", "徐", "潘", "叶",
];
const GIVEN: [&str; 10] = ["伟", "敏", "静", "磊", "芳", "强", "婷", "俊", "洁", "涛"];
const BUSINESS: [&str; 8] = [
    "五金产品出口",
    "鞋类出口",
    "服装跨境零售",
    "眼镜出口",
    "电气元件出口",
    "灯具跨境零售",
    "家居用品出口",
    "跨境物流服务",
];
const PLATFORMS: [&str; 5] = ["亚马逊", "速卖通", "Shopee", "TikTok Shop", "独立站"];

/// Where an application stands: the path it took through intake and review.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    Draft,
    Submitted,
    Forwarded,
    Rejected,
    InReview,
    Reviewed,
    Shortlisted,
    Awarded,
    NotAwarded,
}

impl Path {
    /// Open-call applications, one in twenty of each share.
    fn for_open_call(i: usize) -> Path {
        match i % 20 {
            0 | 1 => Path::Draft,
            2 | 3 => Path::Submitted,
            4 | 5 => Path::Forwarded,
            6 => Path::Rejected,
            7..=10 => Path::InReview,
            11..=17 => Path::Reviewed,
            _ => Path::Shortlisted,
        }
    }

    fn state(self) -> &'static str {
        match self {
            Path::Draft => "draft",
            Path::Submitted => "submitted",
            Path::Forwarded => "forwarded",
            Path::Rejected => "rejected",
            Path::InReview => "in_review",
            Path::Reviewed => "reviewed",
            Path::Shortlisted => "shortlisted",
            Path::Awarded => "awarded",
            Path::NotAwarded => "not_awarded",
        }
    }

    /// The audited transitions that led here: (action, from, to, actor, reason).
    fn transitions(self) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
        let all = [
            ("submit", "draft", "submitted", "operator"),
            ("forward", "submitted", "forwarded", "county"),
            ("accept", "forwarded", "in_review", "bureau"),
            ("complete_review", "in_review", "reviewed", "system"),
            ("shortlist", "reviewed", "shortlisted", "bureau"),
            ("publish_publicity", "shortlisted", "in_publicity", "bureau"),
            (
                "close_publicity",
                "in_publicity",
                "publicity_closed",
                "system",
            ),
        ];
        let n = match self {
            Path::Draft => 0,
            Path::Submitted => 1,
            Path::Forwarded | Path::Rejected => 2,
            Path::InReview => 3,
            Path::Reviewed => 4,
            Path::Shortlisted => 5,
            Path::Awarded | Path::NotAwarded => 7,
        };
        let mut v: Vec<_> = all[..n].to_vec();
        match self {
            Path::Rejected => v.push(("reject", "forwarded", "rejected", "bureau")),
            Path::Awarded => v.push(("award", "publicity_closed", "awarded", "bureau")),
            Path::NotAwarded => v.push(("not_award", "publicity_closed", "not_awarded", "bureau")),
            _ => {}
        }
        v
    }

    fn submitted(self) -> bool {
        self != Path::Draft
    }
    fn recommended(self) -> bool {
        !matches!(self, Path::Draft | Path::Submitted)
    }
    fn accepted(self) -> bool {
        self.recommended() && !matches!(self, Path::Forwarded | Path::Rejected)
    }
}

/// What a tenant's new applications are copied from and decided by.
struct Tenant {
    id: i64,
    slug: &'static str,
    region: &'static str,
    bureau: i64,
    county_user: i64,
    operator_user: i64,
    jurisdictions: Vec<(i64, String)>,
    /// The open call and a reviewed demo application to it (form, version, sheets).
    open_call: i64,
    template: i64,
    /// The demo panel of the open call.
    panel: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    if config.database_url.is_some() {
        bail!("load_seed seeds the private cluster of PARKCERT_PG_DIR; unset DATABASE_URL");
    }
    let db = Database::open(&config).await?;
    let result = run(&db, &config).await;
    db.close().await;
    result
}

async fn run(db: &Database, config: &Config) -> anyhow::Result<()> {
    db.migrate().await?;
    let state = AppState::new(db.pool.clone(), config.clone());
    parkcert::demo::seed_if_empty(&state).await?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM applications")
        .fetch_one(&db.owner)
        .await?;
    if existing >= APPLICATIONS {
        println!("already seeded: {existing} applications");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut tx = db.owner.begin().await?;
    let wz = tenant(
        &mut tx,
        "wenzhou",
        "330302",
        "wz-county-lucheng",
        "wz-operator1",
    )
    .await?;
    let zs = tenant(
        &mut tx,
        "zhongshan",
        "442000",
        "zs-county-guzhen",
        "zs-operator1",
    )
    .await?;

    let existing_rows: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(jsonb_array_length(roster)), 0) FROM applications")
            .fetch_one(&mut *tx)
            .await?;
    let awards: i64 = sqlx::query_scalar("SELECT count(*) FROM awards")
        .fetch_one(&mut *tx)
        .await?;
    let new_awards = (AWARDED - awards).max(0) as usize;
    let new_apps = (APPLICATIONS - existing) as usize;
    let earlier = new_awards + NOT_AWARDED;
    let open = new_apps.saturating_sub(earlier);
    let open_wz = (open as f64 * WENZHOU_SHARE).round() as usize;
    // Rosters: the remaining rows shared out evenly.
    let rows_needed = (ROSTER_ROWS - existing_rows).max(0) as usize;
    let mut plan: Vec<(&Tenant, Path, usize)> = Vec::new();
    for i in 0..open_wz {
        plan.push((&wz, Path::for_open_call(i), 0));
    }
    for i in 0..open - open_wz {
        plan.push((&zs, Path::for_open_call(i), 0));
    }
    for i in 0..earlier {
        let path = if i < new_awards {
            Path::Awarded
        } else {
            Path::NotAwarded
        };
        plan.push((&wz, path, 0));
    }
    let n = plan.len();
    for (i, p) in plan.iter_mut().enumerate() {
        p.2 = rows_needed / n + usize::from(i < rows_needed % n);
    }

    let earlier_call = earlier_call(&mut tx, wz.id).await?;
    let wz_panel = new_panel(&mut tx, &wz).await?;
    let zs_panel = new_panel(&mut tx, &zs).await?;
    let criteria_wz = criteria(&mut tx, wz.id, wz.open_call).await?;
    let criteria_zs = criteria(&mut tx, zs.id, zs.open_call).await?;
    let mut awarded_ids = Vec::new();
    let mut publicised = Vec::new();
    let mut audit: Vec<AuditRow> = Vec::new();
    for (i, (t, path, rows)) in plan.iter().enumerate() {
        let (call, panel, criteria) = match (t.slug, path) {
            (_, Path::Awarded | Path::NotAwarded) => (earlier_call.0, None, &criteria_wz),
            ("wenzhou", _) => (t.open_call, Some(wz_panel), &criteria_wz),
            _ => (t.open_call, Some(zs_panel), &criteria_zs),
        };
        let id = application(&mut tx, t, i, call, *path, *rows, panel, criteria).await?;
        for (k, (action, from, to, actor)) in path.transitions().into_iter().enumerate() {
            let user = match actor {
                "operator" => Some(t.operator_user),
                "county" => Some(t.county_user),
                "bureau" => Some(t.bureau),
                _ => None,
            };
            audit.push(AuditRow {
                tenant: t.id,
                user,
                kind: "application",
                object: id.to_string(),
                action,
                before: json!({ "state": from }),
                after: json!({ "actor": actor, "state": to, "reason": reason(action) }),
                order: (i * 16 + k) as i64,
            });
        }
        if matches!(path, Path::Awarded | Path::NotAwarded) {
            publicised.push(id);
        }
        if *path == Path::Awarded {
            awarded_ids.push(id);
        }
    }
    let award_ids = award(&mut tx, &wz, earlier_call, &awarded_ids).await?;
    publicity(&mut tx, &wz, earlier_call.0, &publicised).await?;

    // The rest of the trail: each awarded park's quarterly reports (county, bureau) and the
    // monitoring evaluation of each, round-robin over the parks until the total is reached.
    let already: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&mut *tx)
        .await?;
    let mut missing = (AUDIT_ENTRIES - already - audit.len() as i64).max(0);
    let mut report = 100_000i64;
    let mut quarter = 0;
    let base_order = audit.len() as i64 * 16;
    while missing > 0 {
        for (k, award) in award_ids.iter().enumerate() {
            if missing <= 0 {
                break;
            }
            report += 1;
            let period = format!("{}年第{}季度", 2025 + quarter / 4, quarter % 4 + 1);
            let entries = [
                (
                    "periodic_report",
                    report.to_string(),
                    "county_pass",
                    Some(wz.county_user),
                    json!({ "state": "submitted" }),
                    json!({ "actor": "county", "state": "county_passed", "reason": null }),
                ),
                (
                    "periodic_report",
                    report.to_string(),
                    "accept",
                    Some(wz.bureau),
                    json!({ "state": "county_passed" }),
                    json!({ "actor": "bureau", "state": "accepted", "reason": null }),
                ),
                (
                    "monitoring",
                    award.to_string(),
                    "evaluate",
                    None,
                    json!({ "status": "compliant" }),
                    json!({ "period": period, "status": "compliant", "findings": [] }),
                ),
            ];
            for (kind, object, action, user, before, after) in entries {
                if missing <= 0 {
                    break;
                }
                audit.push(AuditRow {
                    tenant: wz.id,
                    user,
                    kind,
                    object,
                    action,
                    before,
                    after,
                    order: base_order + (quarter * 1000 + k) as i64,
                });
                missing -= 1;
            }
        }
        quarter += 1;
    }
    insert_audit(&mut tx, audit).await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(&db.owner).await?;

    let (apps, rows, awards, audit): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM applications),
                (SELECT sum(jsonb_array_length(roster))::bigint FROM applications),
                (SELECT count(*) FROM awards),
                (SELECT count(*) FROM audit_log)",
    )
    .fetch_one(&db.owner)
    .await?;
    println!(
        "seeded in {:.1} s: {apps} applications, {rows} roster rows, {awards} awards, {audit} audit entries",
        started.elapsed().as_secs_f64()
    );
    for t in [&wz, &zs] {
        let verified = parkcert::db::audit::verify(&db.owner, Some(t.id)).await?;
        match verified.broken {
            None => println!(
                "{}: {} audit entries, chain intact",
                t.slug, verified.entries
            ),
            Some((seq, why)) => bail!("{}: the audit chain breaks at {seq}: {why}", t.slug),
        }
    }
    Ok(())
}

fn reason(action: &str) -> Value {
    match action {
        "submit" => json!("提交第1版"),
        "forward" => json!("推荐：经核实，园区规划符合本区产业布局，同意推荐。"),
        "accept" => json!("受理，进入评审"),
        "complete_review" => json!("评审专家均已提交"),
        "reject" => json!("不予通过：申报材料与实际不符"),
        "publish_publicity" => json!("公示〔2024〕1号"),
        "close_publicity" => json!("公示期满"),
        "award" => json!("公示期满，无成立的异议"),
        _ => Value::Null,
    }
}

async fn tenant(
    tx: &mut PgConnection,
    slug: &'static str,
    region: &'static str,
    county_login: &str,
    operator_login: &str,
) -> anyhow::Result<Tenant> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut *tx)
        .await?;
    let user = |role: &'static str, login: Option<String>| {
        let sql = "SELECT id FROM users WHERE tenant_id = $1 AND role = $2
                   AND ($3::text IS NULL OR login = $3) ORDER BY id LIMIT 1";
        sqlx::query_scalar::<_, i64>(sql)
            .bind(id)
            .bind(role)
            .bind(login)
    };
    let bureau = user("bureau", None).fetch_one(&mut *tx).await?;
    let county_user = user("county", Some(county_login.into()))
        .fetch_one(&mut *tx)
        .await?;
    let operator_user = user("operator", Some(operator_login.into()))
        .fetch_one(&mut *tx)
        .await?;
    let jurisdictions = sqlx::query_as(
        "SELECT id, name FROM jurisdictions WHERE tenant_id = $1 AND active ORDER BY sort_order, id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    // The demo's reviewed application to the open call, and its panel.
    let (open_call, template, panel): (i64, i64, i64) = sqlx::query_as(
        "SELECT a.call_id, a.id, pa.panel_id FROM applications a
         JOIN calls c ON c.id = a.call_id AND c.state = 'open'
         JOIN panel_applications pa ON pa.tenant_id = a.tenant_id AND pa.application_id = a.id
         WHERE a.tenant_id = $1 AND a.state = 'reviewed' ORDER BY a.id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .context("the demo's reviewed application (is the demo seeded?)")?;
    Ok(Tenant {
        id,
        slug,
        region,
        bureau,
        county_user,
        operator_user,
        jurisdictions,
        open_call,
        template,
        panel,
    })
}

/// Wenzhou's earlier concluded call with awards (2024 in the demo), with the award it copies
/// dates from: (call, awarded_on, valid_until, rule-set version).
async fn earlier_call(
    tx: &mut PgConnection,
    tenant: i64,
) -> anyhow::Result<(i64, chrono::NaiveDate, Option<chrono::NaiveDate>, i64)> {
    sqlx::query_as(
        "SELECT c.id, w.awarded_on, w.valid_until, c.rule_set_version_id
         FROM calls c JOIN applications a ON a.tenant_id = c.tenant_id AND a.call_id = c.id
         JOIN awards w ON w.tenant_id = a.tenant_id AND w.application_id = a.id
         WHERE c.tenant_id = $1 AND c.state = 'concluded' ORDER BY c.year DESC, w.id LIMIT 1",
    )
    .bind(tenant)
    .fetch_one(tx)
    .await
    .context("an earlier concluded call with awards")
}

/// The rule set's criteria of a call: (id, max).
async fn criteria(
    tx: &mut PgConnection,
    tenant: i64,
    call: i64,
) -> anyhow::Result<Vec<(String, f64)>> {
    let body: sqlx::types::Json<parkcert::domain::ruleset::RuleSet> = sqlx::query_scalar(
        "SELECT v.body FROM rule_set_versions v JOIN calls c
           ON c.tenant_id = v.tenant_id AND c.rule_set_version_id = v.id
         WHERE c.tenant_id = $1 AND c.id = $2",
    )
    .bind(tenant)
    .bind(call)
    .fetch_one(tx)
    .await?;
    Ok(body
        .0
        .criteria
        .iter()
        .map(|c| (c.id.clone(), c.max.to_f64()))
        .collect())
}

/// A second panel of the open call, drawn like the demo's first (same members), for the new
/// applications in review.
async fn new_panel(tx: &mut PgConnection, t: &Tenant) -> anyhow::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO panels (tenant_id, call_id, name, state, seed, draw_input, draw_result, created_by)
         SELECT tenant_id, call_id, '2026年度第二评审组', 'open', seed || '-2', draw_input,
                draw_result, created_by
         FROM panels WHERE tenant_id = $1 AND id = $2 RETURNING id",
    )
    .bind(t.id)
    .bind(t.panel)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO panel_members (tenant_id, panel_id, expert_id, seat)
         SELECT tenant_id, $3, expert_id, seat FROM panel_members
         WHERE tenant_id = $1 AND panel_id = $2 AND declined_at IS NULL",
    )
    .bind(t.id)
    .bind(t.panel)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

fn uscc(region: &str, n: usize) -> anyhow::Result<String> {
    let mut org = String::from("MA");
    let mut k = n;
    for _ in 0..7 {
        org.push(ALPHABET[k % ALPHABET.len()] as char);
        k /= ALPHABET.len();
    }
    Ok(Uscc::with_check_char(&format!("91{region}{org}"))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .as_str()
        .to_string())
}

fn roster(t: &Tenant, app: usize, rows: usize, county: &str) -> anyhow::Result<Value> {
    let mut out = Vec::with_capacity(rows);
    for r in 0..rows {
        let n = app * 64 + r;
        let surname = SURNAMES[n % SURNAMES.len()];
        out.push(json!({
            "name": format!("{}{}{}贸易有限公司", county.chars().take(2).collect::<String>(),
                            THEMES[(n / 3) % THEMES.len()], n),
            "uscc": uscc(t.region, 1_000_000 + n)?,
            "county": county,
            "legal_representative": format!("{surname}{}", GIVEN[(n / 7) % GIVEN.len()]),
            "founded_year": 2005 + (n % 19) as i32,
            "registered_capital": 100 + (n % 40) * 50,
            "main_business": BUSINESS[n % BUSINESS.len()],
            "employees": 5 + (n % 60),
            "import_export": 200_000 + (n % 97) * 37_000,
            "platform_type": PLATFORMS[n % PLATFORMS.len()],
            "cbec_type": ROSTER_TYPES[n % ROSTER_TYPES.len()],
            "platform_registered": !n.is_multiple_of(3),
            "active": !n.is_multiple_of(11),
            "address_in_park": !n.is_multiple_of(13),
            "contact_name": format!("{surname}{}", GIVEN[(n / 3) % GIVEN.len()]),
            "contact_phone": format!("0577-88{:06}", n % 1_000_000),
        }));
    }
    Ok(Value::Array(out))
}

#[allow(clippy::too_many_arguments)]
async fn application(
    tx: &mut Transaction<'static, Postgres>,
    t: &Tenant,
    i: usize,
    call: i64,
    path: Path,
    rows: usize,
    panel: Option<i64>,
    criteria: &[(String, f64)],
) -> anyhow::Result<i64> {
    let (jurisdiction, county) = &t.jurisdictions[(i * 7) % t.jurisdictions.len()];
    let park = format!(
        "{county}{}跨境电商{}",
        THEMES[(i / t.jurisdictions.len()) % THEMES.len()],
        SUFFIXES[(i / (t.jurisdictions.len() * THEMES.len())) % SUFFIXES.len()]
    );
    let org: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (tenant_id, uscc, name, jurisdiction_id, address,
             legal_representative, contact_name, contact_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.id)
    .bind(uscc(t.region, 10_000 + i)?)
    .bind(format!("{park}运营管理有限公司"))
    .bind(jurisdiction)
    .bind(format!("{county}创业路{}号", 10 + i))
    .bind(format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[i % GIVEN.len()]
    ))
    .bind(format!(
        "{}{}",
        SURNAMES[(i + 3) % SURNAMES.len()],
        GIVEN[(i + 5) % GIVEN.len()]
    ))
    .bind(format!("138{:08}", 5_770_000 + i))
    .fetch_one(&mut **tx)
    .await?;
    let roster = roster(t, i, rows, county)?;
    // The demo application's form with this park's name, size and figures.
    let mut form: Value =
        sqlx::query_scalar("SELECT form FROM applications WHERE tenant_id = $1 AND id = $2")
            .bind(t.id)
            .bind(t.template)
            .fetch_one(&mut **tx)
            .await?;
    if let Some(f) = form.as_object_mut() {
        f.insert("park.name".into(), json!(park));
        f.insert("declared.enterprises".into(), json!(rows.to_string()));
        f.insert(
            "trade.ref.import_export".into(),
            json!((20_000_000 + (i % 50) * 1_300_000).to_string()),
        );
        f.insert(
            "park.address".into(),
            json!(format!("{county}创业路{}号", 10 + i)),
        );
    }
    let versions = if path.submitted() {
        if i % 9 == 4 { 2 } else { 1 }
    } else {
        0
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO applications (tenant_id, call_id, organization_id, jurisdiction_id,
             park_name, state, form, roster, version_count, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(t.id)
    .bind(call)
    .bind(org)
    .bind(jurisdiction)
    .bind(&park)
    .bind(path.state())
    .bind(&form)
    .bind(&roster)
    .bind(versions)
    .bind(t.operator_user)
    .fetch_one(&mut **tx)
    .await?;
    for number in 1..=versions {
        sqlx::query(
            "INSERT INTO application_versions (tenant_id, application_id, number, park_name,
                 jurisdiction_id, form, roster, documents, evaluation, submit_token, submitted_by)
             SELECT $1, $2, $3, $4, $5, $6, $7, v.documents, v.evaluation, $8, $9
             FROM application_versions v WHERE v.tenant_id = $1 AND v.application_id = $10
               AND v.number = 1",
        )
        .bind(t.id)
        .bind(id)
        .bind(number)
        .bind(&park)
        .bind(jurisdiction)
        .bind(&form)
        .bind(&roster)
        .bind(uuid::Uuid::new_v4())
        .bind(t.operator_user)
        .bind(t.template)
        .execute(&mut **tx)
        .await?;
        if number < versions {
            review(
                tx,
                t,
                id,
                number,
                "county",
                "return",
                "请补充园区近两年进出口数据的佐证材料。",
                t.county_user,
            )
            .await?;
        }
    }
    let last = versions;
    if path.recommended() {
        sqlx::query(
            "INSERT INTO application_reviews (tenant_id, application_id, version_number, stage,
                 opinion, comments, attestations, decided_by)
             SELECT $1, $2, $3, 'county', 'recommend', r.comments, r.attestations, $4
             FROM application_reviews r WHERE r.tenant_id = $1 AND r.application_id = $5
               AND r.stage = 'county' AND r.opinion = 'recommend' LIMIT 1",
        )
        .bind(t.id)
        .bind(id)
        .bind(last)
        .bind(t.county_user)
        .bind(t.template)
        .execute(&mut **tx)
        .await?;
    }
    if path == Path::Rejected {
        review(
            tx,
            t,
            id,
            last,
            "bureau",
            "reject",
            "申报材料与实际不符。",
            t.bureau,
        )
        .await?;
    }
    if path.accepted() {
        review(tx, t, id, last, "bureau", "accept", "", t.bureau).await?;
    }
    match path {
        Path::Shortlisted | Path::Awarded | Path::NotAwarded => {
            review(
                tx,
                t,
                id,
                last,
                "decision",
                "shortlist",
                "评审总分居前，各项认定条件符合，列入拟认定名单。",
                t.bureau,
            )
            .await?
        }
        _ => {}
    }
    match path {
        Path::Awarded => {
            review(
                tx,
                t,
                id,
                last,
                "decision",
                "award",
                "公示期满，无成立的异议。",
                t.bureau,
            )
            .await?
        }
        Path::NotAwarded => {
            review(
                tx,
                t,
                id,
                last,
                "decision",
                "not_award",
                "公示期间异议成立，不予认定。",
                t.bureau,
            )
            .await?
        }
        _ => {}
    }
    if let (Some(panel), Path::InReview | Path::Reviewed | Path::Shortlisted) = (panel, path) {
        sheets(tx, t, panel, id, i, path, criteria).await?;
    }
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn review(
    tx: &mut Transaction<'static, Postgres>,
    t: &Tenant,
    app: i64,
    version: i32,
    stage: &str,
    opinion: &str,
    comments: &str,
    by: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO application_reviews (tenant_id, application_id, version_number, stage,
             opinion, comments, decided_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id)
    .bind(app)
    .bind(version)
    .bind(stage)
    .bind(opinion)
    .bind(comments)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Each panel member's sheet: all submitted once reviewed, the last still open in review.
async fn sheets(
    tx: &mut Transaction<'static, Postgres>,
    t: &Tenant,
    panel: i64,
    app: i64,
    i: usize,
    path: Path,
    criteria: &[(String, f64)],
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO panel_applications (tenant_id, panel_id, application_id) VALUES ($1, $2, $3)",
    )
    .bind(t.id)
    .bind(panel)
    .bind(app)
    .execute(&mut **tx)
    .await?;
    let members: Vec<i64> = sqlx::query_scalar(
        "SELECT expert_id FROM panel_members WHERE tenant_id = $1 AND panel_id = $2 ORDER BY seat",
    )
    .bind(t.id)
    .bind(panel)
    .fetch_all(&mut **tx)
    .await?;
    let share = 0.58 + ((i * 37) % 36) as f64 / 100.0;
    for (seat, expert) in members.iter().enumerate() {
        let open = path == Path::InReview && seat + 1 == members.len();
        let scores: serde_json::Map<String, Value> = if open {
            Default::default()
        } else {
            criteria
                .iter()
                .enumerate()
                .map(|(c, (id, max))| {
                    let wobble = ((c * 7 + seat * 3 + i) % 5) as f64 * 0.02 - 0.04;
                    (
                        id.clone(),
                        json!(score(*max, (share + wobble).clamp(0.0, 1.0))),
                    )
                })
                .collect()
        };
        let opinion = (criteria.is_empty() && !open).then(|| {
            if (i + seat).is_multiple_of(4) {
                "fail"
            } else {
                "pass"
            }
        });
        sqlx::query(
            "INSERT INTO assignments (tenant_id, panel_id, expert_id, application_id, conflict,
                 scores, opinion, state, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 = 'submitted' THEN now() END)",
        )
        .bind(t.id)
        .bind(panel)
        .bind(expert)
        .bind(app)
        .bind(if open { "undeclared" } else { "none" })
        .bind(Value::Object(scores))
        .bind(opinion)
        .bind(if open { "open" } else { "submitted" })
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn score(max: f64, share: f64) -> String {
    let s = ((max * share * 2.0).round() / 2.0).min(max);
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// Awards (numbered after the call year's existing ones) and their titles; returns the award ids.
async fn award(
    tx: &mut Transaction<'static, Postgres>,
    t: &Tenant,
    call: (i64, chrono::NaiveDate, Option<chrono::NaiveDate>, i64),
    apps: &[i64],
) -> anyhow::Result<Vec<i64>> {
    let (_, awarded_on, valid_until, version) = call;
    let year = chrono::Datelike::year(&awarded_on);
    let mut seq: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(seq), 0) FROM awards WHERE tenant_id = $1 AND year = $2",
    )
    .bind(t.id)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    let mut ids = Vec::new();
    for app in apps {
        seq += 1;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO awards (tenant_id, application_id, year, seq, number, park_name,
                 awarded_on, valid_until, rule_set_version_id, created_by)
             SELECT $1, a.id, $3, $4, $5, a.park_name, $6, $7, $8, $9
             FROM applications a WHERE a.tenant_id = $1 AND a.id = $2 RETURNING id",
        )
        .bind(t.id)
        .bind(app)
        .bind(year)
        .bind(seq)
        .bind(format!("温商务跨园〔{year}〕{seq:03}号"))
        .bind(awarded_on)
        .bind(valid_until)
        .bind(version)
        .bind(t.bureau)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("INSERT INTO titles (tenant_id, award_id) VALUES ($1, $2)")
            .bind(t.id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The earlier call's publicity notice, listing the parks decided after it (closed).
async fn publicity(
    tx: &mut Transaction<'static, Postgres>,
    t: &Tenant,
    call: i64,
    apps: &[i64],
) -> anyhow::Result<()> {
    let year: i32 = sqlx::query_scalar("SELECT year FROM calls WHERE tenant_id = $1 AND id = $2")
        .bind(t.id)
        .bind(call)
        .fetch_one(&mut **tx)
        .await?;
    let seq: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(seq), 0) + 1 FROM publicity_notices WHERE tenant_id = $1 AND year = $2",
    )
    .bind(t.id)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    let published = chrono::NaiveDate::from_ymd_opt(year, 11, 4).context("date")?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO publicity_notices (tenant_id, call_id, year, seq, title, body, contact,
             official_url, published_on, first_day, last_day, opens_at, closes_at, state, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $8, $8 + 6,
                 ($8::timestamp AT TIME ZONE 'Asia/Shanghai'),
                 (($8 + 7)::timestamp AT TIME ZONE 'Asia/Shanghai'), 'closed', $9)
         RETURNING id",
    )
    .bind(t.id)
    .bind(call)
    .bind(year)
    .bind(seq)
    .bind(format!("{year}年度温州市跨境电子商务产业园区拟认定名单公示"))
    .bind(
        "根据《温州市跨境电子商务产业园区认定管理办法》，经县（市、区）推荐、市商务局形式审查和\
         专家评审，拟认定以下园区为温州市跨境电子商务产业园区，现予公示。公示期间，任何单位和个人\
         对拟认定园区有异议的，可通过本页面提交书面异议并附证明材料。",
    )
    .bind("温州市商务局电子商务处，电话：0577-88960000")
    .bind(published)
    .bind(t.bureau)
    .fetch_one(&mut **tx)
    .await?;
    for (k, app) in apps.iter().enumerate() {
        sqlx::query(
            "INSERT INTO publicity_entries (tenant_id, notice_id, application_id, position)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(t.id)
        .bind(id)
        .bind(app)
        .bind(k as i32 + 1)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

struct AuditRow {
    tenant: i64,
    user: Option<i64>,
    kind: &'static str,
    object: String,
    action: &'static str,
    before: Value,
    after: Value,
    order: i64,
}

/// Appends the entries through the chain trigger, oldest first, dated over the past two years.
async fn insert_audit(
    tx: &mut Transaction<'static, Postgres>,
    mut rows: Vec<AuditRow>,
) -> anyhow::Result<()> {
    rows.sort_by_key(|r| r.order);
    let total = rows.len().max(1) as i64;
    for chunk in rows
        .chunks(500)
        .enumerate()
        .map(|(c, rows)| (c * 500, rows))
    {
        let (offset, rows) = chunk;
        let mut q = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO audit_log (tenant_id, actor_user_id, at, object_kind, object_id, action, before, after) ",
        );
        q.push_values(rows.iter().enumerate(), |mut b, (k, r)| {
            // Two years ago to an hour ago, in order.
            let minutes_ago = 2 * 365 * 24 * 60 * (total - (offset + k) as i64) / total + 60;
            b.push_bind(r.tenant)
                .push_bind(r.user)
                .push("now() - make_interval(mins => ")
                .push_bind_unseparated(minutes_ago as i32)
                .push_unseparated(")")
                .push_bind(r.kind)
                .push_bind(&r.object)
                .push_bind(r.action)
                .push_bind(&r.before)
                .push_bind(&r.after);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

//! Demo applications: one per state that intake reaches, driven through the same functions the
//! pages use (save, submit, county opinion, bureau decision), so the audit trail and the frozen
//! versions look exactly like real ones.
use crate::db::applications::{self, FormValues, Scope};
use crate::db::documents::Owner;
use crate::db::tenants;
use crate::db::transition::By;
use crate::domain::evaluate::CbecType;
use crate::domain::forwarding::Item;
use crate::domain::role::Role;
use crate::domain::roster::RosterRow;
use crate::domain::uscc::Uscc;
use crate::domain::workflow::{Actor, ApplicationAction};
use crate::io::files::{self, UploadedFile};
use crate::service::applications::{Decision, decide, load, submit};
use crate::service::forwarding;
use crate::state::AppState;
use anyhow::Context;
use std::collections::BTreeMap;

/// What happens to a demo application after it is drafted.
#[derive(Clone, Copy)]
pub(super) enum Step {
    Submit,
    /// The county's opinion: recommend, not_recommend or return.
    County(&'static str),
    /// The bureau's formal check: accept, return or reject.
    Bureau(&'static str),
    /// The operator edits the returned draft (adds enterprises, corrects a figure).
    Revise,
}

#[derive(Clone, Copy)]
pub(super) struct DemoApplication {
    pub tenant: &'static str,
    pub operator: &'static str,
    pub county_login: &'static str,
    pub county: &'static str,
    pub park: &'static str,
    pub region: &'static str,
    /// Roster size and how many of them are registered CBEC enterprises.
    pub enterprises: usize,
    pub registered: usize,
    pub complete: bool,
    pub steps: &'static [Step],
}

const APPLICATIONS: &[DemoApplication] = &[
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator1",
        county_login: "wz-county-lucheng",
        county: "鹿城区",
        park: "温州鹿城跨境电商产业园",
        region: "330302",
        enterprises: 40,
        registered: 26,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("recommend"),
            Step::Bureau("accept"),
        ],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator1",
        county_login: "wz-county-lucheng",
        county: "鹿城区",
        park: "鹿城跨境电商孵化基地",
        region: "330302",
        enterprises: 32,
        registered: 22,
        complete: true,
        steps: &[Step::Submit, Step::County("recommend")],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator2",
        county_login: "wz-county-ruian",
        county: "瑞安市",
        park: "瑞安跨境电商产业园",
        region: "330381",
        enterprises: 30,
        registered: 19,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("return"),
            Step::Revise,
            Step::Submit,
        ],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator2",
        county_login: "wz-county-ruian",
        county: "瑞安市",
        park: "瑞安汽摩配跨境电商园",
        region: "330381",
        enterprises: 24,
        registered: 12,
        complete: true,
        steps: &[Step::Submit, Step::County("return")],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator1",
        county_login: "wz-county-lucheng",
        county: "鹿城区",
        park: "鹿城轻工跨境电商园",
        region: "330302",
        enterprises: 20,
        registered: 8,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("not_recommend"),
            Step::Bureau("reject"),
        ],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator2",
        county_login: "wz-county-ruian",
        county: "瑞安市",
        park: "瑞安鞋服跨境电商园",
        region: "330381",
        enterprises: 6,
        registered: 3,
        complete: false,
        steps: &[],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator1",
        county_login: "wz-county-lucheng",
        county: "鹿城区",
        park: "温州经开区跨境电商产业园",
        region: "330302",
        enterprises: 36,
        registered: 24,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("recommend"),
            Step::Bureau("accept"),
        ],
    },
    DemoApplication {
        tenant: "wenzhou",
        operator: "wz-operator2",
        county_login: "wz-county-ruian",
        county: "瑞安市",
        park: "瑞安跨境电商智慧园",
        region: "330381",
        enterprises: 34,
        registered: 23,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("recommend"),
            Step::Bureau("accept"),
        ],
    },
    DemoApplication {
        tenant: "zhongshan",
        operator: "zs-operator2",
        county_login: "zs-county-torch",
        county: "中山港街道",
        park: "中山港跨境电商产业园",
        region: "442000",
        enterprises: 40,
        registered: 15,
        complete: true,
        steps: &[
            Step::Submit,
            Step::County("recommend"),
            Step::Bureau("accept"),
        ],
    },
    DemoApplication {
        tenant: "zhongshan",
        operator: "zs-operator1",
        county_login: "zs-county-guzhen",
        county: "古镇镇",
        park: "古镇灯饰跨境电商产业园",
        region: "442000",
        enterprises: 36,
        registered: 14,
        complete: true,
        steps: &[Step::Submit, Step::County("recommend")],
    },
    DemoApplication {
        tenant: "zhongshan",
        operator: "zs-operator2",
        county_login: "zs-county-torch",
        county: "中山港街道",
        park: "火炬开发区跨境电商园",
        region: "442000",
        enterprises: 10,
        registered: 4,
        complete: false,
        steps: &[],
    },
];

/// The demo operators' profiles, as they would have typed them when registering.
const PROFILES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "wz-operator1",
        "温州市鹿城区创业路88号",
        "王建国",
        "李娜",
        "0577-88990001",
    ),
    (
        "wz-operator2",
        "瑞安市安阳街道万松东路1号",
        "潘国强",
        "潘伟",
        "0577-65800002",
    ),
    (
        "zs-operator1",
        "中山市古镇镇中兴大道南1号",
        "梁志明",
        "何静",
        "0760-22330001",
    ),
    (
        "zs-operator2",
        "中山市火炬开发区康乐大道28号",
        "黄伟",
        "黄丽",
        "0760-85590002",
    ),
];

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    for (login, address, legal, contact, phone) in PROFILES {
        sqlx::query(
            "UPDATE organizations o SET address = $2, legal_representative = $3,
                 contact_name = $4, contact_phone = $5
             FROM users u WHERE u.organization_id = o.id AND u.tenant_id = o.tenant_id
               AND u.login = $1",
        )
        .bind(login)
        .bind(address)
        .bind(legal)
        .bind(contact)
        .bind(phone)
        .execute(&state.db)
        .await?;
    }
    attach_call_notices(state).await?;
    for (n, demo) in APPLICATIONS.iter().enumerate() {
        seed_one(state, n, demo, None)
            .await
            .with_context(|| format!("demo application {}", demo.park))?;
    }
    Ok(())
}

/// A complete application by the operator `operator` for a park in `county` (its office's
/// login `county_login`), submitted to the tenant's open call — built as the demo builds its
/// own, for tests that need submissions of their own. Returns its id.
pub async fn submitted(
    state: &AppState,
    tenant: &'static str,
    (operator, county_login, county): (&'static str, &'static str, &'static str),
    park: &'static str,
) -> anyhow::Result<i64> {
    submitted_with(state, tenant, (operator, county_login, county), park, 16).await
}

/// [`submitted`] with `registered` of its 40 enterprises registered CBEC enterprises (温州
/// 第四条（四） asks for 20).
pub async fn submitted_with(
    state: &AppState,
    tenant: &'static str,
    (operator, county_login, county): (&'static str, &'static str, &'static str),
    park: &'static str,
    registered: usize,
) -> anyhow::Result<i64> {
    let demo = DemoApplication {
        tenant,
        operator,
        county_login,
        county,
        park,
        region: if tenant == "wenzhou" {
            "330302"
        } else {
            "442000"
        },
        enterprises: 40,
        registered,
        complete: true,
        steps: &[Step::Submit],
    };
    // Each gets its own enterprises (the roster's USCCs follow the number).
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(50);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    seed_one(state, n, &demo, None).await
}

pub(super) struct Person {
    pub id: i64,
    pub by: By,
}

pub(super) async fn person(
    state: &AppState,
    tenant_id: i64,
    login: &str,
    role: Role,
) -> anyhow::Result<Person> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND login = $2")
        .bind(tenant_id)
        .bind(login)
        .fetch_one(&state.db)
        .await
        .with_context(|| format!("demo user {login}"))?;
    Ok(Person {
        id,
        by: By {
            actor: Actor::User(role),
            user_id: Some(id),
            request_id: None,
            ip: None,
        },
    })
}

/// Seeds one application into `call` (default: the tenant's open call) and takes its steps;
/// returns its id.
pub(super) async fn seed_one(
    state: &AppState,
    n: usize,
    demo: &DemoApplication,
    call: Option<i64>,
) -> anyhow::Result<i64> {
    let tenant = tenants::by_slug(&state.db, demo.tenant)
        .await?
        .context("demo tenant")?;
    let operator = person(state, tenant.id, demo.operator, Role::Operator).await?;
    let (call_id, org_id): (i64, i64) = sqlx::query_as(
        "SELECT coalesce($3, (SELECT id FROM calls WHERE tenant_id = $1 AND state = 'open' ORDER BY id LIMIT 1)),
                (SELECT organization_id FROM users WHERE tenant_id = $1 AND id = $2)",
    )
    .bind(tenant.id)
    .bind(operator.id)
    .bind(call)
    .fetch_one(&state.db)
    .await?;
    let jurisdiction_id: i64 =
        sqlx::query_scalar("SELECT id FROM jurisdictions WHERE tenant_id = $1 AND name = $2")
            .bind(tenant.id)
            .bind(demo.county)
            .fetch_one(&state.db)
            .await?;
    let mut tx = state.db.begin().await?;
    let id = applications::create(
        &mut tx,
        tenant.id,
        call_id,
        org_id,
        Some(jurisdiction_id),
        operator.id,
    )
    .await?;
    tx.commit().await?;

    let rows = roster(n, demo);
    let mut form = form_values(demo, &rows);
    if demo.steps.len() > 2 && matches!(demo.steps[1], Step::County("return")) {
        // The first version's figure that the county questions.
        form.insert("trade.ref.import_export".into(), "31800000".into());
    }
    save(
        state,
        tenant.id,
        id,
        demo.park,
        jurisdiction_id,
        &form,
        &rows,
    )
    .await?;
    if demo.complete {
        attach(
            state,
            tenant.id,
            id,
            operator.id,
            "uscc_certificate",
            "营业执照副本.pdf",
        )
        .await?;
        attach(
            state,
            tenant.id,
            id,
            operator.id,
            "report",
            "申报书（盖章）.pdf",
        )
        .await?;
        attach(
            state,
            tenant.id,
            id,
            operator.id,
            "evidence",
            "园区平面图.png",
        )
        .await?;
    }
    let county = person(state, tenant.id, demo.county_login, Role::County).await?;
    let bureau_login = if demo.tenant == "wenzhou" {
        "wz-bureau"
    } else {
        "zs-bureau"
    };
    let bureau = person(state, tenant.id, bureau_login, Role::Bureau).await?;
    for step in demo.steps {
        let loaded = load(state, tenant.id, Scope::Organization(org_id), id).await?;
        match *step {
            Step::Submit => {
                submit(state, &loaded, &operator.by, uuid::Uuid::new_v4()).await?;
            }
            Step::County(opinion) => {
                let (action, comments) = match opinion {
                    "recommend" => (
                        ApplicationAction::Forward,
                        "经核实，园区规划符合本区产业布局，运营主体注册在本区，近两年无违法违规记录，同意推荐。",
                    ),
                    "not_recommend" => (
                        ApplicationAction::Forward,
                        "经核实，园区备案跨境电商企业数不足20家，暂不具备认定条件，不予推荐。",
                    ),
                    _ => (
                        ApplicationAction::Return,
                        "入驻企业名录缺少部分企业的备案信息；2025年跨境电商进出口额请附海关统计证明后重新提交。",
                    ),
                };
                let attestations: BTreeMap<String, bool> = loaded
                    .rules
                    .checks
                    .iter()
                    .filter(|c| matches!(c.rule, crate::domain::ruleset::Rule::Manual))
                    .map(|c| (c.id.clone(), opinion == "recommend"))
                    .collect();
                if action == ApplicationAction::Forward && forwarding::batch_only(&loaded) {
                    let by = &county.by;
                    forwarding::record_prereview(
                        state,
                        &loaded,
                        by,
                        opinion,
                        comments,
                        &attestations,
                    )
                    .await?;
                    let items = [Item {
                        application_id: id,
                        rank: (opinion == "recommend").then_some(1),
                    }];
                    let letter = UploadedFile {
                        filename: format!(
                            "{}关于推荐市级跨境电商产业园区的函（盖章）.pdf",
                            demo.county
                        ),
                        kind: crate::io::storage::FileKind::Pdf,
                        bytes: demo_pdf(&format!("{} batch letter", demo.county)),
                    };
                    let batch = forwarding::Batch {
                        call_id,
                        jurisdiction_id,
                        items: &items,
                        letter: &letter,
                    };
                    forwarding::forward_batch(state, tenant.id, by, &batch).await?;
                    continue;
                }
                let letter = (action == ApplicationAction::Forward).then(|| UploadedFile {
                    filename: format!("{}推荐意见（盖章）.pdf", demo.county),
                    kind: crate::io::storage::FileKind::Pdf,
                    bytes: demo_pdf(&format!("{} recommendation", demo.county)),
                });
                let decision = Decision {
                    results: None,
                    stage: "county",
                    action,
                    opinion,
                    comments,
                    attestations: &attestations,
                    letter: letter.as_ref(),
                };
                decide(state, &loaded, &county.by, &decision).await?;
            }
            Step::Bureau(opinion) => {
                let (action, comments) = match opinion {
                    "accept" => (ApplicationAction::Accept, ""),
                    "reject" => (
                        ApplicationAction::Reject,
                        "县级初审不予推荐，且备案企业数、跨境电商企业占比不符合第四条（四）。",
                    ),
                    _ => (ApplicationAction::Return, "请补充盖章申报书。"),
                };
                let decision = Decision {
                    results: None,
                    stage: "bureau",
                    action,
                    opinion,
                    comments,
                    attestations: &BTreeMap::new(),
                    letter: None,
                };
                decide(state, &loaded, &bureau.by, &decision).await?;
            }
            Step::Revise => {
                let mut rows = roster(n, demo);
                let extra = DemoApplication {
                    enterprises: 3,
                    registered: 3,
                    ..*demo
                };
                rows.extend(roster(n + 40, &extra));
                let form = form_values(demo, &rows);
                save(
                    state,
                    tenant.id,
                    id,
                    demo.park,
                    jurisdiction_id,
                    &form,
                    &rows,
                )
                .await?;
            }
        }
    }
    Ok(id)
}

/// Each published call carries its official notice, as bureaus post the sealed PDF.
async fn attach_call_notices(state: &AppState) -> anyhow::Result<()> {
    let calls: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT c.tenant_id, c.id, c.created_by, c.title FROM calls c WHERE c.state <> 'draft'",
    )
    .fetch_all(&state.db)
    .await?;
    for (tenant_id, call_id, bureau_id, title) in calls {
        let file = UploadedFile {
            filename: format!("{title}.pdf"),
            kind: crate::io::storage::FileKind::Pdf,
            bytes: demo_pdf(&title),
        };
        let mut tx = state.db.begin().await?;
        files::keep(
            state,
            &mut tx,
            tenant_id,
            Owner::Call(call_id),
            "call_notice",
            &file,
            bureau_id,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn save(
    state: &AppState,
    tenant_id: i64,
    id: i64,
    park: &str,
    jurisdiction_id: i64,
    form: &FormValues,
    roster: &[RosterRow],
) -> anyhow::Result<()> {
    let (lock, roster_lock): (i32, i32) = sqlx::query_as(
        "SELECT lock_version, roster_lock_version FROM applications WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    let mut tx = state.db.begin().await?;
    anyhow::ensure!(
        applications::save_form(
            &mut tx,
            tenant_id,
            id,
            lock,
            park,
            Some(jurisdiction_id),
            form
        )
        .await?
    );
    anyhow::ensure!(
        applications::save_roster(
            &mut tx,
            tenant_id,
            id,
            roster_lock,
            &serde_json::to_value(roster)?
        )
        .await?
    );
    tx.commit().await?;
    Ok(())
}

async fn attach(
    state: &AppState,
    tenant_id: i64,
    id: i64,
    user_id: i64,
    category: &str,
    filename: &str,
) -> anyhow::Result<()> {
    let bytes = if filename.ends_with(".png") {
        demo_png()
    } else {
        demo_pdf(filename)
    };
    let file = UploadedFile {
        filename: filename.to_string(),
        kind: crate::io::storage::FileKind::sniff(&bytes).context("demo file kind")?,
        bytes,
    };
    let mut tx = state.db.begin().await?;
    files::keep(
        state,
        &mut tx,
        tenant_id,
        Owner::Application(id),
        category,
        &file,
        user_id,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(())
}

/// A small but well-formed one-page PDF (made with lopdf, as the certificates are).
pub(super) fn demo_pdf(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new(
                "Tj",
                vec![Object::string_literal(format!(
                    "parkcert demo document ({} bytes of title)",
                    text.len()
                ))],
            ),
            Operation::new("ET", vec![]),
        ],
    };
    let encoded = content.encode().unwrap_or_default();
    let content_id = doc.add_object(Stream::new(dictionary! {}, encoded));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    // Writing to memory cannot fail; an empty file would be refused by the sniffing anyway.
    let _ = doc.save_to(&mut bytes);
    bytes
}

/// A 1×1 white PNG.
fn demo_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8,
        0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xdc, 0xcc, 0x59, 0xe7, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}

/// A filled-in form whose declared counts agree with `rows` (as a careful operator's would).
fn form_values(demo: &DemoApplication, rows: &[RosterRow]) -> FormValues {
    let count = |f: &dyn Fn(&RosterRow) -> bool| rows.iter().filter(|r| f(r)).count().to_string();
    let of_type = |t: CbecType| count(&|r: &RosterRow| r.cbec_type == t);
    let trade: u64 = rows.iter().map(|r| r.import_export).sum();
    let mut v: Vec<(&str, String)> = vec![
        ("park.name", demo.park.into()),
        ("park.kind", "cluster".into()),
        ("park.address", format!("{}创业路88号", demo.county)),
        ("park.approved_by", format!("{}人民政府", demo.county)),
        ("park.established_on", "2019-06-18".into()),
        ("park.operating_since", "2019-09-01".into()),
        ("area.planned", "52000".into()),
        ("area.building", "36500".into()),
        ("area.in_use", "24800".into()),
        (
            "area.cbec_use",
            if demo.complete {
                "6200".into()
            } else {
                String::new()
            },
        ),
        ("service_center", "yes".into()),
        ("events.self_organized", "14".into()),
        ("events.joint", "3".into()),
        ("trade.ref.import_export", trade.to_string()),
        ("declared.enterprises", rows.len().to_string()),
        (
            "declared.cbec",
            count(&|r: &RosterRow| r.cbec_type != CbecType::None),
        ),
        ("declared.operating", of_type(CbecType::Operating)),
        ("declared.platform", of_type(CbecType::Platform)),
        ("declared.payment", of_type(CbecType::Payment)),
        ("declared.logistics", of_type(CbecType::Logistics)),
        ("declared.other", of_type(CbecType::Other)),
        (
            "declared.registered",
            count(&|r: &RosterRow| r.platform_registered),
        ),
        (
            "services",
            "trading_platform,customs,tax,fx_settlement,logistics,payment,incubation".into(),
        ),
        ("legal_rep.name", "王建国".into()),
        ("legal_rep.mobile", "13905770001".into()),
        ("contact.name", "李敏".into()),
        ("contact.title", "园区运营部经理".into()),
        ("contact.mobile", "13805770002".into()),
        ("contact.email", "limin@example.com".into()),
        (
            "report.basic",
            format!(
                "{}位于{}，由园区运营管理机构统一运营，现有入驻企业{}家。",
                demo.park, demo.county, demo.enterprises
            ),
        ),
        (
            "report.s1",
            "园区建设发展规划纳入所在县（市、区）跨境电商产业发展规划，功能定位清晰。".into(),
        ),
        (
            "report.s2",
            "园区已集聚跨境电商企业，2025年新孵化企业8家。".into(),
        ),
        (
            "report.s3",
            "建成跨境电商公共服务中心，提供通关、结汇、物流等一站式服务。".into(),
        ),
        (
            "report.s4",
            "与综试区线上服务平台对接，建立数据报送机制。".into(),
        ),
        ("report.s5", "配套建设直播基地、培训教室和共享仓储。".into()),
        (
            "report.s6",
            "运营管理机构设专职团队，制定入驻、考核和退出制度。".into(),
        ),
        (
            "report.plan",
            "三年内引进跨境电商企业30家以上，园区年进出口额突破1亿美元。".into(),
        ),
    ];
    if demo.tenant == "zhongshan" {
        // Zhongshan's own words: its 镇街, its filing platform, its mobiles and its currency.
        for (_, value) in v.iter_mut() {
            *value = value
                .replace("所在县（市、区）", "所在镇街")
                .replace("综试区线上服务平台", "中山市跨境电商公共服务平台")
                .replace("0577", "0760")
                .replace("1亿美元", "10亿元");
        }
        v.retain(|(k, _)| {
            !k.starts_with("events.") && *k != "service_center" && !k.starts_with("trade.")
        });
        v.extend([
            ("tier", "growing".to_string()),
            ("trade.ref.import_export", trade.to_string()),
            ("trade.ref.transactions", "1150000000".into()),
            ("trade.prev.import_export", "231000000".into()),
            ("trade.prev.transactions", "980000000".into()),
        ]);
    }
    if !demo.complete {
        v.retain(|(k, _)| !k.starts_with("report.") && !k.starts_with("trade."));
    }
    v.into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(k, value)| (k.to_string(), value))
        .collect()
}

const COMPANY_WORDS: &[&str] = &[
    "瓯越",
    "东海",
    "江心",
    "南塘",
    "华盟",
    "远航",
    "锦程",
    "恒信",
    "宏达",
    "新丝路",
    "海通",
    "汇丰",
    "安泰",
    "启明",
    "鼎盛",
    "佳美",
    "同创",
    "联众",
    "盛世",
    "嘉禾",
];
const TRADES: &[&str] = &[
    "鞋业", "服饰", "电气", "眼镜", "灯饰", "箱包", "五金", "汽配",
];

/// A plausible roster: `registered` registered CBEC enterprises (half of them operating), two
/// unregistered CBEC enterprises where there is room, the rest non-CBEC residents.
fn roster(seed: usize, demo: &DemoApplication) -> Vec<RosterRow> {
    (0..demo.enterprises)
        .map(|i| {
            let serial = seed * 100 + i;
            let first17 = format!("91{}MA{:07}", demo.region, 1_000_000 + serial * 37);
            let uscc = Uscc::with_check_char(&first17)
                .map(|u| u.as_str().to_string())
                .unwrap_or_default();
            let word = COMPANY_WORDS[serial % COMPANY_WORDS.len()];
            let trade = TRADES[(serial / COMPANY_WORDS.len() + i) % TRADES.len()];
            let city = if demo.tenant == "wenzhou" {
                "温州"
            } else {
                "中山"
            };
            let registered = i < demo.registered;
            let cbec = registered || i < demo.registered + 2;
            let cbec_type = match (cbec, i % 4) {
                (false, _) => CbecType::None,
                (true, 0 | 2) => CbecType::Operating,
                (true, 1) => CbecType::Logistics,
                _ => CbecType::Other,
            };
            RosterRow {
                name: format!(
                    "{city}{word}{trade}{}有限公司",
                    ["", "科技", "贸易", "实业"][serial % 4]
                ),
                uscc,
                county: demo.county.into(),
                legal_representative: ["张伟", "王芳", "李强", "陈静", "刘洋"][serial % 5].into(),
                founded_year: 2012 + (serial % 12) as i32,
                registered_capital: 100 + (serial as u64 % 9) * 50,
                main_business: format!("{trade}产品出口"),
                employees: 12 + (serial as u32 % 40),
                import_export: match (cbec, demo.tenant) {
                    (false, _) => 0,
                    // Zhongshan reports in 元, Wenzhou in US dollars.
                    (true, "zhongshan") => 8 * (1_600_000 + (serial as u64 % 13) * 95_000),
                    (true, _) => 1_600_000 + (serial as u64 % 13) * 95_000,
                },
                platform_type: if cbec {
                    ["亚马逊", "速卖通", "阿里巴巴国际站", "TikTok Shop"][serial % 4].into()
                } else {
                    String::new()
                },
                cbec_type,
                platform_registered: registered,
                active: registered && i % 7 != 6,
                address_in_park: i % 9 != 8,
                contact_name: ["周敏", "吴磊", "郑洁", "孙浩"][serial % 4].into(),
                contact_phone: format!(
                    "{}-88{:06}",
                    if demo.tenant == "wenzhou" {
                        "0577"
                    } else {
                        "0760"
                    },
                    100_000 + serial
                ),
            }
        })
        .collect()
}

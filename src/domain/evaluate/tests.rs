use serde_json::{Value, json};

use super::*;
use crate::domain::ruleset::builtin;
use crate::domain::uscc::Uscc;

pub(super) fn ent(kind: &str, registered: bool, active: bool, in_park: bool) -> Value {
    json!({ "cbec_type": kind, "platform_registered": registered, "active": active,
            "address_in_park": in_park })
}

/// `n` copies of a row, each with its own valid USCC.
pub(super) fn rows(n: usize, row: &Value, seed: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut r = row.clone();
            let body = format!("91330302MA{:07}", seed * 1000 + i);
            r["uscc"] = json!(Uscc::with_check_char(&body).unwrap().as_str());
            r
        })
        .collect()
}

/// wenzhou-2021's criteria in rubric order (DOMAIN.md §5.1), shared with the property tests.
pub(super) const WZ_CRITERIA: [&str; 9] = [
    "wz.s.planning",
    "wz.s.infrastructure",
    "wz.s.enterprises",
    "wz.s.trade",
    "wz.s.management",
    "wz.s.services",
    "wz.s.talent",
    "wz.s.compliance",
    "wz.s.reporting",
];

fn expert(id: &str, s: [f64; 9]) -> Value {
    let scores: serde_json::Map<String, Value> = WZ_CRITERIA
        .iter()
        .zip(s)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({ "expert": id, "conflict": false, "scores": scores })
}

/// An expert whose total is `total` (≤ 100), spread over the criteria in order.
pub(super) fn expert_total(id: &str, total: f64) -> Value {
    let maxima = [15.0, 15.0, 15.0, 15.0, 10.0, 20.0, 4.0, 4.0, 2.0];
    let mut left = (total * 10.0).round() / 10.0;
    let mut s = [0.0; 9];
    for (slot, max) in s.iter_mut().zip(maxima) {
        let take = if left > max { max } else { left };
        *slot = (take * 10.0_f64).round() / 10.0;
        left = ((left - take) * 10.0).round() / 10.0;
    }
    expert(id, s)
}

/// 22 CBEC (12 operating), 22 registered, 20 active, 32 rows.
pub(super) fn wz_roster() -> Vec<Value> {
    let mut r = rows(12, &ent("operating", true, true, true), 1);
    r.extend(rows(8, &ent("platform", true, true, true), 2));
    r.extend(rows(2, &ent("logistics", true, false, true), 3));
    r.extend(rows(10, &ent("none", false, false, true), 4));
    r
}

pub(super) fn wz_pass() -> Value {
    json!({
        "rules": "wenzhou-2021",
        "applied_on": "2026-03-15",
        "park": {
            "area": { "cbec_use": 4000 },
            "service_center": true,
            "events": { "self_organized": 12, "joint": 2 },
            "trade": [ { "year": 2025, "currency": "USD", "import_export": 45000000 } ]
        },
        "enterprises": wz_roster(),
        "attestations": { "wz.plan": true, "wz.operator": true, "wz.reporting": true },
        "vetoes": { "violation": false, "blacklist": false, "falsified": false },
        "expert_scores": [
            expert_total("E1", 90.0), expert_total("E2", 88.0), expert_total("E3", 89.0),
            expert_total("E4", 70.0), expert_total("E5", 95.0)
        ]
    })
}

pub(super) fn zs_base() -> Value {
    let mut roster = rows(10, &ent("operating", true, true, true), 1);
    roster.extend(rows(12, &ent("platform", false, true, true), 2));
    roster.extend(rows(30, &ent("none", false, false, true), 3));
    json!({
        "rules": "zhongshan-2022",
        "applied_on": "2026-03-15",
        "park": {
            "operating_since": "2020-06-01",
            "area": { "building": 21000 },
            "trade": [
                { "year": 2025, "currency": "CNY", "import_export": 560000000, "transactions": 2200000000u64 },
                { "year": 2024, "currency": "CNY", "import_export": 450000000, "transactions": 1900000000u64 }
            ]
        },
        "enterprises": roster,
        "attestations": { "zs.registered": true, "zs.planning": true, "zs.services": true,
                          "zs.staff": true, "zs.integrity": true }
    })
}

pub(super) fn std_pass() -> Value {
    let mut roster = rows(6, &ent("operating", false, false, true), 1);
    roster.extend(rows(4, &ent("none", false, false, true), 2));
    json!({
        "rules": "cbec-park-standard-2024",
        "applied_on": "2026-03-15",
        "park": {
            "operating_since": "2023-01-01",
            "area": { "total": 6000, "cbec_use": 3000, "operating": 5000, "supporting": 300,
                      "leasable": 5000, "occupied": 2500 },
            "events": { "exchange": 12, "policy_briefings_by_quarter": [2, 2, 2, 2] },
            "facilities": { "incubator_mentors": 4, "classroom": 50, "practice": 100,
                            "warehouse": null, "livestream": 300, "party": 0 }
        },
        "enterprises": roster,
        "attestations": { "std.zones": true }
    })
}

pub(super) fn run(body: &Value) -> Evaluation {
    evaluate_request(None, &body.to_string(), &builtin).unwrap()
}

fn error(body: &Value) -> String {
    evaluate_request(None, &body.to_string(), &builtin)
        .unwrap_err()
        .to_string()
}

fn error_raw(body: &str) -> String {
    evaluate_request(None, body, &builtin)
        .unwrap_err()
        .to_string()
}

pub(super) fn status(e: &Evaluation, id: &str) -> Status {
    e.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
        .status
}

fn check<'a>(e: &'a Evaluation, id: &str) -> &'a CheckResult {
    e.checks.iter().find(|c| c.id == id).unwrap()
}

fn set(v: &mut Value, pointer: &str, value: Value) {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
}

/// Sets a fact to the threshold and either side of it, expecting fail/pass/pass.
fn at_threshold(base: &Value, id: &str, pointer: &str, below: Value, at: Value, above: Value) {
    for (value, expected) in [
        (below, Status::Fail),
        (at, Status::Pass),
        (above, Status::Pass),
    ] {
        let mut v = base.clone();
        set(&mut v, pointer, value.clone());
        assert_eq!(status(&run(&v), id), expected, "{id} with {value}");
    }
}

#[test]
fn wenzhou_passing_case_recommends() {
    let e = run(&wz_pass());
    assert!(
        e.checks.iter().all(|c| c.status == Status::Pass),
        "{:#?}",
        e.checks
    );
    assert_eq!(
        (e.eligible, e.vetoed, e.verdict),
        (true, false, Verdict::Recommend)
    );
    assert_eq!(e.metrics.get("cbec_share").unwrap().as_f64(), Some(0.6875));
    assert_eq!(e.metrics.get("registered").unwrap().as_u64(), Some(22));
    assert_eq!(
        e.metrics.get("active_rate").unwrap().as_f64(),
        Some(20.0 / 22.0)
    );
    assert_eq!(
        e.metrics.get("reference_year").unwrap().as_i64(),
        Some(2025)
    );
    assert_eq!(e.tier, None);
    let area = check(&e, "wz.area");
    assert_eq!(
        (area.required.as_str(), area.actual.as_deref()),
        ("≥ 3000", Some("4000"))
    );
    assert_eq!(
        check(&e, "wz.cbec_share").actual.as_deref(),
        Some("22/32 = 68.75%")
    );
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
}

#[test]
fn wenzhou_area_events_and_trade_thresholds() {
    let b = wz_pass();
    at_threshold(
        &b,
        "wz.area",
        "/park/area/cbec_use",
        json!(2999.9999),
        json!(3000),
        json!(3000.5),
    );
    at_threshold(
        &b,
        "wz.events_self",
        "/park/events/self_organized",
        json!(9),
        json!(10),
        json!(11),
    );
    at_threshold(
        &b,
        "wz.events_joint",
        "/park/events/joint",
        json!(1),
        json!(2),
        json!(3),
    );
    at_threshold(
        &b,
        "wz.trade",
        "/park/trade/0/import_export",
        json!(39_999_999),
        json!(40_000_000),
        json!(40_000_001),
    );
}

#[test]
fn a_tenant_copy_with_another_threshold_changes_the_result() {
    let mut rules = builtin("wenzhou-2021").unwrap();
    let area = rules.checks.iter_mut().find(|c| c.id == "wz.area").unwrap();
    area.rule = crate::domain::ruleset::Rule::AtLeast {
        fact: crate::domain::ruleset::Fact::AreaCbecUse,
        op: crate::domain::ruleset::Op::Gt,
        min: crate::domain::fixed::Fixed::from_int(4000),
        years: None,
    };
    let stored = serde_json::to_string(&rules).unwrap();
    let lookup = |_: &str| serde_json::from_str(&stored).ok();
    let e = evaluate_request(None, &wz_pass().to_string(), &lookup).unwrap();
    assert_eq!(status(&e, "wz.area"), Status::Fail);
    assert_eq!(check(&e, "wz.area").required, "> 4000");
}

#[test]
fn wenzhou_service_center_flag() {
    let mut v = wz_pass();
    set(&mut v, "/park/service_center", json!(false));
    assert_eq!(status(&run(&v), "wz.service_center"), Status::Fail);
    v["park"].as_object_mut().unwrap().remove("service_center");
    let e = run(&v);
    assert_eq!(status(&e, "wz.service_center"), Status::Fail);
    assert_eq!(check(&e, "wz.service_center").actual, None);
}

fn with_roster(mut v: Value, roster: Vec<Value>) -> Value {
    v["enterprises"] = json!(roster);
    v
}

#[test]
fn wenzhou_registered_count_threshold() {
    // registered = 19 / 20 / 21, all operating and active, plus no other rows.
    for (n, expected) in [(19, Status::Fail), (20, Status::Pass), (21, Status::Pass)] {
        let v = with_roster(wz_pass(), rows(n, &ent("operating", true, true, true), 1));
        assert_eq!(status(&run(&v), "wz.cbec_count"), expected, "{n}");
    }
    // Unregistered CBEC enterprises do not count ("以…备案为准").
    let mut roster = rows(19, &ent("operating", true, true, true), 1);
    roster.extend(rows(5, &ent("operating", false, true, true), 2));
    assert_eq!(
        status(&run(&with_roster(wz_pass(), roster)), "wz.cbec_count"),
        Status::Fail
    );
}

#[test]
fn wenzhou_operating_count_threshold() {
    for (n, expected) in [(9, Status::Fail), (10, Status::Pass), (11, Status::Pass)] {
        let mut roster = rows(n, &ent("operating", true, true, true), 1);
        roster.extend(rows(20, &ent("payment", true, true, true), 2));
        let e = run(&with_roster(wz_pass(), roster));
        assert_eq!(status(&e, "wz.operating_count"), expected, "{n}");
    }
}

#[test]
fn wenzhou_share_is_exact_at_fifty_percent() {
    // 22 CBEC rows among 43 / 44 / 45 rows: 51.2% pass, exactly 50% pass, 48.9% fail.
    for (others, expected) in [(21, Status::Pass), (22, Status::Pass), (23, Status::Fail)] {
        let mut roster = rows(22, &ent("operating", true, true, true), 1);
        roster.extend(rows(others, &ent("none", false, false, true), 2));
        let e = run(&with_roster(wz_pass(), roster));
        assert_eq!(status(&e, "wz.cbec_share"), expected, "{others}");
    }
}

#[test]
fn wenzhou_active_rate_is_exact_at_fifty_percent() {
    // Of 22 registered: 10 / 11 / 12 active.
    for (active, expected) in [(10, Status::Fail), (11, Status::Pass), (12, Status::Pass)] {
        let mut roster = rows(active, &ent("operating", true, true, true), 1);
        roster.extend(rows(22 - active, &ent("operating", true, false, true), 2));
        let e = run(&with_roster(wz_pass(), roster));
        assert_eq!(status(&e, "wz.active_rate"), expected, "{active}");
    }
}

#[test]
fn missing_facts_fail_with_null_actual() {
    let v = json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15" });
    let e = run(&v);
    for c in &e.checks {
        let manual = ["wz.plan", "wz.operator", "wz.reporting"].contains(&c.id.as_str());
        let expected = if manual { Status::Manual } else { Status::Fail };
        assert_eq!(
            (c.status, c.actual.as_deref()),
            (expected, None),
            "{}",
            c.id
        );
    }
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert_eq!(e.score, None);
    assert_eq!(e.metrics.get("cbec"), None);
}

#[test]
fn missing_trade_year_counts_as_zero() {
    let mut v = wz_pass();
    set(&mut v, "/park/trade/0/year", json!(2024));
    let e = run(&v);
    assert_eq!(status(&e, "wz.trade"), Status::Fail);
    assert_eq!(check(&e, "wz.trade").actual.as_deref(), Some("0"));
    // The call's reference year selects another year.
    v["reference_year"] = json!(2024);
    assert_eq!(status(&run(&v), "wz.trade"), Status::Pass);
}

#[test]
fn manual_checks_and_attestations() {
    let mut v = wz_pass();
    v["attestations"]
        .as_object_mut()
        .unwrap()
        .remove("wz.operator");
    let e = run(&v);
    assert_eq!(status(&e, "wz.operator"), Status::Manual);
    assert_eq!((e.eligible, e.verdict), (true, Verdict::NeedsAttestation));
    v["attestations"]["wz.operator"] = json!(false);
    let e = run(&v);
    assert_eq!(status(&e, "wz.operator"), Status::Fail);
    assert_eq!(e.verdict, Verdict::NotEligible);
}

#[test]
fn every_wenzhou_veto_applies_without_changing_eligibility() {
    for key in ["violation", "blacklist", "falsified"] {
        let mut v = wz_pass();
        v["vetoes"][key] = json!(true);
        let e = run(&v);
        assert_eq!(e.vetoes, [format!("wz.veto.{key}")]);
        assert!(e.vetoed && e.eligible);
        assert_eq!(e.verdict, Verdict::Vetoed);
    }
}

#[test]
fn vetoed_comes_before_not_eligible() {
    let mut v = wz_pass();
    v["vetoes"]["blacklist"] = json!(true);
    set(&mut v, "/park/area/cbec_use", json!(10));
    assert_eq!(run(&v).verdict, Verdict::Vetoed);
}

// --- Zhongshan ---

#[test]
fn zhongshan_leading_case() {
    let mut v = zs_base();
    v["tier"] = json!("leading");
    let e = run(&v);
    assert_eq!(e.tier.as_deref(), Some("leading"), "{:#?}", e.checks);
    assert!(e.eligible);
    assert_eq!(e.verdict, Verdict::Recommend);
    assert_eq!(e.metrics.get("enterprises").unwrap().as_u64(), Some(52));
    assert_eq!(
        check(&e, "zs.leading.trade").actual.as_deref(),
        Some("2025年 560000000；2024年 450000000；年均 505000000")
    );
    let ids: Vec<_> = e.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids[..6],
        [
            "zs.registered",
            "zs.planning",
            "zs.services",
            "zs.staff",
            "zs.integrity",
            "zs.leading.age"
        ]
    );
}

fn zs_growing_only() -> Value {
    let mut v = zs_base();
    v["tier"] = json!("leading");
    set(&mut v, "/park/area/building", json!(19999.5));
    v
}

#[test]
fn qualifies_for_growing_but_applied_for_leading() {
    let e = run(&zs_growing_only());
    assert_eq!(status(&e, "zs.leading.area"), Status::Fail);
    assert_eq!(status(&e, "zs.growing.area"), Status::Pass);
    assert_eq!(e.tier.as_deref(), Some("growing"));
    assert!(!e.eligible);
    assert_eq!(e.verdict, Verdict::NotEligible);
    // The same facts applying for growing, or for no tier in particular, are eligible.
    for tier in [json!("growing"), Value::Null] {
        let mut v = zs_growing_only();
        v["tier"] = tier;
        let e = run(&v);
        assert_eq!((e.tier.as_deref(), e.eligible), (Some("growing"), true));
    }
}

#[test]
fn applying_for_growing_while_qualifying_for_leading_is_eligible() {
    let mut v = zs_base();
    v["tier"] = json!("growing");
    let e = run(&v);
    assert_eq!((e.tier.as_deref(), e.eligible), (Some("leading"), true));
}

#[test]
fn zhongshan_tier_thresholds() {
    let b = zs_base();
    at_threshold(
        &b,
        "zs.leading.area",
        "/park/area/building",
        json!(19999),
        json!(20000),
        json!(20001),
    );
    at_threshold(
        &b,
        "zs.growing.area",
        "/park/area/building",
        json!(7999.9),
        json!(8000),
        json!(8000.1),
    );
    // Mean of two years: (x + 450M)/2 ≥ 500M ⇔ x ≥ 550M.
    at_threshold(
        &b,
        "zs.leading.trade",
        "/park/trade/0/import_export",
        json!(549_999_999),
        json!(550_000_000),
        json!(550_000_001),
    );
    at_threshold(
        &b,
        "zs.leading.volume",
        "/park/trade/0/transactions",
        json!(2_099_999_999u64),
        json!(2_100_000_000u64),
        json!(2_100_000_001u64),
    );
    at_threshold(
        &b,
        "zs.growing.volume",
        "/park/trade/0/transactions",
        json!(999_999_999),
        json!(1_000_000_000),
        json!(1_000_000_001),
    );
    at_threshold(
        &b,
        "zs.leading.age",
        "/park/operating_since",
        json!("2024-03-16"),
        json!("2024-03-15"),
        json!("2024-03-14"),
    );
    at_threshold(
        &b,
        "zs.growing.age",
        "/park/operating_since",
        json!("2025-03-16"),
        json!("2025-03-15"),
        json!("2025-03-14"),
    );
}

#[test]
fn zhongshan_roster_thresholds_count_only_enterprises_in_the_park() {
    // enterprises: 52 in park; moving rows outside drops the count.
    let count = |in_park: usize, cbec: usize, filed: usize| {
        let mut roster = rows(filed, &ent("operating", true, true, true), 1);
        roster.extend(rows(cbec - filed, &ent("platform", false, false, true), 2));
        roster.extend(rows(in_park - cbec, &ent("none", false, false, true), 3));
        roster.extend(rows(40, &ent("operating", true, true, false), 4));
        with_roster(zs_base(), roster)
    };
    let cases = [
        (
            "zs.leading.enterprises",
            [(49, 20, 10), (50, 20, 10), (51, 20, 10)],
        ),
        (
            "zs.leading.cbec",
            [(60, 19, 10), (60, 20, 10), (60, 21, 10)],
        ),
        (
            "zs.leading.filed",
            [(60, 20, 9), (60, 20, 10), (60, 20, 11)],
        ),
        (
            "zs.growing.enterprises",
            [(29, 10, 5), (30, 10, 5), (31, 10, 5)],
        ),
        ("zs.growing.cbec", [(40, 9, 5), (40, 10, 5), (40, 11, 5)]),
        ("zs.growing.filed", [(40, 10, 4), (40, 10, 5), (40, 10, 6)]),
    ];
    for (id, [below, at, above]) in cases {
        for ((p, c, f), expected) in [
            (below, Status::Fail),
            (at, Status::Pass),
            (above, Status::Pass),
        ] {
            assert_eq!(
                status(&run(&count(p, c, f)), id),
                expected,
                "{id} {p}/{c}/{f}"
            );
        }
    }
}

#[test]
fn zhongshan_missing_trade_year_counts_as_zero() {
    let mut v = zs_base();
    v["park"]["trade"].as_array_mut().unwrap().remove(1);
    let e = run(&v);
    // (560M + 0)/2 < 500M, but the reference year alone is enough for growing.
    assert_eq!(status(&e, "zs.leading.trade"), Status::Fail);
    assert_eq!(status(&e, "zs.growing.volume"), Status::Pass);
    assert_eq!(e.tier.as_deref(), Some("growing"));
}

#[test]
fn provincial_list_awards_leading_directly() {
    let mut v = json!({ "rules": "zhongshan-2022", "applied_on": "2026-03-15", "tier": "growing",
                        "park": { "provincial_listed": true } });
    let e = run(&v);
    assert_eq!(e.checks.len(), 1);
    assert_eq!(
        (e.checks[0].id.as_str(), e.checks[0].status),
        ("zs.provincial", Status::Pass)
    );
    assert_eq!(
        (e.tier.as_deref(), e.eligible, e.verdict),
        (Some("leading"), true, Verdict::Recommend)
    );
    v["vetoes"] = json!({ "falsified": true });
    let e = run(&v);
    assert_eq!(
        (e.vetoes.as_slice(), e.verdict),
        (&["zs.veto.falsified".to_string()][..], Verdict::Vetoed)
    );
}

#[test]
fn every_zhongshan_veto() {
    for key in ["falsified", "violation", "blacklist"] {
        let mut v = zs_base();
        v["vetoes"] = json!({ key: true });
        let e = run(&v);
        assert_eq!(e.vetoes, [format!("zs.veto.{key}")]);
        assert_eq!(e.verdict, Verdict::Vetoed);
    }
}

#[test]
fn zhongshan_basic_checks_hold_the_verdict() {
    let mut v = zs_base();
    v["attestations"]["zs.integrity"] = Value::Null;
    assert_eq!(run(&v).verdict, Verdict::NeedsAttestation);
    v["attestations"]["zs.integrity"] = json!(false);
    let e = run(&v);
    assert_eq!((e.eligible, e.verdict), (false, Verdict::NotEligible));
    assert_eq!(e.tier.as_deref(), Some("leading"));
}

#[test]
fn zhongshan_no_tier_reached() {
    let mut v = zs_base();
    set(&mut v, "/park/area/building", json!(100));
    let e = run(&v);
    assert_eq!((e.tier, e.eligible), (None, false));
}

// --- The standard ---

#[test]
fn standard_passing_case() {
    let e = run(&std_pass());
    let na = ["std.warehouse", "std.party"];
    for c in &e.checks {
        let expected = if na.contains(&c.id.as_str()) {
            Status::Na
        } else {
            Status::Pass
        };
        assert_eq!(c.status, expected, "{}", c.id);
    }
    assert_eq!(e.verdict, Verdict::Recommend);
    assert_eq!(e.score, None);
    assert_eq!(
        check(&e, "std.policy").actual.as_deref(),
        Some("2, 2, 2, 2")
    );
}

#[test]
fn standard_thresholds() {
    let b = std_pass();
    at_threshold(
        &b,
        "std.area_total",
        "/park/area/total",
        json!(4999.99),
        json!(5000),
        json!(5001),
    );
    at_threshold(
        &b,
        "std.area_cbec",
        "/park/area/cbec_use",
        json!(2999),
        json!(3000),
        json!(3001),
    );
    at_threshold(
        &b,
        "std.supporting",
        "/park/area/supporting",
        json!(299.9999),
        json!(300),
        json!(300.0001),
    );
    at_threshold(
        &b,
        "std.occupancy",
        "/park/area/occupied",
        json!(2499.5),
        json!(2500),
        json!(2500.5),
    );
    at_threshold(
        &b,
        "std.incubator",
        "/park/facilities/incubator_mentors",
        json!(3),
        json!(4),
        json!(5),
    );
    at_threshold(
        &b,
        "std.classroom",
        "/park/facilities/classroom",
        json!(49.9),
        json!(50),
        json!(50.1),
    );
    at_threshold(
        &b,
        "std.practice",
        "/park/facilities/practice",
        json!(99),
        json!(100),
        json!(101),
    );
    at_threshold(
        &b,
        "std.warehouse",
        "/park/facilities/warehouse",
        json!(999),
        json!(1000),
        json!(1001),
    );
    at_threshold(
        &b,
        "std.livestream",
        "/park/facilities/livestream",
        json!(299),
        json!(300),
        json!(301),
    );
    at_threshold(
        &b,
        "std.party",
        "/park/facilities/party",
        json!(99.5),
        json!(100),
        json!(100.5),
    );
    at_threshold(
        &b,
        "std.exchange",
        "/park/events/exchange",
        json!(11),
        json!(12),
        json!(13),
    );
    at_threshold(
        &b,
        "std.policy",
        "/park/events/policy_briefings_by_quarter",
        json!([2, 1, 2, 2]),
        json!([2, 2, 2, 2]),
        json!([3, 2, 5, 2]),
    );
}

#[test]
fn standard_supporting_uses_exact_decimals() {
    // 10% of 3000.5 is 300.05: 300.04 fails, 300.05 passes (f64 would wobble here).
    let mut v = std_pass();
    set(&mut v, "/park/area/cbec_use", json!(3000.5));
    set(&mut v, "/park/area/supporting", json!(300.04));
    assert_eq!(status(&run(&v), "std.supporting"), Status::Fail);
    set(&mut v, "/park/area/supporting", json!(300.05));
    assert_eq!(status(&run(&v), "std.supporting"), Status::Pass);
}

#[test]
fn standard_share_passes_on_either_condition() {
    let mut v = std_pass();
    // Area share 40%, count share 60% → pass on count.
    set(&mut v, "/park/area/cbec_use", json!(3000));
    set(&mut v, "/park/area/operating", json!(7500));
    assert_eq!(status(&run(&v), "std.cbec_share"), Status::Pass);
    // Both below 50% → fail.
    let mut roster = rows(4, &ent("operating", false, false, true), 1);
    roster.extend(rows(6, &ent("none", false, false, true), 2));
    let v = with_roster(v, roster);
    let e = run(&v);
    assert_eq!(status(&e, "std.cbec_share"), Status::Fail);
    assert_eq!(
        check(&e, "std.cbec_share").actual.as_deref(),
        Some("面积 3000/7500 = 40%；数量 4/10 = 40%")
    );
}

#[test]
fn standard_na_before_one_year_and_when_absent() {
    let mut v = std_pass();
    set(&mut v, "/park/operating_since", json!("2025-03-16"));
    set(&mut v, "/park/area/occupied", json!(0));
    let e = run(&v);
    assert_eq!(status(&e, "std.occupancy"), Status::Na);
    assert_eq!(status(&e, "std.cbec_share"), Status::Na);
    set(&mut v, "/park/operating_since", json!("2025-03-15"));
    assert_eq!(status(&run(&v), "std.occupancy"), Status::Fail);
    // Absent facility: na; absent required facility: fail with null.
    v["park"]["facilities"] = json!({ "incubator_mentors": 4 });
    let e = run(&v);
    assert_eq!(status(&e, "std.livestream"), Status::Na);
    assert_eq!(
        (
            status(&e, "std.classroom"),
            check(&e, "std.classroom").actual.clone()
        ),
        (Status::Fail, None)
    );
}

#[test]
fn standard_missing_quarter_counts_as_zero() {
    let mut v = std_pass();
    set(
        &mut v,
        "/park/events/policy_briefings_by_quarter",
        json!([2, 2, 2]),
    );
    let e = run(&v);
    assert_eq!(status(&e, "std.policy"), Status::Fail);
    assert_eq!(
        check(&e, "std.policy").actual.as_deref(),
        Some("2, 2, 2, 0")
    );
}

// --- Scores ---

fn score_of(experts: Vec<Value>) -> ScoreSummary {
    let mut v = wz_pass();
    v["expert_scores"] = json!(experts);
    run(&v).score.unwrap()
}

#[test]
fn five_experts_are_trimmed() {
    let s = score_of(
        ["90", "88", "89", "70", "95"]
            .iter()
            .enumerate()
            .map(|(i, t)| expert_total(&format!("E{}", i + 1), t.parse().unwrap()))
            .collect(),
    );
    assert_eq!(s.method, Method::TrimmedMean);
    assert_eq!((s.experts_scored, s.experts_counted), (5, 3));
    assert_eq!(s.total, 89.0);
    assert_eq!(s.outliers, ["E4"]); // mean 86.4; 70 is 16.4 away
}

#[test]
fn four_experts_use_the_plain_mean() {
    let s = score_of(vec![
        expert_total("A", 80.0),
        expert_total("B", 81.5),
        expert_total("C", 82.0),
        expert_total("D", 90.0),
    ]);
    assert_eq!(s.method, Method::Mean);
    assert_eq!((s.experts_scored, s.experts_counted), (4, 4));
    assert_eq!(s.total, 83.375);
    assert!(s.outliers.is_empty());
}

#[test]
fn conflicted_experts_are_excluded() {
    let mut conflicted = expert_total("X", 10.0);
    conflicted["conflict"] = json!(true);
    conflicted["scores"] = json!({ "bogus": 999 });
    let s = score_of(vec![
        expert_total("A", 80.0),
        conflicted,
        expert_total("B", 90.0),
    ]);
    assert_eq!((s.experts_scored, s.experts_counted, s.total), (2, 2, 85.0));
    let mut only = expert_total("X", 10.0);
    only["conflict"] = json!(true);
    let mut v = wz_pass();
    v["expert_scores"] = json!([only]);
    assert_eq!(run(&v).score, None);
}

#[test]
fn among_equal_totals_the_first_listed_is_dropped() {
    // Two experts tie for highest with different criteria; the first one's criteria go.
    let a = expert("A", [15.0, 15.0, 15.0, 15.0, 10.0, 20.0, 0.0, 0.0, 0.0]);
    let b = expert("B", [5.0, 15.0, 15.0, 15.0, 10.0, 20.0, 4.0, 4.0, 2.0]);
    let s = score_of(vec![
        a,
        b,
        expert_total("C", 80.0),
        expert_total("D", 80.0),
        expert_total("E", 60.0),
    ]);
    assert_eq!(s.total, (90.0 + 80.0 + 80.0) / 3.0);
    assert_eq!(
        s.criteria.get("wz.s.planning").unwrap().as_f64(),
        Some((5.0 + 15.0 + 15.0) / 3.0)
    );
    // All equal: two are dropped all the same.
    let s = score_of(
        (0..5)
            .map(|i| expert_total(&format!("E{i}"), 77.7))
            .collect(),
    );
    assert_eq!((s.experts_counted, s.total), (3, 77.7));
}

#[test]
fn outlier_boundary_is_strict() {
    // Mean of 70 and 100 is 85; both are exactly 15 away: not outliers.
    let s = score_of(vec![expert_total("A", 70.0), expert_total("B", 100.0)]);
    assert!(s.outliers.is_empty());
    let s = score_of(vec![expert_total("A", 69.9), expert_total("B", 100.0)]);
    assert_eq!(s.outliers, ["A", "B"]);
}

#[test]
fn unnamed_experts_are_numbered() {
    let mut a = expert_total("A", 50.0);
    a.as_object_mut().unwrap().remove("expert");
    let s = score_of(vec![a, expert_total("B", 90.0)]);
    assert_eq!(s.outliers, ["#1", "B"]);
}

// --- Warnings ---

#[test]
fn warnings_do_not_change_the_verdict() {
    let mut v = wz_pass();
    let first = v["enterprises"][0]["uscc"].clone();
    v["enterprises"][5]["uscc"] = json!(first.as_str().unwrap().to_lowercase());
    v["enterprises"][6]["uscc"] = json!("91330302MA2AXXXX00");
    v["park"]["declared"] = json!({ "cbec": 25, "registered": 22, "operating": 11 });
    v["enterprises"][0]["import_export"] = json!(30_000_000);
    v["operator"] = json!({ "name": "某园区运营有限公司",
                            "uscc": Uscc::with_check_char("91442000MA4UXXXX1").unwrap().as_str() });
    let e = run(&v);
    let ids: Vec<_> = e.warnings.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "declared.cbec",
            "declared.operating",
            "declared.trade",
            "roster.invalid_uscc",
            "roster.duplicate_uscc",
            "operator.uscc_region"
        ]
    );
    assert!(
        e.warnings[4].message.contains("第 1、6 行"),
        "{}",
        e.warnings[4].message
    );
    assert!(e.warnings[5].message.contains("442000"));
    assert_eq!(e.verdict, Verdict::Recommend);
}

#[test]
fn operator_in_the_city_is_not_warned() {
    let mut v = wz_pass();
    v["operator"] = json!({ "uscc": Uscc::with_check_char("91330302MA2AXXXX0").unwrap().as_str() });
    assert!(run(&v).warnings.is_empty());
}

// --- Input errors ---

#[test]
fn input_errors_name_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "applied_on": "2026-03-15" }), "rules: 缺少必填字段"),
        (
            json!({ "rules": "wenzhou-2021" }),
            "applied_on: 缺少必填字段",
        ),
        (
            json!({ "rules": "nope", "applied_on": "2026-03-15" }),
            "rules: 未知的规则集 nope",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-02-30" }),
            "applied_on: 日期格式应为 YYYY-MM-DD 且为有效日期",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "extra": 1 }),
            "extra: 未知字段",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "area": { "cbec_use": -1 } } }),
            "park.area.cbec_use: 不能为负数",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "area": { "cbec_use": "4000" } } }),
            "park.area.cbec_use: 类型错误：应为数字，实际为字符串",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "events": { "joint": 2.5 } } }),
            "park.events.joint: 应为整数",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "area": { "size": 1 } } }),
            "park.area.size: 未知字段",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "enterprises": [ {}, { "cbec_type": "shop" } ] }),
            "enterprises[1].cbec_type: 未知取值 shop，可选：operating, platform, payment, logistics, other, none",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "enterprises": [ { "active": "yes" } ] }),
            "enterprises[0].active: 类型错误：应为布尔值（true/false），实际为字符串",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "trade": [ { "year": 2025, "currency": "CNY", "import_export": 1 } ] } }),
            "park.trade[0].currency: 规则集 wenzhou-2021 的金额币种为 USD，不能填写 CNY",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "trade": [ { "year": 2025, "currency": "EUR" } ] } }),
            "park.trade[0].currency: 未知取值 EUR，可选：USD, CNY",
        ),
        (
            json!({ "rules": "zhongshan-2022", "applied_on": "2026-03-15", "park": { "trade": [ { "year": 2025 }, { "year": 2025 } ] } }),
            "park.trade[1].year: 2025 年重复填写",
        ),
        (
            json!({ "rules": "zhongshan-2022", "applied_on": "2026-03-15", "park": { "trade": [ { "import_export": 5 } ] } }),
            "park.trade[0].year: 缺少必填字段",
        ),
        (
            json!({ "rules": "zhongshan-2022", "applied_on": "2026-03-15", "park": { "trade": [ { "year": 2025, "import_export": 1.5 } ] } }),
            "park.trade[0].import_export: 应为整数",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "tier": "leading" }),
            "tier: 规则集 wenzhou-2021 不分等级，不能填写 tier",
        ),
        (
            json!({ "rules": "zhongshan-2022", "applied_on": "2026-03-15", "tier": "gold" }),
            "tier: 未知等级 gold，可选：leading、growing",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "attestations": { "wz.area": true } }),
            "attestations.wz.area: 不是该规则集的人工核实项",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "vetoes": { "fraud": true } }),
            "vetoes.fraud: 未知的否决项",
        ),
        (
            json!({ "rules": "cbec-park-standard-2024", "applied_on": "2026-03-15", "vetoes": { "violation": true } }),
            "vetoes.violation: 规则集 cbec-park-standard-2024 没有该否决项",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "operator": { "uscc": "91330302MA2AXXXX00" } }),
            "operator.uscc: 统一社会信用代码校验位不正确，请核对",
        ),
        (
            json!({ "rules": "cbec-park-standard-2024", "applied_on": "2026-03-15", "park": { "events": { "policy_briefings_by_quarter": [1,1,1,1,1] } } }),
            "park.events.policy_briefings_by_quarter: 最多填写4个季度",
        ),
        (
            json!({ "rules": "wenzhou-2021", "applied_on": "2026-03-15", "park": { "area": { "cbec_use": 1.00001 } } }),
            "park.area.cbec_use: 最多保留4位小数",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(error(&body), expected, "{body}");
    }
}

#[test]
fn score_errors_name_the_expert_and_criterion() {
    let mut v = wz_pass();
    v["expert_scores"][1]["scores"]["wz.s.services"] = json!(20.5);
    assert_eq!(
        error(&v),
        "expert_scores[1].scores.wz.s.services: 评分应在 0 至 20 分之间"
    );
    v["expert_scores"][1]["scores"]["wz.s.services"] = json!(12.25);
    assert_eq!(
        error(&v),
        "expert_scores[1].scores.wz.s.services: 评分最多保留1位小数"
    );
    v["expert_scores"][1]["scores"]["wz.s.services"] = json!(-1);
    assert_eq!(
        error(&v),
        "expert_scores[1].scores.wz.s.services: 不能为负数"
    );
    v["expert_scores"][1]["scores"]
        .as_object_mut()
        .unwrap()
        .remove("wz.s.services");
    assert_eq!(
        error(&v),
        "expert_scores[1].scores.wz.s.services: 缺少该评分项的分数"
    );
    v["expert_scores"][1]["scores"]["wz.s.bonus"] = json!(1);
    assert_eq!(
        error(&v),
        "expert_scores[1].scores.wz.s.bonus: 未知的评分项"
    );
    let mut v = zs_base();
    v["expert_scores"] = json!([ { "expert": "E1", "scores": { "wz.s.planning": 1 } } ]);
    assert_eq!(
        error(&v),
        "expert_scores[0].scores.wz.s.planning: 未知的评分项"
    );
}

#[test]
fn malformed_bodies_are_one_line_errors() {
    assert_eq!(error_raw(""), "JSON 不完整（意外结束）");
    assert_eq!(
        error_raw("{\"rules\": }"),
        "JSON 格式错误（第 1 行第 11 列）"
    );
    assert_eq!(error_raw("[]"), "请求体应为 JSON 对象");
    assert_eq!(error_raw("null"), "请求体应为 JSON 对象");
    assert_eq!(
        error_raw("{\"rules\":\"wenzhou-2021\",\"applied_on\":\"2026-03-15\"} x"),
        "JSON 格式错误（第 1 行第 52 列）"
    );
    for body in [
        "{",
        "{\"rules\": 1}",
        "\"\u{0}\"",
        "{\"park\":{\"area\":{\"total\":1e999}}}",
    ] {
        assert!(!error_raw(body).contains('\n'));
    }
}

#[test]
fn the_flag_must_match_the_body() {
    let body = wz_pass().to_string();
    let err = evaluate_request(Some("zhongshan-2022"), &body, &builtin).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rules: 与 --rules 参数 zhongshan-2022 不一致"
    );
    assert!(evaluate_request(Some("wenzhou-2021"), &body, &builtin).is_ok());
}

#[test]
fn domain_example_input_is_valid() {
    // DOMAIN.md §7's example with its placeholders filled in.
    let body = r#"{
      "rules": "zhongshan-2022", "applied_on": "2026-03-15", "tier": "leading",
      "park": {
        "operating_since": "2020-06-01",
        "area": { "total": 12000, "building": 21000, "cbec_use": 4000, "operating": 6000,
                  "supporting": 800, "leasable": 7000, "occupied": 5200 },
        "service_center": true,
        "events": { "self_organized": 12, "joint": 2, "exchange": 12, "policy_briefings_by_quarter": [2,2,2,2] },
        "trade": [ { "year": 2025, "currency": "CNY", "import_export": 560000000, "transactions": 2200000000 },
                   { "year": 2024, "currency": "CNY", "import_export": 450000000, "transactions": 1900000000 } ],
        "provincial_listed": false,
        "facilities": { "incubator_mentors": 4, "classroom": 60, "practice": 120,
                        "warehouse": null, "livestream": 320, "party": 100 }
      },
      "enterprises": [
        { "name": "某公司", "uscc": "91442000MA4UXXXX1X", "cbec_type": "operating", "platform_registered": true, "active": true,
          "address_in_park": true, "import_export": 120000 }
      ],
      "attestations": { "zs.registered": true, "zs.planning": true },
      "vetoes": { "violation": false, "blacklist": false, "falsified": false },
      "expert_scores": [ { "expert": "E1", "conflict": false, "scores": {} } ]
    }"#;
    let e = evaluate_request(Some("zhongshan-2022"), body, &builtin).unwrap();
    assert_eq!(e.verdict, Verdict::NotEligible);
    assert_eq!(e.tier, None); // one enterprise in the roster
}

#[test]
fn evaluation_serializes_to_the_documented_shape() {
    let e = run(&wz_pass());
    let v = serde_json::to_value(&e).unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    let mut expected = [
        "rules", "eligible", "vetoed", "vetoes", "tier", "checks", "metrics", "warnings", "score",
        "verdict",
    ]
    .map(String::from)
    .to_vec();
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(
        v["checks"][2],
        json!({ "id": "wz.area", "article": "第四条（三）", "status": "pass", "required": "≥ 3000", "actual": "4000" })
    );
    assert_eq!(v["score"]["method"], "trimmed_mean");
    assert_eq!(v["verdict"], "recommend");
    assert_eq!(v["tier"], Value::Null);
    assert_round_trip(&e);
}

/// serde_json parses floats to within one ulp only, so compare through its own parser.
pub(super) fn assert_round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), reparsed);
}

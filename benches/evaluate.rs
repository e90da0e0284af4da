//! Evaluations per second on one core: `cargo bench --bench evaluate`.
//! A wenzhou-2021 application with a 200-enterprise roster and 7 experts.
use std::hint::black_box;
use std::time::{Duration, Instant};

use parkcert::domain::evaluate::{evaluate, evaluate_request, parse_input};
use parkcert::domain::ruleset::builtin;
use parkcert::domain::uscc::Uscc;
use serde_json::{Value, json};

fn body() -> String {
    let kinds = [
        "operating",
        "platform",
        "payment",
        "logistics",
        "other",
        "none",
    ];
    let enterprises: Vec<Value> = (0..200)
        .map(|i| {
            let uscc = Uscc::with_check_char(&format!("91330302MA{i:07}")).expect("valid prefix");
            json!({
                "name": format!("温州示例跨境电商企业{i}有限公司"),
                "uscc": uscc.as_str(),
                "cbec_type": kinds[i % kinds.len()],
                "platform_registered": i % 3 != 0,
                "active": i % 4 != 0,
                "address_in_park": true,
                "import_export": 100_000 + i * 1000,
            })
        })
        .collect();
    let experts: Vec<Value> = (0..7)
        .map(|e| {
            json!({ "expert": format!("E{e}"), "conflict": false, "scores": {
                "wz.s.planning": 12.5, "wz.s.infrastructure": 13, "wz.s.enterprises": 9 + e,
                "wz.s.trade": 14, "wz.s.management": 8.5, "wz.s.services": 16, "wz.s.talent": 3,
                "wz.s.compliance": 2.5, "wz.s.reporting": 2 } })
        })
        .collect();
    json!({
        "rules": "wenzhou-2021",
        "applied_on": "2026-03-15",
        "operator": { "name": "温州示例园区运营有限公司",
                      "uscc": Uscc::with_check_char("91330302MA2AXXXX0").expect("valid").as_str() },
        "park": {
            "area": { "cbec_use": 4000.5 },
            "service_center": true,
            "events": { "self_organized": 12, "joint": 2 },
            "trade": [ { "year": 2025, "currency": "USD", "import_export": 45_000_000 } ],
            "declared": { "enterprises": 200, "cbec": 167, "registered": 111 }
        },
        "enterprises": enterprises,
        "attestations": { "wz.plan": true, "wz.operator": true },
        "vetoes": { "violation": false, "blacklist": false, "falsified": false },
        "expert_scores": experts
    })
    .to_string()
}

/// Runs `f` repeatedly for about `budget` and returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let rules = builtin("wenzhou-2021").expect("built-in");
    let body = body();
    let input = parse_input(&body).expect("valid input");
    let sample = evaluate(&rules, &input);
    assert_eq!(sample.score.as_ref().map(|s| s.experts_scored), Some(7));

    let engine = rate(Duration::from_secs(2), || {
        black_box(evaluate(black_box(&rules), black_box(&input)));
    });
    let full = rate(Duration::from_secs(1), || {
        black_box(evaluate_request(None, black_box(&body), &builtin).expect("valid"));
    });
    println!(
        "evaluate (200 enterprises, 7 experts, wenzhou-2021): {engine:.0} evaluations/s on one core"
    );
    println!(
        "parse + validate + evaluate from JSON ({} bytes): {full:.0} requests/s",
        body.len()
    );
}

//! `decide` (the hot path: no trace, short-circuits, skips settled `Allow`s) and `evaluate` (the
//! full trace) agree on every request of the project's workload (`benches/workload/mod.rs`,
//! with variables, every operator family, SCP and RCP levels, boundaries and many resource
//! policies); and the workload is what its documentation says: deterministic, with every kind
//! of decision.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

#[path = "../benches/workload/mod.rs"]
mod workload;

use std::collections::BTreeMap;
use std::path::Path;

use secaudit::eval::{Decision, decide, evaluate};
use secaudit::policytest::{Expectations, LoadOptions, parse_case};

fn small() -> workload::Options {
    workload::Options {
        principals: 12,
        secrets: 160,
        actions: 4,
        seed: "differential".to_owned(),
    }
}

#[test]
fn decide_agrees_with_evaluate_on_the_workload() {
    let options = LoadOptions::new(Expectations::Optional);
    let mut decisions: BTreeMap<Decision, usize> = BTreeMap::new();
    let mut cases = 0;
    for value in workload::cases(&small()) {
        let case = parse_case(&value, Path::new("."), &options, "case")
            .unwrap_or_else(|error| panic!("{}: {error}", value["name"]));
        cases += 1;
        for request in &case.requests {
            let set = request.policies(&case);
            let traced = evaluate(set, &request.request);
            assert_eq!(
                decide(set, &request.request),
                traced.decision,
                "{} {}: {:?}",
                case.name,
                request.name,
                request.request
            );
            *decisions.entry(traced.decision).or_default() += 1;
        }
    }
    assert!(cases > 12, "{cases} cases");
    let total: usize = decisions.values().sum();
    assert_eq!(total, 12 * 160 * 4);
    // A workload that exercises the evaluator has every outcome in quantity.
    for decision in [
        Decision::Allowed,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
    ] {
        let n = decisions.get(&decision).copied().unwrap_or(0);
        assert!(n * 20 > total, "{decision}: {n} of {total}");
    }
}

#[test]
fn the_workload_is_deterministic_and_seeded() {
    let first: Vec<String> = workload::cases(&small()).map(|c| c.to_string()).collect();
    let again: Vec<String> = workload::cases(&small()).map(|c| c.to_string()).collect();
    assert_eq!(first, again);
    let mut other = small();
    other.seed = "another".to_owned();
    let different: Vec<String> = workload::cases(&other).map(|c| c.to_string()).collect();
    assert_ne!(first, different);
}

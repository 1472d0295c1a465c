//! Throughput of `secaudit::eval::decide` on a realistic workload.
//!
//! The workload is the project's own (`benches/workload/mod.rs`, the medium size: 40 principals
//! × 400 secrets × 3 actions = 48,000 requests), built in memory, so the figures reproduce from
//! the repository alone. `SECAUDIT_WORKLOAD=FILE` measures a JSON Lines case file instead (one
//! written by `examples/gen_workload.rs`, or any other in the case-file format). Cases are read
//! by the same loader as `secaudit eval --cases`; policies are compiled and requests prepared
//! before measuring; the measured loop is `decide` over every request, in case order.

mod workload;

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;

use secaudit::eval::{Decision, decide};
use secaudit::policytest::{CaseFile, Expectations, LoadOptions, parse_case};

fn load() -> (String, Vec<CaseFile>) {
    let options = LoadOptions::new(Expectations::Optional);
    let compile = |value: &Value| match parse_case(value, Path::new("."), &options, "case") {
        Ok(case) => Some(case),
        Err(error) => {
            eprintln!("skipping a case: {error}");
            None
        }
    };
    match std::env::var("SECAUDIT_WORKLOAD") {
        Ok(path) => {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
                eprintln!("cannot read {path}: {error}");
                String::new()
            });
            let cases = text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .filter_map(|value| compile(&value))
                .collect();
            (path, cases)
        }
        Err(_) => {
            let options = workload::Options::medium();
            let label = format!(
                "generated workload ({} principals x {} secrets x {} actions)",
                options.principals, options.secrets, options.actions
            );
            (
                label,
                workload::cases(&options)
                    .filter_map(|value| compile(&value))
                    .collect(),
            )
        }
    }
}

fn bench(c: &mut Criterion) {
    let (label, cases) = load();
    let requests: usize = cases.iter().map(|case| case.requests.len()).sum();
    eprintln!(
        "workload: {label}: {} cases, {requests} requests",
        cases.len()
    );
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(requests as u64));
    group.bench_function("decide", |b| {
        b.iter(|| {
            let mut allowed = 0usize;
            for case in &cases {
                for request in &case.requests {
                    let set = request.policies(case);
                    if decide(black_box(set), black_box(&request.request)) == Decision::Allowed {
                        allowed += 1;
                    }
                }
            }
            allowed
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

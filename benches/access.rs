//! The who-can-access analysis on a generated account (`examples/gen_snapshot.rs`): model
//! building and `secaudit::access::analyse` over every principal × secret × default action.
//! Size with `SECAUDIT_ACCESS_BENCH=PRINCIPALS,SECRETS` (default `200,4000`). The account-scale
//! run (2,000 × 40,000 × 3) is measured end to end with the binary instead, see the module
//! documentation of `secaudit::access`.
#![allow(
    clippy::expect_used,
    reason = "a benchmark fails loudly when its fixture cannot be built"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use secaudit::access::{AccessModel, AccessQuery, analyse};
use secaudit::snapshot::Snapshot;

#[path = "../examples/gen_snapshot.rs"]
#[allow(dead_code, reason = "the generator's `main` and CLI are not used here")]
mod gen_snapshot;

fn size() -> (usize, usize) {
    std::env::var("SECAUDIT_ACCESS_BENCH")
        .ok()
        .and_then(|text| {
            let (p, s) = text.split_once(',')?;
            Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
        })
        .unwrap_or((200, 4000))
}

fn bench(c: &mut Criterion) {
    let (principals, secrets) = size();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let groups = (secrets / 1000).clamp(2, 40);
    gen_snapshot::generate(principals, secrets, groups, "bench", dir.path())
        .expect("the generator writes the snapshot");
    let snapshot = Snapshot::load(dir.path()).expect("the generated snapshot loads");
    let model = AccessModel::from_snapshot(&snapshot).expect("the snapshot has IAM data");
    let query = AccessQuery::default();
    let mut group = c.benchmark_group("access");
    group.sample_size(10);
    group.throughput(Throughput::Elements((principals * secrets * 3) as u64));
    group.bench_function(format!("model {principals}x{secrets}"), |b| {
        b.iter(|| AccessModel::from_snapshot(black_box(&snapshot)))
    });
    group.bench_function(format!("analyse {principals}x{secrets}x3"), |b| {
        b.iter(|| analyse(black_box(&model), black_box(&query)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

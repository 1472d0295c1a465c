//! The who-can-access analysis on a generated account (`examples/gen_snapshot.rs`): model
//! building, `secaudit::access::analyse` over every principal × secret × default action (the
//! class path: per-principal views, the projection of atoms into classes, one judgement per
//! class, the KMS key added per (class, key)), and writing the JSON report (into a sink, so the
//! figure is the writer's own throughput, not the disk's).
//! Size with `SECAUDIT_ACCESS_BENCH=PRINCIPALS,SECRETS` (default `200,4000`). The account-scale
//! run (2,000 × 40,000 × 3) is measured end to end with the binary instead, see the module
//! documentation of `secaudit::access`.
#![allow(
    clippy::expect_used,
    reason = "a benchmark fails loudly when its fixture cannot be built"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use secaudit::access::{
    AccessModel, AccessQuery, ReportFormat, ReportOptions, analyse, write_report,
};
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
    let analysis = analyse(&model, &query).expect("the analysis runs");
    let options = ReportOptions {
        format: ReportFormat::Json,
        why: false,
        by_principal: false,
    };
    let mut bytes = CountingSink::default();
    write_report(&model, &analysis, options, &mut bytes).expect("a sink accepts the report");
    group.throughput(Throughput::Bytes(bytes.0));
    group.bench_function(format!("write json {principals}x{secrets}x3"), |b| {
        b.iter(|| write_report(&model, &analysis, options, &mut CountingSink::default()))
    });
    group.finish();
}

/// A writer that keeps only the byte count.
#[derive(Default)]
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

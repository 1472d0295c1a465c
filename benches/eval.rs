//! Throughput of `secaudit::eval::decide` on a realistic workload.
//!
//! Loads the JSON Lines workload of `gen.py` (`SECAUDIT_WORKLOAD`, default `/tmp/medium.jsonl`,
//! made with `python3 ../shared/tools/workload/gen.py --preset medium --out /tmp/medium.jsonl`)
//! or, when it is absent, builds a small workload in code. Policies are compiled and requests
//! prepared once; the measured loop is `decide` over every request.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

use secaudit::eval::{Context, NamedPolicy, PolicySet, Principal, Request, decide};
use secaudit::policy::{Policy, PolicyKind};

fn compile(doc: &Value, kind: PolicyKind, name: String) -> Option<NamedPolicy> {
    match Policy::from_value(doc, kind) {
        Ok(policy) => Some(NamedPolicy {
            name,
            policy: Arc::new(policy),
        }),
        Err(e) => {
            eprintln!("skipping policy {name}: {e}");
            None
        }
    }
}

fn case(case: &Value) -> Vec<(Arc<PolicySet>, Request)> {
    let name = case["name"].as_str().unwrap_or("case").to_owned();
    let identity = case["identity_policies"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, doc)| compile(doc, PolicyKind::Identity, format!("{name}/identity[{i}]")))
        .collect();
    let single = |key: &str, kind| {
        case.get(key)
            .filter(|v| !v.is_null())
            .and_then(|doc| compile(doc, kind, format!("{name}/{key}")))
    };
    let levels = |key: &str, kind| -> Vec<Vec<NamedPolicy>> {
        case.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, level)| {
                level
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(j, doc)| compile(doc, kind, format!("{name}/{key}[{i}][{j}]")))
                    .collect()
            })
            .collect()
    };
    let set = Arc::new(PolicySet {
        identity,
        resource: single("resource_policy", PolicyKind::Resource),
        boundary: single("permission_boundary", PolicyKind::Boundary),
        session: single("session_policy", PolicyKind::Session),
        scps: levels("scps", PolicyKind::Scp),
        rcps: levels("rcps", PolicyKind::Rcp),
    });
    case["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let principal = Principal::parse(r["principal"].as_str()?).ok()?;
            let context = match r.get("context").and_then(Value::as_object) {
                Some(map) => Context::from_json(map).ok()?,
                None => Context::new(),
            };
            Some((
                Arc::clone(&set),
                Request {
                    principal,
                    action: r["action"].as_str()?.to_owned(),
                    resource: r["resource"].as_str()?.to_owned(),
                    resource_account: None,
                    context,
                },
            ))
        })
        .collect()
}

fn small_workload() -> Vec<Value> {
    let identity = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": "arn:aws:secretsmanager:*:111122223333:secret:team-a/*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}]});
    let scp = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]});
    let mut requests = Vec::new();
    for i in 0..200 {
        let team = if i % 3 == 0 { "team-a" } else { "team-b" };
        requests.push(json!({
            "principal": "arn:aws:iam::111122223333:role/app",
            "action": if i % 2 == 0 { "secretsmanager:GetSecretValue" } else { "secretsmanager:DescribeSecret" },
            "resource": format!("arn:aws:secretsmanager:us-east-1:111122223333:secret:{team}/s{i}-AbCdEf"),
            "context": {"aws:PrincipalTag/team": "team-a", "aws:ResourceTag/team": team,
                        "aws:SecureTransport": "true", "aws:RequestedRegion": "us-east-1"}
        }));
    }
    vec![
        json!({"name": "small", "identity_policies": [identity], "scps": [[scp]], "requests": requests}),
    ]
}

fn load() -> (String, Vec<(Arc<PolicySet>, Request)>) {
    let path =
        std::env::var("SECAUDIT_WORKLOAD").unwrap_or_else(|_| "/tmp/medium.jsonl".to_owned());
    let (label, cases) = match std::fs::read_to_string(&path) {
        Ok(text) => (
            path,
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect(),
        ),
        Err(_) => ("built-in small workload".to_owned(), small_workload()),
    };
    (label, cases.iter().flat_map(case).collect())
}

fn bench(c: &mut Criterion) {
    let (label, requests) = load();
    eprintln!("workload: {label}: {} requests", requests.len());
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("decide", |b| {
        b.iter(|| {
            let mut allowed = 0usize;
            for (set, request) in &requests {
                if decide(black_box(set), black_box(request)) == secaudit::eval::Decision::Allowed {
                    allowed += 1;
                }
            }
            allowed
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! What each fuzz target does with its input, shared by the fuzz targets (`fuzz/fuzz_targets/`)
//! and the replay test (`tests/fuzz_replay.rs`, part of `cargo test`), so that every seed and
//! every past crash is replayed by the ordinary test command without a fuzzing build.
//!
//! Each function must never panic, whatever the bytes: errors are values, not crashes.
//! - `policy`: the bytes as a policy document, parsed as every kind of policy; a document that
//!   parses as an identity policy is then decided in one request (through a case file, the
//!   path `secaudit test` takes).
//! - `case_file`: the bytes as a case file, loaded and run.
//! - `snapshot`: the bytes as a snapshot directory (`snapshot_files`), loaded tolerantly and
//!   strictly, and audited by every rule when it loads.
//! - `lifecycle`: the bytes as a mutes file and a baseline report (`lifecycle_files`), each
//!   parsed; the mutes are applied and the baseline compared with findings made from the
//!   baseline's own findings plus a fixed few.

#![allow(
    dead_code,
    reason = "each fuzz target uses one function of the harness"
)]

use std::path::Path;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use secaudit::findings::{ComplianceType, Finding, Mappings, ResourceRef, Severity};
use secaudit::policy::{Policy, PolicyKind};
use secaudit::policytest::{Expectations, LoadOptions, parse_case, run_case};
use secaudit::report::baseline::{self, Baseline};
use secaudit::report::mutes::{self, MuteFile};
use secaudit::rules::{Catalogue, RuleConfig, run_audit};
use secaudit::snapshot::{LoadMode, Snapshot};
use serde_json::{Value, json};

const KINDS: [PolicyKind; 6] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Boundary,
    PolicyKind::Session,
    PolicyKind::Scp,
    PolicyKind::Rcp,
];

/// Policy parser plus one evaluation.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut identity_ok = false;
    for kind in KINDS {
        let parsed = Policy::parse(text, kind);
        identity_ok |= kind == PolicyKind::Identity && parsed.is_ok();
    }
    if !identity_ok {
        return;
    }
    let Ok(document) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let case = json!({
        "name": "fuzz",
        "identity_policies": [document],
        "requests": [{
            "principal": "arn:aws:iam::111122223333:user/alice",
            "action": "secretsmanager:GetSecretValue",
            "resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
            "context": {"aws:SourceIp": "10.0.0.1", "aws:PrincipalTag/team": "db",
                "aws:MultiFactorAuthPresent": "true", "aws:CurrentTime": "2026-11-01T00:00:00Z"}
        }]
    });
    case_value(&case);
}

/// The case-file loader (and the runner, for a case that loads).
pub fn case_file(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    case_value(&value);
}

fn case_value(value: &Value) {
    // Policy paths are resolved against a directory that holds nothing.
    let options = LoadOptions::new(Expectations::Optional);
    if let Ok(case) = parse_case(value, Path::new("/nonexistent-fuzz-dir"), &options, "fuzz") {
        let _ = run_case(&case);
    }
}

/// The files a snapshot input can fill, selected by the byte before each part.
pub const SNAPSHOT_FILES: [&str; 15] = [
    "snapshot.json",
    "us-east-1/secretsmanager/list-secrets.json",
    "us-east-1/secretsmanager/describe-secret.json",
    "us-east-1/secretsmanager/list-secret-version-ids.json",
    "us-east-1/secretsmanager/get-resource-policy.json",
    "us-east-1/rds/describe-db-clusters.json",
    "us-east-1/rds/describe-db-instances.json",
    "us-east-1/kms/describe-key.json",
    "us-east-1/kms/list-aliases.json",
    "us-east-1/kms/get-key-policy.json",
    "us-east-1/cloudtrail/lookup-events.json",
    "iam/get-account-authorization-details.json",
    "organizations/policies.json",
    "eu-west-1/secretsmanager/list-secrets.json",
    "eu-west-1/kms/get-key-policy.json",
];

/// Separates the parts of a snapshot input (never in JSON text).
pub const PART_SEPARATOR: u8 = 0xff;

const DEFAULT_META: &str = r#"{"schema_version": 1, "account_id": "111122223333",
    "collected_at": "2026-11-01T00:00:00Z", "regions": ["us-east-1"]}"#;

/// Splits a snapshot input into (file, bytes): parts separated by `PART_SEPARATOR`, each a
/// selector byte (the file, modulo the list) then the content. Without a `snapshot.json` part a
/// valid one is used, so that the data files are reached.
pub fn snapshot_files(data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    for part in data.split(|byte| *byte == PART_SEPARATOR) {
        let Some((selector, content)) = part.split_first() else {
            continue;
        };
        let name = SNAPSHOT_FILES[usize::from(*selector) % SNAPSHOT_FILES.len()];
        files.retain(|(existing, _)| *existing != name);
        files.push((name, content.to_vec()));
    }
    if !files.iter().any(|(name, _)| *name == "snapshot.json") {
        files.push(("snapshot.json", DEFAULT_META.as_bytes().to_vec()));
    }
    files
}

/// The snapshot loader, from a directory built from the bytes, and the rules over it.
pub fn snapshot(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    for (name, content) in snapshot_files(data) {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            return;
        }
        if std::fs::write(&path, content).is_err() {
            return;
        }
    }
    let _ = Snapshot::load_with(dir.path(), LoadMode::Strict);
    let Ok(snapshot) = Snapshot::load_with(dir.path(), LoadMode::Tolerant) else {
        return;
    };
    let Ok(catalogue) = Catalogue::builtin() else {
        return;
    };
    let now = snapshot.meta.collected_at;
    let _ = run_audit(&catalogue, &snapshot, &RuleConfig::default(), &[], now);
}

/// The account of the lifecycle target's run (the demo snapshot's, so the demo's report is a
/// baseline that loads).
pub const LIFECYCLE_ACCOUNT: &str = "111122223333";

/// Splits a lifecycle input at the first `PART_SEPARATOR`: (mutes file, baseline report). Without
/// a separator the whole input is the mutes file and the baseline is empty.
pub fn lifecycle_files(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|byte| *byte == PART_SEPARATOR) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

fn lifecycle_finding(rule: &str, id: &str, region: &str, compliance: ComplianceType) -> Finding {
    Finding {
        rule: rule.to_string(),
        severity: Severity::Medium,
        compliance_type: compliance,
        annotation: String::new(),
        detail: String::new(),
        resource: ResourceRef {
            resource_type: "AWS::SecretsManager::Secret".to_string(),
            id: id.to_string(),
            name: id.rsplit(':').next().unwrap_or(id).to_string(),
            account_id: LIFECYCLE_ACCOUNT.to_string(),
            region: region.to_string(),
        },
        evidence: serde_json::Map::new(),
        ordering_timestamp: DateTime::<Utc>::UNIX_EPOCH,
        mappings: Mappings::default(),
    }
}

/// Mutes and baseline files: parsed, then applied to and compared with a run's findings.
pub fn lifecycle(data: &[u8]) {
    let (mutes_bytes, baseline_bytes) = lifecycle_files(data);
    let accounts = BTreeSet::from([LIFECYCLE_ACCOUNT.to_string()]);
    let baseline = std::str::from_utf8(baseline_bytes)
        .ok()
        .and_then(|text| Baseline::parse(text, &accounts).ok());
    let mut findings: Vec<Finding> = ComplianceType::ALL
        .into_iter()
        .map(|compliance| {
            lifecycle_finding(
                "secretsmanager-rotation-enabled-check",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
                "us-east-1",
                compliance,
            )
        })
        .collect();
    if let Some(baseline) = &baseline {
        // The baseline's findings, every other one with another compliance type: unchanged,
        // changed and resolved findings all occur.
        for (index, old) in baseline.findings.iter().enumerate() {
            let compliance = if index % 2 == 0 {
                old.compliance_type
            } else {
                ComplianceType::ALL[index % 4]
            };
            findings.push(lifecycle_finding(
                &old.rule,
                &old.resource.id,
                &old.resource.region,
                compliance,
            ));
        }
    }
    let rules: BTreeSet<String> = findings
        .iter()
        .map(|finding| finding.rule.clone())
        .collect();
    let rules_ran: Vec<&str> = rules.iter().map(String::as_str).collect();
    if let Some(mute_file) = std::str::from_utf8(mutes_bytes)
        .ok()
        .and_then(|text| MuteFile::parse(text).ok())
    {
        let now = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .map(|time| time.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let later = now + chrono::Days::new(40);
        let _ = mutes::apply(
            &mute_file,
            &findings,
            &rules_ran,
            |account| {
                if account == LIFECYCLE_ACCOUNT {
                    now
                } else {
                    later
                }
            },
            later,
        );
    }
    if let Some(baseline) = &baseline {
        let _ = baseline::compare(baseline, &findings, &rules);
    }
}

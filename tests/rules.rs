//! The rules' branches: each rule's fixture under `fixtures/rules/<id>/` (a snapshot directory
//! with an optional `config.json` and the expected findings in `expected.json`), and the
//! general semantics of RULES.md on snapshots with data removed: data not collected gives
//! INSUFFICIENT_DATA and never COMPLIANT, replicas and secrets pending deletion are
//! NOT_APPLICABLE, parameters come from defaults and `--config`, runs are deterministic.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use secaudit::findings::{ComplianceType, Finding, MAX_ANNOTATION_CHARS};
use secaudit::rules::{AuditOutcome, Catalogue, RuleConfig, RuleError, run_audit};
use secaudit::snapshot::{CoverageEntry, CoverageStatus, Snapshot};
use serde_json::Value;

fn fixture_dir(rule: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rules")
        .join(rule)
}

fn load(rule: &str) -> (Snapshot, RuleConfig) {
    let dir = fixture_dir(rule);
    let snapshot = Snapshot::load(&dir).unwrap();
    let config = match fs::read_to_string(dir.join("config.json")) {
        Ok(text) => RuleConfig::from_json(&text).unwrap(),
        Err(_) => RuleConfig::default(),
    };
    (snapshot, config)
}

fn run(rule: &str, snapshot: &Snapshot, config: &RuleConfig) -> AuditOutcome {
    let catalogue = Catalogue::builtin().unwrap();
    run_audit(
        &catalogue,
        snapshot,
        config,
        &[rule.to_string()],
        snapshot.meta.collected_at,
    )
    .unwrap()
}

/// (resource name, region) → finding.
fn by_resource(outcome: &AuditOutcome) -> BTreeMap<(String, String), &Finding> {
    outcome
        .findings
        .iter()
        .map(|f| ((f.resource.name.clone(), f.resource.region.clone()), f))
        .collect()
}

fn finding<'a>(outcome: &'a AuditOutcome, name: &str) -> &'a Finding {
    outcome
        .findings
        .iter()
        .find(|f| f.resource.name == name && f.resource.region == "us-east-1")
        .unwrap_or_else(|| panic!("no finding for `{name}`: {:#?}", outcome.findings))
}

const RULES: [&str; 15] = [
    "iam-secret-wildcard-overmatch",
    "secretsmanager-credential-lifetime",
    "secretsmanager-deleted-secret-access",
    "secretsmanager-managed-secret-impaired",
    "secretsmanager-policy-cross-account",
    "secretsmanager-policy-not-public",
    "secretsmanager-replication-healthy",
    "secretsmanager-rotation-enabled-check",
    "secretsmanager-rotation-failures",
    "secretsmanager-scheduled-rotation-success-check",
    "secretsmanager-secret-broad-readers",
    "secretsmanager-secret-periodic-rotation",
    "secretsmanager-secret-tagged",
    "secretsmanager-secret-unused",
    "secretsmanager-using-cmk",
];

/// One fixture: the findings must be exactly those of `expected.json`.
fn check_fixture(rule: &str) {
    let (snapshot, config) = load(rule);
    let outcome = run(rule, &snapshot, &config);
    let expected: Value =
        serde_json::from_str(&fs::read_to_string(fixture_dir(rule).join("expected.json")).unwrap())
            .unwrap();
    let mut actual = by_resource(&outcome);
    for item in expected["findings"].as_array().unwrap() {
        let key = (
            item["resource"].as_str().unwrap().to_string(),
            item["region"].as_str().unwrap().to_string(),
        );
        let found = actual
            .remove(&key)
            .unwrap_or_else(|| panic!("{rule}: no finding for {key:?}"));
        assert_eq!(
            found.compliance_type.as_str(),
            item["compliance_type"].as_str().unwrap(),
            "{rule}: {key:?}: {}",
            found.annotation
        );
        let needle = item["annotation"].as_str().unwrap();
        assert!(
            found.annotation.contains(needle),
            "{rule}: {key:?}: annotation `{}` lacks `{needle}`",
            found.annotation
        );
        if let Some(severity) = item.get("severity").and_then(Value::as_str) {
            assert_eq!(found.severity.as_str(), severity, "{rule}: {key:?}");
        }
        assert_eq!(found.rule, rule);
        assert!(found.annotation.chars().count() <= MAX_ANNOTATION_CHARS);
    }
    assert!(actual.is_empty(), "{rule}: unexpected findings {actual:#?}");
}

#[test]
fn wildcard_overmatch_fixture() {
    check_fixture("iam-secret-wildcard-overmatch");
}
#[test]
fn broad_readers_fixture() {
    check_fixture("secretsmanager-secret-broad-readers");
}
#[test]
fn credential_lifetime_fixture() {
    check_fixture("secretsmanager-credential-lifetime");
}
#[test]
fn deleted_secret_access_fixture() {
    check_fixture("secretsmanager-deleted-secret-access");
}
#[test]
fn managed_secret_impaired_fixture() {
    check_fixture("secretsmanager-managed-secret-impaired");
}
#[test]
fn policy_cross_account_fixture() {
    check_fixture("secretsmanager-policy-cross-account");
}
#[test]
fn policy_not_public_fixture() {
    check_fixture("secretsmanager-policy-not-public");
}
#[test]
fn replication_healthy_fixture() {
    check_fixture("secretsmanager-replication-healthy");
}
#[test]
fn rotation_enabled_check_fixture() {
    check_fixture("secretsmanager-rotation-enabled-check");
}
#[test]
fn rotation_failures_fixture() {
    check_fixture("secretsmanager-rotation-failures");
}
#[test]
fn scheduled_rotation_success_check_fixture() {
    check_fixture("secretsmanager-scheduled-rotation-success-check");
}
#[test]
fn secret_periodic_rotation_fixture() {
    check_fixture("secretsmanager-secret-periodic-rotation");
}
#[test]
fn secret_tagged_fixture() {
    check_fixture("secretsmanager-secret-tagged");
}
#[test]
fn secret_unused_fixture() {
    check_fixture("secretsmanager-secret-unused");
}
#[test]
fn using_cmk_fixture() {
    check_fixture("secretsmanager-using-cmk");
}

/// Marks `api` in `us-east-1` as denied, as a collector that was refused would.
fn deny(snapshot: &mut Snapshot, api: &str) {
    snapshot.meta.coverage.push(CoverageEntry {
        region: "us-east-1".to_string(),
        api: api.to_string(),
        resource: None,
        status: CoverageStatus::Denied,
        message: Some("AccessDeniedException".to_string()),
    });
}

#[test]
fn a_region_whose_secrets_were_denied_is_insufficient_data_for_every_rule() {
    for rule in RULES {
        let (mut snapshot, config) = load(rule);
        deny(&mut snapshot, "secretsmanager:ListSecrets");
        for data in snapshot.regions.values_mut() {
            data.secrets = None;
            data.described = None;
        }
        let outcome = run(rule, &snapshot, &config);
        if rule == "secretsmanager-managed-secret-impaired" {
            // RDS still names its secrets; they are judged on what RDS reports.
            assert!(
                outcome
                    .findings
                    .iter()
                    .any(|f| f.resource.resource_type == "AWS::::Account")
            );
            continue;
        }
        assert!(
            outcome
                .findings
                .iter()
                .all(|f| f.compliance_type != ComplianceType::Compliant),
            "{rule}: {:#?}",
            outcome.findings
        );
        if rule == "iam-secret-wildcard-overmatch" {
            // Its resources are IAM policies (region `global`), judged INSUFFICIENT_DATA above.
            assert!(
                outcome
                    .findings
                    .iter()
                    .any(|f| f.compliance_type == ComplianceType::InsufficientData)
            );
            continue;
        }
        let region = outcome
            .findings
            .iter()
            .find(|f| f.resource.region == "us-east-1")
            .unwrap_or_else(|| panic!("{rule}: no finding for the denied region"));
        assert_eq!(
            region.compliance_type,
            ComplianceType::InsufficientData,
            "{rule}"
        );
        assert_eq!(region.resource.resource_type, "AWS::::Account");
        assert!(
            region
                .annotation
                .contains("was denied: AccessDeniedException"),
            "{rule}: {}",
            region.annotation
        );
    }
}

#[test]
fn cloudtrail_not_collected() {
    for rule in [
        "secretsmanager-rotation-failures",
        "secretsmanager-deleted-secret-access",
    ] {
        let (mut snapshot, config) = load(rule);
        deny(&mut snapshot, "cloudtrail:LookupEvents");
        let outcome = run(rule, &snapshot, &config);
        for f in &outcome.findings {
            assert!(
                matches!(
                    f.compliance_type,
                    ComplianceType::InsufficientData | ComplianceType::NotApplicable
                ),
                "{rule}: {}: {}",
                f.resource.name,
                f.annotation
            );
        }
        assert!(outcome.findings.iter().any(|f| {
            f.annotation
                .contains("CloudTrail events not collected: coverage")
        }));
    }
    // The scheduled-rotation check judges on dates and says so.
    let rule = "secretsmanager-scheduled-rotation-success-check";
    let (mut snapshot, config) = load(rule);
    deny(&mut snapshot, "cloudtrail:LookupEvents");
    let outcome = run(rule, &snapshot, &config);
    let failed = finding(&outcome, "db/failed");
    assert_eq!(failed.compliance_type, ComplianceType::Compliant);
    assert!(
        failed
            .annotation
            .contains("CloudTrail not collected, judged on dates only"),
        "{}",
        failed.annotation
    );
    assert_eq!(
        finding(&outcome, "db/overdue").compliance_type,
        ComplianceType::NonCompliant
    );
}

#[test]
fn versions_not_collected_can_prove_compliance_but_not_failure() {
    let rule = "secretsmanager-secret-periodic-rotation";
    let (mut snapshot, config) = load(rule);
    deny(&mut snapshot, "secretsmanager:ListSecretVersionIds");
    for data in snapshot.regions.values_mut() {
        data.versions = None;
    }
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "key/fresh").compliance_type,
        ComplianceType::Compliant
    );
    let stale = finding(&outcome, "key/stale");
    assert_eq!(stale.compliance_type, ComplianceType::InsufficientData);
    assert!(
        stale
            .annotation
            .contains("a later manual update cannot be ruled out")
    );
    // Not counting manual updates, the versions are not needed.
    let config = RuleConfig::from_json(&format!(
        r#"{{"{rule}": {{"countManualUpdates": "false"}}}}"#
    ))
    .unwrap();
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "key/stale").compliance_type,
        ComplianceType::NonCompliant
    );
    assert_eq!(
        finding(&outcome, "key/manual").compliance_type,
        ComplianceType::NonCompliant,
        "without manual updates the 2026-05-01 rotation is too old"
    );
}

#[test]
fn never_rotated_and_never_accessed_can_fail_outright() {
    let rule = "secretsmanager-secret-periodic-rotation";
    let (snapshot, _) = load(rule);
    let config =
        RuleConfig::from_json(&format!(r#"{{"{rule}": {{"neverRotated": "fail"}}}}"#)).unwrap();
    let outcome = run(rule, &snapshot, &config);
    let young = finding(&outcome, "key/never-new");
    assert_eq!(young.compliance_type, ComplianceType::NonCompliant);
    assert!(
        young
            .annotation
            .contains("never rotated (neverRotated is `fail`)")
    );

    let rule = "secretsmanager-secret-unused";
    let (snapshot, _) = load(rule);
    let config = RuleConfig::from_json(&format!(
        r#"{{"{rule}": {{"neverAccessed": "fail", "unusedForDays": 400}}}}"#
    ))
    .unwrap();
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "svc/never").compliance_type,
        ComplianceType::NonCompliant
    );
    assert_eq!(
        finding(&outcome, "svc/unused").compliance_type,
        ComplianceType::Compliant
    );
}

#[test]
fn replica_accesses_unknown_make_a_failing_secret_insufficient_data() {
    let rule = "secretsmanager-secret-unused";
    let (mut snapshot, config) = load(rule);
    deny(&mut snapshot, "secretsmanager:DescribeSecret");
    if let Some(data) = snapshot.regions.get_mut("us-east-1") {
        data.described = None;
        for secret in data.secrets.iter_mut().flatten() {
            secret.replication_status.clear();
        }
    }
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "svc/used").compliance_type,
        ComplianceType::Compliant
    );
    let unused = finding(&outcome, "svc/unused");
    assert_eq!(unused.compliance_type, ComplianceType::InsufficientData);
    assert!(unused.annotation.contains("replica accesses are unknown"));
    // Without aggregation the primary alone decides.
    let config =
        RuleConfig::from_json(&format!(r#"{{"{rule}": {{"aggregateReplicas": false}}}}"#)).unwrap();
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "svc/unused").compliance_type,
        ComplianceType::NonCompliant
    );
}

#[test]
fn other_missing_inputs_give_insufficient_data() {
    let cases: [(&str, &str, &str, &str); 5] = [
        (
            "secretsmanager-replication-healthy",
            "secretsmanager:DescribeSecret",
            "rep/broken",
            "replication status unknown: coverage",
        ),
        (
            "secretsmanager-policy-not-public",
            "secretsmanager:GetResourcePolicy",
            "pol/public",
            "resource policy not collected: coverage",
        ),
        (
            "secretsmanager-policy-cross-account",
            "secretsmanager:GetResourcePolicy",
            "x/partner",
            "resource policy not collected: coverage",
        ),
        (
            "secretsmanager-using-cmk",
            "kms:DescribeKey",
            "enc/cmk-alias",
            "cannot resolve key `alias/app-secrets`: coverage",
        ),
        (
            "secretsmanager-managed-secret-impaired",
            "rds:DescribeDBClusters",
            "rds!cluster-dddd4444",
            "DB data not collected: coverage",
        ),
    ];
    for (rule, api, name, needle) in cases {
        let (mut snapshot, config) = load(rule);
        deny(&mut snapshot, api);
        match api {
            "secretsmanager:DescribeSecret" => {
                for data in snapshot.regions.values_mut() {
                    data.described = None;
                }
            }
            "secretsmanager:GetResourcePolicy" => {
                for data in snapshot.regions.values_mut() {
                    data.resource_policies = None;
                }
            }
            "kms:DescribeKey" => {
                for data in snapshot.regions.values_mut() {
                    data.kms_keys = None;
                }
            }
            _ => {
                for data in snapshot.regions.values_mut() {
                    data.db_clusters = None;
                }
            }
        }
        let outcome = run(rule, &snapshot, &config);
        let found = finding(&outcome, name);
        assert_eq!(
            found.compliance_type,
            ComplianceType::InsufficientData,
            "{rule}: {}",
            found.annotation
        );
        assert!(
            found.annotation.contains(needle),
            "{rule}: {}",
            found.annotation
        );
    }
}

#[test]
fn cross_account_keys_follow_the_parameter() {
    let rule = "secretsmanager-using-cmk";
    let (snapshot, _) = load(rule);
    for (value, expected) in [
        ("compliant", ComplianceType::Compliant),
        ("non-compliant", ComplianceType::NonCompliant),
        ("insufficient-data", ComplianceType::InsufficientData),
    ] {
        let config = RuleConfig::from_json(&format!(
            r#"{{"{rule}": {{"crossAccountKeys": "{value}"}}}}"#
        ))
        .unwrap();
        let outcome = run(rule, &snapshot, &config);
        assert_eq!(finding(&outcome, "enc/foreign").compliance_type, expected);
    }
    let config = RuleConfig::from_json(&format!(
        r#"{{"{rule}": {{"kmsKeyArns": "arn:aws:kms:us-east-1:111111111111:key/other"}}}}"#
    ))
    .unwrap();
    let outcome = run(rule, &snapshot, &config);
    let alias = finding(&outcome, "enc/cmk-alias");
    assert_eq!(alias.compliance_type, ComplianceType::NonCompliant);
    assert!(alias.annotation.contains("is not in kmsKeyArns"));
}

#[test]
fn rotation_thresholds_in_hours_and_the_stricter_limit() {
    let rule = "secretsmanager-rotation-enabled-check";
    let (snapshot, _) = load(rule);
    let config = RuleConfig::from_json(&format!(
        r#"{{"{rule}": {{"maximumAllowedRotationFrequency": 60, "maximumAllowedRotationFrequencyInHours": "720"}}}}"#
    ))
    .unwrap();
    let outcome = run(rule, &snapshot, &config);
    assert_eq!(
        finding(&outcome, "app/rate").compliance_type,
        ComplianceType::Compliant
    );
    let monthly = finding(&outcome, "app/monthly");
    assert_eq!(monthly.compliance_type, ComplianceType::NonCompliant);
    assert!(
        monthly.annotation.contains("> 30 days"),
        "{}",
        monthly.annotation
    );
    // No threshold: rotation on is enough, and the RDS secret is judged like others.
    let outcome = run(rule, &snapshot, &RuleConfig::default());
    assert_eq!(
        finding(&outcome, "app/monthly").compliance_type,
        ComplianceType::Compliant
    );
    assert_eq!(
        finding(&outcome, "rds!cluster-0a1b2c3d").compliance_type,
        ComplianceType::Compliant
    );
}

#[test]
fn credential_lifetime_is_not_applicable_without_a_limit() {
    let rule = "secretsmanager-credential-lifetime";
    let (snapshot, _) = load(rule);
    let outcome = run(rule, &snapshot, &RuleConfig::default());
    assert!(!outcome.findings.is_empty());
    for finding in &outcome.findings {
        assert_eq!(finding.compliance_type, ComplianceType::NotApplicable);
        assert_eq!(
            finding.annotation,
            "not configured: set maxCredentialLifetimeDays"
        );
    }
    assert_eq!(
        outcome.parameters[rule],
        serde_json::json!({"maxCredentialLifetimeDays": null})
    );
}

/// Without `maxReaders` or `allowedReaderPatterns` the rule cannot fail, so it must not say
/// COMPLIANT: every secret it would judge is NOT_APPLICABLE "not configured".
#[test]
fn broad_readers_is_not_applicable_without_configuration() {
    let rule = "secretsmanager-secret-broad-readers";
    let (snapshot, _) = load(rule);
    let outcome = run(rule, &snapshot, &RuleConfig::default());
    assert!(!outcome.findings.is_empty());
    for finding in &outcome.findings {
        assert_eq!(finding.compliance_type, ComplianceType::NotApplicable);
        if !finding.annotation.starts_with("replica of")
            && !finding.annotation.starts_with("pending deletion")
        {
            assert_eq!(
                finding.annotation,
                "not configured: set maxReaders or allowedReaderPatterns"
            );
        }
    }
}

#[test]
fn config_errors_name_the_json_path() {
    let table = [
        (r#"{"nope": {}}"#, "$.nope: unknown rule `nope`"),
        (
            r#"{"secretsmanager-secret-unused": {"unusedForDay": 3}}"#,
            "$.secretsmanager-secret-unused.unusedForDay: unknown parameter `unusedForDay`",
        ),
        (
            r#"{"secretsmanager-secret-unused": {"unusedForDays": "soon"}}"#,
            "$.secretsmanager-secret-unused.unusedForDays: expected an integer, found `soon`",
        ),
        (
            r#"{"secretsmanager-secret-unused": {"unusedForDays": 0}}"#,
            "$.secretsmanager-secret-unused.unusedForDays: expected an integer of at least 1",
        ),
        (r#"{"disabled": ["x"]}"#, "$.disabled[0]: unknown rule `x`"),
        (
            r#"{"disabled": "x"}"#,
            "$.disabled: expected a list of rule ids",
        ),
        (r#"[]"#, "$: expected an object"),
        ("{", "invalid JSON"),
    ];
    for (text, expected) in table {
        let error = RuleConfig::from_json(text).unwrap_err().to_string();
        assert!(error.starts_with(expected), "{text}: {error}");
    }
}

#[test]
fn selection_disabling_and_parameters() {
    let (snapshot, _) = load("secretsmanager-secret-tagged");
    let catalogue = Catalogue::builtin().unwrap();
    let now: DateTime<Utc> = snapshot.meta.collected_at;
    let config = RuleConfig::from_json(
        r#"{"disabled": ["secretsmanager-secret-tagged"], "secretsmanager-secret-unused": {"unusedForDays": "30"}}"#,
    )
    .unwrap();
    let outcome = run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
    assert!(
        outcome
            .findings
            .iter()
            .all(|f| f.rule != "secretsmanager-secret-tagged")
    );
    assert!(
        !outcome
            .parameters
            .contains_key("secretsmanager-secret-tagged")
    );
    assert_eq!(outcome.parameters.len(), catalogue.rules().len() - 1);
    assert_eq!(
        outcome.parameters["secretsmanager-secret-unused"]["unusedForDays"],
        serde_json::json!(30)
    );
    // `--rule` runs a rule even when the configuration disables it.
    let only = vec!["secretsmanager-secret-tagged".to_string()];
    let outcome = run_audit(&catalogue, &snapshot, &config, &only, now).unwrap();
    assert!(
        outcome
            .findings
            .iter()
            .all(|f| f.rule == "secretsmanager-secret-tagged")
    );
    assert_eq!(outcome.findings.len(), 5);
    let error = run_audit(&catalogue, &snapshot, &config, &["bogus".to_string()], now).unwrap_err();
    assert_eq!(error, RuleError::UnknownRule("bogus".to_string()));
}

#[test]
fn every_rule_on_every_fixture_is_deterministic_and_one_finding_per_resource() {
    let catalogue = Catalogue::builtin().unwrap();
    for fixture in RULES {
        let (snapshot, config) = load(fixture);
        let now = snapshot.meta.collected_at;
        let first = run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
        let second = run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
        assert_eq!(first, second, "{fixture}");
        let mut keys = std::collections::BTreeSet::new();
        for f in &first.findings {
            assert!(
                keys.insert((
                    f.rule.clone(),
                    f.resource.id.clone(),
                    f.resource.region.clone()
                )),
                "{fixture}: two findings for {} on {}",
                f.rule,
                f.resource.id
            );
            assert!(f.annotation.chars().count() <= MAX_ANNOTATION_CHARS);
            assert_eq!(f.ordering_timestamp, now);
            if f.compliance_type != ComplianceType::NotApplicable {
                assert!(!f.detail.is_empty());
            }
        }
    }
}

#[test]
fn nothing_reads_the_clock_a_later_now_ages_secrets() {
    let rule = "secretsmanager-secret-periodic-rotation";
    let (snapshot, config) = load(rule);
    let catalogue = Catalogue::builtin().unwrap();
    let later: DateTime<Utc> = "2027-06-01T00:00:00Z".parse().unwrap();
    let outcome = run_audit(&catalogue, &snapshot, &config, &[rule.to_string()], later).unwrap();
    assert!(
        outcome
            .findings
            .iter()
            .all(|f| f.compliance_type == ComplianceType::NonCompliant),
        "{:#?}",
        outcome.findings
    );
}

#[test]
fn extreme_parameters_and_values_never_panic() {
    let huge = i64::MAX.to_string();
    let config = RuleConfig::from_json(
        &serde_json::json!({
            "secretsmanager-credential-lifetime": {"maxCredentialLifetimeDays": huge},
            "secretsmanager-deleted-secret-access": {"lookbackDays": huge},
            "secretsmanager-rotation-enabled-check": {
                "maximumAllowedRotationFrequency": huge,
                "maximumAllowedRotationFrequencyInHours": 1
            },
            "secretsmanager-rotation-failures": {"lookbackDays": huge},
            "secretsmanager-scheduled-rotation-success-check": {"graceHours": huge, "lookbackDays": huge},
            "secretsmanager-secret-periodic-rotation": {"maxDaysSinceRotation": huge},
            "secretsmanager-secret-unused": {"unusedForDays": huge},
        })
        .to_string(),
    )
    .unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    for fixture in RULES {
        let (mut snapshot, _) = load(fixture);
        for now in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
        }
        for data in snapshot.regions.values_mut() {
            for secret in data.secrets.iter_mut().flatten() {
                if let Some(rules) = secret.rotation_rules.as_mut() {
                    rules.automatically_after_days = Some(u64::MAX);
                    rules.schedule_expression = None;
                }
                secret.next_rotation_date = None;
            }
        }
        for now in [
            snapshot.meta.collected_at,
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ] {
            run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
        }
    }
}

#[test]
fn replicas_and_secrets_pending_deletion_are_not_applicable_for_every_rule() {
    let (mut snapshot, _) = load("secretsmanager-secret-tagged");
    let region = snapshot.regions.get_mut("us-east-1").unwrap();
    let secrets = region.secrets.as_mut().unwrap();
    let mut replica = secrets[0].clone();
    replica.arn = replica.arn.replace("us-east-1", "eu-west-1");
    replica.primary_region = Some("us-east-1".to_string());
    secrets[1].deleted_date = Some(snapshot.meta.collected_at - chrono::TimeDelta::days(2));
    let pending = secrets[1].name.clone();
    let mut eu = snapshot.regions["us-east-1"].clone();
    eu.secrets = Some(vec![replica.clone()]);
    snapshot.regions.insert("eu-west-1".to_string(), eu);
    let config = RuleConfig::from_json(
        r#"{"secretsmanager-credential-lifetime": {"maxCredentialLifetimeDays": 90}}"#,
    )
    .unwrap();
    let catalogue = Catalogue::builtin().unwrap();
    let now = snapshot.meta.collected_at;
    let outcome = run_audit(&catalogue, &snapshot, &config, &[], now).unwrap();
    // The IAM rule judges policies, not secrets: replicas and pending deletion do not concern it.
    for rule in RULES.into_iter().filter(|rule| !rule.starts_with("iam-")) {
        let of_rule = |name: &str, region: &str| {
            outcome
                .findings
                .iter()
                .find(|f| f.rule == rule && f.resource.name == name && f.resource.region == region)
                .unwrap_or_else(|| panic!("{rule}: no finding for {name} in {region}"))
        };
        let replica_finding = of_rule(&replica.name, "eu-west-1");
        assert_eq!(
            replica_finding.compliance_type,
            ComplianceType::NotApplicable,
            "{rule}"
        );
        assert!(
            replica_finding.annotation.contains(&format!(
                "replica of `{}`",
                replica.arn.replace("eu-west-1", "us-east-1")
            )),
            "{rule}: {}",
            replica_finding.annotation
        );
        let pending_finding = of_rule(&pending, "us-east-1");
        if rule == "secretsmanager-deleted-secret-access" {
            assert_ne!(
                pending_finding.compliance_type,
                ComplianceType::NotApplicable
            );
        } else {
            assert_eq!(
                pending_finding.compliance_type,
                ComplianceType::NotApplicable,
                "{rule}"
            );
            assert!(
                pending_finding
                    .annotation
                    .starts_with("pending deletion since")
            );
        }
    }
}

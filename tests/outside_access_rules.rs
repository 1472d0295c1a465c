//! `secretsmanager-policy-cross-account` and `-not-public` through the built binary: an outside
//! grant of `GetSecretValue` reaches the value only when the secret's KMS key lets the outsider
//! decrypt. The AWS managed key `aws/secretsmanager` cannot be used cross-account (metadata
//! only), a customer key whose policy names the outsider's account reaches the value, a key
//! policy not collected makes it "possibly", a key policy for the owner alone blocks it.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

mod support;

use serde_json::{Value, json};
use support::{code, json_of, secaudit, stderr};

const KEYS: &str = "arn:aws:kms:us-east-1:111111111111:key/";

fn audit(rule: &str) -> Value {
    let dir = format!("fixtures/rules/{rule}");
    let config = format!("{dir}/config.json");
    let mut args = vec!["audit", "--snapshot", &dir, "--rule", rule];
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(&config)
        .exists()
    {
        args.extend(["--config", &config]);
    }
    args.extend(["--now", "2026-11-01T00:00:00Z", "--format", "json"]);
    let output = secaudit(&args);
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    json_of(&output)
}

fn finding<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["resource"]["name"] == name)
        .unwrap_or_else(|| panic!("no finding for {name}"))
}

/// The evidence of the outsider named `principal`.
fn probe<'a>(finding: &'a Value, principal: &str) -> &'a Value {
    finding["evidence"]["probes"]
        .as_array()
        .expect("probes")
        .iter()
        .find(|p| p["principal"] == principal)
        .unwrap_or_else(|| panic!("no probe {principal} in {finding}"))
}

#[test]
fn cross_account_grants_say_whether_they_reach_the_value() {
    let report = audit("secretsmanager-policy-cross-account");
    let cases = [
        (
            "x/partner",
            "medium",
            "(metadata only: the AWS managed key aws/secretsmanager cannot be used cross-account)",
            "blocked: the AWS managed key aws/secretsmanager cannot be used cross-account",
            None,
        ),
        (
            "x/partner-cmk",
            "high",
            "(reaches the value)",
            "reached",
            Some(("partner-key", true)),
        ),
        (
            "x/partner-uncollected",
            "high",
            "(possibly the value: key policy of arn:aws:kms:us-east-1:111111111111:key/uncollected-key not collected)",
            "possibly: key policy of arn:aws:kms:us-east-1:111111111111:key/uncollected-key not collected",
            Some(("uncollected-key", false)),
        ),
        (
            "x/partner-owner-key",
            "medium",
            "(metadata only: the policy of key arn:aws:kms:us-east-1:111111111111:key/owner-only-key does not let it decrypt)",
            "blocked: the policy of key arn:aws:kms:us-east-1:111111111111:key/owner-only-key does not let it decrypt",
            Some(("owner-only-key", true)),
        ),
    ];
    for (name, severity, note, value, key) in cases {
        let found = finding(&report, name);
        assert_eq!(found["compliance_type"], "NON_COMPLIANT", "{found}");
        assert_eq!(found["severity"], severity, "{found}");
        let annotation = found["annotation"].as_str().expect("an annotation");
        assert!(
            annotation.contains(note)
                && annotation.contains("account 222222222222: GetSecretValue"),
            "{annotation}"
        );
        let partner = probe(found, "account 222222222222");
        assert_eq!(partner["allowed_actions"], json!(["GetSecretValue"]));
        assert_eq!(partner["value"], value);
        if let Some((id, judged)) = key {
            assert_eq!(
                partner["key"],
                json!({"arn": format!("{KEYS}{id}"), "judged": judged})
            );
        }
    }
    // A grant of DescribeSecret alone is metadata whatever the key.
    let auditor = finding(&report, "x/auditor");
    assert!(
        auditor["annotation"]
            .as_str()
            .is_some_and(|a| a.starts_with("untrusted cross-account access (metadata only):")),
        "{auditor}"
    );
}

#[test]
fn public_grants_say_whether_they_reach_the_value() {
    let report = audit("secretsmanager-policy-not-public");
    let managed = finding(&report, "pol/public");
    assert_eq!(managed["compliance_type"], "NON_COMPLIANT");
    assert!(
        managed["annotation"].as_str().is_some_and(|a| a.starts_with(
            "resource policy is public (metadata only: the AWS managed key aws/secretsmanager cannot be used cross-account)"
        )),
        "{managed}"
    );
    let open = finding(&report, "pol/public-cmk");
    assert_eq!(open["compliance_type"], "NON_COMPLIANT");
    assert!(
        open["annotation"]
            .as_str()
            .is_some_and(|a| a.starts_with("resource policy is public (reaches the value)")),
        "{open}"
    );
    assert_eq!(probe(open, "any AWS account")["value"], "reached");
    assert_eq!(
        probe(open, "any AWS account")["key"],
        json!({"arn": format!("{KEYS}open-key"), "judged": true})
    );
}

//! `secaudit access`: a `Conditional` entry names the conditions that left it open
//! (`condition_details`, as the policy writes them) in both JSON views, and the table shows
//! them with `--why`. Driven through the built binary on the demo snapshot, whose
//! `shared/github-deploy-key` is readable only through the VPC endpoint its policy names.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions fail loudly by design"
)]

mod support;

use serde_json::{Value, json};
use support::{json_of, secaudit};

const SECRET: &str = "shared/github-deploy-key";
const ROLE: &str = "arn:aws:iam::111122223333:role/orders-api";

fn access(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "access",
        "--snapshot",
        "fixtures/snapshots/demo",
        "--action",
        "secretsmanager:GetSecretValue",
    ];
    args.extend_from_slice(extra);
    secaudit(&args)
}

fn expected_details() -> Value {
    json!([{"operator": "StringEquals", "key": "aws:SourceVpce",
            "values": ["vpce-0a1b2c3d4e5f67890"]}])
}

#[test]
fn conditional_entries_carry_their_conditions_in_both_views() {
    let report = json_of(&access(&["--format", "json"]));
    let mut conditional = 0;
    for secret in report["secrets"].as_array().expect("secrets") {
        for entry in secret["access"].as_array().expect("entries") {
            if entry["decision"] == "Conditional"
                && !entry["conditions"].as_array().expect("a list").is_empty()
            {
                conditional += 1;
                let details = entry["condition_details"]
                    .as_array()
                    .expect("details on a conditional entry");
                for key in entry["conditions"].as_array().expect("a list") {
                    assert!(
                        details
                            .iter()
                            .any(|d| d["key"].as_str().map(str::to_ascii_lowercase)
                                == key.as_str().map(str::to_ascii_lowercase)),
                        "{entry}"
                    );
                }
            }
            if entry["decision"] == "Allowed" {
                assert!(entry.get("condition_details").is_none(), "{entry}");
            }
        }
    }
    assert!(conditional > 0, "the demo has conditional readers");
    let deploy_key = report["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .find(|s| s["name"] == SECRET)
        .expect("the deploy key");
    let entry = deploy_key["access"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["principal"] == ROLE)
        .expect("the orders API may read it");
    assert_eq!(entry["decision"], "Conditional");
    assert_eq!(entry["conditions"], json!(["aws:SourceVpce"]));
    assert_eq!(entry["condition_details"], expected_details());

    let by_principal = json_of(&access(&["--format", "json", "--by", "principal"]));
    let role = by_principal["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["arn"] == ROLE)
        .expect("the orders API");
    let entry = role["access"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["secret"].as_str().is_some_and(|arn| arn.contains(SECRET)))
        .expect("its entry on the deploy key");
    assert_eq!(entry["condition_details"], expected_details());
}

#[test]
fn the_table_shows_the_conditions_with_why() {
    let line = "if: StringEquals aws:SourceVpce `vpce-0a1b2c3d4e5f67890`";
    let plain = access(&["--format", "table", "--secret", SECRET]);
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(plain.contains("orders-api"), "{plain}");
    assert!(!plain.contains(line), "{plain}");
    for view in [&[][..], &["--by", "principal"][..]] {
        let mut args = vec!["--format", "table", "--secret", SECRET, "--why"];
        args.extend_from_slice(view);
        let output = access(&args);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(line), "{text}");
    }
}

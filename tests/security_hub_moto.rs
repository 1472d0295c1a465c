//! `audit --security-hub` against moto's Security Hub (started by `collect_support/moto.rs`):
//! the built binary audits the demo snapshot (account 111122223333, two regions) from moto's
//! default account, assumes `--security-hub-role` into the demo account, and imports the ASFF
//! findings in batches of 100 per region; `GetFindings` in that account then returns exactly the
//! findings of the `--format asff` report, with their compliance status, severity and workflow.
//! Without the role the findings cannot be sent: the report is still written and the run exits 2.

#![cfg(feature = "aws")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

#[path = "collect_support/moto.rs"]
mod moto;
#[path = "collect_support/seed.rs"]
#[allow(
    dead_code,
    reason = "this crate seeds nothing; it reads findings back as one account"
)]
mod seed_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use secaudit::collect::aws_api::{self, AwsApi};
use secaudit::collect::aws_json;
use serde_json::{Value, json};

use seed_support::{MotoAccount, seed_config};

const DEMO: &str = "fixtures/snapshots/demo";
const DEMO_ACCOUNT: &str = "111122223333";
const MUTES: &str = "tests/fixtures/lifecycle/mutes.json";

fn audit(endpoint: &str, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        "2026-11-01T00:00:00Z",
        "--format",
        "asff",
        "--output",
        output.to_str().unwrap(),
        "--mutes",
        MUTES,
        "--security-hub",
    ];
    args.extend(extra);
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIAMOTOTESTKEY00002")
        .env("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Every finding GetFindings returns in `region` of the demo account, by Id.
/// The findings Security Hub holds in `region` for the demo account, by `Id`, read back with
/// GetFindings (REST-JSON `POST /findings`, every page).
async fn landed(endpoint: &str, region: &str) -> BTreeMap<String, Value> {
    let sdk = seed_config(endpoint, region).await;
    let client = AwsApi::with_interceptors(
        &sdk,
        aws_api::SECURITY_HUB,
        region,
        DEMO_ACCOUNT,
        aws_json::parse_error,
        vec![SharedInterceptor::new(MotoAccount(DEMO_ACCOUNT.to_owned()))],
    );
    let mut found = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"MaxResults": 100});
        if let Some(token) = &token {
            body["NextToken"] = json!(token);
        }
        let page = aws_json::rest_json(&client, "GetFindings", "/findings", &body)
            .await
            .unwrap();
        for finding in page["Findings"].as_array().unwrap() {
            found.insert(finding["Id"].as_str().unwrap().to_owned(), finding.clone());
        }
        token = page["NextToken"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_asff_report_lands_in_security_hub_finding_for_finding() {
    let Some(server) = moto::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("findings.asff.json");
    let output = audit(
        &server.endpoint,
        &report,
        &["--security-hub-role", "secaudit-import"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Vec<Value> = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut by_region: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for finding in &written {
        let region = finding["ProductArn"]
            .as_str()
            .unwrap()
            .split(':')
            .nth(3)
            .unwrap();
        by_region
            .entry(region.to_owned())
            .or_default()
            .push(finding);
    }
    assert_eq!(
        by_region.keys().collect::<Vec<_>>(),
        ["eu-west-1", "us-east-1"],
        "the demo spans two regions (IAM findings filed in us-east-1)"
    );
    assert!(by_region["us-east-1"].len() > 200, "several batches of 100");
    for (region, expected) in &by_region {
        let landed = landed(&server.endpoint, region).await;
        assert_eq!(landed.len(), expected.len(), "{region}");
        for finding in expected {
            let id = finding["Id"].as_str().unwrap();
            let got = landed
                .get(id)
                .unwrap_or_else(|| panic!("{id} not in Security Hub ({region})"));
            assert_eq!(got["AwsAccountId"], DEMO_ACCOUNT);
            for path in [
                "/ProductArn",
                "/Compliance/Status",
                "/Severity/Label",
                "/Workflow/Status",
                "/Resources/0/Id",
            ] {
                assert_eq!(got.pointer(path), finding.pointer(path), "{id}: {path}");
                assert!(got.pointer(path).is_some(), "{id}: {path}");
            }
        }
    }
    // The mutes file's accepted risks arrive suppressed, with the owner in the note.
    let us = landed(&server.endpoint, "us-east-1").await;
    let suppressed: Vec<_> = us
        .values()
        .filter(|f| f["Workflow"]["Status"] == "SUPPRESSED")
        .collect();
    assert!(!suppressed.is_empty());
    assert!(
        suppressed
            .iter()
            .all(|f| f["Note"]["UpdatedBy"].as_str().is_some())
    );
}

#[test]
fn findings_of_an_account_that_cannot_be_reached_fail_the_run_after_the_report() {
    let Some(server) = moto::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("findings.asff.json");
    // No role: moto's default account is not the demo account.
    let output = audit(&server.endpoint, &report, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let written: Vec<Value> = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(written.len() > 100, "the report is written first");
    let all = written.len();
    assert!(
        stderr.contains(&format!("{all} of {all} findings were not imported"))
            && stderr.contains("--security-hub-role"),
        "{stderr}"
    );
}

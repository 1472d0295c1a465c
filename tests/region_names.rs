//! Region names become directory names in a snapshot, so none is trusted to be a path: a
//! `--region`, an `AWS_REGION` or a Config event's region that is not shaped like an AWS region
//! name is refused with one line and exit 2 before any AWS call and before anything is written,
//! and a snapshot whose `snapshot.json` lists a region that is not a region name is refused.
//! No moto: the endpoint is a closed port, so a name that passes fails later on credentials.

mod support;

#[cfg(feature = "aws")]
use std::path::Path;
#[cfg(feature = "aws")]
use std::process::{Command, Output};

use support::{code, copy_dir, root, secaudit, stderr};

/// Runs the binary with no credentials and every AWS endpoint on a closed local port.
#[cfg(feature = "aws")]
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failed step is a failed test"
)]
fn offline(args: &[&str], aws_region: Option<&str>, home: &Path) -> Output {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
    command
        .args(args)
        .current_dir(root())
        .env_clear()
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", &closed)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_MAX_ATTEMPTS", "1");
    if let Some(region) = aws_region {
        command.env("AWS_REGION", region);
    }
    command.output().unwrap()
}

#[cfg(feature = "aws")]
#[test]
fn collect_refuses_a_region_that_is_not_a_region_name() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("a/b/snap");
    let out = out.to_str().unwrap();
    for (args, aws_region, expected) in [
        (
            vec!["collect", "--region", "../../escape-1", "--output", out],
            Some("us-east-1"),
            "error: --region: `../../escape-1` is not an AWS region name (like `us-east-1` or `us-gov-west-1`)",
        ),
        (
            vec![
                "collect",
                "--region",
                "us-east-1",
                "--region",
                "US-EAST-1",
                "--output",
                out,
            ],
            None,
            "error: --region: `US-EAST-1` is not an AWS region name",
        ),
        (
            vec!["collect", "--region", "us-east-1\u{1b}[2J", "--output", out],
            None,
            "error: --region: `us-east-1\\u{1b}[2J` is not an AWS region name",
        ),
        (
            vec![
                "audit",
                "--region",
                "all",
                "--region",
                "eu-west-1/..",
                "--format",
                "json",
            ],
            None,
            "error: --region: `eu-west-1/..` is not an AWS region name",
        ),
        (
            vec!["collect", "--output", out],
            Some("../escape-1"),
            "error: cannot collect: `../escape-1` is not an AWS region name (like `us-east-1`): check `--region`, `AWS_REGION` and the profile's region",
        ),
    ] {
        let output = offline(&args, aws_region, scratch.path());
        let stderr = stderr(&output);
        assert_eq!(code(&output), 2, "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // Nothing was written: neither the output directory nor anything beside it.
    let left: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name != ".aws")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Names of every AWS partition's shape pass validation: the run gets as far as the missing
/// credentials.
#[cfg(feature = "aws")]
#[test]
fn collect_accepts_region_names_of_every_partition() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("snap");
    for region in [
        "us-gov-west-1",
        "cn-north-1",
        "eu-isoe-west-1",
        "ap-southeast-7",
    ] {
        let output = offline(
            &[
                "collect",
                "--region",
                region,
                "--output",
                out.to_str().unwrap(),
            ],
            None,
            scratch.path(),
        );
        let stderr = stderr(&output);
        assert_eq!(code(&output), 2, "{stderr}");
        assert!(
            !stderr.contains("not an AWS region name"),
            "{region}: {stderr}"
        );
        assert!(stderr.contains("credentials"), "{region}: {stderr}");
    }
}

/// A Config event whose rule ARN names something other than a region is refused before any
/// AWS call.
#[cfg(feature = "config-rule")]
#[test]
fn config_rule_refuses_an_event_region_that_is_not_a_region_name() {
    let scratch = tempfile::tempdir().unwrap();
    let mut event: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/config-rule/scheduled.json")).unwrap(),
    )
    .unwrap();
    event["configRuleArn"] = serde_json::json!(
        "arn:aws:config:../../tmp/x-1:111122223333:config-rule/config-rule-a1b2c3"
    );
    let path = scratch.path().join("event.json");
    std::fs::write(&path, event.to_string()).unwrap();
    let output = offline(
        &[
            "config-rule",
            "--event",
            path.to_str().unwrap(),
            "--dry-run",
        ],
        Some("us-east-1"),
        scratch.path(),
    );
    let stderr = stderr(&output);
    assert_eq!(code(&output), 2, "{stderr}");
    assert_eq!(
        stderr,
        "error: configRuleArn: `../../tmp/x-1` is not an AWS region name (like `us-east-1` or `us-gov-west-1`)\n"
    );
}

/// `snapshot.json` is collected data, not trusted: a region that is not a region name never
/// becomes a path to read.
#[test]
fn a_snapshot_listing_a_path_as_a_region_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let snapshot = scratch.path().join("snap");
    copy_dir(&root().join("fixtures/snapshots/demo"), &snapshot);
    let meta_path = snapshot.join("snapshot.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["regions"] = serde_json::json!(["us-east-1", "../../outside-1"]);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let output = secaudit(&[
        "audit",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let stderr = stderr(&output);
    assert_eq!(code(&output), 2, "{stderr}");
    assert!(
        stderr.contains("regions[1]: expected a region name, found `../../outside-1`"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

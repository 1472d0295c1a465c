//! Bad snapshot data costs only what it touches (issue 11, items 1–3 and 5), driven through the
//! built binary on copies of the demo snapshot with one record broken: the report is still
//! written, the run exits 3, the resources the bad record concerns are INSUFFICIENT_DATA naming
//! the file, JSON path and reason, every other finding is as on the intact snapshot, and
//! `--strict` keeps the old behaviour (exit 2, no report).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use support::{copy_dir, root, stderr};

const DEMO: &str = "fixtures/snapshots/demo";
const NOW: &str = "2026-11-01T00:00:00Z";
const EAST: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:";

/// A copy of the demo snapshot.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(DEMO), dir.path());
    dir
}

fn edit(dir: &Path, file: &str, change: impl FnOnce(&mut Value)) {
    let path = dir.join(file);
    let mut value: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut value);
    fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

fn audit(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "-q",
        "audit",
        "--snapshot",
        dir.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(&args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// (rule, resource id) → finding.
fn findings(output: &Output) -> BTreeMap<(String, String), Value> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON report: {e}; stderr: {}", stderr(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = (
                f["rule"].as_str().unwrap().to_owned(),
                format!(
                    "{}@{}",
                    f["resource"]["id"].as_str().unwrap(),
                    f["resource"]["region"].as_str().unwrap()
                ),
            );
            (key, f.clone())
        })
        .collect()
}

fn baseline() -> BTreeMap<(String, String), Value> {
    let output = audit(&root().join(DEMO), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    findings(&output)
}

/// Runs the audit on a broken copy and checks the promise: exit 3, a report, the findings
/// `changed` selects are INSUFFICIENT_DATA naming `needle`, and every other finding is the
/// same as on the intact demo. Returns the findings that changed.
fn check_tolerant(
    dir: &Path,
    needle: &str,
    changed: impl Fn(&str, &str) -> bool,
) -> Vec<(String, String)> {
    let before = baseline();
    let output = audit(dir, &[]);
    assert_eq!(output.status.code(), Some(3), "stderr: {}", stderr(&output));
    assert!(stderr(&output).is_empty(), "-q keeps stderr quiet");
    let after = findings(&output);
    let mut touched = Vec::new();
    for (key, finding) in &after {
        let (rule, id) = key;
        if changed(rule, id) {
            assert_eq!(
                finding["compliance_type"], "INSUFFICIENT_DATA",
                "{rule} {id}: {finding}"
            );
            let annotation = finding["annotation"].as_str().unwrap();
            assert!(annotation.contains(needle), "{rule} {id}: {annotation}");
            touched.push(key.clone());
        } else if let Some(old) = before.get(key) {
            assert_eq!(
                finding["compliance_type"], old["compliance_type"],
                "{rule} {id} changed: {finding}"
            );
        } else {
            assert_eq!(finding["compliance_type"], "INSUFFICIENT_DATA", "{finding}");
            assert!(
                finding["annotation"].as_str().unwrap().contains(needle),
                "{finding}"
            );
            touched.push(key.clone());
        }
    }
    assert!(
        !touched.is_empty(),
        "nothing was reported for the bad record"
    );
    // `--strict`: the old behaviour, exit 2 and no report.
    let strict = audit(dir, &["--strict"]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
    assert!(strict.stdout.is_empty());
    assert!(
        stderr(&strict).contains("cannot load snapshot"),
        "{}",
        stderr(&strict)
    );
    touched
}

fn arn_at(dir: &Path, file: &str, index: usize) -> String {
    let value: Value = serde_json::from_str(&fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    let list = value.get("SecretList").unwrap_or(&value);
    list[index]["ARN"].as_str().unwrap().to_owned()
}

const POLICIES: &str = "us-east-1/secretsmanager/get-resource-policy.json";

#[test]
fn one_resource_policy_that_is_not_json_costs_only_its_secret() {
    let dir = demo_copy();
    let mut arn = String::new();
    edit(dir.path(), POLICIES, |value| {
        let with_policy = value
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|output| output.get("ResourcePolicy").is_some())
            .unwrap();
        arn = with_policy["ARN"].as_str().unwrap().to_owned();
        with_policy["ResourcePolicy"] = json!("{\"Version\": \"2012-10-17\", \"Statement\": [");
    });
    let touched = check_tolerant(dir.path(), "get-resource-policy.json: $[", |rule, id| {
        id.starts_with(&arn)
            && [
                "secretsmanager-policy-not-public",
                "secretsmanager-policy-cross-account",
                "secretsmanager-secret-broad-readers",
            ]
            .contains(&rule)
    });
    assert_eq!(touched.len(), 3, "{touched:?}");
}

#[test]
fn an_error_object_in_describe_secret_makes_that_secret_insufficient_for_every_rule() {
    let dir = demo_copy();
    let file = "us-east-1/secretsmanager/describe-secret.json";
    let arn = arn_at(dir.path(), file, 2);
    edit(dir.path(), file, |value| {
        value[2] = json!({"ARN": arn, "Error": {"Code": "ResourceNotFoundException"},
            "RotationEnabled": "yes"});
    });
    let touched = check_tolerant(dir.path(), "RotationEnabled", |_, id| id.starts_with(&arn));
    assert!(touched.len() >= 10, "{touched:?}");
}

#[test]
fn a_field_of_the_wrong_type_in_list_secrets_without_an_arn_is_reported_for_its_region() {
    let dir = demo_copy();
    let file = "us-east-1/secretsmanager/list-secrets.json";
    let removed = arn_at(dir.path(), file, 0);
    edit(dir.path(), file, |value| {
        value["SecretList"][0] = json!({"Name": 17});
    });
    // The secret is also described: the region still knows it, from describe-secret.
    let before = baseline();
    let output = audit(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let after = findings(&output);
    let region_findings: Vec<&Value> = after
        .values()
        .filter(|f| f["resource"]["name"] == "records in us-east-1")
        .collect();
    assert_eq!(region_findings.len(), 15, "one per rule");
    for finding in region_findings {
        assert_eq!(finding["compliance_type"], "INSUFFICIENT_DATA");
        let annotation = finding["annotation"].as_str().unwrap();
        assert!(
            annotation.contains("list-secrets.json: $.SecretList[0].ARN: missing"),
            "{annotation}"
        );
    }
    let unchanged = before
        .iter()
        .filter(|((_, id), _)| !id.starts_with(&removed))
        .all(|(key, old)| after[key]["compliance_type"] == old["compliance_type"]);
    assert!(unchanged, "other secrets keep their verdicts");
    assert_eq!(audit(dir.path(), &["--strict"]).status.code(), Some(2));
}

#[test]
fn a_truncated_cloudtrail_event_costs_the_events_rules_their_region() {
    let dir = demo_copy();
    let file = "us-east-1/cloudtrail/lookup-events.json";
    edit(dir.path(), file, |value| {
        let event = &mut value["Events"][0];
        let text = event["CloudTrailEvent"].as_str().unwrap().to_owned();
        event["CloudTrailEvent"] = json!(text[..text.len() / 2]);
        event.as_object_mut().unwrap().remove("Resources");
    });
    let event_rules = [
        "secretsmanager-deleted-secret-access",
        "secretsmanager-rotation-failures",
        "secretsmanager-scheduled-rotation-success-check",
    ];
    // An event that names no secret could concern any secret of its region.
    let before = baseline();
    check_tolerant(dir.path(), "Events[0].CloudTrailEvent", |rule, id| {
        let judged = before
            .get(&(rule.to_owned(), id.to_owned()))
            .is_some_and(|f| f["compliance_type"] != "NOT_APPLICABLE");
        judged && event_rules.contains(&rule) && id.starts_with(EAST)
    });
}

#[test]
fn impossible_dates_are_bad_records() {
    for (field, date) in [
        ("LastRotatedDate", json!(1_790_000_000_000_i64)),
        ("LastChangedDate", json!("2099-01-01T00:00:00Z")),
        ("CreatedDate", json!("1970-01-02T00:00:00Z")),
    ] {
        let dir = demo_copy();
        let file = "us-east-1/secretsmanager/list-secrets.json";
        let arn = arn_at(dir.path(), file, 1);
        edit(dir.path(), file, |value| {
            value["SecretList"][1][field] = date;
        });
        let needle = format!("SecretList[1].{field}: impossible date");
        check_tolerant(dir.path(), &needle, |_, id| id.starts_with(&arn));
    }
}

#[test]
fn an_impossible_cloudtrail_time_is_a_bad_event() {
    let dir = demo_copy();
    let file = "us-east-1/cloudtrail/lookup-events.json";
    edit(dir.path(), file, |value| {
        let event = &mut value["Events"][0];
        let mut detail: Value =
            serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap();
        detail["eventTime"] = json!("2099-01-01T00:00:00Z");
        event["CloudTrailEvent"] = json!(detail.to_string());
    });
    let output = audit(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        text.contains("Events[0].CloudTrailEvent.eventTime: impossible date"),
        "{text}"
    );
}

const IAM: &str = "iam/get-account-authorization-details.json";

#[test]
fn an_iam_policy_the_parser_rejects_is_insufficient_data_naming_the_policy() {
    let dir = demo_copy();
    let mut policy_arn = String::new();
    edit(dir.path(), IAM, |value| {
        let policy = &mut value["Policies"][0];
        policy_arn = policy["Arn"].as_str().unwrap().to_owned();
        for version in policy["PolicyVersionList"].as_array_mut().unwrap() {
            version["Document"]["Statement"][0]["Action"] = json!("s3:");
        }
    });
    let needle = format!("IAM policy `{policy_arn}` cannot be loaded");
    let before = baseline();
    let touched = check_tolerant(dir.path(), &needle, |rule, id| {
        let judged = before
            .get(&(rule.to_owned(), id.to_owned()))
            .is_some_and(|f| f["compliance_type"] != "NOT_APPLICABLE");
        (rule == "secretsmanager-secret-broad-readers" && judged)
            || (rule == "iam-secret-wildcard-overmatch" && id.starts_with(&policy_arn))
    });
    assert!(
        touched
            .iter()
            .any(|(rule, _)| rule == "iam-secret-wildcard-overmatch")
    );
}

#[test]
fn an_scp_the_parser_rejects_is_insufficient_data_naming_it() {
    let dir = demo_copy();
    edit(dir.path(), "organizations/policies.json", |value| {
        let scps = value["scps"].as_array_mut().unwrap();
        let first = scps
            .iter_mut()
            .flat_map(|level| level.as_array_mut().unwrap())
            .next()
            .unwrap();
        let policy = &mut first["Policy"];
        let mut document: Value =
            serde_json::from_str(policy["Content"].as_str().unwrap()).unwrap();
        document["Statement"][0]["Condition"] = json!({"StringEqualsX": {"aws:x": "y"}});
        policy["Content"] = json!(document.to_string());
    });
    let output = audit(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(text.contains("cannot be loaded"), "{text}");
    assert!(text.contains("SCP `"), "{text}");
}

#[test]
fn unreadable_files_count_as_not_collected() {
    let dir = demo_copy();
    fs::write(
        dir.path().join("us-east-1/cloudtrail/lookup-events.json"),
        "{\"Events\": [",
    )
    .unwrap();
    let output = audit(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let mut judged = 0;
    for (key, finding) in findings(&output) {
        if key.0 == "secretsmanager-rotation-failures"
            && key.1.ends_with("@us-east-1")
            && finding["compliance_type"] != "NOT_APPLICABLE"
        {
            judged += 1;
            assert_eq!(finding["compliance_type"], "INSUFFICIENT_DATA", "{finding}");
            let annotation = finding["annotation"].as_str().unwrap();
            assert!(
                annotation.contains("lookup-events.json: invalid JSON"),
                "{annotation}"
            );
        }
    }
    assert!(judged > 0);
}

/// Item 5: a FIFO and a symlink to `/dev/zero` in the snapshot are not read (no hang, no
/// unbounded read); they count as unreadable files.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = demo_copy();
    let fifo: PathBuf = dir.path().join("us-east-1/cloudtrail/lookup-events.json");
    fs::remove_file(&fifo).unwrap();
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let zero = dir
        .path()
        .join("eu-west-1/secretsmanager/list-secret-version-ids.json");
    fs::remove_file(&zero).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args([
            "-q",
            "audit",
            "--snapshot",
            dir.path().to_str().unwrap(),
            "--now",
            NOW,
        ])
        .args(["--format", "json", "--output"])
        .arg(dir.path().join("report.json"))
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("audit hangs on a FIFO or reads /dev/zero");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(3));
    let report = fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(report.contains("not a regular file"), "{report}");
    assert!(report.contains("lookup-events.json"), "{report}");
}

//! Mutes and baselines driven through the built binary on the demo snapshot: which findings a
//! mutes file covers (wildcards, narrowing, end-of-day expiry), expired and unused mutes,
//! `muted_by_rule`, `--fail-on` ignoring muted findings and, with a baseline, unchanged ones;
//! `change` and `resolved` checked against an independent comparison of the two JSON reports;
//! the MUTED and CHANGE CSV columns; goldens; and every malformed mutes file or unusable
//! baseline refused with exit 2 and one line naming the file and the JSON path.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

mod support;
use support::{code, copy_dir, json_of, root, secaudit, stderr};

const DEMO: &str = "fixtures/snapshots/demo";
const MUTES: &str = "tests/fixtures/lifecycle/mutes.json";
const NOW: &str = "2026-11-01T00:00:00Z";
const EARLIER: &str = "2026-09-01T00:00:00Z";

/// The demo audit at `now` with extra arguments.
fn demo(now: &str, format: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        now,
        "--format",
        format,
    ];
    args.extend(extra);
    secaudit(&args)
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn key(finding: &Value) -> (String, String) {
    (
        finding["rule"].as_str().unwrap().to_string(),
        finding["resource"]["id"].as_str().unwrap().to_string(),
    )
}

fn check_golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read `{}`: {e}; run `UPDATE_GOLDEN=1 cargo test --test audit_lifecycle`",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "`{}` differs from the report; if intended, run `UPDATE_GOLDEN=1 cargo test --test \
         audit_lifecycle`\n{}",
        path.display(),
        String::from_utf8_lossy(actual)
    );
}

/// The secret name at the end of a secret ARN (`…:secret:prod/db-AbCdEf` → `prod/db-AbCdEf`).
fn tail(id: &str) -> &str {
    id.rsplit(":secret:").next().unwrap()
}

#[test]
fn mutes_mark_the_covered_failing_findings_and_list_expired_and_unused_ones() {
    let plain = json_of(&demo(NOW, "json", &[]));
    let output = demo(NOW, "json", &["--mutes", MUTES]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json_of(&output);

    // Same findings, same compliance types: a mute only adds a mark.
    let strip = |report: &Value| -> Vec<Value> {
        findings(report)
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.as_object_mut().unwrap().remove("muted");
                f
            })
            .collect()
    };
    assert_eq!(strip(&report), strip(&plain));
    assert!(findings(&plain).iter().all(|f| f.get("muted").is_none()));

    let muted: BTreeSet<(String, String)> = findings(&report)
        .iter()
        .filter(|f| f.get("muted").is_some())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                tail(f["resource"]["id"].as_str().unwrap()).to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        // Mute 0: `prod/*` crosses `/`; the region part `*` crosses nothing but a region.
        (
            "secretsmanager-rotation-enabled-check",
            "prod/api/stripe-key-Tq7Vn1",
        ),
        (
            "secretsmanager-rotation-enabled-check",
            "prod/eu/sendgrid-api-key-Fg3Hi4",
        ),
        (
            "secretsmanager-rotation-enabled-check",
            "prod/integrations/zendesk-Hi1Jk2",
        ),
        (
            "secretsmanager-rotation-enabled-check",
            "prod/orders/redis-auth-Pq5Rs6",
        ),
        (
            "secretsmanager-rotation-enabled-check",
            "prod/payments/webhook-signing-Qr9St0",
        ),
        // Mute 1: `policy-*` and `??????`, expiring exactly at the run's time (still in force).
        (
            "secretsmanager-policy-cross-account",
            "shared/datadog-api-key-Yz3Ab4",
        ),
        (
            "secretsmanager-policy-not-public",
            "shared/datadog-api-key-Yz3Ab4",
        ),
        // Mute 4: narrowed to eu-west-1.
        ("secretsmanager-secret-unused", "dev/eu/sandbox-Jk5Lm6"),
        (
            "secretsmanager-secret-unused",
            "prod/orders/redis-auth-Pq5Rs6",
        ),
    ]
    .into_iter()
    .map(|(rule, name)| (rule.to_string(), name.to_string()))
    .collect();
    assert_eq!(muted, expected);
    for finding in findings(&report) {
        if let Some(note) = finding.get("muted") {
            assert_eq!(finding["compliance_type"], "NON_COMPLIANT", "{finding}");
            let keys: BTreeSet<&str> = note
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, BTreeSet::from(["reason", "owner", "expires"]));
        }
    }
    let first = findings(&report)
        .iter()
        .find(|f| f["rule"] == "secretsmanager-rotation-enabled-check" && f.get("muted").is_some())
        .unwrap();
    assert_eq!(
        first["muted"],
        json!({"reason": "rotated by the vault migration, ticket SEC-142",
               "owner": "payments-team", "expires": "2027-01-31"})
    );

    // muted_by_rule counts exactly the marked findings, every rule listed.
    let by_rule = report["summary"]["muted_by_rule"].as_object().unwrap();
    let mut counted: BTreeMap<String, u64> = report["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .keys()
        .map(|rule| (rule.clone(), 0))
        .collect();
    for (rule, _) in &muted {
        *counted.get_mut(rule).unwrap() += 1;
    }
    let reported: BTreeMap<String, u64> = by_rule
        .iter()
        .map(|(rule, count)| (rule.clone(), count.as_u64().unwrap()))
        .collect();
    assert_eq!(reported, counted);

    // The tagging mute lapsed the day before; the legacy CMK mute matched nothing.
    let expired = report["run"]["expired_mutes"].as_array().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["index"], 2);
    assert_eq!(expired[0]["expires"], "2026-10-31");
    assert_eq!(expired[0]["owner"], "platform");
    let unused = report["run"]["unused_mutes"].as_array().unwrap();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["index"], 3);
    assert!(
        findings(&report)
            .iter()
            .filter(|f| f["rule"] == "secretsmanager-secret-tagged")
            .all(|f| f.get("muted").is_none()),
        "an expired mute mutes nothing"
    );
    assert!(plain["run"].get("expired_mutes").is_none());
    assert!(plain["summary"].get("muted_by_rule").is_none());
}

#[test]
fn a_date_mute_holds_through_the_end_of_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mutes.json");
    fs::write(
        &file,
        json!({"mutes": [{"rule": "secretsmanager-secret-tagged", "resource": "*",
            "reason": "r", "owner": "o", "expires": "2026-11-01"}]})
        .to_string(),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let count_muted = |now: &str| {
        let report = json_of(&demo(now, "json", &["--mutes", file]));
        let muted = findings(&report)
            .iter()
            .filter(|f| f.get("muted").is_some())
            .count();
        let expired = report["run"]["expired_mutes"].as_array().unwrap().len();
        (muted, expired)
    };
    let (muted, expired) = count_muted("2026-11-01T23:59:59Z");
    assert!(muted > 0);
    assert_eq!(expired, 0);
    assert_eq!(count_muted("2026-11-02T00:00:00Z"), (0, 1));
}

#[test]
fn muted_findings_do_not_count_for_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let report = json_of(&demo(NOW, "json", &[]));
    // Mute every high or critical NON_COMPLIANT finding, one mute per finding.
    let mutes: Vec<Value> = findings(&report)
        .iter()
        .filter(|f| f["compliance_type"] == "NON_COMPLIANT")
        .filter(|f| matches!(f["severity"].as_str().unwrap(), "high" | "critical"))
        .map(|f| {
            json!({"rule": f["rule"], "resource": f["resource"]["id"], "reason": "accepted",
                   "owner": "security", "expires": "2027-01-01"})
        })
        .collect();
    assert!(mutes.len() >= 5, "fixture premise");
    let file = dir.path().join("mutes.json");
    fs::write(&file, json!({"mutes": mutes}).to_string()).unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(code(&demo(NOW, "json", &["--fail-on", "high"])), 1);
    assert_eq!(
        code(&demo(NOW, "json", &["--fail-on", "high", "--mutes", file])),
        0
    );
    assert_eq!(
        code(&demo(
            NOW,
            "json",
            &["--fail-on", "medium", "--mutes", file]
        )),
        1
    );
    // Once lapsed, the same mutes no longer shield the gate.
    assert_eq!(
        code(&demo(
            "2027-01-02T00:00:00Z",
            "json",
            &["--fail-on", "high", "--mutes", file]
        )),
        1
    );
}

#[test]
fn malformed_mutes_files_are_exit_2_with_one_line_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let good = json!({"rule": "r", "resource": "*", "reason": "why", "owner": "who",
                      "expires": "2027-01-01"});
    let without = |key: &str| {
        let mut entry = good.clone();
        entry.as_object_mut().unwrap().remove(key);
        json!({"mutes": [good.clone(), entry]}).to_string()
    };
    let with = |key: &str, value: Value| {
        let mut entry = good.clone();
        entry[key] = value;
        json!({"mutes": [entry]}).to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (without("reason"), "$.mutes[1].reason"),
        (without("owner"), "$.mutes[1].owner"),
        (without("expires"), "$.mutes[1].expires"),
        (without("resource"), "$.mutes[1].resource"),
        (with("expires", json!("someday")), "$.mutes[0].expires"),
        (with("expires", json!(20270101)), "$.mutes[0].expires"),
        (with("owner", json!("")), "$.mutes[0].owner"),
        (with("comment", json!("x")), "$.mutes[0].comment"),
        (with("region", json!(["us-east-1"])), "$.mutes[0].region"),
        (json!({"mute": []}).to_string(), "$.mute"),
        (json!([good]).to_string(), "$"),
        // A syntax error is placed by line and column: there is no value to name yet.
        ("{\"mutes\": [".to_string(), "at line 1 column"),
    ];
    for (index, (text, path)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("mutes-{index}.json"));
        fs::write(&file, text).unwrap();
        let output = demo(NOW, "json", &["--mutes", file.to_str().unwrap()]);
        assert_eq!(code(&output), 2, "{text}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "no report for a bad mutes file");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(
            message.contains(&format!("mutes-{index}.json")) && message.contains(path),
            "{text}: expected the file and `{path}` in {message}"
        );
    }
    let missing = demo(
        NOW,
        "json",
        &["--mutes", "tests/fixtures/lifecycle/none.json"],
    );
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("none.json"));
}

/// A baseline made from the demo audit at an earlier time, edited the way a real history
/// differs: one finding dropped (so it is new now), one COMPLIANT finding recorded as
/// NON_COMPLIANT (resolved now), a finding of a secret deleted since (resolved: gone), and a
/// failing finding of a rule this run does not run (never resolved).
fn edited_baseline(dir: &Path) -> (PathBuf, Value) {
    let mut baseline = json_of(&demo(EARLIER, "json", &[]));
    let list = baseline["findings"].as_array_mut().unwrap();
    let dropped = list
        .iter()
        .position(|f| {
            f["rule"] == "secretsmanager-secret-tagged" && f["compliance_type"] == "NON_COMPLIANT"
        })
        .unwrap();
    list.remove(dropped);
    let fixed = list
        .iter_mut()
        .find(|f| f["rule"] == "secretsmanager-using-cmk" && f["compliance_type"] == "COMPLIANT")
        .unwrap();
    fixed["compliance_type"] = json!("NON_COMPLIANT");
    let mut gone = list
        .iter()
        .find(|f| f["rule"] == "secretsmanager-rotation-enabled-check")
        .unwrap()
        .clone();
    gone["resource"]["id"] =
        json!("arn:aws:secretsmanager:us-east-1:111122223333:secret:old/deleted-AbCdEf");
    gone["resource"]["region"] = json!("us-east-1");
    gone["compliance_type"] = json!("NON_COMPLIANT");
    list.push(gone);
    let mut other_rule = list[0].clone();
    other_rule["rule"] = json!("a-rule-removed-since");
    other_rule["compliance_type"] = json!("NON_COMPLIANT");
    list.push(other_rule);
    let path = dir.join("baseline.json");
    fs::write(&path, serde_json::to_string_pretty(&baseline).unwrap()).unwrap();
    (path, baseline)
}

#[test]
fn a_baseline_marks_each_finding_and_lists_what_was_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let (path, baseline) = edited_baseline(dir.path());
    let output = demo(NOW, "json", &["--baseline", path.to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json_of(&output);

    // Independent comparison of the two reports.
    let before: BTreeMap<(String, String), String> = findings(&baseline)
        .iter()
        .map(|f| (key(f), f["compliance_type"].as_str().unwrap().to_string()))
        .collect();
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings(&report) {
        let expected = match before.get(&key(finding)) {
            None => "new",
            Some(previous) if previous == finding["compliance_type"].as_str().unwrap() => {
                "unchanged"
            }
            Some(_) => "changed",
        };
        assert_eq!(finding["change"], expected, "{finding}");
        *tally.entry(expected).or_default() += 1;
    }
    assert_eq!(tally["new"], 1);
    assert_eq!(
        tally["changed"], 7,
        "6 regressions since September and the edited one"
    );
    let now: BTreeMap<(String, String), String> = findings(&report)
        .iter()
        .map(|f| (key(f), f["compliance_type"].as_str().unwrap().to_string()))
        .collect();
    let ran: BTreeSet<&str> = report["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected_resolved: BTreeSet<(String, String)> = findings(&baseline)
        .iter()
        .filter(|f| f["compliance_type"] == "NON_COMPLIANT")
        .filter(|f| ran.contains(f["rule"].as_str().unwrap()))
        .filter(|f| now.get(&key(f)).is_none_or(|c| c != "NON_COMPLIANT"))
        .map(key)
        .collect();
    let resolved = report["resolved"].as_array().unwrap();
    let got: BTreeSet<(String, String)> = resolved.iter().map(key).collect();
    assert_eq!(got, expected_resolved);
    assert_eq!(resolved.len(), 2);
    for entry in resolved {
        let keys: BTreeSet<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["rule", "resource", "previous_compliance_type", "reason"])
        );
        assert_eq!(entry["previous_compliance_type"], "NON_COMPLIANT");
        assert_eq!(entry["resource"]["account_id"], "111122223333");
    }
    let gone = resolved
        .iter()
        .find(|r| {
            r["resource"]["id"]
                .as_str()
                .unwrap()
                .contains("old/deleted")
        })
        .unwrap();
    assert!(gone["reason"].as_str().unwrap().contains("gone"), "{gone}");
    let fixed = resolved
        .iter()
        .find(|r| r["rule"] == "secretsmanager-using-cmk")
        .unwrap();
    assert_eq!(fixed["reason"], "now COMPLIANT");

    // Rules that did not run resolve nothing.
    let subset = json_of(&demo(
        NOW,
        "json",
        &[
            "--baseline",
            path.to_str().unwrap(),
            "--rule",
            "secretsmanager-secret-tagged",
        ],
    ));
    assert_eq!(subset["resolved"], json!([]));
}

#[test]
fn with_a_baseline_fail_on_counts_only_new_or_changed_findings() {
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.json");
    fs::write(&same, demo(NOW, "json", &[]).stdout).unwrap();
    let same = same.to_str().unwrap();
    assert_eq!(code(&demo(NOW, "json", &["--fail-on", "informational"])), 1);
    let output = demo(
        NOW,
        "json",
        &["--fail-on", "informational", "--baseline", same],
    );
    assert_eq!(
        code(&output),
        0,
        "the known backlog does not fail: {}",
        stderr(&output)
    );
    let report = json_of(&output);
    assert!(findings(&report).iter().all(|f| f["change"] == "unchanged"));
    assert_eq!(report["resolved"], json!([]));

    // Against September, the regressions are high (deleted-secret access, rotation failures)
    // and medium: `--fail-on high` fires on them, and stays quiet once they are the baseline.
    let september = dir.path().join("september.json");
    fs::write(&september, demo(EARLIER, "json", &[]).stdout).unwrap();
    let september = september.to_str().unwrap();
    assert_eq!(
        code(&demo(
            NOW,
            "json",
            &["--fail-on", "high", "--baseline", september]
        )),
        1
    );
    assert_eq!(
        code(&demo(
            NOW,
            "json",
            &["--fail-on", "critical", "--baseline", september]
        )),
        0
    );
    assert_eq!(code(&demo(NOW, "json", &["--fail-on", "critical"])), 1);
}

#[test]
fn unusable_baselines_are_exit_2_with_one_line_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let report = json_of(&demo(NOW, "json", &[]));
    let mut other_account = report.clone();
    other_account["run"]["snapshot"]["account_id"] = json!("999999999999");
    let mut other_version = report.clone();
    other_version["schema_version"] = json!(2);
    let mut multi = report.clone();
    multi["run"]["snapshot"] = Value::Null;
    multi["run"]["accounts"] =
        json!([{"account_id": "111122223333"}, {"account_id": "444455556666"}]);
    let mut bad_finding = report.clone();
    bad_finding["findings"][3]["compliance_type"] = json!("FAILED");
    let csv = String::from_utf8(demo(NOW, "csv", &[]).stdout).unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            other_account.to_string(),
            "$.run.snapshot.account_id",
            "999999999999",
        ),
        (
            other_version.to_string(),
            "$.schema_version",
            "schema version 2",
        ),
        (multi.to_string(), "$.run.accounts", "444455556666"),
        (
            bad_finding.to_string(),
            "$.findings[3].compliance_type",
            "FAILED",
        ),
        (
            fs::read_to_string(root().join(MUTES)).unwrap(),
            "$.schema_version",
            "not a JSON report",
        ),
        (csv, "at line 1 column", "invalid JSON"),
        ("[]".to_string(), "$", "not a JSON report"),
    ];
    for (index, (text, path, says)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("baseline-{index}.json"));
        fs::write(&file, text).unwrap();
        let output = demo(NOW, "json", &["--baseline", file.to_str().unwrap()]);
        assert_eq!(code(&output), 2, "case {index}: {}", stderr(&output));
        assert!(output.stdout.is_empty());
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        for part in [
            format!("baseline-{index}.json"),
            path.to_string(),
            says.to_string(),
        ] {
            assert!(
                message.contains(&part),
                "case {index}: `{part}` not in {message}"
            );
        }
    }
}

#[test]
fn csv_appends_muted_then_change_columns() {
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.json");
    fs::write(&same, demo(NOW, "json", &[]).stdout).unwrap();
    let read = |output: Output| {
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (headers, rows)
    };
    let (plain, _) = read(demo(NOW, "csv", &[]));
    assert_eq!(plain.last().unwrap(), "DETAIL");
    let (headers, rows) = read(demo(NOW, "csv", &["--mutes", MUTES]));
    assert_eq!(headers[..plain.len()], plain[..]);
    assert_eq!(headers[plain.len()..], ["MUTED"]);
    let muted: Vec<&Vec<String>> = rows.iter().filter(|r| !r[plain.len()].is_empty()).collect();
    assert_eq!(muted.len(), 9);
    assert!(muted.iter().any(|r| r[plain.len()]
        == "payments-team until 2027-01-31: rotated by the vault migration, ticket SEC-142"));
    let (headers, rows) = read(demo(
        NOW,
        "csv",
        &["--mutes", MUTES, "--baseline", same.to_str().unwrap()],
    ));
    assert_eq!(headers[plain.len()..], ["MUTED", "CHANGE"]);
    assert!(rows.iter().all(|r| r[plain.len() + 1] == "unchanged"));
    let (headers, _) = read(demo(NOW, "csv", &["--baseline", same.to_str().unwrap()]));
    assert_eq!(headers[plain.len()..], ["CHANGE"]);
}

#[test]
fn demo_with_mutes_and_baseline_matches_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = edited_baseline(dir.path());
    let path = path.to_str().unwrap();
    for (format, golden) in [
        ("json", "demo-lifecycle.json"),
        ("csv", "demo-lifecycle.csv"),
    ] {
        let output = demo(NOW, format, &["--mutes", MUTES, "--baseline", path]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        check_golden(golden, &output.stdout);
    }
}

#[test]
fn the_table_marks_muted_and_changed_findings() {
    let dir = tempfile::tempdir().unwrap();
    let september = dir.path().join("september.json");
    fs::write(&september, demo(EARLIER, "json", &[]).stdout).unwrap();
    let output = demo(
        NOW,
        "table",
        &["--mutes", MUTES, "--baseline", september.to_str().unwrap()],
    );
    let text = String::from_utf8(output.stdout).unwrap();
    // One table row holds the resource and its marked annotation, whatever the column layout.
    let row_with = |name: &str, marked: &str| {
        text.lines()
            .any(|line| line.contains(name) && line.contains(marked))
    };
    assert!(
        row_with(
            "prod/api/stripe-key",
            "[muted: payments-team until 2027-01-31] rotation is not enabled"
        ),
        "{text}"
    );
    assert!(
        row_with("legacy/ldap-bind", "[changed] pending deletion"),
        "{text}"
    );
    let plain = String::from_utf8(demo(NOW, "table", &[]).stdout).unwrap();
    assert!(!plain.contains("[muted") && !plain.contains("[changed]"));
}

#[test]
fn in_a_multi_account_report_each_account_is_muted_at_its_own_time() {
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("accounts");
    copy_dir(
        &root().join("tests/fixtures/snapshots/partial"),
        &snapshots.join("444455556666"),
    );
    let later = snapshots.join("777788889999");
    copy_dir(&root().join("tests/fixtures/snapshots/formula"), &later);
    let meta = later.join("snapshot.json");
    let text = fs::read_to_string(&meta).unwrap();
    assert!(
        text.contains("\"collected_at\": \"2026-11-01T00:00:00Z\""),
        "fixture premise"
    );
    fs::write(
        &meta,
        text.replace(
            "\"collected_at\": \"2026-11-01T00:00:00Z\"",
            "\"collected_at\": \"2026-11-05T00:00:00Z\"",
        ),
    )
    .unwrap();
    let mutes = dir.path().join("mutes.json");
    fs::write(
        &mutes,
        json!({"mutes": [{"rule": "secretsmanager-secret-tagged", "resource": "*",
            "reason": "tagging campaign", "owner": "platform", "expires": "2026-11-03"}]})
        .to_string(),
    )
    .unwrap();
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        snapshots.to_str().unwrap(),
        "--format",
        "json",
        "--rule",
        "secretsmanager-secret-tagged",
        "--mutes",
        mutes.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report = json_of(&output);
    let muted_in = |account: &str| {
        findings(&report)
            .iter()
            .filter(|f| f["resource"]["account_id"] == account && f.get("muted").is_some())
            .count()
    };
    assert_eq!(
        muted_in("444455556666"),
        1,
        "judged on 11-01: the mute holds"
    );
    assert_eq!(
        muted_in("777788889999"),
        0,
        "judged on 11-05: the mute lapsed"
    );
    assert!(
        findings(&report)
            .iter()
            .any(|f| f["resource"]["account_id"] == "777788889999"
                && f["compliance_type"] == "NON_COMPLIANT")
    );
    assert_eq!(report["run"]["expired_mutes"][0]["index"], 0);
    assert_eq!(report["run"]["unused_mutes"], json!([]));
}

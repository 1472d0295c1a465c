//! `secaudit audit` and `secaudit rules` driven through the built binary: golden JSON, CSV and
//! table reports of the demo snapshot (byte for byte; `UPDATE_GOLDEN=1` rewrites them), determinism,
//! formula neutralisation, PutEvaluations batches, atomic `--output`, `--fail-on` and the exit
//! codes (2 > 1 > 3), and partial coverage giving INSUFFICIENT_DATA, never COMPLIANT.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

mod support;
use support::{code, copy_dir, json_of, root, secaudit, stderr};

const DEMO: &str = "fixtures/snapshots/demo";
const PARTIAL: &str = "tests/fixtures/snapshots/partial";
const FORMULA: &str = "tests/fixtures/snapshots/formula";
const NOW: &str = "2026-11-01T00:00:00Z";

/// The rule of the `config-evaluations` reports (one result token is one Config rule).
const EVALUATED_RULE: &str = "secretsmanager-rotation-enabled-check";

fn demo_report(format: &str) -> Output {
    let mut args = vec![
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        NOW,
        "--format",
        format,
        "--fail-on",
        "none",
    ];
    if format == "config-evaluations" {
        args.extend(["--rule", EVALUATED_RULE]);
    }
    let output = secaudit(&args);
    assert!(
        matches!(code(&output), 0 | 3),
        "exit {} stderr {}",
        code(&output),
        stderr(&output)
    );
    output
}

/// Compares `actual` with `tests/golden/NAME`, or rewrites the file when `UPDATE_GOLDEN` is set.
fn check_golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read `{}`: {e}; run `UPDATE_GOLDEN=1 cargo test --test audit_cli`",
            path.display()
        )
    });
    if expected != actual {
        let expected = String::from_utf8_lossy(&expected);
        let actual = String::from_utf8_lossy(actual);
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "`{}` differs from the report at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             if the change is intended, run `UPDATE_GOLDEN=1 cargo test --test audit_cli`",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn demo_json_matches_the_golden_file() {
    let output = demo_report("json");
    check_golden("demo.json", &output.stdout);
}

#[test]
fn demo_csv_matches_the_golden_file() {
    let output = demo_report("csv");
    check_golden("demo.csv", &output.stdout);
}

#[test]
fn demo_table_matches_the_golden_file() {
    // stdout is a pipe here, so the table has no colour.
    let output = demo_report("table");
    check_golden("demo.txt", &output.stdout);
}

#[test]
fn the_same_snapshot_gives_the_same_bytes_on_every_run() {
    for format in ["json", "csv", "config-evaluations", "table"] {
        let first = demo_report(format);
        let second = demo_report(format);
        assert!(!first.stdout.is_empty(), "{format}: empty report");
        assert_eq!(first.stdout, second.stdout, "{format}: runs differ");
    }
}

/// A PutEvaluations result token belongs to one Config rule: `config-evaluations` needs exactly
/// one `--rule`.
#[test]
fn config_evaluations_need_exactly_one_rule() {
    for extra in [
        vec![],
        vec![
            "--rule",
            EVALUATED_RULE,
            "--rule",
            "secretsmanager-secret-tagged",
        ],
    ] {
        let mut args = vec![
            "-q",
            "audit",
            "--snapshot",
            DEMO,
            "--format",
            "config-evaluations",
        ];
        args.extend(extra);
        let output = secaudit(&args);
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains("`--format config-evaluations` needs exactly one `--rule`"),
            "{}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn the_json_envelope_is_consistent_with_its_findings() {
    let report = json_of(&demo_report("json"));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["generator"]["name"], "secaudit");
    assert_eq!(report["run"]["evaluated_at"], NOW);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let mut counted: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for finding in findings {
        let rule = finding["rule"].as_str().unwrap().to_string();
        let compliance = finding["compliance_type"].as_str().unwrap().to_string();
        *counted
            .entry(rule)
            .or_default()
            .entry(compliance)
            .or_default() += 1;
        assert!(finding["annotation"].as_str().unwrap().chars().count() <= 256);
    }
    let summary = report["summary"]["by_rule"].as_object().unwrap();
    for (rule, counts) in summary {
        for (compliance, count) in counts.as_object().unwrap() {
            let seen = counted
                .get(rule)
                .and_then(|c| c.get(compliance))
                .copied()
                .unwrap_or(0);
            assert_eq!(count.as_u64().unwrap(), seen, "{rule} {compliance}");
        }
    }
    assert!(counted.keys().all(|rule| summary.contains_key(rule)));
    // Every rule that ran has its effective parameters in the run.
    let parameters = report["run"]["parameters"].as_object().unwrap();
    assert_eq!(
        parameters.keys().collect::<BTreeSet<_>>(),
        summary.keys().collect::<BTreeSet<_>>()
    );
}

#[test]
fn demo_config_evaluations_are_batches_of_at_most_100_without_insufficient_data() {
    let report = json_of(&demo_report("json"));
    let sendable: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["compliance_type"] != "INSUFFICIENT_DATA" && f["rule"] == EVALUATED_RULE)
        .map(|f| f["resource"]["id"].as_str().unwrap())
        .collect();
    assert!(!sendable.is_empty());
    let batches = json_of(&demo_report("config-evaluations"));
    let batches = batches.as_array().unwrap();
    let mut sent = Vec::new();
    for (index, batch) in batches.iter().enumerate() {
        let batch = batch.as_array().unwrap();
        assert!(!batch.is_empty() && batch.len() <= 100, "batch {index}");
        if index + 1 < batches.len() {
            assert_eq!(batch.len(), 100, "only the last batch may be short");
        }
        for evaluation in batch {
            let keys: BTreeSet<&str> = evaluation
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert!(keys.is_subset(&BTreeSet::from([
                "ComplianceResourceType",
                "ComplianceResourceId",
                "ComplianceType",
                "Annotation",
                "OrderingTimestamp",
            ])));
            assert_ne!(evaluation["ComplianceType"], "INSUFFICIENT_DATA");
            sent.push(evaluation["ComplianceResourceId"].as_str().unwrap());
        }
    }
    assert_eq!(sent, sendable);
}

#[test]
fn secret_names_shaped_like_formulas_stay_text_in_the_csv() {
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        FORMULA,
        "--rule",
        "secretsmanager-secret-tagged",
        "--format",
        "csv",
        "--fail-on",
        "none",
    ]);
    assert!(matches!(code(&output), 0 | 3), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{text}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let name = headers.iter().position(|h| h == "RESOURCE_NAME").unwrap();
    let mut names = BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        for cell in &record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell:?}"
            );
        }
        names.insert(record[name].to_string());
    }
    let expected: BTreeSet<String> = [
        "'=HYPERLINK(\"x\")",
        "'+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "plain/name",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(names, expected);
}

#[test]
fn output_file_is_complete_and_equals_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        NOW,
        "--format",
        "json",
        "--fail-on",
        "none",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert!(matches!(code(&output), 0 | 3), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "the report goes to the file only");
    assert_eq!(fs::read(&target).unwrap(), demo_report("json").stdout);
    let entries: Vec<PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries, [target], "no temporary file is left behind");
}

#[test]
fn output_without_format_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report");
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        PARTIAL,
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&fs::read(&target).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn output_into_a_missing_directory_fails_with_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing/report.json");
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        PARTIAL,
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(message.starts_with("error: cannot write `"), "{message}");
    assert!(!target.exists());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_failed_run_leaves_the_previous_report_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    fs::write(&target, "previous complete report\n").unwrap();
    let output = secaudit(&[
        "audit",
        "--snapshot",
        "tests/fixtures/snapshots/does-not-exist",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "previous complete report\n"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The partial fixture at a later "now": its one collected secret fails medium rules, and
/// eu-west-1 is INSUFFICIENT_DATA.
fn partial_exit(fail_on: Option<&str>, now: Option<&str>) -> i32 {
    let mut args = vec!["-q", "audit", "--snapshot", PARTIAL, "--format", "json"];
    if let Some(fail_on) = fail_on {
        args.extend(["--fail-on", fail_on]);
    }
    if let Some(now) = now {
        args.extend(["--now", now]);
    }
    let output = secaudit(&args);
    assert!(
        !output.stdout.is_empty(),
        "the report is written whatever the exit code"
    );
    code(&output)
}

#[test]
fn fail_on_counts_non_compliant_findings_at_or_above_the_threshold() {
    let later = Some("2027-06-01T00:00:00Z");
    let report = json_of(&secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        PARTIAL,
        "--format",
        "json",
        "--now",
        "2027-06-01T00:00:00Z",
    ]));
    let failing: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["compliance_type"] == "NON_COMPLIANT")
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(failing, BTreeSet::from(["medium"]), "fixture premise");

    // 1 wins over 3; below the threshold, partial coverage gives 3.
    assert_eq!(
        partial_exit(None, later),
        3,
        "default: findings alone never fail"
    );
    assert_eq!(partial_exit(Some("informational"), later), 1);
    assert_eq!(partial_exit(Some("low"), later), 1);
    assert_eq!(partial_exit(Some("medium"), later), 1);
    assert_eq!(partial_exit(Some("MEDIUM"), later), 1);
    assert_eq!(partial_exit(Some("high"), later), 3);
    assert_eq!(partial_exit(Some("critical"), later), 3);
    assert_eq!(partial_exit(Some("none"), later), 3);
}

#[test]
fn a_region_denied_in_coverage_gives_insufficient_data_and_exit_3() {
    let output = secaudit(&["-q", "audit", "--snapshot", PARTIAL, "--format", "json"]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report = json_of(&output);
    let findings = report["findings"].as_array().unwrap();
    let in_region = |region: &str| {
        findings
            .iter()
            .filter(move |f| f["resource"]["region"] == region)
            .collect::<Vec<_>>()
    };
    let denied = in_region("eu-west-1");
    assert!(!denied.is_empty());
    for finding in &denied {
        assert_eq!(finding["compliance_type"], "INSUFFICIENT_DATA", "{finding}");
        assert!(
            finding["annotation"].as_str().unwrap().contains("denied"),
            "the annotation says why: {finding}"
        );
    }
    // Every rule that judged the collected secret also reported the denied region.
    let rules_in = |findings: &[&Value]| -> BTreeSet<String> {
        findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let collected = in_region("us-east-1");
    assert!(!collected.is_empty());
    assert_eq!(rules_in(&denied), rules_in(&collected));
    for finding in &collected {
        assert_ne!(finding["compliance_type"], "INSUFFICIENT_DATA", "{finding}");
        assert_ne!(finding["compliance_type"], "NON_COMPLIANT", "{finding}");
    }
}

#[test]
fn a_rule_subset_reports_only_those_rules() {
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        PARTIAL,
        "--rule",
        "secretsmanager-secret-tagged",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 3);
    let report = json_of(&output);
    let by_rule = report["summary"]["by_rule"].as_object().unwrap();
    assert_eq!(
        by_rule.keys().collect::<Vec<_>>(),
        ["secretsmanager-secret-tagged"]
    );
    assert_eq!(by_rule["secretsmanager-secret-tagged"]["COMPLIANT"], 1);
    assert_eq!(
        by_rule["secretsmanager-secret-tagged"]["INSUFFICIENT_DATA"],
        1
    );
}

#[test]
fn a_directory_of_account_snapshots_gives_one_report_over_all_accounts() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(PARTIAL), &dir.path().join("444455556666"));
    copy_dir(&root().join(FORMULA), &dir.path().join("777788889999"));
    let all = dir.path().to_str().unwrap();
    let run = |snapshot: &str| {
        secaudit(&[
            "-q",
            "audit",
            "--snapshot",
            snapshot,
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
    };
    let output = run(all);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report = json_of(&output);
    assert!(report["run"]["snapshot"].is_null());
    let accounts: Vec<&str> = report["run"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["444455556666", "777788889999"]);
    assert!(
        report["run"]["accounts"][0]["coverage"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );

    // The findings are exactly those of the two single-account runs.
    let mut separate: Vec<Value> = [PARTIAL, FORMULA]
        .into_iter()
        .flat_map(|one| json_of(&run(one))["findings"].as_array().unwrap().clone())
        .collect();
    let mut together = report["findings"].as_array().unwrap().clone();
    let key = |f: &Value| f.to_string();
    separate.sort_by_key(key);
    together.sort_by_key(key);
    assert_eq!(together, separate);

    let table = secaudit(&["-q", "audit", "--snapshot", all, "--format", "table"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.starts_with("2 accounts (444455556666, 777788889999) · evaluated "),
        "{text}"
    );
    assert!(
        !text.contains("'=HYPERLINK"),
        "the table shows names as they are"
    );
    assert!(
        text.contains("┆ us-east-1 ┆ 777788889999 ┆") && text.contains("┆ =HYPERLINK(\"x\") "),
        "failing resources name their account: {text}"
    );
}

/// A JSON or CSV report without a baseline is streamed (each rule's findings spilled to disk as
/// it runs, then merged): it must hold what the report built in memory holds (the path a
/// baseline takes; an empty baseline only adds `change: new` and `resolved: []`), in the same
/// order, across accounts whose findings interleave (the demo's `eu-west-1` secrets sort before
/// the other accounts' `us-east-1` ones), with and without mutes, with the same `--fail-on`
/// explanation.
#[test]
fn the_streamed_reports_equal_the_reports_built_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(PARTIAL), &dir.path().join("a-444455556666"));
    copy_dir(&root().join(DEMO), &dir.path().join("b-111122223333"));
    copy_dir(&root().join(FORMULA), &dir.path().join("c-777788889999"));
    let snapshots = dir.path().join("accounts");
    fs::create_dir(&snapshots).unwrap();
    for account in ["a-444455556666", "b-111122223333", "c-777788889999"] {
        fs::rename(dir.path().join(account), snapshots.join(account)).unwrap();
    }
    let all = snapshots.to_str().unwrap();
    let run = |format: &str, extra: &[&str]| {
        let mut args = vec![
            "-q",
            "audit",
            "--snapshot",
            all,
            "--format",
            format,
            "--now",
            NOW,
            "--fail-on",
            "medium",
        ];
        args.extend_from_slice(extra);
        secaudit(&args)
    };
    // A baseline over the same accounts with no finding: every finding is `new`.
    let mut empty = json_of(&run("json", &[]));
    empty["findings"] = Value::Array(Vec::new());
    let baseline = dir.path().join("baseline.json");
    fs::write(&baseline, empty.to_string()).unwrap();
    let baseline = baseline.to_str().unwrap();
    let mutes = "tests/fixtures/lifecycle/mutes.json";

    for lifecycle in [&[][..], &["--mutes", mutes][..]] {
        let streamed = run("json", lifecycle);
        let in_memory = run("json", &[lifecycle, &["--baseline", baseline][..]].concat());
        assert_eq!(code(&streamed), 1, "{}", stderr(&streamed));
        assert_eq!(stderr(&streamed), stderr(&in_memory));
        assert!(stderr(&streamed).starts_with("exit 1: "));
        let report = json_of(&streamed);
        let mut expected = json_of(&in_memory);
        assert_eq!(
            expected.as_object_mut().unwrap().remove("resolved"),
            Some(Value::Array(Vec::new()))
        );
        for finding in expected["findings"].as_array_mut().unwrap() {
            assert_eq!(
                finding.as_object_mut().unwrap().remove("change"),
                Some(Value::from("new"))
            );
        }
        let ids = |report: &Value| -> Vec<String> {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} {}", f["rule"], f["resource"]["id"]))
                .collect()
        };
        assert_eq!(ids(&report), ids(&expected));
        assert_eq!(report, expected);
        let accounts: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["resource"]["account_id"].as_str().unwrap())
            .collect();
        assert!(
            accounts.windows(2).any(|pair| pair[0] > pair[1]),
            "the accounts' findings interleave"
        );
        let muted = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f.get("muted").is_some())
            .count();
        assert_eq!(muted > 0, !lifecycle.is_empty(), "the mutes cover findings");

        // The CSV report is streamed the same way; the baseline only adds the CHANGE column.
        let csv = |extra: &[&str]| String::from_utf8(run("csv", extra).stdout).unwrap();
        let streamed = csv(lifecycle);
        let in_memory = csv(&[lifecycle, &["--baseline", baseline][..]].concat())
            .replace(",\"CHANGE\"\r\n", "\r\n")
            .replace(",\"new\"\r\n", "\r\n");
        assert_eq!(streamed.matches("\r\n").count(), ids(&report).len() + 1);
        assert_eq!(streamed, in_memory);

        // SARIF, OCSF, ASFF and JUnit are streamed too; the baseline only adds each item's
        // change mark (JUnit has none), which is taken out of the report built in memory.
        let text = |format: &str, extra: &[&str]| {
            let output = run(format, extra);
            assert_eq!(code(&output), 1, "{format}: {}", stderr(&output));
            String::from_utf8(output.stdout).unwrap()
        };
        let non_compliant = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["compliance_type"] == "NON_COMPLIANT")
            .count();
        let applicable = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["compliance_type"] != "NOT_APPLICABLE")
            .count();
        let total = ids(&report).len();
        for (format, mark, marked) in [
            (
                "sarif",
                "\n          \"baselineState\": \"new\",",
                non_compliant,
            ),
            (
                "ocsf",
                ",\n    \"unmapped\": {\n      \"change\": \"new\"\n    }",
                applicable,
            ),
            ("asff", "\n      \"secaudit/Change\": \"new\",", total),
            ("junit", "", 0),
        ] {
            let streamed = text(format, lifecycle);
            let in_memory = text(format, &[lifecycle, &["--baseline", baseline][..]].concat());
            if !mark.is_empty() {
                assert_eq!(in_memory.matches(mark).count(), marked, "{format}");
            }
            assert!(marked > 0 || format == "junit");
            let in_memory = if mark.is_empty() {
                in_memory
            } else {
                in_memory.replace(mark, "")
            };
            assert_eq!(streamed, in_memory, "{format} {lifecycle:?}");
        }
        let junit = text("junit", lifecycle);
        assert_eq!(junit.matches("<testcase ").count(), total);

        // The table: a baseline equal to this run's report marks nothing (every finding is
        // unchanged), so the table built in memory must be the streamed one, at any width.
        let same = dir.path().join("same.json");
        fs::write(&same, run("json", lifecycle).stdout).unwrap();
        let same = same.to_str().unwrap();
        for columns in ["", "80", "200"] {
            let table = |extra: &[&str]| {
                let mut args = vec![
                    "-q",
                    "audit",
                    "--snapshot",
                    all,
                    "--format",
                    "table",
                    "--now",
                    NOW,
                ];
                args.extend_from_slice(extra);
                let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
                    .args(&args)
                    .current_dir(root())
                    .env("COLUMNS", columns)
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap();
                assert_eq!(code(&output), 3, "{}", stderr(&output));
                String::from_utf8(output.stdout).unwrap()
            };
            let streamed = table(lifecycle);
            let in_memory = table(&[lifecycle, &["--baseline", same][..]].concat());
            assert!(streamed.contains("NON_COMPLIANT, "), "{streamed}");
            assert_eq!(
                streamed.matches("[muted: ").count() > 0,
                !lifecycle.is_empty(),
                "{streamed}"
            );
            assert_eq!(
                streamed, in_memory,
                "table at width {columns:?} {lifecycle:?}"
            );
        }
    }
}

#[test]
fn an_unknown_rule_is_exit_2_with_one_line() {
    let output = secaudit(&[
        "audit",
        "--snapshot",
        PARTIAL,
        "--rule",
        "secretsmanager-secret-tagged",
        "--rule",
        "no-such-rule",
    ]);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("unknown rule `no-such-rule`"), "{message}");
}

#[test]
fn bad_arguments_and_inputs_are_exit_2() {
    let cases: [&[&str]; 5] = [
        &["audit", "--snapshot", PARTIAL, "--now", "yesterday"],
        &["audit", "--snapshot", PARTIAL, "--fail-on", "severe"],
        &["audit", "--snapshot", PARTIAL, "--format", "xml"],
        &["audit", "--snapshot", PARTIAL, "--profile", "prod"],
        &[
            "audit",
            "--snapshot",
            "tests/fixtures/snapshots/does-not-exist",
        ],
    ];
    for args in cases {
        let output = secaudit(args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn the_aws_environment_does_not_stop_a_snapshot_audit() {
    let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(["-q", "audit", "--snapshot", PARTIAL, "--format", "csv"])
        .current_dir(root())
        .env("AWS_MAX_ATTEMPTS", "3")
        .env("AWS_PROFILE", "does-not-exist")
        .env("AWS_REGION", "eu-west-1")
        .output()
        .unwrap();
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(!output.stdout.is_empty());
}

#[test]
fn config_overrides_parameters_and_disables_rules() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    fs::write(
        &config,
        r#"{"secretsmanager-secret-unused": {"unusedForDays": "400"},
            "disabled": ["secretsmanager-using-cmk"]}"#,
    )
    .unwrap();
    let output = secaudit(&[
        "-q",
        "audit",
        "--snapshot",
        PARTIAL,
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let report = json_of(&output);
    assert!(
        report["summary"]["by_rule"]
            .get("secretsmanager-using-cmk")
            .is_none()
    );
    assert_eq!(
        report["run"]["parameters"]["secretsmanager-secret-unused"]["unusedForDays"],
        400
    );

    fs::write(
        &config,
        r#"{"secretsmanager-secret-unused": {"unusedForDays": "many"}}"#,
    )
    .unwrap();
    let output = secaudit(&[
        "audit",
        "--snapshot",
        PARTIAL,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn table_on_a_pipe_has_no_colour_and_ends_with_the_summary() {
    let output = secaudit(&["-q", "audit", "--snapshot", PARTIAL, "--format", "table"]);
    assert_eq!(code(&output), 3);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "no ANSI escapes when not a terminal"
    );
    assert!(text.starts_with("account 444455556666 "));
    assert!(text.contains("│ INSUFFICIENT_DATA ┆ "), "{text}");
    assert!(
        text.contains("secrets of `eu-west-1` not collected"),
        "{text}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.contains("findings from") && last.contains("INSUFFICIENT_DATA"),
        "{last}"
    );
}

#[test]
fn without_format_a_pipe_gets_json() {
    let output = secaudit(&["-q", "audit", "--snapshot", PARTIAL]);
    assert_eq!(code(&output), 3);
    assert_eq!(json_of(&output)["schema_version"], 1);
}

#[test]
fn rules_list_names_every_rule_and_show_prints_a_rule_file() {
    let output = secaudit(&["rules", "list", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let listed = json_of(&output);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let files: BTreeSet<String> = fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        files
    );
    for rule in listed.as_array().unwrap() {
        assert!(rule["severity"].is_string() && rule["title"].is_string());
    }

    let text = secaudit(&["rules", "list"]);
    assert_eq!(code(&text), 0);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("ID "));
    assert_eq!(text.lines().count(), ids.len() + 1);

    let id = ids[0];
    let file: Value =
        serde_json::from_str(&fs::read_to_string(root().join(format!("rules/{id}.json"))).unwrap())
            .unwrap();
    let shown = secaudit(&["rules", "show", id]);
    assert_eq!(code(&shown), 0);
    let shown = String::from_utf8(shown.stdout).unwrap();
    for field in ["title", "description", "remediation"] {
        assert!(
            shown.contains(file[field].as_str().unwrap()),
            "`{field}` missing from:\n{shown}"
        );
    }
    for name in file["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        assert!(shown.contains(name.as_str()), "parameter `{name}` missing");
    }
    let as_json = json_of(&secaudit(&["rules", "show", id, "--format", "json"]));
    assert_eq!(as_json["id"], id);
    assert_eq!(as_json["title"], file["title"]);
}

#[test]
fn rules_show_an_unknown_id_is_exit_2() {
    let output = secaudit(&["rules", "show", "no-such-rule"]);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("unknown rule `no-such-rule`"));
}

//! The junit, sarif, ocsf and asff formats driven through the built binary on the demo snapshot
//! (with the mutes fixture), each checked finding for finding against the JSON report of the same
//! run; the OCSF events validated against the OCSF schema with pydantic-ocsf (installed into
//! `.venv` by `scripts/report-env.sh`); goldens of every new format on a two-rule subset.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod support;
use support::root;

const DEMO: &str = "fixtures/snapshots/demo";
const MUTES: &str = "tests/fixtures/lifecycle/mutes.json";
const NOW: &str = "2026-11-01T00:00:00Z";

fn demo(format: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        NOW,
        "--format",
        format,
        "--mutes",
        MUTES,
    ];
    args.extend(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(&args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(format: &str) -> Value {
    serde_json::from_slice(&demo(format, &[]).stdout).unwrap()
}

/// The JSON report's findings.
fn report_findings() -> Vec<Value> {
    json("json")["findings"].as_array().unwrap().clone()
}

fn is_muted(finding: &Value) -> bool {
    finding.get("muted").is_some()
}

#[test]
fn junit_has_one_suite_per_rule_with_the_counts_of_the_json_report() {
    let output = demo("junit", &[]);
    let text = String::from_utf8(output.stdout).unwrap();
    let document = roxmltree::Document::parse(&text).unwrap();
    let findings = report_findings();
    let report = json("json");
    let rules: BTreeSet<&str> = report["summary"]["by_rule"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let suites: Vec<roxmltree::Node> = document
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(
        suites
            .iter()
            .map(|s| s.attribute("name").unwrap())
            .collect::<BTreeSet<_>>(),
        rules
    );
    let mut all = [0usize; 4];
    for suite in &suites {
        let rule = suite.attribute("name").unwrap();
        let mine: Vec<&Value> = findings.iter().filter(|f| f["rule"] == rule).collect();
        let count = |pred: &dyn Fn(&Value) -> bool| mine.iter().filter(|f| pred(f)).count();
        let expected = [
            mine.len(),
            count(&|f| f["compliance_type"] == "NON_COMPLIANT" && !is_muted(f)),
            count(&|f| f["compliance_type"] == "INSUFFICIENT_DATA"),
            count(&|f| {
                f["compliance_type"] == "NOT_APPLICABLE"
                    || (f["compliance_type"] == "NON_COMPLIANT" && is_muted(f))
            }),
        ];
        let attributes = ["tests", "failures", "errors", "skipped"]
            .map(|name| suite.attribute(name).unwrap().parse::<usize>().unwrap());
        assert_eq!(attributes, expected, "suite {rule}");
        // The elements agree with the attributes, and each case is a resource of the rule.
        let cases: Vec<roxmltree::Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), expected[0]);
        let child_count = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        assert_eq!(
            [
                child_count("failure"),
                child_count("error"),
                child_count("skipped")
            ],
            expected[1..]
        );
        let names: BTreeSet<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        let ids: BTreeSet<&str> = mine
            .iter()
            .map(|f| f["resource"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(names, ids, "suite {rule}");
        for (total, value) in all.iter_mut().zip(attributes) {
            *total += value;
        }
    }
    let top = document.root_element();
    assert_eq!(
        ["tests", "failures", "errors", "skipped"].map(|name| top
            .attribute(name)
            .unwrap()
            .parse::<usize>()
            .unwrap()),
        all
    );
    assert!(all[1] > 0 && all[3] > 0, "the demo has failures and skips");
}

#[test]
fn sarif_has_one_result_per_non_compliant_finding_and_suppresses_muted_ones() {
    let log = json("sarif");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let findings = report_findings();
    let failing: BTreeMap<(String, String), bool> = findings
        .iter()
        .filter(|f| f["compliance_type"] == "NON_COMPLIANT")
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["resource"]["id"].as_str().unwrap().to_string(),
                ),
                is_muted(f),
            )
        })
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), failing.len());
    let mut suppressed = 0;
    for result in results {
        let rule = result["ruleId"].as_str().unwrap();
        let arn = result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        let muted = failing[&(rule.to_string(), arn.to_string())];
        assert_eq!(result.get("suppressions").is_some(), muted, "{rule} {arn}");
        if muted {
            suppressed += 1;
            assert_eq!(result["suppressions"][0]["status"], "accepted");
        }
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], rule);
    }
    assert_eq!(suppressed, 9);
    validate_sarif(&log);
    for rule in rules {
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(
            !rule["help"]["text"].as_str().unwrap().is_empty(),
            "remediation as help"
        );
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
    }
}

/// Validates a SARIF log against the SARIF 2.1.0 JSON schema with Python's `jsonschema`, both
/// prepared by `scripts/sarif-schema.sh` (run here when missing), and checks that the validator
/// refuses a broken copy.
fn validate_sarif(log: &Value) {
    let schema = std::env::var_os("SECAUDIT_SARIF_SCHEMA").map_or_else(
        || root().join(".venv/sarif-schema-2.1.0.json"),
        PathBuf::from,
    );
    let python = std::env::var_os("SECAUDIT_PYTHON")
        .map_or_else(|| root().join(".venv/bin/python"), PathBuf::from);
    if !schema.is_file() || !python.is_file() {
        let status = Command::new(root().join("scripts/sarif-schema.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/sarif-schema.sh failed");
    }
    let check = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        document = json.load(open(sys.argv[2]))\n\
        jsonschema.validators.validator_for(schema)(schema).validate(document)\n\
        print('valid')\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let run = |document: &Value| {
        fs::write(&file, serde_json::to_vec(document).unwrap()).unwrap();
        Command::new(&python)
            .args(["-c", check])
            .arg(&schema)
            .arg(&file)
            .output()
            .unwrap()
    };
    let valid = run(log);
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!run(&broken).status.success(), "the validator can fail");
}

/// The Python with pydantic-ocsf: `SECAUDIT_PYTHON`, else `.venv/bin/python` when it has it.
fn ocsf_python() -> Option<PathBuf> {
    let candidate = std::env::var_os("SECAUDIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let usable = Command::new(&candidate)
        .args(["-c", "import ocsf.v1_5_0.events"])
        .output()
        .is_ok_and(|o| o.status.success());
    if usable {
        return Some(candidate);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "pydantic-ocsf not found under CI: scripts/report-env.sh installs it"
    );
    eprintln!("SKIPPED: OCSF schema validation (run scripts/report-env.sh)");
    None
}

#[test]
fn ocsf_events_match_the_report_and_validate_against_the_schema() {
    let output = demo("ocsf", &[]);
    let events: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report_findings();
    let judged: Vec<&Value> = findings
        .iter()
        .filter(|f| f["compliance_type"] != "NOT_APPLICABLE")
        .collect();
    assert_eq!(events.len(), judged.len());
    for (event, finding) in events.iter().zip(&judged) {
        assert_eq!(event["resources"][0]["uid"], finding["resource"]["id"]);
        assert_eq!(event["finding_info"]["analytic"]["uid"], finding["rule"]);
        assert_eq!(
            event["cloud"]["account"]["uid"],
            finding["resource"]["account_id"]
        );
        assert_eq!(event["cloud"]["region"], finding["resource"]["region"]);
        let status = match finding["compliance_type"].as_str().unwrap() {
            "COMPLIANT" => 1,
            "INSUFFICIENT_DATA" => 2,
            "NON_COMPLIANT" => 3,
            other => panic!("{other}"),
        };
        assert_eq!(event["compliance"]["status_id"], status);
        assert_eq!(event["status_id"], if is_muted(finding) { 3 } else { 1 });
        if let Some(requirements) = finding["mappings"].get("related_requirements") {
            assert_eq!(&event["compliance"]["requirements"], requirements);
        }
    }
    let Some(python) = ocsf_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.json");
    fs::write(&file, &output.stdout).unwrap();
    let validate = |file: &Path| {
        Command::new(&python)
            .arg(root().join("tests/ocsf/validate_ocsf.py"))
            .arg(file)
            .output()
            .unwrap()
    };
    let checked = validate(&file);
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert_eq!(said.trim(), format!("{} events valid", events.len()));
    // The validator can fail: an attribute outside the schema is refused.
    let mut broken = events.clone();
    broken[0]["finding_info"]["rule_name"] = Value::from("x");
    fs::write(&file, serde_json::to_vec(&broken).unwrap()).unwrap();
    assert!(!validate(&file).status.success());
}

#[test]
fn asff_has_one_finding_per_finding_with_stable_ids() {
    let findings = report_findings();
    let asff = json("asff");
    let asff = asff.as_array().unwrap();
    assert_eq!(asff.len(), findings.len());
    let mut ids = BTreeSet::new();
    for (entry, finding) in asff.iter().zip(&findings) {
        assert!(
            ids.insert(entry["Id"].as_str().unwrap().to_string()),
            "unique Id"
        );
        let account = finding["resource"]["account_id"].as_str().unwrap();
        assert_eq!(entry["AwsAccountId"], account);
        let region = match finding["resource"]["region"].as_str().unwrap() {
            "global" => "us-east-1",
            region => region,
        };
        assert_eq!(
            entry["ProductArn"],
            format!("arn:aws:securityhub:{region}:{account}:product/{account}/default")
        );
        let status = match finding["compliance_type"].as_str().unwrap() {
            "COMPLIANT" => "PASSED",
            "NON_COMPLIANT" => "FAILED",
            "INSUFFICIENT_DATA" => "WARNING",
            _ => "NOT_AVAILABLE",
        };
        assert_eq!(entry["Compliance"]["Status"], status);
        assert_eq!(entry["SchemaVersion"], "2018-10-08");
        assert_eq!(entry["Resources"][0]["Id"], finding["resource"]["id"]);
        assert_eq!(
            entry["Workflow"]["Status"],
            if is_muted(finding) {
                "SUPPRESSED"
            } else {
                "NEW"
            }
        );
        for key in [
            "GeneratorId",
            "CreatedAt",
            "UpdatedAt",
            "Title",
            "Description",
            "Types",
            "Severity",
        ] {
            assert!(entry.get(key).is_some(), "{key}");
        }
    }
    // The same run gives the same Ids (and bytes).
    assert_eq!(demo("asff", &[]).stdout, demo("asff", &[]).stdout);
}

#[test]
fn every_new_format_matches_its_golden_file() {
    let subset = [
        "--rule",
        "secretsmanager-rotation-enabled-check",
        "--rule",
        "secretsmanager-policy-cross-account",
    ];
    for (format, golden) in [
        ("junit", "demo-subset.junit.xml"),
        ("sarif", "demo-subset.sarif.json"),
        ("ocsf", "demo-subset.ocsf.json"),
        ("asff", "demo-subset.asff.json"),
        ("html", "demo-subset.html"),
    ] {
        let output = demo(format, &subset);
        let path = root().join("tests/golden").join(golden);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::write(&path, &output.stdout).unwrap();
            continue;
        }
        let expected = fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read `{}`: {e}; run `UPDATE_GOLDEN=1 cargo test --test report_formats`",
                path.display()
            )
        });
        assert!(
            expected == output.stdout,
            "`{}` differs; if intended, run `UPDATE_GOLDEN=1 cargo test --test report_formats`",
            path.display()
        );
    }
}

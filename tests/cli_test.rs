//! `secaudit test` driven through the built binary: exit codes 0 / 1 / 2 and their precedence,
//! quiet and verbose text, `--fail-on-empty`, the JSON and JUnit formats, and every bad-input
//! kind of a case file shown as exit 2 with its one-line error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

mod support;
use support::code;

/// Runs the binary in the crate root (so fixture paths in messages are stable).
fn secaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A request that no policy allows: with no policies at all the decision is `ImplicitDeny`
/// whatever else the evaluator does, so these tests do not depend on its finer rules.
fn unmatched_request(name: &str, expect: &str) -> Value {
    json!({
        "name": name,
        "principal": "arn:aws:iam::111122223333:role/App",
        "action": "secretsmanager:GetSecretValue",
        "resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3",
        "expect": expect,
    })
}

fn write_case(dir: &Path, file: &str, requests: Vec<Value>) -> String {
    let path = dir.join(file);
    let case = json!({"name": file.trim_end_matches(".json"), "requests": requests});
    std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
    path.display().to_string()
}

fn assert_no_panic(output: &Output) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("stack backtrace"), "{err}");
}

#[test]
fn the_bundled_example_passes() {
    let output = secaudit(&["test", "examples/policy-tests"]);
    assert_eq!(
        stdout(&output),
        "9 passed, 0 failed\n",
        "{}",
        stderr(&output)
    );
    assert_eq!(code(&output), 0);
}

#[test]
fn all_passing_exits_0_and_prints_only_the_closing_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_case(
        dir.path(),
        "pass.json",
        vec![unmatched_request("no policy", "ImplicitDeny")],
    );
    let output = secaudit(&["test", &file]);
    assert_eq!(stdout(&output), "1 passed, 0 failed\n");
    assert_eq!(stderr(&output), "");
    assert_eq!(code(&output), 0);

    let verbose = secaudit(&["test", "-v", &file]);
    assert_eq!(
        stdout(&verbose),
        format!(
            "PASS {file}: pass / no policy: ImplicitDeny (blocked by identity)\n1 passed, 0 failed\n"
        )
    );
    assert_eq!(code(&verbose), 0);
}

#[test]
fn a_failing_request_exits_1_with_one_fail_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_case(
        dir.path(),
        "fail.json",
        vec![
            unmatched_request("denied as expected", "ImplicitDeny"),
            unmatched_request("wrongly expected", "Allowed"),
        ],
    );
    let output = secaudit(&["test", &file]);
    assert_eq!(
        stdout(&output),
        format!(
            "FAIL {file}: fail / wrongly expected: expected Allowed, got ImplicitDeny (blocked by identity)\n1 passed, 1 failed\n"
        )
    );
    assert_eq!(code(&output), 1);
}

#[test]
fn an_error_file_wins_over_failures_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    write_case(
        dir.path(),
        "a-fail.json",
        vec![unmatched_request("wrongly expected", "Allowed")],
    );
    write_case(
        dir.path(),
        "c-pass.json",
        vec![unmatched_request("fine", "ImplicitDeny")],
    );
    std::fs::write(dir.path().join("b-broken.json"), "{\"requests\": [").unwrap();
    let root = dir.path().display().to_string();
    let output = secaudit(&["test", &root]);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with(&format!("FAIL {root}/a-fail.json: ")),
        "{out}"
    );
    assert_eq!(
        lines[1],
        format!(
            "ERROR {root}/b-broken.json: invalid JSON at line 1 column 14: EOF while parsing a list"
        )
    );
    assert_eq!(lines[2], "1 error");
    assert_eq!(lines[3], "1 passed, 1 failed");
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot load `{root}/b-broken.json`: invalid JSON at line 1 column 14: EOF while parsing a list\n"
        )
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn paths_that_find_nothing_are_errors() {
    let table: [(&[&str], &str); 4] = [
        (
            &["test", "tests/fixtures/no-such-dir"],
            "error: `tests/fixtures/no-such-dir`: no such file or directory\n",
        ),
        (
            &["test", "tests/fixtures/bad/cases/*.yaml"],
            "error: `tests/fixtures/bad/cases/*.yaml`: no file matches this pattern\n",
        ),
        (
            &["test", "tests/fixtures/[bad"],
            "error: `tests/fixtures/[bad`: invalid glob pattern: invalid range pattern at position 15\n",
        ),
        (
            &["test", "examples/policy-tests", "nope.json", "nope2.json"],
            "error: 2 case files or paths could not be run (see the ERROR lines)\n",
        ),
    ];
    for (args, expected) in table {
        let output = secaudit(args);
        assert_eq!(stderr(&output), expected, "{args:?}");
        assert!(
            stdout(&output).contains("ERROR "),
            "{args:?}: {}",
            stdout(&output)
        );
        assert_eq!(code(&output), 2, "{args:?}");
    }
}

#[test]
fn globs_and_directories_are_expanded_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    for name in ["b.json", "a.json", "sub/c.json"] {
        write_case(
            dir.path(),
            name,
            vec![unmatched_request("wrong", "ExplicitDeny")],
        );
    }
    let root = dir.path().display().to_string();
    let pattern = format!("{root}/*.json");
    let output = secaudit(&["test", &pattern, &format!("{root}/sub")]);
    let files: Vec<String> = stdout(&output)
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL "))
        .map(|rest| rest.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        files,
        [
            format!("{root}/a.json"),
            format!("{root}/b.json"),
            format!("{root}/sub/c.json")
        ]
    );
    assert_eq!(code(&output), 1);
}

#[test]
fn fail_on_empty_turns_an_empty_run_into_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_case(dir.path(), "empty.json", Vec::new());
    let output = secaudit(&["test", &file]);
    assert_eq!(stdout(&output), "0 passed, 0 failed\n");
    assert_eq!(code(&output), 0);

    let output = secaudit(&["test", "--fail-on-empty", &file]);
    assert_eq!(stdout(&output), "0 passed, 0 failed\n");
    assert_eq!(
        stderr(&output),
        "error: no request found (`--fail-on-empty`)\n"
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn json_format_is_one_document_with_the_closing_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_case(
        dir.path(),
        "mixed.json",
        vec![
            unmatched_request("ok", "ImplicitDeny"),
            unmatched_request("wrong", "Allowed"),
        ],
    );
    let output = secaudit(&["test", "--format", "json", &file]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        report["summary"],
        json!({"passed": 1, "failed": 1, "errors": 0})
    );
    let requests = report["files"][0]["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["result"], "pass");
    assert_eq!(requests[1]["result"], "fail");
    assert_eq!(requests[1]["expect"], "Allowed");
    assert_eq!(requests[1]["decision"], "ImplicitDeny");
    assert_eq!(report["files"][0]["case"], "mixed");
    assert_eq!(stderr(&output), "1 passed, 1 failed\n");
    assert_eq!(code(&output), 1);
}

/// Checks the structure every JUnit consumer relies on and returns
/// (suites, testcases, failures, errors).
fn junit_shape(xml: &str) -> (usize, usize, usize, usize) {
    let document = roxmltree::Document::parse(xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let mut cases = 0;
    let mut failures = 0;
    let mut errors = 0;
    for suite in &suites {
        assert_eq!(suite.tag_name().name(), "testsuite");
        let tests: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let suite_cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        assert_eq!(suite_cases.len(), tests);
        for case in suite_cases {
            assert_eq!(case.tag_name().name(), "testcase");
            assert!(case.attribute("name").is_some() && case.attribute("classname").is_some());
            cases += 1;
            for child in case.children().filter(|n| n.is_element()) {
                match child.tag_name().name() {
                    "failure" => failures += 1,
                    "error" => errors += 1,
                    other => panic!("unexpected <{other}>"),
                }
                assert!(child.attribute("message").is_some());
            }
        }
    }
    let total = |name: &str| -> usize { root.attribute(name).unwrap().parse().unwrap() };
    assert_eq!(
        (total("tests"), total("failures"), total("errors")),
        (cases, failures, errors)
    );
    (suites.len(), cases, failures, errors)
}

#[test]
fn junit_is_well_formed_and_escapes_names() {
    let dir = tempfile::tempdir().unwrap();
    write_case(
        dir.path(),
        "a.json",
        vec![
            unmatched_request(
                "<ok> & \"quoted\" 'name'\nwith a line break",
                "ImplicitDeny",
            ),
            unmatched_request("wrong ]]> <![CDATA[", "Allowed"),
        ],
    );
    std::fs::write(dir.path().join("b.json"), "{\"requests\": \"<&>\"}").unwrap();
    let root = dir.path().display().to_string();
    let output = secaudit(&["test", "--format", "junit", &root]);
    let xml = stdout(&output);
    assert_eq!(junit_shape(&xml), (2, 3, 1, 1), "{xml}");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let names: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("name"))
        .collect();
    assert_eq!(
        names,
        [
            "a / <ok> & \"quoted\" 'name'\nwith a line break",
            "a / wrong ]]> <![CDATA[",
            "load"
        ]
    );
    assert_eq!(
        stderr(&output),
        format!(
            "1 error\n1 passed, 1 failed\nerror: cannot load `{root}/b.json`: $.requests: expected a list, found a string\n"
        )
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn junit_can_be_written_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("junit.xml");
    let output = secaudit(&[
        "test",
        "--format",
        "junit",
        "--output",
        report.to_str().unwrap(),
        "examples/policy-tests",
    ]);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "9 passed, 0 failed\n");
    let xml = std::fs::read_to_string(&report).unwrap();
    assert_eq!(junit_shape(&xml), (2, 9, 0, 0));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

const BAD: &str = "tests/fixtures/bad/cases";

/// Every bad-input kind: exit 2, the ERROR line on stdout, and the one-line error on stderr.
#[test]
fn every_bad_case_file_kind_is_exit_2_with_its_one_line_error() {
    let table: [(&str, &str); 10] = [
        (
            "unknown-operator.json",
            "$.identity_policies[0].Statement[1].Condition.StringLikee: unknown condition operator `StringLikee`",
        ),
        (
            "wrong-type.json",
            "$.identity_policies[0].Statement[0].Action: expected a string or an array of strings, found a number",
        ),
        (
            "missing-effect.json",
            "$.identity_policies[0].Statement[0]: missing `Effect`",
        ),
        (
            "principal-in-identity.json",
            "$.identity_policies[0].Statement[0].Principal: `Principal` is not allowed in an identity policy",
        ),
        (
            "truncated.json",
            "invalid JSON at line 5 column 0: EOF while parsing an object",
        ),
        (
            "truncated-policy-file.json",
            "$.identity_policies[0]: cannot load `tests/fixtures/bad/cases/../policies/truncated.json`: invalid JSON at line 5 column 0: EOF while parsing a value",
        ),
        (
            "policy-file-error.json",
            "$.identity_policies[0]: cannot load `tests/fixtures/bad/cases/../policies/unknown-operator.json`: $.Statement[1].Condition.StringLikee: unknown condition operator `StringLikee`",
        ),
        (
            "missing-policy-file.json",
            "$.identity_policies[0]: cannot read `tests/fixtures/bad/cases/../policies/does-not-exist.json`: no such file or directory",
        ),
        (
            "unknown-field.json",
            "$: unknown field `identity_policy` (did you mean `identity_policies`?)",
        ),
        (
            "bad-expect.json",
            "$.requests[1].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found `Denied`",
        ),
    ];
    for (file, detail) in table {
        let path = format!("{BAD}/{file}");
        let output = secaudit(&["test", &path]);
        assert_no_panic(&output);
        assert_eq!(
            stderr(&output),
            format!("error: cannot load `{path}`: {detail}\n"),
            "{file}"
        );
        assert_eq!(
            stdout(&output),
            format!("ERROR {path}: {detail}\n1 error\n0 passed, 0 failed\n"),
            "{file}"
        );
        assert_eq!(code(&output), 2, "{file}");
    }
}

#[test]
fn the_whole_bad_directory_reports_every_file_and_still_exits_2() {
    let output = secaudit(&["test", BAD]);
    assert_no_panic(&output);
    let out = stdout(&output);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ERROR ")).count(),
        10,
        "{out}"
    );
    assert!(out.ends_with("10 errors\n0 passed, 0 failed\n"), "{out}");
    assert_eq!(
        stderr(&output),
        "error: 10 case files or paths could not be run (see the ERROR lines)\n"
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn a_missing_case_file_is_unreadable() {
    let output = secaudit(&["test", "tests/fixtures/bad/cases/none.json"]);
    assert_eq!(
        stderr(&output),
        "error: `tests/fixtures/bad/cases/none.json`: no such file or directory\n"
    );
    assert_eq!(code(&output), 2);
}

#[test]
fn derive_context_feeds_policy_variables() {
    let dir = tempfile::tempdir().unwrap();
    let case = |derive: bool, expect: &str| {
        json!({
            "name": "home folder",
            "derive_context": derive,
            "identity_policies": [{"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/${aws:username}/*"}]}],
            "requests": [{
                "name": "own secret",
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": "secretsmanager:GetSecretValue",
                "resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/alice/db-a1b2c3",
                "expect": expect,
            }],
        })
    };
    let derived = dir.path().join("derived.json");
    std::fs::write(&derived, case(true, "Allowed").to_string()).unwrap();
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, case(false, "ImplicitDeny").to_string()).unwrap();
    let output = secaudit(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(stdout(&output), "2 passed, 0 failed\n");
    assert_eq!(code(&output), 0);
}

#[test]
fn a_misspelt_action_in_a_negative_test_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut misspelt = unmatched_request("must be denied", "ImplicitDeny");
    misspelt["action"] = json!("secretsmanager:GetSecretValu");
    let fine = unmatched_request("really denied", "ImplicitDeny");
    let file = write_case(dir.path(), "typo.json", vec![misspelt.clone(), fine]);
    let output = secaudit(&["test", &file]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let out = stdout(&output);
    assert!(
        out.contains(&format!(
            "ERROR {file}: typo / must be denied: $.requests[0].action: unknown action `secretsmanager:GetSecretValu`; did you mean `secretsmanager:GetSecretValue`?"
        )),
        "{out}"
    );
    // The other request of the file still runs; the ERROR counts as failed.
    assert!(out.ends_with("1 error\n1 passed, 1 failed\n"), "{out}");
    assert!(stderr(&output).contains("1 request names what AWS does not know"));
    let json = secaudit(&["test", "--format", "json", &file]);
    let document: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(document["files"][0]["requests"][0]["result"], "error");
    let junit = stdout(&secaudit(&["test", "--format", "junit", &file]));
    assert!(junit.contains("failures=\"0\" errors=\"1\""), "{junit}");

    // `allow_unknown` on the request opts out: the request runs (and passes, vacuously).
    misspelt["allow_unknown"] = json!(true);
    let file = write_case(dir.path(), "typo.json", vec![misspelt]);
    let output = secaudit(&["test", &file]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn run_selects_requests_and_coverage_names_unexercised_statements() {
    let dir = tempfile::tempdir().unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Sid": "Describe", "Effect": "Allow", "Action": "secretsmanager:DescribeSecret", "Resource": "*"},
    ]});
    std::fs::write(dir.path().join("app.policy"), policy.to_string()).unwrap();
    let mut read = unmatched_request("read", "Allowed");
    read["name"] = json!("read it");
    let mut describe = read.clone();
    describe["name"] = json!("describe it");
    describe["action"] = json!("secretsmanager:DescribeSecret");
    let case =
        json!({"name": "app", "identity_policies": ["app.policy"], "requests": [read, describe]});
    let file = dir.path().join("app.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let file = file.display().to_string();
    let policy_path = dir.path().join("app.policy").display().to_string();

    let all = secaudit(&["test", "--coverage", &file]);
    assert_eq!(code(&all), 0);
    assert_eq!(
        stdout(&all),
        "coverage: 2 of 2 statements exercised (100.0%)\n2 passed, 0 failed\n"
    );

    let only_read = secaudit(&["test", "--run", " / read", "--coverage", &file]);
    assert_eq!(code(&only_read), 0);
    assert_eq!(
        stdout(&only_read),
        format!(
            "coverage: 1 of 2 statements exercised (50.0%)\n  not exercised: {policy_path} Statement[1] `Describe`\n1 passed, 0 failed\n"
        )
    );
    let below = secaudit(&[
        "test",
        "--run",
        "read it$",
        "--coverage-threshold",
        "60",
        &file,
    ]);
    assert_eq!(code(&below), 1);
    assert!(stderr(&below).contains("coverage 50.0% is below --coverage-threshold 60"));
    let at = secaudit(&["test", "--run", "read", "--coverage-threshold", "50", &file]);
    assert_eq!(code(&at), 0);

    let json = secaudit(&[
        "test",
        "--format",
        "json",
        "--coverage",
        "--run",
        "describe",
        &file,
    ]);
    let document: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(document["coverage"]["percent"], json!(50.0));
    assert_eq!(document["coverage"]["statements"][1]["hits"], json!(1));
    assert_eq!(document["summary"]["passed"], json!(1));

    let bad = secaudit(&["test", "--run", "(", &file]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("--run: invalid regular expression"));
}

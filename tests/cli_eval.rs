//! `secaudit eval` driven through the built binary: exit 0 allowed / 1 denied / 2 bad input,
//! the text and JSON traces, the `--context` syntax, every bad policy kind as a one-line error,
//! and `eval --cases` over JSON Lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::process::{Command, Output};

use serde_json::{Value, json};

mod support;
use support::code;

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

const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-app/i-0a1b2c3d4e5f67890";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/db-AbC123";
const APP_POLICY: &str = "examples/policy-tests/policies/orders-app-role.json";
const SECRET_POLICY: &str = "examples/policy-tests/policies/orders-db-secret.json";

fn request_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["eval", "--principal", ROLE_SESSION, "--resource", SECRET];
    args.extend_from_slice(extra);
    args
}

#[test]
fn an_allowed_request_exits_0_with_its_trace() {
    let output = secaudit(&request_args(&[
        "--policy",
        APP_POLICY,
        "--resource-policy",
        SECRET_POLICY,
        "--action",
        "secretsmanager:GetSecretValue",
        "--context",
        "secretsmanager:VersionStage=AWSCURRENT",
        "--context",
        "aws:SecureTransport:=true",
    ]));
    assert_eq!(
        stdout(&output),
        format!(
            "decision: Allowed\n  allowed by: identity `{APP_POLICY}` Statement[1] `ReadCurrentVersionOnly`\n"
        ),
        "{}",
        stderr(&output)
    );
    assert_eq!(code(&output), 0);
}

#[test]
fn denied_requests_exit_1() {
    let explicit = secaudit(&request_args(&[
        "--policy",
        APP_POLICY,
        "--resource-policy",
        SECRET_POLICY,
        "--action",
        "secretsmanager:GetSecretValue",
        "--context",
        "secretsmanager:VersionStage=AWSCURRENT",
        "--context",
        "aws:SecureTransport:=false",
    ]));
    assert!(
        stdout(&explicit).starts_with("decision: ExplicitDeny\n"),
        "{}",
        stdout(&explicit)
    );
    assert!(stdout(&explicit).contains(&format!(
        "  denied by: resource `{SECRET_POLICY}` Statement[0] `DenyWithoutTls`\n"
    )));
    assert_eq!(code(&explicit), 1);

    let implicit = secaudit(&request_args(&[
        "--action",
        "secretsmanager:GetSecretValue",
    ]));
    assert!(stdout(&implicit).starts_with("decision: ImplicitDeny\n"));
    assert_eq!(code(&implicit), 1);
}

#[test]
fn json_format_is_the_evaluation() {
    let output = secaudit(&request_args(&[
        "--policy",
        APP_POLICY,
        "--action",
        "secretsmanager:GetSecretValue",
        "--context",
        "secretsmanager:VersionStage=AWSPREVIOUS",
        "--format",
        "json",
    ]));
    let value: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["decision"], "ImplicitDeny");
    assert_eq!(value["blocked_by"], "identity");
    assert_eq!(value["allowed_by"], json!([]));
    assert_eq!(value["denied_by"], json!([]));
    assert!(value["missing_keys"].is_array() && value["unsettled_keys"].is_array());
    assert_eq!(code(&output), 1);
}

#[test]
fn anonymous_is_a_principal() {
    let output = secaudit(&[
        "eval",
        "--principal",
        "anonymous",
        "--action",
        "secretsmanager:GetSecretValue",
        "--resource",
        SECRET,
    ]);
    assert!(stdout(&output).starts_with("decision: ImplicitDeny\n"));
    assert_eq!(code(&output), 1);
}

const BAD: &str = "tests/fixtures/bad/policies";

#[test]
fn every_bad_policy_kind_is_exit_2_with_its_one_line_error() {
    let table: [(&str, &str); 6] = [
        (
            "unknown-operator.json",
            "cannot load `tests/fixtures/bad/policies/unknown-operator.json`: $.Statement[1].Condition.StringLikee: unknown condition operator `StringLikee`",
        ),
        (
            "wrong-type.json",
            "cannot load `tests/fixtures/bad/policies/wrong-type.json`: $.Statement[0].Action: expected a string or an array of strings, found a number",
        ),
        (
            "missing-effect.json",
            "cannot load `tests/fixtures/bad/policies/missing-effect.json`: $.Statement[0]: missing `Effect`",
        ),
        (
            "principal-in-identity.json",
            "cannot load `tests/fixtures/bad/policies/principal-in-identity.json`: $.Statement[0].Principal: `Principal` is not allowed in an identity policy",
        ),
        (
            "truncated.json",
            "cannot load `tests/fixtures/bad/policies/truncated.json`: invalid JSON at line 5 column 0: EOF while parsing a value",
        ),
        (
            "does-not-exist.json",
            "cannot read `tests/fixtures/bad/policies/does-not-exist.json`: no such file or directory",
        ),
    ];
    for (file, message) in table {
        let path = format!("{BAD}/{file}");
        let output = secaudit(&request_args(&[
            "--policy",
            &path,
            "--action",
            "secretsmanager:GetSecretValue",
        ]));
        assert_eq!(stderr(&output), format!("error: {message}\n"), "{file}");
        assert_eq!(stdout(&output), "", "{file}");
        assert_eq!(code(&output), 2, "{file}");
    }
}

#[test]
fn a_principal_policy_is_fine_as_a_resource_policy() {
    let output = secaudit(&request_args(&[
        "--resource-policy",
        "tests/fixtures/bad/policies/principal-in-identity.json",
        "--action",
        "secretsmanager:GetSecretValue",
    ]));
    assert_eq!(stderr(&output), "");
    assert_ne!(code(&output), 2);
}

#[test]
fn bad_flags_are_exit_2_with_one_line() {
    let table: [(&[&str], &str); 6] = [
        (
            &[
                "eval",
                "--principal",
                "bob",
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
            ],
            "error: invalid principal `bob`: ",
        ),
        (
            &[
                "eval",
                "--principal",
                ROLE_SESSION,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--context",
                "aws:SourceIp",
            ],
            "error: `--context aws:SourceIp`: expected `KEY=VALUE` or `KEY:=JSON`\n",
        ),
        (
            &[
                "eval",
                "--principal",
                ROLE_SESSION,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--context",
                "aws:SourceIp=1.2.3.4",
                "--context",
                "AWS:SOURCEIP=5.6.7.8",
            ],
            "error: `--context AWS:SOURCEIP=5.6.7.8`: duplicate context key `AWS:SOURCEIP` (keys are case-insensitive)\n",
        ),
        (
            &[
                "eval",
                "--principal",
                ROLE_SESSION,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--context",
                "aws:TagKeys:=[\"a\",",
            ],
            "error: `--context aws:TagKeys:=[\"a\",`: invalid JSON value: EOF while parsing a value at line 1 column 5\n",
        ),
        (
            &[
                "eval",
                "--principal",
                ROLE_SESSION,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--context",
                "aws:TagKeys:={\"a\":1}",
            ],
            "error: `--context aws:TagKeys:={\"a\":1}`: expected a string, number, boolean or list of those, found an object\n",
        ),
        (
            &[
                "eval",
                "--principal",
                ROLE_SESSION,
                "--action",
                "s3:GetObject",
                "--resource",
                "*",
                "--resource-account",
                "12",
            ],
            "error: `--resource-account`: expected a 12-digit account id, found `12`\n",
        ),
    ];
    for (args, expected) in table {
        let output = secaudit(args);
        let err = stderr(&output);
        assert!(err.starts_with(expected), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(code(&output), 2, "{args:?}");
    }
}

#[test]
fn usage_errors_are_exit_2() {
    let missing = secaudit(&["eval", "--principal", ROLE_SESSION]);
    assert_eq!(code(&missing), 2);
    let both = secaudit(&["eval", "--cases", "x.jsonl", "--policy", APP_POLICY]);
    assert_eq!(code(&both), 2);
}

#[test]
fn eval_cases_prints_one_line_per_request_and_the_rate() {
    let dir = tempfile::tempdir().unwrap();
    let allow_all = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]});
    let request = |action: &str| {
        json!({"principal": ROLE_SESSION, "action": action, "resource": SECRET,
               "context": {"aws:SecureTransport": "true"}})
    };
    let first = json!({"name": "first \"quoted\"", "identity_policies": [allow_all],
        "resource_policy": null, "permission_boundary": null,
        "scps": [[allow_all], [allow_all]],
        "requests": [request("secretsmanager:GetSecretValue"), request("s3:GetObject")]});
    let second = json!({"name": "second", "identity_policies": [],
        "requests": [request("secretsmanager:DescribeSecret")]});
    let file = dir.path().join("cases.jsonl");
    std::fs::write(&file, format!("{first}\n{second}\n")).unwrap();
    let output = secaudit(&["eval", "--cases", file.to_str().unwrap()]);
    assert_eq!(
        stdout(&output),
        concat!(
            "{\"case\":\"first \\\"quoted\\\"\",\"index\":0,\"decision\":\"Allowed\"}\n",
            "{\"case\":\"first \\\"quoted\\\"\",\"index\":1,\"decision\":\"ImplicitDeny\"}\n",
            "{\"case\":\"second\",\"index\":0,\"decision\":\"ImplicitDeny\"}\n",
        ),
        "{}",
        stderr(&output)
    );
    let err = stderr(&output);
    let rest = err.strip_prefix("evaluated 3 requests in ").unwrap();
    let (seconds, rate) = rest.split_once(" s (").unwrap();
    assert!(seconds.parse::<f64>().is_ok(), "{err}");
    assert!(rate.ends_with(" per second)\n"), "{err}");
    assert_eq!(code(&output), 0);
}

#[test]
fn eval_cases_accepts_case_files_and_stops_on_a_bad_one() {
    let output = secaudit(&["eval", "--cases", "examples/policy-tests/orders-app.json"]);
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[5]["index"], 5);
    assert_eq!(code(&output), 0);

    // Cases stream: the lines of the good file come out, then the bad file stops the run.
    let bad = secaudit(&[
        "eval",
        "--cases",
        "examples/policy-tests/orders-app.json",
        "tests/fixtures/bad/cases/bad-expect.json",
    ]);
    assert_eq!(stdout(&bad), stdout(&output));
    assert_eq!(
        stderr(&bad),
        "error: cannot load `tests/fixtures/bad/cases/bad-expect.json`: $.requests[1].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found `Denied`\n"
    );
    assert_eq!(code(&bad), 2);
}

#[test]
fn json_trace_names_statements_and_missing_keys() {
    let output = secaudit(&request_args(&[
        "--policy",
        APP_POLICY,
        "--resource-policy",
        SECRET_POLICY,
        "--action",
        "secretsmanager:GetSecretValue",
        "--context",
        "secretsmanager:VersionStage=AWSCURRENT",
        "--format",
        "json",
    ]));
    let value: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        value,
        json!({
            "decision": "Allowed",
            "allowed_by": [{"layer": "identity", "policy": APP_POLICY, "index": 1,
                            "sid": "ReadCurrentVersionOnly"}],
            "denied_by": [],
            "blocked_by": null,
            "missing_keys": ["aws:SecureTransport"],
            "unsettled_keys": [],
            "diagnostics": [],
        })
    );
    assert_eq!(code(&output), 0);
}

#[test]
fn derive_context_fills_principal_keys_for_variables() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("home.json");
    std::fs::write(
        &policy,
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/${aws:username}/*"}]})
        .to_string(),
    )
    .unwrap();
    let args = |derive: bool| {
        let mut args = vec![
            "eval",
            "--policy",
            policy.to_str().unwrap(),
            "--principal",
            "arn:aws:iam::111122223333:user/alice",
            "--action",
            "secretsmanager:GetSecretValue",
            "--resource",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:home/alice/db-a1b2c3",
        ];
        if derive {
            args.push("--derive-context");
        }
        secaudit(&args)
    };
    assert_eq!(code(&args(true)), 0, "{}", stdout(&args(true)));
    assert_eq!(code(&args(false)), 1);
}

#[test]
fn eval_cases_names_the_bad_line_of_a_json_lines_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.jsonl");
    let good = json!({"name": "ok", "requests": [
        {"principal": ROLE_SESSION, "action": "s3:GetObject", "resource": "*"}]});
    std::fs::write(
        &file,
        format!("{good}\n\n{{\"name\": \"x\", \"requests\": [{{}}]}}\n{good}\n"),
    )
    .unwrap();
    let output = secaudit(&["eval", "--cases", file.to_str().unwrap()]);
    assert_eq!(
        stdout(&output),
        "{\"case\":\"ok\",\"index\":0,\"decision\":\"ImplicitDeny\"}\n"
    );
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot load `{}`: line 3: $.requests[0]: missing field `principal`\n",
            file.display()
        )
    );
    assert_eq!(code(&output), 2);
}

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// A KMS request: the IAM allow counts only through the key policy's account statement; the
/// trace says which rule applied and that grants are not modelled.
#[test]
fn kms_requests_need_the_key_policy() {
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("identity.json");
    let key_policy = dir.path().join("key-policy.json");
    std::fs::write(
        &identity,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}]}).to_string(),
    )
    .unwrap();
    std::fs::write(
        &key_policy,
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "EnableIam", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]})
        .to_string(),
    )
    .unwrap();
    let base = [
        "eval",
        "--principal",
        ROLE_SESSION,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--policy",
        identity.to_str().unwrap(),
    ];
    let output = secaudit(&base);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("decision: ImplicitDeny\n"), "{text}");
    assert!(text.contains("  blocked by: resource\n"), "{text}");
    assert!(
        text.contains("  note: KMS grants are not modelled"),
        "{text}"
    );

    let mut with_key_policy = base.to_vec();
    with_key_policy.extend([
        "--resource-policy",
        key_policy.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let output = secaudit(&with_key_policy);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["decision"], "Allowed");
    let codes: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["key-policy", "grants-not-modelled"]);
    assert!(
        value["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("key policy")
    );
}

/// A SAML provider as the caller of `sts:AssumeRoleWithSAML`; a legacy Allow + NotPrincipal
/// trust statement loads and is reported.
#[test]
fn federated_callers_and_allow_not_principal() {
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("trust.json");
    std::fs::write(
        &trust,
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"},
             "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Bob"}, "Action": "sts:TagSession"}]})
        .to_string(),
    )
    .unwrap();
    let output = secaudit(&[
        "eval",
        "--principal",
        "arn:aws:iam::111122223333:saml-provider/Corp",
        "--action",
        "sts:AssumeRoleWithSAML",
        "--resource",
        "arn:aws:iam::111122223333:role/Federated",
        "--resource-policy",
        trust.to_str().unwrap(),
        "--context",
        "SAML:aud=https://signin.aws.amazon.com/saml",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let diagnostics = value["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "allow-not-principal" && d["index"] == 1),
        "{value}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "federated-trust-only"),
        "{value}"
    );
}

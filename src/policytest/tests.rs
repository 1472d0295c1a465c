//! Unit tests of the case-file loader, principal-key derivation, discovery and the reports.
//! Loader tests use files in a temporary directory; report tests build results by hand, so
//! they do not depend on the evaluator's decisions.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::eval::{Decision, Evaluation, Layer, Principal, StatementRef};

const REQUIRED: LoadOptions<'static> = LoadOptions {
    expectations: Expectations::Required,
    snapshot: None,
};
const OPTIONAL: LoadOptions<'static> = LoadOptions {
    expectations: Expectations::Optional,
    snapshot: None,
};
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/App/i-1";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1b2c3";

fn request(extra: Value) -> Value {
    let mut base = json!({
        "name": "r",
        "principal": ROLE_SESSION,
        "action": "secretsmanager:GetSecretValue",
        "resource": SECRET,
        "expect": "Allowed",
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        for (key, value) in extra {
            if value.is_null() {
                base.remove(&key);
            } else {
                base.insert(key, value);
            }
        }
    }
    base
}

fn case(extra: Value) -> Value {
    let mut base = json!({"name": "c", "requests": [request(json!({}))]});
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

fn parse(value: &Value) -> Result<CaseFile, String> {
    parse_case(
        value,
        Path::new("."),
        &LoadOptions::new(Expectations::Required),
        "fallback",
    )
    .map_err(|e| e.to_string())
}

fn parse_err(value: &Value) -> String {
    match parse(value) {
        Ok(_) => panic!("expected an error for {value}"),
        Err(error) => error,
    }
}

#[test]
fn minimal_case_loads_with_its_fields() {
    let loaded = parse(&case(json!({}))).unwrap();
    assert_eq!(loaded.name, "c");
    assert_eq!(loaded.requests.len(), 1);
    let first = &loaded.requests[0];
    assert_eq!(first.name, "r");
    assert_eq!(first.expect, Some(Decision::Allowed));
    assert_eq!(first.request.action, "secretsmanager:GetSecretValue");
    assert_eq!(first.request.resource, SECRET);
    assert!(first.request.context.is_empty());
    assert!(loaded.policies.identity.is_empty());
    assert!(loaded.policies.scps.is_empty() && loaded.policies.rcps.is_empty());
}

#[test]
fn names_default_to_the_fallback_and_the_request_position() {
    let value = json!({"requests": [request(json!({"name": null}))]});
    let loaded = parse(&value).unwrap();
    assert_eq!(loaded.name, "fallback");
    assert_eq!(loaded.requests[0].name, "requests[0]");
}

#[test]
fn bad_fields_are_named_by_their_json_path() {
    let table: Vec<(Value, &str)> = vec![
        (case(json!({"polices": []})), "unknown field `polices`"),
        (
            case(json!({"Resource_Policy": null})),
            "unknown field `Resource_Policy` (did you mean `resource_policy`?)",
        ),
        (
            case(json!({"requests": [request(json!({"expected": "Allowed"}))]})),
            "requests[0]: unknown field `expected` (did you mean `expect`?)",
        ),
        (
            case(json!({"requests": [request(json!({}))  , request(json!({"expect": "Allow"}))]})),
            "requests[1].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found `Allow`",
        ),
        (
            case(json!({"requests": [request(json!({"expect": true}))]})),
            "requests[0].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found a boolean",
        ),
        (
            case(json!({"requests": [request(json!({"expect": null}))]})),
            "requests[0]: missing field `expect`",
        ),
        (
            case(json!({"requests": [request(json!({"action": null}))]})),
            "requests[0]: missing field `action`",
        ),
        (
            case(json!({"requests": [request(json!({"resource": 7}))]})),
            "requests[0].resource: expected a string, found a number",
        ),
        (json!({"name": "c"}), "missing field `requests`"),
        (
            json!({"Version": "2012-10-17", "Statement": []}),
            "this is a policy document, not a case file (a case file has `requests`)",
        ),
        (
            case(json!({"requests": {}})),
            "requests: expected a list, found an object",
        ),
        (json!([1]), "expected an object, found a list"),
        (
            case(json!({"derive_context": "yes"})),
            "derive_context: expected a boolean, found a string",
        ),
        (
            case(json!({"snapshot": "snapshots/demo"})),
            "snapshot: snapshot-backed case files are not supported yet",
        ),
        (
            case(json!({"requests": [request(json!({"principal": {"type": "Root"}}))]})),
            "requests[0].principal.type: expected `Anonymous`, found `Root`",
        ),
        (
            case(
                json!({"requests": [request(json!({"principal": {"type": "Anonymous", "x": 1}}))]}),
            ),
            "requests[0].principal: unknown field `x`",
        ),
        (
            case(json!({"requests": [request(json!({"principal": 12}))]})),
            "requests[0].principal: expected an ARN or {\"type\": \"Anonymous\"}, found a number",
        ),
        (
            case(json!({"requests": [request(json!({"resource_account": "1234"}))]})),
            "requests[0].resource_account: expected a 12-digit account id, found `1234`",
        ),
        (
            case(
                json!({"requests": [request(json!({"context": {"aws:TagKeys": ["a", {"b": 1}]}}))]}),
            ),
            "requests[0].context.aws:TagKeys[1]: expected a string, number or boolean, found an object",
        ),
        (
            case(json!({"requests": [request(json!({"context": {"aws:SourceIp": null}}))]})),
            "requests[0].context.aws:SourceIp: expected a string, number, boolean or list of those, found null",
        ),
        (
            case(
                json!({"requests": [request(json!({"context": {"aws:SourceIp": "1.2.3.4", "AWS:SOURCEIP": "5.6.7.8"}}))]}),
            ),
            "requests[0].context.aws:SourceIp: duplicate context key `aws:SourceIp` (keys are case-insensitive)",
        ),
        (
            case(json!({"identity_policies": [7]})),
            "identity_policies[0]: expected a policy document or a path, found a number",
        ),
        (
            case(json!({"scps": [[], {"Statement": []}]})),
            "scps[1]: expected a list of policies for this level: write either a flat list of policies (one level) or a list of levels",
        ),
    ];
    for (value, expected) in table {
        assert_eq!(parse_err(&value), expected, "{value}");
    }
}

#[test]
fn a_bad_principal_arn_is_reported_at_its_path() {
    let value = case(json!({"requests": [request(json!({"principal": "bob"}))]}));
    let error = parse_err(&value);
    assert!(error.starts_with("requests[0].principal: "), "{error}");
    assert!(error.contains("`bob`"), "{error}");
}

#[test]
fn documentation_fields_are_allowed_at_both_levels() {
    let documented = json!({
        "note": "n", "source": ["https://docs.aws.amazon.com/x"], "confidence": "high",
        "confidence_note": "c",
    });
    let value = case(json!({
        "note": "n", "source": "s", "confidence": 1, "confidence_note": null,
        "requests": [request(documented)],
    }));
    assert!(parse(&value).is_ok());
}

#[test]
fn expect_is_optional_for_eval_cases() {
    let value = case(json!({"requests": [request(json!({"expect": null}))]}));
    let loaded = parse_case(
        &value,
        Path::new("."),
        &LoadOptions::new(Expectations::Optional),
        "f",
    )
    .unwrap();
    assert_eq!(loaded.requests[0].expect, None);
}

#[test]
fn anonymous_principal_and_typed_context_load() {
    let value = case(json!({"allow_unknown": true, "requests": [request(json!({
        "principal": {"type": "Anonymous"},
        "resource_account": "111122223333",
        "context": {"aws:SecureTransport": true, "aws:MultiFactorAuthAge": 30, "aws:TagKeys": ["a", "b"], "aws:TagKeys2": []},
    }))]}));
    let loaded = parse(&value).unwrap();
    let first = &loaded.requests[0].request;
    assert_eq!(first.principal, Principal::Anonymous);
    assert_eq!(first.resource_account.as_deref(), Some("111122223333"));
    assert_eq!(first.context.len(), 4);
    assert!(first.context.get("AWS:TAGKEYS").is_some());
}

#[test]
fn derive_context_adds_only_missing_principal_keys() {
    let value = case(json!({
        "derive_context": true,
        "requests": [request(json!({"context": {"AWS:PRINCIPALARN": "given"}}))],
    }));
    let loaded = parse(&value).unwrap();
    let context = &loaded.requests[0].request.context;
    let text = |key: &str| match context.get(key) {
        Some(crate::eval::ContextValue::String(text)) => text.clone(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(text("aws:PrincipalArn"), "given");
    assert_eq!(text("aws:PrincipalAccount"), "111122223333");
    assert_eq!(text("aws:PrincipalType"), "AssumedRole");
    assert!(context.get("aws:username").is_none());
    assert!(context.get("aws:userid").is_none());
    assert_eq!(context.len(), 3);
}

#[test]
fn derived_keys_per_principal_type() {
    let table: [(&str, &[(&str, &str)]); 5] = [
        (
            "arn:aws:iam::111122223333:user/ops/alice",
            &[
                (
                    "aws:PrincipalArn",
                    "arn:aws:iam::111122223333:user/ops/alice",
                ),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "User"),
                ("aws:username", "alice"),
            ],
        ),
        (
            "arn:aws:iam::111122223333:role/App",
            &[
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/App"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "AssumedRole"),
            ],
        ),
        (
            "arn:aws-us-gov:sts::111122223333:assumed-role/App/s1",
            &[
                (
                    "aws:PrincipalArn",
                    "arn:aws-us-gov:iam::111122223333:role/App",
                ),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "AssumedRole"),
            ],
        ),
        (
            "arn:aws:sts::111122223333:federated-user/bob",
            &[
                (
                    "aws:PrincipalArn",
                    "arn:aws:sts::111122223333:federated-user/bob",
                ),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "FederatedUser"),
                ("aws:userid", "111122223333:bob"),
            ],
        ),
        (
            "arn:aws:iam::111122223333:root",
            &[
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:root"),
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:PrincipalType", "Account"),
                ("aws:userid", "111122223333"),
            ],
        ),
    ];
    for (arn, expected) in table {
        let principal = Principal::parse(arn).unwrap();
        let got = derive_principal_keys(&principal);
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(got, expected, "{arn}");
    }
    let anonymous = derive_principal_keys(&Principal::Anonymous);
    assert_eq!(
        anonymous,
        vec![
            ("aws:PrincipalType", String::from("Anonymous")),
            ("aws:userid", String::from("anonymous")),
        ]
    );
}

/// A fresh directory under the system temp dir, removed on drop.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Scratch(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

#[test]
fn load_errors_name_the_file() {
    let dir = Scratch::new();
    let truncated = dir.write("t.json", "{\"name\": \"x\", \"requests\": [");
    let error = load_case_file(&truncated, &REQUIRED).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load `{}`: invalid JSON at line 1 column 27: EOF while parsing a list",
            truncated.display()
        )
    );
    let missing = dir.path().join("missing.json");
    let error = load_case_file(&missing, &REQUIRED).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot read `{}`: no such file or directory",
            missing.display()
        )
    );
}

#[test]
fn missing_policy_file_is_named_relative_to_the_case_file() {
    let dir = Scratch::new();
    let file = dir.write(
        "cases/c.json",
        &case(json!({"identity_policies": ["policies/none.json"]})).to_string(),
    );
    let error = load_case_file(&file, &REQUIRED).unwrap_err();
    let policy = dir.path().join("cases/policies/none.json");
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load `{}`: identity_policies[0]: cannot read `{}`: no such file or directory",
            file.display(),
            policy.display()
        )
    );
}

#[test]
fn truncated_policy_file_is_named() {
    let dir = Scratch::new();
    dir.write(
        "cases/p.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [",
    );
    let file = dir.write(
        "cases/c.json",
        &case(json!({"resource_policy": "p.json"})).to_string(),
    );
    let error = load_case_file(&file, &REQUIRED).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load `{}`: resource_policy: cannot load `{}`: invalid JSON at line 1 column 40: EOF while parsing a list",
            file.display(),
            dir.path().join("cases/p.json").display()
        )
    );
}

#[test]
fn policies_by_path_and_levels_load() {
    let dir = Scratch::new();
    let allow_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    dir.write("policies/full.json", allow_all);
    let inline: Value = serde_json::from_str(allow_all).unwrap();
    let value = case(json!({
        "identity_policies": [inline.clone(), "policies/full.json"],
        "permission_boundary": "policies/full.json",
        "session_policy": null,
        "scps": [["policies/full.json"], [inline.clone(), "policies/full.json"]],
        "rcps": ["policies/full.json", inline],
    }));
    let loaded = parse_case(
        &value,
        dir.path(),
        &LoadOptions::new(Expectations::Required),
        "f",
    )
    .unwrap();
    let names: Vec<&str> = loaded
        .policies
        .identity
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["identity_policies[0]", "policies/full.json"]);
    assert!(loaded.policies.boundary.is_some());
    assert!(loaded.policies.session.is_none() && loaded.policies.resource.is_none());
    let levels: Vec<Vec<&str>> = loaded
        .policies
        .scps
        .iter()
        .map(|level| level.iter().map(|p| p.name.as_str()).collect())
        .collect();
    assert_eq!(
        levels,
        vec![
            vec!["policies/full.json"],
            vec!["scps[1][0]", "policies/full.json"]
        ]
    );
    assert_eq!(loaded.policies.rcps.len(), 1, "a flat list is one level");
    assert_eq!(loaded.policies.rcps[0][1].name, "rcps[1]");
}

#[test]
fn json_lines_files_hold_one_case_per_line() {
    let dir = Scratch::new();
    let line = |name: &str| {
        let mut value = case(json!({"name": name}));
        value["requests"][0]["expect"] = Value::Null;
        value.to_string()
    };
    let file = dir.write("w.jsonl", &format!("{}\n\n{}\n", line("a"), line("b")));
    let cases = load_cases(&file, &OPTIONAL).unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    // Several lines in a `.json` file are read as JSON Lines too.
    let file = dir.write("w2.json", &format!("{}\n{}\n", line("a"), line("b")));
    assert_eq!(load_cases(&file, &OPTIONAL).unwrap().len(), 2);
    let file = dir.write(
        "bad.jsonl",
        &format!("{}\n{{\"requests\": 1}}\n", line("a")),
    );
    let error = load_cases(&file, &OPTIONAL).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot load `{}`: line 2: requests: expected a list, found a number",
            file.display()
        )
    );
}

#[test]
fn discovery_walks_directories_sorted_and_skips_policies() {
    let dir = Scratch::new();
    let body = case(json!({})).to_string();
    dir.write("cases/b.json", &body);
    dir.write("cases/a/z.json", &body);
    dir.write("cases/a/readme.txt", "not a case");
    dir.write(
        "cases/policies/p.json",
        r#"{"Version": "2012-10-17", "Statement": []}"#,
    );
    dir.write("cases/broken.json", "{");
    let root = dir.path().join("cases");
    let found = discover(&[root.display().to_string()]);
    let names: Vec<String> = found
        .files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["a/z.json", "b.json", "broken.json"]);
    assert!(found.errors.is_empty());

    let pattern = format!("{}/*.json", root.display());
    let twice = discover(&[pattern.clone(), root.join("b.json").display().to_string()]);
    assert_eq!(twice.files.len(), 2, "duplicates removed: {twice:?}");

    let missing = root.join("nope").display().to_string();
    let nothing = format!("{}/*.yaml", root.display());
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let bad = discover(&[
        missing.clone(),
        nothing.clone(),
        String::from("[unclosed"),
        empty_dir.display().to_string(),
    ]);
    assert!(bad.files.is_empty());
    let reasons: Vec<(&str, &str)> = bad
        .errors
        .iter()
        .map(|(a, r)| (a.as_str(), r.as_str()))
        .collect();
    let empty_dir = empty_dir.display().to_string();
    assert_eq!(
        reasons,
        [
            (missing.as_str(), "no such file or directory"),
            (nothing.as_str(), "no file matches this pattern"),
            (
                "[unclosed",
                "invalid glob pattern: invalid range pattern at position 0"
            ),
            (empty_dir.as_str(), "no `*.json` file in this directory"),
        ]
    );
}

fn evaluation(decision: Decision) -> Evaluation {
    Evaluation {
        decision,
        allowed_by: vec![StatementRef {
            layer: Layer::Identity,
            policy: String::from("identity_policies[0]"),
            index: 1,
            sid: Some(String::from("Read")),
        }],
        denied_by: Vec::new(),
        blocked_by: (decision == Decision::ImplicitDeny).then_some(Layer::Boundary),
        missing_keys: vec![String::from("aws:SourceIp")],
        unsettled_keys: Vec::new(),
        diagnostics: Vec::new(),
    }
}

fn sample_report() -> SuiteReport {
    let result = |index: usize, name: &str, expect: Decision, got: Decision| RequestResult {
        index,
        name: name.to_owned(),
        expect: Some(expect),
        evaluation: evaluation(got),
        error: None,
    };
    SuiteReport {
        files: vec![
            FileReport {
                file: String::from("cases/a.json"),
                outcome: FileOutcome::Ran {
                    case: String::from("app <role> & \"friends\""),
                    results: vec![
                        result(0, "reads", Decision::Allowed, Decision::Allowed),
                        result(1, "line\nbreak", Decision::Allowed, Decision::ImplicitDeny),
                    ],
                },
            },
            FileReport {
                file: String::from("cases/b.json"),
                outcome: FileOutcome::Error {
                    detail: String::from(
                        "requests[3].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found `x`",
                    ),
                    message: String::from("cannot load `cases/b.json`: requests[3].expect: …"),
                },
            },
        ],
        coverage: None,
    }
}

#[test]
fn text_report_is_quiet_by_default_and_lists_all_with_verbose() {
    let report = sample_report();
    assert_eq!(
        (report.passed(), report.failed(), report.errors()),
        (1, 1, 1)
    );
    let fail = "FAIL cases/a.json: app <role> & \"friends\" / line\\nbreak: expected Allowed, got ImplicitDeny (blocked by boundary; allowed by identity `identity_policies[0]` Statement[1] `Read`; missing keys `aws:SourceIp`)\n";
    let error = "ERROR cases/b.json: requests[3].expect: expected one of `Allowed`, `ExplicitDeny`, `ImplicitDeny`, found `x`\n";
    assert_eq!(
        render_text(&report, false),
        format!("{fail}{error}1 error\n1 passed, 1 failed\n")
    );
    let pass = "PASS cases/a.json: app <role> & \"friends\" / reads: Allowed (allowed by identity `identity_policies[0]` Statement[1] `Read`; missing keys `aws:SourceIp`)\n";
    assert_eq!(
        render_text(&report, true),
        format!("{pass}{fail}{error}1 error\n1 passed, 1 failed\n")
    );
    assert_eq!(
        render_text(&SuiteReport::default(), false),
        "0 passed, 0 failed\n"
    );
}

#[test]
fn json_report_carries_every_request() {
    let report: Value = serde_json::from_str(&render_json(&sample_report())).unwrap();
    assert_eq!(
        report["summary"],
        json!({"passed": 1, "failed": 1, "errors": 1})
    );
    let first = &report["files"][0];
    assert_eq!(first["status"], "ran");
    assert_eq!(first["requests"][1]["result"], "fail");
    assert_eq!(first["requests"][1]["decision"], "ImplicitDeny");
    assert_eq!(first["requests"][1]["expect"], "Allowed");
    assert_eq!(first["requests"][1]["blocked_by"], "boundary");
    assert_eq!(
        first["requests"][0]["allowed_by"][0],
        json!({"layer": "identity", "policy": "identity_policies[0]", "index": 1, "sid": "Read"})
    );
    assert_eq!(report["files"][1]["status"], "error");
    assert!(
        report["files"][1]["error"]
            .as_str()
            .unwrap()
            .starts_with("requests[3].expect")
    );
}

#[test]
fn junit_report_escapes_and_counts() {
    let xml = render_junit(&sample_report());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"secaudit test\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\">\n"));
    assert!(xml.contains(
        "<testsuite name=\"cases/a.json\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">"
    ));
    assert!(xml.contains("name=\"app &lt;role&gt; &amp; &quot;friends&quot; / line&#10;break\""));
    assert!(xml.contains("<failure message=\"expected Allowed, got ImplicitDeny\" type=\"wrong decision\">blocked by: boundary&#10;"));
    assert!(xml.contains("<error message=\"requests[3].expect: expected one of `Allowed`"));
    assert!(!xml.contains("friends\" "));
    assert!(xml.ends_with("</testsuites>\n"));
}

#[test]
fn junit_shows_characters_xml_forbids_as_escapes() {
    let mut report = sample_report();
    report.files[1].outcome = FileOutcome::Error {
        detail: String::from("bad \u{0} \u{1b} \u{FFFF} byte"),
        message: String::new(),
    };
    let xml = render_junit(&report);
    assert!(xml.contains("bad \\u{0} \\u{1b} \\u{ffff} byte"), "{xml}");
}

/// A stand-in for the access analysis behind the `SnapshotPolicies` hook: it gives every
/// request one identity policy named after the snapshot path, or refuses a principal.
struct NamedAfterSnapshot;

impl SnapshotPolicies for NamedAfterSnapshot {
    fn policies(
        &self,
        snapshot: &Path,
        request: &crate::eval::Request,
        inline: &crate::eval::PolicySet,
    ) -> Result<crate::eval::PolicySet, String> {
        if request.action == "s3:GetObject" {
            return Err(String::from("principal `x` is not in the snapshot"));
        }
        let policy = crate::policy::Policy::from_value(
            &json!({"Version": "2012-10-17", "Statement": []}),
            crate::policy::PolicyKind::Identity,
        )
        .unwrap();
        let mut set = inline.clone();
        set.identity.push(crate::eval::NamedPolicy {
            name: snapshot.display().to_string(),
            policy: std::sync::Arc::new(policy),
        });
        Ok(set)
    }
}

#[test]
fn snapshot_cases_go_through_the_hook() {
    let hook = NamedAfterSnapshot;
    let options = LoadOptions {
        expectations: Expectations::Required,
        snapshot: Some(&hook),
    };
    let value = case(json!({"snapshot": "snap", "scps": []}));
    let loaded = parse_case(&value, Path::new("cases"), &options, "f").unwrap();
    let request = &loaded.requests[0];
    let policies = request.policies(&loaded);
    assert_eq!(policies.identity.len(), 1);
    assert_eq!(
        policies.identity[0].name,
        Path::new("cases/snap").display().to_string()
    );
    assert!(loaded.policies.identity.is_empty());

    let inline = case(json!({"snapshot": "snap", "identity_policies": []}));
    let error = parse_case(&inline, Path::new("."), &options, "f").unwrap_err();
    assert_eq!(
        error.to_string(),
        "identity_policies: comes from the snapshot in a snapshot-backed case file"
    );

    let refused = case(json!({"snapshot": "snap", "allow_unknown": true,
        "requests": [request_value("s3:GetObject")]}));
    let error = parse_case(&refused, Path::new("."), &options, "f").unwrap_err();
    assert_eq!(
        error.to_string(),
        "requests[0]: principal `x` is not in the snapshot"
    );
}

fn request_value(action: &str) -> Value {
    request(json!({"action": action}))
}

/// Any JSON value: the loader must answer every one with a case or an error, never a panic.
fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z:/*?${}._-]{0,12}".prop_map(Value::from),
        Just(Value::from(ROLE_SESSION)),
        Just(Value::from("Allowed")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_:A-Z]{1,10}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

const FIELDS: [&str; 16] = [
    "name",
    "identity_policies",
    "resource_policy",
    "permission_boundary",
    "session_policy",
    "scps",
    "rcps",
    "requests",
    "derive_context",
    "snapshot",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "expect",
];

proptest::proptest! {
    #[test]
    fn arbitrary_json_never_panics_the_loader(value in any_json()) {
        let _ = parse(&value);
    }

    #[test]
    fn any_field_replaced_by_arbitrary_json_never_panics(
        field in proptest::sample::select(FIELDS.to_vec()),
        value in any_json(),
        in_request in proptest::bool::ANY,
    ) {
        let mut document = case(json!({"derive_context": true}));
        if in_request {
            document["requests"][0][field] = value;
        } else {
            document[field] = value;
        }
        let _ = parse(&document);
    }
}

#[test]
fn unknown_names_in_requests_are_errors() {
    let cases = [
        (
            json!({"action": "secretsmanager:GetSecretValu"}),
            "requests[0].action: unknown action `secretsmanager:GetSecretValu`; did you mean `secretsmanager:GetSecretValue`?",
        ),
        (
            json!({"resource": "arn:aws:secretsmanagr:us-east-1:111122223333:secret:prod/db-a1b2c3"}),
            "requests[0].resource: `arn:aws:secretsmanagr:",
        ),
        (
            json!({"principal": "arn:aws:iam::111122223333:user/"}),
            "requests[0].principal",
        ),
        (
            json!({"principal": "arn:awz:iam::111122223333:user/alice"}),
            "requests[0].principal: `arn:awz:iam::111122223333:user/alice`: unknown partition `awz`",
        ),
        (
            json!({"context": {"secretsmanager:VersionStag": "AWSCURRENT"}}),
            "requests[0].context.secretsmanager:VersionStag: unknown condition key",
        ),
        (
            json!({"context": {"secretsmanager:BlockPublicPolicy": true}}),
            "is not one that `secretsmanager:GetSecretValue` requests carry",
        ),
        (json!({"resource": "*"}), "acts on a resource ARN"),
    ];
    let unknown = |value: &Value| -> Option<String> {
        let loaded = parse_case(value, Path::new("."), &REQUIRED, "f").expect("the file loads");
        loaded.requests[0].unknown.clone()
    };
    for (extra, expected) in cases {
        if expected == "requests[0].principal" {
            // A principal that does not parse at all is a load error, `allow_unknown` or not.
            assert!(parse(&case(json!({"requests": [request(extra.clone())]}))).is_err());
            continue;
        }
        let error = unknown(&case(json!({"requests": [request(extra.clone())]})))
            .expect("an unknown name is an error");
        assert!(error.contains(expected), "{extra}: {error}");
        // The same request is a plain test with `allow_unknown`, on the request or the file.
        let mut allowed = extra.clone();
        allowed["allow_unknown"] = json!(true);
        assert_eq!(
            unknown(&case(json!({"requests": [request(allowed)]}))),
            None
        );
        assert_eq!(
            unknown(&case(
                json!({"allow_unknown": true, "requests": [request(extra.clone())]})
            )),
            None
        );
    }
    // Known names pass; global keys are fine for any action; `eval --cases` does not check.
    let good = request(
        json!({"context": {"secretsmanager:VersionStage": "AWSCURRENT",
        "aws:PrincipalTag/team": "a", "aws:SourceIp": "10.0.0.1"}}),
    );
    assert!(parse(&case(json!({"requests": [good]}))).is_ok());
    let optional = parse_case(
        &case(json!({"requests": [request(json!({"action": "x:Y"}))]})),
        Path::new("."),
        &OPTIONAL,
        "f",
    );
    assert_eq!(optional.expect("loads").requests[0].unknown, None);
    let bad_flag = parse(&case(json!({"allow_unknown": "yes"}))).expect_err("not a boolean");
    assert_eq!(
        bad_flag,
        "allow_unknown: expected a boolean, found a string"
    );
}

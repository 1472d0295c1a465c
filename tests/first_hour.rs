//! The defaults a new user meets in the first hour, through the built binary: `--output` refuses
//! a format name, `--fail-on` says on stderr what tripped it, and the terminal table fits the
//! terminal's width.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn secaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

const DEMO: &str = "fixtures/snapshots/demo";

#[test]
fn output_refuses_a_format_name_with_a_hint() {
    for (command, format) in [
        (
            vec!["audit", "--snapshot", DEMO, "--output", "json"],
            "json",
        ),
        (vec!["audit", "--snapshot", DEMO, "--output", "CSV"], "csv"),
        (
            vec!["access", "--snapshot", DEMO, "--output", "table"],
            "table",
        ),
        (
            vec!["test", "examples/policy-tests", "--output", "junit"],
            "junit",
        ),
    ] {
        let scratch = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args(command.iter().map(|arg| {
                if *arg == DEMO || arg.starts_with("examples/") {
                    root().join(arg).display().to_string()
                } else {
                    (*arg).to_owned()
                }
            }))
            .current_dir(scratch.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("did you mean --format {format}?")),
            "{command:?}: {stderr}"
        );
        // Nothing was written under the format's name.
        assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
    }
}

#[test]
fn output_takes_a_format_name_written_as_a_path() {
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("json");
    let output = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(target.is_file());
}

#[test]
fn fail_on_names_what_tripped_it() {
    let output = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Coverage notes may come first; the explanation starts at its own line.
    let first = stderr
        .lines()
        .find(|line| line.starts_with("exit 1: "))
        .unwrap_or_default();
    assert!(
        first.ends_with("at or above `--fail-on critical`:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  secretsmanager-policy-not-public (critical): "),
        "{stderr}"
    );
    // Only findings at or above the threshold are named.
    assert!(!stderr.contains("(high)"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");

    // Clean below the threshold: no explanation.
    let quiet = secaudit(&[
        "audit",
        "--snapshot",
        DEMO,
        "--format",
        "json",
        "--rule",
        "secretsmanager-secret-tagged",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("exit 1"));
}

/// The demo table fits 80 and 200 columns (`COLUMNS`, as a terminal would give), line by line;
/// the renderings are kept as golden files (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn the_table_fits_the_terminal_width() {
    for width in [80usize, 200] {
        let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args([
                "-q",
                "audit",
                "--snapshot",
                DEMO,
                "--now",
                "2026-11-01T00:00:00Z",
                "--format",
                "table",
            ])
            .current_dir(root())
            .env("COLUMNS", width.to_string())
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "{width} columns: {} wide: {line}",
                line.chars().count()
            );
        }
        // The managed secret's name keeps its start and its unique end.
        assert!(text.contains("rds!cluste"), "{text}");
        assert!(text.contains("e7f60a2b"), "{text}");
        assert!(!text.contains('\x1b'));
        let golden = root().join(format!("tests/golden/demo-{width}.txt"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&golden).unwrap_or_default(),
            text,
            "{} is stale: UPDATE_GOLDEN=1 regenerates it",
            golden.display()
        );
    }
}

/// A live run that cannot start says why in one line, the cause first and a hint second.
#[cfg(feature = "aws")]
#[test]
fn start_failures_are_one_line_cause_then_hint() {
    let home = tempfile::tempdir().unwrap();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let config = home.path().join("config");
    std::fs::write(&config, "[default]\nregion = us-east-1\n[profile dev]\n").unwrap();
    let run = |args: &[&str], keys: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
        command
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_ENDPOINT_URL", &closed)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_REGION", "us-east-1");
        if keys {
            command
                .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "secret");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.len() < 300, "{stderr}");
        stderr
    };
    let out = home.path().join("snap");
    let out = out.to_str().unwrap();

    let stderr = run(&["collect", "--output", out, "--profile", "prod"], true);
    assert!(
        stderr.starts_with("error: cannot collect: profile `prod` not found in ~/config or "),
        "{stderr}"
    );
    assert!(stderr.contains("; hint: "), "{stderr}");

    let stderr = run(&["collect", "--output", out], true);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot collect: cannot connect to `{closed}`: connection refused; hint: "
        )),
        "{stderr}"
    );

    let stderr = run(&["audit", "--profile", "dev"], false);
    assert!(
        stderr.contains("no AWS credentials found for profile `dev`; hint: "),
        "{stderr}"
    );
}

/// `config-rule` checks the event, the rule and the parameter types before any AWS call: with no
/// credentials and a closed endpoint, a bad event must still be reported for what it is, with
/// the event's JSON path.
#[cfg(feature = "config-rule")]
#[test]
fn config_rule_validates_the_event_before_collecting() {
    let scratch = tempfile::tempdir().unwrap();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/config-rule/scheduled.json")).unwrap(),
    )
    .unwrap();
    let oversized: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/config-rule/oversized-change.json"))
            .unwrap(),
    )
    .unwrap();
    let with = |mut event: serde_json::Value, key: &str, value: serde_json::Value| {
        event[key] = value;
        event
    };
    let cases: Vec<(serde_json::Value, Vec<&str>, &str)> = vec![
        (
            with(
                base.clone(),
                "ruleParameters",
                serde_json::json!(
                    "{\"secauditRule\": \"secretsmanager-rotation-enabled-check\", \"maximumAllowedRotationFrequency\": \"thirty\"}"
                ),
            ),
            vec![],
            "ruleParameters.maximumAllowedRotationFrequency: ",
        ),
        (
            with(
                base.clone(),
                "ruleParameters",
                serde_json::json!("{\"secauditRule\": \"no-such-rule\"}"),
            ),
            vec![],
            "ruleParameters.secauditRule: unknown rule `no-such-rule`",
        ),
        (
            with(
                base.clone(),
                "ruleParameters",
                serde_json::json!("{\"secauditRule\": 7}"),
            ),
            vec![],
            "ruleParameters.secauditRule: expected a string",
        ),
        (
            base.clone(),
            vec!["--rule", "nope"],
            "--rule: unknown rule `nope`",
        ),
        (
            with(
                oversized.clone(),
                "invokingEvent",
                serde_json::json!(
                    "{\"messageType\": \"OversizedConfigurationItemChangeNotification\", \"configurationItemSummary\": {\"resourceType\": \"AWS::SecretsManager::Secret\"}}"
                ),
            ),
            vec![],
            "invokingEvent.configurationItemSummary.resourceId: missing",
        ),
        (
            with(base.clone(), "resultToken", serde_json::Value::Null),
            vec![],
            "`resultToken`: missing",
        ),
    ];
    for (event, extra, expected) in cases {
        let path = scratch.path().join("event.json");
        std::fs::write(&path, event.to_string()).unwrap();
        let mut args = vec![
            "config-rule",
            "--event",
            path.to_str().unwrap(),
            "--dry-run",
        ];
        args.extend(extra);
        let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args(&args)
            .env_clear()
            .env("HOME", scratch.path())
            .env("AWS_ENDPOINT_URL", &closed)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{expected}: {stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert!(!stderr.contains("credentials"), "collected first: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

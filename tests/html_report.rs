//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
//! `scripts/report-env.sh`) loads the report of the demo snapshot, with mutes and a baseline, runs
//! its script without an error, and shows the counts of the JSON report of the same run (totals,
//! muted, new or changed, and the rows its filters select, given in the URL fragment). A snapshot
//! whose secret names and tags carry markup proves that nothing they contain runs or renders as
//! HTML. The browser gets a fresh empty profile and no network features.
//!
//! Chromium comes from `SECAUDIT_CHROMIUM`, else `chromium` on the PATH; when there is none the
//! tests skip with a message, except under `CI=true`, where they fail.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod support;
use support::root;

const DEMO: &str = "fixtures/snapshots/demo";
const MUTES: &str = "tests/fixtures/lifecycle/mutes.json";
const NOW: &str = "2026-11-01T00:00:00Z";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SECAUDIT_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "chromium not found under CI: scripts/report-env.sh installs it"
        );
        eprintln!("SKIPPED: chromium not found (run scripts/report-env.sh)");
    }
    found
}

/// Runs headless Chromium on `url` with a new empty profile and the extra `args`.
fn browse(chromium: &Path, url: &str, args: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = String::from_utf8_lossy(&output.stderr);
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE") || line.contains("Uncaught")),
            "the page logged: {line}"
        );
    }
    output
}

/// The rendered DOM after the page's script ran.
fn dom(chromium: &Path, file: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", file.display());
    let output = browse(chromium, &url, &["--dump-dom"]);
    let dom = String::from_utf8(output.stdout).unwrap();
    assert!(
        dom.contains("data-script=\"ok\""),
        "the script did not finish ({fragment}): {}",
        &dom[..dom.len().min(400)]
    );
    dom
}

/// The text of the first element carrying `attribute="value"`, from `>` to the next `<`.
fn element_text<'a>(dom: &'a str, attribute: &str) -> &'a str {
    let at = dom
        .find(attribute)
        .unwrap_or_else(|| panic!("no `{attribute}` in the page"));
    let start = at + dom[at..].find('>').unwrap() + 1;
    let end = start + dom[start..].find('<').unwrap();
    &dom[start..end]
}

fn shown(dom: &str) -> usize {
    let text = element_text(dom, "id=\"shown\"");
    text.split(' ').next().unwrap().parse().unwrap()
}

fn audit(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn chromium_renders_the_demo_report_with_the_counts_of_the_json_report() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("september.json");
    fs::write(
        &baseline,
        audit(&[
            "-q",
            "audit",
            "--snapshot",
            DEMO,
            "--now",
            "2026-09-01T00:00:00Z",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    let common = [
        "-q",
        "audit",
        "--snapshot",
        DEMO,
        "--now",
        NOW,
        "--mutes",
        MUTES,
        "--baseline",
        baseline.to_str().unwrap(),
    ];
    let report: Value =
        serde_json::from_slice(&audit(&[&common[..], &["--format", "json"]].concat()).stdout)
            .unwrap();
    let html = dir.path().join("report.html");
    audit(
        &[
            &common[..],
            &["--format", "html", "--output", html.to_str().unwrap()],
        ]
        .concat(),
    );

    let findings = report["findings"].as_array().unwrap();
    let count = |pred: &dyn Fn(&Value) -> bool| findings.iter().filter(|f| pred(f)).count();
    let page = dom(&chromium, &html, "");
    for compliance in [
        "COMPLIANT",
        "NON_COMPLIANT",
        "NOT_APPLICABLE",
        "INSUFFICIENT_DATA",
    ] {
        let expected = count(&|f| f["compliance_type"] == compliance);
        assert_eq!(
            element_text(&page, &format!("data-count=\"{compliance}\"")),
            expected.to_string(),
            "{compliance}"
        );
    }
    let muted = count(&|f| f.get("muted").is_some());
    assert_eq!(
        element_text(&page, "data-count=\"muted\""),
        muted.to_string()
    );
    let regressions =
        count(&|f| f["compliance_type"] == "NON_COMPLIANT" && f["change"] != "unchanged");
    assert!(regressions > 0, "fixture premise");
    assert_eq!(
        element_text(&page, "data-count=\"new-failing\""),
        regressions.to_string()
    );
    let failing = count(&|f| {
        matches!(
            f["compliance_type"].as_str(),
            Some("NON_COMPLIANT" | "INSUFFICIENT_DATA")
        )
    });
    assert_eq!(shown(&page), failing);
    assert_eq!(page.matches("class=\"finding").count(), failing);

    // The filters, set from the URL fragment, select what the JSON report says.
    let rule = "secretsmanager-rotation-enabled-check";
    let filtered = dom(
        &chromium,
        &html,
        &format!("#rule={rule}&status=NON_COMPLIANT"),
    );
    assert_eq!(
        shown(&filtered),
        count(&|f| f["rule"] == rule && f["compliance_type"] == "NON_COMPLIANT")
    );
    assert_eq!(shown(&dom(&chromium, &html, "#status=muted")), muted);
    assert_eq!(
        shown(&dom(
            &chromium,
            &html,
            "#severity=high&account=111122223333"
        )),
        count(&|f| f["severity"] == "high"
            && matches!(
                f["compliance_type"].as_str(),
                Some("NON_COMPLIANT" | "INSUFFICIENT_DATA")
            ))
    );

    // A screenshot, for people to look at (kept under the target directory).
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-report.png");
    let _ = fs::remove_file(&screenshot);
    browse(
        &chromium,
        &format!("file://{}", html.display()),
        &[
            "--window-size=1400,2400",
            &format!("--screenshot={}", screenshot.display()),
        ],
    );
    let png = fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot"
    );
}

#[test]
fn markup_in_secret_names_never_runs_or_renders() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    copy_dir(&root().join("tests/fixtures/snapshots/formula"), &snapshot);
    let list = snapshot.join("us-east-1/secretsmanager/list-secrets.json");
    let hostile = "</td><script>document.documentElement.setAttribute('data-pwned','script')</script>\
                   <img src=x onerror=\\\"document.documentElement.setAttribute('data-pwned','img')\\\">";
    let text = fs::read_to_string(&list)
        .unwrap()
        .replace("\"Name\": \"+cmd\"", &format!("\"Name\": \"{hostile}\""));
    fs::write(&list, text).unwrap();
    let html = dir.path().join("report.html");
    audit(&[
        "-q",
        "audit",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--rule",
        "secretsmanager-secret-tagged",
        "--format",
        "html",
        "--output",
        html.to_str().unwrap(),
    ]);
    let source = fs::read_to_string(&html).unwrap();
    assert!(
        source.contains("&lt;script&gt;document.documentElement"),
        "the name is shown as text"
    );
    let page = dom(&chromium, &html, "");
    assert!(page.contains("data-pwned"), "the name is in the page");
    assert!(
        !page.contains("data-pwned=\""),
        "markup from a secret name ran"
    );
    assert!(!page.contains("<img"), "markup from a secret name rendered");
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

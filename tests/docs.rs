//! The documents that travel with the code:
//!
//! - `docs/rules.md` is generated from `rules/*.json`; this test fails when it is stale.
//!   Regenerate with `UPDATE_DOCS=1 cargo test --no-default-features --test docs`.
//! - No user-facing file (README, `docs/`, `examples/`, help texts and module docs in `src/`,
//!   `rules/`, `policies/`) points at a document outside the repository.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step is a failed test"
)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rule_files() -> Vec<Value> {
    let mut paths: Vec<PathBuf> = fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

/// A JSON value as a table cell: strings bare, lists comma-separated, `null` as "none".
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => "none".to_owned(),
        Value::String(text) => format!("`{text}`"),
        Value::Array(items) if items.is_empty() => "`[]`".to_owned(),
        other => format!("`{other}`"),
    };
    text.replace('|', "\\|")
}

fn prose(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

const SEVERITY_ORDER: [&str; 5] = ["critical", "high", "medium", "low", "informational"];

/// The catalogue page, from the rule files alone.
fn render(rules: &[Value]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Rule catalogue\n\n\
         <!-- Generated from rules/*.json by tests/docs.rs: do not edit by hand. Regenerate with\n\
         `UPDATE_DOCS=1 cargo test --no-default-features --test docs`. -->\n\n\
         Every rule is a file `rules/<id>.json` (metadata, parameters with defaults, the AWS Config\n\
         rule and Security Hub control it mirrors) and one Rust module in `src/rules/checks/`.\n\
         `secaudit rules list` and `secaudit rules show ID` print the same information; parameters\n\
         are set with `secaudit audit --config FILE` ([file-formats.md](file-formats.md)).\n\n\
         ## What every rule has in common\n\n\
         - One finding per rule and resource, with one of the four AWS Config verdicts and an\n\
           annotation (at most 256 characters) that says which branch the rule took, for example\n\
           `never rotated; age 120 days from creation > 90`.\n\
         - **Replicas** (a secret whose primary region is elsewhere) are `NOT_APPLICABLE`, naming\n\
           the primary, which is judged instead, unless a rule says otherwise.\n\
         - **Secrets pending deletion** are `NOT_APPLICABLE`, except for\n\
           `secretsmanager-deleted-secret-access`, which looks only at them.\n\
         - **Service-managed secrets** (`rds!cluster-…`) are judged like others; a managed rotation\n\
           without a rotation function is still a rotation.\n\
         - **Data that was not collected** (a missing file, or `coverage` saying denied, throttled\n\
           or error) gives `INSUFFICIENT_DATA`, never `COMPLIANT`.\n\
         - **A rule that needs a parameter to judge anything** reports `NOT_APPLICABLE` \"not\n\
           configured\" until it has one.\n\
         - Parameters arrive as JSON values or, as AWS Config passes them, as strings (`\"90\"`,\n\
           `\"a,b\"`).\n\n\
         ## Rules\n\n\
         | rule | severity | title |\n| --- | --- | --- |\n",
    );
    let mut sorted: Vec<&Value> = rules.iter().collect();
    sorted.sort_by_key(|rule| {
        let severity = rule["severity"].as_str().unwrap_or_default();
        (
            SEVERITY_ORDER
                .iter()
                .position(|s| *s == severity)
                .unwrap_or(SEVERITY_ORDER.len()),
            rule["id"].as_str().unwrap_or_default().to_owned(),
        )
    });
    for rule in &sorted {
        let id = rule["id"].as_str().unwrap();
        writeln!(
            out,
            "| [`{id}`](#{id}) | {} | {} |",
            rule["severity"].as_str().unwrap_or_default(),
            prose(rule["title"].as_str().unwrap_or_default())
        )
        .unwrap();
    }
    for rule in &sorted {
        let id = rule["id"].as_str().unwrap();
        writeln!(out, "\n### {id}\n").unwrap();
        writeln!(
            out,
            "**{}**\n",
            prose(rule["title"].as_str().unwrap_or_default())
        )
        .unwrap();
        writeln!(
            out,
            "Severity `{}`; resource type `{}`.\n",
            rule["severity"].as_str().unwrap_or_default(),
            rule["resource_type"].as_str().unwrap_or_default()
        )
        .unwrap();
        writeln!(
            out,
            "{}\n",
            prose(rule["description"].as_str().unwrap_or_default())
        )
        .unwrap();
        match rule["parameters"].as_object() {
            Some(parameters) if !parameters.is_empty() => {
                out.push_str(
                    "| parameter | type | default | meaning |\n| --- | --- | --- | --- |\n",
                );
                for (name, spec) in parameters {
                    let mut kind = spec["type"].as_str().unwrap_or_default().to_owned();
                    if let Some(values) = spec.get("values").and_then(Value::as_array) {
                        let values: Vec<String> = values
                            .iter()
                            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
                            .collect();
                        kind = format!("{kind}: {}", values.join(", "));
                    }
                    if let Some(minimum) = spec.get("minimum") {
                        kind = format!("{kind} (≥ {minimum})");
                    }
                    writeln!(
                        out,
                        "| `{name}` | {kind} | {} | {} |",
                        cell(spec.get("default").unwrap_or(&Value::Null)),
                        prose(spec["description"].as_str().unwrap_or_default())
                    )
                    .unwrap();
                }
                out.push('\n');
            }
            _ => out.push_str("No parameters.\n\n"),
        }
        if let Some(mappings) = rule["mappings"].as_object() {
            let named: Vec<String> = mappings
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| format!("{} {}", key.replace('_', " "), cell(value)))
                .collect();
            if named.is_empty() {
                out.push_str("Mirrors: no AWS Config rule or Security Hub control.\n\n");
            } else {
                writeln!(out, "Mirrors: {}.\n", named.join("; ")).unwrap();
            }
        }
        writeln!(
            out,
            "Remediation: {}",
            prose(rule["remediation"].as_str().unwrap_or_default())
        )
        .unwrap();
    }
    out
}

#[test]
fn rules_md_is_generated_from_the_rule_files() {
    let rules = rule_files();
    assert!(rules.len() >= 10, "the catalogue has {} rules", rules.len());
    let expected = render(&rules);
    let path = root().join("docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(&path, &expected).unwrap();
    }
    let actual = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: regenerate it with \
         `UPDATE_DOCS=1 cargo test --no-default-features --test docs` and review the diff"
    );
    for rule in &rules {
        let id = rule["id"].as_str().unwrap();
        assert!(actual.contains(&format!("### {id}\n")), "{id} missing");
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|ext| {
            ["md", "rs", "json", "yml", "yaml", "toml"]
                .iter()
                .any(|e| ext == *e)
        }) {
            out.push(path);
        }
    }
}

/// Developer cards that live outside the repository; a user never has them.
const OUTSIDE: [&str; 6] = [
    "../shared",
    "shared/DESIGN",
    "DESIGN.md",
    "SEMANTICS.md",
    "RULES.md",
    "STYLE.md",
];

#[test]
fn no_user_facing_file_points_outside_the_repository() {
    let root = root();
    let mut files = vec![root.join("README.md"), root.join("Dockerfile")];
    for dir in [
        "docs", "examples", "src", "rules", "policies", "deploy", ".github",
    ] {
        walk(&root.join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            if OUTSIDE.iter().any(|needle| line.contains(needle)) {
                offenders.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(&root).unwrap_or(&file).display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these lines point outside the repository (use docs/…):\n{}",
        offenders.join("\n")
    );
}

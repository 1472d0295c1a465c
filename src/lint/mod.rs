//! `secaudit lint`: checks policies before they are deployed — policy documents, Terraform plans
//! (`terraform show -json`) and CloudFormation templates (JSON or YAML) — against the AWS
//! catalogue (`crate::catalogue`), the evaluator (dangerous grants) and the Secrets Manager
//! traps, and locates each finding by file, line and JSON path. It reads the files it is given
//! and renders reports as text, JSON or SARIF 2.1.0; printing and exit codes belong to the CLI.

mod checks;
mod finding;
mod grants;
mod located;
mod render;
mod report;
mod sources;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use finding::{Level, LintError, LintFinding, LintReport};
pub use located::Located;
pub use render::{render_json, render_sarif, render_text};
pub use sources::{Embedded, FileKind, LintKind, TEMPLATE_ACCOUNT, policies_in};

use crate::findings::Severity;
use crate::policy::{Policy, PolicyKind};
use report::Sink;

/// How to lint.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Every policy is of this kind (`--kind`); `None`: the file says or the document shows.
    pub kind: Option<LintKind>,
    /// Accounts trusted to be named in resource policies (`--trusted-account`).
    pub trusted_accounts: Vec<String>,
}

/// The kind a policy document shows: statements with `Principal` are resource policies (trust
/// policies when they only allow `sts:AssumeRole*`, key policies when they name `kms:` actions);
/// others are identity policies.
pub fn detect_kind(document: &Value) -> LintKind {
    let statements = checks::statements(document);
    let has_principal = statements
        .iter()
        .any(|(_, s)| s.contains_key("Principal") || s.contains_key("NotPrincipal"));
    if !has_principal {
        return LintKind::Identity;
    }
    let actions: Vec<String> = statements
        .iter()
        .flat_map(|(path, s)| checks::element(s, path, "Action"))
        .map(|(_, text)| text.to_ascii_lowercase())
        .collect();
    if !actions.is_empty()
        && actions.iter().all(|a| {
            a.starts_with("sts:assumerole") || a == "sts:tagsession" || a == "sts:setsourceidentity"
        })
    {
        LintKind::Trust
    } else if actions.iter().any(|a| a.starts_with("kms:")) {
        LintKind::Key
    } else {
        LintKind::Resource
    }
}

/// Lints one file's text (`file` is how findings name it).
pub fn lint_text(file: &str, text: &str, options: &LintOptions, report: &mut LintReport) {
    let yaml = [".yaml", ".yml"]
        .iter()
        .any(|ext| file.to_ascii_lowercase().ends_with(ext));
    let (_, located, embedded) = match policies_in(text, yaml) {
        Ok(found) => found,
        Err(message) => {
            report.errors.push(LintError {
                file: file.to_owned(),
                message,
            });
            return;
        }
    };
    report.files.push(file.to_owned());
    for policy in embedded {
        report.policies += 1;
        let kind = options
            .kind
            .or(policy.kind)
            .unwrap_or_else(|| detect_kind(&policy.value));
        let mut sink = Sink {
            file,
            located: &located,
            base: &policy.path,
            string_line: policy.string_line,
            findings: Vec::new(),
        };
        lint_policy(&policy.value, kind, options, &mut sink);
        report.findings.extend(sink.findings);
    }
    report.sort();
}

fn lint_policy(document: &Value, kind: LintKind, options: &LintOptions, sink: &mut Sink<'_>) {
    let policy_kind = match kind {
        LintKind::Identity => PolicyKind::Identity,
        LintKind::Resource | LintKind::Key | LintKind::Trust => PolicyKind::Resource,
        LintKind::Scp => PolicyKind::Scp,
        LintKind::Rcp => PolicyKind::Rcp,
    };
    checks::check_document(document, sink);
    match Policy::from_value(document, policy_kind) {
        Ok(policy) => {
            grants::check_grants(
                &Arc::new(policy),
                document,
                kind,
                &options.trusted_accounts,
                sink,
            );
        }
        Err(error) => {
            let inner = error.path.relative();
            sink.push(
                "invalid-policy",
                Level::Error,
                Severity::High,
                inner,
                format!(
                    "AWS would reject this {} policy: {}",
                    kind.as_str(),
                    error.message
                ),
                String::from("correct the element named by the path"),
            );
        }
    }
}

/// Lints files and directories (searched recursively for `.json`, `.yaml`, `.yml` and
/// `.template` files; in a directory, files that are none of the three kinds — case files, for
/// one — are skipped silently).
pub fn lint_paths(paths: &[String], options: &LintOptions) -> LintReport {
    let mut report = LintReport::default();
    for argument in paths {
        let path = Path::new(argument);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files);
            files.sort();
            if files.is_empty() {
                report.errors.push(LintError {
                    file: argument.clone(),
                    message: String::from("no `.json`, `.yaml` or `.yml` file in this directory"),
                });
            }
            for file in files {
                let name = file.display().to_string();
                match std::fs::read_to_string(&file) {
                    Ok(text) => {
                        let mut one = LintReport::default();
                        lint_text(&name, &text, options, &mut one);
                        // Other JSON and YAML files (case files, configuration) are not ours
                        // to lint; a broken policy, plan or template still is an error.
                        let foreign = one.errors.iter().all(|e| e.message.starts_with(NOT_OURS));
                        if one.errors.is_empty() || !foreign {
                            merge(&mut report, one);
                        }
                    }
                    Err(error) => report.errors.push(LintError {
                        file: name,
                        message: format!("cannot read the file: {error}"),
                    }),
                }
            }
        } else {
            match std::fs::read_to_string(path) {
                Ok(text) => lint_text(argument, &text, options, &mut report),
                Err(error) => report.errors.push(LintError {
                    file: argument.clone(),
                    message: format!("cannot read the file: {}", error.kind()),
                }),
            }
        }
    }
    report.sort();
    report
}

const NOT_OURS: &str = "not a policy";

fn merge(report: &mut LintReport, one: LintReport) {
    report.files.extend(one.files);
    report.policies += one.policies;
    report.findings.extend(one.findings);
    report.errors.extend(one.errors);
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "json" | "yaml" | "yml" | "template"
            )
        }) {
            files.push(path);
        }
    }
}

#[cfg(test)]
mod tests;

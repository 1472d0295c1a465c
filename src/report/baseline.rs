//! Baselines: what changed since an earlier run. The baseline is the JSON report of that run,
//! checked before use ([`Baseline::parse`]: a report of this schema version, over the same set of
//! accounts), then compared with this run's findings as a pure function ([`compare`]): each
//! finding is `new`, `changed` (another compliance type) or `unchanged`, keyed by rule and
//! resource id, and every finding that was NON_COMPLIANT in the baseline and no longer is (or
//! whose resource is gone) is listed as resolved, for the rules that ran this time only.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::LifecycleFileError;
use super::json::SCHEMA_VERSION;
use crate::findings::{ComplianceType, Finding};

/// How a finding compares with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// A baseline finding, as much of it as a comparison needs.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineFinding {
    pub rule: String,
    pub resource: ResolvedResource,
    pub compliance_type: ComplianceType,
}

/// The resource of a resolved finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedResource {
    pub id: String,
    pub account_id: String,
    pub region: String,
}

/// One entry of the report's top-level `resolved` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub rule: String,
    pub resource: ResolvedResource,
    pub previous_compliance_type: ComplianceType,
    pub reason: String,
}

/// A parsed baseline report.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The accounts the baseline covered.
    pub accounts: BTreeSet<String>,
    pub findings: Vec<BaselineFinding>,
}

impl Baseline {
    /// Parses a JSON report of an earlier run and checks that it covers `accounts` (this run's),
    /// so that a wrong file is an error instead of a report where everything is new.
    pub fn parse(text: &str, accounts: &BTreeSet<String>) -> Result<Baseline, LifecycleFileError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|cause| LifecycleFileError::in_text(format!("invalid JSON: {cause}")))?;
        let not_a_report = |path: &str, what: &str| {
            LifecycleFileError::new(
                path,
                format!("{what}: not a JSON report of `secaudit audit --format json`"),
            )
        };
        let top = value
            .as_object()
            .ok_or_else(|| not_a_report("$", "expected an object"))?;
        match top.get("schema_version") {
            Some(Value::Number(number)) if number.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {}
            Some(Value::Number(number)) => {
                return Err(LifecycleFileError::new(
                    "$.schema_version",
                    format!(
                        "schema version {number} is not this version's ({SCHEMA_VERSION}): \
                         make a new baseline with this version"
                    ),
                ));
            }
            Some(_) => return Err(not_a_report("$.schema_version", "expected a number")),
            None => return Err(not_a_report("$.schema_version", "missing")),
        }
        if top.get("generator").and_then(|g| g.get("name")) != Some(&Value::from("secaudit")) {
            return Err(not_a_report("$.generator.name", "expected `secaudit`"));
        }
        let baseline_accounts = report_accounts(top.get("run"))?;
        if &baseline_accounts != accounts {
            let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            let path = if top.get("run").and_then(|run| run.get("accounts")).is_some() {
                "$.run.accounts"
            } else {
                "$.run.snapshot.account_id"
            };
            return Err(LifecycleFileError::new(
                path,
                format!(
                    "the baseline covers account(s) {} but this run covers {}: \
                     compare runs over the same accounts",
                    list(&baseline_accounts),
                    list(accounts)
                ),
            ));
        }
        let findings = match top.get("findings") {
            Some(Value::Array(findings)) => findings,
            Some(_) => return Err(not_a_report("$.findings", "expected an array")),
            None => return Err(not_a_report("$.findings", "missing")),
        };
        let findings = findings
            .iter()
            .enumerate()
            .map(|(index, finding)| parse_finding(index, finding))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Baseline {
            accounts: baseline_accounts,
            findings,
        })
    }
}

/// The accounts of a report's `run`: `run.accounts[].account_id`, else `run.snapshot.account_id`.
fn report_accounts(run: Option<&Value>) -> Result<BTreeSet<String>, LifecycleFileError> {
    let run = run
        .and_then(Value::as_object)
        .ok_or_else(|| LifecycleFileError::new("$.run", "missing or not an object"))?;
    if let Some(accounts) = run.get("accounts") {
        let accounts = accounts
            .as_array()
            .ok_or_else(|| LifecycleFileError::new("$.run.accounts", "expected an array"))?;
        return accounts
            .iter()
            .enumerate()
            .map(|(index, account)| {
                account
                    .get("account_id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        LifecycleFileError::new(
                            format!("$.run.accounts[{index}].account_id"),
                            "missing or not a string",
                        )
                    })
            })
            .collect();
    }
    run.get("snapshot")
        .and_then(|snapshot| snapshot.get("account_id"))
        .and_then(Value::as_str)
        .map(|account| BTreeSet::from([account.to_string()]))
        .ok_or_else(|| {
            LifecycleFileError::new("$.run.snapshot.account_id", "missing or not a string")
        })
}

fn parse_finding(index: usize, value: &Value) -> Result<BaselineFinding, LifecycleFileError> {
    let at = format!("$.findings[{index}]");
    let text = |pointer: &str, path: &str| -> Result<String, LifecycleFileError> {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                LifecycleFileError::new(format!("{at}.{path}"), "missing or not a string")
            })
    };
    let compliance = text("/compliance_type", "compliance_type")?;
    let compliance_type = ComplianceType::ALL
        .into_iter()
        .find(|kind| kind.as_str() == compliance)
        .ok_or_else(|| {
            LifecycleFileError::new(
                format!("{at}.compliance_type"),
                format!("unknown compliance type `{compliance}`"),
            )
        })?;
    Ok(BaselineFinding {
        rule: text("/rule", "rule")?,
        resource: ResolvedResource {
            id: text("/resource/id", "resource.id")?,
            account_id: text("/resource/account_id", "resource.account_id")?,
            region: text("/resource/region", "resource.region")?,
        },
        compliance_type,
    })
}

/// What comparing a run with its baseline gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// For each finding (same order), how it compares.
    pub changes: Vec<Change>,
    /// Baseline NON_COMPLIANT findings that no longer are, in baseline order.
    pub resolved: Vec<Resolved>,
}

/// Compares `findings` (this run's, from the rules in `rules_ran`) with `baseline`.
pub fn compare(
    baseline: &Baseline,
    findings: &[Finding],
    rules_ran: &BTreeSet<String>,
) -> Comparison {
    let mut matcher = BaselineMatcher::new(baseline);
    let changes = findings
        .iter()
        .map(|finding| matcher.change(finding))
        .collect();
    let resolved = matcher.finish(rules_ran);
    Comparison { changes, resolved }
}

/// `compare` one finding at a time (a streamed report marks each finding as its rule runs). The
/// findings of one (rule, resource id) must come in report order, as a rule's findings do.
#[derive(Debug)]
pub struct BaselineMatcher<'a> {
    baseline: &'a Baseline,
    /// Rule → resource id → compliance type in the baseline (its first finding).
    before: BTreeMap<&'a str, BTreeMap<&'a str, ComplianceType>>,
    /// (rule, resource id) of the baseline → this run's compliance type (its first finding),
    /// when reported.
    now: BTreeMap<(&'a str, &'a str), ComplianceType>,
}

impl<'a> BaselineMatcher<'a> {
    pub fn new(baseline: &'a Baseline) -> BaselineMatcher<'a> {
        let mut before: BTreeMap<&str, BTreeMap<&str, ComplianceType>> = BTreeMap::new();
        for finding in &baseline.findings {
            before
                .entry(finding.rule.as_str())
                .or_default()
                .entry(finding.resource.id.as_str())
                .or_insert(finding.compliance_type);
        }
        BaselineMatcher {
            baseline,
            before,
            now: BTreeMap::new(),
        }
    }

    /// How `finding` compares with the baseline.
    pub fn change(&mut self, finding: &Finding) -> Change {
        let Some((rule, ids)) = self.before.get_key_value(finding.rule.as_str()) else {
            return Change::New;
        };
        let Some((id, previous)) = ids.get_key_value(finding.resource.id.as_str()) else {
            return Change::New;
        };
        self.now
            .entry((*rule, *id))
            .or_insert(finding.compliance_type);
        if *previous == finding.compliance_type {
            Change::Unchanged
        } else {
            Change::Changed
        }
    }

    /// The baseline's NON_COMPLIANT findings that no longer are, in baseline order, for the rules
    /// in `rules_ran`.
    pub fn finish(self, rules_ran: &BTreeSet<String>) -> Vec<Resolved> {
        let now = self.now;
        let mut seen = BTreeSet::new();
        self.baseline
            .findings
            .iter()
            .filter(|previous| previous.compliance_type == ComplianceType::NonCompliant)
            .filter(|previous| rules_ran.contains(&previous.rule))
            .filter(|previous| seen.insert((previous.rule.as_str(), previous.resource.id.as_str())))
            .filter_map(|previous| {
                let key = (previous.rule.as_str(), previous.resource.id.as_str());
                let reason = match now.get(&key) {
                    Some(ComplianceType::NonCompliant) => return None,
                    Some(ComplianceType::InsufficientData) => {
                        "now INSUFFICIENT_DATA: it could not be judged this time".to_string()
                    }
                    Some(current) => format!("now {}", current.as_str()),
                    None => "no longer reported: the resource is gone".to_string(),
                };
                Some(Resolved {
                    rule: previous.rule.clone(),
                    resource: previous.resource.clone(),
                    previous_compliance_type: previous.compliance_type,
                    reason,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::json::render;
    use crate::report::sample::{finding, report};

    fn accounts() -> BTreeSet<String> {
        BTreeSet::from(["111111111111".to_string()])
    }

    #[test]
    fn a_report_is_a_baseline_and_other_files_are_refused_with_a_path() {
        let previous = report(vec![finding(
            "r",
            Severity::High,
            ComplianceType::NonCompliant,
            "a",
        )]);
        let text = render(&previous).unwrap();
        let baseline = Baseline::parse(&text, &accounts()).unwrap();
        assert_eq!(baseline.findings.len(), 1);

        let other = BTreeSet::from(["222222222222".to_string()]);
        let error = Baseline::parse(&text, &other).unwrap_err();
        assert_eq!(error.path, "$.run.snapshot.account_id", "{error}");
        let error = Baseline::parse(
            &text.replace("\"schema_version\": 1", "\"schema_version\": 9"),
            &accounts(),
        )
        .unwrap_err();
        assert_eq!(error.path, "$.schema_version");
        assert!(error.message.contains("schema version 9"), "{error}");
        let error = Baseline::parse(r#"{"mutes": []}"#, &accounts()).unwrap_err();
        assert_eq!(error.path, "$.schema_version");
        let error = Baseline::parse("[1]", &accounts()).unwrap_err();
        assert_eq!(error.path, "$");
        let error = Baseline::parse(&text.replace("\"NON_COMPLIANT\",", "\"BAD\","), &accounts())
            .unwrap_err();
        assert_eq!(error.path, "$.findings[0].compliance_type");
    }

    #[test]
    fn compare_marks_new_changed_unchanged_and_lists_resolved() {
        let previous = report(vec![
            finding("r", Severity::High, ComplianceType::NonCompliant, "fixed"),
            finding("r", Severity::High, ComplianceType::NonCompliant, "still"),
            finding("r", Severity::High, ComplianceType::NonCompliant, "gone"),
            finding("r", Severity::High, ComplianceType::Compliant, "broke"),
            finding("not-run", Severity::High, ComplianceType::NonCompliant, "x"),
        ]);
        let baseline = Baseline::parse(&render(&previous).unwrap(), &accounts()).unwrap();
        let current = vec![
            finding("r", Severity::High, ComplianceType::Compliant, "fixed"),
            finding("r", Severity::High, ComplianceType::NonCompliant, "still"),
            finding("r", Severity::High, ComplianceType::NonCompliant, "broke"),
            finding("r", Severity::High, ComplianceType::NonCompliant, "fresh"),
        ];
        let ran = BTreeSet::from(["r".to_string()]);
        let comparison = compare(&baseline, &current, &ran);
        assert_eq!(
            comparison.changes,
            [
                Change::Changed,
                Change::Unchanged,
                Change::Changed,
                Change::New
            ]
        );
        let resolved: Vec<(&str, &str)> = comparison
            .resolved
            .iter()
            .map(|r| (r.resource.id.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(resolved.len(), 2, "{resolved:?}");
        assert!(
            resolved[0].0.contains(":secret:fixed-") || resolved[1].0.contains(":secret:fixed-")
        );
        assert!(
            resolved
                .iter()
                .any(|(id, reason)| id.contains(":secret:gone-") && reason.contains("gone"))
        );
        assert!(
            resolved
                .iter()
                .any(|(_, reason)| *reason == "now COMPLIANT")
        );
    }
}

//! The input of every report writer: the run's description, the rules that ran and the findings,
//! sorted once into report order, with the per-rule counts derived from them.
//!
//! Plain data only; no formatting happens here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::baseline::{self, Baseline, Change, Resolved};
use super::mutes::{self, MuteFile, MuteNote};
use crate::findings::{ComplianceType, Finding, Severity, sort_findings};

/// The snapshot a run audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotInfo {
    pub account_id: String,
    pub collected_at: DateTime<Utc>,
    /// The regions the snapshot covers, so that a clean report never silently means one
    /// region.
    pub regions: Vec<String>,
}

/// The `run` object of the JSON envelope.
///
/// A single-account run fills `snapshot` and `coverage` and leaves `accounts` empty (not
/// serialised). A multi-account run (a directory of per-account snapshots) has `snapshot: null`,
/// an empty top-level `coverage`, and one `accounts` entry per account snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The "now" the rules used: `--now`, else the snapshot's `collected_at` (the latest one in
    /// a multi-account run; each account is judged at its own, see `accounts`).
    pub evaluated_at: DateTime<Utc>,
    pub snapshot: Option<SnapshotInfo>,
    /// The effective parameters of each rule that ran, by rule id.
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// The snapshot's coverage entries, as the snapshot records them.
    pub coverage: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountRun>,
}

/// One account snapshot of a multi-account run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRun {
    pub account_id: String,
    pub collected_at: DateTime<Utc>,
    /// The regions this account's snapshot covers.
    pub regions: Vec<String>,
    /// The "now" this account's findings were judged at.
    pub evaluated_at: DateTime<Utc>,
    pub coverage: Vec<serde_json::Value>,
}

impl RunInfo {
    /// A run over one account snapshot.
    pub fn single(
        evaluated_at: DateTime<Utc>,
        snapshot: SnapshotInfo,
        parameters: BTreeMap<String, serde_json::Value>,
        coverage: Vec<serde_json::Value>,
    ) -> RunInfo {
        RunInfo {
            evaluated_at,
            snapshot: Some(snapshot),
            parameters,
            coverage,
            accounts: Vec::new(),
        }
    }

    /// A run over several account snapshots; `evaluated_at` is the latest of theirs.
    pub fn multi(
        parameters: BTreeMap<String, serde_json::Value>,
        accounts: Vec<AccountRun>,
    ) -> RunInfo {
        let evaluated_at = accounts
            .iter()
            .map(|account| account.evaluated_at)
            .max()
            .unwrap_or_default();
        RunInfo {
            evaluated_at,
            snapshot: None,
            parameters,
            coverage: Vec::new(),
            accounts,
        }
    }
}

/// A rule that ran, whether or not it produced findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportedRule {
    pub id: String,
    pub severity: Severity,
}

impl ReportedRule {
    /// The rules as a report lists them: each id once (its first severity), most severe first,
    /// then by id.
    pub fn in_report_order(rules: impl IntoIterator<Item = ReportedRule>) -> Vec<ReportedRule> {
        let mut by_id: BTreeMap<String, Severity> = BTreeMap::new();
        for rule in rules {
            by_id.entry(rule.id).or_insert(rule.severity);
        }
        let mut rules: Vec<ReportedRule> = by_id
            .into_iter()
            .map(|(id, severity)| ReportedRule { id, severity })
            .collect();
        rules.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
        rules
    }
}

/// How many findings of each compliance type one rule produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleCounts {
    #[serde(rename = "COMPLIANT")]
    pub compliant: usize,
    #[serde(rename = "NON_COMPLIANT")]
    pub non_compliant: usize,
    #[serde(rename = "NOT_APPLICABLE")]
    pub not_applicable: usize,
    #[serde(rename = "INSUFFICIENT_DATA")]
    pub insufficient_data: usize,
}

impl RuleCounts {
    /// Counts one more finding of `compliance`.
    pub fn add(&mut self, compliance: ComplianceType) {
        match compliance {
            ComplianceType::Compliant => self.compliant += 1,
            ComplianceType::NonCompliant => self.non_compliant += 1,
            ComplianceType::NotApplicable => self.not_applicable += 1,
            ComplianceType::InsufficientData => self.insufficient_data += 1,
        }
    }

    /// The count of one compliance type.
    pub fn get(&self, compliance: ComplianceType) -> usize {
        match compliance {
            ComplianceType::Compliant => self.compliant,
            ComplianceType::NonCompliant => self.non_compliant,
            ComplianceType::NotApplicable => self.not_applicable,
            ComplianceType::InsufficientData => self.insufficient_data,
        }
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        self.compliant + self.non_compliant + self.not_applicable + self.insufficient_data
    }
}

/// One audit run, ready to be written in any format.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub run: RunInfo,
    /// The rules that ran, most severe first, then by id; rules seen only in findings included.
    pub rules: Vec<ReportedRule>,
    /// The findings in report order (severity, rule, resource).
    pub findings: Vec<Finding>,
    /// What mutes and a baseline added to the findings, when they were given.
    pub lifecycle: Lifecycle,
    /// Title, description and remediation of each rule, by id, for the formats that show them.
    pub rule_docs: BTreeMap<String, RuleDoc>,
}

/// The human text of a rule, as the rule file gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDoc {
    pub title: String,
    pub description: String,
    pub remediation: String,
}

/// The marks a person reading a finding needs, as a prefix: `[muted: OWNER until DATE] `, then
/// `[new] ` or `[changed] ` (nothing for an unchanged one).
pub fn marks_text(muted: Option<&MuteNote>, change: Option<Change>) -> String {
    let mut text = String::new();
    if let Some(note) = muted {
        text.push_str(&format!("[muted: {} until {}] ", note.owner, note.expires));
    }
    match change {
        Some(Change::New) => text.push_str("[new] "),
        Some(Change::Changed) => text.push_str("[changed] "),
        _ => {}
    }
    text
}

/// The marks of mutes and a baseline on a report. Each list runs parallel to `Report::findings`
/// and is empty when the file was not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    /// Present when a mutes file was applied.
    pub mutes: Option<MuteLists>,
    /// For each finding, the mute that covers it.
    pub muted: Vec<Option<MuteNote>>,
    /// Present when a baseline was compared: the baseline's resolved findings.
    pub resolved: Option<Vec<Resolved>>,
    /// For each finding, how it compares with the baseline.
    pub changes: Vec<Change>,
}

/// The mutes that lapsed and those that matched nothing, each as written plus its `index`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MuteLists {
    pub expired: Vec<serde_json::Value>,
    pub unused: Vec<serde_json::Value>,
}

/// Whether a finding counts for `--fail-on`: NON_COMPLIANT, not muted, and with a baseline
/// (`change` given), new or changed.
pub fn counts_for_failure(finding: &Finding, muted: bool, change: Option<Change>) -> bool {
    finding.compliance_type == ComplianceType::NonCompliant
        && !muted
        && change != Some(Change::Unchanged)
}

impl Report {
    /// Builds a report, sorting the findings into report order and adding to `rules` any rule
    /// that appears only in the findings, so that no finding escapes the summary.
    pub fn new(run: RunInfo, rules: Vec<ReportedRule>, mut findings: Vec<Finding>) -> Report {
        sort_findings(&mut findings);
        let found = findings.iter().map(|finding| ReportedRule {
            id: finding.rule.clone(),
            severity: finding.severity,
        });
        let rules = ReportedRule::in_report_order(rules.into_iter().chain(found));
        Report {
            run,
            rules,
            findings,
            lifecycle: Lifecycle::default(),
            rule_docs: BTreeMap::new(),
        }
    }

    /// The accounts the report covers.
    pub fn accounts(&self) -> std::collections::BTreeSet<String> {
        match &self.run.snapshot {
            Some(snapshot) => [snapshot.account_id.clone()].into(),
            None => self
                .run
                .accounts
                .iter()
                .map(|account| account.account_id.clone())
                .collect(),
        }
    }

    /// Marks the findings a mutes file covers, each account's at its own evaluation time.
    pub fn apply_mutes(&mut self, file: &MuteFile) {
        let run = &self.run;
        let evaluated_at = |account: &str| {
            run.accounts
                .iter()
                .find(|entry| entry.account_id == account)
                .map_or(run.evaluated_at, |entry| entry.evaluated_at)
        };
        let ran: Vec<&str> = self.rules.iter().map(|rule| rule.id.as_str()).collect();
        let outcome = mutes::apply(file, &self.findings, &ran, evaluated_at, run.evaluated_at);
        self.lifecycle.muted = outcome.notes;
        self.lifecycle.mutes = Some(MuteLists {
            expired: outcome.expired,
            unused: outcome.unused,
        });
    }

    /// Compares the findings with a baseline report: marks each and lists the resolved ones.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let ran = self.rules.iter().map(|rule| rule.id.clone()).collect();
        let comparison = baseline::compare(baseline, &self.findings, &ran);
        self.lifecycle.changes = comparison.changes;
        self.lifecycle.resolved = Some(comparison.resolved);
    }

    /// The mute covering finding `index`, if any.
    pub fn muted(&self, index: usize) -> Option<&MuteNote> {
        self.lifecycle.muted.get(index).and_then(Option::as_ref)
    }

    /// How finding `index` compares with the baseline, when one was given.
    pub fn change(&self, index: usize) -> Option<Change> {
        self.lifecycle.changes.get(index).copied()
    }

    /// Whether finding `index` counts for `--fail-on`: NON_COMPLIANT, not muted, and with a
    /// baseline, new or changed.
    pub fn counts_for_failure(&self, index: usize) -> bool {
        self.findings.get(index).is_some_and(|finding| {
            counts_for_failure(finding, self.muted(index).is_some(), self.change(index))
        })
    }

    /// The marks a person reading finding `index` needs, as a prefix: `[muted: OWNER until
    /// EXPIRES] ` and, with a baseline, `[new] ` or `[changed] `; empty without marks.
    pub fn marks_text(&self, index: usize) -> String {
        marks_text(self.muted(index), self.change(index))
    }

    /// The muted findings per rule, every rule that ran included.
    pub fn muted_by_rule(&self) -> BTreeMap<String, usize> {
        let mut counts: BTreeMap<String, usize> =
            self.rules.iter().map(|rule| (rule.id.clone(), 0)).collect();
        for (index, finding) in self.findings.iter().enumerate() {
            if self.muted(index).is_some() {
                *counts.entry(finding.rule.clone()).or_default() += 1;
            }
        }
        counts
    }

    /// The per-rule counts, every rule that ran included (with zeros when it found nothing).
    pub fn counts_by_rule(&self) -> BTreeMap<String, RuleCounts> {
        let mut counts: BTreeMap<String, RuleCounts> = self
            .rules
            .iter()
            .map(|rule| (rule.id.clone(), RuleCounts::default()))
            .collect();
        for finding in &self.findings {
            match counts.get_mut(&finding.rule) {
                Some(rule_counts) => rule_counts.add(finding.compliance_type),
                // INVARIANT: `Report::new` put every finding's rule in `rules`; kept for safety.
                None => counts
                    .entry(finding.rule.clone())
                    .or_default()
                    .add(finding.compliance_type),
            }
        }
        counts
    }

    /// The counts over all rules.
    pub fn totals(&self) -> RuleCounts {
        let mut totals = RuleCounts::default();
        for finding in &self.findings {
            totals.add(finding.compliance_type);
        }
        totals
    }
}

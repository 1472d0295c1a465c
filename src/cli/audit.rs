//! `secaudit audit`: runs the rule catalogue over an account snapshot (`--snapshot DIR`, or a
//! snapshot collected live into a temporary directory) and writes one report, then maps the
//! findings to the exit code: 1 for NON_COMPLIANT findings at or above `--fail-on`, 3 when
//! INSUFFICIENT_DATA findings show that coverage was partial, 0 otherwise (2, could not run, is
//! any error returned from here).
//!
//! Arguments are validated (catalogue, configuration, rule ids, time) before the snapshot is
//! read or collected. The report goes to stdout or `--output` only; logs go to stderr.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::Outcome;
use super::collect::LiveArgs;
use super::output::write_report_streamed;
use secaudit::findings::{ComplianceType, Finding, Severity};
use secaudit::report::baseline::Baseline;
use secaudit::report::mutes::MuteFile;
use secaudit::report::{
    self, AccountRun, Format, Report, ReportedRule, RuleDoc, RunInfo, SnapshotInfo,
    table::TableStyle,
};
use secaudit::rules::{Catalogue, RuleConfig, RuleError, run_audit};
use secaudit::snapshot::{
    CoverageStatus, LoadMode, Snapshot, account_snapshot_dirs, parse_timestamp_text,
};

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The snapshot directory to audit; without it the account is collected live from AWS.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Rule parameters and disabled rules:
    /// `{"<rule id>": {"<param>": value}, "disabled": ["<rule id>"]}`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A directory of rule files replacing the built-in rule metadata.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Run only this rule (repeatable); default: every rule not disabled by `--config`.
    #[arg(long = "rule", value_name = "ID")]
    pub rule_ids: Vec<String>,
    /// The time the rules judge at, ISO 8601 (default: the snapshot's `collected_at`).
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// The report format (default: `table` when stdout is a terminal, else `json`).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to FILE atomically instead of stdout.
    #[arg(long, value_name = "FILE", value_parser = super::report_path)]
    pub output: Option<PathBuf>,
    /// Exit 1 when a NON_COMPLIANT finding is at or above this severity (`critical`, `high`,
    /// `medium`, `low`, `informational`). Default `none`: findings alone never fail the run, so
    /// a scheduled job chooses its own threshold.
    #[arg(long, value_name = "SEVERITY", default_value = "none", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Fail (exit 2, no report) on the first bad record or unreadable file of the snapshot.
    /// Default: a bad record makes only what it touches INSUFFICIENT_DATA (exit 3).
    #[arg(long)]
    pub strict: bool,
    /// Accepted risks: `{"mutes": [{"rule", "resource", "reason", "owner", "expires"}]}`. Muted
    /// findings keep their compliance type, are marked, and do not count for `--fail-on`.
    #[arg(long, value_name = "FILE")]
    pub mutes: Option<PathBuf>,
    /// The JSON report of an earlier run: findings are marked `new`, `changed` or `unchanged`,
    /// resolved ones are listed, and `--fail-on` counts only new or changed findings.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// After writing the report, send its findings to AWS Security Hub (BatchImportFindings,
    /// ASFF); exit 2 if any finding was not imported.
    #[arg(long)]
    pub security_hub: bool,
    /// The role to assume in each account other than the caller's to import its findings.
    #[arg(long, value_name = "NAME", requires = "security_hub")]
    pub security_hub_role: Option<String>,
}

/// The report formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    ConfigEvaluations,
    /// JUnit XML: one test suite per rule, one test case per resource.
    Junit,
    /// SARIF 2.1.0: one result per NON_COMPLIANT finding.
    Sarif,
    /// OCSF Compliance Finding events (class 2003).
    Ocsf,
    /// AWS Security Finding Format, as BatchImportFindings takes it.
    Asff,
    /// One self-contained HTML page with charts and filters.
    Html,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    AtOrAbove(Severity),
    Never,
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    parse_timestamp_text(text).ok_or_else(|| {
        format!("`{text}` is not an ISO 8601 time (e.g. `2026-11-01T00:00:00Z` or `2026-11-01`)")
    })
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(FailOn::Never);
    }
    Severity::parse(text).map(FailOn::AtOrAbove).ok_or_else(|| {
        format!(
            "unknown severity `{text}`: expected `critical`, `high`, `medium`, `low`, `informational` or `none`"
        )
    })
}

pub fn run(args: AuditArgs, quiet: bool) -> anyhow::Result<Outcome> {
    if args.snapshot.is_some() && names_a_live_source(&args.live) {
        anyhow::bail!(
            "`--snapshot` audits a snapshot directory: `--profile`, `--region`, `--accounts`, \
             `--accounts-file`, `--role-name`, `--external-id` and `--shard` only apply without it"
        );
    }
    let catalogue = load_catalogue(args.rules.as_deref())?;
    let config = load_config(args.config.as_deref(), &catalogue)?;
    for id in &args.rule_ids {
        if catalogue.get(id).is_none() {
            return Err(RuleError::UnknownRule(id.clone()).into());
        }
    }
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.output.as_deref()));
    if format == ReportFormat::ConfigEvaluations && args.rule_ids.len() != 1 {
        anyhow::bail!(
            "`--format config-evaluations` needs exactly one `--rule` (got {}): a PutEvaluations \
             result token belongs to one Config rule; hint: add `--rule ID`",
            args.rule_ids.len()
        );
    }
    let mutes = args.mutes.as_deref().map(load_mutes).transpose()?;
    let baseline_text = args.baseline.as_deref().map(read_baseline).transpose()?;

    // Keeps a live-collected snapshot directory alive until the audit is done.
    let collected;
    let snapshot_dir: &Path = match &args.snapshot {
        Some(dir) => dir,
        None => {
            collected = super::collect::collect_snapshot_for_audit(&args.live, quiet)?;
            collected.path()
        }
    };
    let mut report = audit_snapshots(&catalogue, &config, &args, snapshot_dir)?;
    if let Some(mutes) = &mutes {
        report.apply_mutes(mutes);
    }
    if let (Some(path), Some(text)) = (args.baseline.as_deref(), baseline_text) {
        let baseline = Baseline::parse(&text, &report.accounts())
            .with_context(|| format!("cannot use baseline `{}`", path.display()))?;
        report.apply_baseline(&baseline);
    }
    let format = report_format(format);
    write_report_streamed(args.output.as_deref(), |out| {
        report::write(&report, format, out).map_err(std::io::Error::other)
    })?;

    if args.security_hub {
        super::security_hub::send(&report, &args)?;
    }
    let totals = report.totals();
    tracing::info!(
        findings = report.findings.len(),
        non_compliant = totals.non_compliant,
        insufficient_data = totals.insufficient_data,
        accounts = report.run.accounts.len().max(1),
        "audit done"
    );
    let outcome = exit_outcome(&report, args.fail_on);
    if outcome == Outcome::Failed
        && let FailOn::AtOrAbove(threshold) = args.fail_on
    {
        for line in fail_on_explanation(&report, threshold) {
            eprintln!("{line}");
        }
    }
    Ok(outcome)
}

/// Why `--fail-on` made the run exit 1, for stderr: one line naming the threshold and the count,
/// then one line per rule with its failing findings (at most three resources named).
/// Counts what `exit_outcome` counts: no muted finding, and with a baseline only new or
/// changed ones.
fn fail_on_explanation(report: &Report, threshold: Severity) -> Vec<String> {
    let mut by_rule: BTreeMap<(Severity, &str), Vec<&Finding>> = BTreeMap::new();
    for finding in tripping_findings(report, threshold) {
        by_rule
            .entry((finding.severity, finding.rule.as_str()))
            .or_default()
            .push(finding);
    }
    let total: usize = by_rule.values().map(Vec::len).sum();
    let mut lines = vec![format!(
        "exit 1: {total} NON_COMPLIANT {} at or above `--fail-on {}`:",
        if total == 1 { "finding" } else { "findings" },
        threshold.as_str()
    )];
    for ((severity, rule), failing) in by_rule {
        let named: Vec<String> = failing
            .iter()
            .take(3)
            .map(|f| {
                let name = if f.resource.name.is_empty() {
                    &f.resource.id
                } else {
                    &f.resource.name
                };
                format!("`{}`", report::table::printable(name))
            })
            .collect();
        let more = if failing.len() > 3 { ", …" } else { "" };
        lines.push(format!(
            "  {} ({}): {} — {}{more}",
            report::table::printable(rule),
            severity.as_str(),
            failing.len(),
            named.join(", ")
        ));
    }
    lines
}

fn load_mutes(path: &Path) -> anyhow::Result<MuteFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read mutes file `{}`", path.display()))?;
    MuteFile::parse(&text).with_context(|| format!("cannot use mutes file `{}`", path.display()))
}

/// Reads the baseline before any work; it is checked against the run's accounts afterwards.
fn read_baseline(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline `{}`", path.display()))
}

/// Audits every account snapshot under `snapshot_dir` (one, or one per account) into one report.
fn audit_snapshots(
    catalogue: &Catalogue,
    config: &RuleConfig,
    args: &AuditArgs,
    snapshot_dir: &Path,
) -> anyhow::Result<Report> {
    let mut findings = Vec::new();
    let mut parameters = BTreeMap::new();
    let mut accounts = Vec::new();
    for dir in account_snapshot_dirs(snapshot_dir) {
        let mode = if args.strict {
            LoadMode::Strict
        } else {
            LoadMode::Tolerant
        };
        let snapshot = Snapshot::load_with(&dir, mode)?;
        warn_about_coverage(&snapshot);
        for problem in &snapshot.problems {
            tracing::warn!(
                "bad record in account {}: {problem} (skipped)",
                snapshot.meta.account_id
            );
        }
        let now = args.now.unwrap_or(snapshot.meta.collected_at);
        let outcome = run_audit(catalogue, &snapshot, config, &args.rule_ids, now)?;
        findings.extend(outcome.findings);
        // The same for every account: one catalogue, one configuration.
        parameters = outcome.parameters;
        accounts.push(AccountRun {
            account_id: snapshot.meta.account_id.clone(),
            collected_at: snapshot.meta.collected_at,
            regions: snapshot.regions.keys().cloned().collect(),
            evaluated_at: now,
            coverage: coverage_values(&snapshot),
        });
    }
    let rules = parameters
        .keys()
        .filter_map(|id| catalogue.get(id))
        .map(|meta| ReportedRule {
            id: meta.id.clone(),
            severity: meta.severity,
        })
        .collect();
    let run = match <[AccountRun; 1]>::try_from(accounts) {
        Ok([account]) => RunInfo::single(
            account.evaluated_at,
            SnapshotInfo {
                account_id: account.account_id,
                collected_at: account.collected_at,
                regions: account.regions,
            },
            parameters,
            account.coverage,
        ),
        Err(accounts) => RunInfo::multi(parameters, accounts),
    };
    let mut report = Report::new(run, rules, findings);
    report.rule_docs = report
        .rules
        .iter()
        .filter_map(|rule| catalogue.get(&rule.id))
        .map(|meta| {
            let doc = RuleDoc {
                title: meta.title.clone(),
                description: meta.description.clone(),
                remediation: meta.remediation.clone(),
            };
            (meta.id.clone(), doc)
        })
        .collect();
    Ok(report)
}

/// Whether live-collection options that choose what to collect were given. (Not a clap
/// conflict: options with defaults or environment values, such as `--max-attempts` from
/// `AWS_MAX_ATTEMPTS`, would count as given and forbid `--snapshot` in such an environment.)
fn names_a_live_source(live: &LiveArgs) -> bool {
    live.profile.is_some()
        || !live.regions.is_empty()
        || !live.accounts.is_empty()
        || live.organization
        || !live.exclude_accounts.is_empty()
        || live.accounts_file.is_some()
        || live.role_name.is_some()
        || live.external_id.is_some()
        || live.shard.is_some()
}

fn load_catalogue(dir: Option<&Path>) -> anyhow::Result<Catalogue> {
    Ok(match dir {
        Some(dir) => Catalogue::from_dir(dir)?,
        None => Catalogue::builtin()?,
    })
}

fn load_config(path: Option<&Path>, catalogue: &Catalogue) -> anyhow::Result<RuleConfig> {
    let Some(path) = path else {
        return Ok(RuleConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    RuleConfig::from_json_for(&text, catalogue)
        .with_context(|| format!("cannot use `{}`", path.display()))
}

/// `table` for a person at a terminal; `json` for pipes, files and scheduled jobs.
fn default_format(output: Option<&Path>) -> ReportFormat {
    if output.is_none() && std::io::stdout().is_terminal() {
        ReportFormat::Table
    } else {
        ReportFormat::Json
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to something (no-color.org).
fn use_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    std::io::stdout().is_terminal() && !no_color
}

fn warn_about_coverage(snapshot: &Snapshot) {
    for entry in &snapshot.meta.coverage {
        // `gone`: deleted during the collection, nothing is missing.
        if matches!(entry.status, CoverageStatus::Ok | CoverageStatus::Gone) {
            continue;
        }
        let line = format!(
            "coverage of account {}: `{}`{} in `{}` was {}{}",
            snapshot.meta.account_id,
            entry.api,
            entry
                .resource
                .as_deref()
                .map(|resource| format!(" for `{resource}`"))
                .unwrap_or_default(),
            entry.region,
            entry.status.as_str(),
            entry
                .message
                .as_deref()
                .filter(|m| !m.is_empty())
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        // A call the collector chose not to make for one resource (a secret pending deletion,
        // a key of another account) is expected; the report's findings say what it costs.
        if entry.status == CoverageStatus::Skipped && entry.resource.is_some() {
            tracing::info!("{line}");
        } else {
            tracing::warn!("{line}");
        }
    }
}

/// The snapshot's coverage entries as JSON, in the snapshot's order.
fn coverage_values(snapshot: &Snapshot) -> Vec<serde_json::Value> {
    snapshot
        .meta
        .coverage
        .iter()
        .map(|entry| serde_json::to_value(entry).unwrap_or(serde_json::Value::Null))
        .collect()
}

fn report_format(format: ReportFormat) -> Format {
    match format {
        ReportFormat::Table => Format::Table(TableStyle {
            colour: use_colour(),
            width: super::logging::stdout_width(),
        }),
        ReportFormat::Json => Format::Json,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::ConfigEvaluations => Format::ConfigEvaluations,
        ReportFormat::Junit => Format::Junit,
        ReportFormat::Sarif => Format::Sarif,
        ReportFormat::Ocsf => Format::Ocsf,
        ReportFormat::Asff => Format::Asff,
        ReportFormat::Html => Format::Html,
    }
}

/// The findings that make `--fail-on threshold` exit 1: NON_COMPLIANT at or above the threshold,
/// not muted, and with a baseline new or changed (`Report::counts_for_failure`).
fn tripping_findings(report: &Report, threshold: Severity) -> impl Iterator<Item = &Finding> {
    report
        .findings
        .iter()
        .enumerate()
        // Severity sorts most severe first: "at or above" is "less or equal".
        .filter(move |(index, finding)| {
            report.counts_for_failure(*index) && finding.severity <= threshold
        })
        .map(|(_, finding)| finding)
}

/// 1 (failed) before 3 (partial) before 0 (clean); 2 is an error and never reaches here. Muted
/// findings, and with a baseline unchanged ones, do not count for `--fail-on`.
fn exit_outcome(report: &Report, fail_on: FailOn) -> Outcome {
    let findings = &report.findings;
    let failing = match fail_on {
        FailOn::AtOrAbove(threshold) => tripping_findings(report, threshold).next().is_some(),
        FailOn::Never => false,
    };
    let partial = findings
        .iter()
        .any(|finding| finding.compliance_type == ComplianceType::InsufficientData);
    if failing {
        Outcome::Failed
    } else if partial {
        Outcome::Partial
    } else {
        Outcome::Clean
    }
}

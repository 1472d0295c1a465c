//! `secaudit audit`: runs the rule catalogue over an account snapshot (`--snapshot DIR`, or a
//! snapshot collected live into a temporary directory) and writes one report, then maps the
//! findings to the exit code: 1 for NON_COMPLIANT findings at or above `--fail-on`, 3 when
//! INSUFFICIENT_DATA findings show that coverage was partial, 0 otherwise (2, could not run, is
//! any error returned from here).
//!
//! Arguments are validated (catalogue, configuration, rule ids, time) before the snapshot is
//! read or collected. A table, JSON, CSV, SARIF, OCSF, ASFF or JUnit report without baseline or
//! Security Hub is streamed: each rule's findings are rendered to a temporary file as the rule
//! runs (`report::spill`) and the report's header and counts come from the tally, so memory holds
//! the snapshot and one rule's findings, not the whole run's. The report goes to stdout or
//! `--output` only; logs go to stderr.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::Outcome;
use super::collect::LiveArgs;
use super::output::write_report_streamed;
use secaudit::findings::{Finding, Severity};
use secaudit::report::baseline::Baseline;
use secaudit::report::mutes::MuteNote;
use secaudit::report::mutes::{MuteFile, MuteMatcher};
use secaudit::report::spill::{FindingSpill, Grouping};
use secaudit::report::{
    self, AccountRun, Format, MuteLists, Report, ReportedRule, RuleCounts, RuleDoc, RunInfo,
    SnapshotInfo, asff, csv, json, junit, ocsf, sarif, table, table::TableStyle,
};
use secaudit::rules::{Catalogue, RuleConfig, RuleError, RuleMeta, chosen_rules, run_rules};
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
    let threshold = match args.fail_on {
        FailOn::AtOrAbove(threshold) => Some(threshold),
        FailOn::Never => None,
    };
    let mut tally = Tally::new(threshold);
    let streamed = matches!(
        format,
        ReportFormat::Table
            | ReportFormat::Json
            | ReportFormat::Csv
            | ReportFormat::Sarif
            | ReportFormat::Ocsf
            | ReportFormat::Asff
            | ReportFormat::Junit
    ) && baseline_text.is_none()
        && !args.security_hub;
    if streamed {
        // The findings go to disk as each rule runs and are copied into the report in order:
        // memory holds one rule's findings of one account, not the run's.
        let (indent, grouping) = match format {
            ReportFormat::Json => (json::FINDING_INDENT, Grouping::SeverityThenRule),
            ReportFormat::Sarif => (sarif::RESULT_INDENT, Grouping::SeverityThenRule),
            ReportFormat::Ocsf | ReportFormat::Asff => {
                (report::ARRAY_ITEM_INDENT, Grouping::SeverityThenRule)
            }
            ReportFormat::Junit | ReportFormat::Table => (&b""[..], Grouping::Rule),
            _ => (&b""[..], Grouping::SeverityThenRule),
        };
        let mut spill = FindingSpill::grouped(indent, grouping)
            .context("cannot create a temporary file for the findings")?;
        let mut matcher = mutes.as_ref().map(MuteMatcher::new);
        let mut muted_by_rule: BTreeMap<String, usize> = BTreeMap::new();
        // What the per-finding parts need before the run ends: the rules' text, and (SARIF) the
        // rules that will run, whose index each result names.
        let mut parts = StreamedParts {
            format,
            with_mutes: matcher.is_some(),
            docs: catalogue
                .rules()
                .iter()
                .map(|meta| (meta.id.clone(), rule_doc(meta)))
                .collect(),
            will_run: ReportedRule::in_report_order(
                chosen_rules(&catalogue, &config, &args.rule_ids).map(|meta| ReportedRule {
                    id: meta.id.clone(),
                    severity: meta.severity,
                }),
            ),
            junit_counts: BTreeMap::new(),
            table_counts: table::TableCounts::default(),
        };
        let audited = audit_snapshots(
            &catalogue,
            &config,
            &args,
            snapshot_dir,
            |findings, evaluated_at| {
                let mut notes = Vec::with_capacity(findings.len());
                for finding in &findings {
                    let note = matcher
                        .as_mut()
                        .and_then(|matcher| matcher.note(finding, evaluated_at));
                    if note.is_some() {
                        *muted_by_rule.entry(finding.rule.clone()).or_default() += 1;
                    }
                    tally.add(
                        finding,
                        report::counts_for_failure(finding, note.is_some(), None),
                    );
                    notes.push(note);
                }
                let mut notes = notes.into_iter();
                let added = spill.add(&findings, |finding, out| {
                    parts.render(finding, notes.next().flatten(), out)
                });
                added.context("cannot write the findings to a temporary file")
            },
        )?;
        let mut by_rule: BTreeMap<String, RuleCounts> = audited
            .rules
            .iter()
            .map(|rule| (rule.id.clone(), RuleCounts::default()))
            .collect();
        for (rule, counts) in &tally.by_rule {
            *by_rule.entry(rule.clone()).or_default() = *counts;
        }
        let mute_lists = matcher.map(|matcher| {
            let ran: Vec<&str> = by_rule.keys().map(String::as_str).collect();
            let (expired, unused) = matcher.finish(&ran, audited.run.evaluated_at);
            for rule in by_rule.keys() {
                muted_by_rule.entry(rule.clone()).or_default();
            }
            MuteLists { expired, unused }
        });
        let spilled_mutes = mute_lists.as_ref().map(|lists| json::SpilledMutes {
            lists,
            muted_by_rule: &muted_by_rule,
        });
        // As a report built in memory lists them (SARIF's driver, JUnit's suites).
        let rules = ReportedRule::in_report_order(audited.rules.iter().cloned());
        write_report_streamed(args.output.as_deref(), |out| {
            let written = match format {
                ReportFormat::Json => {
                    json::write_spilled(&audited.run, by_rule, spilled_mutes, spill, out)
                }
                ReportFormat::Csv => csv::write_spilled(spill, spilled_mutes.is_some(), out),
                ReportFormat::Sarif => sarif::write_spilled(&rules, &audited.rule_docs, spill, out),
                ReportFormat::Junit => spill
                    .finish()
                    .and_then(|spilled| {
                        junit::write_spilled(
                            &rules,
                            &audited.run.evaluated_at,
                            &parts.junit_counts,
                            spilled,
                            out,
                        )
                    })
                    .map_err(report::ReportError::from),
                ReportFormat::Table => spill
                    .finish()
                    .and_then(|spilled| {
                        table::write_spilled(
                            out,
                            &audited.run,
                            &rules,
                            &parts.table_counts,
                            table_style(),
                            &spilled,
                        )
                    })
                    .map_err(report::ReportError::from),
                _ => report::write_spilled_array(spill, out),
            };
            written.map_err(std::io::Error::other)
        })?;
        return Ok(finish(&tally, args.fail_on, audited.run.accounts.len()));
    }

    let mut findings = Vec::new();
    let audited = audit_snapshots(&catalogue, &config, &args, snapshot_dir, |batch, _| {
        findings.extend(batch);
        Ok(())
    })?;
    let mut report = Report::new(audited.run, audited.rules, findings);
    report.rule_docs = audited.rule_docs;
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
    for (index, finding) in report.findings.iter().enumerate() {
        tally.add(finding, report.counts_for_failure(index));
    }
    Ok(finish(&tally, args.fail_on, report.run.accounts.len()))
}

/// What rendering one finding of a streamed report needs besides the finding.
struct StreamedParts {
    format: ReportFormat,
    /// A mutes file was given (the CSV report then has a `MUTED` column).
    with_mutes: bool,
    /// Every rule's text (OCSF, ASFF).
    docs: BTreeMap<String, RuleDoc>,
    /// The rules that will run, in report order (SARIF's `ruleIndex`).
    will_run: Vec<ReportedRule>,
    /// The counts of each rule's JUnit test cases, made as they are rendered.
    junit_counts: BTreeMap<String, junit::Counts>,
    /// The counts the terminal table shows.
    table_counts: table::TableCounts,
}

impl StreamedParts {
    /// Renders `finding`, as the format writes it, into `out` (the spill indents it).
    fn render(
        &mut self,
        finding: &Finding,
        note: Option<&MuteNote>,
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let StreamedParts {
            format,
            with_mutes,
            docs,
            will_run,
            junit_counts,
            table_counts,
        } = self;
        let (format, with_mutes) = (*format, *with_mutes);
        fn pretty(out: &mut Vec<u8>, value: &impl serde::Serialize) -> std::io::Result<()> {
            serde_json::to_writer_pretty(out, value).map_err(std::io::Error::other)
        }
        // A finding a format leaves out (SARIF: not NON_COMPLIANT; OCSF: NOT_APPLICABLE) renders as
        // nothing, which the spill skips.
        match format {
            ReportFormat::Json => json::render_finding(finding, note, out),
            ReportFormat::Csv => {
                let cells = if with_mutes {
                    vec![csv::mute_cell(note)]
                } else {
                    Vec::new()
                };
                csv::write_row(finding, &cells, out).map_err(std::io::Error::other)
            }
            ReportFormat::Sarif => {
                let index = sarif::rule_index(will_run, &finding.rule);
                match sarif::audit_result(finding, index, note, None) {
                    Some(result) => pretty(out, &result),
                    None => Ok(()),
                }
            }
            ReportFormat::Ocsf => match ocsf::event(finding, docs.get(&finding.rule), note, None) {
                Some(event) => pretty(out, &event),
                None => Ok(()),
            },
            ReportFormat::Asff => pretty(
                out,
                &asff::asff_finding(finding, docs.get(&finding.rule), note, None),
            ),
            ReportFormat::Junit => {
                let case = junit::audit_case(finding, note);
                junit_counts
                    .entry(finding.rule.clone())
                    .or_default()
                    .count(&case.outcome);
                let mut text = String::new();
                junit::write_case(&mut text, &case);
                out.extend_from_slice(text.as_bytes());
                Ok(())
            }
            ReportFormat::Table => {
                table_counts.add(finding);
                let marks = report::marks_text(note, None);
                if let Some(row) = table::FailingRow::of(finding, will_run, &marks) {
                    row.to_bytes(out);
                }
                Ok(())
            }
            ReportFormat::ConfigEvaluations | ReportFormat::Html => Ok(()),
        }
    }
}

/// What the exit code, its explanation and the closing log line need of the findings, gathered
/// one finding at a time: a streamed report keeps no finding.
#[derive(Debug)]
struct Tally {
    threshold: Option<Severity>,
    findings: usize,
    totals: RuleCounts,
    by_rule: BTreeMap<String, RuleCounts>,
    /// The findings that make `--fail-on` exit 1 (NON_COMPLIANT at or above the threshold,
    /// counting for failure), by (severity, rule): how many, and the first three in report order
    /// as (resource id, region, name).
    tripping: BTreeMap<(Severity, String), (usize, Vec<NamedResource>)>,
}

/// A resource named in the `--fail-on` explanation: (id, region) orders it, `name` is shown.
type NamedResource = (String, String, String);

impl Tally {
    fn new(threshold: Option<Severity>) -> Tally {
        Tally {
            threshold,
            findings: 0,
            totals: RuleCounts::default(),
            by_rule: BTreeMap::new(),
            tripping: BTreeMap::new(),
        }
    }

    /// Counts `finding`, in report order; `counts_for_failure` as `report::counts_for_failure`.
    fn add(&mut self, finding: &Finding, counts_for_failure: bool) {
        self.findings += 1;
        self.totals.add(finding.compliance_type);
        match self.by_rule.get_mut(&finding.rule) {
            Some(counts) => counts.add(finding.compliance_type),
            None => self
                .by_rule
                .entry(finding.rule.clone())
                .or_default()
                .add(finding.compliance_type),
        }
        // Severity sorts most severe first: "at or above" is "less or equal".
        if counts_for_failure && self.threshold.is_some_and(|t| finding.severity <= t) {
            let (count, named) = self
                .tripping
                .entry((finding.severity, finding.rule.clone()))
                .or_default();
            *count += 1;
            // The first three in report order (resource id, region; the earlier one on a tie),
            // whatever order the findings come in (a streamed multi-account run gives each
            // account's in turn).
            let key = (&finding.resource.id, &finding.resource.region);
            let at = named.partition_point(|(id, region, _)| (id, region) <= key);
            if at < 3 {
                let name = if finding.resource.name.is_empty() {
                    &finding.resource.id
                } else {
                    &finding.resource.name
                };
                named.insert(
                    at,
                    (
                        finding.resource.id.clone(),
                        finding.resource.region.clone(),
                        name.clone(),
                    ),
                );
                named.truncate(3);
            }
        }
    }
}

/// Logs the run's totals, explains a `--fail-on` failure on stderr and gives the exit outcome.
fn finish(tally: &Tally, fail_on: FailOn, accounts: usize) -> Outcome {
    tracing::info!(
        findings = tally.findings,
        non_compliant = tally.totals.non_compliant,
        insufficient_data = tally.totals.insufficient_data,
        accounts = accounts.max(1),
        "audit done"
    );
    let outcome = exit_outcome(tally);
    if outcome == Outcome::Failed
        && let FailOn::AtOrAbove(threshold) = fail_on
    {
        for line in fail_on_explanation(tally, threshold) {
            eprintln!("{line}");
        }
    }
    outcome
}

/// Why `--fail-on` made the run exit 1, for stderr: one line naming the threshold and the count,
/// then one line per rule with its failing findings (at most three resources named).
/// Counts what `exit_outcome` counts: no muted finding, and with a baseline only new or
/// changed ones.
fn fail_on_explanation(tally: &Tally, threshold: Severity) -> Vec<String> {
    let total: usize = tally.tripping.values().map(|(count, _)| count).sum();
    let mut lines = vec![format!(
        "exit 1: {total} NON_COMPLIANT {} at or above `--fail-on {}`:",
        if total == 1 { "finding" } else { "findings" },
        threshold.as_str()
    )];
    for ((severity, rule), (count, named)) in &tally.tripping {
        let named: Vec<String> = named
            .iter()
            .map(|(_, _, name)| format!("`{}`", report::table::printable(name)))
            .collect();
        let more = if *count > 3 { ", …" } else { "" };
        lines.push(format!(
            "  {} ({}): {} — {}{more}",
            report::table::printable(rule),
            severity.as_str(),
            count,
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

/// What an audit run gives besides its findings.
#[derive(Debug)]
struct AuditedRun {
    run: RunInfo,
    rules: Vec<ReportedRule>,
    rule_docs: BTreeMap<String, RuleDoc>,
}

/// Audits every account snapshot under `snapshot_dir` (one, or one per account), handing each
/// rule's findings of each account to `each` as soon as the rule has run, with the time that
/// account is judged at.
fn audit_snapshots(
    catalogue: &Catalogue,
    config: &RuleConfig,
    args: &AuditArgs,
    snapshot_dir: &Path,
    mut each: impl FnMut(Vec<Finding>, DateTime<Utc>) -> anyhow::Result<()>,
) -> anyhow::Result<AuditedRun> {
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
        // The same for every account: one catalogue, one configuration.
        parameters = run_rules(
            catalogue,
            &snapshot,
            config,
            &args.rule_ids,
            now,
            |findings| each(findings, now),
        )?;
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
        .collect::<Vec<_>>();
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
    let rule_docs = rules
        .iter()
        .filter_map(|rule| catalogue.get(&rule.id))
        .map(|meta| (meta.id.clone(), rule_doc(meta)))
        .collect();
    Ok(AuditedRun {
        run,
        rules,
        rule_docs,
    })
}

/// The text of a rule, as the reports show it.
fn rule_doc(meta: &RuleMeta) -> RuleDoc {
    RuleDoc {
        title: meta.title.clone(),
        description: meta.description.clone(),
        remediation: meta.remediation.clone(),
    }
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

/// The terminal table's colour and width.
fn table_style() -> TableStyle {
    TableStyle {
        colour: use_colour(),
        width: super::logging::stdout_width(),
    }
}

fn report_format(format: ReportFormat) -> Format {
    match format {
        ReportFormat::Table => Format::Table(table_style()),
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

/// 1 (failed) before 3 (partial) before 0 (clean); 2 is an error and never reaches here. Muted
/// findings, and with a baseline unchanged ones, do not count for `--fail-on`.
fn exit_outcome(tally: &Tally) -> Outcome {
    if !tally.tripping.is_empty() {
        Outcome::Failed
    } else if tally.totals.insufficient_data > 0 {
        Outcome::Partial
    } else {
        Outcome::Clean
    }
}

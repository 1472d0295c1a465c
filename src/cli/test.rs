//! `secaudit test PATH_OR_GLOB…`: runs policy unit-test case files and reports PASS / FAIL /
//! ERROR. Exit codes: 0 every request passed; 1 some request failed; 2 the run could not be
//! trusted: a file that does not load, a path or glob that finds nothing, a bad glob, or (with
//! `--fail-on-empty`) no request at all. Exit 2 wins over 1: when one file is an ERROR and
//! another fails, the report still lists both and the exit code is 2.
//!
//! With `--format text` the whole report, closing line included, goes to stdout; with `json`
//! or `junit`, stdout carries the document only and the closing line goes to stderr. With
//! `--output FILE` the report goes to the file and the closing line to stderr as well.

use std::path::PathBuf;

use anyhow::bail;
use clap::ValueEnum;
use secaudit::policytest::{
    Expectations, FileOutcome, LoadOptions, SuiteReport, discover, render_json, render_junit,
    render_text, run_selected, summary_lines,
};

use super::Outcome;
use super::output::write_report;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 all requests passed, 1 some request failed, \
2 could not run (a file that does not load, a path that finds nothing, --fail-on-empty). \
`-v` lists every request, PASS included, with the statements that decided it."
)]
pub struct TestArgs {
    /// Case files, directories (searched recursively for `*.json`) or glob patterns.
    #[arg(value_name = "PATH_OR_GLOB", required = true)]
    pub paths: Vec<String>,
    /// Report format: `text` (failures, errors and the closing count), `json`, or `junit`
    /// (JUnit XML for CI systems).
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Exit 2 when the files hold no request at all, so that a mistyped path cannot pass CI.
    #[arg(long)]
    pub fail_on_empty: bool,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only the requests whose `FILE: CASE / REQUEST` (as report lines name them) the
    /// regular expression matches anywhere (`--run orders-app`, `--run ' / deny'`).
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,
    /// Report which statements of the policies under test no request exercised.
    #[arg(long)]
    pub coverage: bool,
    /// Exit 1 when fewer than N % of the statements were exercised (implies `--coverage`).
    #[arg(long, value_name = "N", value_parser = percent)]
    pub coverage_threshold: Option<f64>,
}

fn percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(format!(
            "expected a percentage from 0 to 100, found `{text}`"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}

/// Runs `secaudit test`; `verbose` lists every request, PASS included.
pub fn run(args: TestArgs, verbose: bool) -> anyhow::Result<Outcome> {
    let snapshots = secaudit::access::SnapshotCasePolicies::new();
    let options = LoadOptions {
        expectations: Expectations::Required,
        snapshot: Some(&snapshots),
    };
    let selector = match &args.run {
        Some(pattern) => Some(
            regex::Regex::new(pattern)
                .map_err(|error| anyhow::anyhow!("--run: invalid regular expression: {error}"))?,
        ),
        None => None,
    };
    let select = |head: &str| selector.as_ref().is_none_or(|regex| regex.is_match(head));
    let coverage = args.coverage || args.coverage_threshold.is_some();
    let report = run_selected(&discover(&args.paths), &options, &select, coverage);
    let document = match args.format {
        TestFormat::Text => render_text(&report, verbose),
        TestFormat::Json => render_json(&report),
        TestFormat::Junit => render_junit(&report),
    };
    write_report(args.output.as_deref(), document.as_bytes())?;
    if args.format != TestFormat::Text || args.output.is_some() {
        let coverage_lines = match (&report.coverage, args.format) {
            (Some(coverage), TestFormat::Junit) => coverage.lines(),
            _ => Vec::new(),
        };
        for line in coverage_lines.iter().chain(&summary_lines(&report)) {
            eprintln!("{line}");
        }
    }
    let outcome = outcome(&report, args.fail_on_empty)?;
    if let (Some(threshold), Some(coverage)) = (args.coverage_threshold, &report.coverage)
        && coverage.percent() < threshold
    {
        eprintln!(
            "coverage {:.1}% is below --coverage-threshold {threshold}",
            coverage.percent()
        );
        return Ok(Outcome::Failed);
    }
    Ok(outcome)
}

/// Exit 2 (an error) beats exit 1 (failures): a run with an ERROR cannot be trusted.
fn outcome(report: &SuiteReport, fail_on_empty: bool) -> anyhow::Result<Outcome> {
    let mut messages = report.files.iter().filter_map(|file| match &file.outcome {
        FileOutcome::Error { message, .. } => Some(message),
        FileOutcome::Ran { .. } => None,
    });
    match (messages.next(), report.errors()) {
        (None, _) => {}
        (Some(message), 1) => bail!("{message}"),
        (Some(_), errors) => {
            bail!("{errors} case files or paths could not be run (see the ERROR lines)")
        }
    }
    match report.request_errors() {
        0 => {}
        1 => bail!("1 request names what AWS does not know (see the ERROR line)"),
        n => bail!("{n} requests name what AWS does not know (see the ERROR lines)"),
    }
    if fail_on_empty && report.results().next().is_none() {
        bail!("no request found (`--fail-on-empty`)");
    }
    Ok(if report.failed() > 0 {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

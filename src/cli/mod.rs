//! The command line: clap definitions, one module per subcommand, and the mapping from a
//! subcommand's outcome to an exit code. Subcommands validate their arguments into a
//! configuration before doing any work, write reports to stdout (or `--output`) and logs to
//! stderr.

pub mod access;
pub mod audit;
pub mod collect;
pub mod config_rule;
pub mod eval;
pub mod lint;
pub mod logging;
pub mod output;
pub mod rules;
pub mod security_hub;
pub mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Policy and compliance audits for AWS Secrets Manager.
#[derive(Debug, Parser)]
#[command(name = "secaudit", version, about, long_about = None)]
pub struct Cli {
    /// More logging on stderr (`-v` info, `-vv` debug); `RUST_LOG` also works.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No progress bars and only errors on stderr.
    #[arg(short = 'q', long = "quiet", global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit an account snapshot (or a live account) against the rule catalogue.
    Audit(audit::AuditArgs),
    /// Collect an account snapshot from AWS into a directory.
    Collect(collect::CollectArgs),
    /// Evaluate one request against policies, or case files with `--cases`.
    Eval(eval::EvalArgs),
    /// Run policy unit-test case files.
    Test(test::TestArgs),
    /// Check policies, Terraform plans and CloudFormation templates before deploying them.
    Lint(lint::LintArgs),
    /// Who can access each secret of a snapshot.
    Access(access::AccessArgs),
    /// List or show the rules of the catalogue.
    Rules(rules::RulesArgs),
    /// Run as an AWS Config custom rule on an invocation event.
    ConfigRule(config_rule::ConfigRuleArgs),
}

/// What a subcommand that ran to completion reports, mapped to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: clean, allowed, all tests passed.
    Clean,
    /// 1: failing findings at or above `--fail-on`, a denied `eval`, failing tests.
    Failed,
    /// 3: the run completed but coverage is partial (INSUFFICIENT_DATA from missing data).
    Partial,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
            Outcome::Partial => ExitCode::from(3),
        }
    }
}

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let (quiet, verbose) = (cli.quiet, cli.verbose > 0);
    match cli.command {
        Command::Audit(args) => audit::run(args, quiet),
        Command::Collect(args) => collect::run(args, quiet),
        Command::Eval(args) => eval::run(args),
        Command::Test(args) => test::run(args, verbose),
        Command::Lint(args) => lint::run(args),
        Command::Access(args) => access::run(args),
        Command::Rules(args) => rules::run(args),
        Command::ConfigRule(args) => config_rule::run(args, quiet),
    }
}

/// An error chain on one line: `cannot read `x.json`: Statement[1].Effect: expected …`.
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    secaudit::terminal::printable(&text.replace(['\n', '\r'], " ")).into_owned()
}

/// True when the error is a closed stdout (`secaudit … | head`), which is not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

//! `secaudit rules list` and `secaudit rules show ID`: the rule catalogue (built in, or
//! `--rules DIR`) for people (aligned text) and programs (`--format json`).
//!
//! Read-only: it never runs a rule. An unknown id is an error (exit 2).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::Outcome;
use super::output::write_report;
use secaudit::rules::{Catalogue, ParamSpec, ParamType, RuleError, RuleMeta};

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
    /// A directory of rule files replacing the built-in rule metadata.
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,
    /// `text` for people, `json` for programs.
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub format: ListFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// One line per rule: id, severity, title.
    List,
    /// Everything a rule file says: title, description, severity, parameters, mappings,
    /// remediation.
    Show {
        /// The rule id, e.g. `secretsmanager-rotation-enabled-check`.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct ListedRule<'a> {
    id: &'a str,
    severity: &'static str,
    title: &'a str,
}

pub fn run(args: RulesArgs) -> anyhow::Result<Outcome> {
    let catalogue = match &args.rules {
        Some(dir) => Catalogue::from_dir(dir)?,
        None => Catalogue::builtin()?,
    };
    let text = match (&args.command, args.format) {
        (RulesCommand::List, ListFormat::Text) => list_text(catalogue.rules()),
        (RulesCommand::List, ListFormat::Json) => {
            let listed: Vec<ListedRule<'_>> = catalogue
                .rules()
                .iter()
                .map(|meta| ListedRule {
                    id: &meta.id,
                    severity: meta.severity.as_str(),
                    title: &meta.title,
                })
                .collect();
            pretty_json(&listed)?
        }
        (RulesCommand::Show { id }, format) => {
            let meta = catalogue
                .get(id)
                .ok_or_else(|| RuleError::UnknownRule(id.clone()))?;
            match format {
                ListFormat::Text => show_text(meta),
                ListFormat::Json => pretty_json(meta)?,
            }
        }
    };
    write_report(None, text.as_bytes())?;
    Ok(Outcome::Clean)
}

fn pretty_json(value: &impl Serialize) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// `ID  SEVERITY  TITLE`, aligned, in catalogue order (by id).
fn list_text(rules: &[RuleMeta]) -> String {
    let id_width = rules
        .iter()
        .map(|meta| meta.id.chars().count())
        .chain(std::iter::once(2))
        .max()
        .unwrap_or(2);
    let severity_width = "informational".len();
    let mut out = format!(
        "{:<id_width$}  {:<severity_width$}  TITLE\n",
        "ID", "SEVERITY"
    );
    for meta in rules {
        let _ = writeln!(
            out,
            "{:<id_width$}  {:<severity_width$}  {}",
            meta.id,
            meta.severity.as_str(),
            meta.title
        );
    }
    out
}

/// Every field of the rule file, labelled, parameters one block each.
fn show_text(meta: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", meta.id);
    let _ = writeln!(out, "  title:                {}", meta.title);
    let _ = writeln!(out, "  severity:             {}", meta.severity.as_str());
    let _ = writeln!(out, "  resource type:        {}", meta.resource_type);
    let _ = writeln!(
        out,
        "  AWS Config rule:      {}",
        meta.mappings.config_rule.as_deref().unwrap_or("none")
    );
    let _ = writeln!(
        out,
        "  Security Hub control: {}",
        meta.mappings.security_hub.as_deref().unwrap_or("none")
    );
    if !meta.mappings.related_requirements.is_empty() {
        let _ = writeln!(
            out,
            "  related requirements: {}",
            meta.mappings.related_requirements.join(", ")
        );
    }
    let _ = writeln!(out, "\ndescription:\n  {}", meta.description);
    if meta.parameters.is_empty() {
        let _ = writeln!(out, "\nparameters: none");
    } else {
        let _ = writeln!(out, "\nparameters:");
        for (name, spec) in &meta.parameters {
            let _ = writeln!(out, "  {name} ({})", parameter_summary(spec));
            let _ = writeln!(out, "      {}", spec.description);
        }
    }
    let _ = writeln!(out, "\nremediation:\n  {}", meta.remediation);
    out
}

/// `integer, minimum 1, default 90` or `enum: a | b, default a`.
fn parameter_summary(spec: &ParamSpec) -> String {
    let kind = match &spec.kind {
        ParamType::Integer {
            minimum: Some(minimum),
        } => format!("integer, minimum {minimum}"),
        ParamType::Enum { values } => format!("one of {}", values.join(" | ")),
        other => other.name().to_string(),
    };
    let default = match &spec.default {
        serde_json::Value::Null => "not set".to_string(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) if items.is_empty() => "[]".to_string(),
        other => other.to_string(),
    };
    format!("{kind}, default {default}")
}

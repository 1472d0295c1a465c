//! The terminal report, readable at a glance: a header line naming the account and times, the
//! counts per rule as an aligned table with the four compliance columns, then the NON_COMPLIANT
//! and INSUFFICIENT_DATA resources grouped by rule with their annotations, then a one-line
//! summary.
//!
//! Colour (ANSI) only when the caller asks for it: this module never looks at the terminal or the
//! environment. Control characters in names and annotations (attacker-controlled) are shown
//! escaped, so a secret name cannot move the cursor or recolour the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Report, timestamp_text};
use crate::findings::{ComplianceType, Finding};

/// How to draw the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// Use ANSI colours (the caller decides: a terminal and no `NO_COLOR`).
    pub colour: bool,
}

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Resource labels longer than this are not used to align the annotations (one long name
/// would push every annotation of its rule to the right).
const MAX_ALIGNED_RESOURCE: usize = 48;

/// The compliance columns of the counts table, in order.
const COUNT_COLUMNS: [ComplianceType; 4] = ComplianceType::ALL;

/// Renders the report as text for a terminal, ending with a newline.
pub fn render(report: &Report, style: TableStyle) -> String {
    let paint = Paint { style };
    let mut out = String::new();
    write_heading(&mut out, report);
    out.push('\n');
    write_counts(&mut out, report, paint);
    write_failing(&mut out, report, paint);
    write_summary(&mut out, report, paint);
    out
}

/// `account … · snapshot collected … · evaluated …`, or the accounts of a multi-account run.
fn write_heading(out: &mut String, report: &Report) {
    let evaluated = timestamp_text(&report.run.evaluated_at);
    match &report.run.snapshot {
        Some(snapshot) => {
            let _ = writeln!(
                out,
                "account {} · snapshot collected {} · evaluated {evaluated}",
                printable(&snapshot.account_id),
                timestamp_text(&snapshot.collected_at),
            );
        }
        None => {
            let ids: Vec<String> = report
                .run
                .accounts
                .iter()
                .map(|account| printable(&account.account_id))
                .collect();
            let _ = writeln!(
                out,
                "{} {} ({}) · evaluated {evaluated}",
                ids.len(),
                plural(ids.len(), "account", "accounts"),
                ids.join(", "),
            );
        }
    }
}

fn write_counts(out: &mut String, report: &Report, paint: Paint) {
    let counts = report.counts_by_rule();
    let rule_width = report
        .rules
        .iter()
        .map(|rule| printable(&rule.id).chars().count())
        .chain(std::iter::once("RULE".len()))
        .max()
        .unwrap_or(4);
    let severity_width = report
        .rules
        .iter()
        .map(|rule| rule.severity.as_str().len())
        .chain(std::iter::once("SEVERITY".len()))
        .max()
        .unwrap_or(8);
    let mut header = format!("{:<rule_width$}  {:<severity_width$}", "RULE", "SEVERITY");
    for column in COUNT_COLUMNS {
        let _ = write!(header, "  {}", column.as_str());
    }
    let _ = writeln!(out, "{}", paint.apply(BOLD, header.trim_end()));
    for rule in &report.rules {
        let rule_counts = counts.get(&rule.id).copied().unwrap_or_default();
        let _ = write!(
            out,
            "{:<rule_width$}  {:<severity_width$}",
            printable(&rule.id),
            rule.severity.as_str()
        );
        for column in COUNT_COLUMNS {
            let width = column.as_str().len();
            let count = rule_counts.get(column);
            let cell = format!("{count:>width$}");
            let colour = match column {
                ComplianceType::NonCompliant if count > 0 => Some(RED),
                ComplianceType::InsufficientData if count > 0 => Some(YELLOW),
                _ => None,
            };
            out.push_str("  ");
            match colour {
                Some(code) => out.push_str(&paint.apply(code, &cell)),
                None => out.push_str(&cell),
            }
        }
        out.push('\n');
    }
}

fn write_failing(out: &mut String, report: &Report, paint: Paint) {
    let with_account = report.run.snapshot.is_none();
    let mut failing_by_rule: BTreeMap<&str, Vec<(usize, &Finding)>> = BTreeMap::new();
    for (index, finding) in report.findings.iter().enumerate() {
        if is_failing(finding.compliance_type) {
            failing_by_rule
                .entry(finding.rule.as_str())
                .or_default()
                .push((index, finding));
        }
    }
    for rule in &report.rules {
        let Some(mut failing) = failing_by_rule.remove(rule.id.as_str()) else {
            continue;
        };
        // Stable: keeps report order (by resource) within each compliance type.
        failing.sort_by_key(|(_, f)| f.compliance_type);
        out.push('\n');
        let heading = format!("{} ({})", printable(&rule.id), rule.severity.as_str());
        let _ = writeln!(out, "{}", paint.apply(BOLD, &heading));
        let label_width = failing
            .iter()
            .map(|(_, f)| f.compliance_type.as_str().len())
            .max()
            .unwrap_or(0);
        let resource_width = failing
            .iter()
            .map(|(_, f)| resource_label(f, with_account).chars().count())
            .filter(|width| *width <= MAX_ALIGNED_RESOURCE)
            .max()
            .unwrap_or(0);
        for (index, finding) in failing {
            let label = format!("{:<label_width$}", finding.compliance_type.as_str());
            let colour = match finding.compliance_type {
                ComplianceType::NonCompliant => RED,
                _ => YELLOW,
            };
            let resource = resource_label(finding, with_account);
            let padding = resource_width.saturating_sub(resource.chars().count());
            // A finding whose severity differs from its rule's says so.
            let severity = if finding.severity == rule.severity {
                String::new()
            } else {
                format!("[{}] ", finding.severity.as_str())
            };
            let _ = writeln!(
                out,
                "  {}  {resource}{:padding$}  {}{severity}{}",
                paint.apply(colour, &label),
                "",
                printable(&report.marks_text(index)),
                printable(&finding.annotation),
            );
        }
    }
}

fn write_summary(out: &mut String, report: &Report, paint: Paint) {
    let totals = report.totals();
    let findings = report.findings.len();
    let rules = report.rules.len();
    let non_compliant = format!("{} NON_COMPLIANT", totals.non_compliant);
    let insufficient = format!("{} INSUFFICIENT_DATA", totals.insufficient_data);
    let compliant = format!("{} COMPLIANT", totals.compliant);
    let _ = writeln!(
        out,
        "\n{findings} {} from {rules} {}: {}, {}, {}, {} NOT_APPLICABLE",
        plural(findings, "finding", "findings"),
        plural(rules, "rule", "rules"),
        if totals.non_compliant > 0 {
            paint.apply(RED, &non_compliant)
        } else {
            non_compliant
        },
        if totals.insufficient_data > 0 {
            paint.apply(YELLOW, &insufficient)
        } else {
            insufficient
        },
        if totals.compliant > 0 {
            paint.apply(GREEN, &compliant)
        } else {
            compliant
        },
        totals.not_applicable,
    );
}

fn is_failing(compliance: ComplianceType) -> bool {
    matches!(
        compliance,
        ComplianceType::NonCompliant | ComplianceType::InsufficientData
    )
}

/// The resource as a reader knows it: its name (else its id) and its region, and its account
/// when the report covers several.
fn resource_label(finding: &Finding, with_account: bool) -> String {
    let resource = &finding.resource;
    let name = if resource.name.is_empty() {
        &resource.id
    } else {
        &resource.name
    };
    let place: Vec<&str> = [
        resource.region.as_str(),
        if with_account {
            resource.account_id.as_str()
        } else {
            ""
        },
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect();
    if place.is_empty() {
        printable(name)
    } else {
        format!("{} ({})", printable(name), printable(&place.join(", ")))
    }
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// `text` with control and bidirectional characters escaped (`\u{1b}`, `\u{202e}`), safe to
/// print to a terminal (`crate::terminal::printable`).
fn printable(text: &str) -> String {
    crate::terminal::printable(text).into_owned()
}

#[derive(Debug, Clone, Copy)]
struct Paint {
    style: TableStyle,
}

impl Paint {
    fn apply(self, code: &str, text: &str) -> String {
        if self.style.colour {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Severity;
    use crate::report::ReportedRule;
    use crate::report::sample::{finding, report};

    fn sample_report() -> Report {
        let mut hostile = finding(
            "rotation",
            Severity::High,
            ComplianceType::NonCompliant,
            "evil\x1b[2Jname",
        );
        hostile.annotation = "never rotated; age 120 days from creation > 90".to_string();
        report(vec![
            hostile,
            finding("rotation", Severity::High, ComplianceType::Compliant, "ok"),
            finding(
                "rotation",
                Severity::High,
                ComplianceType::InsufficientData,
                "app",
            ),
            finding(
                "tagged",
                Severity::Low,
                ComplianceType::NotApplicable,
                "rep",
            ),
        ])
    }

    #[test]
    fn plain_table_matches_the_expected_layout() {
        let text = render(&sample_report(), TableStyle { colour: false });
        let expected = "\
account 111111111111 · snapshot collected 2026-11-01T00:00:00Z · evaluated 2026-11-01T00:00:00Z

RULE        SEVERITY  COMPLIANT  NON_COMPLIANT  NOT_APPLICABLE  INSUFFICIENT_DATA
rotation    high              1              1               0                  1
quiet-rule  low               0              0               0                  0
tagged      low               0              0               1                  0

rotation (high)
  NON_COMPLIANT      evil\\u{1b}[2Jname (us-east-1)  never rotated; age 120 days from creation > 90
  INSUFFICIENT_DATA  app (us-east-1)                app: INSUFFICIENT_DATA

4 findings from 3 rules: 1 NON_COMPLIANT, 1 INSUFFICIENT_DATA, 1 COMPLIANT, 1 NOT_APPLICABLE
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_very_long_resource_name_does_not_push_the_other_annotations() {
        let long = "n".repeat(MAX_ALIGNED_RESOURCE + 10);
        let text = render(
            &report(vec![
                finding("r", Severity::High, ComplianceType::NonCompliant, &long),
                finding("r", Severity::High, ComplianceType::NonCompliant, "short"),
            ]),
            TableStyle::default(),
        );
        assert!(text.contains(&format!("{long} (us-east-1)  {long}: NON_COMPLIANT")));
        assert!(text.contains("  NON_COMPLIANT  short (us-east-1)  short: NON_COMPLIANT"));
    }

    #[test]
    fn a_finding_more_severe_than_its_rule_says_so() {
        let mut raised = finding("r", Severity::Low, ComplianceType::NonCompliant, "a");
        raised.severity = Severity::High;
        let mut rules_report = report(vec![
            raised,
            finding("r", Severity::Low, ComplianceType::NonCompliant, "b"),
        ]);
        rules_report.rules = vec![ReportedRule {
            id: "r".to_string(),
            severity: Severity::Low,
        }];
        let text = render(&rules_report, TableStyle::default());
        assert!(
            text.contains("a (us-east-1)  [high] a: NON_COMPLIANT"),
            "{text}"
        );
        assert!(text.contains("b (us-east-1)  b: NON_COMPLIANT"), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = render(&sample_report(), TableStyle { colour: false });
        let coloured = render(&sample_report(), TableStyle { colour: true });
        assert!(!plain.contains('\x1b'));
        assert!(coloured.contains("\x1b[31mNON_COMPLIANT"));
    }

    #[test]
    fn an_empty_run_still_prints_the_summary() {
        let text = render(&report(Vec::new()), TableStyle::default());
        assert!(text.ends_with(
            "\n0 findings from 1 rule: 0 NON_COMPLIANT, 0 INSUFFICIENT_DATA, 0 COMPLIANT, 0 NOT_APPLICABLE\n"
        ));
    }
}

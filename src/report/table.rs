//! The terminal report, readable at a glance and at any width: a heading naming the account and
//! times, the totals, then the counts an auditor asks for first (by severity, by rule, by account
//! and region), then the NON_COMPLIANT and INSUFFICIENT_DATA resources listed under their rule
//! with their annotations. Tables are drawn by `comfy-table` to the width the caller gives (the
//! terminal's): cells wrap, and long resource names (`rds!cluster-<uuid>`) are shortened in the
//! middle so that both ends stay readable.
//!
//! Colour (ANSI) only when the caller asks for it: this module never looks at the terminal or the
//! environment. Control characters and bidirectional-text controls (U+202E and friends) in names
//! and annotations (attacker-controlled) are shown escaped, so a secret name can neither move the
//! cursor nor reorder what the reader sees.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

use super::{Report, ReportedRule, RuleCounts, RunInfo, timestamp_text};
use crate::findings::{ComplianceType, Finding, Severity};

/// How to draw the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// Use ANSI colours (the caller decides: a terminal and no `NO_COLOR`).
    pub colour: bool,
    /// The width to fit, in columns (the terminal's, or `COLUMNS`); `None`: no limit (a pipe).
    pub width: Option<u16>,
}

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Narrower than this, tables are drawn at this width anyway (they would be unreadable).
const MIN_WIDTH: u16 = 40;

/// The longest resource name shown whole when there is no width limit.
const MAX_NAME_UNLIMITED: usize = 64;

/// The count columns, most urgent first, with their headers, full and short.
const COUNT_COLUMNS: [(ComplianceType, &str, &str); 4] = [
    (ComplianceType::NonCompliant, "NON_COMPLIANT", "FAIL"),
    (
        ComplianceType::InsufficientData,
        "INSUFFICIENT_DATA",
        "NO DATA",
    ),
    (ComplianceType::Compliant, "COMPLIANT", "PASS"),
    (ComplianceType::NotApplicable, "NOT_APPLICABLE", "N/A"),
];

/// Below this width the count tables use the short headers (and say what they mean).
const FULL_HEADERS_FROM: u16 = 120;

/// Renders the report as text for a terminal, ending with a newline.
pub fn render(report: &Report, style: TableStyle) -> String {
    let mut counts = TableCounts::default();
    for finding in &report.findings {
        counts.add(finding);
    }
    let mut failing_by_rule: BTreeMap<&str, Vec<FailingRow>> = BTreeMap::new();
    for (index, finding) in report.findings.iter().enumerate() {
        if let Some(row) = FailingRow::of(finding, &report.rules, &report.marks_text(index)) {
            failing_by_rule
                .entry(finding.rule.as_str())
                .or_default()
                .push(row);
        }
    }
    let mut out = Vec::new();
    let written = write_table(
        &mut out,
        &report.run,
        &report.rules,
        &counts,
        style,
        |rule| Ok(failing_by_rule.remove(rule).unwrap_or_default()),
    );
    // INVARIANT: writing to a Vec cannot fail, and every piece is UTF-8.
    debug_assert!(written.is_ok());
    String::from_utf8(out).unwrap_or_default()
}

/// The counts the table shows, gathered one finding at a time (a streamed report keeps no
/// finding).
#[derive(Debug, Default)]
pub struct TableCounts {
    findings: usize,
    totals: RuleCounts,
    by_rule: BTreeMap<String, RuleCounts>,
    by_severity: BTreeMap<Severity, RuleCounts>,
    /// Account → region → counts.
    by_place: BTreeMap<String, BTreeMap<String, RuleCounts>>,
}

impl TableCounts {
    /// Counts `finding`.
    pub fn add(&mut self, finding: &Finding) {
        let compliance = finding.compliance_type;
        self.findings += 1;
        self.totals.add(compliance);
        match self.by_rule.get_mut(&finding.rule) {
            Some(counts) => counts.add(compliance),
            None => self
                .by_rule
                .entry(finding.rule.clone())
                .or_default()
                .add(compliance),
        }
        self.by_severity
            .entry(finding.severity)
            .or_default()
            .add(compliance);
        let regions = match self.by_place.get_mut(&finding.resource.account_id) {
            Some(regions) => regions,
            None => self
                .by_place
                .entry(finding.resource.account_id.clone())
                .or_default(),
        };
        match regions.get_mut(&finding.resource.region) {
            Some(counts) => counts.add(compliance),
            None => regions
                .entry(finding.resource.region.clone())
                .or_default()
                .add(compliance),
        }
    }
}

/// One NON_COMPLIANT or INSUFFICIENT_DATA finding as its rule's table lists it: every text
/// already escaped for the terminal (`printable`), the name whole (shortened when drawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingRow {
    compliance_type: ComplianceType,
    name: String,
    region: String,
    account: String,
    /// The marks (muted, new, changed), the finding's severity when it differs from its rule's,
    /// and the annotation.
    annotation: String,
}

impl FailingRow {
    /// The row of `finding` (`None` unless it is failing), with `marks` (`Report::marks_text`);
    /// `rules` gives its rule's severity.
    pub fn of(finding: &Finding, rules: &[ReportedRule], marks: &str) -> Option<FailingRow> {
        if !is_failing(finding.compliance_type) {
            return None;
        }
        let resource = &finding.resource;
        let name = if resource.name.is_empty() {
            &resource.id
        } else {
            &resource.name
        };
        let rule_severity = rules
            .iter()
            .find(|rule| rule.id == finding.rule)
            .map_or(finding.severity, |rule| rule.severity);
        // A finding whose severity differs from its rule's says so.
        let severity = if finding.severity == rule_severity {
            String::new()
        } else {
            format!("[{}] ", finding.severity.as_str())
        };
        Some(FailingRow {
            compliance_type: finding.compliance_type,
            name: printable(name),
            region: printable(&resource.region),
            account: printable(&resource.account_id),
            annotation: format!(
                "{}{severity}{}",
                printable(marks),
                printable(&finding.annotation)
            ),
        })
    }

    /// The row as bytes for a spill: its fields joined by NUL (escaped text holds no control
    /// character).
    pub fn to_bytes(&self, out: &mut Vec<u8>) {
        let status = match self.compliance_type {
            ComplianceType::NonCompliant => b'N',
            _ => b'I',
        };
        out.push(status);
        for field in [&self.name, &self.region, &self.account, &self.annotation] {
            out.push(0);
            out.extend_from_slice(field.as_bytes());
        }
    }

    /// The row `to_bytes` wrote.
    pub fn from_bytes(bytes: &[u8]) -> Option<FailingRow> {
        let mut fields = bytes.split(|byte| *byte == 0);
        let compliance_type = match fields.next()? {
            b"N" => ComplianceType::NonCompliant,
            b"I" => ComplianceType::InsufficientData,
            _ => return None,
        };
        let mut text = || String::from_utf8(fields.next()?.to_vec()).ok();
        let row = FailingRow {
            compliance_type,
            name: text()?,
            region: text()?,
            account: text()?,
            annotation: text()?,
        };
        Some(row)
    }
}

/// The separator of rows in a spill (escaped text holds no control character).
pub const ROW_SEPARATOR: u8 = 1;

/// Writes the table of a run whose failing findings are in `spilled` (a spill grouped by rule,
/// each row written by [`FailingRow::to_bytes`]): the bytes `render` gives for a report holding
/// the findings `counts` counted. Memory: one rule's failing rows at a time.
pub fn write_spilled(
    out: &mut dyn std::io::Write,
    run: &RunInfo,
    rules: &[ReportedRule],
    counts: &TableCounts,
    style: TableStyle,
    spilled: &super::spill::SpilledFindings,
) -> std::io::Result<()> {
    write_table(out, run, rules, counts, style, |rule| {
        let mut bytes = Vec::new();
        spilled.write_rule(rule, &mut bytes, &mut |first| {
            if first {
                Vec::new()
            } else {
                vec![ROW_SEPARATOR]
            }
        })?;
        if bytes.is_empty() {
            return Ok(Vec::new());
        }
        bytes
            .split(|byte| *byte == ROW_SEPARATOR)
            .map(|row| {
                FailingRow::from_bytes(row)
                    .ok_or_else(|| std::io::Error::other("a spilled table row is damaged"))
            })
            .collect()
    })
}

/// The table, section by section: `failing(rule)` gives that rule's failing rows in report
/// order.
fn write_table(
    out: &mut dyn std::io::Write,
    run: &RunInfo,
    rules: &[ReportedRule],
    counts: &TableCounts,
    style: TableStyle,
    mut failing: impl FnMut(&str) -> std::io::Result<Vec<FailingRow>>,
) -> std::io::Result<()> {
    let paint = Paint { style };
    let width = style.width.map(|w| w.max(MIN_WIDTH));
    let mut text = String::new();
    let mut top = String::new();
    write_heading(&mut top, run);
    write_summary(&mut top, counts, rules.len(), Paint::default());
    for line in top.lines() {
        let _ = writeln!(text, "{}", wrap(line, width));
    }
    let short = width.is_some_and(|w| w < FULL_HEADERS_FROM);
    if short {
        let legend = "FAIL = NON_COMPLIANT, NO DATA = INSUFFICIENT_DATA, PASS = COMPLIANT, \
                      N/A = NOT_APPLICABLE";
        let _ = writeln!(text, "\n{}", wrap(legend, width));
    }
    let severity = severity_table(counts, width, short);
    write_section(&mut text, paint, "By severity", &severity);
    write_section(
        &mut text,
        paint,
        "By rule",
        &rule_table(counts, rules, width, short),
    );
    let places = place_table(counts, width, short);
    write_section(&mut text, paint, "By account and region", &places);
    // Colouring is line by line, so each piece can be written as soon as it is drawn.
    out.write_all(paint.statuses(text).as_bytes())?;
    let with_account = run.snapshot.is_none();
    for rule in rules {
        let rows = failing(&rule.id)?;
        let mut section = String::new();
        write_failing(&mut section, rule, rows, with_account, paint, width);
        out.write_all(paint.statuses(section).as_bytes())?;
    }
    // The totals again at the end, where a long table leaves the reader.
    let mut summary = String::new();
    write_summary(&mut summary, counts, rules.len(), paint);
    out.write_all(format!("\n{}", wrap(&summary, width)).as_bytes())?;
    Ok(())
}

/// `account … · snapshot collected … · evaluated …`, or the accounts of a multi-account run.
fn write_heading(out: &mut String, run: &RunInfo) {
    let evaluated = timestamp_text(&run.evaluated_at);
    match &run.snapshot {
        Some(snapshot) => {
            let _ = writeln!(
                out,
                "account {} · snapshot collected {} · evaluated {evaluated} · {}",
                printable(&snapshot.account_id),
                timestamp_text(&snapshot.collected_at),
                regions_text(snapshot.regions.iter()),
            );
        }
        None => {
            let ids: Vec<String> = run
                .accounts
                .iter()
                .map(|account| printable(&account.account_id))
                .collect();
            let regions: std::collections::BTreeSet<&String> = run
                .accounts
                .iter()
                .flat_map(|account| &account.regions)
                .collect();
            let _ = writeln!(
                out,
                "{} {} ({}) · evaluated {evaluated} · {}",
                ids.len(),
                plural(ids.len(), "account", "accounts"),
                ids.join(", "),
                regions_text(regions.into_iter()),
            );
        }
    }
}

/// `regions us-east-1, eu-west-1` (`no region` when the snapshot covers none).
fn regions_text<'a>(regions: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = regions.map(|region| printable(region)).collect();
    match names.len() {
        0 => "no region".to_owned(),
        1 => format!("region {}", names[0]),
        _ => format!("regions {}", names.join(", ")),
    }
}

fn write_section(out: &mut String, paint: Paint, title: &str, table: &Table) {
    let title = wrap(title, table.width());
    let _ = writeln!(out, "\n{}", paint.apply(BOLD, &title));
    for line in table.lines() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    match width {
        Some(width) => {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// A table of counts: aligned columns without borders, like `ls -l`, so that the longest rule
/// id and the four counts fit in 80 columns with the short headers.
fn count_table(width: Option<u16>, labels: &[&str], short: bool) -> Table {
    let mut table = new_table(width);
    table.load_style(comfy_table::presets::NOTHING);
    let header: Vec<Cell> = labels
        .iter()
        .map(Cell::new)
        .chain(COUNT_COLUMNS.iter().map(|(_, full, brief)| {
            Cell::new(if short { brief } else { full }).set_alignment(CellAlignment::Right)
        }))
        .collect();
    let columns = header.len();
    table.set_header(header);
    let gap = if short { 1 } else { 2 };
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if index + 1 == columns { 0 } else { gap }));
    }
    table
}

fn count_cells(labels: Vec<String>, counts: &RuleCounts) -> Vec<Cell> {
    labels
        .into_iter()
        .map(Cell::new)
        .chain(COUNT_COLUMNS.iter().map(|(column, _, _)| {
            Cell::new(counts.get(*column)).set_alignment(CellAlignment::Right)
        }))
        .collect()
}

fn severity_table(counts: &TableCounts, width: Option<u16>, short: bool) -> Table {
    let mut table = count_table(width, &["SEVERITY"], short);
    for (severity, counts) in &counts.by_severity {
        table.add_row(count_cells(vec![severity.as_str().to_owned()], counts));
    }
    table
}

fn rule_table(
    counts: &TableCounts,
    rules: &[ReportedRule],
    width: Option<u16>,
    short: bool,
) -> Table {
    let mut table = count_table(width, &["RULE", "SEVERITY"], short);
    for rule in rules {
        let rule_counts = counts.by_rule.get(&rule.id).copied().unwrap_or_default();
        table.add_row(count_cells(
            vec![printable(&rule.id), rule.severity.as_str().to_owned()],
            &rule_counts,
        ));
    }
    table
}

fn place_table(counts: &TableCounts, width: Option<u16>, short: bool) -> Table {
    let mut table = count_table(width, &["ACCOUNT", "REGION"], short);
    for (account, regions) in &counts.by_place {
        for (region, counts) in regions {
            table.add_row(count_cells(
                vec![printable(account), printable(region)],
                counts,
            ));
        }
    }
    table
}

/// The section of one rule's failing findings (nothing when it has none).
fn write_failing(
    out: &mut String,
    rule: &ReportedRule,
    mut failing: Vec<FailingRow>,
    with_account: bool,
    paint: Paint,
    width: Option<u16>,
) {
    if failing.is_empty() {
        return;
    }
    // Names get at most a quarter of the width (the rest goes to the status and the annotation).
    let name_limit = width.map_or(MAX_NAME_UNLIMITED, |w| usize::from(w / 4).max(12));
    // Stable: keeps report order (by resource) within each compliance type.
    failing.sort_by_key(|row| row.compliance_type);
    let non_compliant = failing
        .iter()
        .filter(|row| row.compliance_type == ComplianceType::NonCompliant)
        .count();
    let heading = format!(
        "{} ({}): {non_compliant} NON_COMPLIANT, {} INSUFFICIENT_DATA",
        printable(&rule.id),
        rule.severity.as_str(),
        failing.len() - non_compliant
    );
    let mut header = vec!["STATUS", "RESOURCE", "REGION"];
    if with_account {
        header.push("ACCOUNT");
    }
    header.push("ANNOTATION");
    let mut table = new_table(width);
    table.set_header(header);
    // With a width to fit, the name column keeps room for a shortened name (and padding).
    let longest = failing
        .iter()
        .map(|row| row.name.chars().count().max(8))
        .max()
        .unwrap_or(8);
    if width.is_some()
        && let (Some(column), Ok(limit)) =
            (table.column_mut(1), u16::try_from(name_limit.min(longest)))
    {
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(limit + 2)));
    }
    for row in failing {
        let mut cells = vec![
            row.compliance_type.as_str().to_owned(),
            truncate_middle(&row.name, name_limit),
            row.region,
        ];
        if with_account {
            cells.push(row.account);
        }
        cells.push(row.annotation);
        table.add_row(cells);
    }
    write_section(out, paint, &heading, &table);
}

fn write_summary(out: &mut String, counts: &TableCounts, rules: usize, paint: Paint) {
    let totals = counts.totals;
    let findings = counts.findings;
    let non_compliant = format!("{} NON_COMPLIANT", totals.non_compliant);
    let insufficient = format!("{} INSUFFICIENT_DATA", totals.insufficient_data);
    let compliant = format!("{} COMPLIANT", totals.compliant);
    let _ = writeln!(
        out,
        "{findings} {} from {rules} {}: {}, {}, {}, {} NOT_APPLICABLE",
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

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// `text` shortened to at most `max` characters by replacing its middle with `…`, so that the
/// start (`rds!cluster-`) and the end (the unique suffix) both stay visible.
pub fn truncate_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max || max < 3 {
        return text.to_owned();
    }
    let keep = max - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// `text` with control, bidirectional and invisible characters escaped (`\u{1b}`, `\u{202e}`),
/// safe to print to a terminal: the one escaping home is `crate::terminal::printable`.
pub fn printable(text: &str) -> String {
    crate::terminal::printable(text).into_owned()
}

/// `line` broken at spaces so that no line is wider than `width` (a word longer than the width
/// stays whole).
fn wrap(line: &str, width: Option<u16>) -> String {
    let Some(width) = width.map(usize::from) else {
        return line.to_owned();
    };
    let mut out = String::new();
    let mut current = 0;
    for word in line.split(' ') {
        let length = word.chars().count();
        if current > 0 && current + 1 + length > width {
            out.push('\n');
            current = 0;
        } else if current > 0 {
            out.push(' ');
            current += 1;
        }
        out.push_str(word);
        current += length;
    }
    out
}

#[derive(Debug, Clone, Copy, Default)]
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

    /// Colours the status words of the drawn tables (after layout, so widths are unaffected).
    fn statuses(self, text: String) -> String {
        if !self.style.colour {
            return text;
        }
        text.replace("│ NON_COMPLIANT ", &format!("│ {RED}NON_COMPLIANT{RESET} "))
            .replace(
                "│ INSUFFICIENT_DATA ",
                &format!("│ {YELLOW}INSUFFICIENT_DATA{RESET} "),
            )
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
    fn a_failing_row_survives_the_spill_bytes_and_only_failing_findings_have_one() {
        let report = sample_report();
        let rows: Vec<FailingRow> = report
            .findings
            .iter()
            .filter_map(|f| FailingRow::of(f, &report.rules, "[muted: me until 2027-01-01] "))
            .collect();
        assert_eq!(rows.len(), 2);
        for row in rows {
            assert!(row.name.contains("\\u{1b}") || !row.name.contains('\u{1b}'));
            assert!(row.annotation.starts_with("[muted: me until 2027-01-01] "));
            let mut bytes = Vec::new();
            row.to_bytes(&mut bytes);
            assert!(!bytes.contains(&ROW_SEPARATOR));
            assert_eq!(FailingRow::from_bytes(&bytes), Some(row));
        }
        assert_eq!(FailingRow::from_bytes(b"X\0a\0b\0c\0d"), None);
    }

    fn plain() -> TableStyle {
        TableStyle::default()
    }

    #[test]
    fn the_table_has_the_counts_and_the_failing_resources_under_their_rule() {
        let text = render(&sample_report(), plain());
        assert!(text.starts_with(
            "account 111111111111 · snapshot collected 2026-11-01T00:00:00Z · evaluated 2026-11-01T00:00:00Z · region us-east-1\n\
             4 findings from 3 rules: 1 NON_COMPLIANT, 1 INSUFFICIENT_DATA, 1 COMPLIANT, 1 NOT_APPLICABLE\n"
        ), "{text}");
        for section in [
            "\nBy severity\n",
            "\nBy rule\n",
            "\nBy account and region\n",
        ] {
            assert!(text.contains(section), "{section}: {text}");
        }
        // by severity: high has 1 / 1 / 1 / 0; by place: one row with every finding.
        assert!(
            text.contains(
                "\nhigh                  1                  1          1               0\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "\n111111111111  us-east-1              1                  1          1               1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nrotation (high): 1 NON_COMPLIANT, 1 INSUFFICIENT_DATA\n"),
            "{text}"
        );
        assert!(text.contains("│ NON_COMPLIANT     ┆ evil\\u{1b}[2Jname ┆ us-east-1 ┆ never rotated; age 120 days from creation > 90 │"), "{text}");
        assert!(!text.contains('\x1b'));
        // A rule with nothing failing has no list.
        assert!(!text.contains("tagged (low):"));
    }

    #[test]
    fn every_line_fits_the_width() {
        let mut long = finding(
            "secretsmanager-scheduled-rotation-success-check",
            Severity::Medium,
            ComplianceType::NonCompliant,
            "rds!cluster-b71d0c4e-2f9a-4e83-a6c5-19d8e7f60a2b",
        );
        long.annotation = "word ".repeat(60);
        let sample = report(vec![long]);
        for width in [80u16, 100, 200] {
            let text = render(
                &sample,
                TableStyle {
                    colour: false,
                    width: Some(width),
                },
            );
            for line in text.lines() {
                assert!(
                    line.chars().count() <= usize::from(width),
                    "{width}: {} > {width}: {line}",
                    line.chars().count()
                );
            }
            // The name keeps its start and its end.
            assert!(text.contains("rds!cluste"), "{text}");
            assert!(text.contains("e7f60a2b"), "{text}");
        }
    }

    #[test]
    fn long_names_are_shortened_in_the_middle() {
        let name = "rds!cluster-b71d0c4e-2f9a-4e83-a6c5-19d8e7f60a2b";
        assert_eq!(truncate_middle(name, 21), "rds!cluste…d8e7f60a2b");
        assert_eq!(truncate_middle(name, 21).chars().count(), 21);
        assert_eq!(truncate_middle("short", 21), "short");
    }

    #[test]
    fn bidi_and_control_characters_are_escaped() {
        assert_eq!(printable("gpj\u{202e}exe.txt"), "gpj\\u{202e}exe.txt");
        assert_eq!(printable("a\u{2067}b\u{200f}"), "a\\u{2067}b\\u{200f}");
        assert_eq!(printable("bell\x07"), "bell\\u{7}");
        assert_eq!(printable("prod/db é"), "prod/db é");
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
        let text = render(&rules_report, plain());
        assert!(text.contains("┆ [high] a: NON_COMPLIANT"), "{text}");
        assert!(text.contains("┆ b: NON_COMPLIANT"), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain_text = render(&sample_report(), plain());
        let coloured = render(
            &sample_report(),
            TableStyle {
                colour: true,
                width: None,
            },
        );
        assert!(!plain_text.contains('\x1b'));
        assert!(coloured.contains("\x1b[31mNON_COMPLIANT"));
        // Colour never changes the layout: without the escapes, the same text.
        let stripped = coloured
            .replace(RED, "")
            .replace(YELLOW, "")
            .replace(GREEN, "")
            .replace(BOLD, "")
            .replace(RESET, "");
        assert_eq!(stripped, plain_text);
    }

    #[test]
    fn an_empty_run_still_prints_the_summary() {
        let text = render(&report(Vec::new()), plain());
        assert!(text.contains(
            "\n0 findings from 1 rule: 0 NON_COMPLIANT, 0 INSUFFICIENT_DATA, 0 COMPLIANT, 0 NOT_APPLICABLE\n"
        ));
    }
}

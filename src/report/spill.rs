//! Findings kept on disk while a big audit runs, so that a report of millions of findings is
//! written without holding them in memory: each rule's findings, as soon as the rule has run, are
//! serialised the way the JSON report writes them and appended to an anonymous temporary file,
//! and the report is then written by copying them back in report order (severity, rule, resource
//! id, region: the order of `findings::sort_findings`).
//!
//! A batch (one rule's findings of one account, sorted) is split into runs of one severity. Runs
//! of the same (severity, rule) from several accounts are merged by resource id and region, the
//! earlier account first on a tie, which is exactly the order a stable sort of all findings
//! gives. The file is deleted by the operating system when the spill is dropped, whatever ends
//! the process. Memory: a few bytes per run, plus one read buffer per merged run.
//!
//! A report grouped by rule only (JUnit: one suite per rule) makes its spill with
//! [`Grouping::Rule`]: runs are then keyed by rule alone and merged by (severity, resource id,
//! region), the order of that rule's findings in the report. [`FindingSpill::write_into_array`]
//! puts the findings into the empty array of a pretty JSON frame (every JSON-based format).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::os::unix::fs::FileExt;

use crate::findings::{Finding, Severity};

/// How the findings are grouped when they are written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// By (severity, rule), then resource id and region: the report order.
    SeverityThenRule,
    /// By rule, then severity, resource id and region: one rule's findings together.
    Rule,
}

/// The key of a group of runs: (severity, rule) or, grouped by rule, (`None`, rule).
type GroupKey = (Option<Severity>, String);

/// Serialised findings on disk, grouped in sorted runs.
#[derive(Debug)]
pub struct FindingSpill {
    file: BufWriter<File>,
    /// Bytes written so far (the offset of the next record).
    written: u64,
    grouping: Grouping,
    /// Group → its runs (byte ranges of the file), in the order they were added.
    runs: BTreeMap<GroupKey, Vec<(u64, u64)>>,
    /// How the JSON report indents a finding (its nesting depth in the envelope).
    indent: &'static [u8],
    count: usize,
}

/// A record: the sort key (resource id, `0`, region), then the finding's bytes, each preceded by
/// its length as 8 little-endian bytes.
const LENGTH_BYTES: usize = 8;

impl FindingSpill {
    /// A spill in a new anonymous temporary file (in `TMPDIR`). `indent` is prefixed to every
    /// line of a finding but its first: the depth at which the report nests findings.
    pub fn new(indent: &'static [u8]) -> io::Result<FindingSpill> {
        FindingSpill::grouped(indent, Grouping::SeverityThenRule)
    }

    /// A spill whose findings are written back grouped by `grouping`.
    pub fn grouped(indent: &'static [u8], grouping: Grouping) -> io::Result<FindingSpill> {
        Ok(FindingSpill {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            written: 0,
            grouping,
            runs: BTreeMap::new(),
            indent,
            count: 0,
        })
    }

    /// How many findings were added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no finding was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends `findings` (one rule's findings of one account) with `render`, which writes one
    /// finding's part of the report (nothing: the finding is left out). The findings must be in
    /// report order (`sort_findings`).
    pub fn add(
        &mut self,
        findings: &[Finding],
        mut render: impl FnMut(&Finding, &mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut body = Vec::new();
        let mut indented = Vec::new();
        let mut start = self.written;
        for (index, finding) in findings.iter().enumerate() {
            body.clear();
            render(finding, &mut body)?;
            // A finding the report leaves out renders as nothing and is not kept.
            let kept = !body.is_empty();
            indented.clear();
            for (line, text) in body.split(|byte| *byte == b'\n').enumerate() {
                if line > 0 {
                    // INVARIANT: JSON text holds no raw newline inside strings, so every newline
                    // starts a new line of the pretty output.
                    indented.push(b'\n');
                    indented.extend_from_slice(self.indent);
                }
                indented.extend_from_slice(text);
            }
            if kept {
                let key = sort_key(finding, self.grouping);
                self.put(&key)?;
                self.put(&indented)?;
                self.count += 1;
            }
            let group = |finding: &Finding| match self.grouping {
                Grouping::SeverityThenRule => Some(finding.severity),
                Grouping::Rule => None,
            };
            let last_of_run = findings
                .get(index + 1)
                .is_none_or(|next| group(next) != group(finding) || next.rule != finding.rule);
            if last_of_run && self.written > start {
                self.runs
                    .entry((group(finding), finding.rule.clone()))
                    .or_default()
                    .push((start, self.written));
                start = self.written;
            }
        }
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        let length = bytes.len() as u64;
        self.file.write_all(&length.to_le_bytes())?;
        self.file.write_all(bytes)?;
        self.written += LENGTH_BYTES as u64 + length;
        Ok(())
    }

    /// Writes every finding in report order, each preceded by `separator(first)`.
    pub fn write_sorted(
        self,
        out: &mut dyn Write,
        mut separator: impl FnMut(bool) -> Vec<u8>,
    ) -> io::Result<()> {
        let written = self.finish()?;
        let mut first = true;
        for key in written.runs.keys() {
            written.write_group(key, out, &mut |at_start| {
                let bytes = separator(first && at_start);
                first = false;
                bytes
            })?;
        }
        Ok(())
    }

    /// Writes the findings into the one empty array of `frame`, a pretty-printed JSON document:
    /// `marker` is the text that ends with that array's `[]` (for example
    /// `b"\n  \"findings\": []"`, or `b"[]"` for a top-level array), and `item_indent` the
    /// indentation of the array's items (the spill's `indent`). The bytes are those
    /// `serde_json::to_writer_pretty` gives for the frame holding the findings.
    pub fn write_into_array(
        self,
        frame: &[u8],
        marker: &[u8],
        item_indent: &[u8],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let at = frame
            .windows(marker.len())
            .position(|window| window == marker)
            .ok_or_else(|| io::Error::other("the report frame has no place for its findings"))?;
        // `head` ends with the array's `[`, `tail` starts with its `]`.
        let (head, tail) = frame.split_at(at + marker.len() - 1);
        out.write_all(head)?;
        if !self.is_empty() {
            self.write_sorted(out, |first| {
                let mut separator = if first {
                    b"\n".to_vec()
                } else {
                    b",\n".to_vec()
                };
                separator.extend_from_slice(item_indent);
                separator
            })?;
            out.write_all(b"\n")?;
            out.write_all(&item_indent[..item_indent.len().saturating_sub(2)])?;
        }
        out.write_all(tail)?;
        Ok(())
    }

    /// Ends the writing: the findings can now be read back group by group.
    pub fn finish(self) -> io::Result<SpilledFindings> {
        let mut file = self.file.into_inner().map_err(|error| error.into_error())?;
        file.flush()?;
        file.rewind()?;
        Ok(SpilledFindings {
            file,
            runs: self.runs,
        })
    }
}

/// The findings of a finished spill, read back one group at a time.
#[derive(Debug)]
pub struct SpilledFindings {
    file: File,
    runs: BTreeMap<GroupKey, Vec<(u64, u64)>>,
}

impl SpilledFindings {
    /// Writes the findings of `rule` (a spill grouped by [`Grouping::Rule`]) in report order,
    /// each preceded by `separator(first)`; nothing when the rule had none.
    pub fn write_rule(
        &self,
        rule: &str,
        out: &mut dyn Write,
        separator: &mut dyn FnMut(bool) -> Vec<u8>,
    ) -> io::Result<()> {
        self.write_group(&(None, rule.to_string()), out, separator)
    }

    fn write_group(
        &self,
        key: &GroupKey,
        out: &mut dyn Write,
        separator: &mut dyn FnMut(bool) -> Vec<u8>,
    ) -> io::Result<()> {
        let Some(ranges) = self.runs.get(key) else {
            return Ok(());
        };
        let file = &self.file;
        let mut cursors = ranges
            .iter()
            .map(|&(start, end)| Cursor::new(file, start, end))
            .collect::<io::Result<Vec<_>>>()?;
        let mut first = true;
        // The next finding: the smallest key, the earliest run on a tie.
        while let Some(next) = cursors
            .iter()
            .enumerate()
            .filter_map(|(index, cursor)| cursor.key().map(|key| (key, index)))
            .min()
            .map(|(_, index)| index)
        {
            let cursor = &mut cursors[next];
            out.write_all(&separator(first))?;
            first = false;
            out.write_all(cursor.body())?;
            cursor.advance(file)?;
        }
        Ok(())
    }
}

fn sort_key(finding: &Finding, grouping: Grouping) -> Vec<u8> {
    let mut key = Vec::with_capacity(finding.resource.id.len() + finding.resource.region.len() + 2);
    if grouping == Grouping::Rule {
        // Most severe first, as `Severity` sorts.
        key.push(finding.severity as u8);
    }
    key.extend_from_slice(finding.resource.id.as_bytes());
    key.push(0);
    key.extend_from_slice(finding.resource.region.as_bytes());
    key
}

/// Reads one run record by record, through its own buffer (positional reads: cursors over the
/// same file do not disturb each other).
struct Cursor {
    /// Unread bytes of the run: `buffer[used..]` starts at file offset `at`.
    buffer: Vec<u8>,
    used: usize,
    at: u64,
    end: u64,
    /// The current record, `None` at the end of the run.
    key: Option<Vec<u8>>,
    body: Vec<u8>,
}

const CURSOR_BUFFER: u64 = 1 << 16;

impl Cursor {
    fn new(file: &File, start: u64, end: u64) -> io::Result<Cursor> {
        let mut cursor = Cursor {
            buffer: Vec::new(),
            used: 0,
            at: start,
            end,
            key: None,
            body: Vec::new(),
        };
        cursor.advance(file)?;
        Ok(cursor)
    }

    fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }

    fn body(&self) -> &[u8] {
        &self.body
    }

    /// Moves to the next record (none at the end of the run).
    fn advance(&mut self, file: &File) -> io::Result<()> {
        if self.used == self.buffer.len() && self.at >= self.end {
            self.key = None;
            return Ok(());
        }
        let mut key = self.key.take().unwrap_or_default();
        self.field(file, &mut key)?;
        let mut body = std::mem::take(&mut self.body);
        self.field(file, &mut body)?;
        self.key = Some(key);
        self.body = body;
        Ok(())
    }

    /// Reads the next length-prefixed field into `into`.
    fn field(&mut self, file: &File, into: &mut Vec<u8>) -> io::Result<()> {
        let mut length = [0u8; LENGTH_BYTES];
        self.read(file, &mut length)?;
        let length = usize::try_from(u64::from_le_bytes(length))
            .map_err(|_| io::Error::other("spill record too long"))?;
        into.resize(length, 0);
        self.read(file, into)
    }

    fn read(&mut self, file: &File, into: &mut [u8]) -> io::Result<()> {
        let mut filled = 0;
        while filled < into.len() {
            if self.used == self.buffer.len() {
                let chunk = (self.end - self.at).min(CURSOR_BUFFER);
                if chunk == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "spill run ends inside a record",
                    ));
                }
                // INVARIANT: chunk <= CURSOR_BUFFER, which fits in usize.
                self.buffer.resize(usize::try_from(chunk).unwrap_or(0), 0);
                file.read_exact_at(&mut self.buffer, self.at)?;
                self.at += chunk;
                self.used = 0;
            }
            let take = (into.len() - filled).min(self.buffer.len() - self.used);
            into[filled..filled + take].copy_from_slice(&self.buffer[self.used..self.used + take]);
            self.used += take;
            filled += take;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::ComplianceType;
    use crate::report::sample::finding;

    fn render(finding: &Finding, out: &mut Vec<u8>) -> io::Result<()> {
        serde_json::to_writer_pretty(out, finding).map_err(io::Error::other)
    }

    fn written(spill: FindingSpill) -> String {
        let mut out = Vec::new();
        spill
            .write_sorted(&mut out, |first| {
                if first {
                    b"\n".to_vec()
                } else {
                    b",\n".to_vec()
                }
            })
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn findings_come_back_in_report_order_across_batches_and_severities() {
        let mut first = vec![
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "m"),
            finding("b-rule", Severity::High, ComplianceType::NonCompliant, "z"),
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "a"),
        ];
        let mut second = vec![
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "c"),
            finding("a-rule", Severity::Low, ComplianceType::Compliant, "b"),
        ];
        second[0].resource.id = "x".repeat(CURSOR_BUFFER as usize * 2 + 3);
        crate::findings::sort_findings(&mut first);
        let mut spill = FindingSpill::new(b"  ").unwrap();
        spill.add(&first, render).unwrap();
        let (a, b) = second.split_at(1);
        spill.add(a, render).unwrap();
        spill.add(b, render).unwrap();
        assert_eq!(spill.len(), 5);
        let mut all: Vec<Finding> = first.iter().chain(&second).cloned().collect();
        crate::findings::sort_findings(&mut all);
        let expected: Vec<String> = all
            .iter()
            .map(|finding| {
                let mut body = Vec::new();
                render(finding, &mut body).unwrap();
                String::from_utf8(body).unwrap().replace('\n', "\n  ")
            })
            .collect();
        assert_eq!(written(spill), format!("\n{}", expected.join(",\n")));
    }

    #[test]
    fn grouped_by_rule_a_rules_findings_come_together_and_empty_renders_are_left_out() {
        let mut first = vec![
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "m"),
            finding("b-rule", Severity::High, ComplianceType::NonCompliant, "z"),
            finding("a-rule", Severity::Low, ComplianceType::NotApplicable, "a"),
        ];
        let mut second = vec![
            finding("b-rule", Severity::High, ComplianceType::NonCompliant, "c"),
            finding("b-rule", Severity::Low, ComplianceType::NotApplicable, "b"),
        ];
        crate::findings::sort_findings(&mut first);
        crate::findings::sort_findings(&mut second);
        let mut spill = FindingSpill::grouped(b"", Grouping::Rule).unwrap();
        // Only the resource names, and nothing for NOT_APPLICABLE.
        let names = |finding: &Finding, out: &mut Vec<u8>| {
            if finding.compliance_type != ComplianceType::NotApplicable {
                out.extend_from_slice(finding.resource.name.as_bytes());
            }
            Ok(())
        };
        for batch in [&first, &second] {
            for rule in ["a-rule", "b-rule"] {
                let of_rule: Vec<Finding> =
                    batch.iter().filter(|f| f.rule == rule).cloned().collect();
                spill.add(&of_rule, names).unwrap();
            }
        }
        assert_eq!(spill.len(), 3);
        let spilled = spill.finish().unwrap();
        let rule = |id: &str| {
            let mut out = Vec::new();
            spilled
                .write_rule(id, &mut out, &mut |first| {
                    if first { b"[".to_vec() } else { b",".to_vec() }
                })
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        // Severity first (high before low), then resource id, across both batches.
        assert_eq!(rule("b-rule"), "[c,z,m");
        assert_eq!(rule("a-rule"), "");
        assert_eq!(rule("no-rule"), "");
    }

    #[test]
    fn an_empty_spill_writes_nothing() {
        let spill = FindingSpill::new(b"").unwrap();
        assert!(spill.is_empty());
        assert_eq!(written(spill), "");
    }
}

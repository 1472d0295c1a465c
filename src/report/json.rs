//! The JSON report: the versioned envelope of `docs/reports.md` (`schema_version`, `generator`, `run`,
//! `summary.by_rule`, `findings`), pretty-printed with a trailing newline. With mutes, findings
//! gain `muted`, the run `expired_mutes`/`unused_mutes` and the summary `muted_by_rule`; with a
//! baseline, findings gain `change` and the envelope a top-level `resolved` list.
//!
//! Deterministic by construction: findings come sorted from `Report`, maps are `BTreeMap`s or
//! serde_json objects (sorted keys), and nothing here reads the clock.
//!
//! A big run is written by [`write_spilled`] instead: the same envelope, byte for byte, with the
//! findings copied from a [`FindingSpill`] (serialised by [`render_finding`] as each rule ran)
//! instead of held in a `Report`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::baseline::{Change, Resolved};
use super::mutes::MuteNote;
use super::spill::FindingSpill;
use super::{MuteLists, Report, ReportError, RuleCounts, RunInfo};
use crate::findings::Finding;

/// The version of the envelope's shape; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Envelope<'a> {
    schema_version: u32,
    generator: Generator,
    run: Run<'a>,
    summary: Summary,
    findings: &'a [AnnotatedFinding<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<&'a [Resolved]>,
}

#[derive(Serialize)]
struct Run<'a> {
    #[serde(flatten)]
    run: &'a RunInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_mutes: Option<&'a [serde_json::Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unused_mutes: Option<&'a [serde_json::Value]>,
}

#[derive(Serialize)]
struct AnnotatedFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    muted: Option<&'a MuteNote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<Change>,
}

#[derive(Serialize)]
struct Generator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    by_rule: BTreeMap<String, RuleCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    muted_by_rule: Option<BTreeMap<String, usize>>,
}

/// Renders the report as the JSON envelope.
pub fn render(report: &Report) -> Result<String, ReportError> {
    let mut bytes = Vec::new();
    write(report, &mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

const GENERATOR: Generator = Generator {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

/// Streams the JSON envelope to `out`.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    let findings: Vec<AnnotatedFinding<'_>> = report
        .findings
        .iter()
        .enumerate()
        .map(|(index, finding)| AnnotatedFinding {
            finding,
            muted: report.muted(index),
            change: report.change(index),
        })
        .collect();
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        generator: GENERATOR,
        run: Run {
            run: &report.run,
            expired_mutes: report
                .lifecycle
                .mutes
                .as_ref()
                .map(|m| m.expired.as_slice()),
            unused_mutes: report.lifecycle.mutes.as_ref().map(|m| m.unused.as_slice()),
        },
        summary: Summary {
            by_rule: report.counts_by_rule(),
            muted_by_rule: report
                .lifecycle
                .mutes
                .is_some()
                .then(|| report.muted_by_rule()),
        },
        findings: &findings,
        resolved: report.lifecycle.resolved.as_deref(),
    };
    super::write_json(out, &envelope)
}

/// How deep the envelope nests a finding: the indentation `render_finding`'s lines get.
pub const FINDING_INDENT: &[u8] = b"    ";

/// One finding with its mute (when a mutes file was applied) as `write` prints it, before
/// indentation.
pub fn render_finding(
    finding: &Finding,
    muted: Option<&MuteNote>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let annotated = AnnotatedFinding {
        finding,
        muted,
        change: None,
    };
    serde_json::to_writer_pretty(out, &annotated).map_err(std::io::Error::other)
}

/// What mutes added to a spilled run: the mutes that lapsed or matched nothing, and the muted
/// findings per rule (every rule that ran included).
#[derive(Debug, Clone, Copy)]
pub struct SpilledMutes<'a> {
    pub lists: &'a MuteLists,
    pub muted_by_rule: &'a BTreeMap<String, usize>,
}

/// Writes the envelope of a run without a baseline whose findings are in `spill` (rendered by
/// `render_finding`, indented by `FINDING_INDENT`): the same bytes `write` gives for a `Report`
/// holding those findings, with `by_rule` their counts.
pub fn write_spilled(
    run: &RunInfo,
    by_rule: BTreeMap<String, RuleCounts>,
    mutes: Option<SpilledMutes<'_>>,
    spill: FindingSpill,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        generator: GENERATOR,
        run: Run {
            run,
            expired_mutes: mutes.map(|m| m.lists.expired.as_slice()),
            unused_mutes: mutes.map(|m| m.lists.unused.as_slice()),
        },
        summary: Summary {
            by_rule,
            muted_by_rule: mutes.map(|m| m.muted_by_rule.clone()),
        },
        findings: &[],
        resolved: None,
    };
    let mut frame = Vec::new();
    super::write_json(&mut frame, &envelope)?;
    // The findings array is the only key at this depth named `findings`: the text before it
    // comes from the run and summary, whose keys are deeper.
    spill.write_into_array(&frame, b"\n  \"findings\": []", FINDING_INDENT, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ComplianceType, Severity};
    use crate::report::AccountRun;
    use crate::report::sample::{finding, report};

    #[test]
    fn envelope_has_the_documented_shape_and_sorted_findings() {
        let report = report(vec![
            finding("b-rule", Severity::Low, ComplianceType::Compliant, "z"),
            finding("a-rule", Severity::High, ComplianceType::NonCompliant, "y"),
            finding(
                "a-rule",
                Severity::High,
                ComplianceType::InsufficientData,
                "x",
            ),
        ]);
        let text = render(&report).unwrap();
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["generator"]["name"], "secaudit");
        assert_eq!(value["run"]["evaluated_at"], "2026-11-01T00:00:00Z");
        assert_eq!(value["run"]["snapshot"]["account_id"], "111111111111");
        assert_eq!(value["summary"]["by_rule"]["a-rule"]["NON_COMPLIANT"], 1);
        assert_eq!(
            value["summary"]["by_rule"]["a-rule"]["INSUFFICIENT_DATA"],
            1
        );
        assert_eq!(value["summary"]["by_rule"]["a-rule"]["COMPLIANT"], 0);
        assert_eq!(value["summary"]["by_rule"]["b-rule"]["COMPLIANT"], 1);
        assert_eq!(
            value["summary"]["by_rule"]["quiet-rule"]["NOT_APPLICABLE"],
            0
        );
        let names: Vec<&str> = value["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["resource"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["x", "y", "z"]);
        let first = &value["findings"][0];
        for key in [
            "rule",
            "severity",
            "compliance_type",
            "annotation",
            "detail",
            "resource",
            "evidence",
            "ordering_timestamp",
            "mappings",
        ] {
            assert!(first.get(key).is_some(), "finding lacks `{key}`");
        }
        assert_eq!(first["severity"], "high");
        assert_eq!(first["compliance_type"], "INSUFFICIENT_DATA");
    }

    #[test]
    fn a_multi_account_run_lists_its_accounts_instead_of_one_snapshot() {
        let single = report(Vec::new());
        let mut multi = single.clone();
        let time = single.run.evaluated_at;
        let account = |id: &str| AccountRun {
            account_id: id.to_string(),
            collected_at: time,
            regions: vec!["us-east-1".to_string()],
            evaluated_at: time,
            coverage: vec![serde_json::json!({"region": "us-east-1", "api": "*", "status": "ok"})],
        };
        multi.run = RunInfo::multi(
            Default::default(),
            vec![account("111111111111"), account("222222222222")],
        );
        let value: serde_json::Value = serde_json::from_str(&render(&multi).unwrap()).unwrap();
        assert!(value["run"]["snapshot"].is_null());
        assert_eq!(value["run"]["coverage"], serde_json::json!([]));
        assert_eq!(value["run"]["accounts"][1]["account_id"], "222222222222");
        assert_eq!(value["run"]["accounts"][0]["coverage"][0]["api"], "*");
        assert_eq!(value["run"]["evaluated_at"], "2026-11-01T00:00:00Z");

        let single: serde_json::Value =
            serde_json::from_str(&render(&report(Vec::new())).unwrap()).unwrap();
        assert!(
            single["run"].get("accounts").is_none(),
            "absent when single"
        );
    }

    #[test]
    fn a_spilled_report_has_the_bytes_of_the_report_in_memory() {
        for findings in [
            Vec::new(),
            vec![finding(
                "a-rule",
                Severity::High,
                ComplianceType::NonCompliant,
                "y",
            )],
            vec![
                finding("b-rule", Severity::Low, ComplianceType::Compliant, "z"),
                finding("a-rule", Severity::High, ComplianceType::NonCompliant, "y"),
                finding(
                    "a-rule",
                    Severity::Low,
                    ComplianceType::InsufficientData,
                    "x",
                ),
            ],
        ] {
            let report = report(findings.clone());
            let mut spill = FindingSpill::new(FINDING_INDENT).unwrap();
            for rule in ["a-rule", "b-rule"] {
                let mut batch: Vec<Finding> = findings
                    .iter()
                    .filter(|f| f.rule == rule)
                    .cloned()
                    .collect();
                crate::findings::sort_findings(&mut batch);
                spill
                    .add(&batch, |finding, out| render_finding(finding, None, out))
                    .unwrap();
            }
            let mut bytes = Vec::new();
            write_spilled(
                &report.run,
                report.counts_by_rule(),
                None,
                spill,
                &mut bytes,
            )
            .unwrap();
            assert_eq!(String::from_utf8(bytes).unwrap(), render(&report).unwrap());
        }
    }

    #[test]
    fn same_findings_in_any_order_give_the_same_bytes() {
        let a = finding("r", Severity::Medium, ComplianceType::Compliant, "a");
        let b = finding("r", Severity::Medium, ComplianceType::NonCompliant, "b");
        let one = render(&report(vec![a.clone(), b.clone()])).unwrap();
        let two = render(&report(vec![b, a])).unwrap();
        assert_eq!(one, two);
    }
}

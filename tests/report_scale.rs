//! The report writers at account scale: 40,000 secrets × 13 rules = 520,000 findings, rendered in
//! every format. Ignored by default (slow in debug builds); run with
//! `cargo test --release --no-default-features --test report_scale -- --ignored --nocapture`.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::time::Instant;

use chrono::{TimeZone, Utc};
use secaudit::findings::{ComplianceType, Finding, Mappings, ResourceRef, Severity};
use secaudit::report::{self, Report, ReportedRule, RunInfo, SnapshotInfo, table::TableStyle};

const SECRETS: usize = 40_000;
const RULES: usize = 13;

fn findings() -> Vec<Finding> {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let kinds = [
        ComplianceType::Compliant,
        ComplianceType::NonCompliant,
        ComplianceType::NotApplicable,
        ComplianceType::InsufficientData,
    ];
    let mut out = Vec::with_capacity(SECRETS * RULES);
    for rule in 0..RULES {
        for secret in 0..SECRETS {
            let name = format!("team-{}/app-{}/secret-{secret}", secret % 7, secret % 101);
            let mut evidence = serde_json::Map::new();
            evidence.insert("days".to_string(), serde_json::json!(secret % 400));
            out.push(Finding {
                rule: format!("rule-{rule:02}"),
                severity: [Severity::High, Severity::Medium, Severity::Low][rule % 3],
                compliance_type: kinds[(secret * 7 + rule) % 4],
                annotation: format!("last rotated {} days ago > 90", secret % 400),
                detail: format!("secret `{name}` was last rotated {} days ago", secret % 400),
                resource: ResourceRef {
                    resource_type: "AWS::SecretsManager::Secret".to_string(),
                    id: format!(
                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}-AbCdEf"
                    ),
                    name,
                    account_id: "111122223333".to_string(),
                    region: "us-east-1".to_string(),
                },
                evidence,
                ordering_timestamp: now,
                mappings: Mappings::default(),
            });
        }
    }
    out
}

#[test]
#[ignore = "slow in debug builds: run with --release -- --ignored"]
fn every_writer_handles_520_000_findings() {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let findings = findings();
    let count = findings.len();
    let started = Instant::now();
    let run = RunInfo::single(
        now,
        SnapshotInfo {
            account_id: "111122223333".to_string(),
            collected_at: now,
        },
        Default::default(),
        Vec::new(),
    );
    let rules: Vec<ReportedRule> = Vec::new();
    let report = Report::new(run, rules, findings);
    eprintln!(
        "sort + summary: {:?} for {count} findings",
        started.elapsed()
    );

    let timed = |name: &str, render: &dyn Fn() -> usize| {
        let started = Instant::now();
        let bytes = render();
        eprintln!("{name}: {:?}, {} MB", started.elapsed(), bytes / 1_000_000);
        assert!(bytes > 0);
    };
    timed("json", &|| report::json::render(&report).unwrap().len());
    timed("csv", &|| {
        report::csv::render(&report.findings).unwrap().len()
    });
    timed("table", &|| {
        report::table::render(&report, TableStyle::default()).len()
    });
    timed("config-evaluations", &|| {
        report::config_evaluations::render(&report.findings)
            .unwrap()
            .len()
    });
    for (name, format) in [
        ("junit", report::Format::Junit),
        ("sarif", report::Format::Sarif),
        ("ocsf", report::Format::Ocsf),
        ("asff", report::Format::Asff),
        ("html", report::Format::Html),
    ] {
        timed(name, &|| {
            let mut sink = CountingSink(0);
            report::write(&report, format, &mut sink).unwrap();
            sink.0
        });
    }
}

/// Counts the bytes written to it and keeps none.
struct CountingSink(usize);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

//! Runs the selected rules over a snapshot and turns their verdicts into findings: the rule's
//! id, severity and mappings, the annotation clipped to Config's limit, "now" as the ordering
//! timestamp, findings in report order, and the effective parameters of every rule run.
//!
//! This is the only place that calls rule functions; it reads no clock (`now` is an argument)
//! and prints nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::catalogue::Catalogue;
use super::checks::REGISTRY;
use super::config::RuleConfig;
use super::context::RuleContext;
use super::error::RuleError;
use crate::findings::{Finding, clip_annotation, sort_findings};
use crate::snapshot::Snapshot;

/// The result of an audit run.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOutcome {
    /// One finding per (rule, resource), sorted with `findings::sort_findings`.
    pub findings: Vec<Finding>,
    /// Rule id → its effective parameters (an object), for every rule run.
    pub parameters: BTreeMap<String, Value>,
}

/// Runs `only` (rule ids; empty: every rule of the catalogue not disabled by `config`) over
/// `snapshot`, judging at `now`.
pub fn run_audit(
    catalogue: &Catalogue,
    snapshot: &Snapshot,
    config: &RuleConfig,
    only: &[String],
    now: DateTime<Utc>,
) -> Result<AuditOutcome, RuleError> {
    for id in only {
        if catalogue.get(id).is_none() {
            return Err(RuleError::UnknownRule(id.clone()));
        }
    }
    let selected: BTreeSet<&str> = only.iter().map(String::as_str).collect();
    let mut findings = Vec::new();
    let mut parameters = BTreeMap::new();
    for meta in catalogue.rules() {
        let chosen = if selected.is_empty() {
            !config.is_disabled(&meta.id)
        } else {
            selected.contains(meta.id.as_str())
        };
        if !chosen {
            continue;
        }
        let Some(entry) = REGISTRY.iter().find(|entry| entry.id == meta.id) else {
            return Err(RuleError::NoFunction {
                file: format!("{}.json", meta.id),
                id: meta.id.clone(),
            });
        };
        let params = config.parameters(meta)?;
        let context = RuleContext {
            snapshot,
            params: &params,
            now,
            meta,
        };
        let mut seen = BTreeSet::new();
        for verdict in (entry.check)(&context)? {
            // INVARIANT: one finding per (rule, resource); a rule that judged a resource twice
            // keeps its first verdict.
            if !seen.insert((verdict.resource.id.clone(), verdict.resource.region.clone())) {
                continue;
            }
            let detail = verdict.detail.unwrap_or_else(|| verdict.annotation.clone());
            findings.push(Finding {
                rule: meta.id.clone(),
                severity: verdict.severity.unwrap_or(meta.severity),
                compliance_type: verdict.compliance,
                annotation: clip_annotation(&verdict.annotation),
                detail,
                resource: verdict.resource,
                evidence: verdict.evidence,
                ordering_timestamp: now,
                mappings: meta.mappings.clone(),
            });
        }
        parameters.insert(meta.id.clone(), params.to_json());
    }
    sort_findings(&mut findings);
    Ok(AuditOutcome {
        findings,
        parameters,
    })
}

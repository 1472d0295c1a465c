//! Runs the selected rules over a snapshot and turns their verdicts into findings: the rule's
//! id, severity and mappings, the annotation clipped to Config's limit, "now" as the ordering
//! timestamp, findings in report order, and the effective parameters of every rule run.
//!
//! Bad records the snapshot loader skipped (`Snapshot::problems`) are applied here, once for
//! every rule, from the data each rule reads (`RuleEntry::reads`): a verdict a problem touches
//! becomes INSUFFICIENT_DATA naming the file, JSON path and reason, and a problem that touches
//! no verdict gets one INSUFFICIENT_DATA finding of its own, so none is silently dropped.
//!
//! `run_rules` hands over each rule's findings as soon as it has run (a streamed report);
//! `run_audit` gathers them all. This is the only place that calls rule functions; it reads no clock (`now` is an argument)
//! and prints nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::catalogue::Catalogue;
use super::checks::REGISTRY;
use super::config::RuleConfig;
use super::context::{ACCOUNT_RESOURCE_TYPE, RuleContext, SharedAccess, Verdict};
use super::error::RuleError;
use super::meta::RuleMeta;
use crate::findings::{ComplianceType, Finding, ResourceRef, clip_annotation, sort_findings};
use crate::snapshot::{Api, LoadProblem, Snapshot};

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
    let mut findings = Vec::new();
    let parameters = run_rules(
        catalogue,
        snapshot,
        config,
        only,
        now,
        |rule_findings| -> Result<(), RuleError> {
            findings.extend(rule_findings);
            Ok(())
        },
    )?;
    sort_findings(&mut findings);
    Ok(AuditOutcome {
        findings,
        parameters,
    })
}

/// The rules `run_rules` runs, in catalogue order: those of `only`, or when it is empty every
/// rule `config` does not disable.
pub fn chosen_rules<'a>(
    catalogue: &'a Catalogue,
    config: &'a RuleConfig,
    only: &'a [String],
) -> impl Iterator<Item = &'a RuleMeta> + 'a {
    let selected: BTreeSet<&str> = only.iter().map(String::as_str).collect();
    catalogue.rules().iter().filter(move |meta| {
        if selected.is_empty() {
            !config.is_disabled(&meta.id)
        } else {
            selected.contains(meta.id.as_str())
        }
    })
}

/// `run_audit` one rule at a time: hands each rule's findings (sorted with
/// `findings::sort_findings`) to `each` as soon as the rule has run, so that a caller streaming
/// a report never holds every finding of a big account. Returns the effective parameters of
/// every rule run.
pub fn run_rules<E: From<RuleError>>(
    catalogue: &Catalogue,
    snapshot: &Snapshot,
    config: &RuleConfig,
    only: &[String],
    now: DateTime<Utc>,
    mut each: impl FnMut(Vec<Finding>) -> Result<(), E>,
) -> Result<BTreeMap<String, Value>, E> {
    for id in only {
        if catalogue.get(id).is_none() {
            return Err(RuleError::UnknownRule(id.clone()).into());
        }
    }
    let mut parameters = BTreeMap::new();
    let access = SharedAccess::default();
    for meta in chosen_rules(catalogue, config, only) {
        let Some(entry) = REGISTRY.iter().find(|entry| entry.id == meta.id) else {
            return Err(RuleError::NoFunction {
                file: format!("{}.json", meta.id),
                id: meta.id.clone(),
            }
            .into());
        };
        let params = config.parameters(meta)?;
        let context = RuleContext {
            snapshot,
            params: &params,
            now,
            meta,
            access: &access,
        };
        let mut seen = BTreeSet::new();
        let verdicts = apply_problems(snapshot, entry.reads, (entry.check)(&context)?);
        let mut findings = Vec::with_capacity(verdicts.len());
        for verdict in verdicts {
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
        drop(seen);
        sort_findings(&mut findings);
        each(findings)?;
        parameters.insert(meta.id.clone(), params.to_json());
    }
    Ok(parameters)
}

/// Turns the verdicts that bad records touch into INSUFFICIENT_DATA, and reports each problem
/// that touched none once per region. A problem that names the resource itself overrides any
/// verdict; one that only may change it (an unreadable IAM policy for a secret's readers)
/// overrides COMPLIANT and NON_COMPLIANT. Whole unreadable files are left to the rules, which
/// see the data as not collected (and are reported for the region when no verdict names them).
fn apply_problems(snapshot: &Snapshot, reads: &[Api], mut verdicts: Vec<Verdict>) -> Vec<Verdict> {
    let relevant: Vec<&LoadProblem> = snapshot
        .problems
        .iter()
        .filter(|problem| reads.contains(&problem.api))
        .collect();
    if relevant.is_empty() {
        return verdicts;
    }
    let mut used = vec![false; relevant.len()];
    for verdict in &mut verdicts {
        let resource = &verdict.resource;
        let mut hits = Vec::new();
        for (index, problem) in relevant.iter().enumerate() {
            if problem.is_whole_file() {
                // The rule saw the data as not collected; it says so if it needed it.
                let said = [Some(verdict.annotation.as_str()), verdict.detail.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|text| text.contains(problem.file.as_str()));
                if said && let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
                continue;
            }
            let named = problem.names(&resource.resource_type, &resource.id);
            let applies = named
                || (matches!(
                    verdict.compliance,
                    ComplianceType::Compliant | ComplianceType::NonCompliant
                ) && problem.touches(&resource.resource_type, &resource.id, &resource.region));
            if applies {
                hits.push(*problem);
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
            }
        }
        if !hits.is_empty() {
            *verdict = insufficient(verdict, &hits);
        }
    }
    // Problems that touched no verdict: one finding per region, so that none is dropped.
    let mut by_region: BTreeMap<&str, Vec<&LoadProblem>> = BTreeMap::new();
    for (problem, used) in relevant.iter().zip(used) {
        if !used {
            by_region
                .entry(problem.region.as_str())
                .or_default()
                .push(problem);
        }
    }
    for (region, problems) in by_region {
        let resource = ResourceRef {
            resource_type: ACCOUNT_RESOURCE_TYPE.to_string(),
            id: snapshot.meta.account_id.clone(),
            name: format!("records in {region}"),
            account_id: snapshot.meta.account_id.clone(),
            region: region.to_string(),
        };
        let existing = verdicts.iter_mut().find(|verdict| {
            verdict.resource.id == resource.id && verdict.resource.region == region
        });
        match existing {
            Some(verdict) => *verdict = insufficient(verdict, &problems),
            None => {
                let blank = Verdict::new(resource, ComplianceType::InsufficientData, "");
                verdicts.push(insufficient(&blank, &problems));
            }
        }
    }
    verdicts
}

/// An INSUFFICIENT_DATA verdict naming the bad records; what the rule said before stays in the
/// detail.
fn insufficient(verdict: &Verdict, problems: &[&LoadProblem]) -> Verdict {
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let annotation = match listed.as_slice() {
        [one] => format!("cannot judge, bad snapshot data: {one}"),
        many => format!(
            "cannot judge, {} bad snapshot records: {}",
            many.len(),
            many.join("; ")
        ),
    };
    let before = verdict.detail.as_deref().unwrap_or(&verdict.annotation);
    let detail = if before.is_empty() {
        annotation.clone()
    } else {
        format!(
            "{annotation} (with the records that could be read: {} {before})",
            verdict.compliance.as_str()
        )
    };
    let mut out = Verdict::new(
        verdict.resource.clone(),
        ComplianceType::InsufficientData,
        annotation,
    )
    .detail(detail);
    out.evidence = verdict.evidence.clone();
    out.evidence.insert(
        "load_problems".to_string(),
        serde_json::to_value(problems).unwrap_or(Value::Null),
    );
    out.severity = verdict.severity;
    out
}

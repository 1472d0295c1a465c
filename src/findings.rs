//! The findings model shared by the rules (which produce findings) and the report writers
//! (which serialise them): one finding per (rule, resource), in the vocabulary of AWS Config
//! (`COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`).
//!
//! This module holds plain data and its ordering only; it does no I/O and knows no rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The AWS Config compliance types, serialised exactly as Config spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceType {
    NonCompliant,
    InsufficientData,
    Compliant,
    NotApplicable,
}

impl ComplianceType {
    /// The Config spelling (`NON_COMPLIANT`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceType::NonCompliant => "NON_COMPLIANT",
            ComplianceType::InsufficientData => "INSUFFICIENT_DATA",
            ComplianceType::Compliant => "COMPLIANT",
            ComplianceType::NotApplicable => "NOT_APPLICABLE",
        }
    }

    /// Every compliance type, in report order.
    pub const ALL: [ComplianceType; 4] = [
        ComplianceType::Compliant,
        ComplianceType::NonCompliant,
        ComplianceType::NotApplicable,
        ComplianceType::InsufficientData,
    ];
}

/// Rule severity, most severe first (so sorting ascending puts critical findings on top).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Informational,
}

impl Severity {
    /// The lowercase name used in rule files, reports and `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Informational => "informational",
        }
    }

    /// Parses a severity name, case-insensitively.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            "informational" | "info" => Some(Severity::Informational),
            _ => None,
        }
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The Config resource type, e.g. `AWS::SecretsManager::Secret`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The resource id Config uses: the ARN for secrets and IAM entities.
    pub id: String,
    pub name: String,
    pub account_id: String,
    pub region: String,
}

/// The Config rule and Security Hub control a rule mirrors, when it mirrors one, and the
/// framework requirements AWS relates that control to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mappings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<String>,
    /// The "Related requirements" of the Security Hub control, exactly as AWS writes them
    /// (`NIST.800-53.r5 AC-2(1)`, `PCI DSS v4.0.1/8.6.3`); empty when AWS publishes none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_requirements: Vec<String>,
}

impl Mappings {
    /// The frameworks of the related requirements (`NIST.800-53.r5`, `PCI DSS v4.0.1`), in
    /// order of first appearance.
    pub fn standards(&self) -> Vec<&str> {
        let mut standards: Vec<&str> = Vec::new();
        for requirement in &self.related_requirements {
            let standard = requirement_standard(requirement);
            if !standards.contains(&standard) {
                standards.push(standard);
            }
        }
        standards
    }
}

/// The framework part of a related requirement: before the `/` (`PCI DSS v4.0.1/8.6.3`), else
/// before the last space (`NIST.800-53.r5 AC-2(1)`).
pub fn requirement_standard(requirement: &str) -> &str {
    if let Some((standard, _)) = requirement.split_once('/') {
        return standard;
    }
    requirement
        .rsplit_once(' ')
        .map_or(requirement, |(standard, _)| standard)
}

/// One finding: the verdict of one rule on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub compliance_type: ComplianceType,
    /// At most 256 characters (Config's limit); names the branch the rule took.
    pub annotation: String,
    /// The full reason, without the length limit.
    pub detail: String,
    pub resource: ResourceRef,
    /// Measured values and related resources, as a JSON object with sorted keys.
    pub evidence: serde_json::Map<String, serde_json::Value>,
    pub ordering_timestamp: DateTime<Utc>,
    pub mappings: Mappings,
}

/// Config's limit on an annotation's length, in characters.
pub const MAX_ANNOTATION_CHARS: usize = 256;

/// Cuts `text` to Config's annotation limit on a character boundary, ending with `…` when cut.
pub fn clip_annotation(text: &str) -> String {
    if text.chars().count() <= MAX_ANNOTATION_CHARS {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(MAX_ANNOTATION_CHARS - 1).collect();
    clipped.push('…');
    clipped
}

/// Sorts findings into report order: severity (most severe first), rule id, resource id.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.severity, &a.rule, &a.resource.id, &a.resource.region).cmp(&(
            b.severity,
            &b.rule,
            &b.resource.id,
            &b.resource.region,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_to_the_limit() {
        assert_eq!(clip_annotation("short"), "short");
        let long = "é".repeat(300);
        let clipped = clip_annotation(&long);
        assert_eq!(clipped.chars().count(), MAX_ANNOTATION_CHARS);
        assert!(clipped.ends_with('…'));
    }

    #[test]
    fn severity_orders_most_severe_first_and_parses_names() {
        assert!(Severity::Critical < Severity::Low);
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("bogus"), None);
    }
}

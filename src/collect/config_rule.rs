//! AWS Config custom-rule mode: the rule invocation event (`ScheduledNotification`,
//! `ConfigurationItemChangeNotification` and its oversized form; `ruleParameters` and
//! `invokingEvent` are JSON strings inside the event), the evaluations to send (no
//! INSUFFICIENT_DATA, which Config rejects; NOT_APPLICABLE for resources evaluated before that no
//! longer exist or left the rule's scope), and the two Config calls: GetComplianceDetailsByConfigRule
//! for the prior results and PutEvaluations in batches of at most 100.
//!
//! Parsing and planning are pure; only `prior_resources` and `put_evaluations` (in `api`, feature
//! `config-rule`: the AWS Config SDK is a large crate that only this mode needs) call AWS.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::findings::ComplianceType;

/// PutEvaluations takes at most this many evaluations per call (the report's
/// `config-evaluations` format batches by the same limit).
pub const MAX_BATCH: usize = crate::report::config_evaluations::BATCH_SIZE;

/// Why an invocation event is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("`{0}`: missing or not a string")]
    MissingField(&'static str),
    #[error("`{field}`: not a JSON object in a string: {message}")]
    EmbeddedJson {
        field: &'static str,
        message: String,
    },
    #[error("invokingEvent.messageType: unsupported `{0}`")]
    UnsupportedMessage(String),
    #[error("invokingEvent.{0}: missing or not a string")]
    MissingItem(String),
    #[error("ruleParameters.secauditRule: expected a string naming a catalogue rule")]
    RuleNotAString,
}

/// What triggered the invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A periodic run: evaluate every resource.
    Scheduled,
    /// A configuration change of one resource (`configurationItem`, or the
    /// `configurationItemSummary` of an oversized notification).
    Change {
        resource_type: String,
        resource_id: String,
        /// The item's `ARN`, when given.
        arn: Option<String>,
        /// The item's `resourceName`, when given.
        name: Option<String>,
        region: Option<String>,
        /// `configurationItemStatus` is `ResourceDeleted` or `ResourceDeletedNotRecorded`.
        deleted: bool,
    },
}

/// A parsed Config rule invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInvocation {
    pub config_rule_name: String,
    pub rule_parameters: Map<String, Value>,
    pub result_token: String,
    pub event_left_scope: bool,
    pub account_id: Option<String>,
    /// The region of `configRuleArn`, when present.
    pub region: Option<String>,
    pub trigger: Trigger,
}

fn string_field<'a>(event: &'a Value, field: &'static str) -> Result<&'a str, EventError> {
    event
        .get(field)
        .and_then(Value::as_str)
        .ok_or(EventError::MissingField(field))
}

fn embedded_object(event: &Value, field: &'static str) -> Result<Map<String, Value>, EventError> {
    match event.get(field) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(EventError::EmbeddedJson {
                field,
                message: "not an object".into(),
            }),
            Err(error) => Err(EventError::EmbeddedJson {
                field,
                message: error.to_string(),
            }),
        },
        // Tolerate an already-decoded object (hand-written test events often do this).
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(EventError::EmbeddedJson {
            field,
            message: "not a string".into(),
        }),
    }
}

/// Parses a Config rule invocation event.
pub fn parse_event(text: &str) -> Result<RuleInvocation, EventError> {
    let event: Value =
        serde_json::from_str(text).map_err(|e| EventError::NotJson(e.to_string()))?;
    let invoking = embedded_object(&event, "invokingEvent")?;
    let rule_parameters = embedded_object(&event, "ruleParameters")?;
    let message_type = invoking
        .get("messageType")
        .and_then(Value::as_str)
        .ok_or_else(|| EventError::MissingItem("messageType".to_owned()))?;
    let trigger = match message_type {
        "ScheduledNotification" => Trigger::Scheduled,
        "ConfigurationItemChangeNotification" | "OversizedConfigurationItemChangeNotification" => {
            let key = if message_type == "ConfigurationItemChangeNotification" {
                "configurationItem"
            } else {
                "configurationItemSummary"
            };
            let item = invoking
                .get(key)
                .filter(|item| item.is_object())
                .ok_or_else(|| EventError::MissingItem(key.to_owned()))?;
            let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
            let status = text("configurationItemStatus").unwrap_or_default();
            Trigger::Change {
                resource_type: text("resourceType")
                    .ok_or_else(|| EventError::MissingItem(format!("{key}.resourceType")))?,
                resource_id: text("resourceId")
                    .ok_or_else(|| EventError::MissingItem(format!("{key}.resourceId")))?,
                arn: text("ARN").or_else(|| text("arn")),
                name: text("resourceName"),
                region: text("awsRegion"),
                deleted: matches!(
                    status.as_str(),
                    "ResourceDeleted" | "ResourceDeletedNotRecorded"
                ),
            }
        }
        other => return Err(EventError::UnsupportedMessage(other.to_owned())),
    };
    if rule_parameters
        .get("secauditRule")
        .is_some_and(|rule| !rule.is_string())
    {
        return Err(EventError::RuleNotAString);
    }
    let region = event
        .get("configRuleArn")
        .and_then(Value::as_str)
        .and_then(crate::arn::region_of)
        .map(str::to_owned);
    Ok(RuleInvocation {
        config_rule_name: string_field(&event, "configRuleName")?.to_owned(),
        rule_parameters,
        result_token: string_field(&event, "resultToken")?.to_owned(),
        event_left_scope: event
            .get("eventLeftScope")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        account_id: event
            .get("accountId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        region,
        trigger,
    })
}

/// Picks the catalogue rule for a Config rule: `explicit` (`--rule`), else the `secauditRule`
/// parameter, else the longest catalogue id the Config rule name contains (so that
/// `secretsmanager-rotation-enabled-check` and `org-secretsmanager-rotation-enabled-check-x`
/// both map to `secretsmanager-rotation-enabled-check`).
pub fn pick_rule(
    invocation: &RuleInvocation,
    explicit: Option<&str>,
    catalogue_ids: &[String],
) -> Option<String> {
    if let Some(id) = explicit {
        return Some(id.to_owned());
    }
    if let Some(id) = invocation
        .rule_parameters
        .get("secauditRule")
        .and_then(Value::as_str)
    {
        return Some(id.to_owned());
    }
    let name = invocation.config_rule_name.to_ascii_lowercase();
    catalogue_ids
        .iter()
        .filter(|id| name.contains(id.to_ascii_lowercase().as_str()))
        .max_by_key(|id| id.len())
        .cloned()
}

/// The rule parameters for our rule: every parameter except `secauditRule`.
pub fn rule_parameters(invocation: &RuleInvocation) -> Map<String, Value> {
    let mut parameters = invocation.rule_parameters.clone();
    parameters.remove("secauditRule");
    parameters
}

/// What an invocation needs collected before the rule can judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collection {
    /// Nothing: the event alone decides (the resource was deleted, left the rule's scope, or is
    /// not of the type the rule judges), see [`answer_from_event`].
    Nothing,
    /// One secret (its ARN, else its id or name as the event gives it) of the event's region:
    /// a change of a secret, for a rule that judges secrets.
    Secret(String),
    /// The whole region: a scheduled run, or a change of a resource the rule judges from the
    /// region's data (an IAM policy for `iam-secret-wildcard-overmatch`).
    Region,
}

/// The resource type of Secrets Manager secrets in AWS Config.
pub const SECRET_TYPE: &str = "AWS::SecretsManager::Secret";

/// What `invocation` needs collected, for a rule judging resources of `rule_resource_type`.
pub fn collection_for(invocation: &RuleInvocation, rule_resource_type: &str) -> Collection {
    match &invocation.trigger {
        Trigger::Scheduled => Collection::Region,
        Trigger::Change {
            resource_type,
            resource_id,
            arn,
            name,
            deleted,
            ..
        } => {
            if *deleted || invocation.event_left_scope || resource_type != rule_resource_type {
                Collection::Nothing
            } else if resource_type == SECRET_TYPE {
                let secret_arn = arn.as_deref().filter(|arn| {
                    crate::arn::ArnParts::split(arn).is_some_and(|p| p.service == "secretsmanager")
                });
                let id = secret_arn
                    .or(Some(resource_id.as_str()).filter(|id| !id.is_empty()))
                    .or(name.as_deref())
                    .unwrap_or_default();
                Collection::Secret(id.to_owned())
            } else {
                Collection::Region
            }
        }
    }
}

/// The evaluation of a change event that needs no collection ([`Collection::Nothing`]):
/// NOT_APPLICABLE, saying why. `None` for any other event.
pub fn answer_from_event(
    invocation: &RuleInvocation,
    rule_resource_type: &str,
    now: DateTime<Utc>,
) -> Option<Evaluation> {
    let Trigger::Change {
        resource_type,
        resource_id,
        deleted,
        ..
    } = &invocation.trigger
    else {
        return None;
    };
    let why = if *deleted {
        "the resource was deleted".to_owned()
    } else if invocation.event_left_scope {
        "the resource left the rule's scope".to_owned()
    } else if resource_type != rule_resource_type {
        format!("the rule judges {rule_resource_type}, not {resource_type}")
    } else {
        return None;
    };
    Some(Evaluation {
        resource_type: resource_type.clone(),
        resource_id: resource_id.clone(),
        compliance_type: ComplianceType::NotApplicable,
        annotation: Some(why),
        ordering_timestamp: now,
    })
}

/// The actions beyond [`CONFIG_RULE_BASE_ACTIONS`](crate::collect::actions::CONFIG_RULE_BASE_ACTIONS) that collect the data of `api`: a Config
/// rule whose catalogue rule reads it needs them (`rules::rule_reads`); the others leave that
/// service out. A service is collected whole (the KMS data of a secret's key is its
/// description, the account's aliases and its policy).
pub fn actions_for(api: crate::snapshot::Api) -> &'static [&'static str] {
    use crate::snapshot::Api;
    match api {
        Api::GetAccountAuthorizationDetails => &["iam:GetAccountAuthorizationDetails"],
        Api::DescribeDbClusters | Api::DescribeDbInstances => {
            &["rds:DescribeDBClusters", "rds:DescribeDBInstances"]
        }
        Api::DescribeKey | Api::ListAliases | Api::GetKeyPolicy => {
            &["kms:DescribeKey", "kms:ListAliases", "kms:GetKeyPolicy"]
        }
        Api::LookupEvents => &["cloudtrail:LookupEvents"],
        // In the base set; Organizations policies are not collected by `config-rule`.
        Api::ListSecrets
        | Api::DescribeSecret
        | Api::ListSecretVersionIds
        | Api::GetResourcePolicy
        | Api::OrganizationsPolicies => &[],
    }
}

/// One evaluation for PutEvaluations: the report's evaluation type (one type, one rendering).
pub use crate::report::config_evaluations::Evaluation;

/// The evaluations to send: INSUFFICIENT_DATA left out; for a change event only the changed
/// resource, under the event's `resourceId` (NOT_APPLICABLE when it was deleted, left the rule's
/// scope, or no longer exists; nothing when it could not be judged); for a scheduled run every
/// current result plus NOT_APPLICABLE for each prior resource that is gone.
pub fn plan_evaluations(
    invocation: &RuleInvocation,
    current: Vec<Evaluation>,
    prior: &[(String, String)],
    now: DateTime<Utc>,
) -> Vec<Evaluation> {
    let not_applicable = |resource_type: &str, resource_id: &str, why: &str| Evaluation {
        resource_type: resource_type.to_owned(),
        resource_id: resource_id.to_owned(),
        compliance_type: ComplianceType::NotApplicable,
        annotation: Some(why.to_owned()),
        ordering_timestamp: now,
    };
    let mut planned: Vec<Evaluation> = match &invocation.trigger {
        Trigger::Change {
            resource_type,
            resource_id,
            arn,
            deleted,
            ..
        } => {
            if *deleted || invocation.event_left_scope {
                let why = if *deleted {
                    "the resource was deleted"
                } else {
                    "the resource left the rule's scope"
                };
                vec![not_applicable(resource_type, resource_id, why)]
            } else {
                // Judged under our id (the ARN); reported under Config's `resourceId`.
                let judged_all = current
                    .iter()
                    .all(|e| e.compliance_type != ComplianceType::InsufficientData);
                let mine: Vec<Evaluation> = current
                    .into_iter()
                    .filter(|e| {
                        &e.resource_id == resource_id || Some(&e.resource_id) == arn.as_ref()
                    })
                    .map(|e| Evaluation {
                        resource_id: resource_id.clone(),
                        ..e
                    })
                    .collect();
                if mine.is_empty() && !judged_all {
                    // Absence proves nothing when something could not be judged (the secret
                    // could not be read): nothing is sent.
                    Vec::new()
                } else if mine.is_empty() {
                    vec![not_applicable(
                        resource_type,
                        resource_id,
                        "the resource no longer exists",
                    )]
                } else {
                    mine
                }
            }
        }
        Trigger::Scheduled => {
            let present: BTreeSet<(String, String)> = current
                .iter()
                .map(|e| (e.resource_type.clone(), e.resource_id.clone()))
                .collect();
            let mut all = current;
            for (resource_type, resource_id) in prior {
                if !present.contains(&(resource_type.clone(), resource_id.clone())) {
                    all.push(not_applicable(
                        resource_type,
                        resource_id,
                        "the resource no longer exists",
                    ));
                }
            }
            all
        }
    };
    planned.retain(|e| e.compliance_type != ComplianceType::InsufficientData);
    // One evaluation per resource: the most severe wins (ComplianceType orders NON_COMPLIANT first).
    let mut by_resource: BTreeMap<(String, String), Evaluation> = BTreeMap::new();
    for evaluation in planned {
        let key = (
            evaluation.resource_type.clone(),
            evaluation.resource_id.clone(),
        );
        match by_resource.get(&key) {
            Some(existing) if existing.compliance_type <= evaluation.compliance_type => {}
            _ => {
                by_resource.insert(key, evaluation);
            }
        }
    }
    by_resource.into_values().collect()
}

#[cfg(feature = "config-rule")]
mod api;
#[cfg(feature = "config-rule")]
pub use api::{PutSummary, prior_resources, put_evaluations};

#[cfg(test)]
mod tests;

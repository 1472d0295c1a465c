//! CloudTrail records of a snapshot (`lookup-events` `Events`), with the `CloudTrailEvent` JSON
//! string parsed for the fields the audit needs: the event name and time, the error code and
//! message, the secret concerned and the caller.
//!
//! Secrets Manager's rotation events (`RotationSucceeded`, `RotationFailed`, `RotationAbandoned`)
//! are service events that name their secret in `additionalEventData.SecretId`; API calls name it
//! in `requestParameters.secretId`. This module reads; it judges nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::json_path::{FieldError, JsonAt};
use super::problem::{Concerns, Reading};
use super::stream::{Piece, PieceReader};

/// One CloudTrail management event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEvent {
    pub event_id: Option<String>,
    /// `eventName`, e.g. `GetSecretValue` or `RotationFailed`.
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub event_source: Option<String>,
    /// `errorCode`, e.g. `InvalidRequestException`.
    pub error_code: Option<String>,
    /// `errorMessage`, e.g. `You can't perform this operation on the secret because it was
    /// marked for deletion.`
    pub error_message: Option<String>,
    /// The secret concerned: `requestParameters.secretId`, else `additionalEventData.SecretId`,
    /// else the first `AWS::SecretsManager::Secret` resource of the lookup entry. A name or an
    /// ARN, as the caller wrote it.
    pub secret_id: Option<String>,
    /// `userIdentity.arn` (absent for service events).
    pub user_arn: Option<String>,
}

impl TrailEvent {
    /// Whether the event concerns the secret with this ARN and name (full ARN, name, or the ARN
    /// without its six-character suffix, as callers may write any of them).
    pub fn concerns_secret(&self, arn: &str, name: &str) -> bool {
        self.secret_id
            .as_deref()
            .is_some_and(|id| secret_id_matches(id, arn, name))
    }
}

/// Whether a secret id as a caller wrote it (full ARN, name, or the ARN without its
/// six-character suffix) names the secret with this ARN and name.
pub(crate) fn secret_id_matches(id: &str, arn: &str, name: &str) -> bool {
    if id == arn || id == name {
        return true;
    }
    // A partial ARN: `…:secret:NAME` without the `-xxxxxx` suffix.
    id.starts_with("arn:")
        && arn.starts_with(id)
        && arn.len() == id.len() + 7
        && arn.as_bytes().get(id.len()) == Some(&b'-')
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    current.as_str()
}

fn read_event(at: &JsonAt<'_>, reading: &Reading) -> Result<TrailEvent, FieldError> {
    let detail = match at.get("CloudTrailEvent")? {
        None => Value::Null,
        Some(raw) => match raw.value() {
            Value::String(text) => serde_json::from_str::<Value>(text)
                .map_err(|error| raw.error(format!("not a JSON event: {error}")))?,
            Value::Object(_) => raw.value().clone(),
            _ => return Err(raw.error("expected the event as a JSON string")),
        },
    };
    let event_name = match str_at(&detail, &["eventName"]) {
        Some(name) => name.to_owned(),
        None => at.required_string("EventName")?,
    };
    let event_time = match detail.get("eventTime") {
        Some(time) if !time.is_null() => {
            let path = format!("{}.CloudTrailEvent.eventTime", at.path());
            let time = JsonAt::at_path(time, path);
            reading.check_past(&time, time.timestamp()?)?
        }
        _ => {
            let time = at.required("EventTime")?;
            reading.check_past(&time, time.timestamp()?)?
        }
    };
    let resource_secret = at
        .list_or_empty("Resources", |resource| {
            Ok((
                resource.opt_string("ResourceType")?,
                resource.opt_string("ResourceName")?,
            ))
        })?
        .into_iter()
        .find(|(kind, _)| kind.as_deref() == Some("AWS::SecretsManager::Secret"))
        .and_then(|(_, name)| name);
    let secret_id = str_at(&detail, &["requestParameters", "secretId"])
        .or_else(|| str_at(&detail, &["additionalEventData", "SecretId"]))
        .map(str::to_owned)
        .or(resource_secret);
    Ok(TrailEvent {
        event_id: match str_at(&detail, &["eventID"]) {
            Some(id) => Some(id.to_owned()),
            None => at.opt_string("EventId")?,
        },
        event_name,
        event_time,
        event_source: match str_at(&detail, &["eventSource"]) {
            Some(source) => Some(source.to_owned()),
            None => at.opt_string("EventSource")?,
        },
        error_code: str_at(&detail, &["errorCode"]).map(str::to_owned),
        error_message: str_at(&detail, &["errorMessage"]).map(str::to_owned),
        secret_id,
        user_arn: str_at(&detail, &["userIdentity", "arn"]).map(str::to_owned),
    })
}

/// The secret a bad event names, as written (name or ARN), so that only that secret's
/// judgements lose it; `Unknown` when the event cannot tell.
fn event_secret(at: &JsonAt<'_>) -> Concerns {
    let detail = match at.value().get("CloudTrailEvent") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text).unwrap_or(Value::Null),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    let named = str_at(&detail, &["requestParameters", "secretId"])
        .or_else(|| str_at(&detail, &["additionalEventData", "SecretId"]))
        .map(str::to_owned)
        .or_else(|| {
            at.value()
                .get("Resources")?
                .as_array()?
                .iter()
                .find(|resource| {
                    resource.get("ResourceType").and_then(Value::as_str)
                        == Some("AWS::SecretsManager::Secret")
                })?
                .get("ResourceName")?
                .as_str()
                .map(str::to_owned)
        });
    match named {
        Some(id) => Concerns::Secret { arn: id },
        None => Concerns::Unknown,
    }
}

/// Reads `lookup-events.json`: `{"Events": [...]}` (or an array of pages), sorted by time then
/// event id so that the rules see a stable order.
#[derive(Debug, Default)]
pub(crate) struct LookupEventsReader {
    events: Vec<TrailEvent>,
}

impl PieceReader for LookupEventsReader {
    type Output = Vec<TrailEvent>;
    const RECORDS: Option<&'static str> = Some("Events");

    fn piece(&mut self, piece: Piece<'_>, reading: &mut Reading) -> Result<(), FieldError> {
        let read = |at: &JsonAt<'_>, reading: &mut Reading| read_event(at, reading);
        match piece {
            Piece::Page(page) => {
                page.object()?;
                self.events
                    .extend(reading.records(&page, "Events", event_secret, read)?);
            }
            Piece::Record(record) => {
                self.events
                    .extend(reading.each(&[record], event_secret, read)?);
            }
        }
        Ok(())
    }

    fn finish(mut self, _: &mut Reading) -> Vec<TrailEvent> {
        self.events.sort_by(|a, b| {
            (a.event_time, &a.event_id, &a.event_name).cmp(&(
                b.event_time,
                &b.event_id,
                &b.event_name,
            ))
        });
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(secret_id: &str) -> TrailEvent {
        TrailEvent {
            event_id: None,
            event_name: "GetSecretValue".into(),
            event_time: DateTime::from_timestamp(0, 0).unwrap(),
            event_source: None,
            error_code: None,
            error_message: None,
            secret_id: Some(secret_id.into()),
            user_arn: None,
        }
    }

    #[test]
    fn concerns_secret_by_arn_name_or_partial_arn() {
        let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1B2c3";
        let name = "prod/db";
        assert!(event(arn).concerns_secret(arn, name));
        assert!(event(name).concerns_secret(arn, name));
        assert!(
            event("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db")
                .concerns_secret(arn, name)
        );
        assert!(!event("prod/db-admin").concerns_secret(arn, name));
        assert!(
            !event("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod")
                .concerns_secret(arn, name)
        );
    }

    #[test]
    fn service_events_name_their_secret_in_additional_event_data() {
        let detail = json!({
            "eventName": "RotationFailed", "eventTime": "2026-10-30T04:00:00Z",
            "additionalEventData": {"SecretId": "arn:x"}, "errorMessage": "boom"
        });
        let doc = json!({"Events": [{"EventName": "RotationFailed",
            "EventTime": "2026-10-30T04:00:00+00:00", "CloudTrailEvent": detail.to_string()}]});
        let collected = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap();
        let mut reading = Reading::new(collected.with_timezone(&Utc));
        let events = super::super::stream::read_value(
            &JsonAt::root(&doc),
            &mut reading,
            LookupEventsReader::default(),
        )
        .unwrap();
        assert_eq!(events[0].secret_id.as_deref(), Some("arn:x"));
        assert_eq!(events[0].error_message.as_deref(), Some("boom"));
    }
}

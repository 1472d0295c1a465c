//! CloudTrail management events of one account-region that the rotation and deleted-secret
//! rules read (`cloudtrail/lookup-events.json`, `{"Events": [...]}` merged): `RotationFailed`,
//! `RotationSucceeded`, `RotationAbandoned`, and, only when a secret of the region is pending
//! deletion, `GetSecretValue` (the events of those calls, not secret values). LookupEvents takes
//! one lookup attribute per call and is limited to 2 requests per second per account and region
//! (the limiter in `limits` enforces it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::aws_api::AwsApi;
use super::aws_json::{self, epoch_time, list, text};
use super::cli_shape::JsonObject;
use super::coverage::CallFailure;
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const LOOKUP_EVENTS: &str = "cloudtrail:LookupEvents";
const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// The event names always looked up.
pub const ROTATION_EVENTS: &[&str] = &["RotationFailed", "RotationSucceeded", "RotationAbandoned"];

/// Pages read per event name at most (50 events a page).
pub const MAX_PAGES_PER_EVENT: usize = 200;

/// The events of the last `lookback_days` before `now` (with `include_value_read_events`, also the
/// CloudTrail records of other callers' GetSecretValue calls, for the deleted-secret rule: the
/// collector itself never reads a value); the `bool` says whether a lookup hit
/// [`MAX_PAGES_PER_EVENT`] and was cut short.
pub(crate) async fn lookup_events(
    run: &RegionRun,
    client: &AwsApi,
    now: DateTime<Utc>,
    lookback_days: u32,
    include_value_read_events: bool,
) -> Result<(Value, bool), CallFailure> {
    let end = now.timestamp();
    let start = end - i64::from(lookback_days) * 86_400;
    let mut names: Vec<&str> = ROTATION_EVENTS.to_vec();
    if include_value_read_events {
        names.push("GetSecretValue");
    }
    let mut events: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let mut truncated = false;
    for name in names {
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut body = json!({
                "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
                "StartTime": start,
                "EndTime": end,
                "MaxResults": 50,
            });
            if let Some(token) = &token {
                body["NextToken"] = json!(token);
            }
            let page = run
                .call(LOOKUP_EVENTS, || aws_json::json_1_1(client, TARGET, &body))
                .await?;
            pages += 1;
            for event in list(&page, "Events") {
                // Whole seconds order the events, as the SDK's `DateTime::secs` did.
                let time = event
                    .get("EventTime")
                    .and_then(Value::as_f64)
                    .map_or(0, |seconds| seconds.floor() as i64);
                let id = text(event, "EventId").unwrap_or_default().to_owned();
                events.insert((time, id), event_value(event));
            }
            match next_page_token(&token, text(&page, "NextToken")) {
                Some(_) if pages >= MAX_PAGES_PER_EVENT => {
                    truncated = true;
                    break;
                }
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    let events: Vec<Value> = events.into_values().collect();
    Ok((json!({ "Events": events }), truncated))
}

fn event_value(event: &Value) -> Value {
    JsonObject::new()
        .str("EventId", text(event, "EventId"))
        .str("EventName", text(event, "EventName"))
        .str("ReadOnly", text(event, "ReadOnly"))
        .str("AccessKeyId", text(event, "AccessKeyId"))
        .time("EventTime", event.get("EventTime").and_then(epoch_time))
        .str("EventSource", text(event, "EventSource"))
        .str("Username", text(event, "Username"))
        .list(
            "Resources",
            list(event, "Resources")
                .iter()
                .map(|resource| {
                    JsonObject::new()
                        .str("ResourceType", text(resource, "ResourceType"))
                        .str("ResourceName", text(resource, "ResourceName"))
                        .build()
                })
                .collect(),
        )
        .str("CloudTrailEvent", text(event, "CloudTrailEvent"))
        .build()
}

//! CloudTrail management events of one account-region that the rotation and deleted-secret
//! rules read (`cloudtrail/lookup-events.json`, `{"Events": [...]}` merged): `RotationFailed`,
//! `RotationSucceeded`, `RotationAbandoned`, and, only when a secret of the region is pending
//! deletion, `GetSecretValue` (the events of those calls, not secret values). LookupEvents takes
//! one lookup attribute per call and is limited to 2 requests per second per account and region
//! (the limiter in `limits` enforces it).

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use aws_smithy_types::DateTime as SdkDateTime;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::cli_shape::JsonObject;
use super::coverage::{CallFailure, CoverageStatus, classify};
use super::next_page_token;
use super::region_run::RegionRun;

pub(crate) const LOOKUP_EVENTS: &str = "cloudtrail:LookupEvents";

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
    client: &Client,
    now: DateTime<Utc>,
    lookback_days: u32,
    include_value_read_events: bool,
) -> Result<(Value, bool), CallFailure> {
    let end = SdkDateTime::from_secs(now.timestamp());
    let start = SdkDateTime::from_secs(now.timestamp() - i64::from(lookback_days) * 86_400);
    let mut names: Vec<&str> = ROTATION_EVENTS.to_vec();
    if include_value_read_events {
        names.push("GetSecretValue");
    }
    let mut events: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let mut truncated = false;
    for name in names {
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventName)
            .attribute_value(name)
            .build()
            .map_err(|error| CallFailure {
                status: CoverageStatus::Error,
                code: None,
                message: error.to_string(),
            })?;
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = run
                .call(LOOKUP_EVENTS, || async {
                    client
                        .lookup_events()
                        .lookup_attributes(attribute.clone())
                        .start_time(start)
                        .end_time(end)
                        .max_results(50)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| classify(&e))
                })
                .await?;
            pages += 1;
            for event in page.events() {
                let time = event.event_time().map_or(0, SdkDateTime::secs);
                let id = event.event_id().unwrap_or_default().to_owned();
                events.insert((time, id), event_value(event));
            }
            match next_page_token(&token, page.next_token()) {
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

fn event_value(event: &Event) -> Value {
    JsonObject::new()
        .str("EventId", event.event_id())
        .str("EventName", event.event_name())
        .str("ReadOnly", event.read_only())
        .str("AccessKeyId", event.access_key_id())
        .time("EventTime", event.event_time())
        .str("EventSource", event.event_source())
        .str("Username", event.username())
        .list(
            "Resources",
            event
                .resources()
                .iter()
                .map(|resource| {
                    JsonObject::new()
                        .str("ResourceType", resource.resource_type())
                        .str("ResourceName", resource.resource_name())
                        .build()
                })
                .collect(),
        )
        .str("CloudTrailEvent", event.cloud_trail_event())
        .build()
}

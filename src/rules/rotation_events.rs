//! The CloudTrail rotation history of one secret: the `RotationSucceeded`, `RotationFailed` and
//! `RotationAbandoned` events Secrets Manager records (`additionalEventData.SecretId`) within a
//! look-back window ending at "now".
//!
//! Shared by the rotation rules; it selects events and judges nothing.

use chrono::{DateTime, Utc};

use crate::snapshot::{Secret, TrailEvent};

/// Event names.
pub(crate) const ROTATION_SUCCEEDED: &str = "RotationSucceeded";
pub(crate) const ROTATION_FAILED: &str = "RotationFailed";
pub(crate) const ROTATION_ABANDONED: &str = "RotationAbandoned";

/// The rotation events of a secret in `[since, now]`, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct RotationHistory<'a> {
    pub events: Vec<&'a TrailEvent>,
}

impl<'a> RotationHistory<'a> {
    pub fn of(
        events: &'a [TrailEvent],
        secret: &Secret,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> RotationHistory<'a> {
        RotationHistory {
            events: events
                .iter()
                .filter(|event| {
                    matches!(
                        event.event_name.as_str(),
                        ROTATION_SUCCEEDED | ROTATION_FAILED | ROTATION_ABANDONED
                    ) && event.event_time >= since
                        && event.event_time <= now
                        && event.concerns_secret(&secret.arn, &secret.name)
                })
                .collect(),
        }
    }

    /// The latest success.
    pub fn latest_success(&self) -> Option<&'a TrailEvent> {
        self.events
            .iter()
            .rev()
            .find(|event| event.event_name == ROTATION_SUCCEEDED)
            .copied()
    }

    /// The latest failure or abandoned rotation.
    pub fn latest_failure(&self) -> Option<&'a TrailEvent> {
        self.events
            .iter()
            .rev()
            .find(|event| event.event_name != ROTATION_SUCCEEDED)
            .copied()
    }

    /// The latest failure when no success came after it.
    pub fn unresolved_failure(&self) -> Option<&'a TrailEvent> {
        let failure = self.latest_failure()?;
        match self.latest_success() {
            Some(success) if success.event_time > failure.event_time => None,
            _ => Some(failure),
        }
    }

    /// How many failures (and abandoned rotations) the window holds.
    pub fn failure_count(&self) -> usize {
        self.events
            .iter()
            .filter(|event| event.event_name != ROTATION_SUCCEEDED)
            .count()
    }
}

/// The quoted error of an event, for annotations: ``: `message` `` or nothing.
pub(crate) fn quoted_error(event: &TrailEvent) -> String {
    match (event.error_message.as_deref(), event.error_code.as_deref()) {
        (Some(message), _) if !message.is_empty() => format!(": `{message}`"),
        (_, Some(code)) if !code.is_empty() => format!(": `{code}`"),
        _ => String::new(),
    }
}

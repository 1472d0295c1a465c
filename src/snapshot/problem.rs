//! Bad records of a snapshot: what the loader could not read, kept as data so that rules can say
//! INSUFFICIENT_DATA for exactly what a bad record touches, and nothing is silently dropped.
//!
//! A scheduled audit reads what was collected, and what was collected is never trusted: one
//! secret's resource policy that is not JSON, one truncated CloudTrail event, one IAM policy the
//! parser rejects, one date in the year 58,000. The loader skips such a record (or keeps it and
//! flags it, for a policy document the evaluator cannot load), and records a `LoadProblem`: the
//! file, the JSON path, the reason, and what the record `Concerns`. A file that cannot be read
//! at all is a problem with an empty path; its data stays `None` (not collected), like an API
//! the coverage marks as denied.
//!
//! Rules consult problems through `LoadProblem::touches` (the runner does it once for every
//! rule, from the APIs each rule reads), the same "what could not be judged" idea as
//! `coverage`. With `LoadMode::Strict` the first problem is an error instead.

use std::fmt;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::Serialize;

use super::coverage::Api;
use super::json_path::{FieldError, JsonAt};

/// How the loader treats bad records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadMode {
    /// Skip bad records, keep going, and record each one as a `LoadProblem`.
    #[default]
    Tolerant,
    /// The first bad record or unreadable file is an error (`SnapshotError`).
    Strict,
}

/// The resource types a problem can name.
pub(crate) const SECRET_TYPE: &str = "AWS::SecretsManager::Secret";
const ACCOUNT_TYPE: &str = "AWS::::Account";

/// What a bad record concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Concerns {
    /// One secret, by ARN: only that secret's judgements.
    Secret { arn: String },
    /// A record that is a resource of its own (an IAM policy, user, group or role; an SCP or
    /// RCP): judgements of that resource, and every secret judgement that reads its API (a
    /// policy nobody could read may grant or deny anything).
    Record { resource_type: String, id: String },
    /// A record that names nothing the loader can tie it to, or a whole file: for lists where a
    /// missing entry changes every answer (CloudTrail events, KMS keys, databases), every
    /// judgement of the region that reads the API; for per-secret data (secret lists, versions,
    /// resource policies) the secret it belonged to is absent and already INSUFFICIENT_DATA, so
    /// it is reported once for the region.
    Unknown,
    /// The whole file could not be used: its data is `None`, as if not collected, and rules
    /// say so through `Snapshot::availability`.
    WholeFile,
}

/// One record or file the loader could not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadProblem {
    /// The region of the file, or `global`.
    pub region: String,
    pub api: Api,
    /// The file, relative to the snapshot directory, `/`-separated.
    pub file: String,
    /// The JSON path of the bad value (empty: the whole file).
    pub path: String,
    pub reason: String,
    pub concerns: Concerns,
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.reason)
        }
    }
}

impl LoadProblem {
    /// The whole file could not be used (its data is `None`, as if not collected).
    pub fn is_whole_file(&self) -> bool {
        self.concerns == Concerns::WholeFile
    }

    /// Whether the problem names this very resource (by type and id).
    pub fn names(&self, resource_type: &str, id: &str) -> bool {
        match &self.concerns {
            Concerns::Secret { arn } => resource_type == SECRET_TYPE && arn == id,
            Concerns::Record {
                resource_type: kind,
                id: record,
            } => kind == resource_type && record == id,
            Concerns::Unknown | Concerns::WholeFile => false,
        }
    }

    /// Whether a judgement of the resource (type, id) in `region` may depend on the bad
    /// record, for a rule that reads this problem's API.
    pub fn touches(&self, resource_type: &str, id: &str, region: &str) -> bool {
        if !self.api.is_global() && self.region != region {
            return false;
        }
        if self.names(resource_type, id) {
            return true;
        }
        let judged_from_everything = resource_type == SECRET_TYPE || resource_type == ACCOUNT_TYPE;
        match &self.concerns {
            Concerns::Secret { .. } | Concerns::WholeFile => false,
            Concerns::Record { .. } => judged_from_everything,
            Concerns::Unknown => judged_from_everything && !keyed_by_secret(self.api),
        }
    }
}

/// APIs whose data is per secret: a record of them that names no secret leaves its secret out,
/// which rules already report as not collected for that secret.
fn keyed_by_secret(api: Api) -> bool {
    matches!(
        api,
        Api::ListSecrets | Api::DescribeSecret | Api::ListSecretVersionIds | Api::GetResourcePolicy
    )
}

/// A record a reader could not use, before the loader adds the file, region and API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub error: FieldError,
    pub concerns: Concerns,
}

/// What the readers of one file share: the bad records found so far and the latest date a past
/// event may carry.
#[derive(Debug)]
pub(crate) struct Reading {
    pub skipped: Vec<Skipped>,
    /// `collected_at` plus the clock skew allowed.
    latest_past: DateTime<Utc>,
}

/// Dates before this are not AWS dates (Secrets Manager, CloudTrail and IAM are younger).
fn earliest_date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// How far a past event may lie after `collected_at` (clocks of AWS services and of the
/// collector disagree by a little).
pub const CLOCK_SKEW_MINUTES: i64 = 5;

impl Reading {
    pub(crate) fn new(collected_at: DateTime<Utc>) -> Reading {
        Reading {
            skipped: Vec::new(),
            latest_past: collected_at
                .checked_add_signed(TimeDelta::minutes(CLOCK_SKEW_MINUTES))
                .unwrap_or(collected_at),
        }
    }

    /// Records a bad record.
    pub(crate) fn skip(&mut self, error: FieldError, concerns: Concerns) {
        self.skipped.push(Skipped { error, concerns });
    }

    /// The records of the array `key` of `at` (absent: none), each read by `read`; a record
    /// `read` rejects is skipped and recorded with what `concerns` says it concerns. A `key`
    /// that is not an array is an error of the whole container.
    pub(crate) fn records<'a, T>(
        &mut self,
        at: &JsonAt<'a>,
        key: &str,
        concerns: impl Fn(&JsonAt<'a>) -> Concerns,
        mut read: impl FnMut(&JsonAt<'a>, &mut Reading) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, FieldError> {
        let Some(list) = at.get(key)? else {
            return Ok(Vec::new());
        };
        self.each(&list.items()?, concerns, &mut read)
    }

    /// Like `records`, over items already in hand.
    pub(crate) fn each<'a, T>(
        &mut self,
        items: &[JsonAt<'a>],
        concerns: impl Fn(&JsonAt<'a>) -> Concerns,
        mut read: impl FnMut(&JsonAt<'a>, &mut Reading) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, FieldError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match read(item, self) {
                Ok(value) => out.push(value),
                Err(error) => self.skip(error, concerns(item)),
            }
        }
        Ok(out)
    }

    /// Records a policy document the evaluator cannot load (the record itself stays: its other
    /// parts are good), naming the policy: rules that read it say INSUFFICIENT_DATA.
    pub(crate) fn check_policy(
        &mut self,
        path: String,
        label: &str,
        document: &serde_json::Value,
        kind: crate::policy::PolicyKind,
        concerns: Concerns,
    ) {
        if let Err(error) = crate::policy::Policy::from_value(document, kind) {
            self.skip(
                FieldError::new(
                    crate::json_error::JsonPath::from_relative(path),
                    format!("{label} cannot be loaded: {error}"),
                ),
                concerns,
            );
        }
    }

    /// The optional timestamp `key` of a past event: a date after `collected_at` (plus the clock
    /// skew) or before 2000 is rejected as impossible.
    pub(crate) fn past_date(
        &self,
        at: &JsonAt<'_>,
        key: &str,
    ) -> Result<Option<DateTime<Utc>>, FieldError> {
        let Some(field) = at.get(key)? else {
            return Ok(None);
        };
        self.check_past(&field, field.timestamp()?).map(Some)
    }

    /// Checks a past event's date found at `at`.
    pub(crate) fn check_past(
        &self,
        at: &JsonAt<'_>,
        date: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, FieldError> {
        if date > self.latest_past {
            Err(at.error(format!(
                "impossible date `{}`: later than the snapshot's collection time (`{}`)",
                date.to_rfc3339(),
                (self.latest_past - TimeDelta::minutes(CLOCK_SKEW_MINUTES)).to_rfc3339()
            )))
        } else if date < earliest_date() {
            Err(at.error(format!(
                "impossible date `{}`: before 2000",
                date.to_rfc3339()
            )))
        } else {
            Ok(date)
        }
    }
}

/// The `ARN` (or `Arn`) a record carries, if it is a string: what a bad record concerns.
pub(crate) fn secret_of(at: &JsonAt<'_>) -> Concerns {
    let arn = at
        .value()
        .get("ARN")
        .or_else(|| at.value().get("Arn"))
        .and_then(serde_json::Value::as_str);
    match arn {
        Some(arn) if arn.starts_with("arn:") => Concerns::Secret {
            arn: arn.to_owned(),
        },
        _ => Concerns::Unknown,
    }
}

/// A record that is a resource of its own, named by its `Arn` field.
pub(crate) fn record_of(resource_type: &str, at: &JsonAt<'_>) -> Concerns {
    match at.value().get("Arn").and_then(serde_json::Value::as_str) {
        Some(arn) => Concerns::Record {
            resource_type: resource_type.to_owned(),
            id: arn.to_owned(),
        },
        None => Concerns::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(api: Api, concerns: Concerns) -> LoadProblem {
        LoadProblem {
            region: "us-east-1".into(),
            api,
            file: "f.json".into(),
            path: "X[0]".into(),
            reason: "bad".into(),
            concerns,
        }
    }

    #[test]
    fn what_a_problem_touches() {
        let secret = Concerns::Secret {
            arn: "arn:s1".into(),
        };
        let policy = Concerns::Record {
            resource_type: "AWS::IAM::Policy".into(),
            id: "arn:p".into(),
        };
        let table = [
            (
                problem(Api::GetResourcePolicy, secret.clone()),
                SECRET_TYPE,
                "arn:s1",
                "us-east-1",
                true,
            ),
            (
                problem(Api::GetResourcePolicy, secret.clone()),
                SECRET_TYPE,
                "arn:s2",
                "us-east-1",
                false,
            ),
            (
                problem(Api::GetResourcePolicy, secret),
                SECRET_TYPE,
                "arn:s1",
                "eu-west-1",
                false,
            ),
            (
                problem(Api::GetAccountAuthorizationDetails, policy.clone()),
                SECRET_TYPE,
                "arn:s2",
                "eu-west-1",
                true,
            ),
            (
                problem(Api::GetAccountAuthorizationDetails, policy.clone()),
                "AWS::IAM::Policy",
                "arn:p",
                "global",
                true,
            ),
            (
                problem(Api::GetAccountAuthorizationDetails, policy),
                "AWS::IAM::Policy",
                "arn:q",
                "global",
                false,
            ),
            (
                problem(Api::LookupEvents, Concerns::Unknown),
                SECRET_TYPE,
                "arn:s2",
                "us-east-1",
                true,
            ),
            (
                problem(Api::ListSecretVersionIds, Concerns::Unknown),
                SECRET_TYPE,
                "arn:s2",
                "us-east-1",
                false,
            ),
        ];
        for (problem, kind, id, region, expected) in table {
            assert_eq!(
                problem.touches(kind, id, region),
                expected,
                "{problem:?} {id} {region}"
            );
        }
    }

    #[test]
    fn impossible_dates_are_rejected_with_their_path() {
        let collected: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let reading = Reading::new(collected);
        let doc = json!({"A": "2026-11-01T00:04:00Z", "B": "2026-11-01T00:06:00Z",
            "C": "1999-12-31T23:59:59Z", "D": 1_790_000_000_000_i64});
        let at = JsonAt::root(&doc);
        assert!(reading.past_date(&at, "A").unwrap().is_some());
        assert!(reading.past_date(&at, "Z").unwrap().is_none());
        for key in ["B", "C", "D"] {
            let error = reading.past_date(&at, key).unwrap_err();
            assert_eq!(error.path, key);
            assert!(error.message.starts_with("impossible date"), "{error}");
        }
    }
}

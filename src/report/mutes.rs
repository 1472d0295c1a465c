//! Mutes: accepted risks with an owner, a reason and an end date. A mutes file
//! (`{"mutes": [{"rule", "resource", "reason", "owner", "expires", "account_id"?, "region"?}]}`)
//! is parsed strictly ([`MuteFile::parse`]: every entry needs the three accountability fields,
//! unknown keys are errors, each error names its JSON path), then applied to the findings of a
//! report as a pure function ([`apply`]): which findings each mute covers, which mutes had lapsed
//! at the run's time, and which matched nothing.
//!
//! A mute covers NON_COMPLIANT and INSUFFICIENT_DATA findings only: a COMPLIANT or NOT_APPLICABLE
//! finding needs no acceptance, so a mute whose resources all became compliant is reported as
//! unused, which is how a stale mute gets noticed.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::LifecycleFileError;
use crate::arn::wildcard::{Case, Colons, matches};
use crate::findings::{ComplianceType, Finding};

/// When a mute stops applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// A calendar day: the mute holds through 23:59:59Z of that day.
    EndOfDay(NaiveDate),
    /// An instant: the mute holds until and including that time.
    At(DateTime<Utc>),
}

impl Expiry {
    /// Whether the mute still applies at `now`.
    pub fn holds_at(self, now: DateTime<Utc>) -> bool {
        match self {
            Expiry::EndOfDay(day) => match day.checked_add_days(Days::new(1)) {
                Some(next) => now < next.and_time(NaiveTime::MIN).and_utc(),
                None => true,
            },
            Expiry::At(time) => now <= time,
        }
    }
}

/// One entry of a mutes file.
#[derive(Debug, Clone, PartialEq)]
pub struct Mute {
    /// The entry's position in the file's `mutes` array.
    pub index: usize,
    /// Rule id pattern (`*`, `?`).
    pub rule: String,
    /// Pattern over the whole `resource.id`; `*` crosses `/` and `:`.
    pub resource: String,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub note: MuteNote,
    pub expiry: Expiry,
    /// The entry exactly as written, for `run.expired_mutes` / `run.unused_mutes`.
    pub written: Map<String, Value>,
}

/// What a muted finding carries: `"muted": {"reason", "owner", "expires"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MuteNote {
    pub reason: String,
    pub owner: String,
    /// As written in the mutes file (a date or an RFC 3339 time).
    pub expires: String,
}

/// A parsed mutes file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MuteFile {
    pub mutes: Vec<Mute>,
}

const ENTRY_KEYS: [&str; 7] = [
    "rule",
    "resource",
    "reason",
    "owner",
    "expires",
    "account_id",
    "region",
];

impl MuteFile {
    /// Parses the text of a mutes file; the error names the JSON path of the first problem.
    pub fn parse(text: &str) -> Result<MuteFile, LifecycleFileError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|cause| LifecycleFileError::in_text(format!("invalid JSON: {cause}")))?;
        let top = value.as_object().ok_or_else(|| {
            LifecycleFileError::new("$", "expected an object `{\"mutes\": [...]}`")
        })?;
        if let Some(unknown) = top.keys().find(|key| key.as_str() != "mutes") {
            return Err(LifecycleFileError::new(
                format!("$.{unknown}"),
                format!("unknown key `{unknown}`: expected `mutes`"),
            ));
        }
        let entries = match top.get("mutes") {
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(LifecycleFileError::new("$.mutes", "expected an array")),
            None => return Err(LifecycleFileError::new("$.mutes", "missing")),
        };
        let mutes = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_entry(index, entry))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MuteFile { mutes })
    }
}

fn parse_entry(index: usize, entry: &Value) -> Result<Mute, LifecycleFileError> {
    let at = format!("$.mutes[{index}]");
    let map = entry
        .as_object()
        .ok_or_else(|| LifecycleFileError::new(&at, "expected an object"))?;
    if let Some(unknown) = map.keys().find(|key| !ENTRY_KEYS.contains(&key.as_str())) {
        return Err(LifecycleFileError::new(
            format!("{at}.{unknown}"),
            format!(
                "unknown key `{unknown}`: expected {}",
                ENTRY_KEYS.map(|k| format!("`{k}`")).join(", ")
            ),
        ));
    }
    let required = |key: &str| -> Result<String, LifecycleFileError> {
        match map.get(key) {
            Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
            Some(Value::String(_)) => Err(LifecycleFileError::new(
                format!("{at}.{key}"),
                "must not be empty",
            )),
            Some(_) => Err(LifecycleFileError::new(
                format!("{at}.{key}"),
                "expected a string",
            )),
            None => Err(LifecycleFileError::new(
                format!("{at}.{key}"),
                "missing: every mute needs `rule`, `resource`, `reason`, `owner` and `expires`",
            )),
        }
    };
    let optional = |key: &str| -> Result<Option<String>, LifecycleFileError> {
        match map.get(key) {
            None => Ok(None),
            Some(_) => required(key).map(Some),
        }
    };
    let rule = required("rule")?;
    let resource = required("resource")?;
    let reason = required("reason")?;
    let owner = required("owner")?;
    let expires = required("expires")?;
    let expiry = parse_expiry(&expires).ok_or_else(|| {
        LifecycleFileError::new(
            format!("{at}.expires"),
            format!(
                "`{expires}` is neither a date (`2027-01-31`) nor an RFC 3339 time \
                 (`2027-01-31T12:00:00Z`)"
            ),
        )
    })?;
    Ok(Mute {
        index,
        rule,
        resource,
        account_id: optional("account_id")?,
        region: optional("region")?,
        note: MuteNote {
            reason,
            owner,
            expires,
        },
        expiry,
        written: map.clone(),
    })
}

/// A date (`2027-01-31`) or an RFC 3339 time with an offset.
fn parse_expiry(text: &str) -> Option<Expiry> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Expiry::EndOfDay(day));
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|time| Expiry::At(time.with_timezone(&Utc)))
}

impl Mute {
    /// Whether this mute's patterns cover `finding` (expiry aside).
    pub fn covers(&self, finding: &Finding) -> bool {
        let wild =
            |pattern: &str, text: &str| matches(pattern, text, Case::Sensitive, Colons::Free);
        wild(&self.rule, &finding.rule)
            && wild(&self.resource, &finding.resource.id)
            && self
                .account_id
                .as_deref()
                .is_none_or(|account| wild(account, &finding.resource.account_id))
            && self
                .region
                .as_deref()
                .is_none_or(|region| wild(region, &finding.resource.region))
    }

    /// The entry as written plus its `index`, as `run.expired_mutes` and `run.unused_mutes` list it.
    pub fn listed(&self) -> Value {
        let mut entry = self.written.clone();
        entry.insert("index".to_string(), Value::from(self.index));
        Value::Object(entry)
    }
}

/// What applying a mutes file to a report's findings gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MuteOutcome {
    /// For each finding (same order), the first mute in effect that covers it.
    pub notes: Vec<Option<MuteNote>>,
    /// Mutes that had lapsed at the run's time (for at least one account), as listed.
    pub expired: Vec<Value>,
    /// Mutes in effect that covered no finding, as listed.
    pub unused: Vec<Value>,
}

/// Applies `mutes` to `findings` (those of the rules in `rules_ran`). `evaluated_at(account)` is
/// the time that account was judged at: a mute lapsed then mutes none of that account's
/// findings. `run_evaluated_at` (the latest of those times) decides which mutes are listed as
/// expired. A mute whose `rule` matches no rule that ran (a `--rule` subset) is not unused: it
/// had nothing to judge.
pub fn apply(
    mutes: &MuteFile,
    findings: &[Finding],
    rules_ran: &[&str],
    evaluated_at: impl Fn(&str) -> DateTime<Utc>,
    run_evaluated_at: DateTime<Utc>,
) -> MuteOutcome {
    let mut matcher = MuteMatcher::new(mutes);
    let notes = findings
        .iter()
        .map(|finding| {
            matcher
                .note(finding, evaluated_at(&finding.resource.account_id))
                .cloned()
        })
        .collect();
    let (expired, unused) = matcher.finish(rules_ran, run_evaluated_at);
    MuteOutcome {
        notes,
        expired,
        unused,
    }
}

/// `apply` one finding at a time, in any order (a streamed report marks each finding as its
/// rule runs): the same notes, and the same lists at the end.
#[derive(Debug)]
pub struct MuteMatcher<'a> {
    mutes: &'a MuteFile,
    used: Vec<bool>,
}

impl<'a> MuteMatcher<'a> {
    pub fn new(mutes: &'a MuteFile) -> MuteMatcher<'a> {
        MuteMatcher {
            mutes,
            used: vec![false; mutes.mutes.len()],
        }
    }

    /// The note of the first mute in effect at `now` (the time the finding's account was judged
    /// at) that covers `finding`.
    pub fn note(&mut self, finding: &Finding, now: DateTime<Utc>) -> Option<&'a MuteNote> {
        if !matches!(
            finding.compliance_type,
            ComplianceType::NonCompliant | ComplianceType::InsufficientData
        ) {
            return None;
        }
        let mutes = self.mutes;
        let (index, mute) = mutes
            .mutes
            .iter()
            .enumerate()
            .find(|(_, mute)| mute.expiry.holds_at(now) && mute.covers(finding))?;
        if let Some(used) = self.used.get_mut(index) {
            *used = true;
        }
        Some(&mute.note)
    }

    /// The mutes that had lapsed at `run_evaluated_at` and those in effect that covered no
    /// finding of the rules in `rules_ran`, as listed.
    pub fn finish(
        self,
        rules_ran: &[&str],
        run_evaluated_at: DateTime<Utc>,
    ) -> (Vec<Value>, Vec<Value>) {
        let mut expired = Vec::new();
        let mut unused = Vec::new();
        for (mute, used) in self.mutes.mutes.iter().zip(self.used) {
            if !mute.expiry.holds_at(run_evaluated_at) {
                expired.push(mute.listed());
            } else if !used
                && rules_ran
                    .iter()
                    .any(|rule| matches(&mute.rule, rule, Case::Sensitive, Colons::Free))
            {
                unused.push(mute.listed());
            }
        }
        (expired, unused)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::findings::Severity;
    use crate::json_error::JsonPath;
    use crate::report::sample::finding;

    fn file(entries: &str) -> Result<MuteFile, LifecycleFileError> {
        MuteFile::parse(&format!("{{\"mutes\": [{entries}]}}"))
    }

    const GOOD: &str = r#"{"rule": "r*", "resource": "arn:aws:secretsmanager:*:111111111111:secret:legacy/*",
        "reason": "vault migration", "owner": "payments", "expires": "2026-11-01"}"#;

    #[test]
    fn a_missing_accountability_field_or_unknown_key_is_refused_with_its_path() {
        for (key, path) in [
            ("reason", "$.mutes[1].reason"),
            ("owner", "$.mutes[1].owner"),
            ("expires", "$.mutes[1].expires"),
            ("rule", "$.mutes[1].rule"),
        ] {
            let mut entry: Map<String, Value> = serde_json::from_str(GOOD).unwrap();
            entry.remove(key);
            let error = file(&format!("{GOOD}, {}", Value::Object(entry))).unwrap_err();
            assert_eq!(error.path, path, "{error}");
        }
        let error = file(&GOOD.replace("\"owner\"", "\"ownr\"")).unwrap_err();
        assert_eq!(error.path, "$.mutes[0].ownr");
        let error = file(&GOOD.replace("2026-11-01", "next year")).unwrap_err();
        assert_eq!(error.path, "$.mutes[0].expires");
        let error = file(&GOOD.replace("\"payments\"", "\"  \"")).unwrap_err();
        assert_eq!(error.path, "$.mutes[0].owner");
        assert_eq!(MuteFile::parse("[]").unwrap_err().path, "$");
        assert_eq!(MuteFile::parse("{}").unwrap_err().path, "$.mutes");
        assert_eq!(
            MuteFile::parse(r#"{"mutes": [], "x": 1}"#)
                .unwrap_err()
                .path,
            "$.x"
        );
        assert_eq!(MuteFile::parse("{").unwrap_err().path, JsonPath::text());
    }

    #[test]
    fn a_date_holds_through_the_end_of_that_day_and_a_time_until_that_instant() {
        let day = parse_expiry("2026-11-01").unwrap();
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 11, 1, h, m, s).unwrap();
        assert!(day.holds_at(at(23, 59, 59)));
        assert!(!day.holds_at(Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()));
        let time = parse_expiry("2026-11-01T12:00:00+02:00").unwrap();
        assert!(time.holds_at(at(10, 0, 0)));
        assert!(!time.holds_at(at(10, 0, 1)));
    }

    #[test]
    fn wildcards_cross_slashes_and_colons_and_match_the_whole_id() {
        let mutes = file(GOOD).unwrap();
        let mute = &mutes.mutes[0];
        let mut legacy = finding(
            "rotation",
            Severity::High,
            ComplianceType::NonCompliant,
            "legacy/a/b",
        );
        assert!(mute.covers(&legacy));
        legacy.resource.id.push_str("-extra");
        assert!(mute.covers(&legacy), "* at the end takes the rest");
        let other = finding(
            "rotation",
            Severity::High,
            ComplianceType::NonCompliant,
            "prod/legacy/a",
        );
        assert!(!mute.covers(&other), "the whole id must match");
        let wrong_rule = finding(
            "xrule",
            Severity::High,
            ComplianceType::NonCompliant,
            "legacy/a",
        );
        assert!(!mute.covers(&wrong_rule));
        let narrowed =
            file(&GOOD.replace("\"expires\"", "\"region\": \"eu-*\", \"expires\"")).unwrap();
        assert!(!narrowed.mutes[0].covers(&legacy), "us-east-1 is not eu-*");
    }

    #[test]
    fn apply_mutes_failing_findings_and_lists_expired_and_unused_mutes() {
        let mutes = file(&format!(
            "{GOOD}, {}, {}",
            GOOD.replace("2026-11-01", "2026-10-31"),
            GOOD.replace("legacy/*", "nothing/*")
        ))
        .unwrap();
        let findings = vec![
            finding(
                "rotation",
                Severity::High,
                ComplianceType::NonCompliant,
                "legacy/a",
            ),
            finding(
                "rotation",
                Severity::High,
                ComplianceType::Compliant,
                "legacy/b",
            ),
            finding(
                "rotation",
                Severity::High,
                ComplianceType::NonCompliant,
                "prod/c",
            ),
        ];
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
        let outcome = apply(&mutes, &findings, &["rotation"], |_| now, now);
        let other = apply(&mutes, &findings, &["other"], |_| now, now);
        assert!(
            other.unused.is_empty(),
            "a mute of a rule that did not run is not unused"
        );
        assert_eq!(outcome.notes[0].as_ref().unwrap().owner, "payments");
        assert_eq!(outcome.notes[1], None, "compliant findings are never muted");
        assert_eq!(outcome.notes[2], None);
        assert_eq!(outcome.expired.len(), 1);
        assert_eq!(outcome.expired[0]["index"], 1);
        assert_eq!(outcome.expired[0]["expires"], "2026-10-31");
        assert_eq!(outcome.unused.len(), 1);
        assert_eq!(outcome.unused[0]["index"], 2);
    }
}

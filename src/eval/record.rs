//! What an evaluation notes on the way: nothing on the hot path ([`Quiet`]), everything for
//! the trace ([`Notes`]).

use std::collections::BTreeMap;

use super::StatementRef;
use crate::policy::Effect;

/// Receives what the matchers see. `TRACING` tells them whether to keep evaluating after the
/// outcome is known (to find every missing key).
pub(crate) trait Recorder {
    const TRACING: bool;
    fn missing_key(&mut self, key: &str);
    fn unknown_key(&mut self, key: &str);
    fn statement(&mut self, effect: Effect, reference: impl FnOnce() -> StatementRef);
}

/// Records nothing: `decide`.
#[derive(Debug, Default)]
pub(crate) struct Quiet;

impl Recorder for Quiet {
    const TRACING: bool = false;
    fn missing_key(&mut self, _key: &str) {}
    fn unknown_key(&mut self, _key: &str) {}
    fn statement(&mut self, _effect: Effect, _reference: impl FnOnce() -> StatementRef) {}
}

/// Records keys and statements: `evaluate`.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// lower-cased key → key as first written
    pub(crate) missing: BTreeMap<String, String>,
    pub(crate) unknown: BTreeMap<String, String>,
    pub(crate) allowed: Vec<StatementRef>,
    pub(crate) denied: Vec<StatementRef>,
}

impl Recorder for Notes {
    const TRACING: bool = true;

    fn missing_key(&mut self, key: &str) {
        self.missing
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| key.to_owned());
    }

    fn unknown_key(&mut self, key: &str) {
        self.unknown
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| key.to_owned());
    }

    fn statement(&mut self, effect: Effect, reference: impl FnOnce() -> StatementRef) {
        match effect {
            Effect::Allow => self.allowed.push(reference()),
            Effect::Deny => self.denied.push(reference()),
        }
    }
}

//! The compliance rules: the catalogue of rule metadata (`rules/*.json`, embedded at build time
//! or read from `--rules DIR`), parameter overrides from `--config`, one pure function per rule
//! (`checks/`), and `run_audit`, which runs them over an account snapshot and returns findings.
//!
//! Every rule follows the general semantics of `docs/rules.md`: replicas and secrets pending deletion
//! are NOT_APPLICABLE unless the rule says otherwise, data that was not collected gives
//! INSUFFICIENT_DATA (never COMPLIANT), and every annotation names the branch taken with the
//! measured value and the limit. Rules read the snapshot and the evaluator's decisions only: no
//! rule inspects policy text with patterns, reads the wall clock (`now` is an argument), does
//! I/O or prints.
//!
//! Adding a rule: `rules/<id>.json`, `checks/<id with _>.rs` with its `check` function, one line
//! in the registry table of `checks/mod.rs`.

mod catalogue;
mod checks;
mod config;
mod context;
mod error;
mod meta;
mod outside_access;
mod params;
mod rotation_events;
mod rotation_interval;
mod run;
pub mod schedule;

pub use catalogue::{Catalogue, registered_rule_ids, rule_reads};
pub use config::RuleConfig;
pub use error::RuleError;
pub use meta::RuleMeta;
pub use params::{ParamSpec, ParamType, Params};
pub use run::{AuditOutcome, chosen_rules, run_audit, run_rules};

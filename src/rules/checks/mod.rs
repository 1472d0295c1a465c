//! The rule functions, one file per rule, and the registry that ties each rule id to its rule
//! file (embedded at build time) and its function.
//!
//! Adding a rule: write `rules/<id>.json`, write `src/rules/checks/<id with _>.rs` with one
//! `pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError>`, and add
//! one line to the table below. The catalogue test (`tests/rules_catalogue.rs`) checks all three
//! agree.

use super::context::{RuleContext, Verdict};
use super::error::RuleError;

/// A rule function: pure, judging every resource it concerns.
pub(crate) type RuleFn = fn(&RuleContext<'_>) -> Result<Vec<Verdict>, RuleError>;

/// One registered rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleEntry {
    pub id: &'static str,
    /// The text of `rules/<id>.json`.
    pub file: &'static str,
    pub check: RuleFn,
}

/// Declares each rule's module and its registry entry.
macro_rules! registry {
    ($($module:ident => $id:literal,)*) => {
        $(mod $module;)*

        /// Every rule with a function, in id order.
        pub(crate) const REGISTRY: &[RuleEntry] = &[
            $(RuleEntry {
                id: $id,
                file: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".json")),
                check: $module::check,
            },)*
        ];
    };
}

registry! {
    iam_secret_wildcard_overmatch => "iam-secret-wildcard-overmatch",
    secretsmanager_credential_lifetime => "secretsmanager-credential-lifetime",
    secretsmanager_deleted_secret_access => "secretsmanager-deleted-secret-access",
    secretsmanager_managed_secret_impaired => "secretsmanager-managed-secret-impaired",
    secretsmanager_policy_cross_account => "secretsmanager-policy-cross-account",
    secretsmanager_policy_not_public => "secretsmanager-policy-not-public",
    secretsmanager_replication_healthy => "secretsmanager-replication-healthy",
    secretsmanager_rotation_enabled_check => "secretsmanager-rotation-enabled-check",
    secretsmanager_rotation_failures => "secretsmanager-rotation-failures",
    secretsmanager_scheduled_rotation_success_check => "secretsmanager-scheduled-rotation-success-check",
    secretsmanager_secret_broad_readers => "secretsmanager-secret-broad-readers",
    secretsmanager_secret_periodic_rotation => "secretsmanager-secret-periodic-rotation",
    secretsmanager_secret_tagged => "secretsmanager-secret-tagged",
    secretsmanager_secret_unused => "secretsmanager-secret-unused",
    secretsmanager_using_cmk => "secretsmanager-using-cmk",
}

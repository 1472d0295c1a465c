//! The rule functions, one file per rule, and the registry that ties each rule id to its rule
//! file (embedded at build time) and its function.
//!
//! Adding a rule: write `rules/<id>.json`, write `src/rules/checks/<id with _>.rs` with one
//! `pub(crate) fn check(context: &RuleContext<'_>) -> Result<Vec<Verdict>, RuleError>`, and add
//! one line to the table below, naming the snapshot data the rule reads (the runner turns a
//! bad record of that data into INSUFFICIENT_DATA for what it touches). The catalogue test (`tests/rules_catalogue.rs`) checks all three
//! agree.

use super::context::{RuleContext, Verdict};
use super::error::RuleError;
use crate::snapshot::Api;

/// A rule function: pure, judging every resource it concerns.
pub(crate) type RuleFn = fn(&RuleContext<'_>) -> Result<Vec<Verdict>, RuleError>;

/// One registered rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleEntry {
    pub id: &'static str,
    /// The text of `rules/<id>.json`.
    pub file: &'static str,
    pub check: RuleFn,
    /// The snapshot data the rule's judgements read.
    pub reads: &'static [Api],
}

/// Declares each rule's module and its registry entry.
macro_rules! registry {
    ($($module:ident => $id:literal reads [$($api:ident),*],)*) => {
        $(mod $module;)*

        /// Every rule with a function, in id order.
        pub(crate) const REGISTRY: &[RuleEntry] = &[
            $(RuleEntry {
                id: $id,
                file: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".json")),
                check: $module::check,
                reads: &[$(Api::$api),*],
            },)*
        ];
    };
}

registry! {
    iam_secret_wildcard_overmatch => "iam-secret-wildcard-overmatch" reads [ListSecrets, DescribeSecret, GetAccountAuthorizationDetails],
    secretsmanager_credential_lifetime => "secretsmanager-credential-lifetime" reads [ListSecrets, DescribeSecret],
    secretsmanager_deleted_secret_access => "secretsmanager-deleted-secret-access" reads [ListSecrets, DescribeSecret, LookupEvents],
    secretsmanager_managed_secret_impaired => "secretsmanager-managed-secret-impaired" reads [ListSecrets, DescribeSecret, DescribeDbClusters, DescribeDbInstances],
    secretsmanager_policy_cross_account => "secretsmanager-policy-cross-account" reads [ListSecrets, DescribeSecret, GetResourcePolicy, OrganizationsPolicies, DescribeKey, ListAliases, GetKeyPolicy],
    secretsmanager_policy_not_public => "secretsmanager-policy-not-public" reads [ListSecrets, DescribeSecret, GetResourcePolicy, OrganizationsPolicies, DescribeKey, ListAliases, GetKeyPolicy],
    secretsmanager_replication_healthy => "secretsmanager-replication-healthy" reads [ListSecrets, DescribeSecret],
    secretsmanager_rotation_enabled_check => "secretsmanager-rotation-enabled-check" reads [ListSecrets, DescribeSecret],
    secretsmanager_rotation_failures => "secretsmanager-rotation-failures" reads [ListSecrets, DescribeSecret, LookupEvents],
    secretsmanager_scheduled_rotation_success_check => "secretsmanager-scheduled-rotation-success-check" reads [ListSecrets, DescribeSecret, LookupEvents],
    secretsmanager_secret_broad_readers => "secretsmanager-secret-broad-readers" reads [ListSecrets, DescribeSecret, GetResourcePolicy, GetAccountAuthorizationDetails, OrganizationsPolicies, DescribeKey],
    secretsmanager_secret_periodic_rotation => "secretsmanager-secret-periodic-rotation" reads [ListSecrets, DescribeSecret, ListSecretVersionIds],
    secretsmanager_secret_tagged => "secretsmanager-secret-tagged" reads [ListSecrets, DescribeSecret],
    secretsmanager_secret_unused => "secretsmanager-secret-unused" reads [ListSecrets, DescribeSecret],
    secretsmanager_using_cmk => "secretsmanager-using-cmk" reads [ListSecrets, DescribeSecret, DescribeKey, ListAliases],
}

//! The IAM actions the collector and the Config custom-rule mode call, in one place: the shipped
//! read-only policy (`policies/secaudit-read-only.json`) is tested against these lists, and the
//! two actions that read secret values are listed here only to prove that nothing needs them.
//!
//! This module is data only; it calls nothing.

/// Every action `secaudit collect` performs in an audited account (and `audit` without
/// `--snapshot`). `sts:GetCallerIdentity` needs no permission but is listed for completeness.
pub const COLLECTOR_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "secretsmanager:ListSecrets",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
    "iam:GetAccountAuthorizationDetails",
    "rds:DescribeDBClusters",
    "rds:DescribeDBInstances",
    "kms:DescribeKey",
    "kms:ListAliases",
    "kms:GetKeyPolicy",
    "cloudtrail:LookupEvents",
];

/// The extra actions of `secaudit config-rule`.
pub const CONFIG_RULE_ACTIONS: &[&str] = &[
    "config:PutEvaluations",
    "config:GetComplianceDetailsByConfigRule",
];

/// Actions that read secret values: no code path calls them and the read-only policy denies them.
pub const FORBIDDEN_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
];

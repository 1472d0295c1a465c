//! The IAM actions the collector and the Config custom-rule mode call, in one place: the shipped
//! read-only policy (`policies/secaudit-read-only.json`) is tested against these lists, and the
//! two actions that read secret values are listed here only to prove that nothing needs them.
//!
//! This module is data only; it calls nothing (`tests/read_only_policy.rs` includes it as is).
//! `config_rule::actions_for` says which actions a Config rule needs beyond
//! [`CONFIG_RULE_BASE_ACTIONS`] (the SAM template is tested against both).

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
    "account:ListRegions",
];

/// The extra actions of `secaudit collect --organization`, in the management account or a
/// delegated administrator (`policies/secaudit-organization.json`, with `sts:AssumeRole` on the
/// member role).
pub const ORGANIZATION_ACTIONS: &[&str] = &[
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListRoots",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:DescribePolicy",
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

/// What `secaudit config-rule` calls for every rule: its secret or the region's secrets (one
/// secret's DescribeSecret on a change, ListSecrets on a scheduled run, and each secret's
/// versions and resource policy), the caller's identity, and the two Config calls.
pub const CONFIG_RULE_BASE_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "secretsmanager:ListSecrets",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
    "config:PutEvaluations",
    "config:GetComplianceDetailsByConfigRule",
];

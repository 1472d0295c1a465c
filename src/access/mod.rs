//! Who can access each secret of an account: the principals of a snapshot (users, roles, and
//! the principals of other accounts that resource policies name), their policy sets and request
//! contexts, and for every secret the principals allowed each action, through the identity
//! side, the resource side or both, `Conditional` where the snapshot cannot settle a condition;
//! actions that read or write the value also need the secret's KMS key (`kms`).
//!
//! The same for an organization (`AccessModelBuilder`, one account snapshot after the other):
//! every principal of every collected account against every secret of every collected account,
//! each principal with its own account's SCPs, each secret and key with its own account's RCPs,
//! cross-account requests allowed only when both sides allow (the evaluator's rule). Accounts
//! not collected stay external principals. A bad record of a snapshot makes only the entries it
//! concerns `Conditional`, with its file and JSON path among the reasons (`model`).
//!
//! It owns the analysis and its fast path (secret classes, threads) and the per-request view
//! that snapshot-backed policy tests use (`request_for`). It never prints, never reads files
//! (the caller loads the snapshot; `SnapshotCasePolicies`, the hook of snapshot-backed case
//! files, is the one exception) and never re-implements policy matching: every decision is
//! `crate::eval`'s.
//!
//! Scale (2026-12-05, this 2-core machine shared with seven other engineers' builds, load
//! average 6–6.6, release build without the `aws` feature): the generator's account (variables
//! in `Resource`, 2,857 distinct resource policies with `Principal: "*"` + conditions and
//! `NotPrincipal`, ABAC on a 3,000-value tag, groups, boundaries, two SCP levels, 16 KMS keys)
//! of 2,000 principals (+18 external) × 40,000 secrets × 3 actions, KMS included: 103 s wall
//! (analysis 78 s of it), 57 s user + 10 s system CPU, peak RSS 677 MB:
//! `cargo run --release --no-default-features --example gen_snapshot -- --principals 2000
//! --secrets 40000 --out /tmp/big`, then `/usr/bin/time -v ./target/release/secaudit access
//! --snapshot /tmp/big --format json --output /tmp/out.json` (34,515 atoms, 2.3 million
//! principal × class pairs, 7.0 million judgements). Before the per-principal partial
//! evaluation (same account without KMS, 500 × 10,000): 22.9 s user, after: 2.8 s, same bytes.
//! `tests.rs` checks on generated accounts with all those structures that the class-based
//! result equals one-by-one evaluation of every request.

mod actions;
mod analysis;
mod case_snapshot;
mod classes;
mod context;
mod keys;
mod kms;
mod model;
mod report;
mod single;

#[cfg(test)]
mod tests;

pub use actions::{DEFAULT_ACTIONS, STANDARD_STAGES};
pub use analysis::{
    AccessAnalysis, AccessEntry, AccessQuery, AccessStats, ByPrincipal, Grant, GrantDecision,
    KeyVerdict, Via, Why, analyse, normalise_actions,
};
pub use case_snapshot::SnapshotCasePolicies;
pub use model::{
    ASSUMED_IDENTITY_POLICY, AccessModel, AccessModelBuilder, AccountSnapshot, AnalysedPrincipal,
    KeyFacts, PrincipalKind, SecretFacts,
};
pub use report::{ReportFormat, ReportOptions, write_report};
pub use single::{judge_one, policy_set_for, request_for};

/// Why the analysis could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The snapshot lacks `iam/get-account-authorization-details.json`.
    #[error(
        "the snapshot has no IAM data (`iam/get-account-authorization-details.json`): who-can-access needs it"
    )]
    NoIamData,
    /// A principal the snapshot does not hold.
    #[error(
        "principal `{0}` is not a user or role of the snapshot, nor named by a resource policy"
    )]
    UnknownPrincipal(String),
    /// A secret the snapshot does not hold.
    #[error("secret `{0}` is not in the snapshot")]
    UnknownSecret(String),
    /// A worker thread of the analysis panicked: the result would be incomplete.
    #[error("the access analysis failed: a worker thread panicked (this is a bug in secaudit)")]
    WorkerFailed,
    /// An action that is not `service:Action`.
    #[error("invalid action `{0}`: expected `service:Action` without wildcards")]
    InvalidAction(String),
}

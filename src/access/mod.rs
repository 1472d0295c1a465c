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
//! concerns `Conditional`, with its file and JSON path among the reasons (`model`). An
//! organization directory of 4 generated accounts of 500 principals and 10,000 secrets each
//! (`gen_snapshot --accounts 4 --principals 500 --secrets 10000`), 3 actions, `--output
//! /dev/null`: 56 s wall at load 1.4–2.3, 59 s user CPU, 538 MB peak RSS.
//!
//! It owns the analysis and its fast path (secret classes, threads) and the per-request view
//! that snapshot-backed policy tests use (`request_for`). It never prints, never reads files
//! (the caller loads the snapshot; `SnapshotCasePolicies`, the hook of snapshot-backed case
//! files, is the one exception) and never re-implements policy matching: every decision is
//! `crate::eval`'s.
//!
//! Scale: the generator's account (variables in `Resource`, 2,857 distinct resource policies
//! with `Principal: "*"` + conditions and `NotPrincipal`, ABAC on a 3,000-value tag, groups,
//! boundaries, two SCP levels, 16 KMS keys) of 2,000 principals (+18 external) × 40,000
//! secrets × 3 actions, KMS included: `cargo run --release --no-default-features --example
//! gen_snapshot -- --principals 2000 --secrets 40000 --out /tmp/big`, then `/usr/bin/time -v
//! ./target/release/secaudit -v access --snapshot /tmp/big --format json --output
//! /tmp/out.json` (34,515 atoms; this 2-core machine shared with six other engineers' builds,
//! release build without the `aws` feature). Measured 2026-12-05 at load average 3.7–4.3:
//! **46 s wall** (target 60 s), of which writing the 8.5 GB report 15.5 s; 24.7 s user + 6.8 s
//! system CPU (the system time is the page cache taking the report), peak RSS 689 MB; with
//! `--output /dev/null` at load 3.6: 20.9 s wall, 20.7 s user. At load 5–7.4 the same run took
//! 108 s wall (38.9 s user + 9.5 s system). Before this round, the same
//! machine at load 1.5–5: 60.6 s user CPU against 33.5 s after, measured back to back with
//! `taskset -c 0 … --threads 1 --output /dev/null` at load 3.4–4 (1.8× less CPU; at 500 ×
//! 10,000: 6.1 s → 2.5 s, 2.5×), same bytes (checked by MD5 at both sizes). What changed:
//! classes no longer include the KMS key (the secret side is judged once per class and the
//! key side, a cached per-principal outcome, is added per (class, key): 2.32 million principal
//! × class pairs and 6.96 million judgements → 1.11 million and 3.33 million); one context per
//! (principal, action) is reused and only its secret-side keys are replaced per judgement
//! (rebuilding ~20 keys per judgement was a quarter of the time); atoms share their
//! matching-pattern lists, which each principal turns into bits once; the class maps hash
//! their integer keys with a fast hasher. What is left (perf samples at full size): the
//! projection of every atom for every principal (2,000 × 34,515) ≈18 %, the per-principal
//! partial evaluation of the 2,857 resource policies and the row assembly ≈16 % plus the
//! principal matcher's 5 %, the judgements themselves ≈20 %; the 8.5 GB report (≈13 million
//! entries, half of each entry its `why`) goes into `/dev/null` in 1.5–2.2 s, so on a file the
//! disk and the page cache set the pace.
//! `tests.rs` checks on generated accounts with all those structures that the class-based
//! result equals one-by-one evaluation of every request, and on a generated three-account
//! organization. An organization directory of 4 such accounts of 500 principals and 10,000
//! secrets each (`gen_snapshot --accounts 4 --principals 500 --secrets 10000`), 3 actions:
//! 228 s wall at load 5–7 (the run got 46 % of the two CPUs), 106 s user CPU, 368 MB peak RSS.
//! One account of 500 × 10,000, `taskset -c 0`, load ≈7: 8.1 s user against 9.6–10.1 s
//! before organization support, same bytes.

mod actions;
mod analysis;
mod case_snapshot;
mod classes;
mod context;
mod details;
mod keys;
mod kms;
mod model;
pub(crate) mod outsiders;
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
pub use details::ConditionDetail;
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

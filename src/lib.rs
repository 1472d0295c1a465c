//! secaudit: a policy and compliance audit engine for AWS Secrets Manager.
//!
//! The library is the pure core: the IAM policy model and evaluator, the policy unit-test runner,
//! the account snapshot model, the compliance rules, the who-can-access analysis and the report
//! writers. It never prints and never reads the wall clock; the binary (`src/main.rs`,
//! `src/cli/`) owns the terminal, the clock and the exit codes. Live collection from AWS
//! (`collect`) is the only networked code and sits behind the default `aws` feature.

pub mod access;
pub mod arn;
pub mod catalogue;
#[cfg(feature = "aws")]
pub mod collect;
pub mod eval;
pub mod findings;
pub mod json_error;
pub mod lint;
pub mod policy;
pub mod policytest;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod terminal;

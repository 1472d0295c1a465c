//! The account snapshot: the model of a snapshot directory (AWS CLI JSON output of Secrets
//! Manager, IAM, RDS, KMS, CloudTrail and Organizations, plus `snapshot.json`) and its loader.
//!
//! This module owns reading a snapshot into plain data and answering "was this collected?"; it
//! never writes snapshots (the collector writes the files itself), never judges (rules do), never
//! evaluates policies (`crate::eval` does) and never reads the wall clock ("now" is
//! `meta.collected_at`).
//!
//! Use:
//! ```no_run
//! # use std::path::Path;
//! use secaudit::snapshot::{Api, Availability, Snapshot};
//! let snapshot = Snapshot::load(Path::new("fixtures/snapshots/demo"))?;
//! for (region, secret) in snapshot.secrets() {
//!     if let Availability::Missing { reason } = snapshot.availability(region, Api::GetResourcePolicy) {
//!         // INSUFFICIENT_DATA for this secret, quoting `reason`
//!         # let _ = (secret, reason);
//!     }
//! }
//! # Ok::<(), secaudit::snapshot::SnapshotError>(())
//! ```
//!
//! Conventions: `Option::None` on a collection means "not collected", never "empty"; per-secret
//! maps (`versions`, `resource_policies`) also leave out secrets that were not collected.
//! Timestamps are UTC; `LastAccessedDate` is a date at midnight. Policy documents (IAM, resource
//! policies, SCPs, RCPs) are `serde_json::Value` objects, already URL-decoded, ready for
//! `crate::policy::Policy::from_value`. Secrets are sorted by ARN, CloudTrail events by time.

mod cloudtrail;
mod coverage;
mod error;
mod iam;
mod json_path;
mod kms;
mod load;
mod meta;
mod model;
mod organizations;
mod policy_document;
mod problem;
mod rds;
mod secrets;
mod stream;
mod timestamp;

pub use cloudtrail::TrailEvent;
pub use coverage::{Api, Availability, CoverageEntry, CoverageStatus, GLOBAL_REGION};
pub use error::SnapshotError;
pub use iam::{
    AttachedPolicy, IamAuthorizationDetails, IamGroup, IamRole, IamUser, InlinePolicy,
    ManagedPolicy, NamedDocument, PermissionsBoundary, PolicyVersion, PrincipalDocuments,
};
pub use json_path::FieldError;
pub use kms::{
    DEFAULT_SECRETS_KEY_ALIAS, KeyPolicyState, KmsAlias, KmsKeyMetadata, resolve_kms_key,
};
pub use load::{MAX_FILE_BYTES, META_FILE};
pub use meta::SCHEMA_VERSION;
pub use model::{RegionData, Snapshot, SnapshotMeta};
pub use organizations::{OrganizationPolicies, OrganizationPolicy};
pub use policy_document::decode_policy_text;
pub use problem::{CLOCK_SKEW_MINUTES, Concerns, LoadMode, LoadProblem};
pub use rds::{DbCluster, DbInstance, MasterUserSecret};
pub use secrets::{ReplicaStatus, ResourcePolicyState, RotationRules, Secret, SecretVersion, Tag};
pub use timestamp::{parse_timestamp, parse_timestamp_text};

//! Snapshot-backed policy tests: the `crate::policytest::SnapshotPolicies` hook that gives a
//! case file with `"snapshot": "DIR"` the policies of each request from an account snapshot —
//! the principal's identity policies (inline, managed at their default version, groups), its
//! permissions boundary and SCP levels, the secret's resource policy and the RCP levels.
//! What the case file gives itself wins: its `session_policy`, and its `scps` / `rcps` when not
//! empty. The request's `context` is used as written (no keys are derived here).
//!
//! This is the one place the access module reads files: each snapshot directory is loaded once
//! per run and kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{AccessModel, policy_set_for};
use crate::eval::{PolicySet, Principal, Request};
use crate::policytest::SnapshotPolicies;
use crate::snapshot::Snapshot;

/// Loads each snapshot once and answers the policies of snapshot-backed requests.
#[derive(Debug, Default)]
pub struct SnapshotCasePolicies {
    models: Mutex<BTreeMap<PathBuf, Result<Arc<AccessModel>, String>>>,
}

impl SnapshotCasePolicies {
    /// An empty cache.
    pub fn new() -> SnapshotCasePolicies {
        SnapshotCasePolicies::default()
    }

    fn model(&self, snapshot: &Path) -> Result<Arc<AccessModel>, String> {
        let mut models = self
            .models
            .lock()
            .map_err(|_| "the snapshot cache is unusable after a failure".to_owned())?;
        models
            .entry(snapshot.to_path_buf())
            .or_insert_with(|| {
                let loaded = Snapshot::load(snapshot).map_err(|error| error.to_string())?;
                AccessModel::from_snapshot(&loaded)
                    .map(Arc::new)
                    .map_err(|error| format!("snapshot `{}`: {error}", snapshot.display()))
            })
            .clone()
    }
}

impl SnapshotPolicies for SnapshotCasePolicies {
    fn policies(
        &self,
        snapshot: &Path,
        request: &Request,
        inline: &PolicySet,
    ) -> Result<PolicySet, String> {
        let model = self.model(snapshot)?;
        let principal = match &request.principal {
            Principal::Arn(arn) => arn.arn().to_owned(),
            Principal::Anonymous => {
                return Err(
                    "an anonymous caller has no policies in a snapshot; name a user or role"
                        .to_owned(),
                );
            }
        };
        let mut set =
            policy_set_for(&model, &principal, &request.resource).map_err(|e| e.to_string())?;
        if inline.session.is_some() {
            set.session = inline.session.clone();
        }
        if !inline.scps.is_empty() {
            set.scps = inline.scps.clone();
        }
        if !inline.rcps.is_empty() {
            set.rcps = inline.rcps.clone();
        }
        Ok(set)
    }
}

//! How case files are loaded: whether requests must say what they expect, and the hook that
//! resolves the policies of snapshot-backed cases. This module only declares the hook; the
//! snapshot side implements it.

use std::path::Path;

use crate::eval::{PolicySet, Request};

/// Whether every request must say what it expects (`secaudit test`) or may leave it out
/// (`secaudit eval --cases`, where the decision is the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectations {
    Required,
    Optional,
}

/// How case files are loaded: whether requests must carry `expect`, and who resolves the
/// policies of snapshot-backed cases (`"snapshot": "path/to/snapshot"`).
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    pub expectations: Expectations,
    /// `None`: a case file with `snapshot` is an error ("not supported yet").
    pub snapshot: Option<&'a dyn SnapshotPolicies>,
}

impl LoadOptions<'static> {
    /// Options without snapshot support.
    pub fn new(expectations: Expectations) -> Self {
        Self {
            expectations,
            snapshot: None,
        }
    }
}

impl std::fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("expectations", &self.expectations)
            .field("snapshot", &self.snapshot.is_some())
            .finish()
    }
}

/// Resolves, for a snapshot-backed case, the policies that apply to one request: the
/// principal's identity policies and boundary and the secret's resource policy, taken from the
/// account snapshot. The hook through which snapshot support is wired in (the access analysis
/// owns snapshots; this module only calls it).
pub trait SnapshotPolicies {
    /// `snapshot` is the case's `snapshot` path resolved against the case file's directory;
    /// `inline` holds what the case file itself gives (SCPs, RCPs, a session policy). The
    /// error is one line, lowercase, without the file or the JSON path (the caller adds them).
    fn policies(
        &self,
        snapshot: &Path,
        request: &Request,
        inline: &PolicySet,
    ) -> Result<PolicySet, String>;
}

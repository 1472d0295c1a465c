//! What the collector tells its caller while it runs, so that the binary can draw progress bars
//! (the library never prints). Every method has an empty default; [`NoProgress`] ignores all.

/// Progress events of a collection run; called from many tasks at once.
pub trait Progress: Send + Sync {
    /// An account-region starts.
    fn region_started(&self, _account_id: &str, _region: &str) {}
    /// The secrets of an account-region are listed: `work` per-secret calls follow.
    fn secrets_listed(&self, _account_id: &str, _region: &str, _secrets: usize, _work: usize) {}
    /// One per-secret call finished.
    fn call_done(&self, _account_id: &str, _region: &str) {}
    /// An account-region finished; `partial` when something could not be collected.
    fn region_finished(&self, _account_id: &str, _region: &str, _partial: bool) {}
    /// An account finished (snapshot written or failed).
    fn account_finished(&self, _account_id: &str, _partial: bool) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

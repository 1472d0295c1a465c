//! The context every call of one account-region goes through: the limits (concurrency and
//! rate), the call counter for the summary, and progress reporting. A call that fails after
//! the SDK's retries comes back as a [`CallFailure`], never as a panic or an abort.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::coverage::{CallFailure, CoverageStatus};
use super::limits::RegionLimits;
use super::progress::Progress;

/// One account-region being collected.
#[derive(Clone)]
pub(crate) struct RegionRun {
    pub(crate) account_id: Arc<str>,
    /// `aws`, `aws-cn`, … (to build ARNs).
    pub(crate) partition: Arc<str>,
    pub(crate) region: Arc<str>,
    pub(crate) limits: Arc<RegionLimits>,
    pub(crate) calls: Arc<AtomicU64>,
    pub(crate) progress: Arc<dyn Progress>,
}

impl std::fmt::Debug for RegionRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionRun")
            .field("account_id", &self.account_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl RegionRun {
    /// Runs one API call within the limits of `api` and counts it.
    pub(crate) async fn call<T, Fut>(
        &self,
        api: &'static str,
        send: impl FnOnce() -> Fut,
    ) -> Result<T, CallFailure>
    where
        Fut: Future<Output = Result<T, CallFailure>>,
    {
        let Some(_permit) = self.limits.start(api).await else {
            return Err(CallFailure {
                status: CoverageStatus::Error,
                code: None,
                message: "collection was cancelled".to_owned(),
            });
        };
        self.calls.fetch_add(1, Ordering::Relaxed);
        let result = send().await;
        if let Err(failure) = &result {
            tracing::debug!(
                account = %self.account_id, region = %self.region, api,
                "call failed: {}", failure.message
            );
        }
        result
    }

    pub(crate) fn call_done(&self) {
        self.progress.call_done(&self.account_id, &self.region);
    }
}

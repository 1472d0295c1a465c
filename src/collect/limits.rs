//! How hard the collector may push AWS: a cap on calls in flight per account-region, a cap per
//! API across the whole run, and a request rate per API and account-region below the service
//! quotas (Secrets Manager: GetResourcePolicy 50 per second per region; CloudTrail LookupEvents
//! 2 per second per account and region). Throttling that still happens is left to the SDK's
//! standard retry with backoff (not adaptive: its client-side limiter can stall for a minute).
//!
//! Owns only waiting; it calls no API.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Calls in flight per account-region.
pub const REGION_CONCURRENCY: usize = 16;

/// Calls in flight per API for the whole run, and the rate per account-region.
#[derive(Debug, Clone, Copy)]
pub struct ApiLimit {
    pub api: &'static str,
    pub in_flight: usize,
    pub per_second: u32,
}

/// The limits per API; an API not listed gets [`DEFAULT_LIMIT`].
pub const API_LIMITS: &[ApiLimit] = &[
    ApiLimit {
        api: "secretsmanager:ListSecrets",
        in_flight: 8,
        per_second: 20,
    },
    ApiLimit {
        api: "secretsmanager:DescribeSecret",
        in_flight: 32,
        per_second: 200,
    },
    ApiLimit {
        api: "secretsmanager:ListSecretVersionIds",
        in_flight: 32,
        per_second: 100,
    },
    ApiLimit {
        api: "secretsmanager:GetResourcePolicy",
        in_flight: 32,
        per_second: 40,
    },
    ApiLimit {
        api: "kms:DescribeKey",
        in_flight: 16,
        per_second: 50,
    },
    ApiLimit {
        api: "cloudtrail:LookupEvents",
        in_flight: 8,
        per_second: 2,
    },
];

/// The limit of an API without an entry in [`API_LIMITS`].
pub const DEFAULT_LIMIT: ApiLimit = ApiLimit {
    api: "*",
    in_flight: 8,
    per_second: 10,
};

fn limit_of(api: &str) -> ApiLimit {
    API_LIMITS
        .iter()
        .copied()
        .find(|limit| limit.api == api)
        .unwrap_or(DEFAULT_LIMIT)
}

/// Spaces calls evenly: at most `per_second` starts per second.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |next| next.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The run-wide per-API semaphores.
#[derive(Debug)]
pub struct RunLimits {
    per_api: BTreeMap<&'static str, Arc<Semaphore>>,
    default: Arc<Semaphore>,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            per_api: API_LIMITS
                .iter()
                .map(|limit| (limit.api, Arc::new(Semaphore::new(limit.in_flight))))
                .collect(),
            default: Arc::new(Semaphore::new(DEFAULT_LIMIT.in_flight)),
        }
    }
}

/// The limits of one account-region: its own in-flight cap and rate limiters, plus the run's.
#[derive(Debug)]
pub struct RegionLimits {
    run: Arc<RunLimits>,
    in_flight: Arc<Semaphore>,
    rates: BTreeMap<&'static str, RateLimiter>,
    default_rate: RateLimiter,
}

/// Held while a call is in flight.
#[derive(Debug)]
pub struct CallPermit {
    _region: OwnedSemaphorePermit,
    _api: OwnedSemaphorePermit,
}

impl RegionLimits {
    pub fn new(run: Arc<RunLimits>) -> RegionLimits {
        RegionLimits {
            run,
            in_flight: Arc::new(Semaphore::new(REGION_CONCURRENCY)),
            rates: API_LIMITS
                .iter()
                .map(|limit| (limit.api, RateLimiter::new(limit.per_second)))
                .collect(),
            default_rate: RateLimiter::new(DEFAULT_LIMIT.per_second),
        }
    }

    /// Waits until a call of `api` may start; the permit ends the call when dropped.
    /// Returns `None` only if a semaphore was closed, which this module never does.
    pub async fn start(&self, api: &str) -> Option<CallPermit> {
        let api_semaphore = self.run.per_api.get(api).unwrap_or(&self.run.default);
        let api_permit = Arc::clone(api_semaphore).acquire_owned().await.ok()?;
        let region_permit = Arc::clone(&self.in_flight).acquire_owned().await.ok()?;
        self.rates
            .get(api)
            .unwrap_or(&self.default_rate)
            .acquire()
            .await;
        Some(CallPermit {
            _region: region_permit,
            _api: api_permit,
        })
    }

    /// The configured rate of an API (for the summary and tests).
    pub fn per_second(api: &str) -> u32 {
        limit_of(api).per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time (tokio's paused clock needs its `test-util` feature, which would rebuild the SDK).
    #[tokio::test]
    async fn rate_limiter_spaces_calls() {
        let limiter = RateLimiter::new(20);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        // Five calls at twenty per second: the fifth starts 200 ms after the first.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }

    #[tokio::test]
    async fn cloudtrail_is_held_to_two_per_second() {
        let limits = RegionLimits::new(Arc::new(RunLimits::default()));
        let start = Instant::now();
        for _ in 0..3 {
            let _permit = limits.start("cloudtrail:LookupEvents").await.unwrap();
        }
        assert!(start.elapsed() >= Duration::from_secs(1));
        assert_eq!(RegionLimits::per_second("cloudtrail:LookupEvents"), 2);
        assert_eq!(
            RegionLimits::per_second("rds:DescribeDBClusters"),
            DEFAULT_LIMIT.per_second
        );
    }
}

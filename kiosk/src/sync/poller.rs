//! The check loop inside `kiosk run`: every few minutes, with jitter (a city's kiosks boot
//! together after a power cut and must not all knock at once) and exponential back-off after
//! failures (a dead server or a full disk costs one request per back-off period, not a loop).

use std::path::PathBuf;
use std::time::Duration;

use super::client::{self, Outcome, Source};
use super::status::SyncStatus;

/// What the poller needs from the configuration.
#[derive(Debug, Clone)]
pub struct PollPlan {
    pub data_dir: PathBuf,
    pub source: Source,
    pub provisioned_root: PathBuf,
    pub interval: Duration,
    /// Back-off never exceeds this.
    pub max_backoff: Duration,
}

/// The wait before the next check: the interval with ±20 % jitter after a success; doubling
/// from one minute up to `max_backoff` after `failures` failures in a row.
pub fn next_wait(plan: &PollPlan, failures: u32, random: f64) -> Duration {
    let base = if failures == 0 {
        plan.interval
    } else {
        let doubled = Duration::from_secs(60).saturating_mul(1 << failures.min(16));
        doubled.min(plan.max_backoff)
    };
    base.mul_f64(0.8 + 0.4 * random.clamp(0.0, 1.0))
}

/// Starts the loop on its own thread. `on_installed` runs after each install (the UI
/// schedules its switch for the next safe moment).
pub fn spawn(
    plan: PollPlan,
    on_installed: impl Fn() + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("content-sync".into())
        .spawn(move || loop {
            match client::update(&plan.data_dir, &plan.source, None, &plan.provisioned_root) {
                Ok(r) => {
                    if matches!(r.outcome, Outcome::Installed(_)) {
                        on_installed();
                    }
                }
                Err(e) => eprintln!("kiosk: content check failed: {e:#}"),
            }
            let failures = SyncStatus::load(&plan.data_dir).map(|s| s.failures).unwrap_or(1);
            std::thread::sleep(next_wait(&plan, failures, jitter()));
        })
        .expect("spawning the sync thread")
}

/// A number in [0, 1) that differs between kiosks and between checks.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_and_jitters_within_bounds() {
        let plan = PollPlan {
            data_dir: "/x".into(),
            source: Source::Dir("/r".into()),
            provisioned_root: "/r.json".into(),
            interval: Duration::from_secs(600),
            max_backoff: Duration::from_secs(3600),
        };
        assert_eq!(next_wait(&plan, 0, 0.5), Duration::from_secs(600));
        assert_eq!(next_wait(&plan, 0, 0.0), Duration::from_secs(480));
        assert_eq!(next_wait(&plan, 1, 0.5), Duration::from_secs(120));
        assert_eq!(next_wait(&plan, 3, 0.5), Duration::from_secs(480));
        assert_eq!(next_wait(&plan, 30, 0.5), Duration::from_secs(3600));
        assert!(next_wait(&plan, 30, 1.0) <= Duration::from_secs(4320));
    }
}

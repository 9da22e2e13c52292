//! The check loops inside `kiosk run`: the municipal server every few minutes, with jitter (a
//! city's kiosks boot together after a power cut and must not all knock at once) and exponential
//! back-off after failures (a dead server or a full disk costs one request per back-off period,
//! not a loop); and USB sticks, applied when one holding a `kiosk-repo/` folder is mounted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::client::{self, Source};
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

/// A check that takes longer than this counts as hung (the watchdog stops pinging).
const CHECK_HANG: Duration = Duration::from_secs(30 * 60);

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

/// Starts the loop on its own thread. An install switches `DATA/current`; the window notices
/// by itself and moves to the new generation at a quiet moment.
pub fn spawn(plan: PollPlan) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("content-sync".into())
        .spawn(move || loop {
            crate::observe::alive("sync", CHECK_HANG);
            // The outcome goes to the log and the metrics inside `update`.
            let _ = client::update(&plan.data_dir, &plan.source, None, &plan.provisioned_root);
            let status = SyncStatus::load(&plan.data_dir).unwrap_or_default();
            let wait = next_wait(&plan, status.failures, jitter());
            let wait =
                until_activation(&status, jiff::Timestamp::now()).map_or(wait, |a| wait.min(a));
            crate::observe::alive("sync", wait + CHECK_HANG);
            std::thread::sleep(wait);
        })
        .expect("spawning the sync thread")
}

/// How long until a pending release's activation time (plus a second), so the check that
/// installs it runs at that moment rather than up to an interval later: a city's kiosks switch
/// together. `None` without a pending release.
pub fn until_activation(status: &SyncStatus, now: jiff::Timestamp) -> Option<Duration> {
    let at: jiff::Timestamp = status.pending.as_ref()?.activate_at.parse().ok()?;
    let ahead = Duration::try_from(at.duration_since(now)).unwrap_or_default();
    Some(ahead + Duration::from_secs(1))
}

/// The folder name a technician's stick carries the published repository under.
pub const USB_REPO_DIR: &str = "kiosk-repo";

/// Finds repositories on mounted sticks and applies each new one once.
pub struct UsbWatch {
    /// Where removable media get mounted (`/media`, `/run/media`, …).
    pub mount_roots: Vec<PathBuf>,
    /// The timestamp each repository had when last applied: a stick left in is not re-applied.
    seen: HashMap<PathBuf, Vec<u8>>,
}

impl UsbWatch {
    pub fn new(mount_roots: Vec<PathBuf>) -> UsbWatch {
        UsbWatch { mount_roots, seen: HashMap::new() }
    }

    /// `kiosk-repo` folders up to three levels under the mount roots
    /// (`/media/usb0/kiosk-repo`, `/run/media/USER/LABEL/kiosk-repo`).
    pub fn find(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for e in entries.flatten() {
                let p = e.path();
                if !p.is_dir() {
                    continue;
                }
                if e.file_name() == USB_REPO_DIR && p.join("metadata/timestamp.json").is_file() {
                    out.push(p);
                } else if depth > 1 {
                    walk(&p, depth - 1, out);
                }
            }
        }
        let mut out = Vec::new();
        for root in &self.mount_roots {
            walk(root, 3, &mut out);
        }
        out.sort();
        out
    }

    /// Applies every repository found whose timestamp changed since it was last applied.
    pub fn poll(
        &mut self,
        data_dir: &Path,
        provisioned_root: &Path,
    ) -> Vec<(PathBuf, anyhow::Result<client::UpdateReport>)> {
        let mut done = Vec::new();
        for repo in self.find() {
            let stamp = std::fs::read(repo.join("metadata/timestamp.json")).unwrap_or_default();
            if self.seen.get(&repo) == Some(&stamp) {
                continue;
            }
            let result =
                client::update(data_dir, &Source::Dir(repo.clone()), None, provisioned_root);
            self.seen.insert(repo.clone(), stamp);
            done.push((repo, result));
        }
        done
    }
}

/// Watches for sticks every few seconds on its own thread.
pub fn spawn_usb_watch(
    mount_roots: Vec<PathBuf>,
    data_dir: PathBuf,
    provisioned_root: PathBuf,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("usb-watch".into())
        .spawn(move || {
            let mut watch = UsbWatch::new(mount_roots);
            loop {
                for (repo, result) in watch.poll(&data_dir, &provisioned_root) {
                    match result {
                        Ok(r) => tracing::info!(
                            repo = %repo.display(),
                            "USB stick: {}",
                            super::push::describe(&r.outcome)
                        ),
                        Err(e) => {
                            tracing::warn!(repo = %repo.display(), "USB stick refused: {e:#}")
                        }
                    }
                }
                std::thread::sleep(Duration::from_secs(5));
            }
        })
        .expect("spawning the USB watch")
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
    fn a_pending_release_is_checked_at_its_activation_time() {
        let mut status = SyncStatus::default();
        let now: jiff::Timestamp = "2026-12-31T15:50:00Z".parse().unwrap();
        assert_eq!(until_activation(&status, now), None);
        status.pending = Some(super::super::status::Pending {
            content_version: "v2".into(),
            activate_at: "2027-01-01T00:00:00+08:00".into(),
        });
        assert_eq!(until_activation(&status, now), Some(Duration::from_secs(601)));
        let later: jiff::Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(until_activation(&status, later), Some(Duration::from_secs(1)));
    }

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

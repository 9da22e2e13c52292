//! Why the kiosk (re)started, counted in `kiosk_restarts_total{reason}` across restarts.
//!
//! A run leaves `DATA/health/running` while it lives and removes it on a clean exit (SIGTERM,
//! the event loop ending). The unit's `ExecStopPost=kiosk health note-exit` records systemd's
//! `$SERVICE_RESULT` (`watchdog` when the watchdog killed us). At the next start: no marker →
//! clean; a marker and a `watchdog` note → watchdog; a marker otherwise → crash (kill -9,
//! panic, power loss).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::content::bundle::write_atomically;

/// How the previous run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartReason {
    Clean,
    Crash,
    Watchdog,
}

impl StartReason {
    pub fn label(self) -> &'static str {
        match self {
            StartReason::Clean => "clean",
            StartReason::Crash => "crash",
            StartReason::Watchdog => "watchdog",
        }
    }
}

fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("health")
}

/// Records this start; returns why the previous run ended and sets the restart counters.
pub fn record_start(data_dir: &Path) -> Result<StartReason> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    let note = std::fs::read_to_string(dir.join("last-exit")).unwrap_or_default();
    let reason = if !dir.join("running").exists() {
        StartReason::Clean
    } else if note.trim() == "watchdog" {
        StartReason::Watchdog
    } else {
        StartReason::Crash
    };
    let counts_path = dir.join("restarts.json");
    // A damaged count file starts over: the counters are for trends, not for accounting.
    let mut counts: BTreeMap<String, u64> = std::fs::read(&counts_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    *counts.entry(reason.label().into()).or_default() += 1;
    write_atomically(&counts_path, &serde_json::to_vec(&counts)?)?;
    let _ = std::fs::remove_file(dir.join("last-exit"));
    write_atomically(&dir.join("running"), std::process::id().to_string().as_bytes())?;
    let restarts = &crate::observe::metrics().restarts;
    for label in ["clean", "crash", "watchdog"] {
        let c = restarts.with_label_values(&[label]);
        c.inc_by(counts.get(label).copied().unwrap_or(0).saturating_sub(c.get()));
    }
    Ok(reason)
}

/// A clean exit: the next start counts as clean.
pub fn record_clean_exit(data_dir: &Path) {
    let _ = std::fs::remove_file(dir(data_dir).join("running"));
}

/// `ExecStopPost`: keeps systemd's verdict on the run that just ended for the next start.
pub fn note_exit(data_dir: &Path, service_result: &str) -> Result<()> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    write_atomically(&dir.join("last-exit"), service_result.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_clean_crash_and_watchdog_apart() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(record_start(d.path()).unwrap(), StartReason::Clean);
        // Killed: the marker stays.
        assert_eq!(record_start(d.path()).unwrap(), StartReason::Crash);
        note_exit(d.path(), "watchdog").unwrap();
        assert_eq!(record_start(d.path()).unwrap(), StartReason::Watchdog);
        record_clean_exit(d.path());
        assert_eq!(record_start(d.path()).unwrap(), StartReason::Clean);
        let counts: BTreeMap<String, u64> =
            serde_json::from_slice(&std::fs::read(d.path().join("health/restarts.json")).unwrap())
                .unwrap();
        assert_eq!(counts["clean"], 2);
        assert_eq!(counts["crash"], 1);
        assert_eq!(counts["watchdog"], 1);
    }
}

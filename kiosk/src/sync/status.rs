//! What the kiosk knows about its content updates, kept in `DATA/sync/status.json` for
//! `kiosk update --status` and the health endpoints. No personal data: times, versions, errors.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::content::bundle::write_atomically;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Where the last check went (a URL or a folder).
    pub source: Option<String>,
    /// RFC 3339 times.
    pub last_check: Option<String>,
    pub last_successful_check: Option<String>,
    pub last_update: Option<String>,
    /// The content version the repository offers (after the last successful check).
    pub newest_version: Option<String>,
    /// A verified release waiting for its activation time.
    pub pending: Option<Pending>,
    /// A content version a technician rolled back from: not installed again.
    pub held_back: Option<String>,
    /// Why the last check failed; `None` after a success.
    pub last_error: Option<String>,
    /// Failed checks in a row (the poller's back-off).
    pub failures: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub content_version: String,
    pub activate_at: String,
}

impl SyncStatus {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("sync/status.json")
    }

    pub fn load(data_dir: &Path) -> Result<SyncStatus> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{}: malformed", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SyncStatus::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let path = Self::path(data_dir);
        std::fs::create_dir_all(path.parent().expect("sync/"))?;
        write_atomically(&path, &serde_json::to_vec_pretty(self)?)
    }

    /// Loads, changes and saves (a damaged file starts over rather than blocking updates).
    pub fn update(data_dir: &Path, change: impl FnOnce(&mut SyncStatus)) -> Result<SyncStatus> {
        let mut status = Self::load(data_dir).unwrap_or_default();
        change(&mut status);
        status.save(data_dir)?;
        Ok(status)
    }
}

pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default()
}

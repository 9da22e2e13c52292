//! How a bundle looks as a TUF repository: the contract between `publish` and `client`.
//!
//! ```text
//! REPO/metadata/ 1.root.json … N.root.json, root.json, timestamp.json,
//!                V.snapshot.json, V.targets.json, V.bins-XX.json   (consistent snapshots)
//! REPO/targets/  <sha256>.bundle.json, <sha256>.hall-<sha256>.json, <sha256>.law-<sha256>.json
//!                and a `.gz` beside each (what the kiosk downloads when it exists)
//! ```
//! Target names are flat (no `/`): tough fetches `<hash>.dir/file` where the TUF spec and
//! python-tuf use `dir/<hash>.file`, so a directory in a name would split the implementations.
//! Laws sit in [`BINS`] hash-bin delegations (TUF's "hashed bin delegation"), so a one-law release
//! re-signs the top-level targets, one or two bins and the snapshot, not a list of every law.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::bundle::{FileKind, FORMAT_VERSION};
use crate::content::source::Deployment;

/// The target holding the bundle's head: its version, deployment and activation time.
pub const HEAD_TARGET: &str = "bundle.json";

/// Hash bins the law targets are spread over. 64 bins of ~25 laws for the national corpus:
/// a bin is a few KiB, and the snapshot listing them stays small.
pub const BINS: usize = 64;
/// Each bin covers this many two-hex-digit prefixes of sha256(target name).
const PREFIXES_PER_BIN: usize = 256 / BINS;

/// The bundle's manifest without its file list: the targets are the file list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHead {
    pub format: u32,
    pub content_version: String,
    pub created_at: String,
    pub deployment: Deployment,
    /// RFC 3339: kiosks do not switch to this content before then (a law in force from 1 January).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate_at: Option<String>,
}

impl BundleHead {
    pub fn check_format(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.format == FORMAT_VERSION,
            "unknown bundle format version {}: this kiosk reads format {FORMAT_VERSION}",
            self.format
        );
        Ok(())
    }
}

/// The target name of a bundle file: its kind and the sha256 of its bytes.
pub fn target_name(kind: FileKind, sha256: &str) -> String {
    match kind {
        FileKind::Law => format!("law-{sha256}.json"),
        FileKind::Hall => format!("hall-{sha256}.json"),
        FileKind::Poster => format!("poster-{sha256}.png"),
    }
}

/// The kind and content hash a target name stands for; `None` for the head and foreign names.
pub fn parse_target_name(name: &str) -> Option<(FileKind, &str)> {
    let (kind, hash) = if let Some(rest) = name.strip_prefix("law-") {
        (FileKind::Law, rest.strip_suffix(".json")?)
    } else if let Some(rest) = name.strip_prefix("poster-") {
        (FileKind::Poster, rest.strip_suffix(".png")?)
    } else {
        (FileKind::Hall, name.strip_prefix("hall-")?.strip_suffix(".json")?)
    };
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some((kind, hash))
}

/// The bin a law target belongs to.
pub fn bin_of(name: &str) -> usize {
    Sha256::digest(name.as_bytes())[0] as usize / PREFIXES_PER_BIN
}

/// The role name of bin `i`: `bins-` and its first prefix.
pub fn bin_name(i: usize) -> String {
    format!("bins-{:02x}", i * PREFIXES_PER_BIN)
}

/// The hash prefixes bin `i` is trusted for.
pub fn bin_prefixes(i: usize) -> Vec<String> {
    (i * PREFIXES_PER_BIN..(i + 1) * PREFIXES_PER_BIN).map(|p| format!("{p:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bins_cover_every_prefix() {
        let h = "ab".repeat(32);
        let name = target_name(FileKind::Law, &h);
        assert_eq!(parse_target_name(&name), Some((FileKind::Law, h.as_str())));
        assert_eq!(parse_target_name("law-xyz.json"), None);
        let poster = target_name(FileKind::Poster, &h);
        assert_eq!(parse_target_name(&poster), Some((FileKind::Poster, h.as_str())));
        assert_eq!(parse_target_name(&format!("poster-{h}.json")), None);
        assert_eq!(parse_target_name(HEAD_TARGET), None);
        let prefix = format!("{:02x}", Sha256::digest(name.as_bytes())[0]);
        assert!(bin_prefixes(bin_of(&name)).contains(&prefix));
        let all: Vec<String> = (0..BINS).flat_map(bin_prefixes).collect();
        assert_eq!(all.len(), 256);
        assert_eq!(all.iter().collect::<std::collections::BTreeSet<_>>().len(), 256);
    }
}

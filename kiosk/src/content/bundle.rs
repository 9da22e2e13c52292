//! Content bundle v1: what travels from the technician to the kiosk.
//!
//! ```text
//! BUNDLE/
//!   manifest.json          format, content version, created-at, deployment, files[]
//!   laws/<sha256>.json     one law each, named by the hash of its bytes
//!   hall/<sha256>.json     guides, service points, map and queue services
//! ```
//! Files are content-addressed, so a one-law edit changes exactly that law's file and the
//! manifest; a kiosk (or a sync mirror) fetches and re-indexes only what changed.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::hall::HallContent;
use super::law::LawDoc;
use super::source::{ContentSource, Deployment};

/// The bundle format this firmware writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// A manifest larger than this is not a manifest.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub content_version: String,
    pub created_at: String,
    pub deployment: Deployment,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Law,
    /// Guides, service points, the map and the queue's services (one JSON file).
    Hall,
    /// A 法治宣传 poster's picture (PNG), named by the hall content's campaigns.
    Poster,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What `build` did.
pub struct BuildReport {
    pub manifest: Manifest,
    pub written: usize,
    pub reused: usize,
}

/// Compiles a content source into a bundle directory. Files already present with the right hash
/// are kept as they are; files the new manifest no longer names are removed.
pub fn build(
    source: &ContentSource,
    out: &Path,
    content_version: Option<&str>,
) -> Result<BuildReport> {
    let now = build_time()?;
    let laws_dir = out.join("laws");
    std::fs::create_dir_all(&laws_dir)
        .with_context(|| format!("creating {}", laws_dir.display()))?;
    let (mut files, mut written, mut reused) = (Vec::new(), 0, 0);
    for law in &source.laws {
        let bytes = serde_json::to_vec(law)?;
        let hash = sha256_hex(&bytes);
        let path = format!("laws/{hash}.json");
        let target = out.join(&path);
        if std::fs::metadata(&target).is_ok_and(|m| m.len() == bytes.len() as u64) {
            reused += 1;
        } else {
            write_atomically(&target, &bytes)?;
            written += 1;
        }
        files.push(FileEntry { path, kind: FileKind::Law, size: bytes.len() as u64, sha256: hash });
    }
    let hall_bytes = serde_json::to_vec(&source.hall)?;
    let hall_hash = sha256_hex(&hall_bytes);
    let hall_path = format!("hall/{hall_hash}.json");
    std::fs::create_dir_all(out.join("hall"))?;
    write_atomically(&out.join(&hall_path), &hall_bytes)?;
    files.push(FileEntry {
        path: hall_path,
        kind: FileKind::Hall,
        size: hall_bytes.len() as u64,
        sha256: hall_hash,
    });
    std::fs::create_dir_all(out.join("posters"))?;
    for poster in &source.posters {
        let path = format!("posters/{}.png", poster.sha256);
        let target = out.join(&path);
        if std::fs::metadata(&target).is_ok_and(|m| m.len() == poster.png.len() as u64) {
            reused += 1;
        } else {
            write_atomically(&target, &poster.png)?;
            written += 1;
        }
        files.push(FileEntry {
            path,
            kind: FileKind::Poster,
            size: poster.png.len() as u64,
            sha256: poster.sha256.clone(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let digest = sha256_hex(files.iter().map(|f| f.sha256.as_str()).collect::<String>().as_bytes());
    let manifest = Manifest {
        format: FORMAT_VERSION,
        content_version: content_version
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}-{}", now.format("%Y%m%d"), &digest[..8])),
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        deployment: source.deployment.clone(),
        files,
    };
    write_atomically(&out.join("manifest.json"), &serde_json::to_vec_pretty(&manifest)?)?;
    // Stale files of an earlier build would only confuse a mirror: drop what is not named.
    let named: BTreeSet<PathBuf> = manifest.files.iter().map(|f| out.join(&f.path)).collect();
    for dir in [laws_dir, out.join("hall"), out.join("posters")] {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if !named.contains(&p) {
                std::fs::remove_file(&p)?;
            }
        }
    }
    Ok(BuildReport { manifest, written, reused })
}

/// When a bundle is stamped as built: `SOURCE_DATE_EPOCH` when set (the reproducible-builds
/// convention, so that the same sources give the same manifest and pictures of the screens do
/// not change with the day they were taken), else now.
fn build_time() -> Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .with_context(|| {
                format!("SOURCE_DATE_EPOCH={v:?} is not a time in seconds since 1970")
            }),
        Err(_) => Ok(chrono::Utc::now()),
    }
}

/// Writes a file so that a crash leaves either the old or the new bytes, never half of them.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

/// A bundle whose manifest has been read. File contents are checked when they are read
/// ([`OpenBundle::read_law`]), so an install reads only what the store lacks.
pub struct OpenBundle {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// How a file entry maps to a file under `dir`.
    layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// A bundle directory: `dir/<entry.path>`.
    Paths,
    /// The sync client's target cache: `dir/<entry.sha256>`, holding only what the store lacked.
    ByHash,
}

impl OpenBundle {
    pub fn open(dir: &Path) -> Result<OpenBundle> {
        let path = dir.join("manifest.json");
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("{}: no manifest.json", dir.display()))?;
        if meta.len() > MAX_MANIFEST_BYTES {
            bail!(
                "{}: manifest.json is {} bytes, larger than any real manifest",
                dir.display(),
                meta.len()
            );
        }
        let bytes = std::fs::read(&path)?;
        let text = std::str::from_utf8(&bytes).context("manifest.json: invalid UTF-8")?;
        // Read the format first, so a future format gets a clear word rather than a field error.
        let probe: serde_json::Value =
            serde_json::from_str(text).context("manifest.json: malformed JSON")?;
        match probe.get("format").and_then(|v| v.as_u64()) {
            Some(v) if v == FORMAT_VERSION as u64 => {}
            Some(v) => {
                bail!("unknown bundle format version {v}: this kiosk reads format {FORMAT_VERSION}")
            }
            None => bail!("manifest.json: no format version"),
        }
        let manifest: Manifest =
            serde_json::from_value(probe).context("manifest.json: malformed manifest")?;
        for f in &manifest.files {
            if !is_safe_relative(&f.path) {
                bail!("manifest names an unsafe path {:?}", f.path);
            }
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("{}: {:?} is not a sha256", f.path, f.sha256);
            }
            let size = std::fs::metadata(dir.join(&f.path))
                .with_context(|| format!("{}: missing from the bundle", f.path))?
                .len();
            if size != f.size {
                bail!(
                    "{}: truncated or altered: {} bytes, the manifest says {}",
                    f.path,
                    size,
                    f.size
                );
            }
        }
        Ok(OpenBundle { dir: dir.to_owned(), manifest, layout: Layout::Paths })
    }

    /// A bundle whose files sit in `dir` named by their sha256 (the sync client's verified
    /// target cache). Files the store already holds need not be there.
    pub fn from_hash_dir(dir: &Path, manifest: Manifest) -> Result<OpenBundle> {
        for f in &manifest.files {
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("{}: {:?} is not a sha256", f.path, f.sha256);
            }
        }
        Ok(OpenBundle { dir: dir.to_owned(), manifest, layout: Layout::ByHash })
    }

    fn file_path(&self, entry: &FileEntry) -> PathBuf {
        match self.layout {
            Layout::Paths => self.dir.join(&entry.path),
            Layout::ByHash => self.dir.join(&entry.sha256),
        }
    }

    /// The hall content file's entry (exactly one per bundle).
    pub fn hall_entry(&self) -> Result<&FileEntry> {
        let mut halls = self.manifest.files.iter().filter(|f| f.kind == FileKind::Hall);
        let (Some(entry), None) = (halls.next(), halls.next()) else {
            bail!("a bundle holds exactly one hall content file");
        };
        Ok(entry)
    }

    /// Reads the hall content file.
    pub fn read_hall(&self) -> Result<HallContent> {
        let entry = self.hall_entry()?;
        let text = self.read_checked(entry)?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: malformed hall content", entry.path))
    }

    /// Reads one law file, checking its hash, its encoding and its JSON.
    pub fn read_law(&self, entry: &FileEntry) -> Result<LawDoc> {
        let text = self.read_checked(entry)?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: malformed JSON law record", entry.path))
    }

    /// A poster's PNG, checked against the manifest and decodable.
    pub fn read_poster(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        let png = self.read_bytes(entry)?;
        super::hall::campaigns::check_png(&png).with_context(|| entry.path.clone())?;
        Ok(png)
    }

    /// A file's text after checking its size, hash and encoding against the manifest.
    fn read_checked(&self, entry: &FileEntry) -> Result<String> {
        let bytes = self.read_bytes(entry)?;
        String::from_utf8(bytes).with_context(|| format!("{}: invalid UTF-8", entry.path))
    }

    /// A file's bytes after checking its size and hash against the manifest.
    fn read_bytes(&self, entry: &FileEntry) -> Result<Vec<u8>> {
        let bytes = std::fs::read(self.file_path(entry))
            .with_context(|| format!("reading {}", entry.path))?;
        if bytes.len() as u64 != entry.size {
            bail!(
                "{}: truncated: {} bytes, the manifest says {}",
                entry.path,
                bytes.len(),
                entry.size
            );
        }
        let hash = sha256_hex(&bytes);
        if hash != entry.sha256 {
            bail!(
                "{}: hash mismatch: file is {}, the manifest says {}",
                entry.path,
                hash,
                entry.sha256
            );
        }
        Ok(bytes)
    }
}

fn is_safe_relative(p: &str) -> bool {
    let path = Path::new(p);
    !p.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

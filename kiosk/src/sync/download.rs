//! Fetching one target into the kiosk's target cache: resumable, bounded, verified.
//!
//! ```text
//! DATA/sync/targets/<sha256>          verified bytes (what the store install reads)
//! DATA/sync/targets/<sha256>.gz.part  a download under way; resumed with HTTP Range after a
//!                                     restart or a dropped line
//! ```
//! The `.gz` beside each target in the repository is preferred (law JSON shrinks ~4x); a
//! repository without it (a hand-copied folder) serves the plain file. Either way no more bytes
//! are accepted than the signed length allows (TUF's "endless data" attack), and a file whose
//! hash is wrong is deleted, never kept half-trusted.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use url::Url;

use super::transport::WireCounter;

/// A target as the signed metadata describes it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub name: String,
    pub sha256: String,
    pub length: u64,
}

impl Wanted {
    /// The file name in a consistent-snapshot repository.
    fn remote_name(&self) -> String {
        format!("{}.{}", self.sha256, self.name)
    }
}

/// Gzip of a JSON file never grows it by more than this (deflate's stored blocks add 5 bytes
/// per 64 KiB, the header and trailer ~20).
fn gz_limit(length: u64) -> u64 {
    length + length / 1000 + 1024
}

/// Makes sure `cache/<sha256>` holds the verified target. Returns the bytes that crossed the
/// wire for it (0 when it was already there).
pub async fn fetch(
    client: &reqwest::Client,
    targets_base: &Url,
    want: &Wanted,
    cache: &Path,
    wire: &WireCounter,
) -> Result<u64> {
    let done = cache.join(&want.sha256);
    if done.exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(cache)?;
    let before = wire.get();
    let gz_url = targets_base.join(&format!("{}.gz", want.remote_name()))?;
    let gz_part = cache.join(format!("{}.gz.part", want.sha256));
    let bytes = match get_resumable(client, &gz_url, &gz_part, gz_limit(want.length), wire).await? {
        Some(()) => {
            let compressed = std::fs::read(&gz_part)?;
            let mut out = Vec::with_capacity(want.length as usize);
            flate2::read::GzDecoder::new(&compressed[..])
                .take(want.length + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    let _ = std::fs::remove_file(&gz_part);
                    anyhow::anyhow!("{}: damaged gzip: {e}", want.name)
                })?;
            let _ = std::fs::remove_file(&gz_part);
            out
        }
        None => {
            let url = targets_base.join(&want.remote_name())?;
            let part = cache.join(format!("{}.part", want.sha256));
            match get_resumable(client, &url, &part, want.length, wire).await? {
                Some(()) => {
                    let b = std::fs::read(&part)?;
                    let _ = std::fs::remove_file(&part);
                    b
                }
                None => bail!("{}: not on the server ({url})", want.name),
            }
        }
    };
    verify(want, &bytes)?;
    write_synced(&done, &bytes)?;
    Ok(wire.get() - before)
}

/// Reads a target from a repository folder (USB stick): the same bounds and checks.
pub fn copy_from_dir(targets_dir: &Path, want: &Wanted, cache: &Path) -> Result<()> {
    let done = cache.join(&want.sha256);
    if done.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(cache)?;
    let plain = targets_dir.join(want.remote_name());
    let bytes = match std::fs::File::open(&plain) {
        Ok(f) => read_bounded(f, want.length, &want.name)?,
        Err(_) => {
            let gz = std::fs::File::open(super::publish::gz_path(&plain))
                .with_context(|| format!("{}: not in {}", want.name, targets_dir.display()))?;
            read_bounded(flate2::read::GzDecoder::new(gz), want.length, &want.name)?
        }
    };
    verify(want, &bytes)?;
    write_synced(&done, &bytes)
}

fn read_bounded(r: impl Read, length: u64, name: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    r.take(length + 1).read_to_end(&mut out).with_context(|| format!("reading {name}"))?;
    Ok(out)
}

fn verify(want: &Wanted, bytes: &[u8]) -> Result<()> {
    if bytes.len() as u64 > want.length {
        bail!(
            "{}: longer than its signed length {} (endless data): refused",
            want.name,
            want.length
        );
    }
    if bytes.len() as u64 != want.length {
        bail!("{}: {} bytes, its signed length is {}", want.name, bytes.len(), want.length);
    }
    let hash: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    if hash != want.sha256 {
        bail!("{}: hash mismatch (got {hash}): refused", want.name);
    }
    Ok(())
}

/// Downloads `url` into `part`, resuming from what `part` already holds. `Ok(None)`: the server
/// has no such file. Refuses more than `limit` bytes.
async fn get_resumable(
    client: &reqwest::Client,
    url: &Url,
    part: &Path,
    limit: u64,
    wire: &WireCounter,
) -> Result<Option<()>> {
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(url.clone()).header(reqwest::header::ACCEPT_ENCODING, "identity");
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send().await.with_context(|| format!("fetching {url}"))?;
    let status = resp.status();
    let append = match status {
        reqwest::StatusCode::NOT_FOUND | reqwest::StatusCode::FORBIDDEN => return Ok(None),
        reqwest::StatusCode::PARTIAL_CONTENT => true,
        reqwest::StatusCode::RANGE_NOT_SATISFIABLE => {
            // What we hold is already all of it (or garbage): check it as it is; a bad file is
            // deleted by the caller's checks and fetched whole next time.
            return Ok(Some(()));
        }
        s if s.is_success() => false,
        s => bail!("{url}: server answered {s}"),
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(part)?;
    let mut total = if append { have } else { 0 };
    while let Some(chunk) =
        resp.chunk().await.with_context(|| format!("{url}: connection dropped"))?
    {
        wire.add(chunk.len() as u64);
        total += chunk.len() as u64;
        if total > limit {
            drop(file);
            let _ = std::fs::remove_file(part);
            bail!("{url}: more bytes than the signed length allows (endless data): refused");
        }
        file.write_all(&chunk)?;
    }
    // The part survives a power cut only if it is on disk; a resumed download trusts its prefix
    // no more than a fresh one (the whole file is hashed at the end).
    file.sync_data()?;
    Ok(Some(()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::content::bundle::write_atomically(path, bytes)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Free bytes on the filesystem holding `path` (for the unprivileged user).
pub fn free_bytes(path: &Path) -> Result<u64> {
    Ok(disk_space(path)?.0)
}

/// Bytes available to the kiosk and the size of the filesystem holding `path`.
pub fn disk_space(path: &Path) -> Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error())
            .with_context(|| format!("statvfs {}", path.display()));
    }
    Ok((st.f_bavail as u64 * st.f_frsize as u64, st.f_blocks as u64 * st.f_frsize as u64))
}

/// Removes every cached target and part (after an install: the store holds them now).
pub fn clear(cache: &Path, keep: &[PathBuf]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(cache) else { return Ok(()) };
    for e in entries {
        let p = e?.path();
        if !keep.contains(&p) {
            std::fs::remove_file(&p).ok();
        }
    }
    Ok(())
}

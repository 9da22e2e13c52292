//! The kiosk's side of a content refresh: check, fetch what is missing, install.
//!
//! ```text
//! DATA/sync/tuf/          the trust state: the newest trusted root, timestamp, snapshot and
//!                         targets (what rollback and freeze checks compare against), each file
//!                         replaced atomically and only after a check verified
//! DATA/sync/tuf.work/     tough's datastore during one check (tough writes it in place, without
//!                         fsync; a kill -9 there must not corrupt the trust state)
//! DATA/sync/meta-cache/   immutable metadata already fetched (see `transport`)
//! DATA/sync/targets/      verified targets waiting for the install (see `download`)
//! DATA/sync/status.json   see `status`
//! ```
//! One update at a time (`sync/update.lock`). Every refusal leaves the store as it was: the new
//! generation is built beside the current one and switched to only when complete
//! ([`Store::install_bundle`]); the UI follows the switch on its way home, never under a finger.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use url::Url;

use super::download::{self, Wanted};
use super::layout::{self, BundleHead, HEAD_TARGET};
use super::status::{now_rfc3339, Pending, SyncStatus};
use super::transport::{http_client, CachingTransport, WireCounter};
use crate::content::bundle::{FileEntry, FileKind, Manifest, OpenBundle};
use crate::content::store::{InstallReport, Store};

/// Space kept free beyond what an update needs: the queue database and logs live here too.
const DISK_RESERVE: u64 = 32 << 20;

/// Where a repository is: the municipal server (or a technician's laptop) or a folder.
/// Parsed when the config loads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Source {
    Http(Url),
    Dir(PathBuf),
}

impl std::str::FromStr for Source {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Source> {
        if s.starts_with("http://") || s.starts_with("https://") {
            let mut url = Url::parse(s).with_context(|| format!("{s:?}: not a URL"))?;
            if !url.path().ends_with('/') {
                url.set_path(&format!("{}/", url.path()));
            }
            Ok(Source::Http(url))
        } else if let Some(path) = s.strip_prefix("file://") {
            Ok(Source::Dir(PathBuf::from(path)))
        } else {
            Ok(Source::Dir(PathBuf::from(s)))
        }
    }
}

impl TryFrom<String> for Source {
    type Error = anyhow::Error;
    fn try_from(s: String) -> Result<Source> {
        s.parse()
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Http(u) => write!(f, "{u}"),
            Source::Dir(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Source {
    fn base(&self) -> Result<Url> {
        match self {
            Source::Http(u) => Ok(u.clone()),
            Source::Dir(p) => {
                let abs = std::path::absolute(p)?;
                if !abs.join("metadata").is_dir() {
                    bail!("{}: not a published repository (no metadata/)", p.display());
                }
                Url::from_directory_path(&abs)
                    .map_err(|_| anyhow::anyhow!("{}: not a usable path", p.display()))
            }
        }
    }
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The store already serves the repository's content version.
    UpToDate(String),
    Installed(InstallReport),
    /// Verified and fetched; installed at its activation time by a later check.
    Pending(Pending),
    /// A technician rolled back from this version; it stays off until a newer one.
    HeldBack(String),
}

#[derive(Debug, Clone)]
pub struct UpdateReport {
    pub outcome: Outcome,
    /// Bytes received from the network (compressed as sent; 0 from a folder).
    pub wire_bytes: u64,
    /// Targets fetched (not already held by the store or the cache).
    pub fetched: usize,
}

/// The trusted root for a check: `explicit`, else the newest the kiosk holds, else the one the
/// image was provisioned with.
fn trusted_root(data_dir: &Path, explicit: Option<&Path>, provisioned: &Path) -> Result<Vec<u8>> {
    let held = data_dir.join("sync/tuf/root.json");
    let path = match explicit {
        Some(p) => p.to_owned(),
        None if held.exists() => held,
        None => provisioned.to_owned(),
    };
    std::fs::read(&path).with_context(|| {
        format!("no trusted root at {} (pass --root ROOT_JSON or provision one)", path.display())
    })
}

/// Checks `source` once and installs what it offers if it is newer, verified and active.
/// Records the outcome in [`SyncStatus`].
pub fn update(
    data_dir: &Path,
    source: &Source,
    explicit_root: Option<&Path>,
    provisioned_root: &Path,
) -> Result<UpdateReport> {
    std::fs::create_dir_all(data_dir.join("sync"))
        .with_context(|| format!("creating {}/sync", data_dir.display()))?;
    let lock = std::fs::File::create(data_dir.join("sync/update.lock"))?;
    lock.lock().context("waiting for another update")?;
    let started = now_rfc3339();
    let span = tracing::info_span!("sync", source = %source);
    let _in = span.enter();
    let result = super::runtime()?.block_on(check_and_apply(
        data_dir,
        source,
        explicit_root,
        provisioned_root,
    ));
    record_metrics(&result);
    SyncStatus::update(data_dir, |s| {
        s.source = Some(source.to_string());
        s.last_check = Some(started.clone());
        match &result {
            Ok(r) => {
                s.last_successful_check = Some(started.clone());
                s.last_error = None;
                s.failures = 0;
                match &r.outcome {
                    Outcome::Installed(i) => {
                        s.last_update = Some(now_rfc3339());
                        s.newest_version = Some(i.content_version.clone());
                        s.pending = None;
                    }
                    Outcome::UpToDate(v) | Outcome::HeldBack(v) => {
                        s.newest_version = Some(v.clone());
                        s.pending = None;
                    }
                    Outcome::Pending(p) => {
                        s.newest_version = Some(p.content_version.clone());
                        s.pending = Some(p.clone());
                    }
                }
            }
            Err(e) => {
                s.last_error = Some(format!("{e:#}"));
                s.failures = s.failures.saturating_add(1);
            }
        }
    })?;
    result
}

async fn check_and_apply(
    data_dir: &Path,
    source: &Source,
    explicit_root: Option<&Path>,
    provisioned_root: &Path,
) -> Result<UpdateReport> {
    let sync = data_dir.join("sync");
    let root = trusted_root(data_dir, explicit_root, provisioned_root)?;
    let work = prepare_datastore(&sync)?;
    let base = source.base()?;
    let wire = WireCounter::default();
    let client = http_client()?;
    let meta_cache = sync.join("meta-cache");
    let transport = CachingTransport::new(client.clone(), &meta_cache, wire.clone());
    let (metadata_url, targets_url) = (base.join("metadata/")?, base.join("targets/")?);
    let load = || {
        tough::RepositoryLoader::new(&root, metadata_url.clone(), targets_url.clone())
            .transport(transport.clone())
            .datastore(work.clone())
            .load()
    };
    let repo = match load().await {
        Ok(r) => r,
        Err(e @ tough::error::Error::SystemTimeSteppedBackward { .. }) => {
            // A kiosk without an RTC (or with a bad one) can boot with a clock behind the last
            // check. Refuse this check, and forget the remembered time so the next check judges
            // expiry with the clock as it is then, rather than refusing until the clock catches
            // up with a time that may itself have been wrong.
            let _ = std::fs::remove_file(sync.join("tuf/latest_known_time.json"));
            return Err(explain(e));
        }
        // A damaged cached copy fails like a forged one: drop the cache and ask the source.
        Err(_) if meta_cache.exists() => {
            std::fs::remove_dir_all(&meta_cache).ok();
            load().await.map_err(explain)?
        }
        Err(e) => return Err(explain(e)),
    };
    persist_trust(&work, &sync.join("tuf"))?;

    let targets_dir = sync.join("targets");
    let targets_base = base.join("targets/")?;
    let fetch_one = |want: Wanted| {
        let (client, targets_base, targets_dir, wire) =
            (client.clone(), targets_base.clone(), targets_dir.clone(), wire.clone());
        let source = source.clone();
        async move {
            match &source {
                Source::Http(_) => {
                    download::fetch(&client, &targets_base, &want, &targets_dir, &wire).await
                }
                Source::Dir(p) => {
                    download::copy_from_dir(&p.join("targets"), &want, &targets_dir).map(|_| 0)
                }
            }
        }
    };

    // The head first: it says what this release is.
    let mut files = Vec::new();
    let mut head_target = None;
    for (name, target) in repo.targets().signed.targets_iter() {
        let name = name.raw();
        let sha256 = hex(target.hashes.sha256.as_ref());
        if name == HEAD_TARGET {
            head_target = Some(Wanted { name: name.to_owned(), sha256, length: target.length });
            continue;
        }
        let Some((kind, named_hash)) = layout::parse_target_name(name) else {
            continue; // a target of a newer firmware's layout: not ours to read
        };
        if named_hash != sha256 {
            bail!("{name}: its name and its signed hash differ: refused");
        }
        files.push(FileEntry { path: name.to_owned(), kind, size: target.length, sha256 });
    }
    let head_target = head_target.context("the repository has no bundle.json: not ours")?;
    let mut fetched = 0;
    fetch_one(head_target.clone()).await?;
    let head: BundleHead =
        serde_json::from_slice(&std::fs::read(targets_dir.join(&head_target.sha256))?)
            .context("bundle.json: malformed")?;
    head.check_format()?;
    if files.iter().filter(|f| f.kind == FileKind::Hall).count() != 1 {
        bail!("the release has not exactly one hall content file: refused");
    }

    let current = Store::open(data_dir).ok();
    let status = SyncStatus::load(data_dir).unwrap_or_default();
    let head_file = targets_dir.join(&head_target.sha256);
    if current.as_ref().is_some_and(|s| s.info().content_version == head.content_version) {
        download::clear(&targets_dir, std::slice::from_ref(&head_file))?;
        // A kill after the last switch may have left an old generation: nothing new to
        // install, so tidy it now rather than at the next release.
        Store::sweep(data_dir)?;
        prune_meta_cache(&meta_cache, &repo);
        return Ok(UpdateReport {
            outcome: Outcome::UpToDate(head.content_version),
            wire_bytes: wire.get(),
            fetched,
        });
    }
    if status.held_back.as_deref() == Some(head.content_version.as_str()) {
        return Ok(UpdateReport {
            outcome: Outcome::HeldBack(head.content_version),
            wire_bytes: wire.get(),
            fetched,
        });
    }

    // Fetch what neither the store nor the cache holds, if the disk can take it.
    let held = current.as_ref().map(|s| s.law_hashes()).transpose()?.unwrap_or_default();
    let held_hall = current.as_ref().map(|s| s.hall_hash()).transpose()?.flatten();
    let held_posters = current.as_ref().map(|s| s.poster_hashes()).transpose()?.unwrap_or_default();
    let missing: Vec<&FileEntry> = files
        .iter()
        .filter(|f| match f.kind {
            FileKind::Hall => held_hall.as_deref() != Some(f.sha256.as_str()),
            FileKind::Law => !held.contains(&f.sha256),
            FileKind::Poster => !held_posters.contains(&f.sha256),
        })
        .filter(|f| !targets_dir.join(&f.sha256).exists())
        .collect();
    let needed: u64 = missing.iter().map(|f| f.size).sum::<u64>()
        + current.as_ref().map_or(0, |s| file_len(&s.database_path()))
        + DISK_RESERVE;
    let free = download::free_bytes(data_dir)?;
    if free < needed {
        bail!(
            "not enough disk space for this update: needs {} MiB, {} MiB free (nothing was \
             changed; the kiosk keeps serving {})",
            needed >> 20,
            free >> 20,
            current.as_ref().map_or("nothing", |s| s.info().content_version.as_str())
        );
    }
    for f in &missing {
        fetch_one(Wanted { name: f.path.clone(), sha256: f.sha256.clone(), length: f.size })
            .await?;
        fetched += 1;
    }

    if let Some(at) = &head.activate_at {
        let when: jiff::Timestamp =
            at.parse().with_context(|| format!("bundle.json: activate_at {at:?}"))?;
        if jiff::Timestamp::now() < when {
            return Ok(UpdateReport {
                outcome: Outcome::Pending(Pending {
                    content_version: head.content_version,
                    activate_at: at.clone(),
                }),
                wire_bytes: wire.get(),
                fetched,
            });
        }
    }

    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: head.format,
        content_version: head.content_version.clone(),
        created_at: head.created_at.clone(),
        deployment: head.deployment.clone(),
        files,
    };
    // Building a generation takes seconds to a minute of CPU: off the async thread.
    let (data, cache) = (data_dir.to_owned(), targets_dir.clone());
    let report = tokio::task::spawn_blocking(move || {
        Store::install_bundle(&data, &OpenBundle::from_hash_dir(&cache, manifest)?)
    })
    .await??;
    // The store holds them now; the head stays, so an unchanged release costs one timestamp.
    download::clear(&targets_dir, std::slice::from_ref(&head_file))?;
    prune_meta_cache(&meta_cache, &repo);
    Ok(UpdateReport { outcome: Outcome::Installed(report), wire_bytes: wire.get(), fetched })
}

/// Why a check failed, as `kiosk_update_failures_total{reason}` counts it: network (the
/// repository could not be reached), verification (refused: a signature, hash, expiry or
/// rollback check failed), disk (not enough space), install (the store could not build the
/// generation), other.
pub fn failure_reason(e: &anyhow::Error) -> &'static str {
    let chain = format!("{e:#}");
    if chain.contains("refused") {
        "verification"
    } else if chain.contains("disk space") || chain.contains("No space left") {
        "disk"
    } else if chain.contains("could not be reached")
        || e.chain().any(|c| c.downcast_ref::<reqwest::Error>().is_some())
    {
        "network"
    } else if chain.contains("installing") || chain.contains("generation") {
        "install"
    } else {
        "other"
    }
}

/// A check's outcome in the log, and a failure in `kiosk_update_failures_total` (the times and
/// versions reach the gauges from `status.json`, read by the health sampler before each scrape:
/// one place for them).
fn record_metrics(result: &Result<UpdateReport>) {
    match result {
        Ok(r) => {
            if let Outcome::Installed(i) = &r.outcome {
                tracing::info!(version = %i.content_version, wire_bytes = r.wire_bytes, "content installed");
            }
        }
        Err(e) => {
            let reason = failure_reason(e);
            crate::observe::metrics().update_failures.with_label_values(&[reason]).inc();
            tracing::warn!(reason, "content check failed: {e:#}");
        }
    }
}

/// tough's errors, said for a technician.
fn explain(e: tough::error::Error) -> anyhow::Error {
    use tough::error::Error as E;
    // tough reports a bad download (hash, size) from inside its transport error.
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let why = match &e {
        E::Transport { .. } if chain.contains("Hash mismatch") => {
            "a metadata file's hash does not match the snapshot (mix-and-match or tampering): refused"
        }
        E::Transport { .. } if chain.contains("Maximum size") => {
            "a metadata file is longer than allowed (endless data): refused"
        }
        E::SystemTimeSteppedBackward { .. } => {
            "the clock is behind the time of an earlier check (no RTC, or NTP not synced \
             yet): this check is skipped and the next one trusts the clock as it is then; the \
             current content keeps serving"
        }
        E::ExpiredMetadata { .. } => "the repository's signatures have expired (freeze attack, or the publisher stopped re-signing): refused",
        E::OlderMetadata { .. }
        | E::OlderSnapshotInTimestamp { .. }
        | E::SnapshotRoleRollback { .. } => "the repository offers older metadata than this kiosk already trusts (rollback attack): refused",
        E::VerifyMetadata { .. }
        | E::VerifyRoleMetadata { .. }
        | E::VerifyTrustedMetadata { .. } => "a signature does not verify against the trusted keys: refused",
        E::VersionMismatch { .. } => "the snapshot and the metadata it lists disagree (mix-and-match attack): refused",
        E::MaxSizeExceeded { .. } => "a metadata file is longer than allowed (endless data): refused",
        E::HashMismatch { .. } => "a metadata file's hash does not match the snapshot: refused",
        E::Transport { .. } => "the repository could not be reached",
        _ => "checking the repository failed",
    };
    anyhow::Error::new(e).context(why)
}

/// Keeps only the cached metadata the current snapshot names (and every root).
fn prune_meta_cache(cache: &Path, repo: &tough::Repository) {
    let snapshot = repo.snapshot();
    let timestamp = repo.timestamp();
    let mut keep: HashSet<String> =
        snapshot.signed.meta.iter().map(|(name, m)| format!("{}.{name}", m.version)).collect();
    if let Some(m) = timestamp.signed.meta.get("snapshot.json") {
        keep.insert(format!("{}.snapshot.json", m.version));
    }
    let Ok(entries) = std::fs::read_dir(cache) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !keep.contains(&name) && !name.ends_with(".root.json") {
            std::fs::remove_file(e.path()).ok();
        }
    }
}

/// The files of tough's datastore that carry trust from one check to the next.
const TRUST_FILES: [&str; 5] =
    ["root.json", "timestamp.json", "snapshot.json", "targets.json", "latest_known_time.json"];

/// A fresh working datastore holding a copy of the trust state.
fn prepare_datastore(sync: &Path) -> Result<PathBuf> {
    let (trust, work) = (sync.join("tuf"), sync.join("tuf.work"));
    std::fs::create_dir_all(&trust)?;
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    for name in TRUST_FILES {
        if let Ok(bytes) = std::fs::read(trust.join(name)) {
            std::fs::write(work.join(name), bytes)?;
        }
    }
    Ok(work)
}

/// After a verified check: each trust file moves into place atomically and durably (tough
/// writes without fsync; a power cut must not lose the versions rollback checks compare with).
fn persist_trust(work: &Path, trust: &Path) -> Result<()> {
    for name in TRUST_FILES {
        if let Ok(bytes) = std::fs::read(work.join(name)) {
            if std::fs::read(trust.join(name)).ok().as_deref() != Some(&bytes[..]) {
                crate::content::bundle::write_atomically(&trust.join(name), &bytes)?;
            }
        }
    }
    std::fs::File::open(trust)?.sync_all()?;
    Ok(())
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! `kiosk publish`: a bundle becomes the next version of a static TUF repository.
//!
//! Writes in the order that keeps the repository valid at every moment for a kiosk reading it
//! mid-publish: targets first, then bins, top-level targets and snapshot (all under new,
//! versioned names nobody reads yet), `timestamp.json` last — the one file whose replacement
//! makes the release visible. Nothing older is deleted: a kiosk halfway through the previous
//! release can finish it.

use std::collections::HashMap;
use std::io::Write;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use aws_lc_rs::rand::SystemRandom;
use flate2::write::GzEncoder;
use tough::editor::signed::SignedRole;
use tough::schema::decoded::{Decoded, Hex};
use tough::schema::{
    DelegatedRole, DelegatedTargets, Delegations, Hashes, KeyHolder, Metafile, PathHashPrefix,
    PathSet, RoleType, Signed, Snapshot, Target, Targets, Timestamp,
};
use tough::TargetName;

use super::keys::{OnlineKeys, SPEC_VERSION};
use super::layout::{self, BundleHead, HEAD_TARGET};
use crate::content::bundle::{sha256_hex, write_atomically, FileKind, OpenBundle};

/// Expiry of each role, in days from the publish.
#[derive(Debug, Clone)]
pub struct Expiry {
    /// Short: a kiosk that sees no fresh timestamp for this long refuses updates (freeze attack).
    /// Re-sign it with `kiosk publish --refresh` from a timer (see README).
    pub timestamp_days: i64,
    pub snapshot_days: i64,
    pub targets_days: i64,
}

impl Default for Expiry {
    fn default() -> Self {
        Expiry { timestamp_days: 7, snapshot_days: 30, targets_days: 365 }
    }
}

/// What a publish did.
#[derive(Debug, Clone)]
pub struct PublishReport {
    pub version: u64,
    pub content_version: String,
    pub targets_written: usize,
    pub targets_reused: usize,
    pub bins_signed: usize,
}

/// Publishes `bundle_dir` into `repo` as its next version, signed with the online keys.
pub fn publish(
    bundle_dir: &Path,
    repo: &Path,
    keys_dir: &Path,
    activate_at: Option<&str>,
    expiry: &Expiry,
) -> Result<PublishReport> {
    if let Some(at) = activate_at {
        at.parse::<jiff::Timestamp>()
            .with_context(|| format!("--activate-at {at:?}: not an RFC 3339 time"))?;
    }
    let keys = OnlineKeys::load(keys_dir)?;
    let bundle = OpenBundle::open(bundle_dir)?;
    let previous = RepoState::read(repo)?;
    let m = &bundle.manifest;
    let head = BundleHead {
        format: m.format,
        content_version: m.content_version.clone(),
        created_at: m.created_at.clone(),
        deployment: m.deployment.clone(),
        activate_at: activate_at.map(str::to_owned),
    };
    std::fs::create_dir_all(repo.join("metadata"))?;
    std::fs::create_dir_all(repo.join("targets"))?;

    // Targets: the head, the hall file and every law, each also gzipped.
    let (mut written, mut reused) = (0, 0);
    let mut top: HashMap<TargetName, Target> = HashMap::new();
    let mut bins: Vec<HashMap<TargetName, Target>> = vec![HashMap::new(); layout::BINS];
    let head_bytes = serde_json::to_vec_pretty(&head)?;
    let (target, fresh) = put_target(repo, HEAD_TARGET, &head_bytes)?;
    top.insert(TargetName::new(HEAD_TARGET)?, target);
    (written, reused) = (written + fresh as usize, reused + !fresh as usize);
    for entry in &m.files {
        let bytes = std::fs::read(bundle.dir.join(&entry.path))?;
        ensure!(sha256_hex(&bytes) == entry.sha256, "{}: changed since the build", entry.path);
        let name = layout::target_name(entry.kind, &entry.sha256);
        let (target, fresh) = put_target(repo, &name, &bytes)?;
        (written, reused) = (written + fresh as usize, reused + !fresh as usize);
        match entry.kind {
            // A hall file and a handful of posters: signed by the top-level targets role.
            FileKind::Hall | FileKind::Poster => top.insert(TargetName::new(&name)?, target),
            FileKind::Law => bins[layout::bin_of(&name)].insert(TargetName::new(&name)?, target),
        };
    }

    let rng = SystemRandom::new();
    let root = keys.root.signed.clone();
    let targets_keyids = root.roles[&RoleType::Targets].keyids.clone();
    let delegations = Delegations {
        keys: targets_keyids.iter().map(|id| (id.clone(), root.keys[id].clone())).collect(),
        roles: (0..layout::BINS)
            .map(|i| {
                Ok(DelegatedRole {
                    name: layout::bin_name(i),
                    keyids: targets_keyids.clone(),
                    threshold: NonZeroU64::MIN,
                    paths: PathSet::PathHashPrefixes(
                        layout::bin_prefixes(i)
                            .into_iter()
                            .map(PathHashPrefix::new)
                            .collect::<Result<_, _>>()?,
                    ),
                    terminating: true,
                    targets: None,
                })
            })
            .collect::<Result<_>>()?,
    };
    let rt = super::runtime()?;
    let version = previous.version + 1;
    let mut snapshot_meta = HashMap::new();

    // Bins: re-sign only those whose targets changed (or that would expire within 60 days).
    let mut bins_signed = 0;
    let bin_holder = KeyHolder::Delegations(delegations.clone());
    for (i, wanted) in bins.into_iter().enumerate() {
        let role = layout::bin_name(i);
        let file = format!("{role}.json");
        if let Some(prev) = previous.bins.get(&role) {
            let fresh_enough = prev.targets.signed.expires > super::keys::days_from_now(60)?;
            // After a targets key rotation every bin needs the new key's signature.
            let signed_by_current =
                prev.targets.signatures.iter().all(|s| targets_keyids.contains(&s.keyid));
            if prev.targets.signed.targets == wanted && fresh_enough && signed_by_current {
                snapshot_meta.insert(file, prev.meta.clone());
                continue;
            }
        }
        let bin_version = previous.bins.get(&role).map_or(1, |b| b.meta.version.get() + 1);
        let mut t = Targets::new(
            SPEC_VERSION.into(),
            NonZeroU64::new(bin_version).expect("> 0"),
            super::keys::days_from_now(expiry.targets_days)?,
        );
        t.targets = wanted;
        let signed = rt.block_on(SignedRole::new(
            DelegatedTargets { name: role.clone(), targets: t },
            &bin_holder,
            &keys.sources,
            &rng,
        ))?;
        write_meta(repo, &format!("{bin_version}.{file}"), signed.buffer())?;
        snapshot_meta.insert(file, metafile(bin_version, signed.buffer()));
        bins_signed += 1;
    }

    let mut targets = Targets::new(
        SPEC_VERSION.into(),
        NonZeroU64::new(version).expect("> 0"),
        super::keys::days_from_now(expiry.targets_days)?,
    );
    targets.targets = top;
    targets.delegations = Some(delegations);
    let holder = KeyHolder::Root(root);
    let signed = rt.block_on(SignedRole::new(targets, &holder, &keys.sources, &rng))?;
    write_meta(repo, &format!("{version}.targets.json"), signed.buffer())?;
    snapshot_meta.insert("targets.json".into(), metafile(version, signed.buffer()));

    let mut snapshot = Snapshot::new(
        SPEC_VERSION.into(),
        NonZeroU64::new(version).expect("> 0"),
        super::keys::days_from_now(expiry.snapshot_days)?,
    );
    snapshot.meta = snapshot_meta;
    let signed = rt.block_on(SignedRole::new(snapshot, &holder, &keys.sources, &rng))?;
    write_meta(repo, &format!("{version}.snapshot.json"), signed.buffer())?;
    let snapshot_file = metafile(version, signed.buffer());

    copy_roots(repo, &keys)?;
    write_timestamp(repo, &keys, &holder, version, snapshot_file, expiry.timestamp_days, &rng)?;
    Ok(PublishReport {
        version,
        content_version: m.content_version.clone(),
        targets_written: written,
        targets_reused: reused,
        bins_signed,
    })
}

/// Re-signs only the timestamp (new version, new expiry) over the current snapshot: what a
/// timer runs every few days so kiosks keep trusting an unchanged repository.
pub fn refresh(repo: &Path, keys_dir: &Path, expiry: &Expiry) -> Result<u64> {
    let keys = OnlineKeys::load(keys_dir)?;
    let (timestamp, _) = read_timestamp(repo)?.context("nothing published here yet")?;
    let snapshot =
        timestamp.signed.meta.get("snapshot.json").context("timestamp without snapshot")?;
    let version = timestamp.signed.version.get() + 1;
    let holder = KeyHolder::Root(keys.root.signed.clone());
    copy_roots(repo, &keys)?;
    write_timestamp(
        repo,
        &keys,
        &holder,
        version,
        snapshot.clone(),
        expiry.timestamp_days,
        &SystemRandom::new(),
    )?;
    Ok(version)
}

fn write_timestamp(
    repo: &Path,
    keys: &OnlineKeys,
    holder: &KeyHolder,
    version: u64,
    snapshot: Metafile,
    days: i64,
    rng: &SystemRandom,
) -> Result<()> {
    let mut timestamp = Timestamp::new(
        SPEC_VERSION.into(),
        NonZeroU64::new(version).expect("> 0"),
        super::keys::days_from_now(days)?,
    );
    timestamp.meta.insert("snapshot.json".into(), snapshot);
    let signed =
        super::runtime()?.block_on(SignedRole::new(timestamp, holder, &keys.sources, rng))?;
    write_meta(repo, "timestamp.json", signed.buffer())
}

/// Every root version into `metadata/N.root.json`, the newest also as `root.json`.
fn copy_roots(repo: &Path, keys: &OnlineKeys) -> Result<()> {
    for (n, file) in &keys.root_history {
        let out = repo.join(format!("metadata/{n}.root.json"));
        let bytes = std::fs::read(file)?;
        if std::fs::read(&out).ok().as_deref() != Some(&bytes[..]) {
            write_meta(repo, &format!("{n}.root.json"), &bytes)?;
        }
    }
    let (_, newest) = keys.root_history.last().expect("OnlineKeys::load checks");
    write_meta(repo, "root.json", &std::fs::read(newest)?)
}

fn metafile(version: u64, bytes: &[u8]) -> Metafile {
    Metafile {
        length: Some(bytes.len() as u64),
        hashes: Some(Hashes { sha256: sha256(bytes), _extra: HashMap::new() }),
        version: NonZeroU64::new(version).expect("> 0"),
        _extra: HashMap::new(),
    }
}

fn sha256(bytes: &[u8]) -> Decoded<Hex> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec().into()
}

fn write_meta(repo: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = repo.join("metadata").join(name);
    write_atomically(&path, bytes)?;
    // nginx's gzip_static and the kiosk's transport read the .gz when it is there.
    write_atomically(&gz_path(&path), &gzip(bytes)?)?;
    std::fs::File::open(repo.join("metadata"))?.sync_all()?;
    Ok(())
}

/// Writes `targets/<sha256>.<name>` and its `.gz` unless they exist; true when written.
fn put_target(repo: &Path, name: &str, bytes: &[u8]) -> Result<(Target, bool)> {
    let hash = sha256(bytes);
    let path = repo.join("targets").join(format!("{}.{name}", sha256_hex(bytes)));
    let fresh = !std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64)
        || !gz_path(&path).exists();
    if fresh {
        write_atomically(&gz_path(&path), &gzip(bytes)?)?;
        write_atomically(&path, bytes)?;
    }
    let target = Target {
        length: bytes.len() as u64,
        hashes: Hashes { sha256: hash, _extra: HashMap::new() },
        custom: HashMap::new(),
        _extra: HashMap::new(),
    };
    Ok((target, fresh))
}

pub(crate) fn gz_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".gz");
    PathBuf::from(name)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

/// The repository as the last publish left it.
struct RepoState {
    version: u64,
    bins: HashMap<String, PublishedBin>,
}

struct PublishedBin {
    meta: Metafile,
    targets: Signed<Targets>,
}

impl RepoState {
    fn read(repo: &Path) -> Result<RepoState> {
        let Some((timestamp, _)) = read_timestamp(repo)? else {
            return Ok(RepoState { version: 0, bins: HashMap::new() });
        };
        let snap_meta = &timestamp.signed.meta["snapshot.json"];
        let snap_path = repo.join(format!("metadata/{}.snapshot.json", snap_meta.version));
        let snapshot: Signed<Snapshot> = serde_json::from_slice(&std::fs::read(&snap_path)?)
            .with_context(|| format!("{}: malformed", snap_path.display()))?;
        let mut bins = HashMap::new();
        for (file, meta) in &snapshot.signed.meta {
            let Some(role) = file.strip_suffix(".json").filter(|r| r.starts_with("bins-")) else {
                continue;
            };
            let path = repo.join(format!("metadata/{}.{file}", meta.version));
            let targets: Signed<Targets> = serde_json::from_slice(&std::fs::read(&path)?)
                .with_context(|| format!("{}: malformed", path.display()))?;
            bins.insert(role.to_owned(), PublishedBin { meta: meta.clone(), targets });
        }
        // Versions only grow: the next is one above anything published (a refresh may have
        // moved the timestamp ahead of the snapshot).
        let version = timestamp.signed.version.get().max(snapshot.signed.version.get());
        Ok(RepoState { version, bins })
    }
}

fn read_timestamp(repo: &Path) -> Result<Option<(Signed<Timestamp>, PathBuf)>> {
    let path = repo.join("metadata/timestamp.json");
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some((
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{}: malformed", path.display()))?,
            path,
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

//! Signing keys and the root of trust, on the technician's machine.
//!
//! ```text
//! KEYS/root/root-1.pk8 …     the root keys: keep this folder OFFLINE (a USB stick in a safe);
//!                            only `keys init` and `keys rotate` read it
//! KEYS/targets.pk8           online keys: `publish` signs with them
//! KEYS/snapshot.pk8
//! KEYS/timestamp.pk8
//! KEYS/roots/N.root.json     every root version so far; `publish` copies them into the repository
//!                            so a kiosk holding root 1 can walk, signature by signature, to root N
//! ```
//! Keys are Ed25519, PKCS#8, mode 0600. A rotated key's file is kept as `NAME.retired-V` (V the
//! root version that retired it), never overwritten.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::Ed25519KeyPair;
use tough::editor::signed::SignedRole;
use tough::key_source::{KeySource, LocalKeySource};
use tough::schema::{KeyHolder, RoleKeys, RoleType, Root, Signed};
use tough::sign::{parse_keypair, Sign};

use crate::content::bundle::write_atomically;

/// The TUF specification version the metadata claims.
pub const SPEC_VERSION: &str = "1.0.0";

/// The top-level roles a root names, and the key file of each online one.
const ONLINE_ROLES: [(RoleType, &str); 3] = [
    (RoleType::Targets, "targets.pk8"),
    (RoleType::Snapshot, "snapshot.pk8"),
    (RoleType::Timestamp, "timestamp.pk8"),
];

/// How `keys init` sets up the root.
#[derive(Debug, Clone)]
pub struct RootPlan {
    /// Root keys to make.
    pub root_keys: usize,
    /// Root signatures a new root (or the first) needs.
    pub threshold: u64,
    /// Days until the root expires (a kiosk refuses an expired root's updates until rotated).
    pub expires_days: i64,
}

impl Default for RootPlan {
    fn default() -> Self {
        RootPlan { root_keys: 1, threshold: 1, expires_days: 365 }
    }
}

/// The keys directory as `publish` sees it: the newest root and the online keys.
pub struct OnlineKeys {
    pub root: Signed<Root>,
    /// `roots/N.root.json` for every N, oldest first: (N, file).
    pub root_history: Vec<(u64, PathBuf)>,
    pub sources: Vec<Box<dyn KeySource>>,
}

impl OnlineKeys {
    pub fn load(keys_dir: &Path) -> Result<OnlineKeys> {
        let root_history = root_history(keys_dir)?;
        let (_, newest) = root_history.last().with_context(|| {
            format!("{}: no root yet (run `kiosk keys init --keys DIR`)", keys_dir.display())
        })?;
        let root = read_root(newest)?;
        let mut sources: Vec<Box<dyn KeySource>> = Vec::new();
        for (_, file) in ONLINE_ROLES {
            let path = keys_dir.join(file);
            ensure!(path.exists(), "{}: missing (see `kiosk keys init`)", path.display());
            sources.push(Box::new(LocalKeySource { path }));
        }
        Ok(OnlineKeys { root, root_history, sources })
    }
}

/// Makes the root keys, the online keys and root version 1. Refuses a folder that has a root.
pub fn init(keys_dir: &Path, plan: &RootPlan) -> Result<PathBuf> {
    ensure!(plan.root_keys >= 1, "at least one root key");
    ensure!(
        (1..=plan.root_keys as u64).contains(&plan.threshold),
        "root threshold {} must be between 1 and the number of root keys ({})",
        plan.threshold,
        plan.root_keys
    );
    if !root_history(keys_dir)?.is_empty() {
        bail!(
            "{}: keys already exist; rotate them with `kiosk keys rotate` (a second root \
             would not be trusted by kiosks holding the first)",
            keys_dir.display()
        );
    }
    std::fs::create_dir_all(keys_dir.join("root"))?;
    std::fs::create_dir_all(keys_dir.join("roots"))?;
    let root_files: Vec<PathBuf> = (1..=plan.root_keys)
        .map(|i| new_key(&keys_dir.join("root").join(format!("root-{i}.pk8"))))
        .collect::<Result<_>>()?;
    for (_, file) in ONLINE_ROLES {
        new_key(&keys_dir.join(file))?;
    }
    let mut root = Root {
        spec_version: SPEC_VERSION.into(),
        consistent_snapshot: true,
        version: NonZeroU64::MIN,
        expires: days_from_now(plan.expires_days)?,
        keys: HashMap::new(),
        roles: HashMap::new(),
        _extra: HashMap::new(),
    };
    for f in &root_files {
        add_key(&mut root, RoleType::Root, f)?;
    }
    set_threshold(&mut root, RoleType::Root, plan.threshold)?;
    for (role, file) in ONLINE_ROLES {
        add_key(&mut root, role, &keys_dir.join(file))?;
    }
    let signed =
        crate::sync::runtime()?.block_on(sign_root(&root, &root, &root_files, &root_files))?;
    let out = keys_dir.join("roots/1.root.json");
    write_atomically(&out, signed.buffer())?;
    Ok(out)
}

/// Which key `rotate` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateRole {
    /// Every root key (a new set of the same size; the old set signs the hand-over).
    Root,
    Targets,
    Snapshot,
    Timestamp,
}

/// Replaces a role's key and writes root version N+1, signed by the old root keys (so kiosks
/// trust it) and, for a root rotation, by the new ones too (so the next rotation can follow).
/// `root_keys_dir` is the offline folder (default KEYS/root).
pub fn rotate(
    keys_dir: &Path,
    root_keys_dir: Option<&Path>,
    role: RotateRole,
    expires_days: i64,
) -> Result<PathBuf> {
    let history = root_history(keys_dir)?;
    let (version, newest) = history.last().context("no root yet (run `kiosk keys init`)")?;
    let old = read_root(newest)?.signed;
    let root_dir = root_keys_dir.map(Path::to_owned).unwrap_or_else(|| keys_dir.join("root"));
    let old_root_files = key_files(&root_dir)?;
    ensure!(!old_root_files.is_empty(), "{}: no root keys (*.pk8)", root_dir.display());
    let next = version + 1;
    let mut root = old.clone();
    root.version = NonZeroU64::new(next).expect("version + 1 > 0");
    root.expires = days_from_now(expires_days)?;
    let new_root_files = match role {
        RotateRole::Root => {
            let threshold = root.roles[&RoleType::Root].threshold.get();
            clear_role(&mut root, RoleType::Root);
            let mut files = Vec::new();
            for old_file in &old_root_files {
                retire(old_file, next)?;
                let f = new_key(old_file)?;
                add_key(&mut root, RoleType::Root, &f)?;
                files.push(f);
            }
            set_threshold(&mut root, RoleType::Root, threshold)?;
            // The retired files sign the hand-over below.
            let retired: Vec<PathBuf> =
                old_root_files.iter().map(|f| retired_name(f, next)).collect();
            let signed =
                crate::sync::runtime()?.block_on(sign_root(&root, &old, &files, &retired))?;
            return write_root(keys_dir, next, &signed);
        }
        RotateRole::Targets | RotateRole::Snapshot | RotateRole::Timestamp => {
            let (tuf_role, file) = ONLINE_ROLES
                .into_iter()
                .find(|(r, _)| {
                    *r == match role {
                        RotateRole::Targets => RoleType::Targets,
                        RotateRole::Snapshot => RoleType::Snapshot,
                        _ => RoleType::Timestamp,
                    }
                })
                .expect("an online role");
            let threshold = root.roles[&tuf_role].threshold.get();
            clear_role(&mut root, tuf_role);
            let path = keys_dir.join(file);
            retire(&path, next)?;
            new_key(&path)?;
            add_key(&mut root, tuf_role, &path)?;
            set_threshold(&mut root, tuf_role, threshold)?;
            old_root_files.clone()
        }
    };
    let signed = crate::sync::runtime()?.block_on(sign_root(
        &root,
        &old,
        &new_root_files,
        &old_root_files,
    ))?;
    write_root(keys_dir, next, &signed)
}

fn write_root(keys_dir: &Path, version: u64, signed: &SignedRole<Root>) -> Result<PathBuf> {
    let out = keys_dir.join(format!("roots/{version}.root.json"));
    write_atomically(&out, signed.buffer())?;
    Ok(out)
}

/// Signs `root` with the keys it names (`new_files`) and with the previous root's keys
/// (`old_files`, checked against `previous`'s threshold): TUF's root hand-over.
async fn sign_root(
    root: &Root,
    previous: &Root,
    new_files: &[PathBuf],
    old_files: &[PathBuf],
) -> Result<SignedRole<Root>> {
    let rng = SystemRandom::new();
    let sources = |files: &[PathBuf]| -> Vec<Box<dyn KeySource>> {
        files.iter().map(|p| Box::new(LocalKeySource { path: p.clone() }) as _).collect()
    };
    let by_new =
        SignedRole::new(root.clone(), &KeyHolder::Root(root.clone()), &sources(new_files), &rng)
            .await?;
    let by_old = SignedRole::new(
        root.clone(),
        &KeyHolder::Root(previous.clone()),
        &sources(old_files),
        &rng,
    )
    .await
    .context("the previous root's keys cannot sign the new root")?;
    let old_count = by_old.signed().signatures.len() as u64;
    ensure!(
        old_count >= previous.roles[&RoleType::Root].threshold.get(),
        "only {old_count} of the previous root's keys signed: below its threshold"
    );
    Ok(by_new.add_old_signatures(by_old.signed().signatures.clone())?)
}

/// `KEYS/roots/N.root.json` files, oldest first.
fn root_history(keys_dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let dir = keys_dir.join("roots");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(out) };
    for e in entries {
        let p = e?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some(n) = name.strip_suffix(".root.json").and_then(|n| n.parse::<u64>().ok()) {
            out.push((n, p));
        }
    }
    out.sort();
    for (i, (n, _)) in out.iter().enumerate() {
        ensure!(*n == i as u64 + 1, "{}: root versions have a gap before {n}", dir.display());
    }
    Ok(out)
}

pub fn read_root(path: &Path) -> Result<Signed<Root>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not a TUF root", path.display()))
}

fn key_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pk8"))
        .collect();
    files.sort();
    Ok(files)
}

/// Generates an Ed25519 key into `path` (0600, never over an existing file).
fn new_key(path: &Path) -> Result<PathBuf> {
    let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| anyhow::anyhow!("generating a key failed"))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    use std::io::Write;
    f.write_all(doc.as_ref())?;
    f.sync_all()?;
    Ok(path.to_owned())
}

fn retired_name(path: &Path, version: u64) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".retired-{version}"));
    path.with_file_name(name)
}

fn retire(path: &Path, version: u64) -> Result<()> {
    let to = retired_name(path, version);
    ensure!(!to.exists(), "{} exists: a rotation to this version was begun", to.display());
    std::fs::rename(path, &to).with_context(|| format!("retiring {}", path.display()))
}

fn add_key(root: &mut Root, role: RoleType, key_file: &Path) -> Result<()> {
    let bytes =
        std::fs::read(key_file).with_context(|| format!("reading {}", key_file.display()))?;
    let pair = parse_keypair(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not a signing key: {e}", key_file.display()))?;
    let key = pair.tuf_key();
    let id = key.key_id()?;
    root.keys.insert(id.clone(), key);
    root.roles
        .entry(role)
        .or_insert_with(|| RoleKeys {
            keyids: Vec::new(),
            threshold: NonZeroU64::MIN,
            _extra: HashMap::new(),
        })
        .keyids
        .push(id);
    Ok(())
}

fn set_threshold(root: &mut Root, role: RoleType, threshold: u64) -> Result<()> {
    let keys = root.roles.get_mut(&role).context("role without keys")?;
    keys.threshold = NonZeroU64::new(threshold).context("threshold 0")?;
    Ok(())
}

/// Removes a role's keys (and keys no role uses any more).
fn clear_role(root: &mut Root, role: RoleType) {
    if let Some(keys) = root.roles.get_mut(&role) {
        keys.keyids.clear();
    }
    let used: std::collections::HashSet<_> =
        root.roles.values().flat_map(|r| r.keyids.iter().cloned()).collect();
    root.keys.retain(|id, _| used.contains(id));
}

pub fn days_from_now(days: i64) -> Result<jiff::Timestamp> {
    Ok(jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(days * 24))?)
}

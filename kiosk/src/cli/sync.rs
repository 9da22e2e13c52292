//! `kiosk keys`, `kiosk publish`, `kiosk update`, `kiosk rollback`: content refresh by hand.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::sync::client::{self, Outcome, Source};
use kiosk::sync::keys::{self, RootPlan, RotateRole};
use kiosk::sync::publish::{self, Expiry};
use kiosk::sync::status::SyncStatus;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Make the root keys (KEYS/root/, keep them offline), the online keys and root version 1.
    Init {
        #[arg(long)]
        keys: PathBuf,
        /// Root keys to make.
        #[arg(long, default_value_t = 1)]
        root_keys: usize,
        /// Root signatures a new root needs.
        #[arg(long, default_value_t = 1)]
        threshold: u64,
        #[arg(long, default_value_t = 365)]
        expires_days: i64,
    },
    /// Replace a role's key: writes the next root version, signed by the old root keys.
    Rotate {
        #[arg(long)]
        keys: PathBuf,
        #[arg(long, value_enum)]
        role: Role,
        /// The folder of offline root keys (default: KEYS/root).
        #[arg(long)]
        root_dir: Option<PathBuf>,
        #[arg(long, default_value_t = 365)]
        expires_days: i64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Role {
    Root,
    Targets,
    Snapshot,
    Timestamp,
}

#[derive(Args)]
pub struct PublishArgs {
    /// A bundle from `kiosk bundle build` (omit with --refresh).
    bundle: Option<PathBuf>,
    #[arg(long)]
    repo: PathBuf,
    #[arg(long)]
    keys: PathBuf,
    /// Kiosks switch to this release at this time (RFC 3339, e.g. 2027-01-01T00:00:00+08:00).
    #[arg(long)]
    activate_at: Option<String>,
    /// Only re-sign the timestamp (run from a timer every few days).
    #[arg(long, conflicts_with = "bundle")]
    refresh: bool,
    /// Days the timestamp stays valid: a kiosk that cannot see a fresher one refuses updates.
    #[arg(long, default_value_t = 7)]
    timestamp_days: i64,
}

#[derive(Args)]
pub struct UpdateArgs {
    /// The repository: http(s)://…, file://… or a folder (a USB stick).
    #[arg(long, required_unless_present = "status")]
    from: Option<String>,
    /// Store directory (default: the config's data_dir).
    #[arg(long)]
    store: Option<PathBuf>,
    /// The root of trust to start from (default: the newest the kiosk holds, else the
    /// config's trusted_root).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Print the last check, the last update and the content versions, and exit.
    #[arg(long)]
    status: bool,
}

pub fn keys(cmd: KeysCommand) -> Result<()> {
    match cmd {
        KeysCommand::Init { keys: dir, root_keys, threshold, expires_days } => {
            let root = keys::init(&dir, &RootPlan { root_keys, threshold, expires_days })?;
            println!("root version 1: {}", root.display());
            println!(
                "move {} to offline storage; ship {} to kiosks as their trusted root",
                dir.join("root").display(),
                root.display()
            );
        }
        KeysCommand::Rotate { keys: dir, role, root_dir, expires_days } => {
            let role = match role {
                Role::Root => RotateRole::Root,
                Role::Targets => RotateRole::Targets,
                Role::Snapshot => RotateRole::Snapshot,
                Role::Timestamp => RotateRole::Timestamp,
            };
            let root = keys::rotate(&dir, root_dir.as_deref(), role, expires_days)?;
            println!("new root: {} (publish to hand it to the kiosks)", root.display());
        }
    }
    Ok(())
}

pub fn publish(args: PublishArgs) -> Result<()> {
    let expiry = Expiry { timestamp_days: args.timestamp_days, ..Expiry::default() };
    if args.refresh {
        let v = publish::refresh(&args.repo, &args.keys, &expiry)?;
        println!("timestamp version {v} signed, valid {} days", expiry.timestamp_days);
        return Ok(());
    }
    let bundle =
        args.bundle.ok_or_else(|| anyhow::anyhow!("publish needs a BUNDLE (or --refresh)"))?;
    let r =
        publish::publish(&bundle, &args.repo, &args.keys, args.activate_at.as_deref(), &expiry)?;
    println!(
        "published {} as repository version {}: {} targets written, {} already there, {} bins signed",
        r.content_version, r.version, r.targets_written, r.targets_reused, r.bins_signed
    );
    Ok(())
}

pub fn update(args: UpdateArgs, config: &Config) -> Result<()> {
    let data_dir = args.store.unwrap_or_else(|| config.data_dir.clone());
    if args.status {
        return print_status(&data_dir);
    }
    let source: Source = args.from.expect("clap requires --from").parse()?;
    let t = Instant::now();
    let r = client::update(&data_dir, &source, args.root.as_deref(), &config.trusted_root)?;
    let took = t.elapsed().as_secs_f64();
    match r.outcome {
        Outcome::UpToDate(v) => println!("up to date: {v} ({} bytes received)", r.wire_bytes),
        Outcome::Installed(i) => println!(
            "installed {} as generation {}: {} added, {} removed, {} unchanged; {} targets \
             fetched, {} bytes received, {took:.2} s",
            i.content_version,
            i.generation,
            i.added,
            i.removed,
            i.unchanged,
            r.fetched,
            r.wire_bytes
        ),
        Outcome::Pending(p) => println!(
            "{} verified and fetched; it goes live at {} ({} bytes received)",
            p.content_version, p.activate_at, r.wire_bytes
        ),
        Outcome::HeldBack(v) => {
            println!("{v} was rolled back by a technician: not installed again");
        }
    }
    Ok(())
}

fn print_status(data_dir: &std::path::Path) -> Result<()> {
    let s = SyncStatus::load(data_dir)?;
    let running = Store::open(data_dir).map(|st| st.info().content_version.clone());
    let or_never = |v: &Option<String>| v.clone().unwrap_or_else(|| "never".into());
    println!("running version:        {}", running.unwrap_or_else(|_| "none (no content)".into()));
    println!("newest version seen:    {}", s.newest_version.clone().unwrap_or("-".into()));
    println!("source:                 {}", s.source.clone().unwrap_or("-".into()));
    println!("last check:             {}", or_never(&s.last_check));
    println!("last successful check:  {}", or_never(&s.last_successful_check));
    println!("last update:            {}", or_never(&s.last_update));
    if let Some(p) = &s.pending {
        println!("pending:                {} at {}", p.content_version, p.activate_at);
    }
    if let Some(v) = &s.held_back {
        println!("held back:              {v}");
    }
    if let Some(e) = &s.last_error {
        println!("last error:             {e} ({} failures in a row)", s.failures);
    }
    Ok(())
}

pub fn push(repo: PathBuf, to: String, token: String) -> Result<()> {
    let url: url::Url = to.parse().map_err(|e| anyhow::anyhow!("--to {to:?}: {e}"))?;
    println!("{}", kiosk::sync::push::push(&repo, &url, &token)?);
    Ok(())
}

pub fn rollback(store: Option<PathBuf>, config: &Config) -> Result<()> {
    let data_dir = store.unwrap_or_else(|| config.data_dir.clone());
    println!("{}", kiosk::app::actions::rollback(&data_dir)?);
    Ok(())
}

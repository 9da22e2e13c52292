//! Content refresh, measured against real nginx on loopback (Debian's; `tools/setup-debian
//! --tests` installs it):
//!
//! 1. Bytes on the wire (nginx's `$bytes_sent`) and time to live for a first full install of the
//!    national corpus, a one-law release and a ten-law release, beside the bundle's size.
//! 2. Frame time of the home screen (software renderer, whole-frame repaints) while a
//!    full-corpus apply runs on another thread, against the same frames with nothing running.
//! 3. A fleet: 200 kiosks polling one nginx for an hour of simulated time (every 15 min ±20 %),
//!    then a one-law release: requests and bytes per kiosk.
//!
//! `cargo bench --bench sync`. KIOSK_FLEET sets the fleet size (default 200).

#[allow(dead_code)]
#[path = "../../tests/support/nginx.rs"]
mod nginx;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk::app::config::Config;
use kiosk::content::{bundle, source::ContentSource, Store};
use kiosk::sync::client::{self, Outcome, Source};
use kiosk::sync::keys::{self, RootPlan};
use kiosk::sync::poller::{next_wait, PollPlan};
use kiosk::sync::publish::{self, Expiry};
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::Headless;
use kiosk::ui::AppWindow;
use nginx::Nginx;
use slint::ComponentHandle;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn dir_bytes(dir: &Path, suffix: Option<&str>) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            total += dir_bytes(&e.path(), suffix);
        } else if suffix.is_none_or(|s| e.file_name().to_string_lossy().ends_with(s)) {
            total += e.metadata().unwrap().len();
        }
    }
    total
}

/// Content with the national corpus, `edits` laws changed (a word added to article 2).
fn build(repo: &Path, corpus: &Path, out: &Path, version: &str, edits: usize) -> PathBuf {
    let mut src = ContentSource::load(&repo.join("content"), Some(corpus)).unwrap();
    for law in src.laws.iter_mut().take(edits) {
        law.history.push("（修订稿）".into());
    }
    let dir = out.join(version);
    bundle::build(&src, &dir, Some(version)).unwrap();
    dir
}

struct Step {
    bytes: u64,
    requests: usize,
    took: Duration,
    /// Bytes sent for law targets, and the size of those laws' .gz files in the repository.
    law_bytes: u64,
    law_files: u64,
}

fn step(nginx: &Nginx, data: &Path, root: &Path, repo: &Path) -> Step {
    let seen = nginx.requests().len();
    let t = Instant::now();
    let r = client::update(data, &Source::Http(nginx.url().parse().unwrap()), Some(root), root)
        .unwrap();
    let took = t.elapsed();
    assert!(matches!(r.outcome, Outcome::Installed(_)), "{:?}", r.outcome);
    let (requests, bytes) = nginx.since(seen);
    let laws: Vec<_> = requests.iter().filter(|r| r.uri.contains(".law-")).collect();
    let law_files =
        laws.iter().map(|r| std::fs::metadata(repo.join(&r.uri[1..])).unwrap().len()).sum();
    Step {
        bytes,
        requests: requests.len(),
        took,
        law_bytes: laws.iter().map(|r| r.bytes_sent).sum(),
        law_files,
    }
}

fn main() -> anyhow::Result<()> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
    let corpus = repo.parent().unwrap().join("shared/data/laws/laws.jsonl");
    anyhow::ensure!(corpus.is_file(), "{}: the national corpus is needed", corpus.display());
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let t = tmp.path();
    let (keys_dir, tuf) = (t.join("keys"), t.join("repo"));
    keys::init(&keys_dir, &RootPlan::default())?;
    let root = keys_dir.join("roots/1.root.json");
    let nginx = Nginx::serve(&tuf);

    // ---- 1. bytes and time to live -------------------------------------------------------
    println!("== releases of the national corpus (content/ + shared/data/laws/laws.jsonl)");
    let data = t.join("kiosk");
    let mut rows = Vec::new();
    for (version, edits) in [("full", 0), ("one-law", 1), ("ten-laws", 10)] {
        let b = build(&repo, &corpus, &t.join("bundles"), version, edits);
        let published = Instant::now();
        publish::publish(&b, &tuf, &keys_dir, None, &Expiry::default())?;
        let publish_took = published.elapsed();
        let s = step(&nginx, &data, &root, &tuf);
        rows.push((version, dir_bytes(&b, None), publish_took, s));
    }
    let gz = dir_bytes(&tuf.join("targets"), Some(".gz"));
    let targets = std::fs::read_dir(tuf.join("targets"))?
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".gz")))
        .count();
    println!("{targets} targets (.gz files) in the repository after the three releases");
    println!(
        "bundle (uncompressed, as `kiosk bundle build` writes it): {:.1} MiB",
        rows[0].1 as f64 / 1048576.0
    );
    println!("all targets gzipped in the repository: {:.1} MiB", gz as f64 / 1048576.0);
    for (version, _, publish_took, s) in &rows {
        println!(
            "{version:>9}: {:>10} B on the wire in {:>4} requests ({:.4} of the bundle); time to live {:.2} s (publish {:.2} s)",
            s.bytes,
            s.requests,
            s.bytes as f64 / rows[0].1 as f64,
            s.took.as_secs_f64(),
            publish_took.as_secs_f64()
        );
        println!(
            "           laws {} B for {} B of .gz files ({:.3}x); everything else (metadata, head, hall) {} B",
            s.law_bytes,
            s.law_files,
            s.law_bytes as f64 / s.law_files.max(1) as f64,
            s.bytes - s.law_bytes
        );
    }

    // ---- 2. frames while an apply runs ---------------------------------------------------
    let src = ContentSource::load(&repo.join("content"), None)?;
    bundle::build(&src, &t.join("demo-bundle"), Some("demo"))?;
    let demo = t.join("demo");
    Store::install(&demo, &t.join("demo-bundle"))?;
    let mut headless = Headless::install(1080, 1920)?;
    let config = Config {
        data_dir: demo.clone(),
        speech: false,
        queue_dir: Some(t.join("q")),
        ..Config::default()
    };
    let ctrl = Controller::new(AppWindow::new()?, Store::open(&demo)?, &config);
    ctrl.window().show()?;
    let frames =
        |n: usize, h: &mut Headless| -> Vec<Duration> { (0..n).map(|_| h.render_full()).collect() };
    let mut baseline = frames(150, &mut headless);
    baseline.sort();
    let busy = Arc::new(AtomicBool::new(true));
    let (b2, fresh, url, root2) = (busy.clone(), t.join("fresh-kiosk"), nginx.url(), root.clone());
    let apply = std::thread::spawn(move || {
        let t = Instant::now();
        let r = client::update(&fresh, &Source::Http(url.parse().unwrap()), Some(&root2), &root2);
        b2.store(false, Ordering::SeqCst);
        (r.map(|r| r.outcome), t.elapsed())
    });
    let mut during = Vec::new();
    while busy.load(Ordering::SeqCst) {
        during.push(headless.render_full());
    }
    let (outcome, apply_took) = apply.join().unwrap();
    anyhow::ensure!(matches!(outcome?, Outcome::Installed(_)), "the apply did not install");
    during.sort();
    println!("== home screen frames (whole-frame repaints, 1080x1920) while a full-corpus install runs ({:.1} s)", apply_took.as_secs_f64());
    println!(
        "idle:   p50 {:.1} ms  p95 {:.1} ms  ({} frames)",
        ms(percentile(&baseline, 0.5)),
        ms(percentile(&baseline, 0.95)),
        baseline.len()
    );
    println!(
        "during: p50 {:.1} ms  p95 {:.1} ms  ({} frames)  p95 ratio {:.2}x",
        ms(percentile(&during, 0.5)),
        ms(percentile(&during, 0.95)),
        during.len(),
        percentile(&during, 0.95).as_secs_f64() / percentile(&baseline, 0.95).as_secs_f64()
    );
    drop(ctrl);

    // ---- 3. a fleet ---------------------------------------------------------------------
    let fleet: usize =
        std::env::var("KIOSK_FLEET").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let demo_repo = t.join("demo-repo");
    publish::publish(&t.join("demo-bundle"), &demo_repo, &keys_dir, None, &Expiry::default())?;
    let fleet_nginx = Nginx::serve(&demo_repo);
    let source = Source::Http(fleet_nginx.url().parse()?);
    let first = t.join("fleet-0");
    client::update(&first, &source, Some(&root), &root)?;
    let kiosks: Vec<PathBuf> = (0..fleet).map(|i| t.join(format!("fleet-{i}"))).collect();
    for k in &kiosks[1..] {
        copy_dir(&first, k);
    }
    let plan = PollPlan {
        data_dir: first.clone(),
        source: source.clone(),
        provisioned_root: root.clone(),
        interval: Duration::from_secs(15 * 60),
        max_backoff: Duration::from_secs(6 * 3600),
    };
    // Each kiosk's check times over the hour, from a random first wait (they booted together).
    let mut seed: u64 = 7;
    let mut random = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut checks: Vec<(Duration, usize)> = Vec::new();
    for k in 0..fleet {
        let mut at = next_wait(&plan, 0, random()).mul_f64(random());
        while at < Duration::from_secs(3600) {
            checks.push((at, k));
            at += next_wait(&plan, 0, random());
        }
    }
    checks.sort();
    let seen = fleet_nginx.requests().len();
    let t0 = Instant::now();
    for (_, k) in &checks {
        client::update(&kiosks[*k], &source, None, &root)?;
    }
    let idle_took = t0.elapsed();
    let (idle_requests, idle_bytes) = fleet_nginx.since(seen);
    // The one-law release, then each kiosk's next check.
    let mut src = ContentSource::load(&repo.join("content"), None)?;
    src.laws[0].history.push("（修订稿）".into());
    bundle::build(&src, &t.join("demo-bundle-2"), Some("demo-2"))?;
    publish::publish(&t.join("demo-bundle-2"), &demo_repo, &keys_dir, None, &Expiry::default())?;
    let seen = fleet_nginx.requests().len();
    let t0 = Instant::now();
    for k in &kiosks {
        let r = client::update(k, &source, None, &root)?;
        anyhow::ensure!(matches!(r.outcome, Outcome::Installed(_)), "{:?}", r.outcome);
    }
    let release_took = t0.elapsed();
    let (release_requests, release_bytes) = fleet_nginx.since(seen);
    println!("== fleet: {fleet} kiosks, one hour of 15-minute checks ({} checks), then a one-law release", checks.len());
    println!(
        "idle hour: {} requests, {} B: per kiosk {:.1} requests, {:.0} B ({:.0} B per check); served in {:.1} s",
        idle_requests.len(),
        idle_bytes,
        idle_requests.len() as f64 / fleet as f64,
        idle_bytes as f64 / fleet as f64,
        idle_bytes as f64 / checks.len() as f64,
        idle_took.as_secs_f64()
    );
    println!(
        "release:   {} requests, {} B: per kiosk {:.1} requests, {:.0} B; all {fleet} live after {:.1} s of serial checks",
        release_requests.len(),
        release_bytes,
        release_requests.len() as f64 / fleet as f64,
        release_bytes as f64 / fleet as f64,
        release_took.as_secs_f64()
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(
                std::fs::read_link(e.path()).unwrap(),
                to.join(e.file_name()),
            )
            .unwrap();
        } else if kind.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

//! kill -9 at random moments of `kiosk update` (downloads from real nginx, the generation
//! build, the switch), hundreds of times: after every kill the store is exactly one release's
//! content — never a mix — the queue database is untouched, and the next check carries on.
//!
//! `KIOSK_CRASH_TRIALS` sets the number of kills (default 500).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk::content::bundle::{FileKind, Manifest};
use kiosk::content::Store;
use support::cli::{ok, p};
use support::nginx::Nginx;

/// The law hashes of a built bundle.
fn law_set(bundle: &Path) -> BTreeSet<String> {
    let m: Manifest =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    m.files.iter().filter(|f| f.kind == FileKind::Law).map(|f| f.sha256.clone()).collect()
}

fn dir_digest(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn kill_9_anywhere_in_an_update_leaves_one_whole_release() {
    let trials: usize =
        std::env::var("KIOSK_CRASH_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (keys, repo, data) = (t.join("keys"), t.join("repo"), t.join("data"));
    ok(&["keys", "init", "--keys", p(&keys)]);

    // Two contents that differ in ten laws, released alternately as ever newer versions.
    let content = t.join("content");
    support::copy_dir(&support::repo().join("content"), &content);
    ok(&["bundle", "build", p(&content), "-o", p(&t.join("a")), "--content-version", "a"]);
    let laws = content.join("laws/laws-core.jsonl");
    let text = std::fs::read_to_string(&laws).unwrap();
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i < 10 {
                l.replacen("第二条 ", "第二条 （修订稿）", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&laws, edited.join("\n") + "\n").unwrap();
    ok(&["bundle", "build", p(&content), "-o", p(&t.join("b")), "--content-version", "b"]);
    let (set_a, set_b) = (law_set(&t.join("a")), law_set(&t.join("b")));
    assert_eq!(set_a.symmetric_difference(&set_b).count(), 20);

    let nginx = Nginx::serve(&repo);
    let root = keys.join("roots/1.root.json");
    let publish = |n: usize| {
        let bundle = if n % 2 == 1 { t.join("a") } else { t.join("b") };
        ok(&["publish", p(&bundle), "--repo", p(&repo), "--keys", p(&keys)]);
    };
    publish(1);
    ok(&["update", "--from", &nginx.url(), "--store", p(&data), "--root", p(&root)]);
    // Tickets issued before the trials; the queue must come out byte for byte the same.
    let ticket_out = t.join("tickets.bin");
    ok(&[
        "ticket",
        "--store",
        p(&data),
        "--printer",
        &format!("file:{}", p(&ticket_out)),
        "--at",
        "2026-11-23T09:30",
        "--count",
        "3",
        "--one-way",
    ]);
    let queue_before = dir_digest(&data.join("queue"));

    // How long an update runs here: kills are spread over it.
    publish(2);
    let t0 = Instant::now();
    ok(&["update", "--from", &nginx.url(), "--store", p(&data), "--root", p(&root)]);
    let typical = t0.elapsed().max(Duration::from_millis(50));

    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut old, mut new, mut other) = (0, 0, 0);
    for trial in 0..trials {
        let release = trial + 3;
        publish(release);
        let before = Store::open(&data).unwrap().info().content_version.clone();
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = typical.mul_f64((seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0);
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["update", "--from", &nginx.url(), "--store", p(&data), "--root", p(&root)])
            .env_remove("KIOSK_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();

        let store = Store::open(&data)
            .unwrap_or_else(|e| panic!("trial {trial}: killed after {delay:?}: no store: {e:#}"));
        let held: BTreeSet<String> = store.law_hashes().unwrap().into_iter().collect();
        let version = store.info().content_version.clone();
        let expected = if version == "a" { &set_a } else { &set_b };
        assert_eq!(&held, expected, "trial {trial}: a mix of releases after a kill at {delay:?}");
        assert!(!store.search("离婚", 1).unwrap().hits.is_empty(), "trial {trial}: search broken");
        match version {
            v if v == before => old += 1,
            _ if release % 2 == 0 && held == set_b || release % 2 == 1 && held == set_a => new += 1,
            _ => other += 1,
        }
    }
    assert_eq!(dir_digest(&data.join("queue")), queue_before, "the queue database changed");
    println!("{trials} kills: {old} left the old release, {new} the new one ({other} other)");
    assert!(old > 0 && new > 0, "kills should land both before and after the switch");

    // The next check after all that finishes the newest release.
    let out = ok(&["update", "--from", &nginx.url(), "--store", p(&data), "--root", p(&root)]);
    assert!(out.contains("installed") || out.contains("up to date"), "{out}");
    let generations = std::fs::read_dir(data.join("generations")).unwrap().count();
    assert!(generations <= 2, "{generations} generations kept: half-built ones were not swept");
    let parts = std::fs::read_dir(data.join("sync/targets")).map(|d| d.count()).unwrap_or(0);
    assert!(parts <= 1, "{parts} files left in the target cache after a clean update");
}

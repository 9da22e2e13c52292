//! Content refresh end to end: `kiosk keys`, `kiosk publish` and `kiosk update` through the
//! binary, against real nginx on loopback (and a repository folder, as a USB stick holds it).
//! Each refusal is checked to leave the running content exactly as it was.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use kiosk::content::Store;
use kiosk::sync::status::SyncStatus;
use support::nginx::{free_port, Nginx};

use support::cli::{kiosk, ok, p};

/// A municipal publisher and one kiosk: keys, an editable copy of content/, the repository.
struct Site {
    tmp: tempfile::TempDir,
    content: PathBuf,
    keys: PathBuf,
    repo: PathBuf,
    data: PathBuf,
}

impl Site {
    fn new() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        support::copy_dir(&support::repo().join("content"), &content);
        let keys = tmp.path().join("keys");
        ok(&["keys", "init", "--keys", p(&keys)]);
        let (repo, data) = (tmp.path().join("repo"), tmp.path().join("data"));
        Site { tmp, content, keys, repo, data }
    }

    /// Builds content/ as `version` and publishes it (extra publish flags appended).
    fn release(&self, version: &str, extra: &[&str]) -> String {
        let bundle = self.tmp.path().join(format!("bundle-{version}"));
        ok(&["bundle", "build", p(&self.content), "-o", p(&bundle), "--content-version", version]);
        let mut args =
            vec!["publish", p(&bundle), "--repo", p(&self.repo), "--keys", p(&self.keys)];
        args.extend_from_slice(extra);
        ok(&args)
    }

    fn update(&self, from: &str) -> Output {
        let root = self.keys.join("roots/1.root.json");
        kiosk(&["update", "--from", from, "--store", p(&self.data), "--root", p(&root)])
    }

    fn update_ok(&self, from: &str) -> String {
        let out = self.update(from);
        assert!(out.status.success(), "update failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// The update is refused with a message containing `why`, and the kiosk still serves
    /// `running`.
    fn refused(&self, from: &str, why: &str, running: &str) {
        let out = self.update(from);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "expected a refusal ({why}), got: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(err.contains(why), "refusal should say {why:?}: {err}");
        assert_eq!(self.running(), running, "a refused update changes nothing");
        assert!(!ok(&["search", "离婚", "--store", p(&self.data)]).is_empty());
    }

    fn running(&self) -> String {
        Store::open(&self.data).unwrap().info().content_version.clone()
    }

    /// Edits one law's text in content/ (人民调解法 gains a word).
    fn edit_one_law(&self, word: &str) {
        let path = self.content.join("laws/laws-core.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen(
            "经人民调解委员会调解达成的",
            &format!("经人民调解委员会调解达成的{word}"),
            1,
        );
        assert_ne!(text, edited);
        std::fs::write(&path, edited).unwrap();
    }

    /// A copy of the repository as it is now (an old mirror, an attacker's starting point).
    fn snapshot_repo(&self, name: &str) -> PathBuf {
        let to = self.tmp.path().join(name);
        support::copy_dir(&self.repo, &to);
        to
    }
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

#[test]
fn first_install_then_a_one_law_release_moves_little_more_than_that_law() {
    let site = Site::new();
    site.release("v1", &[]);
    let nginx = Nginx::serve(&site.repo);
    let out = site.update_ok(&nginx.url());
    assert!(out.contains("installed v1") && out.contains("58 added"), "{out}");
    let (requests, first) = nginx.since(0);
    // The 法治宣传 posters came as files of their own and every campaign finds its picture.
    assert_eq!(requests.iter().filter(|r| r.uri.contains(".poster-")).count(), 4, "{requests:#?}");
    let store = Store::open(&site.data).unwrap();
    for c in store.hall().unwrap().campaigns {
        let png = store.poster(&c.image).unwrap().expect("the poster is in the store");
        assert_eq!(kiosk::content::bundle::sha256_hex(&png), c.image, "{}", c.id);
    }
    drop(store);

    let seen = nginx.requests().len();
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    let out = site.update_ok(&nginx.url());
    assert!(out.contains("1 added, 1 removed, 57 unchanged"), "{out}");
    assert!(ok(&["search", "鲲鹏", "--store", p(&site.data)]).contains("人民调解法"));
    let (requests, wire) = nginx.since(seen);
    let law: Vec<_> = requests.iter().filter(|r| r.uri.contains(".law-")).collect();
    assert_eq!(law.len(), 1, "exactly one law crosses the wire: {requests:#?}");
    assert!(!requests.iter().any(|r| r.uri.contains(".poster-")), "unchanged posters fetched");
    let law_gz = file_len(&site.repo.join(law[0].uri.trim_start_matches('/')));
    let metadata: u64 =
        requests.iter().filter(|r| !r.uri.contains(".law-")).map(|r| r.bytes_sent).sum();
    println!(
        "first install {first} B; one-law release {wire} B on the wire = law {} B (file {law_gz} B gz) + metadata {metadata} B in {} requests",
        law[0].bytes_sent,
        requests.len()
    );
    assert!(metadata <= 32 * 1024, "metadata {metadata} B over the 32 KiB goal: {requests:#?}");
    assert!(law[0].bytes_sent as f64 <= 1.1 * law_gz as f64);

    // Nothing new: one timestamp and one root probe.
    let seen = nginx.requests().len();
    let out = site.update_ok(&nginx.url());
    assert!(out.contains("up to date: v2"), "{out}");
    let (requests, wire) = nginx.since(seen);
    assert!(wire < 2048, "an idle check costs {wire} B: {requests:#?}");
}

#[test]
fn a_usb_stick_folder_installs_and_a_guide_and_queue_service_follow() {
    let site = Site::new();
    site.release("v1", &[]);
    let out = site.update_ok(p(&site.repo));
    assert!(out.contains("installed v1"), "{out}");
    let hall = Store::open(&site.data).unwrap().hall().unwrap();
    assert!(hall.queue.services.iter().any(|s| s.letter == "C"));

    // Re-letter a queue service, as a hall reorganising its windows would.
    support::reletter_queue(&site.content, "C", "K");
    site.release("v2", &[]);
    site.update_ok(&format!("file://{}", p(&site.repo)));
    let hall = Store::open(&site.data).unwrap().hall().unwrap();
    assert!(hall.queue.services.iter().any(|s| s.letter == "K"), "the re-lettered service arrived");
    assert!(!hall.queue.services.iter().any(|s| s.letter == "C"));
}

#[test]
fn every_forgery_is_refused_and_the_kiosk_keeps_serving() {
    let site = Site::new();
    site.release("v1", &[]);
    let v1_repo = site.snapshot_repo("repo-v1");
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    site.update_ok(p(&site.repo));
    assert_eq!(site.running(), "v2");

    // Rollback: an old mirror offers v1 metadata, older than what the kiosk trusts.
    site.refused(p(&v1_repo), "rollback", "v2");

    // Wrong signature: a byte of the signed timestamp changed.
    site.edit_one_law("凤凰");
    site.release("v3", &[]);
    let forged = site.snapshot_repo("forged-sig");
    let ts = forged.join("metadata/timestamp.json");
    let text = std::fs::read_to_string(&ts).unwrap();
    std::fs::write(&ts, text.replacen("\"version\": 3", "\"version\": 4", 1)).unwrap();
    site.refused(p(&forged), "signature", "v2");

    // A corrupted target: same length, other bytes.
    let corrupt = site.snapshot_repo("corrupt-target");
    let target = std::fs::read_dir(corrupt.join("targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_str().unwrap().contains(".law-") && !p.to_str().unwrap().ends_with(".gz"))
        .unwrap();
    let mut bytes = std::fs::read(&target).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&target, &bytes).unwrap();
    // Which law changed in v3 is the one the kiosk fetches; corrupt every law to be sure.
    for e in std::fs::read_dir(corrupt.join("targets")).unwrap() {
        let path = e.unwrap().path();
        let name = path.to_str().unwrap().to_owned();
        if name.contains(".law-") && !name.ends_with(".gz") {
            let mut b = std::fs::read(&path).unwrap();
            let i = b.len() / 2;
            b[i] ^= 0x20;
            std::fs::write(&path, b).unwrap();
        }
    }
    site.refused(p(&corrupt), "hash mismatch", "v2");

    // Endless data: a target longer than its signed length.
    let endless = site.snapshot_repo("endless");
    for e in std::fs::read_dir(endless.join("targets")).unwrap() {
        let path = e.unwrap().path();
        let name = path.to_str().unwrap().to_owned();
        if name.contains(".law-") && !name.ends_with(".gz") {
            let mut b = std::fs::read(&path).unwrap();
            b.extend(std::iter::repeat_n(b' ', 4096));
            std::fs::write(&path, b).unwrap();
        }
    }
    site.refused(p(&endless), "endless data", "v2");

    // An untrusted key: another publisher's repository.
    let other = Site::new();
    other.release("evil", &[]);
    site.refused(p(&other.repo), "signature", "v2");

    // Mix and match: v3's snapshot names targets version 3; serve v2's targets under that name.
    let mixed = site.snapshot_repo("mixed");
    std::fs::copy(mixed.join("metadata/2.targets.json"), mixed.join("metadata/3.targets.json"))
        .unwrap();
    site.refused(p(&mixed), "refused", "v2");

    // Freeze: a timestamp that has expired.
    site.release("v4", &["--timestamp-days=-1"]);
    site.refused(p(&site.repo), "expired", "v2");

    // And the genuine next release still goes in.
    site.release("v5", &[]);
    assert!(site.update_ok(p(&site.repo)).contains("installed v5"));
}

#[test]
fn key_rotations_are_followed() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    ok(&["keys", "rotate", "--keys", p(&site.keys), "--role", "targets"]);
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    assert!(site.update_ok(p(&site.repo)).contains("installed v2"));
    ok(&["keys", "rotate", "--keys", p(&site.keys), "--role", "root"]);
    site.edit_one_law("凤凰");
    site.release("v3", &[]);
    assert!(site.update_ok(p(&site.repo)).contains("installed v3"));
    let held: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.data.join("sync/tuf/root.json")).unwrap())
            .unwrap();
    assert_eq!(held["signed"]["version"], 3, "the kiosk now trusts root 3");
}

#[test]
fn activation_time_holds_a_release_until_then() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &["--activate-at", "2099-01-01T00:00:00+08:00"]);
    let out = site.update_ok(p(&site.repo));
    assert!(out.contains("goes live at 2099-01-01"), "{out}");
    assert_eq!(site.running(), "v1");
    let status = ok(&["update", "--status", "--store", p(&site.data)]);
    assert!(status.contains("pending:") && status.contains("v2"), "{status}");
    site.release("v3", &["--activate-at", "2020-01-01T00:00:00Z"]);
    assert!(site.update_ok(p(&site.repo)).contains("installed v3"));
}

#[test]
fn a_dead_or_failing_server_leaves_the_content_serving() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    let dead = format!("http://127.0.0.1:{}/", free_port());
    site.refused(&dead, "could not be reached", "v1");
    let failing = Nginx::failing(503);
    site.refused(&failing.url(), "503", "v1");
    let status = SyncStatus::load(&site.data).unwrap();
    assert_eq!(status.failures, 2);
    assert!(status.last_error.unwrap().contains("503"));
    assert!(status.last_successful_check.is_some());
}

#[test]
fn an_interrupted_download_resumes_with_a_range_request() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    // The kiosk had fetched half of the changed law when the power went.
    let bundle = site.tmp.path().join("bundle-v2");
    let m1: kiosk::content::bundle::Manifest = serde_json::from_slice(
        &std::fs::read(site.tmp.path().join("bundle-v1/manifest.json")).unwrap(),
    )
    .unwrap();
    let m2: kiosk::content::bundle::Manifest =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let new = m2.files.iter().find(|f| !m1.files.contains(f)).unwrap();
    let name = format!("{}.law-{}.json.gz", new.sha256, new.sha256);
    let gz = std::fs::read(site.repo.join("targets").join(&name)).unwrap();
    let cache = site.data.join("sync/targets");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join(format!("{}.gz.part", new.sha256)), &gz[..gz.len() / 2]).unwrap();

    let nginx = Nginx::serve(&site.repo);
    assert!(site.update_ok(&nginx.url()).contains("installed v2"));
    let law = nginx.requests().into_iter().find(|r| r.uri.ends_with(&name)).unwrap();
    assert_eq!(law.status, 206, "resumed with Range");
    assert!(law.bytes_sent < gz.len() as u64, "only the missing half moved: {law:?}");
}

#[test]
fn a_technician_rollback_holds_the_release_back_until_a_newer_one() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    site.update_ok(p(&site.repo));
    let out = ok(&["rollback", "--store", p(&site.data)]);
    assert!(out.contains("rolled back from v2 to v1"), "{out}");
    assert_eq!(site.running(), "v1");
    assert!(site.update_ok(p(&site.repo)).contains("rolled back by a technician"));
    assert_eq!(site.running(), "v1");
    site.edit_one_law("凤凰");
    site.release("v3", &[]);
    assert!(site.update_ok(p(&site.repo)).contains("installed v3"));
}

#[test]
fn a_clock_behind_the_last_check_skips_one_check_and_recovers() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    // The last check remembered a time far ahead (an RTC that jumped, then NTP corrected it).
    std::fs::write(site.data.join("sync/tuf/latest_known_time.json"), "\"2099-01-01T00:00:00Z\"")
        .unwrap();
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    site.refused(p(&site.repo), "clock is behind", "v1");
    assert!(site.update_ok(p(&site.repo)).contains("installed v2"), "the next check goes ahead");
}

#[test]
fn a_full_disk_is_refused_up_front_and_never_loops() {
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    // A small filesystem holding the kiosk's data: a tmpfs 6 MiB larger than the store: room to
    // run, not to build a new generation. As root it is mounted directly (and unmounted by the
    // script); otherwise in a user + mount namespace, which needs no privileges.
    let db = Store::open(&site.data).unwrap().database_path();
    let size_kib = file_len(&db) / 1024 + 6 * 1024;
    let small = site.tmp.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    let root = site.keys.join("roots/1.root.json");
    let script = format!(
        r#"set -e
mount -t tmpfs -o size={size_kib}k tmpfs "{small}"
trap 'umount "{small}"' EXIT
cp -a "{data}" "{small}/data"
for i in 1 2; do
  if "{kiosk}" update --from "{repo}" --store "{small}/data" --root "{root}" 2>"{small}/err$i"; then echo "accepted $i"; fi
  cat "{small}/err$i"
done
"{kiosk}" search 离婚 --store "{small}/data" --limit 1
echo "version $(readlink "{small}/data/current")"
echo "cache $(ls "{small}/data/sync/targets" 2>/dev/null | wc -l)"
"#,
        small = p(&small),
        data = p(&site.data),
        kiosk = env!("CARGO_BIN_EXE_kiosk"),
        repo = p(&site.repo),
        root = p(&root),
    );
    let as_root = Command::new("id").arg("-u").output().unwrap().stdout.starts_with(b"0\n");
    let mut cmd = if as_root {
        Command::new("sh")
    } else {
        let mut c = Command::new("unshare");
        c.args(["--user", "--map-root-user", "--mount", "sh"]);
        c
    };
    let out = cmd
        .args(["-c", &script])
        .env("RUST_BACKTRACE", "0")
        .env_remove("KIOSK_CONFIG")
        .output()
        .expect("sh (and util-linux's unshare when not root) run");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the small-filesystem script failed (root, or user namespaces, needed): {}\n{said}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!said.contains("accepted"), "an update went ahead on a full disk: {said}");
    assert_eq!(said.matches("not enough disk space").count(), 2, "{said}");
    assert!(said.contains("民法典"), "the old content still answers: {said}");
    assert!(said.contains("version generations/gen-000001"), "{said}");
    // Only the two release heads (under 1 KiB each): no law was downloaded onto the full disk.
    assert!(said.contains("cache 2"), "more than the release heads was downloaded: {said}");
}

#[test]
fn a_cut_connection_resumes_later_and_a_slow_line_still_finishes() {
    use support::proxy::{Fault, Proxy};
    let site = Site::new();
    site.release("v1", &[]);
    let nginx = Nginx::serve(&site.repo);
    site.update_ok(&nginx.url());
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);

    // The line drops 1,500 bytes into the law.
    let cut = Proxy::start(nginx.port, ".law-", Fault::CutAfter(1500));
    site.refused(&cut.url(), "connection dropped", "v1");
    let parts: Vec<_> = std::fs::read_dir(site.data.join("sync/targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert_eq!(parts.len(), 1, "the partial download is kept for resuming: {parts:?}");

    // Later, on a slow line (256 B every 20 ms): no whole-request timeout cuts it short, and
    // only the rest of the law is sent.
    let seen = nginx.requests().len();
    let slow = Proxy::start(
        nginx.port,
        ".law-",
        Fault::Trickle { chunk: 256, pause: Duration::from_millis(20) },
    );
    assert!(site.update_ok(&slow.url()).contains("installed v2"));
    let (requests, _) = nginx.since(seen);
    let law = requests.iter().find(|r| r.uri.contains(".law-")).unwrap();
    assert_eq!(law.status, 206, "resumed: {law:?}");
}

#[test]
fn lan_push_needs_the_token_and_passes_every_check() {
    use kiosk::sync::push::{spawn, PushService};
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    let port = free_port();
    spawn(
        ([127, 0, 0, 1], port).into(),
        PushService {
            data_dir: site.data.clone(),
            provisioned_root: site.keys.join("roots/1.root.json"),
            token: "correct-horse-battery-staple".into(),
        },
    )
    .unwrap();
    let to = format!("http://127.0.0.1:{port}/");
    std::thread::sleep(Duration::from_millis(200));

    let out = kiosk(&["push", p(&site.repo), "--to", &to, "--token", "guess"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong or missing push token"));
    assert_eq!(site.running(), "v1");

    // The right token with someone else's repository: the kiosk's TUF checks refuse it.
    let other = Site::new();
    other.release("evil", &[]);
    let out =
        kiosk(&["push", p(&other.repo), "--to", &to, "--token", "correct-horse-battery-staple"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("signature"), "{err}");
    assert_eq!(site.running(), "v1");

    let said = ok(&["push", p(&site.repo), "--to", &to, "--token", "correct-horse-battery-staple"]);
    assert!(said.contains("installed v2"), "{said}");
    assert_eq!(site.running(), "v2");
}

#[test]
fn a_stick_with_a_repository_is_applied_once_when_mounted() {
    use kiosk::sync::poller::UsbWatch;
    let site = Site::new();
    site.release("v1", &[]);
    site.update_ok(p(&site.repo));
    site.edit_one_law("鲲鹏");
    site.release("v2", &[]);
    let media = site.tmp.path().join("media");
    std::fs::create_dir_all(media.join("usb0")).unwrap();
    let root = site.keys.join("roots/1.root.json");
    let mut watch = UsbWatch::new(vec![media.clone()]);
    assert!(watch.poll(&site.data, &root).is_empty(), "no stick, nothing to do");

    support::copy_dir(&site.repo, &media.join("usb0/kiosk-repo"));
    let applied = watch.poll(&site.data, &root);
    assert_eq!(applied.len(), 1);
    assert!(matches!(
        applied[0].1.as_ref().unwrap().outcome,
        kiosk::sync::client::Outcome::Installed(_)
    ));
    assert_eq!(site.running(), "v2");
    assert!(watch.poll(&site.data, &root).is_empty(), "a stick left in is not applied again");
}

//! Bundles end to end through the `kiosk` binary: build, incremental install, refusal of bad
//! bundles, and kill -9 in the middle of an install.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use kiosk::content::bundle::{sha256_hex, Manifest};

use support::cli::{kiosk, kiosk_with_env, ok, p};

/// A copy of content/ whose law texts can be edited.
fn content_copy(dir: &Path) -> PathBuf {
    let c = dir.join("content");
    support::copy_dir(&support::repo().join("content"), &c);
    c
}

fn edit_core(content: &Path, edit: impl Fn(&str) -> Option<String>) {
    let path = content.join("laws/laws-core.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = text.lines().filter_map(&edit).collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn manifest(bundle: &Path) -> Manifest {
    serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn one_law_edit_changes_one_file_and_reindexes_one_law() {
    let tmp = tempfile::tempdir().unwrap();
    let content = content_copy(tmp.path());
    let (b1, b2, data) = (tmp.path().join("b1"), tmp.path().join("b2"), tmp.path().join("data"));
    ok(&["bundle", "build", p(&content), "-o", p(&b1), "--content-version", "v1"]);
    let out = ok(&["bundle", "install", p(&b1), "--store", p(&data)]);
    assert!(out.contains("58 added, 0 removed, 0 unchanged"), "{out}");
    assert!(!ok(&["search", "鲲鹏", "--store", p(&data)]).contains("人民调解法"));
    // What was understood is printed for a technician writing lexicon entries and topics.
    let out = ok(&["search", "老公喝了酒就打我", "--store", p(&data)]);
    assert!(out.lines().any(|l| l == "situations: domestic-violence"), "{out}");
    let out = ok(&["search", "法律援助", "申请", "--store", p(&data)]);
    assert!(out.lines().any(|l| l == "guides: legal-aid"), "{out}");

    edit_core(&content, |l| {
        Some(l.replace(
            "经人民调解委员会调解达成的调解协议",
            "经人民调解委员会调解达成的鲲鹏调解协议",
        ))
    });
    ok(&["bundle", "build", p(&content), "-o", p(&b2), "--content-version", "v2"]);
    let (m1, m2) = (manifest(&b1), manifest(&b2));
    let old: Vec<_> = m1.files.iter().filter(|f| !m2.files.contains(f)).collect();
    let new: Vec<_> = m2.files.iter().filter(|f| !m1.files.contains(f)).collect();
    assert_eq!((old.len(), new.len()), (1, 1), "exactly one law file differs");

    let out = ok(&["bundle", "install", p(&b2), "--store", p(&data)]);
    assert!(out.contains("1 added, 1 removed, 57 unchanged"), "{out}");
    assert!(ok(&["search", "鲲鹏", "--store", p(&data)]).contains("人民调解法"));

    // A guide cites 公证法: removing it is refused at build time, naming the reference.
    edit_core(&content, |l| (!l.contains("\"short_name\": \"公证法\"")).then(|| l.to_owned()));
    let refused = kiosk(&["bundle", "build", p(&content), "-o", p(&tmp.path().join("refused"))]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("guide notarization: no law"),
        "{refused:?}"
    );
    std::fs::copy(
        support::repo().join("content/laws/laws-core.jsonl"),
        content.join("laws/laws-core.jsonl"),
    )
    .unwrap();
    edit_core(&content, |l| {
        Some(l.replace(
            "经人民调解委员会调解达成的调解协议",
            "经人民调解委员会调解达成的鲲鹏调解协议",
        ))
    });

    // Remove a law no guide, topic or lexicon entry cites (宪法; the legal-aid guide cites
    // 法律援助条例 since 2026-12-04): it is gone from the results.
    edit_core(&content, |l| (!l.contains("\"short_name\": \"宪法\"")).then(|| l.to_owned()));
    let b3 = tmp.path().join("b3");
    ok(&["bundle", "build", p(&content), "-o", p(&b3), "--content-version", "v3"]);
    let out = ok(&["bundle", "install", p(&b3), "--store", p(&data)]);
    assert!(out.contains("0 added, 1 removed, 57 unchanged"), "{out}");
    let found = ok(&["search", "宪法", "--store", p(&data), "--limit", "50"]);
    assert!(!found.lines().any(|l| l.starts_with("宪法\t")), "{found}");
}

/// `kiosk bundle build` with `SOURCE_DATE_EPOCH` set.
fn build_at(epoch: &str, content: &Path, out: &Path) -> std::process::Output {
    let args = ["bundle", "build", p(content), "-o", p(out), "--content-version", "v1"];
    kiosk_with_env(&args, &[("SOURCE_DATE_EPOCH", epoch)])
}

#[test]
fn a_build_stamped_by_source_date_epoch_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let content = support::repo().join("content");
    let (b1, b2) = (tmp.path().join("b1"), tmp.path().join("b2"));
    for out in [&b1, &b2] {
        let built = build_at("1795132800", &content, out);
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    }
    assert_eq!(manifest(&b1).created_at, "2026-11-20T00:00:00Z");
    let read = |b: &Path| std::fs::read(b.join("manifest.json")).unwrap();
    assert_eq!(read(&b1), read(&b2), "the same sources and time give the same manifest");
    // A malformed time is refused, naming the variable, and writes no bundle.
    let refused = build_at("yesterday", &content, &tmp.path().join("b3"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SOURCE_DATE_EPOCH"));
    assert!(!tmp.path().join("b3").exists());
}

/// Each way a bundle can be broken is refused with a clear word, and the store keeps serving
/// what it served.
#[test]
fn bad_bundles_are_refused_and_the_store_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let content = content_copy(tmp.path());
    let (good, data) = (tmp.path().join("good"), tmp.path().join("data"));
    ok(&["bundle", "build", p(&content), "-o", p(&good), "--content-version", "good"]);
    ok(&["bundle", "install", p(&good), "--store", p(&data)]);
    let before = ok(&["search", "离婚", "--store", p(&data)]);
    let current_before = std::fs::read_link(data.join("current")).unwrap();

    // A fresh law the store does not hold, so the install has to read it.
    edit_core(&content, |l| Some(l.replace("夫妻双方自愿离婚的", "夫妻双方自愿离婚的（测试）")));
    let base = tmp.path().join("base");
    ok(&["bundle", "build", p(&content), "-o", p(&base), "--content-version", "bad"]);
    let m = manifest(&base);
    let changed = m.files.iter().find(|f| !manifest(&good).files.contains(f)).unwrap().clone();

    type Breaker = fn(&Path, &str);
    let cases: [(&str, Breaker, &str); 5] = [
        (
            "hash",
            |b, f| {
                let path = b.join(f);
                let mut bytes = std::fs::read(&path).unwrap();
                let i = bytes.iter().position(|&c| c == b'"').unwrap();
                bytes[i + 1] ^= 0x01;
                std::fs::write(path, bytes).unwrap();
            },
            "hash mismatch",
        ),
        (
            "format",
            |b, _| {
                let path = b.join("manifest.json");
                let text = std::fs::read_to_string(&path).unwrap().replacen(
                    "\"format\": 1",
                    "\"format\": 2",
                    1,
                );
                std::fs::write(path, text).unwrap();
            },
            "unknown bundle format version 2",
        ),
        (
            "truncated",
            |b, f| {
                let path = b.join(f);
                let bytes = std::fs::read(&path).unwrap();
                std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
            },
            "truncated",
        ),
        ("utf8", |b, f| rewrite_consistently(b, f, |bytes| bytes[10] = 0xff), "invalid UTF-8"),
        (
            "json",
            |b, f| rewrite_consistently(b, f, |bytes| *bytes.last_mut().unwrap() = b' '),
            "malformed JSON",
        ),
    ];
    for (name, breaker, expected) in cases {
        let bad = tmp.path().join(format!("bad-{name}"));
        support::copy_dir(&base, &bad);
        breaker(&bad, &changed.path);
        let out = kiosk(&["bundle", "install", p(&bad), "--store", p(&data)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: a broken bundle was installed");
        assert!(err.contains(expected), "{name}: unclear error: {err}");
        assert_eq!(std::fs::read_link(data.join("current")).unwrap(), current_before, "{name}");
        assert_eq!(ok(&["search", "离婚", "--store", p(&data)]), before, "{name}: content changed");
    }
    assert_eq!(
        std::fs::read_dir(data.join("generations")).unwrap().count(),
        1,
        "no half generations left"
    );
}

/// Rewrites a law file and fixes its size and hash in the manifest, so only the content is bad.
fn rewrite_consistently(bundle: &Path, file: &str, damage: fn(&mut Vec<u8>)) {
    let path = bundle.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    damage(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let mut m = manifest(bundle);
    let entry = m.files.iter_mut().find(|f| f.path == file).unwrap();
    entry.size = bytes.len() as u64;
    entry.sha256 = sha256_hex(&bytes);
    std::fs::write(bundle.join("manifest.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// kill -9 at several points of a full-corpus install: the previous generation keeps serving,
/// and the next install completes.
#[test]
fn kill_during_install_keeps_the_previous_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let content = support::repo().join("content");
    let (small, full, data) =
        (tmp.path().join("small"), tmp.path().join("full"), tmp.path().join("data"));
    ok(&["bundle", "build", p(&content), "-o", p(&small), "--content-version", "small"]);
    let corpus = support::national_corpus();
    ok(&[
        "bundle",
        "build",
        p(&content),
        "-o",
        p(&full),
        "--corpus",
        p(&corpus),
        "--content-version",
        "full",
    ]);
    ok(&["bundle", "install", p(&small), "--store", p(&data)]);
    let before = ok(&["search", "离婚", "--store", p(&data)]);
    for delay_ms in [50, 300, 900, 2000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["bundle", "install", p(&full), "--store", p(&data)])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        if finished {
            break;
        }
        assert_eq!(
            ok(&["search", "离婚", "--store", p(&data)]),
            before,
            "killed after {delay_ms} ms"
        );
    }
    let out = ok(&["bundle", "install", p(&full), "--store", p(&data)]);
    assert!(out.contains("installed full"), "{out}");
    assert!(ok(&["search", "增值税", "--store", p(&data)]).contains("增值税"));
}

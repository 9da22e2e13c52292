//! The kiosk's TUF client against repositories built by python-tuf 7 (`tests/tuf_attacks.py`),
//! an implementation independent of the tough-based signer the other sync tests use: two
//! genuine releases install; every attack is refused with its own reason while the kiosk keeps
//! serving what it had; a genuine key rotation is followed.

mod support;

use std::path::Path;
use std::process::Command;

use kiosk::content::Store;
use support::cli::{kiosk, ok, p};

fn python_tuf_repositories(tmp: &Path) -> std::path::PathBuf {
    let content = tmp.join("content");
    support::copy_dir(&support::repo().join("content"), &content);
    ok(&["bundle", "build", p(&content), "-o", p(&tmp.join("b1")), "--content-version", "py-v1"]);
    let laws = content.join("laws/laws-core.jsonl");
    let text = std::fs::read_to_string(&laws).unwrap();
    std::fs::write(
        &laws,
        text.replacen("经人民调解委员会调解达成的", "经人民调解委员会调解达成的鲲鹏", 1),
    )
    .unwrap();
    ok(&["bundle", "build", p(&content), "-o", p(&tmp.join("b2")), "--content-version", "py-v2"]);

    let python = support::repo().join("target/pyenv/bin/python");
    assert!(
        python.is_file(),
        "python-tuf venv missing at {}: run tools/setup-debian --tests",
        python.display()
    );
    let out = tmp.join("repos");
    std::fs::create_dir_all(&out).unwrap();
    let run = Command::new(python)
        .arg(support::repo().join("tests/tuf_attacks.py"))
        .args([tmp.join("b1"), tmp.join("b2"), out.clone()])
        .output()
        .unwrap();
    assert!(run.status.success(), "tuf_attacks.py: {}", String::from_utf8_lossy(&run.stderr));
    out
}

#[test]
fn python_tuf_releases_install_and_its_forgeries_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let repos = python_tuf_repositories(tmp.path());
    let data = tmp.path().join("data");
    let root = repos.join("root-1.json");
    let update = |data: &Path, scenario: &str| {
        kiosk(&[
            "update",
            "--from",
            p(&repos.join(scenario)),
            "--store",
            p(data),
            "--root",
            p(&root),
        ])
    };
    for (scenario, version) in [("good-1", "py-v1"), ("good-2", "py-v2")] {
        let out = update(&data, scenario);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{scenario}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains(&format!("installed {version}")), "{scenario}: {said}");
    }

    // Each attack meets a kiosk that trusts version 2 (a fresh copy of it each time).
    for (scenario, why) in [
        ("good-1", "rollback"),
        ("freeze", "expired"),
        ("endless", "endless data"),
        ("wrong-signature", "signature does not verify"),
        ("mix-and-match", "mix-and-match"),
        ("untrusted-key", "signature does not verify"),
        ("forged-root", "signature does not verify"),
        ("below-threshold", "signature does not verify"),
    ] {
        let kiosk_copy = tmp.path().join(format!("kiosk-{scenario}"));
        support::copy_dir(&data, &kiosk_copy);
        let out = update(&kiosk_copy, scenario);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{scenario} was accepted");
        assert!(err.lines().next().unwrap_or_default().contains(why), "{scenario}: {err}");
        assert!(err.contains("refused"), "{scenario}: {err}");
        let store = Store::open(&kiosk_copy).unwrap();
        assert_eq!(store.info().content_version, "py-v2", "{scenario} changed the content");
        assert!(!store.search("离婚", 3).unwrap().hits.is_empty());
    }

    // A genuine rotation of the targets key (root 2 signed by the root key) is followed.
    let out = update(&data, "root-rotation");
    assert!(out.status.success(), "rotation: {}", String::from_utf8_lossy(&out.stderr));
    let held: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("sync/tuf/root.json")).unwrap()).unwrap();
    assert_eq!(held["signed"]["version"], 2);
}

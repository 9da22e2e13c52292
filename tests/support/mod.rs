//! Shared fixtures for the end-to-end tests: where the repository and the reference data are,
//! and stores built from them once per test binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub mod cli;
pub mod escpos_decode;
pub mod handwriting;
pub mod judged;
pub mod nginx;
pub mod printer;
pub mod prom;
pub mod proxy;
pub mod ui;

use kiosk::content::{bundle, source::ContentSource, Store};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// `shared/data`: `$KIOSK_SHARED_DATA`, else `../shared/data` beside the repository. Missing data
/// fails the test loudly: these tests are the point of having the real corpus.
pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("KIOSK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().parent().unwrap().join("shared/data"));
    assert!(
        dir.join("laws/laws.jsonl").is_file(),
        "the national corpus is missing at {}: check out shared/ beside the repository or set KIOSK_SHARED_DATA",
        dir.display()
    );
    dir
}

pub fn national_corpus() -> PathBuf {
    shared_data().join("laws/laws.jsonl")
}

/// Builds a bundle from `content/` (plus the national corpus if asked) and installs it.
pub fn build_and_install(corpus: bool, dir: &Path) -> PathBuf {
    let corpus_path = corpus.then(national_corpus);
    let src = ContentSource::load(&repo().join("content"), corpus_path.as_deref())
        .expect("content source loads");
    let bundle_dir = dir.join("bundle");
    bundle::build(&src, &bundle_dir, Some("test-1")).expect("bundle builds");
    let data = dir.join("data");
    Store::install(&data, &bundle_dir).expect("bundle installs");
    data
}

/// A store holding the 43 shipped laws plus the whole national corpus, built once.
pub fn full_store() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, data) = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let data = build_and_install(true, tmp.path());
        (tmp, data)
    });
    data
}

/// A store holding only the shipped demo content, built once.
pub fn demo_store() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, data) = DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let data = build_and_install(false, tmp.path());
        (tmp, data)
    });
    data
}

/// Re-letters a queue service in a content copy, as a hall reorganising its windows would:
/// `hall.toml` and every guide and topic that sends residents to it.
pub fn reletter_queue(content: &Path, from: &str, to: &str) {
    let hall = std::fs::read_to_string(content.join("hall.toml")).unwrap();
    let (old, new) = (format!("letter = \"{from}\""), format!("letter = \"{to}\""));
    assert!(hall.contains(&old), "no queue service {from}");
    std::fs::write(content.join("hall.toml"), hall.replacen(&old, &new, 1)).unwrap();
    let (old, new) = (format!("queue = \"{from}\""), format!("queue = \"{to}\""));
    for dir in ["guides", "topics"] {
        for file in std::fs::read_dir(content.join(dir)).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace(&old, &new)).unwrap();
        }
    }
}

/// Copies a directory tree (content sources, bundles, a kiosk's data dir with its `current`
/// symlink).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            let target = std::fs::read_link(e.path()).unwrap();
            std::os::unix::fs::symlink(target, to.join(e.file_name())).unwrap();
        } else if kind.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

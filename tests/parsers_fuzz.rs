//! Property test: every parser that sees bundle, content or config input takes random and
//! mutated text without panicking. Bad input must come back as an error the technician can read;
//! a panic would take the kiosk (or `bundle build`) down instead.
//!
//! Inputs are drawn from a seeded generator as random text over the characters these formats
//! use, and as byte-level mutations (flips, cuts, splices, repeats) of the real files in
//! `content/` and of a real bundle. The seed is fixed, so CI runs are reproducible; set
//! `FUZZ_SEED=N` to explore others (`FUZZ_SEED=random` draws one and prints it).

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use kiosk::app::config::Config;
use kiosk::content::bundle::{self, OpenBundle};
use kiosk::content::hall::guides::{self, LawRef};
use kiosk::content::hall::map::{MapSource, SchematicMap};
use kiosk::content::hall::points;
use kiosk::content::hall::queue::{OpeningHours, QueueConfig};
use kiosk::content::hall::HallContent;
use kiosk::content::law::parse_markdown;
use kiosk::content::source::ContentSource;
use kiosk::content::Store;
use kiosk::text::zh;

/// xorshift64*: small, seeded, good enough to spread inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn seed() -> u64 {
    let seed = match std::env::var("FUZZ_SEED").as_deref() {
        Ok("random") => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
            now.as_nanos() as u64
        }
        Ok(n) => n.parse().expect("FUZZ_SEED is a number or `random`"),
        Err(_) => 0x6b69_6f73_6b21,
    };
    println!("FUZZ_SEED={seed}");
    seed | 1
}

/// Characters the formats under test give meaning to, and some that break naive code.
const ALPHABET: &[&str] = &[
    "零",
    "〇",
    "一",
    "二",
    "两",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "百",
    "千",
    "万",
    "亿",
    "第",
    "条",
    "之",
    "、",
    "章",
    "节",
    "编",
    "0",
    "1",
    "9",
    "-",
    ":",
    " ",
    "\u{3000}",
    "\n",
    "#",
    "# ",
    "## ",
    "> ",
    "\"",
    "'",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "\\",
    "\u{0}",
    "\u{FEFF}",
    "é",
    "😀",
    "<!-- INFO END -->",
    "\r\n",
    "99999",
    "08:30",
    "24:00",
    "true",
    "null",
];

fn random_text(rng: &mut Rng, max_parts: usize) -> String {
    let n = rng.below(max_parts + 1);
    (0..n).map(|_| *rng.pick(ALPHABET)).collect()
}

/// A mutation of real bytes: flip, cut, splice in random text, or repeat a slice.
fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut b = original.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(5) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(at),
            2 => {
                let text = random_text(rng, 6);
                b.splice(at..at, text.into_bytes());
            }
            3 if at < b.len() => {
                let end = (at + 1 + rng.below(64)).min(b.len());
                let slice = b[at..end].to_vec();
                b.splice(at..at, slice);
            }
            _ => {
                let end = (at + rng.below(32)).min(b.len());
                b.drain(at..end);
            }
        }
    }
    b
}

/// Runs `f` on `input`; a panic fails the test naming the target and showing the input.
fn no_panic<T>(target: &str, input: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("{target} panicked on input {input:?}"),
    }
}

#[test]
fn numerals_and_article_labels() {
    let mut rng = Rng(seed());
    for _ in 0..50_000 {
        let s = random_text(&mut rng, 14);
        let n = no_panic("zh::parse_number", &s, || zh::parse_number(&s));
        // What it reads, it writes back to the same value (for numbers written canonically).
        if let Some(n) = n.filter(|n| *n < 100_000_000) {
            assert_eq!(zh::parse_number(&zh::number(n)), Some(n), "{n}");
        }
        let r =
            LawRef {
                law: "民法典".into(), article: Some(format!("第{s}条")), note: String::new()
            };
        no_panic("LawRef::article_number", &s, || r.article_number().ok());
        let md = format!(
            "# 某法\n\n<!-- INFO END -->\n\n## 第一章\n\n{s}\n\n第{s}条 内容。\n\n{s}、 内容\n"
        );
        no_panic("parse_markdown", &md, || parse_markdown(&md));
    }
    // Every number writes and reads back.
    for _ in 0..50_000 {
        let n = (rng.next() % 100_000_000) as u32;
        assert_eq!(zh::parse_number(&zh::number(n)), Some(n), "{n} → {}", zh::number(n));
    }
}

#[test]
fn hours_and_config_toml() {
    let mut rng = Rng(seed());
    let kiosk_toml = std::fs::read(support::repo().join("content/kiosk.toml")).unwrap();
    let hall_toml = std::fs::read(support::repo().join("content/hall.toml")).unwrap();
    let queue_part = String::from_utf8_lossy(&hall_toml)
        .split_once("[queue]")
        .unwrap()
        .1
        .replace("[[queue.services]]", "[[services]]");
    for _ in 0..20_000 {
        let s = random_text(&mut rng, 8);
        no_panic("OpeningHours", &s, || s.parse::<OpeningHours>().ok());
        let text = String::from_utf8_lossy(&mutate(&mut rng, &kiosk_toml)).into_owned();
        no_panic("Config (TOML)", &text, || toml::from_str::<Config>(&text).ok());
        let text = String::from_utf8_lossy(&mutate(&mut rng, queue_part.as_bytes())).into_owned();
        no_panic("QueueConfig (TOML)", &text, || {
            toml::from_str::<QueueConfig>(&text).map(|q| q.validate().is_ok()).ok()
        });
    }
}

#[test]
fn hall_content_files() {
    let mut rng = Rng(seed());
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    for dir in ["guides", "map"] {
        support::copy_dir(&support::repo().join("content").join(dir), &content.join(dir));
    }
    for file in ["hall.toml", "service-points.toml"] {
        std::fs::copy(support::repo().join("content").join(file), content.join(file)).unwrap();
    }
    let originals: Vec<(std::path::PathBuf, Vec<u8>)> =
        ["hall.toml", "service-points.toml", "guides/legal-aid.toml"]
            .iter()
            .map(|f| (content.join(f), std::fs::read(content.join(f)).unwrap()))
            .collect();
    // The unmodified content loads: the mutations below start from something valid.
    HallContent::load(&content).expect("the shipped hall content loads");
    for round in 0..300 {
        let (path, original) = &originals[round % originals.len()];
        let bytes = mutate(&mut rng, original);
        std::fs::write(path, &bytes).unwrap();
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        match round % originals.len() {
            0 => drop(no_panic("HallContent::load", &shown, || HallContent::load(&content).err())),
            1 => drop(no_panic("points::load", &shown, || points::load(path).err())),
            _ => drop(no_panic("guides::load_dir", &shown, || {
                guides::load_dir(&content.join("guides")).err()
            })),
        }
        std::fs::write(path, original).unwrap();
    }
    // The map's GeoJSON: a technician may ship a broken export.
    let geojson = std::fs::read(
        std::fs::read_dir(content.join("map")).unwrap().next().unwrap().unwrap().path(),
    )
    .unwrap();
    let source =
        MapSource { geojson: String::new(), datum: "GCJ-02".into(), caption: "示意图".into() };
    for _ in 0..40 {
        let text = String::from_utf8_lossy(&mutate(&mut rng, &geojson)).into_owned();
        no_panic("SchematicMap::from_geojson", &text[..text.len().min(200)], || {
            SchematicMap::from_geojson(&text, &source).err()
        });
    }
}

#[test]
fn bundle_json() {
    let mut rng = Rng(seed());
    let tmp = tempfile::tempdir().unwrap();
    let src = ContentSource::load(&support::repo().join("content"), None).unwrap();
    let good = tmp.path().join("good");
    bundle::build(&src, &good, Some("fuzz-1")).unwrap();
    let files: Vec<std::path::PathBuf> = walk(&good);
    for round in 0..400 {
        let dir = tmp.path().join(format!("b{round}"));
        support::copy_dir(&good, &dir);
        // The manifest half the time; else one of the content-addressed files.
        let target = if round % 2 == 0 {
            dir.join("manifest.json")
        } else {
            dir.join(rng.pick(&files).strip_prefix(&good).unwrap())
        };
        let bytes = mutate(&mut rng, &std::fs::read(&target).unwrap());
        std::fs::write(&target, &bytes).unwrap();
        if round % 4 == 1 {
            // Re-seal the manifest over the mutated file, so the JSON parser and the checks
            // behind it see the bytes (else the hash check stops them first).
            let name = target.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
            let mut manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
            for f in manifest["files"].as_array_mut().unwrap() {
                if f["path"] == name.as_str() {
                    f["size"] = bytes.len().into();
                    f["sha256"] = bundle::sha256_hex(&bytes).into();
                }
            }
            std::fs::write(dir.join("manifest.json"), serde_json::to_vec(&manifest).unwrap())
                .unwrap();
        }
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        no_panic("bundle read", &shown, || read_all(&dir).err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Everything an install reads from a bundle.
fn read_all(dir: &Path) -> anyhow::Result<()> {
    let b = OpenBundle::open(dir)?;
    b.read_hall()?;
    for entry in b.manifest.files.iter().filter(|f| f.kind == bundle::FileKind::Law) {
        b.read_law(entry)?;
    }
    Ok(())
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.file_name().is_some_and(|n| n != "manifest.json") {
            out.push(p);
        }
    }
    out
}

/// A kiosk checking a repository whose files were damaged in every way: metadata and targets
/// mutated (flips, cuts, splices), status and head files garbled. Never a panic; the store stays
/// one whole release.
#[test]
fn sync_repository_and_state_files() {
    use kiosk::sync::client::{self, Source};
    use kiosk::sync::{keys, layout, publish, status::SyncStatus};
    let mut rng = Rng(seed());
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    keys::init(&t.join("keys"), &keys::RootPlan::default()).unwrap();
    let root = t.join("keys/roots/1.root.json");
    let mut src = ContentSource::load(&support::repo().join("content"), None).unwrap();
    bundle::build(&src, &t.join("b1"), Some("fuzz-1")).unwrap();
    publish::publish(&t.join("b1"), &t.join("repo"), &t.join("keys"), None, &Default::default())
        .unwrap();
    let kiosk = t.join("kiosk");
    client::update(&kiosk, &Source::Dir(t.join("repo")), Some(&root), &root).unwrap();
    src.laws[0].history.push("（修订稿）".into());
    bundle::build(&src, &t.join("b2"), Some("fuzz-2")).unwrap();
    publish::publish(&t.join("b2"), &t.join("repo"), &t.join("keys"), None, &Default::default())
        .unwrap();
    let files: Vec<std::path::PathBuf> = walk(&t.join("repo"))
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".gz"))
        .collect();

    for round in 0..120 {
        let (repo, data) = (t.join(format!("r{round}")), t.join(format!("k{round}")));
        support::copy_dir(&t.join("repo"), &repo);
        support::copy_dir(&kiosk, &data);
        let target = repo.join(rng.pick(&files).strip_prefix(t.join("repo")).unwrap());
        let bytes = mutate(&mut rng, &std::fs::read(&target).unwrap());
        std::fs::write(&target, &bytes).unwrap();
        if round % 3 == 0 {
            let status = SyncStatus::path(&data);
            let garbled = mutate(&mut rng, &std::fs::read(&status).unwrap());
            std::fs::write(&status, garbled).unwrap();
        }
        let shown = format!(
            "{} ← {}",
            target.display(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
        );
        no_panic("sync update", &shown, || {
            client::update(&data, &Source::Dir(repo.clone()), None, &root).err()
        });
        let version = Store::open(&data).unwrap().info().content_version.clone();
        assert!(version == "fuzz-1" || version == "fuzz-2", "round {round}: {version}");
        std::fs::remove_dir_all(&repo).unwrap();
        std::fs::remove_dir_all(&data).unwrap();
    }
    for _ in 0..2000 {
        let text = random_text(&mut rng, 6);
        no_panic("target name", &text, || layout::parse_target_name(&text).map(|_| ()));
        no_panic("source", &text, || text.parse::<Source>().ok().map(|_| ()));
        no_panic("bundle head", &text, || {
            serde_json::from_str::<layout::BundleHead>(&text).ok().map(|h| h.check_format().ok())
        });
    }
}

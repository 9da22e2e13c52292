//! The Yocto layer (`yocto/meta-kiosk`) stays true to the repository it builds:
//!
//! - `kiosk-crates.inc` lists exactly the crates of `Cargo.lock` (an offline bitbake build
//!   fetches nothing else; a stale list fails the build far from here);
//! - every file a recipe installs from the source tree (`${S}/…`) exists, in each rotation;
//! - every `LIC_FILES_CHKSUM` md5 matches its file (bitbake's license check would stop);
//! - the cargo features the recipe builds exist in `kiosk/Cargo.toml`;
//! - `oelint-adv` finds nothing (`tools/lint-yocto`, suppressions explained there);
//! - the Debian pilot install (`tools/install-pilot`) places the same files from `ops/` as the
//!   image, with the rotation's pair of settings, a config the kiosk accepts and the content.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn layer() -> PathBuf {
    support::repo().join("yocto/meta-kiosk")
}

/// The layer's recipes and includes with their text.
fn recipes() -> Vec<(PathBuf, String)> {
    let found: Vec<_> = files_under(&layer())
        .into_iter()
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("bb" | "inc")))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    assert!(found.len() >= 6, "recipes missing under {}", layer().display());
    found
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// The source-tree paths a recipe installs (`${S}/PATH` up to the next space, quote,
/// backslash or semicolon), with the panel rotation filled in.
fn source_paths<'a>(
    text: &'a str,
    prefix: &'a str,
    rotation: &'a str,
) -> impl Iterator<Item = String> + 'a {
    text.split(prefix).skip(1).map(move |part| {
        part.chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\\' | ';'))
            .collect::<String>()
            .replace("${KIOSK_ROTATION}", rotation)
    })
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn the_crate_list_matches_cargo_lock() {
    let (ok, out) =
        run(Command::new("python3").arg(support::repo().join("tools/yocto-crates")).arg("--check"));
    assert!(ok, "{out}");

    // And the check can fail: one crate dropped from a copy of the list is noticed.
    let inc = layer().join("recipes-kiosk/kiosk/kiosk-crates.inc");
    let text = std::fs::read_to_string(&inc).unwrap();
    let lock = std::fs::read_to_string(support::repo().join("Cargo.lock")).unwrap();
    let locked = lock.matches("\nsource = \"registry+").count();
    let listed: BTreeSet<&str> =
        text.lines().filter(|l| l.trim_start().starts_with("crate://")).collect();
    assert_eq!(listed.len(), locked, "every crates.io package of Cargo.lock, once");
    assert_eq!(text.matches(".sha256sum] = \"").count(), locked, "a checksum for each");
}

#[test]
fn installed_sources_exist_for_every_rotation() {
    let repo = support::repo();
    let mut checked = 0;
    for (path, text) in recipes() {
        for rotation in ["0", "90", "180", "270"] {
            for rel in source_paths(&text, "${S}/", rotation) {
                let file = repo.join(&rel);
                assert!(file.exists(), "{}: {rel} is not in the repository", path.display());
                checked += 1;
            }
        }
        // Files the recipe carries itself (SRC_URI file://NAME) sit in files/ beside it.
        for line in text.lines().filter(|l| !l.contains(";md5=")) {
            for part in line.split("file://").skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | ';'))
                    .collect();
                if name.is_empty() || name.contains("${") {
                    continue; // built at parse time (kiosk-trust's root)
                }
                let beside = path.parent().unwrap().join("files").join(&name);
                assert!(beside.exists(), "{}: file://{name} not in files/", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} ${{S}} paths found: did the recipes change shape?");
}

#[test]
fn license_checksums_match_their_files() {
    let repo = support::repo();
    let mut checked = 0;
    for (path, text) in recipes() {
        for part in text.split("file://").skip(1) {
            let Some((file, rest)) = part.split_once(";md5=") else { continue };
            if file.contains(char::is_whitespace) {
                continue;
            }
            let want: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            let (ok, out) = run(Command::new("md5sum").arg(repo.join(file)));
            assert!(ok, "{out}");
            let got = out.split_whitespace().next().unwrap();
            assert_eq!(got, want, "{}: md5 of {file}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} license checksums found");
}

#[test]
fn the_recipe_builds_features_the_crate_has() {
    let recipe =
        std::fs::read_to_string(layer().join("recipes-kiosk/kiosk/kiosk_0.1.0.bb")).unwrap();
    let manifest = std::fs::read_to_string(support::repo().join("kiosk/Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    assert!(
        layer().join(format!("recipes-kiosk/kiosk/kiosk_{version}.bb")).exists(),
        "the recipe's file name carries the crate's version {version}"
    );
    let flags = recipe
        .lines()
        .find(|l| l.starts_with("CARGO_BUILD_FLAGS"))
        .expect("CARGO_BUILD_FLAGS in the recipe");
    let features = flags.split("--features ").nth(1).unwrap().trim_end_matches('"');
    for feature in features.split(',') {
        assert!(
            manifest.contains(&format!("\n{feature} = [")),
            "feature {feature} is not in kiosk/Cargo.toml"
        );
    }
    assert!(flags.contains("--no-default-features"), "the desktop backend stays out");
}

#[test]
fn oelint_finds_nothing() {
    let (ok, out) = run(&mut Command::new(support::repo().join("tools/lint-yocto")));
    assert!(ok, "{out}");
    assert!(out.contains("no findings"), "{out}");
}

#[test]
fn the_pilot_install_places_what_the_image_does() {
    let repo = support::repo();
    let staged = tempfile::tempdir().unwrap();
    let (ok, out) = run(Command::new("bash")
        .arg(repo.join("tools/install-pilot"))
        .args(["--rotation", "90", "--binary", env!("CARGO_BIN_EXE_kiosk"), "--root"])
        .arg(staged.path()));
    assert!(ok, "{out}");
    let root = staged.path();
    let installed: Vec<Vec<u8>> =
        files_under(root).iter().map(|f| std::fs::read(f).unwrap()).collect();

    // Every ops/ file a recipe installs, byte for byte (the 90° touch rule for this rotation).
    let mut compared = 0;
    for (_, text) in recipes() {
        for rel in source_paths(&text, "${S}/ops/", "90") {
            let want = std::fs::read(repo.join("ops").join(&rel)).unwrap();
            assert!(installed.contains(&want), "the pilot install lacks ops/{rel}");
            compared += 1;
        }
    }
    assert!(compared >= 6, "only {compared} ops files in the recipes");
    let dropin =
        std::fs::read_to_string(root.join("etc/systemd/system/kiosk.service.d/rotation.conf"))
            .unwrap();
    assert!(dropin.contains("SLINT_KMS_ROTATION=90"), "{dropin}");
    let rule = std::fs::read_to_string(root.join("etc/udev/rules.d/71-kiosk-touch.rules")).unwrap();
    assert!(rule.contains("\"0 1 0 -1 0 1\""), "the 90° touch rule: {rule}");

    // The device config loads, the binary runs, the content is there without the demo config.
    let (ok, out) = run(Command::new(root.join("usr/bin/kiosk"))
        .arg("--config")
        .arg(root.join("etc/kiosk/kiosk.toml"))
        .args(["screenshot", "--list"]));
    assert!(ok, "the installed config: {out}");
    assert!(root.join("usr/share/kiosk/content/laws/PROVENANCE.md").exists());
    assert!(!root.join("usr/share/kiosk/content/kiosk.toml").exists());
    assert!(root.join("usr/local/share/fonts/kiosk/kiosk-cjk.ttf").exists());

    // A second run keeps the site's configuration.
    std::fs::write(root.join("etc/kiosk/kiosk.toml"), "data_dir = \"/srv/kiosk\"\n").unwrap();
    let (ok, out) = run(Command::new("bash")
        .arg(repo.join("tools/install-pilot"))
        .args(["--binary", env!("CARGO_BIN_EXE_kiosk"), "--root"])
        .arg(root));
    assert!(ok, "{out}");
    let kept = std::fs::read_to_string(root.join("etc/kiosk/kiosk.toml")).unwrap();
    assert_eq!(kept, "data_dir = \"/srv/kiosk\"\n");
    assert!(!root.join("etc/systemd/system/kiosk.service.d/rotation.conf").exists(), "0° again");
}

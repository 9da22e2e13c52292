//! What the benchmarks share: the demo content installed as a store, as a kiosk holds it.

use std::path::{Path, PathBuf};

use kiosk::content::{bundle, source::ContentSource, Store};

/// Builds a bundle of the shipped demo content (`content/`) in `dir` and installs it there;
/// returns the store's data directory.
pub fn demo_store(dir: &Path) -> anyhow::Result<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
    let src = ContentSource::load(&repo.join("content"), None)?;
    bundle::build(&src, &dir.join("bundle"), Some("bench"))?;
    let data = dir.join("data");
    Store::install(&data, &dir.join("bundle"))?;
    Ok(data)
}

//! The content source a technician edits (`content/`): what a bundle is built from.
//!
//! ```text
//! content/
//!   hall.toml            the deployment: hall name, hotline, website
//!   laws/*.jsonl         law texts in the corpus format; every law listed here is a "core" law
//!   laws/PROVENANCE.md   where the texts came from
//!   guides/*.toml        办事指南, one per service item (law references checked at load)
//!   topics/*.toml        我遇到了…: life situations with their key articles (checked likewise)
//!   lexicon/*.toml       everyday words → statutory terms and articles, for search (likewise)
//!   service-points.toml  where residents can go
//!   map/*.geojson        county boundaries for the offline map
//! ```
//! A build may add a wider corpus (`--corpus laws.jsonl`, the 1,564-document national set): its
//! laws are searchable but ranked after the core ones.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::hall::campaigns::{self, Poster};
use super::hall::{refs, HallContent};
use super::law::{parse_markdown, LawDoc, Provenance, Status};

/// The deployment facts that travel with the content (shown on every screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub hall_name: String,
    #[serde(default = "default_hotline")]
    pub hotline: String,
    #[serde(default)]
    pub website: String,
}

fn default_hotline() -> String {
    "12348".into()
}

/// One line of a corpus JSONL file.
#[derive(Debug, Deserialize)]
struct CorpusRecord {
    id: String,
    title: String,
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default)]
    effective_date: Option<String>,
    status: String,
    #[serde(default)]
    source_repo: Option<String>,
    #[serde(default)]
    source_commit: Option<String>,
    /// A path, or a list of paths for texts merged from several files (民法典).
    #[serde(default)]
    source_path: Option<serde_json::Value>,
    text: String,
}

/// Everything a bundle is built from.
pub struct ContentSource {
    pub deployment: Deployment,
    pub laws: Vec<LawDoc>,
    /// Guides, service points, map and queue services.
    pub hall: HallContent,
    /// The 法治宣传 posters' pictures (`hall.campaigns` names them by hash).
    pub posters: Vec<Poster>,
    /// Human-readable notes about decisions the loader made (superseded texts, duplicates).
    pub notes: Vec<String>,
}

impl ContentSource {
    /// Loads `content/` and, optionally, a wider corpus whose laws are not core.
    pub fn load(dir: &Path, extra_corpus: Option<&Path>) -> Result<ContentSource> {
        let hall_path = dir.join("hall.toml");
        let hall_text = std::fs::read_to_string(&hall_path)
            .with_context(|| format!("reading {}", hall_path.display()))?;
        let deployment: Deployment = toml::from_str(&hall_text)
            .with_context(|| format!("parsing {}", hall_path.display()))?;

        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("laws"))
            .with_context(|| format!("reading {}/laws", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        if files.is_empty() {
            bail!("{}/laws holds no .jsonl law files", dir.display());
        }
        let mut laws = Vec::new();
        for f in &files {
            laws.extend(read_corpus(f, true)?);
        }
        if let Some(corpus) = extra_corpus {
            laws.extend(read_corpus(corpus, false)?);
        }
        let mut notes = Vec::new();
        let laws = dedupe(laws, &mut notes);
        let laws = mark_superseded(laws, &mut notes);
        let mut hall = HallContent::load(dir)?;
        let (campaigns, posters) = campaigns::load_dir(&dir.join("campaigns"))?;
        hall.campaigns = campaigns;
        let dangling = refs::dangling(hall.law_references(), &laws);
        if !dangling.is_empty() {
            bail!("hall content cites what the laws do not hold:\n  {}", dangling.join("\n  "));
        }
        Ok(ContentSource { deployment, laws, hall, posters, notes })
    }
}

fn read_corpus(path: &Path, core: bool) -> Result<Vec<LawDoc>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let rec: CorpusRecord = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a law record", path.display(), i + 1))?;
        out.push(to_doc(rec, core).with_context(|| format!("{}:{}", path.display(), i + 1))?);
    }
    Ok(out)
}

fn to_doc(rec: CorpusRecord, core: bool) -> Result<LawDoc> {
    let status = Status::parse(&rec.status)
        .with_context(|| format!("{}: unknown status {:?}", rec.title, rec.status))?;
    let parsed = parse_markdown(&rec.text);
    let paths = match &rec.source_path {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => {
            a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        }
        _ => vec![],
    };
    let source = Provenance {
        repo: rec.source_repo.unwrap_or_default(),
        commit: rec.source_commit.unwrap_or_default(),
        paths,
    };
    Ok(LawDoc {
        short_name: rec.short_name.filter(|s| !s.is_empty()).unwrap_or_else(|| rec.title.clone()),
        id: rec.id,
        title: rec.title,
        category: rec.category.filter(|s| !s.is_empty()).unwrap_or_else(|| "其他".into()),
        level: rec.level.unwrap_or_default(),
        status,
        publish_date: rec.publish_date.filter(|s| !s.is_empty()),
        effective_date: rec.effective_date.filter(|s| !s.is_empty()),
        history: parsed.history,
        core,
        source,
        blocks: parsed.blocks,
    })
}

/// Keeps one record per id (the core one wins), and drops corpus files that a core record
/// already merges (the national set has 民法典 as eight files; the core set as one law).
fn dedupe(laws: Vec<LawDoc>, notes: &mut Vec<String>) -> Vec<LawDoc> {
    let merged_paths: HashSet<String> = laws
        .iter()
        .filter(|l| l.core)
        .filter(|l| l.source.paths.len() > 1)
        .flat_map(|l| l.source.paths.iter().cloned())
        .collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for law in laws {
        if !seen.insert(law.id.clone()) {
            continue;
        }
        if !law.core && law.source.paths.iter().any(|p| merged_paths.contains(p)) {
            notes.push(format!("{}: part of a merged core text, not shipped twice", law.title));
            continue;
        }
        out.push(law);
    }
    out
}

/// Where two texts in force share a title, the older one has been revised: mark it 已修改 so it
/// ranks below the current text and wears the right badge.
fn mark_superseded(mut laws: Vec<LawDoc>, notes: &mut Vec<String>) -> Vec<LawDoc> {
    let mut newest: HashMap<String, String> = HashMap::new();
    for l in laws.iter().filter(|l| l.status == Status::InForce) {
        let date = l.publish_date.clone().unwrap_or_default();
        let e = newest.entry(l.title.clone()).or_default();
        if date > *e {
            *e = date;
        }
    }
    for l in laws.iter_mut().filter(|l| l.status == Status::InForce) {
        let date = l.publish_date.clone().unwrap_or_default();
        if newest.get(&l.title).is_some_and(|n| *n > date) {
            notes.push(format!(
                "{} ({}): superseded by a newer revision, marked 已修改",
                l.title, date
            ));
            l.status = Status::Amended;
        }
    }
    laws
}

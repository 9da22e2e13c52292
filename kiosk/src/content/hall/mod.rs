//! The hall's own content, next to the laws: 办事指南, service points, the map and the queue's
//! services. Technicians edit it in `content/` as TOML (and GeoJSON for the map); the bundle
//! builder checks it against the laws and ships it as one JSON file; the store keeps it per
//! generation, so a content update swaps guides, points and map together with the laws.

pub mod campaigns;
pub mod everyday;
pub mod guides;
pub mod legal_aid;
pub mod map;
pub mod points;
pub mod queue;
pub mod refs;
pub mod topics;

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use campaigns::Campaign;
use everyday::LexiconGroup;
use guides::{Guide, LawRef};
use map::SchematicMap;
use points::PointSet;
use queue::QueueConfig;
use topics::Topic;

/// What a screen shows when a local fact is not published to this kiosk.
pub const ASK_AT_WINDOW: &str = "以窗口公示为准";

/// Everything about the hall that is not a law text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallContent {
    pub local: LocalFacts,
    pub guides: Vec<Guide>,
    pub points: PointSet,
    pub map: SchematicMap,
    pub queue: QueueConfig,
    /// 我遇到了…: life situations (absent from bundles built before they existed).
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// Everyday words → statutory terms and articles, for search.
    #[serde(default)]
    pub everyday: Vec<LexiconGroup>,
    /// 法治宣传 posters for the idle screen, each with its dates (the pictures are files of
    /// their own: [`campaigns::Campaign::image`]).
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

/// Facts only the local 司法局 can publish; empty strings mean "not published here".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalFacts {
    pub address: String,
    pub hours: String,
    pub phone: String,
    /// 法律援助 经济困难标准: monthly per-capita income line in yuan (法律援助法 第三十四条).
    pub legal_aid_income_line: String,
    /// Base of the URLs the QR codes carry (the province's 12348 site or the hall's page).
    pub qr_base_url: String,
}

impl LocalFacts {
    /// The income line in yuan, when the deployment published one.
    pub fn income_line_yuan(&self) -> Option<u32> {
        self.legal_aid_income_line.trim().parse().ok()
    }
}

/// The `*.toml` files of a content folder, sorted by name; an absent folder holds none.
pub(crate) fn toml_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Shows a local fact, or says where to find it.
pub fn or_ask(value: &str) -> String {
    if value.trim().is_empty() {
        ASK_AT_WINDOW.to_owned()
    } else {
        value.trim().to_owned()
    }
}

/// The parts of `hall.toml` this module reads (the rest is the deployment's identity).
#[derive(Deserialize)]
struct HallFile {
    #[serde(default)]
    local: LocalFacts,
    map: map::MapSource,
    queue: QueueConfig,
}

impl HallContent {
    /// Loads `content/hall.toml`, `content/guides/*.toml`, `content/service-points.toml` and the
    /// map's GeoJSON. Law references are checked later, against the laws being bundled.
    pub fn load(dir: &Path) -> Result<HallContent> {
        let hall_path = dir.join("hall.toml");
        let text = std::fs::read_to_string(&hall_path)
            .with_context(|| format!("reading {}", hall_path.display()))?;
        let hall: HallFile =
            toml::from_str(&text).with_context(|| format!("parsing {}", hall_path.display()))?;
        hall.queue.validate().with_context(|| format!("{}: [queue]", hall_path.display()))?;
        let guides = guides::load_dir(&dir.join("guides"))?;
        for g in &guides {
            if let Some(letter) = &g.queue {
                if hall.queue.service(letter).is_none() {
                    anyhow::bail!(
                        "guide {}: queue service {letter:?} is not in hall.toml [queue]",
                        g.id
                    );
                }
            }
        }
        let points = points::load(&dir.join("service-points.toml"))?;
        let map = SchematicMap::from_geojson_file(&dir.join(&hall.map.geojson), &hall.map)?;
        for p in &points.points {
            if !map.counties.iter().any(|c| c.adcode == p.county) {
                anyhow::bail!("service point {}: county {} is not on the map", p.id, p.county);
            }
        }
        let topics = topics::load_dir(&dir.join("topics"))?;
        for t in &topics {
            if hall.queue.service(&t.queue).is_none() {
                anyhow::bail!(
                    "topic {}: queue service {:?} is not in hall.toml [queue]",
                    t.id,
                    t.queue
                );
            }
            if let Some(g) = t.guides.iter().find(|g| !guides.iter().any(|x| x.id == **g)) {
                anyhow::bail!("topic {}: no guide {g:?} in content/guides", t.id);
            }
        }
        let everyday = everyday::load_dir(&dir.join("lexicon"))?;
        Ok(HallContent {
            local: hall.local,
            guides,
            points,
            map,
            queue: hall.queue,
            topics,
            everyday,
            // With their pictures, by ContentSource::load (the pictures travel as files).
            campaigns: Vec::new(),
        })
    }

    /// Every law reference the hall content makes, with where it was written.
    pub fn law_references(&self) -> Vec<(String, &LawRef)> {
        let guides = self
            .guides
            .iter()
            .flat_map(|g| g.basis.iter().map(move |r| (format!("guide {}", g.id), r)));
        let topics = self
            .topics
            .iter()
            .flat_map(|t| t.articles.iter().map(move |r| (format!("topic {}", t.id), r)));
        let lexicon = self.everyday.iter().flat_map(|g| {
            g.entries.iter().flat_map(move |e| {
                e.articles.iter().map(move |r| (format!("lexicon {} {}", g.group, e.say[0]), r))
            })
        });
        guides.chain(topics).chain(lexicon).collect()
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    pub fn guide(&self, id: &str) -> Option<&Guide> {
        self.guides.iter().find(|g| g.id == id)
    }
}

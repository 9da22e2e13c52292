//! The everyday-language lexicon: what residents say → the words statutes print, and the
//! articles an everyday name means (霸王条款 → 民法典 第四百九十六、四百九十七条).
//!
//! It ships in the bundle from `content/lexicon/*.toml` (one file per subject, each saying which
//! statutes its terms came from), so a technician can extend it without a firmware update.
//! Article references are checked at `bundle build`, like the guides'.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::guides::LawRef;

/// One subject's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconGroup {
    pub group: String,
    /// The statutes this group's terms were taken from.
    pub source: String,
    #[serde(default, rename = "entry")]
    pub entries: Vec<LexiconEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconEntry {
    /// What residents type (工资, 薪水, 工钱).
    pub say: Vec<String>,
    /// What the statutes print for it (劳动报酬), searched as alternatives.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Articles the everyday name means, shown first.
    #[serde(default)]
    pub articles: Vec<LawRef>,
}

/// Reads every `*.toml` in `dir` (an absent directory is an empty lexicon). A word may be said
/// in one entry only, so what it means is never ambiguous.
pub fn load_dir(dir: &Path) -> Result<Vec<LexiconGroup>> {
    let mut groups = Vec::new();
    let mut said = HashSet::new();
    for f in super::toml_files(dir)? {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let g: LexiconGroup =
            toml::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
        for (i, e) in g.entries.iter().enumerate() {
            check(e).with_context(|| format!("{}: entry {}", f.display(), i + 1))?;
            for w in &e.say {
                if !said.insert(w.clone()) {
                    bail!("{}: {w:?} is said in two entries", f.display());
                }
            }
        }
        groups.push(g);
    }
    Ok(groups)
}

fn check(e: &LexiconEntry) -> Result<()> {
    if e.say.is_empty() {
        bail!("an entry needs at least one `say` word");
    }
    // A resident's verb is often one character (赔, 租, 退); the statute's words never are,
    // and a one-character term would match half the corpus.
    let max = crate::content::query::MAX_PHRASE_CHARS;
    for (w, min) in e.say.iter().map(|w| (w, 1)).chain(e.terms.iter().map(|w| (w, 2))) {
        let n = w.chars().count();
        if !(min..=max).contains(&n) || w.chars().any(|c| !c.is_alphanumeric()) {
            bail!("{w:?}: words are {min}–{max} letters, no punctuation or spaces");
        }
    }
    if e.terms.is_empty() && e.articles.is_empty() {
        bail!("{:?} maps to neither terms nor articles", e.say);
    }
    for r in &e.articles {
        r.article_number().with_context(|| format!("article of {}", r.law))?;
    }
    Ok(())
}

//! 我遇到了…: life situations, the home entry that starts from the resident's problem rather
//! than the statute book. One TOML file per situation in `content/topics/`: a plain sentence of
//! what it covers, the key articles, the 办事指南 that apply, whether 法律援助 may apply, the
//! queue service, and the words residents type for it (search shows the topic first).

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::guides::LawRef;

/// A tile label longer than this wraps on the 1080-wide topics grid.
pub const MAX_TITLE_CHARS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub id: String,
    /// The tile label (欠薪, 交通事故).
    pub title: String,
    /// One plain sentence: what this situation covers.
    pub summary: String,
    /// What residents type for it; a search with one of these shows the topic first.
    pub words: Vec<String>,
    /// Position on the topics screen.
    pub order: u32,
    /// The matter is one 法律援助法 第三十一/三十二条 lists: the page offers the aid check.
    pub legal_aid: bool,
    /// The queue service letter for 取号.
    pub queue: String,
    /// Ids of the 办事指南 that apply.
    #[serde(default)]
    pub guides: Vec<String>,
    /// The key articles, each with a note in plain words.
    pub articles: Vec<LawRef>,
    /// The situation told in pieces: a question holding a word of each group means it too
    /// (老公喝了酒就打我: a spouse, and a blow). Words as a question says them or as the
    /// lexicon turns them into statute words (老公 → 配偶).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub together: Vec<Vec<String>>,
}

/// Groups a `together` cue has: one would be a plain search word, more would rarely all be said.
pub const TOGETHER_GROUPS: std::ops::RangeInclusive<usize> = 2..=3;

/// Reads every `*.toml` in `dir` (none is fine: a hall may ship without topics), sorted by
/// `order`; ids must be unique and match the file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Topic>> {
    let mut topics: Vec<Topic> = Vec::new();
    for f in super::toml_files(dir)? {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let t: Topic = toml::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
        check(&t).with_context(|| format!("{}", f.display()))?;
        if f.file_stem().and_then(|s| s.to_str()) != Some(t.id.as_str()) {
            bail!("{}: id {:?} does not match the file name", f.display(), t.id);
        }
        if topics.iter().any(|o| o.id == t.id) {
            bail!("{}: duplicate topic id {:?}", f.display(), t.id);
        }
        topics.push(t);
    }
    topics.sort_by_key(|t| (t.order, t.id.clone()));
    Ok(topics)
}

fn check(t: &Topic) -> Result<()> {
    if t.title.trim().is_empty() || t.title.chars().count() > MAX_TITLE_CHARS {
        bail!("title {:?} must be 1–{MAX_TITLE_CHARS} characters", t.title);
    }
    if t.summary.trim().is_empty() {
        bail!("summary is empty");
    }
    if t.articles.is_empty() {
        bail!("a topic needs at least one article");
    }
    if t.words.iter().any(|w| w.chars().count() < 2) {
        bail!("search words need at least two characters");
    }
    for r in &t.articles {
        r.article_number().with_context(|| format!("article of {}", r.law))?;
    }
    if !t.together.is_empty() && !TOGETHER_GROUPS.contains(&t.together.len()) {
        bail!("together needs 2–3 groups of words, not {}", t.together.len());
    }
    let max = crate::content::query::MAX_PHRASE_CHARS;
    for group in &t.together {
        if group.is_empty() {
            bail!("a together group is empty");
        }
        if let Some(w) = group.iter().find(|w| {
            let n = w.chars().count();
            n == 0 || n > max || w.chars().any(|c| c.is_whitespace() || c.is_ascii_punctuation())
        }) {
            bail!("together word {w:?} must be 1–{max} characters, no spaces or punctuation");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(together: &[&[&str]]) -> Topic {
        Topic {
            id: "domestic-violence".into(),
            title: "家庭暴力".into(),
            summary: "家里人打骂的，可以报警。".into(),
            words: vec!["家暴".into()],
            order: 10,
            legal_aid: true,
            queue: "A".into(),
            guides: Vec::new(),
            articles: vec![LawRef {
                law: "反家庭暴力法".into(),
                article: Some("第二条".into()),
                note: String::new(),
            }],
            together: together.iter().map(|g| g.iter().map(|w| w.to_string()).collect()).collect(),
        }
    }

    #[test]
    fn together_cues_are_checked() {
        assert!(check(&topic(&[])).is_ok());
        assert!(check(&topic(&[&["老公", "配偶"], &["打"]])).is_ok());
        let one = check(&topic(&[&["老公"]])).unwrap_err().to_string();
        assert!(one.contains("2–3 groups"), "{one}");
        assert!(check(&topic(&[&["老公"], &[]])).is_err());
        let spaced = check(&topic(&[&["老公"], &["打 我"]])).unwrap_err().to_string();
        assert!(spaced.contains("打 我"), "{spaced}");
    }
}

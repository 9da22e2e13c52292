//! The store's search vocabulary: every phrase query understanding takes whole, and what it
//! means. Built at install from the hall content (everyday lexicon, topics, the 办事指南's names
//! and basis) and the laws' names, read into memory on the first search (a few thousand short
//! rows).

use std::collections::HashMap;

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::hall::guides::LawRef;
use super::hall::HallContent;
use super::query::{segment, NamedGuide, PhraseInfo, Together, MAX_PHRASE_CHARS};
use super::store::{article_block, law_by_name_sql};

/// The JSON a vocabulary row stores.
#[derive(Default, Serialize, Deserialize)]
struct Row {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    terms: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    articles: Vec<(i64, i64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    topic_articles: Vec<(i64, i64)>,
    /// The block rowid of each of `articles`, then of `topic_articles`, in this generation:
    /// search reads them instead of finding each article in its law's rows (a scan of the
    /// law's text, ~0.1 ms for 民法典). Absent in generations built before it was added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rowids: Vec<i64>,
    /// A topic's `together` cues: the row is a situation told in pieces, not a phrase (its key
    /// starts with [`TOGETHER_KEY`], which no typed text holds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    together: Vec<Vec<String>>,
    /// A 办事指南 a query may name (key [`GUIDE_KEY`] + its id): the words of its name; its
    /// basis is `topic_articles`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    guide_words: Vec<String>,
}

/// Prefix of the vocabulary rows that hold a topic's `together` cues.
const TOGETHER_KEY: &str = "\u{1}together:";
/// Prefix of the vocabulary rows of 办事指南 a query may name.
const GUIDE_KEY: &str = "\u{1}guide:";
/// The vocabulary row that lists every citation of an article by the hall's content: once per
/// lexicon entry, topic and 办事指南 that names it.
const CITATIONS_KEY: &str = "\u{1}citations";

/// The vocabulary in memory, and the rowid of every article it names.
#[derive(Default)]
pub struct Vocab {
    phrases: HashMap<String, PhraseInfo>,
    rowids: HashMap<(i64, i64), i64>,
    /// The articles the hall's content names, each with how many lexicon entries, topics and
    /// 办事指南 name it.
    cited: HashMap<i64, u32>,
    together: Vec<Together>,
    guides: Vec<NamedGuide>,
}

impl Vocab {
    pub fn load(conn: &Connection) -> Result<Vocab> {
        // In key order: situations are met in the order of their topic ids.
        let mut st = conn.prepare("SELECT phrase, info FROM vocab ORDER BY phrase")?;
        let mut vocab = Vocab::default();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let phrase: String = r.get(0)?;
            let row: Row = serde_json::from_str(&r.get::<_, String>(1)?)?;
            if phrase == CITATIONS_KEY {
                for id in &row.rowids {
                    *vocab.cited.entry(*id).or_default() += 1;
                }
                continue;
            }
            let named = row.articles.iter().chain(&row.topic_articles);
            if row.rowids.len() == row.articles.len() + row.topic_articles.len() {
                vocab.rowids.extend(named.copied().zip(row.rowids.iter().copied()));
            }
            if let Some(id) = phrase.strip_prefix(GUIDE_KEY) {
                vocab.guides.push(NamedGuide {
                    id: id.to_owned(),
                    words: row.guide_words,
                    articles: row.topic_articles,
                });
                continue;
            }
            let info = PhraseInfo {
                terms: row.terms,
                articles: row.articles,
                topics: row.topics,
                topic_articles: row.topic_articles,
            };
            if row.together.is_empty() {
                vocab.phrases.insert(phrase, info);
            } else {
                vocab.together.push(Together { groups: row.together, info });
            }
        }
        // A store from before the citations row: every named article counts once.
        if vocab.cited.is_empty() {
            vocab.cited = vocab.rowids.values().map(|id| (*id, 1)).collect();
        }
        Ok(vocab)
    }

    /// The 办事指南 a query may name, in id order.
    pub fn guides(&self) -> &[NamedGuide] {
        &self.guides
    }

    /// The situations recognised by words told apart (topics' `together`).
    pub fn together(&self) -> &[Together] {
        &self.together
    }

    pub fn get(&self, phrase: &str) -> Option<&PhraseInfo> {
        self.phrases.get(phrase)
    }

    /// The rowids of named articles, (law doc, article number) → block rowid.
    pub fn rowids(&self) -> &HashMap<(i64, i64), i64> {
        &self.rowids
    }

    /// The block rowids of every article the everyday lexicon, a topic or a 办事指南's basis
    /// names (the articles the hall's content points residents to), with how many of them do.
    pub fn cited(&self) -> &HashMap<i64, u32> {
        &self.cited
    }
}

/// A law reference as (doc, article number) in this store, if it resolves: the law by name as
/// [`crate::content::law::find_by_name`] picks it (in force, core, newest), then its article;
/// with the article's rowid.
fn resolve(tx: &Transaction, r: &LawRef) -> Result<Option<((i64, i64), i64)>> {
    let Some(number) = r.article_number()? else { return Ok(None) };
    let mut law = tx.prepare_cached(&law_by_name_sql("doc"))?;
    let Some(doc) = law.query_row([&r.law], |row| row.get::<_, i64>(0)).optional()? else {
        return Ok(None);
    };
    let number = number as i64;
    Ok(article_block(tx, doc, number)?.map(|(id, _)| ((doc, number), id)))
}

/// The references that resolve in this store (checked at bundle build; a store without a law
/// simply does not name it), each article's rowid recorded in `rowid_of`.
fn resolve_all(
    tx: &Transaction,
    refs: &[LawRef],
    rowid_of: &mut HashMap<(i64, i64), i64>,
) -> Result<Vec<(i64, i64)>> {
    let mut articles = Vec::new();
    for r in refs {
        if let Some((a, id)) = resolve(tx, r)? {
            rowid_of.insert(a, id);
            articles.push(a);
        }
    }
    Ok(articles)
}

/// Rewrites the vocabulary from the hall content and the laws this generation holds.
pub fn rebuild(tx: &Transaction, hall: &HallContent) -> Result<()> {
    let mut rows: HashMap<String, Row> = HashMap::new();
    let mut rowid_of: HashMap<(i64, i64), i64> = HashMap::new();
    let fits = |w: &str| (2..=MAX_PHRASE_CHARS).contains(&w.chars().count());
    // Each lexicon entry, topic and guide cites each of its articles once.
    let mut citations: Vec<(i64, i64)> = Vec::new();
    let mut cite = |articles: &[(i64, i64)]| {
        let mut distinct = articles.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        citations.extend(distinct);
    };
    for group in &hall.everyday {
        for e in &group.entries {
            let mut articles = Vec::new();
            for r in &e.articles {
                match resolve(tx, r)? {
                    Some((a, id)) => {
                        rowid_of.insert(a, id);
                        articles.push(a);
                    }
                    // Checked at bundle build; a store without that law simply does not name it.
                    None => tracing::warn!(law = %r.law, "lexicon article not in this store"),
                }
            }
            cite(&articles);
            // A say word may be one character (赔); the lexicon check bounds its length.
            for w in &e.say {
                let row = rows.entry(w.clone()).or_default();
                row.terms.extend(e.terms.iter().cloned());
                row.articles.extend(articles.iter().copied());
            }
            for t in e.terms.iter().filter(|w| fits(w)) {
                rows.entry(t.clone()).or_default();
            }
        }
    }
    // A topic's words also name its key articles, written for that situation from the statutes:
    // search shows them when the words alone find little (a question, not a statute keyword).
    for topic in &hall.topics {
        let articles = resolve_all(tx, &topic.articles, &mut rowid_of)?;
        cite(&articles);
        if !topic.together.is_empty() {
            let row = rows.entry(format!("{TOGETHER_KEY}{}", topic.id)).or_default();
            row.together = topic.together.clone();
            row.topics.push(topic.id.clone());
            row.topic_articles.extend(articles.iter().copied());
        }
        for w in topic.words.iter().chain([&topic.title]).filter(|w| fits(w)) {
            let row = rows.entry(w.clone()).or_default();
            if !row.topics.contains(&topic.id) {
                row.topics.push(topic.id.clone());
                for a in &articles {
                    if !row.topic_articles.contains(a) {
                        row.topic_articles.push(*a);
                    }
                }
            }
        }
    }
    // A 办事指南's basis points residents to articles as well. A query that holds every word
    // of its name (jieba's words of two or more characters) names it.
    for guide in &hall.guides {
        let basis = resolve_all(tx, &guide.basis, &mut rowid_of)?;
        cite(&basis);
        let words: Vec<String> = segment::words(&guide.name)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .map(str::to_owned)
            .collect();
        let row = rows.entry(format!("{GUIDE_KEY}{}", guide.id)).or_default();
        row.guide_words = words;
        row.topic_articles = basis;
    }
    // Its key holds a control character, which no typed text does.
    rows.entry(CITATIONS_KEY.to_owned()).or_default().articles = citations;
    {
        let mut st = tx.prepare("SELECT short_name FROM laws UNION SELECT title FROM laws")?;
        let names = st.query_map([], |r| r.get::<_, String>(0))?;
        for name in names {
            let name = name?;
            if fits(&name) {
                rows.entry(name).or_default();
            }
        }
    }
    tx.execute("DELETE FROM vocab", [])?;
    let mut ins = tx.prepare("INSERT INTO vocab(phrase, info) VALUES (?1, ?2)")?;
    for (phrase, mut row) in rows {
        let named = row.articles.iter().chain(&row.topic_articles);
        row.rowids = named.map(|a| rowid_of[a]).collect();
        ins.execute(params![phrase, serde_json::to_string(&row)?])?;
    }
    Ok(())
}

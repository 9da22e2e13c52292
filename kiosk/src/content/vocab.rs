//! The store's search vocabulary: every phrase query understanding takes whole, and what it
//! means. Built at install from the hall content (everyday lexicon, topics) and the laws' names,
//! read into memory on the first search (a few thousand short rows).

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::hall::guides::LawRef;
use super::hall::HallContent;
use super::query::{PhraseInfo, Together, MAX_PHRASE_CHARS};
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
}

/// Prefix of the vocabulary rows that hold a topic's `together` cues.
const TOGETHER_KEY: &str = "\u{1}together:";

/// The vocabulary in memory, and the rowid of every article it names.
#[derive(Default)]
pub struct Vocab {
    phrases: HashMap<String, PhraseInfo>,
    rowids: HashMap<(i64, i64), i64>,
    /// The same rowids as a set: the articles the hall's content names.
    cited: HashSet<i64>,
    together: Vec<Together>,
}

impl Vocab {
    pub fn load(conn: &Connection) -> Result<Vocab> {
        // In key order: situations are met in the order of their topic ids.
        let mut st = conn.prepare("SELECT phrase, info FROM vocab ORDER BY phrase")?;
        let mut vocab = Vocab::default();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let row: Row = serde_json::from_str(&r.get::<_, String>(1)?)?;
            let named = row.articles.iter().chain(&row.topic_articles);
            if row.rowids.len() == row.articles.len() + row.topic_articles.len() {
                vocab.rowids.extend(named.copied().zip(row.rowids.iter().copied()));
            }
            let info = PhraseInfo {
                terms: row.terms,
                articles: row.articles,
                topics: row.topics,
                topic_articles: row.topic_articles,
            };
            if row.together.is_empty() {
                vocab.phrases.insert(r.get(0)?, info);
            } else {
                vocab.together.push(Together { groups: row.together, info });
            }
        }
        vocab.cited = vocab.rowids.values().copied().collect();
        Ok(vocab)
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

    /// The block rowids of every article the everyday lexicon or a topic names: the articles
    /// the hall's content points residents to.
    pub fn cited(&self) -> &HashSet<i64> {
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

/// Rewrites the vocabulary from the hall content and the laws this generation holds.
pub fn rebuild(tx: &Transaction, hall: &HallContent) -> Result<()> {
    let mut rows: HashMap<String, Row> = HashMap::new();
    let mut rowid_of: HashMap<(i64, i64), i64> = HashMap::new();
    let fits = |w: &str| (2..=MAX_PHRASE_CHARS).contains(&w.chars().count());
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
        let mut articles = Vec::new();
        for r in &topic.articles {
            if let Some((a, id)) = resolve(tx, r)? {
                rowid_of.insert(a, id);
                articles.push(a);
            }
        }
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

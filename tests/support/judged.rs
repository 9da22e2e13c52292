//! The judged query set (`tests/data/judged-queries.toml`): each query with the articles that
//! answer it, and the scores of a ranking against them. Shared by the search tests and the
//! judged-set benchmark.
#![allow(dead_code)]

use std::path::Path;

use kiosk::content::search::SearchResults;
use kiosk::content::store::BlockKind;
use kiosk::content::Store;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct JudgedSet {
    pub query: Vec<JudgedQuery>,
}

#[derive(Debug, Deserialize)]
pub struct JudgedQuery {
    pub kind: String,
    pub q: String,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    pub law: String,
    pub article: String,
}

/// The three kinds, in the order reports list them.
pub const KINDS: [&str; 3] = ["keyword", "everyday", "question"];

/// Hits read when scoring: recall@10 and MRR@10.
pub const DEPTH: usize = 10;

pub fn load(repo: &Path) -> JudgedSet {
    load_file(repo, "judged-queries.toml")
}

/// The held-out sets (`tests/data/judged-queries-heldout*.toml`), by file name: each written
/// blind to the lexicon and the search by someone who saw only the corpus, so they show whether
/// tuning on the main set carries over to queries nobody tuned for. A set stays honest evidence
/// only until its misses are read; the README says which have been.
pub fn load_heldout(repo: &Path) -> Vec<(String, JudgedSet)> {
    let dir = repo.join("tests/data");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry.expect("a readable tests/data").file_name().to_string_lossy().into_owned()
        })
        .filter(|name| name.starts_with("judged-queries-heldout") && name.ends_with(".toml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let set = load_file(repo, &name);
            (name, set)
        })
        .collect()
}

fn load_file(repo: &Path, name: &str) -> JudgedSet {
    let path = repo.join("tests/data").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An article as the search shows it: its law's doc and its label (第二百八十七条之二). Labels,
/// not numbers: 第二百八十七条, 之一 and 之二 share the number 287 and are three articles.
pub type Article = (i64, String);

/// Every answer as an [`Article`] of `store`; an answer the store does not hold is an error
/// naming it (the judged set must only cite what exists).
pub fn resolve(store: &Store, q: &JudgedQuery) -> Result<Vec<Article>, String> {
    q.answers
        .iter()
        .map(|a| {
            let law = store
                .law_by_name(&a.law)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{}: no law {:?}", q.q, a.law))?;
            let blocks = store.blocks(law.doc).map_err(|e| e.to_string())?;
            if !blocks.iter().any(|b| b.kind == BlockKind::Article && b.label == a.article) {
                return Err(format!("{}: {} has no {}", q.q, a.law, a.article));
            }
            Ok((law.doc, a.article.clone()))
        })
        .collect()
}

/// The articles of the top hits, title hits skipped.
pub fn ranked_articles(store: &Store, r: &SearchResults) -> Vec<Article> {
    let _ = store;
    r.hits.iter().filter(|h| !h.label.is_empty()).map(|h| (h.doc, h.label.clone())).collect()
}

/// (recall@10, reciprocal rank of the first answer within the top 10).
pub fn score(answers: &[Article], ranked: &[Article]) -> (f64, f64) {
    let top = &ranked[..ranked.len().min(DEPTH)];
    let found = answers.iter().filter(|a| top.contains(a)).count();
    let rr = top.iter().position(|r| answers.contains(r)).map_or(0.0, |i| 1.0 / (i + 1) as f64);
    (found as f64 / answers.len() as f64, rr)
}

/// Mean recall@10 and MRR per kind for one way of searching.
pub fn evaluate(
    store: &Store,
    set: &JudgedSet,
    search: impl Fn(&str) -> SearchResults,
) -> Vec<(&'static str, usize, f64, f64)> {
    KINDS
        .iter()
        .map(|kind| {
            let qs: Vec<&JudgedQuery> = set.query.iter().filter(|q| q.kind == *kind).collect();
            let (mut recall, mut mrr) = (0.0, 0.0);
            for q in &qs {
                let answers = resolve(store, q).unwrap();
                let (r, rr) = score(&answers, &ranked_articles(store, &search(&q.q)));
                recall += r;
                mrr += rr;
            }
            let n = qs.len().max(1) as f64;
            (*kind, qs.len(), recall / n, mrr / n)
        })
        .collect()
}

/// One line per query that misses an answer: what was understood, where each answer ranked
/// (`-` when not in the hits) and the top five hits. For tuning by hand (`JUDGED_MISSES=1`).
pub fn misses(
    store: &Store,
    set: &JudgedSet,
    search: impl Fn(&str) -> SearchResults,
) -> Vec<String> {
    let mut lines = Vec::new();
    for q in &set.query {
        let answers = resolve(store, q).unwrap();
        let results = search(&q.q);
        let ranked = ranked_articles(store, &results);
        if score(&answers, &ranked).0 == 1.0 {
            continue;
        }
        let at: Vec<String> = answers
            .iter()
            .zip(&q.answers)
            .map(|(a, j)| {
                let pos = ranked.iter().position(|x| x == a);
                format!(
                    "{}{}@{}",
                    j.law,
                    j.article,
                    pos.map_or("-".into(), |p| (p + 1).to_string())
                )
            })
            .collect();
        let top: Vec<String> =
            results.hits.iter().take(5).map(|h| format!("{}{}", h.short_name, h.label)).collect();
        lines.push(format!(
            "miss [{}] {}  terms {:?} also {:?} dropped {:?}: {}  | top: {}",
            q.kind,
            q.q,
            results.terms,
            results.also,
            results.dropped,
            at.join(" "),
            top.join(" ")
        ));
    }
    lines
}

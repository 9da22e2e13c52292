//! Search as a resident expects it.
//!
//! Results come in tiers, each tier ranked by group and then by bm25:
//! 1. laws whose **title** holds every term (a resident typing 劳动合同 wants 劳动合同法 itself);
//! 2. articles holding every term as an **exact phrase**;
//! 3. articles holding every character of the terms, **scattered** (工资拖欠 still finds
//!    拖欠劳动者工资), only when the first tiers found fewer than [`SCATTER_BELOW`] hits.
//!
//! Groups (see [`super::ranking::group_of`]) put texts in force first, core laws and statutes
//! first among them, and amended and repealed texts last. Article rowids are allocated per group, so a group is a
//! rowid range and each query stops as soon as the page is full.
//!
//! A term made only of ASCII letters is read as pinyin (`lihun`, `mfd`) and replaced by the best
//! word the corpus offers for it (see [`super::lexicon`]).

use std::collections::HashSet;

use anyhow::Result;
use rusqlite::{params, Connection};

use super::law::Status;
use super::lexicon;
use super::ranking::{group_range, GROUP_COUNT};
use super::synonyms;
use super::tokenize::{term_query_with, TermQuery};

/// Which tier a hit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Title,
    Phrase,
    Scattered,
}

/// A piece of article text around the first match: `before` + **`matched`** + `after`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub before: String,
    pub matched: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    pub doc: i64,
    pub law_title: String,
    pub short_name: String,
    pub status: Status,
    pub core: bool,
    /// The block to open the reader at (0 for a title hit: the law's start).
    pub seq: i64,
    /// 第X条 of an article hit; empty for title hits and unnumbered paragraphs.
    pub label: String,
    pub snippet: Snippet,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResults {
    /// The terms actually searched (pinyin replaced by words), as typed into the index.
    pub terms: Vec<String>,
    pub hits: Vec<Hit>,
}

/// Characters of context kept before and after a match in a snippet.
const SNIPPET_BEFORE: usize = 8;
const SNIPPET_AFTER: usize = 40;
/// Title hits shown at most, so article hits stay on the first page.
const MAX_TITLE_HITS: usize = 5;
/// Scattered-character hits are a fallback for queries that found little: below this many
/// title and phrase hits. Above it they would only push noise under good results.
const SCATTER_BELOW: usize = 10;

/// Splits typed text into terms at spaces, ASCII or ideographic.
pub(crate) fn split_query(query: &str) -> Vec<&str> {
    query.split(|c: char| c.is_whitespace() || c == '\u{3000}').filter(|t| !t.is_empty()).collect()
}

/// Reads all-letter terms as pinyin (the lexicon's best word), others as they are.
fn resolve_terms(conn: &Connection, raw_terms: &[&str]) -> Result<Vec<String>> {
    let mut terms = Vec::new();
    for raw in raw_terms {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if t.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'') {
            if let Some(word) = lexicon::candidates(conn, t, 1)?.into_iter().next() {
                terms.push(word);
                continue;
            }
        }
        terms.push(t.to_owned());
    }
    Ok(terms)
}

pub(crate) fn search(conn: &Connection, raw_terms: &[&str], limit: usize) -> Result<SearchResults> {
    let terms = resolve_terms(conn, raw_terms)?;
    let queries: Vec<TermQuery> =
        terms.iter().filter_map(|t| term_query_with(t, synonyms::alternatives(t))).collect();
    let mut results = SearchResults { terms, hits: Vec::new() };
    if queries.is_empty() || limit == 0 {
        return Ok(results);
    }
    title_hits(conn, &queries, limit.min(MAX_TITLE_HITS), &mut results.hits)?;

    let bi = join_exprs(queries.iter().filter_map(|q| q.bigram_expr.as_deref()));
    let uni = join_exprs(queries.iter().filter_map(|q| q.unigram_expr.as_deref()));
    let mut seen = HashSet::new();
    let phrase =
        ranked_rowids(conn, bi.as_deref(), uni.as_deref(), limit - results.hits.len(), &seen)?;
    seen.extend(phrase.iter().copied());
    let mut scattered = Vec::new();
    let room = limit - results.hits.len() - phrase.len();
    let needs_scatter = queries.iter().any(|q| q.bigram_expr.is_some());
    if room > 0 && needs_scatter && results.hits.len() + phrase.len() < SCATTER_BELOW {
        let mut chars: Vec<char> = queries.iter().flat_map(|q| q.chars.iter().copied()).collect();
        chars.sort_unstable();
        chars.dedup();
        if chars.len() > 1 {
            let expr = join_exprs(
                chars
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
            );
            scattered = ranked_rowids(conn, None, expr.as_deref(), room, &seen)?;
        }
    }
    let kinds = phrase
        .iter()
        .map(|r| (*r, HitKind::Phrase))
        .chain(scattered.iter().map(|r| (*r, HitKind::Scattered)));
    results.hits.extend(article_hits(conn, kinds.collect(), &queries)?);
    Ok(results)
}

fn join_exprs<'a>(exprs: impl Iterator<Item = &'a str>) -> Option<String> {
    let parts: Vec<&str> = exprs.collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Laws whose title holds every term: core first, in force first, shortest title first.
fn title_hits(
    conn: &Connection,
    queries: &[TermQuery],
    limit: usize,
    out: &mut Vec<Hit>,
) -> Result<()> {
    let expr = queries
        .iter()
        .map(|q| match (&q.bigram_expr, &q.unigram_expr) {
            (Some(b), Some(u)) => format!("(bi : ({b}) AND uni : ({u}))"),
            (Some(b), None) => format!("bi : ({b})"),
            (None, Some(u)) => format!("uni : ({u})"),
            (None, None) => unreachable!("a term query has at least one expression"),
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut st = conn.prepare_cached(
        "SELECT l.doc, l.title, l.short_name, l.status, l.core FROM title_fts f JOIN laws l ON l.doc = f.rowid
         WHERE title_fts MATCH ?1
         ORDER BY CASE l.status WHEN '有效' THEN 0 WHEN '已修改' THEN 1 ELSE 2 END, l.core DESC, length(l.title)
         LIMIT ?2",
    )?;
    let rows = st.query_map(params![expr, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Status>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (doc, title, short_name, status, core) = row?;
        let snippet = snippet(&title, queries);
        out.push(Hit {
            kind: HitKind::Title,
            doc,
            law_title: title,
            short_name,
            status,
            core: core != 0,
            seq: 0,
            label: String::new(),
            snippet,
        });
    }
    Ok(())
}

/// Article rowids matching the bigram and/or unigram expressions, group by group, bm25 within a
/// group, skipping `seen`; at most `limit`.
fn ranked_rowids(
    conn: &Connection,
    bi: Option<&str>,
    uni: Option<&str>,
    limit: usize,
    seen: &HashSet<i64>,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let sql = match (bi, uni) {
        (Some(_), None) => {
            "SELECT rowid FROM article_bi WHERE article_bi MATCH ?1 AND rowid >= ?3 AND rowid < ?4 ORDER BY rank LIMIT ?5"
        }
        (None, Some(_)) => {
            "SELECT rowid FROM article_uni WHERE article_uni MATCH ?2 AND rowid >= ?3 AND rowid < ?4 ORDER BY rank LIMIT ?5"
        }
        (Some(_), Some(_)) => {
            "SELECT rowid FROM article_bi WHERE article_bi MATCH ?1 AND rowid >= ?3 AND rowid < ?4
               AND rowid IN (SELECT rowid FROM article_uni WHERE article_uni MATCH ?2 AND rowid >= ?3 AND rowid < ?4)
             ORDER BY rank LIMIT ?5"
        }
        (None, None) => return Ok(out),
    };
    let mut st = conn.prepare_cached(sql)?;
    for group in 0..GROUP_COUNT {
        let (lo, hi) = group_range(group);
        let want = (limit - out.len() + seen.len()) as i64;
        let rows = st
            .query_map(params![bi.unwrap_or(""), uni.unwrap_or(""), lo, hi, want], |r| {
                r.get::<_, i64>(0)
            })?;
        for rowid in rows {
            let rowid = rowid?;
            if !seen.contains(&rowid) {
                out.push(rowid);
                if out.len() == limit {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}

/// The hits for article rowids, in the given order, fetched in one query.
fn article_hits(
    conn: &Connection,
    rowids: Vec<(i64, HitKind)>,
    queries: &[TermQuery],
) -> Result<Vec<Hit>> {
    if rowids.is_empty() {
        return Ok(Vec::new());
    }
    // Rowids are integers from the index itself, so listing them inline is safe.
    let list = rowids.iter().map(|(r, _)| r.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT b.fts, b.doc, b.seq, b.label, b.text, l.title, l.short_name, l.status, l.core
         FROM blocks b JOIN laws l ON l.doc = b.doc WHERE b.fts IN ({list})"
    );
    let mut st = conn.prepare(&sql)?;
    let mut found: std::collections::HashMap<i64, Hit> = std::collections::HashMap::new();
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let text: String = r.get(4)?;
        found.insert(
            r.get(0)?,
            Hit {
                kind: HitKind::Phrase,
                doc: r.get(1)?,
                seq: r.get(2)?,
                label: r.get(3)?,
                law_title: r.get(5)?,
                short_name: r.get(6)?,
                status: r.get(7)?,
                core: r.get::<_, i64>(8)? != 0,
                snippet: snippet(&text, queries),
            },
        );
    }
    Ok(rowids
        .into_iter()
        .filter_map(|(rowid, kind)| found.remove(&rowid).map(|h| Hit { kind, ..h }))
        .collect())
}

/// Cuts the text around the first place a term matches (or, failing that, a term's character).
pub fn snippet(text: &str, queries: &[TermQuery]) -> Snippet {
    let chars: Vec<char> = text.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    let find = |needle: &[char]| -> Option<usize> {
        if needle.is_empty() || needle.len() > chars.len() {
            return None;
        }
        (0..=chars.len() - needle.len()).find(|&i| chars[i..i + needle.len()] == *needle)
    };
    let mut found = queries.iter().flat_map(|q| q.texts.iter()).find_map(|t| {
        let needle: Vec<char> = t.chars().collect();
        find(&needle).map(|at| (at, needle.len()))
    });
    if found.is_none() {
        found =
            queries.iter().flat_map(|q| q.chars.iter()).find_map(|c| find(&[*c]).map(|at| (at, 1)));
    }
    let (at, len) = found.unwrap_or((0, 0));
    let start = at.saturating_sub(SNIPPET_BEFORE);
    let end = (at + len + SNIPPET_AFTER).min(chars.len());
    let mut before: String = chars[start..at].iter().collect();
    if start > 0 {
        before.insert(0, '…');
    }
    let mut after: String = chars[at + len..end].iter().collect();
    if end < chars.len() {
        after.push('…');
    }
    Snippet { before, matched: chars[at..at + len].iter().collect(), after }
}

//! Search as a resident expects it.
//!
//! The query arrives understood (see [`super::query`]): terms with their statutory
//! alternatives, question words dropped, articles an everyday name means. Results come in tiers,
//! each tier ranked by group and then by relevance (bm25, see [`ranked_rowids`]):
//! 0. articles the query **named** through the everyday lexicon (霸王条款 → 民法典 第四百九十六条);
//!    in a query of several terms, only those that also hold another of its words (the rest
//!    are weighed in tier 3);
//! 1. laws whose **title** holds every term (a resident typing 劳动合同 wants 劳动合同法 itself):
//!    the hall's core laws and names the terms mostly spell; a long title that only mentions the
//!    terms (诉讼时效 → 最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定) is placed after
//!    the first [`TITLE_MENTIONS_AFTER`] hits, below the articles that answer;
//!
//! then, in the hall's core laws first and in the wider corpus after them:
//! 2. articles holding **every term** (each as an exact phrase or one of its alternatives):
//!    first a named topic's key articles (家暴 → 我遇到了：家庭暴力), then articles holding the
//!    terms side by side as typed (保证责任 cut into 保证 and 责任), then the rest;
//! 3. when that finds little, the **best of**: articles holding some of the terms, those holding
//!    the most telling terms first (each term weighs its inverse document frequency; a law named
//!    for a term holds it in every article), the topic's other key articles weighed among them —
//!    a question never ends on an empty page because one of its words is not in the law;
//!
//! and last:
//! 4. for a single term, articles holding its words **scattered** (工资拖欠 still finds
//!    拖欠劳动者工资), only when the first tiers found fewer than [`SCATTER_BELOW`] hits.
//!
//! Within a tier, relevance is bm25's term frequency and length, plus what marks an article as
//! the one that deals with the terms: the first of a law's articles to use them, a chapter
//! titled with them, and in a query of statute words a reference from the hall's own content.
//!
//! Groups (see [`super::ranking::group_of`]) put texts in force first, core laws and statutes
//! first among them, and amended and repealed texts last. Article rowids are allocated per
//! group, so a group is a rowid range and each query stops as soon as the page is full.
//!
use std::collections::{HashMap, HashSet};

use anyhow::Result;
use rusqlite::{params, Connection};

use super::law::{Status, STATUS_ORDER_SQL};
use super::query::{segment, Understood};
use super::ranking::{doc_of, group_range, GROUP_COUNT, GROUP_SHIFT};
use super::store::{article_block, DOC_RANGE};
use super::tokenize::{term_query_with, TermQuery};
use super::vocab::Vocab;

/// Which tier a hit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Named,
    Title,
    Phrase,
    /// A law whose long title mentions the terms, shown after the first articles
    /// (see [`TITLE_MENTIONS_AFTER`]).
    TitleMention,
    /// Holds some of the terms, or a situation or everyday name the query holds vouches for it.
    BestOf,
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
    /// How many of the query's terms the text holds.
    pub matched_terms: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResults {
    /// The terms actually searched (pinyin replaced by words), as understood.
    pub terms: Vec<String>,
    /// Statutory words searched as alternatives of the terms (工资 → 劳动报酬).
    pub also: Vec<String>,
    /// Words of the query that were not searched (怎么办, 吗).
    pub dropped: Vec<String>,
    /// Life-situation topics the query names, to show above the hits.
    pub topics: Vec<String>,
    /// 办事指南 whose name the query spells, to show above the hits.
    pub guides: Vec<String>,
    pub hits: Vec<Hit>,
}

impl Hit {
    /// A law found by its title (no article): opens the reader at the law's start.
    pub fn is_title(&self) -> bool {
        matches!(self.kind, HitKind::Title | HitKind::TitleMention)
    }
}

/// Characters of context kept before and after a match in a snippet.
const SNIPPET_BEFORE: usize = 8;
const SNIPPET_AFTER: usize = 40;
/// Title hits shown at most, so article hits stay on the first page.
const MAX_TITLE_HITS: usize = 5;
/// Scattered-character hits are a fallback for queries that found little: below this many
/// title and phrase hits. Above it they would only push noise under good results.
const SCATTER_BELOW: usize = 10;
/// Below this many hits holding every term, the best-of tier adds articles holding some.
const BEST_OF_BELOW: usize = 10;
/// Articles the best-of tier ranks by relevance, the best scored by the terms they hold.
const BEST_OF_POOL: usize = 60;
/// Rowids the best-of tier reads per term and range; a term more common than this counts as
/// this common (its weight is near zero either way).
const BEST_OF_ROWS_PER_TERM: usize = 3000;
/// Articles in the hall's core laws and in the rest of the national corpus (measured on the
/// shipped content and the 1,564-document corpus: 5,688 and ~59,500), for the terms' inverse
/// document frequency; only the ratio to a term's count matters, so a deployment's own corpus
/// does not need its exact figure.
const CORE_ARTICLES: f64 = 5_700.0;
const WIDER_ARTICLES: f64 = 59_500.0;
/// A range matching at most this many articles is ranked by [`relevance`] over their text
/// (fetching 300 articles costs ~0.4 ms); more, by FTS5's bm25.
const SCORE_HERE_BELOW: usize = 300;
/// A law that uses the terms in at least this many of the matched articles has an article that
/// introduces them: its first.
const INTRODUCED_FROM_USES: usize = 3;
/// What introducing the terms adds to an article's relevance (one term fully matched adds up to
/// 2.2). Chosen on both judged sets: 0.6 and 1.0 lift keyword MRR alike (0.793 → 0.832), 1.0
/// more on the held-out keywords (0.867 → 1.0); without the minimum of uses every law's first
/// article rose and pushed answers off the first ten.
const INTRODUCES_BONUS: f64 = 1.0;
/// What an article under a chapter or section titled with a term adds to its relevance
/// (诉讼时效 → 民法典 第九章 诉讼时效, 人身安全保护令 → 反家庭暴力法 第四章): the chapter is where
/// the law deals with it, while articles elsewhere only mention it.
const HEADED_BONUS: f64 = 1.0;
/// What an article of a law that governs the situation (one its key articles come from) adds
/// in the best-of tier, as a share of the query's most telling term. Chosen on the main set and
/// held-out sets 1–4 (0.25, 0.5, 1.0; 0.5 lifts held-out question recall by up to 0.07 and leaves
/// the main set's as it was); blind sets 5–7 moved by −0.02 to +0.07.
const GOVERNING_LAW_SHARE: f64 = 0.5;
/// What an article the hall's content names once (a topic's key article, an everyday name's
/// article, a 办事指南's basis; more often, see [`CITED_GROWTH`]) adds to its relevance in a
/// query of statute words: 试用期 is printed in dozens of
/// articles, and one the lexicon names for 转正 and 试工 (劳动合同法 第二十条, the wage during
/// probation) should not rank eleventh. Chosen on the main judged set (1.0 and 2.0 lift keyword
/// recall 0.939 → 0.953 and 0.967; 3.0 gains nothing more and costs held-out set 1's keyword MRR);
/// the held-out sets' keywords do not move.
const CITED_BONUS: f64 = 2.0;
/// How much more an article counts for each further lexicon entry, topic or 办事指南 that names
/// it, on a log scale: the hall's content names 劳动合同法 第三十八条 (quitting over unpaid pay)
/// three times and 第六十三条 once, and 劳动报酬 should find the former among the 57 core
/// articles that print the word. Chosen on the main judged set: 0 → keywords 0.986 / 0.934,
/// 0.5 → 0.993 / 0.955, 1.0 → 0.993 / 0.941; at 0.5 only held-out set 1's keyword MRR moved
/// (1.000 → 0.967: 值班律师 puts 法律援助法 第二十二条, named by several entries, first).
const CITED_GROWTH: f64 = 0.5;

/// What an article the hall's content names `n` times adds (see [`CITED_BONUS`]).
fn cited_bonus(n: u32) -> f64 {
    CITED_BONUS * (1.0 + CITED_GROWTH * f64::from(n.max(1)).ln())
}

/// Mean length of an article in the national corpus, in characters (measured: 117).
const AVG_ARTICLE_CHARS: f64 = 117.0;
/// A law whose title holds the terms leads only when the terms are most of its name (劳动合同
/// → 劳动合同法) or it is one of the hall's core laws; a long title that mentions them (诉讼时效
/// → 最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定) is shown after this many hits,
/// below the articles that answer the query, still on the first page.
const TITLE_MENTIONS_AFTER: usize = 10;
/// From this many terms a query is a question with a context, and an article an everyday name
/// means leads only if it also holds another of the terms.
const NAMED_ASIDE_FROM_TERMS: usize = 2;
/// Share of a law's name the typed terms must cover for its title hit to lead.
const TITLE_LEADS_FROM: f64 = 0.6;

/// Splits typed text into terms at spaces, ASCII or ideographic.
pub(crate) fn split_query(query: &str) -> Vec<&str> {
    query.split(|c: char| c.is_whitespace() || c == '\u{3000}').filter(|t| !t.is_empty()).collect()
}

/// `vocab` holds the rowid of each article the hall's content names, (law doc, article number)
/// → rowid, as recorded at install (one missing is looked up); an empty vocabulary searches the
/// words literally.
pub(crate) fn search(
    conn: &Connection,
    understood: Understood,
    vocab: &Vocab,
    limit: usize,
) -> Result<SearchResults> {
    let rowids = vocab.rowids();
    // A query of statute words only (no term the lexicon maps to others) leans on the hall's
    // own references to order the many articles that hold them literally; an everyday word
    // already leads with the articles the lexicon names for it, and would count them twice.
    let statute_words = understood.terms.iter().all(|t| t.alternatives.is_empty());
    let empty = HashMap::new();
    let cited = if statute_words { vocab.cited() } else { &empty };
    let queries: Vec<TermQuery> = understood
        .terms
        .iter()
        .filter_map(|t| {
            let alts: Vec<&str> = t.alternatives.iter().map(String::as_str).collect();
            term_query_with(&t.text, &alts)
        })
        .collect();
    let weigh = Weighing { queries: &queries, cited };
    let mut results = SearchResults {
        terms: understood.terms.iter().map(|t| t.text.clone()).collect(),
        also: understood.terms.iter().flat_map(|t| t.alternatives.iter().cloned()).collect(),
        dropped: understood.dropped,
        topics: understood.topics,
        guides: understood.guides,
        hits: Vec::new(),
    };
    if limit == 0 {
        return Ok(results);
    }
    let mut seen = HashSet::new();
    let mut named = named_rowids(conn, &understood.articles, rowids, limit)?;
    // What an everyday name usually means leads when it is the query, or when the article also
    // holds another of the query's words; otherwise (交社保 in 公司不给交社保，我辞职能拿补偿吗
    // names 社会保险法's articles on paying in, not on quitting) it is weighed with the best of.
    let mut named_aside = Vec::new();
    if queries.len() >= NAMED_ASIDE_FROM_TERMS {
        let texts = texts_of(conn, &named)?;
        let leads = |r: &i64| texts.get(r).is_some_and(|t| matched_terms(t, &queries) >= 2);
        (named, named_aside) = named.into_iter().partition(leads);
    }
    seen.extend(named.iter().copied());
    if queries.is_empty() {
        let kinds = named.iter().map(|r| (*r, HitKind::Named)).collect();
        results.hits = article_hits(conn, kinds, &queries)?;
        return Ok(results);
    }
    let mut title = Vec::new();
    title_hits(conn, &queries, (limit - named.len()).min(MAX_TITLE_HITS), &mut title)?;
    let (title, mut mentions): (Vec<Hit>, Vec<Hit>) =
        title.into_iter().partition(|h| title_leads(h, &results.terms));
    for hit in &mut mentions {
        hit.kind = HitKind::TitleMention;
    }

    // Title mentions keep their places on the page: the article tiers fill the rest, so no hit
    // is built only to be cut off below them.
    let mut room = limit - named.len() - title.len() - mentions.len();
    // A life situation's key articles that hold every term lead: they were chosen for it.
    let mut topic = named_rowids(conn, &understood.topic_articles, rowids, usize::MAX)?;
    topic.retain(|r| !seen.contains(r));
    // Only the count of terms held is needed here: the texts, not whole hits with snippets.
    let texts = texts_of(conn, &topic)?;
    let holds_all =
        |r: &i64| texts.get(r).is_some_and(|t| matched_terms(t, &queries) == queries.len());
    let (mut topic_all, mut topic_some): (Vec<i64>, Vec<i64>) =
        topic.into_iter().partition(holds_all);
    // Articles the query's words vouch for that did not lead: weighed in the best-of tier.
    named_aside.retain(|r| !topic_all.contains(r) && !topic_some.contains(r));
    topic_some.splice(0..0, named_aside.iter().copied());
    // A situation told in pieces (老公 … 打): its key articles compete with the best of.
    let mut told = named_rowids(conn, &understood.told_articles, rowids, usize::MAX)?;
    told.retain(|r| !seen.contains(r) && !topic_all.contains(r) && !topic_some.contains(r));
    topic_some.extend(told);
    topic_all.truncate(room);
    seen.extend(topic_all.iter().copied());
    room -= topic_all.len();

    // The hall's core laws answer first, the wider corpus after them: an article of a core law
    // holding the query's most telling terms (仲裁法 第五条 for 合同里写了仲裁还能起诉吗) serves a
    // resident better than a regulation elsewhere that happens to hold every word.
    let bi = join_exprs(queries.iter().filter_map(|q| q.bigram_expr.as_deref()), " AND ");
    let uni = join_exprs(queries.iter().filter_map(|q| q.unigram_expr.as_deref()), " AND ");
    let core = [(group_range(0).0, group_range(1).1)];
    let wider = [(group_range(2).0, group_range(GROUP_COUNT - 1).1)];
    let mut tiers = Vec::new();
    // Hits holding every term (or named for the query): few of them call for the best-of tier.
    let mut found = named.len() + title.len() + topic_all.len();
    for ranges in [&core[..], &wider[..]] {
        // The terms as typed, side by side (保证责任), before the terms anywhere in an article.
        for run in &understood.runs {
            if let Some(whole) = term_query_with(run, &[]).and_then(|q| q.bigram_expr) {
                // The run and every term: a run of two words in a three-word query is not enough.
                let both = match &bi {
                    Some(all) => format!("({whole}) AND ({all})"),
                    None => whole,
                };
                let rows =
                    ranked_rowids(conn, Some(&both), uni.as_deref(), ranges, room, &seen, &weigh)?;
                found += rows.len();
                take(&mut tiers, rows, HitKind::Phrase, &mut seen, &mut room);
            }
        }
        let rows = ranked_rowids(conn, bi.as_deref(), uni.as_deref(), ranges, room, &seen, &weigh)?;
        found += rows.len();
        take(&mut tiers, rows, HitKind::Phrase, &mut seen, &mut room);
        // When that finds little: articles holding some of the terms, with the situation's
        // other key articles weighed among them.
        if room > 0 && found < BEST_OF_BELOW {
            let (lo, hi) = (ranges[0].0, ranges[ranges.len() - 1].1);
            let articles = if ranges == &core[..] { CORE_ARTICLES } else { WIDER_ARTICLES };
            let topic: Vec<i64> =
                topic_some.iter().copied().filter(|r| (lo..hi).contains(r)).collect();
            let scope = BestOfScope { lo, hi, articles, topic: &topic };
            let rows = best_of_rowids(conn, &queries, &scope, room, &seen)?;
            take(&mut tiers, rows, HitKind::BestOf, &mut seen, &mut room);
        }
    }
    // Named articles the best-of tier did not run for still close the article tiers.
    named_aside.retain(|r| !seen.contains(r));
    named_aside.truncate(room);
    take(&mut tiers, named_aside, HitKind::BestOf, &mut seen, &mut room);
    // One term the index has too few of (工资拖欠): its words anywhere in the article
    // (拖欠劳动者工资). Words, not characters: a query of every character of 敏感个人信息 ranks
    // thousands of articles and finds noise.
    let mut scattered = Vec::new();
    if room > 0 && queries.len() == 1 && found < SCATTER_BELOW {
        let words: Vec<String> = segment::words(&understood.terms[0].text)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .filter_map(|w| term_query_with(w, &[]).and_then(|q| q.bigram_expr))
            .collect();
        if words.len() >= 2 {
            let expr = join_exprs(words.iter().map(String::as_str), " AND ");
            let everywhere = [group_range(0), (group_range(1).0, group_range(GROUP_COUNT - 1).1)];
            scattered =
                ranked_rowids(conn, expr.as_deref(), None, &everywhere, room, &seen, &weigh)?;
        }
    }
    let kinds =
        |rows: &[i64], kind: HitKind| rows.iter().map(move |r| (*r, kind)).collect::<Vec<_>>();
    results.hits = article_hits(conn, kinds(&named, HitKind::Named), &queries)?;
    results.hits.extend(title);
    // Key articles holding every term are phrase hits that a situation vouches for.
    let mut rest = kinds(&topic_all, HitKind::Phrase);
    rest.extend(tiers);
    rest.extend(kinds(&scattered, HitKind::Scattered));
    results.hits.extend(article_hits(conn, rest, &queries)?);
    let at = TITLE_MENTIONS_AFTER.min(results.hits.len());
    results.hits.splice(at..at, mentions);
    Ok(results)
}

/// Whether a title hit leads the results: a core law, or a name the typed terms mostly spell.
fn title_leads(hit: &Hit, terms: &[String]) -> bool {
    let name = if hit.short_name.is_empty() { &hit.law_title } else { &hit.short_name };
    let typed: usize = terms.iter().map(|t| t.chars().count()).sum();
    hit.core || typed as f64 >= TITLE_LEADS_FROM * name.chars().count() as f64
}

/// Article rowids of (law doc, article number) pairs, in the given order: as the vocabulary
/// recorded them, else found in the law's rows.
fn named_rowids(
    conn: &Connection,
    articles: &[(i64, i64)],
    known: &HashMap<(i64, i64), i64>,
    limit: usize,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for (doc, number) in articles.iter().take(limit) {
        let rowid = match known.get(&(*doc, *number)) {
            Some(r) => Some(*r),
            None => article_block(conn, *doc, *number)?.map(|(id, _)| id),
        };
        out.extend(rowid);
    }
    Ok(out)
}

/// Moves a tier's rowids onto the page: marks them seen and spends room.
fn take(
    tiers: &mut Vec<(i64, HitKind)>,
    rows: Vec<i64>,
    kind: HitKind,
    seen: &mut HashSet<i64>,
    room: &mut usize,
) {
    seen.extend(rows.iter().copied());
    *room -= rows.len();
    tiers.extend(rows.into_iter().map(|r| (r, kind)));
}

/// Where the best-of tier looks: a rowid range, how many articles it holds (for the terms'
/// inverse document frequency), and the life situation's key articles in it.
struct BestOfScope<'a> {
    lo: i64,
    hi: i64,
    articles: f64,
    topic: &'a [i64],
}

/// Articles holding some of the terms, the most telling first: each article scores the inverse
/// document frequency of the terms it holds (as bm25 weighs them), so 派出所 and 拘留 count for
/// more than 申请, and ties go to relevance. Every article holding a term is read as a rowid
/// only: no ranking in FTS5, whose bm25 over an OR of common words cost 5–15 ms.
///
/// A named situation's key articles compete here rather than ahead of the tier: each counts as
/// holding the query's most telling term besides the terms it holds, so a key article that
/// holds nothing typed (社会保险法 第二条 for 交社保) yields to one holding the rarer words
/// (劳动合同法 第三十八条 holding 社会保险费 and 用人单位).
fn best_of_rowids(
    conn: &Connection,
    queries: &[TermQuery],
    scope: &BestOfScope,
    limit: usize,
    seen: &HashSet<i64>,
) -> Result<Vec<i64>> {
    let mut bi = conn.prepare_cached(
        "SELECT rowid FROM article_bi WHERE article_bi MATCH ?1 AND rowid >= ?2 AND rowid < ?3 LIMIT ?4",
    )?;
    let mut uni = conn.prepare_cached(
        "SELECT rowid FROM article_uni WHERE article_uni MATCH ?1 AND rowid >= ?2 AND rowid < ?3 LIMIT ?4",
    )?;
    let mut titled = conn.prepare_cached("SELECT rowid FROM title_fts WHERE title_fts MATCH ?1")?;
    // Per article: the terms it holds, in its text or in its law's title, as a bit set.
    let mut held: std::collections::HashMap<i64, u64> = Default::default();
    let mut weights = Vec::new();
    let mut in_title = Vec::new();
    // One term's articles are the every-term tier's: nothing more to weigh.
    for (i, q) in queries.iter().enumerate().filter(|_| queries.len() > 1).take(64) {
        let (st, expr, field) = match (&q.bigram_expr, &q.unigram_expr) {
            (Some(e), _) => (&mut bi, e, "bi"),
            (None, Some(e)) => (&mut uni, e, "uni"),
            (None, None) => continue,
        };
        let rows: Vec<i64> = st
            .query_map(params![expr, scope.lo, scope.hi, BEST_OF_ROWS_PER_TERM as i64], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?;
        if rows.is_empty() {
            continue;
        }
        weights.push((i, (1.0 + scope.articles / rows.len() as f64).ln()));
        for r in rows.into_iter().filter(|r| !seen.contains(r)) {
            *held.entry(r).or_default() |= 1 << i;
        }
        let docs: HashSet<i64> = titled
            .query_map(params![format!("{field} : ({expr})")], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        in_title.push((i, docs));
    }
    // A law named for a term holds it in every article: in 律师法 each article is about
    // lawyers whether or not it repeats 律师, so a question about a lawyer and a complaint
    // meets 律师法's article on complaints before another law's.
    for (r, bits) in held.iter_mut() {
        for (i, docs) in &in_title {
            if docs.contains(&doc_of(*r)) {
                *bits |= 1 << i;
            }
        }
    }
    let weight = |bits: u64| -> f64 {
        weights.iter().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, w)| w).sum()
    };
    let mut score: std::collections::HashMap<i64, f64> =
        held.iter().map(|(r, bits)| (*r, weight(*bits))).collect();
    // Measured on the judged sets: the least telling term instead loses 0.03 of question recall.
    let most_telling = weights.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    for r in scope.topic.iter().filter(|r| !seen.contains(r)) {
        *score.entry(*r).or_default() += most_telling;
    }
    // The laws the situation's key articles come from govern it: their other articles answer
    // it more often than another law's article that holds the same words.
    let governing: HashSet<i64> = scope.topic.iter().map(|r| doc_of(*r)).collect();
    for (r, s) in score.iter_mut() {
        if governing.contains(&doc_of(*r)) {
            *s += GOVERNING_LAW_SHARE * most_telling;
        }
    }
    let mut pool: Vec<(f64, i64)> = score.into_iter().map(|(r, s)| (s, r)).collect();
    pool.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    pool.truncate(BEST_OF_POOL);
    let texts = texts_of(conn, &pool.iter().map(|(_, r)| *r).collect::<Vec<_>>())?;
    let mut ranked: Vec<(f64, f64, i64)> = pool
        .into_iter()
        .map(|(s, r)| (s, texts.get(&r).map_or(0.0, |t| relevance(t, queries)), r))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    Ok(ranked.into_iter().map(|(_, _, r)| r).take(limit).collect())
}

/// The text of each article rowid.
fn texts_of(conn: &Connection, rowids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    if rowids.is_empty() {
        return Ok(Default::default());
    }
    // Rowids are integers from the index itself, so listing them inline is safe.
    let list = rowids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut st = conn.prepare(&format!("SELECT id, text FROM blocks WHERE id IN ({list})"))?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn join_exprs<'a>(exprs: impl Iterator<Item = &'a str>, op: &str) -> Option<String> {
    let parts: Vec<&str> = exprs.collect();
    match parts.len() {
        0 => None,
        1 => Some(parts[0].to_owned()),
        _ => Some(parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(op)),
    }
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
    let mut st = conn.prepare_cached(&format!(
        "SELECT l.doc, l.title, l.short_name, l.status, l.core FROM title_fts f JOIN laws l ON l.doc = f.rowid
         WHERE title_fts MATCH ?1
         ORDER BY {STATUS_ORDER_SQL}, l.core DESC, length(l.title)
         LIMIT ?2",
    ))?;
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
            matched_terms: queries.len(),
        });
    }
    Ok(())
}

/// Article rowids matching the bigram and/or unigram expressions, range by range and group by
/// group within a range, best first within a group, skipping `seen`; at most `limit`.
///
/// Each range is one query, so callers pass few: the first group alone (it fills most pages,
/// and ranking stops there), then the next groups at once. A range that matches fewer than
/// [`SCORE_HERE_BELOW`] articles is ranked here by [`relevance`] over their text; a larger one
/// by FTS5's bm25, whose cost is then spread over many rows.
fn ranked_rowids(
    conn: &Connection,
    bi: Option<&str>,
    uni: Option<&str>,
    ranges: &[(i64, i64)],
    limit: usize,
    seen: &HashSet<i64>,
    weigh: &Weighing,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let (table, filter) = match (bi, uni) {
        (Some(_), None) => ("article_bi", "article_bi MATCH ?1"),
        (None, Some(_)) => ("article_uni", "article_uni MATCH ?2"),
        (Some(_), Some(_)) => (
            "article_bi",
            "article_bi MATCH ?1 AND rowid IN (SELECT rowid FROM article_uni
               WHERE article_uni MATCH ?2 AND rowid >= ?3 AND rowid < ?4)",
        ),
        (None, None) => return Ok(out),
    };
    let matching =
        format!("SELECT rowid FROM {table} WHERE {filter} AND rowid >= ?3 AND rowid < ?4");
    let mut unranked = conn.prepare_cached(&format!("{matching} LIMIT ?5"))?;
    let mut ranked =
        conn.prepare_cached(&format!("{matching} ORDER BY rowid >> {GROUP_SHIFT}, rank LIMIT ?5"))?;
    for &(lo, hi) in ranges {
        let (bi, uni) = (bi.unwrap_or(""), uni.unwrap_or(""));
        let mut rows: Vec<i64> = unranked
            .query_map(params![bi, uni, lo, hi, (SCORE_HERE_BELOW + 1) as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rows.retain(|r| !seen.contains(r));
        if rows.len() <= SCORE_HERE_BELOW {
            rows = by_relevance(conn, rows, weigh)?;
        } else {
            rows = ranked
                .query_map(
                    params![bi, uni, lo, hi, (limit - out.len() + seen.len()) as i64],
                    |r| r.get(0),
                )?
                .collect::<rusqlite::Result<_>>()?;
            rows.retain(|r| !seen.contains(r));
        }
        for rowid in rows {
            out.push(rowid);
            if out.len() == limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// What orders the articles a tier finds: the query's terms, and the articles the hall's content
/// names that count for more (empty unless the query is statute words, see [`CITED_BONUS`]).
struct Weighing<'a> {
    queries: &'a [TermQuery],
    cited: &'a HashMap<i64, u32>,
}

/// Rowids in group order, the most relevant first within a group. A law that uses the terms in
/// several articles introduces them in the first (人身安全保护令: 反家庭暴力法 第二十三条 says who
/// may apply, the later ones how it is made), and that article ranks as if it held the terms
/// about half a time more; so does an article under a chapter or section named with a term
/// (see [`headed_by_terms`]), and one the hall's content names (see [`CITED_BONUS`]).
fn by_relevance(conn: &Connection, rowids: Vec<i64>, weigh: &Weighing) -> Result<Vec<i64>> {
    let queries = weigh.queries;
    if rowids.len() < 2 {
        return Ok(rowids);
    }
    // Where each law first uses the terms, among laws that use them at least
    // [`INTRODUCED_FROM_USES`] times.
    let mut uses: std::collections::HashMap<i64, (i64, usize)> = Default::default();
    for r in &rowids {
        let e = uses.entry(doc_of(*r)).or_insert((*r, 0));
        e.0 = e.0.min(*r);
        e.1 += 1;
    }
    let introduces: HashSet<i64> =
        uses.into_values().filter(|(_, n)| *n >= INTRODUCED_FROM_USES).map(|(r, _)| r).collect();
    let laws: Vec<i64> = introduces.iter().map(|r| doc_of(*r)).collect();
    let headed = headed_by_terms(conn, &laws, &rowids, queries)?;
    let mut scored: Vec<(i64, f64, i64)> = texts_of(conn, &rowids)?
        .iter()
        .map(|(id, text)| {
            let mut bonus = if introduces.contains(id) { INTRODUCES_BONUS } else { 0.0 };
            if headed.contains(id) {
                bonus += HEADED_BONUS;
            }
            if let Some(n) = weigh.cited.get(id) {
                bonus += cited_bonus(*n);
            }
            (id >> GROUP_SHIFT, relevance(text, queries) + bonus, *id)
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    Ok(scored.into_iter().map(|(_, _, id)| id).collect())
}

/// Of `rowids`, the articles of `laws` (docs) that sit under a chapter or section whose
/// heading holds one of the query's words. Only laws that use the terms in several articles are
/// read: a chapter about a term is found where the term is used, and each law costs one scan of
/// its rows.
fn headed_by_terms(
    conn: &Connection,
    laws: &[i64],
    rowids: &[i64],
    queries: &[TermQuery],
) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    if laws.is_empty() {
        return Ok(out);
    }
    let words: Vec<&str> = queries
        .iter()
        .flat_map(|q| q.texts.iter())
        .map(String::as_str)
        .filter(|t| t.chars().count() >= 2)
        .collect();
    let mut st = conn.prepare_cached(&format!(
        "SELECT id, level, text FROM blocks WHERE {DOC_RANGE} AND kind = 0 ORDER BY id"
    ))?;
    for &doc in laws {
        let headings: Vec<(i64, i64, bool)> = st
            .query_map([doc], |r| {
                let text: String = r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, words.iter().any(|w| text.contains(w))))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if !headings.iter().any(|h| h.2) {
            continue;
        }
        let mut articles: Vec<i64> = rowids.iter().copied().filter(|r| doc_of(*r) == doc).collect();
        articles.sort_unstable();
        // Walk the law once: the headings enclosing a block are a stack by level.
        let mut stack: Vec<(i64, bool)> = Vec::new();
        let mut next = headings.iter().peekable();
        for r in articles {
            while let Some(&&(id, level, holds)) = next.peek() {
                if id > r {
                    break;
                }
                stack.retain(|(l, _)| *l < level);
                stack.push((level, holds));
                next.next();
            }
            if stack.iter().any(|(_, holds)| *holds) {
                out.insert(r);
            }
        }
    }
    Ok(out)
}

/// bm25's term-frequency and length parts, without its IDF: how often the text holds each term
/// (or an alternative), saturating, shorter articles first. IDF is what makes FTS5's bm25 slow
/// here: it counts every phrase over the whole index first, ~2–3 ms for a question whose terms
/// have long alternatives, before it ranks a handful of rows.
fn relevance(text: &str, queries: &[TermQuery]) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let len = text.chars().count() as f64;
    let norm = K1 * (1.0 - B + B * len / AVG_ARTICLE_CHARS);
    queries
        .iter()
        .map(|q| {
            let mut tf = q
                .texts
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| text.matches(t.as_str()).count())
                .sum::<usize>();
            if q.bigram_expr.is_none() {
                tf += q.chars.iter().map(|c| text.matches(*c).count()).sum::<usize>();
            }
            let tf = tf as f64;
            tf * (K1 + 1.0) / (tf + norm)
        })
        .sum()
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
        "SELECT b.id, b.doc, b.seq, b.label, b.text, l.title, l.short_name, l.status, l.core
         FROM blocks b JOIN laws l ON l.doc = b.doc WHERE b.id IN ({list})"
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
                matched_terms: matched_terms(&text, queries),
                snippet: snippet(&text, queries),
            },
        );
    }
    Ok(rowids
        .into_iter()
        .filter_map(|(rowid, kind)| found.remove(&rowid).map(|h| Hit { kind, ..h }))
        .collect())
}

/// How many queries the text holds (a term or one of its alternatives; a single hanzi term
/// as that character).
fn matched_terms(text: &str, queries: &[TermQuery]) -> usize {
    queries
        .iter()
        .filter(|q| {
            q.texts.iter().any(|t| !t.is_empty() && text.contains(t.as_str()))
                || (q.bigram_expr.is_none() && q.chars.iter().any(|c| text.contains(*c)))
        })
        .count()
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
    // A single-character term is highlighted alone; a lone character of a longer term is not
    // (an article named by the lexicon may hold none of the words: it then opens at its start).
    if found.is_none() {
        found = queries
            .iter()
            .filter(|q| q.bigram_expr.is_none())
            .flat_map(|q| q.chars.iter())
            .find_map(|c| find(&[*c]).map(|at| (at, 1)));
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

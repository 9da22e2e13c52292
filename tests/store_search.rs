//! The store and search on the full national corpus (1,564 documents) plus the shipped core set.

mod support;

use std::collections::{HashMap, HashSet};

use kiosk::content::law::Status;
use kiosk::content::search::HitKind;
use kiosk::content::synonyms;
use kiosk::content::Store;

fn store() -> Store {
    Store::open(support::full_store()).expect("store opens")
}

/// Counts computed straight from the JSONL files, independently of the kiosk's parser: every id
/// once, the national set's 民法典 part files folded into the merged core 民法典.
#[test]
fn counts_match_the_corpus() {
    let mut articles: HashMap<String, i64> = HashMap::new();
    let mut merged_parts = HashSet::new();
    let data = support::shared_data();
    for (file, core) in
        [("laws-core.jsonl", true), ("laws-core-supplement.jsonl", true), ("laws.jsonl", false)]
    {
        for line in std::fs::read_to_string(data.join("laws").join(file)).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if core {
                if let Some(paths) = v["source_path"].as_array() {
                    merged_parts.extend(paths.iter().map(|p| p.as_str().unwrap().to_owned()));
                }
            } else if merged_parts.contains(v["source_path"].as_str().unwrap_or("")) {
                continue;
            }
            articles
                .entry(v["id"].as_str().unwrap().to_owned())
                .or_insert(v["article_count"].as_i64().unwrap());
        }
    }
    let s = store();
    assert_eq!(s.info().law_count, articles.len() as i64);
    // Per law: (第X条 articles, 一、-numbered items) as the kiosk parsed them.
    let conn = rusqlite::Connection::open_with_flags(
        s.database_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut st = conn
        .prepare(
            "SELECT l.law_id, coalesce(sum(b.kind = 1 AND b.label LIKE '第%'), 0), coalesce(sum(b.kind = 1 AND b.label LIKE '%、'), 0)
             FROM laws l LEFT JOIN blocks b ON b.doc = l.doc GROUP BY l.doc",
        )
        .unwrap();
    let parsed: HashMap<String, (i64, i64)> = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, expected) in &articles {
        let (numbered, enumerated) = parsed[id];
        if numbered > 0 || *expected == 0 {
            // Where the corpus numbers 第X条, the kiosk finds exactly those articles.
            assert_eq!(numbered, *expected, "{id}");
        } else {
            // Decisions numbered 一、二、… (the corpus counts their items as articles).
            assert_eq!(enumerated, *expected, "{id}");
        }
    }
    assert!(articles.values().sum::<i64>() > 64_000);
}

fn top_labels(store: &Store, query: &str, n: usize) -> Vec<(String, String)> {
    store.search(query, n).unwrap().hits.into_iter().map(|h| (h.short_name, h.label)).collect()
}

#[test]
fn known_articles_are_found() {
    let s = store();
    let divorce = top_labels(&s, "离婚", 10);
    assert!(divorce.contains(&("民法典".into(), "第一千零七十九条".into())), "{divorce:?}");
    let wages = top_labels(&s, "拖欠 工资", 10);
    assert!(wages.contains(&("劳动合同法".into(), "第三十条".into())), "{wages:?}");
}

#[test]
fn one_and_two_character_queries() {
    let s = store();
    for q in ["税", "婚", "离婚", "工资", "继承", "工伤", "借款"] {
        let r = s.search(q, 20).unwrap();
        assert!(!r.hits.is_empty(), "{q}: no hits");
        for h in r.hits.iter().filter(|h| h.kind != HitKind::Title) {
            let m = h.snippet.matched.as_str();
            assert!(
                m == q || synonyms::alternatives(q).contains(&m),
                "{q}: snippet does not show the match: {h:?}"
            );
        }
    }
    // Core laws' articles come first for everyday words.
    let r = s.search("工伤", 10).unwrap();
    assert!(
        r.hits.iter().filter(|h| h.kind != HitKind::Title).take(5).all(|h| h.core),
        "{:?}",
        r.hits
    );
}

#[test]
fn title_hits_come_first_and_in_force_before_repealed() {
    let s = store();
    let r = s.search("劳动合同", 30).unwrap();
    assert_eq!(r.hits[0].kind, HitKind::Title);
    assert_eq!(r.hits[0].short_name, "劳动合同法");
    let r = s.search("规定", 200).unwrap();
    let statuses: Vec<Status> =
        r.hits.iter().filter(|h| h.kind == HitKind::Phrase).map(|h| h.status).collect();
    let first_repealed =
        statuses.iter().position(|s| *s == Status::Repealed).unwrap_or(statuses.len());
    assert!(statuses[first_repealed..].iter().all(|s| *s != Status::InForce), "{statuses:?}");
}

#[test]
fn phrase_before_scattered_and_terms_are_anded() {
    let s = store();
    let r = s.search("工资拖欠", 40).unwrap();
    let kinds: Vec<HitKind> = r.hits.iter().map(|h| h.kind).collect();
    assert!(kinds.contains(&HitKind::Scattered), "{kinds:?}");
    let first_scattered = kinds.iter().position(|k| *k == HitKind::Scattered).unwrap();
    assert!(kinds[first_scattered..].iter().all(|k| *k == HitKind::Scattered));
    for h in s.search("工资 拖欠", 30).unwrap().hits.iter().filter(|h| h.kind == HitKind::Phrase)
    {
        let blocks = s.blocks(h.doc).unwrap();
        let text = &blocks[h.seq as usize].text;
        let wage = std::iter::once(&"工资")
            .chain(synonyms::alternatives("工资"))
            .any(|w| text.contains(w));
        assert!(wage && text.contains("拖欠"), "{text}");
    }
}

#[test]
fn pinyin_full_and_initials() {
    let s = store();
    assert_eq!(s.search("mfd", 5).unwrap().terms, vec!["民法典"]);
    assert_eq!(s.search("minfadian", 5).unwrap().terms, vec!["民法典"]);
    let c = s.pinyin_candidates("gongshang", 10).unwrap();
    assert!(c.contains(&"工伤".to_string()) && c.contains(&"工商".to_string()), "{c:?}");
    assert_eq!(s.pinyin_candidates("lihun", 3).unwrap()[0], "离婚");
}

#[test]
fn hits_open_at_their_article() {
    let s = store();
    let hit = s
        .search("离婚", 10)
        .unwrap()
        .hits
        .into_iter()
        .find(|h| h.label == "第一千零七十九条")
        .unwrap();
    let blocks = s.blocks(hit.doc).unwrap();
    assert_eq!(blocks[hit.seq as usize].label, "第一千零七十九条");
    assert_eq!(s.article_seq(hit.doc, 1079).unwrap(), Some(hit.seq));
}

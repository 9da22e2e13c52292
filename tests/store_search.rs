//! The store and search on the full national corpus (1,564 documents) plus the shipped core set.

mod support;

use std::collections::{HashMap, HashSet};

use kiosk::content::law::Status;
use kiosk::content::search::HitKind;
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
             FROM laws l LEFT JOIN blocks b ON b.id BETWEEN l.base AND l.base + 65535 GROUP BY l.doc",
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
        for h in r.hits.iter().filter(|h| !h.is_title()) {
            let m = h.snippet.matched.as_str();
            assert!(
                m == q || r.also.iter().any(|a| a == m),
                "{q}: snippet does not show the match: {h:?}"
            );
        }
    }
    // Core laws' articles come first for everyday words.
    let r = s.search("工伤", 10).unwrap();
    assert!(r.hits.iter().filter(|h| !h.is_title()).take(5).all(|h| h.core), "{:?}", r.hits);
}

#[test]
fn title_hits_come_first_and_in_force_before_repealed() {
    let s = store();
    let r = s.search("劳动合同", 30).unwrap();
    assert_eq!(r.hits[0].kind, HitKind::Title);
    assert_eq!(r.hits[0].short_name, "劳动合同法");
    // A long title that only mentions the term waits below the articles that answer it, and
    // stays on the first page.
    let r = s.search("诉讼时效", 30).unwrap();
    assert_eq!(r.hits[0].kind, HitKind::Phrase, "{:?}", r.hits[0]);
    let mention = r.hits.iter().position(|h| h.kind == HitKind::TitleMention);
    assert!(mention.is_some_and(|i| (10..30).contains(&i)), "{mention:?}");
    let r = s.search("规定", 200).unwrap();
    let statuses: Vec<Status> =
        r.hits.iter().filter(|h| h.kind == HitKind::Phrase).map(|h| h.status).collect();
    let first_repealed =
        statuses.iter().position(|s| *s == Status::Repealed).unwrap_or(statuses.len());
    assert!(statuses[first_repealed..].iter().all(|s| *s != Status::InForce), "{statuses:?}");
}

#[test]
fn tiers_come_in_order_and_terms_are_anded() {
    let s = store();
    let tier = |k: HitKind| k as u8;
    for q in [
        "工资拖欠",
        "拖欠劳动者工资",
        "公司不给加班费怎么办",
        "房东不退押金",
        "公证 费用 减免 困难",
        "合同 仲裁 法院 起诉",
    ] {
        let r = s.search(q, 40).unwrap();
        // The core laws are searched first and the wider corpus after them, each through the
        // tiers in order; a long title that only mentions the terms is placed after the first
        // articles.
        for core in [true, false] {
            let kinds: Vec<u8> = r
                .hits
                .iter()
                .filter(|h| h.kind != HitKind::TitleMention && h.core == core)
                .map(|h| tier(h.kind))
                .collect();
            assert!(kinds.windows(2).all(|w| w[0] <= w[1]), "{q} (core {core}): {kinds:?}");
        }
        // Among articles found by their words, none of the wider corpus before a core law's.
        let articles: Vec<&kiosk::content::search::Hit> =
            r.hits.iter().filter(|h| matches!(h.kind, HitKind::Phrase | HitKind::BestOf)).collect();
        if let Some(first_wider) = articles.iter().position(|h| !h.core) {
            assert!(articles[first_wider..].iter().all(|h| !h.core), "{q}: core after wider");
        }
        // In a query of several terms, what an everyday name means leads only if it also
        // holds another of the terms.
        if r.terms.len() >= 2 {
            for h in r.hits.iter().filter(|h| h.kind == HitKind::Named) {
                assert!(h.matched_terms >= 2, "{q}: {} {} leads", h.short_name, h.label);
            }
        }
    }
    let r = s.search("工资 拖欠", 30).unwrap();
    for h in r.hits.iter().filter(|h| h.kind == HitKind::Phrase) {
        let blocks = s.blocks(h.doc).unwrap();
        let text = &blocks[h.seq as usize].text;
        let wage = std::iter::once("工资")
            .chain(r.also.iter().map(String::as_str))
            .any(|w| text.contains(w));
        assert!(wage && text.contains("拖欠"), "{text}");
    }
}

#[test]
fn questions_and_everyday_names_find_their_articles() {
    let s = store();
    let r = s.search("公司不给加班费怎么办", 10).unwrap();
    assert_eq!(r.terms, ["公司", "加班费"], "{:?}", r.dropped);
    assert!(r.dropped.contains(&"怎么办".to_string()));
    let top = top_labels(&s, "公司不给加班费怎么办", 10);
    assert!(top.contains(&("劳动合同法".into(), "第三十一条".into())), "{top:?}");
    let top = top_labels(&s, "试用期可以随便辞退吗", 10);
    assert!(top.contains(&("劳动合同法".into(), "第二十一条".into())), "{top:?}");
    let r = s.search("霸王条款", 10).unwrap();
    assert_eq!(r.hits[0].kind, HitKind::Named, "{:?}", r.hits[0]);
    assert_eq!(
        (r.hits[0].short_name.as_str(), r.hits[0].label.as_str()),
        ("民法典", "第四百九十六条")
    );
    // A question whose words are not all in one article still answers: never an empty page.
    assert!(!s.search("我家的狗把邻居咬了谁负责", 10).unwrap().hits.is_empty());
}

#[test]
fn a_situation_told_in_pieces_opens_its_topic() {
    let s = store();
    // A spouse and a blow, said apart (content/topics/domestic-violence.toml `together`): the
    // page offers 我遇到了：家庭暴力, and the topic's key articles are weighed among the hits.
    let r = s.search("老公喝了酒就打我", 10).unwrap();
    assert_eq!(r.topics, ["domestic-violence"], "{:?} {:?}", r.terms, r.dropped);
    let top = top_labels(&s, "老公喝了酒就打我", 10);
    assert!(top.iter().any(|(law, _)| law == "反家庭暴力法"), "{top:?}");
    // One of the two alone is not it; nor is 打 in a call that does not get through.
    assert!(s.search("老公出去打工了", 10).unwrap().topics.is_empty());
    assert!(s.search("老公的电话打不通", 10).unwrap().topics.is_empty());
    assert!(s.search("老公打了电话给我", 10).unwrap().topics.is_empty());
    // Calling the police is not a fight by itself (a theft, a fraud); a blow and the police are.
    assert!(s.search("家里被偷了，已经报警了", 10).unwrap().topics.is_empty());
    assert_eq!(s.search("被人打了，报警了", 10).unwrap().topics, ["fights"]);
}

#[test]
fn the_law_that_governs_a_situation_answers_before_others_that_share_its_words() {
    let s = store();
    // 老公 动手 opens 家庭暴力 and names no article itself. 民法典's articles on spouses hold
    // 老公's words too; 反家庭暴力法, where the situation's key articles come from, says where
    // to turn (第十三条) and how to get a protection order (第二十三条), and leads.
    let top = top_labels(&s, "老公 动手", 10);
    for article in ["第十三条", "第二十三条"] {
        assert!(top.contains(&("反家庭暴力法".into(), article.into())), "{article}: {top:?}");
    }
}

#[test]
fn among_articles_that_print_a_statute_word_the_one_the_hall_points_to_ranks_high() {
    let s = store();
    // 试用期 is printed in some twenty articles of the core laws, 民法典's 试用买卖 among them.
    // The everyday lexicon names 劳动合同法 第二十条 (the wage during probation) for 转正 and
    // 试工; without that reference it ranks eleventh for the statute word itself.
    let top = top_labels(&s, "试用期", 10);
    assert!(top.contains(&("劳动合同法".into(), "第二十条".into())), "{top:?}");
}

#[test]
fn an_article_the_hall_names_often_ranks_above_those_it_names_once() {
    let s = store();
    // 57 core articles print 劳动报酬. The lexicon and topics name 劳动合同法 第三十八条 (quitting
    // over unpaid pay) three times; counted once like the rest, it ranked fourteenth.
    let top = top_labels(&s, "劳动报酬", 10);
    assert!(top.contains(&("劳动合同法".into(), "第三十八条".into())), "{top:?}");
}

#[test]
fn a_query_that_spells_a_guides_name_opens_it_and_its_basis_leads() {
    let s = store();
    // 法律援助 and 申请 are printed together in some thirty articles of the core laws. The guide
    // 法律援助申请 rests on 法律援助法 第三十八条 (where to apply) and 第四十三条 (decided within
    // seven days), ninth and tenth before a guide's basis counted, and on 法律援助条例 第十七条
    // (what to bring), which as a regulation came after every statute's article: 27th.
    for query in ["法律援助 申请", "怎么申请法律援助"] {
        let r = s.search(query, 10).unwrap();
        assert_eq!(r.guides, ["legal-aid"], "{query}");
        let top: Vec<(String, String)> =
            r.hits.into_iter().map(|h| (h.short_name, h.label)).collect();
        for (law, article) in [
            ("法律援助法", "第三十八条"),
            ("法律援助法", "第四十三条"),
            ("法律援助条例", "第十七条"),
        ] {
            assert!(top.contains(&(law.into(), article.into())), "{query}: {top:?}");
        }
    }
    // One word of its name does not open it.
    assert!(s.search("申请", 10).unwrap().guides.is_empty());
}

#[test]
fn land_taken_from_a_village_meets_the_land_law() {
    let s = store();
    // The 征收补偿 situation covers land as well as houses: a farmer asking what 征地 pays is
    // answered by 土地管理法 第四十八条, not only by the regulation on urban houses.
    let top = top_labels(&s, "村里征地给多少钱", 3);
    assert!(top.contains(&("土地管理法".into(), "第四十八条".into())), "{top:?}");
}

#[test]
fn pinyin_full_and_initials() {
    let s = store();
    assert_eq!(s.search("mfd", 5).unwrap().terms, vec!["民法典"]);
    assert_eq!(s.search("minfadian", 5).unwrap().terms, vec!["民法典"]);
    let c = s.pinyin_candidates("gongshang", 10).unwrap();
    assert_eq!(c[0], "工伤", "{c:?}");
    assert_eq!(s.pinyin_candidates("lihun", 3).unwrap()[0], "离婚");
    // ü is typed v, as in every input method: the keyboard has no ü.
    assert_eq!(s.search("falv", 5).unwrap().terms, vec!["法律"]);
    let c = s.pinyin_candidates("falvyuanzhu", 3).unwrap();
    assert_eq!(c.first().map(String::as_str), Some("法律援助"), "{c:?}");
    // Candidates are words, not index bigrams: 办理婚姻 held 理婚.
    let c = s.pinyin_candidates("lihun", 20).unwrap();
    assert!(!c.contains(&"理婚".to_string()), "{c:?}");
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

use support::judged;

/// Every answer of the judged set exists in the corpus, and search finds enough of them that a
/// regression in understanding questions shows here before the benchmark.
#[test]
fn judged_set_is_answerable_and_answered() {
    let s = store();
    let set = judged::load(&support::repo());
    assert!(set.query.len() >= 120, "{} queries", set.query.len());
    let mut missing = Vec::new();
    for q in &set.query {
        assert!(judged::KINDS.contains(&q.kind.as_str()), "{}: kind {:?}", q.q, q.kind);
        if let Err(e) = judged::resolve(&s, q) {
            missing.push(e);
        }
    }
    assert!(missing.is_empty(), "answers the corpus does not hold:\n{}", missing.join("\n"));
    // The held-out sets obey the same rules, and ask nothing another set asks.
    let heldout = judged::load_heldout(&support::repo());
    // Sets 1–5 (a file renamed away would otherwise drop out of the figures unnoticed).
    assert!(
        heldout.len() >= 5,
        "held-out sets: {:?}",
        heldout.iter().map(|h| &h.0).collect::<Vec<_>>()
    );
    let mut asked: HashSet<&str> = set.query.iter().map(|q| q.q.as_str()).collect();
    for (name, held) in &heldout {
        assert!(held.query.len() >= 45, "{name}: {} queries", held.query.len());
        for q in &held.query {
            assert!(judged::KINDS.contains(&q.kind.as_str()), "{}: kind {:?}", q.q, q.kind);
            assert!(asked.insert(q.q.as_str()), "{name}: {} is asked in another set too", q.q);
            assert!((1..=4).contains(&q.answers.len()), "{}: {} answers", q.q, q.answers.len());
            judged::resolve(&s, q).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    if std::env::var_os("JUDGED_MISSES").is_some() {
        for line in judged::misses(&s, &set, |q| s.search(q, 30).unwrap()) {
            println!("{line}");
        }
    }
    let scores = judged::evaluate(&s, &set, |q| s.search(q, 30).unwrap());
    for (kind, n, recall, mrr) in &scores {
        println!("{kind:<9} {n:>3} queries  recall@10 {recall:.3}  MRR {mrr:.3}");
    }
    // Floors just under what this search measures (0.918, 0.826, 0.710; 0.878, 0.576, 0.524
    // when the set was written): a regression fails here; the goals (1.0, 0.8, 0.7) are the
    // benchmark's to report.
    let floors = [0.90, 0.78, 0.65];
    for ((kind, _, recall, _), floor) in scores.iter().zip(floors) {
        assert!(*recall >= floor, "{kind}: recall@10 {recall:.3} fell below {floor}");
    }
}

/// A generation in the layout the first firmware wrote (schema 1: blocks keyed by (doc, seq)
/// with an `fts` column, no `laws.base`, no vocabulary) still serves, is flagged, and `reindex`
/// rebuilds it into a new generation that searches and reads as a fresh install does.
#[test]
fn an_old_generation_is_reindexed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support::copy_dir(support::demo_store(), &data);
    let fresh = Store::open(&data).unwrap();
    let expected = fresh.search("公司不给加班费怎么办", 20).unwrap();
    let generation = fresh.info().generation;
    drop(fresh);
    {
        let conn = rusqlite::Connection::open(Store::open(&data).unwrap().database_path()).unwrap();
        conn.execute_batch(
            "CREATE TABLE old_blocks(doc INTEGER NOT NULL, seq INTEGER NOT NULL,
               kind INTEGER NOT NULL, level INTEGER NOT NULL, label TEXT NOT NULL,
               number INTEGER NOT NULL, text TEXT NOT NULL, fts INTEGER,
               PRIMARY KEY(doc, seq)) WITHOUT ROWID;
             INSERT INTO old_blocks SELECT doc, seq, kind, level, label, number, text,
               CASE WHEN kind = 0 THEN NULL ELSE id END FROM blocks;
             DROP TABLE blocks;
             ALTER TABLE old_blocks RENAME TO blocks;
             CREATE UNIQUE INDEX blocks_fts ON blocks(fts);
             ALTER TABLE laws DROP COLUMN base;
             DROP TABLE vocab; DELETE FROM meta WHERE key = 'schema_version';",
        )
        .unwrap();
    }
    let old = Store::open(&data).unwrap();
    assert!(old.needs_reindex());
    assert_eq!(old.info().schema_version, 1);
    // Still answers, word by word, without the vocabulary, and still reads.
    let hit =
        old.search("离婚", 5).unwrap().hits.into_iter().find(|h| !h.label.is_empty()).unwrap();
    let blocks = old.blocks(hit.doc).unwrap();
    assert_eq!(blocks[hit.seq as usize].label, hit.label);
    assert_eq!(blocks[0].seq, 0, "headings are read too");
    drop(old);

    let report = Store::reindex(&data).unwrap();
    assert_eq!(report.generation, generation + 1);
    let new = Store::open(&data).unwrap();
    assert!(!new.needs_reindex());
    assert_eq!(new.info().generation, generation + 1);
    let got = new.search("公司不给加班费怎么办", 20).unwrap();
    let labels = |r: &kiosk::content::search::SearchResults| -> Vec<(String, String)> {
        r.hits.iter().map(|h| (h.short_name.clone(), h.label.clone())).collect()
    };
    assert_eq!(labels(&got), labels(&expected));
    assert_eq!(got.terms, expected.terms);
    let doc = got.hits[0].doc;
    assert_eq!(
        new.blocks(doc).unwrap().len(),
        Store::open(support::demo_store()).unwrap().blocks(doc).unwrap().len()
    );
}

/// The lexicon's rules (`content/lexicon/README.md`): each term is a word the statutes print —
/// it occurs in an in-force law the kiosk ships — it differs from the entry's `say` words, and
/// an entry has at most three. A term no shipped law holds would widen nothing on a hall kiosk.
#[test]
fn lexicon_terms_are_words_the_shipped_statutes_print() {
    let repo = support::repo();
    let mut in_force = String::new();
    for entry in std::fs::read_dir(repo.join("content/laws")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if v["status"] == "有效" {
                    in_force.push_str(line);
                }
            }
        }
    }
    let groups = kiosk::content::hall::everyday::load_dir(&repo.join("content/lexicon")).unwrap();
    let mut broken = Vec::new();
    for e in groups.iter().flat_map(|g| &g.entries) {
        if e.terms.len() > 3 {
            broken.push(format!("{:?}: {} terms", e.say, e.terms.len()));
        }
        for t in &e.terms {
            if e.say.contains(t) {
                broken.push(format!("{:?}: {t} is also a say word", e.say));
            }
            if !in_force.contains(t.as_str()) {
                broken.push(format!("{:?}: no in-force law in content/laws prints {t}", e.say));
            }
        }
    }
    assert!(broken.is_empty(), "lexicon entries break the rules:\n{}", broken.join("\n"));
}

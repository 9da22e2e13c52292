//! Pinyin input without an IME: candidate words from a real word list.
//!
//! After every install the store rebuilds a small lexicon: the words jieba's dictionary finds in
//! the core laws' text (counted, so 劳动 outranks 劳绩), law short names, heading words
//! (婚姻家庭), the hall's topics and everyday lexicon, and the hot topics. Each word carries its
//! toneless pinyin and its initials, so `minfadian`, `minfad` and `mfd` all reach 民法典, and
//! `gongshang` offers both 工伤 and 工商. Index bigrams are not words: 理婚 (from 办理婚姻) is
//! never offered for `lihun`.

use anyhow::Result;
use pinyin::ToPinyin;
use rusqlite::{params, Connection, Transaction};

use super::hall::HallContent;
use super::query::{fillers, segment};

/// Topics a hall's visitors ask about most; also the search screen's one-tap buttons.
pub const HOT_TOPICS: [&str; 8] =
    ["劳动争议", "婚姻家庭", "借贷", "交通事故", "继承", "房屋租赁", "消费维权", "法律援助"];

/// Words behind the hot topics that residents also type directly.
const EVERYDAY_WORDS: [&str; 16] = [
    "离婚", "工资", "拖欠", "工伤", "借款", "抚养", "赡养", "遗嘱", "租赁", "欠款", "赔偿", "合同",
    "彩礼", "家暴", "押金", "调解",
];

/// A word must occur this many times in the core laws to be offered.
const MIN_WORD_COUNT: i64 = 3;

/// Toneless pinyin of a word and its initials, as typed on a keyboard; `None` if a character has
/// no pinyin. ü is typed v, as every Chinese input method has it: the keyboard has no ü, and
/// 法律 (falü) must be reachable as `falv`.
pub fn pinyin_of(word: &str) -> Option<(String, String)> {
    let (mut full, mut initials) = (String::new(), String::new());
    for p in word.to_pinyin() {
        let p = p?;
        // '\u{fc}' is ü: the embedded font's test reads characters written in code as drawn.
        full.extend(p.plain().chars().map(|c| if c == '\u{fc}' { 'v' } else { c }));
        initials.push_str(p.first_letter());
    }
    (!full.is_empty()).then_some((full, initials))
}

/// Recomputes the lexicon from what the store now holds.
pub fn rebuild(tx: &Transaction, hall: &HallContent) -> Result<()> {
    tx.execute("DELETE FROM lexicon", [])?;
    let mut words: Vec<(String, i64)> = Vec::new();
    for w in HOT_TOPICS.iter().chain(EVERYDAY_WORDS.iter()) {
        words.push((w.to_string(), 1_000_000));
    }
    {
        let mut st = tx.prepare("SELECT short_name, core FROM laws")?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (name, core) = row?;
            if name.chars().count() <= 12 {
                words.push((name, if core != 0 { 500_000 } else { 50_000 }));
            }
        }
        let mut st = tx.prepare("SELECT text FROM blocks WHERE kind = 0")?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            let text = row?;
            // 第五编 婚姻家庭 → 婚姻家庭; 第三章 劳动合同的履行和变更 → skipped, too long to be a word.
            let word = text.split_whitespace().last().unwrap_or("").to_owned();
            let n = word.chars().count();
            if (2..=6).contains(&n) && !word.starts_with('第') {
                words.push((word, 20_000));
            }
        }
        // Words jieba's dictionary finds in the core laws, counted.
        let mut counts: std::collections::HashMap<String, i64> = Default::default();
        let mut st = tx.prepare(
            "SELECT b.text FROM laws l JOIN blocks b ON b.id BETWEEN l.base AND l.base + 65535
             WHERE l.core = 1 AND b.kind > 0",
        )?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            let text = row?;
            for w in segment::words(&text) {
                let n = w.chars().count();
                if (2..=4).contains(&n)
                    && w.chars().all(|c| !c.is_ascii())
                    && !fillers::is_filler(w)
                {
                    *counts.entry(w.to_owned()).or_default() += 1;
                }
            }
        }
        words.extend(counts.into_iter().filter(|(_, n)| *n >= MIN_WORD_COUNT));
    }
    for t in &hall.topics {
        for w in t.words.iter().chain([&t.title]) {
            words.push((w.clone(), 800_000));
        }
    }
    for e in hall.everyday.iter().flat_map(|g| &g.entries) {
        words.extend(e.say.iter().map(|w| (w.clone(), 800_000)));
        words.extend(e.terms.iter().map(|w| (w.clone(), 100_000)));
    }
    let mut ins = tx.prepare(
        "INSERT INTO lexicon(word, full, initials, weight) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(word) DO UPDATE SET weight = max(weight, excluded.weight)",
    )?;
    for (word, weight) in words {
        if let Some((full, initials)) = pinyin_of(&word) {
            ins.execute(params![word, full, initials, weight])?;
        }
    }
    Ok(())
}

/// Words whose pinyin or initials start with `letters`; exact matches first, then by weight.
pub fn candidates(conn: &Connection, letters: &str, limit: usize) -> Result<Vec<String>> {
    let key: String = letters
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let upper = format!("{key}{{"); // '{' sorts right after 'z': [key, upper) is the prefix range
    let mut st = conn.prepare_cached(
        "SELECT word FROM (
           SELECT word, full, initials, weight FROM lexicon WHERE full >= ?1 AND full < ?2
           UNION
           SELECT word, full, initials, weight FROM lexicon WHERE initials >= ?1 AND initials < ?2)
         ORDER BY (full = ?1 OR initials = ?1) DESC, weight DESC, length(word), word LIMIT ?3",
    )?;
    let rows = st.query_map(params![key, upper, limit as i64], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

//! What a resident typed, understood: the terms to search, the words dropped, and the articles
//! and life situations an everyday name points at.
//!
//! `公司不给加班费怎么办` → terms 公司 (or 用人单位) and 加班费 (or 加班工资 …), dropped 不给 and
//! 怎么办. Phrases the hall's vocabulary knows (the everyday lexicon's words, law names, topic
//! words) are taken whole, longest first; the rest is cut by jieba's dictionary and question
//! words are dropped ([`fillers`]). All-letter input is pinyin and becomes the best word for it.

pub mod fillers;
pub mod segment;

use anyhow::Result;

use super::tokenize::{runs, Run};

/// The longest phrase looked up whole in the vocabulary, in characters.
pub const MAX_PHRASE_CHARS: usize = 12;

/// What the hall's vocabulary says about a phrase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhraseInfo {
    /// Statutory words searched as alternatives (加班费 → 加班工资, 延长工作时间).
    pub terms: Vec<String>,
    /// Articles the phrase names (霸王条款 → 民法典 第四百九十六条): (law doc, article number).
    pub articles: Vec<(i64, i64)>,
    /// Life-situation topics the phrase opens.
    pub topics: Vec<String>,
    /// Those topics' key articles: (law doc, article number).
    pub topic_articles: Vec<(i64, i64)>,
}

/// The hall's vocabulary as query understanding needs it; the store implements it.
pub trait Vocabulary {
    /// Everything known about exactly this phrase, if anything.
    fn phrase(&self, phrase: &str) -> Option<&PhraseInfo>;
    /// The best word for typed pinyin letters.
    fn pinyin_word(&self, letters: &str) -> Result<Option<String>>;
}

/// One term to search: the word and its statutory alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    pub text: String,
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Understood {
    pub terms: Vec<QueryTerm>,
    /// Question and filler words that were not searched.
    pub dropped: Vec<String>,
    /// Articles named by an everyday phrase, in the order met.
    pub articles: Vec<(i64, i64)>,
    /// Topics named by a phrase, in the order met.
    pub topics: Vec<String>,
    /// Their key articles, in the order met.
    pub topic_articles: Vec<(i64, i64)>,
    /// Neighbouring terms as typed, nothing dropped between them (保证责任 cut into 保证 and
    /// 责任): an article holding the whole run is what a statute keyword meant.
    pub runs: Vec<String>,
}

impl Understood {
    fn add_term(&mut self, text: &str, info: Option<&PhraseInfo>) {
        if self.terms.iter().any(|t| t.text == text) {
            return;
        }
        let mut alternatives = Vec::new();
        if let Some(info) = info {
            alternatives = info.terms.iter().filter(|t| *t != text).cloned().collect();
            for a in &info.articles {
                if !self.articles.contains(a) {
                    self.articles.push(*a);
                }
            }
            for t in &info.topics {
                if !self.topics.contains(t) {
                    self.topics.push(t.clone());
                }
            }
            for a in &info.topic_articles {
                if !self.topic_articles.contains(a) {
                    self.topic_articles.push(*a);
                }
            }
        }
        self.terms.push(QueryTerm { text: text.to_owned(), alternatives });
    }
}

/// Understands a query typed or picked on the search screen. Pieces apart (spaces, or the
/// candidates the resident picked one by one) stay apart.
pub fn understand(pieces: &[&str], vocab: &dyn Vocabulary) -> Result<Understood> {
    let mut out = Understood::default();
    let mut singles: Vec<String> = Vec::new();
    for piece in pieces {
        // A character picked or typed on its own (税, 房) was meant.
        if piece.trim().chars().count() == 1 && !piece.trim().is_ascii() {
            out.add_term(piece.trim(), vocab.phrase(piece.trim()));
            continue;
        }
        for run in runs(piece) {
            match run {
                Run::Word(w) if w.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    match vocab.pinyin_word(&w)? {
                        Some(word) => {
                            let info = vocab.phrase(&word).cloned();
                            out.add_term(&word, info.as_ref());
                        }
                        None => out.add_term(&w, None),
                    }
                }
                Run::Word(w) => out.add_term(&w, None),
                Run::Cjk(chars) => cut_hanzi(&chars, vocab, &mut out, &mut singles),
            }
        }
    }
    // A single character is a term only when nothing longer was understood (税, 房): inside a
    // question it is mostly grammar the filler list does not know.
    if out.terms.is_empty() {
        for s in singles {
            out.add_term(&s, None);
        }
    } else {
        out.dropped.extend(singles);
    }
    Ok(out)
}

/// Longest known phrase first at each position; what no phrase covers goes to jieba.
fn cut_hanzi(
    chars: &[char],
    vocab: &dyn Vocabulary,
    out: &mut Understood,
    singles: &mut Vec<String>,
) {
    let mut run = TermRun::default();
    let mut rest = String::new();
    let mut i = 0;
    'scan: while i < chars.len() {
        let longest = MAX_PHRASE_CHARS.min(chars.len() - i);
        for len in (2..=longest).rev() {
            let phrase: String = chars[i..i + len].iter().collect();
            if let Some(info) = vocab.phrase(&phrase) {
                segment_rest(&mut rest, vocab, out, singles, &mut run);
                out.add_term(&phrase, Some(info));
                run.push(&phrase);
                i += len;
                continue 'scan;
            }
        }
        rest.push(chars[i]);
        i += 1;
    }
    segment_rest(&mut rest, vocab, out, singles, &mut run);
    run.end(out);
}

/// Terms met one after another with nothing dropped between them.
#[derive(Default)]
struct TermRun {
    text: String,
    terms: usize,
}

impl TermRun {
    fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.terms += 1;
    }

    /// A run of two or more terms is kept; a dropped word or the end of the text ends it.
    fn end(&mut self, out: &mut Understood) {
        if self.terms >= 2 && !out.runs.contains(&self.text) {
            out.runs.push(std::mem::take(&mut self.text));
        }
        *self = TermRun::default();
    }
}

fn segment_rest(
    rest: &mut String,
    vocab: &dyn Vocabulary,
    out: &mut Understood,
    singles: &mut Vec<String>,
    run: &mut TermRun,
) {
    if rest.is_empty() {
        return;
    }
    for word in segment::words(rest) {
        if fillers::is_filler(word) || fillers::is_amount(word) {
            out.dropped.push(word.to_owned());
            run.end(out);
        } else if word.chars().count() == 1 && vocab.phrase(word).is_none() {
            // Mostly grammar; a resident's one-character verb the lexicon knows (赔 → 赔偿)
            // is a term like any other.
            singles.push(word.to_owned());
            run.end(out);
        } else {
            out.add_term(word, vocab.phrase(word));
            run.push(word);
        }
    }
    rest.clear();
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Fixed(HashMap<String, PhraseInfo>);
    impl Vocabulary for Fixed {
        fn phrase(&self, phrase: &str) -> Option<&PhraseInfo> {
            self.0.get(phrase)
        }
        fn pinyin_word(&self, letters: &str) -> Result<Option<String>> {
            Ok((letters == "lihun").then(|| "离婚".to_owned()))
        }
    }

    fn vocab() -> Fixed {
        let mut m = HashMap::new();
        let terms = |t: &[&str]| PhraseInfo {
            terms: t.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        m.insert("加班费".into(), terms(&["加班工资"]));
        m.insert("公司".into(), terms(&["用人单位"]));
        m.insert(
            "霸王条款".into(),
            PhraseInfo {
                terms: vec!["格式条款".into()],
                articles: vec![(1, 496)],
                ..Default::default()
            },
        );
        m.insert("劳动合同法".into(), PhraseInfo::default());
        m.insert("赔".into(), terms(&["赔偿"]));
        Fixed(m)
    }

    fn texts(u: &Understood) -> Vec<&str> {
        u.terms.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn a_question_keeps_its_subject() {
        let u = understand(&["公司不给加班费怎么办"], &vocab()).unwrap();
        assert_eq!(texts(&u), ["公司", "加班费"]);
        assert_eq!(u.terms[1].alternatives, ["加班工资"]);
        assert_eq!(u.dropped, ["不", "给", "怎么办"]);
        assert!(u.runs.is_empty(), "不给 stands between the terms");
    }

    #[test]
    fn neighbouring_terms_are_also_a_run() {
        let u = understand(&["保证责任"], &vocab()).unwrap();
        assert_eq!(texts(&u), ["保证", "责任"]);
        assert_eq!(u.runs, ["保证责任"]);
        let u = understand(&["公司加班费"], &vocab()).unwrap();
        assert_eq!(u.runs, ["公司加班费"]);
    }

    #[test]
    fn known_phrases_stay_whole_and_name_articles() {
        let u = understand(&["劳动合同法 试用期"], &vocab()).unwrap();
        assert_eq!(texts(&u), ["劳动合同法", "试用期"]);
        let u = understand(&["遇到霸王条款"], &vocab()).unwrap();
        assert!(texts(&u).contains(&"霸王条款"));
        assert_eq!(u.articles, [(1, 496)]);
    }

    #[test]
    fn single_characters_only_when_alone() {
        assert_eq!(texts(&understand(&["税"], &vocab()).unwrap()), ["税"]);
        assert_eq!(texts(&understand(&["lihun", "房"], &vocab()).unwrap()), ["离婚", "房"]);
        let u = understand(&["离婚房子给谁"], &vocab()).unwrap();
        assert_eq!(texts(&u), ["离婚", "房子"]);
        assert_eq!(u.dropped, ["给", "谁"]);
    }

    #[test]
    fn a_one_character_verb_the_lexicon_knows_is_a_term() {
        let u = understand(&["公司不给加班费谁来赔"], &vocab()).unwrap();
        assert_eq!(texts(&u), ["公司", "加班费", "赔"]);
        assert_eq!(u.terms[2].alternatives, ["赔偿"]);
        assert!(!u.dropped.contains(&"赔".to_owned()));
        assert_eq!(texts(&understand(&["赔"], &vocab()).unwrap()), ["赔"]);
        assert_eq!(understand(&["赔"], &vocab()).unwrap().terms[0].alternatives, ["赔偿"]);
    }
}

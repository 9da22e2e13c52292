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

/// A life situation told in pieces (a topic's `together`): a query holding a word of each
/// group means it, as one of its words would.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Together {
    pub groups: Vec<Vec<String>>,
    /// The topic and its key articles (no terms: the words said are searched as they are).
    pub info: PhraseInfo,
}

impl Together {
    /// Where the query has told the situation, if it holds a word of every group: the byte
    /// offset in the typed text of the earliest cue of the group said last, so situations can be
    /// listed in the order told. A cue of one character must be a whole word of the query (打,
    /// not the 打 of 打工) or a statute word it was read as; a longer cue may also stand anywhere
    /// in the typed text (不给 in 老板不给工资, which jieba cuts into 不 给). Statute words are
    /// compared whole (出卖人, read from 开发商, does not hold the cue 出卖) and count where the
    /// term they were read from is typed.
    fn told_at(&self, typed: &str, words: &[&str], terms: &[QueryTerm]) -> Option<usize> {
        let at = |cue: &str| {
            if let Some(t) = terms.iter().find(|t| t.alternatives.iter().any(|a| a == cue)) {
                return Some(typed.find(t.text.as_str()).unwrap_or(typed.len()));
            }
            if cue.chars().count() >= 2 {
                typed.find(cue)
            } else {
                words.contains(&cue).then(|| typed.find(cue).unwrap_or(typed.len()))
            }
        };
        let mut told = None;
        for group in &self.groups {
            let first = group.iter().filter_map(|c| at(c)).min()?;
            told = told.max(Some(first));
        }
        told
    }
}

/// A 办事指南 a query can name: typing every word of its name (法律援助 and 申请, in any order
/// and among other words) opens it, as a topic's word opens a situation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedGuide {
    pub id: String,
    /// The words of its name of two or more characters (法律援助申请 → 法律援助, 申请).
    pub words: Vec<String>,
    /// The articles it rests on (its basis): (law doc, article number).
    pub articles: Vec<(i64, i64)>,
}

/// The hall's vocabulary as query understanding needs it; the store implements it.
pub trait Vocabulary {
    /// Everything known about exactly this phrase, if anything.
    fn phrase(&self, phrase: &str) -> Option<&PhraseInfo>;
    /// The best word for typed pinyin letters.
    fn pinyin_word(&self, letters: &str) -> Result<Option<String>>;
    /// The situations recognised by words told apart.
    fn together(&self) -> &[Together] {
        &[]
    }
    /// The 办事指南 a query may name.
    fn guides(&self) -> &[NamedGuide] {
        &[]
    }
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
    /// Key articles of topics the query tells in pieces (a topic's `together`), not already
    /// among `topic_articles`: weighed with the best of, never ahead of it — a guess from two
    /// words said apart is weaker than a word of the topic typed.
    pub told_articles: Vec<(i64, i64)>,
    /// 办事指南 whose name the query spells, in guide order; their basis articles are among
    /// `topic_articles`, so those holding every term lead.
    pub guides: Vec<String>,
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
    let typed = pieces.concat();
    out.add_situations_told_in_pieces(&typed, vocab);
    out.add_guides_named(&typed, vocab);
    Ok(out)
}

impl Understood {
    /// 办事指南 every word of whose name the query holds, typed or read from pinyin (法律援助 申请,
    /// 怎么申请法律援助, falvyuanzhu shenqing → 法律援助申请): the guide is shown above the hits,
    /// and the articles it rests on weigh as a situation's key articles do.
    fn add_guides_named(&mut self, typed: &str, vocab: &dyn Vocabulary) {
        if self.terms.is_empty() {
            return;
        }
        let held =
            |w: &String| typed.contains(w.as_str()) || self.terms.iter().any(|t| &t.text == w);
        for guide in vocab.guides() {
            if guide.words.is_empty() || !guide.words.iter().all(held) {
                continue;
            }
            self.guides.push(guide.id.clone());
            for a in &guide.articles {
                if !self.topic_articles.contains(a) {
                    self.topic_articles.push(*a);
                }
            }
            self.told_articles.retain(|a| !guide.articles.contains(a));
        }
    }

    /// Topics whose `together` cues the query holds (老公 … 打 → 家庭暴力): shown as if a word
    /// of the topic had been typed, their key articles weighed with the best of. Dropped words
    /// count (不管 in 儿子都不管我): they are not searched, but they tell the situation.
    fn add_situations_told_in_pieces(&mut self, typed: &str, vocab: &dyn Vocabulary) {
        let together = vocab.together();
        if together.is_empty() || self.terms.is_empty() {
            return;
        }
        let words: Vec<&str> = self
            .terms
            .iter()
            .map(|t| t.text.as_str())
            .chain(self.dropped.iter().map(String::as_str))
            .collect();
        let mut told: Vec<(usize, &Together)> = together
            .iter()
            .filter_map(|t| Some((t.told_at(typed, &words, &self.terms)?, t)))
            .collect();
        // In the order the resident told them, not the order of the topics' ids.
        told.sort_by_key(|(at, _)| *at);
        for (_, situation) in told {
            for t in &situation.info.topics {
                if !self.topics.contains(t) {
                    self.topics.push(t.clone());
                }
            }
            for a in &situation.info.topic_articles {
                if !self.topic_articles.contains(a) && !self.told_articles.contains(a) {
                    self.told_articles.push(*a);
                }
            }
        }
    }
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
            // A filler of three or more characters is dropped whole where jieba would cut it
            // (打不通 → 打 不通, and 打 alone reads as 殴打), also with an aspect particle
            // after its verb (打了电话, 打过电话, 打了个电话) — unless a known phrase starts
            // inside it and runs on (是不是亲生的: 不是亲生的; 电话诈骗 in 打电话诈骗).
            if len >= 3
                && (fillers::is_filler(&phrase) || is_filler_with_particle(&chars[i..i + len]))
                && !phrase_starts_inside(chars, i, len, vocab)
            {
                segment_rest(&mut rest, vocab, out, singles, &mut run);
                out.dropped.push(phrase);
                run.end(out);
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

/// Aspect particles that may follow a one-character verb without changing what the verb and
/// its object mean: 打了电话 is 打电话.
const ASPECT_PARTICLES: [char; 3] = ['了', '过', '着'];

/// Whether `chars` is a filler of three or more characters with an aspect particle after its
/// first character (打了电话 → 打电话, 打了个电话 → 打个电话).
fn is_filler_with_particle(chars: &[char]) -> bool {
    chars.len() >= 4 && ASPECT_PARTICLES.contains(&chars[1]) && {
        let plain: String = chars[..1].iter().chain(&chars[2..]).collect();
        fillers::is_filler(&plain)
    }
}

/// Whether a vocabulary phrase starts inside `chars[at..at + len]` (not at `at`) and runs past
/// its end.
fn phrase_starts_inside(chars: &[char], at: usize, len: usize, vocab: &dyn Vocabulary) -> bool {
    (at + 1..at + len).any(|j| {
        (at + len - j + 1..=MAX_PHRASE_CHARS.min(chars.len() - j)).any(|l| {
            let phrase: String = chars[j..j + l].iter().collect();
            vocab.phrase(&phrase).is_some()
        })
    })
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

    /// The fixed vocabulary with situations told in pieces.
    struct Told(Fixed, Vec<Together>);
    impl Vocabulary for Told {
        fn phrase(&self, phrase: &str) -> Option<&PhraseInfo> {
            self.0.phrase(phrase)
        }
        fn pinyin_word(&self, letters: &str) -> Result<Option<String>> {
            self.0.pinyin_word(letters)
        }
        fn together(&self) -> &[Together] {
            &self.1
        }
    }

    /// The fixed vocabulary with one 办事指南 a query may name.
    struct Guided(Fixed, Vec<NamedGuide>);
    impl Vocabulary for Guided {
        fn phrase(&self, phrase: &str) -> Option<&PhraseInfo> {
            self.0.phrase(phrase)
        }
        fn pinyin_word(&self, letters: &str) -> Result<Option<String>> {
            let word = match letters {
                "flyz" => "法律援助",
                "sq" => "申请",
                _ => return self.0.pinyin_word(letters),
            };
            Ok(Some(word.to_owned()))
        }
        fn guides(&self) -> &[NamedGuide] {
            &self.1
        }
    }

    #[test]
    fn a_guide_is_named_by_every_word_of_its_name_in_any_order() {
        let guide = NamedGuide {
            id: "legal-aid".into(),
            words: vec!["法律援助".into(), "申请".into()],
            articles: vec![(3, 38), (3, 43)],
        };
        let v = Guided(vocab(), vec![guide]);
        for said in
            [&["法律援助", "申请"][..], &["怎么申请法律援助"], &["法律援助申请"], &["flyz", "sq"]]
        {
            let u = understand(said, &v).unwrap();
            assert_eq!(u.guides, ["legal-aid"], "{said:?}");
            assert_eq!(u.topic_articles, [(3, 38), (3, 43)], "{said:?}");
        }
        // One word of the name is not the guide: 申请 is in many questions.
        for said in ["申请", "法律援助", "我想申请离婚"] {
            let u = understand(&[said], &v).unwrap();
            assert!(u.guides.is_empty() && u.topic_articles.is_empty(), "{said}: {u:?}");
        }
    }

    #[test]
    fn a_call_is_not_a_blow() {
        let u = understand(&["老板电话也打不通"], &vocab()).unwrap();
        assert!(!texts(&u).contains(&"打"), "{:?}", texts(&u));
        assert!(u.dropped.contains(&"打不通".to_owned()), "{:?}", u.dropped);
        assert!(texts(&understand(&["老公喝了酒就打我"], &vocab()).unwrap()).contains(&"打"));
        // A phrase the vocabulary knows that starts inside a filler keeps its words.
        assert!(
            texts(&understand(&["孩子是不是亲生的"], &vocab()).unwrap()).contains(&"不是亲生的")
        );
        assert!(texts(&understand(&["有人打电话诈骗"], &vocab()).unwrap()).contains(&"电话诈骗"));
        // Nor is a call with an aspect particle after its verb.
        for said in ["老公打了电话给我", "老公给我打了个电话", "他打过电话来"]
        {
            let u = understand(&[said], &vocab()).unwrap();
            assert!(!texts(&u).iter().any(|t| t.contains('打')), "{said}: {:?}", texts(&u));
        }
        assert!(texts(&understand(&["老公打了我"], &vocab()).unwrap()).contains(&"打"));
    }

    #[test]
    fn a_situation_told_in_pieces_opens_its_topic() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let situation = Together {
            groups: vec![words(&["老公", "配偶"]), words(&["打", "殴打"])],
            info: PhraseInfo {
                topics: vec!["domestic-violence".into()],
                topic_articles: vec![(7, 23)],
                ..Default::default()
            },
        };
        let v = Told(vocab(), vec![situation]);
        let u = understand(&["老公喝了酒就打我"], &v).unwrap();
        assert_eq!(u.topics, ["domestic-violence"]);
        assert_eq!(u.told_articles, [(7, 23)]);
        assert!(u.topic_articles.is_empty());
        // The cue words are not searched for it: the terms are what was said.
        assert!(!texts(&u).contains(&"殴打"), "{:?}", texts(&u));
        // One group alone is not the situation, and 打 inside 打工 is not a blow.
        assert!(understand(&["老公出去打工了"], &v).unwrap().topics.is_empty());
        assert!(understand(&["老公打了电话给我"], &v).unwrap().topics.is_empty());
        assert!(understand(&["老公喝了酒"], &v).unwrap().topics.is_empty());
        // A longer cue is found in the typed text, where jieba cut it (不给 → 不 给); a statute
        // word a resident's word was read as is compared whole (出卖人 does not hold 出卖).
        let wages = Together {
            groups: vec![words(&["工资"]), words(&["不给", "拖欠"])],
            info: PhraseInfo { topics: vec!["unpaid-wages".into()], ..Default::default() },
        };
        let sold = Together {
            groups: vec![words(&["身份证"]), words(&["出卖", "泄露"])],
            info: PhraseInfo { topics: vec!["personal-info".into()], ..Default::default() },
        };
        let v = Told(vocab(), vec![wages, sold]);
        assert_eq!(understand(&["老板不给工资"], &v).unwrap().topics, ["unpaid-wages"]);
        assert!(understand(&["开发商要我身份证复印件"], &v).unwrap().topics.is_empty());
        // Two situations told in one question are listed in the order they were told.
        for (said, order) in [
            ("身份证被泄露了，老板还不给工资", ["personal-info", "unpaid-wages"]),
            ("老板不给工资，身份证还被泄露了", ["unpaid-wages", "personal-info"]),
        ] {
            assert_eq!(understand(&[said], &v).unwrap().topics, order, "{said}");
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
        m.insert("打".into(), terms(&["殴打"]));
        m.insert("不是亲生的".into(), terms(&["亲子关系"]));
        m.insert("电话诈骗".into(), terms(&["电信网络诈骗"]));
        m.insert("开发商".into(), terms(&["出卖人"]));
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

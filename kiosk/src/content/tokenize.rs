//! Chinese-aware tokens for the full-text index.
//!
//! FTS5's own tokenizers do not serve Chinese: `unicode61` keeps a whole run of hanzi as one token
//! and `trigram` cannot match queries shorter than three characters, yet residents type 离婚, 工资,
//! 继承 (two characters) or a single 税. So the kiosk tokenizes itself, CJK-bigram style, and hands
//! FTS5 space-separated tokens (`tokenize='ascii'` then only splits on the spaces):
//!
//! * the **bigram** column holds every pair of neighbouring hanzi (离婚协议 → 离婚 婚协 协议), and
//!   ASCII words lower-cased. A query of n ≥ 2 characters is the phrase of its n-1 bigrams, which
//!   matches exactly the texts containing those n characters in a row.
//! * the **unigram** column holds every hanzi alone; it serves 1-character queries and the
//!   "scattered characters" fallback (all characters present, not necessarily together).

/// A run of text that tokenizes as one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// Neighbouring CJK (non-ASCII letter) characters.
    Cjk(Vec<char>),
    /// An ASCII letter/digit word, lower-cased.
    Word(String),
}

/// Full-width ASCII (ＡＢＣ１２３) → ASCII, lower-case; everything else unchanged.
pub fn normalize_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Splits text into CJK runs and ASCII words; punctuation and spaces separate runs.
pub fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush = |cjk: &mut Vec<char>, word: &mut String, out: &mut Vec<Run>| {
        if !cjk.is_empty() {
            out.push(Run::Cjk(std::mem::take(cjk)));
        }
        if !word.is_empty() {
            out.push(Run::Word(std::mem::take(word)));
        }
    };
    for c in text.chars().map(normalize_char) {
        if c.is_ascii_alphanumeric() {
            if !cjk.is_empty() {
                flush(&mut cjk, &mut String::new(), &mut out);
            }
            word.push(c);
        } else if c.is_alphanumeric() {
            if !word.is_empty() {
                flush(&mut Vec::new(), &mut word, &mut out);
            }
            cjk.push(c);
        } else {
            flush(&mut cjk, &mut word, &mut out);
        }
    }
    flush(&mut cjk, &mut word, &mut out);
    out
}

/// The two index columns' token strings for a text: (bigrams and words, unigrams).
pub fn index_tokens(text: &str) -> (String, String) {
    let mut bi = String::with_capacity(text.len() * 2);
    let mut uni = String::with_capacity(text.len());
    for run in runs(text) {
        match run {
            Run::Cjk(chars) => {
                for pair in chars.windows(2) {
                    bi.push(pair[0]);
                    bi.push(pair[1]);
                    bi.push(' ');
                }
                for c in chars {
                    uni.push(c);
                    uni.push(' ');
                }
            }
            Run::Word(w) => {
                bi.push_str(&w);
                bi.push(' ');
            }
        }
    }
    (bi, uni)
}

/// One query term as FTS5 expressions against the two columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermQuery {
    /// The term as typed (normalized) and then its alternatives, for snippets and highlighting.
    pub texts: Vec<String>,
    /// FTS5 expression on the bigram table, `None` when the term is a single hanzi.
    pub bigram_expr: Option<String>,
    /// FTS5 expression on the unigram table for single hanzi, `None` otherwise.
    pub unigram_expr: Option<String>,
    /// Every hanzi of the term as typed, for the "scattered characters" fallback.
    pub chars: Vec<char>,
}

/// Turns one typed term into index expressions; `None` when it holds nothing searchable.
#[cfg(test)]
pub fn term_query(term: &str) -> Option<TermQuery> {
    term_query_with(term, &[])
}

/// Like [`term_query`], also matching any of `alternatives` (multi-character words) instead.
pub fn term_query_with(term: &str, alternatives: &[&str]) -> Option<TermQuery> {
    let term_runs = runs(term);
    if term_runs.is_empty() {
        return None;
    }
    // A resident's one-character word the lexicon knows (赔 → 赔偿) is searched by what it
    // means: the character alone is in a good part of the corpus and says little.
    if matches!(term_runs.as_slice(), [Run::Cjk(cs)] if cs.len() == 1) {
        let meant: Vec<Vec<char>> = alternatives
            .iter()
            .filter_map(|alt| match runs(alt).as_slice() {
                [Run::Cjk(cs)] if cs.len() >= 2 => Some(cs.clone()),
                _ => None,
            })
            .collect();
        if !meant.is_empty() {
            let any: Vec<String> = meant.iter().map(|cs| bigram_phrase(cs)).collect();
            return Some(TermQuery {
                texts: meant.iter().map(|cs| cs.iter().collect()).collect(),
                bigram_expr: Some(format!("({})", any.join(" OR "))),
                unigram_expr: None,
                chars: Vec::new(),
            });
        }
    }
    let mut phrases = Vec::new();
    let mut singles = Vec::new();
    let mut chars = Vec::new();
    let mut text = String::new();
    for run in &term_runs {
        match run {
            Run::Cjk(cs) if cs.len() == 1 => {
                singles.push(format!("\"{}\"", cs[0]));
                chars.push(cs[0]);
                text.push(cs[0]);
            }
            Run::Cjk(cs) => {
                phrases.push(bigram_phrase(cs));
                chars.extend(cs);
                text.extend(cs);
            }
            Run::Word(w) => {
                phrases.push(format!("\"{w}\""));
                text.push_str(w);
            }
        }
    }
    let mut texts = vec![text];
    let mut bigram_expr = (!phrases.is_empty()).then(|| phrases.join(" AND "));
    // Alternatives widen a plain multi-character word only: 工资 → (工资 OR 劳动报酬).
    if let (Some(expr), true) = (&bigram_expr, singles.is_empty() && term_runs.len() == 1) {
        let mut any = vec![expr.clone()];
        for alt in alternatives {
            if let [Run::Cjk(cs)] = runs(alt).as_slice() {
                if cs.len() >= 2 {
                    any.push(bigram_phrase(cs));
                    texts.push(cs.iter().collect());
                }
            }
        }
        if any.len() > 1 {
            bigram_expr = Some(format!("({})", any.join(" OR ")));
        }
    }
    Some(TermQuery {
        texts,
        bigram_expr,
        unigram_expr: (!singles.is_empty()).then(|| singles.join(" AND ")),
        chars,
    })
}

/// `拖欠工资` → `"拖欠 欠工 工资"`: the phrase of neighbouring bigrams.
fn bigram_phrase(cs: &[char]) -> String {
    let tokens: Vec<String> = cs.windows(2).map(|p| format!("{}{}", p[0], p[1])).collect();
    format!("\"{}\"", tokens.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_and_unigrams() {
        let (bi, uni) = index_tokens("夫妻双方自愿离婚的，应当签订ＧＢ１２协议");
        assert!(bi.contains("离婚 "));
        assert!(!bi.contains("的应"), "punctuation separates runs");
        assert!(bi.contains("gb12 "));
        assert!(uni.starts_with("夫 妻 双"));
    }

    #[test]
    fn queries_of_every_length() {
        let one = term_query("税").unwrap();
        assert_eq!(one.unigram_expr.as_deref(), Some("\"税\""));
        assert_eq!(one.bigram_expr, None);
        let two = term_query("离婚").unwrap();
        assert_eq!(two.bigram_expr.as_deref(), Some("\"离婚\""));
        let four = term_query("拖欠工资").unwrap();
        assert_eq!(four.bigram_expr.as_deref(), Some("\"拖欠 欠工 工资\""));
        assert_eq!(four.chars, vec!['拖', '欠', '工', '资']);
        assert!(term_query("，。").is_none());
        let wage = term_query_with("工资", &["劳动报酬"]).unwrap();
        assert_eq!(wage.bigram_expr.as_deref(), Some("(\"工资\" OR \"劳动 动报 报酬\")"));
        assert_eq!(wage.texts, vec!["工资", "劳动报酬"]);
        // A one-character word with a meaning is searched by the meaning alone.
        let pay = term_query_with("赔", &["赔偿", "损害赔偿"]).unwrap();
        assert_eq!(pay.bigram_expr.as_deref(), Some("(\"赔偿\" OR \"损害 害赔 赔偿\")"));
        assert_eq!((pay.texts, pay.unigram_expr), (vec!["赔偿".into(), "损害赔偿".into()], None));
    }
}

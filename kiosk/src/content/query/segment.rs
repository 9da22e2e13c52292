//! Words out of a run of hanzi: jieba's dictionary segmenter, built once per process.
//!
//! Building the segmenter parses jieba's embedded dictionary (≈350 000 words), which takes a
//! few hundred milliseconds. The kiosk calls [`warm_up`] on a background thread at start so the
//! first search does not wait; later callers share the same instance.

use std::sync::OnceLock;

use jieba_rs::Jieba;

static SEGMENTER: OnceLock<Jieba> = OnceLock::new();

fn segmenter() -> &'static Jieba {
    SEGMENTER.get_or_init(Jieba::new)
}

/// Builds the segmenter now (call from a background thread at start).
pub fn warm_up() {
    segmenter();
}

/// The words of `text` in order. Unknown stretches come out as single characters: the hidden
/// Markov model that guesses new words is off, because guessed words (加班费怎 …) would be
/// searched as phrases no statute contains.
pub fn words(text: &str) -> Vec<&str> {
    segmenter().cut(text, false).into_iter().map(|t| t.word).collect()
}

/// Whether jieba's dictionary knows `word` (used to keep pinyin candidates to real words).
pub fn is_word(word: &str) -> bool {
    segmenter().has_word(word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_question_splits_into_words() {
        assert_eq!(super::words("试用期可以随便辞退吗"), ["试用期", "可以", "随便", "辞退", "吗"]);
        assert!(super::is_word("加班费"));
        assert!(!super::is_word("理婚"));
    }
}

//! Text as residents read it. Chinese may break a line between any two characters, so a word
//! is often cut at a line's end (司 / 法鉴定, 请重新输 / 入) or a paragraph ends on a lone
//! 可。. Every wrapped text on the screens goes through [`prose`] (the Slint global `Typeset`),
//! which glues the characters of each word together with word joiners, so lines break only
//! between words.

use crate::content::query::segment;
use crate::text::zh;

/// `text` with each word's characters joined: breaks fall between words only. Words come from
/// the segmenter's dictionary; what it does not know stays breakable character by character.
/// The first call waits for the segmenter (the kiosk warms it at start, off the UI thread), so
/// the same text always breaks the same way.
pub fn prose(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    // Joiners already there (a name list kept whole, text set before) stay: the segmenter reads
    // the text without them, and they are put back after the character they followed.
    let mut plain = String::with_capacity(text.len());
    let mut glued_after = Vec::new(); // char indices of `plain` followed by a joiner
    let mut chars = 0;
    for c in text.chars() {
        if c != zh::WORD_JOINER {
            plain.push(c);
            chars += 1;
        } else if chars > 0 {
            // (A joiner before the first character glues nothing.)
            glued_after.push(chars - 1);
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut index = 0;
    for word in segment::words(&plain) {
        let n = word.chars().count();
        for (i, c) in word.chars().enumerate() {
            out.push(c);
            let inside = i + 1 < n;
            if inside || glued_after.binary_search(&index).is_ok() {
                out.push(zh::WORD_JOINER);
            }
            index += 1;
        }
    }
    out
}

/// Wires the `Typeset` global's functions.
pub(crate) fn install(window: &super::AppWindow) {
    use slint::ComponentHandle;
    let typeset = window.global::<super::Typeset>();
    typeset.on_prose(|text| prose(&text).into());
    typeset.on_unbroken(|text| zh::unbroken(&text).into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stay_whole_and_the_text_reads_the_same() {
        let text = "带上证明材料即可。申请司法鉴定";
        let set = prose(text);
        // Nothing but joiners is added, and only inside words.
        assert_eq!(set.replace(zh::WORD_JOINER, ""), text);
        assert!(set.contains("即\u{2060}可"), "{set:?}");
        assert!(set.contains("鉴\u{2060}定"), "{set:?}");
        assert!(!set.contains("可\u{2060}。"), "punctuation is not glued: {set:?}");
        // Idempotent: a text set twice is set once.
        assert_eq!(prose(&set), set);
        // Glue already there stays, even where the segmenter breaks (的 / 了 are two words);
        // a joiner before the first character glues nothing.
        let set = prose("\u{2060}的\u{2060}了是");
        assert_eq!(set, "的\u{2060}了是", "{set:?}");
    }
}

//! What the resident has typed: committed words, pending pinyin letters, and characters written
//! by hand (a run of them is one word: 离 then 婚 is 离婚).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchInput {
    /// Words already chosen (from candidates or hot topics); searched together (AND).
    pub committed: Vec<String>,
    /// Letters typed since the last word was chosen.
    pub pinyin: String,
    /// Characters written on the handwriting pad since the last word was committed.
    pub handwritten: String,
}

/// Pending pinyin longer than this is a finger resting on the keyboard, not a word.
const MAX_PINYIN: usize = 24;

impl SearchInput {
    pub fn is_empty(&self) -> bool {
        self.committed.is_empty() && self.pinyin.is_empty() && self.handwritten.is_empty()
    }

    /// A character recognised on the handwriting pad joins the word being written.
    pub fn write(&mut self, character: &str) {
        if self.handwritten.chars().count() < MAX_PINYIN {
            self.handwritten.push_str(character);
        }
    }

    /// Committed words and the word being written, as the query box shows them.
    pub fn shown(&self) -> String {
        let mut words = self.committed.clone();
        if !self.handwritten.is_empty() {
            words.push(self.handwritten.clone());
        }
        words.join(" ")
    }

    /// A letter key; space commits `top_candidate` (the word the candidate bar shows first).
    pub fn key(&mut self, key: &str, top_candidate: Option<&str>) {
        if key == " " {
            if let Some(word) = top_candidate {
                self.pick(word);
            }
        } else if self.pinyin.len() < MAX_PINYIN {
            self.pinyin.extend(key.chars().filter(|c| c.is_ascii_lowercase()));
        }
    }

    /// Removes the last letter, or the last word when no letters are pending.
    pub fn backspace(&mut self) {
        if self.pinyin.pop().is_none() && self.handwritten.pop().is_none() {
            self.committed.pop();
        }
    }

    pub fn pick(&mut self, word: &str) {
        self.pinyin.clear();
        if !self.handwritten.is_empty() {
            let written = std::mem::take(&mut self.handwritten);
            self.committed.push(written);
        }
        if !self.committed.iter().any(|w| w == word) {
            self.committed.push(word.to_owned());
        }
    }

    pub fn clear(&mut self) {
        *self = SearchInput::default();
    }

    /// The terms to search now: the committed words and the best reading of pending pinyin.
    pub fn terms<'a>(&'a self, top_candidate: Option<&'a str>) -> Vec<&'a str> {
        let mut terms: Vec<&str> = self.committed.iter().map(String::as_str).collect();
        if !self.handwritten.is_empty() {
            terms.push(&self.handwritten);
        }
        if !self.pinyin.is_empty() {
            terms.push(top_candidate.unwrap_or(&self.pinyin));
        }
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_picking_and_backspace() {
        let mut s = SearchInput::default();
        for k in ["l", "i", "h", "u", "n"] {
            s.key(k, None);
        }
        assert_eq!(s.terms(Some("离婚")).join(" "), "离婚");
        s.key(" ", Some("离婚"));
        assert_eq!(s.committed, vec!["离婚"]);
        s.key("g", None);
        assert_eq!(s.terms(Some("工资")), ["离婚", "工资"]);
        s.backspace();
        s.backspace();
        assert!(s.is_empty());
        s.write("离");
        s.write("婚");
        assert_eq!(s.terms(None), ["离婚"]);
        s.key("c", None);
        s.pick("财产");
        assert_eq!(s.committed, ["离婚", "财产"]);
        s.write("房");
        s.backspace();
        s.backspace();
        assert_eq!(s.shown(), "离婚");
    }
}

//! The kiosk's own words in the resident's language, for the sentences Rust composes: the legal
//! aid check's questions and answers, what 朗读 says, what a take-away page prints.
//!
//! The pages write their words with Slint's `@tr`; Rust writes its sentences as [`Phrase`]s,
//! kept as the Simplified Chinese template and its values, and written in a language only when
//! shown, printed or spoken, so that a language switch rewrites them. Both draw on the same
//! catalogue, `kiosk/lang/<locale>/LC_MESSAGES/kiosk.po`: `tools/extract-strings` collects every
//! `zh!("…")` and `phrase!("…", …)` literal in `kiosk/src` into `kiosk.pot` under the msgctxt
//! [`RUST_CONTEXT`], beside the pages' strings, and `--check` fails on one not translated.
//!
//! Templates use Slint's placeholders, `{}` in order or `{0}`, `{1}` by position, so that one
//! syntax serves the whole catalogue.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The msgctxt of every string Rust writes (Slint's are the names of their components).
pub const RUST_CONTEXT: &str = "Rust";

/// The languages the kiosk writes its own words in; law texts stay in their official language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// 简体中文, the source language of every string.
    Hans,
    /// 繁體中文.
    Hant,
    English,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Hans, Language::Hant, Language::English];

    /// The code the UI uses (`Access.language`).
    pub fn code(self) -> &'static str {
        match self {
            Language::Hans => "zh-Hans",
            Language::Hant => "zh-Hant",
            Language::English => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The catalogue's folder under `kiosk/lang/` (empty: the source strings).
    pub fn bundle(self) -> &'static str {
        match self {
            Language::Hans => "",
            Language::Hant => "zh_TW",
            Language::English => "en",
        }
    }

    /// Whether the language writes Chinese (the voice then reads it in Mandarin).
    pub fn is_chinese(self) -> bool {
        self != Language::English
    }
}

/// Marks a Simplified Chinese string for the catalogue; it stays the literal itself, to be
/// written in a language with [`tr`] where it is shown.
#[macro_export]
macro_rules! zh {
    ($msgid:literal) => {
        $msgid
    };
}

/// A [`Phrase`] from its template and values: `phrase!("约{}分钟", minutes)`; a value is any
/// [`Arg`] (text and numbers as written, [`Arg::term`] and [`Arg::numeral`] per language).
#[macro_export]
macro_rules! phrase {
    ($msgid:literal $(, $arg:expr)* $(,)?) => {
        $crate::text::i18n::Phrase::new($msgid, vec![$($crate::text::i18n::Arg::from($arg)),*])
    };
}

/// A value in a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Written as it is: a name from the content, a number, a time.
    Text(String),
    /// One of the kiosk's own words (a `zh!` string), written in the phrase's language.
    Term(&'static str),
    /// A statute's article number: 第三十一条 in Chinese, Article 31 in English.
    Numeral(u32),
}

impl Arg {
    pub fn term(zh: &'static str) -> Arg {
        Arg::Term(zh)
    }

    pub fn numeral(n: u32) -> Arg {
        Arg::Numeral(n)
    }

    fn write(&self, language: Language) -> String {
        match self {
            Arg::Text(text) => text.clone(),
            Arg::Term(zh) => tr(language, zh).to_owned(),
            Arg::Numeral(n) if language.is_chinese() => super::zh::number(*n),
            Arg::Numeral(n) => n.to_string(),
        }
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Arg {
        Arg::Text(text.clone())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Text(n.to_string())
            }
        }
    )*};
}
number_args!(i32, i64, u32, u64, usize);

/// A sentence the kiosk writes: its Simplified Chinese template and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    msgid: &'static str,
    args: Vec<Arg>,
}

impl Phrase {
    /// Use [`phrase!`], which the catalogue's extraction finds.
    pub fn new(msgid: &'static str, args: Vec<Arg>) -> Phrase {
        Phrase { msgid, args }
    }

    /// The phrase in `language`.
    pub fn text(&self, language: Language) -> String {
        let args: Vec<String> = self.args.iter().map(|a| a.write(language)).collect();
        fill(tr(language, self.msgid), &args)
    }

    /// The source template (what tests and the technician's logs name it by).
    pub fn msgid(&self) -> &'static str {
        self.msgid
    }
}

/// The phrase in Simplified Chinese.
impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Language::Hans))
    }
}

/// `msgid` (a `zh!` string or a phrase's template) in `language`; the source string when the
/// catalogue has no translation (as Slint does for a page's string).
pub fn tr(language: Language, msgid: &'static str) -> &'static str {
    catalogue(language).get(msgid).copied().unwrap_or(msgid)
}

/// Fills Slint-style placeholders: `{}` takes the next value, `{N}` the N-th; `{{`/`}}` are
/// braces. A placeholder without a value stays as written, so a bad translation shows, not
/// panics.
fn fill(template: &str, args: &[String]) -> String {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(String::len).sum::<usize>());
    let mut next = 0;
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let close = match tail.find('}') {
            Some(close) if tail.starts_with('{') => close,
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
                continue;
            }
        };
        let inside = &tail[1..close];
        let index = if inside.is_empty() {
            next += 1;
            Some(next - 1)
        } else {
            inside.parse::<usize>().ok()
        };
        match index.and_then(|i| args.get(i)) {
            Some(value) => out.push_str(value),
            None => out.push_str(&tail[..=close]),
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The catalogues, compiled in (the same files Slint bundles) and read on first use: a kiosk
/// that stays in 简体中文 never parses one.
fn catalogue(language: Language) -> &'static HashMap<&'static str, &'static str> {
    static HANT: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static ENGLISH: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static NONE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match language {
        Language::Hans => NONE.get_or_init(HashMap::new),
        Language::Hant => {
            HANT.get_or_init(|| parse(include_str!("../../lang/zh_TW/LC_MESSAGES/kiosk.po")))
        }
        Language::English => {
            ENGLISH.get_or_init(|| parse(include_str!("../../lang/en/LC_MESSAGES/kiosk.po")))
        }
    }
}

/// The translated `RUST_CONTEXT` entries of a catalogue. The strings are leaked once per
/// language (a few kilobytes, for the life of the process) so that lookups hand out `&'static
/// str` like the source strings they stand for.
fn parse(po: &str) -> HashMap<&'static str, &'static str> {
    let file = match rspolib::pofile(po) {
        Ok(file) => file,
        Err(e) => {
            // `tools/extract-strings --check` and the unit test below keep this from happening
            // on a shipped build; should it, the kiosk writes the source strings.
            tracing::error!("translation catalogue unreadable: {e}");
            return HashMap::new();
        }
    };
    file.translated_entries()
        .into_iter()
        .filter(|e| e.msgctxt.as_deref() == Some(RUST_CONTEXT))
        .filter_map(|e| {
            let msgstr = e.msgstr.as_deref()?;
            let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
            Some((leak(&e.msgid), leak(msgstr)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_in_order_and_by_position() {
        let args = ["甲".to_owned(), "乙".to_owned()];
        assert_eq!(fill("{}与{}", &args), "甲与乙");
        assert_eq!(fill("{1} before {0}", &args), "乙 before 甲");
        assert_eq!(fill("{{literal}} {}", &args), "{literal} 甲");
        assert_eq!(fill("{} {} {}", &args), "甲 乙 {}", "a missing value shows, not panics");
        assert_eq!(fill("no placeholder", &args), "no placeholder");
    }

    #[test]
    fn the_catalogues_parse_and_hold_rust_strings() {
        for language in [Language::Hant, Language::English] {
            assert!(!catalogue(language).is_empty(), "{language:?} has no Rust strings");
        }
    }

    #[test]
    fn numerals_follow_the_language() {
        let p = Phrase::new("第{}条", vec![Arg::numeral(31)]);
        assert_eq!(p.text(Language::Hans), "第三十一条");
        assert_eq!(p.to_string(), "第三十一条");
        assert_eq!(tr(Language::Hans, "第{}条"), "第{}条");
    }
}

//! Law references in hall content (guides' 设定依据, topics' key articles, the everyday
//! lexicon's named articles), checked against the laws being bundled: a tap on one always
//! opens the reader at real text.

use crate::content::law::{find_by_name, LawDoc};

use super::guides::LawRef;

/// One line per reference whose law or article the laws do not hold; `refs` pairs each
/// reference with where it was written (`guide legal-aid`, `topic unpaid-wages`).
pub fn dangling<'a>(
    refs: impl IntoIterator<Item = (String, &'a LawRef)>,
    laws: &[LawDoc],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (place, r) in refs {
        let Some(law) = find_by_name(laws, &r.law) else {
            problems.push(format!("{place}: no law {:?}", r.law));
            continue;
        };
        match r.article_number() {
            Ok(Some(n)) if !law.has_article(n) => problems.push(format!(
                "{place}: {} has no {}",
                r.law,
                r.article.as_deref().unwrap_or("")
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{place}: {e:#}")),
        }
    }
    problems
}

//! One law document: its metadata and its structure (编/章/节 headings, articles, paragraphs),
//! parsed from the corpus' markdown.
//!
//! The markdown convention (see `shared/data/README.md`): `# 标题`, one line per adoption or
//! amendment, `<!-- INFO END -->`, then the body. Heading depth is relative per law; every article
//! is a paragraph that starts with `第X条` and a space. Paragraphs that follow an article without
//! their own number are further 款 of that article.

use serde::{Deserialize, Serialize};

use crate::text::zh;

/// A law's validity, as the national database states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "有效")]
    InForce,
    #[serde(rename = "已修改")]
    Amended,
    #[serde(rename = "失效")]
    Repealed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::InForce => "有效",
            Status::Amended => "已修改",
            Status::Repealed => "失效",
        }
    }
    /// Rank in every list and lookup: in force, then amended, then repealed.
    pub fn order(self) -> u8 {
        match self {
            Status::InForce => 0,
            Status::Amended => 1,
            Status::Repealed => 2,
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "有效" => Some(Status::InForce),
            "已修改" => Some(Status::Amended),
            "失效" => Some(Status::Repealed),
            _ => None,
        }
    }
}

/// One block of a law's body, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// 编/章/节 heading; `level` 1 is the law's outermost heading level.
    Heading { level: u8, text: String },
    /// A numbered article: `label` as printed (`第一千零七十九条`, `第一百二十条之一`, `一、`),
    /// `number` its integer value (1079, 120, 1) for "jump to article".
    Article { label: String, number: u32, text: String },
    /// Unnumbered text: preambles, standards, case reports.
    Paragraph { text: String },
}

impl Block {
    /// The text a resident reads and searches.
    pub fn text(&self) -> &str {
        match self {
            Block::Heading { text, .. }
            | Block::Article { text, .. }
            | Block::Paragraph { text } => text,
        }
    }
}

/// Where a text came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub repo: String,
    pub commit: String,
    /// The source file(s); several for texts merged from parts (民法典).
    pub paths: Vec<String>,
}

/// A law as the bundle carries it: metadata plus parsed structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LawDoc {
    pub id: String,
    pub title: String,
    pub short_name: String,
    pub category: String,
    pub level: String,
    pub status: Status,
    pub publish_date: Option<String>,
    pub effective_date: Option<String>,
    /// Adoption and amendment lines, oldest first.
    pub history: Vec<String>,
    /// One of the laws a legal service hall uses most: ranked first in search.
    pub core: bool,
    /// Where the text came from: kept for provenance.
    pub source: Provenance,
    pub blocks: Vec<Block>,
}

impl LawDoc {
    pub fn article_count(&self) -> usize {
        self.blocks.iter().filter(|b| matches!(b, Block::Article { .. })).count()
    }

    /// Whether the law holds 第`number`条.
    pub fn has_article(&self, number: u32) -> bool {
        self.blocks.iter().any(|b| matches!(b, Block::Article { number: n, .. } if *n == number))
    }
}

/// SQL for [`Status::order`] over a `status` column, so the store sorts as Rust does.
pub const STATUS_ORDER_SQL: &str = "CASE status WHEN '有效' THEN 0 WHEN '已修改' THEN 1 ELSE 2 END";

/// The law a reference by name means, the one resolver for bundle checks and the store: the
/// title or short name matches; among several, in force first, then core, then the newest
/// (治安管理处罚法 has a 2012 and a 2025 text).
pub fn find_by_name<'a>(laws: &'a [LawDoc], name: &str) -> Option<&'a LawDoc> {
    laws.iter().filter(|l| l.title == name || l.short_name == name).min_by(|a, b| {
        (a.status.order(), !a.core)
            .cmp(&(b.status.order(), !b.core))
            .then_with(|| b.publish_date.cmp(&a.publish_date))
    })
}

/// The history lines and body blocks of a law's markdown text.
pub struct ParsedText {
    pub history: Vec<String>,
    pub blocks: Vec<Block>,
}

/// Parses a corpus markdown text into history lines and body blocks.
pub fn parse_markdown(text: &str) -> ParsedText {
    let (head, body) = match text.split_once("<!-- INFO END -->") {
        Some((h, b)) => (h, b),
        // Texts without the marker: everything after the `# title` line is body; `> ` lines there
        // are the adoption/amendment note.
        None => ("", text),
    };
    let mut history: Vec<String> = head
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();

    let paragraphs: Vec<&str> = body.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let min_depth =
        paragraphs.iter().filter_map(|p| heading_depth(p)).filter(|&d| d > 1).min().unwrap_or(2);
    let has_numbered_articles = paragraphs.iter().any(|p| article_label(p).is_some());
    // 决定 texts number their items 一、二、… and have no headings; in case reports and standards
    // (which do have headings) 一、 starts a section, not an article.
    let enumerated_items = !has_numbered_articles
        && !paragraphs.iter().any(|p| heading_depth(p).is_some_and(|d| d > 1));

    let mut blocks: Vec<Block> = Vec::new();
    for p in paragraphs {
        if let Some(depth) = heading_depth(p) {
            if depth == 1 {
                continue; // the title again
            }
            let text = p.trim_start_matches('#').trim().to_owned();
            blocks.push(Block::Heading { level: (depth - min_depth + 1) as u8, text });
            continue;
        }
        if let Some(note) = p.strip_prefix('>') {
            history.push(note.trim().trim_matches(|c| c == '（' || c == '）').to_owned());
            continue;
        }
        let numbered = if has_numbered_articles {
            article_label(p)
        } else if enumerated_items {
            enumerated_label(p)
        } else {
            None
        };
        if let Some((label, number, rest)) = numbered {
            blocks.push(Block::Article { label, number, text: rest.trim().to_owned() });
            continue;
        }
        // A further 款 of the article just above, unless a heading came in between.
        if let Some(Block::Article { text, .. }) = blocks.last_mut() {
            text.push('\n');
            text.push_str(p);
        } else {
            blocks.push(Block::Paragraph { text: p.to_owned() });
        }
    }
    ParsedText { history, blocks }
}

fn heading_depth(p: &str) -> Option<usize> {
    let depth = p.chars().take_while(|&c| c == '#').count();
    (depth > 0 && p[depth..].starts_with(' ')).then_some(depth)
}

/// `第一千零七十九条 …` → ("第一千零七十九条", 1079, "…"); also `第一百二十条之一`.
fn article_label(p: &str) -> Option<(String, u32, &str)> {
    let rest = p.strip_prefix('第')?;
    let end = rest.find('条')?;
    let number = zh::parse_number(&rest[..end])?;
    let mut after = &rest[end + '条'.len_utf8()..];
    if let Some(sub) = after.strip_prefix('之') {
        let n = sub.chars().take_while(|c| zh::is_numeral(*c)).map(char::len_utf8).sum::<usize>();
        if n == 0 {
            return None;
        }
        after = &sub[n..];
    }
    let label_len = p.len() - after.len();
    if !(after.starts_with(' ') || after.starts_with('　')) {
        return None;
    }
    Some((p[..label_len].to_owned(), number, after))
}

/// `一、…` numbering used by 决定 texts that have no 第X条.
fn enumerated_label(p: &str) -> Option<(String, u32, &str)> {
    let (num, rest) = p.split_once('、')?;
    let number = zh::parse_number(num)?;
    Some((format!("{num}、"), number, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headings_articles_and_paragraphs() {
        let md = "# 某法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了。\n\n第二款内容。\n\n### 第一节 一般规定\n\n第一百二十条之一 之一条。\n";
        let p = parse_markdown(md);
        assert_eq!(p.history, vec!["2020年1月1日 通过"]);
        assert_eq!(p.blocks[0], Block::Heading { level: 1, text: "第一章 总则".into() });
        assert_eq!(
            p.blocks[1],
            Block::Article {
                label: "第一条".into(),
                number: 1,
                text: "为了。\n第二款内容。".into()
            }
        );
        assert_eq!(p.blocks[2], Block::Heading { level: 2, text: "第一节 一般规定".into() });
        assert!(
            matches!(&p.blocks[3], Block::Article { label, number: 120, .. } if label == "第一百二十条之一")
        );
    }

    #[test]
    fn enumerated_decisions_become_articles() {
        let md = "# 决定\n\n> （2005年通过）\n\n为了……，特作如下决定：\n\n一、司法鉴定是指……\n\n（一）法医类鉴定；\n\n二、国家……\n";
        let p = parse_markdown(md);
        assert_eq!(p.history, vec!["2005年通过"]);
        assert!(matches!(&p.blocks[0], Block::Paragraph { .. }));
        assert!(
            matches!(&p.blocks[1], Block::Article { number: 1, text, .. } if text.contains("法医类"))
        );
        assert!(matches!(&p.blocks[2], Block::Article { number: 2, .. }));
    }
}

//! The law reader's pages: a law is read one section at a time.
//!
//! A 1,260-article law in one scrolling list is slow to lay out and impossible to jump within
//! exactly, so the reader shows one leaf section (the text between two headings, at most
//! [`MAX_BLOCKS_PER_PAGE`] blocks) and moves by section, by table of contents or by article
//! number. A jump opens the section starting at the article itself.

use crate::content::store::{BlockKind, BlockRow};

pub const MAX_BLOCKS_PER_PAGE: usize = 40;

/// Blocks `start..end` of a law, with the headings in force at its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpan {
    pub start: usize,
    pub end: usize,
    pub breadcrumb: Vec<String>,
}

/// Splits a law's blocks into reader pages.
pub fn paginate(blocks: &[BlockRow]) -> Vec<PageSpan> {
    let mut pages = Vec::new();
    let mut chain: Vec<(i64, String)> = Vec::new();
    let mut start = 0;
    let mut text_blocks = 0;
    let mut crumb: Option<Vec<String>> = None;
    for (i, b) in blocks.iter().enumerate() {
        let is_heading = b.kind == BlockKind::Heading;
        if (is_heading && text_blocks > 0) || (!is_heading && text_blocks == MAX_BLOCKS_PER_PAGE) {
            pages.push(PageSpan { start, end: i, breadcrumb: crumb.take().unwrap_or_default() });
            start = i;
            text_blocks = 0;
        }
        if is_heading {
            chain.retain(|(level, _)| *level < b.level);
            chain.push((b.level, b.text.clone()));
        } else {
            if crumb.is_none() {
                crumb = Some(chain.iter().map(|(_, t)| t.clone()).collect());
            }
            text_blocks += 1;
        }
    }
    if start < blocks.len() {
        pages.push(PageSpan { start, end: blocks.len(), breadcrumb: crumb.unwrap_or_default() });
    }
    pages
}

/// The page holding block `index`.
pub fn page_of(pages: &[PageSpan], index: usize) -> usize {
    pages.iter().position(|p| (p.start..p.end).contains(&index)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, level: i64, text: &str) -> BlockRow {
        BlockRow { seq: 0, kind, level, label: String::new(), number: 0, text: text.into() }
    }

    #[test]
    fn sections_and_breadcrumbs() {
        use BlockKind::*;
        let blocks = vec![
            block(Heading, 1, "第一编"),
            block(Heading, 2, "第一章"),
            block(Article, 0, "a1"),
            block(Article, 0, "a2"),
            block(Heading, 2, "第二章"),
            block(Article, 0, "a3"),
        ];
        let pages = paginate(&blocks);
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[0].start, pages[0].end), (0, 4));
        assert_eq!(pages[0].breadcrumb, vec!["第一编", "第一章"]);
        assert_eq!(pages[1].breadcrumb, vec!["第一编", "第二章"]);
        assert_eq!(page_of(&pages, 5), 1);
    }

    #[test]
    fn long_sections_split() {
        let blocks: Vec<_> = (0..100).map(|_| block(BlockKind::Article, 0, "x")).collect();
        let pages = paginate(&blocks);
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|p| p.end - p.start <= MAX_BLOCKS_PER_PAGE));
    }
}

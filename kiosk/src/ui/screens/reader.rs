//! The reader: one section of a law per page, the table of contents, jump to an article.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use anyhow::{Context, Result};
use slint::ComponentHandle;

use super::library::law_meta;
use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::store::{BlockKind as StoreBlock, BlockRow, LawSummary};
use crate::ui::pages::{page_of, paginate, PageSpan};
use crate::ui::{AppWindow, BlockItem, BlockKind, Dates, LawStatus, Page, Reader, TocItem};

/// The reader's default text size step (see `ui/pages/reader.slint`).
const DEFAULT_TEXT_STEP: i32 = 1;

struct OpenLaw {
    summary: LawSummary,
    blocks: Vec<BlockRow>,
    pages: Vec<PageSpan>,
    /// The page each table-of-contents entry opens.
    toc_pages: Vec<usize>,
    page: usize,
}

impl std::fmt::Debug for OpenLaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "law {} page {}", self.summary.doc, self.page)
    }
}

pub(crate) struct ReaderScreen {
    law: RefCell<Option<OpenLaw>>,
    /// Bumped whenever the page changes, so the view scrolls back to its top.
    page_serial: Cell<i32>,
    blocks: ListModel<BlockItem>,
    toc: ListModel<TocItem>,
}

impl ReaderScreen {
    /// Opens a law, at block `seq` when given (that article starts the page, highlighted).
    pub(crate) fn open_law(&self, k: &dyn Kiosk, doc: i64, seq: Option<i64>) {
        if let Err(e) = self.load_law(k, doc) {
            crate::observe::fault("store", &e.context(format!("cannot open law {doc}")));
            return;
        }
        let page = {
            let law = self.law.borrow();
            let law = law.as_ref().expect("just loaded");
            let index =
                seq.map(|q| q as usize).unwrap_or(0).min(law.blocks.len().saturating_sub(1));
            page_of(&law.pages, index)
        };
        k.window().global::<Reader>().set_toc_open(false);
        self.show_page(k, page, seq.map(|q| q as usize));
        k.screens().queue.clear_takeaway_note(k);
        k.go(Page::Reader);
    }

    /// Opens the law whose short name or title is `name`, at article `number` if given.
    pub(crate) fn open_law_by_name(
        &self,
        k: &dyn Kiosk,
        name: &str,
        number: Option<u32>,
    ) -> Result<()> {
        let (doc, seq) = {
            let store = k.store();
            let law = store.law_by_name(name)?.with_context(|| format!("no law named {name}"))?;
            let seq = match number {
                Some(n) => Some(
                    store
                        .article_seq(law.doc, n as i64)?
                        .with_context(|| format!("{name} has no article {n}"))?,
                ),
                None => None,
            };
            (law.doc, seq)
        };
        self.open_law(k, doc, seq);
        Ok(())
    }

    fn load_law(&self, k: &dyn Kiosk, doc: i64) -> Result<()> {
        if self.law.borrow().as_ref().is_some_and(|l| l.summary.doc == doc) {
            return Ok(());
        }
        let (summary, blocks) = {
            let store = k.store();
            (store.law(doc)?, store.blocks(doc)?)
        };
        let pages = paginate(&blocks);
        let headings: Vec<(usize, &BlockRow)> =
            blocks.iter().enumerate().filter(|(_, b)| b.kind == StoreBlock::Heading).collect();
        let toc_pages: Vec<usize> = headings.iter().map(|(i, _)| page_of(&pages, *i)).collect();
        self.toc.set(
            headings
                .iter()
                .zip(&toc_pages)
                .map(|((_, b), page)| TocItem {
                    text: b.text.as_str().into(),
                    level: b.level as i32,
                    page: *page as i32,
                    current: false,
                })
                .collect(),
        );
        let reader = k.window().global::<Reader>();
        reader.set_title(summary.title.as_str().into());
        reader.set_status(summary.status.into());
        reader.set_meta(law_meta(&summary));
        reader.set_page_count(pages.len() as i32);
        *self.law.borrow_mut() = Some(OpenLaw { summary, blocks, pages, toc_pages, page: 0 });
        Ok(())
    }

    /// Shows reader page `page`; with `from`, the page starts at that block (a jump target).
    pub(crate) fn show_page(&self, k: &dyn Kiosk, page: usize, from: Option<usize>) {
        let mut law = self.law.borrow_mut();
        let Some(law) = law.as_mut() else { return };
        let page = page.min(law.pages.len().saturating_sub(1));
        let shown_before = std::mem::replace(&mut law.page, page);
        let Some(span) = law.pages.get(page).cloned() else { return };
        let first_text = (span.start..span.end)
            .find(|&i| law.blocks[i].kind != StoreBlock::Heading)
            .unwrap_or(span.start);
        let start = from
            .filter(|f| (span.start..span.end).contains(f) && *f > first_text)
            .unwrap_or(span.start);
        self.blocks.set(
            law.blocks[start..span.end]
                .iter()
                .enumerate()
                .map(|(i, b)| BlockItem {
                    kind: match b.kind {
                        StoreBlock::Heading => BlockKind::Heading,
                        StoreBlock::Article => BlockKind::Article,
                        StoreBlock::Paragraph => BlockKind::Paragraph,
                    },
                    level: b.level as i32,
                    label: b.label.as_str().into(),
                    text: b.text.as_str().into(),
                    target: from == Some(start + i),
                })
                .collect(),
        );
        let reader = k.window().global::<Reader>();
        reader.set_breadcrumb(span.breadcrumb.join(" ＞ ").into());
        reader.set_page_index(page as i32);
        reader.set_starts_mid_section(start > span.start);
        self.page_serial.set(self.page_serial.get() + 1);
        reader.set_page_serial(self.page_serial.get());
        reader.set_toc_open(false);
        // Only the entries of the page left and the page shown change their mark (a TOC starts
        // with none marked); the heading the page belongs to is the last one starting at or
        // before it (the TOC is in page order).
        for (i, &p) in law.toc_pages.iter().enumerate() {
            if p != shown_before && p != page {
                continue;
            }
            if let Some(mut item) = self.toc.row(i).filter(|item| item.current != (p == page)) {
                item.current = p == page;
                self.toc.set_row(i, item);
            }
        }
        let toc_current = law.toc_pages.partition_point(|&p| p <= page).saturating_sub(1);
        reader.set_toc_current(toc_current as i32);
    }

    fn step_page(&self, k: &dyn Kiosk, delta: isize) {
        let page = self.law.borrow().as_ref().map(|l| l.page as isize + delta);
        if let Some(p) = page.filter(|p| *p >= 0) {
            self.show_page(k, p as usize, None);
        }
    }

    fn show_section_start(&self, k: &dyn Kiosk) {
        let page = self.law.borrow().as_ref().map(|l| l.page);
        if let Some(p) = page {
            self.show_page(k, p, None);
        }
    }

    /// 打印本条: the article a jump or a search opened (highlighted), else the page's first
    /// article, with the law's title and dates, on the ticket printer.
    fn print_article(&self, k: &dyn Kiosk) {
        let (title, lines) = {
            let law = self.law.borrow();
            let Some(law) = law.as_ref() else { return };
            let Some(span) = law.pages.get(law.page) else { return };
            let shown = self.blocks.rows().collect::<Vec<_>>();
            let label = shown
                .iter()
                .find(|b| b.target)
                .or_else(|| shown.iter().find(|b| b.kind == BlockKind::Article))
                .map(|b| b.label.to_string());
            let Some(label) = label else { return };
            // The article's block and the paragraphs that follow it, up to the next article.
            let at = (span.start..span.end).find(|&i| {
                law.blocks[i].kind == StoreBlock::Article && law.blocks[i].label == label
            });
            let Some(at) = at else { return };
            // The page's words for the dates (Dates.law-meta), without its line-break joiners.
            let meta = k.window().global::<Dates>().invoke_law_meta(law_meta(&law.summary));
            let meta = meta.replace('\u{2060}', "");
            let mut lines = vec![law.summary.title.clone(), meta, label.clone()];
            let paragraphs = law.blocks[at + 1..]
                .iter()
                .take_while(|b| b.kind == StoreBlock::Paragraph)
                .map(|b| b.text.as_str());
            for text in std::iter::once(law.blocks[at].text.as_str()).chain(paragraphs) {
                lines.extend(text.lines().map(str::to_owned));
            }
            (format!("{} {}", law.summary.short_name, label), lines)
        };
        k.screens().queue.print_page(k, title, lines, None);
    }

    /// "跳到第…条": opens the article by number, or says why not.
    pub(crate) fn jump_to_article(&self, k: &dyn Kiosk, digits: &str) {
        let reader = k.window().global::<Reader>();
        let Ok(number) = digits.parse::<u32>() else {
            reader.set_jump_missing(0);
            return;
        };
        let Some(doc) = self.law.borrow().as_ref().map(|l| l.summary.doc) else {
            return;
        };
        let seq = k.store().article_seq(doc, number as i64).ok().flatten();
        match seq {
            Some(seq) => {
                reader.set_jump_missing(-1);
                reader.set_jump_open(false);
                self.open_law(k, doc, Some(seq));
            }
            None => reader.set_jump_missing(number.min(i32::MAX as u32) as i32),
        }
    }
}

impl ScreenType for ReaderScreen {
    const DEMOS: &'static [&'static str] = &["reader", "toc", "jump"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = ReaderScreen {
            law: RefCell::default(),
            page_serial: Cell::default(),
            blocks: ListModel::new(),
            toc: ListModel::new(),
        };
        let reader = window.global::<Reader>();
        reader.set_blocks(s.blocks.handle());
        reader.set_toc(s.toc.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let r = window.global::<Reader>();
        on!(k, r, on_prev_page, |c| c.screens().reader.step_page(&*c, -1));
        on!(k, r, on_next_page, |c| c.screens().reader.step_page(&*c, 1));
        on!(k, r, on_goto_page, |c, p| c.screens().reader.show_page(&*c, p.max(0) as usize, None));
        on!(k, r, on_show_section_start, |c| c.screens().reader.show_section_start(&*c));
        on!(k, r, on_jump, |c, digits| c.screens().reader.jump_to_article(&*c, &digits));
        on!(k, r, on_print_article, |c| c.screens().reader.print_article(&*c));
    }
}

impl ReaderScreen {
    /// Every property of the global at its fresh value (`new` and `reset` both end here); the
    /// page serial only ever grows.
    fn clear(&self, window: &AppWindow) {
        self.blocks.set(Vec::new());
        self.toc.set(Vec::new());
        let r = window.global::<Reader>();
        r.set_title("".into());
        r.set_status(LawStatus::InForce);
        r.set_meta(Default::default());
        r.set_breadcrumb("".into());
        r.set_toc_current(0);
        r.set_page_index(0);
        r.set_page_count(0);
        r.set_starts_mid_section(false);
        r.set_text_step(DEFAULT_TEXT_STEP);
        r.set_toc_open(false);
        r.set_jump_open(false);
        r.set_jump_digits("".into());
        r.set_jump_missing(-1);
    }
}

impl Screen for ReaderScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.law.borrow_mut() = None;
        self.clear(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let r = k.window().global::<Reader>();
        format!(
            "{:?}; title {:?} {:?} {:?} {:?}; page {}/{} mid {}; text {}; toc {} {} {:?}; jump {} {:?} {:?}; blocks {:?}",
            self.law.borrow(),
            r.get_title(),
            r.get_status(),
            r.get_meta(),
            r.get_breadcrumb(),
            r.get_page_index(),
            r.get_page_count(),
            r.get_starts_mid_section(),
            r.get_text_step(),
            r.get_toc_open(),
            r.get_toc_current(),
            self.toc,
            r.get_jump_open(),
            r.get_jump_digits(),
            r.get_jump_missing(),
            self.blocks
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        match name {
            "toc" => {
                self.open_law_by_name(k, &args.law, Some(args.article))?;
                k.window().global::<Reader>().set_toc_open(true);
            }
            "jump" => {
                self.open_law_by_name(k, &args.law, None)?;
                let reader = k.window().global::<Reader>();
                reader.set_jump_open(true);
                reader.set_jump_digits("1300".into());
                self.jump_to_article(k, "1300");
            }
            _ => self.open_law_by_name(k, &args.law, Some(args.article))?,
        }
        Ok(())
    }
}

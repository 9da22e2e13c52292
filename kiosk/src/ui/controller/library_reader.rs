//! The library (categories → laws) and the reader: one section of a law per page, jumps by article.

use super::*;

impl Controller {
    pub fn open_library(&self) {
        let cats = self.state.borrow().store.categories().unwrap_or_default();
        let items: Vec<CategoryItem> =
            cats.into_iter().map(|(name, count)| CategoryItem { name: name.into(), count: count as i32 }).collect();
        self.window.global::<Library>().set_categories(ModelRc::new(VecModel::from(items)));
        self.go(Page::Categories);
    }

    pub fn open_category(&self, name: &str) {
        let laws = self.state.borrow().store.laws_in_category(name).unwrap_or_default();
        let items: Vec<LawItem> = laws
            .iter()
            .map(|l| LawItem {
                doc: l.doc as i32,
                title: l.title.as_str().into(),
                status: l.status.label().into(),
                meta: law_meta(l).into(),
            })
            .collect();
        let lib = self.window.global::<Library>();
        lib.set_category(name.into());
        lib.set_laws(ModelRc::new(VecModel::from(items)));
        self.go(Page::Laws);
    }

    /// Opens a law, at block `seq` when given (that article starts the page, highlighted).
    pub fn open_law(&self, doc: i64, seq: Option<i64>) {
        if let Err(e) = self.load_law(doc) {
            eprintln!("kiosk: cannot open law {doc}: {e:#}");
            return;
        }
        let (page, start) = {
            let s = self.state.borrow();
            let law = s.law.as_ref().expect("just loaded");
            let index = seq.map(|q| q as usize).unwrap_or(0).min(law.blocks.len().saturating_sub(1));
            (page_of(&law.pages, index), seq.map(|q| q as usize))
        };
        self.window.global::<Reader>().set_toc_open(false);
        self.show_page(page, start);
        self.go(Page::Reader);
    }

    /// Opens the law whose short name or title is `name`, at article `number` if given.
    pub fn open_law_by_name(&self, name: &str, number: Option<u32>) -> Result<()> {
        let law = self.state.borrow().store.law_by_name(name)?.with_context(|| format!("no law named {name}"))?;
        let seq = match number {
            Some(n) => Some(
                self.state
                    .borrow()
                    .store
                    .article_seq(law.doc, n as i64)?
                    .with_context(|| format!("{name} has no article {n}"))?,
            ),
            None => None,
        };
        self.open_law(law.doc, seq);
        Ok(())
    }

    pub(super) fn load_law(&self, doc: i64) -> Result<()> {
        let mut s = self.state.borrow_mut();
        if s.law.as_ref().is_some_and(|l| l.summary.doc == doc) {
            return Ok(());
        }
        let summary = s.store.law(doc)?;
        let blocks = s.store.blocks(doc)?;
        let pages = paginate(&blocks);
        let toc: Vec<TocItem> = blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.kind == BlockKind::Heading)
            .map(|(i, b)| TocItem { text: b.text.as_str().into(), level: b.level as i32, page: page_of(&pages, i) as i32, current: false })
            .collect();
        let reader = self.window.global::<Reader>();
        reader.set_title(summary.title.as_str().into());
        reader.set_status(summary.status.label().into());
        reader.set_meta(law_meta(&summary).into());
        reader.set_toc(ModelRc::new(VecModel::from(toc)));
        reader.set_page_count(pages.len() as i32);
        s.law = Some(OpenLaw { summary, blocks, pages, page: 0 });
        Ok(())
    }

    /// Shows reader page `page`; with `from`, the page starts at that block (a jump target).
    pub fn show_page(&self, page: usize, from: Option<usize>) {
        let mut s = self.state.borrow_mut();
        let Some(law) = s.law.as_mut() else { return };
        let page = page.min(law.pages.len().saturating_sub(1));
        law.page = page;
        let Some(span) = law.pages.get(page).cloned() else { return };
        let first_text = (span.start..span.end).find(|&i| law.blocks[i].kind != BlockKind::Heading).unwrap_or(span.start);
        let start = from.filter(|f| (span.start..span.end).contains(f) && *f > first_text).unwrap_or(span.start);
        let items: Vec<BlockItem> = law.blocks[start..span.end]
            .iter()
            .enumerate()
            .map(|(i, b)| BlockItem {
                kind: match b.kind {
                    BlockKind::Heading => 0,
                    BlockKind::Article => 1,
                    BlockKind::Paragraph => 2,
                },
                level: b.level as i32,
                label: b.label.as_str().into(),
                text: b.text.as_str().into(),
                target: from == Some(start + i),
            })
            .collect();
        let reader = self.window.global::<Reader>();
        reader.set_blocks(ModelRc::new(VecModel::from(items)));
        reader.set_breadcrumb(span.breadcrumb.join(" ＞ ").into());
        reader.set_page_index(page as i32);
        reader.set_starts_mid_section(start > span.start);
        reader.set_page_serial(reader.get_page_serial() + 1);
        reader.set_toc_open(false);
        let toc = reader.get_toc();
        let mut toc_current = 0;
        for i in 0..slint::Model::row_count(&toc) {
            if let Some(mut item) = slint::Model::row_data(&toc, i) {
                let current = item.page as usize == page;
                if item.page as usize <= page {
                    toc_current = i;
                }
                if item.current != current {
                    item.current = current;
                    slint::Model::set_row_data(&toc, i, item);
                }
            }
        }
        reader.set_toc_current(toc_current as i32);
    }

    pub(super) fn step_page(&self, delta: isize) {
        let page = self.state.borrow().law.as_ref().map(|l| l.page as isize + delta);
        if let Some(p) = page.filter(|p| *p >= 0) {
            self.show_page(p as usize, None);
        }
    }

    pub(super) fn show_section_start(&self) {
        let page = self.state.borrow().law.as_ref().map(|l| l.page);
        if let Some(p) = page {
            self.show_page(p, None);
        }
    }

    /// "跳到第…条": opens the article by number, or says why not.
    pub fn jump_to_article(&self, digits: &str) {
        let reader = self.window.global::<Reader>();
        let Ok(number) = digits.parse::<u32>() else {
            reader.set_jump_error("请先输入条文序号".into());
            return;
        };
        let (doc, count, seq) = {
            let s = self.state.borrow();
            let Some(law) = s.law.as_ref() else { return };
            let seq = s.store.article_seq(law.summary.doc, number as i64).ok().flatten();
            (law.summary.doc, law.summary.article_count, seq)
        };
        match seq {
            Some(seq) => {
                reader.set_jump_error("".into());
                reader.set_jump_open(false);
                self.open_law(doc, Some(seq));
            }
            None => reader.set_jump_error(
                format!("本法没有第{}条（共{}条），请重新输入", chinese_number(number), count).into(),
            ),
        }
    }
}

fn law_meta(l: &LawSummary) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &l.publish_date {
        parts.push(format!("公布 {d}"));
    }
    // The corpus' effective date is often the original enactment's: beside a later amendment's
    // publication date it would read as if the amended text took effect before it was published.
    if let Some(d) = l.effective_date.as_ref().filter(|e| l.publish_date.as_ref().is_none_or(|p| *e >= p)) {
        parts.push(format!("施行 {d}"));
    }
    if l.article_count > 0 {
        parts.push(format!("共 {} 条", l.article_count));
    }
    parts.join(" · ")
}

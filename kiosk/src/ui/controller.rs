//! Glue between the Slint globals and the content store: one controller per window.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use std::time::Duration;

use anyhow::{Context, Result};
use slint::{ComponentHandle, ModelRc, SharedString, Timer, TimerMode, VecModel};

use super::idle::{IdleUi, IdleWatch};
use super::navigation::Navigator;
use super::pages::{page_of, paginate, PageSpan};
use super::search_input::SearchInput;
use super::{AppWindow, BlockItem, CategoryItem, Hall, HitItem, LawItem, Library, Nav, Page, Reader, Search, Session, Theme, TocItem};
use crate::app::config::{Config, Orientation};
use crate::content::law::chinese_number;
use crate::content::lexicon::HOT_TOPICS;
use crate::content::search::{Hit, HitKind};
use crate::content::store::{BlockKind, BlockRow, LawSummary};
use crate::content::Store;

/// Candidate words shown above the keyboard.
const CANDIDATES: usize = 6;
/// Results shown for a search.
const RESULTS: usize = 30;
/// The reader's default text size step (see `ui/pages/reader.slint`).
const DEFAULT_TEXT_STEP: i32 = 1;

struct OpenLaw {
    summary: LawSummary,
    blocks: Vec<BlockRow>,
    pages: Vec<PageSpan>,
    page: usize,
}

struct State {
    store: Store,
    nav: Navigator<Page>,
    law: Option<OpenLaw>,
    input: SearchInput,
    candidates: Vec<String>,
    hits: Vec<Hit>,
}

pub struct Controller {
    window: AppWindow,
    data_dir: PathBuf,
    state: RefCell<State>,
    idle: Rc<IdleWatch>,
    clock: Timer,
    me: Weak<Controller>,
}

impl Controller {
    /// Creates the window's controller, wires every callback and shows the home page.
    pub fn new(window: AppWindow, store: Store, config: &Config) -> Rc<Controller> {
        let ctrl = Rc::new_cyclic(|me| Controller {
            window,
            data_dir: config.data_dir.clone(),
            state: RefCell::new(State {
                store,
                nav: Navigator::new(Page::Home),
                law: None,
                input: SearchInput::default(),
                candidates: Vec::new(),
                hits: Vec::new(),
            }),
            idle: IdleWatch::new(
                Duration::from_secs(config.idle_timeout_secs),
                config.idle_prompt_secs,
                me.clone() as Weak<dyn IdleUi>,
            ),
            clock: Timer::default(),
            me: me.clone(),
        });
        ctrl.window.global::<Theme>().set_landscape(config.orientation == Orientation::Landscape);
        ctrl.wire();
        ctrl.show_store_info();
        ctrl.tick_clock();
        let me = ctrl.me.clone();
        ctrl.clock.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(c) = me.upgrade() {
                c.tick_clock();
            }
        });
        ctrl.activity();
        ctrl
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    fn wire(&self) {
        let w = &self.window;
        macro_rules! on {
            ($global:ty, $setter:ident, |$c:ident $(, $arg:ident)*| $body:expr) => {{
                let me = self.me.clone();
                w.global::<$global>().$setter(move |$($arg),*| {
                    if let Some($c) = me.upgrade() {
                        $body;
                    }
                });
            }};
        }
        on!(Nav, on_back, |c| c.back());
        on!(Nav, on_home, |c| c.home());
        on!(Session, on_activity, |c| c.activity());
        on!(Session, on_keep_going, |c| c.activity());
        on!(Hall, on_open_library, |c| c.open_library());
        on!(Hall, on_open_search, |c| c.open_search());
        on!(Library, on_open_category, |c, name| c.open_category(&name));
        on!(Library, on_open_law, |c, doc| c.open_law(doc as i64, None));
        on!(Reader, on_prev_page, |c| c.step_page(-1));
        on!(Reader, on_next_page, |c| c.step_page(1));
        on!(Reader, on_goto_page, |c, p| c.show_page(p as usize, None));
        on!(Reader, on_show_section_start, |c| c.show_section_start());
        on!(Reader, on_jump, |c, digits| c.jump_to_article(&digits));
        on!(Search, on_key, |c, k| c.search_key(&k));
        on!(Search, on_backspace, |c| c.edit_search(|i| i.backspace()));
        on!(Search, on_clear, |c| c.edit_search(|i| i.clear()));
        on!(Search, on_pick, |c, word| c.edit_search(|i| i.pick(&word)));
        on!(Search, on_topic, |c, word| c.edit_search(|i| {
            i.clear();
            i.pick(&word)
        }));
        on!(Search, on_open_hit, |c, index| c.open_hit(index as usize));
        let topics: Vec<SharedString> = HOT_TOPICS.iter().map(|t| SharedString::from(*t)).collect();
        w.global::<Search>().set_topics(ModelRc::new(VecModel::from(topics)));
    }

    // ---- navigation and session ----------------------------------------------------------

    fn go(&self, page: Page) {
        let page = self.state.borrow_mut().nav.go(page);
        self.window.global::<Nav>().set_page(page);
    }

    pub fn back(&self) {
        let page = self.state.borrow_mut().nav.back();
        self.window.global::<Nav>().set_page(page);
    }

    pub fn home(&self) {
        let page = self.state.borrow_mut().nav.home();
        self.window.global::<Nav>().set_page(page);
        self.reload_store_if_stale();
    }

    /// A touch anywhere: restarts the idle time and hides the prompt.
    pub fn activity(&self) {
        self.idle.activity();
    }

    /// Returns home and forgets everything of this resident's session.
    pub fn reset_session(&self) {
        {
            let mut s = self.state.borrow_mut();
            s.input.clear();
            s.candidates.clear();
            s.hits.clear();
            s.law = None;
        }
        let reader = self.window.global::<Reader>();
        reader.set_toc_open(false);
        reader.set_jump_open(false);
        reader.set_jump_digits("".into());
        reader.set_text_step(DEFAULT_TEXT_STEP);
        reader.set_blocks(ModelRc::default());
        self.refresh_search_view();
        self.home();
    }

    fn reload_store_if_stale(&self) {
        let stale = self.state.borrow().store.is_stale(&self.data_dir);
        if stale {
            match Store::open(&self.data_dir) {
                Ok(store) => {
                    self.state.borrow_mut().store = store;
                    self.show_store_info();
                }
                Err(e) => eprintln!("kiosk: keeping the current content: {e:#}"),
            }
        }
    }

    fn show_store_info(&self) {
        let s = self.state.borrow();
        let info = s.store.info();
        let hall = self.window.global::<Hall>();
        hall.set_name(info.deployment.hall_name.as_str().into());
        hall.set_hotline(info.deployment.hotline.as_str().into());
        hall.set_website(info.deployment.website.as_str().into());
        hall.set_content_version(info.content_version.as_str().into());
        hall.set_content_date(info.created_at.get(..10).unwrap_or(&info.created_at).into());
    }

    fn tick_clock(&self) {
        let now = chrono::Local::now();
        const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
        use chrono::Datelike;
        let hall = self.window.global::<Hall>();
        hall.set_time_text(now.format("%H:%M").to_string().into());
        hall.set_date_text(
            format!("{} 星期{}", now.format("%Y年%-m月%-d日"), WEEKDAYS[now.weekday().num_days_from_monday() as usize]).into(),
        );
    }

    // ---- library -------------------------------------------------------------------------

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

    // ---- reader --------------------------------------------------------------------------

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

    fn load_law(&self, doc: i64) -> Result<()> {
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
        reader.set_breadcrumb(span.breadcrumb.join(" › ").into());
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

    fn step_page(&self, delta: isize) {
        let page = self.state.borrow().law.as_ref().map(|l| l.page as isize + delta);
        if let Some(p) = page.filter(|p| *p >= 0) {
            self.show_page(p as usize, None);
        }
    }

    fn show_section_start(&self) {
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

    // ---- search --------------------------------------------------------------------------

    pub fn open_search(&self) {
        self.refresh_search_view();
        self.go(Page::Search);
    }

    fn search_key(&self, key: &str) {
        let top = self.state.borrow().candidates.first().cloned();
        self.edit_search(|i| i.key(key, top.as_deref()));
    }

    /// Types `letters` on the pinyin keyboard, as a resident would (tests, screenshots).
    pub fn type_keys(&self, letters: &str) {
        for c in letters.chars() {
            self.search_key(&c.to_string());
        }
    }

    fn edit_search(&self, edit: impl FnOnce(&mut SearchInput)) {
        edit(&mut self.state.borrow_mut().input);
        self.run_search();
        self.refresh_search_view();
    }

    /// Recomputes candidates and results for the current input.
    fn run_search(&self) {
        let mut s = self.state.borrow_mut();
        let candidates = if s.input.pinyin.is_empty() {
            Vec::new()
        } else {
            s.store.pinyin_candidates(&s.input.pinyin, CANDIDATES).unwrap_or_default()
        };
        let query = s.input.query(candidates.first().map(String::as_str));
        let hits = if query.trim().is_empty() {
            Vec::new()
        } else {
            s.store.search(&query, RESULTS).map(|r| r.hits).unwrap_or_default()
        };
        s.candidates = candidates;
        s.hits = hits;
    }

    fn refresh_search_view(&self) {
        let s = self.state.borrow();
        let search = self.window.global::<Search>();
        search.set_committed(s.input.committed.join(" ").into());
        search.set_pinyin(s.input.pinyin.as_str().into());
        let cands: Vec<SharedString> = s.candidates.iter().map(|c| c.as_str().into()).collect();
        search.set_candidates(ModelRc::new(VecModel::from(cands)));
        let hits: Vec<HitItem> = s.hits.iter().map(hit_item).collect();
        search.set_hits(ModelRc::new(VecModel::from(hits)));
        let shown = s.input.query(s.candidates.first().map(String::as_str));
        search.set_summary(
            if s.hits.is_empty() {
                format!("没有找到“{shown}”。换个词试试，或拨打 12348 免费咨询。")
            } else if s.hits.len() == RESULTS {
                format!("“{shown}”：显示最相关的 {RESULTS} 条")
            } else {
                format!("“{shown}”：找到 {} 条", s.hits.len())
            }
            .into(),
        );
    }

    fn open_hit(&self, index: usize) {
        let hit = self.state.borrow().hits.get(index).cloned();
        if let Some(hit) = hit {
            let seq = (hit.kind != HitKind::Title).then_some(hit.seq);
            self.open_law(hit.doc, seq);
        }
    }

    /// Shows the idle prompt now (screenshots).
    pub fn show_idle_prompt(&self, seconds: u64) {
        self.show_prompt(seconds);
    }
}

impl IdleUi for Controller {
    fn session_active(&self) -> bool {
        let s = self.state.borrow();
        s.nav.current() != Page::Home || !s.input.is_empty()
    }
    fn show_prompt(&self, seconds_left: u64) {
        let session = self.window.global::<Session>();
        session.set_countdown(seconds_left as i32);
        session.set_prompt_visible(true);
    }
    fn hide_prompt(&self) {
        self.window.global::<Session>().set_prompt_visible(false);
    }
    fn reset_session(&self) {
        Controller::reset_session(self);
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

fn hit_item(h: &Hit) -> HitItem {
    HitItem {
        doc: h.doc as i32,
        seq: h.seq as i32,
        law: h.short_name.as_str().into(),
        label: h.label.as_str().into(),
        status: h.status.label().into(),
        before: h.snippet.before.as_str().into(),
        matched: h.snippet.matched.as_str().into(),
        after: h.snippet.after.as_str().into(),
        title_hit: h.kind == HitKind::Title,
    }
}

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
use super::hall_view;
use super::{AppWindow, BlockItem, CategoryItem, Guides, Hall, HitItem, LawItem, Library, MapView, Nav, Page, Queue, Reader, Search, ServiceItem, Session, Theme, TocItem};
use crate::content::hall::HallContent;
use crate::content::hall::points::{distance_m, nearest, services};
use crate::queue::desk::TicketDesk;
use crate::queue::printer::PrinterTarget;
use crate::queue::speech::{EspeakSpeaker, RecordingSpeaker, Speaker};
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
    hall: Option<HallContent>,
    guide: Option<usize>,
    checked: Vec<bool>,
    /// Map viewbox in plane units: x, y, width, height.
    viewbox: [f32; 4],
    filter: String,
    /// Opened with the queue page; holds the queue database's issuer lock.
    desk: Option<TicketDesk>,
    queue_letter: Option<String>,
}

pub struct Controller {
    window: AppWindow,
    data_dir: PathBuf,
    state: RefCell<State>,
    idle: Rc<IdleWatch>,
    clock: Timer,
    config: Config,
    /// The time the queue uses; `None` is the wall clock (screenshots and tests pin it).
    now_override: std::cell::Cell<Option<chrono::NaiveDateTime>>,
    /// What was said aloud when speech is captured (tests); else speech goes to espeak-ng.
    pub speech_log: Option<RecordingSpeaker>,
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
                hall: None,
                guide: None,
                checked: Vec::new(),
                viewbox: [0.0, 0.0, 1000.0, 1000.0],
                filter: String::new(),
                desk: None,
                queue_letter: None,
            }),
            idle: IdleWatch::new(
                Duration::from_secs(config.idle_timeout_secs),
                config.idle_prompt_secs,
                me.clone() as Weak<dyn IdleUi>,
            ),
            clock: Timer::default(),
            config: config.clone(),
            now_override: Default::default(),
            speech_log: (!config.speech).then(RecordingSpeaker::default),
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
        on!(Guides, on_open_guides, |c| c.open_guides());
        on!(Guides, on_open_guide, |c, id| c.open_guide(&id));
        on!(Guides, on_open_basis, |c, i| c.open_basis(i as usize));
        on!(Guides, on_toggle_material, |c, i| c.toggle_material(i as usize));
        on!(Guides, on_take_ticket, |c| c.take_ticket_for_guide());
        on!(MapView, on_open_map, |c| c.open_map());
        on!(MapView, on_tap_map, |c, x, y| c.tap_map(x, y));
        on!(MapView, on_zoom_out, |c| c.zoom_map(None));
        on!(MapView, on_open_pin, |c, id| c.open_pin(&id));
        on!(MapView, on_open_list, |c| c.open_points(""));
        on!(MapView, on_set_filter, |c, f| c.open_points(&f));
        on!(MapView, on_open_point, |c, id| c.open_point(&id));
        on!(MapView, on_close_card, |c| c.window.global::<MapView>().set_card_open(false));
        on!(Queue, on_open_queue, |c| c.open_queue(None));
        on!(Queue, on_choose, |c, l| c.choose_service(&l));
        on!(Queue, on_confirm, |c| c.confirm_ticket());
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
            // What this resident chose or ticked, and the ticket they were shown.
            s.guide = None;
            s.checked.clear();
            s.queue_letter = None;
            s.filter.clear();
        }
        let q = self.window.global::<Queue>();
        q.set_selected("".into());
        q.set_priority(false);
        q.set_code("".into());
        q.set_qr(Default::default());
        self.window.global::<MapView>().set_card_open(false);
        self.window.global::<Guides>().set_materials(ModelRc::default());
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
                    let mut st = self.state.borrow_mut();
                    st.store = store;
                    st.hall = None; // guides, points and map come with the generation
                    drop(st);
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

    // ---- 办事指南 ------------------------------------------------------------------------

    /// The hall content of the open store generation, loaded on first use.
    fn with_hall<R>(&self, f: impl FnOnce(&HallContent) -> R) -> Option<R> {
        let mut s = self.state.borrow_mut();
        if s.hall.is_none() {
            s.hall = s.store.hall().ok();
        }
        s.hall.as_ref().map(f)
    }

    pub fn open_guides(&self) {
        if let Some(rows) = self.with_hall(|h| hall_view::guide_rows(&h.guides)) {
            self.window.global::<Guides>().set_rows(ModelRc::new(VecModel::from(rows)));
        }
        self.go(Page::Guides);
    }

    pub fn open_guide(&self, id: &str) {
        let Some(Some((index, guide, local, queue_name))) = self.with_hall(|h| {
            let i = h.guides.iter().position(|g| g.id == id)?;
            let g = h.guides[i].clone();
            let queue_name = g.queue.as_deref().and_then(|l| h.queue.service(l)).map(|s| s.name.clone());
            Some((i, g, h.local.clone(), queue_name))
        }) else {
            return;
        };
        let short = |law: &str| {
            let s = self.state.borrow();
            s.store.law_by_name(law).ok().flatten().map(|l| l.short_name).unwrap_or_else(|| law.to_owned())
        };
        let w = self.window.global::<Guides>();
        w.set_name(guide.name.as_str().into());
        w.set_summary(guide.summary.as_str().into());
        let elig: Vec<SharedString> = guide.eligibility.iter().map(|e| e.as_str().into()).collect();
        w.set_eligibility(ModelRc::new(VecModel::from(elig)));
        w.set_basis(ModelRc::new(VecModel::from(hall_view::basis_items(&guide, short))));
        let checked = vec![false; guide.materials.len()];
        w.set_materials(ModelRc::new(VecModel::from(hall_view::material_items(&guide, &checked))));
        w.set_steps(ModelRc::new(VecModel::from(hall_view::step_items(&guide))));
        w.set_facts(ModelRc::new(VecModel::from(hall_view::guide_facts(&guide, &local))));
        let base = if local.qr_base_url.is_empty() { "https://www.12348.gov.cn".to_owned() } else { local.qr_base_url.clone() };
        w.set_qr(hall_view::qr_image(&format!("{}/?guide={}", base.trim_end_matches('/'), guide.id)));
        w.set_queue_label(queue_name.map(|n| format!("取号办理：{n}")).unwrap_or_default().into());
        w.set_serial(w.get_serial() + 1);
        {
            let mut s = self.state.borrow_mut();
            s.guide = Some(index);
            s.checked = checked;
        }
        self.go(Page::Guide);
    }

    fn open_basis(&self, index: usize) {
        let guide = self.state.borrow().guide;
        let Some(Some(r)) = self.with_hall(|h| h.guides.get(guide?)?.basis.get(index).cloned()) else {
            return;
        };
        let number = r.article_number().ok().flatten();
        let _ = self.open_law_by_name(&r.law, number);
    }

    fn toggle_material(&self, index: usize) {
        let items = {
            let mut s = self.state.borrow_mut();
            if let Some(c) = s.checked.get_mut(index) {
                *c = !*c;
            }
            let (Some(i), Some(h)) = (s.guide, s.hall.as_ref()) else { return };
            hall_view::material_items(&h.guides[i], &s.checked)
        };
        self.window.global::<Guides>().set_materials(ModelRc::new(VecModel::from(items)));
    }

    fn take_ticket_for_guide(&self) {
        let guide = self.state.borrow().guide;
        let letter = self.with_hall(|h| guide.and_then(|i| h.guides[i].queue.clone())).flatten();
        self.open_queue(letter.as_deref());
    }

    // ---- service points and the map --------------------------------------------------------

    fn here(&self) -> Option<(f64, f64)> {
        let id = self.config.here.clone()?;
        self.with_hall(|h| h.points.points.iter().find(|p| p.id == id).map(|p| (p.lon, p.lat))).flatten()
    }

    pub fn open_map(&self) {
        let Some((shapes, caption, sample)) = self.with_hall(|h| {
            let sample = if h.points.sample { "网点为示例数据，以司法局公布为准" } else { "" };
            (hall_view::county_shapes(&h.map), format!("{} · 坐标系 {}", h.map.caption, h.map.datum), sample.to_owned())
        }) else {
            return;
        };
        let m = self.window.global::<MapView>();
        m.set_counties(ModelRc::new(VecModel::from(shapes)));
        m.set_caption(caption.into());
        m.set_sample_note(sample.into());
        m.set_card_open(false);
        self.zoom_map(None);
        self.go(Page::Map);
    }

    /// Zooms to a county (None: the whole region), keeping the plane's aspect and a margin.
    pub fn zoom_map(&self, adcode: Option<&str>) {
        let Some(Some((bbox, title, plane_h))) = self.with_hall(|h| match adcode {
            None => Some(([0.0, 0.0, h.map.width, h.map.height], "全市".to_owned(), h.map.height)),
            Some(code) => h.map.county(code).map(|c| (c.bbox, c.name.clone(), h.map.height)),
        }) else {
            return;
        };
        let aspect = plane_h / 1000.0;
        let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
        let mut w = (bbox[2] - bbox[0]).max((bbox[3] - bbox[1]) / aspect) * 1.1;
        if adcode.is_none() {
            w = 1000.0 * 1.04;
        }
        let h = w * aspect;
        let vb = [cx - w / 2.0, cy - h / 2.0, w, h];
        self.state.borrow_mut().viewbox = vb;
        let here_id = self.config.here.clone();
        // Merge pins closer than ~70 px on a 1000 px wide canvas.
        let pins = self.with_hall(|h| hall_view::pins(&h.map, &h.points.points, here_id.as_deref(), w * 0.07)).unwrap_or_default();
        let m = self.window.global::<MapView>();
        m.set_vb_x(vb[0]);
        m.set_vb_y(vb[1]);
        m.set_vb_w(vb[2]);
        m.set_vb_h(vb[3]);
        m.set_title(title.into());
        m.set_zoomed(adcode.is_some());
        m.set_pins(ModelRc::new(VecModel::from(pins)));
    }

    /// A tap on the map (fractions of its width and height): zoom into the county under it.
    pub fn tap_map(&self, fx: f32, fy: f32) {
        let vb = self.state.borrow().viewbox;
        let (x, y) = (vb[0] + fx * vb[2], vb[1] + fy * vb[3]);
        let code = self.with_hall(|h| h.map.county_at(x, y).map(|c| c.adcode.clone())).flatten();
        if let Some(code) = code {
            self.zoom_map(Some(&code));
        }
    }

    /// A pin: its card, or for a cluster, the list of the points it gathers (nearest first).
    fn open_pin(&self, id: &str) {
        let count = {
            let m = self.window.global::<MapView>();
            let pins = m.get_pins();
            (0..slint::Model::row_count(&pins)).filter_map(|i| slint::Model::row_data(&pins, i)).find(|p| p.id == id).map(|p| p.count)
        };
        if count.unwrap_or(1) > 1 {
            let vb = self.state.borrow().viewbox;
            let county = self.with_hall(|h| h.points.points.iter().find(|p| p.id == id).map(|p| p.county.clone())).flatten();
            // Zoom first; when the county view still merges them, list them.
            if vb[2] > 400.0 {
                if let Some(c) = county {
                    self.zoom_map(Some(&c));
                    return;
                }
            }
            self.open_points("");
            return;
        }
        self.open_point(id);
    }

    pub fn open_points(&self, filter: &str) {
        let here = self.here();
        let Some((rows, filters)) = self.with_hall(|h| {
            let service = (!filter.is_empty()).then_some(filter);
            let rows: Vec<_> = match here {
                Some(here) => nearest(&h.points.points, here, service).into_iter().map(|(p, d)| hall_view::point_row(p, Some(d))).collect(),
                None => h.points.points.iter().filter(|p| service.is_none_or(|s| p.services.iter().any(|x| x == s))).map(|p| hall_view::point_row(p, None)).collect(),
            };
            let filters: Vec<SharedString> = services(&h.points.points).into_iter().map(Into::into).collect();
            (rows, filters)
        }) else {
            return;
        };
        self.state.borrow_mut().filter = filter.to_owned();
        let m = self.window.global::<MapView>();
        m.set_rows(ModelRc::new(VecModel::from(rows)));
        m.set_filters(ModelRc::new(VecModel::from(filters)));
        m.set_filter(filter.into());
        m.set_card_open(false);
        self.go(Page::Points);
    }

    pub fn open_point(&self, id: &str) {
        let here = self.here();
        let Some(Some((name, facts, qr))) = self.with_hall(|h| {
            let p = h.points.points.iter().find(|p| p.id == id)?;
            let d = here.map(|here| distance_m(here, (p.lon, p.lat)));
            Some((p.name.clone(), hall_view::point_facts(p, d), hall_view::point_qr_payload(p)))
        }) else {
            return;
        };
        let m = self.window.global::<MapView>();
        m.set_card_name(name.into());
        m.set_card_facts(ModelRc::new(VecModel::from(facts)));
        m.set_card_qr(hall_view::qr_image(&qr));
        m.set_card_open(true);
    }

    // ---- queue tickets ------------------------------------------------------------------------

    /// Pins the queue's clock (screenshots, tests).
    pub fn set_now(&self, at: chrono::NaiveDateTime) {
        self.now_override.set(Some(at));
    }

    fn now(&self) -> chrono::NaiveDateTime {
        self.now_override.get().unwrap_or_else(|| chrono::Local::now().naive_local())
    }

    /// Opens the ticket desk on first use (queue database + printer + voice).
    fn ensure_desk(&self) -> Result<()> {
        if self.state.borrow().desk.is_some() {
            return Ok(());
        }
        let target: PrinterTarget = match &self.config.printer {
            Some(p) => p.parse()?,
            // No printer configured: every ticket falls back to the screen, and says why.
            None => PrinterTarget::Tcp("unconfigured.invalid:9100".into()),
        };
        let speaker: Box<dyn Speaker> = match &self.speech_log {
            Some(log) => Box::new(log.clone()),
            None => Box::new(EspeakSpeaker::default()),
        };
        let desk = TicketDesk::open(&self.config, &self.state.borrow().store, target, self.config.printer_status, speaker)?;
        self.state.borrow_mut().desk = Some(desk);
        Ok(())
    }

    pub fn open_queue(&self, letter: Option<&str>) {
        if let Err(e) = self.ensure_desk() {
            eprintln!("queue unavailable: {e:#}");
        }
        let now = self.now();
        let items = {
            let s = self.state.borrow();
            let Some(desk) = s.desk.as_ref() else { return };
            let q = self.window.global::<Queue>();
            q.set_open(desk.queue.is_open(now));
            q.set_hours(desk.queue.hours_label().into());
            q.set_priority_label(desk.queue.priority_label.as_str().into());
            desk.queue
                .services
                .iter()
                .map(|line| {
                    let waiting = desk.db.waiting(&line.letter, now.date()).unwrap_or(0);
                    ServiceItem {
                        letter: line.letter.as_str().into(),
                        name: line.name.as_str().into(),
                        windows: line.windows.as_str().into(),
                        waiting: waiting as i32,
                        wait_minutes: desk.wait_minutes(line, waiting, now.date()).unwrap_or(0) as i32,
                    }
                })
                .collect::<Vec<_>>()
        };
        let q = self.window.global::<Queue>();
        q.set_services(ModelRc::new(VecModel::from(items)));
        q.set_priority(false);
        self.state.borrow_mut().queue_letter = None;
        q.set_selected("".into());
        if let Some(l) = letter {
            self.choose_service(l);
        }
        self.go(Page::Queue);
    }

    pub fn choose_service(&self, letter: &str) {
        let name = self.state.borrow().desk.as_ref().and_then(|d| d.queue.service(letter).map(|s| s.name.clone()));
        let Some(name) = name else { return };
        self.state.borrow_mut().queue_letter = Some(letter.to_owned());
        let q = self.window.global::<Queue>();
        q.set_selected(letter.into());
        q.set_selected_name(name.into());
    }

    /// 确认取号: issue, print, show. Runs on the UI thread; a printer that never answers costs
    /// the link timeout (2.5 s) before the fallback shows.
    pub fn confirm_ticket(&self) {
        let now = self.now();
        let priority = self.window.global::<Queue>().get_priority();
        let outcome = {
            let mut s = self.state.borrow_mut();
            let Some(letter) = s.queue_letter.clone() else { return };
            let Some(desk) = s.desk.as_mut() else { return };
            desk.take(&letter, priority, now)
        };
        match outcome {
            Ok(out) => {
                let q = self.window.global::<Queue>();
                q.set_code(out.ticket.code().into());
                q.set_service_name(out.service.as_str().into());
                q.set_windows(out.windows.as_str().into());
                q.set_ahead(out.ahead as i32);
                q.set_wait_minutes(out.wait_minutes as i32);
                q.set_printed(out.printed());
                q.set_time(now.format("%H:%M").to_string().into());
                q.set_qr(hall_view::qr_image(&out.qr));
                self.go(Page::Ticket);
            }
            Err(e) => eprintln!("ticket not issued: {e:#}"),
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

//! Glue between the Slint globals and the content store: one controller per window.
//!
//! This module holds the window's state, wiring and session; each screen family's glue is a child
//! module adding its `impl Controller` block.

mod aid_check;
mod guides;
mod library_reader;
mod map;
mod queue;
mod search;

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
use super::{AidCheck, AppWindow, BlockItem, CategoryItem, Guides, Hall, HitItem, LawItem, Library, MapView, Nav, Page, Queue, Reader, Search, ServiceItem, Session, Theme, TocItem};
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
    /// The map canvas' height / width: reported by the page with each tap, estimated from
    /// the orientation until then (screenshots zoom without a tap).
    canvas_aspect: f32,
    filter: String,
    /// Opened with the queue page; holds the queue database's issuer lock.
    desk: Option<TicketDesk>,
    queue_letter: Option<String>,
    /// A ticket on the worker thread (the desk is with it).
    printing: Option<queue::PrintJob>,
    /// Counts idle resets: work finishing after one belongs to someone who left.
    session: u64,
    aid: aid_check::AidState,
}

pub struct Controller {
    window: AppWindow,
    data_dir: PathBuf,
    state: RefCell<State>,
    idle: Rc<IdleWatch>,
    clock: Timer,
    /// Looks for the printing outcome while a ticket prints.
    print_poll: Timer,
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
                canvas_aspect: match config.orientation {
                    Orientation::Portrait => 1.4,
                    Orientation::Landscape => 0.16,
                },
                filter: String::new(),
                desk: None,
                queue_letter: None,
                printing: None,
                session: 0,
                aid: Default::default(),
            }),
            idle: IdleWatch::new(
                Duration::from_secs(config.idle_timeout_secs),
                config.idle_prompt_secs,
                me.clone() as Weak<dyn IdleUi>,
            ),
            clock: Timer::default(),
            print_poll: Timer::default(),
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
        on!(MapView, on_tap_map, |c, x, y, aspect| c.tap_map(x, y, aspect));
        on!(MapView, on_zoom_out, |c| c.zoom_map(None));
        on!(MapView, on_open_pin, |c, id, aspect| c.open_pin(&id, aspect));
        on!(MapView, on_open_list, |c| c.open_points(""));
        on!(MapView, on_set_filter, |c, f| c.open_points(&f));
        on!(MapView, on_open_point, |c, id| c.open_point(&id));
        on!(MapView, on_close_card, |c| c.window.global::<MapView>().set_card_open(false));
        on!(Queue, on_open_queue, |c| c.open_queue(None));
        on!(Queue, on_choose, |c, l| c.choose_service(&l));
        on!(Queue, on_confirm, |c| c.confirm_ticket());
        on!(AidCheck, on_open_check, |c| c.open_aid_check());
        on!(AidCheck, on_pick_matter, |c, i| c.aid_pick_matter(i as usize));
        on!(AidCheck, on_answer, |c, yes| c.aid_answer(yes));
        on!(AidCheck, on_undo, |c| c.aid_undo());
        on!(AidCheck, on_open_article, |c, n| c.aid_open_article(n as u32));
        on!(AidCheck, on_take_ticket, |c| c.aid_take_ticket());
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
            // The quick check's answers (never stored anywhere else).
            s.aid = Default::default();
            s.session += 1;
        }
        let q = self.window.global::<Queue>();
        q.set_selected("".into());
        q.set_priority(false);
        q.set_code("".into());
        q.set_qr(Default::default());
        self.window.global::<MapView>().set_card_open(false);
        self.window.global::<Guides>().set_materials(ModelRc::default());
        let aid = self.window.global::<AidCheck>();
        aid.set_question("".into());
        aid.set_headline("".into());
        aid.set_reasons(ModelRc::default());
        aid.set_next_steps(ModelRc::default());
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
        let now = self.now();
        const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
        use chrono::Datelike;
        let hall = self.window.global::<Hall>();
        hall.set_time_text(now.format("%H:%M").to_string().into());
        hall.set_date_text(
            format!("{} 星期{}", now.format("%Y年%-m月%-d日"), WEEKDAYS[now.weekday().num_days_from_monday() as usize]).into(),
        );
    }

    /// The hall content of the open store generation, loaded on first use.
    fn with_hall<R>(&self, f: impl FnOnce(&HallContent) -> R) -> Option<R> {
        let mut s = self.state.borrow_mut();
        if s.hall.is_none() {
            s.hall = s.store.hall().ok();
        }
        s.hall.as_ref().map(f)
    }

    /// Shows the idle prompt now (screenshots).
    pub fn show_idle_prompt(&self, seconds: u64) {
        self.show_prompt(seconds);
    }
}

impl IdleUi for Controller {
    fn session_active(&self) -> bool {
        let s = self.state.borrow();
        s.nav.current() != Page::Home || !s.input.is_empty() || s.printing.is_some()
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

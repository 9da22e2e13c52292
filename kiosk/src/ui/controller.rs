//! The window's controller: what every screen shares (the store, the hall content, navigation,
//! the clock, the session), the screens themselves, the idle reset and content reloads.
//!
//! Screens live in [`super::screens`], one module each; this file knows them only through the
//! registry there, so a new screen needs no line here.

use std::cell::{Cell, Ref, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use anyhow::Result;
use chrono::NaiveDateTime;
use slint::{ComponentHandle, Timer, TimerMode};

use super::access::{AccessState, Language};
use super::attract::AttractLoop;
use super::idle::{IdleUi, IdleWatch};
use super::navigation::Navigator;
use super::screens::{on, DemoArgs, Kiosk, Screens};
use super::{Access, AppWindow, Attract, Metrics, Nav, Page, Session};
use crate::app::config::{Config, Orientation};
use crate::content::hall::HallContent;
use crate::content::Store;
use crate::speech::Speaker;

/// No touch for this long before a new content generation replaces the one on screen.
const QUIET_BEFORE_SWITCH: Duration = Duration::from_secs(5);

/// The UI loop counts as hung (no watchdog pings) after this long without a clock tick.
const UI_STALL: Duration = Duration::from_secs(10);

/// The metrics' name of a page (`home`, `reader`, …).
fn page_name(page: Page) -> String {
    format!("{page:?}").to_lowercase()
}

/// Makes the voice for a ticket desk (the desk moves to a worker thread, so it owns its own).
type SpeakerFactory = Box<dyn Fn() -> Box<dyn Speaker>>;

thread_local! {
    /// The controller of the window on screen (the UI thread's), for work handed over from
    /// other threads: a touch seen by the panel watcher, a screenshot request.
    static CURRENT: RefCell<Weak<Controller>> = const { RefCell::new(Weak::new()) };
}

/// Runs `f` on the UI thread with the controller on screen (none before content arrives).
pub fn on_ui_thread(f: impl FnOnce(&Controller) + Send + 'static) {
    let _ = slint::invoke_from_event_loop(move || {
        if let Some(c) = CURRENT.with(|c| c.borrow().upgrade()) {
            f(&c);
        }
    });
}

/// The screen as it is now, as PNG (the health endpoint's `/screenshot.png`), waiting up to
/// five seconds for the UI thread.
pub fn screenshot_png() -> Result<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    slint::invoke_from_event_loop(move || {
        let shot = match CURRENT.with(|c| c.borrow().upgrade()) {
            Some(c) => super::headless::snapshot_png(c.window.window()),
            None => Err(anyhow::anyhow!("no content yet: 内容准备中 is showing")),
        };
        let _ = tx.send(shot);
    })
    .map_err(|e| anyhow::anyhow!("the UI loop is not running: {e}"))?;
    rx.recv_timeout(Duration::from_secs(5))
        .map_err(|_| anyhow::anyhow!("the UI loop did not answer within 5 s"))?
}

pub struct Controller {
    window: AppWindow,
    config: Config,
    store: RefCell<Store>,
    /// The open generation's hall content, loaded on first use.
    hall: RefCell<Option<Rc<HallContent>>>,
    nav: RefCell<Navigator<Page>>,
    /// The time the kiosk shows and the queue uses; `None` is the wall clock (screenshots and
    /// tests pin it).
    now_override: Cell<Option<NaiveDateTime>>,
    /// Counts idle resets: work finishing after one belongs to someone who left.
    session: Cell<u64>,
    /// Counts content switches: a screen holding something built from the old content (the
    /// ticket desk) compares and rebuilds.
    content_serial: Cell<u64>,
    /// Runs for a few seconds after each touch: a new content generation waits until it stops.
    recently_touched: Timer,
    speaker: SpeakerFactory,
    pub(crate) screens: Screens,
    idle: Rc<IdleWatch>,
    clock: Timer,
    /// The first page shown has been counted.
    screens_counted: Cell<bool>,
    /// Runs from the technician gesture until its fingers have left the panel.
    gesture_fingers: Timer,
    /// Measures the UI loop's lag while a resident is here (`kiosk_ui_loop_lag_seconds`).
    lag_probe: Rc<super::lag_probe::LagProbe>,
    /// 长辈模式, the page reader and the language.
    access: AccessState,
    /// 法治宣传 posters while nobody uses the kiosk.
    attract: AttractLoop,
    me: Weak<Controller>,
}

impl Controller {
    /// Creates the window's controller with the configured voice, wires every callback and
    /// shows the home page.
    pub fn new(window: AppWindow, store: Store, config: &Config) -> Rc<Controller> {
        let speech = config.clone();
        Self::build(window, store, config, Box::new(move || crate::app::speaker(&speech)))
    }

    /// The same, with the ticket voice given (tests record what a resident would hear).
    pub fn with_speaker<S: Speaker + Clone + 'static>(
        window: AppWindow,
        store: Store,
        config: &Config,
        speaker: S,
    ) -> Rc<Controller> {
        Self::build(window, store, config, Box::new(move || Box::new(speaker.clone())))
    }

    fn build(
        window: AppWindow,
        store: Store,
        config: &Config,
        speaker: SpeakerFactory,
    ) -> Rc<Controller> {
        window.global::<Metrics>().set_landscape(config.orientation == Orientation::Landscape);
        super::typeset::install(&window);
        let screens = Screens::new(&window, config);
        let access = AccessState::new(speaker());
        let ctrl = Rc::new_cyclic(|me: &Weak<Controller>| Controller {
            window,
            config: config.clone(),
            store: RefCell::new(store),
            hall: RefCell::new(None),
            nav: RefCell::new(Navigator::new(Page::Home)),
            now_override: Cell::new(None),
            session: Cell::new(0),
            content_serial: Cell::new(0),
            recently_touched: Timer::default(),
            speaker,
            screens,
            idle: IdleWatch::new(
                Duration::from_secs(config.idle_timeout_secs),
                config.idle_prompt_secs,
                me.clone() as Weak<dyn IdleUi>,
            ),
            clock: Timer::default(),
            screens_counted: Cell::new(false),
            gesture_fingers: Timer::default(),
            lag_probe: super::lag_probe::LagProbe::new(),
            access,
            attract: AttractLoop::default(),
            me: me.clone(),
        });
        CURRENT.with(|c| *c.borrow_mut() = ctrl.me.clone());
        // Slint picks a bundled translation from the system locale; the kiosk starts in
        // Simplified Chinese whatever the device's locale.
        ctrl.access.set_language(&ctrl.window, Language::Hans);
        ctrl.wire();
        ctrl.screens.wire(&ctrl.window, &(ctrl.me.clone() as Weak<dyn Kiosk>));
        ctrl.screens.home.show_store_info(&*ctrl);
        ctrl.tick_clock();
        let me = ctrl.me.clone();
        ctrl.clock.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(c) = me.upgrade() {
                c.tick_clock();
            }
        });
        ctrl.activity();
        ctrl.show_page(Page::Home);
        ctrl
    }

    pub fn window(&self) -> &AppWindow {
        Kiosk::window(self)
    }

    fn wire(&self) {
        let (nav, session) = (self.window.global::<Nav>(), self.window.global::<Session>());
        // While the technician gesture's fingers are still down, the UI (reading the same panel
        // through libinput) would take their release as a tap on 返回 or 首页 in the corner.
        on!(self.me, nav, on_back, |c| if !c.gesture_fingers.running() {
            c.back()
        });
        on!(self.me, nav, on_home, |c| if !c.gesture_fingers.running() {
            c.home()
        });
        on!(self.me, session, on_activity, |c| c.activity());
        on!(self.me, session, on_keep_going, |c| c.activity());
        // The posters: a touch anywhere ends them (the panel's touch also counts as activity,
        // so 暂停 must not end them: only the loop's own touch area does).
        let attract = self.window.global::<Attract>();
        on!(self.me, attract, on_dismiss, |c| {
            c.attract.stop(&c.window);
            c.activity();
        });
        on!(self.me, attract, on_toggle_pause, |c| c.attract.toggle_pause(&c.window));
        let access = self.window.global::<Access>();
        on!(self.me, access, on_toggle_elder, |c| c.set_elder(!c.access.elder()));
        on!(self.me, access, on_read_aloud, |c| c.read_aloud());
        on!(self.me, access, on_stop_reading, |c| c.stop_reading());
        on!(self.me, access, on_open_languages, |c| c
            .window
            .global::<Access>()
            .set_choosing_language(true));
        on!(self.me, access, on_close_languages, |c| c
            .window
            .global::<Access>()
            .set_choosing_language(false));
        on!(self.me, access, on_choose_language, |c, code| if let Some(language) =
            Language::from_code(&code)
        {
            c.set_language(language)
        });
    }

    // ---- 长辈模式, read-aloud, language ---------------------------------------------------

    /// 长辈模式 on or off, for the rest of the session.
    pub fn set_elder(&self, on: bool) {
        self.access.set_elder(&self.window, on);
        for (_, screen) in self.screens.all() {
            screen.sizes_changed(self);
        }
    }

    /// The kiosk's own words in `language`, for the rest of the session.
    pub fn set_language(&self, language: Language) {
        self.access.set_language(&self.window, language);
        for (_, screen) in self.screens.all() {
            screen.language_changed(self);
        }
    }

    pub fn access(&self) -> &AccessState {
        &self.access
    }

    /// 朗读本页, or 暂停 / 继续 while reading.
    pub fn read_aloud(&self) {
        self.access.read_button(|| self.page_sentences());
        self.show_reading();
    }

    /// What 朗读 says on the page shown now, sentence by sentence.
    pub fn page_sentences(&self) -> Vec<String> {
        super::spoken::page_sentences(&self.window, self.current_page(), self.access.language())
    }

    pub fn stop_reading(&self) {
        self.access.stop_reading();
        self.show_reading();
    }

    /// The speaker button as the player is now (its own thread also reports changes).
    fn show_reading(&self) {
        super::access::show_reading(&self.window, self.access.playing());
    }

    /// Pins the kiosk's clock (screenshots, tests): the home clock and the queue use it.
    pub fn set_now(&self, at: NaiveDateTime) {
        self.now_override.set(Some(at));
        self.tick_clock();
    }

    // ---- navigation and session ----------------------------------------------------------

    pub fn back(&self) {
        let page = self.nav.borrow_mut().back();
        self.show_page(page);
    }

    pub fn home(&self) {
        let page = self.nav.borrow_mut().home();
        self.show_page(page);
        self.reload_store_if_stale();
    }

    /// Puts `page` up and counts it (`kiosk_screens_shown_total`, `kiosk_current_screen`).
    fn show_page(&self, page: Page) {
        let nav = self.window.global::<Nav>();
        let previous = nav.get_page();
        nav.set_page(page);
        if previous != page {
            // The voice reads the page it was asked on, never the next one.
            self.stop_reading();
        }
        if previous != page || !self.screens_counted.replace(true) {
            crate::observe::metrics().screen_shown(Some(&page_name(previous)), &page_name(page));
        }
    }

    /// A touch anywhere: restarts the idle time and hides the prompt.
    pub fn activity(&self) {
        self.recently_touched.start(TimerMode::SingleShot, QUIET_BEFORE_SWITCH, || {});
        self.lag_probe.touched();
        self.idle.activity();
        // A resident still at the ticket page (photographing the number) keeps it.
        self.screens.queue.touched(self);
    }

    /// Returns home and forgets everything of this resident's session: every registered screen
    /// resets itself (see [`Screens::all`]).
    pub fn reset_session(&self) {
        self.session.set(self.session.get() + 1);
        for (_, screen) in self.screens.all() {
            screen.reset(self);
        }
        self.access.reset(&self.window);
        self.home();
        // The idle time starts again at home: when it passes untouched, the posters come.
        self.idle.activity();
    }

    /// Shows today's 法治宣传 posters until a touch; false when no poster runs today.
    pub fn start_attract(&self) -> bool {
        let Some(hall) = self.hall() else { return false };
        let me = self.me.clone();
        let advance = Rc::new(move || {
            if let Some(c) = me.upgrade() {
                c.attract.next(&c.window, &c.store.borrow());
            }
        });
        let today = self.now().date();
        self.attract.start(&self.window, &self.store.borrow(), &hall.campaigns, today, advance)
    }

    /// Each screen's session state by name (tests: after a reset it equals a fresh kiosk's).
    pub fn session_states(&self) -> Vec<(&'static str, String)> {
        self.screens.all().into_iter().map(|(name, s)| (name, s.session_state(self))).collect()
    }

    /// Switches to a newer content generation when one was installed. Called on the way home,
    /// so a resident never sees the content change under their finger.
    pub fn reload_store_if_stale(&self) {
        let stale = self.store.borrow().is_stale(&self.config.data_dir);
        if !stale {
            return;
        }
        match Store::open(&self.config.data_dir) {
            Ok(store) => {
                *self.store.borrow_mut() = store;
                // Guides, points, map and queue services come with the generation.
                *self.hall.borrow_mut() = None;
                self.content_serial.set(self.content_serial.get() + 1);
                self.screens.home.show_store_info(self);
                // The posters on screen were the old content's.
                self.attract.stop(&self.window);
            }
            Err(e) => crate::observe::fault("store", &e.context("keeping the current content")),
        }
    }

    fn tick_clock(&self) {
        // The watchdog's sign that the UI loop runs (the timer fires every second).
        crate::observe::alive("ui", UI_STALL);
        self.screens.home.show_clock(&self.window, self.now());
        // The reader's thread reports its end through the event loop; the tick is the backstop
        // where no loop runs it (the testing backend).
        self.show_reading();
        // Content installed in the background goes live only when nobody is using the kiosk:
        // on the home page, nothing typed, no touch for a few seconds.
        if !self.recently_touched.running() && !IdleUi::session_active(self) {
            self.reload_store_if_stale();
        }
    }

    /// Two opposite corners held on the panel: the technician page's PIN pad, when a PIN is
    /// configured (never in a resident's session: it resets first).
    pub fn technician_gesture(&self) {
        if self.config.health.technician_pin.is_none() {
            tracing::info!("technician gesture ignored: no technician_pin configured");
            return;
        }
        self.reset_session();
        self.screens.technician.open_pin_pad(self);
        // Until the fingers lift (or 10 s, if the panel never says so).
        self.gesture_fingers.start(TimerMode::SingleShot, Duration::from_secs(10), || {});
    }

    /// The last finger left the panel: the corner buttons answer again shortly after (the
    /// UI's own release event may arrive a little later than the panel watcher's).
    pub fn fingers_lifted(&self) {
        if self.gesture_fingers.running() {
            self.gesture_fingers.start(TimerMode::SingleShot, Duration::from_millis(300), || {});
        }
    }

    /// Shows the idle prompt now (screenshots).
    pub fn show_idle_prompt(&self, seconds: u64) {
        self.show_prompt(seconds);
    }

    // ---- what tests, benchmarks and screenshots drive directly -----------------------------

    /// Opens a law by short name or title, at article `number` if given.
    pub fn open_law_by_name(&self, name: &str, number: Option<u32>) -> Result<()> {
        self.screens.reader.open_law_by_name(self, name, number)
    }

    pub fn open_map(&self) {
        self.screens.map.open_map(self);
    }

    /// A tap on the map at plane point (x, y) on a canvas of height/width `aspect`.
    pub fn tap_map(&self, x: f32, y: f32, aspect: f32) {
        self.screens.map.tap_map(self, x, y, aspect);
    }

    /// The queue page, with service `letter` chosen if given.
    pub fn open_queue(&self, letter: Option<&str>) {
        self.screens.queue.open_queue(self, letter);
    }

    /// Takes a finished ticket's outcome (waiting up to `wait`); true when none is printing.
    pub fn poll_ticket(&self, wait: Option<Duration>) -> bool {
        self.screens.queue.poll_ticket(self, wait)
    }

    pub fn open_aid_check(&self) {
        self.screens.aid_check.open_aid_check(self);
    }

    /// Brings the UI to a named screenshot state through the same calls a resident's taps make.
    /// The names come from the screens ([`Screens::demo_names`]).
    pub fn show_demo(&self, name: &str, args: &DemoArgs) -> Result<()> {
        if name == "idle" {
            self.show_demo("results", args)?;
            self.show_idle_prompt(20);
            return Ok(());
        }
        if name == "attract" {
            // As the idle time leaves it: nobody's session, no prompt, the home page behind.
            self.reset_session();
            IdleUi::hide_prompt(self);
            anyhow::ensure!(
                self.start_attract(),
                "no 法治宣传 poster runs on {}",
                self.now().date()
            );
            return Ok(());
        }
        match self.screens.demo_screen(name) {
            Some(screen) => screen.show_demo(self, name, args),
            None => anyhow::bail!("unknown screen {name:?}: {}", Screens::demo_names().join(", ")),
        }
    }
}

impl Kiosk for Controller {
    fn window(&self) -> &AppWindow {
        &self.window
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn store(&self) -> Ref<'_, Store> {
        self.store.borrow()
    }

    fn hall(&self) -> Option<Rc<HallContent>> {
        if self.hall.borrow().is_none() {
            match self.store.borrow().hall() {
                Ok(h) => *self.hall.borrow_mut() = Some(Rc::new(h)),
                Err(e) => crate::observe::fault("store", &e.context("no hall content")),
            }
        }
        self.hall.borrow().clone()
    }

    fn screens(&self) -> &Screens {
        &self.screens
    }

    fn go(&self, page: Page) {
        let page = self.nav.borrow_mut().go(page);
        self.show_page(page);
    }

    fn current_page(&self) -> Page {
        self.nav.borrow().current()
    }

    fn now(&self) -> NaiveDateTime {
        self.now_override.get().unwrap_or_else(|| chrono::Local::now().naive_local())
    }

    fn session(&self) -> u64 {
        self.session.get()
    }

    fn content_serial(&self) -> u64 {
        self.content_serial.get()
    }

    fn speaker(&self) -> Box<dyn Speaker> {
        (self.speaker)()
    }

    fn me(&self) -> Weak<dyn Kiosk> {
        self.me.clone()
    }

    fn end_session(&self) {
        Controller::reset_session(self);
    }

    fn language(&self) -> Language {
        self.access.language()
    }
}

impl IdleUi for Controller {
    fn session_active(&self) -> bool {
        self.current_page() != Page::Home
            || self.access.holds_session()
            || self.screens.all().into_iter().any(|(_, s)| s.holds_session())
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
    fn idle_at_home(&self) {
        self.start_attract();
    }
}

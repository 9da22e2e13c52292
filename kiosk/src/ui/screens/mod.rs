//! The screens, one module each. A screen owns its session state, its Slint global (declared in
//! `ui/api/<screen>.slint`) and its `reset()`; it is registered once, in the [`screens!`] list
//! below, which is what the session reset, the screenshot names and the callback wiring walk.
//! So a screen cannot be forgotten by the reset: registering it is how it exists.
//!
//! A screen sees the kiosk through [`Kiosk`] (the store, the hall content, navigation, the
//! clock, the other screens), which the controller implements: screens never import the
//! controller. They call each other through it (`k.screens().reader.open_law(k, …)`), never
//! through Slint: the Rust side keeps its own view state and does not read it back from models.

pub(crate) mod aid_check;
pub(crate) mod guides;
pub(crate) mod home;
pub(crate) mod library;
pub(crate) mod map;
pub(crate) mod queue;
pub(crate) mod reader;
pub(crate) mod search;
pub(crate) mod technician;
pub(crate) mod topics;

use std::cell::Ref;
use std::rc::{Rc, Weak};

use anyhow::Result;
use chrono::NaiveDateTime;
use slint::{Model, ModelRc, SharedString, VecModel};

use super::{AppWindow, Page};
use crate::app::config::Config;
use crate::content::hall::HallContent;
use crate::content::Store;
use crate::speech::Speaker;
use crate::text::i18n::Language;

/// What a screen may use of the kiosk around it.
pub(crate) trait Kiosk {
    fn window(&self) -> &AppWindow;
    fn config(&self) -> &Config;
    fn store(&self) -> Ref<'_, Store>;
    /// The open generation's hall content; `None` when it has none readable.
    fn hall(&self) -> Option<Rc<HallContent>>;
    fn screens(&self) -> &Screens;
    /// Shows `page`, remembering the way back.
    fn go(&self, page: Page);
    fn current_page(&self) -> Page;
    /// The kiosk's clock (pinned in screenshots and tests).
    fn now(&self) -> NaiveDateTime;
    /// Counts idle resets: work finishing after one belongs to someone who left.
    fn session(&self) -> u64;
    /// Counts content switches: whatever was built from the old content is rebuilt.
    fn content_serial(&self) -> u64;
    /// A voice for a ticket desk.
    fn speaker(&self) -> Box<dyn Speaker>;
    /// For timers and callbacks that outlive a call.
    fn me(&self) -> Weak<dyn Kiosk>;
    /// Returns home and forgets this resident's session, as an idle reset does.
    fn end_session(&self);
    /// The language the resident chose: what Rust writes (`Phrase`s) is written in it.
    fn language(&self) -> Language;
}

/// What a screenshot shows on screens that take a subject (`kiosk screenshot --law …`).
#[derive(Debug, Clone)]
pub struct DemoArgs {
    pub law: String,
    pub article: u32,
    pub pinyin: String,
    pub guide: String,
    pub topic: String,
    pub point: String,
    pub county: String,
    pub filter: String,
    /// The library category the `laws` screen lists (empty: the first).
    pub category: String,
}

/// How a screen is made and wired (the registry calls these).
pub(crate) trait ScreenType: Screen + Sized {
    /// Screenshot states this screen can bring itself to, by name.
    const DEMOS: &'static [&'static str];
    /// A fresh screen, its state written into its global.
    fn new(window: &AppWindow, config: &Config) -> Self;
    /// Connects the global's callbacks to the controller.
    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>);
}

/// What the controller asks of every screen.
pub(crate) trait Screen {
    /// Forgets the resident: the screen's state and its global return to a fresh screen's.
    fn reset(&self, k: &dyn Kiosk);
    /// The session state a resident left here, as text (tests compare it with a fresh one).
    fn session_state(&self, k: &dyn Kiosk) -> String;
    /// Whether something of a resident's session is under way here even on the home page
    /// (typed search text, a ticket printing): the idle prompt then still counts down.
    fn holds_session(&self) -> bool {
        false
    }
    /// The resident chose another language: Slint rewrites the pages' words by itself, the
    /// screen rewrites the sentences it composed (`Phrase`s).
    fn language_changed(&self, _k: &dyn Kiosk) {}
    /// 长辈模式 went on or off: every size changed, so a screen that chose what fits (the
    /// search's candidate chips) chooses again.
    fn sizes_changed(&self, _k: &dyn Kiosk) {}
    /// Brings the screen to the screenshot state `name` (one of its `DEMOS`).
    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()>;
}

/// Declares the screens: a field of [`Screens`] each, made, wired and reset in this order.
macro_rules! screens {
    ($($field:ident: $ty:ty),* $(,)?) => {
        pub struct Screens {
            $(pub(crate) $field: $ty,)*
        }

        impl Screens {
            pub(crate) fn new(window: &AppWindow, config: &Config) -> Screens {
                Screens { $($field: <$ty as ScreenType>::new(window, config),)* }
            }

            pub(crate) fn wire(&self, window: &AppWindow, k: &Weak<dyn Kiosk>) {
                $(<$ty as ScreenType>::wire(window, k);)*
            }

            /// Every screen, by name: the one list the session reset walks.
            pub(crate) fn all(&self) -> Vec<(&'static str, &dyn Screen)> {
                vec![$((stringify!($field), &self.$field as &dyn Screen),)*]
            }

            /// The screen that renders screenshot `name`.
            pub(crate) fn demo_screen(&self, name: &str) -> Option<&dyn Screen> {
                $(if <$ty as ScreenType>::DEMOS.contains(&name) {
                    return Some(&self.$field);
                })*
                None
            }

            /// Every screenshot name (`kiosk screenshot --list`).
            pub fn demo_names() -> Vec<&'static str> {
                let mut names = Vec::new();
                $(names.extend_from_slice(<$ty as ScreenType>::DEMOS);)*
                names.push("idle");
                names.push("attract");
                names
            }
        }
    };
}

screens! {
    home: home::HomeScreen,
    library: library::LibraryScreen,
    reader: reader::ReaderScreen,
    search: search::SearchScreen,
    guides: guides::GuidesScreen,
    topics: topics::TopicsScreen,
    map: map::MapScreen,
    queue: queue::QueueScreen,
    aid_check: aid_check::AidCheckScreen,
    technician: technician::TechnicianScreen,
}

/// A model the screen keeps for its lifetime and refills: Slint binds it once.
pub(crate) struct ListModel<T: Clone + 'static>(std::rc::Rc<VecModel<T>>);

impl<T: Clone + 'static> ListModel<T> {
    pub(crate) fn new() -> Self {
        ListModel(std::rc::Rc::new(VecModel::default()))
    }
    /// The handle a global's property is set to, once.
    pub(crate) fn handle(&self) -> ModelRc<T> {
        ModelRc::from(self.0.clone())
    }
    pub(crate) fn set(&self, rows: Vec<T>) {
        self.0.set_vec(rows);
    }
    pub(crate) fn set_row(&self, i: usize, row: T) {
        self.0.set_row_data(i, row);
    }
    pub(crate) fn row(&self, i: usize) -> Option<T> {
        self.0.row_data(i)
    }
    pub(crate) fn rows(&self) -> impl Iterator<Item = T> + '_ {
        self.0.iter()
    }
}

impl<T: Clone + std::fmt::Debug + 'static> std::fmt::Debug for ListModel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

/// A list of strings for Slint.
pub(crate) fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Vec<SharedString> {
    items.into_iter().map(|s| SharedString::from(s.as_ref())).collect()
}

/// Wires a global's callback to a controller method: `on!(k, global, on_x, |c, args…| body)`.
macro_rules! on {
    ($k:expr, $global:expr, $setter:ident, |$c:ident $(, $arg:ident)*| $body:expr) => {{
        let me = $k.clone();
        $global.$setter(move |$($arg),*| {
            if let Some($c) = me.upgrade() {
                $body;
            }
        });
    }};
}
pub(crate) use on;

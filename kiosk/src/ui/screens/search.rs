//! Search: pinyin keys → candidates → hits, and opening a hit in the reader. What the resident
//! typed lives here only, and goes with the session.

use std::cell::RefCell;
use std::rc::Weak;

use anyhow::Result;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{on, strings, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::lexicon::HOT_TOPICS;
use crate::content::search::{Hit, HitKind};
use crate::ui::search_input::SearchInput;
use crate::ui::{AppWindow, HitItem, Page, Search};

/// Candidate words shown above the keyboard.
const CANDIDATES: usize = 6;
/// Results shown for a search.
const RESULTS: usize = 30;

#[derive(Debug, Default)]
struct State {
    input: SearchInput,
    candidates: Vec<String>,
    hits: Vec<Hit>,
    /// The store could not answer (shown calmly, reported as a fault).
    failed: bool,
}

pub(crate) struct SearchScreen {
    state: RefCell<State>,
    candidates: ListModel<slint::SharedString>,
    hits: ListModel<HitItem>,
}

impl SearchScreen {
    pub(crate) fn open_search(&self, k: &dyn Kiosk) {
        self.present(k.window());
        k.go(Page::Search);
    }

    fn key(&self, k: &dyn Kiosk, key: &str) {
        let top = self.state.borrow().candidates.first().cloned();
        self.edit(k, |i| i.key(key, top.as_deref()));
    }

    /// Types `letters` on the pinyin keyboard, as a resident would (tests, screenshots).
    pub(crate) fn type_keys(&self, k: &dyn Kiosk, letters: &str) {
        for c in letters.chars() {
            self.key(k, &c.to_string());
        }
    }

    fn edit(&self, k: &dyn Kiosk, edit: impl FnOnce(&mut SearchInput)) {
        edit(&mut self.state.borrow_mut().input);
        self.run(k);
        self.present(k.window());
    }

    /// Recomputes candidates and results for the current input.
    fn run(&self, k: &dyn Kiosk) {
        let mut s = self.state.borrow_mut();
        let store = k.store();
        let mut failed = false;
        let candidates = if s.input.pinyin.is_empty() {
            Vec::new()
        } else {
            // The error never carries what was typed: it is the resident's.
            store.pinyin_candidates(&s.input.pinyin, CANDIDATES).unwrap_or_else(|e| {
                failed = true;
                crate::observe::fault("search", &e.context("pinyin candidates"));
                Vec::new()
            })
        };
        let terms = s.input.terms(candidates.first().map(String::as_str));
        let hits = if terms.is_empty() {
            Vec::new()
        } else {
            crate::observe::metrics().searches.inc();
            let span = tracing::debug_span!("search", terms = terms.len());
            let _in = span.enter();
            store.search_terms(&terms, RESULTS).map(|r| r.hits).unwrap_or_else(|e| {
                failed = true;
                crate::observe::fault("search", &e.context("search"));
                Vec::new()
            })
        };
        s.candidates = candidates;
        s.hits = hits;
        s.failed = failed;
    }

    /// Writes the state into the page.
    fn present(&self, window: &AppWindow) {
        let s = self.state.borrow();
        let search = window.global::<Search>();
        search.set_committed(s.input.committed.join(" ").into());
        search.set_pinyin(s.input.pinyin.as_str().into());
        self.candidates.set(strings(&s.candidates));
        self.hits.set(s.hits.iter().map(hit_item).collect());
        let shown = s.input.terms(s.candidates.first().map(String::as_str)).join(" ");
        search.set_summary(
            if s.failed {
                // Not 没有找到: the law is there, the kiosk could not look. Said calmly.
                "暂时无法搜索，请稍后再试，或拨打 12348 免费咨询。".to_string()
            } else if s.hits.is_empty() {
                format!("没有找到“{shown}”。换个词试试，或拨打 12348 免费咨询。")
            } else if s.hits.len() == RESULTS {
                format!("“{shown}”：显示最相关的 {RESULTS} 条")
            } else {
                format!("“{shown}”：找到 {} 条", s.hits.len())
            }
            .into(),
        );
    }

    fn open_hit(&self, k: &dyn Kiosk, index: usize) {
        let hit = self.state.borrow().hits.get(index).cloned();
        if let Some(hit) = hit {
            let seq = (hit.kind != HitKind::Title).then_some(hit.seq);
            k.screens().reader.open_law(k, hit.doc, seq);
        }
    }
}

fn hit_item(h: &Hit) -> HitItem {
    HitItem {
        doc: h.doc as i32,
        seq: h.seq as i32,
        law: h.short_name.as_str().into(),
        label: h.label.as_str().into(),
        status: h.status.into(),
        before: h.snippet.before.as_str().into(),
        matched: h.snippet.matched.as_str().into(),
        after: h.snippet.after.as_str().into(),
        title_hit: h.kind == HitKind::Title,
    }
}

impl ScreenType for SearchScreen {
    const DEMOS: &'static [&'static str] = &["search", "results"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = SearchScreen {
            state: RefCell::default(),
            candidates: ListModel::new(),
            hits: ListModel::new(),
        };
        let search = window.global::<Search>();
        search.set_candidates(s.candidates.handle());
        search.set_hits(s.hits.handle());
        search.set_topics(ModelRc::new(VecModel::from(strings(HOT_TOPICS))));
        s.present(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let s = window.global::<Search>();
        on!(k, s, on_key, |c, key| c.screens().search.key(&*c, &key));
        on!(k, s, on_backspace, |c| c.screens().search.edit(&*c, |i| i.backspace()));
        on!(k, s, on_clear, |c| c.screens().search.edit(&*c, |i| i.clear()));
        on!(k, s, on_pick, |c, word| c.screens().search.edit(&*c, |i| i.pick(&word)));
        on!(k, s, on_topic, |c, word| c.screens().search.edit(&*c, |i| {
            i.clear();
            i.pick(&word)
        }));
        on!(k, s, on_open_hit, |c, index| c.screens().search.open_hit(&*c, index.max(0) as usize));
    }
}

impl Screen for SearchScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        self.present(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let g = k.window().global::<Search>();
        format!(
            "{:?}; shown {:?} {:?} {:?}; candidates {:?}; hits {:?}",
            self.state.borrow(),
            g.get_committed(),
            g.get_pinyin(),
            g.get_summary(),
            self.candidates,
            self.hits
        )
    }

    fn holds_session(&self) -> bool {
        !self.state.borrow().input.is_empty()
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        self.open_search(k);
        if name == "results" {
            self.type_keys(k, &args.pinyin);
        }
        Ok(())
    }
}

//! Search: pinyin keys or handwriting → candidates → hits, and opening a hit in the reader.
//! What the resident typed or wrote lives here only, and goes with the session.

use std::cell::RefCell;
use std::rc::Weak;

use anyhow::Result;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{on, strings, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::lexicon::HOT_TOPICS;
use crate::content::search::{Hit, SearchResults};
use crate::input::handwriting::{Recognizer, Stroke};
use crate::ui::search_input::SearchInput;
use crate::ui::{AppWindow, HitItem, Metrics, Page, Search, TopicGuide, TopicTile};

/// Candidate words shown above the keyboard.
const CANDIDATES: usize = 6;

/// How many candidate chips fit whole, side by side, in `room` pixels (at least one): a chip is
/// its word at font-large (40 px × `scale`; a hanzi is as wide as the size, ASCII about half)
/// plus 2 × 20 px padding and at least a touch target (96 px × `scale`) wide, with 12 px between
/// chips (ui/pages/search.slint). `scale` is 长辈模式's enlargement (`Metrics.scale`): without it
/// the fifth chip ran off the screen there.
fn chips_that_fit(words: &[String], room: f32, scale: f32) -> usize {
    let mut used = 0.0;
    for (i, w) in words.iter().enumerate() {
        let text: f32 = w.chars().map(|c| scale * if c.is_ascii() { 22.0 } else { 40.0 }).sum();
        used += (text + 40.0).max(96.0 * scale) + if i > 0 { 12.0 } else { 0.0 };
        if used > room && i > 0 {
            return i;
        }
    }
    words.len()
}
/// The handwriting pad's side in pixels (square: the recogniser scales both axes alike).
const PAD: u32 = 440;
/// A finger moving less than this adds no point to a stroke.
const MIN_STEP: i32 = 3;
/// Results shown for a search, and added by each 显示更多结果.
const RESULTS: usize = 30;

#[derive(Debug, Default)]
struct State {
    input: SearchInput,
    candidates: Vec<String>,
    /// The search as the store returned it; its hits are shown in that order.
    results: SearchResults,
    /// Hits asked for: RESULTS, plus RESULTS per 显示更多结果.
    limit: usize,
    /// Life situations the query names (at most two, above the hits).
    situations: Vec<TopicTile>,
    /// The 办事指南 the query names by its name's words (at most one, above the situations).
    guides: Vec<TopicGuide>,
    /// The store could not answer (shown calmly, reported as a fault).
    failed: bool,
    /// Strokes on the handwriting pad for the character being written.
    strokes: Vec<Stroke>,
    /// The recogniser's candidates for those strokes.
    written: Vec<String>,
}

pub(crate) struct SearchScreen {
    state: RefCell<State>,
    /// The handwriting model, opened on the first stroke (it is memory-mapped, ≈26 MB).
    recognizer: RefCell<Option<Recognizer>>,
    model: std::path::PathBuf,
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
        let mut s = self.state.borrow_mut();
        edit(&mut s.input);
        s.limit = RESULTS;
        drop(s);
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
        let limit = s.limit.max(RESULTS);
        let results = if terms.is_empty() {
            SearchResults::default()
        } else {
            crate::observe::metrics().searches.inc();
            let span = tracing::debug_span!("search", terms = terms.len());
            let _in = span.enter();
            store.search_terms(&terms, limit).unwrap_or_else(|e| {
                failed = true;
                crate::observe::fault("search", &e.context("search"));
                SearchResults::default()
            })
        };
        s.situations = match k.hall() {
            Some(h) => results
                .topics
                .iter()
                .filter_map(|id| h.topic(id))
                .take(2)
                .map(|t| TopicTile {
                    id: t.id.as_str().into(),
                    title: t.title.as_str().into(),
                    summary: "".into(),
                })
                .collect(),
            None => Vec::new(),
        };
        s.guides = match k.hall() {
            Some(h) => results
                .guides
                .iter()
                .filter_map(|id| h.guide(id))
                .take(1)
                .map(|g| TopicGuide { id: g.id.as_str().into(), name: g.name.as_str().into() })
                .collect(),
            None => Vec::new(),
        };
        s.results = results;
        s.limit = limit;
        s.candidates = candidates;
        s.failed = failed;
    }

    fn pad_down(&self, k: &dyn Kiosk, x: f32, y: f32) {
        self.state.borrow_mut().strokes.push(vec![(x as i32, y as i32)]);
        self.present_ink(k.window());
    }

    fn pad_move(&self, k: &dyn Kiosk, x: f32, y: f32) {
        let (x, y) = (x as i32, y as i32);
        let mut s = self.state.borrow_mut();
        let Some(stroke) = s.strokes.last_mut() else { return };
        let &(lx, ly) = stroke.last().expect("a stroke starts with a point");
        if (x - lx).abs().max((y - ly).abs()) >= MIN_STEP {
            stroke.push((x, y));
            drop(s);
            self.present_ink(k.window());
        }
    }

    /// A stroke ends: the candidates follow what is written so far.
    fn pad_up(&self, k: &dyn Kiosk) {
        let strokes = self.state.borrow().strokes.clone();
        let mut recognizer = self.recognizer.borrow_mut();
        if recognizer.is_none() {
            match Recognizer::open(&self.model) {
                Ok(r) => *recognizer = Some(r),
                Err(e) => crate::observe::fault("handwriting", &e),
            }
        }
        let written = recognizer
            .as_ref()
            .map(|r| r.classify(&strokes, PAD, PAD, CANDIDATES + 2))
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.character)
            .collect();
        drop(recognizer);
        self.state.borrow_mut().written = written;
        self.present(k.window());
    }

    /// Clears the pad for the next character.
    fn rewrite(&self, k: &dyn Kiosk) {
        let mut s = self.state.borrow_mut();
        s.strokes.clear();
        s.written.clear();
        drop(s);
        self.present(k.window());
    }

    /// A candidate tapped: a word on the keyboard, the next character when writing.
    fn pick(&self, k: &dyn Kiosk, word: &str) {
        if k.window().global::<Search>().get_writing() {
            self.edit(k, |i| i.write(word));
            self.rewrite(k);
        } else {
            self.edit(k, |i| i.pick(word));
        }
    }

    /// Draws the strokes back as path commands.
    fn present_ink(&self, window: &AppWindow) {
        let s = self.state.borrow();
        let mut ink = String::new();
        for stroke in &s.strokes {
            for (i, (x, y)) in stroke.iter().enumerate() {
                ink += &format!("{} {x} {y} ", if i == 0 { "M" } else { "L" });
            }
            if stroke.len() == 1 {
                // A dot: a tiny segment so it shows.
                ink += &format!("L {} {} ", stroke[0].0 + 1, stroke[0].1 + 1);
            }
        }
        window.global::<Search>().set_ink(ink.trim_end().into());
    }

    fn more_results(&self, k: &dyn Kiosk) {
        self.state.borrow_mut().limit += RESULTS;
        self.run(k);
        self.present(k.window());
    }

    /// The candidate chips that fit the row whole: the written characters' while writing,
    /// else the pinyin's.
    fn present_candidates(&self, window: &AppWindow, s: &State) {
        let writing = !s.strokes.is_empty() || !s.written.is_empty();
        let words = if writing { &s.written } else { &s.candidates };
        let room = window.global::<Search>().get_candidate_room();
        let scale = window.global::<Metrics>().get_scale();
        self.candidates.set(strings(&words[..chips_that_fit(words, room, scale)]));
    }

    /// Writes the state into the page.
    fn present(&self, window: &AppWindow) {
        let s = self.state.borrow();
        let search = window.global::<Search>();
        search.set_committed(s.input.shown().into());
        search.set_pinyin(s.input.pinyin.as_str().into());
        self.present_candidates(window, &s);
        let mut previous_doc = None;
        // Shown in rank order; a law's consecutive hits share one heading (`law_start`), and a
        // law that ranks again further down is headed again. Not one group per law: gathering
        // every hit of a law where its best one ranks puts its weak hits ahead of another law's
        // answers (recall@10 on the judged set, README "Judged query set").
        self.hits.set(
            s.results
                .hits
                .iter()
                .map(|h| {
                    let start = previous_doc != Some(h.doc);
                    previous_doc = Some(h.doc);
                    hit_item(h, start)
                })
                .collect(),
        );
        drop(s);
        self.present_ink(window);
        let s = self.state.borrow();
        let shown = s.input.terms(s.candidates.first().map(String::as_str)).join(" ");
        let typed = !shown.is_empty();
        let more = s.results.hits.len() >= s.limit;
        search.set_more(more);
        search.set_nothing_found(typed && !s.failed && s.results.hits.is_empty());
        // The page writes the summary and what was understood from these, in its language.
        search.set_shown(shown.into());
        search.set_failed(s.failed);
        search.set_hit_count(s.results.hits.len() as i32);
        let r = &s.results;
        let listed = |words: &[String]| SharedString::from(crate::text::zh::name_list(words));
        search.set_terms(if r.terms.is_empty() { "".into() } else { listed(&r.terms) });
        search.set_also(if r.terms.is_empty() { "".into() } else { listed(&r.also) });
        search.set_dropped(if r.terms.is_empty() { "".into() } else { listed(&r.dropped) });
        search.set_situations(ModelRc::new(VecModel::from(s.situations.clone())));
        search.set_guides(ModelRc::new(VecModel::from(s.guides.clone())));
    }

    fn open_hit(&self, k: &dyn Kiosk, index: usize) {
        let hit = self.state.borrow().results.hits.get(index).cloned();
        if let Some(hit) = hit {
            let seq = (!hit.is_title()).then_some(hit.seq);
            k.screens().reader.open_law(k, hit.doc, seq);
        }
    }
}

fn hit_item(h: &Hit, law_start: bool) -> HitItem {
    HitItem {
        doc: h.doc as i32,
        seq: h.seq as i32,
        law: h.short_name.as_str().into(),
        label: h.label.as_str().into(),
        status: h.status.into(),
        before: h.snippet.before.as_str().into(),
        matched: h.snippet.matched.as_str().into(),
        after: h.snippet.after.as_str().into(),
        title_hit: h.is_title(),
        law_start,
    }
}

impl ScreenType for SearchScreen {
    const DEMOS: &'static [&'static str] = &["search", "results", "handwriting"];

    fn new(window: &AppWindow, config: &Config) -> Self {
        let s = SearchScreen {
            state: RefCell::default(),
            recognizer: RefCell::default(),
            model: config.handwriting_model.clone(),
            candidates: ListModel::new(),
            hits: ListModel::new(),
        };
        let search = window.global::<Search>();
        search.set_candidates(s.candidates.handle());
        search.set_hits(s.hits.handle());
        search.set_topics(ModelRc::new(VecModel::from(strings(HOT_TOPICS))));
        search.set_handwriting_available(
            cfg!(feature = "handwriting") && config.handwriting_model.is_file(),
        );
        s.present(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let s = window.global::<Search>();
        on!(k, s, on_key, |c, key| c.screens().search.key(&*c, &key));
        on!(k, s, on_backspace, |c| c.screens().search.edit(&*c, |i| i.backspace()));
        on!(k, s, on_clear, |c| c.screens().search.edit(&*c, |i| i.clear()));
        on!(k, s, on_pick, |c, word| c.screens().search.pick(&*c, &word));
        on!(k, s, on_pad_down, |c, x, y| c.screens().search.pad_down(&*c, x, y));
        on!(k, s, on_pad_move, |c, x, y| c.screens().search.pad_move(&*c, x, y));
        on!(k, s, on_pad_up, |c| c.screens().search.pad_up(&*c));
        on!(k, s, on_rewrite, |c| c.screens().search.rewrite(&*c));
        on!(k, s, on_topic, |c, word| c.screens().search.edit(&*c, |i| {
            i.clear();
            i.pick(&word)
        }));
        on!(k, s, on_more_results, |c| c.screens().search.more_results(&*c));
        on!(k, s, on_open_hit, |c, index| c.screens().search.open_hit(&*c, index.max(0) as usize));
    }
}

impl Screen for SearchScreen {
    // Only the chips: the hits and their scroll position stay as they are.
    fn sizes_changed(&self, k: &dyn Kiosk) {
        self.present_candidates(k.window(), &self.state.borrow());
    }

    fn reset(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        k.window().global::<Search>().set_writing(false);
        self.present(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let g = k.window().global::<Search>();
        format!(
            "{:?}; shown {:?} {:?} {:?} {} {:?}; candidates {:?}; hits {:?}",
            self.state.borrow(),
            g.get_committed(),
            g.get_pinyin(),
            (g.get_shown(), g.get_failed(), g.get_hit_count(), g.get_terms()),
            g.get_writing(),
            g.get_ink(),
            self.candidates,
            self.hits
        )
    }

    fn holds_session(&self) -> bool {
        let s = self.state.borrow();
        !s.input.is_empty() || !s.strokes.is_empty()
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        self.open_search(k);
        if name == "results" {
            self.type_keys(k, &args.pinyin);
        }
        if name == "handwriting" {
            // 工 as a finger writes it: the pad, its ink and the candidates after three strokes.
            k.window().global::<Search>().set_writing(true);
            for stroke in [[(99, 88), (341, 88)], [(220, 88), (220, 352)], [(55, 352), (385, 352)]]
            {
                self.pad_down(k, stroke[0].0 as f32, stroke[0].1 as f32);
                for i in 1..=20 {
                    let (x0, y0, x1, y1) = (stroke[0].0, stroke[0].1, stroke[1].0, stroke[1].1);
                    self.pad_move(
                        k,
                        (x0 + (x1 - x0) * i / 20) as f32,
                        (y0 + (y1 - y0) * i / 20) as f32,
                    );
                }
                self.pad_up(k);
            }
        }
        Ok(())
    }
}

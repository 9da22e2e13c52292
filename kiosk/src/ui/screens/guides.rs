//! 办事指南: the guide list, one guide with its checklist, 设定依据 into the reader, 取号办理.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use anyhow::Result;
use slint::{ComponentHandle, SharedString};

use super::{on, strings, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::phrase;
use crate::text::i18n::Phrase;
use crate::ui::hall_view;
use crate::ui::{AppWindow, BasisItem, FactItem, GuideRow, Guides, MaterialItem, Page, StepItem};

/// The guide open and what the resident ticked on its checklist.
#[derive(Debug, Default)]
struct State {
    guide: Option<usize>,
    checked: Vec<bool>,
}

pub(crate) struct GuidesScreen {
    state: RefCell<State>,
    /// Bumped for each guide opened, so the page scrolls back to its top.
    serial: Cell<i32>,
    rows: ListModel<GuideRow>,
    eligibility: ListModel<SharedString>,
    basis: ListModel<BasisItem>,
    materials: ListModel<MaterialItem>,
    steps: ListModel<StepItem>,
    facts: ListModel<FactItem>,
}

impl GuidesScreen {
    pub(crate) fn open_guides(&self, k: &dyn Kiosk) {
        if let Some(h) = k.hall() {
            self.rows.set(hall_view::guide_rows(&h.guides));
        }
        k.go(Page::Guides);
    }

    pub(crate) fn open_guide(&self, k: &dyn Kiosk, id: &str) {
        let Some(h) = k.hall() else { return };
        let Some(index) = h.guides.iter().position(|g| g.id == id) else { return };
        let guide = &h.guides[index];
        let queue_name =
            guide.queue.as_deref().and_then(|l| h.queue.service(l)).map(|s| s.name.clone());
        let short = |law: &str| {
            k.store()
                .law_by_name(law)
                .ok()
                .flatten()
                .map(|l| l.short_name)
                .unwrap_or_else(|| law.to_owned())
        };
        let w = k.window().global::<Guides>();
        w.set_name(guide.name.as_str().into());
        w.set_summary(guide.summary.as_str().into());
        self.eligibility.set(strings(&guide.eligibility));
        self.basis.set(hall_view::basis_items(guide, short));
        let checked = vec![false; guide.materials.len()];
        self.materials.set(hall_view::material_items(guide, &checked));
        self.steps.set(hall_view::step_items(guide));
        self.facts.set(hall_view::guide_facts(guide, &h.local));
        let base = if h.local.qr_base_url.is_empty() {
            "https://www.12348.gov.cn"
        } else {
            h.local.qr_base_url.as_str()
        };
        w.set_qr(hall_view::qr_image(&format!(
            "{}/?guide={}",
            base.trim_end_matches('/'),
            guide.id
        )));
        w.set_queue_service(queue_name.unwrap_or_default().into());
        self.serial.set(self.serial.get() + 1);
        w.set_serial(self.serial.get());
        *self.state.borrow_mut() = State { guide: Some(index), checked };
        k.screens().queue.clear_takeaway_note(k);
        k.go(Page::Guide);
    }

    fn open_basis(&self, k: &dyn Kiosk, index: usize) {
        let guide = self.state.borrow().guide;
        let Some(r) = k.hall().and_then(|h| h.guides.get(guide?)?.basis.get(index).cloned()) else {
            return;
        };
        let number = r.article_number().ok().flatten();
        if let Err(e) = k.screens().reader.open_law_by_name(k, &r.law, number) {
            crate::observe::fault("store", &e.context(format!("设定依据 {}", r.law)));
        }
    }

    fn toggle_material(&self, k: &dyn Kiosk, index: usize) {
        let Some(h) = k.hall() else { return };
        let mut s = self.state.borrow_mut();
        if let Some(c) = s.checked.get_mut(index) {
            *c = !*c;
        }
        if let Some(guide) = s.guide.and_then(|i| h.guides.get(i)) {
            self.materials.set(hall_view::material_items(guide, &s.checked));
        }
    }

    /// The open guide's checklist on paper: the materials to bring and where to go.
    fn print_checklist(&self, k: &dyn Kiosk) {
        let guide = self.state.borrow().guide;
        let Some(h) = k.hall() else { return };
        let Some(guide) = guide.and_then(|i| h.guides.get(i)) else { return };
        let service = guide.queue.as_deref().and_then(|l| h.queue.service(l));
        let language = k.language();
        let text = |p: Phrase| p.text(language);
        let mut lines = vec![text(phrase!("需要带的材料："))];
        for m in &guide.materials {
            // The guide's words (name, form, note) as published; the kiosk's own in the language.
            let mut line =
                format!("□ {}：{}", m.name, text(phrase!("{0} {1} 份", &m.form, m.copies)));
            if !m.required {
                line += &text(phrase!("（有则带上）"));
            }
            if !m.note.is_empty() {
                line += &format!("；{}", m.note);
            }
            lines.push(line);
        }
        lines.push(text(phrase!("办理流程：")));
        lines.extend(
            guide.steps.iter().enumerate().map(|(i, st)| format!("{}. {}", i + 1, st.title)),
        );
        let title = text(phrase!("{} · 材料清单", &guide.name));
        k.screens().queue.print_page(k, title, lines, service);
    }

    fn take_ticket(&self, k: &dyn Kiosk) {
        let guide = self.state.borrow().guide;
        let letter = k.hall().and_then(|h| h.guides.get(guide?)?.queue.clone());
        k.screens().queue.open_queue(k, letter.as_deref());
    }
}

impl GuidesScreen {
    /// Every property of the global at its fresh value (`new` and `reset` both end here).
    fn clear(&self, window: &AppWindow) {
        self.rows.set(Vec::new());
        self.eligibility.set(Vec::new());
        self.basis.set(Vec::new());
        self.materials.set(Vec::new());
        self.steps.set(Vec::new());
        self.facts.set(Vec::new());
        let g = window.global::<Guides>();
        g.set_name("".into());
        g.set_summary("".into());
        g.set_qr(Default::default());
        g.set_queue_service("".into());
    }
}

impl ScreenType for GuidesScreen {
    const DEMOS: &'static [&'static str] = &["guides", "guide"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = GuidesScreen {
            state: RefCell::default(),
            serial: Cell::default(),
            rows: ListModel::new(),
            eligibility: ListModel::new(),
            basis: ListModel::new(),
            materials: ListModel::new(),
            steps: ListModel::new(),
            facts: ListModel::new(),
        };
        let g = window.global::<Guides>();
        g.set_rows(s.rows.handle());
        g.set_eligibility(s.eligibility.handle());
        g.set_basis(s.basis.handle());
        g.set_materials(s.materials.handle());
        g.set_steps(s.steps.handle());
        g.set_facts(s.facts.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let g = window.global::<Guides>();
        on!(k, g, on_open_guides, |c| c.screens().guides.open_guides(&*c));
        on!(k, g, on_open_guide, |c, id| c.screens().guides.open_guide(&*c, &id));
        on!(k, g, on_open_basis, |c, i| c.screens().guides.open_basis(&*c, i.max(0) as usize));
        on!(k, g, on_toggle_material, |c, i| c
            .screens()
            .guides
            .toggle_material(&*c, i.max(0) as usize));
        on!(k, g, on_take_ticket, |c| c.screens().guides.take_ticket(&*c));
        on!(k, g, on_print_checklist, |c| c.screens().guides.print_checklist(&*c));
    }
}

impl Screen for GuidesScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        self.clear(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let g = k.window().global::<Guides>();
        format!(
            "{:?}; {:?} {:?} {:?}; rows {:?}; eligibility {:?}; basis {:?}; materials {:?}; steps {:?}; facts {:?}; qr {}",
            self.state.borrow(),
            g.get_name(),
            g.get_summary(),
            g.get_queue_service(),
            self.rows,
            self.eligibility,
            self.basis,
            self.materials,
            self.steps,
            self.facts,
            g.get_qr().size().width
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        self.open_guides(k);
        if name == "guide" {
            self.open_guide(k, &args.guide);
        }
        Ok(())
    }
}

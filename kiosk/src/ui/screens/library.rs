//! The law library: categories with their law counts, then the laws of one category.

use std::cell::RefCell;
use std::rc::Weak;

use anyhow::Result;
use chrono::Datelike;
use slint::ComponentHandle;

use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::store::LawSummary;
use crate::ui::{AppWindow, CategoryItem, LawItem, LawMeta, Library, Page};

pub(crate) struct LibraryScreen {
    /// The category the resident opened.
    category: RefCell<String>,
    categories: ListModel<CategoryItem>,
    laws: ListModel<LawItem>,
}

impl LibraryScreen {
    pub(crate) fn open_library(&self, k: &dyn Kiosk) {
        let cats = k.store().categories().unwrap_or_else(|e| {
            crate::observe::fault("store", &e.context("categories"));
            Vec::new()
        });
        self.categories.set(
            cats.into_iter()
                .map(|(name, count)| CategoryItem { name: name.into(), count: count as i32 })
                .collect(),
        );
        k.go(Page::Categories);
    }

    pub(crate) fn open_category(&self, k: &dyn Kiosk, name: &str) {
        let laws = k.store().laws_in_category(name).unwrap_or_else(|e| {
            crate::observe::fault("store", &e.context(format!("category {name}")));
            Vec::new()
        });
        // Two texts of one law (the current 仲裁法 and the 2017 one it amended) are told apart
        // in words, not by the small badge alone: the title says which year's text it is.
        let same_title = |t: &str| laws.iter().filter(|o| o.title == t).count() > 1;
        self.laws.set(
            laws.iter()
                .map(|l| {
                    let edition = match l.publish_date.as_deref() {
                        Some(d) if same_title(&l.title) => yyyymmdd(d) / 10_000,
                        _ => 0,
                    };
                    LawItem {
                        doc: l.doc as i32,
                        title: l.title.as_str().into(),
                        edition,
                        status: l.status.into(),
                        meta: law_meta(l),
                    }
                })
                .collect(),
        );
        *self.category.borrow_mut() = name.to_owned();
        k.window().global::<Library>().set_category(name.into());
        k.go(Page::Laws);
    }
}

impl LibraryScreen {
    /// Every property of the global at its fresh value (`new` and `reset` both end here).
    fn clear(&self, window: &AppWindow) {
        self.categories.set(Vec::new());
        self.laws.set(Vec::new());
        window.global::<Library>().set_category("".into());
    }
}

/// A law's status, dates and size for the page to write (`Dates.law-meta`, in the kiosk's
/// language). The effective date is left out when it precedes publication: the corpus' is often
/// the original enactment's, and beside a later amendment's publication date it would read as if
/// the amended text took effect before it was published.
pub(crate) fn law_meta(l: &LawSummary) -> LawMeta {
    let effective =
        l.effective_date.as_ref().filter(|e| l.publish_date.as_ref().is_none_or(|p| *e >= p));
    LawMeta {
        status: l.status.into(),
        published: l.publish_date.as_deref().map_or(0, yyyymmdd),
        effective: effective.map_or(0, |d| yyyymmdd(d)),
        articles: l.article_count.clamp(0, i32::MAX as i64) as i32,
    }
}

/// 2025-09-12 → 20250912 (0 when it is not a date).
fn yyyymmdd(iso: &str) -> i32 {
    chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map_or(0, |d| d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32)
}

impl ScreenType for LibraryScreen {
    const DEMOS: &'static [&'static str] = &["library", "laws"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = LibraryScreen {
            category: RefCell::default(),
            categories: ListModel::new(),
            laws: ListModel::new(),
        };
        let lib = window.global::<Library>();
        lib.set_categories(s.categories.handle());
        lib.set_laws(s.laws.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let lib = window.global::<Library>();
        on!(k, lib, on_open_category, |c, name| c.screens().library.open_category(&*c, &name));
        on!(k, lib, on_open_law, |c, doc| c.screens().reader.open_law(&*c, doc as i64, None));
    }
}

impl Screen for LibraryScreen {
    fn reset(&self, k: &dyn Kiosk) {
        self.category.borrow_mut().clear();
        self.clear(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let lib = k.window().global::<Library>();
        format!(
            "category {:?} {:?}; categories {:?}; laws {:?}",
            self.category.borrow(),
            lib.get_category(),
            self.categories,
            self.laws
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        self.open_library(k);
        if name == "laws" {
            let category = match args.category.as_str() {
                "" => {
                    k.store().categories()?.into_iter().next().map(|(n, _)| n).unwrap_or_default()
                }
                named => named.to_owned(),
            };
            self.open_category(k, &category);
        }
        Ok(())
    }
}

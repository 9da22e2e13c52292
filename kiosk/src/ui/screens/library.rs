//! The law library: categories with their law counts, then the laws of one category.

use std::cell::RefCell;
use std::rc::Weak;

use anyhow::Result;
use slint::ComponentHandle;

use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::law::Status;
use crate::content::store::LawSummary;
use crate::ui::{AppWindow, CategoryItem, LawItem, Library, Page};

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
                    let year = l.publish_date.as_deref().and_then(|d| d.get(..4));
                    let title = match year {
                        Some(y) if same_title(&l.title) => format!("{}（{y}年文本）", l.title),
                        _ => l.title.clone(),
                    };
                    LawItem {
                        doc: l.doc as i32,
                        title: title.into(),
                        status: l.status.into(),
                        meta: law_meta(l).into(),
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

/// A law's dates and size: 公布 … · 施行 … · 共 N 条, led by what a text no longer in force is
/// (旧文本 / 已失效), in words as well as the badge.
pub(crate) fn law_meta(l: &LawSummary) -> String {
    let mut parts = Vec::new();
    match l.status {
        Status::InForce => {}
        Status::Amended => parts.push("旧文本，已被修改，现行文本另列".to_owned()),
        Status::Repealed => parts.push("已失效，仅供查阅".to_owned()),
    }
    if let Some(d) = &l.publish_date {
        parts.push(format!("公布 {}", crate::text::zh::date(d)));
    }
    // The corpus' effective date is often the original enactment's: beside a later amendment's
    // publication date it would read as if the amended text took effect before it was published.
    if let Some(d) =
        l.effective_date.as_ref().filter(|e| l.publish_date.as_ref().is_none_or(|p| *e >= p))
    {
        parts.push(format!("施行 {}", crate::text::zh::date(d)));
    }
    if l.article_count > 0 {
        parts.push(format!("共 {} 条", l.article_count));
    }
    // Each part stays on one line (共 80 条, not 共 / 80 条); lines break at the dots.
    parts.iter().map(|p| crate::text::zh::unbroken(p)).collect::<Vec<_>>().join(" · ")
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

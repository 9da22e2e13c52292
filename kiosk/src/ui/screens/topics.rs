//! 我遇到了…: the life situations and one situation's page, linking into the reader, the
//! guides, the legal-aid check and the queue.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use anyhow::Result;
use slint::ComponentHandle;

use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::hall::topics::Topic;
use crate::phrase;
use crate::text::i18n::Phrase;
use crate::ui::{AppWindow, Page, TopicArticle, TopicGuide, TopicTile, Topics};

pub(crate) struct TopicsScreen {
    /// The open topic's id.
    open: RefCell<Option<String>>,
    /// Bumped for each topic opened, so the page scrolls back to its top.
    serial: Cell<i32>,
    tiles: ListModel<TopicTile>,
    articles: ListModel<TopicArticle>,
    guides: ListModel<TopicGuide>,
}

impl TopicsScreen {
    pub(crate) fn open_topics(&self, k: &dyn Kiosk) {
        if let Some(h) = k.hall() {
            self.tiles.set(
                h.topics
                    .iter()
                    .map(|t| TopicTile {
                        id: t.id.as_str().into(),
                        title: t.title.as_str().into(),
                        summary: t.summary.as_str().into(),
                    })
                    .collect(),
            );
        }
        k.go(Page::Topics);
    }

    pub(crate) fn open_topic(&self, k: &dyn Kiosk, id: &str) {
        let Some(h) = k.hall() else { return };
        let Some(topic) = h.topic(id) else { return };
        let w = k.window().global::<Topics>();
        w.set_title(topic.title.as_str().into());
        w.set_summary(topic.summary.as_str().into());
        self.articles.set(article_items(k, topic));
        self.guides.set(
            topic
                .guides
                .iter()
                .filter_map(|g| h.guide(g))
                .map(|g| TopicGuide { id: g.id.as_str().into(), name: g.name.as_str().into() })
                .collect(),
        );
        w.set_legal_aid(topic.legal_aid);
        let queue = h.queue.service(&topic.queue).map(|s| s.name.clone());
        w.set_queue_service(queue.unwrap_or_default().into());
        w.set_hotline(k.store().info().deployment.hotline.as_str().into());
        self.serial.set(self.serial.get() + 1);
        w.set_serial(self.serial.get());
        *self.open.borrow_mut() = Some(topic.id.clone());
        k.screens().queue.clear_takeaway_note(k);
        k.go(Page::Topic);
    }

    fn topic(&self, k: &dyn Kiosk) -> Option<Topic> {
        let id = self.open.borrow().clone()?;
        k.hall()?.topic(&id).cloned()
    }

    /// 打印要点: the situation, what each article says, what to do and where, on paper.
    fn print_topic(&self, k: &dyn Kiosk) {
        let Some(topic) = self.topic(k) else { return };
        let Some(h) = k.hall() else { return };
        let language = k.language();
        let text = |p: Phrase| p.text(language);
        let mut lines = vec![topic.summary.clone(), text(phrase!("法律怎么规定："))];
        lines.extend(self.articles.rows().map(|a| format!("· {}：{}", a.label, a.note)));
        let guides: Vec<&str> =
            topic.guides.iter().filter_map(|g| h.guide(g)).map(|g| g.name.as_str()).collect();
        if !guides.is_empty() {
            lines.push(text(phrase!("可以办理：{}", guides.join("、"))));
        }
        let title = text(phrase!("我遇到了：{}", &topic.title));
        k.screens().queue.print_page(k, title, lines, h.queue.service(&topic.queue));
    }

    fn open_article(&self, k: &dyn Kiosk, index: usize) {
        let Some(r) = self.topic(k).and_then(|t| t.articles.get(index).cloned()) else { return };
        let number = r.article_number().ok().flatten();
        if let Err(e) = k.screens().reader.open_law_by_name(k, &r.law, number) {
            crate::observe::fault("store", &e.context(format!("topic article {}", r.law)));
        }
    }

    fn take_ticket(&self, k: &dyn Kiosk) {
        let letter = self.topic(k).map(|t| t.queue);
        k.screens().queue.open_queue(k, letter.as_deref());
    }

    fn clear(&self, window: &AppWindow) {
        self.tiles.set(Vec::new());
        self.articles.set(Vec::new());
        self.guides.set(Vec::new());
        let w = window.global::<Topics>();
        w.set_title("".into());
        w.set_summary("".into());
        w.set_legal_aid(false);
        w.set_queue_service("".into());
    }
}

/// Law names longer than this, in characters, put the article label on a line of its own.
const LONG_LAW_NAME: usize = 20;

/// `劳动合同法 第三十条` + its note; the law as its short name in this store.
fn article_items(k: &dyn Kiosk, topic: &Topic) -> Vec<TopicArticle> {
    let store = k.store();
    topic
        .articles
        .iter()
        .map(|r| {
            let short = store
                .law_by_name(&r.law)
                .ok()
                .flatten()
                .map(|l| l.short_name)
                .unwrap_or_else(|| r.law.clone());
            // A judicial interpretation's name fills the card's line; its 第X条 goes on the next
            // line whole rather than wrapping as 第五 / 条.
            let label = match &r.article {
                Some(a) if short.chars().count() > LONG_LAW_NAME => format!("{short}\n{a}"),
                _ => r.label(&short),
            };
            TopicArticle { label: label.into(), note: r.note.as_str().into() }
        })
        .collect()
}

impl ScreenType for TopicsScreen {
    const DEMOS: &'static [&'static str] = &["topics", "topic"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = TopicsScreen {
            open: RefCell::default(),
            serial: Cell::default(),
            tiles: ListModel::new(),
            articles: ListModel::new(),
            guides: ListModel::new(),
        };
        let w = window.global::<Topics>();
        w.set_tiles(s.tiles.handle());
        w.set_articles(s.articles.handle());
        w.set_guides(s.guides.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let w = window.global::<Topics>();
        on!(k, w, on_open_topics, |c| c.screens().topics.open_topics(&*c));
        on!(k, w, on_open_topic, |c, id| c.screens().topics.open_topic(&*c, &id));
        on!(k, w, on_open_article, |c, i| c.screens().topics.open_article(&*c, i.max(0) as usize));
        on!(k, w, on_open_guide, |c, id| c.screens().guides.open_guide(&*c, &id));
        on!(k, w, on_open_aid_check, |c| c.screens().aid_check.open_aid_check(&*c));
        on!(k, w, on_take_ticket, |c| c.screens().topics.take_ticket(&*c));
        on!(k, w, on_print_topic, |c| c.screens().topics.print_topic(&*c));
    }
}

impl Screen for TopicsScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.open.borrow_mut() = None;
        self.clear(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let w = k.window().global::<Topics>();
        format!(
            "{:?}; {:?} {:?} {} {:?}; tiles {:?}; articles {:?}; guides {:?}",
            self.open.borrow(),
            w.get_title(),
            w.get_summary(),
            w.get_legal_aid(),
            w.get_queue_service(),
            self.tiles,
            self.articles,
            self.guides
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        self.open_topics(k);
        if name == "topic" {
            let id = if args.topic.is_empty() { "unpaid-wages" } else { args.topic.as_str() };
            self.open_topic(k, id);
        }
        Ok(())
    }
}

//! What 朗读本页 says on each page: the page's title and what it shows, taken from the page's
//! global (so it is exactly what is on screen), split into sentences for the reader.
//!
//! Never read aloud: anything a resident typed or wrote (the search box's text, the PIN), and
//! the technician page (an operator's, not a resident's). Ticket numbers are not personal data:
//! the hall calls them aloud anyway.

use slint::{ComponentHandle, Model, SharedString};

use super::{
    AidCheck, AppWindow, BlockKind, Guides, Hall, Library, MapView, Page, Queue, Reader, Search,
    Topics,
};
use crate::speech::read_aloud::sentences;

/// The sentences of `page` as the window shows it now.
pub fn page_sentences(window: &AppWindow, page: Page) -> Vec<String> {
    let mut say = Say::default();
    match page {
        Page::Home => home(window, &mut say),
        Page::Categories => {
            say.line("法律法规，选择类别。");
            for c in window.global::<Library>().get_categories().iter() {
                say.line(format!("{}，{}部。", c.name, c.count));
            }
        }
        Page::Laws => {
            let library = window.global::<Library>();
            say.line(format!("{}。", library.get_category()));
            for law in library.get_laws().iter() {
                say.line(format!("{}。{}", law.title, law.meta));
            }
        }
        Page::Reader => reader(window, &mut say),
        Page::Search => search(window, &mut say),
        Page::Guides => {
            say.line("办事指南，选择要办的事。");
            for row in window.global::<Guides>().get_rows().iter() {
                say.line(format!("{}。{}", row.name, row.summary));
            }
        }
        Page::Guide => guide(window, &mut say),
        Page::Topics => {
            say.line("我遇到了，选择您的情况。");
            for tile in window.global::<Topics>().get_tiles().iter() {
                say.line(format!("{}。{}", tile.title, tile.summary));
            }
        }
        Page::Topic => topic(window, &mut say),
        Page::Map | Page::Points => map(window, page, &mut say),
        Page::Queue => queue(window, &mut say),
        Page::Ticket => ticket(window, &mut say),
        Page::Aid => aid(window, &mut say),
        Page::Technician => say.line("维护页面。"),
    }
    say.0
}

/// Collects sentences; long texts are split where the reader pauses.
#[derive(Default)]
struct Say(Vec<String>);

impl Say {
    fn line(&mut self, text: impl AsRef<str>) {
        // The typesetter's word joiners are for line breaking, not for the voice.
        let text = text.as_ref().replace('\u{2060}', "");
        self.0.extend(sentences(&text));
    }

    fn all(&mut self, items: impl IntoIterator<Item = SharedString>) {
        for item in items {
            self.line(ending(&item));
        }
    }
}

/// A list item as a sentence (a pause after it even when it has no full stop).
fn ending(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['。', '！', '？', '；']) {
        text.to_owned()
    } else {
        format!("{text}。")
    }
}

fn home(window: &AppWindow, say: &mut Say) {
    let hall = window.global::<Hall>();
    say.line(format!("{}，公共法律服务自助查询。", hall.get_name()));
    say.line("请点选：我遇到了，从您遇到的事找法律；法律法规；搜索；办事指南；服务网点；取号排队；援助自测。");
    say.line(format!("公共法律服务热线{}。", crate::text::zh::digit_by_digit(&hall.get_hotline())));
    say.line("需要帮助，请点呼叫工作人员。");
}

fn reader(window: &AppWindow, say: &mut Say) {
    let reader = window.global::<Reader>();
    say.line(format!("{}。", reader.get_title()));
    for block in reader.get_blocks().iter() {
        match block.kind {
            BlockKind::Heading => say.line(ending(&format!("{} {}", block.label, block.text))),
            BlockKind::Article => say.line(format!("{}。{}", block.label, block.text)),
            BlockKind::Paragraph => say.line(&block.text),
        }
    }
}

fn search(window: &AppWindow, say: &mut Say) {
    let search = window.global::<Search>();
    let hits = search.get_hits();
    if hits.row_count() == 0 {
        say.line("搜索法律。请用拼音键盘或手写输入您要找的字词。");
        return;
    }
    // Not the summary: it quotes what the resident typed, which others nearby would hear.
    say.line(format!("搜索结果，共{}条。", hits.row_count()));
    for hit in hits.iter() {
        if hit.law_start {
            say.line(format!("{}。", hit.law));
        }
        say.line(format!("{}。{}{}{}", hit.label, hit.before, hit.matched, hit.after));
    }
}

fn guide(window: &AppWindow, say: &mut Say) {
    let guides = window.global::<Guides>();
    say.line(format!("{}。", guides.get_name()));
    say.line(guides.get_summary());
    for fact in guides.get_facts().iter() {
        say.line(format!("{}：{}。", fact.label, fact.value));
    }
    let eligibility = guides.get_eligibility();
    if eligibility.row_count() > 0 {
        say.line("申请条件：");
        say.all(eligibility.iter());
    }
    say.line("需要带的材料：");
    for m in guides.get_materials().iter() {
        let required = if m.required { "必带" } else { "如有" };
        say.line(format!("{}，{}。{}", m.name, required, m.detail));
    }
    say.line("办理步骤：");
    for step in guides.get_steps().iter() {
        say.line(format!("第{}步，{}。{}", step.number, step.title, step.detail));
    }
}

fn topic(window: &AppWindow, say: &mut Say) {
    let topics = window.global::<Topics>();
    say.line(format!("我遇到了：{}。", topics.get_title()));
    say.line(topics.get_summary());
    for article in topics.get_articles().iter() {
        say.line(format!("{}。{}", article.label, article.note));
    }
    let guides = topics.get_guides();
    if guides.row_count() > 0 {
        say.line("可以办理：");
        say.all(guides.iter().map(|g| g.name));
    }
}

fn map(window: &AppWindow, page: Page, say: &mut Say) {
    let map = window.global::<MapView>();
    if map.get_card_open() {
        say.line(format!("{}。", map.get_card_name()));
        for fact in map.get_card_facts().iter() {
            say.line(format!("{}：{}。", fact.label, fact.value));
        }
        return;
    }
    say.line(format!("服务网点，{}。", map.get_title()));
    if page == Page::Map {
        say.line("点地图上的网点看详情，或点列表。");
    }
    for row in map.get_rows().iter() {
        say.line(format!("{}，{}。{}", row.name, row.distance, row.services));
    }
}

fn queue(window: &AppWindow, say: &mut Say) {
    let queue = window.global::<Queue>();
    if !queue.get_open() {
        say.line(format!("现在不是取号时间。取号时间：{}。", queue.get_hours()));
        return;
    }
    say.line("取号排队，请选择业务。");
    for s in queue.get_services().iter() {
        let wait = if s.waiting == 0 {
            "无需等候".to_owned()
        } else {
            format!("{}人在等，约{}分钟", s.waiting, s.wait_minutes)
        };
        say.line(format!("{}，{}，{}。", s.name, s.windows, wait));
    }
}

fn ticket(window: &AppWindow, say: &mut Say) {
    let queue = window.global::<Queue>();
    let code = queue.get_code();
    say.line(crate::queue::desk::ticket_sentence(
        &code,
        queue.get_ahead() as u32,
        queue.get_printed(),
    ));
    say.line(format!("{}，请到{}等候叫号。", queue.get_service_name(), queue.get_windows()));
}

fn aid(window: &AppWindow, say: &mut Say) {
    let aid = window.global::<AidCheck>();
    if aid.get_question() != "" {
        say.line(format!("法律援助自测，第{}题。", aid.get_step()));
        say.line(aid.get_question());
        say.all(aid.get_question_cases().iter());
        if aid.get_asks_matter() {
            say.all(aid.get_matters().iter());
        } else {
            say.line("请回答：是，不是，或不清楚。");
        }
        return;
    }
    say.line("法律援助自测结果。");
    say.line(ending(&aid.get_headline()));
    say.all(aid.get_reasons().iter());
    say.all(aid.get_next_steps().iter());
}

//! What 朗读本页 says on each page: the page's title and what it shows, taken from the page's
//! global (so it is exactly what is on screen), split into sentences for the reader.
//!
//! Never read aloud: anything a resident typed or wrote (the search box's text, the PIN), and
//! the technician page (an operator's, not a resident's). Ticket numbers are not personal data:
//! the hall calls them aloud anyway.

use slint::{ComponentHandle, Model, SharedString};

use super::{
    AidCheck, AppWindow, BlockKind, Dates, Guides, Hall, Library, MapView, Page, Queue, Reader,
    Search, Topics, Words,
};
use crate::phrase;
use crate::speech::read_aloud::sentences;
use crate::text::i18n::{Language, Phrase};

/// The sentences of `page` as the window shows it now, the kiosk's own words in `language`
/// (the voice reads Chinese characters in Mandarin and English words in English).
pub fn page_sentences(window: &AppWindow, page: Page, language: Language) -> Vec<String> {
    let mut say = Say { language, out: Vec::new() };
    match page {
        Page::Home => home(window, &mut say),
        Page::Categories => {
            say.phrase(phrase!("法律法规，选择类别。"));
            for c in window.global::<Library>().get_categories().iter() {
                say.phrase(phrase!("{}，{}部。", c.name.to_string(), c.count));
            }
        }
        Page::Laws => {
            let library = window.global::<Library>();
            say.item(&library.get_category());
            let dates = window.global::<Dates>();
            for law in library.get_laws().iter() {
                say.item(&law.title);
                say.line(dates.invoke_law_meta(law.meta));
            }
        }
        Page::Reader => reader(window, &mut say),
        Page::Search => search(window, &mut say),
        Page::Guides => {
            say.phrase(phrase!("办事指南，选择要办的事。"));
            for row in window.global::<Guides>().get_rows().iter() {
                say.item(&row.name);
                say.line(row.summary);
            }
        }
        Page::Guide => guide(window, &mut say),
        Page::Topics => {
            say.phrase(phrase!("我遇到了，选择您的情况。"));
            for tile in window.global::<Topics>().get_tiles().iter() {
                say.item(&tile.title);
                say.line(tile.summary);
            }
        }
        Page::Topic => topic(window, &mut say),
        Page::Map | Page::Points => map(window, page, &mut say),
        Page::Queue => queue(window, &mut say),
        Page::Ticket => ticket(window, &mut say),
        Page::Aid => aid(window, &mut say),
        Page::Technician => say.phrase(phrase!("维护页面。")),
    }
    say.out
}

/// Collects sentences; long texts are split where the reader pauses.
struct Say {
    language: Language,
    out: Vec<String>,
}

impl Say {
    /// Text as the page shows it (content, or words the page wrote).
    fn line(&mut self, text: impl AsRef<str>) {
        // The typesetter's word joiners are for line breaking, not for the voice.
        let text = text.as_ref().replace('\u{2060}', "");
        self.out.extend(sentences(&text));
    }

    /// The kiosk's own sentence, in the resident's language.
    fn phrase(&mut self, p: Phrase) {
        self.line(p.text(self.language));
    }

    /// A title or a list item as a sentence of its own (a pause after it).
    fn item(&mut self, text: &str) {
        let text = text.replace('\u{2060}', "");
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let chinese_end = text.chars().last().is_some_and(|c| !c.is_ascii());
        if text.ends_with(['。', '！', '？', '；', '.', '!', '?']) {
            self.line(text);
        } else if chinese_end {
            self.line(format!("{text}。"));
        } else {
            self.line(format!("{text}."));
        }
    }

    fn all(&mut self, items: impl IntoIterator<Item = SharedString>) {
        for item in items {
            self.item(&item);
        }
    }
}

fn home(window: &AppWindow, say: &mut Say) {
    let hall = window.global::<Hall>();
    say.item(&hall.get_name());
    say.phrase(phrase!("公共法律服务自助查询。"));
    say.phrase(phrase!(
        "请点选：我遇到了，从您遇到的事找法律；法律法规；搜索；办事指南；服务网点；取号排队；援助自测。"
    ));
    let hotline = hall.get_hotline().to_string();
    let hotline = if say.language.is_chinese() {
        crate::text::zh::digit_by_digit(&hotline)
    } else {
        hotline.chars().map(String::from).collect::<Vec<_>>().join(" ")
    };
    say.phrase(phrase!("公共法律服务热线{}。", hotline));
    say.phrase(phrase!("需要帮助，请点呼叫工作人员。"));
}

fn reader(window: &AppWindow, say: &mut Say) {
    let reader = window.global::<Reader>();
    say.item(&reader.get_title());
    for block in reader.get_blocks().iter() {
        match block.kind {
            BlockKind::Heading => say.item(&format!("{} {}", block.label, block.text)),
            BlockKind::Article => say.line(format!("{}。{}", block.label, block.text)),
            BlockKind::Paragraph => say.line(&block.text),
        }
    }
}

fn search(window: &AppWindow, say: &mut Say) {
    let search = window.global::<Search>();
    let hits = search.get_hits();
    if hits.row_count() == 0 {
        say.phrase(phrase!("搜索法律。请用拼音键盘或手写输入您要找的字词。"));
        return;
    }
    // Not the summary: it quotes what the resident typed, which others nearby would hear.
    say.phrase(phrase!("搜索结果，共{}条。", hits.row_count()));
    // The buttons above the hits, as the page shows them: the guide, then the situations.
    for g in search.get_guides().iter() {
        say.phrase(phrase!("办事指南：{}。", g.name.to_string()));
    }
    for t in search.get_situations().iter() {
        say.phrase(phrase!("我遇到了：{}。", t.title.to_string()));
    }
    for hit in hits.iter() {
        if hit.law_start {
            say.item(&hit.law);
        }
        say.line(format!("{}。{}{}{}", hit.label, hit.before, hit.matched, hit.after));
    }
}

/// A fact as the page shows it: its label and value through `Words`, in the page's language.
fn fact(window: &AppWindow, say: &mut Say, label: &str, value: &str) {
    let words = window.global::<Words>();
    let (label, value) = (words.invoke_term(label.into()), words.invoke_term(value.into()));
    say.item(&phrase!("{}：{}", label.to_string(), value.to_string()).text(say.language));
}

fn guide(window: &AppWindow, say: &mut Say) {
    let guides = window.global::<Guides>();
    say.item(&guides.get_name());
    say.line(guides.get_summary());
    for f in guides.get_facts().iter() {
        fact(window, say, &f.label, &f.value);
    }
    let eligibility = guides.get_eligibility();
    if eligibility.row_count() > 0 {
        say.phrase(phrase!("申请条件："));
        say.all(eligibility.iter());
    }
    say.phrase(phrase!("需要带的材料："));
    let words = window.global::<Words>();
    for m in guides.get_materials().iter() {
        let form = words.invoke_term(m.form.clone()).to_string();
        let copies = phrase!("{0} {1} 份", form, m.copies);
        let material = if m.required {
            phrase!("{0}，必带：{1}", m.name.to_string(), copies.text(say.language))
        } else {
            phrase!("{0}，如有：{1}", m.name.to_string(), copies.text(say.language))
        };
        say.item(&material.text(say.language));
        if !m.note.is_empty() {
            say.item(&m.note);
        }
    }
    say.phrase(phrase!("办理步骤："));
    for step in guides.get_steps().iter() {
        say.phrase(phrase!("第{}步，{}。", step.number, step.title.to_string()));
        say.line(step.detail);
    }
}

fn topic(window: &AppWindow, say: &mut Say) {
    let topics = window.global::<Topics>();
    say.phrase(phrase!("我遇到了：{}。", topics.get_title().to_string()));
    say.line(topics.get_summary());
    for article in topics.get_articles().iter() {
        say.line(format!("{}。{}", article.label, article.note));
    }
    let guides = topics.get_guides();
    if guides.row_count() > 0 {
        say.phrase(phrase!("可以办理："));
        say.all(guides.iter().map(|g| g.name));
    }
}

fn map(window: &AppWindow, page: Page, say: &mut Say) {
    let map = window.global::<MapView>();
    let words = window.global::<Words>();
    if map.get_card_open() {
        say.item(&map.get_card_name());
        for f in map.get_card_facts().iter() {
            fact(window, say, &f.label, &f.value);
        }
        if map.get_card_metres() >= 0 {
            let distance = words.invoke_distance(map.get_card_metres()).to_string();
            say.phrase(phrase!("距离：距本机{}（直线）。", distance));
        }
        return;
    }
    let title = words.invoke_term(map.get_title()).to_string();
    say.phrase(phrase!("服务网点，{}。", title));
    if page == Page::Map {
        say.phrase(phrase!("点地图上的网点看详情，或点列表。"));
    }
    for row in map.get_rows().iter() {
        say.item(&row.name);
        if row.here {
            say.phrase(phrase!("您就在这里。"));
        } else if row.metres >= 0 {
            say.item(&words.invoke_distance(row.metres));
        }
        say.line(row.services);
    }
}

fn queue(window: &AppWindow, say: &mut Say) {
    let queue = window.global::<Queue>();
    if !queue.get_open() {
        say.phrase(phrase!("现在不是取号时间。取号时间：{}。", queue.get_hours().to_string()));
        return;
    }
    say.phrase(phrase!("取号排队，请选择业务。"));
    let words = window.global::<Words>();
    for s in queue.get_services().iter() {
        say.item(&words.invoke_term(s.name.clone()));
        say.item(&s.windows);
        if s.waiting == 0 {
            say.phrase(phrase!("无需等候。"));
        } else {
            say.phrase(phrase!("{}人在等，约{}分钟。", s.waiting, s.wait_minutes));
        }
    }
}

fn ticket(window: &AppWindow, say: &mut Say) {
    let queue = window.global::<Queue>();
    let code = queue.get_code();
    let (ahead, printed) = (queue.get_ahead(), queue.get_printed());
    if say.language.is_chinese() {
        // As the hall announces it: 您的号码是 A 零零七号.
        say.line(crate::queue::desk::ticket_sentence(&code, ahead as u32, printed));
    } else {
        say.phrase(phrase!("您的号码是 {}，前面还有{}人。", code.to_string(), ahead));
        say.phrase(if printed {
            phrase!("请取走号票。")
        } else {
            phrase!("号票没有打印出来，请记下屏幕上的号码。")
        });
    }
    let service = window.global::<Words>().invoke_term(queue.get_service_name()).to_string();
    say.phrase(phrase!("{}，请到{}等候叫号。", service, queue.get_windows().to_string()));
}

fn aid(window: &AppWindow, say: &mut Say) {
    let aid = window.global::<AidCheck>();
    if aid.get_question() != "" {
        say.phrase(phrase!("法律援助自测，第{}题。", aid.get_step()));
        say.line(aid.get_question());
        say.all(aid.get_question_cases().iter());
        if aid.get_asks_matter() {
            say.all(aid.get_matters().iter());
        } else {
            say.phrase(phrase!("请回答：是，不是，或不清楚。"));
        }
        return;
    }
    say.phrase(phrase!("法律援助自测结果。"));
    say.item(&aid.get_headline());
    say.all(aid.get_reasons().iter());
    say.all(aid.get_next_steps().iter());
}

//! 长辈模式, the language and read-aloud, on Slint's testing backend, tapped as a resident taps
//! them (by their accessible labels):
//!
//! 1. 长辈模式 enlarges every size and stays on from page to page; the idle prompt still comes on
//!    the home page while it is on, and the reset turns it off.
//! 2. 语言 Language → English / 繁體中文 changes the kiosk's own words (the tiles, the bar),
//!    never the statute; the reset returns to 简体中文.
//! 3. 朗读 says the reader's articles in order, through the kiosk's one voice; on the search
//!    page it never says what the resident typed; on the ticket page it says the number.
//!
//! One test function: the testing backend is process-wide.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::speech::{Playing, RecordingSpeaker};
use kiosk::ui::controller::Controller;
use kiosk::ui::{
    Access, AidCheck, AppWindow, Dates, Guides, Hall, MapView, Metrics, Nav, Page, Queue, Reader,
    Search, Words,
};
use slint::{ComponentHandle, Model};
use support::escpos_decode::{decode, readout};
use support::printer::{Behaviour, LoopbackPrinter};
use support::ui::{tap, wait_for_ticket};

fn kiosk(config: &Config, voice: RecordingSpeaker) -> Rc<Controller> {
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let ctrl =
        Controller::with_speaker(window, Store::open(&config.data_dir).unwrap(), config, voice);
    ctrl.window().show().unwrap();
    ctrl.set_now(
        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M").unwrap(),
    );
    ctrl
}

fn labelled(w: &AppWindow, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(w, label).next().is_some()
}

/// Waits for the reader's thread to finish the page; what the resident heard.
fn heard(ctrl: &Controller, voice: &RecordingSpeaker) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while ctrl.access().playing() != Playing::Idle {
        assert!(Instant::now() < deadline, "still reading after 10 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    voice.said()
}

#[test]
fn elder_mode_language_and_read_aloud() {
    i_slint_backend_testing::init_no_event_loop();
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: support::demo_store().to_owned(),
        here: Some("yl-center".into()),
        printer: Some(printer.url().parse().unwrap()),
        queue_dir: Some(tmp.path().join("queue")),
        speech: false,
        ..Config::default()
    };
    let voice = RecordingSpeaker::default();
    let ctrl = kiosk(&config, voice.clone());
    let w = ctrl.window();
    let metrics = w.global::<Metrics>();
    let access = w.global::<Access>();

    // ---- 1. 长辈模式 ----------------------------------------------------------------------
    let (touch, body) = (metrics.get_touch(), metrics.get_font_body());
    tap(w, "长辈模式");
    assert!(access.get_elder());
    assert!(metrics.get_touch() >= touch * 1.25 - 0.01, "targets did not grow");
    assert!(metrics.get_font_body() >= 40.0, "body text {} px", metrics.get_font_body());
    assert!(metrics.get_font_body() > body);
    w.global::<Hall>().invoke_open_library();
    assert!(access.get_elder(), "长辈模式 must stay on from page to page");
    tap(w, "普通模式");
    assert!(!access.get_elder());
    tap(w, "长辈模式");
    w.global::<Nav>().invoke_home();
    // On the home page with 长辈模式 on, the idle reset still has something to undo.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(61));
    assert!(w.global::<kiosk::ui::Session>().get_prompt_visible(), "no idle prompt");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(21));
    assert!(!access.get_elder(), "the idle reset left 长辈模式 on");
    assert_eq!(metrics.get_font_body(), body);

    // ---- 2. Languages ---------------------------------------------------------------------
    // Distances as the pages write them (Words.distance; ui/hall_view passes metres).
    let words = w.global::<Words>();
    assert_eq!(words.invoke_distance(845), "约 850 米");
    assert_eq!(words.invoke_distance(12_345), "约 12.3 公里");
    assert!(labelled(w, "法律法规") && !labelled(w, "Laws"));
    tap(w, "语言 Language");
    assert!(access.get_choosing_language());
    tap(w, "English");
    assert!(!access.get_choosing_language());
    assert_eq!(access.get_language(), "en");
    assert!(labelled(w, "Laws"), "the home tile is not in English");
    assert!(!labelled(w, "法律法规"));
    // A statute stays as published: the reader's title is the law's own.
    ctrl.open_law_by_name("民法典", Some(1079)).unwrap();
    assert_eq!(w.global::<Reader>().get_title(), "中华人民共和国民法典");
    assert!(labelled(w, "Home") && labelled(w, "Call staff"), "the bar is not in English");
    // Its dates and size are the kiosk's words.
    let meta = w.global::<Dates>().invoke_law_meta(w.global::<Reader>().get_meta());
    let meta = meta.replace('\u{2060}', "");
    assert!(meta.starts_with("Published") && meta.contains("articles"), "{meta}");
    // The fixed words Rust hands the pages (fact labels, kinds of point, 以窗口公示为准, 您就在
    // 这里) are translated where they are shown: each one the demo content brings has an entry.
    let translated = |zh: &str| words.invoke_term(zh.into()) != zh;
    w.global::<Guides>().invoke_open_guide("legal-aid".into());
    for fact in w.global::<Guides>().get_facts().iter() {
        assert!(translated(&fact.label), "guide fact {:?} has no English", fact.label);
    }
    assert!(translated(kiosk::content::hall::ASK_AT_WINDOW));
    let map = w.global::<MapView>();
    map.invoke_open_list();
    for row in map.get_rows().iter() {
        assert!(translated(&row.kind), "point kind {:?} has no English", row.kind);
    }
    for service in map.get_filters().iter() {
        assert!(translated(&service), "service {service:?} has no English");
    }
    for id in ["yl-center", "yl-aid"] {
        map.invoke_open_point(id.into());
        for fact in map.get_card_facts().iter() {
            assert!(translated(&fact.label), "point fact {:?} has no English", fact.label);
        }
    }
    assert!(translated(&map.get_card_facts().row_data(0).unwrap().value), "a kind of point");
    assert!(map.get_card_metres() > 0, "yl-aid is some way from the centre");
    assert!(words.invoke_distance(map.get_card_metres()).starts_with("About"));
    map.invoke_close_card();
    // The sentences Rust composes follow too: the aid check asks in English, a switch while it
    // is on screen rewrites the question, and its answer prints in the resident's language.
    let aid = w.global::<AidCheck>();
    aid.invoke_open_check();
    assert!(aid.get_matters().iter().any(|m| m == "Something else"), "matters not in English");
    aid.invoke_pick_matter(0);
    assert_eq!(aid.get_question(), "Does any of the following apply to you?");
    tap(w, "语言 Language");
    tap(w, "繁體中文");
    assert_eq!(aid.get_question(), "您是否屬於以下情形之一？", "the switch did not reach it");
    tap(w, "语言 Language");
    tap(w, "English");
    aid.invoke_answer(kiosk::ui::AidReply::No);
    aid.invoke_answer(kiosk::ui::AidReply::Yes);
    assert_eq!(aid.get_headline(), "You are very likely able to apply for legal aid");
    assert!(aid.get_basis().iter().all(|b| b.label.starts_with("Article ")), "basis in English");
    aid.invoke_print_result();
    wait_for_ticket(w);
    let paper = readout(&decode(&printer.jobs.lock().unwrap().last().unwrap().bytes).unwrap());
    assert_eq!(paper.lines[1], "Legal aid self-check result", "{:?}", paper.lines);
    assert!(paper.lines.contains(&"Scan to keep this on your phone".to_owned()), "{paper:?}");
    // 朗读 in English: the kiosk's sentences in English (the voice reads them with its English
    // voice), the hall's name as it is.
    w.global::<Nav>().invoke_home();
    let before = voice.said().len();
    tap(w, "Read aloud");
    let said = heard(&ctrl, &voice)[before..].to_vec();
    assert!(said.contains(&"Public legal services kiosk.".to_owned()), "{said:?}");
    assert!(said.iter().any(|l| l.contains("1 2 3 4 8")), "{said:?}");
    ctrl.open_law_by_name("民法典", Some(1079)).unwrap();
    tap(w, "语言 Language");
    tap(w, "繁體中文");
    assert!(labelled(w, "首頁"), "the bar is not in 繁體");
    ctrl.reset_session();
    assert_eq!(access.get_language(), "zh-Hans");
    assert!(labelled(w, "法律法规"), "the reset did not return to 简体中文");

    // ---- 3. Read-aloud ----------------------------------------------------------------------
    ctrl.open_law_by_name("民法典", Some(1079)).unwrap();
    let before = voice.said().len();
    tap(w, "朗读");
    let said = heard(&ctrl, &voice)[before..].to_vec();
    assert_eq!(said.first().map(String::as_str), Some("中华人民共和国民法典。"), "{said:?}");
    let article = said.iter().position(|s| s.starts_with("第一千零七十九条")).expect("1079 read");
    let next = said.iter().position(|s| s.starts_with("第一千零八十条")).expect("1080 read");
    assert!(article < next, "articles out of order: {said:?}");
    assert!(said.contains(&"（一）重婚或者与他人同居；".to_string()), "{said:?}");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    assert_eq!(w.global::<Access>().get_reading(), kiosk::ui::Reading::Idle, "朗读 not back");

    // Search: the results are read, the typed words are not.
    w.global::<Hall>().invoke_open_search();
    let s = w.global::<Search>();
    for k in ["q", "i", "a", "n", "x", "i", "n"] {
        s.invoke_key(k.into());
    }
    s.invoke_pick(s.get_candidates().row_data(0).unwrap());
    let typed = s.get_committed().to_string();
    assert!(!typed.is_empty() && s.get_hits().row_count() > 0);
    let before = voice.said().len();
    w.global::<Access>().invoke_read_aloud();
    let said = heard(&ctrl, &voice);
    let new = &said[before.min(said.len())..];
    assert!(new.iter().any(|l| l.starts_with("搜索结果")), "{new:?}");
    // The situation button above the hits is read before them, as the page shows it.
    let situation = new.iter().position(|l| l == "我遇到了：欠薪。").expect("situation read");
    let first_hit = new.iter().position(|l| l.starts_with('第')).expect("a hit read");
    assert!(situation < first_hit, "{new:?}");
    assert!(!new.iter().any(|l| l.contains("qianxin")), "said the pinyin typed: {new:?}");
    assert!(!new.iter().any(|l| l.contains(&format!("“{typed}”"))), "said the query: {new:?}");

    // The ticket page says the number.
    ctrl.open_queue(Some("A"));
    w.global::<Queue>().invoke_confirm();
    wait_for_ticket(w);
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    let number =
        |said: &[String]| said.iter().filter(|l| l.contains("您的号码是 A 零零一号")).count();
    let announced = number(&voice.said()); // the desk says it once when the ticket comes out
    w.global::<Access>().invoke_read_aloud();
    let said = heard(&ctrl, &voice);
    assert_eq!(number(&said), announced + 1, "{said:?}");
}

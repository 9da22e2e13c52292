//! UI tests on Slint's testing backend: real taps on the real pages, mock time for idle.
//!
//! One test function: the testing backend is process-wide and single-threaded, so the scenarios
//! run in sequence on one window.

mod support;

use std::rc::Rc;
use std::time::Duration;
use support::ui::tap;

use i_slint_backend_testing::{mock_elapsed_time, ElementHandle};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::ui::controller::Controller;
use kiosk::ui::{AppWindow, Dates, Guides, Library, Nav, Page, Reader, Search, Session, Topics};

fn page(window: &AppWindow) -> Page {
    window.global::<Nav>().get_page()
}

fn setup() -> (Rc<Controller>, Store) {
    i_slint_backend_testing::init_no_event_loop();
    let config = Config { data_dir: support::demo_store().to_owned(), ..Config::default() };
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let ctrl = Controller::new(window, Store::open(&config.data_dir).unwrap(), &config);
    ctrl.window().show().unwrap();
    (ctrl, Store::open(&config.data_dir).unwrap())
}

#[test]
fn resident_journeys() {
    let (ctrl, store) = setup();
    let w = ctrl.window();

    // Home → library → category → law → article 1079 by the jump keypad.
    tap(w, "法律法规");
    assert_eq!(page(w), Page::Categories);
    // The library leads with 民法典 and the Constitution, not with the largest category.
    let cats: Vec<String> =
        w.global::<Library>().get_categories().iter().map(|c| c.name.to_string()).collect();
    assert_eq!(cats[..2], ["民法典", "宪法"], "{cats:?}");
    tap(w, "民法典（1 部）");
    assert_eq!(page(w), Page::Laws);
    tap(w, "中华人民共和国民法典");
    assert_eq!(page(w), Page::Reader);
    let reader = w.global::<Reader>();
    assert_eq!(reader.get_title(), "中华人民共和国民法典");
    tap(w, "跳到第…条");
    assert!(reader.get_jump_open());
    for d in ["1", "0", "7", "9"] {
        tap(w, d);
    }
    tap(w, "跳转");
    assert!(!reader.get_jump_open());
    let first = reader.get_blocks().row_data(0).unwrap();
    assert_eq!(first.label, "第一千零七十九条");
    assert!(first.target);
    assert!(reader.get_breadcrumb().contains("婚姻家庭"));

    // Scrolling: a finger drag pans the text, and so do the 上翻/下翻 buttons.
    let enabled = |label: &str| {
        ElementHandle::find_by_accessible_label(w, label)
            .next()
            .unwrap()
            .accessible_enabled()
            .unwrap()
    };
    assert!(!enabled("▲ 上翻"), "at the top there is nothing above");
    let win = w.window();
    let at = |y: f32| slint::LogicalPosition::new(540.0, y);
    win.dispatch_event(slint::platform::WindowEvent::PointerPressed {
        position: at(1400.0),
        button: PointerEventButton::Left,
    });
    for i in 1..=20 {
        mock_elapsed_time(Duration::from_millis(16));
        win.dispatch_event(slint::platform::WindowEvent::PointerMoved {
            position: at(1400.0 - 15.0 * i as f32),
        });
    }
    win.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: at(1100.0),
        button: PointerEventButton::Left,
    });
    mock_elapsed_time(Duration::from_secs(2));
    assert!(enabled("▲ 上翻"), "a finger drag did not scroll the reader");
    tap(w, "▲ 上翻");
    assert!(!enabled("▲ 上翻"), "上翻 did not return to the top");
    tap(w, "▼ 下翻");
    assert!(enabled("▲ 上翻"), "下翻 did not scroll");
    // A number the law does not have: a clear word, the reader stays.
    tap(w, "跳到第…条");
    for d in ["9", "9", "9", "9"] {
        tap(w, d);
    }
    tap(w, "跳转");
    assert_eq!(reader.get_jump_missing(), 9999, "the pad says the law has no article 9999");
    tap(w, "取消");

    // Back walks the way we came; Home goes straight home.
    tap(w, "← 返回");
    assert_eq!(page(w), Page::Laws);
    tap(w, "首页");
    assert_eq!(page(w), Page::Home);

    // Search by pinyin on the on-screen keyboard: l-i-h-u-n offers 离婚.
    tap(w, "法律检索");
    assert_eq!(page(w), Page::Search);
    for k in ["l", "i", "h", "u", "n"] {
        tap(w, k);
    }
    let search = w.global::<Search>();
    assert_eq!(search.get_pinyin(), "lihun");
    let cands: Vec<String> = search.get_candidates().iter().map(|s| s.to_string()).collect();
    assert_eq!(cands.first().map(String::as_str), Some("离婚"), "{cands:?}");
    // 长辈模式 enlarges the chips: the row holds fewer, and none runs off the screen's edge.
    let chips = |s: &Search| s.get_candidates().iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let right_edges = |words: &[String]| {
        let chips: Vec<_> = words
            .iter()
            .flat_map(|word| ElementHandle::find_by_accessible_label(w, word).collect::<Vec<_>>())
            .collect();
        assert!(chips.len() >= words.len(), "chips of {words:?} not found on screen");
        chips.iter().map(|c| c.absolute_position().x + c.size().width).fold(0.0f32, f32::max)
    };
    assert!(right_edges(&cands) <= 1080.0, "{cands:?} run off the screen");
    tap(w, "长辈模式");
    let elder = chips(&search);
    assert!(elder.len() < cands.len(), "长辈模式 kept {elder:?}");
    assert!(right_edges(&elder) <= 1080.0, "{elder:?} run off the screen in 长辈模式");
    tap(w, "普通模式");
    assert_eq!(chips(&search), cands);
    tap(w, "离婚");
    assert_eq!(search.get_committed(), "离婚");
    assert_eq!(search.get_pinyin(), "");
    // What the screen lists is what the store returned, in its order (the order the judged
    // set scores); a law is headed where its run of hits starts.
    let expected = store.search("离婚", 30).unwrap();
    let shown: Vec<(String, String)> =
        search.get_hits().iter().map(|h| (h.law.to_string(), h.label.to_string())).collect();
    let wanted: Vec<(String, String)> =
        expected.hits.iter().map(|h| (h.short_name.clone(), h.label.clone())).collect();
    assert_eq!(shown, wanted);
    let starts: Vec<bool> = search.get_hits().iter().map(|h| h.law_start).collect();
    let runs: Vec<bool> = (0..expected.hits.len())
        .map(|i| i == 0 || expected.hits[i].doc != expected.hits[i - 1].doc)
        .collect();
    assert_eq!(starts, runs);
    assert!(runs.iter().filter(|s| **s).count() > 1, "离婚 is answered by more than one law");
    assert!(shown.contains(&("民法典".into(), "第一千零七十九条".into())));

    // A question picked word by word: 加班费 + 公司 → both searched, what was read said back.
    tap(w, "清空");
    for word in ["jiabanfei", "gongsi"] {
        for k in word.chars() {
            tap(w, &k.to_string());
        }
        let top = search.get_candidates().row_data(0).unwrap();
        tap(w, &top);
    }
    assert_eq!(search.get_committed(), "加班费 公司");
    // Each word is kept whole on its line by word joiners, which are not drawn.
    let searched = search.get_terms().replace('\u{2060}', "");
    assert!(searched.starts_with("加班费、公司"), "{searched}");
    let first = search.get_hits().row_data(0).expect("a question finds articles");
    assert!(["劳动合同法", "劳动法"].contains(&first.law.as_str()), "{first:?}");

    // An everyday name: 霸王条款 opens with the articles it means.
    tap(w, "清空");
    for k in "bawangtiaokuan".chars() {
        tap(w, &k.to_string());
    }
    tap(w, "霸王条款");
    let first = search.get_hits().row_data(0).unwrap();
    assert_eq!((first.law.as_str(), first.label.as_str()), ("民法典", "第四百九十六条"));

    // A life situation named in search opens its page: 欠薪 → 我遇到了：欠薪.
    tap(w, "清空");
    for k in "qianxin".chars() {
        tap(w, &k.to_string());
    }
    tap(w, "欠薪");
    assert_eq!(search.get_situations().row_count(), 1);
    tap(w, "我遇到了：欠薪 →");
    assert_eq!(page(w), Page::Topic);
    assert_eq!(w.global::<Topics>().get_title(), "欠薪");
    tap(w, "← 返回");
    assert_eq!(page(w), Page::Search);

    // A 办事指南 whose name the words picked spell opens its page: 法律援助, 申请 → 法律援助申请.
    tap(w, "清空");
    for (letters, word) in [("falvyuanzhu", "法律援助"), ("shenqing", "申请")] {
        for k in letters.chars() {
            tap(w, &k.to_string());
        }
        tap(w, word);
    }
    assert_eq!(search.get_guides().row_count(), 1);
    tap(w, "办事指南：法律援助申请 →");
    assert_eq!(page(w), Page::Guide);
    assert_eq!(w.global::<Guides>().get_name(), "法律援助申请");
    tap(w, "← 返回");
    assert_eq!(page(w), Page::Search);

    // Handwriting: each test character drawn through the pad shows among the candidates; a run
    // of written characters is one word (工 then 伤 would be 工伤).
    tap(w, "清空");
    tap(w, "手写");
    assert!(search.get_writing());
    let mut missed = Vec::new();
    for ch in support::handwriting::load(&support::repo()) {
        tap(w, "重写");
        for stroke in &ch.strokes {
            let path = support::handwriting::finger_path(stroke);
            search.invoke_pad_down(path[0].0 as f32, path[0].1 as f32);
            for (x, y) in &path[1..] {
                search.invoke_pad_move(*x as f32, *y as f32);
            }
            search.invoke_pad_up();
        }
        assert!(!search.get_ink().is_empty());
        let cands: Vec<String> = search.get_candidates().iter().map(|c| c.to_string()).collect();
        if !cands.contains(&ch.expect) {
            missed.push(format!("{}: {cands:?}", ch.expect));
        }
    }
    assert!(missed.is_empty(), "not among the candidates:\n{}", missed.join("\n"));
    // The last character written (小) picked from the bar goes into the query; the pad clears.
    tap(w, "小");
    assert_eq!(search.get_committed(), "小");
    assert_eq!(search.get_ink(), "");
    tap(w, "改用拼音");
    assert!(!search.get_writing());

    // Search by characters: a hot topic is a whole word.
    tap(w, "清空");
    assert_eq!(search.get_committed(), "");
    tap(w, "劳动争议");
    assert_eq!(search.get_committed(), "劳动争议");
    let expected = store.search("劳动争议", 30).unwrap().hits;
    assert_eq!(search.get_hits().row_count(), expected.len());
    assert!(!expected.is_empty());

    // Tapping a result opens the reader at that article.
    let hit = search.get_hits().row_data(0).unwrap();
    ctrl.window().global::<Search>().invoke_open_hit(0);
    assert_eq!(page(w), Page::Reader);
    if !hit.title_hit {
        assert_eq!(reader.get_blocks().row_data(0).unwrap().label, hit.label);
    }

    // Idle: 60 s without a touch → the prompt; 20 s more → home, everything typed forgotten.
    tap(w, "← 返回");
    assert_eq!(page(w), Page::Search);
    tap(w, "g");
    mock_elapsed_time(Duration::from_secs(59));
    assert!(!w.global::<Session>().get_prompt_visible());
    mock_elapsed_time(Duration::from_secs(2));
    assert!(w.global::<Session>().get_prompt_visible(), "no prompt after the idle time");
    // "继续使用" keeps the session.
    tap(w, "继续使用");
    assert!(!w.global::<Session>().get_prompt_visible());
    assert_eq!(search.get_pinyin(), "g");
    mock_elapsed_time(Duration::from_secs(61));
    assert!(w.global::<Session>().get_prompt_visible());
    mock_elapsed_time(Duration::from_secs(19));
    assert_eq!(page(w), Page::Search, "the prompt stays at least 20 s");
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(page(w), Page::Home);
    assert!(!w.global::<Session>().get_prompt_visible());
    assert_eq!(search.get_committed(), "");
    assert_eq!(search.get_pinyin(), "");
    assert_eq!(search.get_hits().row_count(), 0);
}

#[test]
fn two_texts_of_one_law_are_told_apart_in_words() {
    let (ctrl, _store) = setup();
    let w = ctrl.window();
    let lib = w.global::<Library>();
    lib.invoke_open_category("诉讼与非诉讼程序法".into());
    // The page writes the title with its text's year when two share it, and the dates.
    let dates = w.global::<Dates>();
    let laws: Vec<(String, i32, String)> = lib
        .get_laws()
        .iter()
        .map(|l| {
            let meta = dates.invoke_law_meta(l.meta).replace('\u{2060}', "");
            (l.title.to_string(), l.edition, meta)
        })
        .collect();
    let arbitration: Vec<_> = laws.iter().filter(|(t, _, _)| t == "中华人民共和国仲裁法").collect();
    assert_eq!(arbitration.len(), 2, "{laws:?}");
    // Each says which year's text it is, and the older one says it is no longer current.
    assert!(arbitration.iter().all(|(_, year, _)| *year > 1990), "{arbitration:?}");
    assert_ne!(arbitration[0].1, arbitration[1].1);
    assert!(arbitration.iter().any(|(_, _, m)| m.starts_with("旧文本")), "{arbitration:?}");
    // A law with one text keeps its plain title.
    assert!(laws.iter().any(|(t, year, _)| t == "中华人民共和国民事诉讼法" && *year == 0));
}

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
use kiosk::ui::{Access, AppWindow, Hall, Metrics, Nav, Page, Queue, Reader, Search};
use slint::{ComponentHandle, Model};
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
    tap(w, "语言 Language");
    tap(w, "繁體中文");
    assert!(labelled(w, "首頁"), "the bar is not in 繁體");
    ctrl.reset_session();
    assert_eq!(access.get_language(), "zh-Hans");
    assert!(labelled(w, "法律法规"), "the reset did not return to 简体中文");

    // ---- 3. Read-aloud ----------------------------------------------------------------------
    ctrl.open_law_by_name("民法典", Some(1079)).unwrap();
    tap(w, "朗读");
    let said = heard(&ctrl, &voice);
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

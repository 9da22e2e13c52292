//! The idle reset, as the next resident sees it: after a resident has used every screen and the
//! session has reset, every page — shown as its global now stands, without the refresh that
//! opening it would do — is pixel-identical to the same page of a kiosk that was never touched.
//! This catches anything a screen's `reset()` leaves in its Slint global, whether or not its
//! `session_state` reports it. Rendered headless through the software renderer the device runs.

mod support;

use std::path::Path;

use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::speech::RecordingSpeaker;
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::Headless;
use kiosk::ui::{AppWindow, Nav, Page};
use slint::ComponentHandle;
use support::printer::{Behaviour, LoopbackPrinter};

const PAGES: [Page; 13] = [
    Page::Home,
    Page::Categories,
    Page::Laws,
    Page::Reader,
    Page::Search,
    Page::Guides,
    Page::Guide,
    Page::Map,
    Page::Points,
    Page::Queue,
    Page::Ticket,
    Page::Aid,
    Page::Technician,
];

fn kiosk(printer: &LoopbackPrinter, queue_dir: &Path) -> std::rc::Rc<Controller> {
    let config = Config {
        data_dir: support::demo_store().to_owned(),
        here: Some("yl-center".into()),
        printer: Some(printer.url().parse().unwrap()),
        speech: false,
        queue_dir: Some(queue_dir.to_owned()),
        ..Config::default()
    };
    let store = Store::open(&config.data_dir).unwrap();
    let ctrl = Controller::with_speaker(
        AppWindow::new().unwrap(),
        store,
        &config,
        RecordingSpeaker::default(),
    );
    ctrl.window().show().unwrap();
    ctrl.set_now(
        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M").unwrap(),
    );
    ctrl
}

/// Every page as its global stands now.
fn pages(ctrl: &Controller, screen: &mut Headless) -> Vec<Vec<u8>> {
    PAGES
        .iter()
        .map(|p| {
            ctrl.window().global::<Nav>().set_page(*p);
            screen.pixels()
        })
        .collect()
}

#[test]
fn every_page_after_the_idle_reset_looks_like_a_fresh_kiosk() {
    let mut screen = Headless::install(1080, 1920).unwrap();
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();

    let fresh = kiosk(&printer, &tmp.path().join("q0"));
    let before = pages(&fresh, &mut screen);
    fresh.window().hide().unwrap();
    drop(fresh);

    let ctrl = kiosk(&printer, &tmp.path().join("q1"));
    support::ui::walk_every_screen(&ctrl);
    let used = pages(&ctrl, &mut screen);
    ctrl.reset_session();
    let after = pages(&ctrl, &mut screen);

    let mut changed_by_use = 0;
    for (i, page) in PAGES.iter().enumerate() {
        if used[i] != before[i] {
            changed_by_use += 1;
        }
        let differ = after[i].chunks(3).zip(before[i].chunks(3)).filter(|(a, b)| a != b).count();
        assert_eq!(
            differ, 0,
            "{page:?}: {differ} pixels differ from a fresh kiosk after the idle reset"
        );
    }
    // The walk left its marks on the pages, so the comparison above means something.
    assert!(changed_by_use >= 10, "only {changed_by_use} of {} pages changed by use", PAGES.len());
}

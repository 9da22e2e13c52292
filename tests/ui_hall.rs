//! UI tests of the hall screens on Slint's testing backend: guides (a 设定依据 opens the reader
//! at its article), the map (tap a county to zoom, a pin's card), the points list filter, and
//! taking a ticket through a loopback printer — printed, and the on-screen fallback. One test
//! function: the testing backend is process-wide.

mod common;

use std::rc::Rc;

use common::printer::{Behaviour, LoopbackPrinter};
use i_slint_backend_testing::ElementHandle;
use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::queue::escpos_decode::{decode, readout};
use kiosk::ui::controller::Controller;
use kiosk::ui::{AppWindow, Guides, MapView, Nav, Page, Queue, Reader};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

fn tap(window: &AppWindow, label: &str) {
    let found = ElementHandle::find_by_accessible_label(window, label).collect::<Vec<_>>();
    let el = found.first().unwrap_or_else(|| panic!("nothing labelled {label:?} on screen"));
    el.mock_single_click(PointerEventButton::Left);
}

fn controller(printer: Option<String>, queue_dir: &std::path::Path) -> Rc<Controller> {
    let config = Config {
        data_dir: common::demo_store().to_owned(),
        here: Some("yl-center".into()),
        printer,
        speech: false,
        queue_dir: Some(queue_dir.to_owned()),
        ..Config::default()
    };
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let ctrl = Controller::new(window, Store::open(&config.data_dir).unwrap(), &config);
    ctrl.window().show().unwrap();
    ctrl.set_now(chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M").unwrap());
    ctrl
}

#[test]
fn hall_screens() {
    i_slint_backend_testing::init_no_event_loop();
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let ctrl = controller(Some(printer.url()), tmp.path());
    let w = ctrl.window();

    // 办事指南 from home; the list starts with the legal-aid group.
    tap(w, "办事指南");
    assert_eq!(w.global::<Nav>().get_page(), Page::Guides);
    let rows = w.global::<Guides>().get_rows();
    assert_eq!(rows.row_data(0).unwrap().header, "法律援助");
    assert_eq!(rows.iter().filter(|r| r.header.is_empty()).count(), 8);
    tap(w, "法律援助申请");
    assert_eq!(w.global::<Nav>().get_page(), Page::Guide);
    let g = w.global::<Guides>();
    assert_eq!(g.get_name(), "法律援助申请");
    assert!(g.get_steps().iter().any(|s| s.time_limit.contains("7日")));
    // Local facts are not published in the demo: the screen says where to ask.
    assert!(g.get_facts().iter().any(|f| f.label == "办理地点" && f.value == "以窗口公示为准"));
    // The checklist ticks and unticks.
    tap(w, "法律援助申请表");
    assert!(g.get_materials().row_data(0).unwrap().checked);
    tap(w, "法律援助申请表");
    assert!(!g.get_materials().row_data(0).unwrap().checked);
    // 设定依据 → the reader at 第四十三条.
    let basis = g.get_basis();
    let i = basis.iter().position(|b| b.label.ends_with("第四十三条")).unwrap();
    g.invoke_open_basis(i as i32);
    assert_eq!(w.global::<Nav>().get_page(), Page::Reader);
    let blocks = w.global::<Reader>().get_blocks();
    let target = blocks.iter().find(|b| b.target).expect("the cited article is marked");
    assert_eq!(target.label, "第四十三条");
    assert!(target.text.contains("七日内"));
    w.global::<Nav>().invoke_back();
    assert_eq!(w.global::<Nav>().get_page(), Page::Guide);

    // 取号办理 from the guide → the queue with 法律援助 chosen → a printed ticket.
    tap(w, "取号办理：法律援助");
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    assert_eq!(w.global::<Queue>().get_selected(), "A");
    tap(w, "确认取号");
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    let q = w.global::<Queue>();
    assert!(q.get_printed());
    assert_eq!(q.get_code(), "A001");
    let job = readout(&decode(&printer.jobs.lock().unwrap()[0].bytes).unwrap());
    assert_eq!(job.lines[2], "A001");
    assert!(ctrl.speech_log.as_ref().unwrap().0.lock().unwrap()[0].contains("A 零零一号"));
    // A second resident, priority lane: the screen says nobody is ahead (priority goes first).
    w.global::<Nav>().invoke_home();
    tap(w, "取号排队");
    let services = q.get_services();
    assert_eq!(services.iter().find(|s| s.letter == "A").unwrap().waiting, 1);
    q.invoke_choose("A".into());
    q.set_priority(true);
    tap(w, "确认取号");
    assert_eq!(q.get_code(), "A002");
    assert_eq!(q.get_ahead(), 0);

    // The map: tap 神木市 to zoom, then the points list filtered by service.
    w.global::<Nav>().invoke_home();
    tap(w, "服务网点");
    assert_eq!(w.global::<Nav>().get_page(), Page::Map);
    let m = w.global::<MapView>();
    assert_eq!(m.get_counties().row_count(), 12);
    assert!(m.get_pins().iter().any(|p| p.here), "您在这里 is on the map");
    let (vx, vy, vw, vh) = (m.get_vb_x(), m.get_vb_y(), m.get_vb_w(), m.get_vb_h());
    let sm = m.get_counties().iter().find(|c| c.name == "神木市").unwrap();
    ctrl.tap_map((sm.label_x - vx) / vw, (sm.label_y - vy) / vh);
    assert!(m.get_zoomed());
    assert_eq!(m.get_title(), "神木市");
    assert!(m.get_vb_w() < vw / 2.0);
    tap(w, "列表");
    assert_eq!(w.global::<Nav>().get_page(), Page::Points);
    assert_eq!(m.get_rows().row_data(0).unwrap().name, "榆林市公共法律服务中心（示例）");
    m.invoke_set_filter("公证".into());
    let rows = m.get_rows();
    assert!(rows.row_count() > 0 && rows.iter().all(|r| r.services.contains("公证")));
    tap(w, &rows.row_data(0).unwrap().name);
    assert!(m.get_card_open());
    assert!(m.get_card_facts().iter().any(|f| f.label == "距离"));

    // Idle reset forgets the ticket shown and the choices made.
    ctrl.reset_session();
    assert_eq!(q.get_code(), "");
    assert!(!m.get_card_open());
    drop(ctrl);

    // A dead printer: the number shows on screen, uncounted, and the voice says to note it.
    let tmp = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let ctrl = controller(Some(format!("tcp://{closed}")), tmp.path());
    let w = ctrl.window();
    ctrl.open_queue(Some("C"));
    tap(w, "确认取号");
    let q = w.global::<Queue>();
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    assert!(!q.get_printed());
    assert_eq!(q.get_code(), "C001");
    assert!(ctrl.speech_log.as_ref().unwrap().0.lock().unwrap()[0].contains("记下屏幕上的号码"));
}

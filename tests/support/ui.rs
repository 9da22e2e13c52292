//! Driving the kiosk UI on Slint's testing backend as a resident would.

use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use kiosk::ui::controller::Controller;
use kiosk::ui::{
    AidCheck, AidReply, AppWindow, Guides, Hall, Library, MapView, Nav, Page, Queue, Reader,
    Search, Technician, Topics,
};
use slint::platform::PointerEventButton;
use slint::{ComponentHandle, Model};

/// Taps the first element labelled `label` (its accessible label, as a screen reader reads it).
pub fn tap(window: &AppWindow, label: &str) {
    let found = ElementHandle::find_by_accessible_label(window, label).collect::<Vec<_>>();
    let el = found.first().unwrap_or_else(|| panic!("nothing labelled {label:?} on screen"));
    el.mock_single_click(PointerEventButton::Left);
}

/// Lets the printing thread finish, driving the screen's timers as the event loop would.
pub fn wait_for_ticket(w: &AppWindow) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while w.global::<Queue>().get_printing() {
        assert!(Instant::now() < deadline, "the ticket is still printing after 10 s");
        std::thread::sleep(Duration::from_millis(5));
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(30));
    }
}

/// Everything a resident can leave behind, on every screen.
pub fn walk_every_screen(ctrl: &Controller) {
    let w = ctrl.window();
    // Library → a category → a law → the next page, bigger text, the TOC, a failed jump.
    w.global::<Hall>().invoke_open_library();
    let lib = w.global::<Library>();
    let category = lib.get_categories().row_data(0).unwrap().name;
    lib.invoke_open_category(category);
    lib.invoke_open_law(lib.get_laws().row_data(0).unwrap().doc);
    let r = w.global::<Reader>();
    r.invoke_next_page();
    r.set_text_step(3);
    r.set_toc_open(true);
    r.set_jump_open(true);
    r.set_jump_digits("9999".into());
    r.invoke_jump("9999".into());
    assert_eq!(r.get_jump_missing(), 9999);
    // Search: typed pinyin, a picked word, a hit opened.
    w.global::<Hall>().invoke_open_search();
    let s = w.global::<Search>();
    for k in ["l", "i", "h", "u", "n"] {
        s.invoke_key(k.into());
    }
    s.invoke_pick("离婚".into());
    for k in ["g", "o"] {
        s.invoke_key(k.into());
    }
    // Half a character on the handwriting pad.
    s.set_writing(true);
    s.invoke_pad_down(60.0, 80.0);
    s.invoke_pad_move(300.0, 90.0);
    s.invoke_pad_up();
    s.invoke_pad_down(180.0, 60.0);
    s.invoke_open_hit(0);
    // A life situation open.
    let t = w.global::<Topics>();
    t.invoke_open_topics();
    t.invoke_open_topic("unpaid-wages".into());
    // A guide with two materials ticked.
    let g = w.global::<Guides>();
    g.invoke_open_guides();
    g.invoke_open_guide("legal-aid".into());
    g.invoke_toggle_material(0);
    g.invoke_toggle_material(1);
    // The map zoomed into a county, a card open, the list filtered.
    let m = w.global::<MapView>();
    m.invoke_open_map();
    let county = m.get_counties().row_data(1).unwrap();
    ctrl.tap_map(county.label_x, county.label_y, 1.4);
    m.invoke_set_filter("公证".into());
    m.invoke_open_point(m.get_rows().row_data(0).unwrap().id);
    // A priority ticket.
    let q = w.global::<Queue>();
    q.invoke_open_queue();
    q.invoke_choose("A".into());
    q.invoke_toggle_priority();
    q.invoke_confirm();
    assert!(ctrl.poll_ticket(Some(Duration::from_secs(10))), "the ticket did not print");
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    assert_eq!(q.get_code(), "A001");
    // The legal-aid check answered to its verdict.
    let a = w.global::<AidCheck>();
    a.invoke_open_check();
    a.invoke_pick_matter(2);
    a.invoke_answer(AidReply::No);
    a.invoke_answer(AidReply::NotSure);
    a.invoke_answer(AidReply::Yes);
    assert_ne!(a.get_headline(), "");
    // 呼叫工作人员: the note stays until the session ends.
    q.invoke_call_staff();
    assert!(q.get_staff_called());
    // The technician page's touch test (the page itself sits behind the corner gesture and a
    // PIN; its touch dots are what a reset must clear).
    w.global::<Technician>().invoke_touch_test(0.5, 0.5);
}

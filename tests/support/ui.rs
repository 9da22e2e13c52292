//! Driving the kiosk UI on Slint's testing backend as a resident would.

use std::time::{Duration, Instant};

use i_slint_backend_testing::ElementHandle;
use kiosk::ui::{AppWindow, Queue};
use slint::platform::PointerEventButton;
use slint::ComponentHandle;

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

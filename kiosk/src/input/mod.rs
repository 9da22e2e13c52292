//! Touch input: from the panel's evdev events to frames of fingers and the technician gesture.
//!
//! On the device the touchscreen is an evdev node (`/dev/input/event*`) and the kernel hands us
//! raw events. They go one at a time into a [`TouchTracker`], which follows the panel's contacts
//! and yields a [`Frame`] of fingers in 0..=1 screen coordinates at every `SYN_REPORT`; the panel
//! watcher ([`panel`]) counts them for health and hands them to [`CornerHold`], the technician
//! gesture. (The UI itself reads the panel through libinput.)
//!
//! `evemu`, `touch` and `gesture` open no device (only `source` touches evdev): they are pure
//! functions of the event stream. That is what lets the tests replay evemu recordings of real
//! panels ([`evemu`]) through the very tracker and recogniser the kiosk runs, with exact
//! expectations, on a machine with no touchscreen.
//!
//! ```text
//! evemu    evemu text: device descriptions and event recordings  → (nothing)
//! touch    events → frames of contacts                            → evemu
//! gesture  frames → the technician gesture                        → touch
//! source   the event stream: evdev on the device, or a replay     → evemu
//! panel    the running watcher: source → tracker → metrics, UI    → source, touch, gesture,
//!                                                                   observe
//! ```

pub mod evemu;
pub mod gesture;
pub mod handwriting;
pub mod panel;
pub mod source;
pub mod touch;

pub use evemu::{parse_desc, parse_events, AxisRange, DeviceDesc, EvemuError, InputEvent};
pub use gesture::CornerHold;
pub use touch::{Contact, Frame, TouchCounts, TouchTracker};

/// Reads a file of the shared touch recordings (evemu-devices, MIT; see its LICENSE there).
#[cfg(test)]
fn test_data(name: &str) -> String {
    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/touch/");
    std::fs::read_to_string(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{DIR}{name}: {e}"))
}

//! The touch panel's life as the kiosk watches it: reads an [`EventSource`] on a tokio task,
//! tracks fingers ([`TouchTracker`]), counts into the touch metrics (events, finger-downs, last
//! touch time, panel present), tells the UI about every touch (so the idle timer and the health
//! counters see the same touches) and about the technician gesture ([`CornerHold`]).

use std::time::{Duration, Instant};

use super::gesture::CornerHold;
use super::source::EventSource;
use super::touch::TouchTracker;

/// What the panel watcher tells the rest of the kiosk.
pub struct PanelEvents {
    /// A finger went down (UI: restart the idle time).
    pub touched: Box<dyn Fn() + Send>,
    /// Two opposite corners held (UI: the technician PIN page).
    pub technician_gesture: Box<dyn Fn() + Send>,
    /// The last finger left the panel.
    pub lifted: Box<dyn Fn() + Send>,
}

/// How long the technician gesture must be held.
pub const GESTURE_HOLD: Duration = Duration::from_secs(3);

/// How often a still hold is re-checked.
const TICK: Duration = Duration::from_millis(200);

/// Reads `source` until it ends, counting and reporting. The panel counts as present while
/// this runs.
pub async fn watch(mut source: Box<dyn EventSource>, events: PanelEvents) {
    let m = crate::observe::metrics();
    m.touch_panel_present.set(1);
    tracing::info!(panel = %source.desc().name, "touch panel found");
    let mut tracker = TouchTracker::new(source.desc());
    let mut gesture = CornerHold::new(GESTURE_HOLD, 0.15);
    // Fingers held perfectly still send nothing: the gesture's clock is advanced by ticks, on
    // the events' own clock (a recording's times are not the wall clock).
    let mut last: Option<(Duration, Instant)> = None;
    loop {
        let event = match tokio::time::timeout(TICK, source.next_event()).await {
            Err(_) => {
                if let Some((time, at)) = last {
                    if gesture.tick(time + at.elapsed()) {
                        tracing::info!("technician gesture recognised");
                        (events.technician_gesture)();
                    }
                }
                continue;
            }
            Ok(None) => break,
            Ok(Some(Ok(e))) => e,
            Ok(Some(Err(e))) => {
                crate::observe::fault("touch", &e);
                break;
            }
        };
        last = Some((event.time, Instant::now()));
        m.touch_events.inc();
        let Some(frame) = tracker.feed(&event) else { continue };
        if frame.downs > 0 {
            m.touch_contacts.inc_by(frame.downs as u64);
            m.touch_last_event.set(crate::observe::metrics::unix_now());
            (events.touched)();
        }
        if frame.ups > 0 && frame.contacts.is_empty() {
            (events.lifted)();
        }
        if gesture.feed(&frame) {
            tracing::info!("technician gesture recognised");
            (events.technician_gesture)();
        }
    }
    tracing::warn!(panel = %source.desc().name, "touch panel gone");
    m.touch_panel_present.set(0);
}

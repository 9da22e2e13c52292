//! How late the UI loop answers while a resident uses the kiosk: `kiosk_ui_loop_lag_seconds`.
//!
//! On the device, Slint's linuxkms backend draws inside its own loop and the software renderer
//! (Slint 1.18) offers no rendering notifier, so the time of one frame cannot be read there
//! (`kiosk_frame_seconds` is filled where frames pass through our hands: headless runs and
//! screenshots). What a resident feels is the same thing seen from outside: a slow frame, a
//! slow search or a slow handler delays everything queued behind it on the UI thread. A timer
//! that should fire every [`PERIOD`] measures how late it fires (the event-loop lag that
//! Node.js and browsers report); everything the loop did meanwhile, drawing included, is in it.
//!
//! The probe runs only for [`ACTIVE_FOR`] after a touch: an idle kiosk draws nothing, so idle
//! samples would only dilute the histogram, and an idle kiosk should not be woken 10 times a
//! second for nothing.

use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{Timer, TimerMode};

/// How often the probe asks; a stall shorter than this may fall between two asks.
pub const PERIOD: Duration = Duration::from_millis(100);
/// How long after the last touch it keeps asking (animations and late results included).
pub const ACTIVE_FOR: Duration = Duration::from_secs(10);

pub struct LagProbe {
    timer: Timer,
    last_fire: Cell<Instant>,
    last_touch: Cell<Instant>,
    me: Weak<LagProbe>,
}

impl LagProbe {
    pub fn new() -> Rc<LagProbe> {
        let now = Instant::now();
        Rc::new_cyclic(|me| LagProbe {
            timer: Timer::default(),
            last_fire: Cell::new(now),
            last_touch: Cell::new(now),
            me: me.clone(),
        })
    }

    /// A touch: keep (or start) measuring for the next [`ACTIVE_FOR`].
    pub fn touched(&self) {
        let now = Instant::now();
        self.last_touch.set(now);
        if !self.timer.running() {
            self.last_fire.set(now);
            let me = self.me.clone();
            self.timer.start(TimerMode::Repeated, PERIOD, move || {
                if let Some(probe) = me.upgrade() {
                    probe.fired(Instant::now());
                }
            });
        }
    }

    fn fired(&self, now: Instant) {
        let lag = lag(self.last_fire.replace(now), now);
        crate::observe::metrics().ui_loop_lag_seconds.observe(lag.as_secs_f64());
        if now.duration_since(self.last_touch.get()) > ACTIVE_FOR {
            self.timer.stop();
        }
    }
}

/// How much later than [`PERIOD`] after `previous` the probe fired at `now`.
fn lag(previous: Instant, now: Instant) -> Duration {
    now.duration_since(previous).saturating_sub(PERIOD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_delay_beyond_the_period_and_never_negative() {
        let t0 = Instant::now();
        assert_eq!(lag(t0, t0 + PERIOD), Duration::ZERO);
        assert_eq!(lag(t0, t0 + PERIOD / 2), Duration::ZERO, "an early fire is no lag");
        assert_eq!(lag(t0, t0 + PERIOD + Duration::from_millis(180)), Duration::from_millis(180));
    }
}

//! Idle handling: after the idle time with no touch, ask "need more time?" for at least 20 s,
//! then forget the session. Runs on Slint timers, so the testing backend's mock clock drives it.
//!
//! The end of the prompt is a single-shot deadline of its own; the one-second ticker only updates
//! the number on screen. A stalled event loop may skip ticks, but never delays the reset.

use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::{Timer, TimerMode};

/// What the watch asks of the UI.
pub trait IdleUi {
    /// Whether there is anything to protect: a page other than home, or typed input.
    fn session_active(&self) -> bool;
    fn show_prompt(&self, seconds_left: u64);
    fn hide_prompt(&self);
    /// Return home and clear everything the resident typed or opened.
    fn reset_session(&self);
    /// The idle time passed with nobody's session open: the kiosk may show its posters.
    fn idle_at_home(&self) {}
}

pub struct IdleWatch {
    idle: Timer,
    expiry: Timer,
    ticker: Timer,
    shown_seconds: Cell<u64>,
    idle_after: Duration,
    prompt_secs: u64,
    ui: Weak<dyn IdleUi>,
}

impl IdleWatch {
    pub fn new(idle_after: Duration, prompt_secs: u64, ui: Weak<dyn IdleUi>) -> Rc<IdleWatch> {
        Rc::new(IdleWatch {
            idle: Timer::default(),
            expiry: Timer::default(),
            ticker: Timer::default(),
            shown_seconds: Cell::new(0),
            idle_after,
            prompt_secs,
            ui,
        })
    }

    /// A touch: hide any prompt and start the idle time again.
    pub fn activity(self: &Rc<Self>) {
        if self.prompt_showing() {
            self.expiry.stop();
            self.ticker.stop();
            if let Some(ui) = self.ui.upgrade() {
                ui.hide_prompt();
            }
        }
        let watch = Rc::downgrade(self);
        self.idle.start(TimerMode::SingleShot, self.idle_after, move || {
            if let Some(w) = watch.upgrade() {
                w.went_idle();
            }
        });
    }

    pub fn prompt_showing(&self) -> bool {
        self.expiry.running()
    }

    fn went_idle(self: &Rc<Self>) {
        let Some(ui) = self.ui.upgrade() else { return };
        if !ui.session_active() {
            ui.idle_at_home();
            return;
        }
        self.shown_seconds.set(self.prompt_secs);
        ui.show_prompt(self.prompt_secs);
        let watch = Rc::downgrade(self);
        self.expiry.start(
            TimerMode::SingleShot,
            Duration::from_secs(self.prompt_secs),
            move || {
                let Some(w) = watch.upgrade() else { return };
                w.ticker.stop();
                if let Some(ui) = w.ui.upgrade() {
                    ui.hide_prompt();
                    ui.reset_session();
                }
            },
        );
        let watch = Rc::downgrade(self);
        self.ticker.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            let Some(w) = watch.upgrade() else { return };
            // Due in the same timer pass as the expiry, the tick must not bring the prompt back.
            if !w.expiry.running() {
                return;
            }
            let left = w.shown_seconds.get().saturating_sub(1).max(1);
            w.shown_seconds.set(left);
            if let Some(ui) = w.ui.upgrade() {
                ui.show_prompt(left);
            }
        });
    }
}

//! Idle handling: after the idle time with no touch, ask "need more time?" for at least 20 s,
//! then forget the session. Runs on Slint timers, so the testing backend's mock clock drives it.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use slint::{Timer, TimerMode};

pub struct IdleWatch {
    idle: Timer,
    countdown: Timer,
    remaining: Cell<u64>,
    idle_after: Duration,
    prompt_secs: u64,
}

/// What the watch asks of the UI.
pub trait IdleUi {
    /// Whether there is anything to protect: a page other than home, or typed input.
    fn session_active(&self) -> bool;
    fn show_prompt(&self, seconds_left: u64);
    fn hide_prompt(&self);
    /// Return home and clear everything the resident typed or opened.
    fn reset_session(&self);
}

impl IdleWatch {
    pub fn new(idle_after: Duration, prompt_secs: u64) -> Rc<IdleWatch> {
        Rc::new(IdleWatch {
            idle: Timer::default(),
            countdown: Timer::default(),
            remaining: Cell::new(0),
            idle_after,
            prompt_secs,
        })
    }

    /// A touch: hide any prompt and start the idle time again.
    pub fn activity(self: &Rc<Self>, ui: Rc<dyn IdleUi>) {
        if self.countdown.running() {
            self.countdown.stop();
            ui.hide_prompt();
        }
        let watch = Rc::downgrade(self);
        self.idle.start(TimerMode::SingleShot, self.idle_after, move || {
            if let Some(w) = watch.upgrade() {
                w.went_idle(ui.clone());
            }
        });
    }

    pub fn prompt_showing(&self) -> bool {
        self.countdown.running()
    }

    fn went_idle(self: &Rc<Self>, ui: Rc<dyn IdleUi>) {
        if !ui.session_active() {
            return;
        }
        self.remaining.set(self.prompt_secs);
        ui.show_prompt(self.prompt_secs);
        let watch = Rc::downgrade(self);
        self.countdown.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            let Some(w) = watch.upgrade() else { return };
            let left = w.remaining.get().saturating_sub(1);
            w.remaining.set(left);
            if left == 0 {
                w.countdown.stop();
                ui.hide_prompt();
                ui.reset_session();
            } else {
                ui.show_prompt(left);
            }
        });
    }
}

//! The interface to the hall's calling system (叫号系统): who is being served, and calling the
//! next number, and a resident's call for staff (呼叫工作人员). Halls with their own system
//! implement [`CallingSystem`] for it; the built-in [`Standalone`] keeps calls in the kiosk's
//! queue database (window staff call with `kiosk queue call LETTER`, see residents' calls with
//! `kiosk queue status` and answer them with `kiosk queue answer`).

use anyhow::Result;
use chrono::NaiveDateTime;

use super::tickets::{QueueDb, StaffCall, Ticket};

pub trait CallingSystem {
    /// A resident at the kiosk asks for staff (呼叫工作人员) from `place`, the screen they are on.
    /// Returns the call and whether it is new (a repeated tap joins an unanswered call).
    fn call_staff(&mut self, place: &str, now: NaiveDateTime) -> Result<(StaffCall, bool)>;
    /// Marks the next ticket of `letter` (priority lane first) as called and returns it.
    fn call_next(&mut self, letter: &str, now: NaiveDateTime) -> Result<Option<Ticket>>;
    /// The ticket of `letter` being served now.
    fn now_serving(&self, letter: &str, now: NaiveDateTime) -> Result<Option<Ticket>>;
}

/// Calls recorded in the kiosk's own queue database.
pub struct Standalone<'a>(pub &'a mut QueueDb);

impl CallingSystem for Standalone<'_> {
    fn call_staff(&mut self, place: &str, now: NaiveDateTime) -> Result<(StaffCall, bool)> {
        self.0.call_staff(place, now)
    }

    fn call_next(&mut self, letter: &str, now: NaiveDateTime) -> Result<Option<Ticket>> {
        self.0.call_next(letter, now)
    }

    fn now_serving(&self, letter: &str, now: NaiveDateTime) -> Result<Option<Ticket>> {
        self.0.now_serving(letter, now.date())
    }
}

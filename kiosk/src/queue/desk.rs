//! Taking a ticket, start to finish: reserve a number on disk, print, settle, speak.
//!
//! The desk is handed plain data ([`DeskSetup`]: the hall's queue services, its name, where the
//! queue database lives, the ticket URL) and owns its database privately; the kiosk and the
//! `kiosk ticket` command open it the same way.

use std::path::PathBuf;

use anyhow::{bail, Result};
use chrono::{NaiveDate, NaiveDateTime};

use super::calling::{CallingSystem, Standalone};
use super::printer::{PrintError, TicketPrinter};
use super::takeaway::TakeAway;
use super::ticket_print::TicketPrint;
use super::tickets::{QueueDb, StaffCall, Ticket, TicketState};
use crate::content::hall::queue::{QueueConfig, ServiceLine};
use crate::speech::Speaker;
use crate::text::zh;

/// What a desk needs to know, as plain data.
#[derive(Debug, Clone)]
pub struct DeskSetup {
    /// The hall's queue services, hours and priority lane (hall content).
    pub queue: QueueConfig,
    /// Printed at the top of every ticket.
    pub hall_name: String,
    /// Where the queue database lives (never inside a content generation).
    pub queue_dir: PathBuf,
    /// Ticket QR: `{ticket}` is replaced by the ticket id (20261123-A007).
    pub status_url: String,
}

/// What the resident sees after a tap on 确认取号.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ticket: Ticket,
    pub service: String,
    pub windows: String,
    pub ahead: u32,
    pub wait_minutes: u32,
    /// What the QR code carries.
    pub qr: String,
    /// `None` when the printer acknowledged the ticket; else why it did not.
    pub fault: Option<String>,
}

impl Outcome {
    pub fn printed(&self) -> bool {
        self.fault.is_none()
    }
}

/// A service as the queue screen lists it: who serves it and how long the wait is now.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceStatus {
    pub letter: String,
    pub name: String,
    pub windows: String,
    pub waiting: u32,
    pub wait_minutes: u32,
}

/// What the kiosk says when a resident calls for staff.
pub const STAFF_CALL_SENTENCE: &str = "请工作人员到自助查询机旁协助。";

pub struct TicketDesk {
    db: QueueDb,
    printer: Box<dyn TicketPrinter>,
    speaker: Box<dyn Speaker>,
    queue: QueueConfig,
    hall_name: String,
    status_url: String,
}

impl TicketDesk {
    /// Opens the queue database (taking its issuer lock) and keeps the printer and voice.
    pub fn open(
        setup: DeskSetup,
        printer: Box<dyn TicketPrinter>,
        speaker: Box<dyn Speaker>,
    ) -> Result<TicketDesk> {
        Ok(TicketDesk {
            db: QueueDb::open(&setup.queue_dir)?,
            printer,
            speaker,
            queue: setup.queue,
            hall_name: setup.hall_name,
            status_url: setup.status_url,
        })
    }

    /// Prints a page a resident takes away (a guide's checklist, the aid check's answer). A
    /// failure is recorded in the fault log, naming the printer, and returned for the screen,
    /// which then asks the resident to photograph the page instead.
    pub fn print_takeaway(&mut self, page: &TakeAway, now: NaiveDateTime) -> Result<()> {
        let printed = self.printer.print_takeaway(page);
        let outcome = match &printed {
            Ok(()) => "printed",
            Err(PrintError::NotConfigured) => "screen_only",
            Err(_) => "print_failed",
        };
        tracing::info!(outcome, "take-away page");
        if let Err(e) = printed {
            self.db.record_fault(now, e.kind(), &format!("{}: {e}", self.printer.describe()))?;
            bail!("take-away page not printed: {e}");
        }
        Ok(())
    }

    /// A resident asks for staff from `place` (see [`QueueDb::call_staff`]); a new call is also
    /// said aloud, so staff in the hall hear it.
    pub fn call_staff(&mut self, place: &str, now: NaiveDateTime) -> Result<(StaffCall, bool)> {
        let (call, new) = Standalone(&mut self.db).call_staff(place, now)?;
        if new {
            self.speaker.say(STAFF_CALL_SENTENCE);
        }
        Ok((call, new))
    }

    /// The queue services, hours and priority lane this desk issues for.
    pub fn queue(&self) -> &QueueConfig {
        &self.queue
    }

    /// Every service with today's waiting count and wait estimate at `now`.
    pub fn services(&self, now: NaiveDateTime) -> Result<Vec<ServiceStatus>> {
        self.queue
            .services
            .iter()
            .map(|line| {
                let waiting = self.db.waiting(&line.letter, now.date())?;
                Ok(ServiceStatus {
                    letter: line.letter.clone(),
                    name: line.name.clone(),
                    windows: line.windows.clone(),
                    waiting,
                    wait_minutes: self.wait_minutes(line, waiting, now.date())?,
                })
            })
            .collect()
    }

    /// Minutes `people` will wait for `line` today: the day's pace between calls once there is
    /// one, else the service's configured minutes per ticket.
    fn wait_minutes(&self, line: &ServiceLine, people: u32, day: NaiveDate) -> Result<u32> {
        let rate =
            self.db.minutes_per_call(&line.letter, day)?.unwrap_or(line.minutes_per_ticket as f64);
        Ok((people as f64 * rate).round() as u32)
    }

    /// Issues one ticket. The number is committed before printing; the ticket counts in the
    /// queue only if the printer acknowledged it. On a print failure the number is returned for
    /// the screen (state `on_screen`) and the fault is recorded.
    pub fn take(&mut self, letter: &str, priority: bool, now: NaiveDateTime) -> Result<Outcome> {
        let Some(line) = self.queue.service(letter).cloned() else {
            bail!("no queue service {letter:?}")
        };
        if !self.queue.is_open(now) {
            bail!("tickets are issued {} only", self.queue.hours_label());
        }
        let mut ticket = self.db.reserve(letter, priority, now)?;
        let ahead = self.db.ahead_of(&ticket)?;
        let wait_minutes = self.wait_minutes(&line, ahead, now.date())?;
        let qr = self.status_url.replace("{ticket}", &ticket.ticket_id());
        let print = TicketPrint {
            hall: self.hall_name.clone(),
            service: line.name.clone(),
            windows: line.windows.clone(),
            code: ticket.code(),
            priority: priority.then(|| self.queue.priority_label.clone()),
            ahead,
            wait_minutes,
            time: now.format("%Y-%m-%d %H:%M").to_string(),
            qr: qr.clone(),
        };
        let printed = self.printer.print(&print);
        let outcome = match &printed {
            Ok(()) => "printed",
            Err(PrintError::NotConfigured) => "screen_only",
            Err(_) => "print_failed",
        };
        crate::observe::metrics().tickets.with_label_values(&[outcome]).inc();
        tracing::info!(service = letter, outcome, "ticket issued");
        let fault = match printed {
            Ok(()) => {
                self.db.settle(&mut ticket, TicketState::Issued, now)?;
                None
            }
            Err(e) => {
                self.db.settle(&mut ticket, TicketState::OnScreen, now)?;
                // The fault names the printer, never the resident.
                self.db.record_fault(
                    now,
                    e.kind(),
                    &format!("{}: {e}", self.printer.describe()),
                )?;
                Some(e.to_string())
            }
        };
        self.speaker.say(&ticket_sentence(&ticket.code(), ahead, fault.is_none()));
        Ok(Outcome {
            ticket,
            service: line.name,
            windows: line.windows,
            ahead,
            wait_minutes,
            qr,
            fault,
        })
    }
}

/// The sentence for a ticket: letters spelled, digits read one by one, as halls call them
/// ("A 零零七 号" rather than "A 七 号", matching the printed A007).
pub fn ticket_sentence(code: &str, ahead: u32, printed: bool) -> String {
    // A letter is followed by a pause: "A 零零七".
    let spoken: String =
        code.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    zh::digit_by_digit(&c.to_string())
                } else {
                    format!("{c} ")
                }
            })
            .collect();
    let ahead = if ahead == 0 {
        "前面没有人在等".to_owned()
    } else {
        format!("前面还有{}人", zh::number(ahead))
    };
    if printed {
        format!("您的号码是 {spoken}号，{ahead}。请取走号票。")
    } else {
        format!("您的号码是 {spoken}号，{ahead}。号票没有打印出来，请记下屏幕上的号码。")
    }
}

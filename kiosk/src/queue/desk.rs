//! Taking a ticket, start to finish: reserve a number on disk, print, settle, speak.

use anyhow::{bail, Result};
use chrono::{NaiveDate, NaiveDateTime};

use super::config::{QueueConfig, ServiceLine};
use super::printer::{EscPosPrinter, PrinterTarget, TicketPrinter};
use super::speech::{ticket_sentence, Speaker};
use super::ticket_print::{escpos_bytes, TicketPrint};
use super::tickets::{QueueDb, Ticket, TicketState};
use crate::app::config::Config;
use crate::content::Store;

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

pub struct TicketDesk {
    pub db: QueueDb,
    pub printer: Box<dyn TicketPrinter>,
    pub speaker: Box<dyn Speaker>,
    pub queue: QueueConfig,
    pub hall_name: String,
    /// Ticket QR: `{ticket}` is replaced by the ticket id (20261123-A007).
    pub status_url: String,
}

impl TicketDesk {
    /// The desk a kiosk (or `kiosk ticket`) runs: the store's queue services and hall name, the
    /// configured queue database and ticket URL, the given printer and voice.
    pub fn open(config: &Config, store: &Store, printer: PrinterTarget, two_way: bool, speaker: Box<dyn Speaker>) -> Result<TicketDesk> {
        Ok(TicketDesk {
            db: QueueDb::open(&config.queue_dir())?,
            printer: Box::new(EscPosPrinter::new(printer, two_way)),
            speaker,
            queue: store.hall()?.queue,
            hall_name: store.info().deployment.hall_name.clone(),
            status_url: config.ticket_status_url.clone(),
        })
    }

    /// Minutes `people` will wait for `line` today: the day's pace between calls once there is
    /// one, else the service's configured minutes per ticket.
    pub fn wait_minutes(&self, line: &ServiceLine, people: u32, day: NaiveDate) -> Result<u32> {
        let rate = self.db.minutes_per_call(&line.letter, day)?.unwrap_or(line.minutes_per_ticket as f64);
        Ok((people as f64 * rate).round() as u32)
    }

    /// Issues one ticket. The number is committed before printing; the ticket counts in the
    /// queue only if the printer acknowledged it. On a print failure the number is returned for
    /// the screen (state `on_screen`) and the fault is recorded.
    pub fn take(&mut self, letter: &str, priority: bool, now: NaiveDateTime) -> Result<Outcome> {
        let Some(line) = self.queue.service(letter).cloned() else { bail!("no queue service {letter:?}") };
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
        let job = escpos_bytes(&print)?;
        let fault = match self.printer.print(&job) {
            Ok(()) => {
                self.db.settle(&mut ticket, TicketState::Issued, now)?;
                None
            }
            Err(e) => {
                self.db.settle(&mut ticket, TicketState::OnScreen, now)?;
                // The fault names the printer, never the resident.
                self.db.record_fault(now, e.kind(), &format!("{}: {e}", self.printer.describe()))?;
                Some(e.to_string())
            }
        };
        self.speaker.say(&ticket_sentence(&ticket.code(), ahead, fault.is_none()));
        Ok(Outcome { ticket, service: line.name, windows: line.windows, ahead, wait_minutes, qr, fault })
    }
}

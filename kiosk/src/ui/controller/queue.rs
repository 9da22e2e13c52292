//! Queue tickets: choose a service, confirm, print on a worker thread, show the ticket.
//!
//! Printing waits on a device: a printer that accepts bytes but never answers costs the link's
//! timeout (2.5 s). So the ticket desk (queue database + printer + voice) moves to a worker
//! thread for one ticket and comes back with the outcome; the screen stays live and says
//! 正在打印. A timer polls for the outcome, which works the same under the kiosk's event loop,
//! the headless renderer and the testing backend.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::*;
use crate::queue::desk::Outcome;

/// How often the screen looks for the printing outcome.
const PRINT_POLL: Duration = Duration::from_millis(30);

/// One ticket being issued on the worker thread.
pub(super) struct PrintJob {
    outcome: Receiver<(TicketDesk, Result<Outcome>)>,
    /// The session that asked; an outcome arriving after an idle reset is not shown to the
    /// next person at the kiosk.
    session: u64,
    now: chrono::NaiveDateTime,
}

impl Controller {
    /// Pins the queue's clock (screenshots, tests).
    pub fn set_now(&self, at: chrono::NaiveDateTime) {
        self.now_override.set(Some(at));
        // The home clock shows the pinned time too, so screenshots do not change by the minute.
        self.tick_clock();
    }

    pub(super) fn now(&self) -> chrono::NaiveDateTime {
        self.now_override.get().unwrap_or_else(|| chrono::Local::now().naive_local())
    }

    /// Opens the ticket desk on first use (queue database + printer + voice).
    pub(super) fn ensure_desk(&self) -> Result<()> {
        {
            let s = self.state.borrow();
            // While a ticket prints, the desk is on the worker thread: it comes back.
            if s.desk.is_some() || s.printing.is_some() {
                return Ok(());
            }
        }
        let target: PrinterTarget = match &self.config.printer {
            Some(p) => p.parse()?,
            // No printer configured: every ticket falls back to the screen, and says why.
            None => PrinterTarget::Tcp("unconfigured.invalid:9100".into()),
        };
        let speaker: Box<dyn Speaker> = match &self.speech_log {
            Some(log) => Box::new(log.clone()),
            None => Box::new(EspeakSpeaker::default()),
        };
        let desk = TicketDesk::open(&self.config, &self.state.borrow().store, target, self.config.printer_status, speaker)?;
        self.state.borrow_mut().desk = Some(desk);
        Ok(())
    }

    pub fn open_queue(&self, letter: Option<&str>) {
        if let Err(e) = self.ensure_desk() {
            eprintln!("queue unavailable: {e:#}");
        }
        if self.state.borrow().printing.is_some() {
            self.go(Page::Queue);
            return;
        }
        let now = self.now();
        let items = {
            let s = self.state.borrow();
            let Some(desk) = s.desk.as_ref() else { return };
            let q = self.window.global::<Queue>();
            q.set_open(desk.queue.is_open(now));
            q.set_hours(desk.queue.hours_label().into());
            q.set_priority_label(desk.queue.priority_label.as_str().into());
            desk.queue
                .services
                .iter()
                .map(|line| {
                    let waiting = desk.db.waiting(&line.letter, now.date()).unwrap_or(0);
                    ServiceItem {
                        letter: line.letter.as_str().into(),
                        name: line.name.as_str().into(),
                        windows: line.windows.as_str().into(),
                        waiting: waiting as i32,
                        wait_minutes: desk.wait_minutes(line, waiting, now.date()).unwrap_or(0) as i32,
                    }
                })
                .collect::<Vec<_>>()
        };
        let q = self.window.global::<Queue>();
        q.set_services(ModelRc::new(VecModel::from(items)));
        q.set_priority(false);
        self.state.borrow_mut().queue_letter = None;
        q.set_selected("".into());
        if let Some(l) = letter {
            self.choose_service(l);
        }
        self.go(Page::Queue);
    }

    pub fn choose_service(&self, letter: &str) {
        let name = self.state.borrow().desk.as_ref().and_then(|d| d.queue.service(letter).map(|s| s.name.clone()));
        let Some(name) = name else { return };
        self.state.borrow_mut().queue_letter = Some(letter.to_owned());
        let q = self.window.global::<Queue>();
        q.set_selected(letter.into());
        q.set_selected_name(name.into());
    }

    /// 确认取号: hands the desk to a worker thread that reserves the number, prints and
    /// settles it; [`Controller::poll_ticket`] shows the outcome. A second tap while printing
    /// does nothing.
    pub fn confirm_ticket(&self) {
        let now = self.now();
        let priority = self.window.global::<Queue>().get_priority();
        let (letter, mut desk, session) = {
            let mut s = self.state.borrow_mut();
            if s.printing.is_some() {
                return;
            }
            let Some(letter) = s.queue_letter.clone() else { return };
            let Some(desk) = s.desk.take() else { return };
            (letter, desk, s.session)
        };
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("ticket".into()).spawn(move || {
            let outcome = desk.take(&letter, priority, now);
            // The screen may be gone (kiosk shutting down): the ticket is settled on disk anyway.
            let _ = tx.send((desk, outcome));
        });
        if let Err(e) = spawned {
            // The desk went down with the closure; the next tap opens it again.
            eprintln!("ticket not issued: cannot start the printing thread: {e}");
            return;
        }
        self.state.borrow_mut().printing = Some(PrintJob { outcome: rx, session, now });
        self.window.global::<Queue>().set_printing(true);
        let me = self.me.clone();
        self.print_poll.start(TimerMode::Repeated, PRINT_POLL, move || {
            if let Some(c) = me.upgrade() {
                c.poll_ticket(None);
            }
        });
    }

    /// Takes the printing outcome if it is there (waiting up to `wait` for it) and shows it.
    /// Returns true when no ticket is printing any more. The kiosk polls with `None` from a
    /// timer; screenshots and benchmarks wait.
    pub fn poll_ticket(&self, wait: Option<Duration>) -> bool {
        let received = {
            let s = self.state.borrow();
            let Some(job) = s.printing.as_ref() else { return true };
            match wait {
                None => job.outcome.try_recv(),
                Some(d) => job.outcome.recv_timeout(d).map_err(|e| match e {
                    mpsc::RecvTimeoutError::Timeout => TryRecvError::Empty,
                    mpsc::RecvTimeoutError::Disconnected => TryRecvError::Disconnected,
                }),
            }
        };
        let (desk, outcome) = match received {
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => {
                // The worker panicked; its desk (and the database lock) went with it. A number
                // it reserved and did not settle becomes `uncertain` when the desk reopens.
                eprintln!("ticket not issued: the printing thread failed");
                (None, None)
            }
            Ok((desk, outcome)) => (Some(desk), Some(outcome)),
        };
        let job = {
            let mut s = self.state.borrow_mut();
            s.desk = desk;
            s.printing.take()
        };
        self.print_poll.stop();
        self.window.global::<Queue>().set_printing(false);
        let Some(job) = job else { return true };
        if job.session != self.state.borrow().session {
            return true;
        }
        match outcome {
            Some(Ok(out)) => {
                let q = self.window.global::<Queue>();
                q.set_code(out.ticket.code().into());
                q.set_service_name(out.service.as_str().into());
                q.set_windows(out.windows.as_str().into());
                q.set_ahead(out.ahead as i32);
                q.set_wait_minutes(out.wait_minutes as i32);
                q.set_printed(out.printed());
                q.set_time(job.now.format("%H:%M").to_string().into());
                q.set_qr(hall_view::qr_image(&out.qr));
                self.go(Page::Ticket);
            }
            Some(Err(e)) => eprintln!("ticket not issued: {e:#}"),
            None => {}
        }
        true
    }
}

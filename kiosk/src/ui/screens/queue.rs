//! Queue tickets: choose a service, confirm, print on a worker thread, show the ticket; and a
//! resident's 呼叫工作人员, recorded through the same queue database.
//!
//! Printing waits on a device: a printer that accepts bytes but never answers costs the link's
//! timeout (2.5 s). So the ticket desk (queue database + printer + voice) moves to a worker
//! thread for one ticket and comes back with the outcome; the screen stays live and says
//! 正在打印. A timer polls for the outcome, which works the same under the kiosk's event loop,
//! the headless renderer and the testing backend.
//!
//! The desk is built from the content generation's queue services: when the content changes,
//! the desk is rebuilt on the next tap that needs it (open, choose, confirm), so a re-lettered
//! service works at once.

use std::cell::{Cell, RefCell};
use std::rc::Weak;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

use anyhow::Result;
use chrono::NaiveDateTime;
use slint::{ComponentHandle, Timer, TimerMode};

use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::hall::queue::ServiceLine;
use crate::phrase;
use crate::queue::desk::{Outcome, ServiceStatus, TicketDesk};
use crate::queue::takeaway::TakeAway;
use crate::queue::tickets::QueueDb;
use crate::ui::hall_view;
use crate::ui::{AppWindow, Page, Queue, ServiceItem, Takeaway};

/// The screen a resident calls staff from, as the staff read it (no personal data: a page).
fn place_name(page: Page) -> &'static str {
    match page {
        Page::Home => "首页",
        Page::Categories | Page::Laws => "法律法规",
        Page::Reader => "法律阅读",
        Page::Search => "法律检索",
        Page::Guides | Page::Guide => "办事指南",
        Page::Topics | Page::Topic => "我遇到了",
        Page::Map | Page::Points => "服务网点",
        Page::Queue | Page::Ticket => "取号排队",
        Page::Aid => "法律援助自测",
        Page::Technician => "维护页面",
    }
}

/// How often the screen looks for the printing outcome.
const PRINT_POLL: Duration = Duration::from_millis(30);
/// Seconds the ticket page stays untouched before it returns home by itself: long enough to
/// take the paper, or, when the printer failed, to photograph the number; a touch starts the
/// count again. Cut to end before the idle prompt (see `count_down_to_home`), so the two never
/// race.
const SHOW_PRINTED_TICKET_SECS: i32 = 20;
const SHOW_UNPRINTED_TICKET_SECS: i32 = 45;

/// One ticket being issued on the worker thread.
struct PrintJob {
    outcome: Receiver<(TicketDesk, Printed)>,
    /// The session that asked; an outcome arriving after an idle reset is not shown to the
    /// next person at the kiosk.
    session: u64,
    /// The content the desk was built from; a desk coming back after a content switch is
    /// dropped, so the next ticket uses the new services.
    content: u64,
    now: NaiveDateTime,
    /// A queue ticket, not a take-away page: the queue page says which is printing.
    ticket: bool,
}

/// Tells the screens what the printer is busy with (`None`: nothing), as `session` sees it: a
/// ticket still printing for the resident before an idle reset is the printer being busy (正在
/// 打印…), not this resident's ticket (正在打印号票).
fn show_printing(window: &AppWindow, job: Option<&PrintJob>, session: u64) {
    let q = window.global::<Queue>();
    q.set_printing(job.is_some());
    q.set_printing_ticket(job.is_some_and(|j| j.ticket && j.session == session));
}

/// The arrow the ticket page draws towards the printer's slot, from the words that say where it
/// is (屏幕下方 → ↓, 右侧 → →); none when they name no direction.
fn slot_arrow(slot: &str) -> &'static str {
    let arrows = [('下', "↓"), ('上', "↑"), ('左', "←"), ('右', "→")];
    arrows.iter().find(|(word, _)| slot.contains(*word)).map_or("", |(_, arrow)| arrow)
}

/// What the printing thread did with the desk.
enum Printed {
    /// A queue ticket, issued (printed or not) or not issued.
    Ticket(Result<Outcome>),
    /// A page to take away (a guide's checklist, the aid check's answer).
    TakeAway(Result<()>),
}

/// The resident's choice on this screen.
#[derive(Debug, Default, PartialEq)]
struct Choice {
    letter: Option<String>,
    priority: bool,
    /// The ticket shown (its code), if one was issued to this resident.
    ticket: Option<String>,
}

pub(crate) struct QueueScreen {
    choice: RefCell<Choice>,
    /// Opened with the queue page, with the content generation it was built from; holds the
    /// queue database's issuer lock.
    desk: RefCell<Option<(u64, TicketDesk)>>,
    /// A ticket on the worker thread (the desk is with it).
    printing: RefCell<Option<PrintJob>>,
    /// Looks for the printing outcome while a ticket prints.
    poll: Timer,
    /// Counts the ticket page down to its return home, from `leave_from` seconds.
    leave: Timer,
    leave_from: Cell<i32>,
    services: ListModel<ServiceItem>,
}

impl QueueScreen {
    /// Opens the ticket desk on first use and after a content switch.
    fn ensure_desk(&self, k: &dyn Kiosk) -> Result<()> {
        // While a ticket prints, the desk is on the worker thread: it comes back.
        if self.printing.borrow().is_some() {
            return Ok(());
        }
        let serial = k.content_serial();
        if self.desk.borrow().as_ref().is_some_and(|(built, _)| *built == serial) {
            return Ok(());
        }
        // Release the old desk's lock before the new one takes it.
        *self.desk.borrow_mut() = None;
        let desk = crate::app::open_desk(k.config(), &k.store(), k.speaker())?;
        *self.desk.borrow_mut() = Some((serial, desk));
        Ok(())
    }

    pub(crate) fn open_queue(&self, k: &dyn Kiosk, letter: Option<&str>) {
        if let Err(e) = self.ensure_desk(k) {
            crate::observe::fault("queue", &e.context("queue unavailable"));
        }
        if self.printing.borrow().is_some() {
            k.go(Page::Queue);
            return;
        }
        let now = k.now();
        {
            let desk = self.desk.borrow();
            let Some((_, desk)) = desk.as_ref() else { return };
            let q = k.window().global::<Queue>();
            q.set_open(desk.queue().is_open(now));
            q.set_hours(desk.queue().hours_label().into());
            q.set_priority_label(desk.queue().priority_label.as_str().into());
            // The counts are a courtesy; a database hiccup must not hide the services.
            let services = desk.services(now).unwrap_or_else(|e| {
                crate::observe::fault("queue", &e.context("waiting counts unavailable"));
                desk.queue()
                    .services
                    .iter()
                    .map(|l| ServiceStatus {
                        letter: l.letter.clone(),
                        name: l.name.clone(),
                        windows: l.windows.clone(),
                        waiting: 0,
                        wait_minutes: 0,
                    })
                    .collect()
            });
            self.services.set(
                services
                    .into_iter()
                    .map(|s| ServiceItem {
                        letter: s.letter.into(),
                        name: s.name.into(),
                        windows: s.windows.into(),
                        waiting: s.waiting as i32,
                        wait_minutes: s.wait_minutes as i32,
                    })
                    .collect(),
            );
        }
        {
            let mut c = self.choice.borrow_mut();
            c.letter = None;
            c.priority = false;
        }
        let q = k.window().global::<Queue>();
        q.set_priority(false);
        q.set_selected("".into());
        if let Some(l) = letter {
            self.choose_service(k, l);
        }
        k.go(Page::Queue);
    }

    pub(crate) fn choose_service(&self, k: &dyn Kiosk, letter: &str) {
        if let Err(e) = self.ensure_desk(k) {
            crate::observe::fault("queue", &e.context("queue unavailable"));
        }
        let name = self
            .desk
            .borrow()
            .as_ref()
            .and_then(|(_, d)| d.queue().service(letter).map(|s| s.name.clone()));
        let Some(name) = name else { return };
        self.choice.borrow_mut().letter = Some(letter.to_owned());
        let q = k.window().global::<Queue>();
        q.set_selected(letter.into());
        q.set_selected_name(name.into());
    }

    fn toggle_priority(&self, k: &dyn Kiosk) {
        let on = {
            let mut c = self.choice.borrow_mut();
            c.priority = !c.priority;
            c.priority
        };
        k.window().global::<Queue>().set_priority(on);
    }

    /// 确认取号: hands the desk to a worker thread that reserves the number, prints and
    /// settles it; [`QueueScreen::poll_ticket`] shows the outcome. A second tap while printing
    /// does nothing.
    pub(crate) fn confirm_ticket(&self, k: &dyn Kiosk) {
        if self.printing.borrow().is_some() {
            return;
        }
        let (Some(letter), priority) = ({
            let c = self.choice.borrow();
            (c.letter.clone(), c.priority)
        }) else {
            return;
        };
        // A content switch since the page opened: the desk follows it before this ticket.
        if let Err(e) = self.ensure_desk(k) {
            crate::observe::fault("queue", &e.context("ticket not issued: queue unavailable"));
            return;
        }
        let Some((content, desk)) = self.desk.borrow_mut().take() else { return };
        if desk.queue().service(&letter).is_none() {
            // Re-lettered under the resident's finger: ask again rather than guess.
            *self.desk.borrow_mut() = Some((content, desk));
            self.open_queue(k, None);
            return;
        }
        let now = k.now();
        self.run_on_printer(k, content, desk, true, move |desk| {
            Printed::Ticket(desk.take(&letter, priority, now))
        });
    }

    /// Prints a page the resident takes away, on the printing thread like a ticket; the page
    /// that asked shows Queue.takeaway-note when it is done. A tap while something prints is
    /// ignored (the button says 正在打印).
    fn print_takeaway(&self, k: &dyn Kiosk, page: TakeAway) {
        if self.printing.borrow().is_some() {
            return;
        }
        if let Err(e) = self.ensure_desk(k) {
            crate::observe::fault("queue", &e.context("take-away page: printer unavailable"));
            k.window().global::<Queue>().set_takeaway(Takeaway::Failed);
            return;
        }
        let Some((content, desk)) = self.desk.borrow_mut().take() else { return };
        let now = k.now();
        k.window().global::<Queue>().set_takeaway(Takeaway::None);
        self.run_on_printer(k, content, desk, false, move |desk| {
            Printed::TakeAway(desk.print_takeaway(&page, now))
        });
    }

    /// Prints a page for the resident to take away, headed with this hall's name; `service`,
    /// when given, ends it with the windows to go to.
    pub(crate) fn print_page(
        &self,
        k: &dyn Kiosk,
        title: String,
        mut lines: Vec<String>,
        service: Option<&ServiceLine>,
    ) {
        let language = k.language();
        if let Some(s) = service {
            let windows = phrase!("办理窗口：{}（取号选 {} {}）", &s.windows, &s.letter, &s.name);
            lines.push(windows.text(language));
        }
        let hall = k.store().info().deployment.hall_name.clone();
        self.print_takeaway(k, TakeAway { hall, title, lines, language });
    }

    /// A touch anywhere: the ticket page's count to its return home starts again.
    pub(crate) fn touched(&self, k: &dyn Kiosk) {
        if self.leave.running() {
            k.window().global::<Queue>().set_return_secs(self.leave_from.get());
        }
    }

    /// Forgets what the last take-away print said (a new guide or answer is on screen).
    pub(crate) fn clear_takeaway_note(&self, k: &dyn Kiosk) {
        k.window().global::<Queue>().set_takeaway(Takeaway::None);
    }

    /// Moves the desk to a thread that runs `work` on it (the printer may take seconds to
    /// answer), marks the screen 正在打印 and polls for the result.
    fn run_on_printer(
        &self,
        k: &dyn Kiosk,
        content: u64,
        mut desk: TicketDesk,
        ticket: bool,
        work: impl FnOnce(&mut TicketDesk) -> Printed + Send + 'static,
    ) {
        let now = k.now();
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("printer".into()).spawn(move || {
            let printed = work(&mut desk);
            // The screen may be gone (kiosk shutting down): a ticket is settled on disk anyway.
            let _ = tx.send((desk, printed));
        });
        if let Err(e) = spawned {
            // The desk went down with the closure; the next tap opens it again.
            crate::observe::fault(
                "queue",
                &format!("nothing printed: cannot start the printing thread: {e}"),
            );
            return;
        }
        *self.printing.borrow_mut() =
            Some(PrintJob { outcome: rx, session: k.session(), content, now, ticket });
        show_printing(k.window(), self.printing.borrow().as_ref(), k.session());
        let me = k.me();
        self.poll.start(TimerMode::Repeated, PRINT_POLL, move || {
            if let Some(c) = me.upgrade() {
                c.screens().queue.poll_ticket(&*c, None);
            }
        });
    }

    /// Takes the printing outcome if it is there (waiting up to `wait` for it) and shows it.
    /// Returns true when no ticket is printing any more. The kiosk polls with `None` from a
    /// timer; screenshots and benchmarks wait.
    pub(crate) fn poll_ticket(&self, k: &dyn Kiosk, wait: Option<Duration>) -> bool {
        let received = {
            let job = self.printing.borrow();
            let Some(job) = job.as_ref() else { return true };
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
                crate::observe::fault("queue", &"nothing printed: the printing thread failed");
                (None, None)
            }
            Ok((desk, outcome)) => (Some(desk), Some(outcome)),
        };
        let Some(job) = self.printing.borrow_mut().take() else { return true };
        // A desk built from content that has since been replaced is not kept.
        *self.desk.borrow_mut() =
            desk.filter(|_| job.content == k.content_serial()).map(|d| (job.content, d));
        self.poll.stop();
        show_printing(k.window(), None, k.session());
        if job.session != k.session() {
            return true;
        }
        match outcome {
            Some(Printed::TakeAway(printed)) => {
                let note = match printed {
                    Ok(()) => Takeaway::Printed,
                    Err(e) => {
                        crate::observe::fault("queue", &e);
                        Takeaway::Failed
                    }
                };
                // Said on the pages that print; a resident who moved on meanwhile is not told
                // on another page. One who went to the queue finds it filled now.
                match k.current_page() {
                    Page::Guide | Page::Aid | Page::Reader | Page::Topic => {
                        k.window().global::<Queue>().set_takeaway(note)
                    }
                    Page::Queue => self.open_queue(k, None),
                    _ => {}
                }
            }
            Some(Printed::Ticket(Ok(out))) => {
                let q = k.window().global::<Queue>();
                q.set_code(out.ticket.code().into());
                q.set_service_name(out.service.as_str().into());
                q.set_windows(out.windows.as_str().into());
                q.set_ahead(out.ahead as i32);
                q.set_wait_minutes(out.wait_minutes as i32);
                q.set_printed(out.printed());
                q.set_time(job.now.format("%H:%M").to_string().into());
                q.set_qr(hall_view::qr_image(&out.qr));
                self.choice.borrow_mut().ticket = Some(out.ticket.code());
                k.go(Page::Ticket);
                let secs = if out.printed() {
                    SHOW_PRINTED_TICKET_SECS
                } else {
                    SHOW_UNPRINTED_TICKET_SECS
                };
                self.count_down_to_home(k, secs);
            }
            Some(Printed::Ticket(Err(e))) => {
                crate::observe::fault("queue", &e.context("ticket not issued"))
            }
            None => {}
        }
        true
    }
}

impl QueueScreen {
    /// 呼叫工作人员: records the call through the calling-system interface with the screen the
    /// resident is on, says it aloud in the hall, counts it in `kiosk_staff_calls_total` (the
    /// fleet's KioskStaffCalled alert pages the hall), and tells the resident what happens next
    /// until the session ends. Taps within minutes of an unanswered call join it. Staff see
    /// open calls with `kiosk queue status`.
    pub(crate) fn call_staff(&self, k: &dyn Kiosk) {
        let place = place_name(k.current_page());
        let now = k.now();
        let recorded = self.ensure_desk(k).and_then(|()| {
            let mut desk = self.desk.borrow_mut();
            match desk.as_mut() {
                Some((_, desk)) => desk.call_staff(place, now),
                // The desk is with a ticket on the printing thread: a calling-side handle of the
                // same database records the call without waiting for the printer.
                None => QueueDb::open_for_calling(&k.config().queue_dir())?.call_staff(place, now),
            }
        });
        let q = k.window().global::<Queue>();
        match recorded {
            Ok((call, new)) => {
                if new {
                    crate::observe::metrics().staff_calls.inc();
                }
                tracing::info!(call = call.id, new, place, "staff called to the kiosk");
                q.set_staff_called(true);
                q.set_staff_call_failed(false);
            }
            Err(e) => {
                crate::observe::fault("queue", &e.context("calling staff"));
                q.set_staff_called(false);
                q.set_staff_call_failed(true);
            }
        }
    }

    /// Shows the seconds left on the ticket page and, at zero, ends the session: the next
    /// resident finds the home page, not this ticket. Leaving the page first stops the count.
    fn count_down_to_home(&self, k: &dyn Kiosk, secs: i32) {
        // Always before the idle prompt, whatever idle time the hall set (10 s at the least).
        let secs = secs.min(k.config().idle_timeout_secs as i32 - 5).max(5);
        self.leave_from.set(secs);
        k.window().global::<Queue>().set_return_secs(secs);
        let (kiosk, session) = (k.me(), k.session());
        self.leave.start(TimerMode::Repeated, Duration::from_secs(1), move || {
            let Some(k) = kiosk.upgrade() else { return };
            let q = k.window().global::<Queue>();
            if k.session() != session || k.current_page() != Page::Ticket {
                k.screens().queue.leave.stop();
                q.set_return_secs(0);
                return;
            }
            let left = q.get_return_secs() - 1;
            q.set_return_secs(left.max(0));
            if left <= 0 {
                k.screens().queue.leave.stop();
                k.end_session();
            }
        });
    }

    /// Every property of the global at its fresh value (`new` and `reset` both end here).
    fn clear(&self, window: &AppWindow, session: u64) {
        self.services.set(Vec::new());
        let q = window.global::<Queue>();
        q.set_open(false);
        q.set_hours("".into());
        q.set_priority_label("".into());
        show_printing(window, self.printing.borrow().as_ref(), session);
        q.set_selected("".into());
        q.set_selected_name("".into());
        q.set_priority(false);
        q.set_code("".into());
        q.set_service_name("".into());
        q.set_windows("".into());
        q.set_ahead(0);
        q.set_wait_minutes(0);
        q.set_printed(false);
        q.set_time("".into());
        q.set_qr(Default::default());
        q.set_return_secs(0);
        self.leave.stop();
        q.set_staff_called(false);
        q.set_staff_call_failed(false);
        q.set_takeaway(Takeaway::None);
    }
}

impl ScreenType for QueueScreen {
    const DEMOS: &'static [&'static str] = &["queue", "ticket", "staff-call"];

    fn new(window: &AppWindow, config: &Config) -> Self {
        let s = QueueScreen {
            choice: RefCell::default(),
            desk: RefCell::new(None),
            printing: RefCell::new(None),
            poll: Timer::default(),
            leave: Timer::default(),
            leave_from: Cell::new(0),
            services: ListModel::new(),
        };
        window.global::<Queue>().set_services(s.services.handle());
        window.global::<Queue>().set_slot(config.ticket_slot.as_str().into());
        // Without a printer there is nothing to take away on paper: no print buttons.
        window.global::<Queue>().set_has_printer(config.printer.is_some());
        window.global::<Queue>().set_slot_arrow(slot_arrow(&config.ticket_slot).into());
        s.clear(window, 0);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let q = window.global::<Queue>();
        on!(k, q, on_open_queue, |c| c.screens().queue.open_queue(&*c, None));
        on!(k, q, on_call_staff, |c| c.screens().queue.call_staff(&*c));
        on!(k, q, on_choose, |c, l| c.screens().queue.choose_service(&*c, &l));
        on!(k, q, on_toggle_priority, |c| c.screens().queue.toggle_priority(&*c));
        on!(k, q, on_confirm, |c| c.screens().queue.confirm_ticket(&*c));
    }
}

impl Screen for QueueScreen {
    fn reset(&self, k: &dyn Kiosk) {
        // The desk and a ticket still printing are the kiosk's, not the resident's: they stay
        // (an outcome arriving for the old session is not shown).
        *self.choice.borrow_mut() = Choice::default();
        self.clear(k.window(), k.session());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let q = k.window().global::<Queue>();
        format!(
            "{:?}; selected {:?} {:?} priority {}; ticket {:?} {:?} {:?} {} {} {} {:?} qr {} return {}; \
             staff {} {:?}; take-away {:?}",
            self.choice.borrow(),
            q.get_selected(),
            q.get_selected_name(),
            q.get_priority(),
            q.get_code(),
            q.get_service_name(),
            q.get_windows(),
            q.get_ahead(),
            q.get_wait_minutes(),
            q.get_printed(),
            q.get_time(),
            q.get_qr().size().width,
            q.get_return_secs(),
            q.get_staff_called(),
            q.get_staff_call_failed(),
            q.get_takeaway()
        )
    }

    fn holds_session(&self) -> bool {
        self.printing.borrow().is_some()
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, _: &DemoArgs) -> Result<()> {
        if name == "staff-call" {
            // 呼叫工作人员 from the aid check's first question: the note until the session ends.
            k.screens().aid_check.open_aid_check(k);
            self.call_staff(k);
            return Ok(());
        }
        if name == "ticket" {
            self.open_queue(k, Some("A"));
            self.confirm_ticket(k);
            // Printing runs on a worker thread; the picture is of its outcome.
            anyhow::ensure!(
                self.poll_ticket(k, Some(Duration::from_secs(10))),
                "the ticket did not finish printing"
            );
        } else {
            self.open_queue(k, None);
            self.choose_service(k, "A");
        }
        Ok(())
    }
}

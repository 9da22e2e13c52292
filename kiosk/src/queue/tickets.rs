//! The day's tickets in SQLite (WAL, synchronous=FULL): numbering, states, calls, faults.
//!
//! Life of a ticket: `pending` (number reserved and on disk before printing) → `issued` (the
//! printer acknowledged it) or `on_screen` (printing failed; the number was shown on screen and
//! the fault recorded). A `pending` ticket found at start-up belonged to a process that died
//! mid-print: the printer may or may not have printed it, so it becomes `uncertain` and stays
//! in the queue (calling a number nobody holds costs seconds; dropping a held one costs a
//! resident their place). Numbers are never reused within a day, so none is issued twice.

use std::fs::File;
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tickets(
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    letter TEXT NOT NULL,
    number INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    state TEXT NOT NULL CHECK(state IN ('pending', 'issued', 'on_screen', 'uncertain')),
    reserved_at TEXT NOT NULL,
    settled_at TEXT,
    called_at TEXT,
    -- Calling order (several calls can share a clock second).
    call_seq INTEGER,
    UNIQUE(day, letter, number)
);
CREATE TABLE IF NOT EXISTS faults(
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_calls(
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    -- The screen the resident called from (a page name, never anything they typed).
    place TEXT NOT NULL,
    answered_at TEXT
);
";

/// A resident's 呼叫工作人员 that is still unanswered after this long is called again by a new
/// tap; before it, a second tap joins the first (an impatient finger makes one call, not five).
const STAFF_CALL_REPEAT_MINUTES: i64 = 10;

/// A resident asked for staff at the kiosk (呼叫工作人员).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCall {
    pub id: i64,
    pub at: NaiveDateTime,
    /// The screen the resident called from.
    pub place: String,
    pub answered: bool,
}

/// The states that hold a place in the queue.
const COUNTED: &str = "('issued', 'uncertain')";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    Pending,
    Issued,
    OnScreen,
    Uncertain,
}

impl TicketState {
    fn as_sql(self) -> &'static str {
        match self {
            TicketState::Pending => "pending",
            TicketState::Issued => "issued",
            TicketState::OnScreen => "on_screen",
            TicketState::Uncertain => "uncertain",
        }
    }

    fn from_sql(s: &str) -> rusqlite::Result<TicketState> {
        Ok(match s {
            "pending" => TicketState::Pending,
            "issued" => TicketState::Issued,
            "on_screen" => TicketState::OnScreen,
            "uncertain" => TicketState::Uncertain,
            other => {
                return Err(rusqlite::Error::InvalidColumnType(
                    0,
                    other.to_owned(),
                    rusqlite::types::Type::Text,
                ))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub day: NaiveDate,
    pub letter: String,
    pub number: u32,
    pub priority: bool,
    pub state: TicketState,
    pub reserved_at: NaiveDateTime,
    pub called: bool,
}

impl Ticket {
    /// What the resident reads and hears: A007.
    pub fn code(&self) -> String {
        format!("{}{:03}", self.letter, self.number)
    }

    /// Unique across days: 20261123-A007 (what the QR code carries).
    pub fn ticket_id(&self) -> String {
        format!("{}-{}", self.day.format("%Y%m%d"), self.code())
    }
}

/// The queue database: opened by the one process that issues tickets ([`QueueDb::open`]), and
/// beside it by staff tools that list and call them ([`QueueDb::open_for_calling`]).
pub struct QueueDb {
    conn: Connection,
    /// The issuer lock; `None` for a calling-side handle.
    _lock: Option<File>,
}

const TIME_FMT: &str = "%Y-%m-%dT%H:%M:%S%.3f";

impl QueueDb {
    /// Opens (creating) `DIR/queue.db`, takes the issuer lock and settles tickets a dead process
    /// left pending.
    pub fn open(dir: &Path) -> Result<QueueDb> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let lock = File::create(dir.join("queue.lock"))?;
        // A lock can be held for a moment by no one in particular: a process forked elsewhere in
        // this program holds a copy of the descriptor until its exec, and a restarted kiosk's
        // predecessor may still be exiting. Wait briefly before calling it a second issuer.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while lock.try_lock().is_err() {
            if std::time::Instant::now() >= deadline {
                bail!(
                    "{}: another process is issuing tickets (stop the kiosk first)",
                    dir.display()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let conn = Connection::open(dir.join("queue.db"))
            .with_context(|| format!("opening {}/queue.db", dir.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if mode != "wal" {
            bail!("queue.db: WAL journal unavailable ({mode})");
        }
        // FULL: a commit is on the platter before we print, so power loss cannot undo a number.
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute("UPDATE tickets SET state = 'uncertain' WHERE state = 'pending'", [])?;
        Ok(QueueDb { conn, _lock: Some(lock) })
    }

    /// Opens the database a kiosk issues into, without the issuer lock, while the kiosk runs:
    /// for listing tickets, faults and calling the next number (`kiosk queue …`). WAL lets it read
    /// beside the issuer; its writes (a call) wait for the issuer's commit. Never creates the
    /// database; adds the tables a newer firmware has (staff calls) to one an older kiosk made.
    pub fn open_for_calling(dir: &Path) -> Result<QueueDb> {
        let path = dir.join("queue.db");
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .with_context(|| {
                format!(
                    "no queue database at {} (has this kiosk issued a ticket yet?)",
                    path.display()
                )
            })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
        // A database an older kiosk made has no staff calls yet; its tables are all IF NOT EXISTS.
        conn.execute_batch(SCHEMA)?;
        Ok(QueueDb { conn, _lock: None })
    }

    /// Reserves the next number of `letter` for the local day of `now`, durably.
    pub fn reserve(&mut self, letter: &str, priority: bool, now: NaiveDateTime) -> Result<Ticket> {
        let day = now.date();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let number: u32 = tx.query_row(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM tickets WHERE day = ?1 AND letter = ?2",
            params![day.to_string(), letter],
            |r| r.get(0),
        )?;
        // Three digits on paper up to 999, four beyond (a busy city hall's day can pass 999).
        if number > 9999 {
            bail!("service {letter}: 9999 tickets today, numbering is full");
        }
        tx.execute(
            "INSERT INTO tickets(day, letter, number, priority, state, reserved_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
            params![day.to_string(), letter, number, priority, now.format(TIME_FMT).to_string()],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Ticket {
            id,
            day,
            letter: letter.to_owned(),
            number,
            priority,
            state: TicketState::Pending,
            reserved_at: now,
            called: false,
        })
    }

    /// Settles a pending ticket: issued (printed) or on screen (printing failed).
    pub fn settle(
        &mut self,
        ticket: &mut Ticket,
        state: TicketState,
        now: NaiveDateTime,
    ) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE tickets SET state = ?1, settled_at = ?2 WHERE id = ?3 AND state = 'pending'",
            params![state.as_sql(), now.format(TIME_FMT).to_string(), ticket.id],
        )?;
        if n != 1 {
            bail!("ticket {} is not pending", ticket.code());
        }
        ticket.state = state;
        Ok(())
    }

    pub fn record_fault(&mut self, now: NaiveDateTime, kind: &str, detail: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO faults(at, kind, detail) VALUES (?1, ?2, ?3)",
            params![now.format(TIME_FMT).to_string(), kind, detail],
        )?;
        Ok(())
    }

    /// The recorded printer faults, newest first: (time, kind, detail).
    pub fn faults(&self, limit: usize) -> Result<Vec<(String, String, String)>> {
        let mut st =
            self.conn.prepare("SELECT at, kind, detail FROM faults ORDER BY id DESC LIMIT ?1")?;
        let rows = st.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records that a resident asked for staff from `place`, and returns the call and whether
    /// it is new. An unanswered call younger than [`STAFF_CALL_REPEAT_MINUTES`] is returned
    /// instead of a new one (false).
    pub fn call_staff(&mut self, place: &str, now: NaiveDateTime) -> Result<(StaffCall, bool)> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let since = now - chrono::Duration::minutes(STAFF_CALL_REPEAT_MINUTES);
        let open = tx
            .query_row(
                "SELECT id, at, place, answered_at IS NOT NULL FROM staff_calls \
                 WHERE answered_at IS NULL AND at >= ?1 ORDER BY id DESC LIMIT 1",
                [since.format(TIME_FMT).to_string()],
                staff_call_from_row,
            )
            .optional()?;
        let call = match open {
            Some(call) => (call, false),
            None => {
                tx.execute(
                    "INSERT INTO staff_calls(at, place) VALUES (?1, ?2)",
                    params![now.format(TIME_FMT).to_string(), place],
                )?;
                let call = StaffCall {
                    id: tx.last_insert_rowid(),
                    at: now,
                    place: place.to_owned(),
                    answered: false,
                };
                (call, true)
            }
        };
        tx.commit()?;
        Ok(call)
    }

    /// Calls for staff nobody has answered yet, oldest first.
    pub fn open_staff_calls(&self) -> Result<Vec<StaffCall>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, place, answered_at IS NOT NULL FROM staff_calls \
             WHERE answered_at IS NULL ORDER BY id",
        )?;
        let rows = st.query_map([], staff_call_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks a call answered (the oldest open one when `id` is None) and returns it; None when
    /// there was none to answer.
    pub fn answer_staff_call(
        &mut self,
        id: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<Option<StaffCall>> {
        let Some(call) = (match id {
            Some(id) => self.open_staff_calls()?.into_iter().find(|c| c.id == id),
            None => self.open_staff_calls()?.into_iter().next(),
        }) else {
            return Ok(None);
        };
        self.conn.execute(
            "UPDATE staff_calls SET answered_at = ?1 WHERE id = ?2",
            params![now.format(TIME_FMT).to_string(), call.id],
        )?;
        Ok(Some(StaffCall { answered: true, ..call }))
    }

    /// Tickets holding a place and not yet called.
    pub fn waiting(&self, letter: &str, day: NaiveDate) -> Result<u32> {
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM tickets WHERE day = ?1 AND letter = ?2 AND state IN {COUNTED} AND called_at IS NULL"),
            params![day.to_string(), letter],
            |r| r.get(0),
        )?)
    }

    /// People before `ticket`: waiting priority tickets first, then earlier numbers of its lane.
    pub fn ahead_of(&self, ticket: &Ticket) -> Result<u32> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM tickets WHERE day = ?1 AND letter = ?2 AND state IN {COUNTED} AND called_at IS NULL \
                 AND id != ?3 AND (priority > ?4 OR (priority = ?4 AND number < ?5))"
            ),
            params![ticket.day.to_string(), ticket.letter, ticket.id, ticket.priority, ticket.number],
            |r| r.get(0),
        )?)
    }

    /// Minutes between calls of `letter` today (the wait estimate's rate), when there were at
    /// least two calls.
    pub fn minutes_per_call(&self, letter: &str, day: NaiveDate) -> Result<Option<f64>> {
        let (n, first, last): (i64, Option<String>, Option<String>) = self.conn.query_row(
            "SELECT count(*), MIN(called_at), MAX(called_at) FROM tickets WHERE day = ?1 AND letter = ?2 AND called_at IS NOT NULL",
            params![day.to_string(), letter],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let (Some(first), Some(last)) = (first, last) else { return Ok(None) };
        if n < 2 {
            return Ok(None);
        }
        let parse = |s: &str| NaiveDateTime::parse_from_str(s, TIME_FMT);
        let span = (parse(&last)? - parse(&first)?).num_seconds() as f64 / 60.0;
        Ok(Some(span / (n - 1) as f64))
    }

    /// The next waiting ticket in calling order (priority lane first), marked called.
    pub fn call_next(&mut self, letter: &str, now: NaiveDateTime) -> Result<Option<Ticket>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = tx
            .query_row(
                &format!(
                    "SELECT {TICKET_COLUMNS} FROM tickets WHERE day = ?1 AND letter = ?2 AND state IN {COUNTED} \
                     AND called_at IS NULL ORDER BY priority DESC, number LIMIT 1"
                ),
                params![now.date().to_string(), letter],
                ticket_from_row,
            )
            .optional()?;
        if let Some(t) = &t {
            tx.execute(
                "UPDATE tickets SET called_at = ?1, call_seq = (SELECT COALESCE(MAX(call_seq), 0) + 1 FROM tickets) WHERE id = ?2",
                params![now.format(TIME_FMT).to_string(), t.id],
            )?;
        }
        tx.commit()?;
        Ok(t.map(|t| Ticket { called: true, ..t }))
    }

    /// The ticket called last for `letter` today.
    pub fn now_serving(&self, letter: &str, day: NaiveDate) -> Result<Option<Ticket>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE day = ?1 AND letter = ?2 AND called_at IS NOT NULL ORDER BY call_seq DESC LIMIT 1"),
                params![day.to_string(), letter],
                ticket_from_row,
            )
            .optional()?)
    }

    /// Every ticket of a day, in reservation order.
    pub fn tickets(&self, day: NaiveDate) -> Result<Vec<Ticket>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE day = ?1 ORDER BY id"))?;
        let rows = st.query_map([day.to_string()], ticket_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn staff_call_from_row(r: &rusqlite::Row) -> rusqlite::Result<StaffCall> {
    let at: String = r.get(1)?;
    Ok(StaffCall {
        id: r.get(0)?,
        at: NaiveDateTime::parse_from_str(&at, TIME_FMT).map_err(|_| {
            rusqlite::Error::InvalidColumnType(1, at.clone(), rusqlite::types::Type::Text)
        })?,
        place: r.get(2)?,
        answered: r.get(3)?,
    })
}

const TICKET_COLUMNS: &str =
    "id, day, letter, number, priority, state, reserved_at, called_at IS NOT NULL";

fn ticket_from_row(r: &rusqlite::Row) -> rusqlite::Result<Ticket> {
    let day: String = r.get(1)?;
    let reserved: String = r.get(6)?;
    let state: String = r.get(5)?;
    Ok(Ticket {
        id: r.get(0)?,
        day: day.parse().map_err(|_| {
            rusqlite::Error::InvalidColumnType(1, day.clone(), rusqlite::types::Type::Text)
        })?,
        letter: r.get(2)?,
        number: r.get(3)?,
        priority: r.get(4)?,
        state: TicketState::from_sql(&state)?,
        reserved_at: NaiveDateTime::parse_from_str(&reserved, TIME_FMT).map_err(|_| {
            rusqlite::Error::InvalidColumnType(6, reserved.clone(), rusqlite::types::Type::Text)
        })?,
        called: r.get(7)?,
    })
}

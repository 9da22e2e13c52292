//! The ticket printer: [`TicketPrinter`] takes the ticket itself ([`TicketPrint`], what goes on
//! the paper), so a printer language is an implementation detail behind it. [`EscPosPrinter`]
//! encodes ESC/POS and sends it over a [`PrinterLink`] (raw TCP port 9100, a usblp device node, or
//! a file for dry runs); [`NoPrinter`] stands where none is configured.
//!
//! A job counts as printed only when the printer says so: on a two-way link the kiosk asks for
//! the paper sensor before the job (DLE EOT 4) and for the printer status after it (DLE EOT 1);
//! printers answer real-time requests in order, so the reply after the job means the job was
//! received by a printer with paper. A one-way link (config `status = false`) can only promise
//! that the bytes were written and flushed.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use thiserror::Error;

use super::takeaway::{self, TakeAway};
use super::ticket_print::{escpos_bytes, TicketPrint};

/// Where the printer is. Parsed when the config loads, so a typo stops the kiosk at start with
/// the field's text, not at the first ticket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum PrinterTarget {
    /// `tcp://HOST:PORT`
    Tcp(String),
    /// `/dev/usb/lpN` (or any file: `file:PATH` writes the job to a file, for dry runs).
    Device(PathBuf),
}

impl std::str::FromStr for PrinterTarget {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<PrinterTarget> {
        if let Some(addr) = s.strip_prefix("tcp://") {
            if !addr.contains(':') {
                anyhow::bail!("printer {s:?}: want tcp://HOST:PORT (9100 for raw printing)");
            }
            Ok(PrinterTarget::Tcp(addr.to_owned()))
        } else if let Some(path) = s.strip_prefix("file:") {
            Ok(PrinterTarget::Device(path.into()))
        } else if s.starts_with('/') {
            Ok(PrinterTarget::Device(s.into()))
        } else {
            anyhow::bail!("printer {s:?}: want tcp://HOST:PORT or /dev/usb/lpN")
        }
    }
}

impl TryFrom<String> for PrinterTarget {
    type Error = anyhow::Error;
    fn try_from(s: String) -> anyhow::Result<PrinterTarget> {
        s.parse()
    }
}

impl std::fmt::Display for PrinterTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterTarget::Tcp(a) => write!(f, "tcp://{a}"),
            PrinterTarget::Device(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Why a ticket did not print. The kind is what the fault log and the health metrics count.
#[derive(Debug, Error)]
pub enum PrintError {
    #[error("printer unreachable: {0}")]
    Unreachable(std::io::Error),
    #[error("printer out of paper")]
    PaperOut,
    #[error("printer offline or cover open (status {0:#04x})")]
    Offline(u8),
    #[error("printer did not answer within {0:?}")]
    NoAnswer(Duration),
    #[error("printer link failed: {0}")]
    Io(std::io::Error),
    #[error("printer answered {0:#04x}, not a status byte")]
    Garbled(u8),
    #[error("no ticket printer is configured")]
    NotConfigured,
    #[error("the ticket could not be encoded: {0}")]
    Encoding(String),
}

impl PrintError {
    pub fn kind(&self) -> &'static str {
        match self {
            PrintError::Unreachable(_) => "unreachable",
            PrintError::PaperOut => "paper_out",
            PrintError::Offline(_) => "offline",
            PrintError::NoAnswer(_) => "no_answer",
            PrintError::Io(_) => "io",
            PrintError::Garbled(_) => "garbled",
            PrintError::NotConfigured => "not_configured",
            PrintError::Encoding(_) => "encoding",
        }
    }
}

/// Prints a ticket, or a page to take away, and says whether the printer took it.
pub trait TicketPrinter: Send {
    fn print(&mut self, ticket: &TicketPrint) -> Result<(), PrintError>;
    fn print_takeaway(&mut self, page: &TakeAway) -> Result<(), PrintError>;
    /// The printer as the fault log names it (never the resident).
    fn describe(&self) -> String;
}

/// An ESC/POS receipt printer (GB18030 text, its own QR code, a cut) on a link.
pub struct EscPosPrinter {
    link: PrinterLink,
}

impl EscPosPrinter {
    pub fn new(target: PrinterTarget, two_way: bool) -> EscPosPrinter {
        EscPosPrinter { link: PrinterLink::new(target, two_way) }
    }

    /// Changes how long to wait to connect and for each status answer (default 2.5 s).
    pub fn with_timeout(mut self, timeout: Duration) -> EscPosPrinter {
        self.link.timeout = timeout;
        self
    }
}

impl TicketPrinter for EscPosPrinter {
    fn print(&mut self, ticket: &TicketPrint) -> Result<(), PrintError> {
        let job = escpos_bytes(ticket).map_err(|e| PrintError::Encoding(format!("{e:#}")))?;
        self.link.send(&job)
    }

    fn print_takeaway(&mut self, page: &TakeAway) -> Result<(), PrintError> {
        let job =
            takeaway::escpos_bytes(page).map_err(|e| PrintError::Encoding(format!("{e:#}")))?;
        self.link.send(&job)
    }

    fn describe(&self) -> String {
        self.link.describe()
    }
}

/// No printer configured: every ticket falls back to the screen, and the fault log says why.
pub struct NoPrinter;

impl TicketPrinter for NoPrinter {
    fn print(&mut self, _: &TicketPrint) -> Result<(), PrintError> {
        Err(PrintError::NotConfigured)
    }

    fn print_takeaway(&mut self, _: &TakeAway) -> Result<(), PrintError> {
        Err(PrintError::NotConfigured)
    }

    fn describe(&self) -> String {
        "no printer".into()
    }
}

/// DLE EOT n: transmit real-time status.
const STATUS_PRINTER: [u8; 3] = [0x10, 0x04, 1];
const STATUS_PAPER: [u8; 3] = [0x10, 0x04, 4];
const STATUS_OFFLINE_CAUSE: [u8; 3] = [0x10, 0x04, 2];

/// The byte link to a printer, asking its status around each job on a two-way link.
pub struct PrinterLink {
    target: PrinterTarget,
    /// Ask the printer for status (two-way link).
    two_way: bool,
    /// How long to wait to connect and for each answer.
    timeout: Duration,
}

impl PrinterLink {
    pub fn new(target: PrinterTarget, two_way: bool) -> PrinterLink {
        PrinterLink { target, two_way, timeout: Duration::from_millis(2500) }
    }

    pub fn describe(&self) -> String {
        format!("{} ({})", self.target, if self.two_way { "two-way" } else { "one-way" })
    }

    /// Sends one finished job and waits for the printer's word on it.
    pub fn send(&self, job: &[u8]) -> Result<(), PrintError> {
        self.converse(Some(job))
    }

    /// Asks a two-way printer how it is, printing nothing (the health sampler's probe); the
    /// answer also goes to the printer metrics. A one-way link cannot tell.
    pub fn probe(&self) -> Result<(), PrintError> {
        if !self.two_way {
            return Ok(());
        }
        self.converse(None)
    }

    fn converse(&self, job: Option<&[u8]>) -> Result<(), PrintError> {
        // One conversation with the printer at a time: a probe must not split a ticket's job.
        static LINK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = LINK.lock().unwrap_or_else(|p| p.into_inner());
        let result = self.converse_locked(job);
        record_status(self.two_way, &result);
        result
    }

    fn converse_locked(&self, job: Option<&[u8]>) -> Result<(), PrintError> {
        let job = job.unwrap_or_default();
        match &self.target {
            PrinterTarget::Tcp(addr) => {
                let addr =
                    addr.to_socket_addrs().map_err(PrintError::Unreachable)?.next().ok_or_else(
                        || PrintError::Unreachable(std::io::ErrorKind::NotFound.into()),
                    )?;
                let mut s = TcpStream::connect_timeout(&addr, self.timeout)
                    .map_err(PrintError::Unreachable)?;
                s.set_nodelay(true).map_err(PrintError::Io)?;
                s.set_write_timeout(Some(self.timeout)).map_err(PrintError::Io)?;
                run_job(&mut s, job, self.two_way, self.timeout, |s, t| s.set_read_timeout(Some(t)))
            }
            PrinterTarget::Device(path) => {
                let mut f = OpenOptions::new()
                    .read(self.two_way)
                    .create(!path.starts_with("/dev"))
                    .append(true)
                    .open(path)
                    .map_err(PrintError::Unreachable)?;
                // usblp reads block up to its own timeout; a device that never answers shows as
                // a read error or an empty read, both of which fail the job.
                run_job(&mut f, job, self.two_way, self.timeout, |_, _| Ok(()))?;
                if !path.starts_with("/dev") {
                    f.sync_all().map_err(PrintError::Io)?;
                }
                Ok(())
            }
        }
    }
}

/// The printer gauges after a conversation: a two-way link's answers say paper and online
/// state; a failure to answer says offline; a one-way link reports nothing.
fn record_status(two_way: bool, result: &Result<(), PrintError>) {
    let m = crate::observe::metrics();
    m.printer_status_known.set(two_way as i64);
    if !two_way {
        return;
    }
    let (online, paper_out) = match result {
        Ok(()) => (1, 0),
        Err(PrintError::PaperOut) => (1, 1),
        Err(_) => (0, m.printer_paper_out.get()),
    };
    m.printer_online.set(online);
    m.printer_paper_out.set(paper_out);
    if online == 1 {
        m.printer_cover_open.set(0);
    }
}

fn run_job<S: Read + Write>(
    link: &mut S,
    job: &[u8],
    two_way: bool,
    timeout: Duration,
    set_timeout: impl Fn(&S, Duration) -> std::io::Result<()>,
) -> Result<(), PrintError> {
    if two_way {
        let paper = ask(link, &STATUS_PAPER, timeout, &set_timeout)?;
        // Roll paper sensor: bits 2–3 set = near end, bits 5–6 set = paper end.
        crate::observe::metrics().printer_paper_near_end.set((paper & 0x0c != 0) as i64);
        if paper & 0x60 != 0 {
            return Err(PrintError::PaperOut);
        }
    }
    if !job.is_empty() {
        link.write_all(job).map_err(PrintError::Io)?;
        link.flush().map_err(PrintError::Io)?;
    }
    if two_way {
        let status = ask(link, &STATUS_PRINTER, timeout, &set_timeout)?;
        // Printer status: bit 3 = offline; then the offline cause says whether the cover is
        // open (DLE EOT 2, bit 2).
        if status & 0x08 != 0 {
            let cause = ask(link, &STATUS_OFFLINE_CAUSE, timeout, &set_timeout)?;
            crate::observe::metrics().printer_cover_open.set((cause & 0x04 != 0) as i64);
            return Err(PrintError::Offline(status));
        }
    }
    Ok(())
}

/// Sends a real-time status request and reads its one-byte answer. Every status byte has bit 1
/// and bit 4 set and bits 0 and 7 clear, which tells an answer from line noise.
fn ask<S: Read + Write>(
    link: &mut S,
    request: &[u8],
    timeout: Duration,
    set_timeout: &impl Fn(&S, Duration) -> std::io::Result<()>,
) -> Result<u8, PrintError> {
    link.write_all(request).map_err(PrintError::Io)?;
    link.flush().map_err(PrintError::Io)?;
    let deadline = Instant::now() + timeout;
    let mut byte = [0u8; 1];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(PrintError::NoAnswer(timeout));
        }
        set_timeout(link, left).map_err(PrintError::Io)?;
        match link.read(&mut byte) {
            Ok(1) => break,
            Ok(_) => return Err(PrintError::NoAnswer(timeout)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(PrintError::NoAnswer(timeout));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(PrintError::Io(e)),
        }
    }
    if byte[0] & 0b1001_0011 != 0b0001_0010 {
        return Err(PrintError::Garbled(byte[0]));
    }
    Ok(byte[0])
}

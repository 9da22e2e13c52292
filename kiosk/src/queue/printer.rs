//! The ticket printer link: raw TCP (port 9100) or a usblp device node, chosen in config.
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

/// Where the printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        }
    }
}

/// Sends a finished job and waits for the printer's word on it.
pub trait TicketPrinter: Send {
    fn print(&mut self, job: &[u8]) -> Result<(), PrintError>;
    fn describe(&self) -> String;
}

/// DLE EOT n: transmit real-time status.
const STATUS_PRINTER: [u8; 3] = [0x10, 0x04, 1];
const STATUS_PAPER: [u8; 3] = [0x10, 0x04, 4];

pub struct EscPosPrinter {
    pub target: PrinterTarget,
    /// Ask the printer for status (two-way link).
    pub two_way: bool,
    /// How long to wait to connect and for each answer.
    pub timeout: Duration,
}

impl EscPosPrinter {
    pub fn new(target: PrinterTarget, two_way: bool) -> EscPosPrinter {
        EscPosPrinter { target, two_way, timeout: Duration::from_millis(2500) }
    }
}

impl TicketPrinter for EscPosPrinter {
    fn describe(&self) -> String {
        format!("{} ({})", self.target, if self.two_way { "two-way" } else { "one-way" })
    }

    fn print(&mut self, job: &[u8]) -> Result<(), PrintError> {
        match &self.target {
            PrinterTarget::Tcp(addr) => {
                let addr = addr
                    .to_socket_addrs()
                    .map_err(PrintError::Unreachable)?
                    .next()
                    .ok_or_else(|| PrintError::Unreachable(std::io::ErrorKind::NotFound.into()))?;
                let mut s = TcpStream::connect_timeout(&addr, self.timeout).map_err(PrintError::Unreachable)?;
                s.set_nodelay(true).map_err(PrintError::Io)?;
                s.set_write_timeout(Some(self.timeout)).map_err(PrintError::Io)?;
                run_job(&mut s, job, self.two_way, self.timeout, |s, t| s.set_read_timeout(Some(t)))
            }
            PrinterTarget::Device(path) => {
                let mut f = OpenOptions::new()
                    .read(self.two_way)
                    .write(true)
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

fn run_job<S: Read + Write>(
    link: &mut S,
    job: &[u8],
    two_way: bool,
    timeout: Duration,
    set_timeout: impl Fn(&S, Duration) -> std::io::Result<()>,
) -> Result<(), PrintError> {
    if two_way {
        let paper = ask(link, &STATUS_PAPER, timeout, &set_timeout)?;
        // Roll paper sensor: bits 5–6 set = paper end.
        if paper & 0x60 != 0 {
            return Err(PrintError::PaperOut);
        }
    }
    link.write_all(job).map_err(PrintError::Io)?;
    link.flush().map_err(PrintError::Io)?;
    if two_way {
        let status = ask(link, &STATUS_PRINTER, timeout, &set_timeout)?;
        // Printer status: bit 3 = offline.
        if status & 0x08 != 0 {
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
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
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

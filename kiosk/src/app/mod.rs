//! The composition root: configuration, and the pieces built from it that the kiosk and the
//! command line share (the ticket desk with its printer and voice).

pub mod actions;
pub mod config;

use anyhow::Result;

use crate::content::Store;
use crate::queue::desk::{DeskSetup, TicketDesk};
use crate::queue::printer::{EscPosPrinter, NoPrinter, PrinterTarget, TicketPrinter};
use crate::speech::{EspeakSpeaker, Silent, Speaker};
use config::Config;

/// The desk's plain data: the store's queue services and hall name, the configured queue
/// directory and ticket URL.
pub fn desk_setup(config: &Config, store: &Store) -> Result<DeskSetup> {
    Ok(DeskSetup {
        queue: store.hall()?.queue,
        hall_name: store.info().deployment.hall_name.clone(),
        queue_dir: config.queue_dir(),
        status_url: config.ticket_status_url.clone(),
    })
}

/// The configured ticket printer (or `target` instead), ESC/POS on its link.
pub fn printer(
    config: &Config,
    target: Option<PrinterTarget>,
    two_way: bool,
) -> Box<dyn TicketPrinter> {
    match target.or_else(|| config.printer.clone()) {
        Some(t) => Box::new(EscPosPrinter::new(t, two_way && config.printer_status)),
        None => Box::new(NoPrinter),
    }
}

/// The voice: espeak-ng, or silence when the config switches speech off.
pub fn speaker(config: &Config) -> Box<dyn Speaker> {
    if config.speech {
        Box::new(EspeakSpeaker { amplitude: config.speech_volume, ..EspeakSpeaker::default() })
    } else {
        Box::new(Silent)
    }
}

/// A ticket desk as the kiosk runs it.
pub fn open_desk(config: &Config, store: &Store, speaker: Box<dyn Speaker>) -> Result<TicketDesk> {
    TicketDesk::open(desk_setup(config, store)?, printer(config, None, true), speaker)
}

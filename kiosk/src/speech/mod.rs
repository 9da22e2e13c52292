//! Speech: the kiosk's one voice ([`voice`]) and the page reader built on it ([`read_aloud`]).
//! Ticket numbers, staff calls and read-aloud pages all go through [`Speaker`], so a kiosk
//! with speech switched off in config is silent everywhere, and tests record every word.

pub mod read_aloud;
pub mod voice;

pub use read_aloud::{Playing, ReadAloud};
pub use voice::{EspeakSpeaker, RecordingSpeaker, Silent, Speaker};

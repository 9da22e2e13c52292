//! The hall's queue as content: services with their letters and windows, ticket hours and days,
//! the priority lane's name. Technicians set it in `hall.toml [queue]`; it ships in the bundle, so
//! a content update can re-letter a service or change the hours. Hours are parsed once, when the
//! content loads: a bad entry fails `bundle build` with its text, it is never skipped later.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Ticket hours, "08:30-12:00" each; tickets outside them are refused with the hours shown.
    pub hours: Vec<OpeningHours>,
    /// ISO weekdays the hall issues tickets (1 = Monday … 7 = Sunday).
    pub days: Vec<u32>,
    /// How the priority lane is named on screen and ticket.
    pub priority_label: String,
    pub services: Vec<ServiceLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLine {
    /// One capital letter, printed before the number (A007).
    pub letter: String,
    pub name: String,
    /// Which windows serve it, as the hall's signs say.
    pub windows: String,
    /// The wait estimate's fallback before the day has calls to learn from.
    pub minutes_per_ticket: u32,
}

/// One span of ticket hours, `HH:MM-HH:MM`, start before end. Written back as `HH:MM-HH:MM`
/// (`8:30 - 12:00` becomes `08:30-12:00`), so the bundle always holds the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OpeningHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl TryFrom<String> for OpeningHours {
    type Error = anyhow::Error;
    fn try_from(s: String) -> Result<OpeningHours> {
        s.parse()
    }
}

impl std::str::FromStr for OpeningHours {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<OpeningHours> {
        let Some((a, b)) = s.split_once('-') else { bail!("hours {s:?}: want HH:MM-HH:MM") };
        let time = |t: &str, which: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| anyhow::anyhow!("hours {s:?}: bad {which} (want HH:MM)"))
        };
        let (start, end) = (time(a, "start")?, time(b, "end")?);
        if end <= start {
            bail!("hours {s:?}: ends before it starts");
        }
        Ok(OpeningHours { start, end })
    }
}

impl From<OpeningHours> for String {
    fn from(h: OpeningHours) -> String {
        h.to_string()
    }
}

impl std::fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

impl QueueConfig {
    /// Checks what serde cannot: letters, weekdays, at least one service.
    pub fn validate(&self) -> Result<()> {
        if self.services.is_empty() {
            bail!("no services");
        }
        for s in &self.services {
            if s.letter.len() != 1 || !s.letter.bytes().all(|b| b.is_ascii_uppercase()) {
                bail!("service {}: letter {:?} must be one capital letter", s.name, s.letter);
            }
            if self.services.iter().filter(|o| o.letter == s.letter).count() > 1 {
                bail!("letter {} used twice", s.letter);
            }
        }
        if self.days.iter().any(|d| !(1..=7).contains(d)) {
            bail!("days are ISO weekdays 1..=7");
        }
        Ok(())
    }

    pub fn service(&self, letter: &str) -> Option<&ServiceLine> {
        self.services.iter().find(|s| s.letter == letter)
    }

    /// Whether tickets are issued at this local time.
    pub fn is_open(&self, at: NaiveDateTime) -> bool {
        let t = at.time();
        self.days.contains(&at.weekday().number_from_monday())
            && self.hours.iter().any(|h| t >= h.start && t < h.end)
    }

    /// "08:30-12:00、14:00-17:30" for the closed notice.
    pub fn hours_label(&self) -> String {
        self.hours.iter().map(ToString::to_string).collect::<Vec<_>>().join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_once_and_write_back_as_written() {
        let h: OpeningHours = "08:30-12:00".parse().unwrap();
        assert_eq!(h.to_string(), "08:30-12:00");
        for bad in ["8:30", "12:00-08:30", "08:30-25:00", "", "-", "08:30-12:00-13:00"] {
            assert!(bad.parse::<OpeningHours>().is_err(), "{bad:?}");
        }
        let q: Result<QueueConfig, _> = toml::from_str(
            "hours = [\"08:30-12:00\", \"14:00-1730\"]\ndays = [1]\npriority_label = \"绿色通道\"\nservices = []",
        );
        let e = q.unwrap_err().to_string();
        assert!(e.contains("14:00-1730"), "{e}");
    }
}

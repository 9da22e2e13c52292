//! The hall's queue: services → window groups with a letter, opening hours, the priority lane.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Ticket hours, "08:30-12:00" each; tickets outside them are refused with the hours shown.
    pub hours: Vec<String>,
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

impl QueueConfig {
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
        for h in &self.hours {
            parse_range(h)?;
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
        if !self.days.contains(&at.weekday().number_from_monday()) {
            return false;
        }
        let t = at.time();
        self.hours.iter().filter_map(|h| parse_range(h).ok()).any(|(a, b)| t >= a && t < b)
    }

    /// "08:30-12:00、14:00-17:30" for the closed notice.
    pub fn hours_label(&self) -> String {
        self.hours.join("、")
    }
}

fn parse_range(s: &str) -> Result<(NaiveTime, NaiveTime)> {
    let Some((a, b)) = s.split_once('-') else { bail!("hours {s:?}: want HH:MM-HH:MM") };
    let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| anyhow::anyhow!("hours {s:?}: bad start"))?;
    let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| anyhow::anyhow!("hours {s:?}: bad end"))?;
    if b <= a {
        bail!("hours {s:?}: ends before it starts");
    }
    Ok((a, b))
}

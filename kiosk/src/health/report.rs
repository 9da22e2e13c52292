//! `/healthz`: one verdict for the kiosk with the reasons behind it, in words an operator acts
//! on. failing = residents are not served (no content, the UI loop hung); degraded = served, but
//! something needs a technician (stale content, failing updates, printer, touch panel, disk,
//! recent errors); ok otherwise.

use serde::Serialize;

use super::sample::{Snapshot, STALE_AFTER};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Degraded,
    Failing,
}

impl Status {
    /// The `kiosk_health_status` value.
    pub fn code(self) -> i64 {
        self as i64
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: Status,
    pub reasons: Vec<String>,
    pub firmware: &'static str,
    pub content_version: Option<String>,
}

/// Errors newer than this make the kiosk degraded.
const RECENT_ERROR_SECS: i64 = 15 * 60;
/// Free space below this share of the data partition is "almost full".
const DISK_LOW: f64 = 0.10;

pub fn assess(s: &Snapshot, now: i64) -> Report {
    let mut failing = Vec::new();
    let mut degraded = Vec::new();
    if s.content_version.is_none() {
        failing.push("no content installed (内容准备中 is showing)".to_string());
    }
    if let Some(name) = s.stalled_loop {
        failing.push(format!("the {name} loop stalled"));
    }
    if s.staleness_secs.is_some_and(|t| t > STALE_AFTER.as_secs()) {
        degraded.push(format!(
            "content not confirmed current for {} days",
            s.staleness_secs.unwrap_or(0) / 86400
        ));
    }
    if s.update_failures_in_a_row >= 3 {
        degraded.push(format!(
            "{} update checks failed in a row: {}",
            s.update_failures_in_a_row,
            s.update_error.as_deref().unwrap_or("")
        ));
    }
    if s.printer_status_known && s.printer_paper_out {
        degraded.push("printer out of paper".into());
    } else if s.printer_status_known && !s.printer_online {
        degraded.push("printer offline".into());
    }
    if !s.touch_panel_present {
        degraded.push("no touch panel found".into());
    } else if s.touch_silent_alarm {
        degraded.push("touch panel silent during opening hours".into());
    }
    if s.size_bytes > 0 && (s.free_bytes as f64) < DISK_LOW * s.size_bytes as f64 {
        degraded.push(format!("data partition almost full ({} MiB free)", s.free_bytes >> 20));
    }
    let recent: Vec<_> = s.faults.iter().filter(|f| now - f.at < RECENT_ERROR_SECS).collect();
    if let Some(last) = recent.last() {
        degraded.push(format!("{} error(s) in 15 min, last in {}", recent.len(), last.component));
    }
    let status = if !failing.is_empty() {
        Status::Failing
    } else if !degraded.is_empty() {
        Status::Degraded
    } else {
        Status::Ok
    };
    failing.extend(degraded);
    Report {
        status,
        reasons: failing,
        firmware: s.firmware,
        content_version: s.content_version.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Fault;

    fn healthy() -> Snapshot {
        Snapshot {
            firmware: "t",
            content_version: Some("v1".into()),
            generation: Some(1),
            newest_version: Some("v1".into()),
            staleness_secs: Some(600),
            last_successful_check: None,
            last_update: None,
            update_error: None,
            update_failures_in_a_row: 0,
            free_bytes: 50 << 30,
            size_bytes: 100 << 30,
            resident_bytes: 40 << 20,
            printer_status_known: true,
            printer_online: true,
            printer_paper_out: false,
            printer_paper_near_end: false,
            touch_panel_present: true,
            secs_since_touch: Some(5),
            touch_silent_alarm: false,
            hall_open: true,
            addresses: vec![],
            stalled_loop: None,
            faults: vec![],
        }
    }

    #[test]
    fn judges_each_reason() {
        assert_eq!(assess(&healthy(), 1000).status, Status::Ok);
        type Case = (fn(&mut Snapshot), Status, &'static str);
        let cases: Vec<Case> = vec![
            (|s| s.content_version = None, Status::Failing, "no content"),
            (|s| s.stalled_loop = Some("ui"), Status::Failing, "ui loop stalled"),
            (|s| s.staleness_secs = Some(4 * 86400), Status::Degraded, "4 days"),
            (|s| s.update_failures_in_a_row = 3, Status::Degraded, "3 update checks failed"),
            (|s| s.printer_paper_out = true, Status::Degraded, "out of paper"),
            (|s| s.printer_online = false, Status::Degraded, "printer offline"),
            (|s| s.touch_silent_alarm = true, Status::Degraded, "silent"),
            (|s| s.touch_panel_present = false, Status::Degraded, "no touch panel"),
            (|s| s.free_bytes = 5 << 30, Status::Degraded, "almost full"),
            (
                |s| s.faults = vec![Fault { at: 900, component: "printer", message: "x".into() }],
                Status::Degraded,
                "in printer",
            ),
        ];
        for (change, status, says) in cases {
            let mut s = healthy();
            change(&mut s);
            let r = assess(&s, 1000);
            assert_eq!(r.status, status, "{says}: {r:?}");
            assert!(r.reasons.iter().any(|x| x.contains(says)), "{says}: {r:?}");
        }
        // An old error no longer degrades; a one-way printer's unknown state does not either.
        let mut s = healthy();
        s.faults = vec![Fault { at: 0, component: "printer", message: "x".into() }];
        s.printer_status_known = false;
        s.printer_online = false;
        assert_eq!(assess(&s, 10_000).status, Status::Ok);
    }
}

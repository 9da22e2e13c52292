//! The one place an error the resident cannot fix goes: a log event, a count in
//! `kiosk_errors_total{component}`, and an entry in the recent-errors list that `/healthz` and the
//! technician page show. The screen's calm message is the caller's job; this makes sure the
//! error is never swallowed silently.
//!
//! Callers pass errors about the kiosk (a store that will not open, a printer link), never text a
//! resident typed: a search's failure is reported without its query.

use std::collections::VecDeque;
use std::sync::Mutex;

/// How many recent errors are kept (memory stays flat however long the kiosk runs).
const KEEP: usize = 20;

/// One reported error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Unix seconds.
    pub at: i64,
    /// Which part failed: `store`, `search`, `queue`, `printer`, `sync`, `touch`, …
    pub component: &'static str,
    pub message: String,
}

static RECENT: Mutex<VecDeque<Fault>> = Mutex::new(VecDeque::new());

/// Reports an error of `component` (see the module docs).
pub fn fault(component: &'static str, error: &dyn std::fmt::Display) {
    let message = format!("{error:#}");
    tracing::error!(component, "{message}");
    super::metrics().errors.with_label_values(&[component]).inc();
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    if recent.len() == KEEP {
        recent.pop_front();
    }
    recent.push_back(Fault { at, component, message });
}

/// The last few reported errors, newest last.
pub fn recent_faults() -> Vec<Fault> {
    RECENT.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_bounded_list_and_counts() {
        let before = super::super::metrics().errors.with_label_values(&["test"]).get();
        for i in 0..(KEEP + 5) {
            fault("test", &anyhow::anyhow!("boom {i}"));
        }
        let recent: Vec<_> =
            recent_faults().into_iter().filter(|f| f.component == "test").collect();
        assert!(recent.len() <= KEEP);
        assert_eq!(recent.last().unwrap().message, format!("boom {}", KEEP + 4));
        let after = super::super::metrics().errors.with_label_values(&["test"]).get();
        assert_eq!(after - before, (KEEP + 5) as u64);
    }
}

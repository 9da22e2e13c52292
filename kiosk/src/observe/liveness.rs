//! Which of the kiosk's loops are alive, for the systemd watchdog: each loop says "alive, and
//! you will hear from me again within D" ([`alive`]); the watchdog pings systemd only while
//! every loop that ever said so is within its promise ([`all_alive`]). A hung UI loop (or a sync
//! check stuck for half an hour) thus gets the kiosk restarted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static LOOPS: Mutex<Option<HashMap<&'static str, Instant>>> = Mutex::new(None);

/// `name` is alive now and promises its next sign of life within `within`.
pub fn alive(name: &'static str, within: Duration) {
    let mut loops = LOOPS.lock().unwrap_or_else(|p| p.into_inner());
    loops.get_or_insert_with(HashMap::new).insert(name, Instant::now() + within);
}

/// `None` when every registered loop kept its promise; else the name of one that did not.
pub fn overdue() -> Option<&'static str> {
    let loops = LOOPS.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    loops.as_ref()?.iter().find(|(_, due)| **due < now).map(|(name, _)| *name)
}

/// Every registered loop is alive.
pub fn all_alive() -> bool {
    overdue().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_that_misses_its_promise_is_overdue() {
        alive("test-loop", Duration::from_millis(30));
        assert_ne!(overdue(), Some("test-loop"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(overdue(), Some("test-loop"));
        alive("test-loop", Duration::from_secs(60));
        assert_ne!(overdue(), Some("test-loop"));
    }
}

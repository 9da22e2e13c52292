//! systemd integration (`Type=notify`): READY=1 once the first frame is on screen, and
//! WATCHDOG=1 pings only while every loop that registered with
//! [`crate::observe::liveness`] is alive. A hung UI loop therefore stops the pings and systemd
//! restarts the kiosk after `WatchdogSec`. Without `$NOTIFY_SOCKET` (a desktop, tests) all of
//! this does nothing.

use std::time::Duration;

/// Tells systemd the kiosk is up (call when the first frame has been drawn).
pub fn ready() {
    if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]) {
        tracing::warn!("sd_notify READY: {e}");
    }
}

/// The ping interval systemd asked for (half of `WatchdogSec`), if it did.
pub fn interval() -> Option<Duration> {
    let mut usec = 0;
    sd_notify::watchdog_enabled(false, &mut usec).then(|| Duration::from_micros(usec) / 2)
}

/// Starts the pinging thread when systemd wants pings. Each ping goes out only if every loop
/// is alive; a stall is logged once, when it begins.
pub fn spawn() -> Option<std::thread::JoinHandle<()>> {
    let every = interval()?;
    Some(
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || {
                let mut stalled = None;
                loop {
                    match crate::observe::liveness::overdue() {
                        None => {
                            let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
                            stalled = None;
                        }
                        Some(name) if stalled != Some(name) => {
                            tracing::error!(
                                component = "watchdog",
                                "{name} loop stalled: no more watchdog pings"
                            );
                            stalled = Some(name);
                        }
                        Some(_) => {}
                    }
                    std::thread::sleep(every);
                }
            })
            .expect("spawning the watchdog thread"),
    )
}

//! Log setup: every line goes through `tracing`. Under systemd (which sets `JOURNAL_STREAM` for a
//! service whose output goes to the journal) events go to journald with their fields
//! (`COMPONENT=…`, span fields), so `journalctl -u kiosk COMPONENT=printer` works; elsewhere to
//! stderr. `KIOSK_LOG` picks the level (error, warn, info, debug, trace); the default is the
//! caller's (info for the running kiosk; error for one-shot commands, whose own output says
//! what happened).

pub use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Installs the process's log subscriber at `default` (unless `KIOSK_LOG` says otherwise); a
/// second call does nothing.
pub fn init(default: LevelFilter) {
    let level = std::env::var("KIOSK_LOG")
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(default);
    let journal = std::env::var_os("JOURNAL_STREAM")
        .is_some()
        .then(|| tracing_journald::layer().ok())
        .flatten()
        .map(|l| l.with_syslog_identifier("kiosk".into()).with_filter(level));
    let stderr = journal.is_none().then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_filter(level)
    });
    let _ = tracing_subscriber::registry().with(journal).with(stderr).try_init();
}

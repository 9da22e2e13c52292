//! What the kiosk tells its operators, kept at the bottom of the layers so every part can
//! report: the metrics registry ([`metrics()`]), log setup ([`log`]) and the one place an error
//! a resident cannot fix is turned into a log event, a metric and a recent-errors entry
//! ([`fault`]).
//!
//! Nothing here may carry personal data: what a resident typed, answered or printed is never a
//! label, a log field or an error text recorded here. Counts are fine.

pub mod faults;
pub mod liveness;
pub mod log;
pub mod metrics;

pub use faults::{fault, recent_faults, Fault};

/// Lowers the calling thread's scheduling priority (nice +10): background work that serves
/// operators (scrapes, pushes, sampling) yields the CPU to the UI loop, which a resident is
/// waiting on. Linux nice values are per thread.
pub fn background_priority() {
    // SAFETY: gettid and setpriority take plain integers and touch no memory.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}
pub use liveness::alive;
pub use metrics::metrics;

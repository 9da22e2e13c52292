//! Samples the machine and the kiosk's state into the gauges (memory, disk, temperature,
//! content versions and staleness, opening hours, the dead-panel alarm) and into a
//! [`Snapshot`] that `/healthz` and the technician page read. Runs before every scrape and push
//! and on a timer, so the alarm's clock advances even when nobody scrapes.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::content::hall::queue::QueueConfig;
use crate::content::Store;
use crate::observe::metrics::Metrics;
use crate::observe::{metrics, recent_faults, Fault};
use crate::sync::status::SyncStatus;

/// Content older than this (since a check last confirmed it current) is stale.
pub const STALE_AFTER: Duration = Duration::from_secs(3 * 86400);

/// What the kiosk knows about itself at one moment. Plain data, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub firmware: &'static str,
    pub content_version: Option<String>,
    pub generation: Option<u64>,
    pub newest_version: Option<String>,
    pub staleness_secs: Option<u64>,
    pub last_successful_check: Option<String>,
    pub last_update: Option<String>,
    pub update_error: Option<String>,
    pub update_failures_in_a_row: u32,
    pub free_bytes: u64,
    pub size_bytes: u64,
    pub resident_bytes: u64,
    pub printer_status_known: bool,
    pub printer_online: bool,
    pub printer_paper_out: bool,
    pub printer_paper_near_end: bool,
    pub touch_panel_present: bool,
    pub secs_since_touch: Option<u64>,
    pub touch_silent_alarm: bool,
    pub hall_open: bool,
    /// Network interfaces and their addresses (`eth0 192.168.1.20`), loopback left out.
    pub addresses: Vec<String>,
    /// The overdue loop, if one stalled.
    pub stalled_loop: Option<&'static str>,
    #[serde(skip)]
    pub faults: Vec<Fault>,
}

/// Keeps what sampling needs between samples.
pub struct Sampler {
    data_dir: PathBuf,
    /// The open generation's queue hours (reloaded when the generation changes).
    hours: Option<(u64, QueueConfig)>,
    touch_silent: Duration,
    /// Opening time without a touch so far.
    silent_open: Duration,
    last_touch_seen: f64,
    /// The hall's local time at the last sample: opening time is counted on that clock.
    last_local: Option<NaiveDateTime>,
}

/// A longer gap between two samples (a suspended machine, a clock step) counts this much.
const MAX_GAP: Duration = Duration::from_secs(600);

impl Sampler {
    pub fn new(data_dir: PathBuf, touch_silent_hours: u64) -> Sampler {
        let m = metrics();
        m.process_start_time.set(unix_now());
        // Every label value exists from the start at 0, so a rate sees the first event.
        for reason in ["network", "verification", "disk", "install", "other"] {
            m.update_failures.with_label_values(&[reason]);
        }
        for outcome in ["printed", "print_failed", "screen_only"] {
            m.tickets.with_label_values(&[outcome]);
        }
        Metrics::set_info(&m.build_info, &[env!("CARGO_PKG_VERSION")]);
        Sampler {
            data_dir,
            hours: None,
            touch_silent: Duration::from_secs(touch_silent_hours * 3600),
            silent_open: Duration::ZERO,
            last_touch_seen: 0.0,
            last_local: None,
        }
    }

    /// Samples now (wall clock).
    pub fn sample(&mut self) -> Snapshot {
        self.sample_at(chrono::Local::now().naive_local())
    }

    /// Samples, with `local` as the hall's local time (opening hours).
    pub fn sample_at(&mut self, local: NaiveDateTime) -> Snapshot {
        let m = metrics();
        let now = unix_now();
        let elapsed = self
            .last_local
            .and_then(|last| (local - last).to_std().ok())
            .unwrap_or_default()
            .min(MAX_GAP);
        self.last_local = Some(local);

        let store = Store::open(&self.data_dir).ok();
        let info = store.as_ref().map(|s| s.info().clone());
        if let Some(i) = &info {
            Metrics::set_info(&m.content_info, &[&i.content_version, &i.generation.to_string()]);
        } else {
            m.content_info.reset();
        }
        let status = SyncStatus::load(&self.data_dir).unwrap_or_default();
        if let Some(v) = &status.newest_version {
            Metrics::set_info(&m.content_available_info, &[v]);
        }
        let seconds = |rfc: &Option<String>| {
            rfc.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok()).map(|t| t.as_second())
        };
        if let Some(t) = seconds(&status.last_successful_check) {
            m.update_last_check.set(t as f64);
        }
        if let Some(t) = seconds(&status.last_update) {
            m.update_last_install.set(t as f64);
        }
        // Current since the last successful check; before any check, since the content was built.
        let confirmed = seconds(&status.last_successful_check)
            .or_else(|| info.as_ref().and_then(|i| seconds(&Some(i.created_at.clone()))));
        let staleness = confirmed.map(|t| (now as i64 - t).max(0) as u64);
        m.content_staleness.set(staleness.unwrap_or(0) as f64);

        let (free, size) = crate::sync::download::disk_space(&self.data_dir).unwrap_or((0, 0));
        m.data_free.set(free as f64);
        m.data_size.set(size as f64);
        let rss = resident_bytes();
        m.resident_memory.set(rss as f64);
        for (zone, celsius) in cpu_temperatures() {
            m.cpu_temperature.with_label_values(&[&zone]).set(celsius);
        }

        // Opening hours from the running content's queue services.
        if let (Some(store), Some(i)) = (&store, &info) {
            if self.hours.as_ref().map(|h| h.0) != Some(i.generation) {
                self.hours = store.hall().ok().map(|h| (i.generation, h.queue));
            }
        }
        let open = self.hours.as_ref().is_some_and(|(_, q)| q.is_open(local));
        m.hall_open.set(open as i64);

        // The dead-panel alarm counts opening time only: a quiet night is not a dead panel.
        // Time is counted in gaps between samples while open (samples come every 15 s).
        let last_touch = m.touch_last_event.get();
        if last_touch != self.last_touch_seen {
            self.last_touch_seen = last_touch;
            self.silent_open = Duration::ZERO;
        } else if open {
            self.silent_open += elapsed;
        }
        let present = m.touch_panel_present.get() == 1;
        let alarm = present && self.silent_open >= self.touch_silent;
        m.touch_silent_alarm.set(alarm as i64);

        let snapshot = Snapshot {
            firmware: env!("CARGO_PKG_VERSION"),
            content_version: info.as_ref().map(|i| i.content_version.clone()),
            generation: info.as_ref().map(|i| i.generation),
            newest_version: status.newest_version.clone(),
            staleness_secs: staleness,
            last_successful_check: status.last_successful_check.clone(),
            last_update: status.last_update.clone(),
            update_error: status.last_error.clone(),
            update_failures_in_a_row: status.failures,
            free_bytes: free,
            size_bytes: size,
            resident_bytes: rss,
            printer_status_known: m.printer_status_known.get() == 1,
            printer_online: m.printer_online.get() == 1,
            printer_paper_out: m.printer_paper_out.get() == 1,
            printer_paper_near_end: m.printer_paper_near_end.get() == 1,
            touch_panel_present: present,
            secs_since_touch: (last_touch > 0.0).then(|| (now - last_touch).max(0.0) as u64),
            touch_silent_alarm: alarm,
            hall_open: open,
            addresses: addresses(),
            stalled_loop: crate::observe::liveness::overdue(),
            faults: recent_faults(),
        };
        m.health_status.set(super::report::assess(&snapshot, now as i64).status.code());
        snapshot
    }

    /// Opening time without a touch so far (tests).
    pub fn silent_open(&self) -> Duration {
        self.silent_open
    }
}

pub use crate::observe::metrics::unix_now;

/// IPv4/IPv6 addresses of the interfaces that are up (getifaddrs), loopback left out.
fn addresses() -> Vec<String> {
    let mut out = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list we free below; each node's pointers are
    // valid until freeifaddrs, and the address is read according to its family.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return out;
        }
        let mut node = list;
        while !node.is_null() {
            let n = &*node;
            node = n.ifa_next;
            if n.ifa_addr.is_null() || n.ifa_flags & libc::IFF_LOOPBACK as u32 != 0 {
                continue;
            }
            let name = std::ffi::CStr::from_ptr(n.ifa_name).to_string_lossy();
            let ip: Option<std::net::IpAddr> = match (*n.ifa_addr).sa_family as i32 {
                libc::AF_INET => {
                    let a = &*(n.ifa_addr as *const libc::sockaddr_in);
                    Some(std::net::Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr)).into())
                }
                libc::AF_INET6 => {
                    let a = &*(n.ifa_addr as *const libc::sockaddr_in6);
                    Some(std::net::Ipv6Addr::from(a.sin6_addr.s6_addr).into())
                }
                _ => None,
            };
            if let Some(ip) = ip {
                out.push(format!("{name} {ip}"));
            }
        }
        libc::freeifaddrs(list);
    }
    out
}

/// Resident memory from /proc/self/statm (pages × page size).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(0) as u64;
    pages * page
}

/// Thermal zones that measure a CPU or SoC (`type` names vary by board: x86_pkg_temp,
/// cpu-thermal, soc_thermal …); if none says so, the first zone. Empty without zones.
fn cpu_temperatures() -> Vec<(String, f64)> {
    let Ok(entries) = std::fs::read_dir("/sys/class/thermal") else { return Vec::new() };
    let mut zones: Vec<(String, f64)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("thermal_zone"))
        .filter_map(|e| {
            let kind = std::fs::read_to_string(e.path().join("type")).ok()?;
            let milli: f64 =
                std::fs::read_to_string(e.path().join("temp")).ok()?.trim().parse().ok()?;
            Some((kind.trim().to_string(), milli / 1000.0))
        })
        .collect();
    zones.sort_by(|a, b| a.0.cmp(&b.0));
    let cpu: Vec<_> = zones
        .iter()
        .filter(|(k, _)| ["cpu", "soc", "pkg", "core"].iter().any(|w| k.to_lowercase().contains(w)))
        .cloned()
        .collect();
    if cpu.is_empty() {
        zones.into_iter().take(1).collect()
    } else {
        cpu
    }
}

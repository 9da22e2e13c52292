//! The kiosk's Prometheus metrics: one registry for the process, rendered in the text exposition
//! format (`promtool check metrics` accepts it; the `prometheus` crate's OpenMetrics-free output
//! is what promtool 2.42 checks cleanly).
//!
//! Counters are bumped where things happen (a ticket, a search, a screen); gauges that describe
//! the machine (memory, disk, staleness) are sampled by `health` just before each scrape or push.
//! Label values come from fixed sets (screen names, reasons, outcomes), never from input.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every metric the kiosk exports. Names and meanings are listed in `ops/README.md`.
pub struct Metrics {
    registry: Registry,
    /// 1, labelled with the firmware version.
    pub build_info: IntGaugeVec,
    /// 1, labelled with the running content version and generation.
    pub content_info: IntGaugeVec,
    /// 1, labelled with the newest content version the repository offered at the last check.
    pub content_available_info: IntGaugeVec,
    /// Unix time of the last successful update check / install.
    pub update_last_check: Gauge,
    pub update_last_install: Gauge,
    /// Failed checks, by reason: network, verification, disk, install, other.
    pub update_failures: IntCounterVec,
    /// Seconds since a successful check last confirmed the content current (since the running
    /// content was built, before any check).
    pub content_staleness: Gauge,
    pub process_start_time: Gauge,
    pub resident_memory: Gauge,
    /// Starts of the kiosk by why the previous run ended: clean, crash, watchdog. Kept across
    /// restarts in DATA/health/restarts.json.
    pub restarts: IntCounterVec,
    pub data_free: Gauge,
    pub data_size: Gauge,
    /// Per thermal zone whose type looks like a CPU; absent where no zone exists.
    pub cpu_temperature: GaugeVec,
    /// Time to draw one frame (where frames pass through the kiosk's hands: headless runs,
    /// screenshots; the device's linuxkms backend draws out of reach).
    pub frame_seconds: Histogram,
    /// How late the UI loop's probe fired while a resident was using the kiosk (every backend;
    /// see `ui::lag_probe`).
    pub ui_loop_lag_seconds: Histogram,
    pub touch_panel_present: IntGauge,
    pub touch_last_event: Gauge,
    /// Finger-downs and raw evdev events.
    pub touch_contacts: IntCounter,
    pub touch_events: IntCounter,
    /// 1 when no touch came for the configured hours of opening time.
    pub touch_silent_alarm: IntGauge,
    /// 1 during the hall's opening hours (from the queue services' hours).
    pub hall_open: IntGauge,
    pub printer_online: IntGauge,
    pub printer_paper_near_end: IntGauge,
    pub printer_paper_out: IntGauge,
    pub printer_cover_open: IntGauge,
    /// 0 when the link cannot answer status requests (the four above then mean nothing).
    pub printer_status_known: IntGauge,
    /// Tickets by outcome: printed, print_failed (shown on screen instead), screen_only.
    pub tickets: IntCounterVec,
    pub screens_shown: IntCounterVec,
    /// 1 for the screen on display, 0 for the others shown since start.
    pub current_screen: IntGaugeVec,
    pub searches: IntCounter,
    /// Residents' 呼叫工作人员 (a tap that joins an unanswered call does not count): what the
    /// fleet's KioskStaffCalled alert pages the hall with.
    pub staff_calls: IntCounter,
    /// Errors a resident could not fix, by component (see [`super::fault`]).
    pub errors: IntCounterVec,
    /// 0 ok, 1 degraded, 2 failing (as `/healthz` says).
    pub health_status: IntGauge,
}

/// Unix time now, in seconds (what timestamp gauges hold).
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Buckets for times a resident feels as one frame: 16 ms is 60 fps, 33 ms 30 fps.
const FRAME_BUCKETS: [f64; 10] = [0.002, 0.004, 0.008, 0.016, 0.033, 0.05, 0.1, 0.25, 0.5, 1.0];

/// The process's metrics, created on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        fn reg<C: prometheus::core::Collector + Clone + 'static>(r: &Registry, c: C) -> C {
            r.register(Box::new(c.clone())).expect("metric names are unique");
            c
        }
        let gauge = |name: &str, help: &str| reg(&registry, Gauge::new(name, help).unwrap());
        let int_gauge = |name: &str, help: &str| reg(&registry, IntGauge::new(name, help).unwrap());
        let counter = |name: &str, help: &str| reg(&registry, IntCounter::new(name, help).unwrap());
        let int_gauge_vec = |name: &str, help: &str, labels: &[&str]| {
            reg(&registry, IntGaugeVec::new(Opts::new(name, help), labels).unwrap())
        };
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            reg(&registry, IntCounterVec::new(Opts::new(name, help), labels).unwrap())
        };
        Metrics {
            build_info: int_gauge_vec("kiosk_build_info", "Firmware version.", &["version"]),
            content_info: int_gauge_vec(
                "kiosk_content_info",
                "Running content version and store generation.",
                &["version", "generation"],
            ),
            content_available_info: int_gauge_vec(
                "kiosk_content_available_info",
                "Newest content version the repository offered at the last check.",
                &["version"],
            ),
            update_last_check: gauge(
                "kiosk_update_last_check_timestamp_seconds",
                "Unix time of the last successful update check.",
            ),
            update_last_install: gauge(
                "kiosk_update_last_install_timestamp_seconds",
                "Unix time of the last installed content update.",
            ),
            update_failures: counter_vec(
                "kiosk_update_failures_total",
                "Failed update checks by reason.",
                &["reason"],
            ),
            content_staleness: gauge(
                "kiosk_content_staleness_seconds",
                "Seconds since a successful check last confirmed the content is current.",
            ),
            process_start_time: gauge(
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
            ),
            resident_memory: gauge(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
            ),
            restarts: counter_vec(
                "kiosk_restarts_total",
                "Kiosk starts by how the previous run ended (clean, crash, watchdog).",
                &["reason"],
            ),
            data_free: gauge("kiosk_data_free_bytes", "Free bytes on the data partition."),
            data_size: gauge("kiosk_data_size_bytes", "Size of the data partition in bytes."),
            cpu_temperature: reg(
                &registry,
                GaugeVec::new(
                    Opts::new("kiosk_cpu_temperature_celsius", "CPU temperature."),
                    &["zone"],
                )
                .unwrap(),
            ),
            frame_seconds: reg(
                &registry,
                Histogram::with_opts(
                    HistogramOpts::new("kiosk_frame_seconds", "Time to draw one frame.")
                        .buckets(FRAME_BUCKETS.to_vec()),
                )
                .unwrap(),
            ),
            ui_loop_lag_seconds: reg(
                &registry,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "kiosk_ui_loop_lag_seconds",
                        "How late the UI loop answered a 100 ms probe during a session.",
                    )
                    .buckets(FRAME_BUCKETS.to_vec()),
                )
                .unwrap(),
            ),
            touch_panel_present: int_gauge(
                "kiosk_touch_panel_present",
                "1 when a touchscreen input device is open.",
            ),
            touch_last_event: gauge(
                "kiosk_touch_last_event_timestamp_seconds",
                "Unix time of the last touch event.",
            ),
            touch_contacts: counter("kiosk_touch_contacts_total", "Finger-downs on the panel."),
            touch_events: counter("kiosk_touch_events_total", "Input events from the panel."),
            touch_silent_alarm: int_gauge(
                "kiosk_touch_silent_alarm",
                "1 when no touch came for the configured hours of opening time.",
            ),
            hall_open: int_gauge("kiosk_hall_open", "1 during the hall's opening hours."),
            printer_online: int_gauge("kiosk_printer_online", "1 when the printer answers."),
            printer_paper_near_end: int_gauge(
                "kiosk_printer_paper_near_end",
                "1 when the paper roll is near its end.",
            ),
            printer_paper_out: int_gauge("kiosk_printer_paper_out", "1 when paper is out."),
            printer_cover_open: int_gauge("kiosk_printer_cover_open", "1 when the cover is open."),
            printer_status_known: int_gauge(
                "kiosk_printer_status_known",
                "1 when the printer link reports its status.",
            ),
            tickets: counter_vec(
                "kiosk_tickets_total",
                "Queue tickets by outcome (printed, print_failed, screen_only).",
                &["outcome"],
            ),
            screens_shown: counter_vec(
                "kiosk_screens_shown_total",
                "Screens shown by name.",
                &["screen"],
            ),
            current_screen: int_gauge_vec(
                "kiosk_current_screen",
                "1 for the screen on display.",
                &["screen"],
            ),
            searches: counter("kiosk_searches_total", "Searches run."),
            staff_calls: counter(
                "kiosk_staff_calls_total",
                "Residents' calls for staff at the kiosk (呼叫工作人员).",
            ),
            errors: counter_vec(
                "kiosk_errors_total",
                "Errors a resident could not fix, by component.",
                &["component"],
            ),
            health_status: int_gauge(
                "kiosk_health_status",
                "0 ok, 1 degraded, 2 failing (as /healthz reports).",
            ),
            registry,
        }
    }

    /// The exposition text of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding into a Vec cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }

    /// Records a screen change: counts it and moves the current-screen marker.
    pub fn screen_shown(&self, previous: Option<&str>, screen: &str) {
        self.screens_shown.with_label_values(&[screen]).inc();
        if let Some(p) = previous {
            self.current_screen.with_label_values(&[p]).set(0);
        }
        self.current_screen.with_label_values(&[screen]).set(1);
    }

    /// Sets an info metric's single series (drops the old label values).
    pub fn set_info(vec: &IntGaugeVec, labels: &[&str]) {
        vec.reset();
        vec.with_label_values(labels).set(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_text_format() {
        let m = metrics();
        m.searches.inc();
        m.screen_shown(None, "home");
        m.screen_shown(Some("home"), "search");
        let text = m.render();
        assert!(text.contains("# TYPE kiosk_searches_total counter"), "{text}");
        assert!(text.contains("kiosk_current_screen{screen=\"home\"} 0"), "{text}");
        assert!(text.contains("kiosk_current_screen{screen=\"search\"} 1"), "{text}");
        assert!(text.contains("kiosk_frame_seconds_bucket{le=\"0.016\"}"), "{text}");
    }
}

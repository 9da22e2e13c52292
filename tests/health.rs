//! Health for operators, end to end with their real tools:
//!
//! - a headless kiosk (`kiosk run --headless`, a real touch recording replayed as its panel, a
//!   loopback printer) serves `/metrics` that `promtool check metrics` accepts and `/healthz`;
//!   a real Prometheus scrapes it and PromQL finds the series; a real Pushgateway receives its
//!   push; the acting endpoints refuse without the token; kill -9 counts as a crash restart,
//!   SIGTERM as a clean one;
//! - the alert rules pass `promtool test rules` (`ops/check-ops`);
//! - the systemd watchdog: with the UI loop stalled, pings stop (a fake notify socket).

mod support;

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::nginx::free_port;
use support::printer::{Behaviour, LoopbackPrinter};
use support::prom::{self, http};

const TOKEN: &str = "test-token-0123456789";

/// A headless kiosk process; killed when dropped.
struct Kiosk {
    child: Child,
    port: u16,
    config: PathBuf,
}

impl Kiosk {
    fn start(config: &Path, port: u16, replay: Option<&Path>) -> Kiosk {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        cmd.args(["--config", config.to_str().unwrap(), "run", "--headless"])
            .env_remove("KIOSK_CONFIG")
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env("RUST_BACKTRACE", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(r) = replay {
            cmd.args(["--touch-replay", r.to_str().unwrap(), "--replay-speed", "4"]);
        }
        let child = cmd.spawn().unwrap();
        prom::wait_http(port, "/metrics");
        Kiosk { child, port, config: config.to_owned() }
    }

    fn metrics(&self) -> String {
        let (status, body) = http("GET", self.port, "/metrics", None).unwrap();
        assert_eq!(status, 200);
        String::from_utf8(body).unwrap()
    }

    /// The value of one series line (`name{labels}` exactly as exposed).
    fn value(&self, series: &str) -> Option<f64> {
        prom::series_value(&self.metrics(), series)
    }

    fn restart(mut self, signal: &str) -> Kiosk {
        // libc, not kill(1): a minimal Debian has no procps.
        let sig = if signal == "-TERM" { libc::SIGTERM } else { libc::SIGKILL };
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, sig) }, 0);
        let status = self.child.wait().unwrap();
        if signal == "-TERM" {
            assert!(status.success(), "SIGTERM must end the kiosk cleanly: {status:?}");
        }
        Kiosk::start(&self.config, self.port, None)
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_headless_kiosk_is_scraped_pushed_and_guarded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support::copy_dir(support::demo_store(), &data);
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let gateway = prom::pushgateway();
    let port = free_port();
    let config = tmp.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {data:?}\nspeech = false\nprinter = \"{}\"\n[health]\nlisten = \"127.0.0.1:{port}\"\ntoken = \"{TOKEN}\"\npush_url = \"http://127.0.0.1:{}\"\npush_instance = \"test-kiosk\"\npush_interval_secs = 10\n",
            printer.url(),
            gateway.port
        ),
    )
    .unwrap();
    let recording =
        support::shared_data().join("touch/atmel-maxtouch.2-fingers-touch-release.events");
    let kiosk = Kiosk::start(&config, port, Some(&recording));

    // /metrics: what promtool accepts, with the running content and the replayed touches.
    let text = kiosk.metrics();
    prom::promtool_check_metrics(&text).unwrap_or_else(|e| panic!("promtool: {e}\n{text}"));
    let version = kiosk::content::Store::open(&data).unwrap().info().content_version.clone();
    assert!(
        text.contains(&format!("kiosk_content_info{{generation=\"1\",version=\"{version}\"}} 1")),
        "{text}"
    );
    assert_eq!(kiosk.value("kiosk_restarts_total{reason=\"clean\"}"), Some(1.0));
    // The recording has two finger-downs (two fingers touch, both release) in 64 events.
    // (Metrics text is reused for a second, so both are read from one exposition.)
    wait_until("the replayed touches are counted", 30, || {
        let text = kiosk.metrics();
        text.contains("\nkiosk_touch_contacts_total 2\n")
            && text.contains("\nkiosk_touch_events_total 64\n")
    });
    assert!(kiosk.value("kiosk_frame_seconds_count").unwrap() >= 1.0, "no frame drawn");
    // The touches started the UI loop's lag probe (100 ms ticks for 10 s after a touch).
    wait_until("the UI loop's lag probe reports", 30, || {
        kiosk.value("kiosk_ui_loop_lag_seconds_count").unwrap_or(0.0) >= 3.0
    });

    // /healthz: JSON with a verdict and reasons.
    let (status, body) = http("GET", port, "/healthz", None).unwrap();
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(["ok", "degraded"].contains(&health["status"].as_str().unwrap()), "{health}");
    assert_eq!(health["content_version"], version.as_str());

    // Acting endpoints: no token, a wrong token → 401; the right one works.
    for (method, path) in
        [("GET", "/screenshot.png"), ("POST", "/sync-now"), ("POST", "/printer-test")]
    {
        assert_eq!(http(method, port, path, None).unwrap().0, 401, "{path} without a token");
        assert_eq!(http(method, port, path, Some("wrong-token-0123456789")).unwrap().0, 401);
    }
    assert_eq!(printer.job_count(), 0, "a refused request printed something");
    let (status, png) = http("GET", port, "/screenshot.png", Some(TOKEN)).unwrap();
    assert_eq!(status, 200);
    let shot = image::load_from_memory(&png).unwrap();
    assert_eq!((shot.width(), shot.height()), (1080, 1920));
    let (status, body) = http("POST", port, "/printer-test", Some(TOKEN)).unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(printer.job_count(), 1);
    wait_until("the printer's answer reaches the metrics", 10, || {
        let text = kiosk.metrics();
        text.contains("\nkiosk_printer_online 1\n")
            && text.contains("\nkiosk_printer_status_known 1\n")
    });
    // No repository configured: sync-now says so (with the token), and nothing breaks.
    let (status, body) = http("POST", port, "/sync-now", Some(TOKEN)).unwrap();
    assert_eq!(status, 500);
    assert!(String::from_utf8_lossy(&body).contains("no update_source"));

    // A real Prometheus scrapes it; PromQL finds the series.
    let prometheus = prom::prometheus(&format!("127.0.0.1:{port}"));
    wait_until("Prometheus scrapes the kiosk", 60, || {
        let r = prom::query(prometheus.port, "kiosk_content_info");
        r.as_array().is_some_and(|a| a.len() == 1 && a[0]["metric"]["version"] == version.as_str())
    });
    let up = prom::query(prometheus.port, "up{job=\"kiosk\"}");
    assert_eq!(up[0]["value"][1], "1", "{up}");
    let touches = prom::query(prometheus.port, "kiosk_touch_contacts_total");
    assert_eq!(touches[0]["value"][1], "2", "{touches}");

    // The push reached the Pushgateway, grouped by job and instance.
    wait_until("the push reaches the Pushgateway", 30, || {
        http("GET", gateway.port, "/metrics", None).is_ok_and(|(_, b)| {
            String::from_utf8_lossy(&b).lines().any(|l| {
                l.starts_with("kiosk_content_info{")
                    && l.contains("instance=\"test-kiosk\"")
                    && l.contains("job=\"kiosk\"")
                    && l.contains(&version)
            })
        })
    });

    // kill -9 is a crash restart; SIGTERM then a clean one.
    let kiosk = kiosk.restart("-KILL");
    assert_eq!(kiosk.value("kiosk_restarts_total{reason=\"crash\"}"), Some(1.0));
    let kiosk = kiosk.restart("-TERM");
    assert_eq!(kiosk.value("kiosk_restarts_total{reason=\"clean\"}"), Some(2.0));
    assert_eq!(kiosk.value("kiosk_restarts_total{reason=\"crash\"}"), Some(1.0));
}

#[test]
fn alert_rules_and_dashboard_pass_promtool() {
    let out = Command::new("bash").arg(support::repo().join("ops/check-ops")).output().unwrap();
    assert!(
        out.status.success(),
        "ops/check-ops failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("SUCCESS"), "promtool test rules did not run: {said}");
}

/// The real UI loop (the headless platform's) with a controller on the demo store; a job posted
/// to it sleeps past the stall limit. systemd's watchdog pings must stop while it sleeps.
#[test]
fn watchdog_pings_stop_while_the_ui_loop_is_stalled() {
    use kiosk::app::config::Config;
    use kiosk::ui::controller::Controller;
    use slint::ComponentHandle;

    let tmp = tempfile::tempdir().unwrap();
    let socket_path = tmp.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    // What systemd sets for a Type=notify unit with WatchdogSec=1.
    std::env::set_var("NOTIFY_SOCKET", &socket_path);
    std::env::set_var("WATCHDOG_USEC", "1000000");
    std::env::set_var("WATCHDOG_PID", std::process::id().to_string());

    let _headless = kiosk::ui::headless::Headless::install(1080, 1920).unwrap();
    let config =
        Config { data_dir: support::demo_store().to_owned(), speech: false, ..Config::default() };
    let ctrl = Controller::new(
        kiosk::ui::AppWindow::new().unwrap(),
        kiosk::content::Store::open(&config.data_dir).unwrap(),
        &config,
    );
    ctrl.window().show().unwrap();
    assert!(kiosk::health::watchdog::spawn().is_some(), "the watchdog did not see WATCHDOG_USEC");

    // Collects what arrives on the socket, with arrival times.
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Instant, String)>::new()));
    let log = received.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        loop {
            if let Ok(n) = socket.recv(&mut buf) {
                log.lock()
                    .unwrap()
                    .push((Instant::now(), String::from_utf8_lossy(&buf[..n]).into()));
            }
        }
    });
    // 3 s alive, then the UI thread blocks for 14 s (past the 10 s stall limit), then it
    // recovers and the loop quits 3 s later.
    let started = Instant::now();
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(3));
        slint::invoke_from_event_loop(|| std::thread::sleep(Duration::from_secs(14))).unwrap();
        std::thread::sleep(Duration::from_secs(16));
        slint::quit_event_loop().unwrap();
    });
    slint::run_event_loop().unwrap();
    drop(ctrl);

    let pings: Vec<f64> = received
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, m)| m.contains("WATCHDOG=1"))
        .map(|(at, _)| at.duration_since(started).as_secs_f64())
        .collect();
    let during = |from: f64, to: f64| pings.iter().filter(|t| (from..to).contains(*t)).count();
    assert!(during(0.0, 3.0) >= 4, "no pings while the UI loop ran: {pings:?}");
    // The loop blocks from 3 s; its last promise (10 s) runs out by 13 s; it wakes at 17 s.
    assert_eq!(during(13.6, 16.9), 0, "pings went on while the UI loop was stalled: {pings:?}");
    assert!(during(17.5, 19.0) >= 1, "pings did not resume after the stall: {pings:?}");
}

/// The dead-panel alarm counts opening hours only (the demo hall: 08:30–12:00, 14:00–17:30),
/// and a touch starts it over. Samples every 10 minutes of hall time, as the sampler's clock.
#[test]
fn the_touch_alarm_counts_opening_hours_only() {
    use chrono::NaiveDateTime;
    use kiosk::health::sample::Sampler;
    let m = kiosk::observe::metrics();
    m.touch_panel_present.set(1);
    let mut sampler = Sampler::new(support::demo_store().to_owned(), 4);
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let mut walk = |from: &str, to: &str| {
        let (mut t, end) = (at(from), at(to));
        let mut last = None;
        while t <= end {
            last = Some(sampler.sample_at(t));
            t += chrono::Duration::minutes(10);
        }
        last.unwrap()
    };
    // Monday 08:30 → 17:30: 7 h open, nothing touched; the alarm is up after 4 h of opening.
    let s = walk("2026-11-23 08:30", "2026-11-23 12:00");
    assert!(!s.touch_silent_alarm, "3.5 h of opening time is not yet 4 h");
    let s = walk("2026-11-23 12:10", "2026-11-23 14:20");
    assert!(!s.touch_silent_alarm, "the lunch break counted as opening time");
    let s = walk("2026-11-23 14:30", "2026-11-23 15:00");
    assert!(s.touch_silent_alarm, "4 h of opening time without a touch");
    assert_eq!(m.touch_silent_alarm.get(), 1);
    // A touch clears it; the night does not count.
    m.touch_last_event.set(kiosk::observe::metrics::unix_now());
    let s = walk("2026-11-23 15:10", "2026-11-23 17:30");
    assert!(!s.touch_silent_alarm);
    let s = walk("2026-11-23 17:40", "2026-11-24 09:30");
    assert!(!s.touch_silent_alarm, "the night counted as opening time");
    let s = walk("2026-11-24 09:40", "2026-11-24 11:30");
    assert!(s.touch_silent_alarm, "2 h 20 min on Monday + 2 h 50 min on Tuesday of opening time");
}

/// evemu lines for two fingers held in opposite corners of the Atmel panel (800×480) for
/// `hold_ms`, wobbling a pixel every 100 ms as real fingers do, then lifted.
fn corner_hold(hold_ms: u64) -> String {
    let mut out = String::from("# EVEMU 1.3\n# synthesised: a technician's two-corner hold\n");
    let mut e = |ms: u64, kind: u16, code: u16, value: i32| {
        out.push_str(&format!(
            "E: {}.{:06} {kind:04x} {code:04x} {value}\n",
            ms / 1000,
            (ms % 1000) * 1000
        ));
    };
    let (abs, syn, slot, id, x, y) = (3, 0, 0x2f, 0x39, 0x35, 0x36);
    for (s, (px, py)) in [(0, (12, 10)), (1, (788, 470))] {
        e(1, abs, slot, s);
        e(1, abs, id, 100 + s);
        e(1, abs, x, px);
        e(1, abs, y, py);
    }
    e(1, 1, 0x14a, 1);
    e(1, syn, 0, 0);
    let mut t = 100;
    while t < hold_ms {
        let wobble = (t / 100 % 2) as i32;
        e(t, abs, slot, 0);
        e(t, abs, x, 12 + wobble);
        e(t, abs, slot, 1);
        e(t, abs, x, 788 - wobble);
        e(t, syn, 0, 0);
        t += 100;
    }
    for s in [0, 1] {
        e(hold_ms, abs, slot, s);
        e(hold_ms, abs, id, -1);
    }
    e(hold_ms, 1, 0x14a, 0);
    e(hold_ms, syn, 0, 0);
    out
}

/// The technician gesture, replayed as the panel of a running headless kiosk: a 3.5 s hold in
/// two opposite corners opens the PIN pad; the same hold for 0.4 s does not.
#[test]
fn the_corner_hold_opens_the_technician_page() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    support::copy_dir(support::demo_store(), &data);
    let desc = support::shared_data().join("touch/atmel-maxtouch.desc");
    std::fs::copy(&desc, tmp.path().join("synth.desc")).unwrap();
    for (name, hold) in [("synth.tap.events", 400), ("synth.hold.events", 3500)] {
        std::fs::write(tmp.path().join(name), corner_hold(hold)).unwrap();
    }
    let port = free_port();
    let config = tmp.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {data:?}\nspeech = false\n[health]\nlisten = \"127.0.0.1:{port}\"\ntechnician_pin = \"2468\"\n"
        ),
    )
    .unwrap();
    let on_technician =
        |k: &Kiosk| k.value("kiosk_current_screen{screen=\"technician\"}") == Some(1.0);

    let tap = Kiosk::start(&config, port, Some(&tmp.path().join("synth.tap.events")));
    wait_until("the short hold is replayed", 20, || {
        tap.value("kiosk_touch_contacts_total") == Some(2.0)
            && tap.value("kiosk_touch_panel_present") == Some(0.0)
    });
    // Past the second the metrics text is reused for.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!on_technician(&tap), "a 0.4 s corner press opened the technician page");
    drop(tap);

    let hold = Kiosk::start(&config, port, Some(&tmp.path().join("synth.hold.events")));
    // Replayed at 4× speed: the 3 s hold completes after 0.75 s.
    wait_until("the corner hold opens the technician page", 20, || on_technician(&hold));
}

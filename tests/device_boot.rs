//! The firmware where it is meant to run: the device build (Slint's linuxkms backend, software
//! renderer, touch through libinput, no seat manager) boots under QEMU on emulated kiosk
//! hardware — Debian's kernel, virtio-gpu as the panel's display, virtio-multitouch as its touch
//! panel, udev — and is driven by touch:
//!
//! - boot; wait for the kiosk's "first frame drawn" on the serial console; the screen (QMP
//!   `screendump`) matches the headless `kiosk screenshot` of home;
//! - a finger taps the 办事指南 tile (QMP multitouch events, through the kernel's evdev and
//!   libinput): the guides list is on screen, and the kiosk's /metrics (forwarded out of the
//!   guest) counts the tap through its own evdev reader, with the UI loop's lag; with nobody
//!   touching, the kiosk returns home;
//! - five boots, every one must reach its first frame and show home (100 % is the bar);
//! - the panel mounted turned (portrait picture on a 1920×1080 landscape panel,
//!   SLINT_KMS_ROTATION=90 plus the image's libinput calibration rule): the picture is the
//!   portrait screen turned, and a tap where the tile is seen lands on that tile.
//!
//! The image is assembled by `tools/make-boot-image` from this test build's kiosk binary, which
//! `tools/test-all` builds with `--features device` next to the desktop one: Slint tries winit
//! first, finds no display in the guest and takes linuxkms — the device build's backend, DRM
//! path and libinput touch. (A second, device-only build would cost CI 13 more minutes; clippy
//! checks that configuration, and meta-kiosk builds it.) Without the feature these tests are
//! ignored, and say so.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use image::RgbaImage;
use serde_json::{json, Value};

/// Portrait panel, as the kiosk's default orientation.
const PORTRAIT: (u32, u32) = (1080, 1920);
/// The 办事指南 tile's centre on the portrait home screen (second row, left column, below
/// the 我遇到了… banner).
const GUIDES_TILE: (u32, u32) = (281, 1030);
/// TCG emulates every instruction: a boot plus the first software-rendered frame takes a while.
const FIRST_FRAME_WITHIN: Duration = Duration::from_secs(300);
/// The guest's idle time-out plus its prompt (see `make-boot-image`'s kiosk.toml), with slack.
const IDLE_RETURN_WITHIN: Duration = Duration::from_secs(90);

/// `target/boot/{vmlinuz,initrd.img}`, assembled once per test run.
fn boot_image() -> &'static Path {
    static IMAGE: OnceLock<PathBuf> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let repo = support::repo();
        let out = Command::new("bash")
            .arg(repo.join("tools/make-boot-image"))
            .arg(env!("CARGO_BIN_EXE_kiosk"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "make-boot-image: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        repo.join("target/boot")
    })
}

/// One emulated kiosk: QEMU with the serial console read line by line and a QMP socket.
struct Machine {
    qemu: Child,
    console: Receiver<String>,
    log: Vec<String>,
    qmp: BufReader<UnixStream>,
    dir: tempfile::TempDir,
    panel: (u32, u32),
    /// The host port forwarded to the kiosk's health endpoint.
    metrics_port: u16,
}

impl Machine {
    fn boot(panel: (u32, u32), rotation: u32) -> Machine {
        let image = boot_image();
        let dir = tempfile::tempdir().unwrap();
        let qmp_path = dir.path().join("qmp.sock");
        let metrics_port = support::nginx::free_port();
        let mut qemu = Command::new("qemu-system-x86_64")
            .args(["-accel", "tcg", "-m", "1024", "-smp", "2", "-no-reboot"])
            // The health endpoint, forwarded to a host port (no ROM: the kernel is given).
            .arg("-netdev")
            .arg(format!("user,id=net0,hostfwd=tcp:127.0.0.1:{metrics_port}-10.0.2.15:9898"))
            .args(["-device", "virtio-net-pci,netdev=net0,romfile="])
            .args(["-display", "none", "-vga", "none", "-monitor", "none", "-serial", "stdio"])
            .arg("-kernel")
            .arg(image.join("vmlinuz"))
            .arg("-initrd")
            .arg(image.join("initrd.img"))
            .arg("-append")
            .arg(format!("console=ttyS0 quiet panic=-1 kiosk.rotation={rotation}"))
            .arg("-device")
            .arg(format!("virtio-gpu-pci,xres={},yres={}", panel.0, panel.1))
            .args(["-device", "virtio-multitouch-pci"])
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp_path.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("qemu-system-x86_64 (tools/setup-debian --tests installs it)");
        let (tx, console) = mpsc::channel();
        let stdout = qemu.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match UnixStream::connect(&qmp_path) {
                Ok(s) => break s,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("QMP socket: {e}"),
            }
        };
        let mut machine = Machine {
            qemu,
            console,
            log: Vec::new(),
            qmp: BufReader::new(stream),
            dir,
            panel,
            metrics_port,
        };
        machine.read_qmp(); // the greeting
        machine.qmp("qmp_capabilities", json!({}));
        machine
    }

    fn read_qmp(&mut self) -> Value {
        loop {
            let mut line = String::new();
            assert!(self.qmp.read_line(&mut line).unwrap() > 0, "QMP closed");
            let v: Value = serde_json::from_str(&line).unwrap();
            if v.get("event").is_none() {
                return v;
            }
        }
    }

    fn qmp(&mut self, command: &str, arguments: Value) -> Value {
        let msg = json!({ "execute": command, "arguments": arguments }).to_string() + "\n";
        self.qmp.get_mut().write_all(msg.as_bytes()).unwrap();
        let reply = self.read_qmp();
        assert!(reply.get("error").is_none(), "QMP {command}: {reply}");
        reply
    }

    /// Waits for a console line containing `needle`; the whole console is in the panic message.
    fn wait_for_console(&mut self, needle: &str, within: Duration) -> Duration {
        let start = Instant::now();
        while start.elapsed() < within {
            match self.console.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.log.push(line);
                    if found {
                        return start.elapsed();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("no {needle:?} on the console within {within:?}:\n{}", self.log.join("\n"));
    }

    fn screendump(&mut self) -> RgbaImage {
        let path = self.dir.path().join("screen.png");
        let _ = std::fs::remove_file(&path);
        self.qmp("screendump", json!({ "filename": path, "format": "png" }));
        image::open(&path).unwrap().to_rgba8()
    }

    /// A one-finger tap at `(x, y)` in panel pixels, through the virtio multitouch panel.
    fn tap(&mut self, x: u32, y: u32) {
        // QEMU's absolute axes run 0..=0x7fff across the panel.
        let scale = |v: u32, size: u32| (v as u64 * 0x7fff / (size as u64 - 1)) as i64;
        let mtt = |kind: &str, tracking: i64, axis: &str, value: i64| {
            json!({ "type": "mtt", "data": { "type": kind, "slot": 0, "tracking-id": tracking,
                                              "axis": axis, "value": value } })
        };
        let (px, py) = (scale(x, self.panel.0), scale(y, self.panel.1));
        self.qmp(
            "input-send-event",
            json!({ "events": [mtt("begin", 7, "x", 0), mtt("data", 7, "x", px), mtt("data", 7, "y", py)] }),
        );
        std::thread::sleep(Duration::from_millis(120));
        self.qmp("input-send-event", json!({ "events": [mtt("end", -1, "x", 0)] }));
    }

    /// Polls the screen until it matches `want` (frames take a moment under emulation).
    fn wait_for_screen(&mut self, want: &RgbaImage, what: &str, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let got = self.screendump();
            let diff = difference(&got, want);
            if diff < MATCH {
                return start.elapsed();
            }
            if start.elapsed() > within {
                let keep = support::repo().join(format!("target/boot/failed-{what}.png"));
                got.save(&keep).unwrap();
                panic!(
                    "{what}: screen differs from the headless render in {:.1} % of pixels \
                     (kept as {}); console:\n{}",
                    diff * 100.0,
                    keep.display(),
                    self.drain_console()
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The kiosk's /metrics, read from outside the guest as an operator's Prometheus would.
    fn metrics(&self) -> String {
        let (status, body) = support::prom::http("GET", self.metrics_port, "/metrics", None)
            .unwrap_or_else(|e| panic!("/metrics from the guest: {e}"));
        assert_eq!(status, 200);
        String::from_utf8(body).unwrap()
    }

    fn drain_console(&mut self) -> String {
        while let Ok(line) = self.console.try_recv() {
            self.log.push(line);
        }
        self.log.join("\n")
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = self.qmp.get_mut().write_all(b"{\"execute\":\"quit\"}\n");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.qemu.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.qemu.kill();
        let _ = self.qemu.wait();
    }
}

/// Screens match when fewer than this share of pixels differ visibly: the home clock shows the
/// guest's time where the headless render pins 09:30, and nothing else may differ.
const MATCH: f64 = 0.02;

/// The share of pixels whose colour differs by more than a rounding step in any channel.
fn difference(a: &RgbaImage, b: &RgbaImage) -> f64 {
    if a.dimensions() != b.dimensions() {
        return 1.0;
    }
    let differing = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| p.0.iter().zip(q.0.iter()).take(3).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    differing as f64 / (a.width() * a.height()) as f64
}

/// The headless render of `screen` from the same content and configuration as the guest's.
fn headless(screen: &str) -> RgbaImage {
    let root = boot_image().join("root");
    let out = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(root.join("etc/kiosk.toml"))
        .args(["screenshot", "--screen", screen, "--store"])
        .arg(root.join("var/lib/kiosk"))
        .arg("--out")
        .arg(out.path())
        .env("KIOSK_LOG", "error")
        .status()
        .unwrap();
    assert!(status.success(), "kiosk screenshot --screen {screen}");
    image::open(out.path()).unwrap().to_rgba8()
}

#[test]
#[cfg_attr(not(feature = "device"), ignore = "needs the linuxkms backend: --features device")]
fn boots_to_home_and_answers_touch_five_times_in_five() {
    let home = headless("home");
    let guides = headless("guides");
    assert!(difference(&home, &guides) > 0.2, "home and the guides list must look different");
    let mut first_frames = Vec::new();
    for boot in 1..=5 {
        let mut machine = Machine::boot(PORTRAIT, 0);
        let first = machine.wait_for_console("first frame drawn", FIRST_FRAME_WITHIN);
        machine.wait_for_screen(&home, &format!("boot {boot} home"), Duration::from_secs(30));
        first_frames.push(first);
        if boot == 1 {
            machine.tap(GUIDES_TILE.0, GUIDES_TILE.1);
            let answered =
                machine.wait_for_screen(&guides, "tap on 办事指南", Duration::from_secs(30));
            // The health side on the device (issue 10): the real evdev panel is found and counts
            // the tap, the UI-loop probe reports, the screen is named.
            let metrics = machine.metrics();
            let value = |series: &str| -> f64 {
                support::prom::series_value(&metrics, series)
                    .unwrap_or_else(|| panic!("{series} missing:\n{metrics}"))
            };
            assert_eq!(value("kiosk_touch_panel_present"), 1.0);
            assert!(value("kiosk_touch_contacts_total") >= 1.0, "the tap, seen through evdev");
            assert!(value("kiosk_ui_loop_lag_seconds_count") >= 1.0);
            assert_eq!(value("kiosk_current_screen{screen=\"guides\"}"), 1.0);
            println!(
                "device metrics: {} contacts, {} lag samples ({:.1} ms mean under TCG)",
                value("kiosk_touch_contacts_total"),
                value("kiosk_ui_loop_lag_seconds_count"),
                value("kiosk_ui_loop_lag_seconds_sum") / value("kiosk_ui_loop_lag_seconds_count")
                    * 1e3
            );
            let back = machine.wait_for_screen(&home, "idle return home", IDLE_RETURN_WITHIN);
            println!("boot 1: tap answered within {answered:.1?}, idle home after {back:.1?}");
        }
    }
    println!("5 of 5 boots reached home; first frame after {first_frames:.1?} (emulated, TCG)");
}

#[test]
#[cfg_attr(not(feature = "device"), ignore = "needs the linuxkms backend: --features device")]
fn a_panel_mounted_turned_shows_the_picture_turned_and_taps_land() {
    let home = headless("home");
    let guides = headless("guides");
    // Portrait content on a landscape panel: the picture turned a quarter clockwise.
    let panel = (PORTRAIT.1, PORTRAIT.0);
    let mut machine = Machine::boot(panel, 90);
    machine.wait_for_console("first frame drawn", FIRST_FRAME_WITHIN);
    let turned_home = image::imageops::rotate90(&home);
    machine.wait_for_screen(&turned_home, "turned home", Duration::from_secs(30));
    // Where the resident sees the tile on the turned panel.
    let (x, y) = (PORTRAIT.1 - 1 - GUIDES_TILE.1, GUIDES_TILE.0);
    machine.tap(x, y);
    let turned_guides = image::imageops::rotate90(&guides);
    machine.wait_for_screen(&turned_guides, "turned tap on 办事指南", Duration::from_secs(30));
}

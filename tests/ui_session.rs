//! The session reset and the content switch, on Slint's testing backend:
//!
//! 1. A resident walks through every screen (reads, types, ticks, answers, takes a ticket); the
//!    idle reset then leaves every screen exactly as a fresh kiosk has it — compared screen by
//!    screen, so a screen that forgets to reset something fails here by name.
//! 2. A content update re-letters a queue service: the ticket desk follows it at once.
//! 3. With `queue_dir` configured, `kiosk queue list` sees the tickets the running kiosk issued.
//!
//! 4. Privacy: after that walk (a search, a ticket, a legal-aid check), nothing the resident
//!    typed or answered is in `/metrics`' text, the `/healthz` report or the log lines.
//!
//! 5. The technician gesture opens the PIN pad; while its fingers are down, the corner buttons
//!    (返回, 首页) do not take their release as a tap; a wrong PIN is refused, the right one
//!    unlocks, and the idle reset locks the page again.
//!
//! One test function: the testing backend is process-wide.

mod support;

use std::path::Path;
use std::rc::Rc;
use support::ui::wait_for_ticket;

use kiosk::app::config::Config;
use kiosk::content::{bundle, source::ContentSource, Store};
use kiosk::speech::RecordingSpeaker;
use kiosk::ui::controller::Controller;
use kiosk::ui::{AppWindow, Nav, Page, Queue};
use slint::{ComponentHandle, Model};
use support::printer::{Behaviour, LoopbackPrinter};

fn kiosk(config: &Config) -> Rc<Controller> {
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let ctrl = Controller::with_speaker(
        window,
        Store::open(&config.data_dir).unwrap(),
        config,
        RecordingSpeaker::default(),
    );
    ctrl.window().show().unwrap();
    ctrl.set_now(
        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M").unwrap(),
    );
    ctrl
}

fn config(data_dir: &Path, printer: Option<String>, queue_dir: &Path) -> Config {
    Config {
        data_dir: data_dir.to_owned(),
        here: Some("yl-center".into()),
        printer: printer.map(|p| p.parse().unwrap()),
        speech: false,
        queue_dir: Some(queue_dir.to_owned()),
        ..Config::default()
    }
}

/// Every log line of this process, as the kiosk would write them.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn reset_forgets_everything_and_the_desk_follows_content() {
    i_slint_backend_testing::init_no_event_loop();
    let logs = LogBuffer::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();

    // ---- 1. Every screen after an idle reset equals a fresh kiosk's ----------------------
    let fresh = kiosk(&config(support::demo_store(), Some(printer.url()), &tmp.path().join("q0")));
    let fresh_states = fresh.session_states();
    drop(fresh);
    let ctrl = kiosk(&config(support::demo_store(), Some(printer.url()), &tmp.path().join("q1")));
    support::ui::walk_every_screen(&ctrl);
    let walked = ctrl.session_states();
    assert_eq!(walked.len(), fresh_states.len());
    for ((name, state), (_, fresh)) in walked.iter().zip(&fresh_states) {
        // The walk reached every screen (home holds nothing of a resident).
        if *name != "home" {
            assert_ne!(
                state, fresh,
                "the walk left nothing on screen {name}: the test does not reach it"
            );
        }
    }
    // ---- 4. Nothing the resident typed or answered reaches metrics, health or logs --------
    let aid = ctrl.window().global::<kiosk::ui::AidCheck>();
    let personal = [
        "lihun".to_string(),
        "离婚".to_string(),
        "A001".to_string(),
        aid.get_headline().to_string(),
        aid.get_matters().row_data(2).map(|m| m.to_string()).unwrap_or_default(),
        aid.get_reasons().row_data(0).map(|r| r.to_string()).unwrap_or_default(),
    ];
    let metrics = kiosk::observe::metrics().render();
    let snapshot =
        kiosk::health::sample::Sampler::new(support::demo_store().to_owned(), 4).sample();
    let health = serde_json::to_string(&kiosk::health::report::assess(&snapshot, 0)).unwrap()
        + &serde_json::to_string(&snapshot).unwrap();
    let log = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(metrics.contains("kiosk_searches_total"), "the walk's searches are not counted");
    assert!(log.contains("ticket issued"), "the log saw nothing of the walk: {log}");
    for (what, text) in [("/metrics", &metrics), ("/healthz", &health), ("the log", &log)] {
        for p in personal.iter().filter(|p| !p.is_empty()) {
            assert!(
                !text.contains(p.as_str()),
                "{what} holds what the resident typed or answered: {p:?}"
            );
        }
    }

    ctrl.reset_session();
    assert_eq!(ctrl.window().global::<Nav>().get_page(), Page::Home);
    for ((name, state), (_, fresh)) in ctrl.session_states().iter().zip(&fresh_states) {
        assert_eq!(state, fresh, "screen {name} keeps a resident's session after the idle reset");
    }
    drop(ctrl);

    // ---- 2. A content update re-letters a service: the desk follows ---------------------
    let site = tmp.path().join("site");
    let data = support::build_and_install(false, &site);
    let queue_dir = tmp.path().join("q2");
    let ctrl = kiosk(&config(&data, Some(printer.url()), &queue_dir));
    let w = ctrl.window();
    let q = w.global::<Queue>();
    ctrl.open_queue(Some("A"));
    assert_eq!(q.get_selected(), "A");
    // The technician's update: 法律援助 is now served under L (and its guides say so).
    let content = tmp.path().join("content-v2");
    support::copy_dir(&support::repo().join("content"), &content);
    support::reletter_queue(&content, "A", "L");
    let src = ContentSource::load(&content, None).unwrap();
    bundle::build(&src, &site.join("bundle-v2"), Some("test-2")).unwrap();
    Store::install(&data, &site.join("bundle-v2")).unwrap();
    // The kiosk switches on the way home; the next resident takes an L ticket.
    w.global::<Nav>().invoke_home();
    ctrl.open_queue(Some("L"));
    assert_eq!(q.get_selected(), "L", "the desk still has the old services");
    assert!(q.get_services().iter().any(|s| s.letter == "L" && s.name == "法律援助"));
    q.invoke_confirm();
    wait_for_ticket(w);
    assert_eq!(q.get_code(), "L001");
    assert!(q.get_printed());

    // ---- 3. Staff list the tickets of the running kiosk's queue_dir ----------------------
    // The kiosk above is still running (its desk holds the issuer lock).
    let cfg = tmp.path().join("kiosk.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = {:?}\nqueue_dir = {:?}\n",
            data.display().to_string(),
            queue_dir.display().to_string()
        ),
    )
    .unwrap();
    // Staff's `kiosk queue …` beside the running kiosk: each must succeed.
    let kiosk_cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["--config", cfg.to_str().unwrap(), "queue"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kiosk queue {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = kiosk_cli(&["list", "--day", "2026-11-23"]);
    assert!(listed.contains("L001"), "the CLI does not see the kiosk's ticket: {listed:?}");
    // Calling uses today's date; the ticket was issued on the pinned day, so nobody waits today.
    kiosk_cli(&["call", "L"]);
    // 呼叫工作人员 at the running kiosk: staff see it with `queue status` and answer it.
    ctrl.window().global::<Queue>().invoke_call_staff();
    let status = kiosk_cli(&["status"]);
    assert!(status.contains("staff call 1 at 2026-11-23 09:30 from 取号排队"), "{status}");
    assert!(kiosk_cli(&["answer"]).contains("answered staff call 1"));
    assert!(!kiosk_cli(&["status"]).contains("staff call"), "answered calls are not listed");
    assert!(kiosk_cli(&["answer"]).contains("no open staff call"));
    drop(ctrl);

    // ---- 5. The technician gesture, the PIN and the corner buttons ------------------------
    let mut cfg = config(support::demo_store(), Some(printer.url()), &tmp.path().join("q3"));
    cfg.health.technician_pin = Some("2468".into());
    let ctrl = kiosk(&cfg);
    let w = ctrl.window();
    let (nav, tech) = (w.global::<Nav>(), w.global::<kiosk::ui::Technician>());
    ctrl.technician_gesture();
    assert_eq!(nav.get_page(), Page::Technician);
    nav.invoke_home();
    assert_eq!(nav.get_page(), Page::Technician, "the gesture's release tapped 首页");
    ctrl.fingers_lifted();
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(400));
    for d in ["1", "2", "3", "4"] {
        tech.invoke_digit(d.into());
    }
    assert!(!tech.get_unlocked());
    assert_eq!(tech.get_pin_message(), "密码错误");
    for d in ["2", "4", "6", "8"] {
        tech.invoke_digit(d.into());
    }
    assert!(tech.get_unlocked(), "the configured PIN did not unlock the page");
    assert!(tech.get_rows().row_count() > 5);
    ctrl.reset_session();
    assert!(!tech.get_unlocked(), "the idle reset left the technician page unlocked");
    ctrl.technician_gesture();
    ctrl.fingers_lifted();
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(400));
    nav.invoke_home();
    assert_eq!(nav.get_page(), Page::Home, "首页 stayed blocked after the fingers lifted");
    drop(ctrl);
}

//! The technician page: held open by two fingers in opposite corners (see
//! [`crate::input::gesture`]), behind the PIN from `[health] technician_pin`. Shows versions,
//! staleness, network, disk, printer, touch panel and recent errors; offers a content check,
//! rollback, a test print and a touch test. It is a page like any other: idle returns home and
//! locks it again.

use std::cell::RefCell;
use std::rc::Weak;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

use anyhow::Result;
use slint::{ComponentHandle, Timer, TimerMode};

use super::{on, strings, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::health::endpoint::SharedSampler;
use crate::health::report::{assess, Status};
use crate::health::sample::{unix_now, Sampler, Snapshot};
use crate::text::i18n::{tr, Language, Phrase};
use crate::ui::{AppWindow, Page, TechRow, Technician, TouchDot};
use crate::{phrase, zh};

/// Wrong PINs in a row before the pad locks for [`LOCKOUT`].
const MAX_TRIES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(300);
/// The touch test keeps this many dots (memory stays flat).
const MAX_DOTS: usize = 400;

#[derive(Debug, Default)]
struct State {
    pin: String,
    unlocked: bool,
    wrong: u32,
    locked_until: Option<std::time::Instant>,
    /// What the PIN pad says (a wrong PIN, the lockout).
    message: Option<Phrase>,
    action: Action,
    dots: Vec<(f32, f32)>,
}

/// The last action's line under the buttons, written in the page's language when shown.
#[derive(Debug, Default)]
enum Action {
    #[default]
    None,
    /// Under way: its `zh!` name.
    Running(&'static str),
    /// What it answered (the action's own words: versions, counts).
    Done(String),
    Failed(String),
}

impl Action {
    fn text(&self, language: Language) -> String {
        match self {
            Action::None => String::new(),
            Action::Running(name) => format!("{}…", tr(language, name)),
            Action::Done(line) => line.clone(),
            Action::Failed(e) => phrase!("失败：{}", e).text(language),
        }
    }
}

pub(crate) struct TechnicianScreen {
    state: RefCell<State>,
    rows: ListModel<TechRow>,
    errors: ListModel<slint::SharedString>,
    dots: ListModel<TouchDot>,
    /// A running action's answer, polled by `poll`.
    running: RefCell<Option<Receiver<Result<String>>>>,
    poll: Timer,
}

impl TechnicianScreen {
    /// The PIN pad (the gesture's target).
    pub(crate) fn open_pin_pad(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        self.present(k);
        k.go(Page::Technician);
    }

    fn digit(&self, k: &dyn Kiosk, d: &str) {
        let Some(pin) = k.config().health.technician_pin.clone() else { return };
        {
            let mut s = self.state.borrow_mut();
            if s.locked_until.is_some_and(|t| t > std::time::Instant::now()) {
                s.message = Some(phrase!("输入错误次数过多，请 5 分钟后再试"));
            } else if s.pin.len() < pin.len() {
                s.pin.push_str(d);
                s.message = None;
            }
            if s.pin.len() == pin.len() {
                if crate::sync::push::same(s.pin.as_bytes(), pin.as_bytes()) {
                    s.unlocked = true;
                    s.wrong = 0;
                    tracing::info!("technician page unlocked");
                } else {
                    s.wrong += 1;
                    s.message = Some(phrase!("密码错误"));
                    tracing::warn!(tries = s.wrong, "technician page: wrong PIN");
                    if s.wrong >= MAX_TRIES {
                        s.locked_until = Some(std::time::Instant::now() + LOCKOUT);
                        s.wrong = 0;
                    }
                }
                s.pin.clear();
            }
        }
        self.refresh(k);
    }

    /// Re-reads the kiosk's state into the page.
    fn refresh(&self, k: &dyn Kiosk) {
        if self.state.borrow().unlocked {
            let snap = match SharedSampler::installed() {
                Some(s) => s.snapshot(),
                None => {
                    Sampler::new(k.config().data_dir.clone(), k.config().health.touch_silent_hours)
                        .sample()
                }
            };
            self.show_snapshot(k, &snap);
        }
        self.present(k);
    }

    fn show_snapshot(&self, k: &dyn Kiosk, snap: &Snapshot) {
        self.rows.set(rows(snap, k.config(), k.language()));
        self.errors.set(strings(snap.faults.iter().rev().map(|f| {
            let at = chrono::DateTime::from_timestamp(f.at, 0)
                .map(|t| t.with_timezone(&chrono::Local).format("%m-%d %H:%M").to_string())
                .unwrap_or_default();
            format!("{at} {}: {}", f.component, f.message)
        })));
    }

    fn present(&self, k: &dyn Kiosk) {
        let s = self.state.borrow();
        let t = k.window().global::<Technician>();
        t.set_pin_length(s.pin.chars().count() as i32);
        let language = k.language();
        t.set_pin_message(s.message.as_ref().map(|m| m.text(language)).unwrap_or_default().into());
        t.set_unlocked(s.unlocked);
        t.set_action_message(s.action.text(language).into());
        t.set_busy(self.running.borrow().is_some());
        if !s.unlocked {
            self.rows.set(Vec::new());
            self.errors.set(Vec::new());
        }
        self.dots.set(s.dots.iter().map(|&(x, y)| TouchDot { x, y }).collect());
    }

    /// Runs `action` off the UI thread; its answer appears on the page.
    fn start(
        &self,
        k: &dyn Kiosk,
        label: &'static str,
        action: impl FnOnce() -> Result<String> + Send + 'static,
    ) {
        if self.running.borrow().is_some() || !self.state.borrow().unlocked {
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(action());
        });
        *self.running.borrow_mut() = Some(rx);
        self.state.borrow_mut().action = Action::Running(label);
        self.present(k);
        let me = k.me();
        self.poll.start(TimerMode::Repeated, Duration::from_millis(200), move || {
            if let Some(k) = me.upgrade() {
                k.screens().technician.collect(&*k);
            }
        });
    }

    fn collect(&self, k: &dyn Kiosk) {
        let answer = match self.running.borrow().as_ref().map(|rx| rx.try_recv()) {
            Some(Ok(answer)) => answer,
            Some(Err(TryRecvError::Empty)) => return,
            Some(Err(TryRecvError::Disconnected)) => Err(anyhow::anyhow!("the action failed")),
            None => return,
        };
        self.poll.stop();
        *self.running.borrow_mut() = None;
        self.state.borrow_mut().action = match answer {
            Ok(line) => Action::Done(line),
            Err(e) => Action::Failed(format!("{e:#}")),
        };
        self.refresh(k);
    }

    fn touch_test(&self, k: &dyn Kiosk, x: f32, y: f32) {
        {
            let mut s = self.state.borrow_mut();
            if s.dots.len() == MAX_DOTS {
                s.dots.remove(0);
            }
            s.dots.push((x.clamp(0.0, 1.0), y.clamp(0.0, 1.0)));
        }
        self.present(k);
    }
}

/// The page's rows: label, value, and whether it needs attention.
fn rows(s: &Snapshot, config: &Config, language: Language) -> Vec<TechRow> {
    let row = |label: &'static str, value: String, bad: bool| TechRow {
        label: tr(language, label).into(),
        value: value.into(),
        bad,
    };
    let say = |p: Phrase| p.text(language);
    let word = |zh: &'static str| tr(language, zh).to_owned();
    let report = assess(s, unix_now() as i64);
    let mib = |b: u64| b >> 20;
    let ago = |secs: Option<u64>| match secs {
        None => word(zh!("从未")),
        Some(t) if t < 3600 => say(phrase!("{} 分钟前", t / 60)),
        Some(t) if t < 2 * 86400 => say(phrase!("{} 小时前", t / 3600)),
        Some(t) => say(phrase!("{} 天前", t / 86400)),
    };
    vec![
        row(
            zh!("总体状态"),
            format!(
                "{}{}",
                word(match report.status {
                    Status::Ok => zh!("正常"),
                    Status::Degraded => zh!("需要处理："),
                    Status::Failing => zh!("故障："),
                }),
                report.reasons.join("；")
            ),
            report.status != Status::Ok,
        ),
        row(zh!("固件版本"), s.firmware.to_string(), false),
        row(
            zh!("内容版本"),
            match (&s.content_version, s.generation) {
                (Some(v), Some(g)) => say(phrase!("{}（第 {} 代）", v, g)),
                _ => word(zh!("未安装")),
            },
            s.content_version.is_none(),
        ),
        row(
            zh!("最新可用"),
            s.newest_version.clone().unwrap_or_else(|| word(zh!("未知"))),
            s.newest_version.is_some() && s.newest_version != s.content_version,
        ),
        row(
            zh!("内容确认"),
            ago(s.staleness_secs),
            s.staleness_secs.is_some_and(|t| t > crate::health::sample::STALE_AFTER.as_secs()),
        ),
        row(
            zh!("更新检查"),
            match &s.update_error {
                Some(e) => say(phrase!("连续失败 {} 次：{}", s.update_failures_in_a_row, e)),
                None => s.last_successful_check.clone().unwrap_or_else(|| word(zh!("尚未检查"))),
            },
            s.update_error.is_some(),
        ),
        row(
            zh!("更新来源"),
            config.update_source.as_ref().map_or_else(|| word(zh!("未配置")), |s| s.to_string()),
            false,
        ),
        row(
            zh!("网络"),
            if s.addresses.is_empty() {
                word(zh!("无网络地址"))
            } else {
                s.addresses.join(", ")
            },
            s.addresses.is_empty(),
        ),
        row(
            zh!("磁盘"),
            say(phrase!("可用 {} MiB / 共 {} MiB", mib(s.free_bytes), mib(s.size_bytes))),
            s.size_bytes > 0 && s.free_bytes * 10 < s.size_bytes,
        ),
        row(zh!("内存"), format!("{} MiB", mib(s.resident_bytes)), false),
        row(
            zh!("打印机"),
            word(if config.printer.is_none() {
                zh!("未配置（号码只显示在屏幕上）")
            } else if !s.printer_status_known {
                zh!("单向连接，无法查询状态")
            } else if s.printer_paper_out {
                zh!("缺纸")
            } else if !s.printer_online {
                zh!("离线")
            } else if s.printer_paper_near_end {
                zh!("在线，纸将用完")
            } else {
                zh!("在线")
            }),
            s.printer_status_known && (s.printer_paper_out || !s.printer_online),
        ),
        row(
            zh!("触摸屏"),
            if !s.touch_panel_present {
                word(zh!("未找到触摸屏"))
            } else {
                say(phrase!("正常，上次触摸 {}", ago(s.secs_since_touch)))
            },
            !s.touch_panel_present || s.touch_silent_alarm,
        ),
    ]
}

/// What the screenshot shows: a kiosk with stale content, paper near its end and one error.
fn example_snapshot(k: &dyn Kiosk) -> Snapshot {
    let info = k.store().info().clone();
    let at = k.now().and_utc().timestamp() - 3600;
    Snapshot {
        firmware: env!("CARGO_PKG_VERSION"),
        content_version: Some(info.content_version.clone()),
        generation: Some(info.generation),
        newest_version: Some(info.content_version),
        staleness_secs: Some(4 * 86400),
        last_successful_check: Some("2026-11-19T09:12:00+08:00".into()),
        last_update: Some("2026-11-02T03:40:00+08:00".into()),
        update_error: Some("the repository could not be reached".into()),
        update_failures_in_a_row: 7,
        free_bytes: 9_400 << 20,
        size_bytes: 14_800 << 20,
        resident_bytes: 52 << 20,
        printer_status_known: true,
        printer_online: true,
        printer_paper_out: false,
        printer_paper_near_end: true,
        touch_panel_present: true,
        secs_since_touch: Some(240),
        touch_silent_alarm: false,
        hall_open: true,
        addresses: vec!["eth0 192.168.10.23".into()],
        stalled_loop: None,
        faults: vec![crate::observe::Fault {
            at,
            component: "sync",
            message: "content check failed: the repository could not be reached".into(),
        }],
    }
}

impl ScreenType for TechnicianScreen {
    const DEMOS: &'static [&'static str] = &["technician-pin", "technician"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let screen = TechnicianScreen {
            state: RefCell::default(),
            rows: ListModel::new(),
            errors: ListModel::new(),
            dots: ListModel::new(),
            running: RefCell::new(None),
            poll: Timer::default(),
        };
        let t = window.global::<Technician>();
        t.set_rows(screen.rows.handle());
        t.set_errors(screen.errors.handle());
        t.set_dots(screen.dots.handle());
        screen
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let t = window.global::<Technician>();
        on!(k, t, on_digit, |c, d| c.screens().technician.digit(&*c, &d));
        on!(k, t, on_erase, |c| {
            c.screens().technician.state.borrow_mut().pin.pop();
            c.screens().technician.present(&*c)
        });
        on!(k, t, on_refresh, |c| c.screens().technician.refresh(&*c));
        on!(k, t, on_sync_now, |c| {
            let config = c.config().clone();
            c.screens().technician.start(&*c, zh!("正在检查更新"), move || {
                crate::app::actions::sync_now(&config)
            })
        });
        on!(k, t, on_rollback, |c| {
            let dir = c.config().data_dir.clone();
            c.screens()
                .technician
                .start(&*c, zh!("正在回退"), move || crate::app::actions::rollback(&dir))
        });
        on!(k, t, on_printer_test, |c| {
            let config = c.config().clone();
            c.screens().technician.start(&*c, zh!("正在打印测试页"), move || {
                crate::app::actions::print_test_slip(&config)
            })
        });
        on!(k, t, on_touch_test, |c, x, y| c.screens().technician.touch_test(&*c, x, y));
        on!(k, t, on_clear_touch_test, |c| {
            c.screens().technician.state.borrow_mut().dots.clear();
            c.screens().technician.present(&*c)
        });
    }
}

impl Screen for TechnicianScreen {
    /// Locks the page again and forgets the touch test (a running action finishes unseen).
    fn reset(&self, k: &dyn Kiosk) {
        let wrong = {
            let s = self.state.borrow();
            (s.wrong, s.locked_until)
        };
        *self.state.borrow_mut() =
            State { wrong: wrong.0, locked_until: wrong.1, ..State::default() };
        self.present(k);
    }

    fn language_changed(&self, k: &dyn Kiosk) {
        self.refresh(k);
    }

    fn session_state(&self, _: &dyn Kiosk) -> String {
        let s = self.state.borrow();
        format!(
            "pin={} unlocked={} dots={} action={}",
            s.pin.len(),
            s.unlocked,
            s.dots.len(),
            s.action.text(Language::Hans)
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, _: &DemoArgs) -> Result<()> {
        self.open_pin_pad(k);
        if name == "technician-pin" {
            self.state.borrow_mut().pin = "12".into();
            self.present(k);
        } else {
            self.state.borrow_mut().unlocked = true;
            self.state.borrow_mut().dots = vec![(0.1, 0.2), (0.5, 0.5), (0.9, 0.8)];
            // A fixed, illustrative state: screenshots must not depend on this machine.
            self.show_snapshot(k, &example_snapshot(k));
            self.present(k);
        }
        Ok(())
    }
}

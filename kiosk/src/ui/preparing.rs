//! A kiosk without content (fresh image, failed first sync) shows 内容准备中 with the hotline
//! instead of crash-looping, checks every few seconds whether content has arrived (the sync
//! thread installs it), and then opens the real window in the same event loop.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use anyhow::Result;
use slint::{ComponentHandle, Timer, TimerMode};

use super::{Metrics, PreparingWindow};
use crate::app::config::{Config, Orientation};
use crate::content::Store;
use crate::sync::status::SyncStatus;

/// How often the window looks for content.
const RECHECK: Duration = Duration::from_secs(3);

/// Shows the window and, once a store opens, hands it to `open_app` (which shows the real
/// window; what it returns lives as long as the event loop) and hides this one. Returns the
/// window so the caller can run the event loop.
pub fn show_until_content<T: 'static>(
    config: &Config,
    mut open_app: impl FnMut(Store) -> Result<T> + 'static,
) -> Result<PreparingWindow> {
    let window = PreparingWindow::new()?;
    window.global::<Metrics>().set_landscape(config.orientation == Orientation::Landscape);
    let (w, h) = config.orientation.size();
    window.window().set_size(slint::LogicalSize::new(w as f32, h as f32));
    window.set_detail(detail(&config.data_dir).into());
    window.show()?;

    let data_dir = config.data_dir.clone();
    let app: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
    let timer = Rc::new(Timer::default());
    let weak = window.as_weak();
    let keep = timer.clone();
    timer.start(TimerMode::Repeated, RECHECK, move || {
        let Some(window) = weak.upgrade() else { return };
        crate::observe::alive("ui", RECHECK * 5);
        let store = match Store::open(&data_dir) {
            Ok(s) => s,
            Err(_) => {
                window.set_detail(detail(&data_dir).into());
                return;
            }
        };
        match open_app(store) {
            Ok(opened) => {
                *app.borrow_mut() = Some(opened);
                keep.stop();
                let _ = window.hide();
            }
            Err(e) => crate::observe::fault(
                "store",
                &e.context("content arrived but the kiosk could not open it"),
            ),
        }
    });
    Ok(window)
}

/// One line for a technician in front of the kiosk: when it last checked and how that went.
fn detail(data_dir: &Path) -> String {
    let Ok(s) = SyncStatus::load(data_dir) else { return String::new() };
    let time = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Local).format("%m-%d %H:%M").to_string())
    };
    match (time(&s.last_check), s.last_error.is_some()) {
        (None, _) => String::new(),
        (Some(t), true) => {
            format!("最近一次检查 {t}：暂未成功，稍后自动重试（第 {} 次）", s.failures)
        }
        (Some(t), false) => format!("最近一次检查 {t}：正在安装"),
    }
}

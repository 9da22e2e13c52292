//! `kiosk run`: the composition of a running kiosk. The window (on the device's DRM/KMS, a
//! desktop window, or `--headless` into memory) plus every background part: the content check
//! loop, the USB watch, LAN push, the health endpoint, the metrics push, the systemd watchdog,
//! the touch-panel watcher and the signal handler that makes a stop a clean exit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use slint::ComponentHandle;

use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::health::endpoint::{self, Actions, SharedSampler};
use kiosk::health::{pushgateway, restarts, sample::Sampler, watchdog};
use kiosk::input::panel::{self, PanelEvents};
use kiosk::input::source::{EvdevSource, EventSource, ReplaySource};
use kiosk::sync::poller::PollPlan;
use kiosk::ui::controller::{self, Controller};
use kiosk::ui::headless::Headless;
use kiosk::ui::preparing;
use kiosk::ui::AppWindow;

#[derive(clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    store: Option<PathBuf>,
    /// No display: the UI loop draws into memory with the software renderer; everything else
    /// runs as on the device (tests, CI, scripted checks).
    #[arg(long)]
    headless: bool,
    /// Replay an evemu recording (`NAME.…events`, with `NAME.desc` beside it) as the touch panel
    /// instead of the evdev devices.
    #[arg(long)]
    touch_replay: Option<PathBuf>,
    /// Replay speed (1 = as recorded).
    #[arg(long, default_value_t = 1.0)]
    replay_speed: f64,
}

pub fn run(args: RunArgs, mut config: Config) -> Result<()> {
    if let Some(dir) = args.store {
        config.data_dir = dir;
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let reason = restarts::record_start(&config.data_dir)?;
    tracing::info!(
        previous_run = reason.label(),
        version = env!("CARGO_PKG_VERSION"),
        headless = args.headless,
        "kiosk starting"
    );
    let _headless = if args.headless {
        let (w, h) = config.orientation.size();
        Some(Headless::install_with(
            w,
            h,
            slint::platform::software_renderer::RepaintBufferType::ReusedBuffer,
        )?)
    } else {
        None
    };

    // jieba's dictionary takes a few hundred ms to load: off the UI thread, before any search.
    std::thread::Builder::new()
        .name("segmenter".into())
        .spawn(|| {
            kiosk::observe::background_priority();
            kiosk::content::query::segment::warm_up();
        })
        .context("spawning the segmenter warm-up")?;

    let _sync = config.update_source.clone().map(|source| {
        kiosk::sync::poller::spawn(PollPlan {
            data_dir: config.data_dir.clone(),
            source,
            provisioned_root: config.trusted_root.clone(),
            interval: Duration::from_secs(config.update_interval_mins * 60),
            max_backoff: Duration::from_secs(6 * 3600),
        })
    });
    let _usb = kiosk::sync::poller::spawn_usb_watch(
        config.usb_mounts.clone(),
        config.data_dir.clone(),
        config.trusted_root.clone(),
    );
    let _push = match (config.push_listen, config.push_token.clone()) {
        (Some(addr), Some(token)) => Some(kiosk::sync::push::spawn(
            addr,
            kiosk::sync::push::PushService {
                data_dir: config.data_dir.clone(),
                provisioned_root: config.trusted_root.clone(),
                token,
            },
        )?),
        _ => None,
    };

    let sampler = SharedSampler::install(SharedSampler::new(Sampler::new(
        config.data_dir.clone(),
        config.health.touch_silent_hours,
    )));
    let _endpoint = match config.health.listen {
        Some(addr) => {
            match endpoint::spawn(
                addr,
                sampler.clone(),
                config.health.token.clone(),
                actions(&config),
            ) {
                Ok(h) => Some(h),
                // A taken port must not keep residents from the kiosk: reported, and on we go.
                Err(e) => {
                    kiosk::observe::fault("health", &e);
                    None
                }
            }
        }
        None => None,
    };
    let _metrics_push = config.health.push_url.clone().map(|url| {
        pushgateway::spawn(
            pushgateway::PushPlan {
                url,
                job: config.health.push_job.clone(),
                instance: config.health.push_instance.clone().unwrap_or_else(host_name),
                interval: Duration::from_secs(config.health.push_interval_secs),
            },
            sampler.clone(),
        )
    });
    let _sampling = spawn_sampling(sampler.clone());
    let _watchdog = watchdog::spawn();
    let _touch = spawn_touch(args.touch_replay, args.replay_speed)?;
    let _signals = spawn_signal_handler();

    let open_app = {
        let config = config.clone();
        move |store: Store| -> Result<_> {
            let window = AppWindow::new()?;
            let (w, h) = config.orientation.size();
            // Logical size: on a desktop, SLINT_SCALE_FACTOR=0.5 shows the whole panel.
            window.window().set_size(slint::LogicalSize::new(w as f32, h as f32));
            let controller = Controller::new(window.clone_strong(), store, &config);
            window.show()?;
            Ok((window, controller))
        }
    };
    notify_ready_after_first_frame();
    match Store::open(&config.data_dir) {
        Ok(store) => {
            if store.needs_reindex() {
                spawn_reindex(config.data_dir.clone(), store.info().schema_version);
            }
            let _app = open_app(store)?;
            slint::run_event_loop()?;
        }
        Err(e) => {
            // No content yet: a calm waiting screen, never a crash loop.
            tracing::warn!("{e:#}: showing 内容准备中 until content is installed");
            let _preparing = preparing::show_until_content(&config, open_app)?;
            slint::run_event_loop()?;
        }
    }
    restarts::record_clean_exit(&config.data_dir);
    tracing::info!("kiosk stopped cleanly");
    Ok(())
}

/// What the endpoint's acting requests do.
fn actions(config: &Config) -> Actions {
    let (sync_config, printer_config) = (config.clone(), config.clone());
    Actions {
        screenshot: Box::new(controller::screenshot_png),
        sync_now: Box::new(move || kiosk::app::actions::sync_now(&sync_config)),
        printer_test: Box::new(move || kiosk::app::actions::print_test_slip(&printer_config)),
    }
}

/// A generation built by a firmware with another store layout or ranking keeps serving while
/// its indexes are rebuilt beside it; the UI switches on its way home, like after an update.
fn spawn_reindex(data_dir: std::path::PathBuf, built_with: u32) {
    tracing::info!(built_with, current = kiosk::content::store::SCHEMA_VERSION, "store reindex");
    let spawned = std::thread::Builder::new().name("reindex".into()).spawn(move || {
        kiosk::observe::background_priority();
        if let Err(e) = Store::reindex(&data_dir) {
            kiosk::observe::fault("store", &e.context("reindex after a firmware update"));
        }
    });
    if let Err(e) = spawned {
        kiosk::observe::fault("store", &anyhow::Error::from(e).context("spawning the reindex"));
    }
}

/// Samples every 15 s even when nobody scrapes: the dead-panel alarm's clock and the
/// staleness gauge keep moving.
fn spawn_sampling(sampler: Arc<SharedSampler>) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("health-sample".into())
        .spawn(move || {
            kiosk::observe::background_priority();
            loop {
                sampler.snapshot();
                std::thread::sleep(Duration::from_secs(15));
            }
        })
        .expect("spawning the sampling thread")
}

/// Reads the touch panels (or a recording) on a tokio task.
fn spawn_touch(replay: Option<PathBuf>, speed: f64) -> Result<std::thread::JoinHandle<()>> {
    // A bad recording is the caller's mistake: say so before anything starts.
    let replay: Option<Box<dyn EventSource>> = match replay {
        Some(events) => {
            let name = events.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let device = name.split('.').next().unwrap_or_default();
            let desc = events.with_file_name(format!("{device}.desc"));
            Some(Box::new(ReplaySource::open(&desc, &events, speed)?))
        }
        None => None,
    };
    Ok(std::thread::Builder::new().name("touch".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        // evdev's event streams register with the runtime they are made in: open the panels
        // inside this thread's runtime (found by the QEMU boot test: outside it, they panic).
        let sources: Vec<Box<dyn EventSource>> = match replay {
            Some(source) => vec![source],
            None => {
                let _runtime = rt.enter();
                EvdevSource::discover().into_iter().map(|s| Box::new(s) as _).collect()
            }
        };
        if sources.is_empty() {
            tracing::warn!("no touchscreen found (kiosk_touch_panel_present 0)");
        }
        rt.block_on(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for source in sources {
                tasks.spawn(panel::watch(
                    source,
                    PanelEvents {
                        touched: Box::new(|| controller::on_ui_thread(|c| c.activity())),
                        technician_gesture: Box::new(|| {
                            controller::on_ui_thread(|c| c.technician_gesture())
                        }),
                        lifted: Box::new(|| controller::on_ui_thread(|c| c.fingers_lifted())),
                    },
                ));
            }
            while tasks.join_next().await.is_some() {}
        });
    })?)
}

/// SIGTERM (systemd stop) and SIGINT end the event loop, so the exit counts as clean.
fn spawn_signal_handler() -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                let (Ok(mut term), Ok(mut int)) =
                    (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
                else {
                    return;
                };
                let _ =
                    futures_util::future::select(Box::pin(term.recv()), Box::pin(int.recv())).await;
            });
            tracing::info!("stop requested");
            let _ = slint::quit_event_loop();
        })
        .ok()
}

/// READY=1 for systemd once the first frame is drawn: a zero timer fires in the loop's first
/// turn, before its first draw; the zero timer it starts fires in the second turn, after it.
fn notify_ready_after_first_frame() {
    slint::Timer::single_shot(Duration::ZERO, || {
        slint::Timer::single_shot(Duration::ZERO, || {
            tracing::info!("first frame drawn");
            watchdog::ready();
        })
    });
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kiosk".into())
}

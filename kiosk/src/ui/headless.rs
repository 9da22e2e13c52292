//! Headless rendering through Slint's software renderer: the same renderer the device uses,
//! drawing into memory instead of a DRM framebuffer. Serves `kiosk screenshot`, benchmarks and
//! `kiosk run --headless`, whose event loop ([`Platform::run_event_loop`] here) runs timers,
//! work handed over with `slint::invoke_from_event_loop`, and draws each frame into memory,
//! timing it into `kiosk_frame_seconds`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{EventLoopProxy, Platform, WindowAdapter};
use slint::{EventLoopError, PhysicalSize, PlatformError, Rgb8Pixel};

/// The longest the headless loop sleeps: it also wakes for timers and handed-over work.
const MAX_SLEEP: Duration = Duration::from_millis(100);

type Job = Box<dyn FnOnce() + Send>;

/// Work handed to the loop from other threads, and the request to quit.
#[derive(Default)]
struct Mailbox {
    jobs: Mutex<(VecDeque<Job>, bool)>,
    wake: Condvar,
}

/// The handle other threads post through.
struct Proxy(Arc<Mailbox>);

impl EventLoopProxy for Proxy {
    fn quit_event_loop(&self) -> Result<(), EventLoopError> {
        self.0.jobs.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        self.0.wake.notify_all();
        Ok(())
    }
    fn invoke_from_event_loop(&self, event: Job) -> Result<(), EventLoopError> {
        self.0.jobs.lock().unwrap_or_else(|p| p.into_inner()).0.push_back(event);
        self.0.wake.notify_all();
        Ok(())
    }
}

/// The frame the window draws into, shared by the platform's loop and [`Headless`].
struct Frame {
    window: Rc<MinimalSoftwareWindow>,
    repaint: RepaintBufferType,
    width: u32,
    buffer: Vec<Rgb8Pixel>,
}

impl Frame {
    /// Draws if something changed (everything with `every_pixel`); the draw's time.
    fn draw(&mut self, every_pixel: bool) -> Option<Duration> {
        self.window.request_redraw();
        let t = Instant::now();
        let width = self.width as usize;
        let (buffer, kind) = (&mut self.buffer, self.repaint);
        let drew = self.window.draw_if_needed(|renderer| {
            if every_pixel {
                renderer.set_repaint_buffer_type(RepaintBufferType::NewBuffer);
            }
            renderer.render(buffer, width);
            if every_pixel {
                renderer.set_repaint_buffer_type(kind);
            }
        });
        drew.then(|| t.elapsed())
    }
}

struct HeadlessPlatform {
    frame: Rc<RefCell<Frame>>,
    mailbox: Arc<Mailbox>,
    started: Instant,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.frame.borrow().window.clone())
    }
    fn duration_since_start(&self) -> Duration {
        self.started.elapsed()
    }
    fn new_event_loop_proxy(&self) -> Option<Box<dyn EventLoopProxy>> {
        Some(Box::new(Proxy(self.mailbox.clone())))
    }
    /// The kiosk's loop without a display: handed-over work, timers, then a frame into memory
    /// when something changed; sleeps until the next timer (at most [`MAX_SLEEP`]).
    fn run_event_loop(&self) -> Result<(), PlatformError> {
        loop {
            let jobs: Vec<Job> = {
                let mut mail = self.mailbox.jobs.lock().unwrap_or_else(|p| p.into_inner());
                if mail.1 {
                    mail.1 = false;
                    return Ok(());
                }
                mail.0.drain(..).collect()
            };
            for job in jobs {
                job();
            }
            slint::platform::update_timers_and_animations();
            if let Some(took) = self.frame.borrow_mut().draw(false) {
                crate::observe::metrics().frame_seconds.observe(took.as_secs_f64());
            }
            let sleep = slint::platform::duration_until_next_timer_update()
                .map_or(MAX_SLEEP, |d| d.min(MAX_SLEEP));
            let mail = self.mailbox.jobs.lock().unwrap_or_else(|p| p.into_inner());
            if mail.0.is_empty() && !mail.1 && !self.frame.borrow().window.has_active_animations() {
                drop(self.mailbox.wake.wait_timeout(mail, sleep));
            }
        }
    }
}

/// The one headless window of this process, `width`×`height` physical pixels.
pub struct Headless {
    frame: Rc<RefCell<Frame>>,
    width: u32,
    height: u32,
}

impl Headless {
    /// Installs the headless platform; call once per process, before creating any component.
    /// Every frame is drawn whole (what a screenshot needs).
    pub fn install(width: u32, height: u32) -> Result<Headless> {
        Self::install_with(width, height, RepaintBufferType::NewBuffer)
    }

    /// As [`Headless::install`]; `ReusedBuffer` repaints only what changed since the last frame,
    /// as the device's DRM backend does.
    pub fn install_with(width: u32, height: u32, repaint: RepaintBufferType) -> Result<Headless> {
        let window = MinimalSoftwareWindow::new(repaint);
        window.set_size(PhysicalSize::new(width, height));
        let frame = Rc::new(RefCell::new(Frame {
            window,
            repaint,
            width,
            buffer: vec![Rgb8Pixel::default(); (width * height) as usize],
        }));
        slint::platform::set_platform(Box::new(HeadlessPlatform {
            frame: frame.clone(),
            mailbox: Arc::default(),
            started: Instant::now(),
        }))
        .map_err(|e| anyhow::anyhow!("installing the headless platform: {e}"))?;
        Ok(Headless { frame, width, height })
    }

    /// Turns the panel (1080×1920 ⇄ 1920×1080): the next frame is drawn whole at the new size.
    pub fn resize(&mut self, width: u32, height: u32) {
        let mut frame = self.frame.borrow_mut();
        frame.window.set_size(PhysicalSize::new(width, height));
        frame.width = width;
        frame.buffer = vec![Rgb8Pixel::default(); (width * height) as usize];
        (self.width, self.height) = (width, height);
    }

    /// Runs due timers, lays out and draws a frame (what changed, or everything with a `NewBuffer`
    /// window); returns the time the draw took.
    pub fn render(&mut self) -> Duration {
        slint::platform::update_timers_and_animations();
        self.frame.borrow_mut().draw(false).unwrap_or_default()
    }

    /// Draws one frame repainting every pixel, whatever changed; returns the time it took.
    pub fn render_full(&mut self) -> Duration {
        slint::platform::update_timers_and_animations();
        self.frame.borrow_mut().draw(true).unwrap_or_default()
    }

    /// The window as RGB bytes, row by row. Renders twice first: lists instantiate their rows
    /// during the first layout.
    pub fn pixels(&mut self) -> Vec<u8> {
        self.render();
        self.render();
        self.frame.borrow().buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect()
    }

    /// Saves the window as a PNG (see [`Headless::pixels`]).
    pub fn save_png(&mut self, path: &std::path::Path) -> Result<()> {
        let bytes = self.pixels();
        let img = image::RgbImage::from_raw(self.width, self.height, bytes)
            .context("frame buffer size")?;
        img.save(path).with_context(|| format!("writing {}", path.display()))
    }
}

/// Encodes a window snapshot (`slint::Window::take_snapshot`, which the software renderer
/// supports on the device and headless alike) as PNG.
pub fn snapshot_png(window: &slint::Window) -> Result<Vec<u8>> {
    let shot = window.take_snapshot().map_err(|e| anyhow::anyhow!("snapshot: {e}"))?;
    let img = image::RgbaImage::from_raw(shot.width(), shot.height(), shot.as_bytes().to_vec())
        .context("snapshot size")?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
}

/// Peak resident memory of this process, from /proc (KiB).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

//! Headless rendering through Slint's software renderer: the same renderer the device uses,
//! drawing into memory instead of a DRM framebuffer. Serves `kiosk screenshot` and benchmarks.

use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, PlatformError, Rgb8Pixel};

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
    started: Instant,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
    fn duration_since_start(&self) -> Duration {
        self.started.elapsed()
    }
}

/// The one headless window of this process, `width`×`height` physical pixels.
pub struct Headless {
    window: Rc<MinimalSoftwareWindow>,
    repaint: RepaintBufferType,
    width: u32,
    height: u32,
    buffer: Vec<Rgb8Pixel>,
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
        slint::platform::set_platform(Box::new(HeadlessPlatform {
            window: window.clone(),
            started: Instant::now(),
        }))
        .map_err(|e| anyhow::anyhow!("installing the headless platform: {e}"))?;
        window.set_size(PhysicalSize::new(width, height));
        Ok(Headless {
            window,
            repaint,
            width,
            height,
            buffer: vec![Rgb8Pixel::default(); (width * height) as usize],
        })
    }

    /// Runs due timers, lays out and draws a frame (what changed, or everything with a `NewBuffer`
    /// window); returns the time the draw took.
    pub fn render(&mut self) -> Duration {
        self.draw(false)
    }

    /// Draws one frame repainting every pixel, whatever changed; returns the time it took.
    pub fn render_full(&mut self) -> Duration {
        self.draw(true)
    }

    fn draw(&mut self, every_pixel: bool) -> Duration {
        slint::platform::update_timers_and_animations();
        self.window.request_redraw();
        let t = Instant::now();
        let width = self.width as usize;
        let (buffer, kind) = (&mut self.buffer, self.repaint);
        self.window.draw_if_needed(|renderer| {
            if every_pixel {
                renderer.set_repaint_buffer_type(RepaintBufferType::NewBuffer);
            }
            renderer.render(buffer, width);
            if every_pixel {
                renderer.set_repaint_buffer_type(kind);
            }
        });
        t.elapsed()
    }

    /// The window as RGB bytes, row by row. Renders twice first: lists instantiate their rows
    /// during the first layout.
    pub fn pixels(&mut self) -> Vec<u8> {
        self.render();
        self.render();
        self.buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect()
    }

    /// Saves the window as a PNG (see [`Headless::pixels`]).
    pub fn save_png(&mut self, path: &std::path::Path) -> Result<()> {
        let bytes = self.pixels();
        let img = image::RgbImage::from_raw(self.width, self.height, bytes)
            .context("frame buffer size")?;
        img.save(path).with_context(|| format!("writing {}", path.display()))
    }
}

/// Peak resident memory of this process, from /proc (KiB).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

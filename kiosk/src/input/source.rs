//! Where touch events come from, behind one trait so tests replay recordings through the same
//! code path the device uses: [`EvdevSource`] reads a touchscreen's `/dev/input/event*` node (the
//! `evdev` crate, on tokio), [`ReplaySource`] plays an evemu recording with its original timing
//! (or faster).
//!
//! On the device the UI reads the same panel through libinput (Slint's linuxkms backend); evdev
//! allows several readers, and neither grabs the device.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

use super::evemu::{self, AxisRange, DeviceDesc, InputEvent};

type Next<'a> = Pin<Box<dyn Future<Output = Option<io::Result<InputEvent>>> + Send + 'a>>;

/// A stream of raw input events from one touch panel.
pub trait EventSource: Send {
    /// The panel (name, axis ranges for normalising positions).
    fn desc(&self) -> &DeviceDesc;
    /// The next event; `None` when the source ends (recording over, device gone).
    fn next_event(&mut self) -> Next<'_>;
}

/// A touchscreen through evdev.
pub struct EvdevSource {
    desc: DeviceDesc,
    path: PathBuf,
    stream: evdev::EventStream,
}

impl EvdevSource {
    /// Every input device that is a touchscreen (direct-input property or multitouch
    /// positions), opened for reading. Empty where there is none (a desktop, CI).
    pub fn discover() -> Vec<EvdevSource> {
        evdev::enumerate()
            .filter_map(|(path, device)| {
                let desc = describe(&device)?;
                if !desc.is_touchscreen() {
                    return None;
                }
                match device.into_event_stream() {
                    Ok(stream) => Some(EvdevSource { desc, path, stream }),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), "touchscreen not readable: {e}");
                        None
                    }
                }
            })
            .collect()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The evdev device's description in the recordings' terms.
fn describe(device: &evdev::Device) -> Option<DeviceDesc> {
    let axes = device.supported_absolute_axes()?;
    let info: Vec<_> = device.get_absinfo().ok()?.collect();
    let range = |code: evdev::AbsoluteAxisCode| {
        info.iter()
            .find(|(c, _)| *c == code)
            .map(|(_, i)| AxisRange { min: i.minimum(), max: i.maximum() })
    };
    let multitouch = axes.contains(evdev::AbsoluteAxisCode::ABS_MT_POSITION_X);
    let (x, y) = if multitouch {
        (
            range(evdev::AbsoluteAxisCode::ABS_MT_POSITION_X)?,
            range(evdev::AbsoluteAxisCode::ABS_MT_POSITION_Y)?,
        )
    } else {
        (range(evdev::AbsoluteAxisCode::ABS_X)?, range(evdev::AbsoluteAxisCode::ABS_Y)?)
    };
    Some(DeviceDesc {
        name: device.name().unwrap_or("touchscreen").to_string(),
        x,
        y,
        direct: device.properties().contains(evdev::PropType::DIRECT),
        multitouch,
    })
}

impl EventSource for EvdevSource {
    fn desc(&self) -> &DeviceDesc {
        &self.desc
    }
    fn next_event(&mut self) -> Next<'_> {
        Box::pin(async move {
            Some(self.stream.next_event().await.map(|e| InputEvent {
                time: e.timestamp().duration_since(std::time::UNIX_EPOCH).unwrap_or_default(),
                kind: e.event_type().0,
                code: e.code(),
                value: e.value(),
            }))
        })
    }
}

/// An evemu recording played back, keeping the gaps between events divided by `speed`
/// (`f64::INFINITY`: as fast as possible).
pub struct ReplaySource {
    desc: DeviceDesc,
    events: std::vec::IntoIter<InputEvent>,
    first: Option<Duration>,
    started: Instant,
    speed: f64,
}

impl ReplaySource {
    pub fn new(desc: DeviceDesc, events: Vec<InputEvent>, speed: f64) -> ReplaySource {
        let first = events.first().map(|e| e.time);
        ReplaySource { desc, events: events.into_iter(), first, started: Instant::now(), speed }
    }

    /// Reads `NAME.desc` and a recording.
    pub fn open(desc: &Path, events: &Path, speed: f64) -> anyhow::Result<ReplaySource> {
        use anyhow::Context;
        let d = std::fs::read_to_string(desc).with_context(|| format!("{}", desc.display()))?;
        let e = std::fs::read_to_string(events).with_context(|| format!("{}", events.display()))?;
        let desc = evemu::parse_desc(&d).with_context(|| format!("{}", desc.display()))?;
        let events = evemu::parse_events(&e).with_context(|| format!("{}", events.display()))?;
        Ok(ReplaySource::new(desc, events, speed))
    }
}

impl EventSource for ReplaySource {
    fn desc(&self) -> &DeviceDesc {
        &self.desc
    }
    fn next_event(&mut self) -> Next<'_> {
        Box::pin(async move {
            let e = self.events.next()?;
            if self.speed.is_finite() {
                let offset = e.time.saturating_sub(self.first.unwrap_or_default());
                let due = self.started + offset.div_f64(self.speed.max(1e-3));
                tokio::time::sleep_until(due.into()).await;
            }
            Some(Ok(e))
        })
    }
}

//! The evemu text format: device descriptions (`.desc`) and event recordings (`.events`).
//!
//! evemu is the freedesktop tool that records what a Linux input device sends through evdev and
//! plays it back. We read its text so that touches recorded on real panels can be replayed
//! through the same code the kiosk runs on the glass: nobody can put a finger on a CI machine.
//!
//! A description says what the device is (`N:` name, `P:` property bits, `A:` axis ranges); a
//! recording is a list of `E: <sec>.<usec> <type> <code> <value>` lines, usually after a copy of
//! the description. `#` starts a comment. Bad input is an [`EvemuError`] naming the line, never a
//! panic: recordings arrive from technicians' laptops and are edited by hand.

use std::time::Duration;

use thiserror::Error;

// Event types and codes from <linux/input-event-codes.h>: only the ones the tracker reads.

/// Event type: frame markers ([`SYN_REPORT`], [`SYN_DROPPED`]).
pub const EV_SYN: u16 = 0x00;
/// Event type: keys and buttons ([`BTN_TOUCH`]).
pub const EV_KEY: u16 = 0x01;
/// Event type: absolute axes (positions, slots, tracking IDs).
pub const EV_ABS: u16 = 0x03;

/// `EV_SYN` code: the events since the previous report form one consistent frame.
pub const SYN_REPORT: u16 = 0x00;
/// `EV_SYN` code: the kernel's buffer overflowed and events were lost.
pub const SYN_DROPPED: u16 = 0x03;

/// `EV_KEY` code: something touches the surface (the only touch signal of single-touch panels).
pub const BTN_TOUCH: u16 = 0x14a;

/// `EV_ABS` code: single-touch X (multitouch panels also send it, for legacy readers).
pub const ABS_X: u16 = 0x00;
/// `EV_ABS` code: single-touch Y.
pub const ABS_Y: u16 = 0x01;
/// `EV_ABS` code: selects the slot the following `ABS_MT_*` events describe (protocol B).
pub const ABS_MT_SLOT: u16 = 0x2f;
/// `EV_ABS` code: X of the contact in the selected slot.
pub const ABS_MT_POSITION_X: u16 = 0x35;
/// `EV_ABS` code: Y of the contact in the selected slot.
pub const ABS_MT_POSITION_Y: u16 = 0x36;
/// `EV_ABS` code: a new contact in the selected slot (value ≥ 0) or its lift (-1).
pub const ABS_MT_TRACKING_ID: u16 = 0x39;

/// Input property: the device's coordinates are screen coordinates (a touchscreen, not a pad).
pub const INPUT_PROP_DIRECT: u16 = 0x01;

/// One evdev event, as the kernel delivers it and as evemu records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEvent {
    /// The timestamp as recorded (kernel time of the event; only differences matter).
    pub time: Duration,
    /// Event type (`EV_*`); `type` is a Rust keyword.
    pub kind: u16,
    /// Event code, meaning depends on `kind` (`SYN_*`, `BTN_*`, `ABS_*`).
    pub code: u16,
    /// Event value: a position, a key state, a slot number or a tracking ID.
    pub value: i32,
}

/// The range an axis reports, from the description's `A:` line (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisRange {
    /// Smallest value the device reports.
    pub min: i32,
    /// Largest value the device reports.
    pub max: i32,
}

impl AxisRange {
    /// Maps a raw value onto `0.0..=1.0`, so screens and gestures need not know the panel's
    /// resolution. Clamped, because panels do report a little outside their declared range at
    /// the edges; a range with no width (never accepted by [`parse_desc`]) maps to 0.
    pub fn normalise(self, value: i32) -> f32 {
        let span = f64::from(self.max) - f64::from(self.min);
        if span <= 0.0 {
            return 0.0;
        }
        ((f64::from(value) - f64::from(self.min)) / span).clamp(0.0, 1.0) as f32
    }
}

/// What the kiosk needs to know about an input device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceDesc {
    /// The kernel's device name (`N:`), for logs.
    pub name: String,
    /// X range: `ABS_MT_POSITION_X` if the device has it, else `ABS_X`.
    pub x: AxisRange,
    /// Y range: `ABS_MT_POSITION_Y` if the device has it, else `ABS_Y`.
    pub y: AxisRange,
    /// The `INPUT_PROP_DIRECT` property: coordinates are on the screen itself.
    pub direct: bool,
    /// The device reports per-contact positions (`ABS_MT_POSITION_X`).
    pub multitouch: bool,
}

impl DeviceDesc {
    /// Whether the kiosk should treat the device as its touchscreen: a direct device, or one
    /// that reports per-finger positions. A mouse has neither. (A laptop touchpad also reports
    /// per-finger positions; kiosks have none, and it would lack `direct`.)
    pub fn is_touchscreen(&self) -> bool {
        self.direct || self.multitouch
    }
}

/// Why an evemu text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvemuError {
    /// A line that is not valid evemu; `line` counts from 1, `text` is the line as written.
    #[error("line {line}: {what}: {text:?}")]
    Line { line: usize, what: &'static str, text: String },
    /// The description lacks something the kiosk needs (a name, or the X/Y axes).
    #[error("device description has no {0}")]
    Missing(&'static str),
}

/// The description's lines the event parser steps over: name, id, properties, bits, axes,
/// LED and switch states (`L:`, `S:`, written by newer evemu).
const DESC_TAGS: [&str; 7] = ["N", "I", "P", "B", "A", "L", "S"];

/// Reads the `E:` lines of a recording, in order. The description lines at the head of a
/// recording and `#` comments are skipped, so a whole `.events` file can be passed as is.
pub fn parse_events(text: &str) -> Result<Vec<InputEvent>, EvemuError> {
    let mut events = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        match tagged(raw) {
            None => {}
            Some(("E", rest)) => {
                events.push(parse_event(rest).map_err(|what| bad(i + 1, what, raw))?)
            }
            Some((tag, _)) if DESC_TAGS.contains(&tag) => {}
            Some(_) => return Err(bad(i + 1, "not an evemu line", raw)),
        }
    }
    Ok(events)
}

/// Reads a device description (`.desc`, or the head of a recording: `E:` lines are skipped).
pub fn parse_desc(text: &str) -> Result<DeviceDesc, EvemuError> {
    let mut name = None;
    let mut props: Vec<u8> = Vec::new();
    // (code, range, line number, line): ranges are checked once we know which axes are used.
    let mut axes: Vec<(u16, AxisRange, usize, &str)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        match tagged(raw) {
            None => {}
            // The name is taken whole: a device may be called "Panel #2".
            Some(("N", rest)) => name = Some(rest.trim().to_owned()),
            Some(("P", rest)) => {
                for byte in strip_comment(rest).split_whitespace() {
                    let byte = parse_hex(byte).and_then(|b| u8::try_from(b).ok());
                    props.push(byte.ok_or_else(|| bad(n, "property bytes must be hex", raw))?);
                }
            }
            Some(("A", rest)) => {
                let (code, range) = parse_axis(rest).map_err(|what| bad(n, what, raw))?;
                axes.push((code, range, n, raw));
            }
            Some(("E", _)) => {}
            Some((tag, _)) if DESC_TAGS.contains(&tag) => {}
            Some(_) => return Err(bad(n, "not an evemu description line", raw)),
        }
    }
    let name = name.ok_or(EvemuError::Missing("N: (name) line"))?;
    let axis = |code: u16| axes.iter().find(|a| a.0 == code);
    let multitouch = axis(ABS_MT_POSITION_X).is_some();
    let x = axis(ABS_MT_POSITION_X).or_else(|| axis(ABS_X)).ok_or(EvemuError::Missing("X axis"))?;
    let y = axis(ABS_MT_POSITION_Y).or_else(|| axis(ABS_Y)).ok_or(EvemuError::Missing("Y axis"))?;
    for &(_, range, n, raw) in [x, y] {
        if range.max <= range.min {
            return Err(bad(n, "position axis has no width", raw));
        }
    }
    let bit = usize::from(INPUT_PROP_DIRECT);
    let direct = props.get(bit / 8).is_some_and(|b| b & (1 << (bit % 8)) != 0);
    Ok(DeviceDesc { name, x: x.1, y: y.1, direct, multitouch })
}

/// `"E: 1.5 …"` → `Some(("E", " 1.5 …"))`; blank and comment lines → `None`.
fn tagged(raw: &str) -> Option<(&str, &str)> {
    let line = raw.trim_start();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    // A line without a colon is not evemu: an empty tag makes the callers reject it.
    Some(line.split_once(':').unwrap_or(("", line)))
}

fn strip_comment(s: &str) -> &str {
    s.split_once('#').map_or(s, |(before, _)| before)
}

fn bad(line: usize, what: &'static str, raw: &str) -> EvemuError {
    EvemuError::Line { line, what, text: raw.to_owned() }
}

/// `<sec>.<usec> <type hex> <code hex> <value dec>` (after the `E:`).
fn parse_event(rest: &str) -> Result<InputEvent, &'static str> {
    let fields: Vec<&str> = strip_comment(rest).split_whitespace().collect();
    let [time, kind, code, value] = fields[..] else {
        return Err("want `E: <sec>.<usec> <type> <code> <value>`");
    };
    Ok(InputEvent {
        time: parse_time(time).ok_or("timestamp is not <sec>.<usec>")?,
        kind: parse_hex(kind).ok_or("event type is not a hex number")?,
        code: parse_hex(code).ok_or("event code is not a hex number")?,
        value: value.parse().map_err(|_| "event value is not a decimal integer")?,
    })
}

/// `A: <code hex> <min> <max> <fuzz> <flat> [<resolution>]` (evemu 1.0 had no resolution).
fn parse_axis(rest: &str) -> Result<(u16, AxisRange), &'static str> {
    let fields: Vec<&str> = strip_comment(rest).split_whitespace().collect();
    let [code, numbers @ ..] = &fields[..] else { return Err("axis line is empty") };
    if !(4..=5).contains(&numbers.len()) {
        return Err("want `A: <code> <min> <max> <fuzz> <flat> <resolution>`");
    }
    let code = parse_hex(code).ok_or("axis code is not a hex number")?;
    let mut values = [0i32; 5];
    for (v, s) in values.iter_mut().zip(numbers) {
        *v = s.parse().map_err(|_| "axis values must be decimal integers")?;
    }
    Ok((code, AxisRange { min: values[0], max: values[1] }))
}

/// Seconds and a decimal fraction (evemu writes microseconds, six digits).
fn parse_time(s: &str) -> Option<Duration> {
    let (sec, frac) = s.split_once('.')?;
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(sec) || !digits(frac) || frac.len() > 9 {
        return None;
    }
    let nanos = frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32);
    Some(Duration::new(sec.parse().ok()?, nanos))
}

/// Hex without prefix or sign, as evemu writes types, codes and bitmask bytes.
fn parse_hex(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_data;

    #[test]
    fn reads_the_real_recordings() {
        // Expected numbers counted with grep on the files (`grep -c '^E:'`), not with this code.
        for (file, count, last) in [
            ("atmel-maxtouch.1-finger-fast-taps.events", 84, Duration::from_micros(1_934_008)),
            ("atmel-maxtouch.2-fingers-touch-release.events", 64, Duration::from_micros(824_236)),
            ("ep0430m09.2-fingers-touch-release.events", 58, Duration::from_micros(527_810)),
        ] {
            let events = parse_events(&test_data(file)).expect(file);
            assert_eq!(events.len(), count, "{file}");
            assert_eq!(events.last().map(|e| (e.time, e.kind, e.code)), Some((last, EV_SYN, 0)));
            assert!(events.windows(2).all(|w| w[0].time <= w[1].time), "{file}: time runs back");
        }
    }

    #[test]
    fn reads_values_as_written() {
        let events = parse_events(&test_data("atmel-maxtouch.1-finger-fast-taps.events")).unwrap();
        let ev = |time_us, kind, code, value| InputEvent {
            time: Duration::from_micros(time_us),
            kind,
            code,
            value,
        };
        // `E: 0.000001 0003 0039 0003`, `… 0001 014a 0001` and `E: 0.095573 0003 0039 -001`.
        assert_eq!(events[0], ev(1, EV_ABS, ABS_MT_TRACKING_ID, 3));
        assert_eq!(events[3], ev(1, EV_KEY, BTN_TOUCH, 1));
        assert_eq!(events[7], ev(95_573, EV_ABS, ABS_MT_TRACKING_ID, -1));
    }

    #[test]
    fn reads_the_real_descriptions() {
        let atmel = parse_desc(&test_data("atmel-maxtouch.desc")).unwrap();
        assert_eq!(
            atmel,
            DeviceDesc {
                name: "Atmel maXTouch Touchscreen".into(),
                x: AxisRange { min: 0, max: 799 },
                y: AxisRange { min: 0, max: 479 },
                direct: true,
                multitouch: true,
            }
        );
        assert!(atmel.is_touchscreen());
        let ep = parse_desc(&test_data("ep0430m09.desc")).unwrap();
        assert_eq!(
            (ep.name.as_str(), ep.x, ep.y),
            ("EP0430M09", AxisRange { min: 0, max: 1279 }, AxisRange { min: 0, max: 767 })
        );
        assert!(ep.direct && ep.multitouch && ep.is_touchscreen());
        // A recording carries its description: the same device comes out of it.
        let from_events = parse_desc(&test_data("ep0430m09.2-fingers-touch-release.events"));
        assert_eq!(from_events, Ok(ep));
        // …and the description holds no events.
        assert_eq!(parse_events(&test_data("atmel-maxtouch.desc")), Ok(vec![]));
    }

    #[test]
    fn tells_a_mouse_and_a_single_touch_panel_apart() {
        // A mouse: relative axes only, so no `A:` lines. The kiosk must not take it for touch.
        let mouse = "N: USB Optical Mouse\nI: 0003 046d c077 0111\nP: 00 00 00 00 00 00 00 00\n\
                     B: 00 17 00 00 00 00 00 00 00\n";
        assert_eq!(parse_desc(mouse), Err(EvemuError::Missing("X axis")));
        // An absolute pointer that is neither direct nor multitouch (a graphics tablet).
        let tablet =
            "N: Tablet\nP: 00 00 00 00 00 00 00 00\nA: 00 0 4095 0 0 0\nA: 01 0 4095 0 0 0\n";
        assert!(!parse_desc(tablet).unwrap().is_touchscreen());
        // A resistive single-touch screen: direct, ABS_X/Y only.
        let resistive =
            "N: ADS7846 Touchscreen #1\nP: 02 00 00 00 00 00 00 00\nA: 00 100 3900 0 0\n\
                         A: 01 200 3800 0 0\n";
        let desc = parse_desc(resistive).unwrap();
        assert_eq!(desc.name, "ADS7846 Touchscreen #1");
        assert_eq!(
            (desc.x, desc.y),
            (AxisRange { min: 100, max: 3900 }, AxisRange { min: 200, max: 3800 })
        );
        assert!(desc.direct && !desc.multitouch && desc.is_touchscreen());
    }

    #[test]
    fn a_bad_line_is_named_by_number() {
        let cases = [
            ("E: 0.000001 0003 0039 0003\n# fine\nE: 0.1 0003 0039 x1\n", 3, "decimal"),
            ("# EVEMU 1.3\nE: 0.000001 0003 0039\n", 2, "want"),
            ("E: 1 0003 0039 0\n", 1, "timestamp"),
            ("E: 0.-5 0003 0039 0\n", 1, "timestamp"),
            ("\n\nE: 0.5 00zz 0039 0\n", 3, "type"),
            ("E: 0.5 0003 10000 0\n", 1, "code"),
            ("E: 0.5 0003 0039 99999999999\n", 1, "value"),
            ("E: 0.5 0003 0039 1\nhello\n", 2, "not an evemu line"),
        ];
        for (text, line, what) in cases {
            let err = parse_events(text).expect_err(text);
            let EvemuError::Line { line: at, .. } = &err else { panic!("{err}") };
            assert_eq!(*at, line, "{err}");
            let message = err.to_string();
            assert!(message.starts_with(&format!("line {line}: ")), "{message}");
            assert!(message.contains(what), "{message}");
        }
    }

    #[test]
    fn a_bad_description_is_named_by_number() {
        let err = parse_desc("N: x\nP: 02 zz\n").unwrap_err();
        assert!(err.to_string().starts_with("line 2: property"), "{err}");
        let err = parse_desc("N: x\nA: 35 0 799\n").unwrap_err();
        assert!(err.to_string().starts_with("line 2: want"), "{err}");
        let err = parse_desc("N: x\nA: 35 0 799 0 0 0\nA: 36 480 480 0 0 0\n").unwrap_err();
        assert!(err.to_string().starts_with("line 3: position axis has no width"), "{err}");
        let err = parse_desc("N: x\nX: 1\n").unwrap_err();
        assert!(err.to_string().starts_with("line 2: not an evemu description line"), "{err}");
        assert_eq!(parse_desc("A: 00 0 9 0 0 0\n"), Err(EvemuError::Missing("N: (name) line")));
    }

    #[test]
    fn normalise_maps_and_clamps() {
        let r = AxisRange { min: 100, max: 300 };
        assert_eq!((r.normalise(100), r.normalise(200), r.normalise(300)), (0.0, 0.5, 1.0));
        assert_eq!((r.normalise(-5), r.normalise(i32::MAX)), (0.0, 1.0));
        assert_eq!(AxisRange { min: 5, max: 5 }.normalise(5), 0.0);
    }
}

//! Turning the evdev event stream into frames of finger contacts.
//!
//! evdev sends a touch as many small events (select slot, new tracking ID, X, Y, …) closed by a
//! `SYN_REPORT`; only at the report is the picture consistent. [`TouchTracker`] keeps the state
//! of every contact and hands out one [`Frame`] per report, in screen-independent 0..=1
//! coordinates, which is all the screens and the gesture recogniser need.
//!
//! Multitouch panels speak protocol B: `ABS_MT_SLOT` selects a slot, `ABS_MT_TRACKING_ID` ≥ 0
//! puts a new contact in it and -1 lifts it, `ABS_MT_POSITION_X/Y` move it. Values that did not
//! change are not resent — a new contact at the same X as the last one in that slot reports only
//! Y — so a slot keeps its position across a lift. Their legacy `BTN_TOUCH`/`ABS_X/Y` events
//! repeat the first finger and are ignored. Single-touch panels (no `ABS_MT_POSITION_X`) are read
//! from `BTN_TOUCH` and `ABS_X/Y` as slot 0. Protocol A (multitouch without slots, separated
//! by `SYN_MT_REPORT`) is not supported: no panel we ship speaks it.

use std::time::Duration;

use super::evemu::{
    AxisRange, DeviceDesc, InputEvent, ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_SLOT,
    ABS_MT_TRACKING_ID, ABS_X, ABS_Y, BTN_TOUCH, EV_ABS, EV_KEY, EV_SYN, SYN_DROPPED, SYN_REPORT,
};

/// Slots the tracker keeps. Panels have 2–10 (the Atmel 10, the EP0430M09 5); a slot number
/// beyond this is ignored rather than allowed to grow memory from a corrupt stream.
pub const MAX_SLOTS: usize = 64;

/// One finger on the glass in a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact {
    /// The kernel slot holding the contact.
    pub slot: i32,
    /// The contact's tracking ID: new for every touch, so a lift and a new touch in the same
    /// slot are told apart.
    pub id: i32,
    /// 0 at the panel's left edge, 1 at its right.
    pub x: f32,
    /// 0 at the panel's top edge, 1 at its bottom.
    pub y: f32,
}

/// The contacts at one `SYN_REPORT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The report's timestamp.
    pub time: Duration,
    /// The fingers on the glass, in slot order.
    pub contacts: Vec<Contact>,
    /// Contacts that began since the previous frame.
    pub downs: u32,
    /// Contacts that ended since the previous frame.
    pub ups: u32,
}

/// Running totals, for the health metrics and for checking recordings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TouchCounts {
    /// Every event fed, whatever it was.
    pub events: u64,
    /// Finger-downs (new contacts) in the frames handed out.
    pub contacts: u64,
    /// Frames handed out.
    pub frames: u64,
    /// The most fingers seen on the glass in one frame.
    pub max_fingers: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The tracking ID while a finger is down.
    id: Option<i32>,
    /// Raw position; starts at 0 like the kernel's slot state.
    x: i32,
    y: i32,
}

/// Builds [`Frame`]s from raw evdev events of one device; see the module documentation.
#[derive(Debug, Clone)]
pub struct TouchTracker {
    x: AxisRange,
    y: AxisRange,
    multitouch: bool,
    slots: [Slot; MAX_SLOTS],
    /// The slot `ABS_MT_*` events go to; `None` after an out-of-range `ABS_MT_SLOT`.
    current: Option<usize>,
    /// Counted since the previous frame.
    downs: u32,
    ups: u32,
    /// Contacts in the last frame handed out.
    shown: usize,
    /// Between `SYN_DROPPED` and the next `SYN_REPORT`.
    dropping: bool,
    /// Tracking IDs for single-touch panels, which have none of their own.
    next_id: i32,
    counts: TouchCounts,
}

impl TouchTracker {
    /// A tracker for the device `desc` describes: its axis ranges scale positions to 0..=1, and
    /// whether it is multitouch decides which events carry the touches.
    pub fn new(desc: &DeviceDesc) -> TouchTracker {
        TouchTracker {
            x: desc.x,
            y: desc.y,
            multitouch: desc.multitouch,
            slots: [Slot::default(); MAX_SLOTS],
            current: Some(0), // the kernel starts with slot 0 selected
            downs: 0,
            ups: 0,
            shown: 0,
            dropping: false,
            next_id: 0,
            counts: TouchCounts::default(),
        }
    }

    /// Takes the next event; returns the frame it completes, on every `SYN_REPORT`.
    ///
    /// `SYN_DROPPED` means the kernel lost events, so what the tracker holds may be wrong in any
    /// way. evdev's rule is to discard everything up to and including the next `SYN_REPORT` and
    /// re-read the device's state; a replay cannot re-read, so the tracker takes every finger
    /// as lifted: that report gives a frame with no contacts whose `ups` are the fingers the
    /// previous frame showed. A finger still down is then lost until it lifts and touches again
    /// — better on a kiosk than a finger stuck down, and a gesture in progress starts over.
    /// Only `ABS_MT_SLOT` is followed through the gap: the kernel sends it only when the slot
    /// changes, and the events after the gap go to the slot it last named.
    pub fn feed(&mut self, ev: &InputEvent) -> Option<Frame> {
        self.counts.events += 1;
        if ev.kind == EV_SYN && ev.code == SYN_DROPPED {
            self.dropping = true;
            return None;
        }
        let mt = self.multitouch;
        match (ev.kind, ev.code) {
            (EV_SYN, SYN_REPORT) if self.dropping => return Some(self.after_drop(ev.time)),
            (EV_ABS, ABS_MT_SLOT) if mt => {
                self.current = usize::try_from(ev.value).ok().filter(|&s| s < MAX_SLOTS);
            }
            _ if self.dropping => {}
            (EV_SYN, SYN_REPORT) => return Some(self.frame(ev.time)),
            (EV_ABS, ABS_MT_TRACKING_ID) if mt => {
                if let Some(slot) = self.current {
                    self.set_id(slot, (ev.value >= 0).then_some(ev.value));
                }
            }
            (EV_ABS, ABS_MT_POSITION_X) if mt => {
                if let Some(slot) = self.current {
                    self.slots[slot].x = ev.value;
                }
            }
            (EV_ABS, ABS_MT_POSITION_Y) if mt => {
                if let Some(slot) = self.current {
                    self.slots[slot].y = ev.value;
                }
            }
            (EV_KEY, BTN_TOUCH) if !mt => {
                if ev.value == 0 {
                    self.set_id(0, None);
                } else if self.slots[0].id.is_none() {
                    let id = self.next_id;
                    self.next_id = id.checked_add(1).unwrap_or(0);
                    self.set_id(0, Some(id));
                }
            }
            (EV_ABS, ABS_X) if !mt => self.slots[0].x = ev.value,
            (EV_ABS, ABS_Y) if !mt => self.slots[0].y = ev.value,
            _ => {}
        }
        None
    }

    /// The totals so far.
    pub fn counts(&self) -> TouchCounts {
        self.counts
    }

    /// A new tracking ID in a slot that still had another is a lift and a touch.
    fn set_id(&mut self, slot: usize, id: Option<i32>) {
        let old = self.slots[slot].id;
        if old == id {
            return;
        }
        self.ups += u32::from(old.is_some());
        self.downs += u32::from(id.is_some());
        self.slots[slot].id = id;
    }

    fn frame(&mut self, time: Duration) -> Frame {
        let (xr, yr) = (self.x, self.y);
        let contacts: Vec<Contact> = (self.slots.iter().enumerate())
            .filter_map(|(i, s)| {
                let id = s.id?;
                Some(Contact { slot: i as i32, id, x: xr.normalise(s.x), y: yr.normalise(s.y) })
            })
            .collect();
        let (downs, ups) = (std::mem::take(&mut self.downs), std::mem::take(&mut self.ups));
        self.shown = contacts.len();
        self.counts.frames += 1;
        self.counts.contacts += u64::from(downs);
        self.counts.max_fingers = self.counts.max_fingers.max(contacts.len());
        Frame { time, contacts, downs, ups }
    }

    fn after_drop(&mut self, time: Duration) -> Frame {
        self.dropping = false;
        for slot in &mut self.slots {
            slot.id = None;
        }
        self.downs = 0;
        self.ups = 0;
        let ups = std::mem::take(&mut self.shown) as u32;
        self.counts.frames += 1;
        Frame { time, contacts: Vec::new(), downs: 0, ups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::evemu::{parse_desc, parse_events};
    use crate::input::test_data;

    /// Replays a recording through a tracker for its device.
    fn replay(desc: &str, events: &str) -> (Vec<Frame>, TouchCounts) {
        let mut tracker = TouchTracker::new(&parse_desc(&test_data(desc)).unwrap());
        let events = parse_events(&test_data(events)).unwrap();
        let frames: Vec<Frame> = events.iter().filter_map(|ev| tracker.feed(ev)).collect();
        (frames, tracker.counts())
    }

    fn within_unit(frames: &[Frame]) -> bool {
        let unit = 0.0..=1.0;
        frames.iter().flat_map(|f| &f.contacts).all(|c| unit.contains(&c.x) && unit.contains(&c.y))
    }

    fn raw(c: &Contact, w: f32, h: f32) -> (i32, i32) {
        ((c.x * w).round() as i32, (c.y * h).round() as i32)
    }

    // Expected numbers come from the files, counted apart from this code:
    // events `grep -c '^E:'`; finger-downs `grep -cE '^E: \S+ 0003 0039 [0-9]'` (and as many
    // lifts, `… 0039 -`); frames `grep -cE '^E: \S+ 0000 0000 '`; fingers at once and frames
    // with two fingers from a 15-line Python slot simulation.

    #[test]
    fn atmel_fast_taps() {
        let (frames, counts) =
            replay("atmel-maxtouch.desc", "atmel-maxtouch.1-finger-fast-taps.events");
        assert_eq!(counts, TouchCounts { events: 84, contacts: 9, frames: 18, max_fingers: 1 });
        assert_eq!(frames.iter().map(|f| f.downs).sum::<u32>(), 9);
        assert_eq!(frames.iter().map(|f| f.ups).sum::<u32>(), 9);
        assert!(frames.last().is_some_and(|f| f.contacts.is_empty()));
        assert!(within_unit(&frames));
        // Every tap is in slot 0 with its own ID, 3 to 11 as recorded.
        let ids: Vec<i32> =
            frames.iter().filter(|f| f.downs == 1).map(|f| f.contacts[0].id).collect();
        assert_eq!(ids, (3..=11).collect::<Vec<_>>());
        // Taps 5 and 8 repeat the previous X and report only Y, tap 6 the other way round: the
        // slot must remember its position, so every tap lands where they all were (none at 0).
        for c in frames.iter().flat_map(|f| &f.contacts) {
            let (x, y) = raw(c, 799.0, 479.0);
            assert!((340..=373).contains(&x) && (228..=264).contains(&y), "{c:?}");
        }
    }

    #[test]
    fn atmel_two_fingers() {
        let (frames, counts) =
            replay("atmel-maxtouch.desc", "atmel-maxtouch.2-fingers-touch-release.events");
        assert_eq!(counts, TouchCounts { events: 64, contacts: 2, frames: 16, max_fingers: 2 });
        assert!(within_unit(&frames));
        let two: Vec<&Frame> = frames.iter().filter(|f| f.contacts.len() == 2).collect();
        assert_eq!(two.len(), 13);
        for f in &two {
            let [a, b] = &f.contacts[..] else { unreachable!() };
            assert_eq!((a.slot, a.id, b.slot, b.id), (0, 7, 1, 8));
            assert!((a.x - b.x).abs() > 0.3 && (a.y - b.y).abs() > 0.2, "{f:?}");
        }
        // The first two-finger frame: slot 0 at (539, 167), slot 1 at (222, 306) of 799×479.
        let first = two[0];
        assert_eq!(first.downs, 1);
        let at: Vec<(i32, i32)> = first.contacts.iter().map(|c| raw(c, 799.0, 479.0)).collect();
        assert_eq!(at, [(539, 167), (222, 306)]);
        // Slot 1 lifts one frame before slot 0.
        let ends: Vec<(usize, u32)> =
            frames.iter().rev().take(2).map(|f| (f.contacts.len(), f.ups)).collect();
        assert_eq!(ends, [(0, 1), (1, 1)]);
    }

    #[test]
    fn ep0430m09_two_fingers() {
        let (frames, counts) = replay("ep0430m09.desc", "ep0430m09.2-fingers-touch-release.events");
        assert_eq!(counts, TouchCounts { events: 58, contacts: 2, frames: 14, max_fingers: 2 });
        assert!(within_unit(&frames));
        // Both fingers arrive in the first frame, of 1279×767: (404, 409) and (933, 414).
        assert_eq!(frames[0].downs, 2);
        let at: Vec<(i32, i32)> =
            frames[0].contacts.iter().map(|c| raw(c, 1279.0, 767.0)).collect();
        assert_eq!(at, [(404, 409), (933, 414)]);
        let two: Vec<&Frame> = frames.iter().filter(|f| f.contacts.len() == 2).collect();
        assert_eq!(two.len(), 12);
        for f in two {
            let [a, b] = &f.contacts[..] else { unreachable!() };
            assert_eq!((a.slot, a.id, b.slot, b.id), (0, 1, 1, 2));
            assert!((b.x - a.x) > 0.4, "{f:?}");
        }
    }

    fn ev(ms: u64, kind: u16, code: u16, value: i32) -> InputEvent {
        InputEvent { time: Duration::from_millis(ms), kind, code, value }
    }

    fn feed_all(tracker: &mut TouchTracker, events: &[InputEvent]) -> Vec<Frame> {
        events.iter().filter_map(|e| tracker.feed(e)).collect()
    }

    fn atmel() -> DeviceDesc {
        parse_desc(&test_data("atmel-maxtouch.desc")).unwrap()
    }

    #[test]
    fn dropped_events_lift_every_finger() {
        let mut t = TouchTracker::new(&atmel());
        let down = [
            ev(0, EV_ABS, ABS_MT_TRACKING_ID, 1),
            ev(0, EV_ABS, ABS_MT_POSITION_X, 100),
            ev(0, EV_ABS, ABS_MT_SLOT, 1),
            ev(0, EV_ABS, ABS_MT_TRACKING_ID, 2),
            ev(0, EV_SYN, SYN_REPORT, 0),
        ];
        assert_eq!(feed_all(&mut t, &down).last().map(|f| f.contacts.len()), Some(2));
        // Lost events, then the rest of a frame (a third finger) that must be thrown away.
        let gap = [
            ev(10, EV_ABS, ABS_MT_POSITION_X, 300),
            ev(20, EV_SYN, SYN_DROPPED, 0),
            ev(30, EV_ABS, ABS_MT_SLOT, 2),
            ev(30, EV_ABS, ABS_MT_TRACKING_ID, 3),
            ev(30, EV_ABS, ABS_MT_POSITION_X, 700),
            ev(30, EV_SYN, SYN_REPORT, 0),
        ];
        let frames = feed_all(&mut t, &gap);
        assert_eq!(frames.len(), 1);
        let f = &frames[0];
        assert_eq!(
            (f.time, f.contacts.len(), f.downs, f.ups),
            (Duration::from_millis(30), 0, 0, 2)
        );
        // After the gap, a new touch is tracked as usual, in the slot selected during the gap;
        // the gap's X was thrown away with the rest, so the slot still has its old X (0).
        let again = [ev(40, EV_ABS, ABS_MT_TRACKING_ID, 4), ev(40, EV_SYN, SYN_REPORT, 0)];
        let f = &feed_all(&mut t, &again)[0];
        assert_eq!(f.contacts, [Contact { slot: 2, id: 4, x: 0.0, y: 0.0 }]);
        assert_eq!(f.downs, 1);
        assert_eq!(t.counts(), TouchCounts { events: 13, contacts: 3, frames: 3, max_fingers: 2 });
    }

    #[test]
    fn single_touch_panels_use_btn_touch() {
        let desc = DeviceDesc {
            name: "resistive".into(),
            x: AxisRange { min: 100, max: 3900 },
            y: AxisRange { min: 200, max: 3800 },
            direct: true,
            multitouch: false,
        };
        let mut t = TouchTracker::new(&desc);
        let events = [
            ev(0, EV_KEY, BTN_TOUCH, 1),
            ev(0, EV_ABS, ABS_X, 2000),
            ev(0, EV_ABS, ABS_Y, 3800),
            ev(0, EV_SYN, SYN_REPORT, 0),
            ev(10, EV_ABS, ABS_X, 5000), // beyond the declared range: clamped
            ev(10, EV_SYN, SYN_REPORT, 0),
            ev(20, EV_KEY, BTN_TOUCH, 0),
            ev(20, EV_SYN, SYN_REPORT, 0),
            ev(30, EV_KEY, BTN_TOUCH, 1),
            ev(30, EV_SYN, SYN_REPORT, 0),
        ];
        let f = feed_all(&mut t, &events);
        assert_eq!(f[0].contacts, [Contact { slot: 0, id: 0, x: 0.5, y: 1.0 }]);
        assert_eq!(f[1].contacts, [Contact { slot: 0, id: 0, x: 1.0, y: 1.0 }]);
        assert_eq!((f[2].contacts.len(), f[2].ups), (0, 1));
        assert_eq!((f[3].contacts[0].id, f[3].downs), (1, 1));
        assert_eq!(t.counts(), TouchCounts { events: 10, contacts: 2, frames: 4, max_fingers: 1 });
    }

    #[test]
    fn multitouch_ignores_legacy_events_and_bad_slots() {
        let mut t = TouchTracker::new(&atmel());
        let events = [
            ev(0, EV_KEY, BTN_TOUCH, 1),
            ev(0, EV_ABS, ABS_X, 400),
            ev(0, EV_ABS, ABS_MT_SLOT, 1000), // out of range: its events go nowhere
            ev(0, EV_ABS, ABS_MT_TRACKING_ID, 9),
            ev(0, EV_SYN, SYN_REPORT, 0),
            ev(10, EV_ABS, ABS_MT_SLOT, 3),
            ev(10, EV_ABS, ABS_MT_TRACKING_ID, 5),
            ev(10, EV_SYN, SYN_REPORT, 0),
            ev(20, EV_ABS, ABS_MT_TRACKING_ID, 6), // a new ID without a lift: lift + touch
            ev(20, EV_SYN, SYN_REPORT, 0),
        ];
        let f = feed_all(&mut t, &events);
        assert!(f[0].contacts.is_empty());
        assert_eq!((f[1].contacts[0].slot, f[1].contacts[0].id), (3, 5));
        assert_eq!((f[2].contacts.len(), f[2].contacts[0].id, f[2].downs, f[2].ups), (1, 6, 1, 1));
    }
}

//! The technician gesture: two fingers held in opposite corners of the screen.
//!
//! A kiosk has no keyboard and stands in a public hall, so the service menu opens on a touch no
//! visitor makes by chance: one finger in a corner and one in the opposite corner (top-left with
//! bottom-right, or top-right with bottom-left), both held there for a few seconds. Diagonal
//! pairs look the same however the panel is mounted — rotated or mirrored, a diagonal stays a
//! diagonal — so the recogniser needs no orientation setting. Taps, single fingers, fingers in
//! two corners of one edge (a visitor grabbing the screen's sides) and fingers that slide away
//! never fire.

use std::time::Duration;

use super::touch::{Contact, Frame};

/// How long the fingers must stay: long enough that nobody does it by accident.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(3);
/// How far into the screen a corner reaches, as a fraction of width and of height.
pub const DEFAULT_CORNER: f32 = 0.15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// The two contacts of a hold as (slot, tracking ID, corner), in slot order: the same touches
/// in the same corners, or the hold is over.
type Pair = [(i32, i32, Corner); 2];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Holding {
        since: Duration,
        pair: Pair,
    },
    /// Recognised; waits until no finger is on the glass.
    Fired,
}

/// Recognises the technician gesture in a stream of [`Frame`]s; see the module documentation.
#[derive(Debug, Clone)]
pub struct CornerHold {
    hold: Duration,
    corner: f32,
    state: State,
}

impl Default for CornerHold {
    /// [`DEFAULT_HOLD`] in [`DEFAULT_CORNER`]-sized corners.
    fn default() -> CornerHold {
        CornerHold::new(DEFAULT_HOLD, DEFAULT_CORNER)
    }
}

impl CornerHold {
    /// `hold`: how long both fingers must stay; `corner`: the corner's reach as a fraction of
    /// each side, kept within 0..=0.5 so that opposite corners cannot overlap.
    pub fn new(hold: Duration, corner: f32) -> CornerHold {
        CornerHold { hold, corner: corner.clamp(0.0, 0.5), state: State::Idle }
    }

    /// Takes the next frame; true on the frame where the gesture is recognised. It fires once
    /// per hold: both fingers must lift before it can fire again.
    ///
    /// Exactly two fingers count: a third finger (a palm, a second person) breaks the hold.
    pub fn feed(&mut self, frame: &Frame) -> bool {
        let pair = self.pair(&frame.contacts);
        match self.state {
            State::Fired if frame.contacts.is_empty() => self.state = State::Idle,
            State::Fired => {}
            State::Holding { pair: held, .. } if pair == Some(held) => {}
            State::Holding { .. } | State::Idle => {
                self.state = match pair {
                    Some(pair) => State::Holding { since: frame.time, pair },
                    None => State::Idle,
                };
            }
        }
        self.tick(frame.time)
    }

    /// True if the hold in progress has lasted `hold` at `now`. Fingers held perfectly still
    /// send no events (the kernel drops repeated values), so the owner of the event loop calls
    /// this on a timer too; `now` must be on the events' clock.
    pub fn tick(&mut self, now: Duration) -> bool {
        match self.state {
            // A clock that steps back reads as no time passed, never as a finished hold.
            State::Holding { since, .. } if now.saturating_sub(since) >= self.hold => {
                self.state = State::Fired;
                true
            }
            _ => false,
        }
    }

    /// The frame's two fingers if they are in opposite corners.
    fn pair(&self, contacts: &[Contact]) -> Option<Pair> {
        let [a, b] = contacts else { return None };
        let (ca, cb) = (self.corner_of(a)?, self.corner_of(b)?);
        let opposite = matches!(
            (ca, cb),
            (Corner::TopLeft, Corner::BottomRight)
                | (Corner::BottomRight, Corner::TopLeft)
                | (Corner::TopRight, Corner::BottomLeft)
                | (Corner::BottomLeft, Corner::TopRight)
        );
        let mut pair = [(a.slot, a.id, ca), (b.slot, b.id, cb)];
        pair.sort_by_key(|p| p.0);
        opposite.then_some(pair)
    }

    fn corner_of(&self, c: &Contact) -> Option<Corner> {
        let near = |v: f32| v <= self.corner;
        let far = |v: f32| v >= 1.0 - self.corner;
        match (near(c.x), far(c.x), near(c.y), far(c.y)) {
            (true, _, true, _) => Some(Corner::TopLeft),
            (true, _, _, true) => Some(Corner::BottomLeft),
            (_, true, true, _) => Some(Corner::TopRight),
            (_, true, _, true) => Some(Corner::BottomRight),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::evemu::{
        parse_desc, parse_events, DeviceDesc, InputEvent, ABS_MT_POSITION_X, ABS_MT_POSITION_Y,
        ABS_MT_SLOT, ABS_MT_TRACKING_ID, EV_ABS, EV_SYN, SYN_REPORT,
    };
    use crate::input::test_data;
    use crate::input::touch::TouchTracker;

    /// A finger in a synthesised frame: (slot, tracking ID, x, y), pixels of the Atmel's 800×480.
    type Finger = (i32, i32, i32, i32);

    /// Encodes frames 50 ms apart as protocol-B events, as a panel would send them:
    /// `fingers_at(step)` says who is on the glass at each step; a finger missing from one step
    /// to the next lifts, a new (slot, ID) touches.
    fn script(steps: u64, fingers_at: impl Fn(u64) -> Vec<Finger>) -> Vec<InputEvent> {
        let mut out = Vec::new();
        let mut before: Vec<Finger> = Vec::new();
        for step in 0..steps {
            let time = Duration::from_millis(step * 50);
            let abs = |code, value| InputEvent { time, kind: EV_ABS, code, value };
            let now = fingers_at(step);
            let present =
                |list: &[Finger], f: &Finger| list.iter().any(|g| (g.0, g.1) == (f.0, f.1));
            for f in before.iter().filter(|f| !present(&now, f)) {
                out.extend([abs(ABS_MT_SLOT, f.0), abs(ABS_MT_TRACKING_ID, -1)]);
            }
            for f in &now {
                out.push(abs(ABS_MT_SLOT, f.0));
                if !present(&before, f) {
                    out.push(abs(ABS_MT_TRACKING_ID, f.1));
                }
                out.extend([abs(ABS_MT_POSITION_X, f.2), abs(ABS_MT_POSITION_Y, f.3)]);
            }
            out.push(InputEvent { time, kind: EV_SYN, code: SYN_REPORT, value: 0 });
            before = now;
        }
        out
    }

    /// Fingers at `points` (slot = index) for `ms`, with the 1-pixel jitter of a real finger
    /// every 50 ms, then lifted.
    fn hold(ms: u64, points: &[(i32, i32)]) -> Vec<InputEvent> {
        script(ms / 50 + 2, |step| {
            let jitter = (step % 2) as i32;
            let on = step * 50 <= ms;
            let fingers = points.iter().enumerate().filter(|_| on);
            fingers.map(|(i, &(x, y))| (i as i32, i as i32 + 1, x + jitter, y - jitter)).collect()
        })
    }

    /// The times (ms) of the frames on which the gesture fired.
    fn fired(desc: &DeviceDesc, events: &[InputEvent], gesture: &mut CornerHold) -> Vec<u128> {
        let mut tracker = TouchTracker::new(desc);
        let frames = events.iter().filter_map(|e| tracker.feed(e));
        frames.filter_map(|f| gesture.feed(&f).then_some(f.time.as_millis())).collect()
    }

    fn fired_default(events: &[InputEvent]) -> Vec<u128> {
        fired(&atmel(), events, &mut CornerHold::default())
    }

    fn atmel() -> DeviceDesc {
        parse_desc(&test_data("atmel-maxtouch.desc")).unwrap()
    }

    // Well inside the 0.15 corners (120 × 72 px on 800×480).
    const TOP_LEFT: (i32, i32) = (30, 25);
    const TOP_RIGHT: (i32, i32) = (770, 30);
    const BOTTOM_LEFT: (i32, i32) = (20, 455);
    const BOTTOM_RIGHT: (i32, i32) = (775, 450);

    #[test]
    fn a_long_hold_in_opposite_corners_fires_once() {
        // Down at 0 ms, 3 s reached on the frame at 3000 ms, not again for the next 0.5 s.
        assert_eq!(fired_default(&hold(3500, &[TOP_LEFT, BOTTOM_RIGHT])), [3000]);
        // The other diagonal, listed bottom first: the same.
        assert_eq!(fired_default(&hold(3500, &[BOTTOM_LEFT, TOP_RIGHT])), [3000]);
    }

    #[test]
    fn fires_again_only_after_both_fingers_lift() {
        // Two holds with a lift between: two firings.
        let mut g = CornerHold::default();
        assert_eq!(fired(&atmel(), &hold(3500, &[TOP_LEFT, BOTTOM_RIGHT]), &mut g), [3000]);
        assert_eq!(fired(&atmel(), &hold(3500, &[TOP_RIGHT, BOTTOM_LEFT]), &mut g), [3000]);

        // The top-left finger stays 8 s; the bottom-right one lifts at 3.5 s and touches again
        // at 4 s for another 4 s: one firing only.
        let events = script(161, |step| {
            let mut fingers = vec![(0, 1, TOP_LEFT.0, TOP_LEFT.1)];
            match step {
                0..=70 => fingers.push((1, 2, BOTTOM_RIGHT.0, BOTTOM_RIGHT.1)),
                80.. => fingers.push((1, 3, BOTTOM_RIGHT.0, BOTTOM_RIGHT.1)),
                _ => {}
            }
            fingers
        });
        assert_eq!(fired_default(&events), [3000]);
    }

    #[test]
    fn a_new_touch_restarts_the_hold() {
        // At 2 s the bottom-right finger lifts and touches again between two reports: the same
        // corners, but a new touch (tracking ID 3), so the 3 s start again from there.
        let events = script(111, |step| {
            let id = if step < 40 { 2 } else { 3 };
            vec![(0, 1, TOP_LEFT.0, TOP_LEFT.1), (1, id, BOTTOM_RIGHT.0, BOTTOM_RIGHT.1)]
        });
        assert_eq!(fired_default(&events), [5000]);
    }

    #[test]
    fn a_short_press_does_not_fire() {
        assert!(fired_default(&hold(300, &[TOP_LEFT, BOTTOM_RIGHT])).is_empty());
        assert!(fired_default(&hold(2950, &[TOP_LEFT, BOTTOM_RIGHT])).is_empty());
    }

    #[test]
    fn adjacent_corners_do_not_fire() {
        for pair in [[TOP_LEFT, TOP_RIGHT], [TOP_LEFT, BOTTOM_LEFT], [BOTTOM_LEFT, BOTTOM_RIGHT]] {
            assert!(fired_default(&hold(3500, &pair)).is_empty(), "{pair:?}");
        }
    }

    #[test]
    fn one_finger_does_not_fire() {
        for corner in [TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT] {
            assert!(fired_default(&hold(5000, &[corner])).is_empty(), "{corner:?}");
        }
    }

    #[test]
    fn a_finger_that_slides_out_does_not_fire() {
        // The top-left finger creeps 2 px per 50 ms towards the middle and leaves its corner
        // (72 px high) at 1.55 s; the bottom-right one stays. Then the same creep inside the
        // corner (stopping at 60 px) does fire: moving within a corner is fine.
        for (limit, expect) in [(i32::MAX, vec![]), (60, vec![3000])] {
            let events = script(72, |step| {
                let creep = (2 * step as i32).min(limit);
                vec![(0, 1, 10 + creep, 10 + creep), (1, 2, BOTTOM_RIGHT.0, BOTTOM_RIGHT.1)]
            });
            assert_eq!(fired_default(&events), expect, "creep limit {limit}");
        }
    }

    #[test]
    fn a_third_finger_breaks_the_hold() {
        assert!(fired_default(&hold(3500, &[TOP_LEFT, BOTTOM_RIGHT, (400, 240)])).is_empty());
    }

    #[test]
    fn still_fingers_fire_on_the_timer() {
        // Fingers held perfectly still send one frame; the event loop's timer finishes the job.
        let events = script(1, |_| vec![(0, 1, 30, 25), (1, 2, 775, 450)]);
        let mut g = CornerHold::default();
        assert!(fired(&atmel(), &events, &mut g).is_empty());
        assert!(!g.tick(Duration::from_millis(2999)));
        assert!(g.tick(Duration::from_millis(3000)));
        assert!(!g.tick(Duration::from_millis(9000)), "fired twice in one hold");
    }

    #[test]
    fn the_real_recordings_do_not_fire() {
        let cases = [
            ("atmel-maxtouch.desc", "atmel-maxtouch.1-finger-fast-taps.events"),
            ("atmel-maxtouch.desc", "atmel-maxtouch.2-fingers-touch-release.events"),
            ("ep0430m09.desc", "ep0430m09.2-fingers-touch-release.events"),
        ];
        for (desc, file) in cases {
            let desc = parse_desc(&test_data(desc)).unwrap();
            let events = parse_events(&test_data(file)).unwrap();
            assert!(fired(&desc, &events, &mut CornerHold::default()).is_empty(), "{file}");
        }
        // Not for want of trying: with quadrant-sized corners and a 0.5 s hold, the Atmel's two
        // fingers (top-right and bottom-left quadrants, together from 55 ms to 810 ms) fire on
        // the first frame 0.5 s in; the EP0430M09's (both in the bottom half) do not.
        let quadrants = || CornerHold::new(Duration::from_millis(500), 0.5);
        let events = parse_events(&test_data("atmel-maxtouch.2-fingers-touch-release.events"));
        assert_eq!(fired(&atmel(), &events.unwrap(), &mut quadrants()), [659]);
        let ep = parse_desc(&test_data("ep0430m09.desc")).unwrap();
        let events = parse_events(&test_data("ep0430m09.2-fingers-touch-release.events")).unwrap();
        assert!(fired(&ep, &events, &mut quadrants()).is_empty());
    }
}

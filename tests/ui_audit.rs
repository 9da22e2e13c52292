//! The accessibility audit: every screen, in portrait and landscape, normal and 长辈模式, in
//! 简体中文, 繁體中文 and English, rendered by the device's software renderer and checked from
//! the element tree (Slint's debug info) and the pixels:
//!
//! - **contrast**: every visible text against its own background ≥ 4.5:1 (WCAG 1.4.3), measured
//!   on the pixels (the darkest-against-lightest colours inside the text's box), so whatever the
//!   palette, the overlay or the highlight, it is what a resident sees. Text on a disabled button
//!   is exempt (WCAG exempts inactive controls);
//! - **targets**: every button ≥ 20 mm on each side on the 21.5″ panel (0.248 mm/px: 81 px), in
//!   长辈模式 too (its 60 dp-equivalent floor is 38 px there; 20 mm is the stricter);
//! - **on screen**: no button is cut by the window's edge (a row of chips wider than the
//!   screen) or overlaps another (a page's row running under the nav bar), unless a list
//!   scrolls it there;
//! - **clipping**: no text's glyphs run on past the bottom or right edge of its box (a box too
//!   small for its words: the words are cut or spill over what is next to them);
//! - **lone characters**: no wrapped sentence ends in a line of one character and its full stop
//!   (务。), which is what a line break in the middle of a word leaves;
//! - **broken English words**: no English word wider than its box, which word-wrap then cuts
//!   across two lines (Notarizat / ion), measured with the kiosk's font at the size the
//!   text's line pitch shows.
//!
//! Texts scrolled partly out of a list or under its 下面还有 fade are skipped (cut on purpose);
//! while a dialog is up (the idle prompt, the language chooser, the table of contents, the
//! article keypad, a service point's card), only the dialog is checked: the page behind it is
//! dimmed on purpose. It prints a table (the README shows it) and fails on any finding, naming
//! the screen.
//! `KIOSK_AUDIT_PNG=DIR` keeps every rendered variant there; `KIOSK_AUDIT_ONLY=map,points`
//! audits those screens only (while fixing one).
//!
//! One test function: the headless platform is process-wide.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use kiosk::app::config::{Config, Orientation};
use kiosk::content::Store;
use kiosk::ui::access::Language;
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::Headless;
use kiosk::ui::screens::{DemoArgs, Screens};
use kiosk::ui::AppWindow;
use slint::ComponentHandle;

/// 20 mm on the smallest panel shipped (21.5″, 1080×1920: 0.248 mm a pixel).
const MIN_TARGET_PX: f32 = 81.0;
/// How a dialog that dims the page behind it says what it is (`accessible-description`).
const DIALOG: &str = "对话框";
const MIN_CONTRAST: f64 = 4.5;

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The kiosk's one font (assets/fonts), to measure a word as the renderer sets it.
static FONT: std::sync::LazyLock<Font> = std::sync::LazyLock::new(|| {
    let face = ttf_parser::Face::parse(include_bytes!("../assets/fonts/kiosk-cjk.ttf"), 0)
        .expect("the kiosk's font parses");
    Font(face)
});

struct Font(ttf_parser::Face<'static>);

impl Font {
    /// A word's advance width, in ems.
    fn width_em(&self, word: &str) -> f32 {
        let advance: u32 = word
            .chars()
            .filter_map(|c| self.0.glyph_index(c))
            .filter_map(|g| self.0.glyph_hor_advance(g))
            .map(u32::from)
            .sum();
        advance as f32 / self.0.units_per_em() as f32
    }

    /// The distance from one line to the next, in ems (the largest the font allows, so that
    /// the font size read from a pitch errs small and a word's width with it).
    fn line_height_em(&self) -> f32 {
        let f = &self.0;
        let h = f.ascender() as f32 - f.descender() as f32 + f.line_gap() as f32;
        h / f.units_per_em() as f32
    }
}

#[derive(Clone, Copy)]
struct Rect {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

impl Rect {
    fn of(e: &ElementHandle) -> Rect {
        let (p, s) = (e.absolute_position(), e.size());
        Rect { x: p.x.round() as i32, y: p.y.round() as i32, w: s.width as i32, h: s.height as i32 }
    }
    fn inside(&self, o: &Rect) -> bool {
        self.x >= o.x
            && self.y >= o.y
            && self.x + self.w <= o.x + o.w
            && self.y + self.h <= o.y + o.h
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

struct Frame<'a> {
    px: &'a [u8],
    w: i32,
    h: i32,
}

impl Frame<'_> {
    fn at(&self, x: i32, y: i32) -> [u8; 3] {
        let i = ((y * self.w + x) * 3) as usize;
        [self.px[i], self.px[i + 1], self.px[i + 2]]
    }
}

fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| (*x as i32 - y as i32).abs() <= 40)
}

/// A text's background (its box's commonest colour) and ink (the colour most unlike it that
/// at least a few pixels have: glyph cores, not anti-aliased edges).
fn colours(f: &Frame, r: &Rect) -> Option<([u8; 3], [u8; 3])> {
    let mut counts: HashMap<[u8; 3], u32> = HashMap::new();
    for y in r.y..r.y + r.h {
        for x in r.x..r.x + r.w {
            *counts.entry(f.at(x, y)).or_default() += 1;
        }
    }
    let (&bg, _) = counts.iter().max_by_key(|(_, n)| **n)?;
    let ink = counts
        .iter()
        .filter(|(c, n)| **n >= 4 && **c != bg)
        .map(|(c, _)| *c)
        .max_by(|a, b| contrast(*a, bg).total_cmp(&contrast(*b, bg)))?;
    Some((bg, ink))
}

/// Rows of `r` holding ink (a pixel near the ink colour), grouped into lines of text.
fn line_bands(f: &Frame, r: &Rect, ink: [u8; 3]) -> Vec<(i32, i32, i32, i32)> {
    let mut bands: Vec<(i32, i32, i32, i32)> = Vec::new(); // top, bottom, left, right
    for y in r.y..r.y + r.h {
        let xs: Vec<i32> = (r.x..r.x + r.w).filter(|&x| near(f.at(x, y), ink)).collect();
        let (Some(&l), Some(&rt)) = (xs.first(), xs.last()) else { continue };
        match bands.last_mut() {
            Some(b) if y - b.1 <= 3 => {
                b.1 = y;
                b.2 = b.2.min(l);
                b.3 = b.3.max(rt);
            }
            _ => bands.push((y, y, l, rt)),
        }
    }
    // Bands thinner than a third of the tallest are dots and underlines, not lines of text.
    let tallest = bands.iter().map(|b| b.1 - b.0).max().unwrap_or(0);
    bands.retain(|b| (b.1 - b.0) * 3 >= tallest);
    bands
}

/// How many pixels of ink colour lie in the strip `r` (clipped to the frame).
fn ink_in(f: &Frame, r: Rect, ink: [u8; 3]) -> usize {
    let mut n = 0;
    for y in r.y.max(0)..(r.y + r.h).min(f.h) {
        for x in r.x.max(0)..(r.x + r.w).min(f.w) {
            n += near(f.at(x, y), ink) as usize;
        }
    }
    n
}

#[derive(Default)]
struct Tally {
    variants: usize,
    texts: usize,
    buttons: usize,
    min_contrast: f64,
    min_target: f32,
    findings: Vec<String>,
}

fn audit(window: &AppWindow, f: &Frame, tally: &mut Tally, variant: &str) {
    let screen = Rect { x: 0, y: 0, w: f.w, h: f.h };
    // With a dialog up, the dialog is what a resident reads and taps.
    let dialog = ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(|e| e.accessible_description().as_deref() == Some(DIALOG))
        .find_first();
    let all = |role: Option<AccessibleRole>, type_name: Option<&str>| {
        let mut q = match &dialog {
            Some(d) => d.query_descendants(),
            None => ElementQuery::from_root(window).match_descendants(),
        };
        if let Some(role) = role {
            q = q.match_accessible_role(role);
        }
        if let Some(t) = type_name {
            q = q.match_type_name(t);
        }
        // A query from the root meets an element once per ancestor that matches the descent:
        // one element, one check.
        let mut seen = std::collections::HashSet::new();
        q.find_all()
            .into_iter()
            .filter(|e| {
                let r = Rect::of(e);
                seen.insert((r.x, r.y, r.w, r.h, e.accessible_label().unwrap_or_default()))
            })
            .collect::<Vec<_>>()
    };
    // What clips its content: lists, and the map's canvas (a name at its edge is cut there).
    let mut clipping = all(None, Some("Flickable"));
    clipping.extend(
        ElementQuery::from_root(window)
            .match_descendants()
            .match_predicate(|e| e.id().is_some_and(|id| id.ends_with("::canvas")))
            .find_all(),
    );
    let viewports: Vec<Rect> = clipping.iter().map(Rect::of).collect();
    // Buttons inside them, wherever their box lies: one outside is clipped away (a map point
    // beyond the canvas's edge), neither drawn nor tappable.
    let clipped: std::collections::HashSet<(i32, i32, i32, i32, String)> = clipping
        .iter()
        .flat_map(|v| {
            v.query_descendants().match_accessible_role(AccessibleRole::Button).find_all()
        })
        .map(|b| {
            let r = Rect::of(&b);
            (r.x, r.y, r.w, r.h, b.accessible_label().unwrap_or_default().to_string())
        })
        .collect();
    // 下面还有 fades the last row of a list on purpose.
    let cues: Vec<Rect> = all(None, Some("MoreBelow")).iter().map(Rect::of).collect();
    let buttons = all(Some(AccessibleRole::Button), None);
    let disabled: Vec<Rect> =
        buttons.iter().filter(|b| b.accessible_enabled() == Some(false)).map(Rect::of).collect();
    let min_target = MIN_TARGET_PX;
    for b in &buttons {
        let s = b.size();
        if s.width <= 0.0 || s.height <= 0.0 || b.computed_opacity() == 0.0 {
            continue;
        }
        tally.buttons += 1;
        let side = s.width.min(s.height);
        tally.min_target = tally.min_target.min(side);
        if side + 0.5 < min_target {
            let label = b.accessible_label().unwrap_or_default();
            tally.findings.push(format!(
                "{variant}: button {label:?} is {:.0}×{:.0} px (≥ {min_target:.0} px)",
                s.width, s.height
            ));
        }
    }
    // Buttons on the page itself: shown, on screen, not in a list or the map (their rows
    // scroll out and under the edge on purpose, or are clipped away).
    let shown: Vec<(Rect, String)> = buttons
        .iter()
        .filter(|b| b.computed_opacity() > 0.0 && b.size().width > 0.0 && b.size().height > 0.0)
        .map(|b| (Rect::of(b), b.accessible_label().unwrap_or_default().to_string()))
        .filter(|(r, l)| !clipped.contains(&(r.x, r.y, r.w, r.h, l.clone())))
        .filter(|(r, _)| r.overlaps(&screen) && !viewports.iter().any(|v| r.overlaps(v)))
        .collect();
    // A button the window's edge cuts (a row of chips wider than the screen): a resident reads
    // half its word and may not reach it.
    for (r, label) in shown.iter().filter(|(r, _)| !r.inside(&screen)) {
        tally.findings.push(format!(
            "{variant}: button {label:?} at x {}..{}, y {}..{} runs off the {}×{} screen",
            r.x,
            r.x + r.w,
            r.y,
            r.y + r.h,
            f.w,
            f.h
        ));
    }
    // Two buttons over each other (a page's row running under the nav bar): one hides the
    // other's edge, and a tap may land on the wrong one.
    for (i, (a, la)) in shown.iter().enumerate() {
        for (b, lb) in &shown[i + 1..] {
            if a.overlaps(b) && !a.inside(b) && !b.inside(a) {
                tally.findings.push(format!("{variant}: buttons {la:?} and {lb:?} overlap"));
            }
        }
    }
    for t in all(None, Some("Text")) {
        let r = Rect::of(&t);
        let label = t.accessible_label().unwrap_or_default().replace('\u{2060}', "");
        if label.trim().is_empty() || r.w <= 2 || r.h <= 2 || t.computed_opacity() < 0.99 {
            continue;
        }
        // Off screen, or scrolled partly out of a list: cut on purpose.
        if !r.inside(&screen)
            || viewports.iter().any(|v| r.overlaps(v) && !r.inside(v))
            || cues.iter().any(|c| r.overlaps(c))
        {
            continue;
        }
        let Some((bg, ink)) = colours(f, &r) else { continue };
        tally.texts += 1;
        if !disabled.iter().any(|d| r.inside(d)) {
            let c = contrast(bg, ink);
            tally.min_contrast = tally.min_contrast.min(c);
            if c < MIN_CONTRAST {
                tally.findings.push(format!("{variant}: text {label:?} contrast {c:.2}:1"));
            }
        }
        // Glyphs that go on past the box: ink on both sides of its bottom or right edge. Ink
        // filling half a strip is a border or a background of the ink's colour, not glyphs.
        let strokes = |inner: Rect, outer: Rect| {
            let area = (inner.w * inner.h) as usize;
            let (a, b) = (ink_in(f, inner, ink), ink_in(f, outer, ink));
            if a * 2 > area || b * 2 > area {
                0
            } else {
                a.min(b)
            }
        };
        let bottom = strokes(
            Rect { x: r.x, y: r.y + r.h - 2, w: r.w, h: 2 },
            Rect { x: r.x, y: r.y + r.h, w: r.w, h: 2 },
        );
        let right = strokes(
            Rect { x: r.x + r.w - 2, y: r.y, w: 2, h: r.h },
            Rect { x: r.x + r.w, y: r.y, w: 2, h: r.h },
        );
        // (A mark of one glyph, a pin's 中 or ★, may touch what it sits on: words cannot.)
        if (bottom >= 3 || right >= 3) && label.chars().count() > 1 {
            tally.findings.push(format!("{variant}: text {label:?} runs past its box"));
        }
        // A kiosk sentence (not a statute's own line breaks) wrapped onto a last line of one
        // character and its stop.
        if !label.contains('\n') && has_han(&label) {
            let bands = line_bands(f, &r, ink);
            if let [.., before, last] = bands[..] {
                let height = (before.1 - before.0).max(last.1 - last.0) as f32;
                let width = (last.3 - last.2) as f32;
                if width < 1.7 * height {
                    tally.findings.push(format!(
                        "{variant}: text {label:?} wraps to a last line of one character"
                    ));
                }
            }
        }
        // An English word cut across two lines: Slint's word-wrap breaks inside a word only
        // when the word is wider than the box (Notarizat / ion on a narrow chip). The font size
        // comes from the line pitch of a wrapped text, the word's width from the kiosk's font.
        if label.chars().any(|c| c.is_ascii_alphabetic()) && !has_han(&label) {
            let bands = line_bands(f, &r, ink);
            if let [first, second, ..] = bands[..] {
                let size = (second.0 - first.0) as f32 / FONT.line_height_em();
                for word in label.split(|c: char| c.is_whitespace() || c == '-') {
                    let width = FONT.width_em(word) * size;
                    if width > r.w as f32 + 1.0 {
                        tally.findings.push(format!(
                            "{variant}: text {label:?} breaks the word {word:?} across lines \
                             ({width:.0} px in a {} px box)",
                            r.w
                        ));
                    }
                }
            }
        }
    }
}

#[test]
fn every_screen_passes_the_accessibility_audit() {
    let started = Instant::now();
    let keep = std::env::var_os("KIOSK_AUDIT_PNG").map(std::path::PathBuf::from);
    let mut headless = Headless::install(1080, 1920).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let args = DemoArgs {
        law: "民法典".into(),
        article: 1079,
        pinyin: "lihun".into(),
        guide: "legal-aid".into(),
        topic: "unpaid-wages".into(),
        point: "yl-center".into(),
        county: "610881".into(),
        filter: String::new(),
        category: String::new(),
    };
    let only = std::env::var("KIOSK_AUDIT_ONLY").ok();
    let screens: Vec<&str> = Screens::demo_names()
        .into_iter()
        .filter(|s| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == *s)))
        .collect();
    let mut table: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut frames = 0;
    for orientation in [Orientation::Portrait, Orientation::Landscape] {
        let (w, h) = orientation.size();
        headless.resize(w, h);
        let config = Config {
            data_dir: support::demo_store().to_owned(),
            orientation,
            here: Some("yl-center".into()),
            speech: false,
            // The run takes minutes of wall-clock time: the idle prompt must not dim a frame.
            idle_timeout_secs: 24 * 3600,
            queue_dir: Some(tmp.path().join(format!("queue-{w}"))),
            ..Config::default()
        };
        let ctrl = Controller::new(
            AppWindow::new().unwrap(),
            Store::open(&config.data_dir).unwrap(),
            &config,
        );
        ctrl.window().show().unwrap();
        for &screen in &screens {
            for elder in [false, true] {
                for language in Language::ALL {
                    ctrl.reset_session();
                    ctrl.set_now(
                        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M")
                            .unwrap(),
                    );
                    ctrl.set_language(language);
                    ctrl.set_elder(elder);
                    ctrl.show_demo(screen, &args).unwrap();
                    let px = headless.pixels();
                    frames += 1;
                    let variant = format!(
                        "{screen} {w}×{h} {}{}",
                        language.code(),
                        if elder { " 长辈模式" } else { "" }
                    );
                    if let Some(dir) = &keep {
                        std::fs::create_dir_all(dir).unwrap();
                        let name = variant.replace([' ', '×'], "-") + ".png";
                        image::RgbImage::from_raw(w, h, px.clone())
                            .unwrap()
                            .save(dir.join(name))
                            .unwrap();
                    }
                    let tally = table.entry(screen).or_insert_with(|| Tally {
                        min_contrast: f64::INFINITY,
                        min_target: f32::INFINITY,
                        ..Tally::default()
                    });
                    tally.variants += 1;
                    let frame = Frame { px: &px, w: w as i32, h: h as i32 };
                    audit(ctrl.window(), &frame, tally, &variant);
                }
            }
        }
        drop(ctrl);
    }

    println!("| screen | variants | texts | min contrast | buttons | smallest button | findings |");
    println!("|---|---|---|---|---|---|---|");
    let mut failures = Vec::new();
    for (screen, t) in &table {
        println!(
            "| {screen} | {} | {} | {:.1}:1 | {} | {:.0} px ({:.1} mm) | {} |",
            t.variants,
            t.texts,
            t.min_contrast,
            t.buttons,
            t.min_target,
            t.min_target * 0.248,
            t.findings.len()
        );
        failures.extend(t.findings.iter().cloned());
    }
    println!(
        "audit: {frames} frames ({} screens × 2 orientations × 2 modes × 3 languages) in {:.1} s",
        screens.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} findings:\n{}", failures.len(), failures.join("\n"));
}

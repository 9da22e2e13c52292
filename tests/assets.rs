//! What the screens promise about their assets: no character of any law vanishes for want of a
//! glyph, and every text colour keeps its contrast on the background it is drawn on.

mod support;

use std::collections::BTreeSet;

/// Slint drops glyphs the font lacks silently (no tofu), so a missing character would simply be
/// absent from a statute on screen. Every character of the national corpus must be in the font.
#[test]
fn the_embedded_font_covers_every_character_of_the_corpus() {
    // One file: Slint never falls back from one embedded font to another.
    let font = std::fs::read(support::repo().join("assets/fonts/kiosk-cjk.ttf")).unwrap();
    let face = ttf_parser::Face::parse(&font, 0).unwrap();
    let has = |c: char| face.glyph_index(c).is_some();
    // Zero-width and private-use characters (stray in a few source texts) are never drawn.
    let drawn = |c: &char| {
        !c.is_control()
            && !c.is_whitespace()
            && !('\u{200b}'..='\u{200f}').contains(c)
            && !('\u{e000}'..='\u{f8ff}').contains(c)
            && *c != '\u{feff}'
    };
    let data = support::shared_data().join("laws");
    let mut missing = BTreeSet::new();
    let mut checked = BTreeSet::new();
    for file in ["laws.jsonl", "laws-core.jsonl", "laws-core-supplement.jsonl"] {
        let text = std::fs::read_to_string(data.join(file)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for field in ["title", "short_name", "text"] {
                for c in v[field].as_str().unwrap_or("").chars().filter(drawn) {
                    if checked.insert(c) && !has(c) {
                        missing.insert(c);
                    }
                }
            }
        }
    }
    // The UI's own strings and their translations (繁體, English), the Rust that writes text on
    // screen, and the hall content (guides, service points, hall.toml): comments are never drawn.
    let repo = support::repo();
    let sources = [
        walk(&repo.join("kiosk/ui")),
        walk(&repo.join("kiosk/lang")),
        walk(&repo.join("kiosk/src")),
        walk(&repo.join("content")),
    ];
    for entry in sources.iter().flatten() {
        let source = std::fs::read_to_string(entry).unwrap();
        let code = source
            .lines()
            .filter(|l| !l.trim_start().starts_with("//") && !l.trim_start().starts_with('#'))
            .collect::<String>();
        for c in code.chars().filter(|c| !c.is_ascii()).filter(drawn) {
            if checked.insert(c) && !has(c) {
                missing.insert(c);
            }
        }
    }
    assert!(checked.len() > 3000, "checked only {} characters", checked.len());
    assert!(missing.is_empty(), "the font lacks {} characters: {:?}", missing.len(), missing);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        // `.po`: the 繁體 and English catalogues, whose characters the screens draw too.
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("slint" | "rs" | "toml" | "po")
        ) {
            out.push(p);
        }
    }
    out
}

fn luminance(hex: &str) -> f64 {
    let v = u32::from_str_radix(&hex[1..7], 16).unwrap();
    let channel = |shift: u32| {
        let c = ((v >> shift) & 0xff) as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG 1.4.3: every text colour of the theme on the backgrounds it is used on is ≥ 4.5:1.
#[test]
fn theme_text_colours_keep_their_contrast() {
    let theme =
        std::fs::read_to_string(support::repo().join("kiosk/ui/theme/palette.slint")).unwrap();
    let colour = |name: &str| -> String {
        let line = theme
            .lines()
            .find(|l| l.contains(&format!("<color> {name}:")))
            .unwrap_or_else(|| panic!("theme has no colour {name}"));
        line.split(':').nth(1).unwrap().trim().split(';').next().unwrap().to_owned()
    };
    let pairs = [
        ("text", "surface"),
        ("text", "background"),
        ("text-muted", "surface"),
        ("text-muted", "background"),
        ("on-primary", "primary"),
        ("on-primary", "primary-pressed"),
        ("primary", "surface"),
        ("primary", "background"),
        ("disabled-text", "disabled-bg"),
        ("text", "highlight"),
        ("text", "border"),
        ("in-force-text", "in-force-bg"),
        ("amended-text", "amended-bg"),
        ("repealed-text", "repealed-bg"),
        ("repealed-text", "surface"),
        ("text", "target-bg"),
        ("text-muted", "map-background"),
        ("on-primary", "pin-here"),
        ("on-primary", "pin-centre"),
        ("on-primary", "pin-legal-aid"),
        ("on-primary", "pin-notary"),
        ("on-primary", "pin-grassroots"),
    ];
    for (fg, bg) in pairs {
        let ratio = contrast(&colour(fg), &colour(bg));
        assert!(ratio >= 4.5, "{fg} on {bg}: {ratio:.2}:1 < 4.5:1");
    }
}

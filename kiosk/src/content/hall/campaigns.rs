//! 法治宣传: the posters the kiosk shows while nobody is using it, each for the dates of its
//! campaign (国家宪法日, 根治欠薪冬季行动 …). One TOML file per poster in `content/campaigns/`
//! with its PNG beside it; the bundle carries the PNG as a file of its own (by its hash), so
//! an update that changes the wording of one poster fetches that poster only.
//!
//! A poster's words are also kept as text: 朗读 and screen readers read them, and the slide
//! says them below the picture for a resident who cannot make out the picture's lettering.

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Posters larger than this on either side are refused: the kiosk decodes one at a time on
/// the UI thread, and a 4000-pixel photograph would cost a frame and 64 MB.
pub const MAX_SIDE_PX: u32 = 2048;
/// And smaller than this would be blurred on a 1080-wide panel.
pub const MIN_SIDE_PX: u32 = 480;
/// A PNG file above this is refused (every kiosk downloads it).
pub const MAX_PNG_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Equals the TOML file's name.
    pub id: String,
    /// The campaign (国家宪法日).
    pub title: String,
    /// The poster's words as text.
    pub text: String,
    /// Where the words come from (《中华人民共和国宪法》第五条).
    pub source: String,
    /// First and last day shown, inclusive (YYYY-MM-DD).
    pub from: String,
    pub until: String,
    /// Seconds on screen before the next poster.
    #[serde(default = "default_seconds")]
    pub seconds: u32,
    /// In `content/`: the PNG's file name beside the TOML; in a bundle and the store: the PNG's
    /// sha256 (its file in the bundle is `posters/<sha256>.png`).
    pub image: String,
}

fn default_seconds() -> u32 {
    10
}

/// A poster's picture: its PNG bytes and their sha256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poster {
    pub sha256: String,
    pub png: Vec<u8>,
}

impl Campaign {
    /// Whether the poster is shown on `day`.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        match (date(&self.from), date(&self.until)) {
            (Ok(from), Ok(until)) => from <= day && day <= until,
            _ => false,
        }
    }
}

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

/// The posters shown on `day`, in the order they were loaded (by file name).
pub fn running_on(campaigns: &[Campaign], day: NaiveDate) -> Vec<&Campaign> {
    campaigns.iter().filter(|c| c.runs_on(day)).collect()
}

/// Reads every `*.toml` in `dir` (an absent folder: no posters) and its PNG; each campaign's
/// `image` becomes the PNG's sha256.
pub fn load_dir(dir: &Path) -> Result<(Vec<Campaign>, Vec<Poster>)> {
    let (mut campaigns, mut posters) = (Vec::<Campaign>::new(), Vec::<Poster>::new());
    for f in super::toml_files(dir)? {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let mut c: Campaign =
            toml::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
        check(&c).with_context(|| format!("{}", f.display()))?;
        if f.file_stem().and_then(|s| s.to_str()) != Some(c.id.as_str()) {
            bail!("{}: id {:?} does not match the file name", f.display(), c.id);
        }
        let png_path = dir.join(&c.image);
        let png =
            std::fs::read(&png_path).with_context(|| format!("reading {}", png_path.display()))?;
        check_png(&png).with_context(|| format!("{}", png_path.display()))?;
        let sha256 = crate::content::bundle::sha256_hex(&png);
        c.image = sha256.clone();
        if !posters.iter().any(|p| p.sha256 == sha256) {
            posters.push(Poster { sha256, png });
        }
        campaigns.push(c);
    }
    Ok((campaigns, posters))
}

fn check(c: &Campaign) -> Result<()> {
    ensure!(!c.title.trim().is_empty(), "title is empty");
    ensure!(!c.text.trim().is_empty(), "text is empty: the poster's words are needed as text");
    ensure!(!c.source.trim().is_empty(), "source is empty: say which statute the words quote");
    let (from, until) = (date(&c.from)?, date(&c.until)?);
    ensure!(from <= until, "from {} is after until {}", c.from, c.until);
    ensure!((3..=60).contains(&c.seconds), "seconds {} must be 3–60", c.seconds);
    ensure!(
        c.image.ends_with(".png") && !c.image.contains('/'),
        "image {:?} must be a .png file beside the TOML",
        c.image
    );
    Ok(())
}

/// A poster must be a PNG the kiosk can decode, of a sensible size.
pub fn check_png(png: &[u8]) -> Result<()> {
    ensure!(png.len() <= MAX_PNG_BYTES, "{} bytes: posters are at most 1 MiB", png.len());
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let (w, h) = reader.into_dimensions().context("not a readable PNG")?;
    ensure!(
        (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&w) && (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&h),
        "{w}×{h} px: each side must be {MIN_SIDE_PX}–{MAX_SIDE_PX} px"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(from: &str, until: &str) -> Campaign {
        Campaign {
            id: "constitution-day".into(),
            title: "国家宪法日".into(),
            text: "一切国家机关……都必须遵守宪法和法律。".into(),
            source: "《中华人民共和国宪法》第五条".into(),
            from: from.into(),
            until: until.into(),
            seconds: 10,
            image: "constitution-day.png".into(),
        }
    }

    #[test]
    fn a_poster_runs_from_its_first_to_its_last_day() {
        let c = campaign("2026-11-27", "2026-12-10");
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        assert!(!c.runs_on(day("2026-11-26")));
        assert!(c.runs_on(day("2026-11-27")));
        assert!(c.runs_on(day("2026-12-10")));
        assert!(!c.runs_on(day("2026-12-11")));
        assert_eq!(running_on(std::slice::from_ref(&c), day("2026-12-04")), [&c]);
    }

    #[test]
    fn bad_dates_and_missing_words_are_refused() {
        assert!(check(&campaign("2026-12-10", "2026-11-27")).is_err(), "until before from");
        assert!(check(&campaign("2026-13-01", "2026-12-31")).is_err(), "no 13th month");
        let mut c = campaign("2026-11-27", "2026-12-10");
        c.text = " ".into();
        assert!(check(&c).is_err());
        assert!(check(&campaign("2026-11-27", "2026-12-10")).is_ok());
    }

    #[test]
    fn a_poster_must_decode() {
        assert!(check_png(b"not a png").is_err());
        let mut png = Vec::new();
        image::RgbImage::new(600, 800)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        check_png(&png).unwrap();
        let mut tiny = Vec::new();
        image::RgbImage::new(10, 10)
            .write_to(&mut std::io::Cursor::new(&mut tiny), image::ImageFormat::Png)
            .unwrap();
        assert!(check_png(&tiny).is_err(), "too small for the panel");
    }
}

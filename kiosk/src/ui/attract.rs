//! 法治宣传 on the idle screen: when the home page has stood untouched for the idle time, the
//! posters whose dates include today follow one another (`content::hall::campaigns`). A touch
//! anywhere ends the loop; 暂停 holds a poster (WCAG 2.2.2). Only the poster on screen is
//! decoded, so the loop's memory is one picture however many posters a bundle carries.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use slint::{ComponentHandle, Image, Rgba8Pixel, SharedPixelBuffer, Timer, TimerMode};

use super::{AppWindow, Attract};
use crate::content::hall::campaigns::{running_on, Campaign};
use crate::content::Store;

/// The loop's state; the controller owns it and hands it the window and the store.
#[derive(Default)]
pub struct AttractLoop {
    slides: RefCell<Vec<Campaign>>,
    at: Cell<usize>,
    paused: Cell<bool>,
    /// The next poster's turn (re-armed per poster: each has its own seconds).
    turn: Timer,
    /// What the turn calls: the controller's way back to [`AttractLoop::next`].
    advance: RefCell<Option<Rc<dyn Fn()>>>,
}

impl AttractLoop {
    /// Starts the loop with the posters of `today`; false when none runs (nothing shows).
    pub fn start(
        &self,
        window: &AppWindow,
        store: &Store,
        campaigns: &[Campaign],
        today: NaiveDate,
        advance: Rc<dyn Fn()>,
    ) -> bool {
        let slides: Vec<Campaign> = running_on(campaigns, today).into_iter().cloned().collect();
        if slides.is_empty() {
            return false;
        }
        *self.slides.borrow_mut() = slides;
        *self.advance.borrow_mut() = Some(advance);
        self.at.set(0);
        self.paused.set(false);
        let a = window.global::<Attract>();
        a.set_paused(false);
        a.set_count(self.slides.borrow().len() as i32);
        a.set_showing(true);
        self.show(window, store);
        true
    }

    /// The next poster (the turn's timer calls this through the controller).
    pub fn next(&self, window: &AppWindow, store: &Store) {
        let count = self.slides.borrow().len();
        if count == 0 {
            return;
        }
        self.at.set((self.at.get() + 1) % count);
        self.show(window, store);
    }

    /// 暂停 / 继续: a held poster stays until 继续 or a touch elsewhere.
    pub fn toggle_pause(&self, window: &AppWindow) {
        let paused = !self.paused.get();
        self.paused.set(paused);
        window.global::<Attract>().set_paused(paused);
        if paused {
            self.turn.stop();
        } else {
            self.arm();
        }
    }

    /// Ends the loop: the home page is what shows.
    pub fn stop(&self, window: &AppWindow) {
        self.turn.stop();
        self.slides.borrow_mut().clear();
        *self.advance.borrow_mut() = None;
        let a = window.global::<Attract>();
        a.set_showing(false);
        a.set_paused(false);
        a.set_poster(Image::default());
        a.set_text("".into());
        a.set_source("".into());
        a.set_index(0);
        a.set_count(0);
    }

    fn show(&self, window: &AppWindow, store: &Store) {
        let Some(slide) = self.slides.borrow().get(self.at.get()).cloned() else { return };
        let a = window.global::<Attract>();
        // A poster that cannot be shown leaves its words: the text is the poster's content too.
        let poster = poster_image(store, &slide.image).unwrap_or_else(|e| {
            crate::observe::fault("store", &e.context(format!("poster {}", slide.id)));
            Image::default()
        });
        a.set_poster(poster);
        a.set_text(slide.text.as_str().into());
        a.set_source(slide.source.as_str().into());
        a.set_index(self.at.get() as i32 + 1);
        if !self.paused.get() {
            self.arm();
        }
    }

    fn arm(&self) {
        let seconds = self.slides.borrow().get(self.at.get()).map_or(10, |s| s.seconds);
        let Some(advance) = self.advance.borrow().clone() else { return };
        self.turn
            .start(TimerMode::SingleShot, Duration::from_secs(seconds.into()), move || advance());
    }
}

/// A poster's picture from the store, decoded with `image`.
fn poster_image(store: &Store, sha256: &str) -> Result<Image> {
    let png = store.poster(sha256)?.context("not in this content generation")?;
    let rgba = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .context("decoding the PNG")?
        .into_rgba8();
    let (w, h) = rgba.dimensions();
    let buffer = SharedPixelBuffer::<Rgba8Pixel>::clone_from_slice(rgba.as_raw(), w, h);
    Ok(Image::from_rgba8(buffer))
}

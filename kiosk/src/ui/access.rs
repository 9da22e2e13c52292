//! The Rust side of the `Access` global: 长辈模式, read-aloud and the language, which every
//! screen offers (its nav bar) and home too. All three belong to the session: an idle reset
//! turns 长辈模式 off, stops the voice and returns to Simplified Chinese.

use std::cell::Cell;

use slint::ComponentHandle;

use super::{Access, AppWindow, Metrics, Reading};
use crate::speech::{Playing, ReadAloud, Speaker};

/// 长辈模式's enlargement of every size in `Metrics`: body text 32 → 40 px (≥ 30 dp-equivalent
/// on the 21.5″ panel), touch targets 96 → 120 px (29.8 mm there).
pub const ELDER_SCALE: f32 = 1.25;

pub use crate::text::i18n::Language;

/// The session's access settings and the page reader.
pub struct AccessState {
    elder: Cell<bool>,
    language: Cell<Language>,
    player: ReadAloud,
}

impl AccessState {
    /// A fresh session's settings; the reader speaks through `voice`.
    pub fn new(voice: Box<dyn Speaker>) -> AccessState {
        let player = ReadAloud::new(
            voice,
            Box::new(|playing| {
                // The player's thread: the button changes on the UI thread.
                super::controller::on_ui_thread(move |c| show_reading(c.window(), playing));
            }),
        );
        AccessState { elder: Cell::new(false), language: Cell::new(Language::Hans), player }
    }

    pub fn elder(&self) -> bool {
        self.elder.get()
    }

    pub fn language(&self) -> Language {
        self.language.get()
    }

    /// 长辈模式 on or off: every size follows at the next frame.
    pub fn set_elder(&self, window: &AppWindow, on: bool) {
        self.elder.set(on);
        window.global::<Metrics>().set_scale(if on { ELDER_SCALE } else { 1.0 });
        window.global::<Access>().set_elder(on);
    }

    /// Switches every string the UI writes through `@tr` to `language`.
    pub fn set_language(&self, window: &AppWindow, language: Language) {
        if let Err(e) = slint::select_bundled_translation(language.bundle()) {
            // Only a build without the translations: the screen stays in Chinese.
            tracing::warn!("language {}: {e:?}", language.code());
            return;
        }
        self.language.set(language);
        let access = window.global::<Access>();
        access.set_language(language.code().into());
        access.set_choosing_language(false);
    }

    /// 朗读本页 / 暂停 / 继续: one button. `page` gives the sentences when a reading starts.
    pub fn read_button(&self, page: impl FnOnce() -> Vec<String>) {
        match self.player.playing() {
            Playing::Idle => self.player.read(page()),
            Playing::Speaking { .. } => self.player.pause(),
            Playing::Paused { .. } => self.player.resume(),
        }
    }

    /// Silence: 停止, a new page, the end of the session.
    pub fn stop_reading(&self) {
        self.player.stop();
    }

    pub fn playing(&self) -> Playing {
        self.player.playing()
    }

    /// Whether the session changed anything here (the idle reset must then still come).
    pub fn holds_session(&self) -> bool {
        self.elder.get() || self.language.get() != Language::Hans || self.playing() != Playing::Idle
    }

    /// A fresh session's settings.
    pub fn reset(&self, window: &AppWindow) {
        self.stop_reading();
        self.set_elder(window, false);
        self.set_language(window, Language::Hans);
        show_reading(window, Playing::Idle);
    }
}

/// The speaker button's state.
pub(crate) fn show_reading(window: &AppWindow, playing: Playing) {
    window.global::<Access>().set_reading(match playing {
        Playing::Idle => Reading::Idle,
        Playing::Speaking { .. } => Reading::Speaking,
        Playing::Paused { .. } => Reading::Paused,
    });
}

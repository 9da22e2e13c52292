//! Handwriting: strokes drawn with a finger → candidate characters, offline.
//!
//! Recognition is Zinnia (BSD, Debian's `libzinnia-dev`) with the Tegaki Simplified Chinese
//! model (LGPL-2.1+, `tegaki-zinnia-simplified-chinese`, ≈26 MB, memory-mapped by Zinnia). No
//! Rust crate binds Zinnia, so this module holds the few C calls the kiosk needs, behind a safe
//! [`Recognizer`]. Built without the `handwriting` feature (a device image without a Zinnia
//! recipe), [`Recognizer::open`] says so and the search screen offers pinyin only.

use std::path::Path;

use anyhow::Result;

/// Where Debian's tegaki package installs the model (and the device image, see the layer).
pub const DEFAULT_MODEL: &str = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";

/// One stroke: the finger's path from touch to lift, in pad pixels.
pub type Stroke = Vec<(i32, i32)>;

/// A character candidate and Zinnia's score for it (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub character: String,
    pub score: f32,
}

#[cfg(feature = "handwriting")]
mod ffi {
    use std::os::raw::{c_char, c_int};

    #[repr(C)]
    pub struct ZinniaCharacter {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub struct ZinniaRecognizer {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub struct ZinniaResult {
        _private: [u8; 0],
    }

    #[link(name = "zinnia")]
    extern "C" {
        pub fn zinnia_character_new() -> *mut ZinniaCharacter;
        pub fn zinnia_character_destroy(c: *mut ZinniaCharacter);
        pub fn zinnia_character_set_width(c: *mut ZinniaCharacter, width: usize);
        pub fn zinnia_character_set_height(c: *mut ZinniaCharacter, height: usize);
        pub fn zinnia_character_add(
            c: *mut ZinniaCharacter,
            id: usize,
            x: c_int,
            y: c_int,
        ) -> c_int;
        pub fn zinnia_recognizer_new() -> *mut ZinniaRecognizer;
        pub fn zinnia_recognizer_destroy(r: *mut ZinniaRecognizer);
        pub fn zinnia_recognizer_open(r: *mut ZinniaRecognizer, filename: *const c_char) -> c_int;
        pub fn zinnia_recognizer_strerror(r: *mut ZinniaRecognizer) -> *const c_char;
        pub fn zinnia_recognizer_classify(
            r: *mut ZinniaRecognizer,
            c: *const ZinniaCharacter,
            nbest: usize,
        ) -> *mut ZinniaResult;
        pub fn zinnia_result_value(r: *mut ZinniaResult, i: usize) -> *const c_char;
        pub fn zinnia_result_score(r: *mut ZinniaResult, i: usize) -> f32;
        pub fn zinnia_result_size(r: *mut ZinniaResult) -> usize;
        pub fn zinnia_result_destroy(r: *mut ZinniaResult);
    }
}

/// An open Zinnia model.
pub struct Recognizer {
    #[cfg(feature = "handwriting")]
    raw: *mut ffi::ZinniaRecognizer,
}

// SAFETY: a Zinnia recognizer is a read-only model once opened; `classify` takes `&self` but
// the kiosk calls it from one thread at a time (the UI thread), and `Drop` needs ownership.
unsafe impl Send for Recognizer {}

impl Recognizer {
    /// Opens (memory-maps) a model file.
    #[cfg(feature = "handwriting")]
    pub fn open(model: &Path) -> Result<Recognizer> {
        use std::ffi::{CStr, CString};
        use std::os::unix::ffi::OsStrExt;

        let path = CString::new(model.as_os_str().as_bytes())?;
        // SAFETY: `zinnia_recognizer_new` returns an owned object or null; it is destroyed on
        // every path below or by `Drop`.
        unsafe {
            let raw = ffi::zinnia_recognizer_new();
            anyhow::ensure!(!raw.is_null(), "zinnia: out of memory");
            if ffi::zinnia_recognizer_open(raw, path.as_ptr()) == 0 {
                let why = CStr::from_ptr(ffi::zinnia_recognizer_strerror(raw))
                    .to_string_lossy()
                    .into_owned();
                ffi::zinnia_recognizer_destroy(raw);
                anyhow::bail!("handwriting model {}: {why}", model.display());
            }
            Ok(Recognizer { raw })
        }
    }

    #[cfg(not(feature = "handwriting"))]
    pub fn open(model: &Path) -> Result<Recognizer> {
        anyhow::bail!("{}: this kiosk was built without handwriting", model.display())
    }

    /// The `n` best characters for `strokes` drawn on a `width`×`height` pad, best first.
    #[cfg(feature = "handwriting")]
    pub fn classify(
        &self,
        strokes: &[Stroke],
        width: u32,
        height: u32,
        n: usize,
    ) -> Vec<Candidate> {
        use std::ffi::CStr;

        if strokes.iter().all(|s| s.is_empty()) {
            return Vec::new();
        }
        // SAFETY: the character and the result are created, read and destroyed here; the
        // recognizer outlives the call (`&self`).
        unsafe {
            let c = ffi::zinnia_character_new();
            if c.is_null() {
                return Vec::new();
            }
            ffi::zinnia_character_set_width(c, width as usize);
            ffi::zinnia_character_set_height(c, height as usize);
            for (id, stroke) in strokes.iter().filter(|s| !s.is_empty()).enumerate() {
                for &(x, y) in stroke {
                    ffi::zinnia_character_add(c, id, x, y);
                }
            }
            let result = ffi::zinnia_recognizer_classify(self.raw, c, n);
            ffi::zinnia_character_destroy(c);
            if result.is_null() {
                return Vec::new();
            }
            let out = (0..ffi::zinnia_result_size(result))
                .map(|i| Candidate {
                    character: CStr::from_ptr(ffi::zinnia_result_value(result, i))
                        .to_string_lossy()
                        .into_owned(),
                    score: ffi::zinnia_result_score(result, i),
                })
                .collect();
            ffi::zinnia_result_destroy(result);
            out
        }
    }

    #[cfg(not(feature = "handwriting"))]
    pub fn classify(&self, _: &[Stroke], _: u32, _: u32, _: usize) -> Vec<Candidate> {
        Vec::new()
    }
}

#[cfg(feature = "handwriting")]
impl Drop for Recognizer {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `zinnia_recognizer_new` and is dropped once.
        unsafe { ffi::zinnia_recognizer_destroy(self.raw) }
    }
}

#[cfg(all(test, feature = "handwriting"))]
mod tests {
    use super::*;

    /// The Debian model recognises clean strokes; the pad's own tests (tests/ui.rs) draw the
    /// full test set through the screen.
    #[test]
    fn recognises_a_character_from_its_strokes() {
        let r = Recognizer::open(Path::new(DEFAULT_MODEL))
            .expect("the tegaki model is installed by tools/setup-debian");
        let line = |(x0, y0): (i32, i32), (x1, y1): (i32, i32)| -> Stroke {
            (0..=20).map(|i| (x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * i / 20)).collect()
        };
        let gong =
            [line((99, 88), (341, 88)), line((220, 88), (220, 352)), line((55, 352), (385, 352))];
        let c = r.classify(&gong, 440, 440, 5);
        assert_eq!(c[0].character, "工", "{c:?}");
        assert!(r.classify(&[], 440, 440, 5).is_empty());
        assert!(Recognizer::open(Path::new("/nonexistent.model")).is_err());
    }
}

//! The kiosk's one voice: ticket numbers and read-aloud pages both speak through [`Speaker`].
//! Offline: espeak-ng from Debian, Mandarin for Chinese characters and English for English
//! words (the English UI's sentences, a ticket's letter), switched within one utterance by
//! SSML. Tests capture the words.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub trait Speaker: Send {
    /// Starts saying `text`; returns at once (speech must never hold up the screen).
    fn say(&self, text: &str);

    /// Says `text` and returns when it has been said, or as soon as `interrupted()` turns true
    /// (polled every few tens of milliseconds; the speech then stops mid-word). The read-aloud
    /// player calls this on its own thread, one sentence at a time.
    fn say_until_done(&self, text: &str, interrupted: &dyn Fn() -> bool) {
        let _ = interrupted;
        self.say(text);
    }
}

/// How often a sentence being spoken checks for pause or stop: short enough that a tap on
/// 暂停 silences the voice before the finger lifts.
const INTERRUPT_POLL: Duration = Duration::from_millis(20);

/// Speaks through the `espeak-ng` program.
pub struct EspeakSpeaker {
    /// For Chinese characters. `cmn-latn-pinyin`, not espeak-ng's plain `cmn`: in Debian 12's
    /// espeak-ng 1.51 `cmn` turns characters into tone-numbered pinyin and then reads that as
    /// English ("gong one gong four" for 公共), while this voice reads the tones as tones.
    pub chinese: String,
    /// For runs of Latin letters.
    pub english: String,
    /// Words per minute: slower than the default 175, for elderly listeners.
    pub rate: u32,
    /// Loudness as espeak-ng's amplitude, 0–200 (100 is its normal; config `speech_volume`).
    pub amplitude: u32,
}

impl Default for EspeakSpeaker {
    fn default() -> Self {
        EspeakSpeaker {
            chinese: "cmn-latn-pinyin".into(),
            english: "en".into(),
            rate: 140,
            amplitude: 100,
        }
    }
}

impl EspeakSpeaker {
    fn command(&self, text: &str, wav: Option<&std::path::Path>) -> Command {
        let mut c = Command::new("espeak-ng");
        c.args(["-m", "-s", &self.rate.to_string(), "-a", &self.amplitude.to_string()]);
        if let Some(path) = wav {
            c.arg("-w").arg(path);
        }
        c.arg("--").arg(self.ssml(text));
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    /// `text` as SSML: each run of Chinese or of Latin letters in its own voice. Digits, spaces
    /// and punctuation stay with the run they are in. Every run names its voice: after a
    /// `</voice>` espeak-ng falls back to the plain `cmn`, not to the voice given with `-v`.
    pub fn ssml(&self, text: &str) -> String {
        let mut out = String::from("<speak>");
        let mut current: Option<bool> = None; // Some(true): a Chinese run is open
        for c in text.chars() {
            let chinese = match script(c) {
                Script::Chinese => true,
                Script::Latin => false,
                Script::Either => current.unwrap_or(true),
            };
            if current != Some(chinese) {
                if current.is_some() {
                    out.push_str("</voice>");
                }
                let voice = if chinese { &self.chinese } else { &self.english };
                out.push_str(&format!("<voice name=\"{voice}\">"));
                current = Some(chinese);
            }
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        if current.is_some() {
            out.push_str("</voice>");
        }
        out.push_str("</speak>");
        out
    }

    /// What espeak-ng would say, as its phoneme mnemonics (`-x`): a check that a voice reads
    /// a sentence as words of its language. `(en)` in it marks a word the voice gave up on
    /// and handed to English.
    pub fn phonemes(&self, text: &str) -> anyhow::Result<String> {
        let out = Command::new("espeak-ng")
            .args(["-m", "-q", "-x", "--", &self.ssml(text)])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| anyhow::anyhow!("espeak-ng: {e} (install the espeak-ng package)"))?;
        anyhow::ensure!(out.status.success(), "espeak-ng failed: {}", out.status);
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Renders `text` to a WAV file and waits (for tests and for checking a device's voice).
    pub fn to_wav(&self, text: &str, path: &std::path::Path) -> anyhow::Result<()> {
        let status = self
            .command(text, Some(path))
            .status()
            .map_err(|e| anyhow::anyhow!("espeak-ng: {e} (install the espeak-ng package)"))?;
        anyhow::ensure!(status.success(), "espeak-ng failed: {status}");
        Ok(())
    }
}

impl Speaker for EspeakSpeaker {
    fn say(&self, text: &str) {
        // A missing synthesizer must not stop a ticket; the screen still shows the number.
        if let Ok(mut child) = self.command(text, None).spawn() {
            std::thread::spawn(move || child.wait());
        }
    }

    fn say_until_done(&self, text: &str, interrupted: &dyn Fn() -> bool) {
        let Ok(mut child) = self.command(text, None).spawn() else { return };
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if interrupted() => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return;
                }
                Ok(None) => std::thread::sleep(INTERRUPT_POLL),
            }
        }
    }
}

enum Script {
    Chinese,
    Latin,
    /// Digits, spaces, ASCII punctuation: read by the run around them.
    Either,
}

fn script(c: char) -> Script {
    match c {
        'A'..='Z' | 'a'..='z' => Script::Latin,
        c if c.is_ascii() => Script::Either,
        // CJK ideographs, CJK and full-width punctuation, 〇 and the rest of the wide range.
        '\u{2E80}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}' => {
            Script::Chinese
        }
        // “ ” ‘ ’ … · and the word joiner: either.
        _ => Script::Either,
    }
}

/// Says nothing: kiosks with speech switched off in config, and technicians' test tickets.
pub struct Silent;

impl Speaker for Silent {
    fn say(&self, _: &str) {}
}

/// Keeps the last [`RecordingSpeaker::KEEP`] sentences instead of saying them, so a test can
/// check what a resident would have heard. Bounded: it may run as long as a kiosk does.
#[derive(Clone, Default)]
pub struct RecordingSpeaker(Arc<Mutex<std::collections::VecDeque<String>>>);

impl RecordingSpeaker {
    pub const KEEP: usize = 256;

    /// What was said, oldest first.
    pub fn said(&self) -> Vec<String> {
        self.0.lock().expect("speech log").iter().cloned().collect()
    }
}

impl Speaker for RecordingSpeaker {
    fn say(&self, text: &str) {
        let mut log = self.0.lock().expect("speech log");
        if log.len() == Self::KEEP {
            log.pop_front();
        }
        log.push_back(text.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_is_read_by_its_own_voice() {
        let v = EspeakSpeaker::default();
        assert_eq!(
            v.ssml("您的号码是 A 零零七号"),
            "<speak><voice name=\"cmn-latn-pinyin\">您的号码是 </voice><voice name=\"en\">A \
             </voice><voice name=\"cmn-latn-pinyin\">零零七号</voice></speak>"
        );
        assert_eq!(
            v.ssml("Legal aid centre, about 1.1 km. 法律援助"),
            "<speak><voice name=\"en\">Legal aid centre, about 1.1 km. </voice>\
             <voice name=\"cmn-latn-pinyin\">法律援助</voice></speak>"
        );
        assert_eq!(v.ssml("12348"), "<speak><voice name=\"cmn-latn-pinyin\">12348</voice></speak>");
        assert!(v.ssml("a<b & c").contains("a&lt;b &amp; c"));
    }

    /// The voice Debian's espeak-ng calls `cmn` read every character as pinyin spelled in
    /// English; the kiosk said "nin two de five" for 您的. This hears what the voice makes of
    /// a ticket's sentence and a page's.
    #[test]
    fn mandarin_is_read_as_mandarin() {
        let v = EspeakSpeaker::default();
        for text in
            ["您的号码是 A 零零七号，前面还有三人。", "公共法律服务中心，请从屏幕下方取走号票。"]
        {
            let said = v.phonemes(text).expect("espeak-ng is installed by tools/setup-debian");
            assert!(!said.trim().is_empty());
            assert!(!said.contains("(en)"), "{text}: the voice fell back to English: {said}");
        }
        let plain = EspeakSpeaker { chinese: "cmn".into(), ..EspeakSpeaker::default() };
        assert!(plain.phonemes("公共").unwrap().contains("(en)"), "the check can fail");
    }
}

//! The kiosk's one voice: ticket numbers and read-aloud pages both speak through [`Speaker`].
//! Offline: espeak-ng's Mandarin voice (`cmn`) from Debian. Tests capture the words.

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
    pub voice: String,
    /// Words per minute: slower than the default 175, for elderly listeners.
    pub rate: u32,
    /// Loudness as espeak-ng's amplitude, 0–200 (100 is its normal; config `speech_volume`).
    pub amplitude: u32,
}

impl Default for EspeakSpeaker {
    fn default() -> Self {
        EspeakSpeaker { voice: "cmn".into(), rate: 140, amplitude: 100 }
    }
}

impl EspeakSpeaker {
    fn command(&self, text: &str, wav: Option<&std::path::Path>) -> Command {
        let mut c = Command::new("espeak-ng");
        c.args([
            "-v",
            &self.voice,
            "-s",
            &self.rate.to_string(),
            "-a",
            &self.amplitude.to_string(),
        ]);
        if let Some(path) = wav {
            c.arg("-w").arg(path);
        }
        c.arg("--").arg(text);
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        c
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

//! Saying the ticket number aloud (EN 301 549 5.1.3.16: what the screen shows, the kiosk also
//! speaks). Offline: espeak-ng's Mandarin voice (`cmn`) from Debian. Tests capture the words.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::text::zh;

pub trait Speaker: Send {
    /// Starts saying `text`; returns at once (speech must never hold up the screen).
    fn say(&self, text: &str);
}

/// Speaks through the `espeak-ng` program.
pub struct EspeakSpeaker {
    pub voice: String,
    /// Words per minute: slower than the default 175, for elderly listeners.
    pub rate: u32,
}

impl Default for EspeakSpeaker {
    fn default() -> Self {
        EspeakSpeaker { voice: "cmn".into(), rate: 140 }
    }
}

impl EspeakSpeaker {
    fn command(&self, text: &str, wav: Option<&std::path::Path>) -> Command {
        let mut c = Command::new("espeak-ng");
        c.args(["-v", &self.voice, "-s", &self.rate.to_string()]);
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
    pub const KEEP: usize = 64;

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

/// The sentence for a ticket: letters spelled, digits read one by one, as halls call them
/// ("A 零零七 号" rather than "A 七 号", matching the printed A007).
pub fn ticket_sentence(code: &str, ahead: u32, printed: bool) -> String {
    let spoken: String =
        code.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"][d as usize]
                    .to_owned(),
                None => format!("{c} "),
            })
            .collect();
    let ahead = if ahead == 0 {
        "前面没有人在等".to_owned()
    } else {
        format!("前面还有{}人", zh::number(ahead))
    };
    if printed {
        format!("您的号码是 {spoken}号，{ahead}。请取走号票。")
    } else {
        format!("您的号码是 {spoken}号，{ahead}。号票没有打印出来，请记下屏幕上的号码。")
    }
}

//! Reading a page aloud, sentence by sentence, with pause and stop (EN 301 549 5.1.3.1: what
//! the screen shows is also available as speech).
//!
//! One sentence at a time, so that 暂停 resumes at the sentence it stopped in, not at the top
//! of the page. (It costs no latency: espeak-ng streams clause by clause, so its first audio
//! comes ~10 ms after the start either way; `benches/access.rs` measures both.)
//! The voice runs on the player's own thread: the screen never waits for speech.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::Speaker;

/// What the player is doing, for the speaker button (朗读 / 暂停 / 继续).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playing {
    Idle,
    /// Saying sentence `at` (from 0) of `of`.
    Speaking {
        at: usize,
        of: usize,
    },
    /// Stopped at sentence `at` of `of`; 继续 says it again from its start.
    Paused {
        at: usize,
        of: usize,
    },
}

/// Told of every change of [`Playing`] (from the player's thread).
pub type OnChange = Box<dyn Fn(Playing) + Send + Sync>;

#[derive(Default)]
struct State {
    sentences: Vec<String>,
    next: usize,
    paused: bool,
    /// Bumped by every command that cuts the current sentence short: the sentence being
    /// spoken checks it and stops when it has changed.
    cut: u64,
    closing: bool,
}

impl State {
    fn playing(&self) -> Playing {
        let of = self.sentences.len();
        match (self.next < of, self.paused) {
            (false, _) => Playing::Idle,
            (true, true) => Playing::Paused { at: self.next, of },
            (true, false) => Playing::Speaking { at: self.next, of },
        }
    }
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    on_change: OnChange,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies a command; tells the listener and the worker.
    fn update(&self, cuts: bool, f: impl FnOnce(&mut State)) {
        let playing = {
            let mut s = self.lock();
            f(&mut s);
            if cuts {
                s.cut += 1;
            }
            s.playing()
        };
        self.wake.notify_all();
        (self.on_change)(playing);
    }
}

/// The read-aloud player: a thread that says a page's sentences in turn through a [`Speaker`].
pub struct ReadAloud {
    shared: Arc<Shared>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl ReadAloud {
    pub fn new(voice: Box<dyn Speaker>, on_change: OnChange) -> ReadAloud {
        let shared = Arc::new(Shared { state: Mutex::default(), wake: Condvar::new(), on_change });
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("read-aloud".into())
                .spawn(move || work(&shared, voice.as_ref()))
                .expect("spawning the read-aloud thread")
        };
        ReadAloud { shared, worker: Some(worker) }
    }

    /// Reads `sentences` from the first, cutting off whatever was being read.
    pub fn read(&self, sentences: Vec<String>) {
        let sentences: Vec<String> =
            sentences.into_iter().filter(|s| !s.trim().is_empty()).collect();
        self.shared.update(true, |s| {
            s.sentences = sentences;
            s.next = 0;
            s.paused = false;
        });
    }

    /// Stops mid-sentence; [`ReadAloud::resume`] starts that sentence again.
    pub fn pause(&self) {
        if matches!(self.playing(), Playing::Speaking { .. }) {
            self.shared.update(true, |s| s.paused = true);
        }
    }

    pub fn resume(&self) {
        if matches!(self.playing(), Playing::Paused { .. }) {
            self.shared.update(false, |s| s.paused = false);
        }
    }

    /// Silence, and forget the page (leaving a page or the session ends).
    pub fn stop(&self) {
        if self.playing() != Playing::Idle {
            self.shared.update(true, |s| {
                s.sentences.clear();
                s.next = 0;
                s.paused = false;
            });
        }
    }

    pub fn playing(&self) -> Playing {
        self.shared.lock().playing()
    }
}

impl Drop for ReadAloud {
    fn drop(&mut self) {
        self.shared.update(true, |s| s.closing = true);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The player's thread: waits for a sentence to say, says it, moves on unless cut short.
fn work(shared: &Shared, voice: &dyn Speaker) {
    loop {
        let (sentence, cut) = {
            let mut s = shared.lock();
            while !s.closing && (s.paused || s.next >= s.sentences.len()) {
                s = shared.wake.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.closing {
                return;
            }
            (s.sentences[s.next].clone(), s.cut)
        };
        voice.say_until_done(&sentence, &|| shared.lock().cut != cut);
        let finished = {
            let mut s = shared.lock();
            if s.cut != cut {
                continue;
            }
            s.next += 1;
            s.playing()
        };
        (shared.on_change)(finished);
    }
}

/// Splits text into the sentences the player says one by one: after 。！？； and line ends,
/// keeping the mark (espeak-ng pauses on it). A sentence longer than `MAX_CHARS` is split at
/// its commas too, so 继续 after 暂停 repeats little of a long statute sentence.
pub fn sentences(text: &str) -> Vec<String> {
    const MAX_CHARS: usize = 60;
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        let s = current.trim();
        if !s.is_empty() {
            out.push(s.to_owned());
        }
        current.clear();
    };
    for c in text.chars() {
        if c == '\n' {
            flush(&mut current, &mut out);
            continue;
        }
        current.push(c);
        let long = current.chars().count() >= MAX_CHARS;
        if matches!(c, '。' | '！' | '？' | '；' | '!' | '?')
            || (long && matches!(c, '，' | '、' | '：'))
        {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A voice that holds each sentence until the test lets it finish, and records what it was
    /// asked to say and whether the sentence was cut short.
    struct GatedVoice {
        started: Mutex<mpsc::Sender<String>>,
        finish: Mutex<mpsc::Receiver<()>>,
    }

    impl Speaker for GatedVoice {
        fn say(&self, _: &str) {}
        fn say_until_done(&self, text: &str, interrupted: &dyn Fn() -> bool) {
            self.started.lock().unwrap().send(text.to_owned()).unwrap();
            let finish = self.finish.lock().unwrap();
            loop {
                if interrupted() {
                    return;
                }
                if finish.recv_timeout(Duration::from_millis(5)).is_ok() {
                    return;
                }
            }
        }
    }

    fn player() -> (ReadAloud, mpsc::Receiver<String>, mpsc::Sender<()>, mpsc::Receiver<Playing>) {
        let (started_tx, started) = mpsc::channel();
        let (finish, finish_rx) = mpsc::channel();
        let (changes_tx, changes) = mpsc::channel();
        let changes_tx = Mutex::new(changes_tx);
        let voice = GatedVoice { started: Mutex::new(started_tx), finish: Mutex::new(finish_rx) };
        let p = ReadAloud::new(
            Box::new(voice),
            Box::new(move |p| {
                let _ = changes_tx.lock().unwrap().send(p);
            }),
        );
        (p, started, finish, changes)
    }

    const WAIT: Duration = Duration::from_secs(5);

    #[test]
    fn reads_every_sentence_in_order_then_goes_idle() {
        let (p, started, finish, changes) = player();
        p.read(vec!["一。".into(), " ".into(), "二。".into()]);
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "一。");
        finish.send(()).unwrap();
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "二。", "the blank sentence is skipped");
        finish.send(()).unwrap();
        let last =
            std::iter::from_fn(|| changes.recv_timeout(WAIT).ok()).find(|c| *c == Playing::Idle);
        assert_eq!(last, Some(Playing::Idle));
        assert!(started.recv_timeout(Duration::from_millis(100)).is_err(), "nothing more said");
    }

    #[test]
    fn pause_cuts_the_sentence_and_resume_says_it_again() {
        let (p, started, finish, _changes) = player();
        p.read(vec!["第一句。".into(), "第二句。".into()]);
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "第一句。");
        p.pause();
        assert_eq!(p.playing(), Playing::Paused { at: 0, of: 2 });
        assert!(started.recv_timeout(Duration::from_millis(100)).is_err(), "silent while paused");
        p.resume();
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "第一句。", "the cut sentence again");
        finish.send(()).unwrap();
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "第二句。");
    }

    #[test]
    fn stop_silences_and_forgets_the_page() {
        let (p, started, _finish, _changes) = player();
        p.read(vec!["第一句。".into(), "第二句。".into()]);
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "第一句。");
        p.stop();
        assert_eq!(p.playing(), Playing::Idle);
        assert!(started.recv_timeout(Duration::from_millis(100)).is_err(), "nothing after stop");
        p.resume();
        assert_eq!(p.playing(), Playing::Idle, "resume after stop has nothing to resume");
    }

    #[test]
    fn a_new_page_replaces_the_one_being_read() {
        let (p, started, _finish, _changes) = player();
        p.read(vec!["旧页。".into(), "旧页二。".into()]);
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "旧页。");
        p.read(vec!["新页。".into()]);
        assert_eq!(started.recv_timeout(WAIT).unwrap(), "新页。");
    }

    #[test]
    fn sentences_split_at_full_stops_and_long_ones_at_commas() {
        assert_eq!(
            sentences("第一条　为了保护。\n第二条 适用本法！"),
            ["第一条　为了保护。", "第二条 适用本法！"]
        );
        let long = format!("{}，{}。", "甲".repeat(70), "乙".repeat(10));
        assert_eq!(sentences(&long).len(), 2, "{:?}", sentences(&long));
        assert_eq!(sentences("短句，不拆。"), ["短句，不拆。"]);
        assert!(sentences("  \n ").is_empty());
    }
}

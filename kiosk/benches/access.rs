//! 长辈模式, the language and read-aloud, measured:
//!
//! 1. A switch of 长辈模式 or of the language to the next frame drawn (the software renderer,
//!    partial repaint as on the device), on home and on the 民法典 reader at 1080×1920, against
//!    a full repaint of the same unchanged screen in the same process (goal ≤ 50 ms).
//! 2. Read-aloud latency: from the tap to espeak-ng's first audio bytes (`--stdout`, the
//!    synthesizer's own output before any sound card), saying the reader page sentence by
//!    sentence as the kiosk does, against the whole page as one utterance.
//!
//! Run: `cargo bench -p kiosk --bench access`.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use slint::platform::software_renderer::RepaintBufferType;
use slint::ComponentHandle;

use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::speech::EspeakSpeaker;
use kiosk::ui::access::Language;
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::Headless;
use kiosk::ui::AppWindow;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Time from starting espeak-ng on `text` to its first bytes of audio.
fn first_audio(text: &str) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let mut child = Command::new("espeak-ng")
        .args(["-m", "-s", "140", "--stdout", "--", &EspeakSpeaker::default().ssml(text)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("espeak-ng: {e} (install the espeak-ng package)"))?;
    let mut out = child.stdout.take().expect("piped");
    let mut first = [0u8; 1];
    out.read_exact(&mut first)?;
    let took = t.elapsed();
    std::io::copy(&mut out, &mut std::io::sink())?;
    child.wait()?;
    Ok(took)
}

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = common::demo_store(tmp.path())?;

    let (w, h) = (1080, 1920);
    let mut headless = Headless::install_with(w, h, RepaintBufferType::ReusedBuffer)?;
    let config = Config { data_dir: data.clone(), speech: false, ..Config::default() };
    let ctrl = Controller::new(AppWindow::new()?, Store::open(&data)?, &config);
    ctrl.window().show()?;

    // 1. Switches to the next frame.
    const N: usize = 20;
    for page in ["home", "reader"] {
        if page == "reader" {
            ctrl.open_law_by_name("民法典", Some(1079))?;
        }
        for _ in 0..3 {
            headless.render();
        }
        let mut full = Vec::new();
        let (mut elder, mut language) = (Vec::new(), Vec::new());
        for i in 0..N {
            full.push(headless.render_full());
            let t = Instant::now();
            ctrl.set_elder(i % 2 == 0);
            headless.render();
            elder.push(t.elapsed());
            let t = Instant::now();
            ctrl.set_language(if i % 2 == 0 { Language::English } else { Language::Hans });
            headless.render();
            language.push(t.elapsed());
        }
        ctrl.set_elder(false);
        ctrl.set_language(Language::Hans);
        for v in [&mut full, &mut elder, &mut language] {
            v.sort();
        }
        let base = ms(percentile(&full, 0.5));
        for (what, v) in [("长辈模式 on/off", &elder), ("language 简体 ⇄ English", &language)]
        {
            let p95 = percentile(v, 0.95);
            println!(
                "{page} at {w}×{h}: {what} to the next frame p50 {:.1} ms, p95 {:.1} ms ({:.2}× a full repaint of the unchanged screen, p50 {base:.1} ms); goal ≤ 50 ms: {}",
                ms(percentile(v, 0.5)),
                ms(p95),
                ms(percentile(v, 0.5)) / base,
                if p95 <= Duration::from_millis(50) { "met" } else { "NOT met" }
            );
        }
    }

    // 2. Read-aloud latency on the reader page (民法典 第一千零七十九条 on).
    let sentences = ctrl.page_sentences();
    anyhow::ensure!(sentences.len() > 5, "the reader page has {} sentences", sentences.len());
    let whole = sentences.join("");
    let (mut by_sentence, mut as_one) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        // What the kiosk does: the first sentence is synthesized while the rest wait.
        by_sentence.push(first_audio(&sentences[0])?);
        as_one.push(first_audio(&whole)?);
    }
    by_sentence.sort();
    as_one.sort();
    let (a, b) = (percentile(&by_sentence, 0.5), percentile(&as_one, 0.5));
    println!(
        "read-aloud, reader page ({} sentences, {} characters): first audio after {:.0} ms sentence by sentence, {:.0} ms as one utterance (ratio {:.2}; espeak-ng streams by clause)",
        sentences.len(),
        whole.chars().count(),
        ms(a),
        ms(b),
        ms(b) / ms(a)
    );
    Ok(())
}

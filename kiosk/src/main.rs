//! `kiosk`: the firmware's single binary. `kiosk --help` lists what it does.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};
use slint::ComponentHandle;

use kiosk::app::config::Config;
use kiosk::content::{bundle, source::ContentSource, Store};
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::{peak_rss_kib, Headless};
use kiosk::ui::AppWindow;

#[derive(Parser)]
#[command(name = "kiosk", version, about = "公共法律服务触摸查询一体机 firmware")]
struct Cli {
    /// Configuration file (default: $KIOSK_CONFIG, else /etc/kiosk/kiosk.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the kiosk: full screen on the device, a window on a desktop.
    Run {
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Render one screen headless (software renderer) to a PNG.
    Screenshot {
        /// home, library, laws, reader, toc, jump, search, results, idle
        #[arg(long, default_value = "home")]
        screen: String,
        /// Panel size, e.g. 1080x1920 (default: the config's orientation).
        #[arg(long)]
        size: Option<String>,
        /// The law the reader screens open (short name or title).
        #[arg(long, default_value = "民法典")]
        law: String,
        /// The article the reader screens open at.
        #[arg(long, default_value_t = 1079)]
        article: u32,
        /// Pinyin typed on the search screens.
        #[arg(long, default_value = "lihun")]
        pinyin: String,
        #[arg(long)]
        store: Option<PathBuf>,
        /// Print start-to-first-frame time and peak memory.
        #[arg(long)]
        timing: bool,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Build or install content bundles.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Search the installed content and print the top results.
    Search {
        /// What a resident would type: characters, pinyin, several terms separated by spaces.
        query: Vec<String>,
        /// Store directory (default: the config's data_dir).
        #[arg(long)]
        store: Option<PathBuf>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Compile a content source directory into a bundle.
    Build {
        /// The content source (e.g. content/).
        source: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
        /// Add a wider law corpus (JSONL) whose laws rank after the core set.
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// The content version to stamp (default: date and content digest).
        #[arg(long)]
        content_version: Option<String>,
    },
    /// Install a bundle into the store as a new generation.
    Install {
        bundle: PathBuf,
        #[arg(long)]
        store: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    let started = Instant::now();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Run { store } => {
            let mut config = config;
            if let Some(dir) = store {
                config.data_dir = dir;
            }
            let store = Store::open(&config.data_dir)?;
            let window = AppWindow::new()?;
            let (w, h) = config.orientation.size();
            // Logical size: on a desktop, SLINT_SCALE_FACTOR=0.5 shows the whole portrait panel.
            window.window().set_size(slint::LogicalSize::new(w as f32, h as f32));
            let _controller = Controller::new(window.clone_strong(), store, &config);
            window.run()?;
        }
        Command::Screenshot { screen, size, law, article, pinyin, store, timing, out } => {
            let mut config = config;
            if let Some(dir) = store {
                config.data_dir = dir;
            }
            let (w, h) = match size {
                Some(s) => parse_size(&s)?,
                None => config.orientation.size(),
            };
            if w > h {
                config.orientation = kiosk::app::config::Orientation::Landscape;
            }
            let mut headless = Headless::install(w, h)?;
            let store = Store::open(&config.data_dir)?;
            let ctrl = Controller::new(AppWindow::new()?, store, &config);
            ctrl.window().show()?;
            open_screen(&ctrl, &screen, &law, article, &pinyin)?;
            if timing {
                headless.render();
                let first_frame = started.elapsed();
                headless.save_png(&out)?;
                println!(
                    "screen {screen}: first frame {:.1} ms after start, peak RSS {:.1} MiB",
                    first_frame.as_secs_f64() * 1e3,
                    peak_rss_kib().unwrap_or(0) as f64 / 1024.0
                );
            } else {
                headless.save_png(&out)?;
            }
        }
        Command::Bundle(BundleCommand::Build { source, out, corpus, content_version }) => {
            let src = ContentSource::load(&source, corpus.as_deref())?;
            for note in &src.notes {
                eprintln!("note: {note}");
            }
            let report = bundle::build(&src, &out, content_version.as_deref())?;
            println!(
                "bundle {} → {}: {} laws ({} written, {} unchanged)",
                report.manifest.content_version,
                out.display(),
                report.manifest.files.len(),
                report.written,
                report.reused
            );
        }
        Command::Bundle(BundleCommand::Install { bundle, store }) => {
            let data_dir = store.unwrap_or(config.data_dir);
            let t = Instant::now();
            let r = Store::install(&data_dir, &bundle)?;
            println!(
                "installed {} as generation {}: {} added, {} removed, {} unchanged in {:.2} s",
                r.content_version,
                r.generation,
                r.added,
                r.removed,
                r.unchanged,
                t.elapsed().as_secs_f64()
            );
        }
        Command::Search { query, store, limit } => {
            let store = Store::open(&store.unwrap_or(config.data_dir))?;
            let results = store.search(&query.join(" "), limit)?;
            println!("terms: {}", results.terms.join(" "));
            for hit in results.hits {
                let s = &hit.snippet;
                println!(
                    "{}\t{}\t{}\t{}[{}]{}",
                    hit.short_name,
                    if hit.label.is_empty() { "-" } else { &hit.label },
                    hit.status.label(),
                    s.before,
                    s.matched,
                    s.after
                );
            }
        }
    }
    Ok(())
}

fn parse_size(s: &str) -> Result<(u32, u32)> {
    let (w, h) = s.split_once('x').ok_or_else(|| anyhow::anyhow!("--size wants WxH, e.g. 1080x1920"))?;
    Ok((w.parse()?, h.parse()?))
}

/// Brings the UI to a named screen through the same calls a resident's taps make.
fn open_screen(ctrl: &Controller, screen: &str, law: &str, article: u32, pinyin: &str) -> Result<()> {
    use kiosk::ui::Reader;
    match screen {
        "home" => {}
        "library" => ctrl.open_library(),
        "laws" => {
            ctrl.open_library();
            let law = ctrl.window().global::<kiosk::ui::Library>().get_categories();
            let first = slint::Model::row_data(&law, 0).map(|c| c.name.to_string()).unwrap_or_default();
            ctrl.open_category(&first);
        }
        "reader" => ctrl.open_law_by_name(law, Some(article))?,
        "toc" => {
            ctrl.open_law_by_name(law, Some(article))?;
            ctrl.window().global::<Reader>().set_toc_open(true);
        }
        "jump" => {
            ctrl.open_law_by_name(law, None)?;
            let reader = ctrl.window().global::<Reader>();
            reader.set_jump_open(true);
            reader.set_jump_digits("1300".into());
            ctrl.jump_to_article("1300");
        }
        "search" => ctrl.open_search(),
        "results" => {
            ctrl.open_search();
            ctrl.type_keys(pinyin);
        }
        "idle" => {
            ctrl.open_search();
            ctrl.type_keys(pinyin);
            ctrl.show_idle_prompt(20);
        }
        other => anyhow::bail!("unknown screen {other:?}: home, library, laws, reader, toc, jump, search, results, idle"),
    }
    Ok(())
}

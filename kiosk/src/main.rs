//! `kiosk`: the firmware's single binary. `kiosk --help` lists what it does.

mod cli;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use slint::ComponentHandle;

use kiosk::app::config::Orientation;
use kiosk::app::{self, config::Config};
use kiosk::content::{bundle, source::ContentSource, Store};
use kiosk::queue::desk::TicketDesk;
use kiosk::speech::Silent;
use kiosk::ui::access::Language;
use kiosk::ui::controller::Controller;
use kiosk::ui::headless::{peak_rss_kib, Headless};
use kiosk::ui::preparing;
use kiosk::ui::screens::{DemoArgs, Screens};
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

// Parsed once at start: the size of the largest variant (screenshot's many demo options) costs
// nothing, and boxing it would only make the match below harder to read.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the kiosk: full screen on the device, a window on a desktop, or --headless.
    Run(cli::run::RunArgs),
    /// Health bookkeeping for the systemd unit.
    #[command(subcommand)]
    Health(HealthCommand),
    /// Render one screen headless (software renderer) to a PNG.
    Screenshot {
        /// A screen state by name; `--list` prints them all.
        #[arg(long, default_value = "home")]
        screen: String,
        /// Print every screen name and exit.
        #[arg(long)]
        list: bool,
        /// The guide the guide screen shows (an id from content/guides/).
        #[arg(long, default_value = "legal-aid")]
        guide: String,
        /// The life situation the topic screen shows (an id from content/topics/).
        #[arg(long, default_value = "unpaid-wages")]
        topic: String,
        /// The service point the point screen shows; the county map-county zooms to.
        #[arg(long, default_value = "yl-center")]
        point: String,
        #[arg(long, default_value = "610881")]
        county: String,
        /// The service filter of the points list (e.g. 法律援助).
        #[arg(long, default_value = "")]
        filter: String,
        /// The library category the `laws` screen lists (default: the first).
        #[arg(long, default_value = "")]
        category: String,
        /// The printer the ticket screen prints to (file:PATH prints one-way to a file; none:
        /// the printer-failure fallback). The queue is a throwaway one.
        #[arg(long)]
        printer: Option<String>,
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
        /// With 长辈模式 on.
        #[arg(long)]
        elder: bool,
        /// The kiosk's language: zh-Hans (default), zh-Hant or en.
        #[arg(long, default_value = "zh-Hans")]
        language: String,
        #[arg(short, long, required_unless_present = "list")]
        out: Option<PathBuf>,
    },
    /// Build or install content bundles.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Issue and print one queue ticket (technicians test a printer with it).
    Ticket {
        /// The service letter (A 法律援助, B 人民调解 …; see content/hall.toml).
        #[arg(long, default_value = "C")]
        service: String,
        /// tcp://HOST:PORT, /dev/usb/lpN or file:PATH (default: the config's printer).
        #[arg(long)]
        printer: Option<String>,
        /// Priority lane (绿色通道).
        #[arg(long)]
        priority: bool,
        /// The link cannot answer status requests.
        #[arg(long)]
        one_way: bool,
        /// Store directory (default: the config's data_dir); the queue lives in STORE/queue.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Issue as if at this local time, e.g. 2026-11-23T09:30 (tests and drills).
        #[arg(long)]
        at: Option<String>,
        /// Issue this many tickets one after another (printer soak tests).
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// The hall's queue: waiting counts, calling the next number, printer faults.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Signing keys for content releases (the technician's machine).
    #[command(subcommand)]
    Keys(cli::sync::KeysCommand),
    /// Publish a bundle as the next release of a TUF repository (static files for nginx/CDN/USB).
    Publish(cli::sync::PublishArgs),
    /// Check a repository once and install its release if newer and verified.
    Update(cli::sync::UpdateArgs),
    /// Hand a published repository on this machine to one kiosk on the LAN (its push endpoint
    /// fetches it from here through every TUF check).
    Push {
        repo: PathBuf,
        /// The kiosk's push endpoint, e.g. http://192.168.1.20:8620/
        #[arg(long)]
        to: String,
        /// The kiosk's push_token.
        #[arg(long)]
        token: String,
    },
    /// Switch back to the content generation kept from before the last update.
    Rollback {
        #[arg(long)]
        store: Option<PathBuf>,
    },
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
enum HealthCommand {
    /// ExecStopPost: remember how the run ended ($SERVICE_RESULT) for the restart counters.
    NoteExit {
        /// systemd's verdict (success, watchdog, signal, core-dump, exit-code …).
        #[arg(long, env = "SERVICE_RESULT", default_value = "unknown")]
        result: String,
        #[arg(long)]
        store: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum QueueCommand {
    /// Waiting tickets per service and the ticket being served.
    Status {
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Call the next ticket of a service (the built-in standalone calling system).
    Call {
        service: String,
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Answer a resident's call for staff (呼叫工作人员): the oldest open one, or --id.
    Answer {
        #[arg(long)]
        id: Option<i64>,
        #[arg(long)]
        store: Option<PathBuf>,
    },
    /// Today's tickets, one per line: code, state, priority, called (for checks and tests).
    List {
        #[arg(long)]
        store: Option<PathBuf>,
        /// The day, YYYY-MM-DD (default: today).
        #[arg(long)]
        day: Option<String>,
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
    kiosk::observe::log::init(match cli.command {
        Command::Run(_) => kiosk::observe::log::LevelFilter::INFO,
        _ => kiosk::observe::log::LevelFilter::ERROR,
    });
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Run(args) => cli::run::run(args, config)?,
        Command::Health(HealthCommand::NoteExit { result, store }) => {
            kiosk::health::restarts::note_exit(&store.unwrap_or(config.data_dir), &result)?
        }
        Command::Screenshot {
            screen,
            list,
            guide,
            topic,
            point,
            county,
            filter,
            category,
            printer,
            size,
            law,
            article,
            pinyin,
            store,
            timing,
            elder,
            language,
            out,
        } => {
            if list {
                println!("{} preparing", Screens::demo_names().join(" "));
                return Ok(());
            }
            let out = out.expect("clap requires --out without --list");
            let mut config = config;
            if let Some(dir) = store {
                config.data_dir = dir;
            }
            let (w, h) = match size {
                Some(s) => parse_size(&s)?,
                None => config.orientation.size(),
            };
            if w > h {
                config.orientation = Orientation::Landscape;
            }
            // Screens never touch the kiosk's real queue or voice.
            let queue_tmp =
                std::env::temp_dir().join(format!("kiosk-screenshot-{}", std::process::id()));
            config.queue_dir = Some(queue_tmp.clone());
            config.printer_status = !printer.as_deref().is_some_and(|p| p.starts_with("file:"));
            config.printer = printer.map(|p| p.parse()).transpose()?;
            config.speech = false;
            let mut headless = Headless::install(w, h)?;
            if screen == "preparing" {
                // The first-boot screen: a store that does not exist.
                config.data_dir = queue_tmp.join("no-content");
                let _window = preparing::show_until_content(&config, |_| Ok(()))?;
                headless.save_png(&out)?;
                return Ok(());
            }
            let store = Store::open(&config.data_dir)?;
            let ctrl = Controller::new(AppWindow::new()?, store, &config);
            ctrl.window().show()?;
            // A weekday morning, so the queue is open whatever the clock says.
            ctrl.set_now(chrono::NaiveDateTime::parse_from_str(
                "2026-11-23T09:30",
                "%Y-%m-%dT%H:%M",
            )?);
            let language = Language::from_code(&language)
                .with_context(|| format!("--language {language:?}: zh-Hans, zh-Hant or en"))?;
            ctrl.set_language(language);
            ctrl.set_elder(elder);
            let args =
                DemoArgs { law, article, pinyin, guide, topic, point, county, filter, category };
            let opened = ctrl.show_demo(&screen, &args);
            let _ = std::fs::remove_dir_all(&queue_tmp);
            opened?;
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
                "bundle {} → {}: {} laws + hall content ({} written, {} unchanged)",
                report.manifest.content_version,
                out.display(),
                report.manifest.files.iter().filter(|f| f.kind == bundle::FileKind::Law).count(),
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
        Command::Ticket { service, printer, priority, one_way, store, at, count } => {
            let mut config = config;
            if let Some(dir) = store {
                config.data_dir = dir;
            }
            let target = match printer {
                Some(p) => Some(p.parse()?),
                None => config.printer.clone(),
            };
            anyhow::ensure!(
                target.is_some(),
                "no printer: pass --printer or set printer in the config"
            );
            let now = match at {
                Some(at) => chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M")?,
                None => chrono::Local::now().naive_local(),
            };
            let store = Store::open(&config.data_dir)?;
            let mut desk = TicketDesk::open(
                app::desk_setup(&config, &store)?,
                app::printer(&config, target, !one_way),
                // A technician's test ticket is printed, not announced.
                Box::new(Silent),
            )?;
            let mut failed = 0;
            for _ in 0..count {
                let out = desk.take(&service, priority, now)?;
                match &out.fault {
                    None => println!(
                        "printed {} ({}), {} ahead, ~{} min",
                        out.ticket.code(),
                        out.service,
                        out.ahead,
                        out.wait_minutes
                    ),
                    Some(f) => {
                        println!("NOT printed {} ({}): {f}", out.ticket.code(), out.service);
                        failed += 1;
                    }
                }
            }
            if failed > 0 {
                std::process::exit(2);
            }
        }
        Command::Queue(cmd) => queue_command(cmd, &config)?,
        Command::Keys(cmd) => cli::sync::keys(cmd)?,
        Command::Publish(args) => cli::sync::publish(args)?,
        Command::Update(args) => cli::sync::update(args, &config)?,
        Command::Rollback { store } => cli::sync::rollback(store, &config)?,
        Command::Push { repo, to, token } => cli::sync::push(repo, to, token)?,
        Command::Search { query, store, limit } => {
            let store = Store::open(&store.unwrap_or(config.data_dir))?;
            let results = store.search(&query.join(" "), limit)?;
            // What was understood, for a technician writing lexicon entries.
            println!("terms: {}", results.terms.join(" "));
            println!("also: {}", results.also.join(" "));
            println!("dropped: {}", results.dropped.join(" "));
            println!("situations: {}", results.topics.join(" "));
            println!("guides: {}", results.guides.join(" "));
            for hit in results.hits {
                let s = &hit.snippet;
                println!(
                    "{}\t{}\t{}\t{:?}\t{}[{}]{}",
                    hit.short_name,
                    if hit.label.is_empty() { "-" } else { &hit.label },
                    hit.status.label(),
                    hit.kind,
                    s.before,
                    s.matched,
                    s.after
                );
            }
        }
    }
    Ok(())
}

/// Staff commands on the queue the kiosk issues into (`queue_dir`, else DATA_DIR/queue). They
/// open it beside the running kiosk, without the issuer lock.
fn queue_command(cmd: QueueCommand, config: &Config) -> Result<()> {
    use kiosk::queue::calling::{CallingSystem, Standalone};
    use kiosk::queue::tickets::QueueDb;
    let now = chrono::Local::now().naive_local();
    let with_store = |store: Option<PathBuf>| {
        let mut c = config.clone();
        if let Some(dir) = store {
            c.data_dir = dir;
        }
        c
    };
    match cmd {
        QueueCommand::Status { store } => {
            let config = with_store(store);
            let hall = Store::open(&config.data_dir)?.hall()?;
            let db = QueueDb::open_for_calling(&config.queue_dir())?;
            for s in &hall.queue.services {
                let serving =
                    db.now_serving(&s.letter, now.date())?.map(|t| t.code()).unwrap_or("-".into());
                println!(
                    "{} {}\twaiting {}\tserving {}",
                    s.letter,
                    s.name,
                    db.waiting(&s.letter, now.date())?,
                    serving
                );
            }
            for (at, kind, detail) in db.faults(5)? {
                println!("fault {at} {kind}: {detail}");
            }
            // Residents waiting for staff at the kiosk, oldest first.
            for c in db.open_staff_calls()? {
                let minutes = (now - c.at).num_minutes().max(0);
                println!(
                    "staff call {} at {} from {} (waiting {minutes} min)",
                    c.id,
                    c.at.format("%Y-%m-%d %H:%M"),
                    c.place
                );
            }
        }
        QueueCommand::Answer { id, store } => {
            let mut db = QueueDb::open_for_calling(&with_store(store).queue_dir())?;
            match db.answer_staff_call(id, now)? {
                Some(c) => println!("answered staff call {} from {}", c.id, c.place),
                None => println!("no open staff call"),
            }
        }
        QueueCommand::Call { service, store } => {
            let mut db = QueueDb::open_for_calling(&with_store(store).queue_dir())?;
            match Standalone(&mut db).call_next(&service, now)? {
                Some(t) => {
                    println!("call {}{}", t.code(), if t.priority { " (priority)" } else { "" })
                }
                None => println!("nobody waiting for {service}"),
            }
        }
        QueueCommand::List { store, day } => {
            let db = QueueDb::open_for_calling(&with_store(store).queue_dir())?;
            let day = match day {
                Some(d) => d.parse()?,
                None => now.date(),
            };
            for t in db.tickets(day)? {
                println!(
                    "{}\t{:?}\t{}\t{}",
                    t.code(),
                    t.state,
                    if t.priority { "priority" } else { "-" },
                    if t.called { "called" } else { "-" }
                );
            }
        }
    }
    Ok(())
}

fn parse_size(s: &str) -> Result<(u32, u32)> {
    let (w, h) =
        s.split_once('x').ok_or_else(|| anyhow::anyhow!("--size wants WxH, e.g. 1080x1920"))?;
    Ok((w.parse()?, h.parse()?))
}

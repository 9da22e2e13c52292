//! The kiosk's configuration: one typed struct, loaded once at start.
//!
//! Read from `--config FILE`, else `$KIOSK_CONFIG`, else `/etc/kiosk/kiosk.toml`; a missing
//! default file means defaults. Every field has a default, so a config names only what differs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::queue::printer::PrinterTarget;
use crate::sync::client::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    /// The panel's size in physical pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Orientation::Portrait => (1080, 1920),
            Orientation::Landscape => (1920, 1080),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where store generations live.
    pub data_dir: PathBuf,
    pub orientation: Orientation,
    /// Seconds without a touch before the "need more time?" prompt.
    pub idle_timeout_secs: u64,
    /// Seconds the prompt stays before the kiosk returns home and forgets the session.
    pub idle_prompt_secs: u64,
    /// The ticket printer: `tcp://HOST:9100` or `/dev/usb/lp0`, parsed at load. None: the queue
    /// screen shows numbers on screen only and records a fault.
    pub printer: Option<PrinterTarget>,
    /// The printer link answers status requests (DLE EOT). Off only for one-way links.
    pub printer_status: bool,
    /// Speak through espeak-ng: ticket numbers, staff calls, and pages read aloud (朗读本页).
    pub speech: bool,
    /// Loudness, 0–200: espeak-ng's amplitude, 100 its normal (a noisy hall may want more).
    pub speech_volume: u32,
    /// The handwriting model (Zinnia format); absent: the search screen offers pinyin only.
    pub handwriting_model: PathBuf,
    /// The service point this kiosk stands at ("您在这里" and distances).
    pub here: Option<String>,
    /// Where the printer's slot is, as the ticket page points to it (请从{屏幕下方}的出票口取走).
    pub ticket_slot: String,
    /// Ticket QR payload; `{ticket}` becomes the ticket id (20261123-A007).
    pub ticket_status_url: String,
    /// Where the queue database lives (default: DATA_DIR/queue).
    pub queue_dir: Option<PathBuf>,
    /// The content repository `kiosk run` checks: the municipal server's URL
    /// (`https://…/kiosk-repo/`) or a folder. None: content changes only by hand.
    pub update_source: Option<Source>,
    /// The root of trust the image was provisioned with (TUF root.json); the kiosk moves to
    /// newer roots the repository signs over to, and keeps them in DATA_DIR/sync/tuf.
    pub trusted_root: PathBuf,
    /// Minutes between checks (±20 % jitter).
    pub update_interval_mins: u64,
    /// Where removable media are mounted; a stick with a `kiosk-repo/` folder is applied.
    pub usb_mounts: Vec<PathBuf>,
    /// LAN push: the address the push endpoint listens on (e.g. `0.0.0.0:8620`) and the token a
    /// technician's `kiosk push` must present. Both set, or the endpoint stays off.
    pub push_listen: Option<std::net::SocketAddr>,
    pub push_token: Option<String>,
    /// Operators' view: metrics, health, watchdog, the technician page (`[health]`).
    pub health: HealthConfig,
}

/// `[health]`: what operators and technicians get from the kiosk.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Where `/metrics` and `/healthz` listen (loopback by default; `0.0.0.0:9898` lets the
    /// fleet's Prometheus scrape). None: no endpoint.
    pub listen: Option<std::net::SocketAddr>,
    /// Bearer token for the endpoints that act (screenshot, sync now, printer test). Unset:
    /// those endpoints refuse everyone.
    pub token: Option<String>,
    /// A Prometheus Pushgateway for kiosks behind NAT (`http://gw:9091`); None: no push.
    pub push_url: Option<String>,
    pub push_job: String,
    /// The instance label of pushed metrics (default: the host name).
    pub push_instance: Option<String>,
    pub push_interval_secs: u64,
    /// The technician page's PIN (opened by holding two opposite corners). None: no page.
    pub technician_pin: Option<String>,
    /// Hours of opening time without a touch before the panel counts as dead.
    pub touch_silent_hours: u64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            listen: Some(([127, 0, 0, 1], 9898).into()),
            token: None,
            push_url: None,
            push_job: "kiosk".into(),
            push_instance: None,
            push_interval_secs: 60,
            technician_pin: None,
            touch_silent_hours: 4,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: std::env::var_os("KIOSK_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| "/var/lib/kiosk".into()),
            orientation: Orientation::Portrait,
            idle_timeout_secs: 60,
            idle_prompt_secs: 20,
            printer: None,
            printer_status: true,
            speech: true,
            speech_volume: 100,
            handwriting_model: crate::input::handwriting::DEFAULT_MODEL.into(),
            here: None,
            ticket_slot: "屏幕下方".into(),
            ticket_status_url: "https://www.12348.gov.cn/queue?ticket={ticket}".into(),
            queue_dir: None,
            update_source: None,
            trusted_root: "/etc/kiosk/root.json".into(),
            update_interval_mins: 15,
            usb_mounts: vec!["/media".into(), "/run/media".into()],
            push_listen: None,
            push_token: None,
            health: HealthConfig::default(),
        }
    }
}

const DEFAULT_PATH: &str = "/etc/kiosk/kiosk.toml";

impl Config {
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let env = std::env::var_os("KIOSK_CONFIG").map(PathBuf::from);
        let (path, required) = match (explicit, env) {
            (Some(p), _) => (p.to_owned(), true),
            (None, Some(p)) => (p, true),
            (None, None) => (PathBuf::from(DEFAULT_PATH), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(e) => return Err(e).with_context(|| format!("reading config {}", path.display())),
        };
        let mut config: Config =
            toml::from_str(&text).with_context(|| format!("config {}", path.display()))?;
        // A relative data_dir is relative to the config file, so a checkout's demo config works
        // from any working directory.
        let dir = path.parent().unwrap_or(Path::new("."));
        if config.data_dir.is_relative() {
            config.data_dir = dir.join(&config.data_dir);
        }
        if config.trusted_root.is_relative() {
            config.trusted_root = dir.join(&config.trusted_root);
        }
        config.validate()?;
        Ok(config)
    }

    /// Where the queue database lives: beside the content generations, never inside one.
    pub fn queue_dir(&self) -> PathBuf {
        self.queue_dir.clone().unwrap_or_else(|| self.data_dir.join("queue"))
    }

    fn validate(&self) -> Result<()> {
        if self.idle_timeout_secs < 10 {
            bail!(
                "idle_timeout_secs = {}: residents need at least 10 s to read",
                self.idle_timeout_secs
            );
        }
        if self.idle_prompt_secs < 20 {
            bail!(
                "idle_prompt_secs = {}: the prompt must stay at least 20 s (WCAG 2.2.1)",
                self.idle_prompt_secs
            );
        }
        if self.push_listen.is_some() && self.push_token.as_deref().is_none_or(|t| t.len() < 16) {
            bail!("push_listen needs a push_token of at least 16 characters");
        }
        if self.health.token.as_deref().is_some_and(|t| t.len() < 16) {
            bail!("[health] token must be at least 16 characters");
        }
        if self
            .health
            .technician_pin
            .as_deref()
            .is_some_and(|p| p.len() < 4 || p.len() > 12 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            bail!("[health] technician_pin must be 4 to 12 digits");
        }
        if self.health.push_interval_secs < 10 {
            bail!("[health] push_interval_secs must be at least 10");
        }
        if self.speech_volume > 200 {
            bail!("speech_volume = {}: espeak-ng's range is 0 to 200", self.speech_volume);
        }
        if self.update_interval_mins == 0 {
            bail!("update_interval_mins = 0: at least one minute between content checks");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_fields_and_short_prompts() {
        assert!(toml::from_str::<Config>("idle_timout_secs = 5").is_err());
        let c: Config = toml::from_str("idle_prompt_secs = 5").unwrap();
        assert!(c.validate().is_err());
        let e = toml::from_str::<Config>("printer = \"lpt1\"").unwrap_err().to_string();
        assert!(e.contains("lpt1"), "a bad printer fails at load, naming it: {e}");
        let c: Config = toml::from_str("printer = \"tcp://127.0.0.1:9100\"").unwrap();
        assert_eq!(c.printer, Some(PrinterTarget::Tcp("127.0.0.1:9100".into())));
        let c: Config = toml::from_str("orientation = \"landscape\"").unwrap();
        assert_eq!(c.orientation.size(), (1920, 1080));
    }
}

//! The operators' real tools on loopback: Prometheus (scraping), the Pushgateway, promtool
//! (Debian's `prometheus` and `prometheus-pushgateway` packages), and a small HTTP client.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::nginx::free_port;

/// A server process killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require(bin: &str) -> &str {
    assert!(
        Path::new(bin).exists(),
        "{bin} is missing: run tools/setup-debian --tests (Debian's prometheus packages)"
    );
    bin
}

/// Prometheus scraping `target` (host:port) every second as job `kiosk`.
pub fn prometheus(target: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: kiosk\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    start(
        "/usr/bin/prometheus",
        &[
            format!("--config.file={}", config.display()),
            format!("--storage.tsdb.path={}", dir.path().join("data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
        ],
        port,
        dir,
    )
}

/// A Pushgateway, in-memory.
pub fn pushgateway() -> Server {
    let port = free_port();
    let args = [format!("--web.listen-address=127.0.0.1:{port}")];
    start("/usr/bin/prometheus-pushgateway", &args, port, tempfile::tempdir().unwrap())
}

/// Starts `bin` quietly and waits until it says it is ready.
fn start(bin: &str, args: &[String], port: u16, dir: tempfile::TempDir) -> Server {
    let child = Command::new(require(bin))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port, _dir: dir };
    wait_http(port, "/-/ready");
    server
}

/// Waits until `GET path` answers 200 (30 s at most).
pub fn wait_http(port: u16, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if matches!(http("GET", port, path, None), Ok((200, _))) {
            return;
        }
        assert!(Instant::now() < deadline, "127.0.0.1:{port}{path} did not come up in 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One request; `(status, body)`.
pub fn http(
    method: &str,
    port: u16,
    path: &str,
    token: Option<&str>,
) -> Result<(u16, Vec<u8>), String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?;
        let url = format!("http://127.0.0.1:{port}{path}");
        let mut req = client.request(method.parse().unwrap(), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        Ok((status, r.bytes().await.map_err(|e| e.to_string())?.to_vec()))
    })
}

/// `promtool check metrics` on `text`; its complaints, if any.
/// The value of one series (`name{labels}` exactly as exposed) in Prometheus text.
pub fn series_value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

pub fn promtool_check_metrics(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = Command::new(require("/usr/bin/promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A PromQL instant query against Prometheus on `port`: the result vector as JSON.
pub fn query(port: u16, promql: &str) -> serde_json::Value {
    let q: String = url::form_urlencoded::byte_serialize(promql.as_bytes()).collect();
    let (status, body) = http("GET", port, &format!("/api/v1/query?query={q}"), None).unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v["data"]["result"].clone()
}

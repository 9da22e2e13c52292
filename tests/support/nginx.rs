//! Real nginx (Debian's) on loopback, serving a folder the way a municipal server or a CDN
//! would: static files, `gzip_static` for the precompressed `.gz` beside each file, byte ranges.
//! The access log records what crossed the socket per request (`$bytes_sent`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct Nginx {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// One access-log line.
#[derive(Debug, Clone)]
pub struct Request {
    pub uri: String,
    pub status: u16,
    pub bytes_sent: u64,
}

impl Nginx {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub fn serve(root: &Path) -> Nginx {
        Self::start(&format!("root {};", root.display()))
    }

    /// Answers every request with `status` (a server in trouble).
    pub fn failing(status: u16) -> Nginx {
        Self::start(&format!("location / {{ return {status}; }}"))
    }

    fn start(server_body: &str) -> Nginx {
        let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("nginx is not installed: run tools/setup-debian --tests");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display();
        let conf = format!(
            r#"daemon off;
master_process off;
worker_processes 1;
error_log {d}/error.log warn;
pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{
  log_format wire '$request_uri $status $bytes_sent';
  access_log {d}/access.log wire;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  types {{ application/json json; }}
  default_type application/octet-stream;
  gzip_static on;
  keepalive_requests 10000;
  server {{
    listen 127.0.0.1:{port};
    {server_body}
  }}
}}
"#
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(bin)
            .args(["-p", &d.to_string(), "-c", conf_path.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let mut it = l.split(' ');
                Some(Request {
                    uri: it.next()?.to_owned(),
                    status: it.next()?.parse().ok()?,
                    bytes_sent: it.next()?.parse().ok()?,
                })
            })
            .collect()
    }

    /// Requests since the log held `since` lines; and the bytes they sent.
    pub fn since(&self, since: usize) -> (Vec<Request>, u64) {
        let r: Vec<Request> = self.requests().into_iter().skip(since).collect();
        let bytes = r.iter().map(|r| r.bytes_sent).sum();
        (r, bytes)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("access.log")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

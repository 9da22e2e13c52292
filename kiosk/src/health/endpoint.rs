//! The kiosk's HTTP endpoint for operators (axum on a small tokio runtime, its own thread):
//!
//! | path                 | method | token | what                                            |
//! |----------------------|--------|-------|-------------------------------------------------|
//! | `/metrics`           | GET    | no    | Prometheus text format (what promtool checks)   |
//! | `/healthz`           | GET    | no    | `{"status": "ok"|"degraded"|"failing", …}`      |
//! | `/screenshot.png`    | GET    | yes   | the screen as it is now (software renderer)     |
//! | `/sync-now`          | POST   | yes   | one content check, answers its outcome line     |
//! | `/printer-test`      | POST   | yes   | prints a test slip, answers the printer's state |
//!
//! Reading is open (the default address is loopback; a fleet binds the LAN behind its
//! firewall); anything that acts needs `Authorization: Bearer <[health] token>`, and with no token
//! configured those endpoints refuse everyone.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::report::{assess, Status};
use super::sample::{Sampler, Snapshot};

/// What the endpoint can ask of the rest of the kiosk (given by the composition root, so this
/// module needs no UI). Each runs on a blocking thread.
pub struct Actions {
    /// The current screen as PNG.
    pub screenshot: Box<dyn Fn() -> Result<Vec<u8>> + Send + Sync>,
    /// One content check now; its outcome line.
    pub sync_now: Box<dyn Fn() -> Result<String> + Send + Sync>,
    /// A test slip on the ticket printer; the printer's answer.
    pub printer_test: Box<dyn Fn() -> Result<String> + Send + Sync>,
}

/// The sampler shared by the endpoint, the push loop and the technician page. Samples are
/// reused for a second: fifty scrapers at once cost one sample, not fifty.
pub struct SharedSampler {
    sampler: Mutex<(Sampler, Option<(Instant, Snapshot)>)>,
    /// The exposition text, reused like the snapshot.
    text: Mutex<Option<(Instant, Arc<String>)>>,
}

const SAMPLE_REUSE: Duration = Duration::from_secs(1);

static INSTALLED: std::sync::OnceLock<Arc<SharedSampler>> = std::sync::OnceLock::new();

impl SharedSampler {
    /// Makes `sampler` the process's (the technician page reads the same one).
    pub fn install(sampler: Arc<SharedSampler>) -> Arc<SharedSampler> {
        INSTALLED.get_or_init(|| sampler).clone()
    }

    /// The process's sampler, when `kiosk run` installed one.
    pub fn installed() -> Option<Arc<SharedSampler>> {
        INSTALLED.get().cloned()
    }

    pub fn new(sampler: Sampler) -> Arc<SharedSampler> {
        Arc::new(SharedSampler { sampler: Mutex::new((sampler, None)), text: Mutex::new(None) })
    }

    /// A fresh snapshot (or one under a second old); the gauges are set.
    pub fn snapshot(&self) -> Snapshot {
        let mut s = self.sampler.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, snap)) = &s.1 {
            if at.elapsed() < SAMPLE_REUSE {
                return snap.clone();
            }
        }
        let snap = s.0.sample();
        s.1 = Some((Instant::now(), snap.clone()));
        snap
    }

    /// `/metrics`' text after a fresh (or under a second old) sample.
    pub fn metrics_text(&self) -> Arc<String> {
        let mut text = self.text.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, t)) = &*text {
            if at.elapsed() < SAMPLE_REUSE {
                return t.clone();
            }
        }
        self.snapshot();
        let t = Arc::new(crate::observe::metrics().render());
        *text = Some((Instant::now(), t.clone()));
        t
    }
}

struct Service {
    sampler: Arc<SharedSampler>,
    token: Option<String>,
    actions: Actions,
}

pub fn router(sampler: Arc<SharedSampler>, token: Option<String>, actions: Actions) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/screenshot.png", get(screenshot))
        .route("/sync-now", post(sync_now))
        .route("/printer-test", post(printer_test))
        .with_state(Arc::new(Service { sampler, token, actions }))
}

/// Binds `addr` now (a clear error if taken) and serves on its own thread.
pub fn spawn(
    addr: SocketAddr,
    sampler: Arc<SharedSampler>,
    token: Option<String>,
    actions: Actions,
) -> Result<std::thread::JoinHandle<()>> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("health endpoint: binding {addr}"))?;
    listener.set_nonblocking(true)?;
    tracing::info!(%addr, "health endpoint listening");
    let app = router(sampler, token, actions);
    Ok(std::thread::Builder::new().name("health-endpoint".into()).spawn(move || {
        // Scrapers wait; the resident does not.
        crate::observe::background_priority();
        let run = || -> Result<()> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .on_thread_start(crate::observe::background_priority)
                .build()?;
            rt.block_on(async {
                axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await?;
                Ok(())
            })
        };
        if let Err(e) = run() {
            crate::observe::fault("health", &e);
        }
    })?)
}

async fn metrics(State(s): State<Arc<Service>>) -> Response {
    let sampler = s.sampler.clone();
    let text = tokio::task::spawn_blocking(move || sampler.metrics_text().as_str().to_owned())
        .await
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

async fn healthz(State(s): State<Arc<Service>>) -> Response {
    let sampler = s.sampler.clone();
    let Ok(snap) = tokio::task::spawn_blocking(move || sampler.snapshot()).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let report = assess(&snap, super::sample::unix_now() as i64);
    // Load balancers and probes read the code; people read the JSON.
    let code = if report.status == Status::Failing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn authorised(s: &Service, headers: &HeaderMap) -> bool {
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&s.token, offered) {
        (Some(token), Some(offered)) => {
            crate::sync::push::same(offered.as_bytes(), token.as_bytes())
        }
        _ => false,
    }
}

/// Runs an action on a blocking thread after the token check.
async fn act(
    s: Arc<Service>,
    headers: HeaderMap,
    run: fn(&Actions) -> Result<Vec<u8>>,
    content_type: &'static str,
) -> Response {
    if !authorised(&s, &headers) {
        return (StatusCode::UNAUTHORIZED, "this endpoint needs the [health] token\n")
            .into_response();
    }
    match tokio::task::spawn_blocking(move || run(&s.actions)).await {
        Ok(Ok(body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}\n")).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn screenshot(State(s): State<Arc<Service>>, headers: HeaderMap) -> Response {
    act(s, headers, |a| (a.screenshot)(), "image/png").await
}

async fn sync_now(State(s): State<Arc<Service>>, headers: HeaderMap) -> Response {
    act(s, headers, |a| (a.sync_now)().map(|l| (l + "\n").into_bytes()), "text/plain").await
}

async fn printer_test(State(s): State<Arc<Service>>, headers: HeaderMap) -> Response {
    act(s, headers, |a| (a.printer_test)().map(|l| (l + "\n").into_bytes()), "text/plain").await
}

//! LAN push: a technician's laptop tells one kiosk "update from me, now", on the same trust
//! chain as every other path.
//!
//! ```text
//! laptop: kiosk push REPO --to http://KIOSK:8620/ --token T
//!           serves REPO (metadata/, targets/) on an ephemeral port
//!           POST /push {"from": "http://LAPTOP:PORT/"}  Authorization: Bearer T ──▶ kiosk
//! kiosk:    token checked, then client::update(from) — every TUF check as from the server —
//!           answers with the outcome line (200) or the refusal line (422)
//! ```
//! The token keeps other machines on the hall's LAN from making the kiosk fetch from wherever
//! they like; it does not make content trusted: only the signatures do.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::client::{self, Outcome, Source};

/// What the kiosk's push endpoint needs.
#[derive(Debug, Clone)]
pub struct PushService {
    pub data_dir: PathBuf,
    pub provisioned_root: PathBuf,
    pub token: String,
}

#[derive(Serialize, Deserialize)]
struct PushRequest {
    from: String,
}

/// Serves `POST /push` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, service: PushService) -> Result<()> {
    let app = Router::new().route("/push", post(accept_push)).with_state(Arc::new(service));
    axum::serve(listener, app).await?;
    Ok(())
}

/// Starts the endpoint on its own thread (inside `kiosk run`).
pub fn spawn(addr: SocketAddr, service: PushService) -> Result<std::thread::JoinHandle<()>> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("push endpoint: binding {addr}"))?;
    listener.set_nonblocking(true)?;
    Ok(std::thread::Builder::new().name("push-endpoint".into()).spawn(move || {
        let run = || -> Result<()> {
            let rt = super::runtime()?;
            rt.block_on(async {
                serve(tokio::net::TcpListener::from_std(listener)?, service).await
            })
        };
        if let Err(e) = run() {
            crate::observe::fault("push", &e);
        }
    })?)
}

async fn accept_push(
    State(service): State<Arc<PushService>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let offered = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if service.token.is_empty() || !same(offered.as_bytes(), service.token.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "wrong or missing push token\n".into());
    }
    let Ok(req) = serde_json::from_slice::<PushRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected {\"from\": URL}\n".into());
    };
    let source = match req.from.parse::<Source>() {
        Ok(s @ Source::Http(_)) => s,
        _ => return (StatusCode::BAD_REQUEST, "from must be an http(s) URL\n".into()),
    };
    // The update makes its own runtime: run it on a plain thread, not inside this one.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let s = service.clone();
    std::thread::spawn(move || {
        let _ = tx.send(client::update(&s.data_dir, &source, None, &s.provisioned_root));
    });
    match rx.await {
        Ok(Ok(r)) => (StatusCode::OK, describe(&r.outcome) + "\n"),
        Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the update stopped\n".into()),
    }
}

/// One line for the technician.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::UpToDate(v) => format!("up to date: {v}"),
        Outcome::Installed(i) => format!(
            "installed {} as generation {}: {} added, {} removed, {} unchanged",
            i.content_version, i.generation, i.added, i.removed, i.unchanged
        ),
        Outcome::Pending(p) => {
            format!("{} verified and fetched; it goes live at {}", p.content_version, p.activate_at)
        }
        Outcome::HeldBack(v) => format!("{v} was rolled back by a technician: not installed again"),
    }
}

/// Constant-time comparison (the token is a password).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The technician's side: serves `repo` on this machine and asks the kiosk at `kiosk` to
/// update from it. Returns the kiosk's answer; a refusal is an error carrying the kiosk's reason.
pub fn push(repo: &Path, kiosk: &url::Url, token: &str) -> Result<String> {
    if !repo.join("metadata/timestamp.json").is_file() {
        bail!("{}: not a published repository (no metadata/timestamp.json)", repo.display());
    }
    let host = kiosk.host_str().context("the kiosk URL has no host")?;
    let port = kiosk.port_or_known_default().unwrap_or(80);
    // The address of this machine that the kiosk can reach: the one a socket towards it uses.
    let probe = std::net::UdpSocket::bind("0.0.0.0:0")?;
    probe.connect((host, port)).with_context(|| format!("no route to {host}"))?;
    let ip = probe.local_addr()?.ip();
    super::runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await?;
        let from = format!("http://{}/", listener.local_addr()?);
        let files =
            Router::new().route("/{*path}", get(serve_file)).with_state(Arc::new(repo.to_owned()));
        let server = tokio::spawn(async move { axum::serve(listener, files).await });
        let answer = super::transport::http_client()?
            .post(kiosk.join("push")?)
            .bearer_auth(token)
            .body(serde_json::to_vec(&PushRequest { from })?)
            .send()
            .await
            .with_context(|| format!("reaching the kiosk at {kiosk}"))?;
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default().trim().to_owned();
        server.abort();
        if status.is_success() {
            Ok(text)
        } else {
            bail!("the kiosk refused ({status}): {text}")
        }
    })
}

/// Static files under `metadata/` and `targets/` of the repository, nothing else.
async fn serve_file(
    State(repo): State<Arc<PathBuf>>,
    UrlPath(path): UrlPath<String>,
) -> (StatusCode, Vec<u8>) {
    let rel = Path::new(&path);
    let allowed = rel.components().all(|c| matches!(c, Component::Normal(_)))
        && (path.starts_with("metadata/") || path.starts_with("targets/"));
    if !allowed {
        return (StatusCode::NOT_FOUND, Vec::new());
    }
    match tokio::fs::read(repo.join(rel)).await {
        Ok(bytes) => (StatusCode::OK, bytes),
        Err(_) => (StatusCode::NOT_FOUND, Vec::new()),
    }
}

//! How the kiosk reaches a repository: HTTP(S) or a folder (USB stick), behind tough's
//! `Transport`, with a cache for metadata that never changes.
//!
//! With consistent snapshots every metadata file but `timestamp.json` and `root.json` has its
//! version in its name (`7.snapshot.json`, `3.bins-1c.json`): the bytes behind such a name never
//! change, so a copy fetched once serves every later check. tough re-reads all metadata on every
//! load; the cache is what keeps a one-law release to a few KiB on the wire. A damaged cached
//! file fails tough's hash check like a damaged download would; the client then clears the cache
//! and loads once more.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream;
use tough::{Bytes, Transport, TransportError, TransportErrorKind, TransportStream};
use url::Url;

use crate::content::bundle::write_atomically;

/// No metadata file of ours comes near this; a server sending more is refused early.
const MAX_METADATA_BYTES: u64 = 16 << 20;

/// Bytes that crossed the wire (compressed, as received), shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct WireCounter(Arc<AtomicU64>);

impl WireCounter {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The HTTP client every sync request uses: short connect timeout, a per-read timeout (not a
/// whole-request one: a large target on a slow village line may take minutes, and that is fine
/// as long as bytes keep coming).
pub(crate) fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .user_agent(concat!("kiosk/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

#[derive(Debug, Clone)]
pub struct CachingTransport {
    client: reqwest::Client,
    cache_dir: PathBuf,
    pub wire: WireCounter,
}

impl CachingTransport {
    pub fn new(client: reqwest::Client, cache_dir: &Path, wire: WireCounter) -> Self {
        CachingTransport { client, cache_dir: cache_dir.to_owned(), wire }
    }

    /// The cache file for an immutable metadata URL; `None` for mutable names.
    fn cached(&self, url: &Url) -> Option<PathBuf> {
        let name = url.path_segments()?.next_back()?;
        let (version, rest) = name.split_once('.')?;
        let immutable = !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_digit())
            && rest.ends_with(".json")
            && !rest.contains('/');
        immutable.then(|| self.cache_dir.join(name))
    }

    async fn fetch_bytes(&self, url: &Url) -> Result<Vec<u8>, TransportError> {
        match url.scheme() {
            "file" => {
                let path = url.to_file_path().map_err(|_| {
                    TransportError::new(TransportErrorKind::UnsupportedUrlScheme, url)
                })?;
                match tokio::fs::read(&path).await {
                    Ok(b) => Ok(b),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
                        TransportError::new_with_cause(TransportErrorKind::FileNotFound, url, e),
                    ),
                    Err(e) => {
                        Err(TransportError::new_with_cause(TransportErrorKind::Other, url, e))
                    }
                }
            }
            "http" | "https" => {
                let other = |e: reqwest::Error| {
                    TransportError::new_with_cause(TransportErrorKind::Other, url, e)
                };
                let mut resp = self.client.get(url.clone()).send().await.map_err(other)?;
                let status = resp.status();
                if status == reqwest::StatusCode::NOT_FOUND
                    || status == reqwest::StatusCode::FORBIDDEN
                {
                    return Err(TransportError::new(TransportErrorKind::FileNotFound, url));
                }
                if !status.is_success() {
                    return Err(TransportError::new_with_cause(
                        TransportErrorKind::Other,
                        url,
                        format!("server answered {status}"),
                    ));
                }
                let mut body = Vec::new();
                while let Some(chunk) = resp.chunk().await.map_err(other)? {
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 > MAX_METADATA_BYTES {
                        return Err(TransportError::new_with_cause(
                            TransportErrorKind::Other,
                            url,
                            "metadata larger than any real metadata file",
                        ));
                    }
                }
                // Content-Length is the compressed size when the server gzipped the body.
                self.wire.add(resp.content_length().unwrap_or(body.len() as u64));
                Ok(body)
            }
            _ => Err(TransportError::new(TransportErrorKind::UnsupportedUrlScheme, url)),
        }
    }
}

#[tough::async_trait]
impl Transport for CachingTransport {
    async fn fetch(&self, url: Url) -> Result<TransportStream, TransportError> {
        let cached = self.cached(&url);
        if let Some(path) = &cached {
            if let Ok(bytes) = tokio::fs::read(path).await {
                return Ok(one_chunk(bytes));
            }
        }
        let bytes = self.fetch_bytes(&url).await?;
        if let Some(path) = &cached {
            // Unverified here; tough checks it against the snapshot before use, and a bad copy
            // is dropped with the whole cache (see the module doc).
            let _ = std::fs::create_dir_all(&self.cache_dir);
            let _ = write_atomically(path, &bytes);
        }
        Ok(one_chunk(bytes))
    }
}

fn one_chunk(bytes: Vec<u8>) -> TransportStream {
    Box::pin(stream::iter(std::iter::once(Ok(Bytes::from(bytes)))))
}

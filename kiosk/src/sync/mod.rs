//! Content refresh: TUF-signed bundles from the municipal server, a USB stick or a technician's
//! laptop, all on one trust chain.
//!
//! ```text
//! technician:  bundle dir ──publish──▶ TUF repository (static files: nginx, a CDN, a USB stick)
//! kiosk:       repository ──client (verify metadata, fetch missing targets)──▶ target cache
//!              target cache ──content::Store::install_bundle──▶ new store generation
//! ```
//! `layout` is the contract between the two sides (target names, hash bins, the bundle head);
//! `keys` and `publish` run on the technician's machine; `transport`, `download`, `client`,
//! `status` and `poller` run on the kiosk.

pub mod client;
pub(crate) mod download;
pub mod keys;
pub mod layout;
pub mod poller;
pub mod publish;
pub mod push;
pub mod status;
pub(crate) mod transport;

/// A current-thread tokio runtime for one sync operation (tough's API is async). The kiosk's UI
/// thread never runs it: commands run it on the main thread, the poller on its own thread.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

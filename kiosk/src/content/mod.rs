//! Content: laws from source to bundle to the kiosk's store, and search over it.
//!
//! `source` (content/ as a technician edits it) → `bundle` (content-addressed files + manifest)
//! → `store` (SQLite generations built on the kiosk) → `search` (what the UI asks). `hall` is the
//! hall's own content (guides, service points, map, queue services) beside the laws.

pub mod bundle;
pub mod hall;
pub mod law;
pub(crate) mod lexicon;
pub mod query;
mod ranking;
pub mod search;
pub mod source;
pub mod store;
mod tokenize;
mod vocab;

pub use store::Store;

//! Content: laws from source to bundle to the kiosk's store, and search over it.
//!
//! `source` (content/ as a technician edits it) → `bundle` (content-addressed files + manifest)
//! → `store` (SQLite generations built on the kiosk) → `search`/`lexicon` (what the UI asks).

pub mod bundle;
pub mod hall;
pub mod law;
pub mod lexicon;
pub mod search;
pub mod source;
pub mod store;
pub mod synonyms;
pub mod tokenize;

pub use store::Store;

//! The UI: Slint pages (kiosk/ui/*.slint) and the thin Rust glue that feeds them from the store.
//!
//! The pages never touch SQLite: [`controller::Controller`] asks `content` through plain Rust
//! types and writes the results into the Slint globals declared in `ui/state.slint`.

#[allow(clippy::all)]
mod generated {
    slint::include_modules!();
}

pub mod controller;
pub mod hall_view;
pub mod headless;
pub mod idle;
pub mod navigation;
pub mod pages;
pub mod search_input;

pub use generated::*;

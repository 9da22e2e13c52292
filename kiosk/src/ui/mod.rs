//! The UI: Slint pages (`kiosk/ui/`) and the Rust glue that feeds them from the store.
//!
//! - `ui/pages/*.slint`: one page a file, on a shared `BasePage`; `ui/components/`: widgets.
//! - `ui/api/<screen>.slint`: each screen's global (its properties and callbacks); enums for
//!   kinds, outcomes, styles and statuses. `ui/theme/`: the palette and the metrics.
//! - [`screens`]: one Rust module per screen, owning its state, its global and its reset,
//!   registered in one list. [`controller::Controller`] holds what they share.
//!
//! The pages never touch SQLite; screens ask `content` through plain Rust types and write the
//! results into their globals. Adding a screen: `ui/api/x.slint`, `ui/pages/x.slint`,
//! `src/ui/screens/x.rs`, plus its `Page` variant, import and route in `ui/app.slint` and its
//! line in `screens!`.

#[allow(clippy::all)]
mod generated {
    slint::include_modules!();
}

pub mod access;
mod attract;
pub mod controller;
mod hall_view;
pub mod headless;
mod idle;
mod lag_probe;
mod navigation;
mod pages;
pub mod preparing;
pub mod screens;
mod search_input;
mod spoken;
pub mod typeset;

pub use generated::*;

use crate::content::law::Status;

impl From<Status> for LawStatus {
    fn from(s: Status) -> LawStatus {
        match s {
            Status::InForce => LawStatus::InForce,
            Status::Amended => LawStatus::Amended,
            Status::Repealed => LawStatus::Repealed,
        }
    }
}

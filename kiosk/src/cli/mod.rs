//! Command groups of the `kiosk` binary, one file each (the rest still live in main.rs).

pub mod run;
pub mod sync;

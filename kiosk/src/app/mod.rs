//! Wiring: configuration, start-up and the resident's session.

pub mod config;

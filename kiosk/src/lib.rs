//! Firmware for the touch-query kiosks of public legal service halls.
//!
//! # Layout
//!
//! Data flows one way, repository → sync → content store → screens; the queue issues tickets
//! for the hall's services; `app` builds the pieces from configuration. Each layer imports only layers below
//! it in this list (`tools/module-graph --layers` prints the graph and finds no cycle):
//!
//! ```text
//! ui        the Slint pages' Rust side: controller + one module per screen → app, content, health, input, observe, queue, speech, sync, text
//! health    /metrics, /healthz, pushgateway, systemd watchdog, restarts    → content, input, observe, sync
//! app       configuration (typed, parsed once) and the composition root   → content, input, queue, speech, sync
//! input     touch panels: evdev / evemu replay, finger tracking, gesture   → observe
//! sync      TUF-signed releases: keys, publish, check/fetch/install         → content, observe
//! queue     tickets in SQLite, the printer, the calling system          → content::hall, observe, speech, text
//! speech    the voice (espeak-ng) and the sentence-by-sentence page reader → (nothing)
//! content   law sources → bundle → store generations → search; hall content → text
//! text      Chinese numerals and other plain text helpers                  → (nothing)
//! observe   metrics registry, log setup, fault reporting, loop liveness    → (nothing)
//! ```

pub mod app;
pub mod content;
pub mod health;
pub mod input;
pub mod observe;
pub mod queue;
pub mod speech;
pub mod sync;
pub mod text;
pub mod ui;

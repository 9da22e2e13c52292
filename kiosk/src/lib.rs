//! Firmware for the touch-query kiosks of public legal service halls.
//!
//! Data flows one way: `content` (bundle → store → search) feeds `ui` (Slint pages and thin glue);
//! `app` holds configuration and the session.

pub mod app;
pub mod content;
pub mod queue;
pub mod ui;

//! What a technician can make the kiosk do, shared by the command line, the health endpoint
//! and the technician page: check for content now, roll back, print a test slip. Each returns
//! the line to show.

use std::path::Path;

use anyhow::{Context, Result};

use super::config::Config;
use crate::content::Store;
use crate::queue::ticket_print::TicketPrint;
use crate::sync::status::{now_rfc3339, SyncStatus};

/// One content check now, against the configured repository.
pub fn sync_now(config: &Config) -> Result<String> {
    let source =
        config.update_source.clone().context("no update_source configured: nothing to check")?;
    let report =
        crate::sync::client::update(&config.data_dir, &source, None, &config.trusted_root)?;
    Ok(crate::sync::push::describe(&report.outcome))
}

/// Back to the generation kept from before the last update; the version left is held back
/// (not installed again; a newer release will be).
pub fn rollback(data_dir: &Path) -> Result<String> {
    let left = Store::open(data_dir)?.info().content_version.clone();
    let info = Store::rollback(data_dir)?;
    SyncStatus::update(data_dir, |s| {
        s.held_back = Some(left.clone());
        s.last_update = Some(now_rfc3339());
    })?;
    tracing::info!(from = %left, to = %info.content_version, "content rolled back");
    Ok(format!(
        "rolled back from {left} to {} (generation {}); {left} will not be installed again, a \
         newer release will",
        info.content_version, info.generation
    ))
}

/// A test slip on the configured ticket printer (no queue number is used up).
pub fn print_test_slip(config: &Config) -> Result<String> {
    let mut printer = super::printer(config, None, true);
    let slip = TicketPrint {
        hall: "打印测试 printer test".into(),
        service: "维护人员测试".into(),
        windows: String::new(),
        code: "TEST".into(),
        priority: None,
        ahead: 0,
        wait_minutes: 0,
        time: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
        qr: "printer-test".into(),
    };
    printer.print(&slip).map_err(|e| anyhow::anyhow!("{}: {e}", printer.describe()))?;
    Ok(format!("printed a test slip on {}", printer.describe()))
}

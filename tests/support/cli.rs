//! Running the `kiosk` binary as a technician would, with no site config in the way.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `kiosk ARGS` (no `$KIOSK_CONFIG`, no backtraces in messages).
pub fn kiosk(args: &[&str]) -> Output {
    kiosk_with_env(args, &[])
}

/// Runs `kiosk ARGS` as [`kiosk`] does, with these environment variables set as well.
pub fn kiosk_with_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .env_remove("KIOSK_CONFIG")
        .env("RUST_BACKTRACE", "0")
        .envs(vars.iter().copied())
        .output()
        .expect("kiosk runs")
}

/// Runs `kiosk ARGS`, which must succeed; returns its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = kiosk(args);
    assert!(
        out.status.success(),
        "kiosk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

//! Health for operators: the sampler ([`sample`]) turns the machine and the kiosk's state into
//! gauges and a snapshot; [`report`] judges it (`/healthz`); [`endpoint`] serves `/metrics`,
//! `/healthz` and the token-guarded actions; [`pushgateway`] pushes for kiosks behind NAT;
//! [`watchdog`] speaks systemd's notify protocol; [`restarts`] remembers why the kiosk restarted;
//! the dead-panel alarm is judged in [`sample`] from the counters [`crate::input`] keeps.
//! Counters themselves live in [`crate::observe`], where every layer can bump them.

pub mod endpoint;
pub mod pushgateway;
pub mod report;
pub mod restarts;
pub mod sample;
pub mod watchdog;

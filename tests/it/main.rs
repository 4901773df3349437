//! The integration tests, as one binary (one link instead of one per file,
//! as cargo and ripgrep do): the real binary against the in-process
//! CaseStatus sandbox over HTTP and real SQLite files in temp folders.
//! The chaos test stays its own binary (tests/chaos.rs): it is long.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod appointments;
mod architecture;
mod bad_input;
mod client;
mod cron;
mod doctor;
mod faults;
mod first_run;
mod fleet;
mod hostile_text;
mod matters;
mod messages;
mod monitoring;
mod operate;
mod real_casestatus;
mod reconcile;
mod security;
mod serve;
mod setup;
mod trace;
mod trust;
mod typed_core;
mod unattended;
mod upgrade;

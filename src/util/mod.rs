//! The bottom layer: what every layer above may use and that uses none of
//! them — the config file, the clock, output for people and programs, the
//! one place where untrusted text becomes terminal text, exit statuses, and
//! the rule for secret files.

pub mod clock;
pub mod config;
pub mod exit;
pub mod output;
pub mod secret;
pub mod secret_file;
pub mod term;

//! Storage: one home for each table's SQL. The tool's own state file
//! (migrations, settings, the key, mappings, the ledgers, skips, the run
//! log, stuck messages) and FluentCase's database (reads, and the one activity insert).

pub mod account;
pub mod activities;
pub mod appointments;
pub mod fluentcase;
pub mod keyfile;
pub mod ledger;
pub mod migrations;
pub mod outcome;
pub mod phones;
pub mod records;
pub mod runlog;
pub mod state;
pub mod stuck_messages;

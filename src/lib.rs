//! # casestatus-sync
//!
//! FluentCase's integration with CaseStatus, as a command-line tool. It
//! pushes a firm's matters to CaseStatus as cases, its calendar events as
//! appointments, and pulls clients' messages back into FluentCase as
//! activities. An admin sets it up once; cron runs `sync` every 15 minutes;
//! support runs `why-skipped`.
//!
//! ## Map
//!
//! Inputs: the config file ([`config`]), FluentCase's SQLite database
//! ([`fluentcase`], read; `activities` insert only), CaseStatus's HTTP API
//! ([`casestatus`]). What is kept: the tool's own SQLite file ([`state`]).
//!
//! - [`cli`] — clap structs; [`app`] — checks the config, opens what a
//!   command needs, dispatches. `main.rs` only maps errors to exit codes
//!   ([`exit`]).
//! - [`setup`] — connect, test, disconnect, synced statuses;
//!   [`keyfile`] — the key from `casestatus.api_key_file` (a mounted
//!   secret), read every run, never stored.
//! - [`mapping`] — refetch practice areas, the map overview, map/clear.
//! - [`event_types`] — which event types become appointments.
//! - [`eligibility`] — the one pure function deciding whether a matter is
//!   pushed, and why not.
//! - [`sync`] — runs one or all sync kinds under the run lock, opens and
//!   closes each step's run in the log (with its error if it failed
//!   part-way), and picks the exit status.
//! - [`sync_matters`] — `sync matters`: plan (pure) then execute, ledger
//!   written right after each remote write; [`ledger`] holds what was
//!   pushed and the current skip reasons.
//! - [`sync_appointments`] — `sync appointments`: calendar events to
//!   Meeting appointments; created in the window, updated on any change to
//!   what was sent, deleted when the event goes; plan (pure) then execute.
//! - [`sync_messages`] — `sync messages`: client messages to activities;
//!   insert idempotent on (source, source_id), then mark processed.
//! - [`report`] — a cycle's summary for people and `--json`.
//! - [`why_skipped`] — every rule, pushed or not, drift, recent log entries.
//! - [`runlog`] — the Recent Activity log (`log`), kept 30 days.
//! - [`status`] — `status`: per sync kind the last run and last success,
//!   exit 6 when stale; read-only, for monitoring.
//! - [`runlock`] — one sync at a time per state file (`flock`, freed by the
//!   kernel when a run dies).
//! - [`pool`] — bounded concurrency (`casestatus.concurrency` threads) for
//!   the syncs' calls to CaseStatus; results are handled on the main thread.
//! - [`output`] — tables, badges, `--json` (pretty on a terminal, one
//!   line otherwise), quiet/verbose, colour; every byte for people goes
//!   through [`term::for_terminal`] there, and a failed write (a full disk)
//!   becomes an error.
//! - [`term`] — where text from data becomes terminal text: control
//!   characters, C1 and bidi overrides made visible, errors kept to one line.
//! - [`completions`] — shell completions (with fixes for clap_complete's
//!   output) and the man page, both from the clap definition.
//! - [`sandbox`] — an in-process fake of CaseStatus's API over real HTTP,
//!   with fault knobs, for tests and `casestatus-sync sandbox`.
//! - [`clock`] — the injectable "now".
//! - [`demo`] — `demo`: a sample firm, the sandbox and the whole walk-through.
//! - [`sample`] — FluentCase's schema and a sample firm, for `demo` and tests.
//!
//! ## Invariants
//!
//! - The eligibility rules do no I/O and exist once ([`eligibility::evaluate`]).
//! - Text from FluentCase, CaseStatus or clients reaches a terminal only
//!   through [`term`]; FluentCase, the state file and `--json` keep it exact.
//! - Nothing is marked processed in CaseStatus that is not in FluentCase.
//! - The API key is only ever in the state file (0600), the operator's key
//!   file, and the `Authorization` header; `Debug` of anything holding it is
//!   redacted; it is never an argument (clap's errors would echo it).
//! - Read-only commands (`log`, `status`, `why-skipped`, the `map`
//!   overview) open the state file with [`state::StateStore::open_read_only`]:
//!   they never create, migrate or write it.
//! - FluentCase's schema is never altered; the state schema changes only by
//!   appending a migration.
//! - No case create is sent without an intent row in the ledger and a
//!   look-up by `integration_id` in the same attempt.
//! - A create is retried by the client only when CaseStatus provably never
//!   saw it; otherwise the sync reconciles by `integration_id`.
//!
//! ## Errors
//!
//! Library modules return typed errors ([`config::ConfigError`],
//! [`state::StateError`], [`fluentcase::FluentCaseError`],
//! [`casestatus::ApiError`]); the binary edge uses `anyhow` and
//! [`exit::code_for`] picks the documented exit status.

pub mod casestatus;
pub mod cli;
pub mod commands;
pub mod rules;
pub mod sandbox;
pub mod store;
pub mod sync;
pub mod util;

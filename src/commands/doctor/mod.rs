//! `doctor`: everything this firm's setup relies on, checked read-only
//! (SPEC §1) — the config and its paths, FluentCase's schema, the state
//! file, the time zone, the key — and then CaseStatus's contract as this
//! account answers it (its `contract` module): the things the help article and SPEC
//! §4 say the real service may do differently (cap or ignore page sizes,
//! ignore filters, send ids as strings, send message types we do not know).
//!
//! Why it exists: a sync that fails at 3 a.m. says what failed, not what
//! else is wrong; an admin setting up, or support answering "it doesn't
//! sync", wants the whole picture in one run, each problem with its fix.
//!
//! Rules it keeps:
//! - Read-only. The state file is opened read-only and never created (a
//!   missing one is a ✗ line, not a new empty database); CaseStatus is
//!   asked by GETs only; FluentCase is opened read-only.
//! - One line per check: ✓, ⚠ (tolerated — and what it costs) or ✗ (and
//!   the fix). Exit 0 when the tool can work as configured (✓ and ⚠
//!   only), [`SETUP`] when a person must act (any ✗).
//! - The key is never shown; text from CaseStatus reaches the terminal
//!   only through [`Output`] (and so [`crate::util::term`]).
//! - One gathered answer ([`Report`]): the lines and `--json` present it.

mod contract;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::casestatus::Trace;
use crate::store::fluentcase::{Access, FluentCase, FluentCaseError};
use crate::store::keyfile;
use crate::store::state::{StateError, StateStore, StoredKey};
use crate::sync::Ctx;
use crate::sync::DISCONNECTED_SETTING;
use crate::util::config::{Config, ConfigError};
use crate::util::exit::{SetupError, OK, SETUP};
use crate::util::output::Output;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// As the tool needs it.
    Ok,
    /// Not as assumed, but tolerated; the message says what it costs.
    Warn,
    /// The tool cannot work this way; the fix says what a person must do.
    Fail,
}

impl Status {
    /// The mark at the start of the check's line.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "⚠",
            Status::Fail => "✗",
        }
    }
}

/// What is checked: a closed list, each with its stable `--json` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    Config,
    ConfigMode,
    FluentcaseDatabase,
    StateFile,
    StateFileMode,
    Timezone,
    ApiKeyFile,
    ApiKey,
    Account,
    KeyAccepted,
    PageSize,
    CaseFilter,
    MessagesFilter,
    MessageTypes,
    Appointments,
    IdTypes,
}

impl CheckName {
    /// The check as a person reads it at the start of its line.
    pub fn label(self) -> &'static str {
        match self {
            CheckName::Config => "Config file",
            CheckName::ConfigMode => "Config file permissions",
            CheckName::FluentcaseDatabase => "FluentCase database",
            CheckName::StateFile => "State file",
            CheckName::StateFileMode => "State file permissions",
            CheckName::Timezone => "Time zone",
            CheckName::ApiKeyFile => "API key file",
            CheckName::ApiKey => "API key",
            CheckName::Account => "CaseStatus account",
            CheckName::KeyAccepted => "CaseStatus key",
            CheckName::PageSize => "CaseStatus page sizes",
            CheckName::CaseFilter => "CaseStatus integration_id filter",
            CheckName::MessagesFilter => "CaseStatus processed=false filter",
            CheckName::MessageTypes => "CaseStatus message types",
            CheckName::Appointments => "CaseStatus appointments",
            CheckName::IdTypes => "CaseStatus id types",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: CheckName,
    pub status: Status,
    pub message: String,
    /// What a person should do (always for ✗; for ⚠ when something helps).
    pub fix: Option<String>,
}

/// Everything `doctor` found: what it prints and what `--json` is.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The tool can work as configured: no check failed.
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// The checks as they are gathered.
#[derive(Debug, Default)]
struct Checks(Vec<Check>);

impl Checks {
    fn push(&mut self, name: CheckName, status: Status, message: String, fix: Option<String>) {
        self.0.push(Check {
            name,
            status,
            message,
            fix,
        });
    }
    fn ok(&mut self, name: CheckName, message: String) {
        self.push(name, Status::Ok, message, None);
    }
    fn warn(&mut self, name: CheckName, message: String, fix: Option<String>) {
        self.push(name, Status::Warn, message, fix);
    }
    fn fail(&mut self, name: CheckName, message: String, fix: String) {
        self.push(name, Status::Fail, message, Some(fix));
    }
}

/// `doctor`: gather every check, print them, exit 0 or [`SETUP`].
///
/// `loaded` is the config as found and checked, or why not: a config
/// problem is the first ✗, not an error before any check.
///
/// # Errors
/// Only when the report cannot be printed; everything else is a check.
pub fn run(
    loaded: Result<Config, ConfigError>,
    out: Output,
    now: DateTime<Utc>,
    trace: Option<Arc<Trace>>,
) -> anyhow::Result<u8> {
    let report = gather(loaded, out, now, trace);
    present(&out, &report)?;
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.name.label())
        .collect();
    if failed.is_empty() {
        return Ok(OK);
    }
    crate::util::output::error_line(
        &anyhow::Error::new(SetupError(format!(
            "doctor: {} check(s) need a person: {}",
            failed.len(),
            failed.join(", ")
        ))),
        false,
    );
    Ok(SETUP)
}

/// Run every check that applies, in order; a check whose input is missing
/// (no config, no key) is left out rather than failed twice.
pub fn gather(
    loaded: Result<Config, ConfigError>,
    out: Output,
    now: DateTime<Utc>,
    trace: Option<Arc<Trace>>,
) -> Report {
    let mut checks = Checks::default();
    match loaded {
        Err(e) => checks.fail(CheckName::Config, e.to_string(), config_fix(&e)),
        Ok(config) => {
            checks.ok(
                CheckName::Config,
                format!("{} read and checked", config.path.display()),
            );
            check_config_mode(&config, &mut checks);
            let ctx = Ctx {
                config,
                out,
                now,
                trace,
            };
            let (state, older) = check_state_file(&ctx, &mut checks);
            check_fluentcase(&ctx, &mut checks);
            check_timezone(&ctx, &mut checks);
            let key = check_key(&ctx, state.as_ref(), older, &mut checks);
            if let Some(state) = &state {
                check_account(&ctx, state, key.as_ref(), &mut checks);
            }
            if let Some(key) = key {
                contract::check(&ctx, &key, state.as_ref(), &mut checks);
            }
        }
    }
    let ok = checks.0.iter().all(|c| c.status != Status::Fail);
    Report {
        ok,
        checks: checks.0,
    }
}

fn config_fix(e: &ConfigError) -> String {
    match e {
        ConfigError::NotFound { .. } => format!(
            "pass --config PATH or set {}; each firm has one config file",
            crate::util::config::CONFIG_ENV
        ),
        ConfigError::Unreadable { .. } => {
            "make the config file readable by the user that runs casestatus-sync".into()
        }
        ConfigError::Syntax { .. } | ConfigError::Invalid { .. } => {
            "correct the config file where the message says, then run doctor again".into()
        }
    }
}

/// The config file must not be writable by others: whoever can change it
/// can point `casestatus.base_url` at their own server and receive the key
/// with the next run's first request.
fn check_config_mode(config: &Config, checks: &mut Checks) {
    let path = &config.path;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 == 0 {
        checks.ok(CheckName::ConfigMode, format!("mode {mode:04o}"));
    } else {
        checks.fail(
            CheckName::ConfigMode,
            format!("{} has mode {mode:04o}: others can change it, and so send the API key to a server of their choosing (casestatus.base_url)", path.display()),
            format!("chmod go-w {}", path.display()),
        );
    }
}

/// The state file: there, readable without writing, at this binary's
/// schema, and private (it holds the key and the record of what was sent).
/// The open file, and whether it is at an older schema (tolerated: the
/// next sync upgrades it, and until then it cannot be read here).
fn check_state_file(ctx: &Ctx, checks: &mut Checks) -> (Option<StateStore>, bool) {
    let mut older = false;
    let path = &ctx.config.state_database;
    let config = ctx.config.path.display();
    let state = match StateStore::open_read_only(path) {
        Ok(s) => {
            checks.ok(
                CheckName::StateFile,
                format!(
                    "{} opens, schema {}",
                    path.display(),
                    crate::store::state::schema_version()
                ),
            );
            Some(s)
        }
        Err(StateError::Missing { .. }) => {
            checks.fail(
                CheckName::StateFile,
                format!("{} does not exist (doctor does not create it)", path.display()),
                format!("check state.database in {config}; if this is a new setup, run `casestatus-sync connect --name NAME` (or `casestatus-sync test` with casestatus.api_key_file) to create it"),
            );
            return (None, false);
        }
        Err(StateError::TooOld { found, known, .. }) => {
            checks.warn(
                CheckName::StateFile,
                format!("{} is at schema {found}, older than this binary's {known}: the next sync upgrades it; until then `status`, `log` and `why-skipped` refuse it", path.display()),
                Some("run `casestatus-sync sync all` once".into()),
            );
            older = true;
            None
        }
        Err(e @ StateError::TooNew { .. }) => {
            checks.fail(
                CheckName::StateFile,
                e.to_string(),
                "upgrade casestatus-sync to the version that wrote this file".into(),
            );
            None
        }
        Err(e) if e.is_busy() => {
            checks.warn(
                CheckName::StateFile,
                format!("{e} (a sync is writing it now)"),
                Some("run doctor again in a minute".into()),
            );
            None
        }
        Err(e) => {
            checks.fail(
                CheckName::StateFile,
                e.to_string(),
                format!("point state.database in {config} at this firm's state file, readable by the user that runs casestatus-sync"),
            );
            None
        }
    };
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 == 0 {
            checks.ok(CheckName::StateFileMode, format!("mode {mode:04o}"));
        } else {
            checks.fail(
                CheckName::StateFileMode,
                format!("{} has mode {mode:04o}: other users of this machine can read the API key and client data it holds", path.display()),
                format!("chmod 600 {} (the next sync also tightens it)", path.display()),
            );
        }
    }
    (state, older)
}

/// FluentCase's database: there, and with every table and column of SPEC §3
/// the tool reads or writes.
fn check_fluentcase(ctx: &Ctx, checks: &mut Checks) {
    let path = &ctx.config.fluentcase.database;
    let config = ctx.config.path.display();
    match FluentCase::open(path, Access::ReadOnly) {
        Ok(_) => checks.ok(
            CheckName::FluentcaseDatabase,
            format!("{} has every table and column the tool uses", path.display()),
        ),
        Err(e) if e.is_busy() => checks.warn(
            CheckName::FluentcaseDatabase,
            format!("{e} (FluentCase is writing): a sync waits, and the next cycle retries"),
            None,
        ),
        Err(e @ FluentCaseError::Missing { .. }) => checks.fail(
            CheckName::FluentcaseDatabase,
            e.to_string(),
            format!("set fluentcase.database in {config} to FluentCase's database file"),
        ),
        Err(e @ FluentCaseError::Schema { .. }) => checks.fail(
            CheckName::FluentcaseDatabase,
            e.to_string(),
            format!("point fluentcase.database in {config} at FluentCase's own database"),
        ),
        Err(e) => checks.fail(
            CheckName::FluentcaseDatabase,
            e.to_string(),
            "check that the file is FluentCase's SQLite database and readable by the user that runs casestatus-sync".into(),
        ),
    }
}

/// The firm's time zone (already checked to be a real IANA name when the
/// config was read): shown with its offset now, so a wrong one is seen.
fn check_timezone(ctx: &Ctx, checks: &mut Checks) {
    let tz = ctx.config.fluentcase.timezone;
    let local = ctx.now.with_timezone(&tz);
    checks.ok(
        CheckName::Timezone,
        format!(
            "{} (now {}, UTC{})",
            tz.name(),
            local.format("%Z"),
            local.format("%:z")
        ),
    );
}

/// The key: from the key file (readable, private) or saved by `connect`.
/// Never shown. The key, when there is one to try with CaseStatus.
fn check_key(
    ctx: &Ctx,
    state: Option<&StateStore>,
    older: bool,
    checks: &mut Checks,
) -> Option<StoredKey> {
    if let Some(path) = &ctx.config.casestatus.api_key_file {
        match keyfile::mode_of(path) {
            Ok(mode) if keyfile::mode_is_private(mode) => {
                checks.ok(CheckName::ApiKeyFile, format!("{} mode {mode:04o}", path.display()))
            }
            Ok(mode) => checks.fail(
                CheckName::ApiKeyFile,
                format!("{} has mode {mode:04o}: others can read it, or someone other than its owner can change it", path.display()),
                format!("chmod 600 {} (0400, 0640 and 0440 are accepted too)", path.display()),
            ),
            // Reading it below says why, naming the file.
            Err(_) => {}
        }
        return match keyfile::read(path) {
            Ok(key) => {
                checks.ok(
                    CheckName::ApiKey,
                    format!(
                        "read from {} (never copied into the state file)",
                        path.display()
                    ),
                );
                Some(StoredKey {
                    name: format!("API key from {}", path.display()),
                    secret: key.expose().to_string(),
                    saved_at: String::new(),
                })
            }
            Err(e) => {
                checks.fail(
                    CheckName::ApiKey,
                    e.to_string(),
                    "put the key from CaseStatus's settings, alone, in that file, readable by the user that runs casestatus-sync".into(),
                );
                None
            }
        };
    }
    let Some(state) = state else {
        if older {
            checks.warn(
                CheckName::ApiKey,
                "not read, nor CaseStatus asked: the state file that holds the key is at an older schema (see above)".into(),
                Some("run `casestatus-sync sync all` once, then doctor again".into()),
            );
            return None;
        }
        checks.fail(
            CheckName::ApiKey,
            "cannot be read: the state file that holds it is not usable (see above)".into(),
            "fix the state file first".into(),
        );
        return None;
    };
    match state.key() {
        Ok(Some(key)) => {
            checks.ok(
                CheckName::ApiKey,
                format!(
                    "\"{}\" saved by connect on {}",
                    key.name,
                    crate::util::clock::local_text(&key.saved_at, ctx.config.fluentcase.timezone)
                ),
            );
            Some(key)
        }
        Ok(None) => {
            match state.setting(DISCONNECTED_SETTING).ok().flatten() {
                Some(when) => checks.warn(
                    CheckName::ApiKey,
                    format!(
                        "removed on purpose on {}: nothing syncs (each sync says so and exits 0)",
                        crate::util::clock::local_text(&when, ctx.config.fluentcase.timezone)
                    ),
                    Some("`casestatus-sync connect --name NAME` to resume".into()),
                ),
                None => checks.fail(
                    CheckName::ApiKey,
                    format!("no key is saved in {}", state.path().display()),
                    "`casestatus-sync connect --name NAME`, or set casestatus.api_key_file".into(),
                ),
            }
            None
        }
        Err(e) => {
            checks.fail(
                CheckName::ApiKey,
                e.to_string(),
                "fix the state file first".into(),
            );
            None
        }
    }
}

/// Whether the key and URL are the ones the state file last verified its
/// account with (SPEC §2, account binding). A difference is not an error:
/// the next sync checks 5 recorded cases before any create, and says what
/// to do if the account is another.
fn check_account(ctx: &Ctx, state: &StateStore, key: Option<&StoredKey>, checks: &mut Checks) {
    let url = ctx.config.casestatus.account_url();
    let bound = match crate::store::account::binding(state) {
        Ok(b) => b,
        Err(e) => {
            return checks.fail(
                CheckName::Account,
                e.to_string(),
                "fix the state file first".into(),
            )
        }
    };
    let hash = key.and_then(|k| {
        crate::store::account::key_hash_read_only(state, &k.secret)
            .ok()
            .flatten()
    });
    let same_key = hash.is_some() && hash == bound.key_hash;
    match (bound.base_url.as_deref(), same_key) {
        (None, _) => checks.ok(
            CheckName::Account,
            format!("not yet bound to an account: the first sync binds it to the account the key opens at {url}"),
        ),
        (Some(b), true) if b == url => checks.ok(
            CheckName::Account,
            format!("the state file belongs to the account this key opens at {url}"),
        ),
        (Some(b), _) => checks.warn(
            CheckName::Account,
            format!(
                "the key or URL changed since the last verified sync (then {b}, now {url}): the next sync looks up {} recorded cases before any create, and stops if this is another account",
                crate::sync::account::CHECKED_CASES
            ),
            Some("if it is another account on purpose: casestatus-sync connect --new-account".into()),
        ),
    }
}

/// Print the report: one line per check (its fix indented below), then a
/// summary; or the `--json` document.
fn present(out: &Output, report: &Report) -> anyhow::Result<()> {
    if out.json {
        return out.json(report);
    }
    for c in &report.checks {
        out.line(format!(
            "{} {}: {}",
            c.status.mark(),
            c.name.label(),
            c.message
        ));
        if let Some(fix) = &c.fix {
            let lead = if c.status == Status::Fail {
                "fix"
            } else {
                "to avoid it"
            };
            out.line(format!("    {lead}: {fix}"));
        }
    }
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    let (warned, failed) = (count(Status::Warn), count(Status::Fail));
    out.line(if failed > 0 {
        format!("{failed} ✗ (a person must act), {warned} ⚠ (tolerated)")
    } else if warned > 0 {
        format!("The tool can work as configured; {warned} ⚠ tolerated at the cost named")
    } else {
        "Everything checked is as the tool needs it.".to_string()
    });
    Ok(())
}

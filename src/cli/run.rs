//! From parsed arguments to work: the output settings, the firm named in
//! every line, `--trace`, then [`super::dispatch`], which sends each
//! command to its module's `exec`: a command that works on one firm gets a
//! [`Ctx`], its config loaded and checked here; one that needs none
//! ([`super::Command::needs_config`]) gets the [`Globals`].

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use crate::casestatus::Trace;

use crate::cli::Cli;
use crate::commands::Globals;
use crate::sync::Ctx;
use crate::util::config::{self, Config, ConfigError};
use crate::util::exit::UsageError;
use crate::util::output::Output;

/// Run a parsed command line; the exit status on success.
///
/// # Errors
/// Any failure, to be printed once by `main` and mapped by [`crate::cli::exit::code_for`].
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let verbose = cli.verbose > 0;
    let mut out = Output::new(cli.json, cli.quiet, verbose);
    // Under cron (stdout not a terminal) a sync or a fleet that went well
    // prints nothing, so cron mails only problems (on stderr). `-v` or
    // `--json` ask for the summary anyway, and a dry run's plan is its
    // whole point.
    if cli.command.run_by_cron() && !std::io::stdout().is_terminal() && !verbose && !cli.json {
        out.quiet = true;
    }
    let needs_config = cli.command.needs_config();
    if cli.trace.is_some() && !needs_config {
        return Err(UsageError(
            "--trace records one firm's exchanges with CaseStatus; use it with a command that reads a config (for a fleet, run that firm's command with its --config)".into(),
        )
        .into());
    }
    if cli.api_key_file.is_some() && !needs_config {
        return Err(UsageError(
            "--api-key-file gives one firm's commands a key; use it with a command that reads a config (a fleet's firms name theirs in casestatus.api_key_file)".into(),
        )
        .into());
    }
    if needs_config {
        // The firm is named in the first warning already (the trace's).
        announce_firm(cli.config.as_deref());
    }
    // Said even when a sync under cron is otherwise quiet; only `-q` hushes it.
    let trace = open_trace(
        cli.trace.as_deref(),
        &Output {
            quiet: cli.quiet,
            ..out
        },
    )?;
    let globals = Globals {
        config: cli.config,
        api_key_file: cli.api_key_file,
        out,
    };
    let result = super::dispatch(cli.command, &globals, trace.clone());
    // Each entry is already on disk; this only reports a write that failed.
    if let Some(Err(e)) = trace.map(|t| t.finish()) {
        out.warn(e.to_string());
    }
    result
}

/// The config named by `--config`, else `$CASESTATUS_SYNC_CONFIG`, else
/// the default file, loaded and checked.
pub(super) fn load_config(globals: &Globals) -> Result<Config, ConfigError> {
    let env = std::env::var(config::CONFIG_ENV).ok();
    config::locate(globals.config.as_deref(), env.as_deref())
        .and_then(|path| config::load(&path))
        .map(|c| with_key_file(c, globals.api_key_file.clone()))
}

/// The context of a command that works on one firm.
///
/// # Errors
/// The config cannot be found, read or checked; the clock is unusable.
pub(super) fn load_ctx(globals: &Globals, trace: Option<Arc<Trace>>) -> anyhow::Result<Ctx> {
    let config = load_config(globals)?;
    Ok(Ctx {
        config,
        out: globals.out,
        now: now()?,
        trace,
    })
}

/// The time this command runs at.
pub(super) fn now() -> Result<chrono::DateTime<chrono::Utc>, UsageError> {
    crate::util::clock::now().map_err(UsageError)
}

/// `--api-key-file FILE` stands in for the config's
/// `casestatus.api_key_file`, with every rule of a key file (read each run,
/// the secret-file modes, never stored; `connect` and `disconnect` refused):
/// an admin's shell can then use a systemd unit's or a Secret's key
/// without editing the config. A relative FILE is the shell's, not the
/// config folder's.
fn with_key_file(mut config: config::Config, flag: Option<std::path::PathBuf>) -> config::Config {
    if let Some(path) = flag {
        config.casestatus.api_key_file = Some(std::path::absolute(&path).unwrap_or(path));
    }
    config
}

/// Name the firm in every later line (SPEC §1): the host of
/// `fluentcase.base_url` of the config this command will read. A config
/// that cannot be read is reported by the command itself; its lines keep
/// the plain prefix.
fn announce_firm(flag: Option<&Path>) {
    let env = std::env::var(config::CONFIG_ENV).ok();
    let loaded = config::locate(flag, env.as_deref()).and_then(|path| config::load(&path));
    if let Some(firm) = loaded.ok().as_ref().and_then(config::Config::firm) {
        crate::util::output::set_firm(firm);
    }
}

/// `--trace FILE`: create the archive (0600) and say, once, on stderr,
/// that it holds client data. The key is never in it, so never said.
fn open_trace(path: Option<&Path>, out: &Output) -> anyhow::Result<Option<Arc<Trace>>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let trace = Trace::create(path).map_err(|e| UsageError(e.to_string()))?;
    out.warn(format!(
        "the trace file {} will hold client data from CaseStatus (names, phone numbers, messages): keep it private and delete it when done; the API key in it reads REDACTED",
        path.display()
    ));
    Ok(Some(Arc::new(trace)))
}

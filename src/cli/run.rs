//! From parsed arguments to work: the output settings, the firm named in
//! every line, `--trace`, then [`dispatch`]: one match from each command to
//! its module's `exec` (cargo's `builtin_exec`). A command that works on
//! one firm gets a [`Ctx`], its config loaded and checked; one that needs
//! none ([`Command::needs_config`]) gets the [`Globals`].

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use crate::casestatus::Trace;

use crate::cli::{completions, Cli, Command};
use crate::commands::{self, Globals};
use crate::sync::Ctx;
use crate::util::config::{self, Config, ConfigError};
use crate::util::exit::UsageError;
use crate::util::output::Output;

/// Run a parsed command line; the exit status on success.
///
/// # Errors
/// Any failure, to be printed once by `main` and mapped by [`crate::sync::exit::code_for`].
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
        json: cli.json,
        verbose,
        out,
    };
    let result = dispatch(cli.command, &globals, trace.clone());
    // Each entry is already on disk; this only reports a write that failed.
    if let Some(Err(e)) = trace.map(|t| t.finish()) {
        out.warn(e.to_string());
    }
    result
}

impl Command {
    /// Whether the command works on one firm's config: the firm is named
    /// in its lines and `--trace` may record its exchanges. The others
    /// need none: `init` writes one, `fleet`'s firms have their own,
    /// `sandbox` and `demo` make their own; `completions` and `man`.
    fn needs_config(&self) -> bool {
        !matches!(
            self,
            Command::Init(_)
                | Command::Fleet(_)
                | Command::Sandbox(_)
                | Command::Demo(_)
                | Command::Completions(_)
                | Command::Man
        )
    }

    /// The commands cron runs (a real sync, a fleet): quiet on success
    /// when stdout is not a terminal.
    fn run_by_cron(&self) -> bool {
        match self {
            Command::Sync(args) => args.changes_things(),
            Command::Fleet(_) => true,
            _ => false,
        }
    }
}

/// Each command to its module's `exec`. A command that works on one firm
/// loads the config as its arm starts ([`load_ctx`]).
fn dispatch(command: Command, globals: &Globals, trace: Option<Arc<Trace>>) -> anyhow::Result<u8> {
    let firm = || load_ctx(globals, trace.clone());
    match command {
        // No config (see `needs_config`).
        Command::Demo(args) => commands::demo::exec(globals, &args),
        Command::Init(args) => commands::init::exec(globals, &args),
        Command::Fleet(args) => commands::fleet::exec(globals, &args),
        Command::Sandbox(args) => commands::sandbox::exec(globals, &args),
        Command::Completions(args) => completions::exec(&args),
        Command::Man => completions::print_man(),
        // The config or why not: a problem with it is doctor's first check.
        Command::Doctor => {
            let loaded = load_config(globals);
            commands::doctor::run(loaded, globals.out, now()?, trace)
        }
        // One firm.
        Command::Setup => commands::walkthrough::run(&firm()?),
        Command::Connect(args) => commands::setup::connect(&firm()?, args),
        Command::Test => commands::setup::test(&firm()?),
        Command::Disconnect => commands::setup::disconnect(&firm()?),
        Command::SyncedStatuses(args) => commands::setup::synced_statuses(&firm()?, &args.statuses),
        Command::RefetchPracticeAreas => commands::mapping::refetch(&firm()?),
        Command::Map(args) => commands::mapping::exec(&firm()?, &args),
        Command::EventTypes(args) => commands::event_types::exec(&firm()?, &args),
        Command::Sync(args) => commands::sync::exec(&firm()?, &args),
        Command::WhySkipped(args) => commands::why_skipped::exec(&firm()?, &args),
        Command::Log(args) => commands::log::exec(&firm()?, &args),
        Command::Messages(args) => commands::messages::exec(&firm()?, &args),
        Command::Status(args) => commands::status::exec(&firm()?, &args),
        Command::Metrics => commands::metrics::run(&firm()?),
        Command::Serve(args) => commands::serve::exec(&firm()?, &args),
    }
}

/// The config named by `--config`, else `$CASESTATUS_SYNC_CONFIG`, else
/// the default file, loaded and checked.
fn load_config(globals: &Globals) -> Result<Config, ConfigError> {
    let env = std::env::var(config::CONFIG_ENV).ok();
    config::locate(globals.config.as_deref(), env.as_deref()).and_then(|path| config::load(&path))
}

/// The context of a command that works on one firm.
///
/// # Errors
/// The config cannot be found, read or checked; the clock is unusable.
fn load_ctx(globals: &Globals, trace: Option<Arc<Trace>>) -> anyhow::Result<Ctx> {
    let config = load_config(globals)?;
    Ok(Ctx {
        config,
        out: globals.out,
        now: now()?,
        trace,
    })
}

/// The time this command runs at.
fn now() -> Result<chrono::DateTime<chrono::Utc>, UsageError> {
    crate::util::clock::now().map_err(UsageError)
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

//! From parsed arguments to work: load and check the config, build the
//! context, dispatch to the command. Commands that need no config
//! (init, which writes it; sandbox, demo, completions, man; and fleet —
//! whose firms each have their own) run before the config is looked for.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use crate::casestatus::Trace;

use crate::cli::{Cli, Command, EventTypeAction, MapAction, MessagesAction, SyncWhat};
use crate::sync::{self, Ctx, Kind};
use crate::util::config;
use crate::util::exit::UsageError;
use crate::util::output::Output;

/// Run a parsed command line; the exit status on success.
///
/// # Errors
/// Any failure, to be printed once by `main` and mapped by [`crate::sync::exit::code_for`].
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let verbose = cli.verbose > 0;
    let mut out = Output::new(cli.json, cli.quiet, verbose);
    // Under cron (stdout not a terminal) a sync that went well prints
    // nothing, so cron mails only problems (on stderr). `-v` or `--json`
    // ask for the summary anyway, and a dry run's plan is its whole point.
    if is_real_sync(&cli.command) && !std::io::stdout().is_terminal() && !verbose && !cli.json {
        out.quiet = true;
    }
    if cli.trace.is_some() && !needs_config(&cli.command) {
        return Err(UsageError(
            "--trace records one firm's exchanges with CaseStatus; use it with a command that reads a config (for a fleet, run that firm's command with its --config)".into(),
        )
        .into());
    }
    if cli.api_key_file.is_some() && !needs_config(&cli.command) {
        return Err(UsageError(
            "--api-key-file gives one firm's commands a key; use it with a command that reads a config (a fleet's firms name theirs in casestatus.api_key_file)".into(),
        )
        .into());
    }
    if let Some(done) = run_without_config(&cli, &mut out) {
        return done;
    }
    // The firm is named in the first warning already (the trace's).
    announce_firm(cli.config.as_deref());
    // Said even when a sync under cron is otherwise quiet; only `-q` hushes it.
    let trace = open_trace(
        cli.trace.as_deref(),
        &Output {
            quiet: cli.quiet,
            ..out
        },
    )?;
    let result = with_config(cli, out, trace.clone());
    // Each entry is already on disk; this only reports a write that failed.
    if let Some(Err(e)) = trace.map(|t| t.finish()) {
        out.warn(e.to_string());
    }
    result
}

/// Load the config and run a command that needs it. `doctor` gets the
/// config's problems as one of its checks instead of an error.
fn with_config(cli: Cli, out: Output, trace: Option<Arc<Trace>>) -> anyhow::Result<u8> {
    let env = std::env::var(config::CONFIG_ENV).ok();
    let located = config::locate(cli.config.as_deref(), env.as_deref());
    let key_file = cli.api_key_file.clone();
    if matches!(cli.command, Command::Doctor) {
        let loaded = located
            .and_then(|path| config::load(&path))
            .map(|c| with_key_file(c, key_file));
        let now = crate::util::clock::now().map_err(UsageError)?;
        return crate::commands::doctor::run(loaded, out, now, trace);
    }
    let config = with_key_file(config::load(&located?)?, key_file);
    let now = crate::util::clock::now().map_err(UsageError)?;
    dispatch(
        &Ctx {
            config,
            out,
            now,
            trace,
        },
        cli.command,
    )
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

/// Whether a command works on one firm's config (and so can be traced).
fn needs_config(command: &Command) -> bool {
    !matches!(
        command,
        Command::Fleet(_)
            | Command::Sandbox { .. }
            | Command::Demo { .. }
            | Command::Completions { .. }
            | Command::Man { .. }
    )
}

/// The commands that need no config file: init (it writes one), fleet (it
/// has its own), sandbox, demo, completions, man. None for the others.
fn run_without_config(cli: &Cli, out: &mut Output) -> Option<anyhow::Result<u8>> {
    Some(match &cli.command {
        Command::Fleet(args) => {
            out.quiet |= crate::commands::fleet::quiet_under_cron(cli.verbose > 0, cli.json);
            crate::commands::fleet::run(&args.flags(cli.config.is_some()), out)
        }
        Command::Init(args) => crate::commands::init::run(
            &crate::commands::init::Flags {
                // Where every other command will look for it.
                config: cli.config.clone().or_else(|| {
                    std::env::var_os(config::CONFIG_ENV)
                        .filter(|v| !v.to_string_lossy().trim().is_empty())
                        .map(std::path::PathBuf::from)
                }),
                fluentcase_db: args.fluentcase_db.clone(),
                fluentcase_url: args.fluentcase_url.clone(),
                timezone: args.timezone.clone(),
                casestatus_url: args.casestatus_url.clone(),
                state: args.state.clone(),
            },
            out,
        ),
        Command::Sandbox { port } => crate::commands::sandbox::run(*port, out),
        Command::Demo { dir } => crate::commands::demo::run(dir.as_deref(), cli.json),
        Command::Completions { shell } => {
            crate::cli::completions::print(*shell);
            Ok(crate::util::exit::OK)
        }
        Command::Man { dir } => crate::cli::completions::print_man(dir.as_deref(), out),
        _ => return None,
    })
}

/// The commands that work on one firm, with its config loaded.
fn dispatch(ctx: &Ctx, command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Connect(args) => crate::commands::setup::connect(
            ctx,
            crate::commands::setup::ConnectArgs {
                name: args.name,
                api_key_stdin: args.api_key_stdin,
                no_test: args.no_test,
                statuses: args.statuses,
                new_account: args.new_account,
                same_account: args.same_account,
                key: None,
            },
        ),
        Command::Setup => crate::commands::walkthrough::run(ctx),
        Command::Test => crate::commands::setup::test(ctx),
        Command::Disconnect => crate::commands::setup::disconnect(ctx),
        Command::SyncedStatuses { statuses } => {
            crate::commands::setup::synced_statuses(ctx, &statuses)
        }
        Command::RefetchPracticeAreas => crate::commands::mapping::refetch(ctx),
        Command::Map { action: None } => crate::commands::mapping::overview(ctx),
        Command::Map {
            action:
                Some(MapAction::PracticeArea {
                    area, case_type, ..
                }),
        } => crate::commands::mapping::map_area(ctx, &area, case_type.as_deref()),
        Command::Map {
            action:
                Some(MapAction::Stage {
                    area,
                    stage,
                    status,
                    ..
                }),
        } => crate::commands::mapping::map_stage(ctx, &area, &stage, status.as_deref()),
        Command::EventTypes { action } => match action {
            None => crate::commands::event_types::list(ctx),
            Some(EventTypeAction::Enable { names }) => {
                crate::commands::event_types::set(ctx, &names, true)
            }
            Some(EventTypeAction::Disable { names }) => {
                crate::commands::event_types::set(ctx, &names, false)
            }
        },
        Command::Sync { what } => {
            let (kinds, dry_run) = match what {
                SyncWhat::Matters(args) => (&[Kind::Matters][..], args.dry_run),
                SyncWhat::Appointments(args) => (&[Kind::Appointments][..], args.dry_run),
                SyncWhat::Messages(args) => (&[Kind::Messages][..], args.dry_run),
                SyncWhat::All(args) => (sync::ALL, args.dry_run),
            };
            let result = sync::run(ctx, kinds, dry_run);
            // After each real sync, however it ended (a failure is what the
            // metrics are for): `[metrics] textfile`, if configured. Not
            // after an overlap, which did nothing (and must stay silent).
            let overlapped = result
                .as_ref()
                .is_err_and(|e| sync::exit::code_for(e) == crate::util::exit::LOCKED);
            if !dry_run && !overlapped {
                // Said even under cron (a stale textfile would hide the
                // firm from its alerts); the sync's own exit status stands.
                if let Err(e) = crate::commands::metrics::write_textfile(ctx) {
                    crate::util::output::error_line(&e, false);
                }
            }
            result
        }
        Command::Metrics => crate::commands::metrics::run(ctx),
        Command::WhySkipped { matter } => crate::commands::why_skipped::run(ctx, &matter),
        Command::Log { run, limit } => crate::commands::log::show(ctx, run, limit),
        Command::Messages { action } => match action {
            MessagesAction::Pending => crate::commands::messages::pending(ctx),
            MessagesAction::Import { id, matter } => {
                crate::commands::messages::import(ctx, id, &matter)
            }
            MessagesAction::Acknowledge { id } => crate::commands::messages::acknowledge(ctx, id),
        },
        Command::Status { max_age, one_line } => {
            crate::commands::status::run(ctx, max_age, one_line)
        }
        Command::Serve {
            listen,
            token_file,
            tls_cert,
            tls_key,
            allow_hosts,
        } => crate::commands::serve::run(
            ctx,
            &crate::commands::serve::Options {
                listen: listen.clone(),
                token_file: token_file.clone(),
                tls_cert: tls_cert.clone(),
                tls_key: tls_key.clone(),
                allow_hosts: allow_hosts.clone(),
            },
        ),
        Command::Sandbox { .. }
        | Command::Doctor
        | Command::Init(_)
        | Command::Fleet(_)
        | Command::Demo { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => Ok(crate::util::exit::OK),
    }
}

/// A sync that changes things (not a dry run).
fn is_real_sync(command: &Command) -> bool {
    match command {
        Command::Sync { what } => {
            let (SyncWhat::Matters(a)
            | SyncWhat::Appointments(a)
            | SyncWhat::Messages(a)
            | SyncWhat::All(a)) = what;
            !a.dry_run
        }
        _ => false,
    }
}

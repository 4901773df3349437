//! From parsed arguments to work: load and check the config, build the
//! context, dispatch to the command. Commands that need no config
//! (sandbox, demo, completions, man, and fleet — whose firms each have
//! their own) run before the config is looked for.

use std::io::IsTerminal;

use crate::cli::{Cli, Command, EventTypeAction, MapAction, SyncWhat};
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
    if let Some(done) = run_without_config(&cli, &mut out) {
        return done;
    }
    let env = std::env::var(config::CONFIG_ENV).ok();
    let path = config::locate(cli.config.as_deref(), env.as_deref())?;
    let config = config::load(&path)?;
    let now = crate::util::clock::now().map_err(UsageError)?;
    dispatch(&Ctx { config, out, now }, cli.command)
}

/// The commands that need no config file: fleet (it has its own),
/// sandbox, demo, completions, man. None for the others.
fn run_without_config(cli: &Cli, out: &mut Output) -> Option<anyhow::Result<u8>> {
    Some(match &cli.command {
        Command::Fleet(args) => {
            out.quiet |= crate::commands::fleet::quiet_under_cron(cli.verbose > 0, cli.json);
            crate::commands::fleet::run(&args.flags(cli.config.is_some()), out)
        }
        Command::Sandbox { port } => crate::commands::sandbox::run(*port, out),
        Command::Demo { dir } => crate::commands::demo::run(dir.as_deref(), cli.json),
        Command::Completions { shell } => {
            crate::cli::completions::print(*shell);
            Ok(crate::util::exit::OK)
        }
        Command::Man => crate::cli::completions::print_man(),
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
            },
        ),
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
        Command::Sync { what } => match what {
            SyncWhat::Matters(args) => sync::run(ctx, &[Kind::Matters], args.dry_run),
            SyncWhat::Appointments(args) => sync::run(ctx, &[Kind::Appointments], args.dry_run),
            SyncWhat::Messages(args) => sync::run(ctx, &[Kind::Messages], args.dry_run),
            SyncWhat::All(args) => sync::run(ctx, sync::ALL, args.dry_run),
        },
        Command::WhySkipped { matter } => crate::commands::why_skipped::run(ctx, &matter),
        Command::Log { run, limit } => crate::commands::log::show(ctx, run, limit),
        Command::Status { max_age } => crate::commands::status::run(ctx, max_age),
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
        | Command::Fleet(_)
        | Command::Demo { .. }
        | Command::Completions { .. }
        | Command::Man => Ok(crate::util::exit::OK),
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

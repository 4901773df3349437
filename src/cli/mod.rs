//! The command line (SPEC §1): the clap definition — the global options
//! and the list of commands, each command's own flags being its module's
//! `Args` (`crate::commands::log::Args`, ...) — and, beside the list, the
//! one table from a command to its module's `exec` ([`dispatch`]). [`run`]
//! prepares what a command is given.

pub mod completions;
pub mod exit;
pub mod run;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{ArgAction, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::casestatus::Trace;
use crate::commands::{self, Globals};

/// The heading that keeps the options every command takes apart from a
/// subcommand's own in `--help`.
const GLOBAL: &str = "Global options";

/// FluentCase's CaseStatus integration: push matters and calendar events to
/// CaseStatus, pull client messages back as activities.
#[derive(Debug, Parser)]
#[command(name = "casestatus-sync", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout instead of tables (one line when piped)
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// Print nothing on success
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,
    /// Print more detail on stderr (-vv is accepted)
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,
    /// Write every HTTP exchange with CaseStatus to FILE as a HAR archive (mode 0600; holds client data; the key reads REDACTED)
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub trace: Option<PathBuf>,
    /// Read the CaseStatus API key from FILE (mode 0600/0400/0640/0440) instead of casestatus.api_key_file or the saved key: admin commands with a service's key
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub api_key_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Every command: one variant, its help, and its module's flags (`Args`).
/// [`dispatch`] sends each to its module's `exec`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try everything on a sample firm: writes it to a new folder, runs a local sandbox, sets up and syncs
    Demo(commands::demo::Args),
    /// Write a commented config file for this firm (asks on a terminal for what is not given)
    #[command(after_long_help = INIT_EXAMPLES)]
    Init(commands::init::Args),
    /// The settings page as a guided walk on a terminal: key, statuses, mappings, event types, cron line
    #[command(after_long_help = SETUP_EXAMPLES)]
    Setup,
    /// Add (or replace) the CaseStatus API key, after testing it
    #[command(after_long_help = CONNECT_EXAMPLES)]
    Connect(commands::setup::ConnectArgs),
    /// Test Connection: check the key and count the matters eligible now
    Test,
    /// Remove API Key: stop all syncing (the record of what was pushed is kept)
    Disconnect,
    /// Show or change which matter statuses are synced (default Open)
    SyncedStatuses(commands::setup::SyncedStatusesArgs),
    /// Pull practice areas and stages from CaseStatus; report what is new and what vanished
    RefetchPracticeAreas,
    /// Practice Area & Stage Mapping: show the overview, or map one item
    #[command(after_long_help = MAP_EXAMPLES)]
    Map(commands::mapping::Args),
    /// Appointment Sync — Event Types: list, enable or disable
    EventTypes(commands::event_types::Args),
    /// Run one sync cycle
    #[command(after_long_help = SYNC_EXAMPLES)]
    Sync(commands::sync::Args),
    /// Explain why a matter is or is not in CaseStatus
    #[command(after_long_help = WHY_SKIPPED_EXAMPLES)]
    WhySkipped(commands::why_skipped::Args),
    /// Recent Activity: recent runs, or one run's details
    Log(commands::log::Args),
    /// Client messages the sync could not import: list them, or import or acknowledge one
    #[command(after_long_help = MESSAGES_EXAMPLES)]
    Messages(commands::messages::Args),
    /// Health for monitoring: ok, stale, not_syncing, stuck or disconnected, and each sync kind's last run; exit 6 unless ok or disconnected
    #[command(after_long_help = STATUS_EXAMPLES)]
    Status(commands::status::Args),
    /// This firm's state as Prometheus text (format 0.0.4): last runs and successes, records, skips, pending messages, the status state; read-only, no key needed
    #[command(after_long_help = METRICS_EXAMPLES)]
    Metrics,
    /// Check everything this setup relies on, read-only: config, databases, key, and CaseStatus's answers
    #[command(after_long_help = DOCTOR_EXAMPLES)]
    Doctor,
    /// The status page for support staff: a read-only web page of the settings, health, log and matters
    #[command(after_long_help = SERVE_EXAMPLES)]
    Serve(commands::serve::Args),
    /// Many firms: `sync all` for each firm folder of DIR in this shard, each in its own process
    #[command(after_long_help = FLEET_EXAMPLES)]
    Fleet(commands::fleet::Args),
    /// Run a CaseStatus sandbox on 127.0.0.1 for trying the tool
    Sandbox(commands::sandbox::Args),
    /// Print shell completions
    Completions(completions::Args),
    /// Print the man page (roff) on stdout, or write every page into a folder
    #[command(after_long_help = MAN_EXAMPLES)]
    Man(completions::ManArgs),
}

impl Command {
    /// Whether the command works on one firm's config: the firm is named
    /// in its lines and `--trace` may record its exchanges. The others
    /// need none: `init` writes one, `fleet`'s firms have their own,
    /// `sandbox` and `demo` make their own; `completions` and `man`.
    pub fn needs_config(&self) -> bool {
        !matches!(
            self,
            Command::Init(_)
                | Command::Fleet(_)
                | Command::Sandbox(_)
                | Command::Demo(_)
                | Command::Completions(_)
                | Command::Man(_)
        )
    }

    /// The commands cron runs (a real sync, a fleet): quiet on success
    /// when stdout is not a terminal.
    pub fn run_by_cron(&self) -> bool {
        match self {
            Command::Sync(args) => args.changes_things(),
            Command::Fleet(_) => true,
            _ => false,
        }
    }
}

/// Each command to its module's `exec` (cargo's `builtin_exec`). A
/// command that works on one firm loads the config as its arm starts.
///
/// # Errors
/// The command's; or, for one that works on one firm, its config's.
pub fn dispatch(
    command: Command,
    globals: &Globals,
    trace: Option<Arc<Trace>>,
) -> anyhow::Result<u8> {
    let firm = || run::load_ctx(globals, trace.clone());
    match command {
        // No config (see `needs_config`).
        Command::Demo(args) => commands::demo::exec(globals, &args),
        Command::Init(args) => commands::init::exec(globals, &args),
        Command::Fleet(args) => commands::fleet::exec(globals, &args),
        Command::Sandbox(args) => commands::sandbox::exec(globals, &args),
        Command::Completions(args) => completions::exec(&args),
        Command::Man(args) => completions::print_man(args.dir.as_deref(), &globals.out),
        // The config or why not: a problem with it is doctor's first check.
        Command::Doctor => {
            let loaded = run::load_config(globals);
            commands::doctor::run(loaded, globals.out, run::now()?, trace)
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

const INIT_EXAMPLES: &str = "\
Examples:
  casestatus-sync init                      # asks for each value on a terminal
  casestatus-sync init --fluentcase-db /srv/fluentcase/fluentcase.db \\
      --fluentcase-url https://acme.fluentcase.com --timezone America/Chicago
  casestatus-sync --config /etc/casestatus-sync/acme.toml init --fluentcase-db ... --fluentcase-url ...

Writes ./casestatus-sync.toml (or --config PATH, or $CASESTATUS_SYNC_CONFIG)
and never over an existing file. Not on a terminal, --fluentcase-db and --fluentcase-url are required;
the rest take their defaults. Next: casestatus-sync setup.";

const SETUP_EXAMPLES: &str = "\
Examples:
  casestatus-sync setup
  casestatus-sync --config /etc/casestatus-sync/acme.toml setup

Each answer is saved as it is given (Ctrl-C keeps what was saved); running
it again shows the current choices as defaults. For scripts, the same steps
one by one: connect --api-key-stdin, test, synced-statuses, map
practice-area, map stage, event-types enable.";

const CONNECT_EXAMPLES: &str = "\
Examples:
  casestatus-sync connect --name \"CaseStatus API Key\"      # hidden prompt
  printf '%s' \"$KEY\" | casestatus-sync connect --name \"CaseStatus API Key\" --api-key-stdin
  casestatus-sync connect --name K --api-key-stdin --status Open --status Treatment < key.txt

The key is tested with CaseStatus before it is saved; a key CaseStatus
refuses is not saved and the previous key stays (--no-test skips the test).
The key is never an argument. Containers and systemd: set
casestatus.api_key_file in the config instead; then connect is not needed.";

const MAP_EXAMPLES: &str = "\
Examples:
  casestatus-sync map
  casestatus-sync map practice-area \"Workers' Compensation\" --case-type \"Workers' Compensation\"
  casestatus-sync map stage \"Workers' Compensation\" Treatment --status Open
  casestatus-sync map stage \"Workers' Compensation\" Treatment --clear";

const SYNC_EXAMPLES: &str = "\
Examples:
  casestatus-sync sync all                  # cron, every 15 minutes; quiet on success
  casestatus-sync sync matters --dry-run    # what would be created and skipped
  casestatus-sync --json sync all           # one summary document for monitoring";

const FLEET_EXAMPLES: &str = "\
Examples:
  casestatus-sync fleet /firms                        # every firm, 4 at a time
  casestatus-sync fleet /firms --shard 1/3 --jobs 8   # the second of three shards
  casestatus-sync fleet /firms --shards 3             # Kubernetes Indexed Job: I from $JOB_COMPLETION_INDEX
  casestatus-sync --json fleet /firms --budget 300

Each firm folder holds casestatus-sync.toml (and, by its relative paths,
its databases); use casestatus.api_key_file for the key. A firm belongs to
a shard by a stable hash of its folder name, so adding or removing a firm
moves no other. A firm's config may name files only inside its own folder
(its key file also under --keys-dir); a firm naming others' files is
refused, a symlinked firm folder skipped. Children die with the fleet;
SIGTERM is passed on to them. Exit 0 when every firm exited 0 or 5
(already running), else 1; one line per firm, quiet on success when not on
a terminal.";

const WHY_SKIPPED_EXAMPLES: &str = "\
Examples:
  casestatus-sync why-skipped 1042
  casestatus-sync why-skipped WC-2026-0042
  casestatus-sync --json why-skipped 1042";

const MESSAGES_EXAMPLES: &str = "\
Examples:
  casestatus-sync messages pending                      # what waits, why, since when
  casestatus-sync messages import 301 --matter WC-2026-0042
  casestatus-sync messages acknowledge 302              # processed, no activity
  casestatus-sync --json messages pending               # times in RFC 3339 UTC

A client message is stuck when `sync messages` cannot import it: no matter
has its integration id, FluentCase holds another activity for it, it has
no content or no time, or its type is unknown. It stays unprocessed in
CaseStatus until a person decides. import and acknowledge ask CaseStatus
for the message first, take the sync lock, and are recorded in the log.";

const STATUS_EXAMPLES: &str = "\
Examples:
  casestatus-sync status                    # exit 0 ok or disconnected, 6 otherwise
  casestatus-sync status --max-age 45 -q    # for cron or a probe: the exit status only
  casestatus-sync --json status             # \"state\", times in RFC 3339 UTC
  casestatus-sync status --one-line         # OK - FIRM: ok: ...; matters ... | matters_age=240s;;3600;0 ...

States: ok; disconnected (the key removed on purpose, with its date; exit
0); not_syncing (the setup lets nothing through: no practice area mapped,
no stage mapped, no mapped status synced); stale (a sync kind's last
success is older than --max-age minutes, or it never succeeded); stuck (a
client message has waited longer than --max-age). Exit 6 for the last
three, with the reason as one line on stderr naming the firm.";

const METRICS_EXAMPLES: &str = "\
Examples:
  casestatus-sync metrics                   # every series carries firm=\"HOST\"
  casestatus-sync metrics > /var/lib/node_exporter/textfile/acme.prom

With [metrics] textfile = \"PATH\" in the config, each sync writes the same
text there itself, atomically (a temporary file, then a rename), for
node_exporter's textfile collector.";

const DOCTOR_EXAMPLES: &str = "\
Examples:
  casestatus-sync doctor                    # one line per check: ✓, ⚠ (tolerated) or ✗ (with the fix)
  casestatus-sync --json doctor             # {\"ok\": ..., \"checks\": [{\"name\", \"status\", \"message\", \"fix\"}]}
  casestatus-sync doctor --trace doctor.har # and every exchange with CaseStatus, for support

Read-only: it never creates or changes the state file, and asks CaseStatus
by GETs only. Exit 0 when the tool can work as configured (✓ and ⚠ only),
3 when a person must act (any ✗).";

const MAN_EXAMPLES: &str = "\
Examples:
  casestatus-sync man | man -l -
  sudo casestatus-sync man --dir /usr/local/share/man/man1 && man casestatus-sync-sync-all";

const SERVE_EXAMPLES: &str = "\
Examples:
  casestatus-sync serve                     # http://127.0.0.1:8787 on this machine only
  casestatus-sync serve --listen 0.0.0.0:8443 --token-file /etc/casestatus-sync/page-token \\
      --tls-cert /etc/casestatus-sync/tls.crt --tls-key /etc/casestatus-sync/tls.key \\
      --allow-host status.example.com

Read-only: it opens both databases read-only and makes no call to CaseStatus.
Pages: / (settings, health, Recent Activity), /runs/ID, /matters/ID-OR-FILE-NUMBER;
for tools /api/status, /api/runs/ID, /api/matters/ID (the --json documents).
A request whose Host is not the address listened on, localhost or an
--allow-host name is refused (DNS rebinding). The first line on stdout is
\"listening on http://ADDR\" (https:// with --tls-cert).";

/// What `connect` says instead of clap's error, which would quote the
/// argument — possibly the key itself.
pub const KEY_AS_ARGUMENT: &str = "connect does not take the API key (or any value) as a plain argument, and the argument is not repeated here in case it was the key; pipe the key in with --api-key-stdin, type it at the hidden prompt, or set casestatus.api_key_file in the config (see `casestatus-sync connect --help`)";

/// Whether clap's error for these arguments could quote an API key: any
/// error about an unexpected or malformed argument of `connect`.
pub fn may_echo_a_key(err: &clap::Error, args: &[std::ffi::OsString]) -> bool {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            | ErrorKind::MissingRequiredArgument
    ) {
        return false;
    }
    subcommand_of(args) == Some("connect")
}

/// The first word that is neither an option nor the value of `--config`.
fn subcommand_of(args: &[std::ffi::OsString]) -> Option<&str> {
    let mut words = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(w) = words.next() {
        if w == "--config" {
            words.next();
        } else if !w.starts_with('-') {
            return Some(w);
        }
    }
    None
}

/// The clap command with the long version: the package version, the state
/// schema this binary writes and, when built from git, the commit.
pub fn command() -> clap::Command {
    Cli::command().version(version())
}

/// `0.1.0 (state schema 3, commit abc1234)`.
pub fn version() -> String {
    let schema = crate::store::state::schema_version();
    match option_env!("CASESTATUS_SYNC_GIT_COMMIT").filter(|c| !c.is_empty()) {
        Some(commit) => format!(
            "{} (state schema {schema}, commit {commit})",
            env!("CARGO_PKG_VERSION")
        ),
        None => format!("{} (state schema {schema})", env!("CARGO_PKG_VERSION")),
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand and every argument a person can type says what it is for.
    #[test]
    fn every_subcommand_and_argument_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if arg.get_help().is_none() && !matches!(arg.get_id().as_str(), "help" | "version")
                {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                let p = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(p.clone());
                }
                walk(sub, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&command(), "casestatus-sync", &mut missing);
        assert!(missing.is_empty(), "no description: {missing:?}");
    }

    /// `sync KIND [-n]` for every [`crate::sync::Kind`], and `sync all`:
    /// the subcommands are made from the kinds, so a new kind is typed at once.
    #[test]
    fn sync_takes_every_kind_by_name_and_all() {
        use crate::sync::Kind;
        let parse = |what: &str| match Cli::try_parse_from(["casestatus-sync", "sync", what, "-n"])
        {
            Ok(Cli {
                command: Command::Sync(args),
                ..
            }) => args.what,
            other => panic!("sync {what}: {other:?}"),
        };
        for &kind in Kind::all() {
            let what = parse(kind.name());
            assert_eq!(what.kinds(), [kind]);
            assert!(what.args.dry_run);
        }
        assert_eq!(parse("all").kinds(), Kind::all());
        assert!(Cli::try_parse_from(["casestatus-sync", "sync", "contacts"]).is_err());
        // Each kind's help is its doc comment; `all`'s names them in order.
        let cmd = command();
        let sync = cmd.find_subcommand("sync").expect("sync");
        let about = |name: &str| {
            let sub = sync.find_subcommand(name).expect("subcommand");
            sub.get_about().map(ToString::to_string).unwrap_or_default()
        };
        assert_eq!(about("matters"), "Push eligible matters as cases");
        assert_eq!(about("messages"), "Import client messages as activities");
        assert_eq!(about("all"), "Matters, then appointments, then messages");
    }
}

//! The command line (SPEC §1), as clap derive structs. Parsing only: the
//! values are checked and turned into work in `app`.

pub mod completions;
pub mod run;

use std::path::PathBuf;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try everything on a sample firm: writes it to a new folder, runs a local sandbox, sets up and syncs
    Demo {
        /// Folder to create (default: ./casestatus-sync-demo, or -2, -3... if taken)
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
    },
    /// Write a commented config file for this firm (asks on a terminal for what is not given)
    #[command(after_long_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// The settings page as a guided walk on a terminal: key, statuses, mappings, event types, cron line
    #[command(after_long_help = SETUP_EXAMPLES)]
    Setup,
    /// Add (or replace) the CaseStatus API key, after testing it
    #[command(after_long_help = CONNECT_EXAMPLES)]
    Connect(ConnectArgs),
    /// Test Connection: check the key and count the matters eligible now
    Test,
    /// Remove API Key: stop all syncing (the record of what was pushed is kept)
    Disconnect,
    /// Show or change which matter statuses are synced (default Open)
    SyncedStatuses {
        /// The new set of synced statuses; none shows the current set
        #[arg(value_name = "STATUS")]
        statuses: Vec<String>,
    },
    /// Pull practice areas and stages from CaseStatus; report what is new and what vanished
    RefetchPracticeAreas,
    /// Practice Area & Stage Mapping: show the overview, or map one item
    #[command(after_long_help = MAP_EXAMPLES)]
    Map {
        #[command(subcommand)]
        action: Option<MapAction>,
    },
    /// Appointment Sync — Event Types: list, enable or disable
    EventTypes {
        #[command(subcommand)]
        action: Option<EventTypeAction>,
    },
    /// Run one sync cycle
    #[command(after_long_help = SYNC_EXAMPLES)]
    Sync {
        #[command(subcommand)]
        what: SyncWhat,
    },
    /// Explain why a matter is or is not in CaseStatus
    #[command(after_long_help = WHY_SKIPPED_EXAMPLES)]
    WhySkipped {
        /// A matter id or a file number
        #[arg(value_name = "MATTER")]
        matter: String,
    },
    /// Recent Activity: recent runs, or one run's details
    Log {
        /// Show one run's details
        #[arg(long, value_name = "ID")]
        run: Option<i64>,
        /// How many recent runs to list
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
    },
    /// Client messages the sync could not import: list them, or import or acknowledge one
    #[command(after_long_help = MESSAGES_EXAMPLES)]
    Messages {
        #[command(subcommand)]
        action: MessagesAction,
    },
    /// Health for monitoring: ok, stale, not_syncing, stuck or disconnected, and each sync kind's last run; exit 6 unless ok or disconnected
    #[command(after_long_help = STATUS_EXAMPLES)]
    Status {
        /// A sync kind whose last success is older than this many minutes (or that never succeeded) is stale
        #[arg(long, value_name = "MINUTES", default_value_t = crate::commands::status::DEFAULT_MAX_AGE_MINUTES,
              value_parser = clap::value_parser!(u32).range(1..=525_600))]
        max_age: u32,
        /// One line: the verdict, each kind's last run and perfdata, as a Nagios plugin prints them (also for the journal)
        #[arg(long)]
        one_line: bool,
    },
    /// This firm's state as Prometheus text (format 0.0.4): last runs and successes, records, skips, pending messages, the status state; read-only, no key needed
    #[command(after_long_help = METRICS_EXAMPLES)]
    Metrics,
    /// Check everything this setup relies on, read-only: config, databases, key, and CaseStatus's answers
    #[command(after_long_help = DOCTOR_EXAMPLES)]
    Doctor,
    /// The status page for support staff: a read-only web page of the settings, health, log and matters
    #[command(after_long_help = SERVE_EXAMPLES)]
    Serve {
        /// Address to listen on (port 0 picks a free one); a non-loopback one needs --token-file
        #[arg(long, value_name = "ADDR", default_value = crate::commands::serve::DEFAULT_LISTEN)]
        listen: String,
        /// A file holding the token every request must carry (Bearer header, or ?token= once); mode 0600 or 0640
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
        /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key
        #[arg(long, value_name = "PEM", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM)
        #[arg(long, value_name = "PEM", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A host name the page may be reached by (repeatable); requests naming another host are refused
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
    },
    /// Many firms: `sync all` for each firm folder of DIR in this shard, each in its own process
    #[command(after_long_help = FLEET_EXAMPLES)]
    Fleet(FleetArgs),
    /// Run a CaseStatus sandbox on 127.0.0.1 for trying the tool
    Sandbox {
        /// Port to listen on, on 127.0.0.1 (0 picks a free one); not serve's 8787
        #[arg(long, default_value_t = crate::commands::sandbox::DEFAULT_PORT)]
        port: u16,
    },
    /// Print shell completions
    Completions {
        /// The shell to print completions for
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff) on stdout, or write every page into a folder
    #[command(after_long_help = MAN_EXAMPLES)]
    Man {
        /// Write the top page and one page per subcommand (casestatus-sync-map-stage.1, ...) into DIR
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `fleet DIR`: see SPEC §5 and `crate::commands::fleet`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The folder holding one folder per firm, each with its casestatus-sync.toml
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// This run's shard I/N, 0-based: the firms whose folder name hashes to I mod N [default: 0/1]
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The number of shards N, with I from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
    /// How many firms run at a time, each in its own process
    #[arg(long, value_name = "P", default_value_t = 4)]
    pub jobs: u32,
    /// Seconds a firm's sync may take; then it is killed (safely) and reported
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub budget: u64,
    /// Where firms' casestatus.api_key_file may lie besides their own folders
    #[arg(long, value_name = "DIR", default_value = crate::commands::fleet::DEFAULT_KEYS_DIR)]
    pub keys_dir: PathBuf,
}

impl FleetArgs {
    /// The flags for [`crate::commands::fleet`]; `config_given`: whether the global
    /// `--config` was typed (fleet refuses it).
    pub fn flags(&self, config_given: bool) -> crate::commands::fleet::Flags {
        crate::commands::fleet::Flags {
            dir: self.dir.clone(),
            shard: self.shard.clone(),
            shards: self.shards,
            jobs: self.jobs,
            budget: self.budget,
            keys_dir: self.keys_dir.clone(),
            config_given,
        }
    }
}

/// `init`: every value of the config as a flag (scripts, containers); a
/// terminal is asked for the ones not given.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// FluentCase's SQLite database (checked to hold FluentCase's tables)
    #[arg(long, value_name = "PATH")]
    pub fluentcase_db: Option<PathBuf>,
    /// FluentCase's address, for deep links, e.g. `https://acme.fluentcase.com`
    #[arg(long, value_name = "URL")]
    pub fluentcase_url: Option<String>,
    /// The firm's IANA time zone [default: the system's]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// CaseStatus's address [default: `https://app.casestatus.com`]
    #[arg(long, value_name = "URL")]
    pub casestatus_url: Option<String>,
    /// The tool's own state file [default: casestatus-sync.db beside the config]
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// A descriptive name for the key, e.g. "CaseStatus API Key"
    #[arg(long, required_unless_present_any = ["same_account", "new_account"])]
    pub name: Option<String>,
    /// Read the key from standard input instead of a hidden prompt
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Save the key without testing it with CaseStatus first (offline setup)
    #[arg(long)]
    pub no_test: bool,
    /// A matter status to sync (repeatable; default Open)
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// The key opens another CaseStatus account on purpose: file the old
    /// account's record (kept for log and why-skipped) and push every
    /// matter to this one
    #[arg(long, conflicts_with = "same_account")]
    pub new_account: bool,
    /// Accept the account the current key and URL open as this state
    /// file's, without checking its cases (after a person has looked)
    #[arg(long, conflicts_with_all = ["api_key_stdin", "no_test", "statuses"])]
    pub same_account: bool,
}

#[derive(Debug, Subcommand)]
pub enum MapAction {
    /// Map a practice area to a FluentCase case type (or clear it)
    PracticeArea {
        /// The CaseStatus practice area, exactly as named there
        #[arg(value_name = "AREA")]
        area: String,
        /// The FluentCase case type
        #[arg(
            long,
            value_name = "TYPE",
            required_unless_present = "clear",
            conflicts_with = "clear"
        )]
        case_type: Option<String>,
        /// Remove the mapping
        #[arg(long)]
        clear: bool,
    },
    /// Map a stage of a practice area to a FluentCase matter status (or clear it)
    Stage {
        /// The CaseStatus practice area, exactly as named there
        #[arg(value_name = "AREA")]
        area: String,
        /// The stage of that practice area, exactly as named there
        #[arg(value_name = "STAGE")]
        stage: String,
        /// The FluentCase matter status
        #[arg(
            long,
            value_name = "STATUS",
            required_unless_present = "clear",
            conflicts_with = "clear"
        )]
        status: Option<String>,
        /// Remove the mapping
        #[arg(long)]
        clear: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventTypeAction {
    /// Push events of these types as appointments
    Enable {
        /// FluentCase event types, exactly as named there (see `event-types`)
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Stop pushing events of these types
    Disable {
        /// FluentCase event types, exactly as named there (see `event-types`)
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
}

/// `messages ...`: a person decides about stuck client messages
/// (see `crate::commands::messages`).
#[derive(Debug, Subcommand)]
pub enum MessagesAction {
    /// List the client messages waiting unprocessed in CaseStatus that could not be imported, with why and since when (read-only)
    Pending,
    /// Import one message as an activity on the matter named, then mark it processed in CaseStatus
    Import {
        /// CaseStatus's message id (see `messages pending`)
        #[arg(value_name = "ID")]
        id: i64,
        /// The FluentCase matter to put it on: a matter id or a file number
        #[arg(long, value_name = "MATTER")]
        matter: String,
    },
    /// Mark one message processed in CaseStatus without importing it
    Acknowledge {
        /// CaseStatus's message id (see `messages pending`)
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncWhat {
    /// Push eligible matters as cases
    Matters(SyncArgs),
    /// Push calendar events of enabled event types as appointments
    Appointments(SyncArgs),
    /// Import client messages as activities
    Messages(SyncArgs),
    /// Matters, then appointments, then messages
    All(SyncArgs),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Show what would happen (printed wherever stdout goes); change nothing anywhere
    #[arg(short = 'n', long)]
    pub dry_run: bool,
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
}

//! The command line (SPEC §1), as clap derive structs. Parsing only: the
//! values are checked and turned into work in `app`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// FluentCase's CaseStatus integration: push matters and calendar events to
/// CaseStatus, pull client messages back as activities.
#[derive(Debug, Parser)]
#[command(name = "casestatus-sync", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $CASESTATUS_SYNC_CONFIG, else ./casestatus-sync.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print one JSON document on stdout instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing on success
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,
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
    /// Add (or replace) the CaseStatus API key
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
    Sync {
        #[command(subcommand)]
        what: SyncWhat,
    },
    /// Explain why a matter is or is not in CaseStatus
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
    /// Run a CaseStatus sandbox on 127.0.0.1 for trying the tool
    Sandbox {
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// A descriptive name for the key, e.g. "CaseStatus API Key"
    #[arg(long)]
    pub name: String,
    /// Read the key from standard input instead of a hidden prompt
    #[arg(long)]
    pub api_key_stdin: bool,
    /// A matter status to sync (repeatable; default Open)
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum MapAction {
    /// Map a practice area to a FluentCase case type (or clear it)
    PracticeArea {
        /// The CaseStatus practice area, exactly as named there
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
        /// The CaseStatus practice area
        area: String,
        /// The stage of that practice area
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
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Stop pushing events of these types
    Disable {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

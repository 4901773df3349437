//! `fleet DIR` (SPEC §5): `sync all` for the firms of one shard, each firm
//! in its own child process.
//!
//! A host keeps one folder per firm under DIR, each with its
//! `casestatus-sync.toml`. Scale-out is Kubernetes' job (an Indexed Job,
//! one shard per index); this module only has to be shard-aware and keep
//! firms apart:
//!
//! - **Shards** by FNV-1a 64 of the folder name, mod N. The hash is written
//!   here because std's `DefaultHasher` may change between releases, which
//!   would move firms between pods on an upgrade. A firm's shard depends on
//!   its own name and N only, so adding or removing a firm moves no other.
//! - **Isolation**: each firm is `casestatus-sync --config DIR/FIRM/… sync
//!   all`, a child process of this same binary, so a crash, panic, hang or
//!   leak stays with its firm. At most `--jobs` run at once; one still
//!   running after `--budget` seconds is killed (SIGKILL is safe: a sync
//!   killed at any point never duplicates or loses anything, see the
//!   ledger's intent rows) and reported, so a hanging firm costs the others
//!   one slot for one budget at most.
//! - **No shared state** between firms: nothing is written by the fleet
//!   itself; each child takes its own run lock.
//! - **Confinement** (`confine`): before a firm runs, every file its config
//!   names must lie in its own folder (its key file also under
//!   `--keys-dir`), symlinks followed; else the firm is refused with one
//!   line. A firm folder that is itself a symlink is skipped and named.
//! - **Children never outlive the fleet**: each child runs in its own
//!   process group with the parent-death signal (`prctl(PR_SET_PDEATHSIG,
//!   SIGKILL)`, set between fork and exec, and the child ends itself if
//!   the fleet already died), so `kill -9` of the fleet takes them along;
//!   SIGTERM, SIGINT or SIGHUP to the fleet is passed on to every child's
//!   group as SIGTERM and waited for up to [`STOP_GRACE`], then SIGKILL.
//!   Over budget, the child's whole group is killed.
//!
//! Folders whose name starts with `.` (a Kubernetes volume's `..data`) and
//! `lost+found` (a volume's root) are not firms. Children are polled with
//! `try_wait` and a short sleep: no extra threads but one per child to
//! drain its stderr (a full pipe would block the child).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::commands::Globals;
use crate::util::config::{CONFIG_ENV, DEFAULT_CONFIG_FILE};
use crate::util::exit::{SetupError, UsageError, LOCKED, OK};
use crate::util::output::Output;

mod children;
mod confine;
mod shard;

use children::{signal_group, stop_all, stop_signals};

/// Set by Kubernetes in each pod of an Indexed Job: the pod's index.
pub const SHARD_INDEX_ENV: &str = "JOB_COMPLETION_INDEX";
/// How often running children are checked.
const POLL: Duration = Duration::from_millis(25);
/// How much of a child's last stderr line is kept as its reason.
const MAX_REASON_CHARS: usize = 400;
/// How many failed firms the one-line error names before "and N more".
const NAMED_IN_ERROR: usize = 5;
/// How long children are given to end after the fleet passes on SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_secs(10);
/// Where key files may lie besides each firm's folder, without `--keys-dir`.
pub const DEFAULT_KEYS_DIR: &str = "/run/secrets/casestatus";

pub use shard::{fnv1a64, Shard};

/// `fleet DIR`: see SPEC §5.
#[derive(Debug, clap::Args)]
pub struct Args {
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

/// `fleet`: see [`run`]. It takes no `--config`: each firm has its own.
///
/// # Errors
/// [`UsageError`] for a `--config`; else as [`run`].
pub fn exec(globals: &Globals, args: &Args) -> anyhow::Result<u8> {
    if globals.config.is_some() {
        return Err(UsageError(format!(
            "fleet takes no --config: each firm's config is DIR/FIRM/{DEFAULT_CONFIG_FILE}"
        ))
        .into());
    }
    run(args, &globals.out)
}

/// The checked flags of one `fleet` run.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub shard: Shard,
    pub jobs: usize,
    pub budget: Duration,
    pub keys_dir: PathBuf,
}

impl Options {
    /// Check the flags; `index_env` is `$JOB_COMPLETION_INDEX`.
    ///
    /// # Errors
    /// [`UsageError`] for a bad shard, `--jobs 0`, `--budget 0`, both
    /// `--shard` and `--shards`.
    pub fn check(args: &Args, index_env: Option<&str>) -> Result<Options, UsageError> {
        let shard = match (&args.shard, args.shards) {
            (Some(_), Some(_)) => {
                return Err(UsageError(
                    "fleet takes --shard I/N or --shards N (with I from $JOB_COMPLETION_INDEX), not both".into(),
                ))
            }
            (Some(text), None) => Shard::parse(text)?,
            (None, Some(count)) => Shard::from_env(count, index_env)?,
            (None, None) => Shard::ALL,
        };
        if args.jobs == 0 {
            return Err(UsageError(
                "--jobs 0: at least one firm must run at a time".into(),
            ));
        }
        if args.budget == 0 {
            return Err(UsageError(
                "--budget 0: a firm needs at least one second".into(),
            ));
        }
        Ok(Options {
            dir: args.dir.clone(),
            shard,
            jobs: usize::try_from(args.jobs).unwrap_or(usize::MAX),
            budget: Duration::from_secs(args.budget),
            keys_dir: args.keys_dir.clone(),
        })
    }
}

/// A firm's folder, by name.
#[derive(Debug, Clone)]
pub struct FirmDir {
    /// The folder's name as shown (lossy for names that are not UTF-8).
    pub name: String,
    pub path: PathBuf,
    /// The entry is a symlink (to a folder or anything else): never run.
    pub is_symlink: bool,
}

impl FirmDir {
    fn config(&self) -> PathBuf {
        self.path.join(DEFAULT_CONFIG_FILE)
    }
}

/// The firm folders under `dir`, sorted by name.
///
/// # Errors
/// [`UsageError`] when `dir` is missing, not a folder, unreadable or holds
/// no firm folder.
pub fn list_firms(dir: &Path) -> Result<Vec<FirmDir>, UsageError> {
    let shown = dir.display();
    if !dir.is_dir() {
        let what = if dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        return Err(UsageError(format!(
            "fleet: {shown} {what}; give the folder that holds one folder per firm"
        )));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("fleet: cannot read the folder {shown}: {e}")))?;
    let mut firms = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| UsageError(format!("fleet: cannot read the folder {shown}: {e}")))?;
        let name = entry.file_name();
        let path = entry.path();
        // The entry itself, not what it leads to: a symlinked firm folder
        // would reach wherever its link points.
        let is_symlink = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_firm_name(&name) && (is_symlink || path.is_dir()) {
            firms.push(FirmDir {
                name: name.to_string_lossy().into_owned(),
                path,
                is_symlink,
            });
        }
    }
    if firms.is_empty() {
        return Err(UsageError(format!(
            "fleet: {shown} holds no firm folders (one folder per firm, each with {DEFAULT_CONFIG_FILE})"
        )));
    }
    firms.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(firms)
}

/// Not hidden (`..data` of a mounted volume) and not a volume's `lost+found`.
fn is_firm_name(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.starts_with(b".") && bytes != b"lost+found"
}

/// How a firm's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// `sync all` exited 0.
    Ok,
    /// Exit 5: another run of this firm held its lock; nothing was done.
    AlreadyRunning,
    /// Any other exit status, or killed by a signal not ours.
    Failed,
    /// Still running after the budget: killed.
    OverBudget,
    /// The folder has no `casestatus-sync.toml`: not run.
    NoConfig,
    /// The child process could not be started.
    NotStarted,
    /// Its config names a file outside its folder (and `--keys-dir`): not run.
    Refused,
    /// The firm folder is a symlink: not run.
    Skipped,
    /// The fleet was asked to stop (SIGTERM) while it ran: stopped.
    Stopped,
}

impl Status {
    /// Whether this outcome leaves the fleet's exit status at 0.
    pub fn is_fine(self) -> bool {
        matches!(self, Status::Ok | Status::AlreadyRunning)
    }
}

/// One firm's result, as printed and in `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub firm: String,
    pub status: Status,
    /// The child's exit status; None when it was not run or was killed.
    pub exit_code: Option<i32>,
    pub seconds: f64,
    /// One line saying why, when the status is not `ok`.
    pub reason: Option<String>,
}

impl Outcome {
    /// The line for people: folder, exit code, seconds, reason.
    fn line(&self) -> String {
        let code = match (self.exit_code, self.status) {
            (Some(c), _) => c.to_string(),
            (None, Status::OverBudget | Status::Stopped) => "killed".into(),
            (None, _) => "-".into(),
        };
        let mut line = format!("{:<24} {code:>6} {:>7.1}s", self.firm, self.seconds);
        if let Some(reason) = &self.reason {
            line.push_str("  ");
            line.push_str(reason);
        }
        line
    }
}

/// Run `fleet`: sync the firms of this shard, report, pick the exit status.
///
/// # Errors
/// [`UsageError`] for bad flags or DIR (before anything runs); [`FleetFailed`]
/// (exit 1) after the report when a firm did not end in 0 or 5.
pub fn run(args: &Args, out: &Output) -> anyhow::Result<u8> {
    let index_env = std::env::var(SHARD_INDEX_ENV).ok();
    let opts = Options::check(args, index_env.as_deref())?;
    let all = list_firms(&opts.dir)?;
    let mine: Vec<FirmDir> = all
        .iter()
        .filter(|f| opts.shard.contains(f.path.file_name().unwrap_or_default()))
        .cloned()
        .collect();
    let exe = std::env::current_exe().map_err(|e| {
        SetupError(format!(
            "fleet: cannot find this program's own path to start each firm: {e}"
        ))
    })?;
    let started = Instant::now();
    stop_signals::install();
    let mut outcomes = run_firms(&exe, &mine, &opts, out);
    outcomes.sort_by(|a, b| a.firm.cmp(&b.firm));
    let summary = Summary::of(&outcomes, all.len(), started.elapsed());
    report(out, &opts, &summary, &outcomes)?;
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.status.is_fine()).collect();
    if failed.is_empty() {
        Ok(OK)
    } else {
        Err(FleetFailed::new(&failed, outcomes.len()).into())
    }
}

/// Counts for the summary line and `--json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub firms: usize,
    pub firms_in_dir: usize,
    pub ok: usize,
    pub already_running: usize,
    pub failed: usize,
    pub over_budget: usize,
    pub no_config: usize,
    pub not_started: usize,
    pub refused: usize,
    pub skipped: usize,
    pub stopped: usize,
    pub seconds: f64,
}

impl Summary {
    fn of(outcomes: &[Outcome], firms_in_dir: usize, wall: Duration) -> Summary {
        let count = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
        Summary {
            firms: outcomes.len(),
            firms_in_dir,
            ok: count(Status::Ok),
            already_running: count(Status::AlreadyRunning),
            failed: count(Status::Failed),
            over_budget: count(Status::OverBudget),
            no_config: count(Status::NoConfig),
            not_started: count(Status::NotStarted),
            refused: count(Status::Refused),
            skipped: count(Status::Skipped),
            stopped: count(Status::Stopped),
            seconds: round_tenths(wall),
        }
    }
}

/// The summary line, or the `--json` document.
fn report(
    out: &Output,
    opts: &Options,
    summary: &Summary,
    outcomes: &[Outcome],
) -> anyhow::Result<()> {
    if out.json {
        return out.json(&serde_json::json!({
            "dir": opts.dir.display().to_string(),
            "shard": opts.shard,
            "jobs": opts.jobs,
            "budget_seconds": opts.budget.as_secs(),
            "firms": outcomes,
            "summary": summary,
        }));
    }
    let s = summary;
    let mut problems = Vec::new();
    for (n, what) in [
        (s.failed, "failed"),
        (s.over_budget, "over budget"),
        (s.no_config, "without a config"),
        (s.not_started, "not started"),
        (s.refused, "refused"),
        (s.skipped, "skipped (symlinked folder)"),
        (s.stopped, "stopped"),
    ] {
        if n > 0 {
            problems.push(format!(", {n} {what}"));
        }
    }
    out.line(format!(
        "fleet {} shard {}/{}: {} of {} firms; {} ok, {} already running{}; {:.1}s, {} at a time",
        opts.dir.display(),
        opts.shard.index,
        opts.shard.count,
        s.firms,
        s.firms_in_dir,
        s.ok,
        s.already_running,
        problems.concat(),
        s.seconds,
        opts.jobs
    ));
    Ok(())
}

/// Some firms did not end in 0 or 5: exit 1 (a row of the exit table,
/// `cli::exit`), naming the first few with their reasons.
#[derive(Debug, thiserror::Error)]
#[error("fleet: {count} of {total} firm(s) did not sync: {named}")]
pub struct FleetFailed {
    count: usize,
    total: usize,
    named: String,
}

impl FleetFailed {
    fn new(failed: &[&Outcome], total: usize) -> FleetFailed {
        let mut parts: Vec<String> = failed
            .iter()
            .take(NAMED_IN_ERROR)
            .map(|o| {
                let why: String = o
                    .reason
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(120)
                    .collect();
                match o.exit_code {
                    Some(c) => format!("{} (exit {c}: {why})", o.firm),
                    None => format!("{} ({why})", o.firm),
                }
            })
            .collect();
        if failed.len() > NAMED_IN_ERROR {
            parts.push(format!("and {} more", failed.len() - NAMED_IN_ERROR));
        }
        FleetFailed {
            count: failed.len(),
            total,
            named: parts.join("; "),
        }
    }
}

/// A child running one firm's sync.
struct Running {
    firm: String,
    child: Child,
    started: Instant,
    last_stderr: Option<JoinHandle<Option<String>>>,
}

/// Run every firm, `opts.jobs` at a time; each outcome is printed as it
/// comes (so a long run shows progress in `kubectl logs`).
fn run_firms(exe: &Path, firms: &[FirmDir], opts: &Options, out: &Output) -> Vec<Outcome> {
    let mut queue = firms.iter();
    let mut running: Vec<Running> = Vec::new();
    let mut done = Vec::with_capacity(firms.len());
    let mut finish = |o: Outcome| {
        out.line(o.line());
        done.push(o);
    };
    loop {
        if let Some(signal) = stop_signals::received() {
            for o in stop_all(&mut running, signal) {
                finish(o);
            }
            break;
        }
        while running.len() < opts.jobs {
            let Some(firm) = queue.next() else { break };
            match start(exe, firm, opts) {
                Ok(r) => running.push(r),
                Err(o) => finish(o),
            }
        }
        if running.is_empty() {
            break;
        }
        let before = running.len();
        let mut i = 0;
        while i < running.len() {
            match poll(&mut running[i], opts.budget) {
                Some(o) => {
                    running.swap_remove(i);
                    finish(o);
                }
                None => i += 1,
            }
        }
        if running.len() == before {
            std::thread::sleep(POLL);
        }
    }
    done
}

/// Start `sync all` for one firm, or the outcome saying why not.
fn start(exe: &Path, firm: &FirmDir, opts: &Options) -> Result<Running, Outcome> {
    let config = firm.config();
    let not_run = |status, reason: String| Outcome {
        firm: firm.name.clone(),
        status,
        exit_code: None,
        seconds: 0.0,
        reason: Some(reason),
    };
    if firm.is_symlink {
        let to = std::fs::read_link(&firm.path)
            .map(|t| format!(" (to {})", t.display()))
            .unwrap_or_default();
        return Err(not_run(
            Status::Skipped,
            format!(
                "skipped: the firm folder {} is a symlink{to}; a firm's folder must be a real folder under DIR",
                firm.path.display()
            ),
        ));
    }
    if !config.is_file() {
        return Err(not_run(
            Status::NoConfig,
            format!("no {DEFAULT_CONFIG_FILE} in {}", firm.path.display()),
        ));
    }
    // A config that does not load is the child's to report (one line, its
    // exit status); one that loads is checked for paths out of the folder.
    if let Ok(loaded) = crate::util::config::load(&config) {
        confine::check(&firm.path, &config, &loaded, &opts.keys_dir)
            .map_err(|why| not_run(Status::Refused, why))?;
    }
    // The firm's config only by --config; the clock override
    // (CASESTATUS_SYNC_NOW) and everything else is inherited. Its own
    // process group, so a signal for the child's group reaches all of it
    // and a terminal's Ctrl-C reaches the fleet, which passes it on.
    let mut command = Command::new(exe);
    command
        .arg("--config")
        .arg(&config)
        .args(["sync", "all"])
        .env_remove(CONFIG_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: getpid is a plain system call.
            let parent = unsafe { libc::getpid() };
            // SAFETY: the closure runs between fork and exec and calls only
            // async-signal-safe functions, allocating nothing.
            unsafe {
                command.pre_exec(move || children::die_with_parent(parent));
            }
        }
    }
    let spawned = command.spawn();
    let mut child = spawned.map_err(|e| {
        not_run(
            Status::NotStarted,
            format!("cannot start {}: {e}", exe.display()),
        )
    })?;
    let last_stderr = child.stderr.take().and_then(|pipe| {
        std::thread::Builder::new()
            .name("fleet-stderr".into())
            .spawn(move || last_line(pipe))
            .ok()
    });
    Ok(Running {
        firm: firm.name.clone(),
        child,
        started: Instant::now(),
        last_stderr,
    })
}

/// Read a child's stderr to its end; its last non-empty line, cut short.
fn last_line(pipe: impl std::io::Read) -> Option<String> {
    let mut last = None;
    for chunk in BufReader::new(pipe).split(b'\n') {
        let Ok(bytes) = chunk else { break };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim();
        if !text.is_empty() {
            // The fleet's line names the firm already: drop the child's
            // `casestatus-sync: ` or `casestatus-sync[host]: `.
            let text = strip_tool_prefix(text);
            last = Some(text.chars().take(MAX_REASON_CHARS).collect());
        }
    }
    last
}

/// A child's error line without its `casestatus-sync…: ` prefix.
fn strip_tool_prefix(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("casestatus-sync") else {
        return line;
    };
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once("]").map_or(rest, |(_, after)| after),
        None => rest,
    };
    rest.strip_prefix(": ").unwrap_or(line)
}

/// The outcome once the child has ended (killing it past the budget).
fn poll(r: &mut Running, budget: Duration) -> Option<Outcome> {
    let status = match r.child.try_wait() {
        Ok(Some(status)) => Ok(status),
        Ok(None) if r.started.elapsed() < budget => return None,
        Ok(None) => Err(format!(
            "still running after the {} s budget; killed (safe: the next cycle goes on from where it stopped)",
            budget.as_secs()
        )),
        Err(e) => Err(format!("cannot wait for its process: {e}; killed")),
    };
    let seconds = round_tenths(r.started.elapsed());
    if status.is_err() {
        // SIGKILL to its whole group, then reap it; a child that already
        // ended makes both no-ops.
        signal_group(&r.child, libc::SIGKILL);
        let _ = r.child.kill();
        let _ = r.child.wait();
    }
    let stderr = r.last_stderr.take().and_then(|h| h.join().ok().flatten());
    Some(match status {
        Ok(status) => ended(&r.firm, status, seconds, stderr),
        Err(reason) => Outcome {
            firm: r.firm.clone(),
            status: Status::OverBudget,
            exit_code: None,
            seconds,
            reason: Some(reason),
        },
    })
}

/// The outcome of a child that ended on its own.
fn ended(firm: &str, status: ExitStatus, seconds: f64, stderr: Option<String>) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let (state, reason) = match (status.code(), status.signal()) {
        (Some(0), _) => (Status::Ok, None),
        (Some(c), _) if c == i32::from(LOCKED) => (Status::AlreadyRunning, stderr),
        (Some(c), _) => (
            Status::Failed,
            Some(stderr.unwrap_or_else(|| format!("exit {c} with no message"))),
        ),
        (None, signal) => (
            Status::Failed,
            Some(format!(
                "killed by signal {}{}",
                signal.unwrap_or(0),
                stderr.map(|s| format!(": {s}")).unwrap_or_default()
            )),
        ),
    };
    Outcome {
        firm: firm.to_string(),
        status: state,
        exit_code: status.code(),
        seconds,
        reason,
    }
}

fn round_tenths(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_lost_found_are_not_firms() {
        assert!(!is_firm_name(OsStr::new("..data")));
        assert!(!is_firm_name(OsStr::new("lost+found")));
        assert!(is_firm_name(OsStr::new("acme-law")));
    }

    #[test]
    fn last_stderr_line_without_the_program_name() {
        let text = "warning: x\ncasestatus-sync: config broken\n\n";
        assert_eq!(last_line(text.as_bytes()).as_deref(), Some("config broken"));
        assert_eq!(last_line(&b""[..]), None);
    }
}

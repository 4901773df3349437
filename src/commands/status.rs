//! `status [--max-age MINUTES]`: health for monitoring (SPEC §1). Per sync
//! kind, the last run, the last successful run and its age; and one
//! [`State`] for the firm: `ok`, `stale`, `not_syncing`, `stuck` or
//! `disconnected`. Exit 0 for `ok` and `disconnected`, [`STALE`] for the
//! others — so Nagios/Icinga, a healthchecks-style cron line or a
//! Kubernetes job can alert on the exit status alone.
//!
//! Read-only: it opens the state file without creating or migrating it.
//! "Success" is what `sync` exits 0 for: finished, no run-level error, no
//! record that failed with an error.

use std::collections::BTreeSet;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::store::runlog::{self, RunRow};
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::sync::Kind;
use crate::sync::DISCONNECTED_SETTING;
use crate::util::exit::{OK, STALE};
use crate::util::output::Tone;
use crate::util::term::Styled;

/// Default `--max-age`: four missed 15-minute cycles.
pub const DEFAULT_MAX_AGE_MINUTES: u32 = 60;

/// `status`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A sync kind whose last success is older than this many minutes (or that never succeeded) is stale
    #[arg(long, value_name = "MINUTES", default_value_t = crate::commands::status::DEFAULT_MAX_AGE_MINUTES,
          value_parser = clap::value_parser!(u32).range(1..=525_600))]
    pub max_age: u32,
    /// One line: the verdict, each kind's last run and perfdata, as a Nagios plugin prints them (also for the journal)
    #[arg(long)]
    pub one_line: bool,
}

/// `status`: see [`run`].
///
/// # Errors
/// As [`run`].
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    run(ctx, args.max_age, args.one_line)
}

/// The firm's health in one word (SPEC §1): a closed vocabulary, with its
/// `--json` name, its exit status and its tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Every sync kind succeeded within `--max-age`, and things get through.
    Ok,
    /// A kind has not succeeded within `--max-age`, or never ran.
    Stale,
    /// Connected (or meant to be), but the setup lets nothing through: no
    /// practice area mapped, no stage mapped, no mapped stage's status
    /// synced — or no key at all.
    NotSyncing,
    /// A client message has waited unimported longer than `--max-age`.
    Stuck,
    /// The key was removed on purpose (`disconnect`): not a fault.
    Disconnected,
}

impl State {
    /// Every state, in the order of the metrics' `casestatus_sync_state`.
    pub const ALL: [State; 5] = [
        State::Ok,
        State::Stale,
        State::NotSyncing,
        State::Stuck,
        State::Disconnected,
    ];

    /// The stable name (`--json`'s `"state"`, the metrics' label).
    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Stale => "stale",
            State::NotSyncing => "not_syncing",
            State::Stuck => "stuck",
            State::Disconnected => "disconnected",
        }
    }

    /// `status`'s exit status in this state: 0 for `ok` and `disconnected`
    /// (a deliberate stop must not page), [`STALE`] for the others.
    pub fn exit(self) -> u8 {
        match self {
            State::Ok | State::Disconnected => OK,
            State::Stale | State::NotSyncing | State::Stuck => STALE,
        }
    }

    fn tone(self) -> Tone {
        match self {
            State::Ok => Tone::Ok,
            State::Disconnected => Tone::Warn,
            State::Stale | State::NotSyncing | State::Stuck => Tone::Bad,
        }
    }
}

/// The health of one sync kind.
#[derive(Debug)]
pub struct KindHealth {
    pub kind: &'static str,
    pub last_run: Option<RunRow>,
    pub last_success: Option<RunRow>,
    /// When the last success finished.
    pub success_at: Option<DateTime<Utc>>,
    pub stale: bool,
}

/// Client messages that wait for a person.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stuck {
    pub count: u64,
    /// Since when the oldest has waited.
    pub oldest: Option<DateTime<Utc>>,
}

/// Every sync kind's health and the firm's [`State`]: what `status`
/// prints, `status --json` and `/api/status` serialize, the status page
/// shows and `metrics` exports.
#[derive(Debug)]
pub struct Health {
    pub max_age: u32,
    pub checked_at: DateTime<Utc>,
    pub tz: Tz,
    pub kinds: Vec<KindHealth>,
    pub state: State,
    /// When the key was removed, for [`State::Disconnected`].
    pub disconnected_at: Option<DateTime<Utc>>,
    /// Why the setup lets nothing through; empty when something can pass.
    pub nothing_through: Vec<String>,
    pub stuck: Stuck,
}

impl Health {
    /// The state is one that needs no person (`ok`, `disconnected`).
    pub fn healthy(&self) -> bool {
        self.state.exit() == OK
    }

    /// The `status --json` view.
    pub fn view(&self) -> HealthView<'_> {
        HealthView {
            state: self.state,
            healthy: self.healthy(),
            max_age_minutes: self.max_age,
            checked_at: rfc3339(self.checked_at),
            disconnected_at: self.disconnected_at.map(rfc3339),
            not_syncing: &self.nothing_through,
            stuck_messages: StuckView {
                count: self.stuck.count,
                oldest_since: self.stuck.oldest.map(rfc3339),
            },
            kinds: self.kinds.iter().map(|k| k.view(self.checked_at)).collect(),
        }
    }
}

/// `status --json` (SPEC §1): times RFC 3339 UTC.
#[derive(Debug, Serialize)]
pub struct HealthView<'a> {
    pub state: State,
    pub healthy: bool,
    pub max_age_minutes: u32,
    pub checked_at: String,
    pub disconnected_at: Option<String>,
    /// Why the setup lets nothing through (empty unless `not_syncing`).
    pub not_syncing: &'a [String],
    pub stuck_messages: StuckView,
    pub kinds: Vec<KindView<'a>>,
}

/// The stuck client messages in `status --json`.
#[derive(Debug, Serialize)]
pub struct StuckView {
    pub count: u64,
    pub oldest_since: Option<String>,
}

/// One kind in `status --json`.
#[derive(Debug, Serialize)]
pub struct KindView<'a> {
    pub kind: &'a str,
    pub last_run: Option<RunView<'a>>,
    pub last_success: Option<SuccessView>,
    pub age_minutes: Option<i64>,
    pub stale: bool,
}

/// A kind's last run in `status --json`.
#[derive(Debug, Serialize)]
pub struct RunView<'a> {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub succeeded: bool,
    pub error: Option<&'a str>,
}

/// A kind's last success in `status --json`.
#[derive(Debug, Serialize)]
pub struct SuccessView {
    pub id: i64,
    pub finished_at: Option<String>,
}

/// Read every sync kind's last run and last success from the log, the
/// stuck messages and the setup, and decide the firm's [`State`]:
/// disconnected, else not syncing, else stale, else stuck, else ok.
///
/// # Errors
/// The state file cannot be read.
pub fn gather(ctx: &Ctx, state: &StateStore, max_age: u32) -> anyhow::Result<Health> {
    let now = ctx.now;
    let limit = chrono::Duration::minutes(max_age.into());
    let mut kinds = Vec::new();
    for kind in Kind::all() {
        let last_run = runlog::last_run(state, kind.name())?;
        let last_success = runlog::last_success(state, kind.name())?;
        let success_at = last_success
            .as_ref()
            .and_then(|r| r.finished_at.as_deref())
            .and_then(crate::util::clock::parse);
        let stale = success_at.is_none_or(|t| now - t > limit);
        kinds.push(KindHealth {
            kind: kind.name(),
            last_run,
            last_success,
            success_at,
            stale,
        });
    }
    let (count, oldest) = crate::store::stuck_messages::summary(state)?;
    let stuck = Stuck { count, oldest };
    // A key file is the deployment's statement that syncing is wanted.
    let key_file = ctx.config.casestatus.api_key_file.is_some();
    let has_key = key_file || state.key()?.is_some();
    let disconnected_at = match has_key {
        true => None,
        false => state
            .setting(DISCONNECTED_SETTING)?
            .as_deref()
            .and_then(crate::util::clock::parse),
    };
    let nothing_through = match (has_key, disconnected_at) {
        (false, None) => {
            vec!["not connected: no API key is saved (casestatus-sync connect)".to_string()]
        }
        _ => nothing_through(state)?,
    };
    let state_now = if disconnected_at.is_some() {
        State::Disconnected
    } else if !nothing_through.is_empty() {
        State::NotSyncing
    } else if kinds.iter().any(|k| k.stale) {
        State::Stale
    } else if oldest.is_some_and(|t| now - t > limit) {
        State::Stuck
    } else {
        State::Ok
    };
    Ok(Health {
        max_age,
        checked_at: now,
        tz: ctx.config.fluentcase.timezone,
        kinds,
        state: state_now,
        disconnected_at,
        nothing_through,
        stuck,
    })
}

/// Why the setup lets no matter through, as the eligibility rules read
/// it: a matter passes only when its case type is mapped to a practice
/// area, its status is synced and mapped to one of that area's stages.
/// Empty when at least one such path exists.
fn nothing_through(state: &StateStore) -> anyhow::Result<Vec<String>> {
    let areas = state.areas()?;
    let mut synced: BTreeSet<String> = state.synced_statuses()?.into_iter().collect();
    if synced.is_empty() {
        synced.insert(crate::rules::eligibility::DEFAULT_SYNCED_STATUS.to_string());
    }
    let mapped: Vec<_> = areas
        .iter()
        .filter(|a| a.case_type.is_some() && !a.vanished)
        .collect();
    if mapped.is_empty() {
        return Ok(vec![
            "no practice area is mapped to a case type (casestatus-sync map)".into(),
        ]);
    }
    let statuses: BTreeSet<&str> = mapped
        .iter()
        .flat_map(|a| a.stages.iter())
        .filter(|s| !s.vanished)
        .filter_map(|s| s.matter_status.as_deref())
        .collect();
    if statuses.is_empty() {
        return Ok(vec![
            "no stage of a mapped practice area is mapped to a matter status (casestatus-sync map)"
                .into(),
        ]);
    }
    if !statuses.iter().any(|s| synced.contains(*s)) {
        let synced: Vec<&str> = synced.iter().map(String::as_str).collect();
        return Ok(vec![format!(
            "no synced status ({}) is mapped to a stage (casestatus-sync synced-statuses, casestatus-sync map)",
            synced.join(", ")
        )]);
    }
    Ok(Vec::new())
}

impl KindHealth {
    /// Minutes since the last success finished.
    pub fn age_minutes(&self, now: DateTime<Utc>) -> Option<i64> {
        self.success_at.map(|t| (now - t).num_minutes().max(0))
    }

    fn view(&self, now: DateTime<Utc>) -> KindView<'_> {
        KindView {
            kind: self.kind,
            last_run: self.last_run.as_ref().map(|r| RunView {
                id: r.id,
                started_at: utc(&r.started_at),
                finished_at: r.finished_at.as_deref().map(utc),
                succeeded: runlog::succeeded(r),
                error: r.error.as_deref(),
            }),
            last_success: self.last_success.as_ref().map(|r| SuccessView {
                id: r.id,
                finished_at: r.finished_at.as_deref().map(utc),
            }),
            age_minutes: self.age_minutes(now),
            stale: self.stale,
        }
    }

    /// Why this kind is stale, for the one stderr line.
    fn reason(&self, now: DateTime<Utc>) -> String {
        match (self.age_minutes(now), &self.last_run) {
            (Some(m), _) => format!("{} last succeeded {} ago", self.kind, age(m)),
            (None, Some(_)) => format!("{} never succeeded", self.kind),
            (None, None) => format!("{} never ran", self.kind),
        }
    }
}

/// `status`: print the health of every sync kind and the firm's state;
/// exit as [`State::exit`] says, with one line on stderr when it pages.
///
/// # Errors
/// The config or state file is missing or unreadable (a missing state file
/// is an error, never an empty new one).
pub fn run(ctx: &Ctx, max_age: u32, one_line: bool) -> anyhow::Result<u8> {
    let state = ctx.state_read_only()?;
    let health = gather(ctx, &state, max_age)?;
    if ctx.out.json {
        ctx.out.json(&health.view())?;
    } else if one_line {
        let firm = ctx
            .config
            .firm()
            .unwrap_or_else(|| "casestatus-sync".into());
        ctx.out.line(health.one_line(&firm));
    } else {
        print_table(ctx, &health);
    }
    if let Some(line) = health.alert() {
        // Not eprintln!, which panics when stderr is gone.
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}: {line}",
            crate::util::output::prefix()
        );
    }
    Ok(health.state.exit())
}

/// One kind's row as people read it, times in the firm's zone: the
/// terminal table and the status page show the same cells.
#[derive(Debug, Clone)]
pub struct KindRow {
    pub kind: &'static str,
    pub last_run_id: Option<i64>,
    pub last_run: String,
    pub result: String,
    pub last_success: String,
    pub age: String,
    pub stale: bool,
}

impl Health {
    /// The verdict in parts: its tone, its badge word and the sentence.
    fn verdict_parts(&self) -> (Tone, &'static str, String) {
        let max_age = self.max_age;
        let (word, text) = match self.state {
            State::Ok => (
                "OK",
                format!("every sync succeeded within the last {max_age} minutes"),
            ),
            State::Stale => {
                let names: Vec<&str> = self
                    .kinds
                    .iter()
                    .filter(|k| k.stale)
                    .map(|k| k.kind)
                    .collect();
                (
                    "STALE",
                    format!(
                        "no success within the last {max_age} minutes: {}",
                        names.join(", ")
                    ),
                )
            }
            State::NotSyncing => (
                "NOT SYNCING",
                format!(
                    "the setup lets nothing through: {}",
                    self.nothing_through.join("; ")
                ),
            ),
            State::Stuck => ("STUCK", self.stuck_text()),
            State::Disconnected => (
                "DISCONNECTED",
                format!(
                    "the CaseStatus API key was removed on {}; nothing syncs (casestatus-sync connect to resume)",
                    self.disconnected_at
                        .map(|t| crate::util::clock::local(t, self.tz))
                        .unwrap_or_default()
                ),
            ),
        };
        (self.state.tone(), word, text)
    }

    /// The one-line verdict (what a Nagios plugin shows), in its tone.
    pub fn verdict(&self) -> (Tone, String) {
        let (tone, word, text) = self.verdict_parts();
        (tone, format!("{word} {text}"))
    }

    fn stuck_text(&self) -> String {
        format!(
            "{} client message(s) waiting for a person, the oldest since {} (casestatus-sync messages pending)",
            self.stuck.count,
            self.stuck
                .oldest
                .map(|t| crate::util::clock::local(t, self.tz))
                .unwrap_or_default()
        )
    }

    /// The one line on stderr when the state pages (exit [`STALE`]),
    /// after the firm's prefix; None for `ok` and `disconnected`.
    pub fn alert(&self) -> Option<String> {
        let max_age = self.max_age;
        let text = match self.state {
            State::Ok | State::Disconnected => return None,
            State::Stale => {
                let reasons: Vec<String> = self
                    .kinds
                    .iter()
                    .filter(|k| k.stale)
                    .map(|k| k.reason(self.checked_at))
                    .collect();
                format!(
                    "{} (max age {max_age} min); see `casestatus-sync log`",
                    reasons.join("; ")
                )
            }
            State::NotSyncing => format!(
                "the setup lets nothing through: {}",
                self.nothing_through.join("; ")
            ),
            State::Stuck => format!("{} (max age {max_age} min)", self.stuck_text()),
        };
        Some(format!("{}: {text}", self.state.name()))
    }

    /// `status --one-line`: the verdict, each kind's last run and perfdata,
    /// as a Nagios plugin prints them (`OK - FIRM: ... | age=240s;;3600;0`)
    /// — and as one line in the journal after each systemd run. The text
    /// never holds `|`, which would start the perfdata.
    pub fn one_line(&self, firm: &str) -> String {
        let word = match self.state.exit() {
            OK => "OK",
            _ => "CRITICAL",
        };
        let (_, _, verdict) = self.verdict_parts();
        let kinds: Vec<String> = self
            .rows(self.tz)
            .into_iter()
            .zip(&self.kinds)
            .map(|(row, k)| match k.age_minutes(self.checked_at) {
                _ if row.last_run_id.is_none() => format!("{} never ran", row.kind),
                Some(m) => format!("{} {} ({} ago)", row.kind, row.result, age(m)),
                None => format!("{} {} (never succeeded)", row.kind, row.result),
            })
            .collect();
        let crit = u64::from(self.max_age) * 60;
        let mut perf: Vec<String> = self
            .kinds
            .iter()
            .map(|k| match k.success_at {
                Some(t) => {
                    let secs = (self.checked_at - t).num_seconds().max(0);
                    format!("{}_age={secs}s;;{crit};0", k.kind)
                }
                // Nagios's "could not be determined".
                None => format!("{}_age=U", k.kind),
            })
            .collect();
        perf.push(format!("messages_pending={};;;0", self.stuck.count));
        let text = format!(
            "{word} - {firm}: {}: {verdict}; {}",
            self.state.name(),
            kinds.join("; ")
        );
        format!("{} | {}", text.replace('|', "/"), perf.join(" "))
    }

    /// Each kind's row for people, in `tz`.
    pub fn rows(&self, tz: Tz) -> Vec<KindRow> {
        self.kinds
            .iter()
            .map(|k| {
                let (when, result) = match &k.last_run {
                    None => ("never".to_string(), String::new()),
                    Some(r) => (
                        crate::util::clock::local_text(&r.started_at, tz),
                        match (&r.error, &r.finished_at) {
                            (Some(e), _) => format!("ERROR: {e}"),
                            (None, None) => "did not finish".into(),
                            (None, Some(_)) => runlog::summary(&r.counts),
                        },
                    ),
                };
                KindRow {
                    kind: k.kind,
                    last_run_id: k.last_run.as_ref().map(|r| r.id),
                    last_run: when,
                    result,
                    last_success: k
                        .success_at
                        .map(|t| crate::util::clock::local(t, tz))
                        .unwrap_or_else(|| "never".into()),
                    age: k.age_minutes(self.checked_at).map(age).unwrap_or_default(),
                    stale: k.stale,
                }
            })
            .collect()
    }
}

/// The people's view; its first line is the one-line verdict (what a
/// Nagios plugin shows), naming the firm.
fn print_table(ctx: &Ctx, health: &Health) {
    let (tone, word, text) = health.verdict_parts();
    let firm = ctx
        .config
        .firm()
        .map(|f| format!("[{f}] "))
        .unwrap_or_default();
    ctx.out
        .line(ctx.out.toned(tone, word) + format!(" {firm}{text}"));
    let mut t = ctx.out.table(&[
        "Sync",
        "Last run",
        "Result",
        "Last success",
        "Age",
        "Health",
    ]);
    for r in health.rows(ctx.config.fluentcase.timezone) {
        let health = if r.stale {
            ctx.out.bad_badge("stale")
        } else {
            ctx.out.ok_badge("ok")
        };
        t.add_row(vec![
            Styled::from(r.kind.to_string()),
            Styled::from(r.last_run),
            Styled::from(r.result),
            Styled::from(r.last_success),
            Styled::from(r.age),
            health,
        ]);
    }
    ctx.out.print_table(&t);
}

/// A stored RFC 3339 time as RFC 3339 UTC (as stored when it parses).
fn utc(text: &str) -> String {
    crate::util::clock::parse(text)
        .map(rfc3339)
        .unwrap_or_else(|| text.to_string())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Minutes as "45 min", "3 h 5 min", "2 d 4 h".
pub fn age(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_well() {
        assert_eq!(age(45), "45 min");
        assert_eq!(age(185), "3 h 5 min");
        assert_eq!(age(3 * 24 * 60 + 120), "3 d 2 h");
    }

    #[test]
    fn only_ok_and_disconnected_exit_0() {
        for s in State::ALL {
            let want = matches!(s, State::Ok | State::Disconnected);
            assert_eq!(s.exit() == OK, want, "{s:?}");
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}

//! `status [--max-age MINUTES]`: health for monitoring (SPEC §1). Per sync
//! kind, the last run, the last successful run and its age. Exit 0 when
//! every kind succeeded within `--max-age`, [`STALE`] when one did not or
//! never ran — so Nagios/Icinga, a healthchecks-style cron line or a
//! Kubernetes job can alert on the exit status alone.
//!
//! Read-only: it opens the state file without creating or migrating it.
//! "Success" is what `sync` exits 0 for: finished, no run-level error, no
//! record that failed with an error.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::store::runlog::{self, RunRow};
use crate::store::state::{StateError, StateStore};
use crate::sync::Ctx;
use crate::sync::ALL;
use crate::util::exit::{OK, STALE};
use crate::util::output::Tone;
use crate::util::term::Styled;

/// Default `--max-age`: four missed 15-minute cycles.
pub const DEFAULT_MAX_AGE_MINUTES: u32 = 60;

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

/// Every sync kind's health: what `status` prints, `status --json` and
/// `/api/status` serialize, and the status page shows.
#[derive(Debug)]
pub struct Health {
    pub max_age: u32,
    pub checked_at: DateTime<Utc>,
    pub kinds: Vec<KindHealth>,
}

impl Health {
    /// Every kind succeeded within `max_age`.
    pub fn healthy(&self) -> bool {
        self.kinds.iter().all(|k| !k.stale)
    }

    /// The `status --json` document.
    pub fn to_json(&self) -> Value {
        json!({
            "healthy": self.healthy(),
            "max_age_minutes": self.max_age,
            "checked_at": self.checked_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "kinds": self.kinds.iter().map(|k| k.json(self.checked_at)).collect::<Vec<_>>(),
        })
    }
}

/// Read every sync kind's last run and last success from the log.
///
/// # Errors
/// The state file cannot be read.
pub fn gather(state: &StateStore, now: DateTime<Utc>, max_age: u32) -> Result<Health, StateError> {
    let mut kinds = Vec::new();
    for kind in ALL {
        let last_run = runlog::last_run(state, kind.name())?;
        let last_success = runlog::last_success(state, kind.name())?;
        let success_at = last_success
            .as_ref()
            .and_then(|r| r.finished_at.as_deref())
            .and_then(crate::util::clock::parse);
        let stale = success_at.is_none_or(|t| now - t > chrono::Duration::minutes(max_age.into()));
        kinds.push(KindHealth {
            kind: kind.name(),
            last_run,
            last_success,
            success_at,
            stale,
        });
    }
    Ok(Health {
        max_age,
        checked_at: now,
        kinds,
    })
}

impl KindHealth {
    /// Minutes since the last success finished.
    pub fn age_minutes(&self, now: DateTime<Utc>) -> Option<i64> {
        self.success_at.map(|t| (now - t).num_minutes().max(0))
    }

    fn json(&self, now: DateTime<Utc>) -> Value {
        let run = self.last_run.as_ref().map(|r| {
            json!({
                "id": r.id,
                "started_at": utc(&r.started_at),
                "finished_at": r.finished_at.as_deref().map(utc),
                "succeeded": runlog::succeeded(r),
                "error": r.error,
            })
        });
        let success = self
            .last_success
            .as_ref()
            .map(|r| json!({"id": r.id, "finished_at": r.finished_at.as_deref().map(utc)}));
        json!({
            "kind": self.kind, "last_run": run, "last_success": success,
            "age_minutes": self.age_minutes(now), "stale": self.stale,
        })
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

/// `status`: print the health of every sync kind; exit [`STALE`] when any is stale.
///
/// # Errors
/// The config or state file is missing or unreadable (a missing state file
/// is an error, never an empty new one).
pub fn run(ctx: &Ctx, max_age: u32) -> anyhow::Result<u8> {
    let state = ctx.state_read_only()?;
    let health = gather(&state, ctx.now, max_age)?;
    let kinds = &health.kinds;
    let stale: Vec<&KindHealth> = kinds.iter().filter(|k| k.stale).collect();
    if ctx.out.json {
        ctx.out.json(&health.to_json())?;
    } else {
        print_table(ctx, &health);
    }
    if stale.is_empty() {
        return Ok(OK);
    }
    let reasons: Vec<String> = stale.iter().map(|k| k.reason(ctx.now)).collect();
    // Not eprintln!, which panics when stderr is gone.
    let _ = writeln!(
        std::io::stderr().lock(),
        "casestatus-sync: stale: {} (max age {max_age} min); see `casestatus-sync log`",
        reasons.join("; ")
    );
    Ok(STALE)
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
    /// The one-line verdict (what a Nagios plugin shows), in its tone.
    pub fn verdict(&self) -> (Tone, String) {
        let max_age = self.max_age;
        if self.healthy() {
            return (
                Tone::Ok,
                format!("OK every sync succeeded within the last {max_age} minutes"),
            );
        }
        let names: Vec<&str> = self
            .kinds
            .iter()
            .filter(|k| k.stale)
            .map(|k| k.kind)
            .collect();
        (
            Tone::Bad,
            format!(
                "STALE no success within the last {max_age} minutes: {}",
                names.join(", ")
            ),
        )
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

/// The people's view; its first line is a one-line verdict (what a Nagios
/// plugin shows).
fn print_table(ctx: &Ctx, health: &Health) {
    let (tone, text) = health.verdict();
    // The verdict's first word is the badge: "● OK every sync…".
    let (word, rest) = text.split_once(' ').unwrap_or((&text, ""));
    ctx.out.line(ctx.out.toned(tone, word) + format!(" {rest}"));
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
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| text.to_string())
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
}

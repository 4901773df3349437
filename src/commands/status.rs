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
use serde_json::{json, Value};

use crate::store::runlog::{self, RunRow};
use crate::sync::context::Ctx;
use crate::sync::ALL;
use crate::util::exit::{OK, STALE};

/// Default `--max-age`: four missed 15-minute cycles.
pub const DEFAULT_MAX_AGE_MINUTES: u32 = 60;

/// The health of one sync kind.
#[derive(Debug)]
struct KindHealth {
    kind: &'static str,
    last_run: Option<RunRow>,
    last_success: Option<RunRow>,
    /// When the last success finished.
    success_at: Option<DateTime<Utc>>,
    stale: bool,
}

impl KindHealth {
    fn age_minutes(&self, now: DateTime<Utc>) -> Option<i64> {
        self.success_at.map(|t| (now - t).num_minutes().max(0))
    }

    fn json(&self, now: DateTime<Utc>) -> Value {
        let run = self.last_run.as_ref().map(|r| {
            json!({
                "id": r.id,
                "started_at": utc(&r.started_at),
                "finished_at": r.finished_at.as_deref().map(utc),
                "succeeded": r.finished_at.is_some() && r.error.is_none()
                    && r.counts.get("errors").copied().unwrap_or(0) == 0,
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
    let mut kinds = Vec::new();
    for kind in ALL {
        let last_run = runlog::last_run(&state, kind.name())?;
        let last_success = runlog::last_success(&state, kind.name())?;
        let success_at = last_success
            .as_ref()
            .and_then(|r| r.finished_at.as_deref())
            .and_then(crate::util::clock::parse);
        let stale =
            success_at.is_none_or(|t| ctx.now - t > chrono::Duration::minutes(max_age.into()));
        kinds.push(KindHealth {
            kind: kind.name(),
            last_run,
            last_success,
            success_at,
            stale,
        });
    }
    let stale: Vec<&KindHealth> = kinds.iter().filter(|k| k.stale).collect();
    if ctx.out.json {
        ctx.out.json(&json!({
            "healthy": stale.is_empty(),
            "max_age_minutes": max_age,
            "checked_at": ctx.now.to_rfc3339_opts(SecondsFormat::Secs, true),
            "kinds": kinds.iter().map(|k| k.json(ctx.now)).collect::<Vec<_>>(),
        }))?;
    } else {
        print_table(ctx, &kinds, max_age, stale.is_empty());
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

/// The people's view; its first line is a one-line verdict (what a Nagios
/// plugin shows).
fn print_table(ctx: &Ctx, kinds: &[KindHealth], max_age: u32, healthy: bool) {
    let tz = ctx.config.fluentcase.timezone;
    if healthy {
        ctx.out.line(format!(
            "{} every sync succeeded within the last {max_age} minutes",
            ctx.out.ok_badge("OK")
        ));
    } else {
        let names: Vec<&str> = kinds.iter().filter(|k| k.stale).map(|k| k.kind).collect();
        ctx.out.line(format!(
            "{} no success within the last {max_age} minutes: {}",
            ctx.out.bad_badge("STALE"),
            names.join(", ")
        ));
    }
    let mut t = ctx.out.table(&[
        "Sync",
        "Last run",
        "Result",
        "Last success",
        "Age",
        "Health",
    ]);
    for k in kinds {
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
        let success = k
            .success_at
            .map(|t| crate::util::clock::local(t, tz))
            .unwrap_or_else(|| "never".into());
        let age_text = k.age_minutes(ctx.now).map(age).unwrap_or_default();
        let health = if k.stale {
            ctx.out.bad_badge("stale")
        } else {
            ctx.out.ok_badge("ok")
        };
        t.add_row(vec![
            k.kind.to_string(),
            when,
            result,
            success,
            age_text,
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
fn age(minutes: i64) -> String {
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

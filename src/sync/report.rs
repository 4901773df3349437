//! What a sync cycle did, for people ([`Report::print`]) and programs
//! (`--json`, SPEC §1) — one type and one printer for every sync kind. The
//! run log holds the same facts for later (`log`).
//!
//! `counts` has each record under exactly one outcome, so they add up to
//! the records looked at; `skipped_by_reason` counts matters per reason
//! apart (a matter with two reasons is in both).

use serde::Serialize;

use crate::casestatus::ApiError;
use crate::store::runlog::{self, Counts};
use crate::sync::Ctx;

/// How many records a report keeps for printing: a first sync of 50,000
/// appointments is not worth 50,000 lines (or megabytes) here; `log --run`
/// has every one.
pub const MAX_ITEMS: usize = 200;

/// One cycle's outcome.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub kind: &'static str,
    pub run_id: Option<i64>,
    pub dry_run: bool,
    pub counts: Counts,
    pub skipped_by_reason: Counts,
    /// Noteworthy records: created, updated, deleted, imported, refused,
    /// failed... The first [`MAX_ITEMS`] only; all of them are in the run log.
    pub items: Vec<Item>,
    /// How many more records the run log holds than `items` shows.
    pub items_omitted: u64,
    /// Notes for people, e.g. "no event types are enabled".
    pub notes: Vec<String>,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
    /// The error that stopped it, for the exit status.
    #[serde(skip)]
    pub fatal: Option<ApiError>,
}

/// One noteworthy record.
#[derive(Debug, Serialize)]
pub struct Item {
    pub outcome: String,
    /// e.g. "matter 1042 (WC-2026-0042)", "event 77" or "message 301".
    pub subject: String,
    pub detail: String,
}

impl Report {
    /// An empty report for a run of `kind`.
    pub fn new(kind: &'static str, run_id: Option<i64>) -> Report {
        Report {
            kind,
            run_id,
            dry_run: run_id.is_none(),
            ..Report::default()
        }
    }

    /// Add one to an outcome.
    pub fn bump(&mut self, outcome: &str) {
        *self.counts.entry(outcome.to_string()).or_default() += 1;
    }

    /// Keep an item for printing (the first [`MAX_ITEMS`]).
    pub fn keep(&mut self, outcome: &str, subject: String, detail: String) {
        if self.items.len() < MAX_ITEMS {
            self.items.push(Item {
                outcome: outcome.to_string(),
                subject,
                detail,
            });
        } else {
            self.items_omitted += 1;
        }
    }

    /// [`Report::keep`], formatting the subject and detail only when the
    /// item is kept (a big firm skips 100,000 matters a cycle).
    pub fn keep_with(&mut self, outcome: &str, item: impl FnOnce() -> (String, String)) {
        if self.items.len() < MAX_ITEMS {
            let (subject, detail) = item();
            self.keep(outcome, subject, detail);
        } else {
            self.items_omitted += 1;
        }
    }

    /// How many records failed with errors.
    pub fn failed(&self) -> u64 {
        self.counts
            .get(crate::store::runlog::RECORD_ERRORS)
            .copied()
            .unwrap_or(0)
    }

    /// The counts as the run log keeps them: outcomes, and reasons under
    /// `skipped:CODE` keys (split again by [`runlog::split_reasons`]).
    pub fn logged_counts(&self) -> Counts {
        let mut all = self.counts.clone();
        for (code, n) in &self.skipped_by_reason {
            all.insert(format!("skipped:{code}"), *n);
        }
        all
    }

    /// Print for people, or as JSON.
    pub fn print(&self, ctx: &Ctx) -> anyhow::Result<()> {
        if ctx.out.json {
            return ctx.out.json(self);
        }
        let title = match self.run_id {
            None => format!("{} (dry run — nothing was changed)", capitalized(self.kind)),
            Some(id) => format!("{} (run {id})", capitalized(self.kind)),
        };
        ctx.out
            .line(format!("{title}: {}", runlog::summary(&self.counts)));
        if !self.skipped_by_reason.is_empty() {
            let by_reason: Vec<String> = self
                .skipped_by_reason
                .iter()
                .map(|(c, v)| format!("{c} {v}"))
                .collect();
            ctx.out
                .line(format!("  skipped by reason: {}", by_reason.join(", ")));
        }
        for n in &self.notes {
            ctx.out.line(format!("  note: {n}"));
        }
        for i in &self.items {
            let text = format!("  {}: {} — {}", label(&i.outcome), i.subject, i.detail);
            // Skipped records are detail for -v in a real run; a dry run's
            // plan is its output, wherever stdout goes.
            if i.outcome == "skipped" && !self.dry_run {
                ctx.out.detail(text);
            } else {
                ctx.out.line(text);
            }
        }
        if self.items_omitted > 0 {
            ctx.out.line(format!(
                "  … and {} more (casestatus-sync log --run {})",
                self.items_omitted,
                self.run_id.unwrap_or(0)
            ));
        }
        Ok(())
    }
}

/// An outcome as people read it.
fn label(outcome: &str) -> String {
    match outcome {
        "already_in_casestatus" => "already in CaseStatus".into(),
        "changed_since_push" => "changed since the push".into(),
        "rejected" => "rejected by CaseStatus".into(),
        other => other.replace('_', " "),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

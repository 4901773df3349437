//! What a sync cycle did, for people (`print`) and programs (`--json`),
//! shared by the appointment and message syncs. The run log holds the same
//! facts for later (`log`).

use serde::Serialize;

use crate::casestatus::ApiError;
use crate::store::runlog::{self, Counts};
use crate::store::state::{StateError, StateStore};
use crate::sync::context::Ctx;

/// One cycle's outcome.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub kind: String,
    pub run_id: Option<i64>,
    pub dry_run: bool,
    pub counts: Counts,
    /// Noteworthy records: created, updated, deleted, imported, waiting,
    /// errors... The first [`MAX_ITEMS`] only; all of them are in the run log.
    pub items: Vec<Item>,
    /// How many more records the run log holds than `items` shows.
    pub items_omitted: u64,
    /// Notes for people, e.g. "no event types are enabled".
    pub notes: Vec<String>,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
    #[serde(skip)]
    pub fatal: Option<ApiError>,
}

/// How many records a report keeps for printing: a first sync of 50,000
/// appointments is not worth 50,000 lines (or megabytes) here; `log --run`
/// has every one.
pub const MAX_ITEMS: usize = 200;

/// One noteworthy record.
#[derive(Debug, Serialize)]
pub struct Item {
    pub outcome: String,
    /// e.g. "event 77" or "message 301".
    pub subject: String,
    pub detail: String,
}

impl Report {
    /// A report for a run of `kind`.
    pub fn new(kind: &str, dry_run: bool) -> Report {
        Report {
            kind: kind.to_string(),
            dry_run,
            ..Report::default()
        }
    }

    /// Add one to a counter.
    pub fn bump(&mut self, key: &str) {
        *self.counts.entry(key.to_string()).or_default() += 1;
    }

    /// Count an outcome and keep it as an item (and in the run log, unless
    /// this is a dry run).
    pub fn record(
        &mut self,
        state: &StateStore,
        subject: (&str, &str),
        outcome: &str,
        detail: String,
    ) -> Result<(), StateError> {
        self.bump(outcome);
        if let Some(run_id) = self.run_id {
            runlog::item(
                state,
                run_id,
                subject.0,
                subject.1,
                outcome,
                &serde_json::json!({ "message": detail }),
            )?;
        }
        if self.items.len() < MAX_ITEMS {
            self.items.push(Item {
                outcome: outcome.to_string(),
                subject: format!("{} {}", subject.0, subject.1),
                detail,
            });
        } else {
            self.items_omitted += 1;
        }
        Ok(())
    }

    /// Print for people, or as JSON.
    pub fn print(&self, ctx: &Ctx) -> anyhow::Result<()> {
        if ctx.out.json {
            return ctx.out.json(self);
        }
        let title = if self.dry_run {
            format!(
                "{} (dry run — nothing was changed)",
                capitalized(&self.kind)
            )
        } else {
            format!(
                "{} (run {})",
                capitalized(&self.kind),
                self.run_id.unwrap_or(0)
            )
        };
        ctx.out
            .line(format!("{title}: {}", runlog::summary(&self.counts)));
        for n in &self.notes {
            ctx.out.line(format!("  note: {n}"));
        }
        for i in &self.items {
            ctx.out.line(format!(
                "  {}: {} — {}",
                i.outcome.replace('_', " "),
                i.subject,
                i.detail
            ));
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

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

//! What a sync cycle did, for people ([`Report::print`]) and programs
//! (`--json`, SPEC §1) — one type and one printer for every sync kind. The
//! run log holds the same facts for later (`log`).
//!
//! `counts` has each record under exactly one outcome, so they add up to
//! the records looked at; `skipped_by_reason` counts matters per reason
//! apart (a matter with two reasons is in both).

use serde::Serialize;

use crate::casestatus::ApiError;
use crate::store::outcome::{Counts, Outcome};
use crate::store::runlog::{self, Item, ItemId, ItemKind, ReasonCounts};
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
    pub skipped_by_reason: ReasonCounts,
    /// Noteworthy records, structured (SPEC §1), in id order: created,
    /// updated, deleted, imported, refused, failed... The [`MAX_ITEMS`]
    /// lowest ids only; all of them are in the run log.
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
    /// Now, as items carry it (RFC 3339 UTC).
    #[serde(skip)]
    at: String,
    /// Once more than [`MAX_ITEMS`] were kept: the highest key still kept;
    /// a record above it is only counted as omitted.
    #[serde(skip)]
    cut: Option<(ItemKind, ItemId)>,
}

/// What an item of the report says, before it is kept: the record, its
/// outcome, its codes and the message for people.
pub struct NewItem {
    pub kind: ItemKind,
    pub id: i64,
    pub file_number: Option<String>,
    pub outcome: Outcome,
    pub codes: Vec<String>,
    pub message: String,
}

impl Report {
    /// An empty report for a run of `kind` at `at` (RFC 3339 UTC).
    pub fn new(kind: &'static str, run_id: Option<i64>, at: String) -> Report {
        Report {
            kind,
            run_id,
            dry_run: run_id.is_none(),
            at,
            ..Report::default()
        }
    }

    /// Add one to an outcome.
    pub fn bump(&mut self, outcome: Outcome) {
        *self.counts.entry(outcome).or_default() += 1;
    }

    /// Whether an item about record (`kind`, `id`) would be kept: among
    /// the [`MAX_ITEMS`] lowest ids seen so far.
    fn wanted(&self, kind: ItemKind, id: i64) -> bool {
        match &self.cut {
            None => true,
            Some(cut) => (kind, ItemId::Number(id)) <= (cut.0, cut.1.clone()),
        }
    }

    /// Keep an item for printing (the [`MAX_ITEMS`] lowest ids).
    pub fn keep(&mut self, item: NewItem) {
        if !self.wanted(item.kind, item.id) {
            self.items_omitted += 1;
            return;
        }
        self.items.push(Item {
            kind: item.kind,
            id: ItemId::Number(item.id),
            file_number: item.file_number,
            outcome: item.outcome,
            codes: item.codes,
            message: item.message,
            at: self.at.clone(),
        });
        // Sorted and cut now and then, not per item.
        if self.items.len() >= 2 * MAX_ITEMS {
            self.cut_items();
        }
    }

    /// [`Report::keep`], making the item only when it is kept (a big firm
    /// skips 100,000 matters a cycle).
    pub fn keep_with(&mut self, kind: ItemKind, id: i64, item: impl FnOnce() -> NewItem) {
        if self.wanted(kind, id) {
            self.keep(item());
        } else {
            self.items_omitted += 1;
        }
    }

    /// Items in id order (SPEC §1), the [`MAX_ITEMS`] lowest kept.
    pub fn cut_items(&mut self) {
        // Stable: a record's items keep the order they happened in.
        self.items.sort_by(|a, b| a.key().cmp(&b.key()));
        if self.items.len() > MAX_ITEMS {
            self.items_omitted += (self.items.len() - MAX_ITEMS) as u64;
            self.items.truncate(MAX_ITEMS);
            self.cut = self.items.last().map(|i| (i.kind, i.id.clone()));
        }
    }

    /// How many records failed with errors.
    pub fn failed(&self) -> u64 {
        self.counts
            .iter()
            .filter(|(o, _)| o.is_failure())
            .map(|(_, n)| n)
            .sum()
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
            // A skip shows its codes (`why-skipped` has the rest).
            let said = match i.outcome {
                Outcome::Skipped => i.codes.join(","),
                _ => i.message.clone(),
            };
            let text = format!("  {}: {} — {said}", i.outcome.label(), i.subject());
            // Some outcomes are detail for -v in a real run; a dry run's
            // plan is its output, wherever stdout goes.
            if i.outcome.verbose_only() && !self.dry_run {
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

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

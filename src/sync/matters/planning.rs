//! Reading and judging every matter: most of a quiet cycle's work at a big
//! firm, so it is spread over the cores.
//!
//! First the inputs, on three threads: the primary parties' phone numbers
//! from FluentCase; the skips and the phone cache on a read-only state
//! connection; the mappings and ledger on this thread. Then the matter id
//! range is split over the cores, each part read on its own connection and
//! judged by the pure rules; the plans come back to this thread — which
//! alone writes the state file — in batches, so the threads do not wake
//! each other once per matter.

use std::collections::BTreeSet;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::rules::case_body::current_body;
use crate::rules::case_body::current_ids;
use crate::rules::contact::PhoneBook;
use crate::rules::eligibility::{evaluate, reason_codes};
use crate::rules::matter::{plan_matter, split_ids, Action};
use crate::rules::policy::{Mappings, Policy};
use crate::store::fluentcase::Access;
use crate::store::ledger::{self, LedgerRow};
use crate::store::phones;
use crate::store::records::{MatterRecord, Phone};
use crate::store::state::StateStore;
use crate::sync::Ctx;

use super::{changed_skip, codes_text, Planned};

/// Plans handed to the main thread at a time.
const BATCH: usize = 64;

/// What judging the matters needs, read once per cycle.
pub(super) struct Inputs {
    mappings: Mappings,
    statuses: BTreeSet<String>,
    ledger: FxHashMap<i64, LedgerRow>,
    /// Each skipped matter's codes from the last cycle.
    pub skips: FxHashMap<i64, Arc<str>>,
    /// Phones of every primary party, by contact.
    phones: FxHashMap<i64, Vec<Phone>>,
    book: PhoneBook,
}

/// Read the inputs on three threads: FluentCase's phones, the skips and
/// the phone cache (on a second, read-only connection to the state file),
/// and the mappings and ledger here. Numbers not in the cache are parsed
/// where they are met; [`remember_numbers`] stores them.
pub(super) fn load_inputs(ctx: &Ctx, state: &StateStore, persist: bool) -> anyhow::Result<Inputs> {
    let region = ctx.config.fluentcase.phone_region;
    // Checked (and emptied if stale) on this connection before the reader starts.
    let cache_fresh = phones::fresh(state, !persist)?;
    std::thread::scope(|scope| {
        let phones = scope.spawn(|| -> anyhow::Result<_> {
            Ok(ctx.fluentcase(Access::ReadOnly)?.primary_phones()?)
        });
        let state_path = state.path();
        let from_state = scope.spawn(move || -> anyhow::Result<_> {
            let reader = StateStore::open_read_only(state_path)?;
            let skips = ledger::load_skip_codes(&reader)?;
            let cache = match cache_fresh {
                true => phones::read(&reader, region.as_ref())?,
                false => FxHashMap::default(),
            };
            Ok((skips, cache))
        });
        let local = (|| -> anyhow::Result<_> {
            let (mappings, statuses) = ctx.rules_input(state)?;
            Ok((mappings, statuses, ledger::load_all(state)?))
        })();
        let phones = join(phones)?;
        let (skips, known) = join(from_state)?;
        let (mappings, statuses, ledger) = local?;
        Ok(Inputs {
            mappings,
            statuses,
            ledger,
            skips,
            phones,
            book: PhoneBook::remembering(known),
        })
    })
}

/// Free the inputs on a thread of their own: at 100,000 matters that is
/// half a million small allocations (phones, the phone book, the ledger),
/// 50 ms that the rest of the cycle need not wait for. If the thread cannot
/// start, they are freed here.
pub(super) fn discard(inputs: Inputs) {
    let _ = std::thread::Builder::new().spawn(move || drop(inputs));
}

/// Store the phone numbers parsed this cycle in the cache.
pub(super) fn remember_numbers(
    ctx: &Ctx,
    state: &StateStore,
    inputs: &Inputs,
) -> anyhow::Result<()> {
    let region = ctx.config.fluentcase.phone_region;
    phones::save(state, region.as_ref(), &inputs.book.take_new())?;
    Ok(())
}

/// Judge every matter and hand each plan to `visit`, on this thread.
pub(super) fn plan_each(
    ctx: &Ctx,
    inputs: &Inputs,
    mut visit: impl FnMut(Planned) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let Some((lo, hi)) = fc.matter_id_range()? else {
        return Ok(());
    };
    let policy = Policy {
        phone_book: &inputs.book,
        ..ctx.policy(&inputs.mappings, &inputs.statuses)
    };
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ranges = split_ids(lo, hi, parts.clamp(1, 4));
    let (tx, rx) = std::sync::mpsc::sync_channel::<anyhow::Result<Vec<Planned>>>(64);
    let mut failed: Option<anyhow::Error> = None;
    std::thread::scope(|scope| {
        for range in ranges {
            let (tx, policy) = (tx.clone(), &policy);
            scope.spawn(move || {
                if let Err(e) = plan_range(ctx, inputs, policy, range, &tx) {
                    let _ = tx.send(Err(e));
                }
            });
        }
        drop(tx);
        // After a failure the rest is drained unvisited, so no reader
        // waits on a full channel.
        for batch in rx {
            match batch {
                Ok(plans) if failed.is_none() => {
                    for planned in plans {
                        if let Err(e) = visit(planned) {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Read and judge the matters with ids in `range` on a connection of this
/// thread's own, sending the plans in batches.
fn plan_range(
    ctx: &Ctx,
    inputs: &Inputs,
    policy: &Policy<'_>,
    range: (i64, i64),
    tx: &SyncSender<anyhow::Result<Vec<Planned>>>,
) -> anyhow::Result<()> {
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let mut batch = Vec::with_capacity(BATCH);
    fc.for_each_matter_in(range, &inputs.phones, |m| {
        let row = inputs.ledger.get(&m.id);
        // Borrowed, not cloned: 90,000 skips share a few strings, and
        // their counts would bounce between cores.
        let previous = inputs.skips.get(&m.id).map(|c| &**c);
        let (action, new_skip) = match unchanged_skip(&m, policy, ctx.now, row, previous) {
            Some(action) => (action, None),
            None => {
                let action = plan_matter(
                    || evaluate(&m, policy, ctx.now),
                    || current_body(&m, policy),
                    current_ids(&m, policy),
                    row,
                    policy.mappings,
                );
                let new_skip = match &action {
                    Action::Skip { reasons } => changed_skip(previous, reasons),
                    _ => None,
                };
                (action, new_skip)
            }
        };
        let previous_codes = match &action {
            Action::Push { .. } | Action::Reconcile { .. } => previous.map(str::to_string),
            Action::Skip { .. } | Action::SkipAsBefore { .. } | Action::InCaseStatus { .. } => None,
        };
        let row = row.cloned();
        batch.push(Planned {
            id: m.id,
            file_number: m.file_number,
            action,
            row,
            skipped_before: previous.is_some(),
            previous_codes,
            new_skip,
        });
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            let _ = tx.send(Ok(full));
        }
    })?;
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
    Ok(())
}

/// A matter skipped last cycle (`previous`, its codes) that is still not in
/// the ledger and fails the same rules: skipped as before, judged by its
/// codes only, so a quiet cycle writes none of 90,000 messages. None when
/// anything differs: the matter is then planned in full.
fn unchanged_skip(
    m: &MatterRecord,
    policy: &Policy<'_>,
    now: DateTime<Utc>,
    row: Option<&LedgerRow>,
    previous: Option<&str>,
) -> Option<Action> {
    let previous = previous.filter(|_| row.is_none())?;
    let codes = reason_codes(m, policy, now);
    if codes.is_empty() || codes_text(codes.iter().copied()) != previous {
        return None;
    }
    Some(Action::SkipAsBefore { codes })
}

/// A thread's result; its panic goes on as this thread's.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

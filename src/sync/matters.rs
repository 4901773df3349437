//! `sync matters`: push eligible matters to CaseStatus as cases, once.
//!
//! Plan, then execute. [`plan_matter`] is pure: the eligibility verdict,
//! the body as it would be sent now, and the ledger row in; an [`Action`]
//! out. Execution walks the actions and writes the ledger right after each
//! remote write, never in one run-wide transaction, so a kill at any point
//! loses at most the knowledge of one answer — which the next cycle
//! recovers by looking the matter up by `integration_id` before creating.
//!
//! No create is sent without an intent row written first, and no create is
//! sent without a look-up in the same attempt. A 409 is treated as "exists",
//! but never relied on.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::json;

use crate::casestatus::{ApiError, CaseBody, CaseStatus, Outages};
use crate::rules::eligibility::{current_body, evaluate, Evaluation, Mappings, Reason, ReasonCode};
use crate::store::fluentcase::Access;
use crate::store::ledger::{self, LedgerRow, SkipChange};
use crate::store::runlog::{self, Counts};
use crate::store::state::StateStore;
use crate::sync::context::Ctx;
use crate::sync::pool::Flow;

/// What one cycle does with one matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Not eligible and never sent: record the reasons.
    Skip { reasons: Vec<Reason> },
    /// Eligible and not known to be in CaseStatus: look up, then create.
    /// `resumed` when an earlier attempt may already have created it.
    Push { body: Box<CaseBody>, resumed: bool },
    /// Not eligible now, but an earlier create may have reached CaseStatus:
    /// look it up (never create) so the ledger is right.
    Reconcile { reasons: Vec<Reason> },
    /// Already in CaseStatus; `changed` lists what differs since the push.
    InCaseStatus { case_id: i64, changed: Vec<Change> },
}

/// Decide one matter's action. Pure. `now_body` (the body as it would be
/// sent now) is only computed for pushed matters, to tell what changed.
pub fn plan_matter(
    eval: &Evaluation,
    now_body: impl FnOnce() -> CaseBody,
    row: Option<&LedgerRow>,
    mappings: &Mappings,
) -> Action {
    match row {
        Some(LedgerRow {
            case_id: Some(id),
            sent,
            ..
        }) => Action::InCaseStatus {
            case_id: *id,
            changed: changed_fields(sent, &now_body(), mappings),
        },
        Some(_) => match &eval.payload {
            Some(body) => Action::Push {
                body: Box::new(body.clone()),
                resumed: true,
            },
            None => Action::Reconcile {
                reasons: eval.reasons.clone(),
            },
        },
        None => match &eval.payload {
            Some(body) => Action::Push {
                body: Box::new(body.clone()),
                resumed: false,
            },
            None => Action::Skip {
                reasons: eval.reasons.clone(),
            },
        },
    }
}

/// One field that differs between what was sent and what would be sent now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// In the firm's words ("client name").
    pub field: &'static str,
    pub sent: String,
    pub now: String,
}

impl Change {
    /// `client name: sent "Maria Lopez", now "Maria Lopez-Garcia"`.
    pub fn describe(&self) -> String {
        format!("{}: sent {:?}, now {:?}", self.field, self.sent, self.now)
    }
}

/// The fields, in the firm's words, whose sent value differs from now,
/// each with both values so staff know what to type into CaseStatus.
/// Practice area and stage are compared by CaseStatus id: a rename there
/// (then refetched) is not a change of the matter.
pub fn changed_fields(sent_json: &str, now: &CaseBody, mappings: &Mappings) -> Vec<Change> {
    let Ok(sent) = serde_json::from_str::<CaseBody>(sent_json) else {
        return Vec::new();
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let attorney = |b: &CaseBody| format!("{} <{}>", b.attorney.name, b.attorney.email);
    let client = |b: &CaseBody| format!("{} {}", b.client.first_name, b.client.last_name);
    let pairs: [(&'static str, String, String); 11] = [
        (
            "file number",
            sent.readable_id.clone(),
            now.readable_id.clone(),
        ),
        (
            "practice area",
            sent.practice_area.clone(),
            now.practice_area.clone(),
        ),
        ("stage", sent.stage.clone(), now.stage.clone()),
        ("opened date", opt(&sent.opened_on), opt(&now.opened_on)),
        ("closed date", opt(&sent.closed_on), opt(&now.closed_on)),
        ("attorney", attorney(&sent), attorney(now)),
        (
            "paralegal email",
            opt(&sent.paralegal_email),
            opt(&now.paralegal_email),
        ),
        ("client name", client(&sent), client(now)),
        (
            "client phone",
            sent.client.phone.clone(),
            now.client.phone.clone(),
        ),
        (
            "client email",
            opt(&sent.client.email),
            opt(&now.client.email),
        ),
        (
            "client date of birth",
            opt(&sent.client.date_of_birth),
            opt(&now.client.date_of_birth),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(field, a, b)| match *field {
            "practice area" => !mappings.same_item("practice_area", a, b),
            "stage" => !mappings.same_item("stage", a, b),
            _ => a != b,
        })
        .map(|(field, sent, now)| Change { field, sent, now })
        .collect()
}

/// The drift message shown in the log and `why-skipped`.
pub fn drift_message(pushed_at: &str, changed: &[Change]) -> String {
    format!(
        "in CaseStatus since {pushed_at}; changed since the push — update it in CaseStatus by hand (CaseStatus cannot update cases through its API): {}",
        changed.iter().map(Change::describe).collect::<Vec<_>>().join("; ")
    )
}

/// The result of one push attempt.
#[derive(Debug)]
enum PushOutcome {
    Created(i64),
    AlreadyThere(i64),
    NotThere,
    /// An earlier create got no answer and the look-up does not show it yet.
    Unconfirmed,
    Rejected {
        code: String,
        message: String,
    },
    Failed(ApiError),
}

/// What a cycle did, for the summary and `--json` (SPEC §1): `counts` has
/// each matter under exactly one outcome (`created`, `in_casestatus`,
/// `waiting`, `skipped`, `rejected`, `failed`; `would_create` in a dry
/// run), so they add up to the matters looked at; `skipped_by_reason`
/// counts matters per reason apart (a matter with two reasons is in both).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub kind: &'static str,
    pub run_id: Option<i64>,
    pub dry_run: bool,
    pub counts: Counts,
    pub skipped_by_reason: Counts,
    pub created: Vec<MatterLine>,
    pub already_in_casestatus: Vec<MatterLine>,
    pub would_create: Vec<MatterLine>,
    pub rejected: Vec<MatterLine>,
    pub errors: Vec<MatterLine>,
    pub changed_since_push: Vec<MatterLine>,
    /// Each skipped matter: kept only for `-v` and dry runs (a big firm
    /// skips tens of thousands every cycle; the counts say enough).
    pub skipped: Vec<MatterLine>,
    /// Skipped matters found in CaseStatus's listing and put back in the
    /// ledger (after a lost state file); they are counted as skipped.
    pub rebuilt: u64,
    #[serde(skip)]
    keep_skipped: bool,
    /// Why the run stopped early, if it did.
    pub error: Option<String>,
    #[serde(skip)]
    pub fatal: Option<ApiError>,
}

/// One matter in a report.
#[derive(Debug, Serialize)]
pub struct MatterLine {
    pub matter_id: i64,
    pub file_number: Option<String>,
    pub detail: String,
}

/// How long a create whose answer was lost is given to show up in
/// CaseStatus's look-up before it may be sent again (two cron cycles).
/// Until then the matter waits: a look-up that lags must not lead to a
/// second case even if CaseStatus had no 409.
pub const UNCONFIRMED_GRACE_MINUTES: i64 = 30;

/// One planned matter.
struct Planned {
    id: i64,
    file_number: Option<String>,
    action: Action,
    /// The ledger row as planned (for intent age and drift).
    row: Option<LedgerRow>,
}

/// One cycle: plan every matter, then execute under run `run_id` (or, for
/// a dry run, `None`, only describe). The caller ([`crate::sync`]) opens
/// and closes the run in the log.
pub fn cycle(
    ctx: &Ctx,
    state: &mut StateStore,
    client: &CaseStatus,
    run_id: Option<i64>,
) -> anyhow::Result<Report> {
    let Some(run_id) = run_id else {
        let mut plan = Vec::new();
        plan_each(ctx, state, |p| {
            plan.push(p);
            Ok(())
        })?;
        return Ok(describe(plan));
    };
    execute(ctx, state, client, run_id)
}

/// Plan every matter, handing each to `visit` as it is read (a big firm's
/// matters are never all in memory at once). Stops at `visit`'s first error.
fn plan_each(
    ctx: &Ctx,
    state: &StateStore,
    mut visit: impl FnMut(Planned) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let (mappings, statuses) = ctx.rules_input(state)?;
    let policy = ctx.policy(&mappings, &statuses);
    let ledger_rows = ledger::load_all(state)?;
    let phones = fc.primary_phones()?;
    let Some((lo, hi)) = fc.matter_id_range()? else {
        return Ok(());
    };
    // Reading and judging 100,000 matters is most of a quiet cycle: split
    // the id range over the cores, each part on its own connection, and
    // hand the plans to this thread (which alone writes the state file).
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ranges = split_ids(lo, hi, parts.clamp(1, 4));
    let (tx, rx) = std::sync::mpsc::sync_channel::<anyhow::Result<Planned>>(4096);
    let mut failed: Option<anyhow::Error> = None;
    std::thread::scope(|scope| {
        for range in ranges {
            let (tx, policy, ledger_rows, phones) = (tx.clone(), &policy, &ledger_rows, &phones);
            scope.spawn(move || {
                let read = (|| -> anyhow::Result<()> {
                    let fc = ctx.fluentcase(Access::ReadOnly)?;
                    fc.for_each_matter_in(range, phones, |m| {
                        let eval = evaluate(&m, policy, ctx.now);
                        let row = ledger_rows.get(&m.id).cloned();
                        let action = plan_matter(
                            &eval,
                            || current_body(&m, policy),
                            row.as_ref(),
                            policy.mappings,
                        );
                        let _ = tx.send(Ok(Planned {
                            id: m.id,
                            file_number: m.file_number,
                            action,
                            row,
                        }));
                    })?;
                    Ok(())
                })();
                if let Err(e) = read {
                    let _ = tx.send(Err(e));
                }
            });
        }
        drop(tx);
        for item in rx {
            match item {
                Ok(planned) if failed.is_none() => {
                    if let Err(e) = visit(planned) {
                        failed = Some(e);
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

/// Split the id range `lo..=hi` into at most `parts` contiguous ranges
/// that cover it exactly. In i128: ids near `i64::MAX` (or a range from a
/// negative id) must not overflow and wrap.
pub fn split_ids(lo: i64, hi: i64, parts: usize) -> Vec<(i64, i64)> {
    let (lo, hi, parts) = (i128::from(lo), i128::from(hi), parts.max(1) as i128);
    let span = (hi - lo) / parts + 1;
    (0..parts)
        .map(|i| (lo + i * span, (lo + (i + 1) * span - 1).min(hi)))
        .filter(|(a, b)| a <= b)
        // Both ends lie within lo..=hi, so they fit in i64.
        .map(|(a, b)| (a as i64, b as i64))
        .collect()
}

fn line(id: i64, fnum: &Option<String>, detail: String) -> MatterLine {
    MatterLine {
        matter_id: id,
        file_number: fnum.clone(),
        detail,
    }
}

fn bump(counts: &mut Counts, k: &str) {
    *counts.entry(k.to_string()).or_default() += 1;
}

/// One skipped matter: `skipped` once, and once under each of its reasons.
fn count_skipped(report: &mut Report, reasons: &[Reason]) {
    bump(&mut report.counts, "skipped");
    let set: BTreeSet<&str> = reasons.iter().map(|r| r.code.code()).collect();
    for code in set {
        bump(&mut report.skipped_by_reason, code);
    }
}

impl Report {
    fn new(run_id: Option<i64>, dry_run: bool) -> Report {
        Report {
            kind: "matters",
            run_id,
            dry_run,
            ..Report::default()
        }
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
}

/// A dry run: what each matter would get, with no look-ups and no writes.
fn describe(plan: Vec<Planned>) -> Report {
    let mut report = Report::new(None, true);
    for p in plan {
        match &p.action {
            Action::Skip { reasons } | Action::Reconcile { reasons } => {
                count_skipped(&mut report, reasons);
                report
                    .skipped
                    .push(line(p.id, &p.file_number, codes(reasons)));
            }
            Action::Push { body, .. } => {
                bump(&mut report.counts, "would_create");
                report.would_create.push(line(
                    p.id,
                    &p.file_number,
                    format!("{} / {}", body.practice_area, body.stage),
                ));
            }
            Action::InCaseStatus { .. } => bump(&mut report.counts, "in_casestatus"),
        }
    }
    // Planning threads finish in any order; people read lists in matter order.
    report.would_create.sort_by_key(|l| l.matter_id);
    report.skipped.sort_by_key(|l| l.matter_id);
    report
}

fn execute(
    ctx: &Ctx,
    state: &mut StateStore,
    client: &CaseStatus,
    run_id: i64,
) -> anyhow::Result<Report> {
    let now = crate::util::clock::stamp(ctx.now);
    let grace_cutoff =
        crate::util::clock::stamp(ctx.now - chrono::Duration::minutes(UNCONFIRMED_GRACE_MINUTES));
    let mut skips = ledger::load_skips(state)?;
    let mut report = Report {
        keep_skipped: ctx.out.verbose,
        ..Report::new(Some(run_id), false)
    };
    let mut skip_changes = Vec::new();
    // Skipped matters we have no ledger row for: if a listing is taken,
    // any of them CaseStatus holds (a lost state file) is recorded.
    let mut unrecorded: Vec<i64> = Vec::new();
    let mut outages = Outages::default();

    // While planning, do the local work at once (no request: skips and
    // drift of pushed matters) and keep only matters that need CaseStatus.
    let mut network = Vec::new();
    plan_each(ctx, state, |p| {
        match p.action {
            Action::InCaseStatus { case_id, changed } => {
                note_drift(
                    state,
                    &mut report,
                    run_id,
                    p.id,
                    &p.file_number,
                    p.row.as_ref(),
                    case_id,
                    changed,
                    ctx.config.fluentcase.timezone,
                )?;
                if skips.remove(&p.id).is_some() {
                    ledger::clear_skip(state, p.id)?;
                }
            }
            Action::Skip { reasons } => {
                count_skipped(&mut report, &reasons);
                if p.row.is_none() {
                    unrecorded.push(p.id);
                }
                if report.keep_skipped {
                    report
                        .skipped
                        .push(line(p.id, &p.file_number, codes(&reasons)));
                }
                let previous = skips.remove(&p.id).map(|s| s.codes);
                note_skip(
                    state,
                    &mut skip_changes,
                    run_id,
                    p.id,
                    previous,
                    codes(&reasons),
                    json!({ "reasons": reasons }),
                )?;
            }
            Action::Push { .. } | Action::Reconcile { .. } => {
                let previous = skips.remove(&p.id).map(|s| s.codes);
                let unconfirmed_recent = p
                    .row
                    .as_ref()
                    .is_some_and(|r| r.case_id.is_none() && r.intent_at > grace_cutoff);
                network.push(Job {
                    planned: p,
                    previous,
                    unconfirmed_recent,
                    listed: None,
                });
            }
        }
        Ok(())
    })?;

    // Many pending creates (a first push, a lost state file): one listing
    // of the account's cases instead of a look-up per matter.
    if existence_by_listing(network.len(), ledger::count_pushed(state)?) {
        match client.list_cases() {
            Ok(cases) => {
                let listing = index_listing(cases);
                for job in &mut network {
                    job.listed = Some(listing.get(&job.planned.id).copied());
                }
                rebuild_unrecorded(state, &mut report, run_id, &unrecorded, &listing, &now)?;
            }
            Err(e) if outages.stops_run(&e) => {
                report.error = Some(e.to_string());
                report.fatal = Some(e);
                return Ok(report);
            }
            // Not fatal: each matter is looked up as before.
            Err(_) => {}
        }
    }
    let progress = ctx.out.progress(network.len(), "matters");

    // Then the matters that need CaseStatus, `concurrency` at a time. Each
    // worker has its own state connection and writes the ledger right after
    // each remote write; this thread keeps the report and the run log.
    let state_path = state.path().to_path_buf();
    let mut failure: Option<anyhow::Error> = None;
    crate::sync::pool::run(
        network,
        ctx.config.casestatus.concurrency,
        || StateStore::open(&state_path),
        |worker_state, job: Job, emit| {
            let result = match worker_state {
                Ok(ws) => push_or_reconcile(client, ws, &job, &now).map_err(anyhow::Error::from),
                Err(e) => Err(anyhow::anyhow!("{e}")),
            };
            emit((job, result));
        },
        |(job, result)| {
            progress.inc(1);
            let outcome = match result {
                Ok(o) => o,
                Err(e) => {
                    failure = Some(e);
                    return Flow::Stop;
                }
            };
            match record_outcome(
                state,
                &mut report,
                &mut skip_changes,
                &mut outages,
                run_id,
                job,
                outcome,
            ) {
                Ok(flow) => flow,
                Err(e) => {
                    failure = Some(e);
                    Flow::Stop
                }
            }
        },
    );
    progress.finish_and_clear();
    if let Some(e) = failure {
        return Err(e);
    }
    if report.error.is_none() {
        // Matters no longer in FluentCase drop out of the skip state.
        for id in skips.keys() {
            skip_changes.push(SkipChange::Clear { matter_id: *id });
        }
    }
    ledger::apply_skips(state, &skip_changes, run_id, &now)?;
    // Workers finish in any order; people read lists in matter order.
    for list in [
        &mut report.created,
        &mut report.already_in_casestatus,
        &mut report.rejected,
        &mut report.errors,
        &mut report.skipped,
    ] {
        list.sort_by_key(|l| l.matter_id);
    }
    Ok(report)
}

/// A matter that needs CaseStatus this cycle.
struct Job {
    planned: Planned,
    /// Its skip codes from the last cycle, if it was skipped.
    previous: Option<String>,
    /// An earlier create is unconfirmed and recent enough to wait for.
    unconfirmed_recent: bool,
    /// What this run's listing of the account's cases says (the case id,
    /// or not there); None when the run looks each matter up instead.
    listed: Option<Option<i64>>,
}

/// Whether to learn which pending matters CaseStatus already has from one
/// listing of the account's cases, instead of a look-up per matter.
///
/// Request counts decide. Look-ups cost one request per pending matter.
/// A listing costs one request per page of 100 cases the account holds:
/// at least the `known_cases` in our ledger plus, at most, the pending ones
/// (cases made elsewhere can add a few pages, which the margin of one page
/// covers in the usual case). So a first push or a lost state file (many
/// pending, few known) lists, and the usual cycle with one or two new
/// matters at a firm with thousands of cases keeps its look-ups.
pub fn existence_by_listing(pending: usize, known_cases: usize) -> bool {
    let pages = (known_cases + pending) / crate::casestatus::PAGE_SIZE + 1;
    pending > pages
}

/// The account's cases by matter id (integration id), from one listing.
fn index_listing(cases: Vec<crate::casestatus::RemoteCase>) -> HashMap<i64, i64> {
    cases
        .into_iter()
        .filter_map(|c| {
            let matter = c.integration_id.as_deref()?.trim().parse::<i64>().ok()?;
            Some((matter, c.id))
        })
        .collect()
}

/// Where a matter stands in CaseStatus: from the listing when the run took
/// one, else by a look-up.
fn existing(client: &CaseStatus, matter_id: i64, listed: Option<Option<i64>>) -> PushOutcome {
    match listed {
        Some(Some(case_id)) => PushOutcome::AlreadyThere(case_id),
        Some(None) => PushOutcome::NotThere,
        None => lookup(client, matter_id),
    }
}

/// What a worker found or did for one matter.
enum NetOutcome {
    Push(PushOutcome),
    /// A reconcile look-up: found (case id), or not there.
    Reconciled(Option<i64>),
    ReconcileFailed(ApiError),
}

/// The network part of one matter, on a worker thread with its own state
/// connection: look up, record the intent, create, record the result.
fn push_or_reconcile(
    client: &CaseStatus,
    ws: &StateStore,
    job: &Job,
    now: &str,
) -> Result<NetOutcome, crate::store::state::StateError> {
    let id = job.planned.id;
    match &job.planned.action {
        Action::Reconcile { .. } => Ok(match existing(client, id, job.listed) {
            PushOutcome::AlreadyThere(case_id) => {
                ledger::record_pushed(ws, id, case_id, "found", now)?;
                NetOutcome::Reconciled(Some(case_id))
            }
            PushOutcome::Failed(e) => NetOutcome::ReconcileFailed(e),
            _ => {
                if !job.unconfirmed_recent {
                    // Confirmed absent twice over: stop looking.
                    ledger::forget(ws, id)?;
                }
                NetOutcome::Reconciled(None)
            }
        }),
        Action::Push { body, .. } => {
            let sent = serde_json::to_string(body).unwrap_or_default();
            // Look up first: if it is there, the body of the earlier
            // attempt (already in the ledger) stays the drift baseline.
            let outcome = match existing(client, id, job.listed) {
                PushOutcome::NotThere if job.unconfirmed_recent => PushOutcome::Unconfirmed,
                PushOutcome::NotThere => {
                    ledger::record_intent(ws, id, &sent, now)?;
                    create(client, id, body)
                }
                other => other,
            };
            match &outcome {
                PushOutcome::Created(case_id) => {
                    ledger::record_pushed(ws, id, *case_id, "created", now)?
                }
                PushOutcome::AlreadyThere(case_id) => {
                    if job.planned.row.is_none() {
                        ledger::record_intent(ws, id, &sent, now)?;
                    }
                    ledger::record_pushed(ws, id, *case_id, "found", now)?;
                }
                // Refused outright: no case was made, so no intent stays.
                PushOutcome::Rejected { .. } => ledger::forget(ws, id)?,
                _ => {}
            }
            Ok(NetOutcome::Push(outcome))
        }
        Action::Skip { .. } | Action::InCaseStatus { .. } => Ok(NetOutcome::Reconciled(None)),
    }
}

/// Count and log one matter's network outcome (main thread).
fn record_outcome(
    state: &StateStore,
    report: &mut Report,
    skip_changes: &mut Vec<SkipChange>,
    outages: &mut Outages,
    run_id: i64,
    job: Job,
    outcome: NetOutcome,
) -> anyhow::Result<Flow> {
    let Job {
        planned, previous, ..
    } = job;
    let (id, fnum) = (planned.id, planned.file_number);
    let sid = id.to_string();
    let reasons = match planned.action {
        Action::Reconcile { reasons } => reasons,
        _ => Vec::new(),
    };
    let mut skipped_for: Option<(String, serde_json::Value)> = None;
    let mut stop = false;
    match outcome {
        NetOutcome::Reconciled(Some(case_id)) => {
            outages.ok();
            bump(&mut report.counts, "in_casestatus");
            runlog::item(
                state,
                run_id,
                "matter",
                &sid,
                "already_in_casestatus",
                &json!({"case_id": case_id}),
            )?;
            report
                .already_in_casestatus
                .push(line(id, &fnum, format!("case {case_id}")));
        }
        NetOutcome::Reconciled(None) => {
            outages.ok();
            count_skipped(report, &reasons);
            if report.keep_skipped {
                report.skipped.push(line(id, &fnum, codes(&reasons)));
            }
            skipped_for = Some((codes(&reasons), json!({ "reasons": reasons })));
        }
        NetOutcome::ReconcileFailed(e) => {
            if outages.stops_run(&e) {
                stop = true;
                report.error = Some(e.to_string());
                report.fatal = Some(e);
            } else {
                record_error(
                    state,
                    report,
                    run_id,
                    id,
                    &fnum,
                    format!("look-up of an earlier unconfirmed create failed: {e}"),
                )?;
            }
        }
        NetOutcome::Push(outcome) => {
            if !matches!(outcome, PushOutcome::Failed(_)) {
                outages.ok();
            }
            match outcome {
                PushOutcome::Created(case_id) | PushOutcome::AlreadyThere(case_id) => {
                    let created = matches!(outcome, PushOutcome::Created(_));
                    let key = if created {
                        "created"
                    } else {
                        "already_in_casestatus"
                    };
                    bump(
                        &mut report.counts,
                        if created { "created" } else { "in_casestatus" },
                    );
                    runlog::item(
                        state,
                        run_id,
                        "matter",
                        &sid,
                        key,
                        &json!({"case_id": case_id}),
                    )?;
                    let l = line(id, &fnum, format!("case {case_id}"));
                    if created {
                        report.created.push(l);
                    } else {
                        report.already_in_casestatus.push(l);
                    }
                }
                PushOutcome::Unconfirmed => {
                    bump(&mut report.counts, "waiting");
                    let msg = format!(
                        "a create sent at {} got no answer and CaseStatus does not list the case yet; it is sent again only if still missing {UNCONFIRMED_GRACE_MINUTES} minutes after that",
                        planned.row.as_ref().map(|r| r.intent_at.as_str()).unwrap_or("?")
                    );
                    runlog::item(
                        state,
                        run_id,
                        "matter",
                        &sid,
                        "waiting",
                        &json!({"message": msg}),
                    )?;
                }
                PushOutcome::Rejected { code, message } => {
                    bump(&mut report.counts, "rejected");
                    let msg = format!("CaseStatus refused the case ({code}): {message}");
                    report.rejected.push(line(id, &fnum, msg.clone()));
                    skipped_for = Some((
                        ReasonCode::RejectedByCasestatus.code().to_string(),
                        json!({"reasons": [{"code": ReasonCode::RejectedByCasestatus, "message": msg}], "casestatus_code": code}),
                    ));
                }
                PushOutcome::Failed(e) if outages.stops_run(&e) => {
                    stop = true;
                    report.error = Some(e.to_string());
                    report.fatal = Some(e);
                }
                PushOutcome::Failed(e) => {
                    record_error(
                        state,
                        report,
                        run_id,
                        id,
                        &fnum,
                        format!("{e}; the attempt is recorded, so the next cycle looks it up before creating"),
                    )?;
                }
                PushOutcome::NotThere => {}
            }
        }
    }
    match skipped_for {
        Some((c, detail)) => note_skip(state, skip_changes, run_id, id, previous, c, detail)?,
        // Cleared at once so a kill later in the run leaves no stale skip.
        None if previous.is_some() => ledger::clear_skip(state, id)?,
        None => {}
    }
    Ok(if stop { Flow::Stop } else { Flow::Continue })
}

/// A lost state file: matters that are skipped now but that CaseStatus
/// holds (pushed before) go back into the ledger, without a request each.
/// The drift baseline is unknown, so none is recorded.
fn rebuild_unrecorded(
    state: &StateStore,
    report: &mut Report,
    run_id: i64,
    unrecorded: &[i64],
    listing: &HashMap<i64, i64>,
    now: &str,
) -> anyhow::Result<()> {
    for id in unrecorded {
        if let Some(case_id) = listing.get(id) {
            ledger::record_intent(state, *id, "{}", now)?;
            ledger::record_pushed(state, *id, *case_id, "found", now)?;
            runlog::item(
                state,
                run_id,
                "matter",
                &id.to_string(),
                "already_in_casestatus",
                &json!({"case_id": case_id, "message": "found in CaseStatus's listing; not eligible now"}),
            )?;
            report.rebuilt += 1;
        }
    }
    Ok(())
}

/// Record a skip: a log item only when the reasons changed since last cycle.
fn note_skip(
    state: &StateStore,
    skip_changes: &mut Vec<SkipChange>,
    run_id: i64,
    id: i64,
    previous: Option<String>,
    codes: String,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    if previous.as_deref() == Some(codes.as_str()) {
        return Ok(());
    }
    let outcome = if codes == ReasonCode::RejectedByCasestatus.code() {
        "rejected"
    } else {
        "skipped"
    };
    runlog::item(state, run_id, "matter", &id.to_string(), outcome, &detail)?;
    skip_changes.push(SkipChange::Set {
        matter_id: id,
        codes,
    });
    Ok(())
}

/// Report what changed since a matter was pushed (once per change).
#[allow(clippy::too_many_arguments)]
fn note_drift(
    state: &StateStore,
    report: &mut Report,
    run_id: i64,
    id: i64,
    fnum: &Option<String>,
    row: Option<&LedgerRow>,
    case_id: i64,
    changed: Vec<Change>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<()> {
    bump(&mut report.counts, "in_casestatus");
    // Kept with the values, so a further change is logged again.
    let drift = (!changed.is_empty()).then(|| {
        changed
            .iter()
            .map(Change::describe)
            .collect::<Vec<_>>()
            .join("; ")
    });
    let drift_before = row.and_then(|r| r.drift.clone());
    if !changed.is_empty() {
        let pushed_at = row
            .and_then(|r| r.pushed_at.as_deref())
            .map(|t| crate::util::clock::local_text(t, tz))
            .unwrap_or_default();
        let msg = drift_message(&pushed_at, &changed);
        if drift != drift_before {
            runlog::item(
                state,
                run_id,
                "matter",
                &id.to_string(),
                "changed_since_push",
                &json!({"message": msg, "fields": changed, "case_id": case_id}),
            )?;
        }
        report.changed_since_push.push(line(id, fnum, msg));
    }
    if drift != drift_before {
        ledger::set_drift(state, id, drift.as_deref())?;
    }
    Ok(())
}

fn record_error(
    state: &StateStore,
    report: &mut Report,
    run_id: i64,
    id: i64,
    fnum: &Option<String>,
    msg: String,
) -> anyhow::Result<()> {
    bump(&mut report.counts, "failed");
    runlog::item(
        state,
        run_id,
        "matter",
        &id.to_string(),
        "error",
        &json!({"message": msg}),
    )?;
    report.errors.push(line(id, fnum, msg));
    Ok(())
}

/// Create, after a look-up said the case is not there; if the answer is
/// lost (or a 409 has no id), look up again rather than guess.
fn create(client: &CaseStatus, matter_id: i64, body: &CaseBody) -> PushOutcome {
    match client.create_case(body) {
        Ok(id) => PushOutcome::Created(id),
        Err(ApiError::Conflict {
            existing_id: Some(id),
            ..
        }) => PushOutcome::AlreadyThere(id),
        Err(ApiError::Rejected { code, message }) => PushOutcome::Rejected { code, message },
        Err(e) => match lookup(client, matter_id) {
            PushOutcome::AlreadyThere(id) => PushOutcome::AlreadyThere(id),
            _ => PushOutcome::Failed(e),
        },
    }
}

fn lookup(client: &CaseStatus, matter_id: i64) -> PushOutcome {
    match client.find_cases(&matter_id.to_string()) {
        Ok(cases) => match cases.first() {
            Some(c) => PushOutcome::AlreadyThere(c.id),
            None => PushOutcome::NotThere,
        },
        Err(e) => PushOutcome::Failed(e),
    }
}

fn codes(reasons: &[Reason]) -> String {
    let set: BTreeSet<&str> = reasons.iter().map(|r| r.code.code()).collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

/// Print a matter cycle's report.
pub fn print_report(ctx: &Ctx, r: &Report) -> anyhow::Result<()> {
    if ctx.out.json {
        return ctx.out.json(r);
    }
    let title = if r.dry_run {
        "Matters (dry run — nothing was changed)".to_string()
    } else {
        format!("Matters (run {})", r.run_id.unwrap_or(0))
    };
    ctx.out
        .line(format!("{title}: {}", runlog::summary(&r.counts)));
    let by_reason: Vec<String> = r
        .skipped_by_reason
        .iter()
        .map(|(c, v)| format!("{c} {v}"))
        .collect();
    if !by_reason.is_empty() {
        ctx.out
            .line(format!("  skipped by reason: {}", by_reason.join(", ")));
    }
    let sections: [(&str, &Vec<MatterLine>); 6] = [
        ("would create", &r.would_create),
        ("created", &r.created),
        ("already in CaseStatus", &r.already_in_casestatus),
        ("rejected by CaseStatus", &r.rejected),
        ("error", &r.errors),
        ("changed since the push", &r.changed_since_push),
    ];
    for (label, lines) in sections {
        for l in lines.iter().take(crate::sync::report::MAX_ITEMS) {
            ctx.out.line(format!(
                "  {label}: matter {} ({}) — {}",
                l.matter_id,
                l.file_number.as_deref().unwrap_or("no file number"),
                l.detail
            ));
        }
        if lines.len() > crate::sync::report::MAX_ITEMS {
            ctx.out.line(format!(
                "  … and {} more {label} (casestatus-sync log --run {})",
                lines.len() - crate::sync::report::MAX_ITEMS,
                r.run_id.unwrap_or(0)
            ));
        }
    }
    // A dry run's plan is its output (stdout, pipe or not); in a real run
    // the skipped matters are detail for -v.
    for l in &r.skipped {
        let text = format!(
            "  skipped: matter {} ({}) — {}",
            l.matter_id,
            l.file_number.as_deref().unwrap_or("no file number"),
            l.detail
        );
        if r.dry_run {
            ctx.out.line(text);
        } else {
            ctx.out.detail(text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_ranges_cover_exactly_without_overflow() {
        let cases: [(i64, i64, usize); 6] = [
            (1, 100, 4),
            (1, 1, 4),
            (5, 7, 4),
            (i64::MAX - 3, i64::MAX, 2),
            (i64::MIN, i64::MAX, 4),
            (-10, i64::MAX, 3),
        ];
        for (lo, hi, parts) in cases {
            let r = split_ids(lo, hi, parts);
            assert!(!r.is_empty() && r.len() <= parts, "{lo}..={hi}: {r:?}");
            assert_eq!(r[0].0, lo);
            assert_eq!(r[r.len() - 1].1, hi);
            for w in r.windows(2) {
                assert_eq!(w[0].1.checked_add(1), Some(w[1].0), "{r:?}");
            }
        }
    }

    #[test]
    fn listing_only_when_it_costs_fewer_requests() {
        // (pending creates, cases already known, list?)
        let cases: [(usize, usize, bool); 8] = [
            (0, 0, false),
            (1, 0, false), // one look-up = one listing page: keep the look-up
            (2, 0, true),  // one page instead of two look-ups
            (2, 100_000, false),
            (1_001, 100_000, false), // 1,011 pages > 1,001 look-ups
            (1_020, 100_000, true),
            (10_000, 0, true),  // a first push: 101 pages
            (100_000, 0, true), // a lost state file: 1,001 pages
        ];
        for (pending, known, want) in cases {
            assert_eq!(
                existence_by_listing(pending, known),
                want,
                "{pending} pending, {known} known"
            );
        }
    }
}

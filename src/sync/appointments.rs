//! `sync appointments`: calendar events of enabled event types, on matters
//! that are in CaseStatus, become Meeting appointments on the matter's case.
//! The rules (window, body, each event's steps) are in
//! [`crate::rules::appointment`]; this is their execution on the engine.
//!
//! No duplicates: the intent is recorded before a create, and before the
//! first create on a case in a run, the case's appointments are listed so
//! an earlier create whose answer was lost is found by `integration_id`.
//! Jobs are grouped by case, so one worker lists a case once.

use std::collections::{HashMap, HashSet};

use chrono::Duration;
use serde_json::json;

use crate::casestatus::{ApiError, AppointmentBody, CaseStatus};
use crate::rules::appointment::{plan_event, window, NotWanted, PlanInputs, Step};
use crate::store::appointments::{self, PushedEvent};
use crate::store::fluentcase::Access;
use crate::store::ledger::pushed_cases;
use crate::store::outcome::Outcome;
use crate::store::runlog::ItemKind;
use crate::store::state::{StateError, StateStore};
use crate::sync::engine::{Cycle, DoneOf, Recorded, Subject, SyncKind, Worker};

/// The appointment sync.
#[derive(Default)]
pub struct Appointments {
    /// case id → when the tool learned it was in CaseStatus.
    pushed_at: HashMap<i64, String>,
}

/// The steps of the events of one case: (event id, steps).
pub type EventSteps = Vec<(i64, Vec<Step>)>;

impl SyncKind for Appointments {
    type Worker = AppointmentWorker;

    fn name(&self) -> &'static str {
        "appointments"
    }

    fn plan(&mut self, cycle: &mut Cycle) -> anyhow::Result<Vec<(i64, EventSteps)>> {
        let ctx = cycle.ctx;
        let state = cycle.state;
        let tz = ctx.config.fluentcase.timezone;
        let enabled: HashSet<String> = state.enabled_event_types()?.into_iter().collect();
        let (cases, pushed_at) = pushed_cases(state)?;
        self.pushed_at = pushed_at;
        let mut ledger = appointments::load(state)?;
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let known_types: HashSet<String> = fc.event_types()?.into_iter().collect();
        let mut vanished_types: Vec<&String> = enabled.difference(&known_types).collect();
        vanished_types.sort();
        let input = PlanInputs {
            enabled_types: &enabled,
            delete_unenabled: vanished_types.is_empty(),
            cases: &cases,
            window: window(ctx.now, tz),
            tz,
        };
        note_event_types(cycle, &enabled, &vanished_types);

        // Keep only events that need CaseStatus (grouped by case); the rest
        // are only counted, so a million unchanged events cost a counter.
        let mut plan = Plan::default();
        let not_enabled = fc.for_each_event_of_types(&enabled, |e| {
            let pushed = ledger.remove(&e.id);
            plan.add(e.id, plan_event(Some(&e), pushed.as_ref(), &input), cycle);
        })?;
        if not_enabled > 0 {
            *cycle
                .report
                .counts
                .entry(Outcome::TypeNotEnabled)
                .or_default() += not_enabled;
        }
        // Pushed events of other types (or gone): read one by one.
        let mut leftovers: Vec<(i64, PushedEvent)> = ledger.into_iter().collect();
        leftovers.sort_by_key(|(id, _)| *id);
        for (id, pushed) in leftovers {
            let event = fc.event(id)?;
            if event.as_ref().is_some_and(|e| e.deleted_at.is_none()) {
                // Counted above as "not enabled"; its fate is decided here.
                if let Some(n) = cycle.report.counts.get_mut(&Outcome::TypeNotEnabled) {
                    *n = n.saturating_sub(1);
                }
            }
            plan.add(id, plan_event(event.as_ref(), Some(&pushed), &input), cycle);
        }
        for (event_id, msg) in plan.invalid {
            let event = Subject::new(ItemKind::Event, event_id);
            cycle.record(&event, Outcome::Invalid, msg, json!({}))?;
        }
        let mut groups: Vec<(i64, EventSteps)> = plan.groups.into_iter().collect();
        groups.sort_by_key(|(case, _)| *case);
        Ok(groups)
    }

    fn describe(&self, cycle: &mut Cycle, jobs: Vec<(i64, EventSteps)>) -> anyhow::Result<()> {
        for (_, events) in jobs {
            for (event_id, steps) in events {
                for step in steps {
                    describe_step(cycle, &Subject::new(ItemKind::Event, event_id), &step)?;
                }
            }
        }
        Ok(())
    }

    fn worker(&self, cycle: &Cycle) -> AppointmentWorker {
        let now = cycle.ctx.now;
        AppointmentWorker {
            now: crate::util::clock::stamp(now),
            tz: cycle.ctx.config.fluentcase.timezone,
            propagation_cutoff: crate::util::clock::stamp(
                now - Duration::minutes(PROPAGATION_MINUTES),
            ),
            pushed_at: self.pushed_at.clone(),
        }
    }

    fn record(&mut self, cycle: &mut Cycle, result: DoneOf<Self>) -> anyhow::Result<Recorded> {
        let subject = Subject::new(ItemKind::Event, result.event_id);
        for (outcome, detail) in result.records {
            if detail.is_empty() {
                cycle.report.bump(outcome);
            } else {
                cycle.record(&subject, outcome, detail, json!({}))?;
            }
        }
        match result.error {
            None => Ok(Recorded::Done {
                called: result.called_ok,
            }),
            Some(Failure::State(e)) => Err(e.into()),
            // A refusal of this one appointment: record-level, like a 422
            // for a matter.
            Some(Failure::Api(ApiError::Rejected { code, message })) => {
                let detail =
                    format!("CaseStatus refused it ({code}): {message}; retried next cycle");
                cycle.record(&subject, Outcome::Rejected, detail, json!({}))?;
                Ok(Recorded::Done { called: true })
            }
            Some(Failure::Api(error)) => Ok(Recorded::Failed {
                detail: error.to_string(),
                subject,
                error,
            }),
        }
    }
}

/// Notes about the event-type choices, for people.
fn note_event_types(cycle: &mut Cycle, enabled: &HashSet<String>, vanished: &[&String]) {
    if !vanished.is_empty() {
        cycle.report.notes.push(format!(
            "enabled event type(s) {} no longer an event type in FluentCase (renamed?); appointments whose type is not enabled are left as they are until `casestatus-sync event-types` is fixed",
            vanished.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    if enabled.is_empty() {
        cycle.report.notes.push("no event types are enabled for appointment sync, so no appointments are pushed (casestatus-sync event-types enable NAME...)".into());
    }
}

/// The plan being built: events that need CaseStatus, grouped by case.
#[derive(Default)]
struct Plan {
    groups: HashMap<i64, EventSteps>,
    invalid: Vec<(i64, String)>,
}

impl Plan {
    fn add(&mut self, event_id: i64, steps: Vec<Step>, cycle: &mut Cycle) {
        let mut actionable = Vec::new();
        for step in steps {
            match step {
                Step::Unchanged => cycle.report.bump(Outcome::Unchanged),
                Step::OutOfWindow => cycle.report.bump(Outcome::OutsideWindow),
                Step::Skip(NotWanted::Invalid(msg)) => self.invalid.push((event_id, msg)),
                Step::Skip(why) => cycle.report.bump(why.outcome()),
                other => actionable.push(other),
            }
        }
        let case = actionable.iter().find_map(|s| match s {
            Step::Create { case_id, .. } => Some(*case_id),
            Step::Update { pushed, .. } | Step::Delete { pushed, .. } => Some(pushed.case_id),
            _ => None,
        });
        if let Some(case) = case {
            self.groups
                .entry(case)
                .or_default()
                .push((event_id, actionable));
        }
    }
}

/// A dry run's line for one step.
fn describe_step(cycle: &mut Cycle, subject: &Subject, step: &Step) -> Result<(), StateError> {
    let (outcome, detail) = match step {
        Step::Create { case_id, body, .. } => (
            Outcome::WouldCreate,
            format!(
                "{} on case {case_id}",
                said(body, cycle.ctx.config.fluentcase.timezone)
            ),
        ),
        Step::Update { body, .. } => (
            Outcome::WouldUpdate,
            said(body, cycle.ctx.config.fluentcase.timezone),
        ),
        Step::Delete { why, .. } => (Outcome::WouldDelete, why.to_string()),
        Step::Unchanged | Step::Skip(_) | Step::OutOfWindow => return Ok(()),
    };
    cycle.record(subject, outcome, detail, json!({}))
}

/// An appointment as a log line says it: its title and start in the
/// firm's zone (SPEC §1: times shown to people).
fn said(body: &AppointmentBody, tz: chrono_tz::Tz) -> String {
    format!(
        "{:?} at {}",
        body.title,
        crate::util::clock::local_text(&body.starts_at, tz)
    )
}

/// What the appointment workers share.
pub struct AppointmentWorker {
    now: String,
    /// The firm's zone, for the times in log lines.
    tz: chrono_tz::Tz,
    /// Cases pushed after this time may still be propagating in CaseStatus.
    propagation_cutoff: String,
    pushed_at: HashMap<i64, String>,
}

impl Worker for AppointmentWorker {
    type Job = (i64, EventSteps);
    type Done = EventResult;
    type Resources = StateStore;

    fn apply(
        &self,
        client: &CaseStatus,
        state: &mut StateStore,
        (_, events): (i64, EventSteps),
        emit: &mut dyn FnMut(EventResult) -> bool,
    ) {
        let mut exec = Executor {
            client,
            state,
            now: &self.now,
            tz: self.tz,
            propagation_cutoff: &self.propagation_cutoff,
            pushed_at: &self.pushed_at,
            listings: HashMap::new(),
            listed_bodies: HashMap::new(),
            records: Vec::new(),
            called_ok: false,
        };
        for (event_id, steps) in events {
            let mut error = None;
            for step in steps {
                if let Err(e) = exec.apply(event_id, step) {
                    // Later steps for this event depend on this one.
                    error = Some(e);
                    break;
                }
            }
            let result = EventResult {
                event_id,
                records: std::mem::take(&mut exec.records),
                called_ok: std::mem::take(&mut exec.called_ok),
                error,
            };
            if !emit(result) {
                return;
            }
        }
    }
}

/// What happened to one event on a worker.
pub struct EventResult {
    event_id: i64,
    /// (outcome, detail) for the report; an empty detail is only counted.
    records: Vec<(Outcome, String)>,
    /// A call to CaseStatus succeeded (the outage streak is over).
    called_ok: bool,
    error: Option<Failure>,
}

/// Why an event's steps stopped: a call (record-level, or an outage the
/// engine counts) or the state file (run-level).
pub enum Failure {
    Api(ApiError),
    State(StateError),
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Self {
        Failure::State(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

/// Carries out one event's steps on a worker thread, with the worker's own
/// state connection; what happened goes to `records` for the main thread.
struct Executor<'a> {
    client: &'a CaseStatus,
    state: &'a StateStore,
    now: &'a str,
    tz: chrono_tz::Tz,
    /// Cases pushed after this time may still be propagating in CaseStatus.
    propagation_cutoff: &'a str,
    pushed_at: &'a HashMap<i64, String>,
    /// Per case, the appointments CaseStatus holds (integration id → id),
    /// listed once per run before the first create on that case.
    listings: HashMap<i64, HashMap<String, i64>>,
    /// What the listings showed each appointment holding (by its id).
    listed_bodies: HashMap<i64, AppointmentBody>,
    records: Vec<(Outcome, String)>,
    called_ok: bool,
}

impl Executor<'_> {
    fn apply(&mut self, event_id: i64, step: Step) -> Result<(), Failure> {
        let state = self.state;
        match step {
            Step::Unchanged | Step::OutOfWindow | Step::Skip(_) => {}
            Step::Delete { pushed, why } => {
                let id = match pushed.appointment_id {
                    Some(id) => Some(id),
                    // Only an intent: find out whether the create landed.
                    None => match self.listing(pushed.case_id) {
                        Ok(map) => map.get(&event_id.to_string()).copied(),
                        Err(ApiError::NotFound { .. }) => None,
                        Err(e) => return Err(e.into()),
                    },
                };
                if let Some(id) = id {
                    self.client.delete_appointment(id)?;
                    self.called_ok = true;
                    if let Some(m) = self.listings.get_mut(&pushed.case_id) {
                        m.remove(&event_id.to_string());
                    }
                    self.records
                        .push((Outcome::Deleted, format!("appointment {id}: {why}")));
                }
                appointments::forget(state, event_id)?;
            }
            Step::Update { pushed, body } => {
                let Some(id) = pushed.appointment_id else {
                    return Ok(());
                };
                match self.client.update_appointment(id, &body) {
                    Ok(()) => {
                        self.called_ok = true;
                        appointments::record_sent(state, event_id, id, &body, self.now)?;
                        self.records.push((Outcome::Updated, said(&body, self.tz)));
                    }
                    Err(ApiError::NotFound { .. }) => {
                        // Removed in CaseStatus by someone: put it back.
                        appointments::forget(state, event_id)?;
                        return self.create(event_id, pushed.matter_id, pushed.case_id, body);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Step::Create {
                matter_id,
                case_id,
                body,
            } => return self.create(event_id, matter_id, case_id, body),
        }
        Ok(())
    }

    fn create(
        &mut self,
        event_id: i64,
        matter_id: i64,
        case_id: i64,
        body: AppointmentBody,
    ) -> Result<(), Failure> {
        let state = self.state;
        appointments::record_intent(state, event_id, matter_id, case_id, self.now)?;
        let Some((id, outcome)) = self.find_or_create(case_id, &body)? else {
            return self.case_not_there(case_id);
        };
        if outcome == Outcome::AlreadyInCasestatus {
            // It exists, maybe with older data: make it match, unless the
            // listing showed it holding just this.
            appointments::record_id(state, event_id, id)?;
            if self.listed_bodies.get(&id) != Some(&body) {
                self.client.update_appointment(id, &body)?;
            }
        }
        appointments::record_sent(state, event_id, id, &body, self.now)?;
        if let Some(m) = self.listings.get_mut(&case_id) {
            m.insert(body.integration_id.clone(), id);
        }
        self.records.push((
            outcome,
            format!(
                "{} → appointment {id} on case {case_id}",
                said(&body, self.tz)
            ),
        ));
        Ok(())
    }

    /// The appointment's id in CaseStatus and whether it was found
    /// ([`Outcome::AlreadyInCasestatus`]) or [`Outcome::Created`]; None
    /// when CaseStatus does not show the case.
    fn find_or_create(
        &mut self,
        case_id: i64,
        body: &AppointmentBody,
    ) -> Result<Option<(i64, Outcome)>, Failure> {
        let existing = match self.listing(case_id) {
            Ok(map) => map.get(&body.integration_id).copied(),
            Err(ApiError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if let Some(id) = existing {
            return Ok(Some((id, Outcome::AlreadyInCasestatus)));
        }
        match self.client.create_appointment(case_id, body) {
            Ok(id) => {
                self.called_ok = true;
                Ok(Some((id, Outcome::Created)))
            }
            Err(ApiError::Conflict {
                existing_id: Some(id),
                ..
            }) => Ok(Some((id, Outcome::AlreadyInCasestatus))),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => {
                // Perhaps created with the answer lost: look before giving up.
                self.listings.remove(&case_id);
                match self
                    .listing(case_id)
                    .map(|m| m.get(&body.integration_id).copied())
                {
                    Ok(Some(id)) => Ok(Some((id, Outcome::AlreadyInCasestatus))),
                    _ => Err(e.into()),
                }
            }
        }
    }

    /// CaseStatus does not show the case: a case pushed recently is still
    /// being set up there (the event waits); an older one is an error.
    fn case_not_there(&mut self, case_id: i64) -> Result<(), Failure> {
        let recent = self
            .pushed_at
            .get(&case_id)
            .is_some_and(|at| at.as_str() > self.propagation_cutoff);
        if !recent {
            return Err(Failure::Api(ApiError::NotFound {
                message: format!(
                    "case {case_id} is not in CaseStatus although it was pushed more than {PROPAGATION_MINUTES} minutes ago (deleted there?)"
                ),
            }));
        }
        self.records.push((
            Outcome::Waiting,
            format!("case {case_id} is new and CaseStatus has not finished setting it up; retried next cycle"),
        ));
        Ok(())
    }

    fn listing(&mut self, case_id: i64) -> Result<&HashMap<String, i64>, ApiError> {
        if !self.listings.contains_key(&case_id) {
            let list = self.client.list_appointments(case_id)?;
            self.called_ok = true;
            let mut map = HashMap::new();
            for a in list {
                if let Some(body) = a.body {
                    self.listed_bodies.insert(a.id, body);
                }
                if let Some(i) = a.integration_id {
                    map.insert(i, a.id);
                }
            }
            self.listings.insert(case_id, map);
        }
        // Inserted just above when missing.
        self.listings
            .get(&case_id)
            .ok_or_else(|| ApiError::NotFound {
                message: format!("case {case_id}"),
            })
    }
}

/// A 404 for a case pushed less than this long ago is CaseStatus's
/// propagation delay; later it means the case is gone.
pub const PROPAGATION_MINUTES: i64 = 30;

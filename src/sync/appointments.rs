//! `sync appointments`: calendar events of enabled event types, on matters
//! that are in CaseStatus, become Meeting appointments on the matter's case.
//!
//! Rules (also in the README):
//! - Created: events starting from the start of yesterday (firm time zone)
//!   to 180 days ahead. The window gates creation only.
//! - Updated: a pushed event whose sent fields differ from what CaseStatus
//!   last accepted, however long ago it changed and wherever it now starts,
//!   so clients never see a stale time. An unchanged event costs no request.
//! - Deleted in CaseStatus: a pushed event whose row is gone, whose
//!   `deleted_at` is set, or whose event type is no longer enabled (the
//!   admin decided it is not client-facing).
//! - Moved to another matter: deleted from the old case, created on the new
//!   one if that matter is in CaseStatus.
//!
//! No duplicates: the intent is recorded before a create, and before the
//! first create on a case in a run, the case's appointments are listed so
//! an earlier create whose answer was lost is found by `integration_id`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::params;

use crate::casestatus::{ApiError, AppointmentBody, CaseStatus, Outages};
use crate::store::fluentcase::{Access, EventRecord};
use crate::store::state::{StateError, StateStore};
use crate::sync::context::Ctx;
use crate::sync::pool::Flow;
use crate::sync::report::Report;

/// How far ahead events are pushed.
pub const DAYS_AHEAD: i64 = 180;

/// The creation window: from the start of yesterday in the firm's time
/// zone to 180 days after now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The window for `now` in time zone `tz`.
pub fn window(now: DateTime<Utc>, tz: Tz) -> Window {
    let yesterday = now.with_timezone(&tz).date_naive() - Duration::days(1);
    Window {
        from: local_midnight(yesterday, tz),
        to: now + Duration::days(DAYS_AHEAD),
    }
}

/// Midnight of `day` in `tz`; where midnight does not exist (a DST gap at
/// midnight), the first instant of the day that does.
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(x) = tz.from_local_datetime(&t).earliest() {
            return x.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    // No zone has a gap longer than two hours; fall back to UTC midnight.
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

/// A stored event time: RFC 3339, or a bare date (midnight in the firm's zone).
pub fn parse_event_time(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    crate::util::clock::parse(text).or_else(|| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .map(|d| local_midnight(d, tz))
    })
}

/// Why an event is not (or no longer) wanted in CaseStatus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWanted {
    Deleted,
    TypeDisabled,
    NotInCaseStatus,
    Invalid(String),
}

impl NotWanted {
    fn count_key(&self) -> &'static str {
        match self {
            NotWanted::Deleted => "deleted_in_fluentcase",
            NotWanted::TypeDisabled => "type_not_enabled",
            NotWanted::NotInCaseStatus => "matter_not_in_casestatus",
            NotWanted::Invalid(_) => "invalid",
        }
    }
}

/// The appointment body for an event, or why it cannot be sent.
pub fn appointment_body(e: &EventRecord, tz: Tz) -> Result<AppointmentBody, String> {
    let title = e.title.as_deref().map(str::trim).unwrap_or("");
    if title.is_empty() {
        return Err(format!("event {} has no title", e.id));
    }
    let raw_start = e.starts_at.as_deref().unwrap_or("");
    let start = parse_event_time(raw_start, tz).ok_or_else(|| {
        format!(
            "event {}: starts_at {raw_start:?} is not an RFC 3339 time",
            e.id
        )
    })?;
    let end =
        match e
            .ends_at
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => Some(parse_event_time(raw, tz).ok_or_else(|| {
                format!("event {}: ends_at {raw:?} is not an RFC 3339 time", e.id)
            })?),
        };
    // An end before the start cannot be shown truthfully to a client.
    if let Some(end) = end.filter(|end| *end < start) {
        return Err(format!(
            "event {}: ends ({}) before it starts ({}); not sent — fix the event's times in FluentCase (Calendar → the event)",
            e.id,
            crate::util::clock::local(end, tz),
            crate::util::clock::local(start, tz)
        ));
    }
    let place = e
        .location
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let is_url = place.as_deref().is_some_and(|p| {
        let l = p.to_ascii_lowercase();
        l.starts_with("http://") || l.starts_with("https://")
    });
    Ok(AppointmentBody {
        integration_id: e.id.to_string(),
        appointment_type: "Meeting".into(),
        title: title.to_string(),
        starts_at: crate::util::clock::stamp(start),
        ends_at: end.map(crate::util::clock::stamp),
        all_day: e.all_day,
        notes: e
            .notes
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string),
        location: if is_url { None } else { place.clone() },
        meeting_url: if is_url { place } else { None },
    })
}

/// What the tool knows about one pushed (or about to be pushed) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedEvent {
    pub event_id: i64,
    pub matter_id: i64,
    pub case_id: i64,
    /// None: a create was about to be sent and its outcome is unknown.
    pub appointment_id: Option<i64>,
    /// The JSON body CaseStatus last accepted.
    pub sent: Option<String>,
}

/// One step for one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Create {
        matter_id: i64,
        case_id: i64,
        body: AppointmentBody,
    },
    Update {
        pushed: PushedEvent,
        body: AppointmentBody,
    },
    Delete {
        pushed: PushedEvent,
        why: &'static str,
    },
    Unchanged,
    Skip(NotWanted),
    OutOfWindow,
}

/// What the plan needs besides the event and its ledger row.
pub struct PlanInputs<'a> {
    pub enabled_types: &'a HashSet<String>,
    /// False when an enabled event type no longer exists in FluentCase
    /// (renamed?): then "type not enabled" must not delete anything, or a
    /// rename would wipe that type's appointments from clients' phones.
    pub delete_unenabled: bool,
    /// matter id → CaseStatus case id, for matters in CaseStatus.
    pub cases: &'a HashMap<i64, i64>,
    pub window: Window,
    pub tz: Tz,
}

/// Decide the steps for one event (None: its row is gone). Pure.
pub fn plan_event(
    event: Option<&EventRecord>,
    pushed: Option<&PushedEvent>,
    input: &PlanInputs<'_>,
) -> Vec<Step> {
    let Some(e) = event else {
        return match pushed {
            Some(p) => vec![Step::Delete {
                pushed: p.clone(),
                why: "the event was deleted in FluentCase",
            }],
            None => vec![Step::Unchanged],
        };
    };
    let wanted = (|| {
        if e.deleted_at.is_some() {
            return Err(NotWanted::Deleted);
        }
        if !e
            .event_type
            .as_ref()
            .is_some_and(|t| input.enabled_types.contains(t))
        {
            return Err(NotWanted::TypeDisabled);
        }
        let case_id = e
            .matter_id
            .and_then(|m| input.cases.get(&m).map(|c| (m, *c)))
            .ok_or(NotWanted::NotInCaseStatus)?;
        let body = appointment_body(e, input.tz).map_err(NotWanted::Invalid)?;
        Ok((case_id, body))
    })();
    let in_window = |b: &AppointmentBody| {
        crate::util::clock::parse(&b.starts_at)
            .is_some_and(|s| s >= input.window.from && s <= input.window.to)
    };
    match (wanted, pushed) {
        (Ok(((matter_id, case_id), body)), None) => {
            if in_window(&body) {
                vec![Step::Create {
                    matter_id,
                    case_id,
                    body,
                }]
            } else {
                vec![Step::OutOfWindow]
            }
        }
        (Err(why), None) => vec![Step::Skip(why)],
        (Err(NotWanted::Deleted), Some(p)) => vec![Step::Delete {
            pushed: p.clone(),
            why: "the event was deleted in FluentCase",
        }],
        (Err(NotWanted::TypeDisabled), Some(p)) if input.delete_unenabled => vec![Step::Delete {
            pushed: p.clone(),
            why: "its event type is no longer enabled for appointment sync",
        }],
        (Err(NotWanted::TypeDisabled), Some(_)) => vec![Step::Unchanged],
        (Err(NotWanted::NotInCaseStatus), Some(p)) => vec![Step::Delete {
            pushed: p.clone(),
            why: "the event moved to a matter that is not in CaseStatus",
        }],
        // A row we cannot read now: leave CaseStatus as it is.
        (Err(why @ NotWanted::Invalid(_)), Some(_)) => vec![Step::Skip(why)],
        (Ok(((matter_id, case_id), body)), Some(p)) if p.matter_id != matter_id => vec![
            Step::Delete {
                pushed: p.clone(),
                why: "the event moved to another matter",
            },
            Step::Create {
                matter_id,
                case_id,
                body,
            },
        ],
        (Ok(((matter_id, case_id), body)), Some(p)) if p.appointment_id.is_none() => {
            // An earlier create's outcome is unknown: finish it (the
            // executor looks it up first).
            vec![Step::Create {
                matter_id,
                case_id,
                body,
            }]
        }
        (Ok((_, body)), Some(p)) => {
            let now_json = serde_json::to_string(&body).unwrap_or_default();
            if p.sent.as_deref() == Some(now_json.as_str()) {
                vec![Step::Unchanged]
            } else {
                vec![Step::Update {
                    pushed: p.clone(),
                    body,
                }]
            }
        }
    }
}

/// One appointment cycle.
pub fn cycle(
    ctx: &Ctx,
    state: &mut StateStore,
    client: &CaseStatus,
    run_id: Option<i64>,
) -> anyhow::Result<Report> {
    let dry_run = run_id.is_none();
    let tz = ctx.config.fluentcase.timezone;
    let enabled: HashSet<String> = state.enabled_event_types()?.into_iter().collect();
    let (cases, pushed_at) = pushed_cases(state)?;
    let mut ledger = store::load(state)?;
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

    let mut report = Report::new("appointments", dry_run);
    if !vanished_types.is_empty() {
        report.notes.push(format!(
            "enabled event type(s) {} no longer an event type in FluentCase (renamed?); appointments whose type is not enabled are left as they are until `casestatus-sync event-types` is fixed",
            vanished_types.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    if enabled.is_empty() {
        report.notes.push("no event types are enabled for appointment sync, so no appointments are pushed (casestatus-sync event-types enable NAME...)".into());
    }
    report.run_id = run_id;

    // Plan, keeping only events that need CaseStatus (grouped by case, so
    // one worker lists a case once); everything else is only counted, so a
    // million unchanged events cost a counter, not memory.
    let mut groups: HashMap<i64, EventSteps> = HashMap::new();
    let mut invalid = Vec::new();
    let mut plan_one = |event_id: i64, steps: Vec<Step>, report: &mut Report| {
        let mut actionable = Vec::new();
        for step in steps {
            match step {
                Step::Unchanged => report.bump("unchanged"),
                Step::OutOfWindow => report.bump("outside_window"),
                Step::Skip(NotWanted::Invalid(msg)) => invalid.push((event_id, msg)),
                Step::Skip(why) => report.bump(why.count_key()),
                other => actionable.push(other),
            }
        }
        let key = actionable.iter().find_map(|s| match s {
            Step::Create { case_id, .. } => Some(*case_id),
            Step::Update { pushed, .. } | Step::Delete { pushed, .. } => Some(pushed.case_id),
            _ => None,
        });
        if let Some(case) = key {
            groups.entry(case).or_default().push((event_id, actionable));
        }
    };
    // Events of enabled types, read in one stream; events of other types
    // are only counted, unless they were pushed (then read one by one).
    let not_enabled = fc.for_each_event_of_types(&enabled, |e| {
        let pushed = ledger.remove(&e.id);
        plan_one(
            e.id,
            plan_event(Some(&e), pushed.as_ref(), &input),
            &mut report,
        );
    })?;
    if not_enabled > 0 {
        *report.counts.entry("type_not_enabled".into()).or_default() += not_enabled;
    }
    let mut leftovers: Vec<(i64, PushedEvent)> = ledger.into_iter().collect();
    leftovers.sort_by_key(|(id, _)| *id);
    for (id, pushed) in leftovers {
        let event = fc.event(id)?;
        if event.as_ref().is_some_and(|e| e.deleted_at.is_none()) {
            // Counted above as "not enabled"; its fate is decided here.
            if let Some(n) = report.counts.get_mut("type_not_enabled") {
                *n = n.saturating_sub(1);
            }
        }
        plan_one(
            id,
            plan_event(event.as_ref(), Some(&pushed), &input),
            &mut report,
        );
    }
    for (event_id, msg) in invalid {
        report.record(state, ("event", &event_id.to_string()), "invalid", msg)?;
    }
    let mut groups: Vec<(i64, EventSteps)> = groups.into_iter().collect();
    groups.sort_by_key(|(case, _)| *case);

    if dry_run {
        for (_, events) in &groups {
            for (event_id, steps) in events {
                for step in steps {
                    describe_dry(&mut report, state, ("event", &event_id.to_string()), step)?;
                }
            }
        }
        return Ok(report);
    }

    let total: usize = groups.iter().map(|(_, e)| e.len()).sum();
    let progress = ctx.out.progress(total, "events");
    let now = crate::util::clock::stamp(ctx.now);
    let propagation_cutoff =
        crate::util::clock::stamp(ctx.now - Duration::minutes(PROPAGATION_MINUTES));
    let state_path = state.path().to_path_buf();
    let mut outages = Outages::default();
    let mut failure: Option<anyhow::Error> = None;
    crate::sync::pool::run(
        groups,
        ctx.config.casestatus.concurrency,
        || StateStore::open(&state_path),
        |worker_state, (_, events): (i64, EventSteps), emit| {
            let ws = match worker_state {
                Ok(ws) => ws,
                Err(e) => {
                    emit(EventResult::broken(anyhow::anyhow!("{e}")));
                    return;
                }
            };
            let mut exec = Executor {
                client,
                state: ws,
                now: &now,
                propagation_cutoff: &propagation_cutoff,
                pushed_at: &pushed_at,
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
        },
        |result| {
            progress.inc(1);
            match record_event(state, &mut report, &mut outages, result) {
                Ok(flow) => flow,
                Err(e) => {
                    failure = Some(e);
                    Flow::Stop
                }
            }
        },
    );
    progress.finish_and_clear();
    match failure {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// The steps of the events of one case: (event id, steps).
type EventSteps = Vec<(i64, Vec<Step>)>;

/// What happened to one event on a worker.
struct EventResult {
    event_id: i64,
    /// (outcome, detail) for the report; an empty detail is only counted.
    records: Vec<(&'static str, String)>,
    /// A call to CaseStatus succeeded (the outage streak is over).
    called_ok: bool,
    error: Option<Failure>,
}

impl EventResult {
    fn broken(e: anyhow::Error) -> EventResult {
        EventResult {
            event_id: 0,
            records: Vec::new(),
            called_ok: false,
            error: Some(Failure::Other(e)),
        }
    }
}

/// Count and log one event's result (main thread); whether to go on.
fn record_event(
    state: &StateStore,
    report: &mut Report,
    outages: &mut Outages,
    result: EventResult,
) -> anyhow::Result<Flow> {
    let sid = result.event_id.to_string();
    let subject = ("event", sid.as_str());
    for (outcome, detail) in result.records {
        if detail.is_empty() {
            report.bump(outcome);
        } else {
            report.record(state, subject, outcome, detail)?;
        }
    }
    match result.error {
        None => {
            if result.called_ok {
                outages.ok();
            }
        }
        Some(Failure::State(e)) => return Err(e.into()),
        Some(Failure::Other(e)) => return Err(e),
        // A refusal of this one appointment: record-level, like a 422 for a matter.
        Some(Failure::Api(ApiError::Rejected { code, message })) => {
            report.record(
                state,
                subject,
                "rejected",
                format!("CaseStatus refused it ({code}): {message}; retried next cycle"),
            )?;
        }
        Some(Failure::Api(e)) => {
            if outages.stops_run(&e) {
                report.error = Some(e.to_string());
                report.fatal = Some(e);
                return Ok(Flow::Stop);
            }
            report.record(state, subject, "failed", e.to_string())?;
        }
    }
    Ok(Flow::Continue)
}

fn describe_dry(
    report: &mut Report,
    state: &StateStore,
    subject: (&str, &str),
    step: &Step,
) -> Result<(), StateError> {
    match step {
        Step::Create { case_id, body, .. } => report.record(
            state,
            subject,
            "would_create",
            format!("{:?} at {} on case {case_id}", body.title, body.starts_at),
        ),
        Step::Update { body, .. } => report.record(
            state,
            subject,
            "would_update",
            format!("{:?} at {}", body.title, body.starts_at),
        ),
        Step::Delete { why, .. } => report.record(state, subject, "would_delete", why.to_string()),
        Step::Unchanged | Step::Skip(_) | Step::OutOfWindow => Ok(()),
    }
}

enum Failure {
    Api(ApiError),
    State(StateError),
    Other(anyhow::Error),
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
    /// Cases pushed after this time may still be propagating in CaseStatus.
    propagation_cutoff: &'a str,
    pushed_at: &'a HashMap<i64, String>,
    /// Per case, the appointments CaseStatus holds (integration id → id),
    /// listed once per run before the first create on that case.
    listings: HashMap<i64, HashMap<String, i64>>,
    /// What the listings showed each appointment holding (by its id).
    listed_bodies: HashMap<i64, AppointmentBody>,
    records: Vec<(&'static str, String)>,
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
                        .push(("deleted", format!("appointment {id}: {why}")));
                }
                store::forget(state, event_id)?;
            }
            Step::Update { pushed, body } => {
                let Some(id) = pushed.appointment_id else {
                    return Ok(());
                };
                match self.client.update_appointment(id, &body) {
                    Ok(()) => {
                        self.called_ok = true;
                        store::record_sent(state, event_id, id, &body, self.now)?;
                        self.records
                            .push(("updated", format!("{:?} at {}", body.title, body.starts_at)));
                    }
                    Err(ApiError::NotFound { .. }) => {
                        // Removed in CaseStatus by someone: put it back.
                        store::forget(state, event_id)?;
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
        let recent = self
            .pushed_at
            .get(&case_id)
            .is_some_and(|at| at.as_str() > self.propagation_cutoff);
        let waiting = |records: &mut Vec<(&'static str, String)>| -> Result<(), Failure> {
            if !recent {
                return Err(Failure::Api(ApiError::NotFound {
                    message: format!(
                        "case {case_id} is not in CaseStatus although it was pushed more than {PROPAGATION_MINUTES} minutes ago (deleted there?)"
                    ),
                }));
            }
            records.push((
                "waiting",
                format!("case {case_id} is new and CaseStatus has not finished setting it up; retried next cycle"),
            ));
            Ok(())
        };
        store::record_intent(state, event_id, matter_id, case_id, self.now)?;
        let existing = match self.listing(case_id) {
            Ok(map) => map.get(&body.integration_id).copied(),
            Err(ApiError::NotFound { .. }) => return waiting(&mut self.records),
            Err(e) => return Err(e.into()),
        };
        let (id, outcome) = match existing {
            Some(id) => (id, "found"),
            None => match self.client.create_appointment(case_id, &body) {
                Ok(id) => {
                    self.called_ok = true;
                    (id, "created")
                }
                Err(ApiError::Conflict {
                    existing_id: Some(id),
                    ..
                }) => (id, "found"),
                Err(ApiError::NotFound { .. }) => return waiting(&mut self.records),
                Err(e) => {
                    // Perhaps created with the answer lost: look before giving up.
                    self.listings.remove(&case_id);
                    match self
                        .listing(case_id)
                        .map(|m| m.get(&body.integration_id).copied())
                    {
                        Ok(Some(id)) => (id, "found"),
                        _ => return Err(e.into()),
                    }
                }
            },
        };
        if outcome == "found" {
            // It exists, maybe with older data: make it match, unless the
            // listing showed it holding just this.
            store::record_id(state, event_id, id)?;
            if self.listed_bodies.get(&id) != Some(&body) {
                self.client.update_appointment(id, &body)?;
            }
        }
        store::record_sent(state, event_id, id, &body, self.now)?;
        if let Some(m) = self.listings.get_mut(&case_id) {
            m.insert(body.integration_id.clone(), id);
        }
        self.records.push((
            if outcome == "created" {
                "created"
            } else {
                "already_in_casestatus"
            },
            format!(
                "{:?} at {} → appointment {id} on case {case_id}",
                body.title, body.starts_at
            ),
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

/// For every matter in CaseStatus: matter id → case id, and case id →
/// when the tool learned it was there (for the propagation-delay rule).
#[allow(clippy::type_complexity)]
fn pushed_cases(
    state: &StateStore,
) -> Result<(HashMap<i64, i64>, HashMap<i64, String>), StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT matter_id, case_id, pushed_at FROM matter_ledger WHERE case_id IS NOT NULL",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    let cases = rows.iter().map(|(m, c, _)| (*m, *c)).collect();
    let pushed = rows
        .into_iter()
        .map(|(_, c, at)| (c, at.unwrap_or_default()))
        .collect();
    Ok((cases, pushed))
}

/// A 404 for a case pushed less than this long ago is CaseStatus's
/// propagation delay; later it means the case is gone.
pub const PROPAGATION_MINUTES: i64 = 30;

/// The appointment ledger's SQL.
mod store {
    use super::*;

    pub fn load(state: &StateStore) -> Result<HashMap<i64, PushedEvent>, StateError> {
        let mut stmt = state
            .conn()
            .prepare(
                "SELECT event_id, matter_id, case_id, appointment_id, sent FROM appointment_ledger",
            )
            .map_err(|e| state.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PushedEvent {
                    event_id: r.get(0)?,
                    matter_id: r.get(1)?,
                    case_id: r.get(2)?,
                    appointment_id: r.get(3)?,
                    sent: r.get(4)?,
                })
            })
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(|e| state.err(e))?;
        Ok(rows.into_iter().map(|p| (p.event_id, p)).collect())
    }

    pub fn record_intent(
        state: &StateStore,
        event_id: i64,
        matter_id: i64,
        case_id: i64,
        now: &str,
    ) -> Result<(), StateError> {
        state
            .conn()
            .execute(
                "INSERT INTO appointment_ledger (event_id, matter_id, case_id, intent_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (event_id) DO UPDATE SET matter_id = ?2, case_id = ?3, intent_at = ?4
                 WHERE appointment_id IS NULL",
                params![event_id, matter_id, case_id, now],
            )
            .map_err(|e| state.err(e))?;
        Ok(())
    }

    pub fn record_id(state: &StateStore, event_id: i64, id: i64) -> Result<(), StateError> {
        state
            .conn()
            .execute(
                "UPDATE appointment_ledger SET appointment_id = ?2 WHERE event_id = ?1",
                params![event_id, id],
            )
            .map_err(|e| state.err(e))?;
        Ok(())
    }

    pub fn record_sent(
        state: &StateStore,
        event_id: i64,
        id: i64,
        body: &AppointmentBody,
        now: &str,
    ) -> Result<(), StateError> {
        let sent = serde_json::to_string(body).unwrap_or_default();
        state
            .conn()
            .execute(
                "UPDATE appointment_ledger SET appointment_id = ?2, sent = ?3, pushed_at = ?4
                 WHERE event_id = ?1",
                params![event_id, id, sent, now],
            )
            .map_err(|e| state.err(e))?;
        Ok(())
    }

    pub fn forget(state: &StateStore, event_id: i64) -> Result<(), StateError> {
        state
            .conn()
            .execute(
                "DELETE FROM appointment_ledger WHERE event_id = ?1",
                [event_id],
            )
            .map_err(|e| state.err(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    #[test]
    fn window_starts_at_local_midnight_yesterday_across_dst() {
        // 2026-11-02 12:00 UTC: DST ended 2026-11-01 at 02:00 in Chicago.
        let now = crate::util::clock::parse("2026-11-02T12:00:00Z").unwrap();
        let w = window(now, tz());
        // Yesterday (Nov 1) began at 00:00 CDT = 05:00 UTC.
        assert_eq!(crate::util::clock::stamp(w.from), "2026-11-01T05:00:00Z");
        let now = crate::util::clock::parse("2026-11-03T12:00:00Z").unwrap();
        assert_eq!(
            crate::util::clock::stamp(window(now, tz()).from),
            "2026-11-02T06:00:00Z"
        );
        assert_eq!(
            crate::util::clock::stamp(window(now, tz()).to),
            "2027-05-02T12:00:00Z"
        );
    }

    #[test]
    fn meeting_url_or_location() {
        let mut e = EventRecord {
            id: 77,
            title: Some("Deposition".into()),
            starts_at: Some("2026-12-03T15:00:00Z".into()),
            ..Default::default()
        };
        e.location = Some(" HTTPS://zoom.example/j/1 ".into());
        let b = appointment_body(&e, tz()).unwrap();
        assert_eq!(
            (b.location, b.meeting_url.as_deref()),
            (None, Some("HTTPS://zoom.example/j/1"))
        );
        e.location = Some("123 Main St".into());
        let b = appointment_body(&e, tz()).unwrap();
        assert_eq!(
            (b.location.as_deref(), b.meeting_url),
            (Some("123 Main St"), None)
        );
        assert_eq!(b.appointment_type, "Meeting");
        e.starts_at = Some("2026-12-03".into());
        assert_eq!(
            appointment_body(&e, tz()).unwrap().starts_at,
            "2026-12-03T06:00:00Z"
        );
        e.starts_at = Some("soon".into());
        assert!(appointment_body(&e, tz())
            .unwrap_err()
            .contains("starts_at"));
    }

    #[test]
    fn an_end_before_the_start_is_not_sent() {
        let e = EventRecord {
            id: 78,
            title: Some("Hearing".into()),
            starts_at: Some("2026-12-03T15:00:00Z".into()),
            ends_at: Some("2026-12-03T14:00:00Z".into()),
            ..Default::default()
        };
        let why = appointment_body(&e, tz()).unwrap_err();
        assert!(
            why.contains("before it starts") && why.contains("09:00 CST"),
            "{why}"
        );
        let same = EventRecord {
            ends_at: e.starts_at.clone(),
            ..e
        };
        assert!(appointment_body(&same, tz()).is_ok());
    }
}

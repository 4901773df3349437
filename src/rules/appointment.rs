//! Calendar events as appointments (SPEC §2, help article "Calendar Events
//! → CaseStatus Appointments"), pure: the window (from the start of
//! yesterday in the firm's zone to 180 days ahead), the appointment body
//! (Meeting; location or meeting URL), and each event's steps — create,
//! update when what was sent changed, delete when the event goes.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::casestatus::AppointmentBody;
use crate::store::appointments::PushedEvent;
use crate::store::outcome::Outcome;
use crate::store::records::EventRecord;

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
    /// The outcome an event not wanted is counted under.
    pub fn outcome(&self) -> Outcome {
        match self {
            NotWanted::Deleted => Outcome::DeletedInFluentcase,
            NotWanted::TypeDisabled => Outcome::TypeNotEnabled,
            NotWanted::NotInCaseStatus => Outcome::MatterNotInCasestatus,
            NotWanted::Invalid(_) => Outcome::Invalid,
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

/// Whether an event is wanted in CaseStatus: its (matter, case) and body,
/// or why not.
#[allow(clippy::type_complexity)]
fn wanted(
    e: &EventRecord,
    input: &PlanInputs<'_>,
) -> Result<((i64, i64), AppointmentBody), NotWanted> {
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
    let wanted = wanted(e, input);
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

    #[test]
    fn each_event_gets_its_steps() {
        let now = crate::util::clock::parse("2026-11-28T12:00:00Z").unwrap();
        let enabled: HashSet<String> = ["Deposition".to_string()].into();
        let cases_map: HashMap<i64, i64> = [(1, 5000), (2, 5001)].into();
        let input = PlanInputs {
            enabled_types: &enabled,
            delete_unenabled: true,
            cases: &cases_map,
            window: window(now, tz()),
            tz: tz(),
        };
        let event = |matter: i64, start: &str| EventRecord {
            id: 77,
            matter_id: Some(matter),
            event_type: Some("Deposition".into()),
            title: Some("Deposition".into()),
            starts_at: Some(start.into()),
            ..Default::default()
        };
        let body = appointment_body(&event(1, "2026-12-03T15:00:00Z"), tz()).unwrap();
        let pushed = |matter: i64, sent: Option<String>| PushedEvent {
            event_id: 77,
            matter_id: matter,
            case_id: 5000,
            appointment_id: Some(8000),
            sent,
        };
        let same = Some(serde_json::to_string(&body).unwrap());
        let mut deleted = event(1, "2026-12-03T15:00:00Z");
        deleted.deleted_at = Some("2026-11-28T11:00:00Z".into());
        let mut other_type = event(1, "2026-12-03T15:00:00Z");
        other_type.event_type = Some("Internal".into());
        // (event, ledger row, the steps' names)
        let cases: Vec<(Option<EventRecord>, Option<PushedEvent>, Vec<&str>)> = vec![
            (Some(event(1, "2026-12-03T15:00:00Z")), None, vec!["create"]),
            (
                Some(event(1, "2027-12-03T15:00:00Z")),
                None,
                vec!["outside"],
            ),
            (Some(event(3, "2026-12-03T15:00:00Z")), None, vec!["skip"]),
            (
                Some(event(1, "2026-12-03T15:00:00Z")),
                Some(pushed(1, same.clone())),
                vec!["unchanged"],
            ),
            (
                Some(event(1, "2026-12-04T15:00:00Z")),
                Some(pushed(1, same.clone())),
                vec!["update"],
            ),
            (
                Some(event(2, "2026-12-03T15:00:00Z")),
                Some(pushed(1, same.clone())),
                vec!["delete", "create"],
            ),
            (Some(deleted), Some(pushed(1, same.clone())), vec!["delete"]),
            (
                Some(other_type),
                Some(pushed(1, same.clone())),
                vec!["delete"],
            ),
            (None, Some(pushed(1, same)), vec!["delete"]),
            (None, None, vec!["unchanged"]),
        ];
        for (e, p, want) in cases {
            let steps = plan_event(e.as_ref(), p.as_ref(), &input);
            let got: Vec<&str> = steps
                .iter()
                .map(|s| match s {
                    Step::Create { .. } => "create",
                    Step::Update { .. } => "update",
                    Step::Delete { .. } => "delete",
                    Step::Unchanged => "unchanged",
                    Step::Skip(_) => "skip",
                    Step::OutOfWindow => "outside",
                })
                .collect();
            assert_eq!(got, want, "{e:?} {p:?}");
        }
    }
}

//! Issue 4: calendar events to CaseStatus appointments, end to end.

use std::collections::HashMap;
use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::{Fault, Route};
use rusqlite::params;

/// Insert an event: (id, matter, event type id, title, starts_at, location).
fn event(
    firm: &Firm,
    id: i64,
    matter: i64,
    type_id: i64,
    title: &str,
    starts: &str,
    location: Option<&str>,
) {
    firm.fc()
        .execute(
            "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, ends_at, all_day, location, notes, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, 0, ?6, 'Bring ID', ?7)",
            params![id, matter, type_id, title, starts, location, YESTERDAY],
        )
        .unwrap();
}

/// Live appointments: integration id → (count, case id, body).
fn live(firm: &Firm) -> HashMap<String, (usize, i64, serde_json::Value)> {
    let mut m: HashMap<String, (usize, i64, serde_json::Value)> = HashMap::new();
    for a in firm
        .sandbox
        .appointments()
        .into_iter()
        .filter(|a| !a.deleted)
    {
        let e = m
            .entry(a.integration_id.clone())
            .or_insert((0, a.case_id, a.body.clone()));
        e.0 += 1;
    }
    m
}

fn case_of(firm: &Firm, matter: &str) -> i64 {
    firm.sandbox
        .cases()
        .into_iter()
        .find(|c| c.integration_id == matter)
        .unwrap()
        .id
}

/// Three matters in CaseStatus, Deposition and Medical Appointment enabled.
fn firm_with_cases() -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    firm.add_matter(&{
        let mut m = casestatus_sync::sandbox::sample::SampleMatter::new(9, YESTERDAY);
        m.file_number = None; // never in CaseStatus
        m
    });
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.ok(&["event-types", "enable", "Deposition", "Medical Appointment"]);
    firm
}

#[test]
fn window_edges_in_the_firm_time_zone() {
    let firm = firm_with_cases();
    // NOW is 2026-11-28T12:00Z; yesterday began 2026-11-27 00:00 CST = 06:00Z.
    event(&firm, 1, 1, 1, "edge in", "2026-11-27T06:00:00Z", None);
    event(&firm, 2, 1, 1, "edge out", "2026-11-27T05:59:59Z", None);
    event(&firm, 3, 1, 1, "far in", "2027-05-27T12:00:00Z", None);
    event(&firm, 4, 1, 1, "far out", "2027-05-27T12:00:01Z", None);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 2, "{doc}");
    assert_eq!(doc["counts"]["outside_window"], 2);
    let held = live(&firm);
    assert!(
        held.contains_key("1") && held.contains_key("3") && held.len() == 2,
        "{held:?}"
    );
}

#[test]
fn window_edge_in_a_dst_change_week() {
    let mut firm = firm_with_cases();
    // DST ended in Chicago on 2026-11-01; on Nov 2 "yesterday" began at 00:00 CDT = 05:00Z.
    firm.now = "2026-11-02T12:00:00Z".into();
    event(&firm, 1, 1, 1, "in", "2026-11-01T05:00:00Z", None);
    event(&firm, 2, 1, 1, "out", "2026-11-01T04:59:59Z", None);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert!(live(&firm).contains_key("1"));
}

#[test]
fn only_enabled_types_on_matters_in_casestatus() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 4, "Strategy", "2026-12-01T15:00:00Z", None); // type not enabled
    event(&firm, 2, 9, 1, "Deposition", "2026-12-01T15:00:00Z", None); // matter not in CaseStatus
    event(&firm, 3, 2, 2, "Doctor", "2026-12-01T15:00:00Z", None);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 1);
    assert_eq!(doc["counts"]["type_not_enabled"], 1);
    assert_eq!(doc["counts"]["matter_not_in_casestatus"], 1);
    let held = live(&firm);
    assert_eq!(held["3"].1, case_of(&firm, "2"));
}

#[test]
fn no_enabled_type_pushes_nothing_and_says_so() {
    let firm = firm_with_cases();
    firm.ok(&[
        "event-types",
        "disable",
        "Deposition",
        "Medical Appointment",
    ]);
    event(&firm, 1, 1, 1, "Deposition", "2026-12-01T15:00:00Z", None);
    let out = firm.ok(&["-v", "sync", "appointments"]);
    assert!(out.contains("no event types are enabled"), "{out}");
    assert!(firm.sandbox.appointments().is_empty());
}

#[test]
fn meeting_url_versus_location_and_the_sent_fields() {
    let firm = firm_with_cases();
    event(
        &firm,
        1,
        1,
        1,
        "Deposition",
        "2026-12-03T15:00:00Z",
        Some("123 Main St"),
    );
    event(
        &firm,
        2,
        1,
        1,
        "Video call",
        "2026-12-04T15:00:00Z",
        Some("https://zoom.example/j/42"),
    );
    firm.fc()
        .execute(
            "UPDATE calendar_events SET ends_at = '2026-12-03T16:00:00Z' WHERE id = 1",
            [],
        )
        .unwrap();
    firm.ok(&["sync", "appointments"]);
    let held = live(&firm);
    let b1 = &held["1"].2;
    assert_eq!(b1["appointment_type"], "Meeting");
    assert_eq!(b1["title"], "Deposition");
    assert_eq!(b1["starts_at"], "2026-12-03T15:00:00Z");
    assert_eq!(b1["ends_at"], "2026-12-03T16:00:00Z");
    assert_eq!(b1["all_day"], false);
    assert_eq!(b1["notes"], "Bring ID");
    assert_eq!(b1["location"], "123 Main St");
    assert_eq!(b1["meeting_url"], serde_json::Value::Null);
    let b2 = &held["2"].2;
    assert_eq!(b2["meeting_url"], "https://zoom.example/j/42");
    assert_eq!(b2["location"], serde_json::Value::Null);
}

#[test]
fn edits_are_updated_and_unchanged_events_cost_no_request() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    event(&firm, 2, 1, 1, "Other", "2026-12-05T15:00:00Z", None);
    firm.ok(&["sync", "appointments"]);
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "appointments"]);
    assert!(
        firm.sandbox.requests().is_empty(),
        "{:?}",
        firm.sandbox.requests()
    );

    // Edited long ago as far as updated_at says: still caught, by content.
    firm.fc().execute("UPDATE calendar_events SET title = 'Deposition (moved)', starts_at = '2026-12-04T15:00:00Z' WHERE id = 1", []).unwrap();
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["updated"], 1, "{doc}");
    let reqs = firm.sandbox.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0].method, "PUT");
    let held = live(&firm);
    assert_eq!(held["1"].2["title"], "Deposition (moved)");
    assert_eq!(held["1"].2["starts_at"], "2026-12-04T15:00:00Z");
    assert_eq!(held["1"].0, 1);
}

#[test]
fn deleted_rows_and_deleted_at_remove_the_appointment() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "A", "2026-12-03T15:00:00Z", None);
    event(&firm, 2, 1, 1, "B", "2026-12-04T15:00:00Z", None);
    event(&firm, 3, 1, 1, "C", "2026-12-05T15:00:00Z", None);
    firm.ok(&["sync", "appointments"]);
    firm.fc()
        .execute("DELETE FROM calendar_events WHERE id = 1", [])
        .unwrap();
    firm.fc()
        .execute(
            "UPDATE calendar_events SET deleted_at = '2026-11-28T11:00:00Z' WHERE id = 2",
            [],
        )
        .unwrap();
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["deleted"], 2, "{doc}");
    let held = live(&firm);
    assert_eq!(held.keys().collect::<Vec<_>>(), vec!["3"]);
    // Someone already removed it in CaseStatus: the delete's 404 counts as done.
    let appt = firm
        .sandbox
        .appointments()
        .into_iter()
        .find(|a| a.integration_id == "3" && !a.deleted)
        .unwrap();
    reqwest::blocking::Client::new()
        .delete(format!(
            "{}/v1/api/appointments/{}",
            firm.sandbox.base_url(),
            appt.id
        ))
        .header("Authorization", "ApiKey sandbox-demo-key")
        .send()
        .unwrap();
    firm.fc()
        .execute(
            "UPDATE calendar_events SET deleted_at = '2026-11-28T11:30:00Z' WHERE id = 3",
            [],
        )
        .unwrap();
    let (code, out, err) = firm.run(&["--json", "sync", "appointments"]);
    assert_eq!(code, 0, "{out}{err}");
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "appointments"]);
    assert!(
        firm.sandbox.requests().is_empty(),
        "the ledger row is gone: no second delete"
    );
}

#[test]
fn window_edge_in_the_spring_dst_week() {
    let mut firm = firm_with_cases();
    // DST began in Chicago on 2027-03-14; on Mar 15 "yesterday" began at 00:00 CST = 06:00Z.
    firm.now = "2027-03-15T12:00:00Z".into();
    event(&firm, 1, 1, 1, "in", "2027-03-14T06:00:00Z", None);
    event(&firm, 2, 1, 1, "out", "2027-03-14T05:59:59Z", None);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert!(live(&firm).contains_key("1"));
}

#[test]
fn the_log_counts_appointment_outcomes() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "A", "2026-12-03T15:00:00Z", None);
    event(&firm, 2, 1, 1, "B", "2026-12-04T15:00:00Z", None);
    firm.ok(&["sync", "appointments"]);
    firm.fc()
        .execute("UPDATE calendar_events SET title = 'A2' WHERE id = 1", [])
        .unwrap();
    firm.fc()
        .execute("DELETE FROM calendar_events WHERE id = 2", [])
        .unwrap();
    firm.ok(&["sync", "appointments"]);
    let runs = firm.json(&["log"]);
    let latest = &runs["runs"][0];
    assert_eq!(latest["kind"], "appointments");
    assert_eq!(latest["counts"]["updated"], 1);
    assert_eq!(latest["counts"]["deleted"], 1);
    assert_eq!(runs["runs"][1]["counts"]["created"], 2);
    let text = firm.ok(&["log"]);
    assert!(
        text.contains("updated 1") && text.contains("deleted 1"),
        "{text}"
    );
}

#[test]
fn renaming_an_enabled_event_type_does_not_delete_its_appointments() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    firm.ok(&["sync", "appointments"]);
    firm.fc()
        .execute(
            "UPDATE event_types SET name = 'Depositions' WHERE id = 1",
            [],
        )
        .unwrap();
    let out = firm.ok(&["-v", "sync", "appointments"]);
    assert!(
        out.contains("no longer an event type in FluentCase"),
        "{out}"
    );
    assert_eq!(live(&firm).len(), 1, "the client still sees it");
}

#[test]
fn a_case_gone_from_casestatus_is_an_error_not_waiting_forever() {
    let mut firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    firm.sandbox
        .set_propagation_delay(Duration::from_secs(3600 * 24 * 365));
    // Just pushed: waiting.
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["waiting"], 1, "{doc}");
    // A day later CaseStatus still says 404: not propagation any more.
    firm.now = "2026-11-29T12:00:00Z".into();
    let (code, out, err) = firm.run(&["-v", "sync", "appointments"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("failed: event 1"), "{out}");
}

#[test]
fn disabling_a_type_or_moving_an_event_follows_the_rules() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    event(&firm, 2, 1, 2, "Doctor", "2026-12-04T15:00:00Z", None);
    firm.ok(&["sync", "appointments"]);
    firm.ok(&["event-types", "disable", "Medical Appointment"]);
    firm.fc()
        .execute("UPDATE calendar_events SET matter_id = 3 WHERE id = 1", [])
        .unwrap();
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["deleted"], 2, "{doc}");
    assert_eq!(doc["counts"]["created"], 1);
    let held = live(&firm);
    assert_eq!(held.len(), 1);
    assert_eq!(held["1"].1, case_of(&firm, "3"), "moved to matter 3's case");
}

#[test]
fn propagation_delay_waits_then_succeeds() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    firm.sandbox.set_propagation_delay(Duration::from_secs(600));
    firm.ok(&["sync", "matters"]);
    let (code, out, err) = firm.run(&["-v", "sync", "appointments"]);
    assert_eq!(code, 0, "waiting is not an error: {out}{err}");
    assert!(out.contains("waiting: event 1"), "{out}");
    assert!(firm.sandbox.appointments().is_empty());
    firm.sandbox.set_propagation_delay(Duration::ZERO);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(live(&firm)["1"].0, 1);
}

#[test]
fn lost_create_response_makes_no_duplicate() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    event(&firm, 2, 2, 1, "Deposition", "2026-12-03T15:00:00Z", None);
    firm.sandbox.set_allow_duplicates(true); // the tool, not a 409, must prevent them
    firm.sandbox
        .inject(Route::new("POST", "/v1/api/cases/"), Fault::LoseResponse, 2);
    let (code, out, err) = firm.run(&["-v", "sync", "appointments"]);
    assert_eq!(code, 0, "{out}{err}");
    firm.ok(&["sync", "appointments"]);
    let held = live(&firm);
    assert_eq!((held["1"].0, held["2"].0), (1, 1), "{held:?}");
}

#[test]
fn a_bad_event_row_does_not_stop_the_cycle() {
    let firm = firm_with_cases();
    event(&firm, 1, 1, 1, "Broken", "next week", None);
    event(&firm, 2, 1, 1, "Good", "2026-12-03T15:00:00Z", None);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["created"], 1);
    assert_eq!(doc["counts"]["invalid"], 1);
    assert!(doc["items"].to_string().contains("next week"));
}

//! Issue 3: matter sync, why-skipped and the Recent Activity log, end to
//! end against the sandbox. Outcomes are checked in what CaseStatus holds.

use std::collections::HashMap;

use crate::common::*;
use casestatus_sync::sandbox::sample::{SampleClient, SampleMatter};
use casestatus_sync::sandbox::{Fault, Route};
use serde_json::json;

/// integration_id → number of cases CaseStatus holds for it.
fn cases_by_matter(firm: &Firm) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for c in firm.sandbox.cases() {
        *m.entry(c.integration_id.clone()).or_default() += 1;
    }
    m
}

fn creates(firm: &Firm) -> usize {
    firm.sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/api/cases")
        .count()
}

#[test]
fn first_sync_creates_eligible_skips_the_rest_second_creates_nothing() {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    let mut no_phone = SampleMatter::new(4, YESTERDAY);
    no_phone.client.as_mut().unwrap().phones.clear();
    firm.add_matter(&no_phone);
    let mut closed = SampleMatter::new(5, YESTERDAY);
    closed.status_id = Some(5);
    firm.add_matter(&closed);
    firm.connect_and_map();

    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 3, "{doc}");
    assert_eq!(doc["skipped_by_reason"]["primary_party_no_phone"], 1);
    assert_eq!(doc["skipped_by_reason"]["status_not_synced"], 1);
    let held = cases_by_matter(&firm);
    assert_eq!(held.len(), 3);
    assert!(["1", "2", "3"].iter().all(|id| held.get(*id) == Some(&1)));

    // The payload CaseStatus received, field by field.
    let case = firm
        .sandbox
        .cases()
        .into_iter()
        .find(|c| c.integration_id == "2")
        .unwrap();
    let b = &case.body;
    assert_eq!(b["readable_id"], "WC-2026-0002");
    assert_eq!(b["practice_area"], "Workers' Compensation");
    assert_eq!(b["stage"], "Treatment");
    assert_eq!(b["opened_on"], "2026-01-05");
    assert_eq!(b["closed_on"], serde_json::Value::Null);
    assert_eq!(
        b["attorney"],
        json!({"name": "Dana Reyes", "email": "dreyes@firm.example"})
    );
    assert_eq!(b["paralegal_email"], "pat@firm.example");
    assert_eq!(
        b["client"],
        json!({"first_name": "Maria", "last_name": "Lopez2", "phone": "+15125550142", "email": "client2@mail.example", "date_of_birth": "1980-03-14"})
    );
    assert_eq!(b["deep_link"], "https://acme.fluentcase.com/matters/2");

    firm.sandbox.clear_requests();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"].get("created"), None, "{doc}");
    assert_eq!(doc["counts"]["in_casestatus"], 3);
    assert!(
        firm.sandbox.requests().is_empty(),
        "a steady cycle sends no request per matter: {:?}",
        firm.sandbox.requests()
    );
    assert_eq!(firm.sandbox.cases().len(), 3);
}

#[test]
fn existing_case_is_recorded_not_created_again() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    // Someone already pushed matter 2 (e.g. an earlier integration).
    let existing = firm.case_made_elsewhere("2");
    firm.sandbox.clear_requests();

    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1);
    assert_eq!(
        doc["items"].as_array().map(|i| i
            .iter()
            .filter(|x| x["outcome"] == "already_in_casestatus")
            .count()),
        Some(1),
        "{doc}"
    );
    assert_eq!(creates(&firm), 1, "only matter 1 is created");
    let why = firm.json(&["why-skipped", "2"]);
    assert_eq!(why["casestatus_case_id"], existing);
    assert_eq!(why["in_casestatus"], true);
}

#[test]
fn a_409_records_the_existing_id() {
    let firm = Firm::new();
    // CaseStatus's 409 on: treated as "exists" (never relied on elsewhere).
    firm.sandbox
        .set_quirks(casestatus_sync::sandbox::Quirks::default());
    firm.add_matters(1, 1);
    firm.connect_and_map();
    // The case exists but the look-up misses it (e.g. CaseStatus's index lags).
    let existing = firm.case_made_elsewhere("1");
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/cases"),
        Fault::Respond {
            status: 200,
            body: "[]".into(),
        },
        1,
    );
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        doc["items"].as_array().map(|i| i
            .iter()
            .filter(|x| x["outcome"] == "already_in_casestatus")
            .count()),
        Some(1),
        "{doc}"
    );
    assert_eq!(firm.sandbox.cases().len(), 1);
    assert_eq!(
        firm.json(&["why-skipped", "1"])["casestatus_case_id"],
        existing
    );
}

#[test]
fn rejected_by_casestatus_then_accepted_next_cycle() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(7, YESTERDAY);
    m.attorney_id = Some(6); // not a CaseStatus user yet
    firm.add_matter(&m);
    firm.connect_and_map();

    let (code, out, err) = firm.run(&["-v", "sync", "matters"]);
    assert_eq!(code, 0, "a 422 is a record-level outcome: {out}{err}");
    assert!(out.contains("rejected by CaseStatus: matter 7"), "{out}");
    assert!(out.contains("attorney_not_found"), "{out}");
    let why = firm.json(&["why-skipped", "WC-2026-0007"]);
    assert_eq!(
        why["eligible"], false,
        "refused by CaseStatus: not going to be pushed as is"
    );
    assert_eq!(why["in_casestatus"], false);
    assert_eq!(why["reasons"][0]["code"], "rejected_by_casestatus");
    assert!(
        why["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("snewhire@firm.example"),
        "{why}"
    );

    firm.sandbox.add_user("snewhire@firm.example");
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(cases_by_matter(&firm).get("7"), Some(&1));
    let why = firm.json(&["why-skipped", "7"]);
    assert_eq!(why["reasons"], json!([]));
}

#[test]
fn lost_create_response_never_makes_a_second_case() {
    let firm = Firm::new();
    firm.write_config("concurrency = 1"); // the faults below are queued in request order
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.sandbox.set_allow_duplicates(true);
    // The create for the first matter is done but its answer is lost, and
    // the reconciling look-up fails too: the run records an error.
    firm.lose_case_create_answers(1);
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/cases"),
        Fault::Respond {
            status: 200,
            body: "[]".into(),
        },
        1,
    ); // first look-up: not there
    firm.sandbox
        .inject(Route::new("GET", "/v1/api/cases"), Fault::Status(503), 3); // reconcile look-up fails (with retries)
    let (code, out, err) = firm.run(&["-v", "sync", "matters"]);
    assert_eq!(code, 1, "records failed: {out}{err}");
    assert!(err.contains("log --run"), "{err}");
    assert_eq!(
        firm.sandbox.cases().len(),
        2,
        "both were created in CaseStatus"
    );

    firm.sandbox.clear_requests();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        doc["items"].as_array().map(|i| i
            .iter()
            .filter(|x| x["outcome"] == "already_in_casestatus")
            .count()),
        Some(1),
        "{doc}"
    );
    assert_eq!(creates(&firm), 0, "no second create");
    let held = cases_by_matter(&firm);
    assert_eq!((held.get("1"), held.get("2")), (Some(&1), Some(&1)));
}

#[test]
fn lost_response_reconciled_in_the_same_run() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.lose_case_create_answers(1);
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        doc["items"].as_array().map(|i| i
            .iter()
            .filter(|x| x["outcome"] == "already_in_casestatus")
            .count()),
        Some(1),
        "{doc}"
    );
    assert_eq!(firm.sandbox.cases().len(), 1);
}

#[test]
fn drift_is_reported_after_the_push() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.fc()
        .execute("UPDATE matters SET attorney_id = 2 WHERE id = 1", [])
        .unwrap();
    let out = firm.ok(&["-v", "sync", "matters"]);
    assert!(
        out.contains("changed since the push — update it in CaseStatus by hand")
            && out.contains("attorney: sent \"Dana Reyes <dreyes@firm.example>\", now \"Michael Chen <mchen@firm.example>\""),
        "{out}"
    );
    let why = firm.json(&["why-skipped", "1"]);
    assert_eq!(why["changed_since_push"][0]["field"], "attorney", "{why}");
    let text = firm.ok(&["why-skipped", "1"]);
    assert!(
        text.contains("in CaseStatus since 2026-11-28 06:00 CST; changed since the push")
            && text.contains("attorney: sent"),
        "{text}"
    );
    let runs = firm.json(&["log"]);
    let latest = runs["runs"][0]["id"].as_i64().unwrap();
    let run = firm.json(&["log", "--run", &latest.to_string()]);
    assert_eq!(run["items"][0]["outcome"], "changed_since_push", "{run}");
    assert_eq!(firm.sandbox.cases().len(), 1, "no update or second create");
}

#[test]
fn too_new_waits_for_45_minutes_on_the_injected_clock() {
    let mut firm = Firm::new();
    firm.add_matter(&SampleMatter::new(1, "2026-11-28T11:30:00Z"));
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["skipped_by_reason"]["too_new"], 1);
    let why = firm.json(&["why-skipped", "1"]);
    assert_eq!(why["eligible_from"], "2026-11-28T12:15:00Z");
    assert_eq!(why["reasons"][0]["code"], "too_new");
    firm.now = "2026-11-28T12:15:00Z".into();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1);
}

#[test]
fn synced_statuses_filter_the_push() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.status_id = Some(1); // Intake
    firm.add_matter(&m);
    firm.connect_and_map();
    assert_eq!(
        firm.json(&["sync", "matters"])["skipped_by_reason"]["status_not_synced"],
        1
    );
    firm.ok(&["synced-statuses", "Open", "Intake"]);
    assert_eq!(firm.json(&["sync", "matters"])["counts"]["created"], 1);
    assert_eq!(firm.sandbox.cases()[0].body["stage"], "Intake");
}

#[test]
fn why_skipped_lists_every_rule_and_where_to_fix() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1042, YESTERDAY);
    m.file_number = Some("WC-2026-0042".into());
    m.client = Some(SampleClient {
        first_name: Some("Maria".into()),
        last_name: None,
        email: None,
        date_of_birth: None,
        phones: vec![],
    });
    m.attorney_id = None;
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);

    let doc = firm.json(&["why-skipped", "1042"]);
    assert_eq!(doc["matter_id"], 1042);
    assert_eq!(doc["file_number"], "WC-2026-0042");
    assert_eq!(doc["eligible"], false);
    assert_eq!(doc["in_casestatus"], false);
    assert_eq!(doc["casestatus_case_id"], serde_json::Value::Null);
    let codes: Vec<&str> = doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "no_attorney",
            "primary_party_name_missing",
            "primary_party_no_phone"
        ]
    );
    assert_eq!(doc["reasons"][2]["fix"], "Contact record for that party");
    assert_eq!(doc["reasons"][0]["fix"], "Matter → Edit → Staff");
    assert_eq!(
        doc["skipped_since"]["codes"],
        "no_attorney,primary_party_name_missing,primary_party_no_phone"
    );

    let by_file = firm.json(&["why-skipped", "WC-2026-0042"]);
    assert_eq!(by_file["matter_id"], 1042);
    let text = firm.ok(&["why-skipped", "1042"]);
    assert!(text.contains("✖ FAIL") && text.contains("✔ pass"), "{text}");
    assert!(text.contains("Matter → Edit → Staff"), "{text}");
    assert!(text.contains("never pushed"), "{text}");

    let (code, _, err) = firm.run(&["why-skipped", "99999"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["no matter with id or file number \"99999\""]);
}

#[test]
fn broken_rows_skip_their_matter_and_the_cycle_goes_on() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    let mut bad = SampleMatter::new(3, "last tuesday");
    bad.attorney_id = Some(77); // no such staff
    firm.add_matter(&bad);
    firm.fc()
        .execute("UPDATE matters SET opened_on = 20260105 WHERE id = 2", [])
        .unwrap(); // a number, not text
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(doc["skipped_by_reason"]["invalid_record"], 2);
    let why = firm.json(&["why-skipped", "3"]);
    let msgs: Vec<&str> = why["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("staff id 77")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("last tuesday")), "{msgs:?}");
}

#[test]
fn log_lists_runs_and_details_and_forgets_after_30_days() {
    let mut firm = Firm::new();
    firm.add_matters(1, 1);
    let mut m = SampleMatter::new(2, YESTERDAY);
    m.file_number = None;
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.ok(&["sync", "matters"]);
    let out = firm.ok(&["log"]);
    assert!(
        out.contains("matters") && out.contains("created 1"),
        "{out}"
    );
    let runs = firm.json(&["log"]);
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2);
    let first = runs["runs"][1]["id"].as_i64().unwrap();
    let detail = firm.ok(&["log", "--run", &first.to_string()]);
    assert!(
        detail.contains("matter 2") && detail.contains("missing_file_number"),
        "{detail}"
    );
    assert!(
        detail.contains("matter 1") && detail.contains("created"),
        "{detail}"
    );
    // The second run did not re-record an unchanged skip, but shows it as skipped now.
    let second = runs["runs"][0]["id"].as_i64().unwrap();
    let d2 = firm.json(&["log", "--run", &second.to_string()]);
    assert_eq!(d2["items"], json!([]));
    assert_eq!(
        d2["skipped_now"],
        json!([{"matter_id": 2, "codes": "missing_file_number"}])
    );

    firm.now = "2027-01-05T12:00:00Z".into();
    firm.ok(&["sync", "matters"]);
    let runs = firm.json(&["log"]);
    assert_eq!(
        runs["runs"].as_array().unwrap().len(),
        1,
        "runs older than 30 days are gone"
    );
    let (code, _, err) = firm.run(&["log", "--run", &first.to_string()]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["no run"]);
}

#[test]
fn a_held_lock_makes_sync_exit_5() {
    let firm = Firm::new();
    firm.connect_and_map();
    let hold = |since: &str| {
        casestatus_sync::sync::runlock::acquire(
            &firm.state_path,
            casestatus_sync::sync::runlock::Lock::Run,
            since.parse().unwrap(),
        )
        .unwrap()
    };
    // Held by a run that started a minute ago: exit 5, silently.
    let held = hold("2026-11-28T11:59:00Z");
    let (code, out, err) = firm.run(&["sync", "matters"]);
    assert_eq!((code, out.as_str(), err.as_str()), (5, "", ""));
    drop(held);
    // Held for over an hour: one line naming the holder.
    let _held = hold("2026-11-28T10:59:00Z");
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 5);
    assert_one_line_error(
        &err,
        &[
            "another casestatus-sync run holds the lock",
            &format!("pid {}", std::process::id()),
            "started 2026-11-28 04:59 CST, 61 min ago",
        ],
    );
}

#[test]
fn refused_key_stops_the_run_with_exit_3() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.run_stdin(
        &["connect", "--name", "k", "--api-key-stdin", "--no-test"],
        "revoked-key",
    );
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 3, "a refused key needs a person");
    assert_one_line_error(&err, &["401"]);
    assert!(!err.contains("revoked-key"));
    let runs = firm.json(&["log"]);
    assert!(runs["runs"][0]["error"].as_str().unwrap().contains("401"));
    assert!(firm.sandbox.cases().is_empty());
}

#[test]
fn an_unconfirmed_create_waits_before_it_is_sent_again() {
    let mut firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.sandbox.set_allow_duplicates(true);
    // The create fails with a 500 (it may or may not have been done); the
    // reconciling look-up sees nothing.
    firm.sandbox
        .inject(Route::new("POST", "/v1/api/cases"), Fault::Status(500), 1);
    let (code, _, _) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 1);
    assert!(firm.sandbox.cases().is_empty());
    // Ten minutes later CaseStatus still lists nothing: wait, don't resend.
    firm.now = "2026-11-28T12:10:00Z".into();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["waiting"], 1, "{doc}");
    assert_eq!(creates(&firm), 1);
    // After the grace period it is sent again, once.
    firm.now = "2026-11-28T12:31:00Z".into();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(cases_by_matter(&firm).get("1"), Some(&1));
}

#[test]
fn a_resumed_push_keeps_the_first_body_as_the_drift_baseline() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.lose_case_create_answers(1);
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/cases"),
        Fault::Respond {
            status: 200,
            body: "[]".into(),
        },
        1,
    );
    firm.sandbox
        .inject(Route::new("GET", "/v1/api/cases"), Fault::Status(503), 3);
    firm.run(&["sync", "matters"]);
    // The attorney changes before the next cycle finds the case.
    firm.fc()
        .execute("UPDATE matters SET attorney_id = 2 WHERE id = 1", [])
        .unwrap();
    let out = firm.ok(&["-v", "sync", "matters"]);
    assert!(out.contains("already in CaseStatus: matter 1"), "{out}");
    let why = firm.json(&["why-skipped", "1"]);
    assert_eq!(why["changed_since_push"][0]["field"], "attorney", "{why}");
    assert_eq!(
        why["changed_since_push"].as_array().map(Vec::len),
        Some(1),
        "{why}"
    );
}

/// The planning state a quiet cycle relies on: phone numbers met in a sync
/// are remembered in E.164 (a dry run remembers nothing), and a skipped
/// matter deleted from FluentCase leaves the skip state while one that is
/// still there keeps it.
#[test]
fn phone_numbers_are_remembered_and_deleted_matters_leave_the_skip_state() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.client.as_mut().unwrap().phones = vec![(Some("Cell".into()), "(512) 555-0105".into())];
    firm.add_matter(&m);
    for id in [2, 3] {
        let mut s = SampleMatter::new(id, YESTERDAY);
        s.file_number = None;
        firm.add_matter(&s);
    }
    firm.connect_and_map();
    let state = || rusqlite::Connection::open(&firm.state_path).unwrap();
    let cached = || -> Vec<(String, String, Option<String>)> {
        let c = state();
        let mut stmt = c
            .prepare("SELECT region, raw, e164 FROM phone_numbers ORDER BY raw")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    firm.ok(&["sync", "matters", "--dry-run"]);
    assert!(cached().is_empty(), "a dry run writes nothing");

    firm.ok(&["sync", "matters"]);
    let numbers = cached();
    assert!(
        numbers.contains(&(
            "US".into(),
            "(512) 555-0105".into(),
            Some("+15125550105".into())
        )),
        "{numbers:?}"
    );
    let skipped = |id: i64| -> i64 {
        state()
            .query_row(
                "SELECT count(*) FROM matter_skips WHERE matter_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!((skipped(2), skipped(3)), (1, 1));

    let fc = firm.fc();
    fc.execute("DELETE FROM matter_parties WHERE matter_id = 2", [])
        .unwrap();
    fc.execute("DELETE FROM matters WHERE id = 2", []).unwrap();
    firm.ok(&["sync", "matters"]);
    assert_eq!(
        (skipped(2), skipped(3)),
        (0, 1),
        "only the deleted matter leaves"
    );
    assert_eq!(firm.sandbox.cases().len(), 1);
}

/// A quiet cycle compares a skipped matter's codes without writing its
/// messages: the count stays right, nothing is logged again, and once the
/// reasons change they are logged with their messages in full.
#[test]
fn an_unchanged_skip_is_counted_and_a_changed_one_logged_with_its_messages() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.file_number = None;
    firm.add_matter(&m);
    firm.connect_and_map();
    let items = || -> Vec<(String, String)> {
        let c = rusqlite::Connection::open(&firm.state_path).unwrap();
        let mut stmt = c
            .prepare(
                "SELECT outcome, detail FROM run_items
                 WHERE subject = 'matter' AND subject_id = '1' ORDER BY rowid",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let messages = |detail: &str| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(detail).unwrap();
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap().to_string();
                (text("code"), text("message"))
            })
            .collect()
    };

    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["skipped_by_reason"]["missing_file_number"], 1, "{doc}");
    assert_eq!(items().len(), 1);

    // The same reasons: counted under them, not logged again.
    for _ in 0..2 {
        let doc = firm.json(&["sync", "matters"]);
        assert_eq!(doc["counts"]["skipped"], 1, "{doc}");
        assert_eq!(doc["skipped_by_reason"]["missing_file_number"], 1, "{doc}");
        assert_eq!(items().len(), 1, "an unchanged skip is not logged again");
    }
    let text = firm.ok(&["why-skipped", "1"]);
    assert!(text.contains("the matter has no file number"), "{text}");

    // Closed as well: a new log item, every message written.
    firm.fc()
        .execute("UPDATE matters SET status_id = 5 WHERE id = 1", [])
        .unwrap();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["skipped_by_reason"]["status_not_synced"], 1, "{doc}");
    let logged = items();
    assert_eq!(logged.len(), 2, "{logged:?}");
    let reasons = messages(&logged[1].1);
    let codes: Vec<&str> = reasons.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["missing_file_number", "status_not_synced"]);
    assert!(
        reasons.iter().all(|(_, msg)| !msg.trim().is_empty()),
        "{reasons:?}"
    );

    // Fixed: created, and the skip is gone.
    firm.fc()
        .execute(
            "UPDATE matters SET status_id = 2, file_number = 'WC-1' WHERE id = 1",
            [],
        )
        .unwrap();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(firm.sandbox.cases().len(), 1);
}

/// Ids that point nowhere are named alike by a cycle (which reads the
/// small tables once per scan) and by `why-skipped` (one matter).
#[test]
fn dangling_ids_are_named_alike_by_sync_and_why_skipped() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.case_type_id = Some(99);
    m.status_id = Some(98);
    firm.add_matter(&m);
    firm.add_matter(&SampleMatter::new(2, YESTERDAY));
    // A paralegal that is gone is sent as no paralegal, never a block.
    firm.fc()
        .execute("UPDATE matters SET paralegal_id = 97 WHERE id = 2", [])
        .unwrap();
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(doc["counts"]["created"], 1, "{doc}");
    assert_eq!(doc["skipped_by_reason"]["invalid_record"], 1, "{doc}");
    let case = &firm.sandbox.cases()[0];
    assert_eq!(case.integration_id, "2");
    assert_eq!(case.body["paralegal_email"], serde_json::Value::Null);

    let logged: String = rusqlite::Connection::open(&firm.state_path)
        .unwrap()
        .query_row(
            "SELECT detail FROM run_items WHERE subject = 'matter' AND subject_id = '1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let why = firm.json(&["why-skipped", "1"]);
    for expected in [
        "case type id 99 does not exist in FluentCase",
        "status id 98 does not exist in FluentCase",
    ] {
        assert!(logged.contains(expected), "{logged}");
        assert!(why.to_string().contains(expected), "{why}");
    }
}

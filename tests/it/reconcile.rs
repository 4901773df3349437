//! Issue 17: reconcile by listing. A first push costs about one request
//! per matter; a lost state file is rebuilt from CaseStatus's listing in
//! pages, not look-ups, without creating anything; a lost answer during a
//! listing-based run still never duplicates.

use std::collections::HashMap;

use crate::common::Firm;
use casestatus_sync::sandbox::RequestRecord;

fn count(reqs: &[RequestRecord], method: &str, path: &str, lookups: bool) -> usize {
    reqs.iter()
        .filter(|r| r.method == method && r.path == path)
        .filter(|r| r.query.contains("integration_id") == lookups)
        .count()
}

fn cases_per_matter(firm: &Firm) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for c in firm.sandbox.cases() {
        *n.entry(c.integration_id).or_default() += 1;
    }
    n
}

#[test]
fn first_push_by_listing_needs_about_one_request_per_matter() {
    let firm = Firm::new();
    firm.add_matters(1, 150);
    firm.connect_and_map();
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    let reqs = firm.sandbox.requests();
    assert_eq!(count(&reqs, "POST", "/v1/api/cases", false), 150);
    assert_eq!(count(&reqs, "GET", "/v1/api/cases", true), 0, "no look-ups");
    assert_eq!(count(&reqs, "GET", "/v1/api/cases", false), 1, "one page");
    assert!(reqs.len() <= 152, "{} requests for 150 matters", reqs.len());
    assert_eq!(cases_per_matter(&firm).len(), 150);
}

#[test]
fn a_lost_state_file_is_rebuilt_from_pages_without_a_create() {
    let firm = Firm::new();
    firm.add_matters(1, 250);
    firm.add_depositions(1..=3);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.ok(&["sync", "all"]);
    // Matter 250 was pushed, then closed: skipped now, but in CaseStatus.
    firm.fc()
        .execute("UPDATE matters SET status_id = 5 WHERE id = 250", [])
        .unwrap();
    let cases_before = firm.sandbox.cases().len();
    let appointments_before = firm.sandbox.appointments().len();
    assert_eq!((cases_before, appointments_before), (250, 3));

    for suffix in ["", "-wal", "-shm"] {
        let mut p = firm.state_path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.sandbox.clear_requests();
    firm.sandbox.set_allow_duplicates(true);
    firm.ok(&["sync", "matters"]);
    let reqs = firm.sandbox.requests();
    assert_eq!(count(&reqs, "POST", "/v1/api/cases", false), 0, "no create");
    assert_eq!(count(&reqs, "GET", "/v1/api/cases", true), 0, "no look-ups");
    assert_eq!(
        count(&reqs, "GET", "/v1/api/cases", false),
        8,
        "250 cases are three pages of 100 and the empty one that ends the list, read twice (two readings that agree prove absence)"
    );
    assert_eq!(firm.sandbox.cases().len(), cases_before);
    for m in ["1", "249", "250"] {
        let doc = firm.json(&["why-skipped", m]);
        assert_eq!(doc["in_casestatus"], true, "matter {m}: {doc}");
    }
    // Appointments come back by one listing per case, not a create each.
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "appointments"]);
    let reqs = firm.sandbox.requests();
    assert!(
        reqs.iter().all(|r| r.method == "GET"),
        "only listings: {reqs:?}"
    );
    assert_eq!(
        reqs.len(),
        6,
        "one listing per case with events (its page and the empty page that ends it): {reqs:?}"
    );
    assert_eq!(firm.sandbox.appointments().len(), appointments_before);
    // And the next cycle needs nothing.
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    firm.ok(&["sync", "appointments"]);
    assert!(firm.sandbox.requests().is_empty());
}

#[test]
fn lost_create_answers_in_a_listing_run_never_duplicate() {
    let mut firm = Firm::new();
    firm.add_matters(1, 120);
    firm.connect_and_map();
    // Duplicates would be accepted: only the tool can prevent them.
    firm.sandbox.set_allow_duplicates(true);
    firm.lose_case_create_answers(5);
    firm.sandbox.clear_requests();
    let (code, out, err) = firm.run(&["sync", "matters"]);
    // Each lost answer is reconciled by a look-up in the same run.
    assert_eq!(code, 0, "{out}{err}");
    let reqs = firm.sandbox.requests();
    assert_eq!(
        count(&reqs, "GET", "/v1/api/cases", false),
        1,
        "the listing path was taken"
    );
    firm.now = "2026-11-28T12:31:00Z".into();
    firm.ok(&["sync", "matters"]);
    firm.now = "2026-11-28T13:31:00Z".into();
    firm.ok(&["sync", "matters"]);
    let per = cases_per_matter(&firm);
    assert_eq!(per.len(), 120);
    assert!(per.values().all(|n| *n == 1), "a duplicate case: {per:?}");
}

#[test]
fn a_usual_cycle_with_two_new_matters_keeps_its_look_ups() {
    let firm = Firm::new();
    firm.add_matters(1, 120);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.add_matters(121, 2);
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    let reqs = firm.sandbox.requests();
    assert_eq!(count(&reqs, "GET", "/v1/api/cases", false), 0, "{reqs:?}");
    assert_eq!(count(&reqs, "GET", "/v1/api/cases", true), 2, "{reqs:?}");
    assert_eq!(count(&reqs, "POST", "/v1/api/cases", false), 2);
}

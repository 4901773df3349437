//! Issue 22: safe against the real CaseStatus. Each test plays one way the
//! service (or the account) may differ from what we assumed (SPEC §2, §4)
//! and asserts what CaseStatus and FluentCase hold afterwards: nothing
//! created twice, nothing stranded. The sandbox answers no 409 in these
//! tests, so only the tool can prevent a duplicate.

use std::collections::HashMap;

use crate::common::Firm;
use casestatus_sync::sandbox::{NewMessage, Quirks, RequestRecord, Sandbox};

/// Cases per integration id in the demo account.
fn cases_per_matter(firm: &Firm) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for c in firm.sandbox.cases() {
        *n.entry(c.integration_id).or_default() += 1;
    }
    n
}

fn assert_once_each(firm: &Firm, matters: usize) {
    let held = cases_per_matter(firm);
    assert_eq!(held.len(), matters, "{held:?}");
    let twice: Vec<_> = held.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
}

fn posts(reqs: &[RequestRecord], path: &str) -> usize {
    reqs.iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .count()
}

/// The state file is lost (a new machine, a restore gone wrong) and the
/// firm connects again.
fn lose_state(firm: &Firm) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = firm.state_path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    firm.connect_and_map();
}

fn quirks(q: Quirks) -> Quirks {
    Quirks {
        no_conflicts: true,
        ..q
    }
}

#[test]
fn pages_smaller_than_asked_never_duplicate_a_rebuilt_book() {
    let firm = Firm::new();
    firm.add_matters(1, 150);
    firm.connect_and_map();
    firm.sandbox.set_quirks(quirks(Quirks {
        page_cap: Some(10),
        ..Quirks::default()
    }));
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    // The first push on a quiet account keeps its request cost:
    // ≤ 1.1 × n + 2 × pages + 10.
    let reqs = firm.sandbox.requests();
    assert_eq!(posts(&reqs, "/v1/api/cases"), 150);
    assert!(reqs.len() <= 165 + 2 + 10, "{} requests", reqs.len());
    assert_once_each(&firm, 150);

    lose_state(&firm);
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    let reqs = firm.sandbox.requests();
    assert_eq!(posts(&reqs, "/v1/api/cases"), 0, "rebuilt, not created");
    assert_once_each(&firm, 150);
    for m in ["1", "75", "150"] {
        assert_eq!(firm.json(&["why-skipped", m])["in_casestatus"], true);
    }
}

#[test]
fn a_look_up_whose_filter_is_ignored_never_duplicates() {
    let firm = Firm::new();
    firm.add_matters(1, 30);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    // Matter 31's case was made by hand; CaseStatus ignores the filter and
    // answers pages of 10 of the whole account.
    let made = firm.case_made_elsewhere("31");
    firm.add_matters(31, 1);
    firm.sandbox.set_quirks(quirks(Quirks {
        page_cap: Some(10),
        ignore_filters: true,
        ..Quirks::default()
    }));
    firm.ok(&["sync", "matters"]);
    assert_once_each(&firm, 31);
    assert_eq!(
        firm.json(&["why-skipped", "31"])["casestatus_case_id"],
        made
    );
}

#[test]
fn every_client_message_arrives_when_pages_are_short() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    for i in 0..25 {
        firm.sandbox
            .add_message(NewMessage::client("1", "Maria Lopez", &format!("note {i}")));
    }
    firm.sandbox.set_quirks(quirks(Quirks {
        page_cap: Some(10),
        ignore_filters: true,
        ..Quirks::default()
    }));
    firm.ok(&["sync", "messages"]);
    let n: i64 = firm
        .fc()
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 25, "every message, in one cycle");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
    // Processed ones come back from the ignored filter: nothing twice.
    firm.ok(&["sync", "messages"]);
    let n: i64 = firm
        .fc()
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 25);
}

#[test]
fn a_listing_that_changes_while_it_is_read_proves_nothing_absent() {
    let firm = Firm::new();
    firm.add_matters(1, 150);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    lose_state(&firm);
    // People work in CaseStatus during the listing: offset paging misses
    // a case on every reading.
    firm.sandbox.set_quirks(quirks(Quirks {
        reorder_listing: true,
        ..Quirks::default()
    }));
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "matters"]);
    let reqs = firm.sandbox.requests();
    assert_eq!(posts(&reqs, "/v1/api/cases"), 0);
    assert_once_each(&firm, 150);
    // Each reading missed a case, a different one: read twice, and what
    // neither reading saw would have been looked up.
    let readings = reqs
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/api/cases")
        .filter(|r| !r.query.contains("integration_id"))
        .count();
    assert!(readings >= 4, "{readings} listing requests");
}

#[test]
fn ids_as_strings_work_everywhere() {
    let firm = Firm::new();
    firm.sandbox.set_quirks(quirks(Quirks {
        string_ids: true,
        ..Quirks::default()
    }));
    firm.add_matters(1, 3);
    firm.add_depositions(1..=3);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.sandbox
        .add_message(NewMessage::client("2", "Maria Lopez", "hello"));
    firm.ok(&["sync", "all"]);
    firm.ok(&["sync", "all"]);
    assert_once_each(&firm, 3);
    let live = firm
        .sandbox
        .appointments()
        .iter()
        .filter(|a| !a.deleted)
        .count();
    assert_eq!(live, 3);
    let n: i64 = firm
        .fc()
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let case = &firm.sandbox.cases()[0];
    assert_eq!(
        firm.json(&["why-skipped", &case.integration_id])["casestatus_case_id"],
        case.id
    );
}

#[test]
fn a_case_for_007_is_not_matter_7s() {
    // By listing (a first push of ten) and by look-up (one new matter,
    // the filter ignored): the same rule.
    let firm = Firm::new();
    firm.add_matters(1, 10);
    firm.connect_and_map();
    let hand_made = firm.case_made_elsewhere("007");
    firm.sandbox.set_quirks(quirks(Quirks::default()));
    firm.ok(&["sync", "matters"]);
    let doc = firm.json(&["why-skipped", "7"]);
    assert_ne!(doc["casestatus_case_id"], hand_made, "{doc}");
    assert_eq!(cases_per_matter(&firm).get("7"), Some(&1));

    let firm = Firm::new();
    firm.add_matters(7, 1);
    firm.connect_and_map();
    let hand_made = firm.case_made_elsewhere("+7");
    firm.sandbox.set_quirks(quirks(Quirks {
        ignore_filters: true,
        ..Quirks::default()
    }));
    firm.ok(&["sync", "matters"]);
    let doc = firm.json(&["why-skipped", "7"]);
    assert_ne!(doc["casestatus_case_id"], hand_made, "{doc}");
    assert_eq!(cases_per_matter(&firm).get("7"), Some(&1));
}

#[test]
fn a_new_stage_that_took_the_old_ones_name_is_a_change() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    // In CaseStatus, "Treatment" (102) is renamed and a new stage takes
    // its name; staff map Open to the new one.
    let mut areas = firm.sandbox.practice_areas();
    let wc = areas
        .iter_mut()
        .find(|a| a.name == "Workers' Compensation")
        .unwrap();
    let old = wc
        .stages
        .iter_mut()
        .find(|s| s.name == "Treatment")
        .unwrap();
    old.name = "Treatment (old)".into();
    let old_id = old.id;
    wc.stages.push(casestatus_sync::sandbox::Stage {
        id: 190,
        name: "Treatment".into(),
        position: 9,
    });
    firm.sandbox.set_practice_areas(areas);
    firm.ok(&["refetch-practice-areas"]);
    let unchanged = firm.json(&["why-skipped", "1"]);
    assert_eq!(
        unchanged["changed_since_push"],
        serde_json::json!([]),
        "a rename is not a change: {unchanged}"
    );
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment (old)",
        "--clear",
    ]);
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ]);
    let doc = firm.json(&["why-skipped", "1"]);
    let changed = doc["changed_since_push"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{doc}");
    assert_eq!(changed[0]["field"], "stage");
    assert_eq!(changed[0]["sent"], format!("Treatment (stage {old_id})"));
    assert_eq!(changed[0]["now"], "Treatment (stage 190)");
}

#[test]
fn another_accounts_key_stops_creates_until_new_account() {
    let firm = Firm::new();
    firm.sandbox.set_quirks(quirks(Quirks::default()));
    firm.add_matters(1, 3);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    let old_case = firm.json(&["why-skipped", "1"])["casestatus_case_id"].clone();
    // The key of another account at the same URL (a trial → the real one).
    let other = "sandbox-the-real-account";
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "Real account", "--api-key-stdin"],
        other,
    );
    assert_eq!(code, 0, "{out}{err}");
    firm.sandbox
        .add_message_for(other, NewMessage::client("1", "Maria Lopez", "still here"));
    let (code, _, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 3, "{err}");
    crate::common::assert_one_line_error(&err, &["connect --new-account", "another account"]);
    assert!(
        firm.sandbox.cases_for(other).is_empty(),
        "nothing pushed there"
    );
    // Messages are not held up (this one's matter id is its own).
    let n: i64 = firm
        .fc()
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);

    let (code, out, err) = firm.run_stdin(
        &[
            "connect",
            "--new-account",
            "--name",
            "Real account",
            "--api-key-stdin",
        ],
        other,
    );
    assert_eq!(code, 0, "{out}{err}");
    firm.ok(&["sync", "matters"]);
    let mut pushed: Vec<String> = firm
        .sandbox
        .cases_for(other)
        .into_iter()
        .map(|c| c.integration_id)
        .collect();
    pushed.sort();
    assert_eq!(pushed, ["1", "2", "3"]);
    // The old account's record is kept and shown.
    let doc = firm.json(&["why-skipped", "1"]);
    assert_eq!(doc["previous_accounts"][0]["case_id"], old_case, "{doc}");
    assert_eq!(doc["previous_accounts"][0]["account"], "CaseStatus API Key");
    let new_case = firm
        .sandbox
        .cases_for(other)
        .into_iter()
        .find(|c| c.integration_id == "1")
        .unwrap()
        .id;
    assert_eq!(doc["casestatus_case_id"], new_case);
    let log = firm.json(&["log"]);
    assert_eq!(log["previous_accounts"][0]["cases"], 3, "{log}");
    assert!(firm
        .ok(&["why-skipped", "1"])
        .contains("previous CaseStatus account"));
}

#[test]
fn the_same_account_respelt_or_with_a_rotated_key_goes_on() {
    let firm = Firm::new();
    firm.sandbox.set_quirks(quirks(Quirks::default()));
    firm.add_matters(1, 3);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);

    // 127.0.0.1 → localhost: the same account.
    let text = std::fs::read_to_string(&firm.config).unwrap();
    std::fs::write(&firm.config, text.replace("127.0.0.1", "localhost")).unwrap();
    firm.add_matters(4, 1);
    firm.ok(&["sync", "matters"]);
    assert_once_each(&firm, 4);
    let log = firm.json(&["log"]);
    let account_runs = log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "account")
        .count();
    assert_eq!(account_runs, 1, "said once in the log: {log}");

    // A rotated key of the same account.
    firm.sandbox.add_api_key("sandbox-rotated-key", true);
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "Rotated", "--api-key-stdin"],
        "sandbox-rotated-key",
    );
    assert_eq!(code, 0, "{out}{err}");
    firm.add_matters(5, 1);
    firm.ok(&["sync", "matters"]);
    firm.ok(&["sync", "matters"]);
    assert_once_each(&firm, 5);
    // The state file holds a hash of the key, never the key.
    let conn = rusqlite::Connection::open(&firm.state_path).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'account_key_hash'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!hash.contains("sandbox") && hash.len() == 64);
    let _ = Sandbox::DEMO_KEY;
}

#[test]
fn an_account_missing_some_recorded_cases_is_held_until_a_person_looks() {
    let firm = Firm::new();
    firm.sandbox.set_quirks(quirks(Quirks::default()));
    firm.add_matters(1, 6);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    // Someone re-tagged two cases in CaseStatus; then the key is rotated.
    let by_matter: HashMap<String, i64> = firm
        .sandbox
        .cases()
        .into_iter()
        .map(|c| (c.integration_id, c.id))
        .collect();
    firm.sandbox.retag_case(by_matter["6"], "old-6");
    firm.sandbox.retag_case(by_matter["5"], "old-5");
    firm.sandbox.add_api_key("sandbox-rotated-key", true);
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "Rotated", "--api-key-stdin"],
        "sandbox-rotated-key",
    );
    assert_eq!(code, 0, "{out}{err}");
    firm.add_matters(7, 1);
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 3, "{err}");
    crate::common::assert_one_line_error(
        &err,
        &[
            "2 of the 5 cases checked",
            "matter 6 (case",
            "matter 5 (case",
            "--same-account",
        ],
    );
    assert_eq!(firm.sandbox.cases().len(), 6, "nothing created while held");
    // A person looked: this is the account.
    firm.ok(&["connect", "--same-account"]);
    firm.ok(&["sync", "matters"]);
    assert_eq!(cases_per_matter(&firm).get("7"), Some(&1));
    assert_eq!(firm.sandbox.cases().len(), 7);
}

#[test]
fn every_variant_at_once_duplicates_nothing_and_strands_nothing() {
    // Pages of 10, filters ignored, ids as strings, no 409, and a listing
    // that changes under every reading while people work: what no reading
    // can prove waits (a failed record, retried), nothing is created twice;
    // once the account is quiet again, everything arrives.
    let firm = Firm::new();
    firm.write_config("concurrency = 1");
    let all = Quirks {
        page_cap: Some(10),
        ignore_filters: true,
        string_ids: true,
        reorder_listing: true,
        ..Quirks::default()
    };
    firm.sandbox.set_quirks(quirks(all.clone()));
    firm.add_matters(1, 40);
    firm.add_depositions(1..=12);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    for i in 0..15 {
        firm.sandbox.add_message(NewMessage::client(
            &(1 + i % 40).to_string(),
            "Maria Lopez",
            &format!("note {i}"),
        ));
    }
    firm.ok(&["sync", "all"]);
    assert_once_each(&firm, 40);
    // A lost state file while people keep working: look-ups that read the
    // whole account never agree, so those matters wait.
    lose_state(&firm);
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.add_matters(41, 3);
    let (code, _, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 1, "{err}");
    let held = cases_per_matter(&firm);
    assert!(held.values().all(|n| *n == 1), "created twice: {held:?}");
    firm.sandbox.set_quirks(quirks(Quirks {
        reorder_listing: false,
        ..all
    }));
    firm.ok(&["sync", "all"]);
    firm.ok(&["sync", "all"]);
    assert_once_each(&firm, 43);
    let mut live: HashMap<String, usize> = HashMap::new();
    for a in firm
        .sandbox
        .appointments()
        .into_iter()
        .filter(|a| !a.deleted)
    {
        *live.entry(a.integration_id).or_default() += 1;
    }
    assert_eq!(live.len(), 12, "{live:?}");
    assert!(
        live.values().all(|n| *n == 1),
        "an appointment twice: {live:?}"
    );
    let n: i64 = firm
        .fc()
        .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 15, "every message once");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

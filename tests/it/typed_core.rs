//! Issue 24 items 1 and 3, issue 25 item 4: the typed core seen from
//! outside. Items are structured alike in `sync --json` and in
//! `log --run ID --json` (SPEC §1), records come in id order whatever order
//! the workers answered in, and a worker that cannot open its database
//! because another process holds it exits with the passing code (4), not
//! "records failed" (1).

use std::collections::BTreeSet;
use std::time::Duration;

use casestatus_sync::sandbox::sample::SampleMatter;
use casestatus_sync::sandbox::Route;
use serde_json::{json, Value};

use crate::common::{Firm, YESTERDAY};

/// The keys of every item (SPEC §1), no more, no fewer.
const ITEM_KEYS: &[&str] = &[
    "at",
    "codes",
    "file_number",
    "id",
    "kind",
    "message",
    "outcome",
];

fn keys(item: &Value) -> Vec<String> {
    item.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn item_of(items: &Value, id: i64) -> &Value {
    items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("no item for {id}: {items}"))
}

fn ids(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[test]
fn sync_and_log_give_items_of_one_shape_with_a_skips_codes() {
    let firm = Firm::new();
    firm.connect_and_map();
    firm.add_matters(1, 2);
    // Skipped for two reasons: no file number, and Personal Injury is
    // mapped to no practice area.
    let mut skipped = SampleMatter::new(3, YESTERDAY);
    skipped.file_number = None;
    skipped.case_type_id = Some(2);
    firm.add_matter(&skipped);

    let doc = firm.json(&["sync", "matters"]);
    let items = &doc["items"];
    assert!(!ids(items).is_empty(), "{doc}");
    for item in items.as_array().into_iter().flatten() {
        assert_eq!(keys(item), ITEM_KEYS, "{item}");
    }
    let created = item_of(items, 1);
    assert_eq!(created["kind"], "matter");
    assert_eq!(created["outcome"], "created");
    assert_eq!(created["file_number"], "WC-2026-0001");
    assert_eq!(created["codes"], json!([]));
    assert_eq!(created["at"], "2026-11-28T12:00:00Z");
    let skip = item_of(items, 3);
    assert_eq!(skip["outcome"], "skipped");
    assert_eq!(skip["file_number"], Value::Null);
    let codes: BTreeSet<&str> = skip["codes"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        codes,
        BTreeSet::from(["case_type_unmapped", "missing_file_number"]),
        "{skip}"
    );
    let message = skip["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Personal Injury") && !message.contains("case_type_unmapped"),
        "a message for people, the codes apart: {skip}"
    );

    // The same items, the same shape, in the run log.
    let run = doc["run_id"].as_i64().expect("run id");
    let log = firm.json(&["log", "--run", &run.to_string()]);
    let logged = &log["items"];
    for item in logged.as_array().into_iter().flatten() {
        assert_eq!(keys(item), ITEM_KEYS, "{item}");
    }
    assert_eq!(item_of(logged, 1), created, "{log}");
    assert_eq!(item_of(logged, 3), skip, "{log}");
}

#[test]
fn records_are_listed_in_id_order_whatever_order_the_workers_answer() {
    let firm = Firm::new();
    firm.connect_and_map();
    firm.add_matters(1, 24);
    // The dry run's plan, judged on several cores.
    let plan = firm.json(&["sync", "matters", "--dry-run"]);
    assert_eq!(ids(&plan["items"]), (1..=24).collect::<Vec<_>>(), "{plan}");

    // The first create is answered last: its worker's result comes after
    // every other one.
    let hold = firm.sandbox.hold(Route::new("POST", "/v1/api/cases"), 0, 1);
    let child = firm.spawn(&["--json", "sync", "matters"]);
    assert!(
        hold.wait_arrived(1, Duration::from_secs(60)),
        "the first create arrived"
    );
    // Every case made (the held one too: its work is done, its answer
    // waits) before the held answer is let go.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while firm.sandbox.cases().len() < 24 {
        assert!(std::time::Instant::now() < deadline, "the other creates");
        std::thread::sleep(Duration::from_millis(20));
    }
    hold.release();
    let out = child.wait_with_output().expect("sync ends");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let doc: Value = serde_json::from_str(&text).expect("one JSON document");
    assert_eq!(doc["counts"]["created"], 24, "{doc}");
    assert_eq!(ids(&doc["items"]), (1..=24).collect::<Vec<_>>(), "{doc}");

    let run = doc["run_id"].as_i64().expect("run id");
    let log = firm.json(&["log", "--run", &run.to_string()]);
    assert_eq!(ids(&log["items"]), (1..=24).collect::<Vec<_>>(), "{log}");
}

/// The threads of a running process (Linux).
fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |d| d.count())
}

/// Wait until `pred` holds for the process's thread count.
fn wait_threads(pid: u32, what: &str, pred: impl Fn(usize) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !pred(threads(pid)) {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_worker_that_cannot_open_its_busy_database_is_a_passing_condition() {
    let firm = Firm::new();
    firm.connect_and_map();
    // Enough pending creates for one listing of the account's cases: the
    // moment between planning and the workers' start.
    firm.add_matters(1, 12);
    let hold = firm.sandbox.hold(Route::new("GET", "/v1/api/cases"), 0, 1);
    let child = firm.spawn(&["sync", "matters"]);
    let pid = child.id();
    assert!(
        hold.wait_arrived(1, Duration::from_secs(60)),
        "the run reached its listing"
    );
    // Another process (a person's `messages import`, a backup) writes the
    // state file now, and past the busy timeout.
    let other = rusqlite::Connection::open(&firm.state_path).expect("state file");
    other
        .execute_batch("BEGIN IMMEDIATE")
        .expect("the write lock");
    let before = threads(pid);
    hold.release();
    // The workers start, wait for the lock until the busy timeout, and
    // give up; only then is the file let go, so the run can log why.
    wait_threads(pid, "the workers started", |n| n > before);
    wait_threads(pid, "the workers gave up", |n| n <= before);
    other.execute_batch("ROLLBACK").expect("let go");
    let out = child.wait_with_output().expect("sync ends");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(4), "the passing code: {err}");
    assert!(err.contains("the next cycle retries"), "{err}");
    assert!(err.contains("database is locked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(firm.sandbox.cases().is_empty(), "nothing was sent");

    let runs = firm.json(&["log"]);
    let run = &runs["runs"][0];
    assert_eq!(run["kind"], "matters", "{runs}");
    let logged = run["error"].as_str().unwrap_or_default();
    assert!(
        logged.contains("could not open") && logged.contains("the next cycle retries"),
        "the run log says so: {run}"
    );
    // The next cycle does retry, and gets through.
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(firm.sandbox.cases().len(), 12);
}

#[test]
fn log_items_written_before_they_had_a_time_still_show() {
    let firm = Firm::new();
    firm.connect_and_map();
    firm.add_matters(1, 1);
    let doc = firm.json(&["sync", "matters"]);
    let run = doc["run_id"].as_i64().expect("run id");
    // Rows as an older version wrote them (no time, no file number), and
    // one whose outcome this version does not know (a hand-edited file).
    let state = rusqlite::Connection::open(&firm.state_path).expect("state file");
    state
        .execute_batch(&format!(
            "UPDATE run_items SET at = NULL, file_number = NULL WHERE run_id = {run};
             INSERT INTO run_items (run_id, subject, subject_id, outcome, detail)
             VALUES ({run}, 'matter', '9', 'no_such_outcome', '{{\"message\": \"?\"}}');"
        ))
        .expect("old rows");
    let started = firm.json(&["log"])["runs"][0]["started_at"].clone();
    let log = firm.json(&["log", "--run", &run.to_string()]);
    assert_eq!(
        ids(&log["items"]),
        vec![1],
        "the unknown outcome is left out: {log}"
    );
    let item = item_of(&log["items"], 1);
    assert_eq!(item["at"], started, "{item}");
    assert_eq!(item["file_number"], Value::Null, "{item}");
    assert_eq!(item["outcome"], "created", "{item}");
    let text = firm.ok(&["log", "--run", &run.to_string()]);
    assert!(text.contains("matter 1"), "{text}");
}

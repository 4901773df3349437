//! Issue 6: running under cron and a newcomer's first run.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::{NewMessage, Route};

fn busy_firm() -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, 12);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.add_depositions(1..=12);
    for m in 1..=6 {
        firm.sandbox
            .add_message(NewMessage::client(&m.to_string(), "Client", "hello"));
    }
    firm
}

#[test]
fn sync_all_runs_every_step_and_is_silent_under_cron() {
    let firm = busy_firm();
    let (code, out, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (out.as_str(), err.as_str()),
        ("", ""),
        "nothing for cron to mail"
    );
    assert_eq!(firm.sandbox.cases().len(), 12);
    assert_eq!(
        firm.sandbox.appointments().len(),
        12,
        "appointments on cases created in the same run"
    );
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
    let doc = firm.json(&["sync", "all"]);
    // `sync all --json`: {"steps": [...]}, one summary per kind (SPEC §1).
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["kind"], "matters");
    assert_eq!(steps[0]["counts"]["in_casestatus"], 12);
    assert_eq!(steps[1]["counts"]["unchanged"], 12);
    assert!(steps[2]["counts"].as_object().unwrap().is_empty());
    let runs = firm.json(&["log"]);
    let kinds: Vec<&str> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "messages",
            "appointments",
            "matters",
            "messages",
            "appointments",
            "matters"
        ]
    );
}

#[test]
fn a_failing_step_does_not_skip_the_others() {
    let mut firm = busy_firm();
    // One matter's create fails with a server error: the matter step has a
    // failed record; appointments and messages still run.
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::new("POST", "/v1/api/cases"),
        casestatus_sync::sandbox::Fault::Status(500),
        1,
    );
    let (code, out, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_one_line_error(&err, &["1 record(s) failed", "log --run"]);
    assert_eq!(firm.sandbox.cases().len(), 11);
    assert_eq!(firm.sandbox.appointments().len(), 11, "appointments ran");
    assert!(
        firm.sandbox
            .messages()
            .iter()
            .filter(|m| m.integration_id.as_deref() != Some("1"))
            .all(|m| m.processed),
        "messages ran"
    );
    // A 500 may have created it: the matter waits out the grace period,
    // then a later cycle heals it.
    firm.now = "2026-11-28T12:31:00Z".into();
    let (code, _, _) = firm.run(&["sync", "all"]);
    assert_eq!(code, 0);
    assert_eq!(firm.sandbox.cases().len(), 12);
}

#[test]
fn two_runs_at_once_never_both_work() {
    let firm = busy_firm();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let spawn = || {
        Command::new(&bin)
            .args(["--config", firm.config.to_str().unwrap(), "sync", "all"])
            .env("CASESTATUS_SYNC_NOW", NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The first run is held at its first create, under the lock: the
    // overlap is certain, not a matter of timing.
    let hold = firm.sandbox.hold(Route::new("POST", "/v1/api/cases"), 0, 1);
    let a = spawn();
    assert!(
        hold.wait_arrived(1, Duration::from_secs(60)),
        "run A reached its first create"
    );
    let b = spawn().wait_with_output().unwrap();
    assert_eq!(
        b.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    // An overlap with a run that started minutes ago is ordinary: cron
    // must mail nothing (SPEC §1; the hung holder is operate.rs's test).
    let msg = String::from_utf8_lossy(&b.stderr);
    assert!(msg.is_empty(), "a quiet overlap: {msg}");
    hold.release();
    let a = a.wait_with_output().unwrap();
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    let mut ids: Vec<String> = firm
        .sandbox
        .cases()
        .into_iter()
        .map(|c| c.integration_id)
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((n, ids.len()), (12, 12), "no duplicate cases");
}

#[test]
fn a_killed_run_leaves_no_stale_lock() {
    let mut firm = busy_firm();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    // Killed right after CaseStatus made its third case.
    let hold = firm.sandbox.hold(Route::new("POST", "/v1/api/cases"), 2, 1);
    let mut child = Command::new(&bin)
        .args(["--config", firm.config.to_str().unwrap(), "sync", "all"])
        .env("CASESTATUS_SYNC_NOW", NOW)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        hold.wait_arrived(1, Duration::from_secs(60)),
        "the run reached its third create"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    drop(hold);
    let (code, _, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 0, "the next run proceeds: {err}");
    // Past the unconfirmed-create grace period every matter is in.
    firm.now = "2026-11-28T12:31:00Z".into();
    firm.ok(&["sync", "all"]);
    assert_eq!(firm.sandbox.cases().len(), 12);
    let runs = firm.json(&["log"]);
    let interrupted = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["finished_at"].is_null());
    assert!(interrupted, "the killed run shows as not finished");
}

#[test]
fn dry_run_changes_nothing_anywhere() {
    let firm = busy_firm();
    firm.ok(&["sync", "matters"]);
    firm.ok(&["sync", "appointments"]);
    // Work for every step: an edited event, a deleted one, a new event, a
    // new matter, a new message.
    let fc = firm.fc();
    fc.execute(
        "UPDATE calendar_events SET title = 'Moved' WHERE id = 1",
        [],
    )
    .unwrap();
    fc.execute("DELETE FROM calendar_events WHERE id = 2", [])
        .unwrap();
    fc.execute(
        "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, all_day, updated_at)
         VALUES (99, 3, 1, 'New', '2026-12-11T15:00:00Z', 0, '2026-11-28T11:00:00Z')",
        [],
    )
    .unwrap();
    drop(fc);
    firm.add_matters(50, 1);
    firm.sandbox
        .add_message(NewMessage::client("2", "Client", "new"));
    let snapshot = |p: &std::path::Path| std::fs::read(p).unwrap();
    let (fc, st) = (snapshot(&firm.fc_path), snapshot(&firm.state_path));
    let (cases, appts) = (
        firm.sandbox.cases().len(),
        firm.sandbox.appointments().len(),
    );
    let runs_before = firm.json(&["log"])["runs"].as_array().unwrap().len();
    firm.sandbox.clear_requests();
    let out = firm.ok(&["-v", "sync", "all", "--dry-run"]);
    assert!(out.contains("would create: matter 50"), "{out}");
    assert!(out.contains("would import: message"), "{out}");
    assert!(out.contains("would create: event 99"), "{out}");
    assert!(out.contains("would update: event 1"), "{out}");
    assert!(out.contains("would delete: event 2"), "{out}");
    assert!(
        firm.sandbox.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        firm.sandbox.requests()
    );
    assert_eq!(
        (
            firm.sandbox.cases().len(),
            firm.sandbox.appointments().len()
        ),
        (cases, appts)
    );
    assert!(firm.sandbox.messages().iter().any(|m| !m.processed));
    assert_eq!(snapshot(&firm.fc_path), fc, "FluentCase unchanged");
    assert_eq!(snapshot(&firm.state_path), st, "state file unchanged");
    let runs_after = firm.json(&["log"])["runs"].as_array().unwrap().len();
    assert_eq!(runs_after, runs_before, "a dry run logs no run");
}

#[test]
fn demo_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_cmd(
        bare(dir.path())
            .arg("demo")
            .timeout(Duration::from_secs(120)),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("● Connected"), "{out}");
    assert!(out.contains("created: matter 1 "), "{out}");
    assert!(
        out.contains("Skipped, and why") && out.contains("primary_party_no_phone"),
        "{out}"
    );
    assert!(out.contains("$ casestatus-sync why-skipped 13"), "{out}");
    assert!(
        out.contains("Message from Case Status (Maria Lopez)"),
        "{out}"
    );
    // The appointments table shows times in the firm's zone (Chicago), not
    // CaseStatus's UTC.
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("Appointments in CaseStatus"))
        .take_while(|l| !l.contains("appointments in all"))
        .collect();
    assert!(table.len() > 3, "{out}");
    assert!(
        table
            .iter()
            .any(|l| l.contains(" CST") || l.contains(" CDT")),
        "{table:#?}"
    );
    assert!(
        !table.iter().any(|l| l.contains(":00Z")),
        "UTC in the demo's appointments: {table:#?}"
    );
    let folder = dir.path().join("casestatus-sync-demo");
    assert!(folder.join("casestatus-sync.toml").is_file());
    // Its config works offline afterwards.
    let (code, out, _) = run_cmd(bare(&folder).arg("why-skipped").arg("31"));
    assert_eq!(code, 0);
    assert!(out.contains("refused by CaseStatus"), "{out}");
    // A second demo picks a new folder.
    let (code, out, _) = run_cmd(bare(dir.path()).arg("demo"));
    assert_eq!(code, 0);
    assert!(out.contains("casestatus-sync-demo-2"));
}

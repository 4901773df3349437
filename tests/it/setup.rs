//! Issue 2: the setup commands, end to end (real binary, real SQLite,
//! sandbox over HTTP).

use crate::common::*;
use casestatus_sync::sandbox::{PracticeArea, Sandbox, Stage};

#[test]
fn connect_test_shows_connected_badge_and_keeps_key_secret() {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    let secret = Sandbox::DEMO_KEY;
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "Firm key", "--api-key-stdin"],
        &format!("  {secret}\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Saved API key \"Firm key\""), "{out}");
    assert!(!out.contains(secret) && !err.contains(secret));

    // (The state file's mode is checked once, in
    // security::state_lock_and_companion_files_are_private.)
    assert!(firm.state_path.exists(), "connect made the state file");

    let out = firm.ok(&["test"]);
    assert!(out.contains("● Connected"), "{out}");
    assert!(out.contains("Firm key"), "{out}");
    // Nothing is mapped yet, so nothing is eligible.
    assert!(out.contains("0 matters eligible"), "{out}");
    firm.connect_and_map();
    let doc = firm.json(&["test"]);
    assert_eq!(doc["connected"], true);
    assert_eq!(doc["key_name"], "CaseStatus API Key");
    assert_eq!(doc["eligible_matters"], 3);
}

#[test]
fn wrong_key_fails_test_with_advice_and_no_echo() {
    let firm = Firm::new();
    let wrong = "wrong-key-9f8e7d6c5b4a";
    // Saved untested (--no-test): `test` is what reports the refusal.
    let (code, _, _) = firm.run_stdin(
        &["connect", "--name", "k", "--api-key-stdin", "--no-test"],
        wrong,
    );
    assert_eq!(code, 0);
    let (code, out, err) = firm.run(&["test"]);
    assert_eq!(code, 3, "a refused key needs a person: {out}{err}");
    assert!(out.contains("Connection failed"), "{out}");
    assert!(out.contains("without extra spaces"), "{out}");
    assert!(!out.contains(wrong) && !err.contains(wrong));
    assert_one_line_error(&err, &["401"]);
}

#[test]
fn key_without_api_access_gets_plan_advice() {
    let firm = Firm::new();
    firm.run_stdin(
        &["connect", "--name", "k", "--api-key-stdin", "--no-test"],
        "sandbox-no-api-key",
    );
    let (code, out, err) = firm.run(&["test"]);
    assert_eq!(code, 3);
    assert!(out.contains("API access is not enabled"), "{out}");
    assert_one_line_error(&err, &["403"]);
}

#[test]
fn unreachable_casestatus_is_exit_4_with_advice() {
    let firm = Firm::new();
    firm.connect();
    firm.point_at_a_dead_port();
    let (code, out, err) = firm.run(&["test"]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("could not reach CaseStatus"), "{out}");
    assert_one_line_error(&err, &["unreachable"]);
}

#[test]
fn not_connected_is_a_setup_error() {
    let firm = Firm::new();
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["not connected", "connect --name"]);
}

#[test]
fn connect_refuses_empty_and_unknown_status_and_missing_stdin() {
    let firm = Firm::new();
    let (code, _, err) = firm.run_stdin(&["connect", "--name", "k", "--api-key-stdin"], "   \n");
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["empty"]);
    let (code, _, err) = firm.run_stdin(
        &[
            "connect",
            "--name",
            "k",
            "--api-key-stdin",
            "--status",
            "open",
        ],
        "key",
    );
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["\"open\"", "did you mean \"Open\"", "\"Closed\""]);
    // No terminal and no --api-key-stdin: refuse rather than hang.
    let (code, _, err) = firm.run_stdin(&["connect", "--name", "k"], "key");
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["--api-key-stdin"]);
    // Nothing was saved by the failures.
    let (code, _, _) = firm.run(&["test"]);
    assert_eq!(code, 3);
}

#[test]
fn statuses_default_to_open_and_can_change_without_the_key() {
    let firm = Firm::new();
    firm.connect();
    assert_eq!(
        firm.json(&["synced-statuses"])["synced_statuses"],
        serde_json::json!(["Open"])
    );
    let doc = firm.json(&["synced-statuses", "Open", "Treatment"]);
    assert_eq!(
        doc["synced_statuses"],
        serde_json::json!(["Open", "Treatment"])
    );
    // Reconnecting (key rotation) keeps them.
    firm.connect();
    assert_eq!(
        firm.json(&["synced-statuses"])["synced_statuses"],
        serde_json::json!(["Open", "Treatment"])
    );
    let (code, _, err) = firm.run(&["synced-statuses", "Pending"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["\"Pending\"", "choices"]);
}

#[test]
fn map_shows_action_needed_until_everything_is_mapped() {
    let firm = Firm::new();
    firm.sandbox.set_practice_areas(vec![PracticeArea {
        id: 12,
        name: "Workers' Compensation".into(),
        stages: vec![
            Stage {
                id: 101,
                name: "Intake".into(),
                position: 1,
            },
            Stage {
                id: 102,
                name: "Treatment".into(),
                position: 2,
            },
        ],
    }]);
    firm.add_matters(1, 2);
    firm.connect();
    firm.ok(&["test"]);
    let out = firm.ok(&["map"]);
    assert!(out.contains("Action Needed"), "{out}");
    assert!(out.contains("⚠ Fix") && out.contains("⚠ Map"), "{out}");

    firm.ok(&[
        "map",
        "practice-area",
        "Workers' Compensation",
        "--case-type",
        "Workers' Compensation",
    ]);
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Intake",
        "--status",
        "Intake",
    ]);
    let out = firm.ok(&["map"]);
    assert!(out.contains("Action Needed: 1 stage(s)"), "{out}");
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ]);
    let out = firm.ok(&["map"]);
    assert!(!out.contains("Action Needed"), "{out}");
    let doc = firm.json(&["map"]);
    assert_eq!(doc["action_needed"], false);
    // Matters count per status: both sample matters are Open.
    assert_eq!(doc["practice_areas"][0]["stages"][1]["matters"], 2);
    assert_eq!(doc["practice_areas"][0]["stages"][0]["matters"], 0);
    assert_eq!(doc["practice_areas"][0]["eligible_matters"], 2);

    // Clearing brings the banner back.
    firm.ok(&["map", "practice-area", "Workers' Compensation", "--clear"]);
    assert_eq!(firm.json(&["map"])["action_needed"], true);
}

#[test]
fn mapping_errors_list_the_choices_and_enforce_one_to_one() {
    let firm = Firm::new();
    firm.connect();
    let (code, _, err) = firm.run(&["map"]);
    assert_eq!(code, 3, "map before any fetch");
    assert_one_line_error(&err, &["refetch-practice-areas"]);
    firm.ok(&["test"]);

    let (code, _, err) = firm.run(&[
        "map",
        "practice-area",
        "workers' compensation",
        "--case-type",
        "Family Law",
    ]);
    assert_eq!(code, 2);
    assert_one_line_error(
        &err,
        &[
            "unknown practice area",
            "\"Personal Injury\"",
            "case-sensitive",
        ],
    );
    let (code, _, err) = firm.run(&[
        "map",
        "practice-area",
        "Family Law",
        "--case-type",
        "Divorce",
    ]);
    assert_eq!(code, 2);
    assert_one_line_error(
        &err,
        &["unknown case type \"Divorce\"", "\"Estate Planning\""],
    );
    let (code, _, err) = firm.run(&["map", "practice-area", "", "--case-type", "Family Law"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["empty"]);

    firm.ok(&[
        "map",
        "practice-area",
        "Family Law",
        "--case-type",
        "Family Law",
    ]);
    let (code, _, err) = firm.run(&[
        "map",
        "practice-area",
        "Personal Injury",
        "--case-type",
        "Family Law",
    ]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["already mapped to practice area \"Family Law\""]);

    firm.ok(&["map", "stage", "Family Law", "Filing", "--status", "Open"]);
    let (code, _, err) = firm.run(&[
        "map",
        "stage",
        "Family Law",
        "Resolution",
        "--status",
        "Open",
    ]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["already mapped to stage \"Filing\""]);
    // The same status may map to a stage of another practice area.
    firm.ok(&[
        "map",
        "stage",
        "Personal Injury",
        "Litigation",
        "--status",
        "Open",
    ]);
    let (code, _, err) = firm.run(&["map", "stage", "Family Law", "Trial", "--status", "Open"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["unknown stage", "\"Consultation\""]);
    // clap itself refuses a missing --case-type / --clear.
    let (code, _, _) = firm.run(&["map", "practice-area", "Family Law"]);
    assert_eq!(code, 2);
}

#[test]
fn refetch_reports_new_and_vanished_and_flags_mappings() {
    let firm = Firm::new();
    firm.connect_and_map();
    let mut areas = firm.sandbox.practice_areas();
    // CaseStatus removes the "Settlement" stage (mapped) and adds an area.
    areas[0].stages.retain(|s| s.name != "Settlement");
    areas.push(PracticeArea {
        id: 20,
        name: "Immigration".into(),
        stages: vec![Stage {
            id: 300,
            name: "Filed".into(),
            position: 1,
        }],
    });
    firm.sandbox.set_practice_areas(areas);

    let out = firm.ok(&["refetch-practice-areas"]);
    assert!(out.contains("New practice area: Immigration"), "{out}");
    assert!(
        out.contains("Vanished stage: Workers' Compensation / Settlement"),
        "{out}"
    );
    assert!(out.contains("Mapping needs attention"), "{out}");
    let out = firm.ok(&["map"]);
    assert!(out.contains("stage gone from CaseStatus"), "{out}");
    assert!(out.contains("Action Needed"), "{out}");
    // A vanished stage cannot be chosen any more.
    let (code, _, err) = firm.run(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Settlement",
        "--status",
        "Settlement",
    ]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["unknown stage"]);
    let doc = firm.json(&["refetch-practice-areas"]);
    assert_eq!(doc["changes"]["new_practice_areas"], serde_json::json!([]));
}

#[test]
fn event_types_enable_disable_and_unknown_names() {
    let firm = Firm::new();
    // Listing is read-only (SPEC §1): it needs the state file `connect` makes.
    firm.connect();
    let out = firm.ok(&["event-types"]);
    assert!(
        out.contains("[ ] Deposition") && out.contains("no appointments are pushed"),
        "{out}"
    );
    firm.ok(&["event-types", "enable", "Deposition", "Medical Appointment"]);
    let out = firm.ok(&["event-types"]);
    assert!(
        out.contains("[x] Deposition")
            && out.contains("[x] Medical Appointment")
            && out.contains("[ ] Court Hearing"),
        "{out}"
    );
    firm.ok(&["event-types", "disable", "Deposition"]);
    let doc = firm.json(&["event-types"]);
    let enabled: Vec<&str> = doc["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["enabled"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(enabled, vec!["Medical Appointment"]);
    // All-or-nothing: one unknown name changes nothing.
    let (code, _, err) = firm.run(&["event-types", "enable", "Court Hearing", "Brunch"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["unknown event type \"Brunch\"", "\"Deposition\""]);
    assert!(firm.ok(&["event-types"]).contains("[ ] Court Hearing"));
}

#[test]
fn disconnect_stops_syncing_and_keeps_mappings() {
    let firm = Firm::new();
    firm.connect_and_map();
    let out = firm.ok(&["disconnect"]);
    assert!(
        out.contains("Removed API key \"CaseStatus API Key\""),
        "{out}"
    );
    let (code, _, _) = firm.run(&["test"]);
    assert_eq!(code, 3);
    assert!(firm.ok(&["disconnect"]).contains("nothing to remove"));
    firm.connect();
    let doc = firm.json(&["map"]);
    assert_eq!(
        doc["practice_areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "Workers' Compensation")
            .unwrap()["case_type"],
        "Workers' Compensation"
    );
}

#[test]
fn completions_in_the_repo_are_current() {
    use casestatus_sync::cli::completions::{file_name, script};
    use casestatus_sync::cli::Shell;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file_name(shell));
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == script(shell),
            "{} is stale; regenerate: cargo run -- completions {shell:?} > {}",
            path.display(),
            path.display()
        );
    }
}

#[test]
fn mappings_to_vanished_items_can_be_cleared_or_replaced() {
    let firm = Firm::new();
    firm.connect_and_map();
    let mut areas = firm.sandbox.practice_areas();
    // CaseStatus drops the mapped "Treatment" stage and the whole Family Law area.
    areas[0].stages.retain(|s| s.name != "Treatment");
    firm.ok(&[
        "map",
        "practice-area",
        "Family Law",
        "--case-type",
        "Family Law",
    ]);
    areas.retain(|a| a.name != "Family Law");
    firm.sandbox.set_practice_areas(areas);
    firm.ok(&["refetch-practice-areas"]);

    // The status held by the vanished stage can go to a live stage at once.
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Intake",
        "--status",
        "Open",
    ]);
    // The case type held by the vanished area can be mapped elsewhere.
    firm.ok(&[
        "map",
        "practice-area",
        "Personal Injury",
        "--case-type",
        "Family Law",
    ]);
    // A vanished stage that is still mapped can be cleared by name.
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Settlement",
        "--clear",
    ]);
    let doc = firm.json(&["map"]);
    let wc = doc["practice_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Workers' Compensation")
        .unwrap()
        .clone();
    let treatment = wc["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Treatment")
        .unwrap()
        .clone();
    assert_eq!(treatment["matter_status"], serde_json::Value::Null, "{wc}");
    assert_eq!(treatment["vanished"], true);
    let fl = doc["practice_areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Family Law")
        .unwrap()
        .clone();
    assert_eq!(fl["case_type"], serde_json::Value::Null);
}

#[test]
fn a_state_file_stays_with_its_casestatus_account() {
    let firm = Firm::new();
    firm.connect_and_map();
    let other = casestatus_sync::sandbox::Sandbox::demo(0).unwrap();
    firm.add_matters(1, 1);
    firm.ok(&["sync", "matters"]);
    std::fs::write(
        &firm.config,
        std::fs::read_to_string(&firm.config)
            .unwrap()
            .replace(&firm.sandbox.base_url(), &other.base_url()),
    )
    .unwrap();
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["another account", "connect --new-account"]);
    assert!(
        other.cases().is_empty(),
        "nothing pushed to the other account"
    );
}

#[test]
fn after_disconnect_sync_is_quiet_and_does_nothing() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["disconnect"]);
    let (code, out, err) = firm.run(&["sync", "matters"]);
    assert_eq!(
        code, 0,
        "a deliberate disconnect is not an error for cron: {err}"
    );
    assert_eq!((out.as_str(), err.as_str()), ("", ""), "cron mails nothing");
    let (code, out, _) = firm.run(&["-v", "sync", "all"]);
    assert_eq!(code, 0);
    assert!(out.contains("API key was removed"), "{out}");
    let doc = firm.json(&["sync", "all"]);
    assert_eq!(doc["syncing"], false);
    assert!(firm.sandbox.cases().is_empty());
    // The secret is gone from the state file and its WAL.
    for suffix in ["", "-wal"] {
        let bytes =
            std::fs::read(format!("{}{suffix}", firm.state_path.display())).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(casestatus_sync::sandbox::Sandbox::DEMO_KEY),
            "key left in {suffix:?}"
        );
    }
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let firm = Firm::new();
    firm.connect();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let mut child = std::process::Command::new(bin)
        .args(["--config", firm.config.to_str().unwrap(), "event-types"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().expect("exited, not killed by a signal");
    assert_no_panic(code, &err);
}

#[test]
fn casestatus_answering_oddly_is_exit_4() {
    let firm = Firm::new();
    firm.connect();
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::any(),
        casestatus_sync::sandbox::Fault::Status(404),
        5,
    );
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 4, "{err}");
    firm.sandbox.clear_faults();
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::any(),
        casestatus_sync::sandbox::Fault::MalformedJson,
        5,
    );
    let (code, _, err) = firm.run(&["refetch-practice-areas"]);
    assert_eq!(code, 4, "{err}");
    assert_one_line_error(&err, &["cannot use"]);
}

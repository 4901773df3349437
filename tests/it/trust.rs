//! Issue 11: what a firm would meet in its first month. Each test runs the
//! real binary against the sandbox and real SQLite files and checks what
//! CaseStatus and FluentCase hold afterwards.

use std::time::Duration;

use crate::common::{assert_one_line_error, run_cmd, skip_unless_ci, Firm, YESTERDAY};
use casestatus_sync::sandbox::sample::SampleMatter;
use casestatus_sync::sandbox::{Fault, NewMessage, Route};
use rusqlite::params;

fn activities(firm: &Firm) -> Vec<(i64, String, String)> {
    let fc = firm.fc();
    let mut stmt = fc
        .prepare("SELECT matter_id, body, source_id FROM activities WHERE source = 'casestatus' ORDER BY id")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

fn pushed_firm(count: i64) -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, count);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm
}

#[test]
fn a_message_whose_id_fluentcase_holds_for_another_matter_stays_unprocessed() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect();
    let msg = firm
        .sandbox
        .add_message(NewMessage::client("1", "Maria", "new text"));
    let same = firm
        .sandbox
        .add_message(NewMessage::client("2", "Ana", "same text"));
    // The same FluentCase database, used earlier with another account.
    firm.fc()
        .execute(
            "INSERT INTO activities (matter_id, tag, body, created_at, source, source_id)
             VALUES (2, 'Case Status Message', 'Message from Case Status (Old): old text', ?1, 'casestatus', ?2),
                    (2, 'Case Status Message', 'Message from Case Status (Ana): same text', ?1, 'casestatus', ?3)",
            params![YESTERDAY, msg.id.to_string(), same.id.to_string()],
        )
        .unwrap();
    let (code, out, err) = firm.run(&["sync", "messages"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_one_line_error(&err, &["failed"]);
    let messages = firm.sandbox.messages();
    let state = |id| messages.iter().find(|m| m.id == id).unwrap().processed;
    assert!(
        !state(msg.id),
        "a message not in FluentCase was marked processed"
    );
    assert!(state(same.id), "the identical activity counts as imported");
    let acts = activities(&firm);
    assert_eq!(acts.len(), 2, "nothing imported over the old activity");
    assert!(acts[0].1.contains("old text"));
    let log = firm.ok(&["log", "--run", "1"]);
    assert!(
        log.contains("another CaseStatus account") && log.contains("old text"),
        "{log}"
    );
}

#[test]
fn firm_and_system_messages_are_acknowledged_and_untyped_ones_are_not() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect();
    for kind in ["firm", "system"] {
        firm.sandbox.add_message(NewMessage {
            kind: kind.into(),
            ..NewMessage::client("1", "Front desk", "we got your file")
        });
    }
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["acknowledged"], 2, "{doc}");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
    assert!(activities(&firm).is_empty());

    // A message with no type at all might be a client's: never marked
    // processed, never imported; a person decides (it is stuck).
    firm.sandbox.clear_requests();
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/messages"),
        Fault::Respond {
            status: 200,
            body: r#"[{"id": 990, "content": "who am I?", "sender_name": "Someone",
                      "integration_id": "1", "sent_at": "2026-11-28T11:00:00Z"}]"#
                .into(),
        },
        1,
    );
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["stuck"], 1, "{doc}");
    assert!(
        !firm
            .sandbox
            .requests()
            .iter()
            .any(|r| r.path == "/v1/api/messages/990/processed"),
        "an untyped message is not acknowledged"
    );
    assert!(activities(&firm).is_empty());
}

#[test]
fn an_event_that_ends_before_it_starts_is_not_sent() {
    let firm = pushed_firm(1);
    firm.fc()
        .execute(
            "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, ends_at, all_day, updated_at)
             VALUES (7, 1, 1, 'Deposition', '2026-12-10T15:00:00Z', '2026-12-10T14:00:00Z', 0, ?1)",
            [YESTERDAY],
        )
        .unwrap();
    firm.ok(&["event-types", "enable", "Deposition"]);
    let doc = firm.json(&["sync", "appointments"]);
    assert_eq!(doc["counts"]["invalid"], 1, "{doc}");
    assert!(firm.sandbox.appointments().is_empty());
    let log = firm.ok(&["log", "--run", "2"]);
    assert!(
        log.contains("before it starts") && log.contains("Calendar"),
        "{log}"
    );
}

/// Leave a hot rollback journal beside FluentCase's database, as a writer
/// killed mid-transaction does: copy the database and its journal while a
/// transaction that spilled pages to disk is still open.
fn leave_hot_journal(firm: &Firm) {
    let journal = firm.path("fluentcase.db-journal");
    {
        let mut c = firm.fc();
        c.pragma_update(None, "cache_size", 2).unwrap();
        let tx = c.transaction().unwrap();
        let filler = "x".repeat(2000);
        for i in 0..300 {
            tx.execute(
                "INSERT INTO activities (matter_id, tag, body, created_at) VALUES (1, 'Note', ?1, ?2)",
                params![format!("{i}{filler}"), YESTERDAY],
            )
            .unwrap();
        }
        assert!(journal.exists(), "the transaction spilled to disk");
        std::fs::copy(&firm.fc_path, firm.path("crashed.db")).unwrap();
        std::fs::copy(&journal, firm.path("crashed.db-journal")).unwrap();
        tx.rollback().unwrap();
    }
    std::fs::rename(firm.path("crashed.db"), &firm.fc_path).unwrap();
    std::fs::rename(firm.path("crashed.db-journal"), &journal).unwrap();
}

#[test]
fn a_hot_journal_is_recovered_not_a_lock_out() {
    let firm = pushed_firm(2);
    leave_hot_journal(&firm);
    let (code, out, err) = firm.run(&["why-skipped", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("In CaseStatus"), "{out}");
    firm.ok(&["sync", "all"]);
    // Rolled back: the dead writer's rows are not there.
    let n: i64 = firm
        .fc()
        .query_row(
            "SELECT count(*) FROM activities WHERE tag = 'Note'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
    let ok: String = firm
        .fc()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn phones_are_sent_in_e164_and_bad_contact_data_never_blocks() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    let c = m.client.as_mut().unwrap();
    c.phones = vec![
        (Some("Home".into()), "512-555-0103".into()),
        (Some("Cell Phone".into()), "(512) 555-0105".into()),
    ];
    c.email = Some("<maria@mail.example>".into());
    c.date_of_birth = Some("03/14/1980".into());
    firm.add_matter(&m);
    let mut m = SampleMatter::new(2, YESTERDAY);
    m.client.as_mut().unwrap().phones = vec![
        (Some("Mobile".into()), "n/a".into()),
        (Some("Home".into()), "none".into()),
    ];
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    let cases = firm.sandbox.cases();
    assert_eq!(cases.len(), 1, "{cases:?}");
    let client = &cases[0].body["client"];
    assert_eq!(client["phone"], "+15125550105");
    assert_eq!(client["email"], serde_json::Value::Null);
    assert_eq!(client["date_of_birth"], serde_json::Value::Null);
    let doc = firm.json(&["why-skipped", "1"]);
    assert_eq!(doc["notes"].as_array().unwrap().len(), 2, "{doc}");
    let doc = firm.json(&["why-skipped", "2"]);
    assert_eq!(doc["reasons"][0]["code"], "primary_party_no_phone");
    let msg = doc["reasons"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("\"n/a\" (Mobile)") && msg.contains("\"none\""),
        "{msg}"
    );
}

#[test]
fn phone_region_from_the_config_and_a_wrong_one_is_one_line() {
    let firm = Firm::new();
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.client.as_mut().unwrap().phones = vec![(Some("mobile".into()), "020 7946 0958".into())];
    firm.add_matter(&m);
    let text = std::fs::read_to_string(&firm.config).unwrap();
    let with = |region: &str| {
        text.replace(
            "timezone = \"America/Chicago\"",
            &format!("timezone = \"America/Chicago\"\nphone_region = \"{region}\""),
        )
    };
    std::fs::write(&firm.config, with("ZZ")).unwrap();
    let (code, _, err) = firm.run(&["map"]);
    assert_eq!(code, 3);
    assert_one_line_error(
        &err,
        &["casestatus-sync.toml", "fluentcase.phone_region", "\"ZZ\""],
    );
    std::fs::write(&firm.config, with("GB")).unwrap();
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    assert_eq!(
        firm.sandbox.cases()[0].body["client"]["phone"],
        "+442079460958"
    );
}

#[test]
fn a_matter_with_the_largest_id_is_evaluated() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    let fc = firm.fc();
    fc.execute(
        "INSERT INTO matters SELECT ?1, 'WC-MAX', case_type_id, status_id, attorney_id, paralegal_id,
                opened_on, closed_on, created_at, updated_at FROM matters WHERE id = 1",
        [i64::MAX],
    )
    .unwrap();
    fc.execute(
        "INSERT INTO matter_parties SELECT ?1, contact_id, role, is_primary FROM matter_parties WHERE matter_id = 1",
        [i64::MAX],
    )
    .unwrap();
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    let mut ids: Vec<String> = firm
        .sandbox
        .cases()
        .into_iter()
        .map(|c| c.integration_id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["1", &i64::MAX.to_string()]);
}

#[test]
fn a_dry_run_prints_its_plan_to_a_pipe() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    let mut m = SampleMatter::new(3, YESTERDAY);
    m.file_number = None;
    firm.add_matter(&m);
    firm.connect_and_map();
    for flag in ["--dry-run", "-n"] {
        let out = firm.ok(&["sync", "matters", flag]);
        assert!(out.contains("would create: matter 1"), "{flag}: {out}");
        assert!(
            out.contains("skipped: matter 3") && out.contains("missing_file_number"),
            "{flag}: {out}"
        );
    }
    assert!(firm.sandbox.cases().is_empty());
    // A real run stays quiet on a pipe.
    assert_eq!(firm.ok(&["sync", "matters"]), "");
}

#[test]
fn each_matter_is_counted_under_one_outcome() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    let mut m = SampleMatter::new(3, YESTERDAY);
    m.file_number = None;
    m.client.as_mut().unwrap().phones.clear();
    firm.add_matter(&m);
    let mut m = SampleMatter::new(4, YESTERDAY);
    m.attorney_id = Some(6); // not a CaseStatus user: 422
    firm.add_matter(&m);
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    let counts = doc["counts"].as_object().unwrap();
    assert_eq!(doc["counts"]["created"], 2, "{doc}");
    assert_eq!(doc["counts"]["skipped"], 1, "{doc}");
    assert_eq!(doc["counts"]["rejected"], 1, "{doc}");
    let total: u64 = counts.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total, 4, "counts add up to the matters: {doc}");
    assert!(counts.keys().all(|k| !k.contains(':')), "{doc}");
    assert_eq!(doc["skipped_by_reason"]["missing_file_number"], 1, "{doc}");
    assert_eq!(
        doc["skipped_by_reason"]["primary_party_no_phone"], 1,
        "{doc}"
    );
    assert!(doc["skipped_by_reason"]
        .get("rejected_by_casestatus")
        .is_none());
    let log = firm.json(&["log"]);
    assert_eq!(log["runs"][0]["counts"], doc["counts"], "{log}");
    let text = firm.ok(&["log"]);
    assert!(
        text.contains("created 2 · rejected 1 · skipped 1"),
        "{text}"
    );
}

#[test]
fn why_skipped_tells_the_real_situation() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    let mut m = SampleMatter::new(4, YESTERDAY);
    m.attorney_id = Some(6);
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    // Refused every cycle: not "eligible — will be pushed".
    let out = firm.ok(&["why-skipped", "4"]);
    assert!(out.contains("Refused by CaseStatus"), "{out}");
    assert!(!out.contains("will be pushed"), "{out}");
    let doc = firm.json(&["why-skipped", "4"]);
    assert_eq!(doc["situation"], "refused_by_casestatus");
    let refusal = doc["reasons"][0]["message"].as_str().unwrap();
    assert!(
        refusal.starts_with("CaseStatus refused the case (attorney_not_found)"),
        "no doubled code prefix: {refusal}"
    );
    // Ineligible for another reason now: the old refusal is not a reason.
    firm.fc()
        .execute("UPDATE matters SET file_number = NULL WHERE id = 4", [])
        .unwrap();
    let doc = firm.json(&["why-skipped", "4"]);
    let codes: Vec<&str> = doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["missing_file_number"], "{doc}");

    // A create whose answer was lost: waiting, not "will be pushed".
    firm.add_matters(2, 1);
    firm.sandbox
        .inject(Route::new("POST", "/v1/api/cases"), Fault::LoseResponse, 1);
    // ... and CaseStatus's look-up does not list the new case yet.
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/cases"),
        Fault::Respond {
            status: 200,
            body: "[]".into(),
        },
        5,
    );
    firm.run(&["sync", "matters"]);
    let out = firm.ok(&["why-skipped", "2"]);
    assert!(out.contains("Waiting"), "{out}");

    // After disconnect nothing syncs.
    firm.add_matters(3, 1);
    firm.ok(&["disconnect"]);
    let out = firm.ok(&["why-skipped", "3"]);
    assert!(out.contains("not syncing"), "{out}");
    assert!(!out.contains("will be pushed"), "{out}");
}

#[test]
fn a_rename_in_casestatus_is_not_drift_and_real_drift_names_values() {
    let firm = pushed_firm(1);
    let mut areas = firm.sandbox.practice_areas();
    for a in &mut areas {
        if a.name == "Workers' Compensation" {
            a.name = "Workers' Comp".into();
            for s in &mut a.stages {
                if s.name == "Treatment" {
                    s.name = "Medical Treatment".into();
                }
            }
        }
    }
    firm.sandbox.set_practice_areas(areas);
    let out = firm.ok(&["refetch-practice-areas"]);
    assert!(
        out.contains("Renamed stage: Workers' Comp / Treatment → Medical Treatment"),
        "{out}"
    );
    let doc = firm.json(&["why-skipped", "1"]);
    assert_eq!(doc["changed_since_push"], serde_json::json!([]), "{doc}");

    firm.fc()
        .execute(
            "UPDATE contacts SET last_name = 'Garcia' WHERE id = 10001",
            [],
        )
        .unwrap();
    let out = firm.ok(&["why-skipped", "1"]);
    assert!(
        out.contains("client name: sent \"Maria Lopez1\", now \"Maria Garcia\""),
        "{out}"
    );
    assert!(!out.contains("practice area: sent"), "{out}");
    assert!(!out.contains("stage: sent"), "{out}");
}

#[test]
fn log_of_the_matters_run_of_sync_all_lists_its_skips() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    let mut m = SampleMatter::new(2, YESTERDAY);
    m.file_number = None;
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "all"]);
    let log = firm.json(&["log"]);
    let matters_run = log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "matters")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let doc = firm.json(&["log", "--run", &matters_run.to_string()]);
    assert_eq!(doc["skipped_now"][0]["matter_id"], 2, "{doc}");
}

#[test]
fn times_are_shown_in_the_firms_zone() {
    let firm = Firm::new();
    firm.add_matter(&SampleMatter::new(1, "2026-11-28T11:50:00Z"));
    firm.connect_and_map();
    let out = firm.ok(&["why-skipped", "1"]);
    // 12:35 UTC is 06:35 in Chicago.
    assert!(out.contains("eligible from 2026-11-28 06:35 CST"), "{out}");
    assert!(!out.contains("12:35:00Z"), "{out}");
    let doc = firm.json(&["why-skipped", "1"]);
    assert_eq!(doc["eligible_from"], "2026-11-28T12:35:00Z");
}

/// Display width of a line without its colour codes.
fn width(line: &str) -> usize {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

#[test]
fn coloured_table_cells_line_up() {
    let firm = Firm::new();
    firm.connect();
    firm.ok(&["test"]);
    firm.ok(&[
        "map",
        "practice-area",
        "Workers' Compensation",
        "--case-type",
        "Workers' Compensation",
    ]);
    let (code, out, err) = run_cmd(
        firm.cmd()
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1")
            .arg("map"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains('\x1b'), "colour was forced: {out}");
    let mut tables = 0;
    for block in out.split("\n\n") {
        let rows: Vec<&str> = block
            .lines()
            .filter(|l| l.starts_with(['┌', '│', '└', '├', '╞']))
            .collect();
        if rows.len() > 2 {
            tables += 1;
            let w = width(rows[0]);
            for r in &rows {
                assert_eq!(width(r), w, "misaligned row {r:?} in\n{block}");
            }
        }
    }
    assert!(tables > 0, "{out}");
}

#[test]
fn the_demos_commands_work_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_cmd(
        crate::common::bare(dir.path())
            .arg("demo")
            .timeout(Duration::from_secs(120)),
    );
    assert_eq!(code, 0, "{err}");
    let tail = out.split("Keep exploring").nth(1).expect("the section");
    let lines: Vec<&str> = tail
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let cd = lines
        .iter()
        .find(|l| l.starts_with("cd "))
        .expect("a cd line");
    let commands: Vec<&&str> = lines
        .iter()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.trim_matches('\'').ends_with("/casestatus-sync"))
        })
        .collect();
    assert!(commands.len() >= 5, "{tail}");
    // It ends with the way to the firm's own data (issue 26).
    let last = lines.last().expect("a last line");
    assert!(
        last.contains("casestatus-sync init && ") && last.ends_with("casestatus-sync setup"),
        "{tail}"
    );
    for c in commands {
        let o = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{cd} && {c}"))
            .current_dir(dir.path())
            .env_remove("CASESTATUS_SYNC_CONFIG")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{c}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn passing_conditions_have_their_own_exit_code() {
    let firm = pushed_firm(1);
    // CaseStatus answering 503 to every call: temporary.
    firm.add_matters(2, 4);
    firm.sandbox.inject(Route::any(), Fault::Status(503), 1000);
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 4, "{err}");
    assert_one_line_error(&err, &["next cycle retries"]);

    // FluentCase busy past the busy timeout: temporary too.
    let firm = pushed_firm(1);
    let mut holder = firm.fc();
    let tx = holder
        .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
        .unwrap();
    let (code, _, err) = run_cmd(
        firm.cmd()
            .env("CASESTATUS_SYNC_BUSY_TIMEOUT_MS", "200")
            .args(["sync", "matters"]),
    );
    drop(tx);
    assert_eq!(code, 4, "{err}");
    assert_one_line_error(&err, &["next cycle retries"]);

    // A refused key needs a person.
    let firm = Firm::new();
    firm.add_matters(1, 1);
    let (code, _, _) = firm.run_stdin(
        &["connect", "--name", "K", "--api-key-stdin", "--no-test"],
        "revoked-key",
    );
    assert_eq!(code, 0);
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3, "{err}");
    assert!(!err.contains("next cycle retries"), "{err}");
}

#[test]
fn an_output_error_is_an_error() {
    let firm = pushed_firm(1);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        skip_unless_ci("no /dev/full here");
        return;
    };
    let o = std::process::Command::new(assert_cmd::cargo::cargo_bin("casestatus-sync"))
        .arg("--config")
        .arg(&firm.config)
        .args(["why-skipped", "1"])
        .env("CASESTATUS_SYNC_NOW", &firm.now)
        .stdout(full)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_one_line_error(&err, &["cannot write to standard output"]);
}

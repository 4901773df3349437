//! Upgrading a real state file full of rows (issue 24, item 8): a version-3
//! file — the schema of the release before migration 4, which copies every
//! practice-area and stage name into `casestatus_names` — with a ledger,
//! skips, appointments, runs and their items, settings and mappings, run
//! through today's binary against the sandbox.
//!
//! The version-3 file is built from the migrations module's own SQL
//! (`MIGRATIONS[..3]`, applied as the store applies them: one transaction,
//! then `user_version`), so no schema is copied here; the rows are what a
//! version-3 binary wrote, and the CaseStatus records they point at are
//! made in the sandbox first, as that binary would have made them.

use std::collections::BTreeMap;

use casestatus_sync::casestatus::{AppointmentBody, CaseBody};
use casestatus_sync::sandbox::Sandbox;
use casestatus_sync::store::migrations::MIGRATIONS;
use rusqlite::{params, Connection};
use serde_json::json;

use crate::common::{Firm, YESTERDAY};

const V3: usize = 3;
const PUSHED_AT: &str = "2026-11-20T09:00:00Z";

/// A state file at schema version `version`, by the migrations' own SQL.
fn state_at_version(path: &std::path::Path, version: usize) -> Connection {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("state folder");
    let mut c = Connection::open(path).expect("open state");
    let tx = c.transaction().expect("tx");
    for m in &MIGRATIONS[..version] {
        tx.execute_batch(m).expect("migration");
    }
    tx.pragma_update(None, "user_version", version as i64)
        .expect("version");
    tx.commit().expect("commit");
    c
}

/// POST to the sandbox as the demo key; the new record's id.
fn post(firm: &Firm, path: &str, body: serde_json::Value) -> i64 {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}{path}", firm.sandbox.base_url()))
        .header("Authorization", format!("ApiKey {}", Sandbox::DEMO_KEY))
        .json(&body)
        .send()
        .expect("sandbox answers");
    assert_eq!(resp.status(), 201, "{path}");
    resp.json::<serde_json::Value>().expect("JSON")["id"]
        .as_i64()
        .expect("an id")
}

fn case_body(matter: i64) -> serde_json::Value {
    json!({"integration_id": matter.to_string(), "readable_id": format!("WC-2026-{matter:04}"),
           "practice_area": "Workers' Compensation", "stage": "Treatment",
           "opened_on": "2026-01-05", "closed_on": null,
           "attorney": {"name": "Dana Reyes", "email": "dreyes@firm.example"},
           "paralegal_email": null,
           "client": {"first_name": "Maria", "last_name": format!("Lopez{matter}"),
                      "phone": "+15125550142", "email": null, "date_of_birth": null},
           "deep_link": format!("https://acme.fluentcase.com/matters/{matter}")})
}

fn appointment_body(event: i64) -> serde_json::Value {
    json!({"integration_id": event.to_string(), "appointment_type": "Meeting",
           "title": "Deposition", "starts_at": "2026-12-10T15:00:00Z", "ends_at": null,
           "all_day": false, "notes": null, "location": null, "meeting_url": null})
}

/// A body as a binary stores it: the wire type's JSON, fields in its order.
fn as_sent<T: serde::de::DeserializeOwned + serde::Serialize>(v: serde_json::Value) -> String {
    let typed: T = serde_json::from_value(v).expect("a body");
    serde_json::to_string(&typed).expect("JSON")
}

/// Every row of `table`, each as its columns' text, in a stable order.
fn rows(c: &Connection, table: &str) -> Vec<Vec<String>> {
    let mut stmt = c
        .prepare(&format!("SELECT * FROM {table}"))
        .expect("select");
    let n = stmt.column_count();
    let mut out: Vec<Vec<String>> = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect()
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    out.sort();
    out
}

/// Tables of version 3 and the columns a version-3 binary wrote (later
/// migrations add columns; a row is the same row when these are equal).
const V3_TABLES: &[(&str, &str)] = &[
    ("api_key", "id, name, secret, saved_at"),
    ("synced_statuses", "name"),
    ("practice_areas", "id, name, vanished_at"),
    (
        "stages",
        "id, practice_area_id, name, position, vanished_at",
    ),
    ("practice_area_mappings", "practice_area_id, case_type"),
    (
        "stage_mappings",
        "stage_id, practice_area_id, matter_status",
    ),
    ("enabled_event_types", "name"),
    ("settings", "key, value"),
    (
        "runs",
        "id, kind, started_at, finished_at, dry_run, counts, error",
    ),
    ("run_items", "run_id, subject, subject_id, outcome, detail"),
    (
        "matter_ledger",
        "matter_id, intent_at, case_id, pushed_at, how, sent",
    ),
    ("matter_skips", "matter_id, codes, since_run, since"),
    (
        "appointment_ledger",
        "event_id, matter_id, case_id, intent_at, appointment_id, sent, pushed_at",
    ),
];

fn v3_rows(c: &Connection) -> BTreeMap<&'static str, Vec<Vec<String>>> {
    V3_TABLES
        .iter()
        .map(|(t, cols)| {
            let view = format!("(SELECT {cols} FROM {t})");
            (*t, rows(c, &view))
        })
        .collect()
}

#[test]
fn a_version_3_state_file_full_of_rows_upgrades_with_every_row_and_no_duplicate() {
    let firm = Firm::new();
    // Matters 1..=6 eligible, 7 of an unmapped case type; a Deposition on 1..=3.
    firm.add_matters(1, 6);
    let mut seven = casestatus_sync::sandbox::sample::SampleMatter::new(7, YESTERDAY);
    seven.case_type_id = Some(4);
    firm.add_matter(&seven);
    firm.add_depositions(1..=3);

    // What the version-3 binary did in CaseStatus: cases for 1..=5 (the
    // answer for 5 was lost: its ledger row has an intent and no case id),
    // appointments for events 1 and 2.
    let cases: BTreeMap<i64, i64> = (1..=5)
        .map(|m| (m, post(&firm, "/v1/api/cases", case_body(m))))
        .collect();
    let appointments: BTreeMap<i64, i64> = (1..=2)
        .map(|e| {
            let path = format!("/v1/api/cases/{}/appointments", cases[&e]);
            (e, post(&firm, &path, appointment_body(e)))
        })
        .collect();

    // The version-3 state file and its rows.
    let areas = firm.sandbox.practice_areas();
    let c = state_at_version(&firm.state_path, V3);
    c.execute(
        "INSERT INTO api_key VALUES (1, 'CaseStatus API Key', ?1, ?2)",
        params![Sandbox::DEMO_KEY, PUSHED_AT],
    )
    .expect("key");
    c.execute("INSERT INTO synced_statuses VALUES ('Open')", [])
        .expect("status");
    for a in &areas {
        c.execute(
            "INSERT INTO practice_areas (id, name) VALUES (?1, ?2)",
            params![a.id, a.name],
        )
        .expect("area");
        for s in &a.stages {
            c.execute(
                "INSERT INTO stages (id, practice_area_id, name, position) VALUES (?1, ?2, ?3, ?4)",
                params![s.id, a.id, s.name, s.position],
            )
            .expect("stage");
        }
    }
    let wc = areas
        .iter()
        .find(|a| a.name == "Workers' Compensation")
        .expect("the demo area");
    c.execute(
        "INSERT INTO practice_area_mappings VALUES (?1, 'Workers'' Compensation')",
        [wc.id],
    )
    .expect("area mapping");
    for (stage, status) in [
        ("Intake", "Intake"),
        ("Treatment", "Open"),
        ("Settlement", "Settlement"),
        ("Closed", "Closed"),
    ] {
        let s = wc.stages.iter().find(|s| s.name == stage).expect("stage");
        c.execute(
            "INSERT INTO stage_mappings VALUES (?1, ?2, ?3)",
            params![s.id, wc.id, status],
        )
        .expect("stage mapping");
    }
    c.execute("INSERT INTO enabled_event_types VALUES ('Deposition')", [])
        .expect("event type");
    c.execute(
        "INSERT INTO settings VALUES ('practice_areas_fetched_at', ?1)",
        [PUSHED_AT],
    )
    .expect("setting");
    c.execute_batch(&format!(
        "INSERT INTO runs VALUES (1, 'matters', '{PUSHED_AT}', '{PUSHED_AT}', 0,
             '{{\"created\":5,\"skipped\":1}}', NULL);
         INSERT INTO runs VALUES (2, 'appointments', '{PUSHED_AT}', '{PUSHED_AT}', 0,
             '{{\"created\":2}}', NULL);
         INSERT INTO run_items VALUES (1, 'matter', '7', 'skipped',
             '{{\"codes\":[\"case_type_unmapped\"],\"message\":\"Case type Estate Planning is not mapped\"}}');
         INSERT INTO run_items VALUES (2, 'event', '1', 'created', '{{}}');
         INSERT INTO matter_skips VALUES (7, 'case_type_unmapped', 1, '{PUSHED_AT}');"
    ))
    .expect("runs");
    for (m, case) in &cases {
        let (case, pushed, how) = if *m == 5 {
            (None, None, None)
        } else {
            (Some(*case), Some(PUSHED_AT), Some("created"))
        };
        c.execute(
            "INSERT INTO matter_ledger (matter_id, intent_at, case_id, pushed_at, how, sent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                m,
                PUSHED_AT,
                case,
                pushed,
                how,
                as_sent::<CaseBody>(case_body(*m))
            ],
        )
        .expect("ledger");
    }
    for (e, appointment) in &appointments {
        c.execute(
            "INSERT INTO appointment_ledger VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?3)",
            params![
                e,
                cases[e],
                PUSHED_AT,
                appointment,
                as_sent::<AppointmentBody>(appointment_body(*e))
            ],
        )
        .expect("appointment ledger");
    }
    let before = v3_rows(&c);
    drop(c);
    assert!(
        before.values().all(|r| !r.is_empty()),
        "every version-3 table has rows: {before:?}"
    );

    // A read-only command does not upgrade it (SPEC §1), and says how.
    let (code, _, err) = firm.run(&["log"]);
    assert_ne!(code, 0);
    assert!(err.contains("version 3"), "{err}");

    // A sync upgrades it and goes on from where version 3 stopped.
    firm.ok(&["sync", "matters"]);
    firm.ok(&["sync", "appointments"]);

    let c = Connection::open(&firm.state_path).expect("open state");
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, casestatus_sync::store::state::schema_version());
    let after = v3_rows(&c);
    for (table, old) in &before {
        let new = &after[table];
        let lost: Vec<_> = old.iter().filter(|r| !new.contains(r)).collect();
        match *table {
            // Matter 5's row gains the case id its look-up found.
            "matter_ledger" => assert_eq!(lost.len(), 1, "{table}: {lost:?}"),
            _ => assert!(lost.is_empty(), "{table} lost rows: {lost:?}\nnow: {new:?}"),
        }
    }
    // Migration 4 copied every name of every area and stage.
    let names = rows(&c, "casestatus_names");
    for a in &areas {
        let area = vec![
            "Text(\"practice_area\")".to_string(),
            format!("Integer({})", a.id),
            format!("Text({:?})", a.name),
        ];
        assert!(names.contains(&area), "{area:?} in {names:?}");
        for s in &a.stages {
            let stage = vec![
                "Text(\"stage\")".to_string(),
                format!("Integer({})", s.id),
                format!("Text({:?})", s.name),
            ];
            assert!(names.contains(&stage), "{stage:?} in {names:?}");
        }
    }
    let five: Option<i64> = c
        .query_row(
            "SELECT case_id FROM matter_ledger WHERE matter_id = 5",
            [],
            |r| r.get(0),
        )
        .expect("matter 5");
    assert_eq!(
        five,
        Some(cases[&5]),
        "matter 5 found by look-up, not created"
    );
    drop(c);

    // CaseStatus: one case per eligible matter — the old ones under their
    // old ids — and one appointment per event, none deleted.
    let mut per_matter: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for case in firm.sandbox.cases() {
        per_matter
            .entry(case.integration_id)
            .or_default()
            .push(case.id);
    }
    let want: BTreeMap<String, Vec<i64>> = (1..=6)
        .map(|m| {
            let id = cases.get(&m).copied();
            (m.to_string(), id.map(|i| vec![i]).unwrap_or_default())
        })
        .collect();
    for (m, ids) in &want {
        let got = per_matter.get(m).cloned().unwrap_or_default();
        if ids.is_empty() {
            assert_eq!(got.len(), 1, "matter {m} created once: {per_matter:?}");
        } else {
            assert_eq!(&got, ids, "matter {m} not created again: {per_matter:?}");
        }
    }
    assert_eq!(
        per_matter.len(),
        6,
        "matter 7 stays skipped: {per_matter:?}"
    );
    let mut per_event: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in firm.sandbox.appointments() {
        assert!(!a.deleted, "nothing deleted: {a:?}");
        per_event.entry(a.integration_id).or_default().push(a.id);
    }
    for (e, id) in &appointments {
        assert_eq!(per_event[&e.to_string()], vec![*id], "event {e}");
    }
    assert_eq!(per_event.get("3").map(Vec::len), Some(1), "{per_event:?}");

    // The old runs and skips read as before.
    let log = firm.json(&["log"]).to_string();
    assert!(
        log.contains("appointments") && log.contains("matters"),
        "{log}"
    );
    let why = firm.json(&["why-skipped", "7"]);
    assert_eq!(why["eligible"], false, "{why}");
    assert!(why.to_string().contains("case_type_unmapped"), "{why}");
    let why = firm.json(&["why-skipped", "1"]);
    assert_eq!(why["casestatus_case_id"], cases[&1], "{why}");
}

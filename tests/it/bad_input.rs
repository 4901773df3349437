//! Bad input for the foundation: each case is a one-line error naming what
//! and where, a non-zero exit, and no panic.

use crate::common::*;

fn with_config(firm: &Firm, text: &str) -> (i32, String, String) {
    std::fs::write(&firm.config, text).unwrap();
    firm.run(&["event-types"])
}

fn good(firm: &Firm) -> String {
    std::fs::read_to_string(&firm.config).unwrap()
}

#[test]
fn malformed_toml() {
    let firm = Firm::new();
    let (code, _, err) = with_config(&firm, "[fluentcase\ndatabase = 1");
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus-sync.toml", "line 1"]);
}

#[test]
fn missing_key() {
    let firm = Firm::new();
    let text = good(&firm).replace("timezone = \"America/Chicago\"\n", "");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus-sync.toml", "missing field `timezone`"]);
}

#[test]
fn missing_table() {
    let firm = Firm::new();
    let text = good(&firm).replace("[state]\ndatabase = \"state/casestatus-sync.db\"\n", "");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["missing field `state`"]);
}

#[test]
fn wrong_type() {
    let firm = Firm::new();
    let text = good(&firm).replace("timeout_seconds = 5", "timeout_seconds = \"five\"");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus-sync.toml", "line 8", "expected"]);
}

#[test]
fn unknown_key_is_named() {
    let firm = Firm::new();
    let text = good(&firm).replace("timezone =", "time_zone =");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["unknown field `time_zone`"]);
}

#[test]
fn unknown_time_zone() {
    let firm = Firm::new();
    let text = good(&firm).replace("America/Chicago", "America/Gotham");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["fluentcase.timezone", "America/Gotham", "IANA"]);
}

#[test]
fn plain_http_to_a_remote_host() {
    let firm = Firm::new();
    let text = good(&firm).replace(&firm.sandbox.base_url(), "http://app.casestatus.com");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus.base_url", "https://"]);
}

#[test]
fn config_not_found_names_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run_cmd(bare(dir.path()).arg("event-types"));
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus-sync.toml", "--config"]);
    let (code, _, err) = run_cmd(
        bare(dir.path())
            .env("CASESTATUS_SYNC_CONFIG", "/nowhere/x.toml")
            .arg("event-types"),
    );
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["/nowhere/x.toml", "CASESTATUS_SYNC_CONFIG"]);
}

#[test]
fn config_found_through_env_and_cwd() {
    let firm = Firm::new();
    // Listing event types reads the state file `connect` makes.
    firm.connect();
    let (code, out, _) = run_cmd(
        bare(std::path::Path::new("/"))
            .env("CASESTATUS_SYNC_CONFIG", &firm.config)
            .arg("event-types"),
    );
    assert_eq!(code, 0);
    assert!(out.contains("Deposition"));
    let (code, out, _) = run_cmd(bare(firm.dir.path()).arg("event-types"));
    assert_eq!(code, 0, "relative paths resolve from the config's folder");
    assert!(out.contains("Deposition"));
}

#[test]
fn missing_fluentcase_database() {
    let firm = Firm::new();
    std::fs::remove_file(&firm.fc_path).unwrap();
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["FluentCase database", "fluentcase.db", "not found"]);
    assert!(
        !firm.fc_path.exists(),
        "the tool must not create FluentCase's database"
    );
}

#[test]
fn fluentcase_file_that_is_not_sqlite() {
    let firm = Firm::new();
    std::fs::write(
        &firm.fc_path,
        "this is not a database, just text ".repeat(100),
    )
    .unwrap();
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["FluentCase database", "not a database"]);
}

#[test]
fn fluentcase_missing_table_and_column() {
    let firm = Firm::new();
    let conn = firm.fc();
    conn.execute_batch("DROP TABLE event_types; ALTER TABLE matters DROP COLUMN file_number;")
        .unwrap();
    drop(conn);
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(
        &err,
        &[
            "table `event_types` is missing",
            "table `matters` is missing column `file_number`",
        ],
    );
}

#[test]
fn state_file_from_a_newer_version() {
    let firm = Firm::new();
    firm.connect();
    let conn = rusqlite::Connection::open(&firm.state_path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["state database", "999", "newer"]);
}

#[test]
fn state_file_that_is_corrupt() {
    let firm = Firm::new();
    std::fs::create_dir_all(firm.state_path.parent().unwrap()).unwrap();
    std::fs::write(&firm.state_path, vec![7u8; 8192]).unwrap();
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["state database", "casestatus-sync.db"]);
}

#[test]
fn unknown_command_and_flags_are_usage_errors() {
    let firm = Firm::new();
    let (code, _, _) = firm.run(&["frobnicate"]);
    assert_eq!(code, 2);
    let (code, _, _) = firm.run(&["map", "stage", "A"]);
    assert_eq!(code, 2);
    let (code, _, err) = firm.run(&["connect", "--name", "k", "--api-key", "secret"]);
    assert_eq!(code, 2, "the key is never a plain argument");
    assert_no_panic(code, &err);
}

#[test]
fn config_path_that_is_a_folder() {
    let firm = Firm::new();
    let (code, _, err) = run_cmd(
        bare(firm.dir.path())
            .arg("--config")
            .arg(firm.dir.path())
            .arg("event-types"),
    );
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["config file", "not found"]);
}

#[test]
fn config_that_is_not_utf8() {
    let firm = Firm::new();
    std::fs::write(&firm.config, b"[fluentcase]\ndatabase = \"\xff\xfe\"\n").unwrap();
    let (code, _, err) = firm.run(&["event-types"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus-sync.toml"]);
}

#[test]
fn empty_database_path() {
    let firm = Firm::new();
    let text = good(&firm).replace("database = \"fluentcase.db\"", "database = \"  \"");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["fluentcase.database", "not empty"]);
}

#[test]
fn state_and_fluentcase_the_same_file() {
    let firm = Firm::new();
    let text = good(&firm).replace("state/casestatus-sync.db", "fluentcase.db");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["state.database", "separate file"]);
}

#[test]
fn casestatus_url_that_is_not_a_url() {
    let firm = Firm::new();
    let text = good(&firm).replace(&firm.sandbox.base_url(), "app casestatus com");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus.base_url", "must be a URL"]);
}

#[test]
fn fluentcase_url_with_another_scheme() {
    let firm = Firm::new();
    let text = good(&firm).replace("https://acme.fluentcase.com", "ftp://acme.fluentcase.com");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["fluentcase.base_url", "http(s)"]);
}

#[test]
fn timeout_out_of_range() {
    let firm = Firm::new();
    let text = good(&firm).replace("timeout_seconds = 5", "timeout_seconds = 0");
    let (code, _, err) = with_config(&firm, &text);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["casestatus.timeout_seconds", "between 1 and 600"]);
}

#[test]
fn state_folder_that_cannot_be_created() {
    let firm = Firm::new();
    std::fs::write(firm.path("state"), "a file where the folder should be").unwrap();
    // A command that writes (listing is read-only and never makes a folder).
    let (code, _, err) = firm.run(&["event-types", "enable", "Deposition"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["state database", "folder"]);
}

#[test]
fn injected_clock_that_is_not_a_time() {
    let firm = Firm::new();
    let (code, _, err) = run_cmd(
        firm.cmd()
            .env("CASESTATUS_SYNC_NOW", "noon")
            .arg("event-types"),
    );
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["CASESTATUS_SYNC_NOW", "RFC 3339"]);
}

#[test]
fn huge_and_odd_command_line_values() {
    let firm = Firm::new();
    firm.connect_and_map();
    let huge = "x".repeat(100_000);
    let (code, _, err) = firm.run(&["why-skipped", &huge]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_no_panic(code, &err);
    let (code, _, err) = firm.run(&["map", "practice-area", &huge, "--clear"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown practice area"), "{err}");
    assert_no_panic(code, &err);
    let (code, _, _) = firm.run(&["log", "--run", "seven"]);
    assert_eq!(code, 2);
    let (code, _, _) = firm.run(&["log", "--limit", "0"]);
    assert_eq!(code, 2);
    let (code, _, err) = firm.run(&["event-types", "enable", ""]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["empty"]);
    let (code, _, err) = firm.run(&["why-skipped", "O'Brien \"quoted\" ✓"]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["no matter"]);
}

#[test]
fn unicode_and_quotes_in_names_reach_casestatus_intact() {
    let firm = Firm::new();
    let mut m = casestatus_sync::sandbox::sample::SampleMatter::new(1, YESTERDAY);
    m.client = Some(casestatus_sync::sandbox::sample::SampleClient {
        first_name: Some("Zoë \"Z\"".into()),
        last_name: Some("O'Brien-Ñúñez 李".into()),
        email: None,
        date_of_birth: None,
        phones: vec![(Some("mobile".into()), "+1 512 555 0199".into())],
    });
    firm.add_matter(&m);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    let c = &firm.sandbox.cases()[0].body;
    assert_eq!(c["client"]["first_name"], "Zoë \"Z\"");
    assert_eq!(c["client"]["last_name"], "O'Brien-Ñúñez 李");
}

#[test]
fn nulls_where_names_are_expected() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.fc()
        .execute(
            "UPDATE staff SET first_name = NULL, last_name = NULL WHERE id = 1",
            [],
        )
        .unwrap();
    firm.fc()
        .execute("UPDATE contacts SET first_name = NULL WHERE id = 10001", [])
        .unwrap();
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        doc["skipped_by_reason"]["primary_party_name_missing"], 1,
        "{doc}"
    );
    let why = firm.json(&["why-skipped", "1"]);
    assert!(why["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no first name"));
}

#[test]
fn fluentcase_rows_with_wrong_types() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    // SQLite lets anything into any column: a blob file number, text ids.
    firm.fc()
        .execute(
            "UPDATE matters SET file_number = x'DEADBEEF', case_type_id = 'one' WHERE id = 1",
            [],
        )
        .unwrap();
    firm.connect_and_map();
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        doc["counts"]["created"], 1,
        "one bad row never stops the cycle: {doc}"
    );
    assert_eq!(doc["skipped_by_reason"]["case_type_unmapped"], 1);
}

#[test]
fn practice_areas_answer_with_wrong_types_or_extra_fields() {
    let firm = Firm::new();
    firm.connect();
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::new("GET", "/v1/api/practice_areas"),
        casestatus_sync::sandbox::Fault::Respond {
            status: 200,
            body: r#"[{"id": "12", "name": 5}]"#.into(),
        },
        1,
    );
    let (code, _, err) = firm.run(&["refetch-practice-areas"]);
    assert_eq!(code, 4);
    assert_one_line_error(&err, &["cannot use", "practice_areas"]);
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::new("GET", "/v1/api/practice_areas"),
        casestatus_sync::sandbox::Fault::Respond {
            status: 200,
            body: r#"[{"id": 12, "name": "Workers' Compensation", "color": "blue", "stages": [{"id": 101, "name": "Intake", "position": 1, "archived": false}]}]"#.into(),
        },
        1,
    );
    let doc = firm.json(&["refetch-practice-areas"]);
    assert_eq!(doc["practice_areas"], 1, "unknown fields are ignored");
}

#[test]
fn a_lookup_answer_that_is_an_object_not_a_list() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::new("GET", "/v1/api/cases"),
        casestatus_sync::sandbox::Fault::Respond {
            status: 200,
            body: r#"{"data": []}"#.into(),
        },
        1,
    );
    let (code, out, err) = firm.run(&["-v", "sync", "matters"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("cannot use"), "{out}");
    assert!(
        firm.sandbox.cases().is_empty(),
        "no create without a look-up"
    );
}

//! Bad input for the foundation: each case is a one-line error naming what
//! and where, a non-zero exit, and no panic.

mod common;

use common::*;

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
    assert!(!err.contains("panicked"));
}

//! `doctor` through the binary against the sandbox: every check ✓ on a
//! healthy setup; ⚠ (exit 0) for what the real CaseStatus may do that the
//! tool tolerates; ✗ (exit 3) when a person must act; read-only — no state
//! file created, GETs only.

use casestatus_sync::sandbox::{Quirks, Sandbox};

use crate::common::Firm;

/// A connected, mapped firm with 12 matters synced (so 12 cases: enough
/// to see a page cap of 10 and an ignored filter).
fn synced_firm() -> Firm {
    let firm = Firm::new();
    firm.connect_and_map();
    firm.add_matters(1, 12);
    firm.ok(&["sync", "matters"]);
    assert_eq!(firm.sandbox.cases().len(), 12);
    firm
}

/// (status, label line) of each check line printed.
fn marks(out: &str) -> Vec<(char, String)> {
    out.lines()
        .filter_map(|l| {
            let c = l.chars().next()?;
            matches!(c, '✓' | '⚠' | '✗').then(|| (c, l.to_string()))
        })
        .collect()
}

#[test]
fn a_healthy_setup_is_all_ticks_and_asks_by_get_only() {
    let firm = synced_firm();
    firm.sandbox.clear_requests();
    let har = firm.path("doctor.har");
    let (code, out, err) = firm.run(&["doctor", "--trace", har.to_str().expect("path")]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "only the trace notice: {err}");
    let lines = marks(&out);
    assert!(lines.len() >= 10, "{out}");
    assert!(lines.iter().all(|(m, _)| *m == '✓'), "{out}");
    for label in [
        "Config file",
        "FluentCase database",
        "State file",
        "Time zone",
        "API key",
        "CaseStatus key",
        "CaseStatus page sizes",
        "CaseStatus integration_id filter",
        "CaseStatus id types",
        "CaseStatus appointments",
    ] {
        assert!(out.contains(label), "{label}: {out}");
    }
    let requests = firm.sandbox.requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.method == "GET"),
        "doctor only reads: {requests:?}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("trace")).expect("JSON");
    let entries = doc["log"]["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), requests.len());
    assert!(entries.iter().all(|e| e["request"]["method"] == "GET"));
}

#[test]
fn a_config_others_can_change_is_a_cross() {
    use std::os::unix::fs::PermissionsExt;
    let firm = synced_firm();
    std::fs::set_permissions(&firm.config, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("✗ Config file permissions:") && out.contains("0666"),
        "{out}"
    );
    assert!(out.contains("chmod go-w"), "{out}");
}

#[test]
fn what_casestatus_may_do_is_tolerated_with_warnings() {
    let firm = synced_firm();
    firm.sandbox.set_quirks(Quirks {
        page_cap: Some(10),
        ignore_filters: true,
        string_ids: true,
        ..Quirks::default()
    });
    firm.sandbox.clear_requests();
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "⚠ is not a reason to fail: {out}{err}");
    let warned: Vec<String> = marks(&out)
        .into_iter()
        .filter(|(m, _)| *m == '⚠')
        .map(|(_, l)| l)
        .collect();
    assert!(!marks(&out).iter().any(|(m, _)| *m == '✗'), "{out}");
    let find = |needle: &str| warned.iter().any(|l| l.contains(needle));
    assert!(find("pages of 10"), "page cap: {warned:?}");
    assert!(
        find("integration_id filter") && find("whole case list"),
        "ignored filter: {warned:?}"
    );
    assert!(find("strings of digits"), "string ids: {warned:?}");
    assert!(firm.sandbox.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn a_refused_key_is_a_cross_with_the_help_articles_advice() {
    let firm = Firm::new();
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "K", "--api-key-stdin", "--no-test"],
        "wrong-key-9f8e7d6c5b4a",
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    let refused = marks(&out)
        .into_iter()
        .find(|(_, l)| l.contains("CaseStatus key"))
        .expect("the key check");
    assert_eq!(refused.0, '✗', "{out}");
    assert!(out.contains("401"), "{out}");
    assert!(out.contains("without extra spaces"), "the advice: {out}");
    assert!(err.contains("need a person"), "{err}");
    // Nothing else is asked once the key is refused.
    assert_eq!(firm.sandbox.requests().len(), 1);
}

#[test]
fn a_missing_state_file_is_a_cross_and_is_not_created() {
    let firm = Firm::new();
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    let state = marks(&out)
        .into_iter()
        .find(|(_, l)| l.starts_with("✗ State file:"));
    assert!(state.is_some(), "{out}");
    assert!(out.contains("does not exist"), "{out}");
    assert!(!firm.state_path.exists(), "doctor created the state file");
    assert!(
        !firm.state_path.parent().expect("folder").exists(),
        "doctor created the state folder"
    );
    assert!(firm.sandbox.requests().is_empty(), "no key, no call");
}

#[test]
fn json_has_every_check_with_name_status_message_and_fix() {
    let firm = synced_firm();
    let doc = firm.json(&["doctor"]);
    assert_eq!(doc["ok"], true, "{doc}");
    let checks = doc["checks"].as_array().expect("checks");
    assert!(checks.len() >= 10, "{doc}");
    for c in checks {
        assert!(c["name"].is_string() && c["message"].is_string(), "{c}");
        assert_eq!(c["status"], "ok", "{c}");
        assert!(c.get("fix").is_some(), "{c}");
    }
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    for n in [
        "config",
        "state_file",
        "key_accepted",
        "page_size",
        "case_filter",
        "id_types",
    ] {
        assert!(names.contains(&n), "{n}: {names:?}");
    }

    // A failing one: exit 3, still one document, the ✗ with its fix.
    firm.sandbox.add_api_key(Sandbox::DEMO_KEY, false);
    let (code, out, _) = firm.run(&["--json", "doctor"]);
    assert_eq!(code, 3);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["ok"], false);
    let failed = doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["status"] == "fail")
        .expect("a failed check");
    assert_eq!(failed["name"], "key_accepted");
    assert!(
        failed["fix"]
            .as_str()
            .is_some_and(|f| f.contains("API access")),
        "{failed}"
    );
}

#[test]
fn a_key_file_others_can_read_is_a_cross() {
    use std::os::unix::fs::PermissionsExt;
    let firm = synced_firm();
    let key = firm.path("api-key");
    std::fs::write(&key, Sandbox::DEMO_KEY).expect("key file");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    firm.write_config("api_key_file = \"api-key\"");
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("✗ API key file:") && out.contains("0644"),
        "{out}"
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o440)).expect("chmod");
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "0440 is accepted: {out}{err}");
    assert!(out.contains("✓ API key: read from"), "{out}");
}

#[test]
fn an_older_state_file_is_tolerated_and_left_as_it_is() {
    let firm = synced_firm();
    let current = casestatus_sync::store::state::schema_version();
    {
        let c = rusqlite::Connection::open(&firm.state_path).expect("state");
        c.pragma_update(None, "user_version", current - 1)
            .expect("pragma");
    }
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "the next sync upgrades it: {out}{err}");
    assert!(
        out.contains("⚠ State file:") && out.contains("older"),
        "{out}"
    );
    let c = rusqlite::Connection::open(&firm.state_path).expect("state");
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, current - 1, "doctor migrated the state file");
}

#[test]
fn a_bad_time_zone_is_the_config_cross_and_nothing_else_is_asked() {
    let firm = Firm::new();
    let text = std::fs::read_to_string(&firm.config).expect("config");
    std::fs::write(
        &firm.config,
        text.replace("America/Chicago", "America/Chicgo"),
    )
    .expect("config");
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.starts_with("✗ Config file:") && out.contains("fluentcase.timezone"),
        "{out}"
    );
    assert!(firm.sandbox.requests().is_empty());
}

#[test]
fn message_types_seen_are_listed_and_unknown_ones_warned() {
    use casestatus_sync::sandbox::NewMessage;
    let firm = synced_firm();
    firm.sandbox
        .add_message(NewMessage::client("1", "Maria", "Hello"));
    firm.sandbox.add_message(NewMessage {
        kind: "note".into(),
        ..NewMessage::client("1", "Maria", "A note")
    });
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "{out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("CaseStatus message types:"))
        .expect("the types line");
    assert!(line.starts_with('⚠'), "{line}");
    assert!(
        line.contains("\"client\" (1)") && line.contains("\"note\" (1)"),
        "{line}"
    );
}

/// Answer the next `times` case listings with `body`, whatever they ask.
fn cases_answer(firm: &Firm, body: &str, times: usize) {
    use casestatus_sync::sandbox::{Fault, Route};
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/cases"),
        Fault::Respond {
            status: 200,
            body: body.into(),
        },
        times,
    );
}

#[test]
fn an_ignored_page_size_is_tolerated_and_ignored_page_numbers_are_not() {
    let firm = synced_firm();
    let three = r#"[{"id": 1, "integration_id": "1"}, {"id": 2, "integration_id": "2"}, {"id": 3, "integration_id": "3"}]"#;
    // Asked for 2, got 3: page[size] ignored.
    cases_answer(&firm, three, 1);
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("⚠ CaseStatus page sizes: page[size] is ignored"),
        "{out}"
    );

    // Page 2 repeats page 1: no list can be read to its end.
    let two = r#"[{"id": 1, "integration_id": "1"}, {"id": 2, "integration_id": "2"}]"#;
    cases_answer(&firm, two, 3);
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("✗ CaseStatus page sizes: page[number] is ignored"),
        "{out}"
    );
}

//! Issue 7: security and overlapping runs.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::NewMessage;

#[test]
fn rotating_the_key_keeps_the_ledger() {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.sandbox.add_api_key("rotated-key-7c1f", true);
    let (code, _, _) = firm.run_stdin(
        &["connect", "--name", "Rotated key", "--api-key-stdin"],
        "rotated-key-7c1f",
    );
    assert_eq!(code, 0);
    firm.add_matters(4, 1);
    let doc = firm.json(&["sync", "matters"]);
    assert_eq!(
        (
            doc["counts"]["created"].as_u64(),
            doc["counts"]["in_casestatus"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(firm.sandbox.cases().len(), 4);
    assert!(firm.ok(&["test"]).contains("Rotated key"));
}

#[test]
fn state_lock_and_companion_files_are_private() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["sync", "all"]);
    let mut lock = firm.state_path.as_os_str().to_owned();
    lock.push(".lock");
    let mut messages_lock = firm.state_path.as_os_str().to_owned();
    messages_lock.push(".messages.lock");
    for p in [
        firm.state_path.clone(),
        std::path::PathBuf::from(lock),
        std::path::PathBuf::from(messages_lock),
    ] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    // A state file someone loosened is tightened again on open.
    std::fs::set_permissions(&firm.state_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    firm.ok(&["event-types", "enable", "Deposition"]);
    let mode = std::fs::metadata(&firm.state_path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

/// SQL is never built from data: every `format!` that builds SQL in src/
/// interpolates only the named constants below.
#[test]
fn no_sql_is_built_from_data() {
    let allowed = ["{MATTER_SELECT}", "{LEDGER_COLUMNS}", "{EVENT_SELECT}"];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sql_words = ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WHERE "];
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 20, "every source file is read");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if !line.contains("format!(") {
                continue;
            }
            // The format string itself: from `format!("` to the next quote.
            let Some(start) = line.find("format!(\"") else {
                continue;
            };
            let body = &line[start + 9..];
            let literal = &body[..body.find('"').unwrap_or(body.len())];
            if !sql_words.iter().any(|w| literal.contains(w)) {
                continue;
            }
            let mut rest = literal;
            while let Some(i) = rest.find('{') {
                let end = rest[i..].find('}').map_or(rest.len(), |j| i + j + 1);
                let placeholder = &rest[i..end];
                assert!(
                    allowed.contains(&placeholder),
                    "{}:{}: SQL built with {placeholder}: {line}",
                    path.display(),
                    n + 1
                );
                rest = &rest[end..];
            }
        }
    }
}

#[test]
fn overlapping_runs_of_each_kind_never_duplicate() {
    let firm = Firm::new();
    firm.add_matters(1, 10);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    firm.add_depositions(1..=10);
    for id in 1..=10 {
        firm.sandbox
            .add_message(NewMessage::client(&id.to_string(), "Client", "hi"));
    }
    firm.sandbox.set_allow_duplicates(true);
    firm.sandbox.set_latency(Duration::from_millis(40));
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    for kind in ["matters", "appointments", "messages", "all"] {
        let spawn = || {
            Command::new(&bin)
                .args(["--config", firm.config.to_str().unwrap(), "sync", kind])
                .env("CASESTATUS_SYNC_NOW", NOW)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let a = spawn();
        std::thread::sleep(Duration::from_millis(60));
        let b = spawn();
        let codes = [
            a.wait_with_output().unwrap().status.code(),
            b.wait_with_output().unwrap().status.code(),
        ];
        assert!(
            codes.iter().all(|c| matches!(c, Some(0) | Some(5))),
            "{kind}: {codes:?}"
        );
    }
    firm.sandbox.set_latency(Duration::ZERO);
    firm.ok(&["sync", "all"]);
    let mut ids: Vec<String> = firm
        .sandbox
        .cases()
        .into_iter()
        .map(|c| c.integration_id)
        .collect();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!((n, ids.len()), (10, 10));
    let mut appts: Vec<String> = firm
        .sandbox
        .appointments()
        .into_iter()
        .filter(|a| !a.deleted)
        .map(|a| a.integration_id)
        .collect();
    appts.sort();
    let n = appts.len();
    appts.dedup();
    assert_eq!((n, appts.len()), (10, 10));
    let count: i64 = firm
        .fc()
        .query_row(
            "SELECT COUNT(*) FROM activities WHERE source = 'casestatus'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 10);
}

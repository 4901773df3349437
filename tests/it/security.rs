//! Issue 7: security and overlapping runs.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::{NewMessage, Route};

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
    // The state file, its lock and (when SQLite made them) its WAL
    // companions: the one place these modes are checked.
    assert_mode(&firm.state_path, 0o600);
    for suffix in [".lock", ".messages.lock", "-wal", "-shm"] {
        let mut p = firm.state_path.as_os_str().to_owned();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        if suffix.ends_with(".lock") || p.exists() {
            assert_mode(&p, 0o600);
        }
    }
    // A state file someone loosened is tightened again on open.
    std::fs::set_permissions(&firm.state_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    firm.ok(&["sync", "matters"]);
    assert_mode(&firm.state_path, 0o600);
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
        // Run A is held at its first request, under its lock, so run B
        // certainly overlaps it (an event, not a sleep).
        let hold = firm.sandbox.hold(Route::any(), 0, 1);
        let a = spawn();
        assert!(
            hold.wait_arrived(1, Duration::from_secs(60)),
            "{kind}: run A started"
        );
        let b = spawn().wait_with_output().unwrap().status.code();
        assert_eq!(
            b,
            Some(5),
            "{kind}: the overlapping run waits for the next cycle"
        );
        hold.release();
        let a = a.wait_with_output().unwrap().status.code();
        assert_eq!(a, Some(0), "{kind}: the first run finishes");
    }
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

/// Issue 23 item 9: under `umask 000` the state folder (and a missing
/// parent) is created 0700; the files in it stay 0600.
#[test]
fn the_state_folder_is_private_whatever_the_umask() {
    let firm = Firm::new();
    let text = std::fs::read_to_string(&firm.config).unwrap().replace(
        "database = \"state/casestatus-sync.db\"",
        "database = \"private/state/casestatus-sync.db\"",
    );
    std::fs::write(&firm.config, text).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let out = assert_cmd::Command::new("sh")
        .args(["-c", "umask 000 && exec \"$@\"", "sh"])
        .arg(&bin)
        .arg("--config")
        .arg(&firm.config)
        .args(["connect", "--name", "Key", "--api-key-stdin"])
        .env("CASESTATUS_SYNC_NOW", &firm.now)
        .env("NO_COLOR", "1")
        .write_stdin(casestatus_sync::sandbox::Sandbox::DEMO_KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for folder in ["private", "private/state"] {
        let mode = std::fs::metadata(firm.path(folder))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700, "{folder} is {mode:o}");
    }
    let mode = std::fs::metadata(firm.path("private/state/casestatus-sync.db"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

/// Issue 23 item 8: an API key file that others can read, or that its
/// group can write, is refused naming the file and its mode — a symlink to
/// one too; 0600, 0400, 0640 and 0440 are accepted (a Kubernetes Secret
/// with defaultMode 0440 and the pod's fsGroup).
#[test]
fn a_loose_api_key_file_is_refused() {
    let firm = Firm::new();
    let key = firm.path("secrets/casestatus-api-key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    write_secret(&key, casestatus_sync::sandbox::Sandbox::DEMO_KEY);
    firm.write_config("api_key_file = \"secrets/casestatus-api-key\"");
    for mode in [0o644, 0o666, 0o660, 0o604] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, out, err) = firm.run(&["test"]);
        assert_eq!(code, 3, "{mode:o}: {out}{err}");
        assert_one_line_error(
            &err,
            &["casestatus-api-key", &format!("{mode:04o}"), "api_key_file"],
        );
        assert_no_secret(&out, &err);
    }
    // Through a symlink (a Secret volume's layout): the file is judged.
    let link = firm.path("secrets/link-to-key");
    std::os::unix::fs::symlink(&key, &link).unwrap();
    firm.write_config("api_key_file = \"secrets/link-to-key\"");
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3, "{err}");
    assert_one_line_error(&err, &["link-to-key", "0604"]);
    for mode in [0o600, 0o400, 0o640, 0o440] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, out, err) = firm.run(&["test"]);
        assert_eq!(code, 0, "{mode:o}: {out}{err}");
    }
}

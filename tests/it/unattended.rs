//! Issue 13: running unattended — the key from a secret file, `status` for
//! monitoring, read-only commands that never create a state file, compact
//! JSON, the man page, completions in a real shell, `--version`, the panic
//! hook, help, a key typed as an argument, and `connect` testing a key
//! before it replaces a working one.

use std::path::Path;

use crate::common::*;
use casestatus_sync::sandbox::Sandbox;

/// A firm whose config reads the key from `secrets/casestatus-api-key`.
fn firm_with_key_file(content: &str) -> (Firm, std::path::PathBuf) {
    let firm = Firm::new();
    let key = firm.path("secrets/casestatus-api-key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    crate::common::write_secret(&key, content);
    firm.write_config("api_key_file = \"secrets/casestatus-api-key\"");
    (firm, key)
}

fn state_bytes(firm: &Firm) -> String {
    let mut all = Vec::new();
    for suffix in ["", "-wal"] {
        all.extend(
            std::fs::read(format!("{}{suffix}", firm.state_path.display())).unwrap_or_default(),
        );
    }
    String::from_utf8_lossy(&all).into_owned()
}

// ---- 1. the key from a secret file ----

#[test]
fn key_file_is_read_every_run_and_never_stored() {
    let (firm, key) = firm_with_key_file(&format!("  {}\n", Sandbox::DEMO_KEY));
    firm.add_matters(1, 2);
    // No connect: the key file is enough.
    let out = firm.ok(&["test"]);
    assert!(out.contains("● Connected"), "{out}");
    assert!(
        out.contains(&format!("API key from {}", key.display())),
        "test shows where the key came from: {out}"
    );
    let doc = firm.json(&["test"]);
    assert_eq!(doc["key_file"], key.display().to_string());
    for args in casestatus_sync::sandbox::sample::MINIMAL_MAPPING {
        firm.ok(args);
    }
    firm.ok(&["sync", "all"]);
    assert_eq!(
        firm.sandbox.cases().len(),
        2,
        "synced with the default status Open"
    );
    assert!(
        !state_bytes(&firm).contains(Sandbox::DEMO_KEY),
        "the key from the file is never copied into the state file"
    );
    let stored: Option<String> = rusqlite::Connection::open(&firm.state_path)
        .unwrap()
        .query_row("SELECT secret FROM api_key", [], |r| r.get(0))
        .ok();
    assert_eq!(stored, None);
    // Read at every run: a rotated (here: revoked) key takes effect at once.
    std::fs::write(&key, "revoked-key").unwrap();
    let (code, _, err) = firm.run(&["test"]);
    assert_ne!(code, 0);
    assert_one_line_error(&err, &["401"]);
}

#[test]
fn disconnect_and_connect_are_refused_with_a_key_file() {
    let (firm, key) = firm_with_key_file(Sandbox::DEMO_KEY);
    firm.add_matters(1, 1);
    let (code, _, err) = firm.run(&["disconnect"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["api_key_file", &key.display().to_string()]);
    let (code, _, err) = firm.run_stdin(
        &["connect", "--name", "k", "--api-key-stdin"],
        Sandbox::DEMO_KEY,
    );
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["api_key_file"]);
    // Syncing still works: the refusal changed nothing.
    firm.ok(&["test"]);
}

#[test]
fn unreadable_or_empty_key_file_is_one_line_naming_the_file() {
    let (firm, key) = firm_with_key_file(" \n\t");
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &[&key.display().to_string(), "empty"]);
    std::fs::remove_file(&key).unwrap();
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3);
    assert_one_line_error(
        &err,
        &[&key.display().to_string(), "cannot read", "api_key_file"],
    );
    std::fs::write(&key, "wrong-key-9f8e7d6c5b4a second-line").unwrap();
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3);
    assert!(!err.contains("second-line"), "never the key: {err}");
}

// ---- 2. status ----

#[test]
fn status_shows_each_kind_in_the_firms_time_zone_and_exits_6_when_stale() {
    let mut firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    let (code, out, err) = firm.run(&["status"]);
    assert_eq!(code, 6, "never ran is stale: {out}{err}");
    assert!(out.starts_with("✖ STALE"), "{out}");
    assert_one_line_error(&err, &["matters never ran", "max age 60 min"]);

    firm.ok(&["sync", "all"]);
    let (code, out, err) = firm.run(&["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("● OK"), "{out}");
    // 12:00 UTC is 06:00 in Chicago (CST).
    assert!(out.contains("2026-11-28 06:00 CST"), "{out}");
    let doc = firm.json(&["status"]);
    assert_eq!(doc["healthy"], true);
    let kinds: Vec<&str> = doc["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["matters", "appointments", "messages"]);
    assert_eq!(
        doc["kinds"][0]["last_success"]["finished_at"], "2026-11-28T12:00:00Z",
        "RFC 3339 UTC in JSON"
    );
    assert_eq!(doc["kinds"][0]["age_minutes"], 0);

    // 61 minutes later, with no sync since: stale.
    firm.now = "2026-11-28T13:01:00Z".into();
    let (code, _, err) = firm.run(&["status"]);
    assert_eq!(code, 6);
    assert_one_line_error(&err, &["matters last succeeded 1 h 1 min ago"]);
    let (code, _, _) = firm.run(&["status", "--max-age", "90"]);
    assert_eq!(code, 0);

    // A run that failed is a last run, not a last success.
    firm.sandbox.inject(
        casestatus_sync::sandbox::Route::any(),
        casestatus_sync::sandbox::Fault::Status(401),
        100,
    );
    let (code, _, _) = firm.run(&["sync", "messages"]);
    assert_ne!(code, 0);
    let (code, stdout, _) = firm.run(&["--json", "status", "--max-age", "90"]);
    assert_eq!(code, 0, "the 12:00 success is still within 90 minutes");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let messages = &doc["kinds"][2];
    assert_eq!(messages["last_run"]["succeeded"], false, "{messages}");
    assert!(messages["last_run"]["error"]
        .as_str()
        .unwrap()
        .contains("401"));
    assert_eq!(
        messages["last_success"]["finished_at"],
        "2026-11-28T12:00:00Z"
    );
    assert_eq!(messages["age_minutes"], 61);
}

// ---- 3. read-only commands never create a state file ----

#[test]
fn read_only_commands_never_create_a_state_file() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    for args in [
        &["log"][..],
        &["status"],
        &["why-skipped", "1"],
        &["map"],
        &["--json", "log"],
    ] {
        let (code, out, err) = firm.run(args);
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert_one_line_error(
            &err,
            &[&firm.state_path.display().to_string(), "does not exist"],
        );
        assert!(!firm.state_path.exists(), "{args:?} created the state file");
        assert!(
            !firm.state_path.parent().unwrap().exists(),
            "{args:?} created the state folder"
        );
    }
}

#[test]
fn read_only_commands_do_not_migrate_an_older_state_file() {
    let firm = Firm::new();
    firm.connect();
    let conn = rusqlite::Connection::open(&firm.state_path).unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    drop(conn);
    let (code, _, err) = firm.run(&["log"]);
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["schema version 2", "older"]);
    let version: i64 = rusqlite::Connection::open(&firm.state_path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2, "log must not migrate");
}

// ---- 4. compact JSON when piped ----

#[test]
fn json_is_one_line_when_stdout_is_not_a_terminal() {
    let firm = Firm::new();
    firm.connect_and_map();
    for args in [
        &["--json", "map"][..],
        &["--json", "test"],
        &["--json", "status"],
    ] {
        let (code, out, err) = firm.run(args);
        // `status` before any sync is stale (6): its document still prints.
        let want = if args.contains(&"status") { 6 } else { 0 };
        assert_eq!(code, want, "{args:?}: {err}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        let _: serde_json::Value = serde_json::from_str(&out).unwrap();
    }
}

// ---- 5. man page ----

#[test]
fn man_page_names_every_subcommand() {
    let (code, out, _) = run_cmd(bare(Path::new(env!("CARGO_MANIFEST_DIR"))).arg("man"));
    assert_eq!(code, 0);
    assert!(
        out.contains(".TH casestatus-sync 1"),
        "roff: {}",
        &out[..200.min(out.len())]
    );
    for sub in casestatus_sync::cli::command().get_subcommands() {
        // roff escapes hyphens.
        let name = sub.get_name().replace('-', "\\-");
        assert!(out.contains(&name), "man page lacks {}", sub.get_name());
    }
    assert!(out.contains("status"), "{out}");
}

// ---- 6. completions in a real shell ----

/// COMPREPLY from the repo's bash completion for `casestatus-sync WORDS... <TAB>`.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/casestatus-sync.bash");
    let mut line = vec!["casestatus-sync".to_string()];
    line.extend(words.iter().map(|w| w.to_string()));
    line.push(String::new());
    let quoted: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{}'
fn=$(complete -p casestatus-sync | sed 's/.*-F \([^ ]*\).*/\1/')
COMP_WORDS=({})
COMP_CWORD={}
"$fn" casestatus-sync '' '{}'
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display(),
        quoted.join(" "),
        line.len() - 1,
        line[line.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(program)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_below_the_top_level() {
    let top = bash_complete(&[]);
    assert!(top.contains(&"sync".to_string()), "{top:?}");
    let sync = bash_complete(&["sync"]);
    for w in ["matters", "appointments", "messages", "all"] {
        assert!(sync.contains(&w.to_string()), "sync <TAB>: {sync:?}");
    }
    let shells = bash_complete(&["completions"]);
    for w in ["bash", "zsh", "fish"] {
        assert!(
            shells.contains(&w.to_string()),
            "completions <TAB>: {shells:?}"
        );
    }
    let map = bash_complete(&["map"]);
    assert!(map.contains(&"practice-area".to_string()), "{map:?}");
    let status = bash_complete(&["status"]);
    assert!(status.contains(&"--max-age".to_string()), "{status:?}");
}

#[test]
fn fish_completes_the_shells_when_fish_is_installed() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/casestatus-sync.fish");
    let Ok(out) = std::process::Command::new("fish")
        .arg("-c")
        .arg(format!(
            "source '{}'; complete -C 'casestatus-sync completions '",
            script.display()
        ))
        .output()
    else {
        skip_unless_ci("fish is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let words: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(words, ["bash", "fish", "zsh"], "{text}");
}

// ---- 9. --version and the panic hook ----

#[test]
fn version_shows_the_state_schema_and_the_commit() {
    let (code, out, _) = run_cmd(bare(Path::new(env!("CARGO_MANIFEST_DIR"))).arg("--version"));
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            "state schema {}",
            casestatus_sync::store::state::schema_version()
        )),
        "{out}"
    );
    let in_git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .is_ok_and(|o| o.status.success());
    if in_git {
        assert!(out.contains("commit "), "{out}");
    } else {
        skip_unless_ci("not in a git checkout: the commit is not checked");
    }
}

#[test]
fn a_panic_is_one_line_and_exit_70() {
    let (code, out, err) = run_cmd(
        bare(Path::new(env!("CARGO_MANIFEST_DIR")))
            .arg("--version")
            .env("CASESTATUS_SYNC_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "1"),
    );
    assert_eq!(code, 70, "{out}{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("casestatus-sync: internal error"),
        "{err}"
    );
    assert!(
        !err.contains("stack backtrace") && !err.contains("panicked at"),
        "{err}"
    );
}

// ---- 10. help that teaches ----

#[test]
fn help_separates_global_options_and_shows_examples() {
    let firm = Firm::new();
    for sub in ["connect", "map", "sync", "why-skipped", "status"] {
        let out = firm.ok(&[sub, "--help"]);
        assert!(out.contains("Global options:"), "{sub}: {out}");
        assert!(out.contains("Examples:"), "{sub}: {out}");
        assert!(
            out.contains(&format!("casestatus-sync {sub}")),
            "{sub}: {out}"
        );
    }
    let out = firm.ok(&["event-types", "enable", "--help"]);
    assert!(out.contains("FluentCase event types"), "{out}");
    // -vv is accepted (verbose is a count).
    firm.connect_and_map();
    let (code, _, err) = firm.run(&["-vv", "sync", "matters", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
}

// ---- 11. the key as a plain argument is never echoed ----

#[test]
fn a_key_typed_as_an_argument_is_not_echoed() {
    let firm = Firm::new();
    let key = "plain-arg-key-5d4c3b2a";
    for args in [
        &["connect", "--name", "K", key][..],
        &["connect", "--name", "K", &format!("--api-key={key}")],
        &["--json", "connect", key, "--name", "K"],
    ] {
        let (code, out, err) = firm.run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(!out.contains(key) && !err.contains(key), "echoed: {err}");
        assert_one_line_error(&err, &["--api-key-stdin", "api_key_file"]);
    }
    assert!(!firm.state_path.exists(), "nothing saved");
}

// ---- 12. connect tests a new key before saving it ----

#[test]
fn a_refused_key_does_not_replace_a_working_one() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    let (code, out, err) = firm.run_stdin(
        &["connect", "--name", "Typo key", "--api-key-stdin"],
        "wrong-key-9f8e7d6c5b4a",
    );
    assert_eq!(code, 3, "{out}{err}");
    assert_one_line_error(&err, &["401", "not saved", "previous key is still in use"]);
    let doc = firm.json(&["test"]);
    assert_eq!(doc["key_name"], "CaseStatus API Key", "the old key stays");
    firm.ok(&["sync", "matters"]);
    assert_eq!(firm.sandbox.cases().len(), 1);

    // A key without API access is refused the same way.
    let (code, _, err) = firm.run_stdin(
        &["connect", "--name", "k", "--api-key-stdin"],
        "sandbox-no-api-key",
    );
    assert_eq!(code, 3);
    assert_one_line_error(&err, &["403", "not saved"]);

    // Offline: CaseStatus unreachable is not a reason to save blindly...
    let firm = Firm::new();
    firm.point_at_a_dead_port();
    let (code, _, err) = firm.run_stdin(
        &["connect", "--name", "Offline", "--api-key-stdin"],
        Sandbox::DEMO_KEY,
    );
    assert_ne!(code, 0);
    assert_one_line_error(&err, &["not saved", "--no-test"]);
    // ...but --no-test is the explicit escape.
    let (code, _, err) = firm.run_stdin(
        &[
            "connect",
            "--name",
            "Offline",
            "--api-key-stdin",
            "--no-test",
        ],
        "rotated-key-7c1f",
    );
    assert_eq!(code, 0, "{err}");
    let name: String = rusqlite::Connection::open(&firm.state_path)
        .unwrap()
        .query_row("SELECT name FROM api_key", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Offline");
}

// ---- examples are checked ----

#[test]
fn example_configs_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            casestatus_sync::util::config::parse(&path, &text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 2, "the examples' configs");
}

#[test]
fn example_yaml_parses_and_uses_the_key_secret_and_status() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let text = std::fs::read_to_string(&path).unwrap();
            for doc in serde_yaml::Deserializer::from_str(&text) {
                let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(
                    value.get("kind").is_some() && value.get("apiVersion").is_some(),
                    "{}: every document is a Kubernetes object",
                    path.display()
                );
                docs.push(value);
            }
        }
    }
    let kinds: Vec<&str> = docs
        .iter()
        .filter_map(|d| d.get("kind").and_then(|k| k.as_str()))
        .collect();
    assert!(kinds.contains(&"CronJob"), "{kinds:?}");
    let all = serde_yaml::to_string(&docs).unwrap();
    assert!(all.contains("secretName"), "the key comes from a Secret");
    assert!(all.contains("status"), "a staleness check");
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    let Ok(probe) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        skip_unless_ci("systemd-analyze is not installed");
        return;
    };
    if !probe.status.success() {
        skip_unless_ci("systemd-analyze does not run here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut units = Vec::new();
    for entry in std::fs::read_dir(&examples).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".service") || name.ends_with(".timer")) {
            continue;
        }
        // Instantiate templates and point ExecStart at the built binary.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("/usr/local/bin/casestatus-sync", &bin.display().to_string());
        let target = dir.path().join(name.replace("@.", "@acme."));
        std::fs::write(&target, text).unwrap();
        units.push(target);
    }
    assert!(units.len() >= 2, "service and timer");
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Outside a booted systemd (a container) verify may complain about the
    // machine itself; only messages about our units count.
    let ours: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("casestatus-sync"))
        .filter(|l| !l.contains("Failed to create") && !l.contains("bus"))
        .collect();
    assert!(ours.is_empty(), "systemd-analyze verify: {err}");
}

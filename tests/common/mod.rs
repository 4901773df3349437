//! Shared test harness: a firm in a temp folder — a real FluentCase SQLite
//! file, a config pointing at an in-process CaseStatus sandbox over real
//! HTTP, and the real binary run with a pinned clock.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use casestatus_sync::sandbox::sample::{self, SampleMatter};
use casestatus_sync::sandbox::{Quirks, Sandbox};
use rusqlite::Connection;
use tempfile::TempDir;

/// The pinned "now" of every test run of the binary.
pub const NOW: &str = "2026-11-28T12:00:00Z";
/// A creation time comfortably older than 45 minutes.
pub const YESTERDAY: &str = "2026-11-27T12:00:00Z";

pub struct Firm {
    pub dir: TempDir,
    pub config: PathBuf,
    pub fc_path: PathBuf,
    pub state_path: PathBuf,
    pub sandbox: Sandbox,
    pub now: String,
}

impl Firm {
    /// A firm with the sample reference data, no matters, not connected.
    pub fn new() -> Firm {
        let sandbox = Sandbox::demo(0).expect("sandbox starts");
        // No 409 for a repeated integration id: SPEC says the tool must not
        // count on it, so only the tool may keep a test free of duplicates.
        // (A test or two turn it back on: `matters::a_409_records_the_existing_id`.)
        sandbox.set_quirks(Quirks {
            no_conflicts: true,
            ..Quirks::default()
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let fc_path = dir.path().join("fluentcase.db");
        sample::create_fluentcase(&fc_path).expect("fluentcase db");
        let config = dir.path().join("casestatus-sync.toml");
        let firm = Firm {
            state_path: dir.path().join("state/casestatus-sync.db"),
            dir,
            config,
            fc_path,
            sandbox,
            now: NOW.to_string(),
        };
        firm.write_config("");
        firm
    }

    /// Rewrite the config; `extra_casestatus` lines go under `[casestatus]`.
    pub fn write_config(&self, extra_casestatus: &str) {
        self.write_config_with(5, 2, extra_casestatus);
    }

    /// Rewrite the config with this per-call timeout and retry count.
    pub fn write_config_with(
        &self,
        timeout_seconds: u64,
        max_retries: u32,
        extra_casestatus: &str,
    ) {
        let text = format!(
            r#"[fluentcase]
database = "fluentcase.db"
base_url = "https://acme.fluentcase.com"
timezone = "America/Chicago"

[casestatus]
base_url = "{}"
timeout_seconds = {timeout_seconds}
max_retries = {max_retries}
{extra_casestatus}

[state]
database = "state/casestatus-sync.db"
"#,
            self.sandbox.base_url()
        );
        std::fs::write(&self.config, text).expect("write config");
    }

    /// The real binary with this firm's config and the pinned clock.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("casestatus-sync").expect("binary");
        c.arg("--config")
            .arg(&self.config)
            .env("CASESTATUS_SYNC_NOW", &self.now)
            .env_remove("CASESTATUS_SYNC_CONFIG")
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    /// Run the binary with `args`; (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        run_cmd(self.cmd().args(args))
    }

    /// Run with `stdin`.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        run_cmd(self.cmd().args(args).write_stdin(stdin))
    }

    /// Run and require exit 0; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?} failed: stdout={out} stderr={err}");
        out
    }

    /// Run with --json and parse stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
    }

    /// A connection to FluentCase's database. Foreign keys are off, as in
    /// many real databases, so tests can plant dangling ids.
    pub fn fc(&self) -> Connection {
        let c = Connection::open(&self.fc_path).expect("open fluentcase");
        c.pragma_update(None, "foreign_keys", false)
            .expect("pragma");
        c
    }

    /// The next `times` case creates are done by CaseStatus but their
    /// answers lost (the connection closes): the tool must find them by
    /// look-up, never create them again.
    pub fn lose_case_create_answers(&self, times: usize) {
        self.sandbox.inject(
            casestatus_sync::sandbox::Route::new("POST", "/v1/api/cases"),
            casestatus_sync::sandbox::Fault::LoseResponse,
            times,
        );
    }

    /// FluentCase's `activities` without `UNIQUE (source, source_id)`:
    /// FluentCase's real schema may lack it, and with it SQLite, not the
    /// tool, would refuse a second activity — a count could not fail.
    pub fn drop_activity_uniqueness(&self) {
        self.fc()
            .execute_batch(
                "BEGIN;
                 CREATE TABLE activities_loose (id INTEGER PRIMARY KEY,
                     matter_id INTEGER NOT NULL REFERENCES matters(id),
                     tag TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
                     source TEXT, source_id TEXT);
                 INSERT INTO activities_loose SELECT * FROM activities;
                 DROP TABLE activities;
                 ALTER TABLE activities_loose RENAME TO activities;
                 COMMIT;",
            )
            .expect("activities without UNIQUE");
    }

    pub fn add_matter(&self, m: &SampleMatter) {
        m.insert(&self.fc()).expect("insert matter");
    }

    /// `count` eligible Workers' Compensation matters with ids from `first`.
    pub fn add_matters(&self, first: i64, count: i64) {
        let conn = self.fc();
        for id in first..first + count {
            SampleMatter::new(id, YESTERDAY)
                .insert(&conn)
                .expect("insert");
        }
    }

    /// Connect with the sandbox's demo key.
    pub fn connect(&self) {
        let (code, out, err) = self.run_stdin(
            &["connect", "--name", "CaseStatus API Key", "--api-key-stdin"],
            Sandbox::DEMO_KEY,
        );
        assert_eq!(code, 0, "connect: {out} {err}");
    }

    /// Connect, take the snapshot, map Workers' Compensation fully.
    pub fn connect_and_map(&self) {
        self.connect();
        self.ok(&["test"]);
        self.ok(&[
            "map",
            "practice-area",
            "Workers' Compensation",
            "--case-type",
            "Workers' Compensation",
        ]);
        for (stage, status) in [
            ("Intake", "Intake"),
            ("Treatment", "Open"),
            ("Settlement", "Settlement"),
            ("Closed", "Closed"),
        ] {
            self.ok(&[
                "map",
                "stage",
                "Workers' Compensation",
                stage,
                "--status",
                status,
            ]);
        }
    }

    /// Create a case in CaseStatus directly (as another system would have),
    /// for matter `integration_id`; its CaseStatus id.
    pub fn case_made_elsewhere(&self, integration_id: &str) -> i64 {
        let resp = reqwest::blocking::Client::new()
            .post(format!("{}/v1/api/cases", self.sandbox.base_url()))
            .header(
                "Authorization",
                format!("ApiKey {}", casestatus_sync::sandbox::Sandbox::DEMO_KEY),
            )
            .json(
                &serde_json::json!({"integration_id": integration_id, "readable_id": "OLD",
                "practice_area": "Workers' Compensation", "stage": "Intake",
                "attorney": {"name": "D", "email": "dreyes@firm.example"},
                "client": {"first_name": "a", "last_name": "b", "phone": "1"}}),
            )
            .send()
            .expect("sandbox answers");
        assert_eq!(resp.status(), 201);
        resp.json::<serde_json::Value>().expect("JSON")["id"]
            .as_i64()
            .expect("an id")
    }

    /// Point the config at a loopback port nothing listens on.
    pub fn point_at_a_dead_port(&self) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let text = std::fs::read_to_string(&self.config).expect("config");
        let text = text.replace(
            &self.sandbox.base_url(),
            &format!("http://127.0.0.1:{port}"),
        );
        std::fs::write(&self.config, text).expect("config");
    }

    /// A Deposition (event type 1) on matter = event id, for each id.
    pub fn add_depositions(&self, ids: std::ops::RangeInclusive<i64>) {
        let fc = self.fc();
        for id in ids {
            fc.execute(
                "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, all_day, updated_at)
                 VALUES (?1, ?1, 1, 'Deposition', '2026-12-10T15:00:00Z', 0, ?2)",
                rusqlite::params![id, YESTERDAY],
            )
            .expect("insert event");
        }
    }

    /// Start the real binary with `args` (this firm's config, pinned clock,
    /// output piped for `wait_with_output`) without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("casestatus-sync"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("CASESTATUS_SYNC_NOW", &self.now)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the binary")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Every API key any test hands the tool. No output of any run may
/// contain one (the sandbox's own `sandbox` command, which prints its demo
/// key for people, is not run through here).
pub const SECRETS: &[&str] = &[
    casestatus_sync::sandbox::Sandbox::DEMO_KEY,
    "sandbox-no-api-key",
    "wrong-key-9f8e7d6c5b4a",
    "revoked-key",
    "rotated-key-7c1f",
];

pub fn run_cmd(c: &mut Command) -> (i32, String, String) {
    let o = c.output().expect("run binary");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert_no_secret(&out, &err);
    (o.status.code().unwrap_or(-1), out, err)
}

/// Fails if any test key appears in the output.
pub fn assert_no_secret(out: &str, err: &str) {
    for s in SECRETS {
        assert!(
            !out.contains(s) && !err.contains(s),
            "the API key {s:?} was printed: {out}{err}"
        );
    }
}

/// A bare command (no config flag) in folder `dir`.
pub fn bare(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("casestatus-sync").expect("binary");
    c.current_dir(dir)
        .env_remove("CASESTATUS_SYNC_CONFIG")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// What the binary's panic hook prints (src/main.rs) before it exits 70:
/// a panic never shows as "panicked" or exit 101, so that is what to look for.
pub const PANIC_LINE: &str = "internal error";

/// A test whose tool is missing returns early: outside CI that is a skip,
/// said on stderr; under `CI=true` (where `.ci/run` installs every tool the
/// tests need) it fails, so a skip can never pass unseen.
pub fn skip_unless_ci(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}: under CI every test must run (.ci/run installs what it needs)");
    }
    eprintln!("{why}; skipping (outside CI)");
}

/// Asserts `path` exists with exactly `mode` (its permission bits).
pub fn assert_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        meta.permissions().mode() & 0o777,
        mode,
        "{} has mode {:o}",
        path.display(),
        meta.permissions().mode() & 0o777
    );
}

/// Asserts a run did not panic: not exit 70, no "internal error" line.
pub fn assert_no_panic(code: i32, stderr: &str) {
    assert_ne!(code, 70, "a panic: {stderr}");
    assert!(!stderr.contains(PANIC_LINE), "a panic: {stderr}");
}

/// Asserts an error is one line on stderr, names `needles`, no panic.
pub fn assert_one_line_error(stderr: &str, needles: &[&str]) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {stderr}");
    assert!(!stderr.contains(PANIC_LINE), "panic: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "error should mention {n:?}: {stderr}");
    }
}

/// Write a secret file (a key or token file) as SPEC §1 wants it: 0600.
pub fn write_secret(path: &Path, content: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, content).expect("write a secret file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

/// Many firms for `fleet`: one folder per firm under `root()`, one shared
/// sandbox, each firm with its own account (key `sandbox-fleet-NAME`, read
/// from the firm's `api-key` file through `casestatus.api_key_file`).
pub struct Fleet {
    pub dir: TempDir,
    pub sandbox: Sandbox,
    pub now: String,
}

impl Fleet {
    pub fn new() -> Fleet {
        let sandbox = Sandbox::demo(0).expect("sandbox starts");
        // No 409, as for one firm (see `Firm::new`).
        sandbox.set_quirks(Quirks {
            no_conflicts: true,
            ..Quirks::default()
        });
        Fleet {
            dir: tempfile::tempdir().expect("temp dir"),
            sandbox,
            now: NOW.to_string(),
        }
    }

    /// The folder holding the firm folders (the `fleet DIR`).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("firms")
    }

    /// The API key of firm `name` (its own sandbox account).
    pub fn key(name: &str) -> String {
        format!("sandbox-fleet-{name}")
    }

    pub fn firm_dir(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Firm `name` with `matters` eligible matters, its key file and
    /// Workers' Compensation mapped (through the binary).
    pub fn add_firm(&self, name: &str, matters: i64) {
        self.add_unmapped_firm(name, matters, &self.sandbox.base_url(), 5);
        let config = self.firm_dir(name).join("casestatus-sync.toml");
        let run = |args: &[&str]| {
            let (code, out, err) = run_cmd(self.cmd().arg("--config").arg(&config).args(args));
            assert_eq!(code, 0, "{name}: {args:?}: {out}{err}");
        };
        run(&["test"]);
        for args in sample::MINIMAL_MAPPING {
            run(args);
        }
    }

    /// Firm `name` with `matters` eligible matters and its key file, for
    /// CaseStatus at `base_url`; nothing run yet (so nothing mapped).
    pub fn add_unmapped_firm(
        &self,
        name: &str,
        matters: i64,
        base_url: &str,
        timeout_seconds: u64,
    ) {
        let dir = self.firm_dir(name);
        std::fs::create_dir_all(&dir).expect("firm folder");
        let conn = sample::create_fluentcase(&dir.join("fluentcase.db")).expect("fluentcase db");
        for id in 1..=matters {
            SampleMatter::new(id, YESTERDAY)
                .insert(&conn)
                .expect("insert");
        }
        write_secret(&dir.join("api-key"), &Fleet::key(name));
        self.write_firm_config(name, base_url, timeout_seconds);
    }

    /// (Re)write firm `name`'s config for CaseStatus at `base_url`.
    pub fn write_firm_config(&self, name: &str, base_url: &str, timeout_seconds: u64) {
        let dir = self.firm_dir(name);
        std::fs::create_dir_all(&dir).expect("firm folder");
        let text = format!(
            r#"[fluentcase]
database = "fluentcase.db"
base_url = "https://{name}.fluentcase.com"
timezone = "America/Chicago"

[casestatus]
base_url = "{base_url}"
api_key_file = "api-key"
timeout_seconds = {timeout_seconds}
max_retries = 0

[state]
database = "state/casestatus-sync.db"
"#
        );
        std::fs::write(dir.join("casestatus-sync.toml"), text).expect("write config");
    }

    /// The binary with the pinned clock, no config (fleet takes none).
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("casestatus-sync").expect("binary");
        c.env("CASESTATUS_SYNC_NOW", &self.now)
            .env_remove("CASESTATUS_SYNC_CONFIG")
            .env_remove("JOB_COMPLETION_INDEX")
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(120));
        c
    }

    /// `fleet ROOT extra...` with `global` options first; (code, stdout, stderr).
    pub fn run(&self, global: &[&str], extra: &[&str]) -> (i32, String, String) {
        let mut c = self.cmd();
        c.args(global).arg("fleet").arg(self.root()).args(extra);
        let (code, out, err) = run_cmd(&mut c);
        assert!(
            !out.contains("sandbox-fleet-") && !err.contains("sandbox-fleet-"),
            "a firm's key was printed: {out}{err}"
        );
        (code, out, err)
    }

    /// `--json fleet ROOT extra...`: (code, document).
    pub fn json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let (code, out, err) = self.run(&["--json"], extra);
        let doc =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out} / {err}"));
        (code, doc)
    }
}

/// The firm names of a `fleet --json` document, in order.
pub fn fleet_firms(doc: &serde_json::Value) -> Vec<String> {
    doc["firms"]
        .as_array()
        .expect("firms")
        .iter()
        .map(|f| f["firm"].as_str().expect("firm").to_string())
        .collect()
}

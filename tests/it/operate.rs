//! Issue 25: operating it at scale — `status` that tells the truth (SPEC
//! §1's states), the firm in every line, read-only commands that stay
//! read-only, the quiet overlap and the messages lock, the JSON error
//! document, and metrics.

use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::{NewMessage, Route};

/// How long a test waits for a held request to arrive.
const WAIT: Duration = Duration::from_secs(60);

/// The firm's name in every one-line error, warning and verdict.
const FIRM: &str = "casestatus-sync[acme.fluentcase.com]: ";

fn status_json(firm: &Firm, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["--json", "status"];
    args.extend_from_slice(extra);
    let (code, out, err) = firm.run(&args);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}{err}"));
    (code, doc, err)
}

// ---- 1. status states ----

#[test]
fn a_firm_that_syncs_nothing_is_not_syncing_not_ok() {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    firm.connect();
    firm.ok(&["test"]);
    // Every matter is skipped for the setup; the runs themselves succeed.
    firm.ok(&["sync", "all"]);
    let (code, out, err) = firm.run(&["status"]);
    assert_eq!(code, 6, "{out}{err}");
    assert!(out.starts_with("✖ NOT SYNCING"), "{out}");
    assert_one_line_error(
        &err,
        &[&format!("{FIRM}not_syncing:"), "no practice area is mapped"],
    );
    let (code, doc, _) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (6, Some("not_syncing")));
    assert_eq!(doc["healthy"], false);

    // An area mapped, but none of its stages: still nothing gets through.
    firm.ok(&[
        "map",
        "practice-area",
        "Workers' Compensation",
        "--case-type",
        "Workers' Compensation",
    ]);
    let (code, doc, err) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (6, Some("not_syncing")));
    assert!(err.contains("no stage"), "{err}");

    // A stage whose status is not synced: nothing either.
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Closed",
        "--status",
        "Closed",
    ]);
    let (_, doc, err) = status_json(&firm, &[]);
    assert_eq!(doc["state"], "not_syncing");
    assert!(err.contains("no synced status (Open)"), "{err}");

    // The synced status mapped, and a sync since: ok.
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ]);
    firm.ok(&["sync", "all"]);
    let (code, doc, err) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (0, Some("ok")), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_deliberate_disconnect_is_said_with_its_date_and_exits_0() {
    let mut firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.ok(&["sync", "all"]);
    firm.ok(&["disconnect"]);
    // Hours later, nothing has synced: not stale, disconnected.
    firm.now = "2026-11-28T15:00:00Z".into();
    let (code, out, err) = firm.run(&["status"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.is_empty(), "{err}");
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.contains("DISCONNECTED")
            && first.contains("acme.fluentcase.com")
            && first.contains("2026-11-28 06:00 CST"),
        "{out}"
    );
    let (code, doc, _) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (0, Some("disconnected")));
    assert_eq!(doc["disconnected_at"], NOW);
}

#[test]
fn a_message_waiting_past_max_age_is_stuck() {
    let mut firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    // A client message for a matter FluentCase does not have.
    firm.sandbox
        .add_message(NewMessage::client("7777", "Ann", "where is my case?"));
    firm.ok(&["sync", "all"]);
    let (code, doc, _) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (0, Some("ok")), "{doc}");
    assert_eq!(doc["stuck_messages"]["count"], 1);

    // 61 minutes on, the syncs keep succeeding; the message still waits.
    firm.now = "2026-11-28T13:01:00Z".into();
    firm.ok(&["sync", "all"]);
    let (code, out, err) = firm.run(&["status"]);
    assert_eq!(code, 6, "{out}{err}");
    assert!(out.starts_with("✖ STUCK"), "{out}");
    assert_one_line_error(
        &err,
        &[
            &format!("{FIRM}stuck: 1 client message(s)"),
            "2026-11-28 06:00 CST",
            "max age 60 min",
        ],
    );
    let (code, doc, _) = status_json(&firm, &[]);
    assert_eq!((code, doc["state"].as_str()), (6, Some("stuck")));
    assert_eq!(doc["stuck_messages"]["oldest_since"], NOW);
    // A longer --max-age tolerates it.
    let (code, doc, _) = status_json(&firm, &["--max-age", "90"]);
    assert_eq!((code, doc["state"].as_str()), (0, Some("ok")));
}

// ---- 2. the firm in every line ----

#[test]
fn every_error_warning_and_verdict_names_the_firm() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    // An error (never connected: setup needs a person).
    let (code, _, err) = firm.run(&["sync", "all"]);
    assert_eq!(code, 3, "{err}");
    assert_one_line_error(&err, &[FIRM, "not connected"]);
    assert!(err.starts_with(FIRM), "{err}");
    // A warning (a trace holds client data).
    firm.connect_and_map();
    let trace = firm.path("t.har");
    let (code, _, err) = firm.run(&["--trace", trace.to_str().unwrap(), "test"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with(&format!("{FIRM}warning: the trace file")),
        "{err}"
    );
    // The status verdict.
    let (code, _, err) = firm.run(&["status"]);
    assert_eq!(code, 6);
    assert_one_line_error(&err, &[&format!("{FIRM}stale: matters never ran")]);
    // No config read: the plain prefix.
    let (code, _, err) =
        run_cmd(bare(firm.dir.path()).args(["--config", "/nonexistent/c.toml", "status"]));
    assert_eq!(code, 3);
    assert!(err.starts_with("casestatus-sync: config file"), "{err}");
}

// ---- 3. read-only means read-only ----

#[test]
fn listing_commands_and_dry_runs_never_create_a_state_file() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    for args in [
        &["event-types"][..],
        &["synced-statuses"],
        &["sync", "matters", "--dry-run"],
        &["sync", "appointments", "--dry-run"],
        &["sync", "messages", "-n"],
        &["sync", "all", "--dry-run"],
        &["--json", "event-types"],
    ] {
        let (code, out, err) = firm.run(args);
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert_one_line_error(
            &err,
            &[
                FIRM,
                &firm.state_path.display().to_string(),
                "does not exist",
            ],
        );
        assert!(!firm.state_path.exists(), "{args:?} created the state file");
        assert!(
            !firm.state_path.parent().unwrap().exists(),
            "{args:?} created the state folder"
        );
    }
    // Once there, they read it and still change nothing.
    firm.connect_and_map();
    let before = std::fs::read(&firm.state_path).unwrap();
    firm.ok(&["event-types"]);
    assert!(firm.ok(&["synced-statuses"]).contains("Open"));
    firm.ok(&["sync", "all", "--dry-run"]);
    assert_eq!(std::fs::read(&firm.state_path).unwrap(), before);
}

// ---- 4. the quiet overlap and the messages lock ----

/// Matters 1-2 in CaseStatus, 3-4 still to create, and a client
/// message for matter 1's case.
fn firm_with_a_message() -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm.add_matters(3, 2);
    firm.sandbox
        .add_message(NewMessage::client("1", "Maria", "hello"));
    firm
}

fn output(child: std::process::Child) -> (i32, String, String) {
    let o = child.wait_with_output().expect("the run ends");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn an_overlap_is_silent_and_a_holder_past_an_hour_is_named() {
    let mut firm = firm_with_a_message();
    // Run A is held at its first create, under the lock.
    let hold = firm.sandbox.hold(Route::new("POST", "/v1/api/cases"), 0, 1);
    let a = firm.spawn(&["sync", "matters"]);
    assert!(hold.wait_arrived(1, WAIT), "run A reached its first create");
    // Minutes later: exit 5 and not a word (cron mails nothing).
    let (code, out, err) = firm.run(&["sync", "all"]);
    assert_eq!((code, out.as_str(), err.as_str()), (5, "", ""));
    // 61 minutes later the holder may be hung: one line naming it.
    firm.now = "2026-11-28T13:01:00Z".into();
    let (code, _, err) = firm.run(&["sync", "matters"]);
    assert_eq!(code, 5, "{err}");
    assert_one_line_error(
        &err,
        &[
            FIRM,
            "holds the lock",
            &format!("pid {}", a.id()),
            "started 2026-11-28 06:00 CST",
        ],
    );
    hold.release();
    let (code, _, err) = output(a);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sync_messages_is_not_held_up_by_a_long_matters_run() {
    let firm = firm_with_a_message();
    let hold = firm.sandbox.hold(Route::new("POST", "/v1/api/cases"), 0, 1);
    let a = firm.spawn(&["sync", "matters"]);
    assert!(hold.wait_arrived(1, WAIT), "the matters run is under way");
    // The messages run works beside it.
    let (code, out, err) = firm.run(&["sync", "messages"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        firm.sandbox.messages().iter().all(|m| m.processed),
        "imported and marked while matters still run"
    );
    hold.release();
    let (code, _, err) = output(a);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sync_all_skips_its_messages_step_quietly_while_a_messages_run_works() {
    let firm = firm_with_a_message();
    let hold = firm
        .sandbox
        .hold(Route::new("POST", "/v1/api/messages"), 0, 1);
    let a = firm.spawn(&["sync", "messages"]);
    assert!(hold.wait_arrived(1, WAIT), "the messages run is under way");
    // Under cron: exit 0, silent.
    let (code, out, err) = firm.run(&["sync", "all"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(firm.sandbox.cases().len(), 4, "matters were synced");
    let doc = firm.json(&["sync", "all"]);
    assert_eq!(doc["steps"][2]["kind"], "messages", "{doc}");
    assert_eq!(doc["steps"][2]["skipped"], "a messages run is under way");
    hold.release();
    let (code, _, err) = output(a);
    assert_eq!(code, 0, "{err}");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

// ---- 5. the JSON error document ----

/// Runs `args` with `--json`: (exit, the one document on stdout, stderr).
fn json_run(firm: &Firm, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, out, err) = firm.run(&all);
    assert_eq!(out.lines().count(), 1, "{args:?}: one document: {out}{err}");
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    (code, doc, err)
}

#[test]
fn a_failing_command_with_json_prints_an_error_document() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    for (args, exit, needle) in [
        (&["status"][..], 3, "does not exist"),
        (&["sync", "all"], 3, "not connected"),
        (&["map", "practice-area", "Nope", "--case-type", "X"], 3, ""),
        (&["sync", "everything"], 2, "unrecognized subcommand"),
    ] {
        let (code, doc, err) = json_run(&firm, args);
        assert_eq!(code, exit, "{args:?}: {doc} {err}");
        assert_eq!(doc["error"]["exit"], exit, "{args:?}: {doc}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{args:?}: {doc}");
        // And still the one line on stderr.
        assert!(!err.trim().is_empty(), "{args:?}");
    }
    firm.connect_and_map();
    let (code, doc, err) = json_run(&firm, &["log", "--run", "99"]);
    assert_eq!((code, doc["error"]["exit"].as_i64()), (2, Some(2)), "{err}");
    assert_one_line_error(&err, &[FIRM, "no run 99"]);
    // A sync whose records failed prints its summary: still one document.
    firm.sandbox.inject(
        Route::new("POST", "/v1/api/cases"),
        casestatus_sync::sandbox::Fault::Status(500),
        3,
    );
    let (code, doc, _) = json_run(&firm, &["sync", "matters"]);
    assert_eq!(code, 1, "{doc}");
    assert!(
        doc.get("counts").is_some() && doc.get("error").is_some(),
        "{doc}"
    );
}

// ---- 6. metrics ----

/// The samples of a Prometheus text exposition, read by a Prometheus text
/// parser (not a pattern of our own): (name, labels, value).
fn scrape(text: &str) -> Vec<(String, std::collections::BTreeMap<String, String>, f64)> {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    scrape
        .samples
        .into_iter()
        .map(|s| {
            let value = match s.value {
                prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Untyped(v) => v,
                other => panic!("{}: not a single value: {other:?}", s.metric),
            };
            let labels = s
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (s.metric, labels, value)
        })
        .collect()
}

/// The value of the one sample `name` with `labels` (besides `firm`).
fn sample(
    samples: &[(String, std::collections::BTreeMap<String, String>, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    let found: Vec<f64> = samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| *v)
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?}: {samples:?}");
    found[0]
}

#[test]
fn metrics_are_prometheus_text_with_the_spec_names_and_the_firm() {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    // A matter too new to push: skipped for a reason.
    firm.add_matter(&casestatus_sync::sandbox::sample::SampleMatter::new(9, NOW));
    firm.write_config("\n[metrics]\ntextfile = \"textfile/acme.prom\"");
    std::fs::create_dir_all(firm.path("textfile")).unwrap();
    // Read-only: no state file yet is an error, and none is made.
    let (code, _, err) = firm.run(&["metrics"]);
    assert_eq!(code, 3, "{err}");
    assert!(!firm.state_path.exists(), "metrics created the state file");

    firm.connect_and_map();
    firm.sandbox
        .add_message(NewMessage::client("7777", "Ann", "where is my case?"));
    firm.sandbox.clear_requests();
    firm.ok(&["sync", "all"]);
    let made = firm.sandbox.requests().len() as f64;
    let text = firm.ok(&["metrics"]);
    let samples = scrape(&text);
    assert!(
        samples
            .iter()
            .all(|(_, l, _)| l.get("firm").map(String::as_str) == Some("acme.fluentcase.com")),
        "every series carries firm=: {text}"
    );
    let noon = 1_795_867_200.0; // 2026-11-28T12:00:00Z
    for kind in ["matters", "appointments", "messages"] {
        let k = [("kind", kind)];
        assert_eq!(
            sample(&samples, "casestatus_sync_last_run_timestamp_seconds", &k),
            noon
        );
        assert_eq!(
            sample(
                &samples,
                "casestatus_sync_last_success_timestamp_seconds",
                &k
            ),
            noon
        );
        assert_eq!(
            sample(&samples, "casestatus_sync_run_duration_seconds", &k),
            0.0
        );
    }
    let created = [("kind", "matters"), ("outcome", "created")];
    assert_eq!(
        sample(&samples, "casestatus_sync_last_run_records", &created),
        3.0
    );
    let too_new = [("reason", "too_new")];
    assert_eq!(
        sample(&samples, "casestatus_sync_matters_skipped", &too_new),
        1.0
    );
    assert_eq!(
        sample(&samples, "casestatus_sync_messages_pending", &[]),
        1.0
    );
    // Every request of the sync, as the sandbox saw them (all answered 2xx).
    let requests = [("code", "2xx")];
    assert!(made > 0.0);
    assert_eq!(
        sample(&samples, "casestatus_sync_requests_total", &requests),
        made
    );
    for state in ["ok", "stale", "not_syncing", "stuck", "disconnected"] {
        let want = if state == "ok" { 1.0 } else { 0.0 };
        assert_eq!(
            sample(&samples, "casestatus_sync_state", &[("state", state)]),
            want,
            "{state}"
        );
    }

    // The sync wrote the same series to the textfile, and left no
    // temporary file beside it.
    let written = std::fs::read_to_string(firm.path("textfile/acme.prom")).unwrap();
    let mut a = scrape(&written);
    let mut b = samples.clone();
    let key =
        |s: &(String, std::collections::BTreeMap<String, String>, f64)| format!("{}{:?}", s.0, s.1);
    a.sort_by_key(key);
    b.sort_by_key(key);
    assert_eq!(a, b);
    let names: Vec<_> = std::fs::read_dir(firm.path("textfile"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["acme.prom"], "no temporary file left");

    // No key needed: after a disconnect the state says so.
    firm.ok(&["disconnect"]);
    let samples = scrape(&firm.ok(&["metrics"]));
    let state = |s| sample(&samples, "casestatus_sync_state", &[("state", s)]);
    assert_eq!((state("disconnected"), state("ok")), (1.0, 0.0));
}

// ---- 7. times shown to people are in the firm's zone ----

#[test]
fn log_items_and_the_disconnect_notice_show_the_firms_zone() {
    let firm = Firm::new();
    firm.add_matters(1, 1);
    firm.connect_and_map();
    firm.ok(&["event-types", "enable", "Deposition"]);
    // 2026-12-10T15:00:00Z is 09:00 in Chicago (CST).
    firm.add_depositions(1..=1);
    firm.ok(&["sync", "all"]);
    let runs = firm.json(&["log"]);
    let run = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "appointments" && r["counts"]["created"] == 1)
        .unwrap_or_else(|| panic!("an appointments run that created one: {runs}"));
    let out = firm.ok(&["log", "--run", &run["id"].to_string()]);
    assert!(out.contains("2026-12-10 09:00 CST"), "{out}");
    assert!(!out.contains("2026-12-10T15:00:00Z"), "{out}");

    firm.ok(&["disconnect"]);
    let out = firm.ok(&["-v", "sync", "all"]);
    assert!(
        out.contains("removed on 2026-11-28 06:00 CST") && !out.contains("T12:00:00Z"),
        "{out}"
    );
}

// ---- 6b. serve: /metrics and /healthz ----

/// `serve` with a token on loopback; its base URL. Killed by the caller.
fn serve_with_token(firm: &Firm, token: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let file = firm.path("page-token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    // A secret file: others may not read it (SPEC §1).
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("casestatus-sync"))
        .arg("--config")
        .arg(&firm.config)
        .args(["serve", "--listen", "127.0.0.1:0", "--token-file"])
        .arg(&file)
        .env("CASESTATUS_SYNC_NOW", &firm.now)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("its first line");
    let base = first.trim().replace("listening on ", "");
    (child, base)
}

#[test]
fn serve_answers_metrics_with_its_token_and_healthz_without() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.ok(&["sync", "all"]);
    let token = "s3cr3t-token-0123456789abcdef";
    let (mut child, base) = serve_with_token(&firm, token);
    let c = reqwest::blocking::Client::new();
    // /healthz: a probe without the token gets `ok` and no data.
    let r = c.get(format!("{base}/healthz")).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().unwrap(), "ok\n");
    // /metrics: the token, as every page with data.
    let r = c.get(format!("{base}/metrics")).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(format!("{base}/metrics"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().unwrap();
    let samples = scrape(&text);
    let ok = sample(&samples, "casestatus_sync_state", &[("state", "ok")]);
    assert_eq!(ok, 1.0, "{text}");
    // A state file that cannot be read: 503, still no data.
    std::fs::remove_file(&firm.state_path).unwrap();
    let r = c.get(format!("{base}/healthz")).send().unwrap();
    assert_eq!(r.status(), 503);
    assert!(!r.text().unwrap().contains("casestatus-sync.db"));
    let _ = child.kill();
    let _ = child.wait();
}

//! Issue 14: `fleet DIR` — many firms, sharded for a Kubernetes Indexed
//! Job, each firm in its own process with a time budget. All through the
//! binary against one sandbox serving one account per firm.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::*;

/// Firms of the shard `i/n`, from `fleet --json --shard i/n` (which must
/// sync them all).
fn shard_firms(fleet: &Fleet, i: u64, n: u64) -> Vec<String> {
    let (code, doc) = fleet.json(&["--shard", &format!("{i}/{n}")]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["shard"]["index"], i);
    assert_eq!(doc["shard"]["count"], n);
    for f in doc["firms"].as_array().unwrap() {
        assert_eq!(f["status"], "ok", "{f}");
        assert_eq!(f["exit_code"], 0, "{f}");
    }
    fleet_firms(&doc)
}

/// The union of `shards`, checking they are disjoint.
fn union_of_disjoint(shards: &[Vec<String>]) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for shard in shards {
        for firm in shard {
            assert!(all.insert(firm.clone()), "{firm} is in two shards");
        }
    }
    all
}

const NAMES: [&str; 7] = [
    "acme-law",
    "baker-and-ortiz",
    "chen-family-law",
    "delgado-injury",
    "evans-comp",
    "foster-legal",
    "garcia-partners",
];

#[test]
fn every_firm_in_exactly_one_shard_and_adding_a_firm_moves_no_other() {
    let fleet = Fleet::new();
    for name in NAMES {
        fleet.add_firm(name, 2);
    }
    let before: Vec<Vec<String>> = (0..3).map(|i| shard_firms(&fleet, i, 3)).collect();
    let all = union_of_disjoint(&before);
    assert_eq!(all, NAMES.iter().map(|s| s.to_string()).collect());
    for name in NAMES {
        assert_eq!(
            fleet.sandbox.cases_for(&Fleet::key(name)).len(),
            2,
            "{name}'s cases, in its own account"
        );
    }
    assert!(
        fleet.sandbox.cases().is_empty(),
        "the demo account untouched"
    );

    fleet.add_firm("hale-and-ito", 1);
    let after: Vec<Vec<String>> = (0..3).map(|i| shard_firms(&fleet, i, 3)).collect();
    let all_after = union_of_disjoint(&after);
    assert_eq!(all_after.len(), NAMES.len() + 1);
    for i in 0..3 {
        let old: Vec<&String> = after[i].iter().filter(|f| *f != "hale-and-ito").collect();
        assert_eq!(
            old,
            before[i].iter().collect::<Vec<_>>(),
            "shard {i}/3 keeps its firms"
        );
    }
    assert_eq!(
        fleet.sandbox.cases_for(&Fleet::key("hale-and-ito")).len(),
        1
    );
    for name in NAMES {
        assert_eq!(
            fleet.sandbox.cases_for(&Fleet::key(name)).len(),
            2,
            "a second cycle duplicates nothing"
        );
    }
}

#[test]
fn job_completion_index_picks_the_same_firms_as_shard() {
    let fleet = Fleet::new();
    for name in &NAMES[..5] {
        fleet.add_firm(name, 1);
    }
    for i in 0..2u64 {
        let by_flag = shard_firms(&fleet, i, 2);
        let mut c = fleet.cmd();
        c.env("JOB_COMPLETION_INDEX", i.to_string())
            .args(["--json", "fleet"])
            .arg(fleet.root())
            .args(["--shards", "2"]);
        let (code, out, err) = run_cmd(&mut c);
        assert_eq!(code, 0, "{out}{err}");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(fleet_firms(&doc), by_flag, "index {i}");
        assert_eq!(doc["shard"]["index"], i);
    }
}

/// A port that accepts connections (the kernel's backlog) and never answers.
fn silent_listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

#[test]
fn a_broken_config_and_a_hanging_firm_while_the_others_finish() {
    let fleet = Fleet::new();
    for name in ["acme-law", "baker-and-ortiz", "chen-family-law"] {
        fleet.add_firm(name, 3);
    }
    std::fs::create_dir_all(fleet.firm_dir("broken-firm")).unwrap();
    std::fs::write(
        fleet.firm_dir("broken-firm").join("casestatus-sync.toml"),
        "[fluentcase\ndatabase = ",
    )
    .unwrap();
    let (_listener, url) = silent_listener();
    fleet.add_unmapped_firm("hanging-firm", 1, &url, 30);
    std::fs::create_dir_all(fleet.firm_dir("no-config-yet")).unwrap();

    let t = Instant::now();
    let (code, out, err) = fleet.run(&["-v"], &["--budget", "2", "--jobs", "2"]);
    let wall = t.elapsed();
    assert_eq!(code, 1, "{out}{err}");
    assert_one_line_error(
        &err,
        &[
            "3 of 6 firm(s)",
            "broken-firm",
            "hanging-firm",
            "no-config-yet",
            "budget",
        ],
    );
    assert!(
        err.contains("casestatus-sync.toml"),
        "the broken file named: {err}"
    );
    // One line per firm, then the summary.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert!(
        lines[6].contains("3 ok") && lines[6].contains("1 over budget"),
        "{out}"
    );
    let hanging = lines
        .iter()
        .find(|l| l.starts_with("hanging-firm"))
        .unwrap();
    assert!(hanging.contains("killed"), "{hanging}");
    for name in ["acme-law", "baker-and-ortiz", "chen-family-law"] {
        let line = lines.iter().find(|l| l.starts_with(name)).unwrap();
        assert!(line.split_whitespace().nth(1) == Some("0"), "{line}");
        assert_eq!(
            fleet.sandbox.cases_for(&Fleet::key(name)).len(),
            3,
            "{name}"
        );
    }
    assert!(wall < Duration::from_secs(20), "took {wall:?}");
}

#[test]
fn the_budget_cuts_a_hanging_firm() {
    let fleet = Fleet::new();
    fleet.add_firm("acme-law", 2);
    let (_listener, url) = silent_listener();
    fleet.add_unmapped_firm("hanging-firm", 1, &url, 30);

    let t = Instant::now();
    let (code, doc) = fleet.json(&["--budget", "2", "--jobs", "1"]);
    let wall = t.elapsed();
    assert_eq!(code, 1, "{doc}");
    let firms = doc["firms"].as_array().unwrap();
    let hanging = firms.iter().find(|f| f["firm"] == "hanging-firm").unwrap();
    assert_eq!(hanging["status"], "over_budget", "{hanging}");
    assert_eq!(hanging["exit_code"], serde_json::Value::Null);
    let secs = hanging["seconds"].as_f64().unwrap();
    assert!(
        (2.0..5.0).contains(&secs),
        "killed at {secs} s, not near the 2 s budget"
    );
    assert!(hanging["reason"].as_str().unwrap().contains("budget"));
    let acme = firms.iter().find(|f| f["firm"] == "acme-law").unwrap();
    assert_eq!(acme["status"], "ok");
    assert_eq!(doc["summary"]["over_budget"], 1);
    assert_eq!(doc["summary"]["ok"], 1);
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("acme-law")).len(), 2);
    assert!(
        wall < Duration::from_secs(15),
        "took {wall:?}, not cut at 2 s"
    );
}

#[test]
fn quiet_under_cron_and_children_ignore_the_config_variable() {
    let fleet = Fleet::new();
    fleet.add_firm("acme-law", 1);
    fleet.add_firm("baker-and-ortiz", 1);
    let mut c = fleet.cmd();
    c.env(
        "CASESTATUS_SYNC_CONFIG",
        "/nonexistent/casestatus-sync.toml",
    )
    .arg("fleet")
    .arg(fleet.root());
    let (code, out, err) = run_cmd(&mut c);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("acme-law")).len(), 1);
    assert_eq!(
        fleet
            .sandbox
            .cases_for(&Fleet::key("baker-and-ortiz"))
            .len(),
        1
    );
}

#[test]
fn a_firm_already_running_is_not_a_failure() {
    let fleet = Fleet::new();
    fleet.add_firm("acme-law", 1);
    fleet.add_firm("baker-and-ortiz", 1);
    let state = fleet.firm_dir("acme-law").join("state/casestatus-sync.db");
    let _held = casestatus_sync::sync::runlock::acquire(
        &state,
        casestatus_sync::sync::runlock::Lock::Run,
        NOW.parse().expect("a time"),
    )
    .expect("hold the lock");
    let (code, doc) = fleet.json(&[]);
    assert_eq!(code, 0, "{doc}");
    let acme = &doc["firms"][0];
    assert_eq!(
        (acme["firm"].as_str(), acme["exit_code"].as_i64()),
        (Some("acme-law"), Some(5))
    );
    assert_eq!(acme["status"], "already_running");
    assert_eq!(doc["summary"]["already_running"], 1);
    assert_eq!(
        fleet
            .sandbox
            .cases_for(&Fleet::key("baker-and-ortiz"))
            .len(),
        1
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let fleet = Fleet::new();
    let root = fleet.root();
    let root_s = root.to_str().unwrap();
    let bin = |args: &[&str], env: Option<&str>| {
        let mut c = fleet.cmd();
        if let Some(i) = env {
            c.env("JOB_COMPLETION_INDEX", i);
        }
        run_cmd(c.args(args))
    };
    let check = |args: &[&str], env: Option<&str>, needles: &[&str]| {
        let (code, out, err) = bin(args, env);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_one_line_error(&err, needles);
    };
    check(&["fleet", root_s], None, &["does not exist"]);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(root.join(".hidden")).unwrap();
    check(&["fleet", root_s], None, &["holds no firm folders"]);
    fleet.add_firm("acme-law", 1);
    check(
        &["fleet", root_s, "--shard", "3/3"],
        None,
        &["3/3", "below 3"],
    );
    check(&["fleet", root_s, "--shard", "a/b"], None, &["a/b", "I/N"]);
    check(
        &["fleet", root_s, "--shard", "1/0"],
        None,
        &["1/0", "at least 1"],
    );
    check(&["fleet", root_s, "--jobs", "0"], None, &["--jobs 0"]);
    check(&["fleet", root_s, "--budget", "0"], None, &["--budget 0"]);
    check(
        &["fleet", root_s, "--shards", "3"],
        None,
        &["JOB_COMPLETION_INDEX", "not set"],
    );
    check(
        &["fleet", root_s, "--shards", "3"],
        Some("3"),
        &["JOB_COMPLETION_INDEX=3", "below 3"],
    );
    check(
        &["fleet", root_s, "--shards", "3"],
        Some("x"),
        &["JOB_COMPLETION_INDEX"],
    );
    check(
        &["fleet", root_s, "--shard", "0/3", "--shards", "3"],
        None,
        &["not both"],
    );
    check(
        &["--config", "x.toml", "fleet", root_s],
        None,
        &["no --config"],
    );
    let file = root.join("acme-law/fluentcase.db");
    check(
        &["fleet", file.to_str().unwrap()],
        None,
        &["is not a folder"],
    );
}

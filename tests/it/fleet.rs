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

    // A budget the good firms never need (they take well under a second;
    // a loaded machine must not make them look hung), short of the hanging
    // firm's 30 s.
    let (code, out, err) = fleet.run(&["-v"], &["--budget", "6", "--jobs", "2"]);
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
}

#[test]
fn the_budget_cuts_a_hanging_firm() {
    let fleet = Fleet::new();
    fleet.add_firm("acme-law", 2);
    let (_listener, url) = silent_listener();
    fleet.add_unmapped_firm("hanging-firm", 1, &url, 30);

    let (code, doc) = fleet.json(&["--budget", "6", "--jobs", "1"]);
    assert_eq!(code, 1, "{doc}");
    let firms = doc["firms"].as_array().unwrap();
    let hanging = firms.iter().find(|f| f["firm"] == "hanging-firm").unwrap();
    assert_eq!(hanging["status"], "over_budget", "{hanging}");
    assert_eq!(hanging["exit_code"], serde_json::Value::Null);
    // The firm would hang for its 30 s timeout; `over_budget` with no exit
    // code is the event that says the budget killed it (no wall clock: a
    // loaded machine is slow, not wrong), and never before its budget.
    let secs = hanging["seconds"].as_f64().unwrap();
    assert!(secs >= 6.0, "killed at {secs} s, before the 6 s budget");
    assert!(hanging["reason"].as_str().unwrap().contains("budget"));
    let acme = firms.iter().find(|f| f["firm"] == "acme-law").unwrap();
    assert_eq!(acme["status"], "ok");
    assert_eq!(doc["summary"]["over_budget"], 1);
    assert_eq!(doc["summary"]["ok"], 1);
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("acme-law")).len(), 2);
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

/// A CaseStatus impostor: accepts connections, keeps every byte sent to it
/// (an `Authorization` header would hold a key), answers 401.
struct Capture {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Capture {
    fn start() -> Capture {
        use std::io::{Read, Write};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buf = [0u8; 4096];
                if let Ok(n) = s.read(&mut buf) {
                    keep.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
                let _ = s.write_all(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Capture { url, seen }
    }

    fn seen(&self) -> String {
        self.seen.lock().unwrap().clone()
    }
}

/// Rewrite one line of firm `name`'s config.
fn edit_config(fleet: &Fleet, name: &str, from: &str, to: &str) {
    let path = fleet.firm_dir(name).join("casestatus-sync.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// A firm's `[metrics] textfile` is written after every sync: one that
/// names another firm's state file is refused like the other paths, and
/// that state file is untouched.
#[test]
fn a_firms_metrics_textfile_cannot_reach_another_firms_files() {
    let fleet = Fleet::new();
    fleet.add_firm("victim", 2);
    let capture = Capture::start();
    fleet.add_unmapped_firm("evil-metrics", 1, &capture.url, 5);
    let config = fleet.firm_dir("evil-metrics").join("casestatus-sync.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[metrics]\ntextfile = \"../victim/state/casestatus-sync.db\"\n");
    std::fs::write(&config, text).unwrap();

    let (code, doc) = fleet.json(&["--budget", "30"]);
    assert_eq!(code, 1, "{doc}");
    assert!(capture.seen().is_empty(), "{}", capture.seen());
    let firms = doc["firms"].as_array().unwrap();
    let evil = firms.iter().find(|f| f["firm"] == "evil-metrics").unwrap();
    assert_eq!(evil["status"], "refused", "{evil}");
    let reason = evil["reason"].as_str().unwrap();
    assert!(
        reason.contains("metrics.textfile") && reason.contains("own folder"),
        "{reason}"
    );
    let victim = firms.iter().find(|f| f["firm"] == "victim").unwrap();
    assert_eq!(victim["status"], "ok", "{victim}");
    // The victim's state file is still a database holding its cases.
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("victim")).len(), 2);
    let state = fleet.firm_dir("victim").join("state/casestatus-sync.db");
    let head = std::fs::read(&state).unwrap();
    assert!(head.starts_with(b"SQLite format 3"), "overwritten");
}

/// Issue 23 item 5: a firm's config cannot name another firm's files —
/// by `..`, an absolute path, or a symlink — and a firm folder that is a
/// symlink is skipped; a key file under --keys-dir is allowed.
#[test]
fn a_firm_cannot_reach_another_firms_files() {
    let fleet = Fleet::new();
    fleet.add_firm("victim", 2);
    let victim_db = fleet.firm_dir("victim").join("fluentcase.db");
    let capture = Capture::start();
    // Its own base_url, the victim's key file.
    fleet.add_unmapped_firm("evil-key", 1, &capture.url, 5);
    edit_config(
        &fleet,
        "evil-key",
        "api_key_file = \"api-key\"",
        "api_key_file = \"../victim/api-key\"",
    );
    // Its own base_url, the victim's state file.
    fleet.add_unmapped_firm("evil-state", 1, &capture.url, 5);
    edit_config(
        &fleet,
        "evil-state",
        "database = \"state/casestatus-sync.db\"",
        "database = \"../victim/state/casestatus-sync.db\"",
    );
    // Its own key file name, a symlink to the victim's.
    fleet.add_unmapped_firm("evil-link", 1, &capture.url, 5);
    std::fs::remove_file(fleet.firm_dir("evil-link").join("api-key")).unwrap();
    std::os::unix::fs::symlink(
        "../victim/api-key",
        fleet.firm_dir("evil-link").join("api-key"),
    )
    .unwrap();
    // Its own state folder, a symlink to the victim's.
    fleet.add_unmapped_firm("evil-dir-link", 1, &capture.url, 5);
    std::os::unix::fs::symlink(
        "../victim/state",
        fleet.firm_dir("evil-dir-link").join("state"),
    )
    .unwrap();
    // The victim's FluentCase database by absolute path.
    fleet.add_unmapped_firm("evil-abs", 1, &capture.url, 5);
    edit_config(
        &fleet,
        "evil-abs",
        "database = \"fluentcase.db\"",
        &format!("database = \"{}\"", victim_db.display()),
    );
    // A firm folder that is a symlink to the victim's.
    std::os::unix::fs::symlink(fleet.firm_dir("victim"), fleet.root().join("mirror")).unwrap();

    let (code, doc) = fleet.json(&["--budget", "30"]);
    assert_eq!(code, 1, "{doc}");
    let seen = capture.seen();
    assert!(
        !seen.contains(&Fleet::key("victim")) && seen.is_empty(),
        "a firm reached its own server with another firm's files: {seen}"
    );
    let firms = doc["firms"].as_array().unwrap();
    let status = |name: &str| {
        firms
            .iter()
            .find(|f| f["firm"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {doc}"))
            .clone()
    };
    assert_eq!(status("victim")["status"], "ok", "{doc}");
    for (name, setting) in [
        ("evil-key", "casestatus.api_key_file"),
        ("evil-state", "state.database"),
        ("evil-link", "casestatus.api_key_file"),
        ("evil-dir-link", "state.database"),
        ("evil-abs", "fluentcase.database"),
    ] {
        let f = status(name);
        assert_eq!(f["status"], "refused", "{name}: {f}");
        let reason = f["reason"].as_str().unwrap();
        assert!(
            reason.contains(setting) && reason.contains("own folder"),
            "{name}: {reason}"
        );
    }
    let mirror = status("mirror");
    assert_eq!(mirror["status"], "skipped", "{mirror}");
    assert!(
        mirror["reason"].as_str().unwrap().contains("symlink"),
        "{mirror}"
    );
    assert_eq!(doc["summary"]["refused"], 5);
    assert_eq!(doc["summary"]["skipped"], 1);
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("victim")).len(), 2);

    // A key file under --keys-dir is the one place outside the folder.
    let keys = fleet.dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    write_secret(&keys.join("keyed"), &Fleet::key("keyed"));
    fleet.add_firm("keyed", 1);
    edit_config(
        &fleet,
        "keyed",
        "api_key_file = \"api-key\"",
        &format!("api_key_file = \"{}\"", keys.join("keyed").display()),
    );
    std::fs::remove_file(fleet.firm_dir("keyed").join("api-key")).unwrap();
    let (_, doc) = fleet.json(&["--keys-dir", keys.to_str().unwrap()]);
    let keyed = doc["firms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["firm"] == "keyed")
        .unwrap()
        .clone();
    assert_eq!(keyed["status"], "ok", "{doc}");
    assert_eq!(fleet.sandbox.cases_for(&Fleet::key("keyed")).len(), 1);
    // Without --keys-dir there, the same key file is refused.
    let (_, doc) = fleet.json(&[]);
    let keyed = doc["firms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["firm"] == "keyed")
        .unwrap()
        .clone();
    assert_eq!(keyed["status"], "refused", "{doc}");
    assert!(capture.seen().is_empty());
}

/// The pids whose parent is `parent`, from /proc.
fn children_of(parent: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so after ')'.
        let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
            found.push(pid);
        }
    }
    found
}

/// Whether `pid` is still a live (not zombie) process running this binary.
fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, a)| a.split_whitespace().next())
        .unwrap_or("");
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    state != "Z" && String::from_utf8_lossy(&cmdline).contains("sync")
}

/// A fleet of two hanging firms, started as a plain child process; and its
/// two children once both run.
fn hanging_fleet(fleet: &Fleet, url: &str, json: bool) -> (std::process::Child, Vec<u32>) {
    for name in ["hang-one", "hang-two"] {
        fleet.add_unmapped_firm(name, 1, url, 60);
    }
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("casestatus-sync"));
    if json {
        cmd.arg("--json");
    }
    let mut child = cmd
        .arg("fleet")
        .arg(fleet.root())
        .args(["--budget", "120", "--jobs", "2"])
        .env("CASESTATUS_SYNC_NOW", &fleet.now)
        .env_remove("CASESTATUS_SYNC_CONFIG")
        .env_remove("JOB_COMPLETION_INDEX")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut kids = Vec::new();
    while started.elapsed() < Duration::from_secs(30) {
        kids = children_of(child.id());
        if kids.len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if kids.len() != 2 {
        let _ = child.kill();
        panic!("the fleet did not start two children: {kids:?}");
    }
    // Let them reach their hanging request.
    std::thread::sleep(Duration::from_millis(300));
    (child, kids)
}

/// Wait up to `limit` for every pid to be gone; the ones still alive.
fn survivors(pids: &[u32], limit: Duration) -> Vec<u32> {
    let started = Instant::now();
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        if left.is_empty() || started.elapsed() > limit {
            // Never leave a survivor behind this test.
            for p in &left {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &p.to_string()])
                    .status();
            }
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Issue 23 item 6: `kill -9` of the fleet takes its children along
/// (process group and parent-death signal), checked in /proc.
#[test]
fn children_die_with_a_killed_fleet() {
    let fleet = Fleet::new();
    let (_listener, url) = silent_listener();
    let (mut child, kids) = hanging_fleet(&fleet, &url, false);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let left = survivors(&kids, Duration::from_secs(5));
    assert!(
        left.is_empty(),
        "children outlived a SIGKILLed fleet: {left:?}"
    );
    // The next fleet is not told "already running".
    let (_, doc) = fleet.json(&["--budget", "1"]);
    for f in doc["firms"].as_array().unwrap() {
        assert_ne!(f["status"], "already_running", "{doc}");
    }
}

/// Issue 23 item 6: SIGTERM to the fleet is passed on to its children and
/// waited for; the fleet reports them stopped and exits 1.
#[test]
fn sigterm_to_the_fleet_is_passed_on_and_waited_for() {
    use std::io::Read;
    let fleet = Fleet::new();
    let (_listener, url) = silent_listener();
    let (mut child, kids) = hanging_fleet(&fleet, &url, true);
    let t = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut code = None;
    while t.elapsed() < Duration::from_secs(15) {
        if let Some(s) = child.try_wait().unwrap() {
            code = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Some(code) = code else {
        let _ = child.kill();
        let _ = survivors(&kids, Duration::from_secs(1));
        panic!("the fleet did not end within 15 s of SIGTERM");
    };
    let left = survivors(&kids, Duration::from_secs(2));
    assert!(
        left.is_empty(),
        "children outlived a SIGTERMed fleet: {left:?}"
    );
    assert_eq!(code.code(), Some(1), "{code:?}");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(doc["summary"]["stopped"], 2, "{doc}");
    for f in doc["firms"].as_array().unwrap() {
        assert_eq!(f["status"], "stopped", "{f}");
        assert!(f["reason"].as_str().unwrap().contains("SIGTERM"), "{f}");
    }
}

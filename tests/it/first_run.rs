//! First run without a manual (issue 26): `init` writes the config and
//! `setup` walks the settings page — through the real binary, `setup` on a
//! real pseudo-terminal (rexpect), where dialoguer draws its lists.

use std::path::Path;

use casestatus_sync::sandbox::Sandbox;

use crate::common::{assert_no_secret, assert_one_line_error, bare, run_cmd, Firm, NOW};

/// `init` in the firm's folder, writing `name`, with these flags.
fn init(firm: &Firm, name: &str, flags: &[&str]) -> (i32, String, String) {
    run_cmd(
        bare(firm.dir.path())
            .arg("--config")
            .arg(name)
            .arg("init")
            .args(flags),
    )
}

/// The flags for a complete config of this firm (its sandbox, its FluentCase).
fn full_flags(firm: &Firm) -> Vec<String> {
    vec![
        "--fluentcase-db".into(),
        "fluentcase.db".into(),
        "--fluentcase-url".into(),
        "https://acme.fluentcase.com".into(),
        "--timezone".into(),
        "America/Chicago".into(),
        "--casestatus-url".into(),
        firm.sandbox.base_url(),
        "--state".into(),
        "state/casestatus-sync.db".into(),
    ]
}

/// `init` with flags writes a config that the next commands accept as it
/// is: connect, test (the Connected badge) and a dry run of every kind.
#[test]
fn init_with_flags_writes_a_config_that_test_and_a_dry_run_accept() {
    let firm = Firm::new();
    std::fs::remove_file(&firm.config).expect("remove the harness's config");
    let flags = full_flags(&firm);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, out, err) = init(&firm, "casestatus-sync.toml", &flags);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Next: casestatus-sync --config casestatus-sync.toml setup"),
        "{out}"
    );
    let text = std::fs::read_to_string(&firm.config).expect("config written");
    assert!(text.contains("# The firm's IANA time zone"), "{text}");
    assert!(text.contains("database = \"fluentcase.db\""), "{text}");
    assert!(
        text.contains("database = \"state/casestatus-sync.db\""),
        "{text}"
    );
    assert!(!firm.state_path.exists(), "init creates no state file");

    firm.add_matters(1, 3);
    firm.connect();
    let test = firm.ok(&["test"]);
    assert!(test.contains("Connected"), "{test}");
    for args in casestatus_sync::sandbox::sample::MINIMAL_MAPPING {
        firm.ok(args);
    }
    let plan = firm.ok(&["sync", "all", "--dry-run"]);
    assert!(plan.contains("dry run"), "{plan}");
    assert!(firm.sandbox.cases().is_empty(), "a dry run sends nothing");
    // The written config passes `doctor` (the config's own file mode was
    // made by init; the state file by connect).
    let (code, out, err) = firm.run(&["doctor"]);
    assert_eq!(code, 0, "doctor on init's config: {out}{err}");
    assert!(!out.contains('✗'), "{out}");
}

/// A path that is not FluentCase's database is refused with one line that
/// says why, and nothing is written: a text file, another program's SQLite
/// file, a file that is not there.
#[test]
fn init_refuses_what_is_not_fluentcase_and_writes_nothing() {
    let firm = Firm::new();
    std::fs::remove_file(&firm.config).expect("remove the harness's config");
    std::fs::write(firm.path("notes.txt"), "not a database\n".repeat(100)).expect("text");
    let other = rusqlite::Connection::open(firm.path("other.db")).expect("sqlite");
    other
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
        .expect("schema");
    drop(other);
    for (path, reason) in [
        ("notes.txt", "not a database"),
        ("other.db", "none of FluentCase's tables"),
        ("nowhere.db", "no such file"),
    ] {
        let (code, out, err) = init(
            &firm,
            "casestatus-sync.toml",
            &[
                "--fluentcase-db",
                path,
                "--fluentcase-url",
                "https://acme.fluentcase.com",
                "--timezone",
                "America/Chicago",
            ],
        );
        assert_eq!(code, 2, "{path}: {out}{err}");
        assert_one_line_error(&err, &["--fluentcase-db", path, reason]);
        assert!(!firm.config.exists(), "{path}: nothing is written");
    }
}

/// Not on a terminal, FluentCase's path and address must be given (the
/// rest have defaults); a wrong value is named by its flag.
#[test]
fn init_off_a_terminal_needs_the_fluentcase_values_and_names_bad_flags() {
    let firm = Firm::new();
    std::fs::remove_file(&firm.config).expect("remove the harness's config");
    let (code, _, err) = init(&firm, "casestatus-sync.toml", &[]);
    assert_eq!(code, 2);
    assert_one_line_error(&err, &["--fluentcase-db", "--fluentcase-url", "terminal"]);
    for (flag, value) in [
        ("--timezone", "Mars/Olympus"),
        ("--casestatus-url", "http://app.casestatus.com"),
        ("--fluentcase-url", "acme"),
    ] {
        let mut flags = vec!["--fluentcase-db", "fluentcase.db", flag, value];
        if flag != "--fluentcase-url" {
            flags.extend(["--fluentcase-url", "https://acme.fluentcase.com"]);
        }
        let (code, _, err) = init(&firm, "casestatus-sync.toml", &flags);
        assert_eq!(code, 2, "{flag}: {err}");
        assert_one_line_error(&err, &[flag]);
        assert!(!firm.config.exists());
    }
}

/// A config already there is never replaced, whatever the flags.
#[test]
fn init_never_overwrites_a_config() {
    let firm = Firm::new();
    let before = std::fs::read_to_string(&firm.config).expect("config");
    let flags = full_flags(&firm);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (code, out, err) = init(&firm, "casestatus-sync.toml", &flags);
    assert_eq!(code, 2, "{out}{err}");
    assert_one_line_error(&err, &["casestatus-sync.toml", "already exists"]);
    assert_eq!(
        std::fs::read_to_string(&firm.config).expect("config"),
        before
    );
}

/// Not on a terminal, `setup` is refused with exit 2 and one line naming
/// the scripted commands that do the same.
#[test]
fn setup_off_a_terminal_exits_2_naming_the_scripted_commands() {
    let firm = Firm::new();
    let (code, out, err) = firm.run(&["setup"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_one_line_error(
        &err,
        &[
            "terminal",
            "connect",
            "--api-key-stdin",
            "test",
            "synced-statuses",
            "map practice-area",
            "map stage",
            "event-types enable",
        ],
    );
    assert!(!firm.state_path.exists(), "nothing was saved");
}

// ---- setup on a real terminal ------------------------------------------

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const SPACE: &str = " ";

/// `setup` on a pseudo-terminal of 40×120 (TERM=xterm), with the firm's
/// config and the pinned clock.
fn spawn_setup(firm: &Firm) -> rexpect::session::PtySession {
    spawn_on_a_terminal(
        firm,
        &[firm.config.to_str().expect("a UTF-8 path"), "setup"],
    )
}

/// The binary with `--config` and `args` on a pseudo-terminal.
fn spawn_on_a_terminal(firm: &Firm, args: &[&str]) -> rexpect::session::PtySession {
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    // The window size is set on the terminal's own side, before the binary
    // starts, as a terminal emulator would.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("stty rows 40 cols 120 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .arg("--config")
        .args(args)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("CASESTATUS_SYNC_NOW", NOW)
        .env_remove("CASESTATUS_SYNC_CONFIG")
        .current_dir(firm.dir.path());
    rexpect::session::spawn_with_options(
        cmd,
        rexpect::reader::Options::new()
            .timeout_ms(Some(60_000))
            .strip_ansi_escape_codes(true),
    )
    .expect("setup starts on a pseudo-terminal")
}

/// A person at the keyboard: waits for `question`, pauses as a person
/// would (the list is in raw mode by then), types `keys`. All that was
/// shown before the question is returned.
struct Person {
    p: rexpect::session::PtySession,
    seen: String,
}

impl Person {
    fn at(&mut self, question: &str) {
        let before = self.p.exp_string(question).unwrap_or_else(|e| {
            panic!(
                "no {question:?} on the terminal ({e}); shown so far:\n{}",
                self.seen
            )
        });
        self.seen.push_str(&before);
        self.seen.push_str(question);
        std::thread::sleep(std::time::Duration::from_millis(250));
    }

    fn answer(&mut self, question: &str, keys: &[&str]) {
        self.at(question);
        for k in keys {
            self.p.send(k).expect("type");
            self.p.flush().expect("flush");
            std::thread::sleep(std::time::Duration::from_millis(60));
        }
    }

    /// Down `n` rows and Enter: the `n`-th entry of a pick-list (0 is skip).
    fn pick(&mut self, question: &str, n: usize) {
        let mut keys = vec![DOWN; n];
        keys.push(ENTER);
        self.answer(question, &keys);
    }

    /// Everything up to the end; the exit status as nix's Debug writes it.
    fn finish(mut self) -> (String, String) {
        let rest = self.p.exp_eof().expect("setup ends");
        self.seen.push_str(&rest);
        let status = self.p.process_mut().wait().expect("exit status");
        (self.seen, format!("{status:?}"))
    }
}

/// Matter statuses as the sample firm sorts them.
const STATUSES: [&str; 6] = [
    "Archived",
    "Closed",
    "Intake",
    "Open",
    "Settlement",
    "Treatment",
];
/// Case types as the sample firm sorts them.
const CASE_TYPES: [&str; 4] = [
    "Estate Planning",
    "Family Law",
    "Personal Injury",
    "Workers' Compensation",
];

fn status_row(name: &str) -> usize {
    1 + STATUSES.iter().position(|s| *s == name).expect("a status")
}

/// The walk up to and including the first stage of Workers' Compensation:
/// key, statuses (Open and Treatment), Family Law and Personal Injury
/// skipped (areas come in name order), Workers' Compensation → its case
/// type, Intake → Intake. (Questions are matched on their ASCII part: the
/// reader sees bytes, so "→" would not match.)
fn walk_to_the_second_stage(firm: &Firm) -> Person {
    let mut person = Person {
        p: spawn_setup(firm),
        seen: String::new(),
    };
    person.answer("A descriptive name for the key", &[ENTER]);
    person.at("input hidden");
    person.p.send_line(Sandbox::DEMO_KEY).expect("type the key");
    person.at("Connected");
    // Open is checked already (the default); check Treatment too.
    person.answer(
        "Which matter statuses are synced?",
        &[DOWN, DOWN, DOWN, DOWN, DOWN, SPACE, ENTER],
    );
    person.pick("Practice area \"Family Law\"", 0);
    person.pick("Practice area \"Personal Injury\"", 0);
    person.pick("Practice area \"Workers' Compensation\"", 4);
    person.pick(
        "Stage \"Intake\" of \"Workers' Compensation\"",
        status_row("Intake"),
    );
    person
}

/// `setup` driven end to end on a real terminal gives the state the
/// scripted commands give for the same choices: key, statuses, one area
/// mapped and the others skipped, two stages, two event types.
#[test]
fn setup_on_a_terminal_equals_the_scripted_commands() {
    assert_eq!(CASE_TYPES[3], "Workers' Compensation");
    let walked = Firm::new();
    let scripted = Firm::new();
    for firm in [&walked, &scripted] {
        firm.add_matters(1, 4);
        firm.add_depositions(1..=2);
    }

    let mut person = walk_to_the_second_stage(&walked);
    person.pick(
        "Stage \"Treatment\" of \"Workers' Compensation\"",
        status_row("Open"),
    );
    person.pick("Stage \"Settlement\" of \"Workers' Compensation\"", 0);
    person.pick("Stage \"Closed\" of \"Workers' Compensation\"", 0);
    // Court Hearing (first) and Deposition (second).
    person.answer(
        "Which event types are shared with clients",
        &[SPACE, DOWN, SPACE, ENTER],
    );
    person.at("dry run");
    person.at("*/15 * * * * ");
    let (shown, status) = person.finish();
    assert!(status.contains(", 0)"), "setup exited {status}:\n{shown}");
    assert_no_secret(&shown, "");
    let config = walked.config.canonicalize().expect("config path");
    assert!(
        shown.contains(&format!("--config {} sync all", config.display())),
        "the cron line names the config's absolute path:\n{shown}"
    );
    assert!(
        shown.contains("Matters (dry run"),
        "the dry run's summary:\n{shown}"
    );

    scripted.connect();
    scripted.ok(&["test"]);
    scripted.ok(&["synced-statuses", "Open", "Treatment"]);
    scripted.ok(&[
        "map",
        "practice-area",
        "Workers' Compensation",
        "--case-type",
        "Workers' Compensation",
    ]);
    scripted.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Intake",
        "--status",
        "Intake",
    ]);
    scripted.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ]);
    scripted.ok(&["event-types", "enable", "Court Hearing", "Deposition"]);

    for args in [&["map"][..], &["event-types"], &["synced-statuses"]] {
        let (a, b) = (walked.json(args), scripted.json(args));
        assert_eq!(a, b, "{args:?} differs between setup and the scripts");
    }
    // The next sync would do the same (counts per kind; the plan's items
    // come in the order the planning threads finish).
    let counts = |firm: &Firm| {
        let plan = firm.json(&["sync", "all", "--dry-run"]);
        plan["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| {
                (
                    s["kind"].clone(),
                    s["counts"].clone(),
                    s["skipped_by_reason"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&walked), counts(&scripted));
    let test = walked.json(&["test"]);
    assert_eq!(test["key_name"], "CaseStatus API Key");
    assert_eq!(test["connected"], true);

    // Again, pressing Enter at every question: the current choices are the
    // defaults, so nothing changes (the saved key is kept).
    let mut person = Person {
        p: spawn_setup(&walked),
        seen: String::new(),
    };
    person.answer("is saved. Replace it?", &[ENTER]);
    person.at("Connected");
    person.answer("Which matter statuses are synced?", &[ENTER]);
    for area in ["Family Law", "Personal Injury", "Workers' Compensation"] {
        person.answer(&format!("Practice area \"{area}\""), &[ENTER]);
    }
    for stage in ["Intake", "Treatment", "Settlement", "Closed"] {
        person.answer(
            &format!("Stage \"{stage}\" of \"Workers' Compensation\""),
            &[ENTER],
        );
    }
    person.answer("Which event types are shared with clients", &[ENTER]);
    let (shown, status) = person.finish();
    assert!(status.contains(", 0)"), "setup exited {status}:\n{shown}");
    for args in [&["map"][..], &["event-types"], &["synced-statuses"]] {
        let (a, b) = (walked.json(args), scripted.json(args));
        assert_eq!(a, b, "{args:?} changed on a second walk");
    }
}

/// Ctrl-C half-way (at the second stage): what was answered before is
/// saved, the rest is unchanged, and the scripted commands go on from there.
#[test]
fn ctrl_c_half_way_keeps_what_was_answered() {
    let firm = Firm::new();
    let mut person = walk_to_the_second_stage(&firm);
    person.at("Stage \"Treatment\" of \"Workers' Compensation\"");
    person.p.send_control('c').expect("Ctrl-C");
    let (shown, status) = person.finish();
    assert!(status.contains(", 130)"), "setup exited {status}:\n{shown}");
    assert!(shown.contains("stopped"), "{shown}");
    assert!(
        shown.contains("every answer given before was saved"),
        "{shown}"
    );

    let statuses = firm.json(&["synced-statuses"]);
    assert_eq!(
        statuses["synced_statuses"],
        serde_json::json!(["Open", "Treatment"])
    );
    let map = firm.json(&["map"]);
    let areas = map["practice_areas"].as_array().expect("areas");
    let wc = areas
        .iter()
        .find(|a| a["name"] == "Workers' Compensation")
        .expect("Workers' Compensation");
    assert_eq!(wc["name"], "Workers' Compensation");
    assert_eq!(wc["case_type"], "Workers' Compensation");
    let stage = |name: &str| {
        wc["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["matter_status"].clone())
            .expect("stage")
    };
    assert_eq!(stage("Intake"), "Intake");
    assert_eq!(stage("Treatment"), serde_json::Value::Null);
    for other in areas
        .iter()
        .filter(|a| a["name"] != "Workers' Compensation")
    {
        assert_eq!(other["case_type"], serde_json::Value::Null, "{other}");
    }
    let events = firm.json(&["event-types"]);
    assert!(
        events["event_types"]
            .as_array()
            .expect("types")
            .iter()
            .all(|t| t["enabled"] == false),
        "event types untouched: {events}"
    );
    // The scripted commands go on from where the walk stopped.
    firm.ok(&[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ]);
    let map = firm.json(&["map"]);
    let wc = map["practice_areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["name"] == "Workers' Compensation")
        .expect("Workers' Compensation");
    assert_eq!(wc["stages"][1]["name"], "Treatment");
    assert_eq!(wc["stages"][1]["matter_status"], "Open");
    assert!(Path::new(&firm.state_path).exists());
}

/// `init` on a terminal asks for what no flag gave: a path that is not
/// FluentCase's is refused at the question and asked again; Enter takes
/// the defaults (the system's time zone, CaseStatus's address, the state
/// file beside the config).
#[test]
fn init_on_a_terminal_asks_checks_and_offers_the_defaults() {
    let firm = Firm::new();
    std::fs::remove_file(&firm.config).expect("remove the harness's config");
    std::fs::write(firm.path("notes.txt"), "not a database").expect("text");
    let config = firm.path("new.toml");
    let mut person = Person {
        p: spawn_on_a_terminal(&firm, &[config.to_str().expect("UTF-8"), "init"]),
        seen: String::new(),
    };
    person.answer("FluentCase's database", &["notes.txt", ENTER]);
    person.at("not a database");
    // dialoguer keeps the refused text for editing: clear it first.
    person.answer("", &[&"\x7f".repeat(9), "fluentcase.db", ENTER]);
    person.answer(
        "FluentCase's address",
        &["https://acme.fluentcase.com", ENTER],
    );
    person.answer("time zone", &[ENTER]);
    person.answer("CaseStatus's address", &[ENTER]);
    person.answer("state file", &[ENTER]);
    person.at("Next: casestatus-sync --config");
    let (shown, status) = person.finish();
    assert!(status.contains(", 0)"), "init exited {status}:\n{shown}");
    let c = casestatus_sync::util::config::load(&config).expect("a valid config");
    assert_eq!(c.fluentcase.database, firm.fc_path);
    assert_eq!(c.state_database, firm.path("casestatus-sync.db"));
    assert_eq!(
        c.casestatus.base_url.as_str(),
        "https://app.casestatus.com/"
    );
}

/// A key CaseStatus refuses is not saved: the walk says why (without the
/// key) and asks for another; the right one is then saved and tested.
#[test]
fn setup_asks_again_for_a_key_casestatus_refuses() {
    let firm = Firm::new();
    let mut person = Person {
        p: spawn_setup(&firm),
        seen: String::new(),
    };
    person.answer("A descriptive name for the key", &[ENTER]);
    person.at("input hidden");
    person
        .p
        .send_line("wrong-key-9f8e7d6c5b4a")
        .expect("type the key");
    person.at("Not saved:");
    person.answer("Try another key?", &[ENTER]);
    person.answer("A descriptive name for the key", &[ENTER]);
    person.at("input hidden");
    person.p.send_line(Sandbox::DEMO_KEY).expect("type the key");
    person.at("Connected");
    person.at("Which matter statuses are synced?");
    person.p.send_control('c').expect("Ctrl-C");
    let (shown, status) = person.finish();
    assert!(status.contains(", 130)"), "setup exited {status}:\n{shown}");
    assert_no_secret(&shown, "");
    let test = firm.json(&["test"]);
    assert_eq!(test["connected"], true, "{test}");
    // The first connect's default, saved with the key.
    assert_eq!(
        firm.json(&["synced-statuses"])["synced_statuses"],
        serde_json::json!(["Open"])
    );
}

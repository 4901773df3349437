//! Issue 16: text from clients, staff and CaseStatus never reaches the
//! terminal raw. Every source is seeded with escape sequences; every
//! command that shows them runs; no output may carry ESC, BEL, CR, NUL or
//! the one-byte CSI, each run-level error stays one line, and FluentCase
//! and `--json` keep the exact text.

use crate::common::{run_cmd, Firm, YESTERDAY};
use casestatus_sync::sandbox::sample::SampleMatter;
use casestatus_sync::sandbox::{Fault, NewMessage, Route};
use casestatus_sync::sandbox::{PracticeArea, Stage};

/// Colour, a bell, a carriage return, NUL, the C1 CSI, a bidi override,
/// an OSC 8 link and a line break that would fake a line.
const HOSTILE: &str =
    "Mal\x1b[1mlory\x07 \r\0 \u{9b}2J \u{202e}txt \x1b]8;;http://evil.example\x1b\\link\nFAKE LINE";

fn assert_clean(what: &str, out: &str, err: &str) {
    for (name, bad) in [
        ("ESC", '\x1b'),
        ("BEL", '\x07'),
        ("CR", '\r'),
        ("NUL", '\0'),
        ("CSI", '\u{9b}'),
        ("RLO", '\u{202e}'),
    ] {
        assert!(!out.contains(bad), "{what}: {name} on stdout: {out:?}");
        assert!(!err.contains(bad), "{what}: {name} on stderr: {err:?}");
    }
    assert!(
        !out.lines().any(|l| l.starts_with("FAKE LINE"))
            && !err.lines().any(|l| l.starts_with("FAKE LINE")),
        "{what}: data started a line of its own: {out}{err}"
    );
}

/// As [`run_clean`], for a command that must succeed: a check of its text
/// is no check if the command failed before printing it.
fn run_ok(firm: &Firm, args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = run_clean(firm, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    (code, out, err)
}

fn run_clean(firm: &Firm, args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = firm.run(args);
    assert_clean(&args.join(" "), &out, &err);
    if code != 0 {
        let lines = err.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(lines <= 1, "{args:?}: error is not one line: {err}");
    }
    (code, out, err)
}

#[test]
fn hostile_text_from_every_source_is_made_visible() {
    let firm = Firm::new();
    // Staff-typed data: client names, file number, event type.
    let mut m = SampleMatter::new(1, YESTERDAY);
    m.file_number = Some(format!("WC-{HOSTILE}"));
    m.client.as_mut().unwrap().first_name = Some(HOSTILE.into());
    firm.add_matter(&m);
    let mut m = SampleMatter::new(2, YESTERDAY);
    m.client.as_mut().unwrap().last_name = Some(HOSTILE.into());
    m.client.as_mut().unwrap().phones.clear();
    firm.add_matter(&m);
    firm.add_matters(3, 1);
    let fc = firm.fc();
    fc.execute(
        "INSERT INTO event_types (id, name) VALUES (9, ?1)",
        [format!("Type {HOSTILE}")],
    )
    .unwrap();
    fc.execute(
        "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, all_day, updated_at)
         VALUES (5, 1, 1, ?1, '2026-12-10T15:00:00Z', 0, ?2)",
        rusqlite::params![HOSTILE, YESTERDAY],
    )
    .unwrap();
    // CaseStatus's names.
    let mut areas = firm.sandbox.practice_areas();
    areas.push(PracticeArea {
        id: 900,
        name: format!("Area {HOSTILE}"),
        stages: vec![Stage {
            id: 901,
            name: format!("Stage {HOSTILE}"),
            position: 1,
        }],
    });
    firm.sandbox.set_practice_areas(areas);
    firm.connect_and_map();
    run_ok(&firm, &["test"]);
    run_ok(&firm, &["map"]);
    run_ok(&firm, &["event-types"]);
    run_ok(&firm, &["-v", "sync", "matters", "--dry-run"]);
    // A 422 whose message is hostile, for matter 3.
    firm.sandbox.inject(
        Route::new("POST", "/v1/api/cases"),
        Fault::Respond {
            status: 422,
            body: serde_json::json!({"error": {"code": "bad\x1b[31m", "message": HOSTILE}})
                .to_string(),
        },
        1,
    );
    run_ok(&firm, &["-v", "sync", "matters"]);
    firm.ok(&["event-types", "enable", "Deposition"]);
    // A client message whose text and sender are hostile.
    firm.sandbox
        .add_message(NewMessage::client("1", HOSTILE, HOSTILE));
    run_ok(&firm, &["-v", "sync", "all"]);
    run_ok(&firm, &["-v", "sync", "messages", "--dry-run"]);
    let (_, log, _) = run_ok(&firm, &["log"]);
    assert!(log.contains("Run"), "{log}");
    let runs = firm.json(&["log"])["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 4, "{runs:?}");
    for run in runs {
        run_ok(&firm, &["log", "--run", &run["id"].to_string()]);
    }
    for m in ["1", "2", "3"] {
        run_ok(&firm, &["why-skipped", m]);
    }
    let (_, out, _) = run_ok(&firm, &["why-skipped", "2"]);
    assert!(
        out.contains("\\x1b[1m"),
        "the escape is shown, not obeyed: {out}"
    );

    // A 5xx whose message holds line breaks and an escape: one line.
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::Respond {
            status: 503,
            body: serde_json::json!({"error": {"code": "down", "message": "boom\r\nsecond line\x1b[2J\nthird"}})
                .to_string(),
        },
        10,
    );
    for args in [&["refetch-practice-areas"][..], &["test"][..]] {
        let (code, out, err) = run_clean(&firm, args);
        assert_eq!(code, 4, "a 5xx is a passing condition: {out}{err}");
        assert!(
            !out.lines()
                .chain(err.lines())
                .any(|l| l.starts_with("third")),
            "{out}{err}"
        );
    }
    firm.sandbox.clear_faults();
    run_ok(&firm, &["refetch-practice-areas"]);

    // Data stays exact where it is data.
    let body: String = firm
        .fc()
        .query_row(
            "SELECT body FROM activities WHERE source = 'casestatus'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        body,
        format!("Message from Case Status ({}): {HOSTILE}", HOSTILE.trim())
    );
    let (code, map, err) = firm.run(&["--json", "map"]);
    assert_eq!(code, 0, "{err}");
    assert_clean("map --json", &map, &err);
    let doc: serde_json::Value = serde_json::from_str(&map).unwrap();
    let text = doc.to_string();
    let decoded: Vec<String> = doc
        .pointer("/practice_areas")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        decoded.contains(&format!("Area {HOSTILE}")),
        "--json keeps the exact name: {text}"
    );
    let (_, log_json, err) = firm.run(&["--json", "log", "--run", "4"]);
    assert_clean("log --json", &log_json, &err);
    assert!(
        serde_json::from_str::<serde_json::Value>(&log_json)
            .unwrap()
            .to_string()
            .contains("FAKE LINE"),
        "{log_json}"
    );
    // A name with escapes can still be found again: did-you-mean works.
    let (code, _, err) =
        run_cmd(
            firm.cmd()
                .args(["map", "practice-area", "area mallory", "--clear"]),
        );
    assert_ne!(code, 0);
    assert_clean("map unknown", "", &err);
}

/// What the tool once used in-band to mark its own colours: a conceal
/// span, a black-on-black span and an unmatched start marker. Issue 23
/// item 7: in data they must be only text.
const MARKERS: &str =
    "\u{F8F0}8\u{F8F1}hidden\u{F8F2} \u{F8F0}30;40\u{F8F1}black\u{F8F2} \u{F8F0}cut";

/// Run with colour forced on a pipe (CLICOLOR_FORCE) and without colour;
/// neither may restyle or cut: no conceal or black-on-black escape, and
/// every `ends` text (what follows the markers) is printed.
fn assert_markers_are_text(what: &str, cmd: impl Fn(bool) -> (i32, String, String), ends: &[&str]) {
    for colour in [true, false] {
        let (_, out, err) = cmd(colour);
        let all = format!("{out}{err}");
        for bad in ["\x1b[8m", "\x1b[30;40m", "\x1b[30m"] {
            assert!(
                !all.contains(bad),
                "{what} (colour {colour}): {bad:?} in {all:?}"
            );
        }
        for end in ends {
            assert!(
                all.contains(&format!(
                    "hidden\u{F8F2} \u{F8F0}30;40\u{F8F1}black\u{F8F2} \u{F8F0}cut{end}"
                )),
                "{what} (colour {colour}): the text after the markers was lost or changed: {all:?}"
            );
        }
    }
}

#[test]
fn colour_markers_in_data_are_only_text() {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    let fc = firm.fc();
    fc.execute(
        "INSERT INTO event_types (id, name) VALUES (9, ?1)",
        [format!("Type {MARKERS}END-TYPE")],
    )
    .unwrap();
    let mut areas = firm.sandbox.practice_areas();
    areas.push(PracticeArea {
        id: 900,
        name: format!("Area {MARKERS}END-AREA"),
        stages: vec![Stage {
            id: 901,
            name: format!("Stage {MARKERS}END-STAGE"),
            position: 1,
        }],
    });
    firm.sandbox.set_practice_areas(areas);
    firm.connect_and_map();
    let run = |args: &'static [&'static str]| {
        let firm = &firm;
        move |colour: bool| {
            let mut c = firm.cmd();
            if colour {
                c.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
            }
            run_cmd(c.args(args))
        }
    };
    // A practice-area (and stage) name, from CaseStatus.
    assert_markers_are_text("map", run(&["map"]), &["END-AREA", "END-STAGE"]);
    // An event type, from FluentCase.
    assert_markers_are_text("event-types", run(&["event-types"]), &["END-TYPE"]);
    // A client message, in a dry run's plan to a pipe.
    firm.sandbox
        .add_message(NewMessage::client("1", "Client", &format!("{MARKERS}EM")));
    assert_markers_are_text(
        "sync messages --dry-run",
        run(&["-v", "sync", "messages", "--dry-run"]),
        &["EM"],
    );
    // A run's error, from CaseStatus: on stderr, and in the log.
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::Respond {
            status: 503,
            body: serde_json::json!({"error": {"code": "down", "message": format!("boom {MARKERS}END-ERROR")}})
                .to_string(),
        },
        100,
    );
    assert_markers_are_text("test (error)", run(&["test"]), &["END-ERROR"]);
    firm.sandbox.inject(
        Route::new("POST", "/v1/api/cases"),
        Fault::Respond {
            status: 500,
            body: serde_json::json!({"error": {"code": "down", "message": format!("boom {MARKERS}END-ERROR")}})
                .to_string(),
        },
        100,
    );
    let _ = firm.run(&["sync", "matters"]);
    firm.sandbox.clear_faults();
    let (_, log, _) = firm.run(&["--json", "log", "--run", "1"]);
    let doc: serde_json::Value = serde_json::from_str(&log).unwrap();
    let last = doc.to_string();
    assert!(
        last.contains("END-ERROR"),
        "the run's error was recorded: {last}"
    );
    assert_markers_are_text("log --run 1", run(&["log", "--run", "1"]), &["END-ERROR"]);

    // A fleet's folder name.
    let fleet = crate::common::Fleet::new();
    std::fs::create_dir_all(fleet.root().join(format!("firm {MARKERS}END-FOLDER"))).unwrap();
    fleet.add_firm("acme-law", 1);
    assert_markers_are_text(
        "fleet",
        |colour| {
            let mut c = fleet.cmd();
            if colour {
                c.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
            }
            run_cmd(c.arg("-v").arg("fleet").arg(fleet.root()))
        },
        &["END-FOLDER"],
    );
}

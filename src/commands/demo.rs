//! `casestatus-sync demo`: the whole tool on a sample firm, offline, in one
//! command. It writes a FluentCase database with a few dozen matters (some
//! deliberately incomplete), calendar events and waiting client messages,
//! starts the sandbox in-process, and walks the admin's setup and a `sync
//! all`, then shows what was pushed, what was skipped and why.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

use crate::commands::{shell_word, Globals};
use crate::sandbox::sample::{self, SampleClient, SampleEvent, SampleMatter};
use crate::sandbox::{NewMessage, Sandbox};
use crate::store::activities;
use crate::store::fluentcase::{Access, FluentCase};
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::util::output::Output;

/// `demo`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to create (default: ./casestatus-sync-demo, or -2, -3... if taken)
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
}

/// `demo`: see [`run`].
///
/// # Errors
/// As [`run`].
pub fn exec(globals: &Globals, args: &Args) -> anyhow::Result<u8> {
    run(args.dir.as_deref(), globals.out.json)
}

const CLIENTS: &[(&str, &str)] = &[
    ("Maria", "Lopez"),
    ("James", "Carter"),
    ("Aisha", "Khan"),
    ("Tom", "Nguyen"),
    ("Grace", "O'Neill"),
    ("Luis", "Fernández"),
    ("Priya", "Patel"),
    ("Owen", "Brooks"),
    ("Chloé", "Martin"),
    ("Samuel", "Adeyemi"),
    ("Hannah", "Schmidt"),
    ("Diego", "Ramírez"),
    ("Emma", "Johansson"),
    ("Kofi", "Mensah"),
    ("Yuki", "Tanaka"),
    ("Rosa", "Delgado"),
    ("Noah", "Fischer"),
    ("Leila", "Haddad"),
    ("Ben", "Walker"),
    ("Zoe", "Kowalski"),
    ("Ivan", "Petrov"),
    ("Nora", "Byrne"),
    ("Ali", "Hassan"),
    ("Mia", "Rossi"),
    ("Jack", "Murphy"),
    ("Sofia", "Costa"),
    ("Ethan", "Clarke"),
    ("Amara", "Okoye"),
    ("Lucas", "Moreau"),
    ("Ella", "Novak"),
    ("Omar", "Farouk"),
    ("Ruby", "Hughes"),
    ("Felix", "Wagner"),
    ("Isla", "Grant"),
    ("Hugo", "Lambert"),
    ("Lily", "Evans"),
];

/// Pick a folder to create: `dir`, or `./casestatus-sync-demo[-N]`.
fn choose_folder(dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(d) = dir {
        if d.exists() && std::fs::read_dir(d)?.next().is_some() {
            return Err(crate::util::exit::UsageError(format!(
                "{} exists and is not empty; the demo writes a fresh sample firm into a new or empty folder",
                d.display()
            ))
            .into());
        }
        return Ok(d.to_path_buf());
    }
    for n in 1..1000 {
        let name = if n == 1 {
            "casestatus-sync-demo".to_string()
        } else {
            format!("casestatus-sync-demo-{n}")
        };
        let p = PathBuf::from(name);
        if !p.exists() {
            return Ok(p);
        }
    }
    Err(crate::util::exit::UsageError(
        "no free casestatus-sync-demo-N folder name here; pass --dir".into(),
    )
    .into())
}

/// The sample firm: matters 1..=36, with these deliberately incomplete.
fn write_firm(conn: &Connection, now: DateTime<Utc>) -> anyhow::Result<()> {
    let long_ago = crate::util::clock::stamp(now - Duration::days(20));
    for (i, (first, last)) in CLIENTS.iter().enumerate() {
        let id = i as i64 + 1;
        let mut m = SampleMatter::new(id, &long_ago);
        m.case_type_id = Some([1, 1, 2, 2, 3][i % 5]);
        let prefix = ["WC", "WC", "PI", "PI", "FL"][i % 5];
        m.file_number = Some(format!("{prefix}-2026-{:04}", 40 + id));
        m.attorney_id = Some([1, 2, 3][i % 3]);
        m.opened_on = Some(format!("2026-{:02}-{:02}", 1 + i % 10, 1 + i % 27));
        m.client = Some(SampleClient {
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            email: Some(format!("{}.{}@mail.example", first.to_lowercase(), id)),
            date_of_birth: Some(format!("19{}-0{}-1{}", 60 + i % 35, 1 + i % 9, i % 9)),
            phones: vec![(
                Some(["mobile", "home", "work"][i % 3].into()),
                format!("+1 512 555 {:04}", 100 + id),
            )],
        });
        // The deliberately incomplete ones, each showing a skip reason.
        match id {
            4 => m.file_number = None,
            7 => m.attorney_id = None,
            9 => m.attorney_id = Some(5), // invalid email
            11 => m.client = None,        // no primary party
            13 | 17 => {
                if let Some(c) = m.client.as_mut() {
                    c.phones.clear();
                }
            }
            15 => {
                if let Some(c) = m.client.as_mut() {
                    c.last_name = None;
                }
            }
            19 | 20 => m.case_type_id = Some(4), // Estate Planning: not mapped
            22..=24 => m.status_id = Some(5),    // Closed
            26 => m.status_id = Some(1),         // Intake: mapped stage, but not a synced status
            28 | 29 => m.created_at = crate::util::clock::stamp(now - Duration::minutes(10)),
            31 => m.attorney_id = Some(6), // not a CaseStatus user: CaseStatus refuses (422)
            _ => {}
        }
        m.insert(conn)?;
    }
    // A second primary party on matter 33.
    sample::add_primary_party(conn, 33, 90033, ("Second", "Primary"))?;

    let mut event_id = 0;
    for matter in 1..=36i64 {
        for k in 0..3i64 {
            event_id += 1;
            let (type_id, title) = [
                (1, "Deposition"),
                (2, "Medical appointment"),
                (3, "Court hearing"),
                (4, "Case strategy (internal)"),
            ][((matter + k) % 4) as usize];
            let start = now + Duration::days(2 + matter % 20 + k * 7) + Duration::hours(k);
            let location = match (matter + k) % 3 {
                0 => Some("https://zoom.example/j/5550100".to_string()),
                1 => Some(format!("{} Main St, Austin TX", 100 + matter)),
                _ => None,
            };
            SampleEvent {
                id: event_id,
                matter_id: matter,
                event_type_id: type_id,
                title,
                starts_at: crate::util::clock::stamp(start),
                ends_at: crate::util::clock::stamp(start + Duration::hours(1)),
                location,
                notes: "Bring photo ID and any new paperwork",
                updated_at: &long_ago,
            }
            .insert(conn)?;
        }
    }
    Ok(())
}

fn config_text(sandbox_url: &str) -> String {
    format!(
        r#"# Written by `casestatus-sync demo`: a sample firm against a local sandbox.
[fluentcase]
database = "fluentcase.db"
base_url = "https://demo.fluentcase.example"
timezone = "America/Chicago"

[casestatus]
base_url = "{sandbox_url}"
timeout_seconds = 10

[state]
database = "casestatus-sync.db"
"#
    )
}

fn heading(out: &Output, text: &str) {
    out.line("");
    out.line(format!("━━ {text}"));
}

/// Run the demo in a new folder.
///
/// # Errors
/// The folder cannot be made, or a step of the walk-through fails.
pub fn run(dir: Option<&Path>, json: bool) -> anyhow::Result<u8> {
    let out = Output {
        json: false,
        quiet: false,
        verbose: false,
        ..Output::new(false, false, false)
    };
    if json {
        return Err(crate::util::exit::UsageError(
            "demo is a walk-through for people; it has no --json output".into(),
        )
        .into());
    }
    let folder = choose_folder(dir)?;
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let folder = folder.canonicalize()?;
    let now = crate::util::clock::now().map_err(crate::util::exit::UsageError)?;

    out.line(format!("Sample firm in {}", folder.display()));
    let fc = sample::create_fluentcase(&folder.join("fluentcase.db"))?;
    write_firm(&fc, now)?;
    drop(fc);
    let sandbox = Sandbox::demo(0)?;
    seed_messages(&sandbox);
    let config_path = folder.join("casestatus-sync.toml");
    std::fs::write(&config_path, config_text(&sandbox.base_url()))?;
    let ctx = Ctx {
        config: crate::util::config::load(&config_path)?,
        out,
        now,
        trace: None,
    };
    set_up(&ctx)?;
    sync_all(&ctx);
    show_cases(&out, &sandbox);
    show_skips(&ctx)?;
    show_appointments(&ctx, &sandbox);
    show_messages(&out, &folder)?;
    keep_exploring(&out, &config_path);
    Ok(crate::util::exit::OK)
}

/// Client messages waiting in CaseStatus (and one from the firm).
fn seed_messages(sandbox: &Sandbox) {
    for (matter, who, text) in [
        (
            "1",
            "Maria Lopez",
            "Hi! The clinic moved my appointment to Thursday — is that OK?",
        ),
        (
            "2",
            "James Carter",
            "Got the letter from the insurer. Should I sign it?",
        ),
        ("3", "Aisha Khan", "Thank you for the update 🙏"),
        ("999", "Unknown Client", "Hello? Is this still my case?"),
    ] {
        sandbox.add_message(NewMessage::client(matter, who, text));
    }
    sandbox.add_message(NewMessage {
        kind: "firm".into(),
        content: "Your hearing is confirmed.".into(),
        sender_name: "Dana Reyes".into(),
        integration_id: Some("1".into()),
        readable_id: None,
    });
}

/// Steps 1–4: connect, test, map, choose event types — as an admin would.
fn set_up(ctx: &Ctx) -> anyhow::Result<()> {
    let (out, now) = (ctx.out, ctx.now);
    heading(
        &out,
        "1. Connect: save the API key (sandbox test key), sync Open matters",
    );
    let mut state = StateStore::open(&ctx.config.state_database)?;
    state.save_key(
        "CaseStatus API Key",
        Sandbox::DEMO_KEY,
        &crate::util::clock::stamp(now),
    )?;
    state.set_synced_statuses(&["Open".to_string()])?;
    drop(state);
    out.line("Saved API key \"CaseStatus API Key\". Synced statuses: \"Open\".");

    heading(&out, "2. Test Connection");
    crate::commands::setup::test(ctx)?;

    heading(
        &out,
        "3. Map practice areas to case types and stages to matter statuses",
    );
    for (area, case_type) in [
        ("Workers' Compensation", "Workers' Compensation"),
        ("Personal Injury", "Personal Injury"),
        ("Family Law", "Family Law"),
    ] {
        crate::commands::mapping::map_area(ctx, area, Some(case_type))?;
    }
    for (area, stage, status) in [
        ("Workers' Compensation", "Intake", "Intake"),
        ("Workers' Compensation", "Treatment", "Open"),
        ("Workers' Compensation", "Settlement", "Settlement"),
        ("Workers' Compensation", "Closed", "Closed"),
        ("Personal Injury", "Intake", "Intake"),
        ("Personal Injury", "Investigation", "Open"),
        ("Family Law", "Filing", "Open"),
    ] {
        crate::commands::mapping::map_stage(ctx, area, stage, Some(status))?;
    }
    crate::commands::mapping::overview(ctx)?;

    heading(&out, "4. Choose the event types shared with clients");
    crate::commands::event_types::set(
        ctx,
        &[
            "Deposition".into(),
            "Medical Appointment".into(),
            "Court Hearing".into(),
        ],
        true,
    )?;
    Ok(())
}

/// Step 5: what cron runs.
fn sync_all(ctx: &Ctx) {
    let (out, now) = (ctx.out, ctx.now);
    heading(&out, "5. sync all (what cron runs every 15 minutes)");
    let verbose = Ctx {
        config: ctx.config.clone(),
        out: Output {
            verbose: false,
            ..out
        },
        now,
        trace: None,
    };
    if let Err(e) = crate::sync::run(&verbose, crate::sync::Kind::all(), false) {
        out.line(format!("(the sync reported: {e:#})"));
    }
}

/// Step 6: the cases in CaseStatus.
fn show_cases(out: &Output, sandbox: &Sandbox) {
    heading(out, "6. Pushed to CaseStatus");
    let mut t = out.table(&["Case", "Practice area", "Stage", "Client", "Attorney"]);
    for c in sandbox.cases() {
        let b = &c.body;
        t.add_row(vec![
            b["readable_id"].as_str().unwrap_or("").to_string(),
            b["practice_area"].as_str().unwrap_or("").to_string(),
            b["stage"].as_str().unwrap_or("").to_string(),
            format!(
                "{} {}",
                b["client"]["first_name"].as_str().unwrap_or(""),
                b["client"]["last_name"].as_str().unwrap_or("")
            ),
            b["attorney"]["name"].as_str().unwrap_or("").to_string(),
        ]);
    }
    out.print_table(&t);
}

/// Step 7: what was skipped, and why-skipped for two of them.
fn show_skips(ctx: &Ctx) -> anyhow::Result<()> {
    let out = ctx.out;
    heading(&out, "7. Skipped, and why");
    let state = StateStore::open(&ctx.config.state_database)?;
    let mut t = out.table(&["Matter", "Reasons"]);
    for (matter, codes) in crate::store::ledger::current_skips(&state)? {
        t.add_row(vec![matter.to_string(), codes.replace(',', ", ")]);
    }
    out.print_table(&t);
    out.line("");
    out.line("$ casestatus-sync why-skipped 13");
    crate::commands::why_skipped::run(ctx, "13")?;
    out.line("");
    out.line("$ casestatus-sync why-skipped 28");
    crate::commands::why_skipped::run(ctx, "28")?;
    Ok(())
}

/// Step 8: the appointments in CaseStatus, their times in the firm's zone
/// (CaseStatus holds them in UTC).
fn show_appointments(ctx: &Ctx, sandbox: &Sandbox) {
    let out = &ctx.out;
    heading(out, "8. Appointments in CaseStatus (first 10)");
    let appts = sandbox.appointments();
    let mut t = out.table(&["Event", "Title", "Starts", "Location / meeting URL"]);
    for a in appts.iter().filter(|a| !a.deleted).take(10) {
        let b = &a.body;
        let place = b["meeting_url"]
            .as_str()
            .or(b["location"].as_str())
            .unwrap_or("")
            .to_string();
        t.add_row(vec![
            a.integration_id.clone(),
            b["title"].as_str().unwrap_or("").to_string(),
            crate::util::clock::local_text(
                b["starts_at"].as_str().unwrap_or(""),
                ctx.config.fluentcase.timezone,
            ),
            place,
        ]);
    }
    out.print_table(&t);
    out.line(format!("{} appointments in all; internal strategy meetings stay private (their type is not enabled).", appts.iter().filter(|a| !a.deleted).count()));
}

/// Step 9: the imported messages in FluentCase.
fn show_messages(out: &Output, folder: &Path) -> anyhow::Result<()> {
    heading(
        out,
        "9. Client messages imported into FluentCase as activities",
    );
    let fc = FluentCase::open(&folder.join("fluentcase.db"), Access::ReadOnly)?;
    for (matter, body) in activities::imported(&fc)? {
        out.line(format!("  matter {matter}: {body}"));
    }
    out.line(
        "  (the message for an unknown matter stays unprocessed in CaseStatus and is in the log)",
    );
    Ok(())
}

/// Commands to go on with, that work as printed.
fn keep_exploring(out: &Output, config_path: &Path) {
    heading(
        out,
        "Keep exploring (these work offline; the demo's sandbox stopped with it)",
    );
    // Commands that work as printed: this very binary (`cargo run` does not
    // put `casestatus-sync` on the PATH), run from the demo's folder, where
    // its casestatus-sync.toml is found without --config.
    let folder = config_path.parent().unwrap_or(Path::new("."));
    let bin = std::env::current_exe()
        .map(|p| shell_word(&p.display().to_string()))
        .unwrap_or_else(|_| "casestatus-sync".into());
    out.line(format!(
        "  cd {}",
        shell_word(&folder.display().to_string())
    ));
    for cmd in [
        "log",
        "log --run 1",
        "why-skipped 31",
        "why-skipped FL-2026-0045",
        "messages pending",
        "map",
        "event-types",
        "sync matters --dry-run",
    ] {
        out.line(format!("  {bin} {cmd}"));
    }
    out.line("To type plain `casestatus-sync …` instead, install it first: cargo install --path . (from the source folder).");
    out.line("The demo's CaseStatus sandbox stopped with it; run `casestatus-sync demo` again for a fresh sample firm, or `casestatus-sync sandbox` to try the setup commands by hand.");
    heading(out, "Your firm's own data");
    out.line("In a folder of the firm's own (not this demo's): init writes its config (FluentCase's database is checked first), setup walks the settings page — the API key, Test Connection, mappings, event types and the cron line:");
    out.line(format!(
        "  cd /path/to/your-firm && {bin} init && {bin} setup"
    ));
}

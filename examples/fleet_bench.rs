//! Fleet benchmark: many small firms on one sandbox, through the real
//! release binary's `fleet` command.
//!
//! ```sh
//! cargo build --release && cargo run --release --example fleet_bench
//! FLEET_FIRMS=200 FLEET_JOBS=1,4 cargo run --release --example fleet_bench
//! ```
//!
//! Each firm: 20 eligible matters, 50 calendar events in the window on an
//! enabled type, 5 client messages (about 75 requests on its first cycle).
//! The sandbox (in this process) serves every firm from its own account
//! (key `sandbox-…`) and adds FLEET_LATENCY_MS (default 20) to every
//! request. For each `--jobs` in FLEET_JOBS (default 1,4,8,16) a fresh set
//! of FLEET_FIRMS firms (default 1000; jobs=1 uses FLEET_SERIAL_FIRMS,
//! default 100, and is extrapolated) gets a first cycle and a no-change
//! cycle 15 minutes later. Reports wall time, requests, firms per second,
//! the fleet process's peak RSS (VmHWM, sampled every 20 ms) and one
//! child's, firms one pod serves in a 15-minute cycle, the shards needed
//! for 10,000 and 100,000 firms; then one firm hanging under `--budget 10`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casestatus_sync::sandbox::sample::{self, SampleMatter};
use casestatus_sync::sandbox::{Fault, NewMessage, Route, Sandbox};
use chrono::{DateTime, Duration as Span, Utc};

const MATTERS: i64 = 20;
const EVENTS: i64 = 50;
const MESSAGES: i64 = 5;
/// A cycle every 15 minutes; a pod should finish its shard well within it.
const CYCLE_SECS: f64 = 900.0;
/// The share of the cycle a pod's first-cycle run may use (headroom for
/// slow CaseStatus days, new firms, retries).
const HEADROOM: f64 = 0.5;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// One run of the binary: wall time, peak RSS (kB), exit code, stdout.
struct Measured {
    wall: Duration,
    peak_rss_kb: u64,
    code: i32,
    stdout: String,
}

/// Run `bin args` at clock `now`, sampling its VmHWM every 20 ms.
fn measure(bin: &Path, args: &[&str], now: DateTime<Utc>) -> Measured {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env("CASESTATUS_SYNC_NOW", now.to_rfc3339())
        .env_remove("CASESTATUS_SYNC_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null())
        .spawn()
        .expect("start casestatus-sync");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let code = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code().unwrap_or(-1);
        }
        peak = peak.max(vm_hwm_kb(&status_path));
        std::thread::sleep(Duration::from_millis(20));
    };
    Measured {
        wall: start.elapsed(),
        peak_rss_kb: peak,
        code,
        stdout: reader.join().unwrap_or_default(),
    }
}

fn vm_hwm_kb(status_path: &str) -> u64 {
    std::fs::read_to_string(status_path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The template firm: FluentCase, config and a mapped state file, set up
/// once through the binary and copied for every firm (all sandbox
/// accounts have the same practice areas, so one mapping fits all).
fn make_template(bin: &Path, dir: &Path, sandbox: &Sandbox, now: DateTime<Utc>) {
    std::fs::create_dir_all(dir).expect("template folder");
    let conn = sample::create_fluentcase(&dir.join("fluentcase.db")).expect("fluentcase");
    let created = (now - Span::days(2)).to_rfc3339();
    for id in 1..=MATTERS {
        SampleMatter::new(id, &created)
            .insert(&conn)
            .expect("matter");
    }
    for id in 1..=EVENTS {
        let starts = now + Span::days(1 + id % 40);
        conn.execute(
            "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, all_day, location, updated_at)
             VALUES (?1, ?2, 1, ?3, ?4, 0, '123 Main St', ?5)",
            rusqlite::params![id, 1 + id % MATTERS, format!("Deposition {id}"), starts.to_rfc3339(), created],
        )
        .expect("event");
    }
    drop(conn);
    std::fs::write(
        dir.join("casestatus-sync.toml"),
        format!(
            "[fluentcase]\ndatabase = \"fluentcase.db\"\nbase_url = \"https://firm.example\"\ntimezone = \"America/Chicago\"\n\n[casestatus]\nbase_url = \"{}\"\napi_key_file = \"api-key\"\ntimeout_seconds = 30\n\n[state]\ndatabase = \"state/casestatus-sync.db\"\n",
            sandbox.base_url()
        ),
    )
    .expect("config");
    std::fs::write(dir.join("api-key"), "sandbox-bench-template").expect("key");
    let config = dir.join("casestatus-sync.toml");
    let config = config.to_str().expect("utf-8 path");
    let mut steps: Vec<&[&str]> = vec![&["test"]];
    steps.extend(sample::MINIMAL_MAPPING);
    steps.push(&["event-types", "enable", "Deposition"]);
    for args in steps {
        let mut all = vec!["--config", config];
        all.extend_from_slice(args);
        let m = measure(bin, &all, now);
        assert_eq!(m.code, 0, "template setup {args:?}");
    }
}

/// `count` firms under `root`, copies of the template, keys `sandbox-{tag}-N`,
/// each with its client messages in its sandbox account.
fn make_fleet(template: &Path, root: &Path, tag: &str, count: usize, sandbox: &Sandbox) {
    for i in 0..count {
        let dir = root.join(format!("firm-{i:05}"));
        std::fs::create_dir_all(dir.join("state")).expect("firm folder");
        for file in ["fluentcase.db", "casestatus-sync.toml"] {
            std::fs::copy(template.join(file), dir.join(file)).expect("copy");
        }
        for entry in std::fs::read_dir(template.join("state")).expect("template state") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            if !name.to_string_lossy().ends_with(".lock") {
                std::fs::copy(entry.path(), dir.join("state").join(name)).expect("copy state");
            }
        }
        let key = firm_key(tag, i);
        std::fs::write(dir.join("api-key"), &key).expect("key");
        for m in 1..=MESSAGES {
            sandbox.add_message_for(&key, NewMessage::client(&m.to_string(), "Client", "hello"));
        }
    }
}

fn firm_key(tag: &str, i: usize) -> String {
    format!("sandbox-{tag}-{i:05}")
}

/// One fleet run's figures.
struct FleetRun {
    m: Measured,
    requests: usize,
    ok: u64,
    firms: u64,
}

fn run_fleet(
    bin: &Path,
    root: &Path,
    jobs: usize,
    budget: u64,
    sandbox: &Sandbox,
    now: DateTime<Utc>,
) -> FleetRun {
    sandbox.clear_requests();
    let (jobs, budget) = (jobs.to_string(), budget.to_string());
    let root = root.to_str().expect("utf-8 path");
    let m = measure(
        bin,
        &[
            "--json", "fleet", root, "--jobs", &jobs, "--budget", &budget,
        ],
        now,
    );
    let doc: serde_json::Value = serde_json::from_str(&m.stdout).unwrap_or_default();
    FleetRun {
        requests: sandbox.requests().len(),
        ok: doc["summary"]["ok"].as_u64().unwrap_or(0),
        firms: doc["summary"]["firms"].as_u64().unwrap_or(0),
        m,
    }
}

fn print_run(label: &str, r: &FleetRun) {
    let per_sec = r.firms as f64 / r.m.wall.as_secs_f64();
    println!(
        "{label:<34} wall {:>7.1}s  firms {:>5} ok {:>5}  requests {:>6}  {:>6.2} firms/s  fleet peak RSS {:>5.1} MB  exit {}",
        r.m.wall.as_secs_f64(),
        r.firms,
        r.ok,
        r.requests,
        per_sec,
        r.m.peak_rss_kb as f64 / 1024.0,
        r.m.code
    );
}

fn main() {
    let firms = env_num("FLEET_FIRMS", 1000);
    let serial_firms = env_num("FLEET_SERIAL_FIRMS", 100);
    let jobs_list = env_list("FLEET_JOBS", &[1, 4, 8, 16]);
    let latency = Duration::from_millis(env_num("FLEET_LATENCY_MS", 20) as u64);
    let bin = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent()?.parent().map(|d| d.join("casestatus-sync")))
        .filter(|b| b.is_file())
        .unwrap_or_else(|| {
            eprintln!(
                "target/release/casestatus-sync not found: run `cargo build --release` first"
            );
            std::process::exit(2)
        });
    let temp = tempfile::tempdir().expect("temp dir");
    let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().expect("time");
    let sandbox = Sandbox::demo(0).expect("sandbox");
    let template = temp.path().join("template");
    make_template(&bin, &template, &sandbox, now);
    sandbox.set_latency(latency);
    println!(
        "fleet bench: firms of {MATTERS} matters, {EVENTS} events, {MESSAGES} messages; latency {} ms; {} CPUs",
        latency.as_millis(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );

    // One child alone: its peak RSS and time.
    let one = temp.path().join("one");
    make_fleet(&template, &one, "one", 1, &sandbox);
    let config = one.join("firm-00000/casestatus-sync.toml");
    let child = measure(
        &bin,
        &["--config", config.to_str().expect("path"), "sync", "all"],
        now,
    );
    let child_requests = sandbox.requests().len();
    println!(
        "one firm alone (sync all, first cycle) wall {:.2}s  requests {child_requests}  peak RSS {:.1} MB  exit {}",
        child.wall.as_secs_f64(),
        child.peak_rss_kb as f64 / 1024.0,
        child.code
    );

    for &jobs in &jobs_list {
        let count = if jobs == 1 {
            serial_firms.min(firms)
        } else {
            firms
        };
        let root = temp.path().join(format!("fleet-j{jobs}"));
        let t = Instant::now();
        make_fleet(&template, &root, &format!("j{jobs}"), count, &sandbox);
        eprintln!(
            "  (made {count} firms in {:.1}s)",
            t.elapsed().as_secs_f64()
        );
        let first = run_fleet(&bin, &root, jobs, 600, &sandbox, now);
        print_run(&format!("jobs {jobs:>2}: first cycle"), &first);
        let again = run_fleet(&bin, &root, jobs, 600, &sandbox, now + Span::minutes(15));
        print_run(&format!("jobs {jobs:>2}: no-change cycle"), &again);
        let rate_first = first.firms as f64 / first.m.wall.as_secs_f64();
        let rate_again = again.firms as f64 / again.m.wall.as_secs_f64();
        if count < firms {
            println!(
                "  extrapolated to {firms} firms: first cycle {:.0}s, no-change {:.0}s",
                firms as f64 / rate_first,
                firms as f64 / rate_again
            );
        }
        let per_pod = (rate_first * CYCLE_SECS * HEADROOM).floor();
        println!(
            "  one pod at --jobs {jobs}: {:.0} firms per 15-minute cycle on first cycles at {:.0}% of the cycle ({:.0} no-change); shards for 10,000 firms {}, for 100,000 firms {}",
            per_pod,
            HEADROOM * 100.0,
            (rate_again * CYCLE_SECS).floor(),
            (10_000.0 / per_pod).ceil(),
            (100_000.0 / per_pod).ceil()
        );
    }
    hanging_firm(&bin, &template, temp.path(), &sandbox, now);
}

/// The same 24 firms with and without one hanging (every request of its
/// key delayed 120 s; its client waits 30 s) under `--budget 10`.
fn hanging_firm(bin: &Path, template: &Path, temp: &Path, sandbox: &Sandbox, now: DateTime<Utc>) {
    let count = 24;
    let calm = temp.join("calm");
    make_fleet(template, &calm, "calm", count, sandbox);
    let calm_run = run_fleet(bin, &calm, 4, 10, sandbox, now);
    print_run("24 firms, jobs 4, none hanging", &calm_run);
    let hang = temp.join("hang");
    make_fleet(template, &hang, "hang", count, sandbox);
    sandbox.inject_for(
        &firm_key("hang", 0),
        Route::any(),
        Fault::Delay(Duration::from_secs(120)),
        10_000,
    );
    let hang_run = run_fleet(bin, &hang, 4, 10, sandbox, now);
    print_run("24 firms, jobs 4, one hanging", &hang_run);
    println!(
        "  the hanging firm held one of the 4 slots for its 10 s budget and was killed; the fleet took {:.1}s longer (bound: one slot for one budget, 10 s)",
        hang_run.m.wall.as_secs_f64() - calm_run.m.wall.as_secs_f64(),
    );
    sandbox.clear_faults();
}

//! Benchmark: a synthetic big firm against the sandbox, through the real
//! release binary.
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench
//! BENCH_SCALE=0.1 BENCH_LATENCY_MS=20 BENCH_CONCURRENCY=8 BENCH_CYCLES=96 cargo run --release --example bench
//! ```
//!
//! At scale 1: 100,000 matters (10% eligible), 1,000,000 calendar events
//! (50,000 in the window on enabled types), 20,000 client messages. Each
//! sync runs as its own process; the sandbox (in this process) adds the
//! latency to every request. For each step it prints wall time, requests,
//! the ideal (requests × latency ÷ concurrency), their ratio and the
//! process's peak RSS (VmHWM, sampled every 20 ms); then a no-change
//! `sync all`, `why-skipped` timings, and the state file's growth over
//! BENCH_CYCLES no-change cycles 15 minutes apart and after 31 days; and
//! last, a rebuild: the state file deleted, setup again, then `sync
//! matters` and `sync appointments` recover the ledgers from CaseStatus's
//! listings (requests by kind, and no case or appointment created).
//! `BENCH_PAGE_CAP=10` makes the sandbox answer pages of at most 10.
//! `BENCH_QUICK=1` skips the message import, the why-skipped timings and
//! the state-growth cycles; `BENCH_NO_EVENTS=1` generates no calendar
//! events. With `BENCH_LATENCY_MS=0` the two time the local work of a cycle
//! (a no-change `sync matters`, alternately without and with a `[metrics]
//! textfile`, and the first cycle that meets every skipped matter):
//!
//! ```sh
//! BENCH_QUICK=1 BENCH_NO_EVENTS=1 BENCH_LATENCY_MS=0 cargo run --release --example bench
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casestatus_sync::sandbox::sample;
use casestatus_sync::sandbox::{NewMessage, Sandbox};
use chrono::{DateTime, Duration as Days, Utc};
use rusqlite::params;

fn env_f(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Bench {
    bin: PathBuf,
    config: PathBuf,
    state: PathBuf,
    sandbox: Sandbox,
    latency: Duration,
    concurrency: usize,
}

struct Measured {
    wall: Duration,
    requests: usize,
    peak_rss_kb: u64,
    code: i32,
}

impl Bench {
    /// Run the binary once at clock `now`; wall time, requests, peak RSS.
    fn run(&self, now: DateTime<Utc>, args: &[&str], stdin: Option<&str>) -> Measured {
        self.sandbox.clear_requests();
        let start = Instant::now();
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("CASESTATUS_SYNC_NOW", now.to_rfc3339())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn().expect("start casestatus-sync");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(text.as_bytes()).expect("stdin");
        }
        let status_path = format!("/proc/{}/status", child.id());
        let mut peak = 0;
        let code = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break status.code().unwrap_or(-1);
            }
            if let Ok(text) = std::fs::read_to_string(&status_path) {
                if let Some(kb) = text
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    peak = peak.max(kb);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let wall = start.elapsed();
        if code != 0 {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            eprintln!("  ({args:?} exited {code}: {})", err.trim());
        }
        Measured {
            wall,
            requests: self.sandbox.requests().len(),
            peak_rss_kb: peak,
            code,
        }
    }

    /// Requests of the last run by kind: case listings, case look-ups,
    /// creates, appointment listings.
    fn breakdown(&self) -> String {
        let reqs = self.sandbox.requests();
        let n = |f: &dyn Fn(&casestatus_sync::sandbox::RequestRecord) -> bool| {
            reqs.iter().filter(|r| f(r)).count()
        };
        format!(
            "    case listings {}, case look-ups {}, case creates {}, appointment listings {}, appointment creates {}, updates {}",
            n(&|r| r.method == "GET" && r.path == "/v1/api/cases" && !r.query.contains("integration_id")),
            n(&|r| r.method == "GET" && r.path == "/v1/api/cases" && r.query.contains("integration_id")),
            n(&|r| r.method == "POST" && r.path == "/v1/api/cases"),
            n(&|r| r.method == "GET" && r.path.ends_with("/appointments")),
            n(&|r| r.method == "POST" && r.path.ends_with("/appointments")),
            n(&|r| r.method == "PUT"),
        )
    }

    fn report(&self, label: &str, m: &Measured) {
        let ideal = self.latency.as_secs_f64() * m.requests as f64 / self.concurrency as f64;
        let ratio = if ideal > 0.0 {
            m.wall.as_secs_f64() / ideal
        } else {
            f64::NAN
        };
        println!(
            "{label:<34} wall {:>8.2}s  requests {:>7}  ideal {:>8.2}s  ratio {:>5.2}  peak RSS {:>6.1} MB  exit {}",
            m.wall.as_secs_f64(), m.requests, ideal, ratio, m.peak_rss_kb as f64 / 1024.0, m.code
        );
    }
}

fn file_size(p: &Path) -> u64 {
    let mut total = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    for suffix in ["-wal", "-shm"] {
        let mut q = p.as_os_str().to_owned();
        q.push(suffix);
        total += std::fs::metadata(PathBuf::from(q))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    total
}

fn main() {
    let scale = env_f("BENCH_SCALE", 1.0);
    let latency = Duration::from_millis(env_f("BENCH_LATENCY_MS", 20.0) as u64);
    let concurrency = env_f("BENCH_CONCURRENCY", 8.0) as usize;
    let cycles = env_f("BENCH_CYCLES", 96.0) as usize;
    let matters = (100_000.0 * scale) as i64;
    // BENCH_NO_EVENTS=1: matters only, to time the local work of a cycle.
    let events_total = if std::env::var_os("BENCH_NO_EVENTS").is_some() {
        0
    } else {
        (1_000_000.0 * scale) as i64
    };
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let messages = if quick { 0 } else { (20_000.0 * scale) as i64 };

    let exe = std::env::current_exe().expect("own path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("casestatus-sync"))
        .expect("target dir");
    if !bin.is_file() {
        eprintln!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        );
        std::process::exit(2);
    }
    // BENCH_DIR keeps the synthetic firm for profiling; otherwise a temp folder.
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("BENCH_DIR").map(PathBuf::from);
    if let Some(d) = &kept {
        std::fs::create_dir_all(d).expect("BENCH_DIR");
    }
    let dir_path = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().expect("time");
    println!(
        "synthetic firm: {matters} matters, {events_total} events, {messages} client messages; latency {} ms; concurrency {concurrency}",
        latency.as_millis()
    );

    // FluentCase: every 10th matter is eligible; the rest are closed.
    let t = Instant::now();
    let fc_path = dir_path.as_path().join("fluentcase.db");
    let mut fc = sample::create_fluentcase(&fc_path).expect("fluentcase");
    let tx = fc.transaction().expect("tx");
    {
        let old = (now - Days::days(400)).to_rfc3339();
        let mut m = tx.prepare("INSERT INTO matters (id, file_number, case_type_id, status_id, attorney_id, paralegal_id, opened_on, created_at, updated_at) VALUES (?1, ?2, 1, ?3, 1, 4, '2025-01-05', ?4, ?4)").expect("sql");
        let mut c = tx.prepare("INSERT INTO contacts (id, first_name, last_name, email, date_of_birth) VALUES (?1, 'Client', ?2, NULL, '1980-03-14')").expect("sql");
        let mut ph = tx.prepare("INSERT INTO contact_phones (contact_id, label, number) VALUES (?1, 'mobile', '+1 512 555 0100')").expect("sql");
        let mut mp = tx.prepare("INSERT INTO matter_parties (matter_id, contact_id, role, is_primary) VALUES (?1, ?1, 'Client', 1)").expect("sql");
        for id in 1..=matters {
            let status = if id % 10 == 0 { 2 } else { 5 };
            m.execute(params![id, format!("WC-{id:06}"), status, old])
                .expect("matter");
            c.execute(params![id, format!("Number{id}")])
                .expect("contact");
            ph.execute([id]).expect("phone");
            mp.execute([id]).expect("party");
        }
        // Events: 5 in the window on each eligible matter (Deposition),
        // the rest in the past or of a disabled type.
        let mut e = tx.prepare("INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at, ends_at, all_day, location, notes, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, 'Bring ID', ?8)").expect("sql");
        let in_window = (matters / 10) * 5;
        for id in 1..=events_total {
            let (matter, type_id, start) = if id <= in_window {
                let matter = ((id - 1) / 5 + 1) * 10;
                (matter, 1, now + Days::days(1 + id % 170))
            } else {
                let matter = 1 + id % matters;
                if id % 2 == 0 {
                    (matter, 4, now + Days::days(1 + id % 170))
                } else {
                    (matter, 1, now - Days::days(3 + id % 300))
                }
            };
            let location = if id % 3 == 0 {
                "https://zoom.example/j/1"
            } else {
                "123 Main St"
            };
            e.execute(params![
                id,
                matter,
                type_id,
                format!("Event {id}"),
                start.to_rfc3339(),
                (start + Days::hours(1)).to_rfc3339(),
                location,
                old
            ])
            .expect("event");
        }
    }
    tx.commit().expect("commit");
    drop(fc);
    println!(
        "generated FluentCase in {:.1}s ({:.0} MB)",
        t.elapsed().as_secs_f64(),
        file_size(&fc_path) as f64 / 1e6
    );

    let sandbox = Sandbox::demo(0).expect("sandbox");
    // BENCH_PAGE_CAP=10: CaseStatus answers pages of at most 10, as the one
    // public client assumes (SPEC §4): what every listing then costs.
    let page_cap = env_f("BENCH_PAGE_CAP", 0.0) as usize;
    if page_cap > 0 {
        println!("pages capped at {page_cap}");
        sandbox.set_quirks(casestatus_sync::sandbox::Quirks {
            page_cap: Some(page_cap),
            ..Default::default()
        });
    }
    let eligible = matters / 10;
    for i in 0..messages {
        let matter = ((i % eligible.max(1)) + 1) * 10;
        sandbox.add_message(NewMessage::client(
            &matter.to_string(),
            "Client",
            &format!("message {i}"),
        ));
    }
    let config = dir_path.as_path().join("casestatus-sync.toml");
    std::fs::write(
        &config,
        format!(
            "[fluentcase]\ndatabase = \"fluentcase.db\"\nbase_url = \"https://bench.example\"\ntimezone = \"America/Chicago\"\n\n[casestatus]\nbase_url = \"{}\"\ntimeout_seconds = 30\nconcurrency = {concurrency}\n\n[state]\ndatabase = \"state.db\"\n",
            sandbox.base_url()
        ),
    )
    .expect("config");
    let bench = Bench {
        bin,
        config,
        state: dir_path.as_path().join("state.db"),
        sandbox,
        latency,
        concurrency,
    };

    // Setup through the binary (no latency yet).
    setup(&bench, now);
    bench.sandbox.set_latency(latency);

    let m = bench.run(now, &["sync", "matters"], None);
    bench.report(
        &format!("first push: {} matters", bench.sandbox.cases().len()),
        &m,
    );
    println!("{}", bench.breakdown());
    let m = bench.run(now, &["sync", "appointments"], None);
    bench.report(
        &format!(
            "first push: {} appointments",
            bench.sandbox.appointments().len()
        ),
        &m,
    );
    println!("{}", bench.breakdown());
    local_cycles(&bench, &dir_path, now + Days::minutes(15));
    if quick {
        let m = bench.run(now + Days::minutes(15), &["sync", "all"], None);
        bench.report("no-change sync all", &m);
        rebuild(&bench, now);
        return;
    }
    let m = bench.run(now, &["sync", "messages"], None);
    let imported = bench
        .sandbox
        .messages()
        .iter()
        .filter(|m| m.processed)
        .count();
    bench.report(&format!("first import: {imported} messages"), &m);
    let after_first = file_size(&bench.state);

    let m = bench.run(now + Days::minutes(15), &["sync", "all"], None);
    bench.report("no-change sync all", &m);
    for kind in ["matters", "appointments", "messages"] {
        let m = bench.run(now + Days::minutes(16), &["sync", kind], None);
        bench.report(&format!("  no-change sync {kind}"), &m);
    }

    bench.sandbox.set_latency(Duration::ZERO);
    let probe = matters - 1; // a skipped (closed) matter near the end
    for (label, key) in [
        ("why-skipped by id", probe.to_string()),
        ("why-skipped by file number", format!("WC-{probe:06}")),
    ] {
        let runs = 5;
        let mut best = Duration::MAX;
        for _ in 0..runs {
            best = best.min(bench.run(now, &["why-skipped", &key], None).wall);
        }
        println!(
            "{label:<34} best of {runs}: {:.1} ms (process start included)",
            best.as_secs_f64() * 1000.0
        );
    }

    // State growth: `cycles` no-change cycles 15 minutes apart, then one
    // after 31 days (old runs pruned).
    let before = file_size(&bench.state);
    let t = Instant::now();
    for i in 0..cycles {
        bench.run(
            now + Days::minutes(30 + 15 * i as i64),
            &["sync", "all"],
            None,
        );
    }
    let after_day = file_size(&bench.state);
    println!(
        "state file: {:.1} MB after the first sync; {:.1} MB → {:.1} MB over {cycles} no-change cycles ({:+.1} KB per cycle, {:.1}s per cycle)",
        after_first as f64 / 1e6,
        before as f64 / 1e6,
        after_day as f64 / 1e6,
        (after_day as f64 - before as f64) / 1024.0 / cycles.max(1) as f64,
        t.elapsed().as_secs_f64() / cycles.max(1) as f64
    );
    let in_use = |p: &Path| -> f64 {
        let Ok(c) = rusqlite::Connection::open(p) else {
            return f64::NAN;
        };
        let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap_or(0) };
        ((q("PRAGMA page_count") - q("PRAGMA freelist_count")) * q("PRAGMA page_size")) as f64 / 1e6
    };
    println!(
        "state pages in use before a cycle 31 days later: {:.1} MB",
        in_use(&bench.state)
    );
    bench.run(now + Days::days(31), &["sync", "all"], None);
    println!(
        "after it (runs older than 30 days pruned): file {:.1} MB, pages in use {:.1} MB — freed pages are reused, so the file stops growing",
        file_size(&bench.state) as f64 / 1e6,
        in_use(&bench.state)
    );
    rebuild(&bench, now + Days::days(31));
}

/// The local work of `sync matters` at this size (it sends no request
/// then): a no-change cycle, and the first cycle that meets every skipped
/// matter (run on a copy of the state file whose skips and run log are
/// emptied). Median and fastest of `BENCH_LOCAL_RUNS` runs (default 7)
/// each, timed from spawn to exit.
fn local_cycles(bench: &Bench, dir: &Path, now: DateTime<Utc>) {
    let runs = env_f("BENCH_LOCAL_RUNS", 7.0).max(1.0) as usize;
    let time = |config: &Path, before: &dyn Fn()| -> f64 {
        before();
        let start = Instant::now();
        let status = Command::new(&bench.bin)
            .arg("--config")
            .arg(config)
            .args(["-q", "sync", "matters"])
            .env("CASESTATUS_SYNC_NOW", now.to_rfc3339())
            .status()
            .expect("run casestatus-sync");
        assert!(status.success(), "sync matters: {status}");
        start.elapsed().as_secs_f64()
    };
    let summary = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        format!(
            "median {:.2}s, fastest {:.2}s over {} runs",
            t[t.len() / 2],
            t[0],
            t.len()
        )
    };
    // Metrics on: the same firm and state file, with `[metrics] textfile`,
    // so each run also renders the exposition and writes it atomically.
    // Run alternately with the plain config, so a slower minute of a busy
    // machine costs both the same.
    let metered = dir.join("metrics-on.toml");
    let plain = std::fs::read_to_string(&bench.config).expect("config");
    std::fs::write(
        &metered,
        format!("{plain}\n[metrics]\ntextfile = \"metrics.prom\"\n"),
    )
    .expect("config");
    let (mut quiet, mut with_metrics) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        quiet.push(time(&bench.config, &|| {}));
        with_metrics.push(time(&metered, &|| {}));
    }
    assert!(
        dir.join("metrics.prom").is_file(),
        "the metrics-on runs wrote no textfile"
    );
    println!("local: no-change sync matters        {}", summary(quiet));
    println!(
        "local: the same, metrics textfile on {}",
        summary(with_metrics)
    );

    // The copy: its skips and run log emptied, so every skip is new again.
    let base = dir.join("first-meeting-base.db");
    let _ = std::fs::remove_file(&base);
    let state = rusqlite::Connection::open(&bench.state).expect("state");
    state
        .execute("VACUUM INTO ?1", [base.to_str().expect("utf-8 path")])
        .expect("copy the state file");
    let copy = rusqlite::Connection::open(&base).expect("copy");
    let skipped: i64 = copy
        .query_row("SELECT count(*) FROM matter_skips", [], |r| r.get(0))
        .expect("skips");
    copy.execute_batch(
        "DELETE FROM matter_skips; DELETE FROM run_items; DELETE FROM runs; VACUUM;",
    )
    .expect("empty the log");
    drop(copy);
    let target = dir.join("first-meeting.db");
    let config = dir.join("first-meeting.toml");
    let text = std::fs::read_to_string(&bench.config).expect("config");
    std::fs::write(
        &config,
        text.replace("\"state.db\"", "\"first-meeting.db\""),
    )
    .expect("config");
    let fresh = || {
        for suffix in ["-wal", "-shm"] {
            let mut p = target.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        std::fs::copy(&base, &target).expect("copy");
    };
    let first: Vec<f64> = (0..runs).map(|_| time(&config, &fresh)).collect();
    println!(
        "local: first meeting of {skipped} skips  {}",
        summary(first)
    );
}

/// A lost state file: delete it, set up again (no latency), then let the
/// syncs rebuild the ledgers from CaseStatus's listings.
fn rebuild(bench: &Bench, now: DateTime<Utc>) {
    let cases = bench.sandbox.cases().len();
    let appointments = bench.sandbox.appointments().len();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = bench.state.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    bench.sandbox.set_latency(Duration::ZERO);
    setup(bench, now);
    bench.sandbox.set_latency(bench.latency);
    let m = bench.run(now, &["sync", "matters"], None);
    bench.report(
        &format!("rebuild after a lost state file: {cases} cases"),
        &m,
    );
    println!("{}", bench.breakdown());
    let m = bench.run(now, &["sync", "appointments"], None);
    bench.report(&format!("rebuild: {appointments} appointments"), &m);
    println!("{}", bench.breakdown());
    println!(
        "    created during the rebuild: {} cases, {} appointments",
        bench.sandbox.cases().len() - cases,
        bench.sandbox.appointments().len() - appointments
    );
    let m = bench.run(now + Days::minutes(15), &["sync", "all"], None);
    bench.report("no-change sync all after the rebuild", &m);
}

/// Connect, test, map and enable Deposition through the binary.
fn setup(bench: &Bench, now: DateTime<Utc>) {
    bench.run(
        now,
        &["connect", "--name", "Bench", "--api-key-stdin"],
        Some(Sandbox::DEMO_KEY),
    );
    bench.run(now, &["test"], None);
    for args in sample::MINIMAL_MAPPING {
        bench.run(now, args, None);
    }
    bench.run(now, &["event-types", "enable", "Deposition"], None);
}

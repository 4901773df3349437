//! Issue 25, the monitoring examples: the Kubernetes alerts and the
//! Grafana dashboard name only metrics the tool exports; `status
//! --one-line` (the Nagios line and the journal's); the Nagios plugin and
//! the crontab's healthchecks line, run as a monitoring host would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::*;
use casestatus_sync::sandbox::sample::SampleMatter;
use casestatus_sync::sandbox::NewMessage;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A synced firm whose `metrics` has every family: a skipped matter (too
/// new), a pending client message, records and requests.
fn synced_firm() -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, 3);
    firm.add_matter(&SampleMatter::new(9, NOW));
    firm.connect_and_map();
    firm.sandbox
        .add_message(NewMessage::client("7777", "Ann", "where is my case?"));
    firm.ok(&["sync", "all"]);
    firm
}

/// The metric names the real binary exports, and each one's label names,
/// read from `metrics` by a Prometheus text parser.
fn exported(firm: &Firm) -> BTreeMap<String, BTreeSet<String>> {
    let text = firm.ok(&["metrics"]);
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in scrape.samples {
        let labels = s.labels.keys().cloned();
        names.entry(s.metric).or_default().extend(labels);
    }
    names
}

/// Metrics the examples use on purpose that come from other exporters.
const OTHER_EXPORTERS: &[&str] = &[
    // kube-state-metrics: the status CronJob's last success.
    "kube_cronjob_status_last_successful_time",
];

/// PromQL words that are not series: aggregations, their modifiers, the
/// binary operators spelled as words, and literals.
const KEYWORDS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "atan2",
    "inf",
    "nan",
];

/// The metric names a PromQL expression reads. A small scan, not a
/// parser, good for the expressions the examples hold:
/// - strings ("...", '...', `...`), label matchers `{...}` and ranges
///   `[...]` are skipped whole, so neither label names nor values nor
///   durations count;
/// - the label lists of `by`, `without`, `on`, `ignoring`, `group_left`
///   and `group_right` are skipped;
/// - numbers (`45`, `2.5e3`) and Grafana variables (`$firm`,
///   `${firm}`, `$__rate_interval`) are skipped;
/// - an identifier followed by `(` is a function (`rate`, `time`,
///   `absent`), and [`KEYWORDS`] are operators;
/// - every other identifier is a series name.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let chars: Vec<char> = expr.chars().collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut names = BTreeSet::new();
    let mut i = 0;
    let mut after_grouping = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                while i < chars.len() && chars[i] != close {
                    if chars[i] == '"' {
                        i += 1;
                        while i < chars.len() && chars[i] != '"' {
                            i += if chars[i] == '\\' { 2 } else { 1 };
                        }
                    }
                    i += 1;
                }
                i += 1;
            }
            '(' if after_grouping => {
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
                i += 1;
                after_grouping = false;
            }
            '$' => {
                i += 1;
                if chars.get(i) == Some(&'{') {
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < chars.len() && ident(chars[i]) {
                        i += 1;
                    }
                }
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                while i < chars.len() && (ident(chars[i]) || chars[i] == '.') {
                    i += 1;
                }
            }
            c if ident(c) => {
                let start = i;
                while i < chars.len() && ident(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let lower = word.to_ascii_lowercase();
                if matches!(
                    lower.as_str(),
                    "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
                ) {
                    after_grouping = true;
                } else if chars.get(j) == Some(&'(') || KEYWORDS.contains(&lower.as_str()) {
                    // A function call or an operator.
                } else {
                    names.insert(word);
                }
            }
            _ => i += 1,
        }
        // A grouping keyword's list must follow it directly.
        if after_grouping
            && i < chars.len()
            && !chars[i].is_whitespace()
            && chars[i] != '('
            && !ident(chars[i])
        {
            after_grouping = false;
        }
    }
    names
}

#[test]
fn the_promql_scan_finds_series_and_nothing_else() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"time() - max by (firm, kind) (casestatus_sync_last_success_timestamp_seconds) > 45 * 60"#,
            &["casestatus_sync_last_success_timestamp_seconds"],
        ),
        (
            r#"sum by (firm, code) (rate(casestatus_sync_requests_total{firm=~"$firm", code!="2xx"}[$__rate_interval]))"#,
            &["casestatus_sync_requests_total"],
        ),
        (
            r#"casestatus_sync_state{state="stale"} == 1 unless on (firm) casestatus_sync_last_success_timestamp_seconds offset 5m"#,
            &[
                "casestatus_sync_state",
                "casestatus_sync_last_success_timestamp_seconds",
            ],
        ),
        (r#"absent(up{job="x"}) or vector(0) > 2.5e3"#, &["up"]),
        (r#"a / ignoring(kind) group_left(reason) b"#, &["a", "b"]),
    ];
    for (expr, want) in cases {
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(metric_names(expr), want, "{expr}");
    }
}

/// Every `expr` of every alerting or recording rule in the examples'
/// PrometheusRules, with where it is.
fn rule_exprs() -> Vec<(String, String)> {
    let mut exprs = Vec::new();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).unwrap();
            if value.get("kind").and_then(|k| k.as_str()) != Some("PrometheusRule") {
                continue;
            }
            let groups = value["spec"]["groups"].as_sequence().expect("groups");
            for group in groups {
                for rule in group["rules"].as_sequence().expect("rules") {
                    let name = rule
                        .get("alert")
                        .or_else(|| rule.get("record"))
                        .and_then(|n| n.as_str())
                        .unwrap_or("?");
                    let expr = rule["expr"].as_str().expect("expr is a string");
                    exprs.push((format!("{} {name}", path.display()), expr.to_string()));
                }
            }
        }
    }
    exprs
}

/// Every `expr` string anywhere in a dashboard (panels, rows, targets).
fn dashboard_exprs(doc: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match doc {
        serde_json::Value::Object(map) => {
            let here = map
                .get("title")
                .and_then(|t| t.as_str())
                .map(|t| format!("{at} / {t}"))
                .unwrap_or_else(|| at.to_string());
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expr", serde_json::Value::String(e)) => out.push((here.clone(), e.clone())),
                    _ => dashboard_exprs(v, &here, out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                dashboard_exprs(v, at, out);
            }
        }
        _ => {}
    }
}

/// The names `exprs` use that the tool does not export, with where.
fn unknown_names(
    exprs: &[(String, String)],
    exported: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for (at, expr) in exprs {
        for name in metric_names(expr) {
            if !exported.contains_key(&name) && !OTHER_EXPORTERS.contains(&name.as_str()) {
                unknown.push(format!("{at}: {name} in {expr}"));
            }
        }
    }
    unknown
}

/// Checks the dashboard file at `path`; the names it uses that the tool
/// does not export (empty when it is right).
fn check_dashboard(path: &Path, exported: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("dashboard JSON");
    // What Grafana's import needs.
    assert!(
        doc["title"].is_string() && doc["uid"].is_string(),
        "title, uid"
    );
    assert!(doc["schemaVersion"].as_u64().is_some(), "schemaVersion");
    let panels = doc["panels"].as_array().expect("panels");
    let mut exprs = Vec::new();
    dashboard_exprs(&doc["panels"], "panels", &mut exprs);
    assert!(exprs.len() >= panels.len(), "every panel has a query");
    for p in panels {
        for t in p["targets"].as_array().expect("targets") {
            assert!(t["expr"].is_string(), "{}: a PromQL target", p["title"]);
        }
    }
    // The firm picker: label_values(METRIC, LABEL) of an exported series.
    let mut unknown = unknown_names(&exprs, exported);
    for var in doc["templating"]["list"].as_array().expect("templating") {
        let Some(def) = var["definition"].as_str() else {
            continue;
        };
        let inner = def
            .strip_prefix("label_values(")
            .and_then(|d| d.strip_suffix(')'))
            .expect("a label_values() variable");
        let (metric, label) = inner.split_once(',').expect("METRIC, LABEL");
        match exported.get(metric.trim()) {
            Some(labels) if labels.contains(label.trim()) => {}
            _ => unknown.push(format!("variable {}: {def}", var["name"])),
        }
    }
    unknown
}

#[test]
fn alerts_and_dashboard_name_only_exported_metrics() {
    let firm = synced_firm();
    let exported = exported(&firm);
    // Every SPEC name is there, so the check below has something to match.
    for name in [
        "casestatus_sync_last_run_timestamp_seconds",
        "casestatus_sync_last_success_timestamp_seconds",
        "casestatus_sync_last_run_records",
        "casestatus_sync_matters_skipped",
        "casestatus_sync_messages_pending",
        "casestatus_sync_state",
        "casestatus_sync_requests_total",
        "casestatus_sync_run_duration_seconds",
    ] {
        assert!(exported.contains_key(name), "{name}: {exported:?}");
    }

    let rules = rule_exprs();
    let alerts: BTreeSet<String> = rules.iter().map(|(at, _)| at.clone()).collect();
    for want in ["Stale", "NotSyncing", "MessagesStuck", "MattersRejected"] {
        assert!(
            alerts
                .iter()
                .any(|a| a.ends_with(&format!("CaseStatusSync{want}"))),
            "an alert on {want}: {alerts:?}"
        );
    }
    let unknown = unknown_names(&rules, &exported);
    assert!(
        unknown.is_empty(),
        "alerts name metrics the tool does not export: {unknown:#?}"
    );
    // Stale is per firm and kind: the firm label survives the aggregation.
    let stale = rules
        .iter()
        .find(|(at, _)| at.ends_with("CaseStatusSyncStale"))
        .unwrap();
    assert!(stale.1.contains("by (firm, kind)"), "{}", stale.1);

    let dashboard = examples().join("grafana-dashboard.json");
    let unknown = check_dashboard(&dashboard, &exported);
    assert!(
        unknown.is_empty(),
        "the dashboard names metrics the tool does not export: {unknown:#?}"
    );
    let text = std::fs::read_to_string(&dashboard).unwrap();
    for name in [
        "casestatus_sync_last_success_timestamp_seconds",
        "casestatus_sync_last_run_records",
        "casestatus_sync_matters_skipped",
        "casestatus_sync_messages_pending",
        "casestatus_sync_state",
        "casestatus_sync_requests_total",
    ] {
        assert!(text.contains(name), "a panel on {name}");
    }

    // The check bites: a dashboard with a misspelt series is caught.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("dashboard.json");
    std::fs::write(
        &wrong,
        text.replace(
            "casestatus_sync_messages_pending",
            "casestatus_sync_messages_waiting",
        ),
    )
    .unwrap();
    let unknown = check_dashboard(&wrong, &exported);
    assert!(
        unknown.len() == 1 && unknown[0].contains("casestatus_sync_messages_waiting"),
        "{unknown:?}"
    );
}

// ---- status --one-line: the Nagios line, and the journal's ----

/// Nagios perfdata: `label=value[UOM];[warn];[crit];[min];[max]`, space
/// separated; `U` for a value that could not be determined.
fn assert_perfdata(perf: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for item in perf.split(' ') {
        let (label, rest) = item
            .split_once('=')
            .unwrap_or_else(|| panic!("{item:?} in {perf}"));
        assert!(
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{label:?}"
        );
        let fields: Vec<&str> = rest.split(';').collect();
        assert!(fields.len() <= 5, "{item}");
        let value = fields[0];
        let number = value.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
        assert!(
            value == "U" || number.parse::<f64>().is_ok(),
            "{item}: the value"
        );
        let uom = &value[number.len()..];
        assert!(
            value == "U" || ["", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"].contains(&uom),
            "{item}: unit {uom:?}"
        );
        for f in &fields[1..] {
            assert!(f.is_empty() || f.parse::<f64>().is_ok(), "{item}: {f:?}");
        }
        values.insert(label.to_string(), value.to_string());
    }
    values
}

#[test]
fn status_one_line_is_one_line_with_perfdata() {
    let firm = synced_firm();
    // 4 minutes after the sync.
    let (code, out, err) = run_cmd(
        firm.cmd()
            .env("CASESTATUS_SYNC_NOW", "2026-11-28T12:04:00Z")
            .args(["status", "--max-age", "45", "--one-line"]),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    let (text, perf) = out.trim_end().split_once(" | ").expect("perfdata after |");
    assert!(
        text.starts_with(
            "OK - acme.fluentcase.com: ok: every sync succeeded within the last 45 minutes;"
        ),
        "{text}"
    );
    assert!(
        text.contains("matters created 3 · skipped 1 (4 min ago)"),
        "{text}"
    );
    assert!(!text.contains('|'), "{text}");
    let values = assert_perfdata(perf);
    assert_eq!(values["matters_age"], "240s");
    assert_eq!(values["messages_pending"], "1");
    assert!(perf.contains("matters_age=240s;;2700;0"), "{perf}");

    // Not syncing: CRITICAL, and the tool's exit 6.
    firm.ok(&["map", "practice-area", "Workers' Compensation", "--clear"]);
    let (code, out, _) = firm.run(&["status", "--one-line"]);
    assert_eq!(code, 6);
    assert!(
        out.starts_with(
            "CRITICAL - acme.fluentcase.com: not_syncing: the setup lets nothing through"
        ),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");

    // Never ran: ages undetermined.
    let fresh = Firm::new();
    fresh.connect_and_map();
    let (code, out, _) = fresh.run(&["status", "--one-line"]);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("matters never ran"), "{out}");
    let values = assert_perfdata(out.trim_end().split_once(" | ").unwrap().1);
    assert_eq!(values["matters_age"], "U");
}

/// The Nagios plugin, run as Nagios would: only sh, the built binary on
/// the PATH, and the plugin's arguments.
fn run_plugin(firm: &Firm, max_age: &str, now: &str) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    let out = std::process::Command::new("sh")
        .arg(examples().join("check_casestatus_sync"))
        .arg(&firm.config)
        .arg(max_age)
        .env_clear()
        .env("PATH", path)
        .env("CASESTATUS_SYNC_NOW", now)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_no_secret(&stdout, &String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), stdout)
}

#[test]
fn the_nagios_plugin_prints_one_line_with_perfdata_and_maps_exits() {
    let firm = synced_firm();
    // OK: exit 0, one line, perfdata.
    let (code, out) = run_plugin(&firm, "45", "2026-11-28T12:04:00Z");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("OK - acme.fluentcase.com: ok"), "{out}");
    assert_perfdata(out.trim_end().split_once(" | ").expect("perfdata").1);
    assert!(out.len() < 400, "not a table: {out}");

    // Stale two hours later: CRITICAL, exit 2.
    let (code, out) = run_plugin(&firm, "45", "2026-11-28T14:00:00Z");
    assert_eq!(code, 2, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("CRITICAL - acme.fluentcase.com: stale"),
        "{out}"
    );
    assert!(out.contains("matters_age=7200s;;2700;0"), "{out}");

    // The state file gone: UNKNOWN, exit 3, the tool's one-line reason.
    std::fs::rename(&firm.state_path, firm.path("moved.db")).unwrap();
    let (code, out) = run_plugin(&firm, "45", "2026-11-28T12:04:00Z");
    assert_eq!(code, 3, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("UNKNOWN - exit 3: casestatus-sync[acme.fluentcase.com]:"),
        "{out}"
    );
}

// ---- the crontab, run as cron would ----

/// The command of the crontab line whose command mentions `needle`.
fn crontab_command(needle: &str) -> String {
    let text = std::fs::read_to_string(examples().join("crontab")).unwrap();
    let line = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("a crontab line with {needle}"));
    // Five time fields, then the command.
    line.splitn(6, ' ').nth(5).expect("a command").to_string()
}

/// Whether `line` is a crontab entry (five time fields, then a command).
fn is_cron_entry(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    fields.len() > 5
        && fields[..5]
            .iter()
            .all(|f| f.chars().all(|c| c.is_ascii_digit() || ",*/-".contains(c)))
}

#[test]
fn crontab_lines_name_the_binary_by_its_path() {
    let crontab = std::fs::read_to_string(examples().join("crontab")).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines: Vec<&str> = crontab
        .lines()
        .chain(readme.lines())
        .filter(|l| is_cron_entry(l))
        .collect();
    assert!(
        lines.len() >= 5,
        "the crontab's and the README's cron lines: {lines:?}"
    );
    // The README shows the crontab's healthchecks line, the one tested below.
    let hc: Vec<&&str> = lines.iter().filter(|l| l.contains("hc-ping.com")).collect();
    assert!(hc.len() == 2 && hc[0] == hc[1], "{hc:?}");
    for line in lines {
        for (i, _) in line.match_indices("casestatus-sync ") {
            let before = &line[..i];
            assert!(
                before.ends_with("/usr/local/bin/"),
                "cron's PATH has no casestatus-sync: {line}"
            );
        }
    }
}

#[test]
fn the_healthchecks_line_pings_with_the_exit_code_and_the_reason() {
    let firm = synced_firm();
    let bin = assert_cmd::cargo::cargo_bin("casestatus-sync");
    let dir = tempfile::tempdir().unwrap();
    // A curl that records what it was asked to send.
    let log = dir.path().join("curl.log");
    let curl = dir.path().join("curl");
    std::fs::write(
        &curl,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {}\n",
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let command = crontab_command("hc-ping.com")
        .replace("/usr/local/bin/casestatus-sync", &bin.display().to_string())
        .replace(
            "/etc/casestatus-sync/acme.toml",
            &firm.config.display().to_string(),
        );
    let ping = |now: &str| -> Vec<String> {
        let _ = std::fs::remove_file(&log);
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", dir.path().display()))
            .env("CASESTATUS_SYNC_NOW", now)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let args = ping("2026-11-28T12:04:00Z");
    assert_eq!(
        args.last().unwrap(),
        "https://hc-ping.com/YOUR-CHECK-UUID/0",
        "{args:?}"
    );
    let body = &args[args.iter().position(|a| a == "--data-raw").unwrap() + 1];
    assert!(body.starts_with("OK - acme.fluentcase.com: ok"), "{body}");

    // Stale: exit code 6 in the URL, and the reason in the body.
    let args = ping("2026-11-28T14:00:00Z");
    assert_eq!(
        args.last().unwrap(),
        "https://hc-ping.com/YOUR-CHECK-UUID/6",
        "{args:?}"
    );
    let body = &args[args.iter().position(|a| a == "--data-raw").unwrap() + 1];
    assert!(
        body.contains("stale") && body.contains("acme.fluentcase.com"),
        "{body}"
    );
}

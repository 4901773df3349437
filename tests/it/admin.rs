//! Issue 25, an operator's tools: the man pages (`man`, `man --dir`),
//! `--api-key-file` for admin commands beside a service's key, and the
//! sandbox's own port with "address in use" that is not the usage code.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;
use casestatus_sync::sandbox::Sandbox;

// ---- man pages ----

/// The `.TH` line's fields, unquoted: title, section, date, source, manual.
fn th_fields(page: &str) -> Vec<String> {
    let line = page
        .lines()
        .find(|l| l.starts_with(".TH "))
        .unwrap_or_else(|| panic!("no .TH line: {}", &page[..200.min(page.len())]));
    let mut fields = Vec::new();
    let mut rest = line[4..].trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').expect("closing quote");
            fields.push(r[..end].to_string());
            rest = r[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            fields.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    fields
}

/// The `name(1)` references of a page (roff escapes hyphens as `\-`).
fn references(page: &str) -> BTreeSet<String> {
    let text = page.replace("\\-", "-");
    let mut refs = BTreeSet::new();
    for (i, _) in text.match_indices("(1)") {
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &text[start..i];
        if name.starts_with("casestatus-sync") {
            refs.insert(name.to_string());
        }
    }
    refs
}

/// The `.SH` headings of a page, unquoted.
fn sections(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|h| h.trim_matches('"').to_string())
        .collect()
}

#[test]
fn man_dir_writes_a_page_per_subcommand_whose_references_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    let (code, out, err) = run_cmd(bare(dir.path()).args(["man", "--dir"]).arg(&out_dir));
    assert_eq!(code, 0, "{out}{err}");
    let written: BTreeSet<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        out.contains(&format!("wrote {} man pages", written.len())),
        "{out}"
    );

    // One page per subcommand, nested ones included, as clap_mangen names them.
    fn walk(cmd: &clap::Command, prefix: &str, names: &mut Vec<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{prefix}-{}", sub.get_name());
            names.push(format!("{name}.1"));
            walk(sub, &name, names);
        }
    }
    let mut want = vec!["casestatus-sync.1".to_string()];
    walk(
        &casestatus_sync::cli::command(),
        "casestatus-sync",
        &mut want,
    );
    for name in &want {
        assert!(written.contains(name), "{name} not written: {written:?}");
    }
    assert!(written.contains("casestatus-sync-map-stage.1"));
    assert!(written.contains("casestatus-sync-sync-all.1"));

    for name in &written {
        let page = std::fs::read_to_string(out_dir.join(name)).unwrap();
        let th = th_fields(&page);
        let title = name.trim_end_matches(".1");
        assert_eq!(th.len(), 5, "{name}: {th:?}");
        assert_eq!((th[0].as_str(), th[1].as_str()), (title, "1"), "{name}");
        // The date is a date, and the version is not cut into its place.
        let date = chrono::NaiveDate::parse_from_str(&th[2], "%Y-%m-%d");
        assert!(date.is_ok(), "{name}: date {:?}", th[2]);
        assert_eq!(
            th[3],
            format!("casestatus-sync {}", env!("CARGO_PKG_VERSION")),
            "{name}"
        );
        assert!(!th[4].is_empty(), "{name}: manual");
        let heads = sections(&page);
        assert!(heads.contains(&"NAME".to_string()), "{name}: {heads:?}");
        assert!(heads.contains(&"SYNOPSIS".to_string()), "{name}: {heads:?}");
        // Every page it points at was written.
        for r in references(&page) {
            assert!(
                written.contains(&format!("{r}.1")),
                "{name} refers to {r}(1), not written"
            );
        }
    }
    let top = std::fs::read_to_string(out_dir.join("casestatus-sync.1")).unwrap();
    let refs = references(&top);
    assert!(refs.contains("casestatus-sync-sync"), "{refs:?}");
    assert!(!refs.contains("casestatus-sync-help"), "{refs:?}");
    let heads = sections(&top);
    for h in ["EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(heads.contains(&h.to_string()), "{h}: {heads:?}");
    }
    for needle in [
        "CASESTATUS_SYNC_CONFIG",
        "NO_COLOR",
        "JOB_COMPLETION_INDEX",
        "api\\-key\\-file",
        ".lock",
    ] {
        assert!(top.contains(needle), "the top page names {needle}");
    }
    // The same top page on stdout.
    let (code, printed, _) = run_cmd(bare(dir.path()).arg("man"));
    assert_eq!(code, 0);
    assert_eq!(printed, top);
}

#[test]
fn the_man_page_renders_without_warnings() {
    let Ok(probe) = std::process::Command::new("man").arg("--version").output() else {
        skip_unless_ci("man is not installed");
        return;
    };
    if !probe.status.success() {
        skip_unless_ci("man does not run here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run_cmd(bare(dir.path()).args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let out = std::process::Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&path)
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && err.trim().is_empty(),
            "{}: {err}",
            path.display()
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // The footer: source, date, title — whole.
        let footer = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        assert!(
            footer.trim_start().starts_with("casestatus-sync ")
                && footer.trim_end().ends_with(&format!("{name}(1)")),
            "{}: footer {footer:?}",
            path.display()
        );
    }
}

// ---- --api-key-file ----

/// A firm whose key is only in a file beside it (not saved by connect),
/// and that file's path.
fn firm_with_a_key_file(mode: u32) -> (Firm, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let firm = Firm::new();
    firm.add_matters(1, 3);
    let key = firm.path("service.key");
    std::fs::write(&key, format!("{}\n", Sandbox::DEMO_KEY)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
    (firm, key)
}

#[test]
fn api_key_file_gives_admin_commands_the_services_key() {
    let (firm, key) = firm_with_a_key_file(0o640);
    let key_arg = key.display().to_string();
    // Not connected: without the flag, `test` says so.
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3, "{err}");
    // With it: connected, the key named by its file, never shown.
    let (code, out, err) = firm.run(&["--api-key-file", &key_arg, "test"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Connected") && out.contains(&key_arg), "{out}");
    for args in casestatus_sync::sandbox::sample::MINIMAL_MAPPING {
        firm.ok(args);
    }
    // A dry run with it plans the pushes and sends nothing that changes.
    firm.sandbox.clear_requests();
    let (code, out, err) = firm.run(&["--api-key-file", &key_arg, "sync", "matters", "--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("dry run"), "{out}");
    assert!(
        firm.sandbox.requests().iter().all(|r| r.method == "GET"),
        "a dry run only reads"
    );
    assert!(firm.sandbox.cases().is_empty());
    // The flag overrides the config's api_key_file, and is never stored.
    firm.write_config("api_key_file = \"missing.key\"");
    let (code, _, err) = firm.run(&["test"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("missing.key"), "{err}");
    firm.ok(&["--api-key-file", &key_arg, "test"]);
    let state = std::fs::read(&firm.state_path).unwrap();
    assert!(
        !String::from_utf8_lossy(&state).contains(Sandbox::DEMO_KEY),
        "the key was copied into the state file"
    );
    // Not for commands without a firm's config.
    let (code, _, err) =
        run_cmd(bare(firm.dir.path()).args(["--api-key-file", &key_arg, "sandbox", "--port", "0"]));
    assert_eq!(code, 2, "{err}");
    assert_one_line_error(&err, &["--api-key-file"]);
}

#[test]
fn a_loose_api_key_file_is_refused_naming_the_file_and_its_mode() {
    let (firm, key) = firm_with_a_key_file(0o644);
    let key_arg = key.display().to_string();
    let (code, out, err) = firm.run(&["--api-key-file", &key_arg, "test"]);
    assert_eq!(code, 3, "{out}{err}");
    assert_one_line_error(&err, &[&key_arg, "0644", "chmod 600"]);
    let (code, _, err) = firm.run(&["--api-key-file", &key_arg, "sync", "matters", "--dry-run"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("0644"), "{err}");
    assert!(firm.sandbox.cases().is_empty());
}

// ---- ports: the sandbox's own, and "address in use" ----

#[test]
fn sandbox_help_shows_its_own_default_port() {
    let (code, out, _) =
        run_cmd(bare(Path::new(env!("CARGO_MANIFEST_DIR"))).args(["sandbox", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("[default: 8797]"), "{out}");
    let (_, out, _) =
        run_cmd(bare(Path::new(env!("CARGO_MANIFEST_DIR"))).args(["serve", "--help"]));
    assert!(out.contains("[default: 127.0.0.1:8787]"), "{out}");
}

#[test]
fn an_address_in_use_is_one_line_and_not_the_usage_code() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");

    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_cmd(bare(dir.path()).args(["sandbox", "--port", &port.to_string()]));
    assert_eq!(code, 3, "{out}{err}");
    assert_one_line_error(&err, &[&addr, "in use", "--port"]);

    let firm = Firm::new();
    firm.connect();
    let (code, out, err) = firm.run(&["serve", "--listen", &addr]);
    assert_eq!(code, 3, "{out}{err}");
    assert_one_line_error(
        &err,
        &[
            &addr,
            "in use",
            "--listen",
            "casestatus-sync[acme.fluentcase.com]",
        ],
    );
    drop(taken);
}

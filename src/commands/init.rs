//! `init`: write the firm's commented config file (SPEC §1), so that no
//! admin has to write TOML by hand from the README.
//!
//! Every value has a flag (scripts, containers); on a terminal the ones not
//! given are asked, with the defaults SPEC names: the system's time zone
//! (`iana-time-zone`, checked against chrono-tz), CaseStatus's address, the
//! state file beside the config. Not on a terminal, FluentCase's path and
//! address are required and the rest take their defaults. Validate, then
//! act: every value — FluentCase's path opened and checked to hold
//! FluentCase's tables, and the finished text through the same
//! [`crate::util::config::parse`] every command uses — is checked before
//! anything is written, and an existing file is never replaced.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use crate::commands::{prompt, Globals};
use crate::store::fluentcase::{Access, FluentCase};
use crate::util::config;
use crate::util::exit::{UsageError, OK};
use crate::util::output::Output;

/// CaseStatus's address when none is given (SPEC §4).
pub const DEFAULT_CASESTATUS_URL: &str = "https://app.casestatus.com";
/// The state file's name, beside the config, when none is given.
pub const DEFAULT_STATE_FILE: &str = "casestatus-sync.db";

/// `init`: every value of the config as a flag (scripts, containers); a
/// terminal is asked for the ones not given.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// FluentCase's SQLite database (checked to hold FluentCase's tables)
    #[arg(long, value_name = "PATH")]
    pub fluentcase_db: Option<PathBuf>,
    /// FluentCase's address, for deep links, e.g. `https://acme.fluentcase.com`
    #[arg(long, value_name = "URL")]
    pub fluentcase_url: Option<String>,
    /// The firm's IANA time zone [default: the system's]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// CaseStatus's address [default: `https://app.casestatus.com`]
    #[arg(long, value_name = "URL")]
    pub casestatus_url: Option<String>,
    /// The tool's own state file [default: casestatus-sync.db beside the config]
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
}

/// `init`, writing the config where every other command will look for
/// it: `--config`, else `$CASESTATUS_SYNC_CONFIG`, else the default.
///
/// # Errors
/// As [`run`].
pub fn exec(globals: &Globals, args: &Args) -> anyhow::Result<u8> {
    let flags = Flags {
        config: globals.config.clone().or_else(|| {
            std::env::var_os(config::CONFIG_ENV)
                .filter(|v| !v.to_string_lossy().trim().is_empty())
                .map(PathBuf::from)
        }),
        fluentcase_db: args.fluentcase_db.clone(),
        fluentcase_url: args.fluentcase_url.clone(),
        timezone: args.timezone.clone(),
        casestatus_url: args.casestatus_url.clone(),
        state: args.state.clone(),
    };
    run(&flags, &globals.out)
}

/// `init`'s flags; `config` is the global `--config` (else
/// `$CASESTATUS_SYNC_CONFIG`: where the other commands will look).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub fluentcase_db: Option<PathBuf>,
    pub fluentcase_url: Option<String>,
    pub timezone: Option<String>,
    pub casestatus_url: Option<String>,
    pub state: Option<PathBuf>,
}

/// The checked values a config is written from. Paths are absolute.
#[derive(Debug, Clone)]
struct Values {
    fluentcase_db: PathBuf,
    fluentcase_url: String,
    timezone: String,
    casestatus_url: String,
    state: PathBuf,
}

/// What `init --json` answers.
#[derive(Debug, Serialize)]
struct Written {
    config: PathBuf,
    fluentcase_database: PathBuf,
    timezone: String,
    state_database: PathBuf,
    next: String,
}

/// `init`: write the config, or refuse with one line saying why.
///
/// # Errors
/// The config file exists; a value is missing (not on a terminal) or wrong;
/// FluentCase's path is not FluentCase's database; the file cannot be written.
pub fn run(flags: &Flags, out: &Output) -> anyhow::Result<u8> {
    let config_path = flags
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::DEFAULT_CONFIG_FILE));
    let config_abs = absolute(&config_path)?;
    refuse_existing(&config_path)?;
    let folder = config_abs
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));

    let values = if prompt::interactive() {
        prompt::on_ctrl_c("init", "nothing was written");
        ask(flags, &folder, out)?
    } else {
        from_flags(flags, &folder)?
    };
    let text = config_text(&values, &folder);
    // The same checks every command makes when it loads the file.
    config::parse(&config_abs, &text)?;
    // Asked questions take time: someone may have written it meanwhile.
    refuse_existing(&config_path)?;
    write_new(&config_abs, &text)?;

    let next = next_step(flags.config.as_deref());
    if out.json {
        out.json(&Written {
            config: config_abs,
            fluentcase_database: values.fluentcase_db,
            timezone: values.timezone,
            state_database: values.state,
            next,
        })?;
    } else {
        out.line(format!(
            "Wrote {} (FluentCase {}, time zone {}, CaseStatus {}, state file {}).",
            config_abs.display(),
            values.fluentcase_db.display(),
            values.timezone,
            values.casestatus_url,
            values.state.display()
        ));
        out.line(format!(
            "Next: {next}   (the API key, the mappings and the event types, step by step)"
        ));
    }
    Ok(OK)
}

/// The command that comes next, as the admin would type it.
fn next_step(config: Option<&Path>) -> String {
    match config {
        None => "casestatus-sync setup".into(),
        Some(p) => format!(
            "casestatus-sync --config {} setup",
            crate::commands::shell_word(&p.display().to_string())
        ),
    }
}

fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.exists() || path.is_symlink() {
        return Err(UsageError(format!(
            "{} already exists; init never replaces a config file (edit it, or move it away and run init again)",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Not on a terminal: the flags, FluentCase's path and address required.
fn from_flags(flags: &Flags, folder: &Path) -> anyhow::Result<Values> {
    let mut missing = Vec::new();
    if flags.fluentcase_db.is_none() {
        missing.push("--fluentcase-db PATH (FluentCase's SQLite database)");
    }
    if flags.fluentcase_url.is_none() {
        missing.push("--fluentcase-url URL (e.g. https://acme.fluentcase.com)");
    }
    if !missing.is_empty() {
        return Err(UsageError(format!(
            "init is not on a terminal, so it cannot ask: give {}",
            missing.join(" and ")
        ))
        .into());
    }
    let db = flags.fluentcase_db.as_deref().unwrap_or(Path::new(""));
    let url = flags.fluentcase_url.as_deref().unwrap_or("");
    let timezone = match &flags.timezone {
        Some(tz) => flag(
            "--timezone",
            config::check_timezone(tz).map(|t| t.name().to_string()),
        )?,
        None => system_timezone().map_err(|why| {
            UsageError(format!(
                "cannot tell the system's time zone ({why}); give --timezone, e.g. --timezone America/Chicago"
            ))
        })?,
    };
    Ok(Values {
        fluentcase_db: flag("--fluentcase-db", check_fluentcase_db(db))?,
        fluentcase_url: flag("--fluentcase-url", config::check_fluentcase_url(url))?,
        timezone,
        casestatus_url: match &flags.casestatus_url {
            Some(u) => flag("--casestatus-url", check_casestatus_url(u))?,
            None => DEFAULT_CASESTATUS_URL.into(),
        },
        state: match &flags.state {
            Some(p) => absolute(p)?,
            None => folder.join(DEFAULT_STATE_FILE),
        },
    })
}

/// A flag's value, or a usage error naming the flag.
fn flag<T>(name: &str, checked: Result<T, String>) -> anyhow::Result<T> {
    checked.map_err(|problem| UsageError(format!("{name} {problem}")).into())
}

/// On a terminal: the flags given, and a question for each value not given.
fn ask(flags: &Flags, folder: &Path, out: &Output) -> anyhow::Result<Values> {
    let theme = prompt::theme(out.color);
    let kept = "nothing was written";
    let input = |question: &str,
                 default: Option<String>,
                 check: &dyn Fn(&str) -> Result<(), String>|
     -> anyhow::Result<String> {
        let mut p = dialoguer::Input::<String>::with_theme(theme.as_ref())
            .with_prompt(question)
            .validate_with(|text: &String| check(text));
        if let Some(d) = default {
            p = p.default(d);
        }
        p.interact_text()
            .map(|s| s.trim().to_string())
            .map_err(|e| prompt::failed(question, e, kept))
    };

    let fluentcase_db = match &flags.fluentcase_db {
        Some(p) => flag("--fluentcase-db", check_fluentcase_db(p))?,
        None => {
            let answer = input(
                "FluentCase's database (the SQLite file)",
                None,
                &|t: &str| check_fluentcase_db(Path::new(t.trim())).map(|_| ()),
            )?;
            flag(
                "FluentCase's database",
                check_fluentcase_db(Path::new(&answer)),
            )?
        }
    };
    let fluentcase_url = match &flags.fluentcase_url {
        Some(u) => flag("--fluentcase-url", config::check_fluentcase_url(u))?,
        None => {
            let answer = input(
                "FluentCase's address, for links back to each matter (e.g. https://acme.fluentcase.com)",
                None,
                &|t: &str| config::check_fluentcase_url(t).map(|_| ()),
            )?;
            flag(
                "FluentCase's address",
                config::check_fluentcase_url(&answer),
            )?
        }
    };
    let timezone = match &flags.timezone {
        Some(tz) => flag(
            "--timezone",
            config::check_timezone(tz).map(|t| t.name().to_string()),
        )?,
        None => {
            let answer = input(
                "The firm's time zone (IANA name)",
                system_timezone().ok(),
                &|t: &str| config::check_timezone(t).map(|_| ()),
            )?;
            flag(
                "the time zone",
                config::check_timezone(&answer).map(|t| t.name().to_string()),
            )?
        }
    };
    let casestatus_url = match &flags.casestatus_url {
        Some(u) => flag("--casestatus-url", check_casestatus_url(u))?,
        None => {
            let answer = input(
                "CaseStatus's address",
                Some(DEFAULT_CASESTATUS_URL.into()),
                &|t: &str| check_casestatus_url(t).map(|_| ()),
            )?;
            flag("CaseStatus's address", check_casestatus_url(&answer))?
        }
    };
    let state = match &flags.state {
        Some(p) => absolute(p)?,
        None => {
            let default = folder.join(DEFAULT_STATE_FILE);
            let answer = input(
                "The tool's own state file (API key, mappings, what was pushed)",
                Some(default.display().to_string()),
                &|t: &str| {
                    if t.trim().is_empty() {
                        Err("give a file path".into())
                    } else {
                        Ok(())
                    }
                },
            )?;
            absolute(Path::new(&answer))?
        }
    };
    Ok(Values {
        fluentcase_db,
        fluentcase_url,
        timezone,
        casestatus_url,
        state,
    })
}

/// The system's time zone as an IANA name chrono-tz knows.
fn system_timezone() -> Result<String, String> {
    let name = iana_time_zone::get_timezone().map_err(|e| e.to_string())?;
    config::check_timezone(&name)
        .map(|tz| tz.name().to_string())
        .map_err(|_| format!("{name:?} is not an IANA name this build knows"))
}

fn check_casestatus_url(text: &str) -> Result<String, String> {
    config::check_casestatus_url(text).map(|u| u.as_str().trim_end_matches('/').to_string())
}

/// FluentCase's database: an existing SQLite file with FluentCase's tables
/// (SPEC §3), opened read-only exactly as a sync opens it. Its absolute path.
fn check_fluentcase_db(path: &Path) -> Result<PathBuf, String> {
    if path.as_os_str().is_empty() {
        return Err("is empty; give the path of FluentCase's SQLite database".into());
    }
    let abs = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if abs.is_dir() {
        return Err(format!(
            "{} is a folder; give FluentCase's SQLite database file",
            abs.display()
        ));
    }
    match FluentCase::open(&abs, Access::ReadOnly) {
        Ok(_) => Ok(abs),
        Err(crate::store::fluentcase::FluentCaseError::Missing { path }) => {
            Err(format!("{}: no such file", path.display()))
        }
        Err(e) => Err(format!("is not usable: {e}")),
    }
}

/// `path` made absolute against the working folder (not resolved through links).
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot make {} absolute", path.display()))
}

/// A path as the config writes it: relative to the config's folder when it
/// is inside it (the folder can move as a whole), else absolute.
fn config_path_text(path: &Path, folder: &Path) -> String {
    path.strip_prefix(folder)
        .ok()
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A TOML string literal for `text` (quotes and backslashes escaped).
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The commented config of SPEC §1.
fn config_text(v: &Values, folder: &Path) -> String {
    let db = toml_string(&config_path_text(&v.fluentcase_db, folder));
    let state = toml_string(&config_path_text(&v.state, folder));
    format!(
        r#"# casestatus-sync: FluentCase's CaseStatus integration for one firm.
# Written by `casestatus-sync init`. Relative paths are relative to this
# file's folder. The API key is never kept here: `casestatus-sync setup`
# (or `connect`) keeps it in the state file, or set api_key_file below.

[fluentcase]
# FluentCase's SQLite database (read; only new activities are inserted).
database = {db}
# Deep links back to each matter: {{base_url}}/matters/{{id}}.
base_url = {url}
# The firm's IANA time zone: every time shown to people is in it.
timezone = {tz}
# Country of phone numbers written without a country code (ISO 3166).
# phone_region = "US"

[casestatus]
# CaseStatus's API (a sandbox URL on 127.0.0.1 for testing).
base_url = {cs}
# For containers, Kubernetes Secrets and systemd credentials: read the key
# from this file at every run instead of the one saved by `connect`
# (0600, 0400, 0640 or 0440).
# api_key_file = "/run/secrets/casestatus-api-key"
# timeout_seconds = 30
# max_retries = 3
# concurrency = 8

[state]
# The tool's own state: the key, mappings, event types, what was pushed,
# the run log. Keep it apart from FluentCase's database; back it up.
database = {state}
"#,
        url = toml_string(&v.fluentcase_url),
        tz = toml_string(&v.timezone),
        cs = toml_string(&v.casestatus_url),
    )
}

/// Create `path` with `text`, failing if anything is there already. The
/// text is written to a temporary file beside it first and then linked into
/// place (a link is never made over an existing file), so the config is
/// whole or absent — even if Ctrl-C or a crash comes in the middle.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.init-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(UsageError(format!(
                "{} already exists; init never replaces a config file",
                path.display()
            ))
            .into()),
            Err(e) => {
                Err(anyhow::Error::from(e).context(format!("cannot write {}", path.display())))
            }
        });
    let _ = std::fs::remove_file(&tmp);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_text_is_a_valid_config_with_paths_beside_it() {
        let folder = Path::new("/srv/firm");
        let v = Values {
            fluentcase_db: PathBuf::from("/data/fc \"main\".db"),
            fluentcase_url: "https://acme.fluentcase.com".into(),
            timezone: "America/Chicago".into(),
            casestatus_url: DEFAULT_CASESTATUS_URL.into(),
            state: folder.join(DEFAULT_STATE_FILE),
        };
        let text = config_text(&v, folder);
        let c = config::parse(&folder.join("casestatus-sync.toml"), &text).unwrap();
        assert_eq!(c.fluentcase.database, Path::new("/data/fc \"main\".db"));
        assert_eq!(c.state_database, Path::new("/srv/firm/casestatus-sync.db"));
        assert!(text.contains("database = \"casestatus-sync.db\""), "{text}");
        assert_eq!(c.fluentcase.timezone, chrono_tz::America::Chicago);
    }
}

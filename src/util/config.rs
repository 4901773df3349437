//! The config file: where it is found, what it must say, and checking it
//! before anything opens a database or makes a call (validate, then act).
//!
//! Discovery order (SPEC §1): `--config PATH`, then `$CASESTATUS_SYNC_CONFIG`,
//! then `./casestatus-sync.toml`. Relative paths inside the file are relative
//! to the file's own folder, so cron's working directory does not matter.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use reqwest::Url;
use serde::Deserialize;

/// The environment variable that names the config file when `--config` is absent.
pub const CONFIG_ENV: &str = "CASESTATUS_SYNC_CONFIG";
/// The file looked for in the working directory when nothing else names one.
pub const DEFAULT_CONFIG_FILE: &str = "casestatus-sync.toml";

/// Default seconds a single HTTP call to CaseStatus may take.
const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
/// Default retries of a failed call that is safe to retry.
const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default number of calls to CaseStatus in flight at once.
const DEFAULT_CONCURRENCY: usize = 8;

/// An ISO 3166 country, as `fluentcase.phone_region` names it.
pub type PhoneRegion = phonenumber::country::Id;

/// A config problem: always names the file, and where it can, the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No config file was found where it was looked for.
    #[error("config file {path} not found ({how}); pass --config PATH or set {CONFIG_ENV}")]
    NotFound { path: PathBuf, how: &'static str },
    /// The file exists but cannot be read.
    #[error("config file {path} cannot be read: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The TOML does not parse or does not have the expected shape.
    #[error("config file {path}{location}: {message}")]
    Syntax {
        path: PathBuf,
        location: String,
        message: String,
    },
    /// A key has a value of the right type that is still not acceptable.
    #[error("config file {path}: `{key}` {problem}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        problem: String,
    },
}

/// The checked configuration every command works from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from (for messages).
    pub path: PathBuf,
    pub fluentcase: FluentCaseConfig,
    pub casestatus: CaseStatusConfig,
    /// The tool's own SQLite state file.
    pub state_database: PathBuf,
    /// `[metrics] textfile`: where each sync writes the Prometheus text
    /// (for node_exporter's textfile collector), if anywhere.
    pub metrics_textfile: Option<PathBuf>,
}

impl Config {
    /// The firm, as every one-line error, warning and `status` verdict
    /// names it (SPEC §1): the host of `fluentcase.base_url`.
    pub fn firm(&self) -> Option<String> {
        Url::parse(&self.fluentcase.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    }
}

/// `[fluentcase]`: the firm's practice-management data.
#[derive(Debug, Clone)]
pub struct FluentCaseConfig {
    pub database: PathBuf,
    /// Deep links are `{base_url}/matters/{id}`; kept without a trailing slash.
    pub base_url: String,
    pub timezone: Tz,
    /// Country of phone numbers written without a country code (default US).
    pub phone_region: PhoneRegion,
}

/// `[casestatus]`: where the API is and how patient to be with it.
#[derive(Debug, Clone)]
pub struct CaseStatusConfig {
    pub base_url: Url,
    pub timeout: Duration,
    pub max_retries: u32,
    /// How many calls to CaseStatus may be in flight at once.
    pub concurrency: usize,
    /// A file holding the API key (a mounted secret), read at every run
    /// instead of the key saved by `connect`.
    pub api_key_file: Option<PathBuf>,
}

impl CaseStatusConfig {
    /// The address as the state file records an account's (SPEC §2):
    /// without a trailing slash, so `…/` and `…` are one account.
    pub fn account_url(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fluentcase: RawFluentCase,
    casestatus: RawCaseStatus,
    state: RawState,
    metrics: Option<RawMetrics>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    textfile: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFluentCase {
    database: String,
    base_url: String,
    timezone: String,
    phone_region: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCaseStatus {
    base_url: String,
    timeout_seconds: Option<u64>,
    max_retries: Option<u32>,
    concurrency: Option<usize>,
    api_key_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    database: String,
}

/// Find the config file: `--config`, else `$CASESTATUS_SYNC_CONFIG`, else `./casestatus-sync.toml`.
///
/// # Errors
/// [`ConfigError::NotFound`] naming the path and which rule chose it.
pub fn locate(flag: Option<&Path>, env: Option<&str>) -> Result<PathBuf, ConfigError> {
    let (path, how) = match (flag, env.filter(|v| !v.trim().is_empty())) {
        (Some(p), _) => (p.to_path_buf(), "from --config"),
        (None, Some(e)) => (PathBuf::from(e), "from $CASESTATUS_SYNC_CONFIG"),
        (None, None) => (
            PathBuf::from(DEFAULT_CONFIG_FILE),
            "the default in the current folder",
        ),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(ConfigError::NotFound { path, how })
    }
}

/// Read and check a config file.
///
/// # Errors
/// Any [`ConfigError`]; each names the file and the key at fault.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Check config text as if it had been read from `path`.
///
/// # Errors
/// Any [`ConfigError`].
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        location: e
            .span()
            .map(|s| {
                let (line, col) = line_col(text, s.start);
                format!(" line {line} column {col}")
            })
            .unwrap_or_default(),
        // toml's messages are one line; the multi-line Display adds a snippet we don't want.
        message: e.message().trim().replace('\n', " "),
    })?;
    let folder = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let invalid = |key: &'static str, problem: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        key,
        problem,
    };

    let fluentcase_db = resolve(&folder, &raw.fluentcase.database).ok_or_else(|| {
        invalid(
            "fluentcase.database",
            "must be a file path, not empty".into(),
        )
    })?;
    let state_db = resolve(&folder, &raw.state.database)
        .ok_or_else(|| invalid("state.database", "must be a file path, not empty".into()))?;
    if same_file(&fluentcase_db, &state_db) {
        return Err(invalid(
            "state.database",
            "must not be FluentCase's own database; the tool keeps its state in a separate file"
                .into(),
        ));
    }
    Ok(Config {
        path: path.to_path_buf(),
        fluentcase: fluentcase_section(&raw.fluentcase, fluentcase_db, &invalid)?,
        casestatus: casestatus_section(&raw.casestatus, &folder, &invalid)?,
        state_database: state_db,
        metrics_textfile: match raw.metrics.and_then(|m| m.textfile) {
            None => None,
            Some(v) => Some(resolve(&folder, &v).ok_or_else(|| {
                invalid(
                    "metrics.textfile",
                    "must be a file path, not empty (or leave it out)".into(),
                )
            })?),
        },
    })
}

/// A problem with one key of the config file.
type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

/// `[fluentcase]`, its database path already resolved.
fn fluentcase_section(
    raw: &RawFluentCase,
    database: PathBuf,
    invalid: Invalid<'_>,
) -> Result<FluentCaseConfig, ConfigError> {
    let base_url = check_fluentcase_url(&raw.base_url)
        .map_err(|problem| invalid("fluentcase.base_url", problem))?;
    let timezone =
        check_timezone(&raw.timezone).map_err(|problem| invalid("fluentcase.timezone", problem))?;
    let region_text = raw.phone_region.as_deref().unwrap_or("US");
    let phone_region = region_text
        .trim()
        .to_ascii_uppercase()
        .parse::<PhoneRegion>()
        .map_err(|_| {
            invalid(
                "fluentcase.phone_region",
                format!(
                    "must be a two-letter ISO 3166 country code such as \"US\" or \"GB\", got {region_text:?}"
                ),
            )
        })?;
    Ok(FluentCaseConfig {
        database,
        base_url,
        timezone,
        phone_region,
    })
}

/// `[casestatus]`; a key file's path is resolved against `folder`.
fn casestatus_section(
    raw: &RawCaseStatus,
    folder: &Path,
    invalid: Invalid<'_>,
) -> Result<CaseStatusConfig, ConfigError> {
    let base_url = check_casestatus_url(&raw.base_url)
        .map_err(|problem| invalid("casestatus.base_url", problem))?;
    let timeout_seconds = raw.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    if !(1..=600).contains(&timeout_seconds) {
        return Err(invalid(
            "casestatus.timeout_seconds",
            format!("must be between 1 and 600, got {timeout_seconds}"),
        ));
    }
    let max_retries = raw.max_retries.unwrap_or(DEFAULT_MAX_RETRIES);
    if max_retries > 10 {
        return Err(invalid(
            "casestatus.max_retries",
            format!("must be between 0 and 10, got {max_retries}"),
        ));
    }
    let concurrency = raw.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
    if !(1..=32).contains(&concurrency) {
        return Err(invalid(
            "casestatus.concurrency",
            format!("must be between 1 and 32, got {concurrency}"),
        ));
    }
    let api_key_file = match raw.api_key_file.as_deref() {
        None => None,
        Some(v) => Some(resolve(folder, v).ok_or_else(|| {
            invalid(
                "casestatus.api_key_file",
                "must be a file path, not empty (or leave it out to use the key saved by `connect`)"
                    .into(),
            )
        })?),
    };
    Ok(CaseStatusConfig {
        base_url,
        timeout: Duration::from_secs(timeout_seconds),
        max_retries,
        concurrency,
        api_key_file,
    })
}

/// `fluentcase.base_url`: an http(s) URL with a host; kept without a
/// trailing slash (deep links are `{base_url}/matters/{id}`). `init` checks
/// its flag and its answer with this too.
///
/// # Errors
/// What is wrong with the text, as the end of a sentence ("must be ...").
pub fn check_fluentcase_url(text: &str) -> Result<String, String> {
    let url = Url::parse(text.trim()).map_err(|e| {
        format!("must be a URL such as \"https://acme.fluentcase.com\" ({e}), got {text:?}")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("must be an http(s) URL, got {text:?}"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `fluentcase.timezone`: an IANA name that chrono-tz knows.
///
/// # Errors
/// What is wrong with the text, as the end of a sentence ("must be ...").
pub fn check_timezone(text: &str) -> Result<Tz, String> {
    text.trim().parse().map_err(|_| {
        format!("must be an IANA time zone name such as \"America/Chicago\", got {text:?}")
    })
}

/// CaseStatus must be reached over HTTPS; plain HTTP is allowed only to this
/// machine, where the sandbox runs, because the API key travels in a header.
///
/// # Errors
/// What is wrong with the text, as the end of a sentence ("must be ...").
pub fn check_casestatus_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| {
        format!("must be a URL such as \"https://app.casestatus.com\" ({e}), got {text:?}")
    })?;
    let host = url.host_str().unwrap_or("");
    if host.is_empty() {
        return Err(format!("must name a host, got {text:?}"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(host) => Ok(url),
        "http" => Err(format!(
            "must use https:// (plain http:// is allowed only for a sandbox on 127.0.0.1 or localhost), got {text:?}"
        )),
        other => Err(format!("must be an https:// URL, got scheme {other:?}")),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn resolve(folder: &Path, value: &str) -> Option<PathBuf> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let p = Path::new(value);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        folder.join(p)
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[fluentcase]
database = "fc.db"
base_url = "https://acme.fluentcase.com/"
timezone = "America/Chicago"
[casestatus]
base_url = "http://127.0.0.1:8080"
[state]
database = "state/cs.db"
"#;

    #[test]
    fn relative_paths_follow_the_config_file() {
        let c = parse(Path::new("/etc/firm/cs.toml"), GOOD).unwrap();
        assert_eq!(c.fluentcase.database, Path::new("/etc/firm/fc.db"));
        assert_eq!(c.state_database, Path::new("/etc/firm/state/cs.db"));
        assert_eq!(c.fluentcase.base_url, "https://acme.fluentcase.com");
        assert_eq!(c.casestatus.timeout, Duration::from_secs(30));
    }

    #[test]
    fn the_sample_config_in_examples_is_valid() {
        let text = include_str!("../../examples/casestatus-sync.toml");
        let c = parse(Path::new("/etc/casestatus-sync/acme.toml"), text).unwrap();
        assert_eq!(c.fluentcase.timezone, chrono_tz::America::Chicago);
    }

    #[test]
    fn api_key_file_is_optional_and_relative_to_the_config() {
        let c = parse(Path::new("/etc/firm/cs.toml"), GOOD).unwrap();
        assert_eq!(c.casestatus.api_key_file, None);
        let text = GOOD.replace(
            "[casestatus]",
            "[casestatus]\napi_key_file = \"secrets/key\"",
        );
        let c = parse(Path::new("/etc/firm/cs.toml"), &text).unwrap();
        assert_eq!(
            c.casestatus.api_key_file.as_deref(),
            Some(Path::new("/etc/firm/secrets/key"))
        );
        let text = GOOD.replace("[casestatus]", "[casestatus]\napi_key_file = \" \"");
        let e = parse(Path::new("f.toml"), &text).unwrap_err().to_string();
        assert!(e.contains("casestatus.api_key_file"), "{e}");
    }

    #[test]
    fn http_is_only_for_loopback() {
        assert!(check_casestatus_url("http://localhost:9").is_ok());
        assert!(check_casestatus_url("http://[::1]:9").is_ok());
        assert!(check_casestatus_url("https://app.casestatus.com").is_ok());
        let e = check_casestatus_url("http://app.casestatus.com").unwrap_err();
        assert!(e.contains("https://"), "{e}");
        assert!(check_casestatus_url("ftp://x").is_err());
    }

    #[test]
    fn errors_name_file_and_key() {
        let bad = GOOD.replace("America/Chicago", "Mars/Olympus");
        let e = parse(Path::new("f.toml"), &bad).unwrap_err().to_string();
        assert!(
            e.contains("f.toml") && e.contains("fluentcase.timezone"),
            "{e}"
        );
        let bad = GOOD.replace(
            "timezone = \"America/Chicago\"",
            "timezone = \"America/Chicago\"\nphone_region = \"XX\"",
        );
        let e = parse(Path::new("f.toml"), &bad).unwrap_err().to_string();
        assert!(
            e.contains("f.toml") && e.contains("fluentcase.phone_region") && e.contains("\"XX\""),
            "{e}"
        );
        let bad = GOOD.replace("database = \"fc.db\"", "database = 5");
        let e = parse(Path::new("f.toml"), &bad).unwrap_err().to_string();
        assert!(e.contains("line 3") && !e.contains('\n'), "{e}");
    }
}

//! `--trace FILE`: every HTTP exchange with CaseStatus during one run,
//! written as a HAR 1.2 archive (<http://www.softwareishard.com/blog/har-12-spec/>)
//! that a browser's developer tools open — so a support person can see
//! exactly what CaseStatus answered, page by page, retry by retry.
//!
//! Why it is built this way:
//! - The archive holds client data (names, phone numbers, messages), so the
//!   file is created 0600 from the start (`OpenOptions::mode`), never
//!   loosened by the umask and never chmod-ed after data is in it.
//! - The API key must not leak through a debugging aid: the
//!   `Authorization` header reads `REDACTED`, and the key's value is
//!   replaced by `REDACTED` wherever else it appears (URL, headers,
//!   bodies — CaseStatus could echo it in an error).
//! - A run can fail, be killed or panic. Each entry is written as it
//!   happens and the archive's closing `]}}` is rewritten after it, so the
//!   file is a complete, valid JSON document after every exchange, at O(1)
//!   cost per entry (no rewrite of the whole archive).
//! - Retries are separate entries; a request that got no answer
//!   (connection failure, timeout, lost response) is an entry with response
//!   status 0 and the error in `_error` and `comment`, as browsers record
//!   a failed request.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// What replaces the key and the `Authorization` header's value.
pub const REDACTED: &str = "REDACTED";

/// The archive's closing text, rewritten after every entry.
const TRAILER: &[u8] = b"\n]}}\n";

/// The trace file could not be created or written.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file cannot be created (no such folder, no permission) or is
    /// not a plain file of ours.
    #[error("cannot create the trace file {path} (--trace): {detail}")]
    Create { path: PathBuf, detail: String },
    /// A write failed part-way (a full disk): the archive holds the
    /// entries before it.
    #[error("the trace file {path} (--trace) is incomplete: {detail}")]
    Write { path: PathBuf, detail: String },
}

/// An open HAR archive that the CaseStatus client appends to. Shared by
/// every client and worker thread of the run.
pub struct Trace {
    path: PathBuf,
    writer: Mutex<Writer>,
    /// Values to replace by [`REDACTED`] wherever they appear.
    secrets: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets.
        f.debug_struct("Trace")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

struct Writer {
    file: File,
    /// Where the trailer starts: the next entry is written here.
    trailer_at: u64,
    entries: usize,
    /// The first failed write; later entries are not attempted.
    failed: Option<String>,
}

impl Trace {
    /// Create (or replace) the archive at `path`, mode 0600, holding no
    /// entries yet. A symlink is refused: the trace must not be written
    /// through a link into someone else's file.
    ///
    /// # Errors
    /// [`TraceError::Create`] naming the file.
    pub fn create(path: &Path) -> Result<Trace, TraceError> {
        let fail = |detail: String| TraceError::Create {
            path: path.to_path_buf(),
            detail,
        };
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(fail("it is a symbolic link; name a plain file".into()));
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() {
            return Err(fail("it is not a plain file".into()));
        }
        // A file that existed before keeps its mode through `open`:
        // tighten it while it is still empty.
        if meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| fail(e.to_string()))?;
        }
        let creator = serde_json::to_string(&Creator {
            name: "casestatus-sync",
            version: env!("CARGO_PKG_VERSION"),
        })
        .map_err(|e| fail(e.to_string()))?;
        let head = format!(r#"{{"log":{{"version":"1.2","creator":{creator},"entries":["#);
        file.write_all(head.as_bytes())
            .and_then(|()| file.write_all(TRAILER))
            .and_then(|()| file.flush())
            .map_err(|e| fail(e.to_string()))?;
        Ok(Trace {
            path: path.to_path_buf(),
            writer: Mutex::new(Writer {
                file,
                trailer_at: head.len() as u64,
                entries: 0,
                failed: None,
            }),
            secrets: Mutex::new(Vec::new()),
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many entries have been written.
    pub fn entries(&self) -> usize {
        self.writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries
    }

    /// After the run: every entry was written, or the error saying why not.
    ///
    /// # Errors
    /// [`TraceError::Write`] with the first failed write.
    pub fn finish(&self) -> Result<(), TraceError> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if w.failed.is_none() {
            if let Err(e) = w.file.sync_data() {
                w.failed = Some(e.to_string());
            }
        }
        match &w.failed {
            None => Ok(()),
            Some(detail) => Err(TraceError::Write {
                path: self.path.clone(),
                detail: detail.clone(),
            }),
        }
    }

    /// Replace `secret` by [`REDACTED`] in everything written from now on
    /// (the client registers its key when the trace is attached).
    pub(crate) fn add_secret(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut all = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        // The forms the key could take on the wire: as is, percent-encoded
        // in a URL, escaped inside a JSON string.
        let encoded = reqwest::Url::parse("http://x/")
            .map(|mut u| {
                u.query_pairs_mut().append_pair("k", secret);
                u.query().unwrap_or("").trim_start_matches("k=").to_string()
            })
            .unwrap_or_default();
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_string();
        for form in [secret.to_string(), encoded, json] {
            if !form.is_empty() && !all.contains(&form) {
                all.push(form);
            }
        }
        // Longest first, so a longer form is not cut by a shorter one.
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with every secret replaced.
    fn redact(&self, text: &str) -> String {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for s in secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), REDACTED);
            }
        }
        out
    }

    /// Append one exchange to the archive. A failed write is remembered
    /// (see [`Trace::finish`]) and never fails the call it describes.
    pub(crate) fn record(&self, exchange: Exchange) {
        let entry = self.entry(exchange);
        let text = match serde_json::to_string(&entry) {
            Ok(t) => t,
            Err(e) => {
                let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
                w.failed.get_or_insert_with(|| e.to_string());
                return;
            }
        };
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if w.failed.is_some() {
            return;
        }
        let sep: &[u8] = if w.entries == 0 { b"\n" } else { b",\n" };
        let at = w.trailer_at;
        let written = w
            .file
            .seek(SeekFrom::Start(at))
            .and_then(|_| w.file.write_all(sep))
            .and_then(|()| w.file.write_all(text.as_bytes()))
            .and_then(|()| w.file.write_all(TRAILER))
            .and_then(|()| w.file.flush());
        match written {
            Ok(()) => {
                w.trailer_at = at + (sep.len() + text.len()) as u64;
                w.entries += 1;
            }
            Err(e) => w.failed = Some(e.to_string()),
        }
    }

    /// The HAR entry for an exchange, redacted.
    fn entry(&self, x: Exchange) -> Entry {
        let url = self.redact(x.url.as_str());
        let query: Vec<NameValue> = x
            .url
            .query_pairs()
            .map(|(n, v)| NameValue {
                name: self.redact(&n),
                value: self.redact(&v),
            })
            .collect();
        let request_headers = self.headers(&x.request_headers);
        let post_data = x.request_body.as_ref().map(|b| PostData {
            mime_type: header_value(&x.request_headers, "content-type")
                .unwrap_or("application/octet-stream")
                .to_string(),
            text: self.redact(&String::from_utf8_lossy(b)),
        });
        let request = Request {
            method: x.method,
            url,
            http_version: "HTTP/1.1",
            cookies: Vec::new(),
            headers: request_headers,
            query_string: query,
            body_size: x.request_body.as_ref().map_or(0, |b| b.len() as i64),
            post_data,
            headers_size: -1,
        };
        let (response, timings, time, error) = match x.outcome {
            Outcome::Answered {
                status,
                version,
                headers,
                body,
                body_error,
                wait_ms,
                receive_ms,
            } => {
                let mime = header_value(&headers, "content-type")
                    .unwrap_or("")
                    .to_string();
                let text = self.redact(&String::from_utf8_lossy(&body));
                let response = Response {
                    status,
                    status_text: reqwest::StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("")
                        .to_string(),
                    http_version: version,
                    cookies: Vec::new(),
                    headers: self.headers(&headers),
                    content: Content {
                        size: body.len() as i64,
                        mime_type: mime,
                        text,
                    },
                    redirect_url: "",
                    headers_size: -1,
                    body_size: body.len() as i64,
                    error: body_error.as_deref().map(|e| self.redact(e)),
                };
                let timings = Timings {
                    send: 0.0,
                    wait: wait_ms,
                    receive: receive_ms,
                };
                (response, timings, wait_ms + receive_ms, None)
            }
            Outcome::Failed { error, elapsed_ms } => {
                let error = self.redact(&error);
                let response = Response {
                    status: 0,
                    status_text: String::new(),
                    http_version: String::new(),
                    cookies: Vec::new(),
                    headers: Vec::new(),
                    content: Content {
                        size: 0,
                        mime_type: "x-unknown".into(),
                        text: String::new(),
                    },
                    redirect_url: "",
                    headers_size: -1,
                    body_size: -1,
                    error: Some(error.clone()),
                };
                let timings = Timings {
                    send: 0.0,
                    wait: elapsed_ms,
                    receive: 0.0,
                };
                (response, timings, elapsed_ms, Some(error))
            }
        };
        Entry {
            started_date_time: x.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            time,
            request,
            response,
            cache: Cache {},
            timings,
            comment: error.as_ref().map(|e| format!("no answer: {e}")),
            error,
        }
    }

    /// Headers as HAR name/value pairs: `Authorization` reads
    /// [`REDACTED`], every other value is redacted.
    fn headers(&self, headers: &[(String, String)]) -> Vec<NameValue> {
        headers
            .iter()
            .map(|(n, v)| NameValue {
                name: n.clone(),
                value: if n.eq_ignore_ascii_case("authorization") {
                    REDACTED.to_string()
                } else {
                    self.redact(v)
                },
            })
            .collect()
    }
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One request and what became of it, as the client saw it (not yet
/// redacted: [`Trace::record`] redacts).
pub(crate) struct Exchange {
    pub(crate) started: DateTime<Utc>,
    pub(crate) method: String,
    pub(crate) url: reqwest::Url,
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) request_body: Option<Vec<u8>>,
    pub(crate) outcome: Outcome,
}

/// What came back for a request.
pub(crate) enum Outcome {
    /// An answer with a status; its body may have failed to arrive whole.
    Answered {
        status: u16,
        version: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        body_error: Option<String>,
        wait_ms: f64,
        receive_ms: f64,
    },
    /// No answer: connection failed, timed out, or closed without one.
    Failed { error: String, elapsed_ms: f64 },
}

/// Headers as (name, value) text; a value that is not text is shown lossily.
pub(crate) fn header_pairs(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

// ---- The HAR 1.2 shapes (only what this tool writes) ----

#[derive(Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: Cache,
    timings: Timings,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: String,
    http_version: String,
    cookies: Vec<NameValue>,
    headers: Vec<NameValue>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: &'static str,
    headers_size: i64,
    body_size: i64,
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: i64,
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
struct Cache {}

#[derive(Serialize)]
struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(url: &str, outcome: Outcome) -> Exchange {
        Exchange {
            started: Utc::now(),
            method: "GET".into(),
            url: url.parse().unwrap(),
            request_headers: vec![
                ("authorization".into(), "ApiKey k-secret/1".into()),
                ("x-echo".into(), "k-secret/1".into()),
            ],
            request_body: Some(br#"{"note":"k-secret/1"}"#.to_vec()),
            outcome,
        }
    }

    #[test]
    fn archive_is_valid_after_every_entry_and_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.har");
        let trace = Trace::create(&path).unwrap();
        trace.add_secret("k-secret/1");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc["log"]["entries"].as_array().unwrap().len(), 0);
        trace.record(exchange(
            "http://x/v1/api/cases?integration_id=k-secret%2F1",
            Outcome::Answered {
                status: 401,
                version: "HTTP/1.1".into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body: br#"{"error":{"message":"bad key k-secret/1"}}"#.to_vec(),
                body_error: None,
                wait_ms: 1.5,
                receive_ms: 0.5,
            },
        ));
        trace.record(exchange(
            "http://x/v1/api/practice_areas",
            Outcome::Failed {
                error: "connection failed".into(),
                elapsed_ms: 2.0,
            },
        ));
        trace.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("k-secret"), "{text}");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let entries = doc["log"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(doc["log"]["version"], "1.2");
        assert_eq!(entries[0]["request"]["headers"][0]["value"], REDACTED);
        assert_eq!(entries[0]["response"]["status"], 401);
        assert_eq!(entries[1]["response"]["status"], 0);
        assert!(entries[1]["_error"]
            .as_str()
            .unwrap()
            .contains("connection"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn an_existing_loose_file_is_tightened_and_a_symlink_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.har");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Trace::create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let link = dir.path().join("link.har");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(Trace::create(&link).is_err());
    }
}

//! The CaseStatus API client (SPEC §4). Everything this tool assumes about
//! CaseStatus's API lives here, so it can follow the real API in one place.
//!
//! Retries: a call is retried on 429 (after `Retry-After`), on 5xx and on
//! connection failures — but a create (`POST` that makes a record) is
//! retried only when the request provably never reached CaseStatus (429, or
//! a failure to connect). Anything else could have done the work with the
//! answer lost; the sync modules then reconcile by `integration_id` instead
//! of sending a second create.
//!
//! The key is held in [`ApiKey`], whose `Debug` is redacted; it is sent only
//! in the `Authorization` header and never appears in an error.
//!
//! `--trace FILE` hooks in at the one place requests are sent (`send.rs`,
//! under `call`): each exchange — every retry, and every request that got
//! no answer — goes to the [`Trace`] archive, with the key redacted there.

use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client as Http, RequestBuilder};
use reqwest::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

mod error;
pub mod listing;
mod send;
mod trace;
mod types;

pub use error::ApiError;
use listing::Listing;
use listing::{LISTING_PASSES, LOOKUP_PASSES};
use send::Answer;
pub use trace::{Trace, TraceError};
pub use types::*;

/// Page size asked for on every list call (CaseStatus's maximum; the
/// service may answer fewer, see [`listing`]).
pub const PAGE_SIZE: usize = 100;
/// Longest `Retry-After` we honour; a longer one fails the call instead of
/// stalling a 15-minute cron cycle.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// First back-off after a 5xx or connection failure; doubles each time.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Sent with every request (and so shown in a `--trace` archive).
const AGENT: &str = concat!("casestatus-sync/", env!("CARGO_PKG_VERSION"));

/// The firm's API key. Never printed: `Debug` is redacted, no `Display`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wrap a key, trimming surrounding whitespace (pasted keys often have some).
    pub fn new(raw: &str) -> ApiKey {
        ApiKey(raw.trim().to_string())
    }
    /// The key itself, for storing it. Do not print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorDetail,
    #[serde(default, deserialize_with = "types::optional_id")]
    id: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Whether repeating a request after an unknown outcome is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Safety {
    /// GET, PUT, DELETE, mark-processed: repeat freely.
    Idempotent,
    /// A create: repeat only if CaseStatus never saw it.
    Create,
}

/// A connection to one firm's CaseStatus account.
pub struct CaseStatus {
    http: Http,
    base: Url,
    auth: HeaderValue,
    max_retries: u32,
    /// After a 429, no worker sends anything before this instant: the
    /// Retry-After is honoured by every thread sharing this client.
    paused_until: std::sync::Mutex<Option<std::time::Instant>>,
    /// `--trace FILE`: every exchange is appended here, redacted.
    trace: Option<Arc<Trace>>,
    /// How many exchanges ended in each [`AnswerClass`] (for the metrics'
    /// `casestatus_sync_requests_total`).
    answers: [std::sync::atomic::AtomicU64; AnswerClass::ALL.len()],
}

/// What an exchange ended in, for counting: the status class of the
/// answer, or none at all (unreachable, timed out, cut).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerClass {
    Informational,
    Success,
    Redirect,
    ClientError,
    ServerError,
    NoAnswer,
}

impl AnswerClass {
    /// Every class, in the order of [`CaseStatus::answer_counts`].
    pub const ALL: [AnswerClass; 6] = [
        AnswerClass::Informational,
        AnswerClass::Success,
        AnswerClass::Redirect,
        AnswerClass::ClientError,
        AnswerClass::ServerError,
        AnswerClass::NoAnswer,
    ];

    /// The metrics' `code` label: `2xx` … `5xx`, or `none`.
    pub fn label(self) -> &'static str {
        match self {
            AnswerClass::Informational => "1xx",
            AnswerClass::Success => "2xx",
            AnswerClass::Redirect => "3xx",
            AnswerClass::ClientError => "4xx",
            AnswerClass::ServerError => "5xx",
            AnswerClass::NoAnswer => "none",
        }
    }

    /// The class of an HTTP status (None: no answer came).
    pub fn of(status: Option<u16>) -> AnswerClass {
        match status {
            Some(100..=199) => AnswerClass::Informational,
            Some(200..=299) => AnswerClass::Success,
            Some(300..=399) => AnswerClass::Redirect,
            Some(400..=499) => AnswerClass::ClientError,
            Some(_) => AnswerClass::ServerError,
            None => AnswerClass::NoAnswer,
        }
    }
}

impl std::fmt::Debug for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseStatus")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl CaseStatus {
    /// Build a client. `timeout` bounds each call (connect and whole answer).
    ///
    /// # Errors
    /// [`ApiError::BadResponse`] only if the TLS stack cannot start, or the
    /// key has characters a header cannot carry.
    pub fn new(
        base: Url,
        key: &ApiKey,
        timeout: Duration,
        max_retries: u32,
    ) -> Result<CaseStatus, ApiError> {
        let http = Http::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .user_agent(AGENT)
            .build()
            .map_err(|e| ApiError::BadResponse {
                what: "the HTTP client".into(),
                detail: e.to_string(),
            })?;
        let mut auth =
            HeaderValue::from_str(&format!("ApiKey {}", key.expose())).map_err(|_| {
                ApiError::BadResponse {
                    what: "the API key".into(),
                    detail: "the key contains characters that cannot be sent in a header".into(),
                }
            })?;
        auth.set_sensitive(true);
        Ok(CaseStatus {
            http,
            base,
            auth,
            max_retries,
            paused_until: std::sync::Mutex::new(None),
            trace: None,
            answers: Default::default(),
        })
    }

    /// How many exchanges this client had, by what they ended in (labels
    /// of [`AnswerClass`]); classes without any are left out.
    pub fn answer_counts(&self) -> Vec<(&'static str, u64)> {
        AnswerClass::ALL
            .iter()
            .zip(&self.answers)
            .map(|(c, n)| (c.label(), n.load(std::sync::atomic::Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Record every exchange of this client in `trace` (`--trace FILE`);
    /// the key is registered with the trace so that it is redacted
    /// wherever it would appear. `None` leaves the client untraced.
    pub fn with_trace(mut self, trace: Option<Arc<Trace>>) -> CaseStatus {
        if let Some(t) = &trace {
            if let Ok(value) = self.auth.to_str() {
                t.add_secret(value.strip_prefix("ApiKey ").unwrap_or(value));
            }
        }
        self.trace = trace;
        self
    }

    /// All practice areas with their stages (also the connection test).
    pub fn practice_areas(&self) -> Result<Vec<PracticeArea>, ApiError> {
        self.list("/v1/api/practice_areas", &[])
    }

    /// Cases whose `integration_id` is exactly the given text (normally
    /// zero or one). The filter is checked here too: a service that
    /// ignores it answers the whole account, which is then read as a
    /// consistent listing (an absence proven by a listing that changed
    /// while it was read would be no proof).
    ///
    /// # Errors
    /// As any call; [`ApiError::Inconsistent`] when the answer spanned
    /// pages that changed under every reading.
    pub fn find_cases(&self, integration_id: &str) -> Result<Vec<RemoteCase>, ApiError> {
        let query = [("integration_id", integration_id)];
        let listing: Listing<RemoteCase> = self.read_consistently(
            "/v1/api/cases",
            &query,
            |c: &RemoteCase| c.id,
            LOOKUP_PASSES,
        )?;
        if !listing.consistent {
            return Err(ApiError::Inconsistent {
                what: "cases".into(),
            });
        }
        // Only exact matches count: "007" is not matter 7's "7".
        Ok(listing
            .items
            .into_iter()
            .filter(|c| c.integration_id.as_deref() == Some(integration_id))
            .collect())
    }

    /// Every case of the account (all pages), each with its integration
    /// id; read twice when it spans pages, and said to be consistent only
    /// when both readings saw the same cases (SPEC §2).
    pub fn list_cases(&self) -> Result<Listing<RemoteCase>, ApiError> {
        self.read_consistently("/v1/api/cases", &[], |c: &RemoteCase| c.id, LISTING_PASSES)
    }

    /// Create a case; the new case's id. A 409 comes back as
    /// [`ApiError::Conflict`] with the existing id.
    pub fn create_case(&self, body: &CaseBody) -> Result<i64, ApiError> {
        let created: Created = self.call(
            Method::POST,
            "/v1/api/cases",
            &[],
            Some(body),
            Safety::Create,
        )?;
        Ok(created.id)
    }

    /// The appointments of a case (all pages), read as a consistent
    /// listing: it proves an appointment absent before a create.
    ///
    /// # Errors
    /// As any call; [`ApiError::Inconsistent`] when it spanned pages that
    /// changed under every reading.
    pub fn list_appointments(&self, case_id: i64) -> Result<Vec<RemoteAppointment>, ApiError> {
        let path = format!("/v1/api/cases/{case_id}/appointments");
        let listing: Listing<serde_json::Value> = self.read_consistently(
            &path,
            &[],
            |v: &serde_json::Value| v.get("id").and_then(id_of).unwrap_or(-1),
            LOOKUP_PASSES,
        )?;
        if !listing.consistent {
            return Err(ApiError::Inconsistent {
                what: format!("the appointments of case {case_id}"),
            });
        }
        listing
            .items
            .into_iter()
            .map(|v| {
                let mut a: RemoteAppointment =
                    serde_json::from_value(v.clone()).map_err(|e| ApiError::BadResponse {
                        what: path.clone(),
                        detail: format!("an appointment is not as expected: {e}"),
                    })?;
                a.body = serde_json::from_value(v).ok();
                Ok(a)
            })
            .collect()
    }

    /// Create an appointment on a case; its id. 404 while the case is new.
    pub fn create_appointment(
        &self,
        case_id: i64,
        body: &AppointmentBody,
    ) -> Result<i64, ApiError> {
        let created: Created = self.call(
            Method::POST,
            &format!("/v1/api/cases/{case_id}/appointments"),
            &[],
            Some(body),
            Safety::Create,
        )?;
        Ok(created.id)
    }

    /// Replace an appointment's fields.
    pub fn update_appointment(&self, id: i64, body: &AppointmentBody) -> Result<(), ApiError> {
        let _: serde::de::IgnoredAny = self.call(
            Method::PUT,
            &format!("/v1/api/appointments/{id}"),
            &[],
            Some(body),
            Safety::Idempotent,
        )?;
        Ok(())
    }

    /// Delete an appointment; a 404 (already gone) counts as done.
    pub fn delete_appointment(&self, id: i64) -> Result<(), ApiError> {
        match self.call::<(), serde::de::IgnoredAny>(
            Method::DELETE,
            &format!("/v1/api/appointments/{id}"),
            &[],
            None,
            Safety::Idempotent,
        ) {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every unprocessed message (all pages). A message that says it is
    /// processed is dropped: the filter is checked here too.
    pub fn unprocessed_messages(&self) -> Result<Vec<Message>, ApiError> {
        let all: Vec<Message> = self.list("/v1/api/messages", &[("processed", "false")])?;
        Ok(all
            .into_iter()
            .filter(|m| m.processed != Some(true))
            .collect())
    }

    /// Mark a message processed; repeating it is harmless.
    pub fn mark_processed(&self, id: i64) -> Result<(), ApiError> {
        let _: serde::de::IgnoredAny = self.call::<(), _>(
            Method::POST,
            &format!("/v1/api/messages/{id}/processed"),
            &[],
            None,
            Safety::Idempotent,
        )?;
        Ok(())
    }

    /// GET a list endpoint through all its pages (see [`listing`]).
    fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<T>, ApiError> {
        Ok(self.read_pages(path, query)?.items)
    }

    /// One GET of one page, as CaseStatus sent it (for `doctor`'s
    /// questions about the contract: page sizes, filters, id types).
    ///
    /// # Errors
    /// As any call: [`ApiError`].
    pub fn get_page(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<serde_json::Value>, ApiError> {
        self.call::<(), _>(Method::GET, path, query, None, Safety::Idempotent)
    }

    /// One call with retries, decoded as `T` (use `serde::de::IgnoredAny` for none).
    fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        safety: Safety,
    ) -> Result<T, ApiError> {
        let mut url = self.base.clone();
        url.set_path(&format!(
            "{}{}",
            self.base.path().trim_end_matches('/'),
            path
        ));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut attempt = 0;
        loop {
            self.wait_for_pause();
            let mut req: RequestBuilder = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, self.auth.clone())
                .header(USER_AGENT, AGENT)
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req.json(b);
            }
            let outcome = self.send(req);
            let (err, wait) = match outcome {
                Ok(answer) => match self.decode(path, answer) {
                    Ok(v) => return Ok(v),
                    Err((e, wait)) => (e, wait),
                },
                Err(e) => {
                    // A failed connect never reached CaseStatus: always safe to repeat.
                    let never_sent = e.is_connect();
                    let err = ApiError::Unreachable {
                        base_url: self.base.to_string(),
                        detail: describe(&e),
                    };
                    if safety == Safety::Create && !never_sent {
                        return Err(err);
                    }
                    (err, None)
                }
            };
            let retryable = match &err {
                ApiError::RateLimited { .. } => true,
                ApiError::Server { .. } => safety == Safety::Idempotent,
                ApiError::Unreachable { .. } => true, // filtered above for creates
                _ => false,
            };
            if !retryable || attempt >= self.max_retries {
                return Err(err);
            }
            // A 429 asking for more than we will wait fails now (the next
            // cron cycle retries); any other Retry-After is capped so a run
            // can never stall.
            if matches!(&err, ApiError::RateLimited { retry_after: Some(d) } if *d > MAX_RETRY_AFTER)
            {
                return Err(err);
            }
            let pause = wait.map_or_else(|| backoff(attempt), |w| w.min(MAX_RETRY_AFTER));
            if matches!(err, ApiError::RateLimited { .. }) {
                self.pause_all(pause);
            }
            std::thread::sleep(pause);
            attempt += 1;
        }
    }

    /// Sleep while a 429 from any thread asks everyone to wait.
    fn wait_for_pause(&self) {
        let until = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            let now = std::time::Instant::now();
            if until > now {
                std::thread::sleep(until - now);
            }
        }
    }

    /// Ask every thread using this client to wait `d` before its next call.
    fn pause_all(&self, d: Duration) {
        let until = std::time::Instant::now() + d;
        let mut slot = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none_or(|u| u < until) {
            *slot = Some(until);
        }
    }

    /// Turn an answer into `T` or a typed error (with how long to wait, for 429).
    fn decode<T: DeserializeOwned>(
        &self,
        what: &str,
        answer: Answer,
    ) -> Result<T, (ApiError, Option<Duration>)> {
        let status = answer.status;
        let retry_after = answer
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let bytes = answer.body.map_err(|detail| {
            (
                ApiError::BadResponse {
                    what: what.into(),
                    detail,
                },
                None,
            )
        })?;
        if status.is_success() {
            // 204 and empty bodies decode as `null` so `IgnoredAny` and `()` work.
            let text: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(text).map_err(|e| {
                (
                    ApiError::BadResponse {
                        what: what.into(),
                        detail: format!("status {status} but the JSON is not as expected: {e}"),
                    },
                    None,
                )
            });
        }
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
        let message = if body.error.message.is_empty() {
            status.canonical_reason().unwrap_or("").to_string()
        } else {
            body.error.message
        };
        let err = match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized,
            StatusCode::FORBIDDEN => ApiError::Forbidden,
            StatusCode::NOT_FOUND => ApiError::NotFound { message },
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed { message },
            StatusCode::CONFLICT => ApiError::Conflict {
                existing_id: body.id,
                message,
            },
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::Rejected {
                code: if body.error.code.is_empty() {
                    "validation_failed".into()
                } else {
                    body.error.code
                },
                message,
            },
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited { retry_after },
            s if s.is_server_error() => ApiError::Server {
                status: s.as_u16(),
                message,
            },
            s => ApiError::BadResponse {
                what: what.into(),
                detail: format!("unexpected status {s}: {message}"),
            },
        };
        Err((err, retry_after))
    }
}

/// The pause before retry `attempt` (0-based) after a 5xx or a failed
/// connection: exponential, with "equal jitter" — half the step fixed, half
/// random — so the `casestatus.concurrency` workers that failed together do
/// not all come back in the same millisecond and fail together again.
fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE * 2u32.pow(attempt.min(10));
    let half = step / 2;
    half + half.mul_f64(jitter_fraction())
}

/// A number in [0, 1) that differs between threads and calls. Not for
/// cryptography: std's `RandomState` is seeded randomly per process and
/// the hash also covers the thread and the time, which is all jitter needs
/// (and saves a dependency).
fn jitter_fraction() -> f64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    std::thread::current().id().hash(&mut h);
    std::time::SystemTime::now().hash(&mut h);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` in either of its forms (RFC 9110 §10.2.3): delay-seconds
/// (`120`) or an HTTP-date in any of its three forms (`Fri, 28 Nov 2026
/// 12:02:00 GMT`, and the obsolete RFC 850 and asctime ones, parsed by
/// `httpdate`), measured from `now`; a date in the past means "now". None
/// when it is neither.
fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::from(now))
            .unwrap_or(Duration::ZERO),
    )
}

/// A reqwest error without its URL's query (ours carry no secrets, but keep it short).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut detail = kind.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    detail
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = crate::util::clock::parse("2026-11-28T12:00:00Z").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 12:02:00 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_takes_the_obsolete_http_date_forms() {
        // RFC 9110 §5.6.7: a recipient must accept all three forms.
        let now = crate::util::clock::parse("2026-11-28T12:00:00Z").unwrap();
        assert_eq!(
            parse_retry_after("Saturday, 28-Nov-26 12:02:00 GMT", now),
            Some(Duration::from_secs(120)),
            "RFC 850"
        );
        assert_eq!(
            parse_retry_after("Sat Nov 28 12:02:00 2026", now),
            Some(Duration::from_secs(120)),
            "asctime"
        );
    }

    #[test]
    fn backoff_grows_and_is_jittered() {
        for attempt in 0..4 {
            let step = BACKOFF_BASE * 2u32.pow(attempt);
            let pauses: Vec<Duration> = (0..50).map(|_| backoff(attempt)).collect();
            assert!(
                pauses.iter().all(|p| *p >= step / 2 && *p <= step),
                "{pauses:?}"
            );
            let first = pauses[0];
            assert!(
                pauses.iter().any(|p| *p != first),
                "workers that failed together must not retry in lockstep: {pauses:?}"
            );
        }
    }
}

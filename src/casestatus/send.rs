//! One exchange on the wire: send a request, read its answer whole (up to
//! [`MAX_BODY_BYTES`]), and — with `--trace FILE` — record the exchange,
//! answered or not. The one place requests leave this tool, so the trace
//! cannot miss one (a retry is a new exchange, and so a new entry).

use std::time::{Duration, Instant};

use reqwest::blocking::{RequestBuilder, Response};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::trace::{self, Exchange, Outcome};
use super::{describe, CaseStatus};

/// Answers larger than this are refused rather than read into memory.
const MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

impl CaseStatus {
    /// Send one request and read its answer whole; with `--trace`, the
    /// exchange (answered or not) is recorded on the way.
    pub(super) fn send(&self, req: RequestBuilder) -> Result<Answer, reqwest::Error> {
        let request = req.build()?;
        let started = chrono::Utc::now();
        let clock = Instant::now();
        // Only copied when tracing: the untraced path stays as it was.
        let described = self.trace.as_ref().map(|_| {
            (
                request.method().to_string(),
                request.url().clone(),
                trace::header_pairs(request.headers()),
                request
                    .body()
                    .and_then(|b| b.as_bytes())
                    .map(<[u8]>::to_vec),
            )
        });
        let result = self.http.execute(request);
        let waited = clock.elapsed();
        let answer = result.map(read_answer);
        let class = super::AnswerClass::of(answer.as_ref().ok().map(|a| a.status.as_u16()));
        if let Some(i) = super::AnswerClass::ALL.iter().position(|c| *c == class) {
            self.answers[i].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if let (Some(trace), Some((method, url, request_headers, request_body))) =
            (&self.trace, described)
        {
            let outcome = match &answer {
                Ok(a) => Outcome::Answered {
                    status: a.status.as_u16(),
                    version: format!("{:?}", a.version),
                    headers: trace::header_pairs(&a.headers),
                    body: a.body.as_ref().map_or_else(|_| Vec::new(), Clone::clone),
                    body_error: a.body.as_ref().err().cloned(),
                    wait_ms: millis(waited),
                    receive_ms: millis(clock.elapsed().saturating_sub(waited)),
                },
                Err(e) => Outcome::Failed {
                    error: describe(e),
                    elapsed_ms: millis(waited),
                },
            };
            trace.record(Exchange {
                started,
                method,
                url,
                request_headers,
                request_body,
                outcome,
            });
        }
        answer
    }
}

/// An answer as it came: status, headers and the body (or why the body
/// could not be read whole).
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) version: reqwest::Version,
    pub(super) headers: HeaderMap,
    pub(super) body: Result<Vec<u8>, String>,
}

/// Read an answer's body, refusing one larger than [`MAX_BODY_BYTES`]
/// before reading it when its length is announced.
fn read_answer(resp: Response) -> Answer {
    let status = resp.status();
    let version = resp.version();
    let headers = resp.headers().clone();
    let body = if resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        Err(format!("answer larger than {MAX_BODY_BYTES} bytes"))
    } else {
        read_limited(resp)
    };
    Answer {
        status,
        version,
        headers,
        body,
    }
}

/// A duration in milliseconds, as HAR's timings are.
fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn read_limited(resp: Response) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut buf = Vec::new();
    resp.take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("the answer could not be read: {e}"))?;
    if buf.len() as u64 > MAX_BODY_BYTES {
        return Err(format!("answer larger than {MAX_BODY_BYTES} bytes"));
    }
    Ok(buf)
}

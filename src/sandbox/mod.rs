//! In-process fake of the CaseStatus API (v1), served over real HTTP on 127.0.0.1.
//!
//! The sandbox implements the contract of SPEC §4 (cases, appointments, messages,
//! practice areas, paging, auth and error bodies) so that integration tests and
//! people trying `casestatus-sync sandbox --port N` can talk to something that
//! behaves like CaseStatus without an account.
//!
//! # Why a hand-rolled server on `std::net::TcpListener`
//!
//! The sandbox exists mostly to prove that the client survives failures: lost
//! responses after the work was done, slow answers, rate limits, truncated or
//! junk bodies. Those faults live at the socket level ("create the case, then
//! close the connection without a byte of response"), which an HTTP server
//! framework hides from us. A tiny HTTP/1.1 server — one request per
//! connection, `Connection: close`, `Content-Length` bodies only — is a few
//! hundred lines, needs no extra crate and gives full control over every byte
//! written (or not written).
//!
//! Threads: one accept thread, one short-lived thread per connection. Dropping
//! the [`Sandbox`] sets a shutdown flag, connects to itself to wake the accept
//! loop and joins the accept thread. State lives behind one mutex; a poisoned
//! mutex is recovered (`into_inner`) so one panicking connection cannot take
//! the server down.

pub mod sample;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Largest request body accepted; bigger ones get 413.
const MAX_BODY: usize = 1024 * 1024;
/// Largest request head (request line + headers) accepted; bigger ones get 431.
const MAX_HEAD: usize = 64 * 1024;
/// Socket read/write timeout for a connection.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// First id handed out for cases.
const FIRST_CASE_ID: i64 = 5000;
/// First id handed out for appointments.
const FIRST_APPOINTMENT_ID: i64 = 8000;
/// First id handed out for messages.
const FIRST_MESSAGE_ID: i64 = 300;
/// Default and maximum page sizes of list endpoints.
const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 100;

/// A CaseStatus practice area with its stages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PracticeArea {
    /// CaseStatus id of the practice area.
    pub id: i64,
    /// Exact (case-sensitive) name, as cases must send it.
    pub name: String,
    /// Stages of this practice area.
    pub stages: Vec<Stage>,
}

/// A stage of a practice area.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stage {
    /// CaseStatus id of the stage.
    pub id: i64,
    /// Exact (case-sensitive) name, as cases must send it.
    pub name: String,
    /// 1-based position within the practice area.
    pub position: i64,
}

/// A case stored by the sandbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxCase {
    /// Id assigned by the sandbox (from 5000 up).
    pub id: i64,
    /// The `integration_id` the client sent.
    pub integration_id: String,
    /// The full JSON as stored and returned (sent fields plus `id` and `created_at`).
    pub body: Value,
    /// When the case was created (drives the propagation delay); serialized as RFC 3339.
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// An appointment stored by the sandbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxAppointment {
    /// Id assigned by the sandbox (from 8000 up).
    pub id: i64,
    /// Id of the case the appointment belongs to.
    pub case_id: i64,
    /// The `integration_id` the client sent.
    pub integration_id: String,
    /// The full JSON as stored and returned (sent fields plus `id` and `case_id`).
    pub body: Value,
    /// True once deleted through the API; deleted appointments are not listed.
    pub deleted: bool,
}

/// A message as stored by the sandbox (and, with `kind` renamed to `type`, as returned).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxMessage {
    /// Id assigned by the sandbox.
    pub id: i64,
    /// `"client"`, `"firm"` or `"system"`; serialized as `type` in the API.
    #[serde(rename = "type")]
    pub kind: String,
    /// Message text.
    pub content: String,
    /// Display name of the sender.
    pub sender_name: String,
    /// `integration_id` of the case the message belongs to, if any.
    pub integration_id: Option<String>,
    /// Readable id of the case: taken from the case with `integration_id` when
    /// one exists, else whatever was given when the message was added.
    pub readable_id: Option<String>,
    /// RFC 3339 UTC time the message was sent.
    pub sent_at: String,
    /// RFC 3339 UTC time the message was stored.
    pub created_at: String,
    /// True once marked processed through the API.
    pub processed: bool,
}

/// A message to add with [`Sandbox::add_message`].
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// `"client"`, `"firm"` or `"system"`.
    pub kind: String,
    /// Message text.
    pub content: String,
    /// Display name of the sender.
    pub sender_name: String,
    /// `integration_id` of the case the message belongs to, if any.
    pub integration_id: Option<String>,
    /// Readable id to report when no case with `integration_id` exists.
    pub readable_id: Option<String>,
}

impl NewMessage {
    /// A `client` message for the case with `integration_id`, without a readable id of its own.
    pub fn client(integration_id: &str, sender: &str, content: &str) -> NewMessage {
        NewMessage {
            kind: "client".to_string(),
            content: content.to_string(),
            sender_name: sender.to_string(),
            integration_id: Some(integration_id.to_string()),
            readable_id: None,
        }
    }
}

/// One API request the sandbox handled (control routes are not recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw (not decoded) query string, without `?`; empty when there was none.
    pub query: String,
    /// Status answered (for [`Fault::LoseResponse`]: the status that would have been sent).
    pub status: u16,
}

/// A failure to inject with [`Sandbox::inject`].
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// answer this status with an error body instead of doing the work (e.g. 500, 502, 503)
    Status(u16),
    /// 429 with `Retry-After: secs`, work not done
    TooManyRequests {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// do the work, then close the socket without writing any response
    LoseResponse,
    /// sleep this long before handling (to exceed client timeouts)
    Delay(Duration),
    /// answer 200 with a body that is not JSON, work not done
    MalformedJson,
    /// answer 200 with an empty body, work not done
    EmptyBody,
    /// answer 200 with a ~5 MiB JSON array of junk objects, work not done
    Huge,
    /// answer this status and raw body, work not done (odd answers: wrong
    /// types, missing fields, an empty list where a record exists)
    Respond {
        /// HTTP status to send.
        status: u16,
        /// Body to send as is.
        body: String,
    },
}

/// Which requests a fault applies to: method (None = any) and a path prefix (e.g. "/v1/api/cases").
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// HTTP method to match (case-insensitive); `None` matches any method.
    pub method: Option<String>,
    /// The request path must start with this; `""` matches every path.
    pub path_prefix: String,
}

impl Route {
    /// Every API request.
    pub fn any() -> Route {
        Route {
            method: None,
            path_prefix: String::new(),
        }
    }

    /// Requests with `method` whose path starts with `path_prefix`.
    pub fn new(method: &str, path_prefix: &str) -> Route {
        Route {
            method: Some(method.to_string()),
            path_prefix: path_prefix.to_string(),
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.starts_with(&self.path_prefix)
    }
}

/// Everything the sandbox knows; guarded by one mutex.
struct State {
    keys: HashMap<String, bool>,
    practice_areas: Vec<PracticeArea>,
    users: HashSet<String>,
    cases: Vec<SandboxCase>,
    appointments: Vec<SandboxAppointment>,
    messages: Vec<SandboxMessage>,
    next_case_id: i64,
    next_appointment_id: i64,
    next_message_id: i64,
    requests: Vec<RequestRecord>,
    latency: Duration,
    propagation_delay: Duration,
    faults: Vec<(Route, Fault, usize)>,
    /// When true, creates never answer 409: tests use it to prove the tool
    /// prevents duplicates itself instead of relying on CaseStatus.
    allow_duplicates: bool,
    /// Indexes so the benchmark's 100,000-record firm stays fast: cases by
    /// integration id, appointments by case (positions in the vectors).
    cases_by_iid: HashMap<String, Vec<usize>>,
    appointments_by_case: HashMap<i64, Vec<usize>>,
}

impl State {
    fn new() -> State {
        State {
            keys: HashMap::new(),
            practice_areas: Vec::new(),
            users: HashSet::new(),
            cases: Vec::new(),
            appointments: Vec::new(),
            messages: Vec::new(),
            next_case_id: FIRST_CASE_ID,
            next_appointment_id: FIRST_APPOINTMENT_ID,
            next_message_id: FIRST_MESSAGE_ID,
            requests: Vec::new(),
            latency: Duration::ZERO,
            propagation_delay: Duration::ZERO,
            allow_duplicates: false,
            faults: Vec::new(),
            cases_by_iid: HashMap::new(),
            appointments_by_case: HashMap::new(),
        }
    }

    /// Position of a case by id (ids are handed out in order from FIRST_CASE_ID).
    fn case_pos(&self, id: i64) -> Option<usize> {
        let pos = usize::try_from(id.checked_sub(FIRST_CASE_ID)?).ok()?;
        (self.cases.get(pos)?.id == id).then_some(pos)
    }

    /// Position of a live appointment by id.
    fn appointment_pos(&self, id: i64) -> Option<usize> {
        let pos = usize::try_from(id.checked_sub(FIRST_APPOINTMENT_ID)?).ok()?;
        let a = self.appointments.get(pos)?;
        (a.id == id && !a.deleted).then_some(pos)
    }

    /// Position of a message by id.
    fn message_pos(&self, id: i64) -> Option<usize> {
        let pos = usize::try_from(id.checked_sub(FIRST_MESSAGE_ID)?).ok()?;
        (self.messages.get(pos)?.id == id).then_some(pos)
    }

    /// Live appointments of a case.
    fn case_appointments(&self, case_id: i64) -> impl Iterator<Item = &SandboxAppointment> {
        self.appointments_by_case
            .get(&case_id)
            .into_iter()
            .flatten()
            .filter_map(|p| self.appointments.get(*p))
            .filter(|a| !a.deleted)
    }

    /// Takes one use of the first fault whose route matches.
    fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let idx = self
            .faults
            .iter()
            .position(|(route, _, times)| *times > 0 && route.matches(method, path))?;
        // In bounds: `idx` was just returned by `position` on the same vector.
        let entry = &mut self.faults[idx];
        entry.2 -= 1;
        let fault = entry.1.clone();
        if entry.2 == 0 {
            self.faults.remove(idx);
        }
        Some(fault)
    }

    fn add_message(&mut self, m: NewMessage) -> SandboxMessage {
        let now = now_rfc3339();
        let msg = SandboxMessage {
            id: self.next_message_id,
            kind: m.kind,
            content: m.content,
            sender_name: m.sender_name,
            integration_id: m.integration_id,
            readable_id: m.readable_id,
            sent_at: now.clone(),
            created_at: now,
            processed: false,
        };
        self.next_message_id += 1;
        self.messages.push(msg.clone());
        self.resolve_message(&msg)
    }

    /// The message with `readable_id` taken from its case, when that case exists.
    fn resolve_message(&self, m: &SandboxMessage) -> SandboxMessage {
        let mut out = m.clone();
        if let Some(iid) = &m.integration_id {
            let from_case = self
                .cases_by_iid
                .get(iid)
                .and_then(|ps| ps.first())
                .and_then(|p| self.cases.get(*p))
                .and_then(|c| c.body.get("readable_id"))
                .and_then(Value::as_str);
            if let Some(r) = from_case {
                out.readable_id = Some(r.to_string());
            }
        }
        out
    }

    fn message_json(&self, m: &SandboxMessage) -> Value {
        serde_json::to_value(self.resolve_message(m)).unwrap_or(Value::Null)
    }

    fn appointment_json(a: &SandboxAppointment) -> Value {
        let mut v = a.body.clone();
        if let Value::Object(map) = &mut v {
            map.insert("deleted".to_string(), Value::Bool(a.deleted));
        }
        v
    }
}

/// Serde adapter for `DateTime<Utc>` as an RFC 3339 string (chrono is built
/// without its `serde` feature in this project).
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A running fake CaseStatus server; shuts down when dropped.
pub struct Sandbox {
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
    shutdown: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Default key accepted by `Sandbox::demo`; it is test data, not a secret.
    pub const DEMO_KEY: &'static str = "sandbox-demo-key";

    /// Bind 127.0.0.1:port (0 = any free port), no data, no keys.
    pub fn start(port: u16) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::new()));
        let shutdown = Arc::new(AtomicBool::new(false));
        let (st, sd) = (Arc::clone(&state), Arc::clone(&shutdown));
        let accept_thread = std::thread::Builder::new()
            .name("casestatus-sandbox-accept".to_string())
            .spawn(move || accept_loop(listener, st, sd))?;
        Ok(Sandbox {
            state,
            addr,
            shutdown,
            accept_thread: Some(accept_thread),
        })
    }

    /// start(port) plus demo data: key DEMO_KEY (api enabled), a key "sandbox-no-api-key" with api disabled, practice areas
    /// "Workers' Compensation" (stages Intake, Treatment, Settlement, Closed), "Personal Injury" (Intake, Investigation, Litigation, Settlement), "Family Law" (Consultation, Filing, Resolution),
    /// with stable ids (areas 12, 13, 14; stages 101.. in order), and known attorney users dreyes@firm.example, mchen@firm.example, jokafor@firm.example.
    pub fn demo(port: u16) -> std::io::Result<Sandbox> {
        let sb = Sandbox::start(port)?;
        sb.add_api_key(Sandbox::DEMO_KEY, true);
        sb.add_api_key("sandbox-no-api-key", false);
        let specs: [(&str, &[&str]); 3] = [
            (
                "Workers' Compensation",
                &["Intake", "Treatment", "Settlement", "Closed"],
            ),
            (
                "Personal Injury",
                &["Intake", "Investigation", "Litigation", "Settlement"],
            ),
            ("Family Law", &["Consultation", "Filing", "Resolution"]),
        ];
        let mut stage_id = 101;
        let mut areas = Vec::new();
        for (area_id, (name, stages)) in (12..).zip(specs) {
            let mut list = Vec::new();
            for (position, stage) in (1..).zip(stages.iter()) {
                list.push(Stage {
                    id: stage_id,
                    name: (*stage).to_string(),
                    position,
                });
                stage_id += 1;
            }
            areas.push(PracticeArea {
                id: area_id,
                name: name.to_string(),
                stages: list,
            });
        }
        sb.set_practice_areas(areas);
        for email in [
            "dreyes@firm.example",
            "mchen@firm.example",
            "jokafor@firm.example",
        ] {
            sb.add_user(email);
        }
        Ok(sb)
    }

    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL to configure the client with, e.g. `http://127.0.0.1:4010`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// Registers (or re-registers) an API key; `api_enabled = false` makes it answer 403.
    pub fn add_api_key(&self, key: &str, api_enabled: bool) {
        lock(&self.state).keys.insert(key.to_string(), api_enabled);
    }

    /// Replaces the practice areas (and their stages).
    pub fn set_practice_areas(&self, areas: Vec<PracticeArea>) {
        lock(&self.state).practice_areas = areas;
    }

    /// The current practice areas.
    pub fn practice_areas(&self) -> Vec<PracticeArea> {
        lock(&self.state).practice_areas.clone()
    }

    /// Registers a CaseStatus user; cases may only name known users as attorney
    /// (emails compare case-insensitively).
    pub fn add_user(&self, email: &str) {
        lock(&self.state).users.insert(email.to_ascii_lowercase());
    }

    /// Stores a message (unprocessed; `sent_at`/`created_at` = now) and returns it.
    pub fn add_message(&self, message: NewMessage) -> SandboxMessage {
        lock(&self.state).add_message(message)
    }

    /// All cases, by id.
    pub fn cases(&self) -> Vec<SandboxCase> {
        lock(&self.state).cases.clone()
    }

    /// All appointments, by id, including deleted ones (see `deleted`).
    pub fn appointments(&self) -> Vec<SandboxAppointment> {
        lock(&self.state).appointments.clone()
    }

    /// All messages, by id, with `readable_id` resolved as the API reports it.
    pub fn messages(&self) -> Vec<SandboxMessage> {
        let st = lock(&self.state);
        st.messages.iter().map(|m| st.resolve_message(m)).collect()
    }

    /// Every API request handled, in order (control routes and unparseable requests excluded).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.state).requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.state).requests.clear();
    }

    /// Delay added before every API response (not control routes).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.state).latency = latency;
    }

    /// For this long after a case is created, creating appointments on it answers 404.
    pub fn set_propagation_delay(&self, delay: Duration) {
        lock(&self.state).propagation_delay = delay;
    }

    /// Stop answering 409 for a repeated `integration_id` on creates, so a
    /// duplicate the tool sent is stored and can be counted.
    pub fn set_allow_duplicates(&self, allow: bool) {
        lock(&self.state).allow_duplicates = allow;
    }

    /// The next `times` requests matching `route` get `fault` (faults queue in order of registration; a request takes the first matching entry).
    pub fn inject(&self, route: Route, fault: Fault, times: usize) {
        if times > 0 {
            lock(&self.state).faults.push((route, fault, times));
        }
    }

    /// Removes all pending faults.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// Block serving until the process is killed (for `casestatus-sync sandbox`).
    pub fn serve_forever(self) -> ! {
        loop {
            std::thread::park();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        // Wake the accept loop; only wait for it when the wake-up connection got through.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).is_ok();
        if let Some(handle) = self.accept_thread.take() {
            if woke {
                let _ = handle.join();
            }
        }
    }
}

fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>, shutdown: Arc<AtomicBool>) {
    for conn in listener.incoming() {
        if shutdown.load(Ordering::SeqCst) {
            break;
        }
        match conn {
            Ok(stream) => {
                let (st, sd) = (Arc::clone(&state), Arc::clone(&shutdown));
                // If the thread cannot be spawned the stream is dropped, closing the connection.
                let _ = std::thread::Builder::new()
                    .name("casestatus-sandbox-conn".to_string())
                    .spawn(move || handle_connection(stream, st, sd));
            }
            // E.g. out of file descriptors: back off briefly instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Sleeps `d`, waking early when the sandbox shuts down.
fn sleep_unless_shutdown(d: Duration, shutdown: &AtomicBool) {
    let start = std::time::Instant::now();
    while !shutdown.load(Ordering::SeqCst) {
        let elapsed = start.elapsed();
        if elapsed >= d {
            break;
        }
        std::thread::sleep((d - elapsed).min(Duration::from_millis(20)));
    }
}

// ---------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------

struct Request {
    method: String,
    path: String,
    raw_query: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    /// Header value by case-insensitive name (first occurrence).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Decoded query parameter (first occurrence).
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn json(status: u16, value: &Value) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: value.to_string().into_bytes(),
        }
    }

    fn raw(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    fn no_content() -> Response {
        Response::raw(204, Vec::new())
    }

    fn error(status: u16, code: &str, message: &str) -> Response {
        Response::json(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    }

    fn conflict(code: &str, message: &str, id: i64) -> Response {
        Response::json(
            409,
            &json!({"error": {"code": code, "message": message}, "id": id}),
        )
    }

    fn not_found(message: &str) -> Response {
        Response::error(404, "not_found", message)
    }

    fn method_not_allowed() -> Response {
        Response::error(405, "method_not_allowed", "Method not allowed")
    }

    fn invalid(message: &str) -> Response {
        Response::error(422, "validation_failed", message)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

fn write_response(stream: &mut TcpStream, resp: &Response) {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    if resp.status != 204 {
        head.push_str("Content-Type: application/json\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    // Write errors (client gone, e.g. after its timeout) are not our problem.
    let _ = stream.write_all(head.as_bytes());
    if resp.status != 204 {
        let _ = stream.write_all(&resp.body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// After answering without reading the whole request: read and discard what
/// the client still sends (bounded), so closing does not reset the connection
/// before the client has read our answer.
fn drain(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 8192];
    let mut total = 0usize;
    while total < 8 * MAX_BODY {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
}

fn find_subslice(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes; invalid escapes are kept literally.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_val);
            let lo = bytes.get(i + 2).copied().and_then(hex_val);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Reads one request. `Ok(None)`: the peer closed without sending anything
/// (e.g. the shutdown wake-up connection). `Err`: answer this and close.
fn read_request(stream: &mut TcpStream) -> Result<Option<Request>, Response> {
    let bad = |msg: &str| Response::error(400, "bad_request", msg);
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = find_subslice(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(Response::error(
                431,
                "header_too_large",
                "Request head is too large",
            ));
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) if buf.is_empty() => return Ok(None),
            Ok(0) | Err(_) => return Err(bad("Incomplete request")),
            // In bounds: `read` never reports more than the buffer length.
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    // In bounds: `head_end` is where "\r\n\r\n" starts inside `buf`, so
    // `head_end + 4 <= buf.len()` (also for the body slice below).
    let head =
        std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("Request head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Err(bad("Malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("Malformed method"));
    }
    if !target.starts_with('/') {
        return Err(bad("Malformed request target"));
    }
    if *version != "HTTP/1.1" && *version != "HTTP/1.0" {
        return Err(bad("Unsupported HTTP version"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("Malformed header line"));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(bad("Malformed header name"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let mut req = Request {
        method: method.to_string(),
        path: path.to_string(),
        raw_query: raw_query.to_string(),
        query: parse_query(raw_query),
        headers,
        body: Vec::new(),
    };
    if req.header("transfer-encoding").is_some() {
        return Err(Response::error(
            411,
            "length_required",
            "Chunked bodies are not supported; send Content-Length",
        ));
    }
    let mut length: Option<usize> = None;
    for (k, v) in &req.headers {
        if k.eq_ignore_ascii_case("content-length") {
            let n: usize = v.parse().map_err(|_| bad("Invalid Content-Length"))?;
            if length.is_some_and(|prev| prev != n) {
                return Err(bad("Conflicting Content-Length headers"));
            }
            length = Some(n);
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(Response::error(
            413,
            "payload_too_large",
            "Request body exceeds 1 MiB",
        ));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(bad("Incomplete body")),
            // In bounds: `read` never reports more than the buffer length.
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    req.body = body;
    Ok(Some(req))
}

fn handle_connection(mut stream: TcpStream, state: Arc<Mutex<State>>, shutdown: Arc<AtomicBool>) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let req = match read_request(&mut stream) {
        Ok(Some(req)) => req,
        Ok(None) => return,
        Err(resp) => {
            write_response(&mut stream, &resp);
            drain(&mut stream);
            return;
        }
    };

    if req.path == "/_sandbox" || req.path.starts_with("/_sandbox/") {
        let resp = control_route(&state, &req);
        write_response(&mut stream, &resp);
        return;
    }

    let (fault, latency) = {
        let mut st = lock(&state);
        (st.take_fault(&req.method, &req.path), st.latency)
    };
    let mut lose_response = false;
    let resp = match fault {
        None => api_route(&state, &req),
        Some(Fault::Status(code)) => {
            let (code_name, message) = match code {
                502 => ("bad_gateway", "Bad gateway"),
                503 => ("service_unavailable", "Service temporarily unavailable"),
                504 => ("gateway_timeout", "Gateway timeout"),
                _ => ("internal_error", "Internal server error"),
            };
            Response::error(code, code_name, message)
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            let mut r = Response::error(429, "rate_limited", "Too many requests");
            r.headers
                .push(("Retry-After".to_string(), retry_after_secs.to_string()));
            r
        }
        Some(Fault::LoseResponse) => {
            lose_response = true;
            api_route(&state, &req)
        }
        Some(Fault::Delay(d)) => {
            sleep_unless_shutdown(d, &shutdown);
            api_route(&state, &req)
        }
        Some(Fault::MalformedJson) => Response::raw(
            200,
            b"{\"id\": 5000, \"integration_id\": \"10<html>oops".to_vec(),
        ),
        Some(Fault::EmptyBody) => Response::raw(200, Vec::new()),
        Some(Fault::Huge) => Response::raw(200, huge_body()),
        Some(Fault::Respond { status, body }) => Response::raw(status, body.into_bytes()),
    };
    lock(&state).requests.push(RequestRecord {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.raw_query.clone(),
        status: resp.status,
    });
    if lose_response {
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    sleep_unless_shutdown(latency, &shutdown);
    write_response(&mut stream, &resp);
}

fn huge_body() -> Vec<u8> {
    const TARGET: usize = 5 * 1024 * 1024;
    let filler = "x".repeat(100);
    let mut s = String::with_capacity(TARGET + 256);
    s.push('[');
    let mut i: u64 = 0;
    while s.len() < TARGET {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"id\":{i},\"junk\":\"{filler}\"}}"));
        i += 1;
    }
    s.push(']');
    s.into_bytes()
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

fn control_route(state: &Mutex<State>, req: &Request) -> Response {
    match req.path.as_str() {
        "/_sandbox/state" => {
            if req.method != "GET" {
                return Response::method_not_allowed();
            }
            let st = lock(state);
            let cases: Vec<Value> = st.cases.iter().map(|c| c.body.clone()).collect();
            let appointments: Vec<Value> = st
                .appointments
                .iter()
                .map(State::appointment_json)
                .collect();
            let messages: Vec<Value> = st.messages.iter().map(|m| st.message_json(m)).collect();
            Response::json(
                200,
                &json!({"cases": cases, "appointments": appointments, "messages": messages}),
            )
        }
        "/_sandbox/messages" => {
            if req.method != "POST" {
                return Response::method_not_allowed();
            }
            let obj = match parse_object(&req.body) {
                Ok(o) => o,
                Err(r) => return r,
            };
            let integration_id = match obj.get("integration_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(_) => return Response::invalid("integration_id must be a string"),
            };
            let readable_id = match obj.get("readable_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Response::invalid("readable_id must be a string"),
            };
            let Some(content) = obj.get("content").and_then(Value::as_str) else {
                return Response::invalid("content is required");
            };
            let Some(sender_name) = obj.get("sender_name").and_then(Value::as_str) else {
                return Response::invalid("sender_name is required");
            };
            let kind = match obj.get("type") {
                None | Some(Value::Null) => "client",
                Some(Value::String(s)) if ["client", "firm", "system"].contains(&s.as_str()) => {
                    s.as_str()
                }
                Some(_) => return Response::invalid("type must be client, firm or system"),
            };
            let mut st = lock(state);
            let msg = st.add_message(NewMessage {
                kind: kind.to_string(),
                content: content.to_string(),
                sender_name: sender_name.to_string(),
                integration_id,
                readable_id,
            });
            Response::json(201, &serde_json::to_value(msg).unwrap_or(Value::Null))
        }
        _ => Response::not_found("Unknown sandbox route"),
    }
}

fn api_route(state: &Mutex<State>, req: &Request) -> Response {
    let mut st = lock(state);
    let key = req
        .header("authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("ApiKey"))
        .map(|(_, key)| key.trim());
    match key.and_then(|k| st.keys.get(k)) {
        None => return Response::error(401, "unauthorized", "Invalid API key"),
        Some(false) => {
            return Response::error(
                403,
                "api_access_disabled",
                "API access is not enabled for this account",
            )
        }
        Some(true) => {}
    }
    let Some(rest) = req.path.strip_prefix("/v1/api/") else {
        return Response::not_found("Not found");
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let m = req.method.as_str();
    match segs.as_slice() {
        ["practice_areas"] => match m {
            "GET" => with_paging(req, |p| {
                Response::json(200, &to_json(&paginate(&st.practice_areas, p)))
            }),
            _ => Response::method_not_allowed(),
        },
        ["cases"] => match m {
            "GET" => list_cases(&st, req),
            "POST" => create_case(&mut st, req),
            _ => Response::method_not_allowed(),
        },
        ["cases", id] => match (id.parse::<i64>(), m) {
            (Err(_), _) => Response::not_found("Not found"),
            (Ok(_), "PUT" | "PATCH") => {
                Response::error(405, "method_not_allowed", "Cases cannot be updated")
            }
            (Ok(_), _) => Response::method_not_allowed(),
        },
        ["cases", id, "appointments"] => match (id.parse::<i64>(), m) {
            (Err(_), _) => Response::not_found("Not found"),
            (Ok(id), "GET") => list_appointments(&st, req, id),
            (Ok(id), "POST") => create_appointment(&mut st, req, id),
            (Ok(_), _) => Response::method_not_allowed(),
        },
        ["appointments", id] => match (id.parse::<i64>(), m) {
            (Err(_), _) => Response::not_found("Not found"),
            (Ok(id), "PUT") => update_appointment(&mut st, req, id),
            (Ok(id), "DELETE") => delete_appointment(&mut st, id),
            (Ok(_), _) => Response::method_not_allowed(),
        },
        ["messages"] => match m {
            "GET" => list_messages(&st, req),
            _ => Response::method_not_allowed(),
        },
        ["messages", id, "processed"] => match (id.parse::<i64>(), m) {
            (Err(_), _) => Response::not_found("Not found"),
            (Ok(id), "POST") => match st.message_pos(id) {
                Some(pos) => {
                    st.messages[pos].processed = true;
                    Response::no_content()
                }
                None => Response::not_found(&format!("Message {id} not found")),
            },
            (Ok(_), _) => Response::method_not_allowed(),
        },
        _ => Response::not_found("Not found"),
    }
}

fn to_json<T: Serialize>(items: &[T]) -> Value {
    serde_json::to_value(items).unwrap_or(Value::Array(Vec::new()))
}

/// (page number, page size) from the query, or a 422 `invalid_paging` answer.
fn paging(req: &Request) -> Result<(usize, usize), Response> {
    let invalid = |msg: &str| Response::error(422, "invalid_paging", msg);
    let number = match req.param("page[number]") {
        None => 1,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(invalid("page[number] must be an integer of at least 1")),
        },
    };
    let size = match req.param("page[size]") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return Err(invalid("page[size] must be an integer from 1 to 100")),
        },
    };
    Ok((number, size))
}

fn with_paging(req: &Request, f: impl FnOnce((usize, usize)) -> Response) -> Response {
    match paging(req) {
        Ok(p) => f(p),
        Err(r) => r,
    }
}

fn paginate<T: Clone>(items: &[T], (number, size): (usize, usize)) -> Vec<T> {
    items
        .iter()
        // `number >= 1` is guaranteed by `paging`; saturating keeps huge pages empty.
        .skip(number.saturating_sub(1).saturating_mul(size))
        .take(size)
        .cloned()
        .collect()
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Response::invalid("Body must be a JSON object")),
        Err(e) => Err(Response::error(
            400,
            "invalid_json",
            &format!("Body is not valid JSON: {e}"),
        )),
    }
}

/// The non-empty string at a dotted path such as `client.first_name`.
fn str_at<'a>(obj: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = obj.get(first)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.trim().is_empty())
}

fn list_cases(st: &State, req: &Request) -> Response {
    with_paging(req, |p| {
        let chosen: Vec<&SandboxCase> = match req.param("integration_id") {
            Some(iid) => st
                .cases_by_iid
                .get(iid)
                .into_iter()
                .flatten()
                .filter_map(|pos| st.cases.get(*pos))
                .collect(),
            None => st.cases.iter().collect(),
        };
        let page = paginate(&chosen, p);
        Response::json(
            200,
            &Value::Array(page.iter().map(|c| c.body.clone()).collect()),
        )
    })
}

fn create_case(st: &mut State, req: &Request) -> Response {
    let obj = match parse_object(&req.body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(integration_id) = str_at(&obj, "integration_id") else {
        return Response::invalid("integration_id must be a non-empty string");
    };
    if !obj.get("readable_id").is_some_and(Value::is_string) {
        return Response::invalid("readable_id must be a string");
    }
    let Some(area_name) = obj.get("practice_area").and_then(Value::as_str) else {
        return Response::invalid("practice_area is required");
    };
    let Some(area) = st.practice_areas.iter().find(|a| a.name == area_name) else {
        return Response::error(
            422,
            "unknown_practice_area",
            &format!("Unknown practice area {area_name:?}"),
        );
    };
    let Some(stage) = obj.get("stage").and_then(Value::as_str) else {
        return Response::invalid("stage is required");
    };
    if !area.stages.iter().any(|s| s.name == stage) {
        return Response::error(
            422,
            "unknown_stage",
            &format!("Unknown stage {stage:?} for practice area {area_name:?}"),
        );
    }
    let Some(email) = str_at(&obj, "attorney.email") else {
        return Response::invalid("attorney.email is required");
    };
    if !st.users.contains(&email.to_ascii_lowercase()) {
        return Response::error(
            422,
            "attorney_not_found",
            &format!("Attorney {email} is not a CaseStatus user"),
        );
    }
    for field in ["client.first_name", "client.last_name", "client.phone"] {
        if str_at(&obj, field).is_none() {
            return Response::invalid(&format!("{field} is required"));
        }
    }
    if let Some(existing) = st
        .cases_by_iid
        .get(integration_id)
        .and_then(|ps| ps.first())
        .and_then(|p| st.cases.get(*p))
        .filter(|_| !st.allow_duplicates)
    {
        return Response::conflict(
            "duplicate_integration_id",
            &format!("A case with integration_id {integration_id} already exists"),
            existing.id,
        );
    }
    let integration_id = integration_id.to_string();
    let id = st.next_case_id;
    st.next_case_id += 1;
    let created_at = Utc::now();
    let mut body = obj;
    body.insert("id".to_string(), json!(id));
    body.insert(
        "created_at".to_string(),
        json!(created_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    let case = SandboxCase {
        id,
        integration_id,
        body: Value::Object(body),
        created_at,
    };
    let resp = Response::json(201, &case.body);
    st.cases_by_iid
        .entry(case.integration_id.clone())
        .or_default()
        .push(st.cases.len());
    st.cases.push(case);
    resp
}

fn list_appointments(st: &State, req: &Request, case_id: i64) -> Response {
    if st.case_pos(case_id).is_none() {
        return Response::not_found(&format!("Case {case_id} not found"));
    }
    with_paging(req, |p| {
        let items: Vec<&SandboxAppointment> = st.case_appointments(case_id).collect();
        let page = paginate(&items, p);
        Response::json(
            200,
            &Value::Array(page.iter().map(|a| a.body.clone()).collect()),
        )
    })
}

/// Checks an appointment body; returns its `integration_id`.
fn validate_appointment(obj: &Map<String, Value>) -> Result<String, Response> {
    let Some(integration_id) = str_at(obj, "integration_id") else {
        return Err(Response::invalid(
            "integration_id must be a non-empty string",
        ));
    };
    if obj.get("appointment_type").and_then(Value::as_str) != Some("Meeting") {
        return Err(Response::invalid("appointment_type must be \"Meeting\""));
    }
    if str_at(obj, "title").is_none() {
        return Err(Response::invalid("title is required"));
    }
    let is_time = |v: &str| DateTime::parse_from_rfc3339(v).is_ok();
    if !obj
        .get("starts_at")
        .and_then(Value::as_str)
        .is_some_and(is_time)
    {
        return Err(Response::invalid("starts_at must be an RFC 3339 time"));
    }
    match obj.get("ends_at") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if is_time(s) => {}
        Some(_) => return Err(Response::invalid("ends_at must be an RFC 3339 time")),
    }
    Ok(integration_id.to_string())
}

fn create_appointment(st: &mut State, req: &Request, case_id: i64) -> Response {
    let not_found = || Response::not_found(&format!("Case {case_id} not found"));
    let Some(case) = st.case_pos(case_id).and_then(|p| st.cases.get(p)) else {
        return not_found();
    };
    // A negative age (clock step) counts as "just created".
    let age = Utc::now()
        .signed_duration_since(case.created_at)
        .to_std()
        .unwrap_or(Duration::ZERO);
    if age < st.propagation_delay {
        return not_found();
    }
    let obj = match parse_object(&req.body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let integration_id = match validate_appointment(&obj) {
        Ok(iid) => iid,
        Err(r) => return r,
    };
    if let Some(existing) = st
        .case_appointments(case_id)
        .find(|a| !st.allow_duplicates && a.integration_id == integration_id)
    {
        return Response::conflict(
            "duplicate_integration_id",
            &format!("An appointment with integration_id {integration_id} already exists on case {case_id}"),
            existing.id,
        );
    }
    let id = st.next_appointment_id;
    st.next_appointment_id += 1;
    let mut body = obj;
    body.insert("id".to_string(), json!(id));
    body.insert("case_id".to_string(), json!(case_id));
    let appt = SandboxAppointment {
        id,
        case_id,
        integration_id,
        body: Value::Object(body),
        deleted: false,
    };
    let resp = Response::json(201, &appt.body);
    st.appointments_by_case
        .entry(case_id)
        .or_default()
        .push(st.appointments.len());
    st.appointments.push(appt);
    resp
}

fn update_appointment(st: &mut State, req: &Request, id: i64) -> Response {
    let Some(idx) = st.appointment_pos(id) else {
        return Response::not_found(&format!("Appointment {id} not found"));
    };
    let obj = match parse_object(&req.body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let integration_id = match validate_appointment(&obj) {
        Ok(iid) => iid,
        Err(r) => return r,
    };
    // In bounds: `idx` came from `position` and nothing was removed since.
    let case_id = st.appointments[idx].case_id;
    if let Some(other) = st
        .case_appointments(case_id)
        .find(|a| a.id != id && a.integration_id == integration_id)
    {
        return Response::conflict(
            "duplicate_integration_id",
            &format!("An appointment with integration_id {integration_id} already exists on case {case_id}"),
            other.id,
        );
    }
    let appt = &mut st.appointments[idx];
    if let Value::Object(stored) = &mut appt.body {
        for (k, v) in obj {
            if k != "id" && k != "case_id" {
                stored.insert(k, v);
            }
        }
    }
    appt.integration_id = integration_id;
    Response::json(200, &appt.body)
}

fn delete_appointment(st: &mut State, id: i64) -> Response {
    match st.appointment_pos(id) {
        Some(pos) => {
            st.appointments[pos].deleted = true;
            Response::no_content()
        }
        None => Response::not_found(&format!("Appointment {id} not found")),
    }
}

fn list_messages(st: &State, req: &Request) -> Response {
    let filter = match req.param("processed") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Response::invalid("processed must be true or false"),
    };
    with_paging(req, |p| {
        let items: Vec<&SandboxMessage> = st
            .messages
            .iter()
            .filter(|m| filter.is_none_or(|f| m.processed == f))
            .collect();
        let page = paginate(&items, p);
        Response::json(
            200,
            &Value::Array(page.iter().map(|m| st.message_json(m)).collect()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::blocking::{Client, RequestBuilder};
    use std::time::Instant;

    fn client() -> Client {
        Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    fn authed(rb: RequestBuilder) -> RequestBuilder {
        rb.header("Authorization", format!("ApiKey {}", Sandbox::DEMO_KEY))
    }

    fn parse(resp: reqwest::blocking::Response) -> (u16, Value) {
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }

    fn get(sb: &Sandbox, path: &str) -> (u16, Value) {
        parse(
            authed(client().get(format!("{}{path}", sb.base_url())))
                .send()
                .unwrap(),
        )
    }

    fn send(sb: &Sandbox, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        parse(
            authed(client().request(method, format!("{}{path}", sb.base_url())))
                .json(body)
                .send()
                .unwrap(),
        )
    }

    fn post(sb: &Sandbox, path: &str, body: &Value) -> (u16, Value) {
        send(sb, "POST", path, body)
    }

    fn case_body(iid: &str) -> Value {
        json!({"integration_id": iid, "readable_id": format!("WC-2026-{iid}"),
            "practice_area": "Workers' Compensation", "stage": "Treatment",
            "opened_on": "2026-01-05", "closed_on": null,
            "attorney": {"name": "Dana Reyes", "email": "dreyes@firm.example"},
            "paralegal_email": "pat@firm.example",
            "client": {"first_name": "Maria", "last_name": "Lopez", "phone": "+1 512 555 0142",
                "email": null, "date_of_birth": "1980-03-14"},
            "deep_link": format!("https://acme.fluentcase.com/matters/{iid}")})
    }

    fn appt_body(iid: &str, title: &str) -> Value {
        json!({"integration_id": iid, "appointment_type": "Meeting", "title": title,
            "starts_at": "2026-12-03T15:00:00Z", "ends_at": "2026-12-03T16:00:00Z",
            "all_day": false, "notes": "Bring ID", "location": "123 Main St", "meeting_url": null})
    }

    fn code(v: &Value) -> &str {
        v["error"]["code"].as_str().unwrap_or("")
    }

    /// Sends raw bytes and returns whatever the server answered.
    fn raw(sb: &Sandbox, bytes: &[u8]) -> String {
        let mut s = TcpStream::connect(sb.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(bytes).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn auth_401_and_403() {
        let sb = Sandbox::demo(0).unwrap();
        let url = format!("{}/v1/api/practice_areas", sb.base_url());
        let (s, v) = parse(client().get(&url).send().unwrap());
        assert_eq!(s, 401);
        assert_eq!(
            v,
            json!({"error": {"code": "unauthorized", "message": "Invalid API key"}})
        );
        let (s, _) = parse(
            client()
                .get(&url)
                .header("Authorization", "ApiKey nope")
                .send()
                .unwrap(),
        );
        assert_eq!(s, 401);
        let (s, _) = parse(
            client()
                .get(&url)
                .header("Authorization", format!("Bearer {}", Sandbox::DEMO_KEY))
                .send()
                .unwrap(),
        );
        assert_eq!(s, 401);
        let (s, v) = parse(
            client()
                .get(&url)
                .header("authorization", "ApiKey sandbox-no-api-key")
                .send()
                .unwrap(),
        );
        assert_eq!(s, 403);
        assert_eq!(code(&v), "api_access_disabled");
        // Auth comes before routing.
        let (s, _) = parse(
            client()
                .get(format!("{}/v1/api/nowhere", sb.base_url()))
                .send()
                .unwrap(),
        );
        assert_eq!(s, 401);
        let (s, v) = get(&sb, "/v1/api/nowhere");
        assert_eq!((s, code(&v)), (404, "not_found"));
        let (s, v) = send(&sb, "DELETE", "/v1/api/practice_areas", &json!({}));
        assert_eq!((s, code(&v)), (405, "method_not_allowed"));
    }

    #[test]
    fn practice_areas_listing() {
        let sb = Sandbox::demo(0).unwrap();
        let (s, v) = get(&sb, "/v1/api/practice_areas");
        assert_eq!(s, 200);
        let areas: Vec<PracticeArea> = serde_json::from_value(v).unwrap();
        assert_eq!(areas, sb.practice_areas());
        let ids: Vec<i64> = areas.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![12, 13, 14]);
        assert_eq!(areas[0].name, "Workers' Compensation");
        assert_eq!(
            areas[0].stages[0],
            Stage {
                id: 101,
                name: "Intake".into(),
                position: 1
            }
        );
        assert_eq!(areas[2].stages.last().unwrap().id, 111);
        assert_eq!(areas[1].stages[2].name, "Litigation");
        let (_, v) = get(&sb, "/v1/api/practice_areas?page[size]=2&page[number]=2");
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["id"], 14);
    }

    #[test]
    fn paging() {
        let sb = Sandbox::demo(0).unwrap();
        for i in 0..25 {
            let (s, _) = post(&sb, "/v1/api/cases", &case_body(&format!("{}", 1000 + i)));
            assert_eq!(s, 201);
        }
        let mut lens = Vec::new();
        let mut ids = Vec::new();
        for n in 1..=4 {
            // Mix encoded and raw brackets.
            let path = if n % 2 == 0 {
                format!("/v1/api/cases?page%5Bnumber%5D={n}&page%5Bsize%5D=10")
            } else {
                format!("/v1/api/cases?page[number]={n}&page[size]=10")
            };
            let (s, v) = get(&sb, &path);
            assert_eq!(s, 200);
            let arr = v.as_array().unwrap();
            lens.push(arr.len());
            ids.extend(arr.iter().map(|c| c["id"].as_i64().unwrap()));
        }
        assert_eq!(lens, vec![10, 10, 5, 0]);
        assert_eq!(ids, (5000..5025).collect::<Vec<_>>());
        // reqwest's own query encoding.
        let resp = authed(client().get(format!("{}/v1/api/cases", sb.base_url())))
            .query(&[("page[number]", "3"), ("page[size]", "10")])
            .send()
            .unwrap();
        assert_eq!(parse(resp).1.as_array().unwrap().len(), 5);
        // Default size 10.
        assert_eq!(get(&sb, "/v1/api/cases").1.as_array().unwrap().len(), 10);
        for bad in [
            "page[size]=101",
            "page[size]=0",
            "page[size]=abc",
            "page[number]=0",
        ] {
            let (s, v) = get(&sb, &format!("/v1/api/cases?{bad}"));
            assert_eq!((s, code(&v)), (422, "invalid_paging"), "{bad}");
        }
        assert_eq!(
            get(&sb, "/v1/api/cases?page[size]=100")
                .1
                .as_array()
                .unwrap()
                .len(),
            25
        );
    }

    #[test]
    fn case_create_duplicate_and_filter() {
        let sb = Sandbox::demo(0).unwrap();
        let (s, v) = post(&sb, "/v1/api/cases", &case_body("1042"));
        assert_eq!(s, 201);
        assert_eq!(v["id"], 5000);
        assert_eq!(v["readable_id"], "WC-2026-1042");
        assert_eq!(v["client"]["first_name"], "Maria");
        let created = v["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z') && created.len() == 20, "{created}");
        let (s, v2) = post(&sb, "/v1/api/cases", &case_body("1042"));
        assert_eq!(s, 409);
        assert_eq!(code(&v2), "duplicate_integration_id");
        assert_eq!(v2["id"], 5000);
        assert_eq!(sb.cases().len(), 1);
        assert_eq!(sb.cases()[0].body, v);
        let (_, list) = get(&sb, "/v1/api/cases?integration_id=1042");
        assert_eq!(list, json!([v]));
        let (_, list) = get(&sb, "/v1/api/cases?integration_id=9999");
        assert_eq!(list, json!([]));
        // Case JSON round-trips through serde.
        let c: SandboxCase =
            serde_json::from_value(serde_json::to_value(&sb.cases()[0]).unwrap()).unwrap();
        assert_eq!(c.id, 5000);
    }

    #[test]
    fn case_validation_and_no_updates() {
        let sb = Sandbox::demo(0).unwrap();
        let check = |body: Value, status: u16, want: &str| {
            let (s, v) = post(&sb, "/v1/api/cases", &body);
            assert_eq!((s, code(&v)), (status, want), "{v}");
            v
        };
        let mut b = case_body("1");
        b["practice_area"] = json!("workers' compensation");
        check(b, 422, "unknown_practice_area");
        let mut b = case_body("1");
        b["stage"] = json!("Litigation");
        check(b, 422, "unknown_stage");
        let mut b = case_body("1");
        b["stage"] = json!("treatment");
        check(b, 422, "unknown_stage");
        let mut b = case_body("1");
        b["attorney"]["email"] = json!("nobody@firm.example");
        let v = check(b, 422, "attorney_not_found");
        assert_eq!(
            v["error"]["message"],
            "Attorney nobody@firm.example is not a CaseStatus user"
        );
        for field in ["first_name", "last_name", "phone"] {
            let mut b = case_body("1");
            b["client"][field] = json!("");
            let v = check(b, 422, "validation_failed");
            assert!(v["error"]["message"].as_str().unwrap().contains(field));
        }
        let mut b = case_body("1");
        b["client"].as_object_mut().unwrap().remove("phone");
        check(b, 422, "validation_failed");
        let mut b = case_body("1");
        b["integration_id"] = json!("");
        check(b, 422, "validation_failed");
        let mut b = case_body("1");
        b["integration_id"] = json!(1);
        check(b, 422, "validation_failed");
        check(json!([1, 2]), 422, "validation_failed");
        let (s, v) = parse(
            authed(client().post(format!("{}/v1/api/cases", sb.base_url())))
                .body("{not json")
                .send()
                .unwrap(),
        );
        assert_eq!((s, code(&v)), (400, "invalid_json"));
        assert!(sb.cases().is_empty());
        let (s, _) = post(&sb, "/v1/api/cases", &case_body("1"));
        assert_eq!(s, 201);
        for m in ["PUT", "PATCH"] {
            let (s, v) = send(&sb, m, "/v1/api/cases/5000", &case_body("1"));
            assert_eq!((s, code(&v)), (405, "method_not_allowed"));
            assert_eq!(v["error"]["message"], "Cases cannot be updated");
        }
    }

    #[test]
    fn appointments_lifecycle() {
        let sb = Sandbox::demo(0).unwrap();
        post(&sb, "/v1/api/cases", &case_body("1042"));
        let (s, v) = post(
            &sb,
            "/v1/api/cases/4999/appointments",
            &appt_body("77", "Deposition"),
        );
        assert_eq!((s, code(&v)), (404, "not_found"));
        assert_eq!(get(&sb, "/v1/api/cases/4999/appointments").0, 404);
        let (s, a) = post(
            &sb,
            "/v1/api/cases/5000/appointments",
            &appt_body("77", "Deposition"),
        );
        assert_eq!(s, 201);
        assert_eq!(a["id"], 8000);
        assert_eq!(a["case_id"], 5000);
        assert_eq!(a["location"], "123 Main St");
        let (s, v) = post(
            &sb,
            "/v1/api/cases/5000/appointments",
            &appt_body("77", "Other"),
        );
        assert_eq!(
            (s, code(&v), v["id"].as_i64()),
            (409, "duplicate_integration_id", Some(8000))
        );
        // Validation.
        let mut b = appt_body("78", "X");
        b["appointment_type"] = json!("Call");
        assert_eq!(post(&sb, "/v1/api/cases/5000/appointments", &b).0, 422);
        let mut b = appt_body("78", "X");
        b["starts_at"] = json!("tomorrow");
        let (s, v) = post(&sb, "/v1/api/cases/5000/appointments", &b);
        assert_eq!((s, code(&v)), (422, "validation_failed"));
        let mut b = appt_body("78", "X");
        b.as_object_mut().unwrap().remove("title");
        assert_eq!(post(&sb, "/v1/api/cases/5000/appointments", &b).0, 422);
        let (s, list) = get(&sb, "/v1/api/cases/5000/appointments");
        assert_eq!((s, list), (200, json!([a])));
        // Update.
        let mut b = appt_body("77", "Deposition (moved)");
        b["location"] = Value::Null;
        b["meeting_url"] = json!("https://meet.example/x");
        let (s, u) = send(&sb, "PUT", "/v1/api/appointments/8000", &b);
        assert_eq!(s, 200);
        assert_eq!(u["title"], "Deposition (moved)");
        assert_eq!(u["id"], 8000);
        assert_eq!(u["case_id"], 5000);
        assert_eq!(u["meeting_url"], "https://meet.example/x");
        let mut bad = b.clone();
        bad["appointment_type"] = json!("Call");
        assert_eq!(send(&sb, "PUT", "/v1/api/appointments/8000", &bad).0, 422);
        assert_eq!(send(&sb, "PUT", "/v1/api/appointments/8999", &b).0, 404);
        assert_eq!(get(&sb, "/v1/api/cases/5000/appointments").1, json!([u]));
        // Delete.
        let (s, v) = send(&sb, "DELETE", "/v1/api/appointments/8000", &json!(null));
        assert_eq!((s, v), (204, Value::Null));
        let (s, v) = send(&sb, "DELETE", "/v1/api/appointments/8000", &json!(null));
        assert_eq!((s, code(&v)), (404, "not_found"));
        assert_eq!(send(&sb, "PUT", "/v1/api/appointments/8000", &b).0, 404);
        assert_eq!(get(&sb, "/v1/api/cases/5000/appointments").1, json!([]));
        let all = sb.appointments();
        assert_eq!(all.len(), 1);
        assert!(all[0].deleted);
        // The integration id is free again once deleted.
        let (s, a2) = post(
            &sb,
            "/v1/api/cases/5000/appointments",
            &appt_body("77", "Again"),
        );
        assert_eq!((s, a2["id"].as_i64()), (201, Some(8001)));
    }

    #[test]
    fn propagation_delay() {
        let sb = Sandbox::demo(0).unwrap();
        sb.set_propagation_delay(Duration::from_secs(60));
        post(&sb, "/v1/api/cases", &case_body("1042"));
        let (s, v) = post(
            &sb,
            "/v1/api/cases/5000/appointments",
            &appt_body("77", "Deposition"),
        );
        assert_eq!((s, code(&v)), (404, "not_found"));
        assert!(sb.appointments().is_empty());
        sb.set_propagation_delay(Duration::ZERO);
        let (s, _) = post(
            &sb,
            "/v1/api/cases/5000/appointments",
            &appt_body("77", "Deposition"),
        );
        assert_eq!(s, 201);
    }

    #[test]
    fn messages_list_and_processed() {
        let sb = Sandbox::demo(0).unwrap();
        post(&sb, "/v1/api/cases", &case_body("1042"));
        let m1 = sb.add_message(NewMessage::client("1042", "Maria Lopez", "Hi"));
        assert_eq!(m1.readable_id.as_deref(), Some("WC-2026-1042"));
        let m2 = sb.add_message(NewMessage {
            kind: "firm".into(),
            content: "Hello".into(),
            sender_name: "Dana".into(),
            integration_id: Some("2000".into()),
            readable_id: Some("PI-1".into()),
        });
        let m3 = sb.add_message(NewMessage {
            kind: "system".into(),
            content: "Sys".into(),
            sender_name: "CaseStatus".into(),
            integration_id: None,
            readable_id: None,
        });
        let (s, v) = get(&sb, "/v1/api/messages?processed=false");
        assert_eq!(s, 200);
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 3);
        assert_eq!(arr[0]["id"], m1.id);
        assert_eq!(arr[0]["type"], "client");
        assert_eq!(arr[0]["readable_id"], "WC-2026-1042");
        assert_eq!(arr[0]["sender_name"], "Maria Lopez");
        assert_eq!(arr[0]["integration_id"], "1042");
        for k in ["content", "sent_at", "created_at"] {
            assert!(arr[0][k].is_string(), "{k}");
        }
        assert_eq!(arr[1]["readable_id"], "PI-1");
        assert_eq!(arr[2]["readable_id"], Value::Null);
        let path = format!("/v1/api/messages/{}/processed", m2.id);
        assert_eq!(post(&sb, &path, &json!({})).0, 204);
        assert_eq!(post(&sb, &path, &json!({})).0, 204);
        assert_eq!(post(&sb, "/v1/api/messages/1/processed", &json!({})).0, 404);
        let ids = |v: Value| -> Vec<i64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(
            ids(get(&sb, "/v1/api/messages?processed=false").1),
            vec![m1.id, m3.id]
        );
        assert_eq!(
            ids(get(&sb, "/v1/api/messages?processed=true").1),
            vec![m2.id]
        );
        assert_eq!(ids(get(&sb, "/v1/api/messages").1).len(), 3);
        assert!(sb.messages()[1].processed);
        // Control routes need no key.
        let c = client();
        let (s, m) = parse(
            c.post(format!("{}/_sandbox/messages", sb.base_url()))
                .json(&json!({"integration_id": "1042", "sender_name": "Maria Lopez", "content": "Again"}))
                .send()
                .unwrap(),
        );
        assert_eq!(s, 201);
        assert_eq!(
            (m["type"].as_str(), m["readable_id"].as_str()),
            (Some("client"), Some("WC-2026-1042"))
        );
        let (s, state) = parse(
            c.get(format!("{}/_sandbox/state", sb.base_url()))
                .send()
                .unwrap(),
        );
        assert_eq!(s, 200);
        assert_eq!(state["cases"].as_array().unwrap().len(), 1);
        assert_eq!(state["messages"].as_array().unwrap().len(), 4);
        assert_eq!(state["appointments"], json!([]));
    }

    #[test]
    fn faults_status_429_and_queueing() {
        let sb = Sandbox::demo(0).unwrap();
        sb.inject(Route::new("POST", "/v1/api/cases"), Fault::Status(503), 2);
        sb.inject(
            Route::any(),
            Fault::TooManyRequests {
                retry_after_secs: 7,
            },
            1,
        );
        // GET does not match the POST fault, takes the 429.
        let resp = authed(client().get(format!("{}/v1/api/practice_areas", sb.base_url())))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 429);
        assert_eq!(resp.headers()["retry-after"], "7");
        assert_eq!(code(&parse(resp).1), "rate_limited");
        for _ in 0..2 {
            let (s, v) = post(&sb, "/v1/api/cases", &case_body("1"));
            assert_eq!((s, code(&v)), (503, "service_unavailable"));
        }
        assert!(sb.cases().is_empty());
        assert_eq!(post(&sb, "/v1/api/cases", &case_body("1")).0, 201);
        sb.inject(Route::any(), Fault::Status(500), 5);
        sb.clear_faults();
        assert_eq!(get(&sb, "/v1/api/practice_areas").0, 200);
    }

    #[test]
    fn fault_lose_response_does_the_work() {
        let sb = Sandbox::demo(0).unwrap();
        sb.inject(Route::new("post", "/v1/api/cases"), Fault::LoseResponse, 1);
        let err = authed(client().post(format!("{}/v1/api/cases", sb.base_url())))
            .json(&case_body("1042"))
            .send();
        assert!(err.is_err(), "{err:?}");
        assert_eq!(sb.cases().len(), 1);
        assert_eq!(sb.requests().last().unwrap().status, 201);
        let (s, v) = post(&sb, "/v1/api/cases", &case_body("1042"));
        assert_eq!((s, v["id"].as_i64()), (409, Some(5000)));
    }

    #[test]
    fn fault_delay_exceeds_client_timeout() {
        let sb = Sandbox::demo(0).unwrap();
        sb.inject(
            Route::new("GET", "/v1/api/practice_areas"),
            Fault::Delay(Duration::from_millis(800)),
            1,
        );
        let c = Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let res = authed(c.get(format!("{}/v1/api/practice_areas", sb.base_url()))).send();
        assert!(res.unwrap_err().is_timeout());
        assert_eq!(get(&sb, "/v1/api/practice_areas").0, 200);
    }

    #[test]
    fn fault_bad_bodies() {
        let sb = Sandbox::demo(0).unwrap();
        sb.inject(Route::new("POST", "/v1/api/cases"), Fault::MalformedJson, 1);
        sb.inject(Route::new("POST", "/v1/api/cases"), Fault::EmptyBody, 1);
        sb.inject(Route::new("POST", "/v1/api/cases"), Fault::Huge, 1);
        let send_raw = || {
            let resp = authed(client().post(format!("{}/v1/api/cases", sb.base_url())))
                .json(&case_body("1"))
                .send()
                .unwrap();
            (resp.status().as_u16(), resp.bytes().unwrap())
        };
        let (s, body) = send_raw();
        assert_eq!(s, 200);
        assert!(serde_json::from_slice::<Value>(&body).is_err());
        let (s, body) = send_raw();
        assert_eq!((s, body.len()), (200, 0));
        let (s, body) = send_raw();
        assert_eq!(s, 200);
        assert!(body.len() >= 5 * 1024 * 1024);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(v.as_array().unwrap().len() > 1000);
        assert!(sb.cases().is_empty());
        assert_eq!(send_raw().0, 201);
    }

    #[test]
    fn latency_is_added() {
        let sb = Sandbox::demo(0).unwrap();
        sb.set_latency(Duration::from_millis(150));
        let t = Instant::now();
        assert_eq!(get(&sb, "/v1/api/practice_areas").0, 200);
        assert!(t.elapsed() >= Duration::from_millis(150));
    }

    #[test]
    fn requests_log() {
        let sb = Sandbox::demo(0).unwrap();
        get(&sb, "/v1/api/cases?integration_id=1042");
        post(&sb, "/v1/api/cases", &case_body("1042"));
        parse(
            client()
                .get(format!("{}/_sandbox/state", sb.base_url()))
                .send()
                .unwrap(),
        );
        assert_eq!(
            sb.requests(),
            vec![
                RequestRecord {
                    method: "GET".into(),
                    path: "/v1/api/cases".into(),
                    query: "integration_id=1042".into(),
                    status: 200
                },
                RequestRecord {
                    method: "POST".into(),
                    path: "/v1/api/cases".into(),
                    query: String::new(),
                    status: 201
                },
            ]
        );
        sb.clear_requests();
        assert!(sb.requests().is_empty());
    }

    #[test]
    fn malformed_requests_get_400_and_server_survives() {
        let sb = Sandbox::demo(0).unwrap();
        let out = raw(&sb, b"GARBAGE\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        assert!(out.contains("Connection: close"));
        assert!(out.contains("\"bad_request\""));
        for junk in [
            &b"GET /v1/api/cases HTTP/1.1\r\nNoColonHere\r\n\r\n"[..],
            b"GET v1 HTTP/1.1\r\n\r\n",
            b"get /x HTTP/1.1\r\n\r\n",
            b"GET /x HTTP/9\r\n\r\n",
            b"POST /v1/api/cases HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
            b"GET /x HTTP/1.1\r\nHost: a",
        ] {
            let out = raw(&sb, junk);
            assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
        }
        let out = raw(
            &sb,
            b"POST /v1/api/cases HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n",
        );
        assert!(out.starts_with("HTTP/1.1 413 "), "{out}");
        // Closing without sending anything is harmless.
        drop(TcpStream::connect(sb.addr()).unwrap());
        assert_eq!(get(&sb, "/v1/api/practice_areas").0, 200);
        assert!(sb.requests().len() == 1);
    }

    #[test]
    fn drop_shuts_down() {
        let sb = Sandbox::start(0).unwrap();
        let addr = sb.addr();
        assert_eq!(sb.base_url(), format!("http://127.0.0.1:{}", addr.port()));
        drop(sb);
        assert!(TcpStream::connect(addr).is_err());
    }
}

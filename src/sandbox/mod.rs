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
//!
//! # Many firms, one sandbox
//!
//! Each API key names an account (see `accounts.rs`): the demo key and
//! registered keys share the demo account; on a [`Sandbox::demo`] sandbox
//! any other `sandbox-…` key gets its own on first use, so a fleet of firms
//! can be tried and tested against one sandbox.

mod accounts;
mod hold;
mod http;
mod quirks;
mod routes;
pub mod sample;
#[cfg(test)]
mod tests;

use http::*;
use routes::*;

use accounts::{PendingFault, State};
pub use hold::Hold;
use hold::HoldState;
pub use quirks::Quirks;

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
    /// RFC 3339 UTC time the message was sent; None (answered as null) for
    /// one stored without it, as CaseStatus may (`POST /_sandbox/messages`
    /// with `"sent_at": null`).
    pub sent_at: Option<String>,
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

/// One CaseStatus account's data: what a key sees (see `accounts.rs`).
struct Account {
    practice_areas: Vec<PracticeArea>,
    users: HashSet<String>,
    cases: Vec<SandboxCase>,
    appointments: Vec<SandboxAppointment>,
    messages: Vec<SandboxMessage>,
    next_case_id: i64,
    next_appointment_id: i64,
    next_message_id: i64,
    propagation_delay: Duration,
    /// When true, creates never answer 409: tests use it to prove the tool
    /// prevents duplicates itself instead of relying on CaseStatus.
    allow_duplicates: bool,
    /// Indexes so the benchmark's 100,000-record firm stays fast: cases by
    /// integration id, appointments by case (positions in the vectors).
    cases_by_iid: HashMap<String, Vec<usize>>,
    appointments_by_case: HashMap<i64, Vec<usize>>,
    /// How far the case listing is rotated ([`Quirks::reorder_listing`]).
    listing_rotation: usize,
}

impl Account {
    fn new() -> Account {
        Account {
            practice_areas: Vec::new(),
            users: HashSet::new(),
            cases: Vec::new(),
            appointments: Vec::new(),
            messages: Vec::new(),
            next_case_id: FIRST_CASE_ID,
            next_appointment_id: FIRST_APPOINTMENT_ID,
            next_message_id: FIRST_MESSAGE_ID,
            propagation_delay: Duration::ZERO,
            allow_duplicates: false,
            cases_by_iid: HashMap::new(),
            appointments_by_case: HashMap::new(),
            listing_rotation: 0,
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

    fn add_message(&mut self, m: NewMessage) -> SandboxMessage {
        self.add_message_sent(m, true)
    }

    /// Store a message; `sent` false leaves `sent_at` out (null).
    fn add_message_sent(&mut self, m: NewMessage, sent: bool) -> SandboxMessage {
        let now = now_rfc3339();
        let msg = SandboxMessage {
            id: self.next_message_id,
            kind: m.kind,
            content: m.content,
            sender_name: m.sender_name,
            integration_id: m.integration_id,
            readable_id: m.readable_id,
            sent_at: sent.then(|| now.clone()),
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

    fn resolved_messages(&self) -> Vec<SandboxMessage> {
        self.messages
            .iter()
            .map(|m| self.resolve_message(m))
            .collect()
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

    /// start(port) plus demo data: key DEMO_KEY (api enabled), a key "sandbox-no-api-key" with api disabled,
    /// any other `sandbox-…` key an account of its own on first use (see `accounts.rs`), practice areas
    /// "Workers' Compensation" (stages Intake, Treatment, Settlement, Closed), "Personal Injury" (Intake, Investigation, Litigation, Settlement), "Family Law" (Consultation, Filing, Resolution),
    /// with stable ids (areas 12, 13, 14; stages 101.. in order), and known attorney users dreyes@firm.example, mchen@firm.example, jokafor@firm.example.
    pub fn demo(port: u16) -> std::io::Result<Sandbox> {
        let sb = Sandbox::start(port)?;
        sb.add_api_key(Sandbox::DEMO_KEY, true);
        sb.add_api_key("sandbox-no-api-key", false);
        let mut st = lock(&sb.state);
        st.demo = Account::with_demo_data();
        st.open_accounts = true;
        drop(st);
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
        lock(&self.state).demo.practice_areas = areas;
    }

    /// The current practice areas.
    pub fn practice_areas(&self) -> Vec<PracticeArea> {
        lock(&self.state).demo.practice_areas.clone()
    }

    /// Registers a CaseStatus user; cases may only name known users as attorney
    /// (emails compare case-insensitively).
    pub fn add_user(&self, email: &str) {
        lock(&self.state)
            .demo
            .users
            .insert(email.to_ascii_lowercase());
    }

    /// Stores a message (unprocessed; `sent_at`/`created_at` = now) and returns it.
    pub fn add_message(&self, message: NewMessage) -> SandboxMessage {
        lock(&self.state).demo.add_message(message)
    }

    /// All cases, by id.
    pub fn cases(&self) -> Vec<SandboxCase> {
        lock(&self.state).demo.cases.clone()
    }

    /// All appointments, by id, including deleted ones (see `deleted`).
    pub fn appointments(&self) -> Vec<SandboxAppointment> {
        lock(&self.state).demo.appointments.clone()
    }

    /// All messages, by id, with `readable_id` resolved as the API reports it.
    pub fn messages(&self) -> Vec<SandboxMessage> {
        lock(&self.state).demo.resolved_messages()
    }

    /// As [`Sandbox::add_message`], in the account of `key` (see `accounts.rs`).
    pub fn add_message_for(&self, key: &str, message: NewMessage) -> SandboxMessage {
        lock(&self.state)
            .account_for_helper(key)
            .add_message(message)
    }

    /// As [`Sandbox::cases`], in the account of `key`.
    pub fn cases_for(&self, key: &str) -> Vec<SandboxCase> {
        lock(&self.state).account_for_helper(key).cases.clone()
    }

    /// As [`Sandbox::appointments`], in the account of `key`.
    pub fn appointments_for(&self, key: &str) -> Vec<SandboxAppointment> {
        lock(&self.state)
            .account_for_helper(key)
            .appointments
            .clone()
    }

    /// As [`Sandbox::messages`], in the account of `key`.
    pub fn messages_for(&self, key: &str) -> Vec<SandboxMessage> {
        lock(&self.state)
            .account_for_helper(key)
            .resolved_messages()
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

    /// For this long after a case is created in the demo account, creating appointments on it answers 404.
    pub fn set_propagation_delay(&self, delay: Duration) {
        lock(&self.state).demo.propagation_delay = delay;
    }

    /// Stop answering 409 (in the demo account) for a repeated `integration_id` on creates, so a
    /// duplicate the tool sent is stored and can be counted.
    pub fn set_allow_duplicates(&self, allow: bool) {
        lock(&self.state).demo.allow_duplicates = allow;
    }

    /// Give a case of the demo account another `integration_id`, as a
    /// person editing it in CaseStatus would (a look-up by the old one
    /// then misses it; deleting would renumber the sandbox's cases).
    pub fn retag_case(&self, case_id: i64, integration_id: &str) {
        let mut st = lock(&self.state);
        let account = &mut st.demo;
        let Some(pos) = account.case_pos(case_id) else {
            return;
        };
        let old = std::mem::replace(
            &mut account.cases[pos].integration_id,
            integration_id.to_string(),
        );
        if let Value::Object(body) = &mut account.cases[pos].body {
            body.insert("integration_id".into(), json!(integration_id));
        }
        if let Some(ps) = account.cases_by_iid.get_mut(&old) {
            ps.retain(|p| *p != pos);
        }
        account
            .cases_by_iid
            .entry(integration_id.to_string())
            .or_default()
            .push(pos);
    }

    /// Hold requests on `route` after their work is done, before their
    /// answer: the first `skip` matching requests pass, the next `times`
    /// wait until the returned [`Hold`] is released (or dropped). A test
    /// kills the tool once [`Hold::wait_arrived`] says it is there.
    pub fn hold(&self, route: Route, skip: usize, times: usize) -> Hold {
        let state = Arc::new(HoldState::new(route, skip, times));
        lock(&self.state).holds.push(Arc::clone(&state));
        Hold(state)
    }

    /// Depart from the assumed contract in these ways from now on (see [`Quirks`]).
    pub fn set_quirks(&self, quirks: Quirks) {
        lock(&self.state).quirks = quirks;
    }

    /// The next `times` requests matching `route` get `fault` (faults queue in order of registration; a request takes the first matching entry).
    pub fn inject(&self, route: Route, fault: Fault, times: usize) {
        if times > 0 {
            lock(&self.state).faults.push(PendingFault {
                route,
                key: None,
                fault,
                times,
            });
        }
    }

    /// As [`Sandbox::inject`], for requests with API key `key` only (one
    /// firm of a fleet hangs or fails while the others go on).
    pub fn inject_for(&self, key: &str, route: Route, fault: Fault, times: usize) {
        if times > 0 {
            lock(&self.state).faults.push(PendingFault {
                route,
                key: Some(key.to_string()),
                fault,
                times,
            });
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

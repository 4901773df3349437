//! The sandbox's HTTP/1.1 server, by hand on a `TcpListener` so faults can
//! act at the socket (answer nothing after the work is done, stall, send
//! garbage). A test tool: small, bounded, never for production traffic.

use super::*;

// ---------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------

pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) raw_query: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Request {
    /// Header value by case-insensitive name (first occurrence).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Decoded query parameter (first occurrence).
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) struct Response {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Response {
    pub(super) fn json(status: u16, value: &Value) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: value.to_string().into_bytes(),
        }
    }

    pub(super) fn raw(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub(super) fn no_content() -> Response {
        Response::raw(204, Vec::new())
    }

    pub(super) fn error(status: u16, code: &str, message: &str) -> Response {
        Response::json(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    }

    pub(super) fn conflict(code: &str, message: &str, id: i64) -> Response {
        Response::json(
            409,
            &json!({"error": {"code": code, "message": message}, "id": id}),
        )
    }

    pub(super) fn not_found(message: &str) -> Response {
        Response::error(404, "not_found", message)
    }

    pub(super) fn method_not_allowed() -> Response {
        Response::error(405, "method_not_allowed", "Method not allowed")
    }

    pub(super) fn invalid(message: &str) -> Response {
        Response::error(422, "validation_failed", message)
    }
}

pub(super) fn reason(status: u16) -> &'static str {
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

pub(super) fn write_response(stream: &mut TcpStream, resp: &Response) {
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
pub(super) fn drain(stream: &mut TcpStream) {
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

pub(super) fn find_subslice(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The query's pairs, decoded as a form is (`+` a space, `%XX` a byte,
/// invalid UTF-8 replaced) by `form_urlencoded`, as `url` decodes them.
pub(super) fn parse_query(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Reads one request. `Ok(None)`: the peer closed without sending anything
/// (e.g. the shutdown wake-up connection). `Err`: answer this and close.
pub(super) fn read_request(stream: &mut TcpStream) -> Result<Option<Request>, Response> {
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

pub(super) fn handle_connection(
    mut stream: TcpStream,
    state: Arc<Mutex<State>>,
    shutdown: Arc<AtomicBool>,
) {
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
        (
            st.take_fault(&req.method, &req.path, api_key(&req)),
            st.latency,
        )
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
    // A test may hold this answer (the work is done) until it has killed
    // the tool; the state lock is not held while waiting.
    let held = {
        let st = lock(&state);
        st.holds
            .iter()
            .find(|h| h.route.matches(&req.method, &req.path) && h.take())
            .cloned()
    };
    if let Some(h) = held {
        h.wait_for_release(&shutdown);
    }
    sleep_unless_shutdown(latency, &shutdown);
    write_response(&mut stream, &resp);
}

pub(super) fn huge_body() -> Vec<u8> {
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

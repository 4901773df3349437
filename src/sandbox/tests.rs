//! The sandbox against SPEC §4, over real HTTP.

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

#[test]
fn a_query_decodes_as_a_form_does() {
    // `+` is a space in a query (application/x-www-form-urlencoded); `%2B` a plus.
    assert_eq!(
        http::parse_query("q=Maria+Lopez&tag=a%2Bb&empty&k%20x=%E2%9C%93"),
        vec![
            ("q".to_string(), "Maria Lopez".to_string()),
            ("tag".to_string(), "a+b".to_string()),
            ("empty".to_string(), String::new()),
            ("k x".to_string(), "✓".to_string()),
        ]
    );
}

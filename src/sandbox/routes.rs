//! The sandbox's routes: SPEC §4's API over its in-memory state, and the
//! `/_sandbox/...` control routes that tests and people use to inspect it.

use super::accounts::account_for_control;
use super::*;

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

pub(super) fn control_route(state: &Mutex<State>, req: &Request) -> Response {
    match req.path.as_str() {
        "/_sandbox/state" => {
            if req.method != "GET" {
                return Response::method_not_allowed();
            }
            let mut guard = lock(state);
            let st = account_for_control(&mut guard, req);
            let cases: Vec<Value> = st.cases.iter().map(|c| c.body.clone()).collect();
            let appointments: Vec<Value> = st
                .appointments
                .iter()
                .map(Account::appointment_json)
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
                // Any case (`Client`): CaseStatus does not promise one.
                Some(Value::String(s))
                    if ["client", "firm", "system"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(s)) =>
                {
                    s.as_str()
                }
                Some(_) => return Response::invalid("type must be client, firm or system"),
            };
            // `"sent_at": null` stores the message without one.
            let sent = obj.get("sent_at") != Some(&Value::Null);
            let mut guard = lock(state);
            let msg = account_for_control(&mut guard, req).add_message_sent(
                NewMessage {
                    kind: kind.to_string(),
                    content: content.to_string(),
                    sender_name: sender_name.to_string(),
                    integration_id,
                    readable_id,
                },
                sent,
            );
            Response::json(201, &serde_json::to_value(msg).unwrap_or(Value::Null))
        }
        _ => Response::not_found("Unknown sandbox route"),
    }
}

/// The key of an `Authorization: ApiKey KEY` header.
pub(super) fn api_key(req: &Request) -> Option<&str> {
    req.header("authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("ApiKey"))
        .map(|(_, key)| key.trim())
}

pub(super) fn api_route(state: &Mutex<State>, req: &Request) -> Response {
    let mut guard = lock(state);
    let q = guard.quirks.clone();
    let st = match guard.account_for_request(api_key(req)) {
        Ok(account) => account,
        Err(resp) => return resp,
    };
    let resp = api_answer(st, req, &q);
    if q.string_ids {
        ids_as_strings(resp)
    } else {
        resp
    }
}

/// An answer whose ids are strings of digits ([`Quirks::string_ids`]).
fn ids_as_strings(mut resp: Response) -> Response {
    fn walk(v: &mut Value) {
        match v {
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if (k == "id" || k == "case_id") && v.is_i64() {
                        *v = Value::String(v.to_string());
                    } else {
                        walk(v);
                    }
                }
            }
            _ => {}
        }
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(&resp.body) {
        walk(&mut v);
        resp.body = v.to_string().into_bytes();
    }
    resp
}

fn api_answer(st: &mut Account, req: &Request, q: &Quirks) -> Response {
    let Some(rest) = req.path.strip_prefix("/v1/api/") else {
        return Response::not_found("Not found");
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let m = req.method.as_str();
    match segs.as_slice() {
        ["practice_areas"] => match m {
            "GET" => with_paging(req, q, |p| {
                Response::json(200, &to_json(&paginate(&st.practice_areas, p)))
            }),
            _ => Response::method_not_allowed(),
        },
        ["cases"] => match m {
            "GET" => list_cases(st, req, q),
            "POST" => create_case(st, req, q),
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
            (Ok(id), "GET") => list_appointments(st, req, q, id),
            (Ok(id), "POST") => create_appointment(st, req, q, id),
            (Ok(_), _) => Response::method_not_allowed(),
        },
        ["appointments", id] => match (id.parse::<i64>(), m) {
            (Err(_), _) => Response::not_found("Not found"),
            (Ok(id), "PUT") => update_appointment(st, req, id),
            (Ok(id), "DELETE") => delete_appointment(st, id),
            (Ok(_), _) => Response::method_not_allowed(),
        },
        ["messages"] => match m {
            "GET" => list_messages(st, req, q),
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

pub(super) fn to_json<T: Serialize>(items: &[T]) -> Value {
    serde_json::to_value(items).unwrap_or(Value::Array(Vec::new()))
}

/// (page number, page size) from the query, or a 422 `invalid_paging` answer.
/// A page's size is capped by [`Quirks::page_cap`], whatever was asked.
pub(super) fn paging(req: &Request, q: &Quirks) -> Result<(usize, usize), Response> {
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
    Ok((number, q.page_cap.map_or(size, |cap| size.min(cap.max(1)))))
}

pub(super) fn with_paging(
    req: &Request,
    q: &Quirks,
    f: impl FnOnce((usize, usize)) -> Response,
) -> Response {
    match paging(req, q) {
        Ok(p) => f(p),
        Err(r) => r,
    }
}

pub(super) fn paginate<T: Clone>(items: &[T], (number, size): (usize, usize)) -> Vec<T> {
    items
        .iter()
        // `number >= 1` is guaranteed by `paging`; saturating keeps huge pages empty.
        .skip(number.saturating_sub(1).saturating_mul(size))
        .take(size)
        .cloned()
        .collect()
}

pub(super) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
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
pub(super) fn str_at<'a>(obj: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = obj.get(first)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.trim().is_empty())
}

pub(super) fn list_cases(st: &mut Account, req: &Request, q: &Quirks) -> Response {
    let filter = req.param("integration_id").filter(|_| !q.ignore_filters);
    if q.reorder_listing && filter.is_none() && paging(req, q).is_ok_and(|(n, _)| n >= 2) {
        st.listing_rotation += 1;
    }
    with_paging(req, q, |p| {
        let mut chosen: Vec<&SandboxCase> = match filter {
            Some(iid) => st
                .cases_by_iid
                .get(iid)
                .into_iter()
                .flatten()
                .filter_map(|pos| st.cases.get(*pos))
                .collect(),
            None => st.cases.iter().collect(),
        };
        if !chosen.is_empty() {
            let by = st.listing_rotation % chosen.len();
            chosen.rotate_right(by);
        }
        let page = paginate(&chosen, p);
        Response::json(
            200,
            &Value::Array(page.iter().map(|c| c.body.clone()).collect()),
        )
    })
}

pub(super) fn create_case(st: &mut Account, req: &Request, q: &Quirks) -> Response {
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
        .filter(|_| !(st.allow_duplicates || q.no_conflicts))
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

pub(super) fn list_appointments(st: &Account, req: &Request, q: &Quirks, case_id: i64) -> Response {
    if st.case_pos(case_id).is_none() {
        return Response::not_found(&format!("Case {case_id} not found"));
    }
    with_paging(req, q, |p| {
        let items: Vec<&SandboxAppointment> = st.case_appointments(case_id).collect();
        let page = paginate(&items, p);
        Response::json(
            200,
            &Value::Array(page.iter().map(|a| a.body.clone()).collect()),
        )
    })
}

/// Checks an appointment body; returns its `integration_id`.
pub(super) fn validate_appointment(obj: &Map<String, Value>) -> Result<String, Response> {
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

pub(super) fn create_appointment(
    st: &mut Account,
    req: &Request,
    q: &Quirks,
    case_id: i64,
) -> Response {
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
        .find(|a| !(st.allow_duplicates || q.no_conflicts) && a.integration_id == integration_id)
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

pub(super) fn update_appointment(st: &mut Account, req: &Request, id: i64) -> Response {
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

pub(super) fn delete_appointment(st: &mut Account, id: i64) -> Response {
    match st.appointment_pos(id) {
        Some(pos) => {
            st.appointments[pos].deleted = true;
            Response::no_content()
        }
        None => Response::not_found(&format!("Appointment {id} not found")),
    }
}

pub(super) fn list_messages(st: &Account, req: &Request, q: &Quirks) -> Response {
    let filter = match req.param("processed").filter(|_| !q.ignore_filters) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Response::invalid("processed must be true or false"),
    };
    with_paging(req, q, |p| {
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

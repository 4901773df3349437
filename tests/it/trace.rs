//! `--trace FILE` through the binary: a HAR 1.2 archive with one entry per
//! request CaseStatus saw, the key nowhere in it, created 0600, and said
//! on stderr; complete when the run fails too.

use casestatus_sync::sandbox::Sandbox;

use crate::common::{assert_mode, Firm};

fn archive(path: &std::path::Path) -> (String, serde_json::Value) {
    let text = std::fs::read_to_string(path).expect("the trace file");
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (text, doc)
}

fn entries(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["log"]["entries"].as_array().expect("log.entries")
}

#[test]
fn trace_of_a_sync_has_every_request_and_never_the_key() {
    let firm = Firm::new();
    firm.connect_and_map();
    firm.add_matters(1, 3);
    firm.sandbox.clear_requests();
    let har = firm.path("sync.har");
    let har_arg = har.to_str().expect("path");
    let (code, out, err) = firm.run(&["sync", "matters", "--trace", har_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(firm.sandbox.cases().len(), 3);

    let (text, doc) = archive(&har);
    assert_eq!(doc["log"]["version"], "1.2");
    assert_eq!(doc["log"]["creator"]["name"], "casestatus-sync");
    let seen = firm.sandbox.requests();
    let list = entries(&doc);
    assert_eq!(list.len(), seen.len(), "one entry per request: {seen:?}");
    for (entry, req) in list.iter().zip(&seen) {
        assert_eq!(entry["request"]["method"], req.method.as_str());
        assert_eq!(entry["response"]["status"], req.status);
        let url = entry["request"]["url"].as_str().expect("url");
        assert!(url.contains(&req.path), "{url} {req:?}");
        for field in ["startedDateTime", "time", "cache", "timings"] {
            assert!(entry.get(field).is_some(), "{field}: {entry}");
        }
        let auth = entry["request"]["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .find(|h| {
                h["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
            })
            .expect("an Authorization header");
        assert_eq!(auth["value"], "REDACTED");
    }
    let post = list
        .iter()
        .find(|e| e["request"]["method"] == "POST")
        .expect("a create");
    assert!(post["request"]["postData"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("integration_id")));
    assert!(post["response"]["content"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("\"id\"")));

    assert!(!text.contains(Sandbox::DEMO_KEY), "the key is in the trace");
    assert_mode(&har, 0o600);
    assert!(
        err.contains("client data") && err.contains("sync.har"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn trace_of_a_failed_run_is_complete_with_failed_requests_as_status_zero() {
    let firm = Firm::new();
    firm.connect();
    let har = firm.path("t.har");
    let har_arg = har.to_str().expect("path");

    // A refused key: exit 3, the 401 is in the archive.
    firm.sandbox.add_api_key(Sandbox::DEMO_KEY, false);
    let (code, _, err) = firm.run(&["test", "--trace", har_arg]);
    assert_eq!(code, 3, "{err}");
    let (text, doc) = archive(&har);
    assert_eq!(entries(&doc).len(), 1);
    assert_eq!(entries(&doc)[0]["response"]["status"], 403);
    assert!(!text.contains(Sandbox::DEMO_KEY));

    // Nothing listening: each try (1 + max_retries = 3) is an entry with
    // status 0 and the error. (Another firm: the first is bound to the
    // sandbox's URL now, and would refuse another before any call.)
    let firm = Firm::new();
    firm.connect();
    firm.point_at_a_dead_port();
    let (code, _, err) = firm.run(&["test", "--trace", har_arg]);
    assert_ne!(code, 0, "{err}");
    let (text, doc) = archive(&har);
    let list = entries(&doc);
    assert_eq!(list.len(), 3, "{text}");
    for e in list {
        assert_eq!(e["response"]["status"], 0);
        assert!(
            e["_error"]
                .as_str()
                .is_some_and(|m| m.contains("connection")),
            "{e}"
        );
    }
    assert!(!text.contains(Sandbox::DEMO_KEY));
    assert_mode(&har, 0o600);
}

#[test]
fn trace_is_refused_where_there_is_no_firm_to_trace() {
    let dir = tempfile::tempdir().expect("dir");
    let har = dir.path().join("t.har");
    let o = crate::common::bare(dir.path())
        .args(["--trace", har.to_str().expect("path"), "man"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(!har.exists());
}

/// `init` writes a config and talks to no CaseStatus: like the other
/// commands without a firm's config, it refuses `--trace` (it used to
/// write the config and leave no archive, the flag silently ignored).
#[test]
fn trace_is_refused_by_init_which_has_no_firm_yet() {
    let firm = crate::common::Firm::new();
    std::fs::remove_file(&firm.config).expect("remove the harness's config");
    let har = firm.dir.path().join("t.har");
    let (code, out, err) = crate::common::run_cmd(
        crate::common::bare(firm.dir.path())
            .args(["--trace", har.to_str().expect("path")])
            .arg("--config")
            .arg(&firm.config)
            .args(["init", "--fluentcase-db", "fluentcase.db"])
            .args(["--fluentcase-url", "https://acme.fluentcase.com"]),
    );
    assert_eq!(code, 2, "{out}{err}");
    crate::common::assert_one_line_error(&err, &["--trace", "a command that reads a config"]);
    assert!(!har.exists());
    assert!(!firm.config.exists(), "nothing written");
}

#[test]
fn a_lost_answer_and_its_retry_are_two_entries() {
    use casestatus_sync::casestatus::{ApiKey, CaseStatus, Trace};
    use casestatus_sync::sandbox::{Fault, Route};
    let sb = Sandbox::demo(0).expect("sandbox");
    let dir = tempfile::tempdir().expect("dir");
    let har = dir.path().join("t.har");
    let trace = std::sync::Arc::new(Trace::create(&har).expect("trace"));
    let client = CaseStatus::new(
        sb.base_url().parse().expect("url"),
        &ApiKey::new(Sandbox::DEMO_KEY),
        std::time::Duration::from_secs(2),
        1,
    )
    .expect("client")
    .with_trace(Some(trace.clone()));
    sb.inject(
        Route::new("GET", "/v1/api/practice_areas"),
        Fault::LoseResponse,
        1,
    );
    assert_eq!(client.practice_areas().expect("retried").len(), 3);
    trace.finish().expect("written");
    let (text, doc) = archive(&har);
    let list = entries(&doc);
    assert_eq!(list.len(), sb.requests().len());
    assert_eq!(list.len(), 3, "lost, retried, then the empty page: {text}");
    assert_eq!(list[0]["response"]["status"], 0);
    assert!(list[0]["_error"].is_string() && list[0]["comment"].is_string());
    assert_eq!(list[1]["response"]["status"], 200);
    assert!(!text.contains(Sandbox::DEMO_KEY));
}

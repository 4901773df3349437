//! Issue 5: client messages into FluentCase activities, never twice, never lost.

use std::time::Duration;

use crate::common::*;
use casestatus_sync::sandbox::{Fault, NewMessage, Route};

/// (source_id, matter_id, tag, body, created_at) of every casestatus activity.
fn activities(firm: &Firm) -> Vec<(String, i64, String, String, String)> {
    let c = firm.fc();
    let mut s = c
        .prepare("SELECT source_id, matter_id, tag, body, created_at FROM activities WHERE source = 'casestatus' ORDER BY id")
        .unwrap();
    s.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

fn firm_with_case() -> Firm {
    let firm = Firm::new();
    firm.add_matters(1, 2);
    firm.connect_and_map();
    firm.ok(&["sync", "matters"]);
    firm
}

#[test]
fn client_messages_become_activities_with_the_exact_text() {
    let firm = firm_with_case();
    let text = "Hola — \"quoted\" and 'single'\nsecond line ✓ ".to_string() + &"long ".repeat(2000);
    let m = firm
        .sandbox
        .add_message(NewMessage::client("1", "Maria Lopez", &text));
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 1, "{doc}");
    let acts = activities(&firm);
    assert_eq!(acts.len(), 1);
    let (source_id, matter, tag, body, created) = &acts[0];
    assert_eq!(source_id, &m.id.to_string());
    assert_eq!(*matter, 1);
    assert_eq!(tag, "Case Status Message");
    assert_eq!(
        body,
        &format!("Message from Case Status (Maria Lopez): {text}")
    );
    assert_eq!(Some(created), m.sent_at.as_ref());
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
    // Next cycle: nothing new.
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"].get("imported"), None);
    assert_eq!(activities(&firm).len(), 1);
}

#[test]
fn more_than_one_page_of_messages() {
    let firm = firm_with_case();
    for i in 0..230 {
        firm.sandbox.add_message(NewMessage::client(
            if i % 2 == 0 { "1" } else { "2" },
            "Maria",
            &format!("message {i}"),
        ));
    }
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 230, "{}", doc["counts"]);
    assert_eq!(activities(&firm).len(), 230);
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn firm_and_system_messages_are_acknowledged_not_imported() {
    let firm = firm_with_case();
    for kind in ["firm", "system"] {
        firm.sandbox.add_message(NewMessage {
            kind: kind.into(),
            content: "x".into(),
            sender_name: "Dana".into(),
            integration_id: Some("1".into()),
            readable_id: None,
        });
    }
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["acknowledged"], 2);
    assert!(activities(&firm).is_empty());
    // Marked processed, so the unprocessed list does not grow with them.
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn unmatched_stays_unprocessed_is_logged_and_does_not_block_others() {
    let firm = firm_with_case();
    let lost = firm.sandbox.add_message(NewMessage {
        kind: "client".into(),
        content: "where is my case?".into(),
        sender_name: "Ann".into(),
        integration_id: Some("7777".into()),
        readable_id: Some("OLD-7777".into()),
    });
    firm.sandbox
        .add_message(NewMessage::client("1", "Maria", "hello"));
    let (code, out, err) = firm.run(&["-v", "sync", "messages"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("stuck: message") && out.contains("OLD-7777"),
        "{out}"
    );
    assert_eq!(activities(&firm).len(), 1);
    let held = firm.sandbox.messages();
    assert!(!held.iter().find(|m| m.id == lost.id).unwrap().processed);
    let runs = firm.json(&["log"]);
    let run = runs["runs"][0]["id"].as_i64().unwrap();
    let detail = firm.ok(&["log", "--run", &run.to_string()]);
    assert!(detail.contains("OLD-7777"), "{detail}");
}

#[test]
fn a_message_with_missing_fields_is_reported_not_imported() {
    let firm = firm_with_case();
    let real = firm.sandbox.add_message(NewMessage::client("1", "Y", "ok"));
    let body = format!(
        r#"[{{"id": 900, "type": "client", "sender_name": "X", "integration_id": "1", "sent_at": "2026-11-28T10:00:00Z", "extra": {{"nested": true}}}},
            {{"id": {}, "type": "client", "content": "ok", "sender_name": "Y", "integration_id": 1, "sent_at": "2026-11-28T10:00:00Z"}}]"#,
        real.id
    );
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/messages"),
        Fault::Respond { status: 200, body },
        1,
    );
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["stuck"], 1, "{doc}");
    assert_eq!(
        doc["counts"]["imported"], 1,
        "a number for integration_id is accepted"
    );
    assert!(doc["items"]
        .to_string()
        .contains("message 900 has no content"));
}

#[test]
fn mark_processed_failing_heals_with_one_activity() {
    let firm = firm_with_case();
    let m = firm
        .sandbox
        .add_message(NewMessage::client("1", "Maria", "hi"));
    // Fails on every try of this run (1 + 2 retries).
    firm.sandbox.inject(
        Route::new("POST", "/v1/api/messages/"),
        Fault::Status(500),
        3,
    );
    let (code, out, err) = firm.run(&["-v", "sync", "messages"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(activities(&firm).len(), 1);
    assert!(!firm.sandbox.messages()[0].processed);
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["already_imported"], 1, "{doc}");
    assert_eq!(activities(&firm).len(), 1, "never two activities");
    assert!(
        firm.sandbox
            .messages()
            .iter()
            .find(|x| x.id == m.id)
            .unwrap()
            .processed
    );
    // A lost answer to the mark is retried by the client and harmless.
    firm.sandbox
        .add_message(NewMessage::client("1", "Maria", "again"));
    firm.sandbox.inject(
        Route::new("POST", "/v1/api/messages/"),
        Fault::LoseResponse,
        1,
    );
    firm.ok(&["sync", "messages"]);
    assert_eq!(activities(&firm).len(), 2);
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn a_message_whose_activity_cannot_be_saved_stays_unprocessed_then_arrives_once() {
    // Insert first, then mark processed: a product that marked first would
    // lose this message when FluentCase refuses the insert.
    let firm = firm_with_case();
    firm.drop_activity_uniqueness();
    firm.fc()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON activities
             BEGIN SELECT RAISE(ABORT, 'FluentCase refuses activities now'); END;",
        )
        .unwrap();
    let m = firm
        .sandbox
        .add_message(NewMessage::client("1", "Maria Lopez", "are you there?"));
    let (code, out, err) = firm.run(&["sync", "messages"]);
    assert_eq!(code, 1, "a record failed: {out}{err}");
    assert!(activities(&firm).is_empty());
    let marked = firm
        .sandbox
        .requests()
        .iter()
        .any(|r| r.method == "POST" && r.path.ends_with("/processed"));
    assert!(
        !marked,
        "nothing is marked processed that is not in FluentCase"
    );
    assert!(!firm.sandbox.messages()[0].processed);

    firm.fc().execute_batch("DROP TRIGGER refuse").unwrap();
    firm.ok(&["sync", "messages"]);
    firm.ok(&["sync", "messages"]);
    let acts = activities(&firm);
    assert_eq!(acts.len(), 1, "once: {acts:?}");
    assert_eq!(acts[0].0, m.id.to_string());
    assert!(firm.sandbox.messages()[0].processed);
}

#[test]
fn fluentcase_busy_with_another_writer_is_waited_for() {
    let firm = firm_with_case();
    for i in 0..5 {
        firm.sandbox
            .add_message(NewMessage::client("1", "Maria", &format!("m{i}")));
    }
    // FluentCase itself holds a write transaction until the tool has read
    // the messages (an event, not a guess at how long start-up takes),
    // then a second more; nothing may be marked processed meanwhile.
    firm.sandbox.clear_requests();
    let path = firm.fc_path.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (polled_tx, polled_rx) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let mut c = rusqlite::Connection::open(path).unwrap();
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("INSERT INTO activities (matter_id, tag, body, created_at) VALUES (1, 'Note', 'staff note', '2026-11-28T11:00:00Z')", []).unwrap();
        ready_tx.send(()).unwrap();
        polled_rx.recv().unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        tx.commit().unwrap();
    });
    ready_rx.recv().unwrap();
    let child = firm.spawn(&["-v", "sync", "messages"]);
    let polled = |r: &casestatus_sync::sandbox::RequestRecord| {
        r.method == "GET" && r.path == "/v1/api/messages"
    };
    while !firm.sandbox.requests().iter().any(polled) {
        std::thread::yield_now();
    }
    let marked_while_locked = |reqs: Vec<casestatus_sync::sandbox::RequestRecord>| {
        reqs.iter().any(|r| r.path.ends_with("/processed"))
    };
    assert!(!marked_while_locked(firm.sandbox.requests()));
    polled_tx.send(()).unwrap();
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let (code, out, err) = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("locked"), "{err}");
    assert_eq!(activities(&firm).len(), 5);
}

// ---- Issue 22, item 5: the fallbacks of SPEC §2 and stuck messages ----

/// A message through the sandbox's control route, as a test script would
/// add one: (its id, its `created_at`).
fn post_message(firm: &Firm, body: serde_json::Value) -> (i64, String) {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/_sandbox/messages", firm.sandbox.base_url()))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let v: serde_json::Value = resp.json().unwrap();
    (
        v["id"].as_i64().unwrap(),
        v["created_at"].as_str().unwrap().to_string(),
    )
}

fn processed(firm: &Firm, id: i64) -> bool {
    firm.sandbox
        .messages()
        .iter()
        .find(|m| m.id == id)
        .unwrap()
        .processed
}

#[test]
fn a_message_of_type_capital_client_is_imported() {
    let firm = firm_with_case();
    let m = firm.sandbox.add_message(NewMessage {
        kind: "Client".into(),
        ..NewMessage::client("1", "Ana Ruiz", "hello")
    });
    // The sandbox's control route takes the type in any case too.
    let (other, _) = post_message(
        &firm,
        serde_json::json!({"type": "CLIENT", "integration_id": "2", "sender_name": "Bo",
                           "content": "hi"}),
    );
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 2, "{doc}");
    let mut acts = activities(&firm);
    acts.sort();
    assert_eq!(acts.len(), 2);
    assert_eq!(acts[0].0, m.id.to_string());
    assert_eq!(acts[0].3, "Message from Case Status (Ana Ruiz): hello");
    assert_eq!(acts[1].0, other.to_string());
    assert_eq!(acts[1].3, "Message from Case Status (Bo): hi");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn a_message_without_a_sender_name_is_imported_with_the_primary_partys_name() {
    let firm = firm_with_case();
    // Matter 3 has no primary party: the name falls back to "Client".
    let mut alone = casestatus_sync::sandbox::sample::SampleMatter::new(3, YESTERDAY);
    alone.client = None;
    firm.add_matter(&alone);
    let a = firm.sandbox.add_message(NewMessage::client("1", "", "one"));
    let b = firm
        .sandbox
        .add_message(NewMessage::client("2", "   ", "two"));
    let c = firm
        .sandbox
        .add_message(NewMessage::client("3", "", "three"));
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 3, "{doc}");
    let mut bodies: Vec<(String, String)> = activities(&firm)
        .into_iter()
        .map(|(id, _, _, body, _)| (id, body))
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        [
            (
                a.id.to_string(),
                "Message from Case Status (Maria Lopez1): one".to_string()
            ),
            (
                b.id.to_string(),
                "Message from Case Status (Maria Lopez2): two".to_string()
            ),
            (
                c.id.to_string(),
                "Message from Case Status (Client): three".to_string()
            ),
        ]
    );
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn a_message_without_sent_at_is_dated_by_created_at() {
    let firm = firm_with_case();
    // The control route stores it without sent_at (null in the API).
    let (id, created_at) = post_message(
        &firm,
        serde_json::json!({"type": "client", "integration_id": "1", "sender_name": "Ana",
                           "content": "no date", "sent_at": null}),
    );
    let listed = firm.sandbox.messages();
    assert_eq!(listed.iter().find(|m| m.id == id).unwrap().sent_at, None);
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 1, "{doc}");
    assert_eq!(activities(&firm)[0].4, created_at);
    // And a sent_at that is not a time: created_at, not "stuck".
    let m = firm
        .sandbox
        .add_message(NewMessage::client("2", "Ana", "bad date"));
    let body = format!(
        r#"[{{"id": {}, "type": "client", "content": "bad date", "sender_name": "Ana", "integration_id": "2",
             "sent_at": "", "created_at": "2026-11-27T08:30:00Z"}}]"#,
        m.id
    );
    firm.sandbox.inject(
        Route::new("GET", "/v1/api/messages"),
        Fault::Respond { status: 200, body },
        1,
    );
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["imported"], 1, "{doc}");
    let acts = activities(&firm);
    assert_eq!(acts.len(), 2);
    assert_eq!(acts[1].0, m.id.to_string());
    assert_eq!(acts[1].4, "2026-11-27T08:30:00Z");
    assert!(processed(&firm, m.id));
}

#[test]
fn a_stuck_message_is_counted_listed_kept_since_and_imported_by_hand_once() {
    let mut firm = firm_with_case();
    let lost = firm.sandbox.add_message(NewMessage {
        readable_id: Some("OLD-7777".into()),
        ..NewMessage::client("7777", "Ann", "where is my case?")
    });
    let spam = firm
        .sandbox
        .add_message(NewMessage::client("8888", "Bot", "buy now"));
    let gone = firm
        .sandbox
        .add_message(NewMessage::client("9999", "Cy", "never mind"));

    // Cycle 1: three stuck, exit 0, counted.
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["stuck"], 3, "{doc}");
    assert_eq!(doc["counts"].get("imported"), None, "{doc}");
    assert!(activities(&firm).is_empty());
    assert!(firm.sandbox.messages().iter().all(|m| !m.processed));

    // Listed, in id order, with why and since when.
    let pending = firm.json(&["messages", "pending"]);
    assert_eq!(pending["count"], 3, "{pending}");
    let first = &pending["messages"][0];
    assert_eq!(first["message_id"], lost.id);
    assert_eq!(first["reason"], "no_matter");
    assert_eq!(first["since"], NOW);
    assert_eq!(first["readable_id"], "OLD-7777");
    assert_eq!(first["sender_name"], "Ann");
    assert!(
        first["detail"].as_str().unwrap().contains("7777"),
        "{first}"
    );
    let text = firm.ok(&["messages", "pending"]);
    assert!(
        text.contains("OLD-7777")
            && text.contains("2026-11-28 06:00 CST")
            && text.contains("no_matter")
            && text.contains("where is my case?"),
        "{text}"
    );

    // Someone marks one processed in CaseStatus itself: it is no longer stuck.
    let resp = reqwest::blocking::Client::new()
        .post(format!(
            "{}/v1/api/messages/{}/processed",
            firm.sandbox.base_url(),
            gone.id
        ))
        .header(
            "Authorization",
            format!("ApiKey {}", casestatus_sync::sandbox::Sandbox::DEMO_KEY),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);

    // Cycle 2, fifteen minutes later: still stuck since the first sight.
    firm.now = "2026-11-28T12:15:00Z".into();
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["stuck"], 2, "{doc}");
    let pending = firm.json(&["messages", "pending"]);
    let ids: Vec<i64> = pending["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [lost.id, spam.id]);
    assert_eq!(pending["messages"][0]["since"], NOW, "{pending}");
    assert_eq!(pending["messages"][0]["seen_at"], "2026-11-28T12:15:00Z");

    // A person imports it onto matter 2 (by file number): once.
    let done = firm.json(&[
        "messages",
        "import",
        &lost.id.to_string(),
        "--matter",
        "WC-2026-0002",
    ]);
    assert_eq!(done["outcome"], "imported", "{done}");
    let acts = activities(&firm);
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].0, lost.id.to_string());
    assert_eq!(acts[0].1, 2);
    assert_eq!(acts[0].2, "Case Status Message");
    assert_eq!(
        acts[0].3,
        "Message from Case Status (Ann): where is my case?"
    );
    assert!(processed(&firm, lost.id));
    // Again: not unprocessed any more — a one-line error, nothing added.
    let (code, out, err) = firm.run(&["messages", "import", &lost.id.to_string(), "--matter", "2"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_one_line_error(&err, &["not an unprocessed message"]);
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"]["stuck"], 1, "{doc}");
    assert_eq!(activities(&firm).len(), 1, "one activity, ever");

    // The decision is in the log.
    let runs = firm.json(&["log"]);
    let decision = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "message decision" && r["counts"]["imported"] == 1)
        .unwrap_or_else(|| panic!("no decision run: {runs}"))
        .clone();
    let detail = firm.json(&["log", "--run", &decision["id"].to_string()]);
    let item = &detail["items"][0];
    assert_eq!(item["kind"], "message");
    assert_eq!(item["id"], lost.id);
    assert_eq!(item["outcome"], "imported");
    assert!(
        item["message"]
            .as_str()
            .unwrap()
            .contains("to matter 2 (WC-2026-0002)"),
        "{item}"
    );
    let listing = firm.ok(&["log"]);
    assert!(listing.contains("message decision"), "{listing}");

    // The other is acknowledged: processed, no activity, no longer pending.
    let done = firm.json(&["messages", "acknowledge", &spam.id.to_string()]);
    assert_eq!(done["outcome"], "acknowledged", "{done}");
    assert!(processed(&firm, spam.id));
    assert_eq!(activities(&firm).len(), 1);
    let pending = firm.json(&["messages", "pending"]);
    assert_eq!(pending["count"], 0, "{pending}");
    let runs = firm.json(&["log"]);
    assert!(
        runs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "message decision" && r["counts"]["acknowledged"] == 1),
        "{runs}"
    );
    let doc = firm.json(&["sync", "messages"]);
    assert_eq!(doc["counts"].get("stuck"), None, "{doc}");
}

#[test]
fn decisions_refuse_what_they_cannot_do_and_pending_creates_nothing() {
    let firm = firm_with_case();
    // Read-only: no state file is created by `messages pending`.
    let fresh = Firm::new();
    let (code, _, err) = fresh.run(&["messages", "pending"]);
    assert_ne!(code, 0);
    assert_one_line_error(&err, &["state"]);
    assert!(!fresh.state_path.exists());

    let m = firm.sandbox.add_message(NewMessage::client(
        "7777",
        "Ann\u{1b}]0;owned\u{7}",
        "hi\u{1b}[2J",
    ));
    firm.ok(&["sync", "messages"]);
    // Client text reaches the terminal only made visible.
    let text = firm.ok(&["messages", "pending"]);
    assert!(text.contains("Ann") && !text.contains('\u{1b}'), "{text:?}");
    // An unknown matter: a usage error, nothing imported or marked.
    let (code, out, err) = firm.run(&[
        "messages",
        "import",
        &m.id.to_string(),
        "--matter",
        "NOPE-1",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert_one_line_error(&err, &["NOPE-1"]);
    // An id CaseStatus does not hold unprocessed.
    let (code, out, err) = firm.run(&["messages", "acknowledge", "99999"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_one_line_error(&err, &["99999"]);
    assert!(activities(&firm).is_empty());
    assert!(!processed(&firm, m.id));
    assert_eq!(firm.json(&["messages", "pending"])["count"], 1);
}

#[test]
fn a_collision_is_an_error_listed_as_stuck_until_acknowledged() {
    let firm = firm_with_case();
    let m = firm
        .sandbox
        .add_message(NewMessage::client("1", "Maria", "new text"));
    // The same FluentCase database, used earlier with another account.
    firm.fc()
        .execute(
            "INSERT INTO activities (matter_id, tag, body, created_at, source, source_id)
             VALUES (2, 'Case Status Message', 'Message from Case Status (Old): old text', ?1, 'casestatus', ?2)",
            rusqlite::params![YESTERDAY, m.id.to_string()],
        )
        .unwrap();
    let (code, out, err) = firm.run(&["sync", "messages"]);
    assert_eq!(code, 1, "an error, as before: {out}{err}");
    let pending = firm.json(&["messages", "pending"]);
    assert_eq!(pending["count"], 1, "{pending}");
    assert_eq!(pending["messages"][0]["message_id"], m.id);
    assert_eq!(pending["messages"][0]["reason"], "collision");
    assert_eq!(pending["messages"][0]["since"], NOW);
    // Importing it over the other activity is refused; nothing is marked.
    let (code, out, err) = firm.run(&["messages", "import", &m.id.to_string(), "--matter", "1"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_one_line_error(&err, &["already holds activity", "acknowledge"]);
    assert!(!processed(&firm, m.id));
    assert_eq!(activities(&firm).len(), 1);
    // While a messages sync holds the messages lock, a decision waits its
    // turn (exit 5) — and says so: a person asked.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(firm.path("state/casestatus-sync.db.messages.lock"))
        .unwrap();
    lock.lock().unwrap();
    let (code, out, err) = firm.run(&["messages", "acknowledge", &m.id.to_string()]);
    assert_eq!(code, 5, "{out}{err}");
    assert_one_line_error(&err, &["holds the lock"]);
    assert!(!processed(&firm, m.id));
    drop(lock);
    // Acknowledged: processed, the old activity kept, nothing pending.
    firm.ok(&["messages", "acknowledge", &m.id.to_string()]);
    assert!(processed(&firm, m.id));
    let acts = activities(&firm);
    assert_eq!(acts.len(), 1);
    assert!(acts[0].3.contains("old text"));
    assert_eq!(firm.json(&["messages", "pending"])["count"], 0);
    firm.ok(&["sync", "messages"]);
}

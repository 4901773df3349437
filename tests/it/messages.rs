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
    assert_eq!(created, &m.sent_at);
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
        out.contains("unmatched: message") && out.contains("OLD-7777"),
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
    assert_eq!(doc["counts"]["invalid"], 1, "{doc}");
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
fn sigkill_mid_run_then_every_client_message_exactly_once() {
    let firm = firm_with_case();
    for i in 0..40 {
        firm.sandbox
            .add_message(NewMessage::client("1", "Maria", &format!("m{i}")));
    }
    firm.sandbox.set_latency(Duration::from_millis(15));
    firm.kill_after(&["sync", "messages"], &[150, 350, 600]);
    firm.sandbox.set_latency(Duration::ZERO);
    firm.ok(&["sync", "messages"]);
    let acts = activities(&firm);
    assert_eq!(acts.len(), 40);
    let mut ids: Vec<&String> = acts.iter().map(|a| &a.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "no duplicates");
    assert!(firm.sandbox.messages().iter().all(|m| m.processed));
}

#[test]
fn fluentcase_busy_with_another_writer_is_waited_for() {
    let firm = firm_with_case();
    for i in 0..5 {
        firm.sandbox
            .add_message(NewMessage::client("1", "Maria", &format!("m{i}")));
    }
    // FluentCase itself holds a write transaction for a while.
    let path = firm.fc_path.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let mut c = rusqlite::Connection::open(path).unwrap();
        let tx = c
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("INSERT INTO activities (matter_id, tag, body, created_at) VALUES (1, 'Note', 'staff note', '2026-11-28T11:00:00Z')", []).unwrap();
        ready_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        tx.commit().unwrap();
    });
    ready_rx.recv().unwrap();
    let (code, out, err) = firm.run(&["-v", "sync", "messages"]);
    writer.join().unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("locked"), "{err}");
    assert_eq!(activities(&firm).len(), 5);
}

#[test]
fn dry_run_imports_nothing() {
    let firm = firm_with_case();
    firm.sandbox
        .add_message(NewMessage::client("1", "Maria", "hi"));
    let before = std::fs::read(&firm.fc_path).unwrap();
    let out = firm.ok(&["-v", "sync", "messages", "--dry-run"]);
    assert!(out.contains("would import: message"), "{out}");
    assert_eq!(std::fs::read(&firm.fc_path).unwrap(), before);
    assert!(!firm.sandbox.messages()[0].processed);
}

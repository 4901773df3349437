//! Table-driven tests of the eligibility rules: every reason code, the
//! 45-minute boundary, phones, emails, broken rows.

use std::collections::BTreeSet;

use super::*;
use crate::rules::contact::{valid_email, PhoneBook, NO_PHONE_BOOK};
use crate::rules::policy::Mappings;
use crate::store::records::Phone;
use crate::store::records::Staff;
use crate::store::state::AreaRow;
use crate::store::state::StageRow;
use crate::util::config::PhoneRegion;

fn now() -> DateTime<Utc> {
    crate::util::clock::parse("2026-11-28T12:00:00Z").unwrap()
}

fn areas() -> Vec<AreaRow> {
    vec![AreaRow {
        id: 12,
        name: "Workers' Compensation".into(),
        vanished: false,
        case_type: Some("WC".into()),
        stages: vec![
            StageRow {
                id: 101,
                name: "Intake".into(),
                position: 1,
                vanished: false,
                matter_status: Some("Intake".into()),
            },
            StageRow {
                id: 102,
                name: "Treatment".into(),
                position: 2,
                vanished: false,
                matter_status: Some("Open".into()),
            },
        ],
    }]
}

fn matter() -> MatterRecord {
    MatterRecord {
        id: 1042,
        file_number: Some("WC-2026-0042".into()),
        case_type_id: Some(1),
        case_type: Some("WC".into()),
        status_id: Some(2),
        status: Some("Open".into()),
        attorney_id: Some(1),
        attorney: Some(Staff {
            id: 1,
            first_name: Some("Dana".into()),
            last_name: Some("Reyes".into()),
            email: Some("dreyes@firm.example".into()),
        }),
        paralegal_id: Some(4),
        paralegal: Some(Staff {
            id: 4,
            first_name: Some("Pat".into()),
            last_name: None,
            email: Some("pat@firm.example".into()),
        }),
        opened_on: Some("2026-01-05".into()),
        closed_on: None,
        created_at: Some("2026-11-28T11:00:00Z".into()),
        primary_parties: vec![PrimaryParty {
            contact_id: 7,
            contact_exists: true,
            first_name: Some("Maria".into()),
            last_name: Some("Lopez".into()),
            email: None,
            date_of_birth: Some("1980-03-14".into()),
            phones: vec![
                Phone {
                    label: Some("work".into()),
                    number: "+1 512 555 0100".into(),
                },
                Phone {
                    label: Some("Mobile".into()),
                    number: "+1 512 555 0142".into(),
                },
            ],
        }],
    }
}

fn judge(m: &MatterRecord, statuses: &[&str]) -> Evaluation {
    let mappings = Mappings::from_areas(&areas());
    let synced: BTreeSet<String> = statuses.iter().map(|s| s.to_string()).collect();
    let policy = Policy {
        mappings: &mappings,
        synced_statuses: &synced,
        deep_link_base: "https://acme.fluentcase.com",
        phone_region: PhoneRegion::US,
        timezone: chrono_tz::America::Chicago,
        phone_book: &NO_PHONE_BOOK,
    };
    let e = evaluate(m, &policy, now());
    // Every case checks that the codes-only judgement agrees.
    let quick: Vec<ReasonCode> = reason_codes(m, &policy, now());
    let full: Vec<ReasonCode> = e.reasons.iter().map(|r| r.code).collect();
    assert_eq!(quick, full, "reason_codes disagrees with evaluate");
    e
}

fn codes(e: &Evaluation) -> Vec<&'static str> {
    e.reasons.iter().map(|r| r.code.code()).collect()
}

#[test]
fn eligible_matter_gets_the_full_payload() {
    let e = judge(&matter(), &["Open"]);
    assert!(e.eligible(), "{:?}", e.reasons);
    let body = e.payload.unwrap();
    let expected = serde_json::json!({
        "integration_id": "1042", "readable_id": "WC-2026-0042",
        "practice_area": "Workers' Compensation", "stage": "Treatment",
        "opened_on": "2026-01-05", "closed_on": null,
        "attorney": {"name": "Dana Reyes", "email": "dreyes@firm.example"},
        "paralegal_email": "pat@firm.example",
        "client": {"first_name": "Maria", "last_name": "Lopez", "phone": "+15125550142",
                   "email": null, "date_of_birth": "1980-03-14"},
        "deep_link": "https://acme.fluentcase.com/matters/1042"
    });
    assert_eq!(serde_json::to_value(&body).unwrap(), expected);
}

#[test]
fn every_reason_code_fires_and_all_at_once() {
    let mut m = matter();
    m.file_number = Some("  ".into());
    m.attorney_id = None;
    m.attorney = None;
    m.primary_parties.clear();
    m.case_type = Some("Estate".into());
    m.created_at = Some("2026-11-28T11:30:00Z".into());
    m.status = Some("Closed".into());
    let e = judge(&m, &["Open"]);
    assert_eq!(
        codes(&e),
        [
            "missing_file_number",
            "no_attorney",
            "no_primary_party",
            "case_type_unmapped",
            "status_not_synced",
            "too_new"
        ]
    );
    assert!(e.payload.is_none());

    let mut m = matter();
    m.attorney.as_mut().unwrap().email = Some("dana at firm".into());
    m.primary_parties.push(PrimaryParty {
        contact_id: 8,
        contact_exists: true,
        ..PrimaryParty::default()
    });
    assert_eq!(
        codes(&judge(&m, &["Open"])),
        ["attorney_email_invalid", "multiple_primary_parties"]
    );

    let mut m = matter();
    m.primary_parties[0].last_name = None;
    m.primary_parties[0].phones.clear();
    m.status = Some("Closed".into());
    assert_eq!(
        codes(&judge(&m, &["Open", "Closed"])),
        [
            "primary_party_name_missing",
            "primary_party_no_phone",
            "stage_unmapped"
        ]
    );
}

#[test]
fn status_filter_follows_the_synced_statuses() {
    let mut m = matter();
    m.status = Some("Intake".into());
    assert_eq!(codes(&judge(&m, &["Open"])), ["status_not_synced"]);
    assert!(judge(&m, &["Open", "Intake"]).eligible());
    assert_eq!(
        judge(&m, &["Open", "Intake"]).payload.unwrap().stage,
        "Intake"
    );
}

#[test]
fn forty_five_minute_boundary() {
    let mut m = matter();
    m.created_at = Some("2026-11-28T11:15:00Z".into()); // exactly 45 min before now
    assert!(judge(&m, &["Open"]).eligible());
    m.created_at = Some("2026-11-28T11:15:01Z".into());
    let e = judge(&m, &["Open"]);
    assert_eq!(codes(&e), ["too_new"]);
    assert_eq!(
        e.eligible_from.map(crate::util::clock::stamp).as_deref(),
        Some("2026-11-28T12:00:01Z")
    );
    // People read the firm's local time (America/Chicago in this test).
    assert!(
        e.reasons[0].message.contains("2026-11-28 06:00 CST"),
        "{:?}",
        e.reasons
    );
}

#[test]
fn phone_preference() {
    let p = |label: Option<&str>, n: &str| Phone {
        label: label.map(str::to_string),
        number: n.into(),
    };
    let us = PhoneRegion::US;
    let pick = |phones: Vec<Phone>| preferred_phone(&phones, us, &NO_PHONE_BOOK).map(|(_, n)| n);
    // (phones, expected E.164)
    let cases: Vec<(Vec<Phone>, Option<&str>)> = vec![
        (
            vec![
                p(Some("fax"), "512-555-0101"),
                p(Some("office"), "512-555-0102"),
                p(Some("home"), "512-555-0103"),
                p(Some("phone"), "512-555-0104"),
                p(Some("cell"), "512-555-0105"),
            ],
            Some("+15125550105"),
        ),
        (
            vec![
                p(Some("office"), "512-555-0102"),
                p(Some("home"), "512-555-0103"),
                p(Some("phone"), "512-555-0104"),
            ],
            Some("+15125550104"),
        ),
        (
            vec![
                p(Some("Work Phone"), "512 555 0102"),
                p(Some("Home Phone"), "(512) 555-0103"),
            ],
            Some("+15125550103"),
        ),
        (
            vec![
                p(Some("Home"), "512-555-0103"),
                p(Some("Cell Phone"), "512.555.0105"),
            ],
            Some("+15125550105"),
        ),
        (
            vec![
                p(Some("home"), "512-555-0103"),
                p(Some("Mobile Phone"), "+44 20 7946 0958"),
            ],
            Some("+442079460958"),
        ),
        (
            vec![p(None, "512-555-0109"), p(Some("pager"), "512-555-0108")],
            Some("+15125550109"),
        ),
        // Not numbers: passed over, even with the best label.
        (
            vec![p(Some("mobile"), "n/a"), p(Some("home"), "512-555-0103")],
            Some("+15125550103"),
        ),
        (vec![p(Some("mobile"), "  ")], None),
        (vec![p(Some("cell"), "none"), p(Some("phone"), "12")], None),
    ];
    for (phones, want) in cases {
        assert_eq!(pick(phones.clone()).as_deref(), want, "{phones:?}");
    }
}

#[test]
fn no_valid_phone_names_the_refused_entries_and_optional_fields_never_block() {
    let mut m = matter();
    m.primary_parties[0].phones = vec![Phone {
        label: Some("Cell".into()),
        number: "n/a".into(),
    }];
    m.primary_parties[0].email = Some("<maria@example.com>".into());
    m.primary_parties[0].date_of_birth = Some("03/14/1980".into());
    let e = judge(&m, &["Open"]);
    assert_eq!(codes(&e), ["primary_party_no_phone"]);
    assert!(
        e.reasons[0].message.contains("\"n/a\" (Cell)"),
        "{:?}",
        e.reasons
    );

    m.primary_parties[0].phones[0].number = "512 555 0142".into();
    let e = judge(&m, &["Open"]);
    assert!(e.eligible(), "{:?}", e.reasons);
    let body = e.payload.unwrap();
    assert_eq!(body.client.phone, "+15125550142");
    assert_eq!(body.client.email, None);
    assert_eq!(body.client.date_of_birth, None);
    let notes = notes(&m);
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn broken_rows_are_reasons_not_panics() {
    let mut m = matter();
    m.created_at = Some("yesterday".into());
    m.opened_on = Some("05/01/2026".into());
    m.case_type = None; // dangling case_type_id
    m.attorney = None; // dangling attorney_id
    m.primary_parties[0].contact_exists = false;
    let e = judge(&m, &["Open"]);
    assert_eq!(
        codes(&e),
        [
            "no_attorney",
            "invalid_record",
            "invalid_record",
            "invalid_record",
            "invalid_record"
        ]
    );
    assert!(e.reasons.iter().any(|r| r.message.contains("created_at")));
}

#[test]
fn vanished_mappings_are_not_used() {
    let mut a = areas();
    a[0].stages[1].vanished = true;
    let mappings = Mappings::from_areas(&a);
    let synced: BTreeSet<String> = ["Open".to_string()].into();
    let policy = Policy {
        mappings: &mappings,
        synced_statuses: &synced,
        deep_link_base: "x",
        phone_region: PhoneRegion::US,
        timezone: chrono_tz::UTC,
        phone_book: &NO_PHONE_BOOK,
    };
    let e = evaluate(&matter(), &policy, now());
    assert_eq!(codes(&e), ["stage_unmapped"]);
    assert!(e.reasons[0].message.contains("no longer has"));
}

#[test]
fn email_check() {
    for ok in ["a@b.co", "dana.reyes+cs@firm.example"] {
        assert!(valid_email(ok), "{ok}");
    }
    for bad in [
        "",
        "a",
        "a@b",
        "@b.co",
        "a@@b.co",
        "a b@c.co",
        "a@b..co",
        "a@.co",
        "dana@firm.example,",
        "<dana@firm.example>",
        "Dana <dana@firm.example>",
    ] {
        assert!(!valid_email(bad), "{bad}");
    }
}

#[test]
fn the_phone_book_answers_before_parsing() {
    let book = PhoneBook::new(
        [
            ("512 555 0142".to_string(), Some("+15125550142".to_string())),
            ("cached-as-not-a-number".to_string(), None),
        ]
        .into_iter()
        .collect(),
    );
    let us = PhoneRegion::US;
    assert_eq!(
        book.e164("512 555 0142", us).as_deref(),
        Some("+15125550142")
    );
    assert_eq!(book.e164("cached-as-not-a-number", us), None);
    // Not in the book: parsed on the spot.
    assert_eq!(
        book.e164("(512) 555-0199", us).as_deref(),
        Some("+15125550199")
    );
    assert!(book.take_new().is_empty(), "a plain book remembers nothing");
    // A remembering book keeps what it parsed, once, for the store.
    let book = PhoneBook::remembering(Default::default());
    for _ in 0..2 {
        assert_eq!(
            book.e164("512 555 0142", us).as_deref(),
            Some("+15125550142")
        );
        assert_eq!(book.e164("n/a", us), None);
    }
    let mut new = book.take_new();
    new.sort();
    assert_eq!(
        new,
        vec![
            ("512 555 0142".to_string(), Some("+15125550142".to_string())),
            ("n/a".to_string(), None)
        ]
    );
    assert!(book.take_new().is_empty());
}

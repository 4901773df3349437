//! A sample firm: FluentCase's schema (SPEC §3) and reference data.
//!
//! Used by `demo` and by the tests to build real FluentCase databases; the
//! tool itself never creates FluentCase's tables in a firm's database.

use std::path::Path;

use rusqlite::{params, Connection};

/// FluentCase's schema exactly as SPEC §3 pins it.
pub const FLUENTCASE_SCHEMA: &str = r#"
CREATE TABLE case_types      (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE matter_statuses (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE staff    (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT);
CREATE TABLE contacts (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT,
                       email TEXT, date_of_birth TEXT);
CREATE TABLE contact_phones (id INTEGER PRIMARY KEY,
                       contact_id INTEGER NOT NULL REFERENCES contacts(id),
                       label TEXT, number TEXT NOT NULL);
CREATE TABLE matters (id INTEGER PRIMARY KEY, file_number TEXT,
                      case_type_id INTEGER REFERENCES case_types(id),
                      status_id INTEGER REFERENCES matter_statuses(id),
                      attorney_id INTEGER REFERENCES staff(id),
                      paralegal_id INTEGER REFERENCES staff(id),
                      opened_on TEXT, closed_on TEXT,
                      created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE matter_parties (matter_id INTEGER NOT NULL REFERENCES matters(id),
                      contact_id INTEGER NOT NULL REFERENCES contacts(id),
                      role TEXT, is_primary INTEGER NOT NULL DEFAULT 0,
                      PRIMARY KEY (matter_id, contact_id));
CREATE TABLE event_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE calendar_events (id INTEGER PRIMARY KEY,
                      matter_id INTEGER REFERENCES matters(id),
                      event_type_id INTEGER REFERENCES event_types(id),
                      title TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT,
                      all_day INTEGER NOT NULL DEFAULT 0,
                      location TEXT, notes TEXT,
                      updated_at TEXT NOT NULL, deleted_at TEXT);
CREATE TABLE activities (id INTEGER PRIMARY KEY,
                      matter_id INTEGER NOT NULL REFERENCES matters(id),
                      tag TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
                      source TEXT, source_id TEXT, UNIQUE (source, source_id));
"#;

/// Case types: id, name.
pub const CASE_TYPES: &[(i64, &str)] = &[
    (1, "Workers' Compensation"),
    (2, "Personal Injury"),
    (3, "Family Law"),
    (4, "Estate Planning"),
];

/// Matter statuses: id, name.
pub const STATUSES: &[(i64, &str)] = &[
    (1, "Intake"),
    (2, "Open"),
    (3, "Treatment"),
    (4, "Settlement"),
    (5, "Closed"),
    (6, "Archived"),
];

/// Staff: id, first, last, email. 1–3 are CaseStatus users in the sandbox's
/// demo data; 5 has a broken email; 6 is not a CaseStatus user (422).
pub const STAFF: &[(i64, &str, &str, &str)] = &[
    (1, "Dana", "Reyes", "dreyes@firm.example"),
    (2, "Michael", "Chen", "mchen@firm.example"),
    (3, "Jo", "Okafor", "jokafor@firm.example"),
    (4, "Pat", "Kim", "pat@firm.example"),
    (5, "Lee", "Broken", "lee at firm"),
    (6, "Sam", "Newhire", "snewhire@firm.example"),
];

/// Event types: id, name.
/// The least mapping that makes the sample firm's Open Workers'
/// Compensation matters eligible, as `casestatus-sync` arguments: the
/// practice area for the case type, and Open → Treatment.
pub const MINIMAL_MAPPING: [&[&str]; 2] = [
    &[
        "map",
        "practice-area",
        "Workers' Compensation",
        "--case-type",
        "Workers' Compensation",
    ],
    &[
        "map",
        "stage",
        "Workers' Compensation",
        "Treatment",
        "--status",
        "Open",
    ],
];

pub const EVENT_TYPES: &[(i64, &str)] = &[
    (1, "Deposition"),
    (2, "Medical Appointment"),
    (3, "Court Hearing"),
    (4, "Internal Strategy Meeting"),
];

/// Create a FluentCase database at `path` with the schema and reference data.
///
/// # Errors
/// Any SQLite error.
pub fn create_fluentcase(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(FLUENTCASE_SCHEMA)?;
    for (id, name) in CASE_TYPES {
        conn.execute("INSERT INTO case_types VALUES (?1, ?2)", params![id, name])?;
    }
    for (id, name) in STATUSES {
        conn.execute(
            "INSERT INTO matter_statuses VALUES (?1, ?2)",
            params![id, name],
        )?;
    }
    for (id, f, l, e) in STAFF {
        conn.execute(
            "INSERT INTO staff VALUES (?1, ?2, ?3, ?4)",
            params![id, f, l, e],
        )?;
    }
    for (id, name) in EVENT_TYPES {
        conn.execute("INSERT INTO event_types VALUES (?1, ?2)", params![id, name])?;
    }
    Ok(conn)
}

/// A matter to insert, with its primary client. Defaults make an eligible
/// Workers' Compensation matter (once mapped) created a day before `created_at`.
#[derive(Debug, Clone)]
pub struct SampleMatter {
    pub id: i64,
    pub file_number: Option<String>,
    pub case_type_id: Option<i64>,
    pub status_id: Option<i64>,
    pub attorney_id: Option<i64>,
    pub paralegal_id: Option<i64>,
    pub opened_on: Option<String>,
    pub created_at: String,
    /// (first, last, email, date of birth, phones as (label, number)); None: no primary party.
    pub client: Option<SampleClient>,
}

/// The primary party of a [`SampleMatter`].
#[derive(Debug, Clone)]
pub struct SampleClient {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    pub phones: Vec<(Option<String>, String)>,
}

impl SampleMatter {
    /// An eligible-looking matter with id `id`, created at `created_at`.
    pub fn new(id: i64, created_at: &str) -> SampleMatter {
        SampleMatter {
            id,
            file_number: Some(format!("WC-2026-{id:04}")),
            case_type_id: Some(1),
            status_id: Some(2),
            attorney_id: Some(1),
            paralegal_id: Some(4),
            opened_on: Some("2026-01-05".into()),
            created_at: created_at.into(),
            client: Some(SampleClient {
                first_name: Some("Maria".into()),
                last_name: Some(format!("Lopez{id}")),
                email: Some(format!("client{id}@mail.example")),
                date_of_birth: Some("1980-03-14".into()),
                phones: vec![(Some("mobile".into()), "+1 512 555 0142".into())],
            }),
        }
    }

    /// Insert the matter (and its client as contact id = matter id + 10000).
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO matters (id, file_number, case_type_id, status_id, attorney_id,
                 paralegal_id, opened_on, closed_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?8)",
            params![
                self.id,
                self.file_number,
                self.case_type_id,
                self.status_id,
                self.attorney_id,
                self.paralegal_id,
                self.opened_on,
                self.created_at
            ],
        )?;
        if let Some(c) = &self.client {
            let contact = self.id + 10_000;
            conn.execute(
                "INSERT INTO contacts (id, first_name, last_name, email, date_of_birth)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![contact, c.first_name, c.last_name, c.email, c.date_of_birth],
            )?;
            for (label, number) in &c.phones {
                conn.execute(
                    "INSERT INTO contact_phones (contact_id, label, number) VALUES (?1, ?2, ?3)",
                    params![contact, label, number],
                )?;
            }
            conn.execute(
                "INSERT INTO matter_parties (matter_id, contact_id, role, is_primary)
                 VALUES (?1, ?2, 'Client', 1)",
                params![self.id, contact],
            )?;
        }
        Ok(())
    }
}

/// Add a second primary party to a matter (a contact of its own): a
/// matter that eligibility must refuse.
///
/// # Errors
/// Any SQLite error.
pub fn add_primary_party(
    conn: &Connection,
    matter_id: i64,
    contact_id: i64,
    (first_name, last_name): (&str, &str),
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO contacts (id, first_name, last_name) VALUES (?1, ?2, ?3)",
        params![contact_id, first_name, last_name],
    )?;
    conn.execute(
        "INSERT INTO matter_parties (matter_id, contact_id, role, is_primary)
         VALUES (?1, ?2, 'Spouse', 1)",
        params![matter_id, contact_id],
    )?;
    Ok(())
}

/// A calendar event to insert (timed, not all-day).
#[derive(Debug, Clone)]
pub struct SampleEvent<'a> {
    pub id: i64,
    pub matter_id: i64,
    pub event_type_id: i64,
    pub title: &'a str,
    pub starts_at: String,
    pub ends_at: String,
    pub location: Option<String>,
    pub notes: &'a str,
    pub updated_at: &'a str,
}

impl SampleEvent<'_> {
    /// Insert the event.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO calendar_events (id, matter_id, event_type_id, title, starts_at,
                 ends_at, all_day, location, notes, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9)",
            params![
                self.id,
                self.matter_id,
                self.event_type_id,
                self.title,
                self.starts_at,
                self.ends_at,
                self.location,
                self.notes,
                self.updated_at
            ],
        )?;
        Ok(())
    }
}

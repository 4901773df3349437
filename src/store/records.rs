//! FluentCase's rows as the tool reads them (SPEC §3): a matter with its
//! attorney, paralegal, primary parties and phones, and a calendar event.
//! Values are kept as read (options, text) — judging them is the rules'.

/// A person on the firm's staff.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Staff {
    pub id: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}

/// A phone of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub label: Option<String>,
    pub number: String,
}

/// A party marked primary on a matter, with its contact record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryParty {
    pub contact_id: i64,
    /// False when `matter_parties` points at a contact that does not exist.
    pub contact_exists: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
    pub phones: Vec<Phone>,
}

/// Everything eligibility needs to know about one matter, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MatterRecord {
    pub id: i64,
    pub file_number: Option<String>,
    pub case_type_id: Option<i64>,
    /// None when unset or when the id points nowhere (see `case_type_id`).
    pub case_type: Option<String>,
    pub status_id: Option<i64>,
    pub status: Option<String>,
    pub attorney_id: Option<i64>,
    /// None when unset or dangling.
    pub attorney: Option<Staff>,
    pub paralegal_id: Option<i64>,
    pub paralegal: Option<Staff>,
    pub opened_on: Option<String>,
    pub closed_on: Option<String>,
    pub created_at: Option<String>,
    pub primary_parties: Vec<PrimaryParty>,
}

/// A calendar event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventRecord {
    pub id: i64,
    pub matter_id: Option<i64>,
    /// None when unset or dangling.
    pub event_type: Option<String>,
    pub title: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub deleted_at: Option<String>,
}

//! The wire types of CaseStatus's API (SPEC §4), as this tool sends and
//! reads them. Kept here, in one place, so the client can follow the real
//! API.

use serde::{Deserialize, Serialize};

/// A CaseStatus practice area and its stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeArea {
    #[serde(deserialize_with = "id")]
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub stages: Vec<Stage>,
}

/// A stage of a practice area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    #[serde(deserialize_with = "id")]
    pub id: i64,
    pub name: String,
    #[serde(default, deserialize_with = "position")]
    pub position: i64,
}

/// A case as listed by CaseStatus (only what we use).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteCase {
    #[serde(deserialize_with = "id")]
    pub id: i64,
    #[serde(default, deserialize_with = "string_or_number")]
    pub integration_id: Option<String>,
}

/// The body of `POST /v1/api/cases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseBody {
    pub integration_id: String,
    pub readable_id: String,
    pub practice_area: String,
    pub stage: String,
    pub opened_on: Option<String>,
    pub closed_on: Option<String>,
    pub attorney: Attorney,
    pub paralegal_email: Option<String>,
    pub client: Client,
    pub deep_link: String,
}

/// The attorney in a case body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attorney {
    pub name: String,
    pub email: String,
}

/// The client (primary party) in a case body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: Option<String>,
    pub date_of_birth: Option<String>,
}

/// The body of an appointment create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentBody {
    pub integration_id: String,
    /// Always `Meeting` (help article: all synced events are Meetings).
    pub appointment_type: String,
    pub title: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub notes: Option<String>,
    pub location: Option<String>,
    pub meeting_url: Option<String>,
}

/// An appointment as listed by CaseStatus (only what we use).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RemoteAppointment {
    #[serde(deserialize_with = "id")]
    pub id: i64,
    #[serde(default, deserialize_with = "string_or_number")]
    pub integration_id: Option<String>,
    /// The fields as CaseStatus holds them, when they read as a full
    /// appointment body: a found appointment that already matches needs
    /// no update (a lost state file is rebuilt without one PUT per event).
    #[serde(skip)]
    pub body: Option<AppointmentBody>,
}

/// A message as listed by CaseStatus. Fields are optional here so a
/// message with a missing field can be reported instead of failing the page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Message {
    #[serde(deserialize_with = "id")]
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub sent_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub readable_id: Option<String>,
    #[serde(default)]
    pub sender_name: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub integration_id: Option<String>,
    /// Whether it is processed, when CaseStatus says: a listing whose
    /// `processed=false` filter was ignored is filtered again here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed: Option<bool>,
}

/// The `id` of a created record (`201 {"id": 5512, ...}`).
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct Created {
    #[serde(deserialize_with = "id")]
    pub id: i64,
}

/// An id as CaseStatus may send it: a JSON integer or a string of
/// digits (`12` or `"12"`, SPEC §4). Anything else is refused, naming
/// what came.
pub(crate) fn id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    id_of(&v).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "an id must be a whole number or a string of digits, not {v}"
        ))
    })
}

/// As [`id`], for an id that may be absent or null.
pub(crate) fn optional_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .as_ref()
        .and_then(id_of))
}

/// The id a JSON value holds: `12` or `"12"`.
pub fn id_of(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// A stage's position, tolerated in any shape (it only orders a list).
fn position<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .as_ref()
        .and_then(id_of)
        .unwrap_or(0))
}

/// CaseStatus sends integration ids as strings; accept numbers too.
pub(crate) fn string_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

//! Matter eligibility: the one pure function that decides whether a matter
//! goes to CaseStatus, and if not, every reason why (SPEC §2, help article
//! "Matter Eligibility"). `sync matters`, `test`, `map` and `why-skipped`
//! all call [`evaluate`]; none of them re-implements a rule.
//!
//! Invariant: no I/O here. Everything comes in as arguments (the matter as
//! read from FluentCase, the mappings, the synced statuses, the clock).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::casestatus::{Attorney, CaseBody, Client};
use crate::store::fluentcase::{MatterRecord, Phone, PrimaryParty};
use crate::store::state::AreaRow;

/// Matters younger than this are left alone so staff can finish data entry.
pub const MIN_AGE_MINUTES: i64 = 45;

/// Why a matter is not (or was not) pushed. Codes are stable (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    MissingFileNumber,
    NoAttorney,
    AttorneyEmailInvalid,
    NoPrimaryParty,
    MultiplePrimaryParties,
    PrimaryPartyNameMissing,
    PrimaryPartyNoPhone,
    CaseTypeUnmapped,
    StatusNotSynced,
    StageUnmapped,
    TooNew,
    /// A stored value is unusable (bad date, id pointing nowhere).
    InvalidRecord,
    /// Recorded by the sync when CaseStatus answers 422; not decided here.
    RejectedByCasestatus,
}

impl ReasonCode {
    /// The stable code string.
    pub fn code(self) -> &'static str {
        match self {
            ReasonCode::MissingFileNumber => "missing_file_number",
            ReasonCode::NoAttorney => "no_attorney",
            ReasonCode::AttorneyEmailInvalid => "attorney_email_invalid",
            ReasonCode::NoPrimaryParty => "no_primary_party",
            ReasonCode::MultiplePrimaryParties => "multiple_primary_parties",
            ReasonCode::PrimaryPartyNameMissing => "primary_party_name_missing",
            ReasonCode::PrimaryPartyNoPhone => "primary_party_no_phone",
            ReasonCode::CaseTypeUnmapped => "case_type_unmapped",
            ReasonCode::StatusNotSynced => "status_not_synced",
            ReasonCode::StageUnmapped => "stage_unmapped",
            ReasonCode::TooNew => "too_new",
            ReasonCode::InvalidRecord => "invalid_record",
            ReasonCode::RejectedByCasestatus => "rejected_by_casestatus",
        }
    }

    /// Parse a stored code string.
    pub fn from_code(code: &str) -> Option<ReasonCode> {
        ALL_CODES.iter().copied().find(|c| c.code() == code)
    }

    /// Where to fix it: the help article's "Where to set it in FluentCase",
    /// or the command of this tool that fixes it.
    pub fn fix(self) -> &'static str {
        match self {
            ReasonCode::MissingFileNumber => "Matter → Edit → Summary & Dates",
            ReasonCode::NoAttorney | ReasonCode::AttorneyEmailInvalid => "Matter → Edit → Staff",
            ReasonCode::NoPrimaryParty | ReasonCode::MultiplePrimaryParties => {
                "Matter → Parties (one party must be marked as primary)"
            }
            ReasonCode::PrimaryPartyNameMissing | ReasonCode::PrimaryPartyNoPhone => {
                "Contact record for that party"
            }
            ReasonCode::CaseTypeUnmapped => {
                "casestatus-sync map practice-area AREA --case-type TYPE (Practice Area & Stage Mapping)"
            }
            ReasonCode::StatusNotSynced => {
                "the matter's status (Matter → Edit), or the synced statuses: casestatus-sync synced-statuses STATUS..."
            }
            ReasonCode::StageUnmapped => {
                "casestatus-sync map stage AREA STAGE --status STATUS (Practice Area & Stage Mapping)"
            }
            ReasonCode::TooNew => "nothing to fix: it is pushed once it is 45 minutes old",
            ReasonCode::InvalidRecord => "the matter or contact record named in the message",
            ReasonCode::RejectedByCasestatus => {
                "CaseStatus's message says what it refused (e.g. add the attorney as a CaseStatus user)"
            }
        }
    }
}

/// Every reason code, in rule order.
pub const ALL_CODES: &[ReasonCode] = &[
    ReasonCode::MissingFileNumber,
    ReasonCode::NoAttorney,
    ReasonCode::AttorneyEmailInvalid,
    ReasonCode::NoPrimaryParty,
    ReasonCode::MultiplePrimaryParties,
    ReasonCode::PrimaryPartyNameMissing,
    ReasonCode::PrimaryPartyNoPhone,
    ReasonCode::CaseTypeUnmapped,
    ReasonCode::StatusNotSynced,
    ReasonCode::StageUnmapped,
    ReasonCode::TooNew,
    ReasonCode::InvalidRecord,
    ReasonCode::RejectedByCasestatus,
];

/// The rules as `why-skipped` lists them: a label and the codes that fail it.
pub const RULES: &[(&str, &[ReasonCode])] = &[
    ("File number", &[ReasonCode::MissingFileNumber]),
    (
        "Attorney assigned with a valid email address",
        &[ReasonCode::NoAttorney, ReasonCode::AttorneyEmailInvalid],
    ),
    (
        "Exactly one primary party",
        &[
            ReasonCode::NoPrimaryParty,
            ReasonCode::MultiplePrimaryParties,
        ],
    ),
    (
        "Primary party's first and last name",
        &[ReasonCode::PrimaryPartyNameMissing],
    ),
    (
        "Primary party has at least one phone number",
        &[ReasonCode::PrimaryPartyNoPhone],
    ),
    (
        "Case type mapped to a CaseStatus practice area",
        &[ReasonCode::CaseTypeUnmapped],
    ),
    ("Status is a synced status", &[ReasonCode::StatusNotSynced]),
    (
        "Status mapped to a stage of that practice area",
        &[ReasonCode::StageUnmapped],
    ),
    ("At least 45 minutes old", &[ReasonCode::TooNew]),
    ("Stored data is readable", &[ReasonCode::InvalidRecord]),
];

/// One failing rule with the specifics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub message: String,
}

impl Reason {
    fn new(code: ReasonCode, message: impl Into<String>) -> Reason {
        Reason {
            code,
            message: message.into(),
        }
    }
}

/// The mappings as eligibility needs them: case type → practice area and
/// its status → stage table. Built once per run from the state store.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    by_case_type: HashMap<String, AreaMapping>,
    /// (kind, name) → every CaseStatus id that ever had that name.
    ids_by_name: HashMap<(String, String), Vec<i64>>,
}

#[derive(Debug, Clone)]
struct AreaMapping {
    area: String,
    vanished: bool,
    /// matter status → (stage name, stage vanished)
    stages: HashMap<String, (String, bool)>,
}

impl Mappings {
    /// From the stored snapshot and mappings.
    pub fn from_areas(areas: &[AreaRow]) -> Mappings {
        let mut by_case_type = HashMap::new();
        for a in areas {
            if let Some(ct) = &a.case_type {
                let stages = a
                    .stages
                    .iter()
                    .filter_map(|s| {
                        s.matter_status
                            .clone()
                            .map(|st| (st, (s.name.clone(), s.vanished)))
                    })
                    .collect();
                by_case_type.insert(
                    ct.clone(),
                    AreaMapping {
                        area: a.name.clone(),
                        vanished: a.vanished,
                        stages,
                    },
                );
            }
        }
        Mappings {
            by_case_type,
            ids_by_name: HashMap::new(),
        }
    }

    /// Add the names CaseStatus has given each practice area and stage
    /// (`kind` is `practice_area` or `stage`), for [`Mappings::same_item`].
    pub fn with_name_history(mut self, names: Vec<(String, i64, String)>) -> Mappings {
        for (kind, id, name) in names {
            self.ids_by_name.entry((kind, name)).or_default().push(id);
        }
        self
    }

    /// Whether two names of a `kind` denote the same CaseStatus item: equal,
    /// or once given to the same id (a rename in CaseStatus).
    pub fn same_item(&self, kind: &str, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        let ids = |n: &str| self.ids_by_name.get(&(kind.to_string(), n.to_string()));
        match (ids(a), ids(b)) {
            (Some(x), Some(y)) => x.iter().any(|id| y.contains(id)),
            _ => false,
        }
    }
}

/// Everything besides the matter that the rules depend on.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    pub mappings: &'a Mappings,
    pub synced_statuses: &'a BTreeSet<String>,
    /// FluentCase's base URL for the deep link, without trailing slash.
    pub deep_link_base: &'a str,
    /// The country of phone numbers written without a country code.
    pub phone_region: PhoneRegion,
    /// The firm's time zone, for times in messages.
    pub timezone: chrono_tz::Tz,
}

pub use crate::util::config::PhoneRegion;

/// The matter status synced when none is chosen (help article: "By
/// default, only Open matters are synced").
pub const DEFAULT_SYNCED_STATUS: &str = "Open";

/// The verdict on one matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Every failing rule; empty means eligible.
    pub reasons: Vec<Reason>,
    /// The case body to send; `Some` exactly when `reasons` is empty.
    pub payload: Option<CaseBody>,
    /// When `too_new` stops applying (if the creation time is known).
    pub eligible_from: Option<DateTime<Utc>>,
    /// Optional fields that are unusable and are sent as null (client
    /// email, date of birth, paralegal email): worth fixing, never a block.
    pub notes: Vec<String>,
}

impl Evaluation {
    /// True when the matter may be pushed.
    pub fn eligible(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Judge one matter. Pure: same inputs, same answer.
pub fn evaluate(matter: &MatterRecord, policy: &Policy<'_>, now: DateTime<Utc>) -> Evaluation {
    let mut reasons = Vec::new();
    let mut push = |code, msg: String| reasons.push(Reason::new(code, msg));

    if blank(&matter.file_number) {
        push(
            ReasonCode::MissingFileNumber,
            "the matter has no file number".into(),
        );
    }

    match (&matter.attorney_id, &matter.attorney) {
        (None, _) => push(ReasonCode::NoAttorney, "no attorney is assigned".into()),
        (Some(id), None) => push(
            ReasonCode::NoAttorney,
            format!("the attorney (staff id {id}) does not exist in FluentCase's staff"),
        ),
        (Some(_), Some(a)) => match a.email.as_deref().map(str::trim) {
            Some(e) if valid_email(e) => {}
            Some(e) if !e.is_empty() => push(
                ReasonCode::AttorneyEmailInvalid,
                format!(
                    "attorney {} has an invalid email {e:?}",
                    person_name(&a.first_name, &a.last_name)
                ),
            ),
            _ => push(
                ReasonCode::AttorneyEmailInvalid,
                format!(
                    "attorney {} has no email address",
                    person_name(&a.first_name, &a.last_name)
                ),
            ),
        },
    }

    let party = match matter.primary_parties.as_slice() {
        [] => {
            push(
                ReasonCode::NoPrimaryParty,
                "no party is marked primary on the matter".into(),
            );
            None
        }
        [one] => Some(one),
        many => {
            push(
                ReasonCode::MultiplePrimaryParties,
                format!(
                    "{} parties are marked primary (contact ids {})",
                    many.len(),
                    many.iter()
                        .map(|p| p.contact_id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            None
        }
    };
    if let Some(p) = party {
        if !p.contact_exists {
            push(
                ReasonCode::InvalidRecord,
                format!(
                    "the primary party points at contact id {}, which does not exist",
                    p.contact_id
                ),
            );
        } else {
            let missing: Vec<&str> = [("first", &p.first_name), ("last", &p.last_name)]
                .into_iter()
                .filter(|(_, v)| blank(v))
                .map(|(n, _)| n)
                .collect();
            if !missing.is_empty() {
                push(
                    ReasonCode::PrimaryPartyNameMissing,
                    format!(
                        "the primary party (contact {}) has no {} name",
                        p.contact_id,
                        missing.join(" or ")
                    ),
                );
            }
            if preferred_phone(&p.phones, policy.phone_region).is_none() {
                push(
                    ReasonCode::PrimaryPartyNoPhone,
                    no_phone_message(p, policy.phone_region),
                );
            }
        }
    }

    let area = match (&matter.case_type_id, &matter.case_type) {
        (None, _) => {
            push(
                ReasonCode::CaseTypeUnmapped,
                "the matter has no case type (Matter → Edit)".into(),
            );
            None
        }
        (Some(id), None) => {
            push(
                ReasonCode::InvalidRecord,
                format!("the matter's case type id {id} does not exist in FluentCase"),
            );
            None
        }
        (Some(_), Some(ct)) => match policy.mappings.by_case_type.get(ct) {
            None => {
                push(
                    ReasonCode::CaseTypeUnmapped,
                    format!("case type {ct:?} is not mapped to a CaseStatus practice area"),
                );
                None
            }
            Some(m) if m.vanished => {
                push(
                    ReasonCode::CaseTypeUnmapped,
                    format!(
                        "case type {ct:?} is mapped to practice area {:?}, which CaseStatus no longer has",
                        m.area
                    ),
                );
                None
            }
            Some(m) => Some(m),
        },
    };

    let status = match (&matter.status_id, &matter.status) {
        (None, _) => {
            push(
                ReasonCode::StatusNotSynced,
                "the matter has no status".into(),
            );
            None
        }
        (Some(id), None) => {
            push(
                ReasonCode::InvalidRecord,
                format!("the matter's status id {id} does not exist in FluentCase"),
            );
            None
        }
        (Some(_), Some(s)) => {
            if !policy.synced_statuses.contains(s) {
                push(
                    ReasonCode::StatusNotSynced,
                    format!(
                        "status {s:?} is not synced (synced: {})",
                        list(policy.synced_statuses.iter())
                    ),
                );
            }
            Some(s)
        }
    };

    let mut stage = None;
    if let (Some(m), Some(s)) = (area, status) {
        match m.stages.get(s) {
            None => push(
                ReasonCode::StageUnmapped,
                format!(
                    "status {s:?} is not mapped to a stage of practice area {:?}",
                    m.area
                ),
            ),
            Some((name, true)) => push(
                ReasonCode::StageUnmapped,
                format!(
                    "status {s:?} is mapped to stage {name:?} of {:?}, which CaseStatus no longer has",
                    m.area
                ),
            ),
            Some((name, false)) => stage = Some(name.clone()),
        }
    }

    let created = matter
        .created_at
        .as_deref()
        .and_then(crate::util::clock::parse);
    let eligible_from = created.map(|c| c + Duration::minutes(MIN_AGE_MINUTES));
    match (&matter.created_at, eligible_from) {
        (_, Some(from)) if now < from => push(
            ReasonCode::TooNew,
            format!(
                "created less than {MIN_AGE_MINUTES} minutes ago; eligible from {}",
                crate::util::clock::local(from, policy.timezone)
            ),
        ),
        (_, Some(_)) => {}
        (raw, None) => push(
            ReasonCode::InvalidRecord,
            format!(
                "the matter's created_at {:?} is not an RFC 3339 time",
                raw.as_deref().unwrap_or("")
            ),
        ),
    }
    for (col, value) in [
        ("opened_on", &matter.opened_on),
        ("closed_on", &matter.closed_on),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            if !is_date(v) {
                push(
                    ReasonCode::InvalidRecord,
                    format!("the matter's {col} {v:?} is not a YYYY-MM-DD date"),
                );
            }
        }
    }

    let payload = reasons.is_empty().then(|| {
        draft_body(
            matter,
            area.map(|a| a.area.clone()).unwrap_or_default(),
            stage.unwrap_or_default(),
            policy,
        )
    });
    Evaluation {
        reasons,
        payload,
        eligible_from,
        notes: optional_field_notes(matter),
    }
}

/// The message for `primary_party_no_phone`, naming refused entries.
fn no_phone_message(p: &PrimaryParty, region: PhoneRegion) -> String {
    let who = format!(
        "the primary party {} (contact {})",
        person_name(&p.first_name, &p.last_name),
        p.contact_id
    );
    let refused: Vec<String> = p
        .phones
        .iter()
        .filter(|ph| e164(&ph.number, region).is_none())
        .map(
            |ph| match ph.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                Some(label) => format!("{:?} ({label})", ph.number),
                None => format!("{:?}", ph.number),
            },
        )
        .collect();
    if refused.is_empty() {
        format!("{who} has no phone number")
    } else {
        format!(
            "{who} has no valid phone number (not a number for region {}: {})",
            region.as_ref(),
            refused.join(", ")
        )
    }
}

/// Optional fields that will be sent as null because they are unusable.
fn optional_field_notes(matter: &MatterRecord) -> Vec<String> {
    let mut notes = Vec::new();
    if let [p] = matter.primary_parties.as_slice() {
        if let Some(e) = trimmed(&p.email).filter(|e| !valid_email(e)) {
            notes.push(format!(
                "the client's email {e:?} is not a valid address; sent as empty (fix: Contact record for that party)"
            ));
        }
        if let Some(d) = trimmed(&p.date_of_birth).filter(|d| !is_date(d)) {
            notes.push(format!(
                "the client's date of birth {d:?} is not a YYYY-MM-DD date; sent as empty (fix: Contact record for that party)"
            ));
        }
    }
    if let Some(e) = matter
        .paralegal
        .as_ref()
        .and_then(|p| trimmed(&p.email))
        .filter(|e| !valid_email(e))
    {
        notes.push(format!(
            "the paralegal's email {e:?} is not a valid address; sent as empty (fix: Matter → Edit → Staff)"
        ));
    }
    notes
}

/// The case body as it would be sent now, even for a matter that is not
/// eligible (missing pieces are empty). Used to tell what changed since a push.
pub fn current_body(matter: &MatterRecord, policy: &Policy<'_>) -> CaseBody {
    let area = matter
        .case_type
        .as_ref()
        .and_then(|ct| policy.mappings.by_case_type.get(ct));
    let stage = area
        .zip(matter.status.as_ref())
        .and_then(|(a, s)| a.stages.get(s))
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    draft_body(
        matter,
        area.map(|a| a.area.clone()).unwrap_or_default(),
        stage,
        policy,
    )
}

fn draft_body(matter: &MatterRecord, area: String, stage: String, policy: &Policy<'_>) -> CaseBody {
    let base = policy.deep_link_base;
    let attorney = matter.attorney.clone().unwrap_or_default();
    let attorney_email = attorney.email.as_deref().unwrap_or("").trim().to_string();
    let attorney_name = person_name(&attorney.first_name, &attorney.last_name);
    let party = match matter.primary_parties.as_slice() {
        [one] => one.clone(),
        _ => PrimaryParty::default(),
    };
    CaseBody {
        integration_id: matter.id.to_string(),
        readable_id: trimmed(&matter.file_number).unwrap_or_default(),
        practice_area: area,
        stage,
        opened_on: trimmed(&matter.opened_on),
        closed_on: trimmed(&matter.closed_on),
        attorney: Attorney {
            name: if attorney_name.is_empty() {
                attorney_email.clone()
            } else {
                attorney_name
            },
            email: attorney_email,
        },
        paralegal_email: matter
            .paralegal
            .as_ref()
            .and_then(|p| p.email.as_deref())
            .map(str::trim)
            .filter(|e| valid_email(e))
            .map(str::to_string),
        client: Client {
            first_name: trimmed(&party.first_name).unwrap_or_default(),
            last_name: trimmed(&party.last_name).unwrap_or_default(),
            phone: preferred_phone(&party.phones, policy.phone_region)
                .map(|(_, e164)| e164)
                .unwrap_or_default(),
            email: trimmed(&party.email).filter(|e| valid_email(e)),
            date_of_birth: trimmed(&party.date_of_birth).filter(|d| is_date(d)),
        },
        deep_link: format!("{base}/matters/{}", matter.id),
    }
}

/// The phone to send, with its number in E.164. Only entries that are
/// real numbers for `region` count (`n/a` does not). Preference by label,
/// in any case: one containing "mobile" or "cell" ("Cell Phone"), then
/// "phone" itself, then one containing "home", then "work" or "office",
/// then any other; the first entry wins a tie.
pub fn preferred_phone(phones: &[Phone], region: PhoneRegion) -> Option<(&Phone, String)> {
    fn rank(label: Option<&str>) -> u8 {
        let l = label.map(|l| l.trim().to_lowercase()).unwrap_or_default();
        if l.contains("mobile") || l.contains("cell") {
            0
        } else if l == "phone" {
            1
        } else if l.contains("home") {
            2
        } else if l.contains("work") || l.contains("office") {
            3
        } else {
            4
        }
    }
    phones
        .iter()
        .filter_map(|p| e164(&p.number, region).map(|n| (p, n)))
        .min_by_key(|(p, _)| rank(p.label.as_deref()))
}

/// A phone number as typed, parsed for `region` (unless it has its own
/// country code) and written in E.164 (`+15125550142`); None when it is
/// not a valid number.
pub fn e164(number: &str, region: PhoneRegion) -> Option<String> {
    let n = phonenumber::parse(Some(region), number.trim()).ok()?;
    phonenumber::is_valid(&n).then(|| n.format().mode(phonenumber::Mode::E164).to_string())
}

/// An email address a mail server would accept: one address, no display
/// name or brackets, a dotted domain (checked by the `email_address`
/// parser, not by hand).
pub fn valid_email(email: &str) -> bool {
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        ..email_address::Options::default()
    };
    email_address::EmailAddress::parse_with_options(email, options).is_ok()
}

/// `YYYY-MM-DD` (NaiveDate's own parser: no format string to interpret
/// for each of 100,000 matters).
fn is_date(s: &str) -> bool {
    s.trim().len() == 10 && s.trim().parse::<NaiveDate>().is_ok()
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn person_name(first: &Option<String>, last: &Option<String>) -> String {
    [first, last]
        .iter()
        .filter_map(|v| trimmed(v))
        .collect::<Vec<_>>()
        .join(" ")
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = items.map(|s| format!("{s:?}")).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fluentcase::Staff;
    use crate::store::state::StageRow;

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
            updated_at: Some("2026-11-28T11:00:00Z".into()),
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
        };
        evaluate(m, &policy, now())
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
        let pick = |phones: Vec<Phone>| preferred_phone(&phones, us).map(|(_, n)| n);
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
        assert_eq!(e.notes.len(), 2, "{:?}", e.notes);
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
}

//! Why a matter is not pushed: the stable reason codes (SPEC §1), where to
//! fix each in FluentCase (the help article's "Where to set it" column, or
//! the command of this tool that fixes it), and the rules as `why-skipped`
//! lists them.

use serde::Serialize;

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
    /// A failing rule with its specifics.
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Reason {
        Reason {
            code,
            message: message.into(),
        }
    }
}

//! Matter eligibility: the one pure function that decides whether a matter
//! goes to CaseStatus, and if not, every reason why (SPEC §2, help article
//! "Matter Eligibility"). `sync matters`, `test`, `map` and `why-skipped`
//! all call [`evaluate`]; none of them re-implements a rule.
//!
//! Invariant: no I/O here. Everything comes in as arguments (the matter as
//! read from FluentCase, the mappings, the synced statuses, the clock).

use chrono::{DateTime, Duration, Utc};

use crate::casestatus::CaseBody;
use crate::rules::case_body::draft_body;
use crate::rules::contact::{
    blank, is_date, no_phone_message, optional_field_notes, person_name, preferred_phone,
    valid_staff_email,
};
use crate::rules::policy::{AreaMapping, Policy};
use crate::rules::reasons::{Reason, ReasonCode, MIN_AGE_MINUTES};
use crate::store::records::{MatterRecord, PrimaryParty};

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
}

/// Optional fields that are unusable and are sent as null (client email,
/// date of birth, paralegal email): worth fixing, never a block. Apart
/// from [`evaluate`] because only `why-skipped` shows them, and a cycle
/// need not check 100,000 emails for nothing.
pub fn notes(matter: &MatterRecord) -> Vec<String> {
    optional_field_notes(matter)
}

impl Evaluation {
    /// True when the matter may be pushed.
    pub fn eligible(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Judge one matter: one small function per row of the help article's
/// "Matter Eligibility". Pure: same inputs, same answer.
pub fn evaluate(matter: &MatterRecord, policy: &Policy<'_>, now: DateTime<Utc>) -> Evaluation {
    let judged = judge(matter, policy, now, Messages::Written);
    let reasons = judged.found.reasons;
    let payload = reasons.is_empty().then(|| {
        draft_body(
            matter,
            judged
                .area
                .map(|a| a.area().to_string())
                .unwrap_or_default(),
            judged.stage.unwrap_or_default(),
            policy,
        )
    });
    Evaluation {
        reasons,
        payload,
        eligible_from: judged.eligible_from,
    }
}

/// The codes of the rules [`evaluate`] finds failing, in the same order,
/// without writing their messages or the case body: how a cycle tells that
/// a matter skipped last time is skipped for the same reasons, without
/// formatting 90,000 messages that nobody reads. Empty means eligible.
pub fn reason_codes(
    matter: &MatterRecord,
    policy: &Policy<'_>,
    now: DateTime<Utc>,
) -> Vec<ReasonCode> {
    let judged = judge(matter, policy, now, Messages::Skipped);
    judged.found.reasons.into_iter().map(|r| r.code).collect()
}

/// Whether failing rules get their messages written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Messages {
    Written,
    Skipped,
}

/// The failing rules as they are found.
struct Found {
    reasons: Vec<Reason>,
    messages: Messages,
}

/// What the rules found, with the mapping the payload is drafted from.
struct Judged<'p> {
    found: Found,
    area: Option<&'p AreaMapping>,
    stage: Option<String>,
    eligible_from: Option<DateTime<Utc>>,
}

/// Every rule, in the help article's order.
fn judge<'p>(
    matter: &MatterRecord,
    policy: &'p Policy<'_>,
    now: DateTime<Utc>,
    messages: Messages,
) -> Judged<'p> {
    let mut found = Found {
        reasons: Vec::new(),
        messages,
    };
    let reasons = &mut found;
    file_number(matter, reasons);
    attorney(matter, reasons);
    if let Some(p) = primary_party(matter, reasons) {
        party_contact(p, policy, reasons);
    }
    let area = case_type(matter, policy, reasons);
    let status = status(matter, policy, reasons);
    let stage = area.zip(status).and_then(|(a, s)| stage(a, s, reasons));
    let eligible_from = age(matter, policy, now, reasons);
    dates(matter, reasons);
    Judged {
        found,
        area,
        stage,
        eligible_from,
    }
}

/// A failing rule with a fixed message.
fn fail(reasons: &mut Found, code: ReasonCode, message: &'static str) {
    fail_with(reasons, code, || message.to_string());
}

/// A failing rule whose message is formatted only if it is wanted.
fn fail_with(reasons: &mut Found, code: ReasonCode, message: impl FnOnce() -> String) {
    let message = match reasons.messages {
        Messages::Written => message(),
        Messages::Skipped => String::new(),
    };
    reasons.reasons.push(Reason { code, message });
}

/// "File number" — Matter → Edit → Summary & Dates.
fn file_number(matter: &MatterRecord, reasons: &mut Found) {
    if blank(&matter.file_number) {
        fail(
            reasons,
            ReasonCode::MissingFileNumber,
            "the matter has no file number",
        );
    }
}

/// "Attorney assigned with a valid email address" — Matter → Edit → Staff.
fn attorney(matter: &MatterRecord, reasons: &mut Found) {
    let a = match (&matter.attorney_id, &matter.attorney) {
        (None, _) => return fail(reasons, ReasonCode::NoAttorney, "no attorney is assigned"),
        (Some(id), None) => {
            return fail_with(reasons, ReasonCode::NoAttorney, || {
                format!("the attorney (staff id {id}) does not exist in FluentCase's staff")
            });
        }
        (Some(_), Some(a)) => a,
    };
    // The name only for the message: most attorneys are fine.
    let who = || person_name(&a.first_name, &a.last_name);
    match a.email.as_deref().map(str::trim) {
        Some(e) if valid_staff_email(e) => {}
        Some(e) if !e.is_empty() => {
            fail_with(reasons, ReasonCode::AttorneyEmailInvalid, || {
                format!("attorney {} has an invalid email {e:?}", who())
            });
        }
        _ => {
            fail_with(reasons, ReasonCode::AttorneyEmailInvalid, || {
                format!("attorney {} has no email address", who())
            });
        }
    }
}

/// "Primary party designated on the matter" — exactly one.
fn primary_party<'m>(matter: &'m MatterRecord, reasons: &mut Found) -> Option<&'m PrimaryParty> {
    match matter.primary_parties.as_slice() {
        [] => {
            fail(
                reasons,
                ReasonCode::NoPrimaryParty,
                "no party is marked primary on the matter",
            );
            None
        }
        [one] => Some(one),
        many => {
            fail_with(reasons, ReasonCode::MultiplePrimaryParties, || {
                let ids: Vec<String> = many.iter().map(|p| p.contact_id.to_string()).collect();
                format!(
                    "{} parties are marked primary (contact ids {})",
                    many.len(),
                    ids.join(", ")
                )
            });
            None
        }
    }
}

/// "Primary party's first and last name" and "at least one phone number"
/// — the contact record for that party.
fn party_contact(p: &PrimaryParty, policy: &Policy<'_>, reasons: &mut Found) {
    let (region, book) = (policy.phone_region, policy.phone_book);
    if !p.contact_exists {
        return fail_with(reasons, ReasonCode::InvalidRecord, || {
            format!(
                "the primary party points at contact id {}, which does not exist",
                p.contact_id
            )
        });
    }
    let missing: Vec<&str> = [("first", &p.first_name), ("last", &p.last_name)]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(n, _)| n)
        .collect();
    if !missing.is_empty() {
        fail_with(reasons, ReasonCode::PrimaryPartyNameMissing, || {
            format!(
                "the primary party (contact {}) has no {} name",
                p.contact_id,
                missing.join(" or ")
            )
        });
    }
    if preferred_phone(&p.phones, region, book).is_none() {
        fail_with(reasons, ReasonCode::PrimaryPartyNoPhone, || {
            no_phone_message(p, region, book)
        });
    }
}

/// "The matter's Case Type must be mapped to a CaseStatus practice area."
fn case_type<'p>(
    matter: &MatterRecord,
    policy: &'p Policy<'_>,
    reasons: &mut Found,
) -> Option<&'p AreaMapping> {
    let ct = match (&matter.case_type_id, &matter.case_type) {
        (None, _) => {
            let msg = "the matter has no case type (Matter → Edit)";
            fail(reasons, ReasonCode::CaseTypeUnmapped, msg);
            return None;
        }
        (Some(id), None) => {
            fail_with(reasons, ReasonCode::InvalidRecord, || {
                format!("the matter's case type id {id} does not exist in FluentCase")
            });
            return None;
        }
        (Some(_), Some(ct)) => ct,
    };
    match policy.mappings.area_for(ct) {
        None => {
            fail_with(reasons, ReasonCode::CaseTypeUnmapped, || {
                format!("case type {ct:?} is not mapped to a CaseStatus practice area")
            });
            None
        }
        Some(m) if m.vanished() => {
            fail_with(reasons, ReasonCode::CaseTypeUnmapped, || {
                format!(
                "case type {ct:?} is mapped to practice area {:?}, which CaseStatus no longer has",
                m.area()
            )
            });
            None
        }
        Some(m) => Some(m),
    }
}

/// "The matter must be in a synced status" (default Open).
fn status<'m>(
    matter: &'m MatterRecord,
    policy: &Policy<'_>,
    reasons: &mut Found,
) -> Option<&'m str> {
    match (&matter.status_id, &matter.status) {
        (None, _) => {
            fail(
                reasons,
                ReasonCode::StatusNotSynced,
                "the matter has no status",
            );
            None
        }
        (Some(id), None) => {
            fail_with(reasons, ReasonCode::InvalidRecord, || {
                format!("the matter's status id {id} does not exist in FluentCase")
            });
            None
        }
        (Some(_), Some(s)) => {
            if !policy.synced_statuses.contains(s) {
                fail_with(reasons, ReasonCode::StatusNotSynced, || {
                    format!(
                        "status {s:?} is not synced (synced: {})",
                        list(policy.synced_statuses.iter())
                    )
                });
            }
            Some(s)
        }
    }
}

/// The status mapped to a stage of that practice area (Stage Mapping).
fn stage(area: &AreaMapping, status: &str, reasons: &mut Found) -> Option<String> {
    match area.stage_for(status) {
        None => {
            fail_with(reasons, ReasonCode::StageUnmapped, || {
                format!(
                    "status {status:?} is not mapped to a stage of practice area {:?}",
                    area.area()
                )
            });
            None
        }
        Some((name, true)) => {
            fail_with(reasons, ReasonCode::StageUnmapped, || {
                format!(
                "status {status:?} is mapped to stage {name:?} of {:?}, which CaseStatus no longer has",
                area.area()
            )
            });
            None
        }
        Some((name, false)) => Some(name.to_string()),
    }
}

/// "Matters less than 45 minutes old are skipped"; when it stops applying.
fn age(
    matter: &MatterRecord,
    policy: &Policy<'_>,
    now: DateTime<Utc>,
    reasons: &mut Found,
) -> Option<DateTime<Utc>> {
    let created = matter
        .created_at
        .as_deref()
        .and_then(crate::util::clock::parse);
    let eligible_from = created.map(|c| c + Duration::minutes(MIN_AGE_MINUTES));
    match eligible_from {
        Some(from) if now < from => {
            fail_with(reasons, ReasonCode::TooNew, || {
                format!(
                    "created less than {MIN_AGE_MINUTES} minutes ago; eligible from {}",
                    crate::util::clock::local(from, policy.timezone)
                )
            });
        }
        Some(_) => {}
        None => {
            fail_with(reasons, ReasonCode::InvalidRecord, || {
                format!(
                    "the matter's created_at {:?} is not an RFC 3339 time",
                    matter.created_at.as_deref().unwrap_or("")
                )
            });
        }
    }
    eligible_from
}

/// Opened and closed dates that are set must be dates.
fn dates(matter: &MatterRecord, reasons: &mut Found) {
    for (col, value) in [
        ("opened_on", &matter.opened_on),
        ("closed_on", &matter.closed_on),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            if !is_date(v) {
                fail_with(reasons, ReasonCode::InvalidRecord, || {
                    format!("the matter's {col} {v:?} is not a YYYY-MM-DD date")
                });
            }
        }
    }
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
#[path = "eligibility_tests.rs"]
mod tests;

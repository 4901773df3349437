//! The case body (SPEC §4 `POST /v1/api/cases`, the help article's "What
//! is sent for each matter"), built from a matter and the mappings.

use crate::casestatus::{Attorney, CaseBody, Client};
use crate::rules::contact::{is_date, person_name, preferred_phone, trimmed, valid_email};
use crate::rules::policy::Policy;
use crate::store::ledger::SentIds;
use crate::store::records::{MatterRecord, PrimaryParty};

/// The case body as it would be sent now, even for a matter that is not
/// eligible (missing pieces are empty). Used to tell what changed since a push.
pub fn current_body(matter: &MatterRecord, policy: &Policy<'_>) -> CaseBody {
    let area = matter
        .case_type
        .as_ref()
        .and_then(|ct| policy.mappings.area_for(ct));
    let stage = area
        .zip(matter.status.as_ref())
        .and_then(|(a, s)| a.stage_for(s))
        .map(|(name, _)| name.to_string())
        .unwrap_or_default();
    draft_body(
        matter,
        area.map(|a| a.area().to_string()).unwrap_or_default(),
        stage,
        policy,
    )
}

/// The CaseStatus ids a matter would be sent with now (its case type's
/// practice area and its status's stage), when both are mapped.
pub fn current_ids(matter: &MatterRecord, policy: &Policy<'_>) -> Option<SentIds> {
    policy
        .mappings
        .area_for(matter.case_type.as_ref()?)?
        .ids_for(matter.status.as_ref()?)
}

pub(in crate::rules) fn draft_body(
    matter: &MatterRecord,
    area: String,
    stage: String,
    policy: &Policy<'_>,
) -> CaseBody {
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
            phone: preferred_phone(&party.phones, policy.phone_region, policy.phone_book)
                .map(|(_, e164)| e164)
                .unwrap_or_default(),
            email: trimmed(&party.email).filter(|e| valid_email(e)),
            date_of_birth: trimmed(&party.date_of_birth).filter(|d| is_date(d)),
        },
        deep_link: format!("{base}/matters/{}", matter.id),
    }
}

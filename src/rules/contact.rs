//! Contact data as CaseStatus gets it (SPEC §2): phones parsed with the
//! firm's region and sent in E.164, emails checked by a real parser, dates
//! as `YYYY-MM-DD`; optional fields that are unusable are sent as empty and
//! noted, never a block.

use std::cell::RefCell;
use std::sync::Mutex;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::store::records::{MatterRecord, Phone, PrimaryParty};
use crate::util::config::PhoneRegion;

/// The phone to send, with its number in E.164. Only entries that are
/// real numbers for `region` count (`n/a` does not). Preference by label,
/// in any case: one containing "mobile" or "cell" ("Cell Phone"), then
/// "phone" itself, then one containing "home", then "work" or "office",
/// then any other; the first entry wins a tie.
pub(in crate::rules) fn preferred_phone<'p>(
    phones: &'p [Phone],
    region: PhoneRegion,
    book: &PhoneBook,
) -> Option<(&'p Phone, String)> {
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
        .filter_map(|p| book.e164(&p.number, region).map(|n| (p, n)))
        .min_by_key(|(p, _)| rank(p.label.as_deref()))
}

/// Phone numbers already resolved — as typed → E.164, or None when not a
/// number — so a cycle over 100,000 matters does not parse again what it
/// parsed last cycle (libphonenumber's rules cost about 15 µs a number).
/// A number not in the book is parsed on the spot and, in a book made
/// with [`PhoneBook::remembering`], kept for [`PhoneBook::take_new`] (the
/// sync stores them). Still pure: the answers are libphonenumber's, the
/// book only remembers them.
#[derive(Debug, Default)]
pub struct PhoneBook {
    known: FxHashMap<String, Option<String>>,
    /// Numbers parsed since the book was made; None when not remembering.
    new: Option<Mutex<FxHashMap<String, Option<String>>>>,
}

impl PhoneBook {
    /// A book of numbers resolved earlier (for the same region).
    pub fn new(known: FxHashMap<String, Option<String>>) -> PhoneBook {
        PhoneBook { known, new: None }
    }

    /// A book that also remembers the numbers it parses.
    pub fn remembering(known: FxHashMap<String, Option<String>>) -> PhoneBook {
        PhoneBook {
            known,
            new: Some(Mutex::default()),
        }
    }

    /// The number in E.164, from the book or parsed now.
    pub fn e164(&self, raw: &str, region: PhoneRegion) -> Option<String> {
        if let Some(known) = self.known.get(raw) {
            return known.clone();
        }
        let Some(new) = &self.new else {
            return e164(raw, region);
        };
        // A poisoned lock only means another thread panicked mid-insert;
        // the map is still a valid memo.
        let seen = new
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(raw)
            .cloned();
        seen.unwrap_or_else(|| {
            let resolved = e164(raw, region);
            new.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(raw.to_string(), resolved.clone());
            resolved
        })
    }

    /// The numbers parsed (not found in the book) since it was made.
    pub fn take_new(&self) -> Vec<(String, Option<String>)> {
        match &self.new {
            Some(new) => std::mem::take(&mut *new.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }
}

/// An empty book, for one-off evaluations (`why-skipped`, `test`).
pub static NO_PHONE_BOOK: std::sync::LazyLock<PhoneBook> =
    std::sync::LazyLock::new(PhoneBook::default);

/// A phone number as typed, parsed for `region` (unless it has its own
/// country code) and written in E.164 (`+15125550142`); None when it is
/// not a valid number.
pub(in crate::rules) fn e164(number: &str, region: PhoneRegion) -> Option<String> {
    let n = phonenumber::parse(Some(region), number.trim()).ok()?;
    phonenumber::is_valid(&n).then(|| n.format().mode(phonenumber::Mode::E164).to_string())
}

/// An email address a mail server would accept: one address, no display
/// name or brackets, a dotted domain (checked by the `email_address`
/// parser, not by hand).
pub(in crate::rules) fn valid_email(email: &str) -> bool {
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        ..email_address::Options::default()
    };
    email_address::EmailAddress::parse_with_options(email, options).is_ok()
}

/// [`valid_email`] for staff addresses, which repeat on every matter: the
/// parser's answer is remembered per thread (a few hundred staff at most;
/// the memo is emptied if it ever holds more), which saves a tenth of
/// judging a quiet matter.
pub(in crate::rules) fn valid_staff_email(email: &str) -> bool {
    thread_local! {
        static SEEN: RefCell<FxHashMap<String, bool>> = RefCell::new(FxHashMap::default());
    }
    if let Some(known) = SEEN.with_borrow(|seen| seen.get(email).copied()) {
        return known;
    }
    let valid = valid_email(email);
    SEEN.with_borrow_mut(|seen| {
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(email.to_string(), valid);
    });
    valid
}

/// `YYYY-MM-DD` (NaiveDate's own parser: no format string to interpret
/// for each of 100,000 matters).
pub(in crate::rules) fn is_date(s: &str) -> bool {
    s.trim().len() == 10 && s.trim().parse::<NaiveDate>().is_ok()
}

pub(in crate::rules) fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

pub(in crate::rules) fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(in crate::rules) fn person_name(first: &Option<String>, last: &Option<String>) -> String {
    [first, last]
        .iter()
        .filter_map(|v| trimmed(v))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message for `primary_party_no_phone`, naming refused entries.
pub(in crate::rules) fn no_phone_message(
    p: &PrimaryParty,
    region: PhoneRegion,
    book: &PhoneBook,
) -> String {
    let who = format!(
        "the primary party {} (contact {})",
        person_name(&p.first_name, &p.last_name),
        p.contact_id
    );
    let refused: Vec<String> = p
        .phones
        .iter()
        .filter(|ph| book.e164(&ph.number, region).is_none())
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
pub(in crate::rules) fn optional_field_notes(matter: &MatterRecord) -> Vec<String> {
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

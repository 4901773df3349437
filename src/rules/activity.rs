//! The activity text of a client message (help article: "Message from
//! Case Status (Client Name): message content"), which messages are
//! imported at all, and the fallbacks of SPEC §2: types compared without
//! regard to case, a missing sender named after the matter's primary party
//! (else `Client`), a missing `sent_at` replaced by `created_at`. A client
//! message that still cannot be imported is *stuck* ([`Stuck`]) and waits
//! for a person. Pure: FluentCase is asked only through [`MatterLookup`].

use chrono::{DateTime, Utc};

use crate::casestatus::Message;
use crate::store::fluentcase::PartyName;
use crate::store::stuck_messages::{StuckMessage, StuckReason};

/// The activity tag (help article).
pub const TAG: &str = "Case Status Message";
/// The activity source.
pub const SOURCE: &str = "casestatus";
/// The sender's name when the message has none and the matter has no one
/// primary party with a name (SPEC §2).
pub const FALLBACK_SENDER: &str = "Client";

/// A message's type (SPEC §4: `client`, `firm` or `system`), read without
/// regard to case or surrounding spaces (`Client` is `client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Client,
    Firm,
    System,
}

impl MessageType {
    /// The type named by `text`, if it is one of the three.
    pub fn parse(text: &str) -> Option<MessageType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "client" => Some(MessageType::Client),
            "firm" => Some(MessageType::Firm),
            "system" => Some(MessageType::System),
            _ => None,
        }
    }
}

/// What the rules may ask FluentCase about the matter a message names.
/// The sync answers from the database; unit tests answer from a table.
pub trait MatterLookup {
    /// Whether FluentCase has a matter with this id.
    fn matter_exists(&mut self, matter_id: i64) -> bool;
    /// The names of the matter's primary parties.
    fn primary_parties(&mut self, matter_id: i64) -> Vec<PartyName>;
}

/// A client message checked and ready to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub message_id: i64,
    pub matter_id: i64,
    pub body: String,
    pub created_at: String,
}

/// A client message that cannot be imported without a person: why, as a
/// code and as a sentence naming the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    pub reason: StuckReason,
    pub why: String,
}

/// Why a message is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotImported {
    /// `firm` or `system`: not a client's message; acknowledged.
    Ignored,
    /// Left unprocessed in CaseStatus until a person decides.
    Stuck(Stuck),
}

fn stuck(reason: StuckReason, why: String) -> NotImported {
    NotImported::Stuck(Stuck { reason, why })
}

/// Check a message and build its activity. Pure; `fc` answers whether
/// FluentCase has the matter and who its primary party is (asked only for
/// a message without a sender name).
///
/// # Errors
/// [`NotImported::Ignored`] for the firm's own and CaseStatus's messages;
/// [`NotImported::Stuck`] for a client message (or one of unknown type)
/// that cannot be imported: no matter, no content, no time.
pub fn prepare(m: &Message, fc: &mut impl MatterLookup) -> Result<Incoming, NotImported> {
    let label = readable(m);
    match m.kind.as_deref().map(MessageType::parse) {
        Some(Some(MessageType::Client)) => {}
        // Only the firm's own and CaseStatus's messages are acknowledged
        // unread; a message whose type is missing or unknown might be a
        // client's, so it is never marked processed.
        Some(Some(MessageType::Firm | MessageType::System)) => return Err(NotImported::Ignored),
        Some(None) => {
            let other = m.kind.as_deref().unwrap_or_default();
            return Err(stuck(
                StuckReason::UnknownType,
                format!("{label} has an unknown type {other:?}"),
            ));
        }
        None => {
            return Err(stuck(
                StuckReason::UnknownType,
                format!("{label} has no type"),
            ))
        }
    }
    let Some(content) = m.content.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Err(stuck(
            StuckReason::NoContent,
            format!("{label} has no content"),
        ));
    };
    let Some(sent) = dated(m) else {
        return Err(stuck(
            StuckReason::NoTime,
            format!("{label} has no usable sent_at or created_at time"),
        ));
    };
    // The same rule as for cases (SPEC §2): only the exact decimal id.
    let raw_id = m.integration_id.as_deref().unwrap_or("");
    let matter_id = crate::rules::matter::matter_of_integration_id(raw_id)
        .filter(|id| fc.matter_exists(*id))
        .ok_or_else(|| {
            let from = given_sender(m)
                .map(|s| format!(" from {s}"))
                .unwrap_or_default();
            stuck(
                StuckReason::NoMatter,
                format!(
                    "{label}{from}: no FluentCase matter has id {raw_id:?} — is the matter in CaseStatus under this firm's integration?"
                ),
            )
        })?;
    let sender = sender(m, matter_id, fc);
    Ok(Incoming {
        message_id: m.id,
        matter_id,
        body: body(&sender, content),
        created_at: crate::util::clock::stamp(sent),
    })
}

/// A person's `messages import ID --matter M`: the activity for matter
/// `matter_id` (which the caller found in FluentCase), whatever kept the
/// message from being imported by itself. The fallbacks are the sync's; a
/// message without content is imported with empty text, one without any
/// time is dated `now`. Pure.
pub fn prepare_by_hand(
    m: &Message,
    matter_id: i64,
    fc: &mut impl MatterLookup,
    now: DateTime<Utc>,
) -> Incoming {
    let sender = sender(m, matter_id, fc);
    Incoming {
        message_id: m.id,
        matter_id,
        body: body(&sender, m.content.as_deref().unwrap_or_default()),
        created_at: crate::util::clock::stamp(dated(m).unwrap_or(now)),
    }
}

/// The row that notes a stuck message (first seen `now` unless a row is
/// already there; see `store::stuck_messages::upsert`).
pub fn stuck_row(m: &Message, s: &Stuck, now: DateTime<Utc>) -> StuckMessage {
    let now = crate::util::clock::stamp(now);
    StuckMessage {
        message_id: m.id,
        reason: s.reason,
        detail: s.why.clone(),
        since: now.clone(),
        seen_at: now,
        readable_id: m.readable_id.clone(),
        integration_id: m.integration_id.clone(),
        sender_name: m.sender_name.clone(),
        preview: preview(m.content.as_deref().unwrap_or_default()),
    }
}

/// The activity's text (help article).
fn body(sender: &str, content: &str) -> String {
    format!("Message from Case Status ({sender}): {content}")
}

/// The sender's name as CaseStatus gave it, unless it is missing or blank.
fn given_sender(m: &Message) -> Option<&str> {
    m.sender_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The name the activity shows: the sender's; without one, the matter's
/// primary party's (first and last name); else [`FALLBACK_SENDER`].
fn sender(m: &Message, matter_id: i64, fc: &mut impl MatterLookup) -> String {
    if let Some(s) = given_sender(m) {
        return s.to_string();
    }
    primary_party_name(&fc.primary_parties(matter_id))
        .unwrap_or_else(|| FALLBACK_SENDER.to_string())
}

/// The one primary party's name, first and last (either alone if the other
/// is blank). Several primary parties: none of them (the message does not
/// say which one wrote), so the caller says `Client`.
pub fn primary_party_name(parties: &[PartyName]) -> Option<String> {
    let [party] = parties else {
        return None;
    };
    let name = [&party.first_name, &party.last_name]
        .into_iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// When the message was sent: `sent_at`, or `created_at` when `sent_at` is
/// missing or not a time.
fn dated(m: &Message) -> Option<DateTime<Utc>> {
    [m.sent_at.as_deref(), m.created_at.as_deref()]
        .into_iter()
        .flatten()
        .find_map(crate::util::clock::parse)
}

fn readable(m: &Message) -> String {
    match &m.readable_id {
        Some(r) => format!("message {} (case {r})", m.id),
        None => format!("message {}", m.id),
    }
}

/// The start of a message for the log: the text as sent (line breaks and
/// all; output makes them visible), cut at 80 characters.
pub fn preview(body: &str) -> String {
    if body.chars().count() > 80 {
        format!("{}…", body.chars().take(80).collect::<String>())
    } else {
        body.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matters by id with their primary parties.
    struct Table(Vec<(i64, Vec<PartyName>)>);

    fn party(first: Option<&str>, last: Option<&str>) -> PartyName {
        PartyName {
            first_name: first.map(String::from),
            last_name: last.map(String::from),
        }
    }

    impl MatterLookup for Table {
        fn matter_exists(&mut self, id: i64) -> bool {
            self.0.iter().any(|(m, _)| *m == id)
        }
        fn primary_parties(&mut self, id: i64) -> Vec<PartyName> {
            self.0
                .iter()
                .find(|(m, _)| *m == id)
                .map(|(_, p)| p.clone())
                .unwrap_or_default()
        }
    }

    fn matter_1042() -> Table {
        Table(vec![(1042, vec![party(Some("Maria"), Some(" Lopez "))])])
    }

    fn none() -> Table {
        Table(Vec::new())
    }

    fn msg() -> Message {
        Message {
            id: 301,
            kind: Some("client".into()),
            content: Some("Hi \"there\"\nline 2 ✓".into()),
            sent_at: Some("2026-11-28T10:00:00Z".into()),
            created_at: None,
            readable_id: Some("WC-2026-0042".into()),
            sender_name: Some("Maria Lopez".into()),
            integration_id: Some("1042".into()),
            processed: None,
        }
    }

    fn reason(r: Result<Incoming, NotImported>) -> StuckReason {
        match r {
            Err(NotImported::Stuck(s)) => s.reason,
            other => panic!("not stuck: {other:?}"),
        }
    }

    #[test]
    fn activity_text_is_exact() {
        let i = prepare(&msg(), &mut matter_1042()).unwrap();
        assert_eq!(
            i.body,
            "Message from Case Status (Maria Lopez): Hi \"there\"\nline 2 ✓"
        );
        assert_eq!(i.created_at, "2026-11-28T10:00:00Z");
        assert_eq!(i.matter_id, 1042);
    }

    #[test]
    fn types_are_compared_without_regard_to_case() {
        for kind in ["Client", "CLIENT", " client "] {
            let mut m = msg();
            m.kind = Some(kind.into());
            assert!(prepare(&m, &mut matter_1042()).is_ok(), "{kind}");
        }
        for kind in ["FIRM", "System"] {
            let mut m = msg();
            m.kind = Some(kind.into());
            assert_eq!(
                prepare(&m, &mut matter_1042()),
                Err(NotImported::Ignored),
                "{kind}"
            );
        }
    }

    #[test]
    fn a_missing_sender_is_the_primary_party_else_client() {
        for blank in [None, Some(""), Some("   ")] {
            let mut m = msg();
            m.sender_name = blank.map(String::from);
            let i = prepare(&m, &mut matter_1042()).unwrap();
            assert!(
                i.body
                    .starts_with("Message from Case Status (Maria Lopez): "),
                "{}",
                i.body
            );
            let mut no_party = Table(vec![(1042, Vec::new())]);
            let i = prepare(&m, &mut no_party).unwrap();
            assert!(i.body.starts_with("Message from Case Status (Client): "));
        }
        let two = [party(Some("A"), Some("B")), party(Some("C"), Some("D"))];
        assert_eq!(primary_party_name(&two), None);
        assert_eq!(
            primary_party_name(&[party(None, Some("Lopez"))]),
            Some("Lopez".into())
        );
        assert_eq!(primary_party_name(&[party(Some(" "), None)]), None);
    }

    #[test]
    fn without_sent_at_the_message_is_dated_by_created_at() {
        for sent in [None, Some("tuesday")] {
            let mut m = msg();
            m.sent_at = sent.map(String::from);
            m.created_at = Some("2026-11-27T08:30:00Z".into());
            let i = prepare(&m, &mut matter_1042()).unwrap();
            assert_eq!(i.created_at, "2026-11-27T08:30:00Z");
        }
    }

    #[test]
    fn stuck_reasons() {
        let mut m = msg();
        m.kind = Some("firm".into());
        assert_eq!(prepare(&m, &mut none()), Err(NotImported::Ignored));
        for content in [None, Some(""), Some(" \n")] {
            let mut m = msg();
            m.content = content.map(String::from);
            assert_eq!(
                reason(prepare(&m, &mut matter_1042())),
                StuckReason::NoContent
            );
        }
        let mut m = msg();
        m.sent_at = Some("tuesday".into());
        assert_eq!(reason(prepare(&m, &mut matter_1042())), StuckReason::NoTime);
        let mut m = msg();
        m.kind = Some("note".into());
        assert_eq!(
            reason(prepare(&m, &mut matter_1042())),
            StuckReason::UnknownType
        );
        m.kind = None;
        assert_eq!(
            reason(prepare(&m, &mut matter_1042())),
            StuckReason::UnknownType
        );
        match prepare(&msg(), &mut none()) {
            Err(NotImported::Stuck(s)) => {
                assert_eq!(s.reason, StuckReason::NoMatter);
                assert!(s.why.contains("WC-2026-0042"), "{}", s.why);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn by_hand_imports_whatever_kept_it_stuck() {
        let mut m = msg();
        m.integration_id = Some("7777".into());
        m.content = None;
        m.sent_at = None;
        m.sender_name = None;
        let now = crate::util::clock::parse("2026-11-28T12:00:00Z").unwrap();
        let i = prepare_by_hand(&m, 1042, &mut matter_1042(), now);
        assert_eq!(i.matter_id, 1042);
        assert_eq!(i.body, "Message from Case Status (Maria Lopez): ");
        assert_eq!(i.created_at, "2026-11-28T12:00:00Z");
    }
}

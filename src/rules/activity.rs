//! The activity text of a client message (help article: "Message from
//! Case Status (Client Name): message content"), and which messages are
//! imported at all. Pure: FluentCase is asked only through `matter_exists`.

use crate::casestatus::Message;

/// The activity tag (help article).
pub const TAG: &str = "Case Status Message";
/// The activity source.
pub const SOURCE: &str = "casestatus";

/// A client message checked and ready to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub message_id: i64,
    pub matter_id: i64,
    pub body: String,
    pub created_at: String,
}

/// Why a message is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotImported {
    /// `firm` or `system`: not a client's message; acknowledged.
    Ignored,
    /// A field needed to import it is missing or unusable.
    Invalid(String),
    /// No matter in FluentCase has the message's integration id.
    Unmatched(String),
}

/// Check a message and build its activity. Pure; `matter_exists` answers
/// whether FluentCase has a matter with that id.
pub fn prepare(
    m: &Message,
    mut matter_exists: impl FnMut(i64) -> bool,
) -> Result<Incoming, NotImported> {
    let label = readable(m);
    match m.kind.as_deref() {
        Some("client") => {}
        // Only the firm's own and CaseStatus's messages are acknowledged
        // unread; a message whose type is missing or unknown might be a
        // client's, so it is never marked processed.
        Some("firm" | "system") => return Err(NotImported::Ignored),
        Some(other) => {
            return Err(NotImported::Invalid(format!(
                "{label} has an unknown type {other:?}"
            )))
        }
        None => return Err(NotImported::Invalid(format!("{label} has no type"))),
    }
    let sender = m
        .sender_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(sender) = sender else {
        return Err(NotImported::Invalid(format!("{label} has no sender_name")));
    };
    let Some(content) = m.content.as_deref() else {
        return Err(NotImported::Invalid(format!("{label} has no content")));
    };
    let sent = m
        .sent_at
        .as_deref()
        .or(m.created_at.as_deref())
        .and_then(crate::util::clock::parse)
        .ok_or_else(|| NotImported::Invalid(format!("{label} has no usable sent_at time")))?;
    let raw_id = m.integration_id.as_deref().map(str::trim).unwrap_or("");
    let matter_id = raw_id
        .parse::<i64>()
        .ok()
        .filter(|id| matter_exists(*id))
        .ok_or_else(|| {
            NotImported::Unmatched(format!(
                "{label} from {sender}: no FluentCase matter has id {raw_id:?} — is the matter in CaseStatus under this firm's integration?"
            ))
        })?;
    Ok(Incoming {
        message_id: m.id,
        matter_id,
        body: format!("Message from Case Status ({sender}): {content}"),
        created_at: crate::util::clock::stamp(sent),
    })
}

fn readable(m: &Message) -> String {
    match &m.readable_id {
        Some(r) => format!("message {} (case {r})", m.id),
        None => format!("message {}", m.id),
    }
}

/// What FluentCase held, or now holds, for a message.
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

    #[test]
    fn activity_text_is_exact() {
        let i = prepare(&msg(), |id| id == 1042).unwrap();
        assert_eq!(
            i.body,
            "Message from Case Status (Maria Lopez): Hi \"there\"\nline 2 ✓"
        );
        assert_eq!(i.created_at, "2026-11-28T10:00:00Z");
        assert_eq!(i.matter_id, 1042);
    }

    #[test]
    fn not_imported_reasons() {
        let mut m = msg();
        m.kind = Some("firm".into());
        assert_eq!(prepare(&m, |_| true), Err(NotImported::Ignored));
        let mut m = msg();
        m.content = None;
        assert!(matches!(
            prepare(&m, |_| true),
            Err(NotImported::Invalid(_))
        ));
        let mut m = msg();
        m.sent_at = Some("tuesday".into());
        assert!(matches!(
            prepare(&m, |_| true),
            Err(NotImported::Invalid(_))
        ));
        let m = msg();
        match prepare(&m, |_| false) {
            Err(NotImported::Unmatched(why)) => assert!(why.contains("WC-2026-0042"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}

//! What happened to one record in a run: a closed vocabulary
//! ([`Outcome`]), with the names the run log, `--json` and the metrics
//! have always used (a contract: state files and tools read them), the
//! label people read, and the two properties the engine and the printer
//! ask about — is it a failure (it makes the exit status 1), and is it
//! shown only with `-v`.
//!
//! It lives in `store`, the lowest layer that keeps it (the run log's
//! counts and items), so the rules, the sync kinds and the commands all
//! name outcomes by the same type.
//!
//! Reading a name this binary does not know: only a hand-edited state file
//! can hold one (every name ever written is a variant here, and a newer
//! schema is refused at open), so [`Outcome::from_name`] answers `None`
//! and the readers leave that count or item out rather than fail the
//! whole `log` or `status`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One record's outcome in a run. The serde names are the stored names.
// Ordered by name (below), so counts keep the alphabetical order they
// always had in `--json` and in summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    // Every kind.
    /// Created in CaseStatus.
    Created,
    /// Not sent: a rule failed (a matter's reasons are its codes).
    Skipped,
    /// Refused by CaseStatus (a 422): record-level, retried next cycle.
    Rejected,
    /// Waits for CaseStatus (an unconfirmed create, a case still being set up).
    Waiting,
    /// An error for this record; the run goes on, but exits 1.
    Failed,
    // Matters.
    /// Counted: the matter is in CaseStatus (each matter once).
    InCasestatus,
    /// Logged: found in CaseStatus (a look-up or a listing), not created.
    AlreadyInCasestatus,
    /// Logged: a pushed matter's data changed since the push.
    ChangedSincePush,
    // Appointments.
    /// An appointment sent again with new data.
    Updated,
    /// An appointment removed from CaseStatus.
    Deleted,
    /// Nothing changed since it was sent.
    Unchanged,
    /// Outside the window (yesterday to 180 days ahead).
    OutsideWindow,
    /// The event cannot be sent as it is (no title, bad times).
    Invalid,
    /// Its event type is not enabled.
    TypeNotEnabled,
    /// Deleted in FluentCase and never sent.
    DeletedInFluentcase,
    /// Its matter is not in CaseStatus.
    MatterNotInCasestatus,
    // Messages.
    /// A client message became an activity and was marked processed.
    Imported,
    /// The same activity was already there; marked processed now.
    AlreadyImported,
    /// A firm or system message (or a person's decision) marked processed.
    Acknowledged,
    /// A client message that waits for a person.
    Stuck,
    // Dry runs.
    WouldCreate,
    WouldUpdate,
    WouldDelete,
    WouldImport,
    WouldAcknowledge,
    // Account checks (`connect --new-account`, a changed key or URL).
    SameAccount,
    NewAccount,
}

/// Every outcome, in declaration order.
pub const ALL: &[Outcome] = &[
    Outcome::Created,
    Outcome::Skipped,
    Outcome::Rejected,
    Outcome::Waiting,
    Outcome::Failed,
    Outcome::InCasestatus,
    Outcome::AlreadyInCasestatus,
    Outcome::ChangedSincePush,
    Outcome::Updated,
    Outcome::Deleted,
    Outcome::Unchanged,
    Outcome::OutsideWindow,
    Outcome::Invalid,
    Outcome::TypeNotEnabled,
    Outcome::DeletedInFluentcase,
    Outcome::MatterNotInCasestatus,
    Outcome::Imported,
    Outcome::AlreadyImported,
    Outcome::Acknowledged,
    Outcome::Stuck,
    Outcome::WouldCreate,
    Outcome::WouldUpdate,
    Outcome::WouldDelete,
    Outcome::WouldImport,
    Outcome::WouldAcknowledge,
    Outcome::SameAccount,
    Outcome::NewAccount,
];

impl Outcome {
    /// The stored name (the run log, `--json`, the metrics' label).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Skipped => "skipped",
            Outcome::Rejected => "rejected",
            Outcome::Waiting => "waiting",
            Outcome::Failed => "failed",
            Outcome::InCasestatus => "in_casestatus",
            Outcome::AlreadyInCasestatus => "already_in_casestatus",
            Outcome::ChangedSincePush => "changed_since_push",
            Outcome::Updated => "updated",
            Outcome::Deleted => "deleted",
            Outcome::Unchanged => "unchanged",
            Outcome::OutsideWindow => "outside_window",
            Outcome::Invalid => "invalid",
            Outcome::TypeNotEnabled => "type_not_enabled",
            Outcome::DeletedInFluentcase => "deleted_in_fluentcase",
            Outcome::MatterNotInCasestatus => "matter_not_in_casestatus",
            Outcome::Imported => "imported",
            Outcome::AlreadyImported => "already_imported",
            Outcome::Acknowledged => "acknowledged",
            Outcome::Stuck => "stuck",
            Outcome::WouldCreate => "would_create",
            Outcome::WouldUpdate => "would_update",
            Outcome::WouldDelete => "would_delete",
            Outcome::WouldImport => "would_import",
            Outcome::WouldAcknowledge => "would_acknowledge",
            Outcome::SameAccount => "same_account",
            Outcome::NewAccount => "new_account",
        }
    }

    /// The outcome stored under `name`; None for a name this binary does
    /// not know (see the module doc).
    pub fn from_name(name: &str) -> Option<Outcome> {
        ALL.iter().copied().find(|o| o.name() == name)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::AlreadyInCasestatus => "already in CaseStatus",
            Outcome::InCasestatus => "in CaseStatus",
            Outcome::ChangedSincePush => "changed since the push",
            Outcome::Rejected => "rejected by CaseStatus",
            Outcome::OutsideWindow => "outside window",
            Outcome::TypeNotEnabled => "type not enabled",
            Outcome::DeletedInFluentcase => "deleted in FluentCase",
            Outcome::MatterNotInCasestatus => "matter not in CaseStatus",
            Outcome::AlreadyImported => "already imported",
            Outcome::WouldCreate => "would create",
            Outcome::WouldUpdate => "would update",
            Outcome::WouldDelete => "would delete",
            Outcome::WouldImport => "would import",
            Outcome::WouldAcknowledge => "would acknowledge",
            Outcome::SameAccount => "same account",
            Outcome::NewAccount => "new account",
            Outcome::Created => "created",
            Outcome::Skipped => "skipped",
            Outcome::Waiting => "waiting",
            Outcome::Failed => "failed",
            Outcome::Updated => "updated",
            Outcome::Deleted => "deleted",
            Outcome::Unchanged => "unchanged",
            Outcome::Invalid => "invalid",
            Outcome::Imported => "imported",
            Outcome::Acknowledged => "acknowledged",
            Outcome::Stuck => "stuck",
        }
    }

    /// A record that failed with an error: the run exits 1 (records
    /// failed) and `status` does not count it as a success.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed)
    }

    /// Shown only with `-v` in a real run (a dry run's plan shows all):
    /// a skipped matter is the same news every 15 minutes.
    pub fn verbose_only(self) -> bool {
        matches!(self, Outcome::Skipped)
    }
}

/// Stored by name.
impl rusqlite::ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Text(self.name().as_bytes()),
        ))
    }
}

impl Ord for Outcome {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

impl PartialOrd for Outcome {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Records per outcome; serialised with the stored names.
pub type Counts = BTreeMap<Outcome, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names_and_read_back() {
        for o in ALL {
            let json = serde_json::to_string(o).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", o.name()));
            assert_eq!(Outcome::from_name(o.name()), Some(*o));
        }
        assert_eq!(Outcome::from_name("no_such_outcome"), None);
    }

    #[test]
    fn the_names_of_the_contract_are_unchanged() {
        // Stored in state files and read by tools: never renamed.
        for name in [
            "created",
            "skipped",
            "rejected",
            "failed",
            "in_casestatus",
            "already_in_casestatus",
            "changed_since_push",
            "waiting",
            "stuck",
            "imported",
        ] {
            assert!(Outcome::from_name(name).is_some(), "{name}");
        }
        assert!(Outcome::Failed.is_failure() && !Outcome::Rejected.is_failure());
        assert!(Outcome::Skipped.verbose_only() && !Outcome::Created.verbose_only());
    }
}

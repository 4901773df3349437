//! A matter's primary parties by name only: what a client message without
//! a sender name is imported under (SPEC §2). Beside `primary_parties` in
//! `fluentcase/mod.rs`, which reads them whole for eligibility.

use super::{text, FluentCase, FluentCaseError};

/// A primary party's name as FluentCase holds it (either part may be
/// missing or blank; the rules decide what that means).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyName {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl FluentCase {
    /// The names of a matter's primary parties, in contact order; empty
    /// when it has none.
    ///
    /// # Errors
    /// A FluentCase database error.
    pub fn primary_party_names(&self, matter_id: i64) -> Result<Vec<PartyName>, FluentCaseError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.first_name, c.last_name
                 FROM matter_parties mp JOIN contacts c ON c.id = mp.contact_id
                 WHERE mp.matter_id = ?1 AND mp.is_primary <> 0
                 ORDER BY mp.contact_id",
            )
            .map_err(|e| self.err(e))?;
        let names = stmt
            .query_map([matter_id], |r| {
                Ok(PartyName {
                    first_name: text(r, 0)?,
                    last_name: text(r, 1)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(names)
    }
}

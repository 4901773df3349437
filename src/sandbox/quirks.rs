//! The ways the sandbox can depart from the contract the tool assumes
//! (SPEC §4), set with [`super::Sandbox::set_quirks`].

/// How this sandbox departs from the contract the tool assumes, so tests
/// can prove the tool's tolerance of what the real service may do (SPEC
/// §4): each is a way CaseStatus might answer that we have never seen.
/// They apply to every account of the server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quirks {
    /// Answer at most this many items a page, whatever `page[size]` asks
    /// (the one public client assumes pages of 10).
    pub page_cap: Option<usize>,
    /// Ignore the `integration_id` filter of the case listing and the
    /// `processed` filter of the message listing.
    pub ignore_filters: bool,
    /// Send every id (`id`, `case_id`, practice-area and stage ids) as a
    /// string of digits.
    pub string_ids: bool,
    /// Before each page after the first of a case listing, move the newest
    /// case to the front, as when people work in CaseStatus during a
    /// listing: offset paging then misses a case.
    pub reorder_listing: bool,
    /// Never answer 409 to a repeated `integration_id` (in every account):
    /// a duplicate the tool sent is stored and can be counted.
    pub no_conflicts: bool,
}

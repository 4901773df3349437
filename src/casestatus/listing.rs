//! Reading CaseStatus's paged lists as the real service may answer them
//! (SPEC §4): pages may be shorter than asked (the one public client
//! assumes pages of 10), so a list ends only at an empty page; and a list
//! is paged by offset while people work in CaseStatus, so a record deleted
//! or reordered between two pages can be missed. A listing that proves a
//! record absent must therefore have been read consistently: in one page,
//! or twice over with the same records both times (SPEC §2).

use std::collections::BTreeMap;

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{ApiError, CaseStatus, Safety, PAGE_SIZE};

/// A list longer than this many pages is treated as a misbehaving server.
const MAX_PAGES: usize = 10_000;
/// Readings of the account's case listing: two that agree make it a
/// proof of absence; when they don't, the sync looks each absent matter
/// up instead (so a third reading would buy nothing).
pub(super) const LISTING_PASSES: usize = 2;
/// Readings of a look-up or a case's appointments, which have no fallback:
/// up to three, so one change during a reading does not cost a cycle.
pub(super) const LOOKUP_PASSES: usize = 3;

/// A list read to its end.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    /// Every record seen, once each, by id. When the readings disagreed,
    /// every record any of them saw (each exists, or did a moment ago).
    pub items: Vec<T>,
    /// The records were read in one page, or two readings saw the same
    /// ids: a record missing here is not in CaseStatus.
    pub consistent: bool,
    /// How many times the whole list was read.
    pub passes: usize,
    /// Non-empty pages in the last reading.
    pub pages: usize,
}

/// One reading of a list: its records in order and how many pages held them.
pub(super) struct Pages<T> {
    pub(super) items: Vec<T>,
    pub(super) pages: usize,
}

impl CaseStatus {
    /// Read a list endpoint page by page until an empty page. A page equal
    /// to the one before means the service ignores `page[number]`: that is
    /// an error, not an endless loop or a list taken as complete.
    pub(super) fn read_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Pages<T>, ApiError> {
        let size = PAGE_SIZE.to_string();
        let mut items = Vec::new();
        let mut previous: Option<Vec<serde_json::Value>> = None;
        for number in 1..=MAX_PAGES {
            let number_text = number.to_string();
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.push(("page[number]", &number_text));
            q.push(("page[size]", &size));
            let page: Vec<serde_json::Value> =
                self.call::<(), _>(Method::GET, path, &q, None, Safety::Idempotent)?;
            if page.is_empty() {
                return Ok(Pages {
                    items,
                    pages: number - 1,
                });
            }
            if previous.as_ref() == Some(&page) {
                return Err(ApiError::BadResponse {
                    what: path.into(),
                    detail: format!(
                        "page {number} repeats page {} (the service seems to ignore page[number])",
                        number - 1
                    ),
                });
            }
            for (i, v) in page.iter().enumerate() {
                items.push(T::deserialize(v).map_err(|e| ApiError::BadResponse {
                    what: path.into(),
                    detail: format!("record {} of page {number} is not as expected: {e}", i + 1),
                })?);
            }
            previous = Some(page);
        }
        Err(ApiError::BadResponse {
            what: path.into(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// Read a list until it is consistent (see [`Listing::consistent`]), at
    /// most `passes` times. `id` names a record.
    pub(super) fn read_consistently<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        id: impl Fn(&T) -> i64,
        passes: usize,
    ) -> Result<Listing<T>, ApiError> {
        let mut seen: BTreeMap<i64, T> = BTreeMap::new();
        let mut previous: Option<Vec<i64>> = None;
        let mut pages = 0;
        for pass in 1..=passes.max(1) {
            let reading: Pages<T> = self.read_pages(path, query)?;
            pages = reading.pages;
            let mut ids: Vec<i64> = reading.items.iter().map(&id).collect();
            ids.sort_unstable();
            ids.dedup();
            for item in reading.items {
                seen.insert(id(&item), item);
            }
            // One page was read at one moment: nothing could move under it.
            let consistent = pages <= 1 || previous.as_ref() == Some(&ids);
            if consistent {
                // This reading alone, in id order.
                seen.retain(|k, _| ids.binary_search(k).is_ok());
                return Ok(Listing {
                    items: seen.into_values().collect(),
                    consistent: true,
                    passes: pass,
                    pages,
                });
            }
            previous = Some(ids);
        }
        Ok(Listing {
            items: seen.into_values().collect(),
            consistent: false,
            passes: passes.max(1),
            pages,
        })
    }
}

//! `doctor`'s questions to CaseStatus: the contract as this account
//! answers it, by GETs only (SPEC §4 says what the real service may do
//! differently from what the tool asks). Each probe is one raw page
//! ([`CaseStatus::get_page`]) so the answer is seen as it came; the JSON
//! is looked at here, at the edge, and nowhere else.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{CheckName, Checks};
use crate::casestatus::{id_of, ApiError, CaseStatus};
use crate::commands::setup::advice_for;
use crate::store::state::{StateStore, StoredKey};
use crate::sync::Ctx;

const AREAS: &str = "/v1/api/practice_areas";
const CASES: &str = "/v1/api/cases";
const MESSAGES: &str = "/v1/api/messages";
/// An integration id no matter can have (the tool sends matter ids, which
/// are decimal numbers): any case in the answer means the filter is ignored.
const PROBE_ID: &str = "doctor-probe-0";
/// The page size the tool asks for ([`crate::casestatus::PAGE_SIZE`]).
const FULL: usize = crate::casestatus::PAGE_SIZE;
/// A page size small enough that any account with a few cases shows
/// whether it is ignored.
const SMALL: usize = 2;
/// Message types the tool knows (compared without regard to case).
const KNOWN_TYPES: &[&str] = &["client", "firm", "system"];

/// Ask CaseStatus every question; record one check for each.
pub(super) fn check(ctx: &Ctx, key: &StoredKey, state: Option<&StateStore>, checks: &mut Checks) {
    let client = match ctx.client_for(key) {
        Ok(c) => c,
        Err(e) => {
            checks.fail(
                CheckName::KeyAccepted,
                format!("{e:#}"),
                "copy the key again from CaseStatus's settings, as one string".into(),
            );
            return;
        }
    };
    let probe = Probe { ctx, client };
    let mut ids = Ids::default();
    let Some(areas) = probe.page(checks, CheckName::KeyAccepted, AREAS, &[], 1, FULL) else {
        // The key is refused or CaseStatus cannot be reached: every other
        // question would fail the same way.
        return;
    };
    checks.ok(
        CheckName::KeyAccepted,
        format!(
            "accepted by CaseStatus at {} ({} practice area(s))",
            ctx.config.casestatus.base_url,
            areas.len()
        ),
    );
    for area in &areas {
        ids.see(area.get("id"));
        let stages = area.get("stages").and_then(Value::as_array);
        for stage in stages.into_iter().flatten() {
            ids.see(stage.get("id"));
        }
    }
    let cases = page_sizes(&probe, checks);
    if let Some(cases) = &cases {
        for c in cases {
            ids.see(c.get("id"));
        }
        case_filter(&probe, checks, !cases.is_empty());
    }
    messages(&probe, checks, &mut ids);
    if let Some(state) = state {
        appointments(&probe, checks, state, &mut ids);
    }
    id_types(&ids, checks);
}

/// The client and the context its failures are explained in.
struct Probe<'a> {
    ctx: &'a Ctx,
    client: CaseStatus,
}

impl Probe<'_> {
    /// One page of `path`, or a ✗ for `name` with the help article's advice.
    fn page(
        &self,
        checks: &mut Checks,
        name: CheckName,
        path: &str,
        filter: &[(&str, &str)],
        number: usize,
        size: usize,
    ) -> Option<Vec<Value>> {
        match self.get(path, filter, number, size) {
            Ok(page) => Some(page),
            Err(e) => {
                checks.fail(name, e.to_string(), advice_for(&e, self.ctx));
                None
            }
        }
    }

    fn get(
        &self,
        path: &str,
        filter: &[(&str, &str)],
        number: usize,
        size: usize,
    ) -> Result<Vec<Value>, ApiError> {
        let (number, size) = (number.to_string(), size.to_string());
        let mut query = filter.to_vec();
        query.push(("page[number]", &number));
        query.push(("page[size]", &size));
        self.client.get_page(path, &query)
    }
}

/// Page sizes: ignored (a small page comes back longer than asked),
/// capped (a full-size page comes back short but is followed by more), or
/// honoured; and page numbers, without which no list can be read. The
/// first full page of cases, for the other checks.
fn page_sizes(probe: &Probe<'_>, checks: &mut Checks) -> Option<Vec<Value>> {
    let name = CheckName::PageSize;
    let small = probe.page(checks, name, CASES, &[], 1, SMALL)?;
    let first = probe.page(checks, name, CASES, &[], 1, FULL)?;
    if small.len() > SMALL {
        checks.warn(
            name,
            format!(
                "page[size] is ignored: asked for {SMALL} cases, got {}; lists come in CaseStatus's own pages, so each listing costs more requests",
                small.len()
            ),
            None,
        );
        return Some(first);
    }
    if first.is_empty() {
        checks.ok(name, "not judged yet: the account has no cases".into());
        return Some(first);
    }
    if first.len() >= FULL {
        checks.ok(name, format!("pages of {FULL} as asked"));
        return Some(first);
    }
    let second = probe.page(checks, name, CASES, &[], 2, FULL)?;
    if second.is_empty() {
        checks.ok(
            name,
            format!(
                "honoured: asked for {SMALL}, got {}; asked for {FULL}, got all {} case(s) in one page",
                small.len(),
                first.len()
            ),
        );
    } else if second == first {
        checks.fail(
            name,
            "page[number] is ignored: page 2 repeats page 1, so no list can be read to its end"
                .into(),
            "contact CaseStatus support: the API must page lists by page[number]".into(),
        );
    } else {
        checks.warn(
            name,
            format!(
                "pages of {} (asked for {FULL}): each listing costs more requests",
                first.len()
            ),
            None,
        );
    }
    Some(first)
}

/// The `integration_id` filter of the case listing, asked for an id no
/// matter has.
fn case_filter(probe: &Probe<'_>, checks: &mut Checks, account_has_cases: bool) {
    let name = CheckName::CaseFilter;
    let filter = [("integration_id", PROBE_ID)];
    let Some(answer) = probe.page(checks, name, CASES, &filter, 1, FULL) else {
        return;
    };
    let others = answer
        .iter()
        .filter(|c| text_of(c.get("integration_id")).as_deref() != Some(PROBE_ID))
        .count();
    if others > 0 {
        checks.warn(
            name,
            format!(
                "ignored: asked for integration_id {PROBE_ID:?}, which no matter has, and got {others} case(s); each look-up reads the whole case list (the tool checks each answer itself)"
            ),
            None,
        );
    } else if account_has_cases {
        checks.ok(
            name,
            format!("honoured: no case for integration_id {PROBE_ID:?}"),
        );
    } else {
        checks.ok(name, "not judged yet: the account has no cases".into());
    }
}

/// The unprocessed-messages listing: whether its filter holds, and which
/// message types this account sends.
fn messages(probe: &Probe<'_>, checks: &mut Checks, ids: &mut Ids) {
    let filter = [("processed", "false")];
    let Some(page) = probe.page(
        checks,
        CheckName::MessagesFilter,
        MESSAGES,
        &filter,
        1,
        FULL,
    ) else {
        return;
    };
    for m in &page {
        ids.see(m.get("id"));
    }
    let processed = page
        .iter()
        .filter(|m| m.get("processed") == Some(&Value::Bool(true)))
        .count();
    if processed > 0 {
        checks.warn(
            CheckName::MessagesFilter,
            format!(
                "ignored: {processed} of {} messages asked for as unprocessed are processed; every cycle reads them again (and drops them)",
                page.len()
            ),
            None,
        );
    } else if page.is_empty() {
        checks.ok(
            CheckName::MessagesFilter,
            "no unprocessed messages now (the filter is not judged)".into(),
        );
    } else {
        checks.ok(
            CheckName::MessagesFilter,
            format!(
                "{} unprocessed message(s), none marked processed",
                page.len()
            ),
        );
    }
    // Every distinct type, with how many messages had it.
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    for m in &page {
        let t = match m.get("type") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => "(none)".into(),
            Some(other) => other.to_string(),
        };
        *types.entry(t).or_default() += 1;
    }
    let unknown: BTreeSet<&String> = types
        .keys()
        .filter(|t| !KNOWN_TYPES.iter().any(|k| k.eq_ignore_ascii_case(t)))
        .collect();
    let seen = types
        .iter()
        .map(|(t, n)| format!("{t:?} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    if types.is_empty() {
        checks.ok(CheckName::MessageTypes, "no messages to judge now".into());
    } else if unknown.is_empty() {
        checks.ok(CheckName::MessageTypes, format!("seen: {seen}"));
    } else {
        let list = unknown
            .iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        checks.warn(
            CheckName::MessageTypes,
            format!("seen: {seen}; messages of type {list} are neither imported nor acknowledged: they stay unprocessed and are reported every cycle"),
            Some("ask CaseStatus what these types are: casestatus-sync imports client messages only".into()),
        );
    }
}

/// The appointments listing of one case the state file records (the one
/// of the lowest matter id, so repeated runs ask the same question).
fn appointments(probe: &Probe<'_>, checks: &mut Checks, state: &StateStore, ids: &mut Ids) {
    let name = CheckName::Appointments;
    let recorded = match crate::store::ledger::pushed_cases(state) {
        Ok((cases, _)) => cases.into_iter().min(),
        Err(e) => {
            checks.warn(name, format!("not asked: {e}"), None);
            return;
        }
    };
    // No case recorded yet: nothing to ask about.
    let Some((matter, case)) = recorded else {
        return;
    };
    let path = format!("/v1/api/cases/{case}/appointments");
    match probe.get(&path, &[], 1, FULL) {
        Ok(page) => {
            for a in &page {
                ids.see(a.get("id"));
            }
            checks.ok(
                name,
                format!(
                    "case {case} (matter {matter}) lists {} appointment(s) on its first page",
                    page.len()
                ),
            );
        }
        Err(ApiError::NotFound { .. }) => checks.warn(
            name,
            format!("case {case}, recorded for matter {matter}, is not found in CaseStatus (404): deleted there, just created, or this is another account"),
            Some(format!("see `casestatus-sync why-skipped {matter}`; if many cases are missing, check casestatus.base_url and the key's account")),
        ),
        Err(e) => checks.fail(name, e.to_string(), advice_for(&e, probe.ctx)),
    }
}

/// The ids seen in every answer, by kind.
#[derive(Debug, Default)]
struct Ids {
    numbers: usize,
    digit_strings: usize,
    /// Up to a few ids that are neither, as JSON.
    other: Vec<String>,
    others: usize,
}

impl Ids {
    fn see(&mut self, v: Option<&Value>) {
        match v {
            Some(Value::Number(n)) if n.as_i64().is_some() => self.numbers += 1,
            Some(v @ Value::String(_)) if id_of(v).is_some() => self.digit_strings += 1,
            other => {
                self.others += 1;
                if self.other.len() < 3 {
                    self.other
                        .push(other.map_or_else(|| "(missing)".into(), Value::to_string));
                }
            }
        }
    }
}

/// Ids as numbers (✓), strings of digits (⚠, tolerated), or neither (✗:
/// such records cannot be read).
fn id_types(ids: &Ids, checks: &mut Checks) {
    let name = CheckName::IdTypes;
    let total = ids.numbers + ids.digit_strings + ids.others;
    if ids.others > 0 {
        checks.fail(
            name,
            format!(
                "{} of {total} id(s) are neither numbers nor strings of digits, e.g. {}: casestatus-sync cannot read such records",
                ids.others,
                ids.other.join(", ")
            ),
            "contact CaseStatus support with a `--trace` of this run".into(),
        );
    } else if ids.digit_strings > 0 {
        checks.warn(
            name,
            format!(
                "{} of {total} id(s) come as strings of digits (\"12\"): tolerated, read as numbers",
                ids.digit_strings
            ),
            None,
        );
    } else if total > 0 {
        checks.ok(name, format!("numbers ({total} seen)"));
    } else {
        checks.ok(name, "no ids seen to judge".into());
    }
}

/// A string, or a number as text (integration ids may come as either).
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

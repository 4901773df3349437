//! A matter's action in a cycle (SPEC §2 "Matters → CaseStatus cases"),
//! pure: the eligibility verdict, the body as it would be sent now and the
//! ledger row in; an [`Action`] out. Also how a cycle checks which pending
//! matters CaseStatus already has, and how planning splits the id range.

use crate::casestatus::CaseBody;
use crate::rules::drift::{changed_fields, Change};
use crate::rules::eligibility::Evaluation;
use crate::rules::policy::Mappings;
use crate::rules::reasons::{Reason, ReasonCode};
use crate::store::ledger::{LedgerRow, SentIds};

/// What one cycle does with one matter.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Not eligible and never sent: record the reasons.
    Skip { reasons: Vec<Reason> },
    /// Not eligible and never sent, failing the same rules as last cycle:
    /// nothing new to record, so only their codes were judged (see
    /// [`crate::rules::eligibility::reason_codes`]), not their messages.
    SkipAsBefore { codes: Vec<ReasonCode> },
    /// Eligible and not known to be in CaseStatus: look up, then create.
    /// `resumed` when an earlier attempt may already have created it.
    /// `ids`: the CaseStatus ids it is sent with, kept for drift.
    Push {
        body: Box<CaseBody>,
        resumed: bool,
        ids: Option<SentIds>,
    },
    /// Not eligible now, but an earlier create may have reached CaseStatus:
    /// look it up (never create) so the ledger is right.
    Reconcile { reasons: Vec<Reason> },
    /// Already in CaseStatus; `changed` lists what differs since the push.
    InCaseStatus { case_id: i64, changed: Vec<Change> },
}

/// Decide one matter's action. Pure. `now_body` (the body as it would be
/// sent now) is only computed for pushed matters, to tell what changed;
/// `eval` (the eligibility verdict) only for the others.
pub fn plan_matter(
    eval: impl FnOnce() -> Evaluation,
    now_body: impl FnOnce() -> CaseBody,
    now_ids: Option<SentIds>,
    row: Option<&LedgerRow>,
    mappings: &Mappings,
) -> Action {
    match row {
        Some(LedgerRow {
            case_id: Some(id),
            sent,
            sent_ids,
            ..
        }) => Action::InCaseStatus {
            case_id: *id,
            changed: changed_fields(sent, *sent_ids, &now_body(), now_ids, mappings),
        },
        // Not known to be in CaseStatus; `resumed` when an earlier create
        // may have reached it.
        _ => {
            let resumed = row.is_some();
            let eval = eval();
            match eval.payload {
                Some(body) => Action::Push {
                    body: Box::new(body),
                    resumed,
                    ids: now_ids,
                },
                None if resumed => Action::Reconcile {
                    reasons: eval.reasons,
                },
                None => Action::Skip {
                    reasons: eval.reasons,
                },
            }
        }
    }
}

/// The matter a CaseStatus case belongs to, by its `integration_id`: only
/// the exact decimal text of the matter's id (SPEC §2) — `"007"`, `"+7"`
/// and `" 7"` are no matter's — the same rule in a look-up (which asks for
/// exactly `id.to_string()`) and in a listing.
pub fn matter_of_integration_id(integration_id: &str) -> Option<i64> {
    let id: i64 = integration_id.parse().ok()?;
    (id.to_string() == integration_id).then_some(id)
}

/// How long a create whose answer was lost is given to show up in
/// CaseStatus's look-up before it may be sent again (two cron cycles).
/// Until then the matter waits: a look-up that lags must not lead to a
/// second case even if CaseStatus had no 409.
pub const UNCONFIRMED_GRACE_MINUTES: i64 = 30;

/// Split the id range `lo..=hi` into at most `parts` contiguous ranges
/// that cover it exactly. In i128: ids near `i64::MAX` (or a range from a
/// negative id) must not overflow and wrap.
pub fn split_ids(lo: i64, hi: i64, parts: usize) -> Vec<(i64, i64)> {
    let (lo, hi, parts) = (i128::from(lo), i128::from(hi), parts.max(1) as i128);
    let span = (hi - lo) / parts + 1;
    (0..parts)
        .map(|i| (lo + i * span, (lo + (i + 1) * span - 1).min(hi)))
        .filter(|(a, b)| a <= b)
        // Both ends lie within lo..=hi, so they fit in i64.
        .map(|(a, b)| (a as i64, b as i64))
        .collect()
}

/// Whether to learn which pending matters CaseStatus already has from one
/// listing of the account's cases, instead of a look-up per matter.
///
/// Request counts decide. Look-ups cost one request per pending matter.
/// A listing's pages hold at least the `known_cases` in our ledger plus, at
/// most, the pending ones (cases made elsewhere can add a few pages, which
/// the margin of one page covers in the usual case); it ends at an empty
/// page, and one that spans pages is read twice to prove absence (see
/// [`crate::casestatus::listing`]). So a first push or a lost state file
/// (many pending, few known) lists, and the usual cycle with one or two
/// new matters at a firm with thousands of cases keeps its look-ups. Pages
/// are counted at the 100 asked; a service that answers fewer costs more
/// (`doctor` says so).
pub fn existence_by_listing(pending: usize, known_cases: usize) -> bool {
    let pages = (known_cases + pending) / crate::casestatus::PAGE_SIZE + 1;
    let cost = if pages <= 1 { 2 } else { 2 * (pages + 1) };
    pending > cost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_a_matters_only_by_its_exact_decimal_id() {
        let cases: [(&str, Option<i64>); 9] = [
            ("7", Some(7)),
            ("1042", Some(1042)),
            ("007", None),
            ("+7", None),
            (" 7", None),
            ("7 ", None),
            ("-0", None),
            ("7.0", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(matter_of_integration_id(text), want, "{text:?}");
        }
    }

    #[test]
    fn id_ranges_cover_exactly_without_overflow() {
        let cases: [(i64, i64, usize); 6] = [
            (1, 100, 4),
            (1, 1, 4),
            (5, 7, 4),
            (i64::MAX - 3, i64::MAX, 2),
            (i64::MIN, i64::MAX, 4),
            (-10, i64::MAX, 3),
        ];
        for (lo, hi, parts) in cases {
            let r = split_ids(lo, hi, parts);
            assert!(!r.is_empty() && r.len() <= parts, "{lo}..={hi}: {r:?}");
            assert_eq!(r[0].0, lo);
            assert_eq!(r[r.len() - 1].1, hi);
            for w in r.windows(2) {
                assert_eq!(w[0].1.checked_add(1), Some(w[1].0), "{r:?}");
            }
        }
    }

    #[test]
    fn listing_only_when_it_costs_fewer_requests() {
        // (pending creates, cases already known, list?)
        let cases: [(usize, usize, bool); 9] = [
            (0, 0, false),
            (1, 0, false),
            (2, 0, false), // a page and the empty one cost two look-ups
            (3, 0, true),
            (2, 100_000, false),
            (1_020, 100_000, false), // 1,011 pages, read twice
            (2_100, 100_000, true),
            (10_000, 0, true),  // a first push: 101 pages, twice
            (100_000, 0, true), // a lost state file: 1,001 pages, twice
        ];
        for (pending, known, want) in cases {
            assert_eq!(
                existence_by_listing(pending, known),
                want,
                "{pending} pending, {known} known"
            );
        }
    }

    #[test]
    fn each_matter_gets_one_action() {
        use crate::casestatus::{Attorney, Client};
        let body = CaseBody {
            integration_id: "1".into(),
            readable_id: "WC-1".into(),
            practice_area: "WC".into(),
            stage: "Open".into(),
            opened_on: None,
            closed_on: None,
            attorney: Attorney {
                name: "D".into(),
                email: "d@firm.example".into(),
            },
            paralegal_email: None,
            client: Client {
                first_name: "M".into(),
                last_name: "L".into(),
                phone: "+15125550142".into(),
                email: None,
                date_of_birth: None,
            },
            deep_link: "x".into(),
        };
        let eligible = Evaluation {
            reasons: vec![],
            payload: Some(body.clone()),
            eligible_from: None,
        };
        let skipped = Evaluation {
            reasons: vec![Reason::new(ReasonCode::MissingFileNumber, "no file number")],
            payload: None,
            eligible_from: None,
        };
        let row = |case_id: Option<i64>| LedgerRow {
            matter_id: 1,
            intent_at: "2026-11-28T11:00:00Z".into(),
            case_id,
            pushed_at: case_id.map(|_| "2026-11-28T11:00:01Z".into()),
            how: None,
            sent: serde_json::to_string(&body).unwrap(),
            drift: None,
            sent_ids: None,
        };
        let mappings = Mappings::default();
        // (verdict, ledger row, the action's name)
        let cases: [(&Evaluation, Option<LedgerRow>, &str); 6] = [
            (&eligible, None, "push"),
            (&eligible, Some(row(None)), "resume"),
            (&eligible, Some(row(Some(5))), "in_casestatus"),
            (&skipped, None, "skip"),
            (&skipped, Some(row(None)), "reconcile"),
            (&skipped, Some(row(Some(5))), "in_casestatus"),
        ];
        for (eval, row, want) in cases {
            let action = plan_matter(
                || eval.clone(),
                || body.clone(),
                None,
                row.as_ref(),
                &mappings,
            );
            let got = match action {
                Action::Push { resumed: false, .. } => "push",
                Action::Push { resumed: true, .. } => "resume",
                Action::InCaseStatus { changed, .. } => {
                    assert!(changed.is_empty(), "{changed:?}");
                    "in_casestatus"
                }
                Action::Skip { .. } => "skip",
                Action::SkipAsBefore { .. } => "skip as before (never from plan_matter)",
                Action::Reconcile { .. } => "reconcile",
            };
            assert_eq!(got, want, "{row:?}");
        }
    }
}

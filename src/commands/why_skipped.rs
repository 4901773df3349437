//! `why-skipped MATTER`: support's answer to "why isn't matter 1042 in
//! CaseStatus?" — the real situation first (in CaseStatus, not eligible,
//! refused by CaseStatus, waiting on a lost answer, not syncing at all),
//! then every rule with pass/fail and where to fix it, whether and when it
//! was pushed, drift since the push, and what recent cycles recorded.
//!
//! [`gather`] reads; [`view`], [`headline`] and [`findings`] only present
//! what it read, so the terminal, `--json` and the status page's matter
//! page (`serve`) cannot tell different stories.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::rules::case_body::current_body;
use crate::rules::drift::{changed_fields, drift_message, Change};
use crate::rules::eligibility::{evaluate, notes, Evaluation};
use crate::rules::matter::UNCONFIRMED_GRACE_MINUTES;
use crate::rules::reasons::{ReasonCode, RULES};
use crate::store::fluentcase::Access;
use crate::store::ledger::{LedgerRow, SkipRow};
use crate::store::records::MatterRecord;
use crate::store::runlog::ItemRow;
use crate::store::{ledger, runlog};
use crate::sync::{Ctx, DISCONNECTED_SETTING};
use crate::util::exit::{UsageError, OK};
use crate::util::output::Tone;
use crate::util::term::Styled;

/// `why-skipped MATTER`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A matter id or a file number
    #[arg(value_name = "MATTER")]
    pub matter: String,
}

/// `why-skipped`: see [`run`].
///
/// # Errors
/// As [`run`].
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    run(ctx, &args.matter)
}

/// How many recent log entries about the matter to show.
const HISTORY: u32 = 10;

/// Everything known about one matter (what [`gather`] read).
pub struct Facts {
    matter: MatterRecord,
    eval: Evaluation,
    /// Unusable optional fields, sent as null.
    notes: Vec<String>,
    row: Option<LedgerRow>,
    skip: Option<SkipRow>,
    history: Vec<(i64, String, ItemRow)>,
    changed: Vec<Change>,
    /// The last attempt's refusal by CaseStatus (when, message), if the
    /// matter is still eligible — otherwise the rules say why, not it.
    rejection: Option<(String, String)>,
    /// Why nothing syncs at all, if that is so (key removed, never connected).
    not_syncing: Option<String>,
    situation: Situation,
    /// Its cases in CaseStatus accounts this state file left
    /// (`connect --new-account`).
    previous: Vec<crate::store::account::PreviousCase>,
}

/// The headline: what will really happen to this matter (`--json`'s
/// `"situation"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    #[serde(rename = "in_casestatus")]
    InCaseStatus,
    NotEligible,
    /// Eligible, but CaseStatus refused the last attempt (422).
    #[serde(rename = "refused_by_casestatus")]
    Refused,
    /// Eligible, but a create got no answer; held, then looked up.
    #[serde(rename = "waiting_for_casestatus")]
    Waiting,
    /// Eligible, but no sync runs (the key was removed, or never added).
    NotSyncing,
    Eligible,
}

/// `why-skipped MATTER` (a matter id or a file number).
pub fn run(ctx: &Ctx, key: &str) -> anyhow::Result<u8> {
    let facts = gather(ctx, key)?;
    if ctx.out.json {
        ctx.out.json(&view(ctx, &facts))?;
    } else {
        print(ctx, &facts);
    }
    Ok(OK)
}

/// Read everything known about one matter (a matter id or a file number)
/// from FluentCase and the state file, both read-only.
///
/// # Errors
/// [`UsageError`] when no matter has that id or file number; the
/// databases' errors (a missing state file is an error, never created).
pub fn gather(ctx: &Ctx, key: &str) -> anyhow::Result<Facts> {
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let matter = fc.find_matter(key)?.ok_or_else(|| {
        UsageError(format!(
            "no matter with id or file number {:?} in FluentCase ({})",
            key.trim(),
            ctx.config.fluentcase.database.display()
        ))
    })?;
    let state = ctx.state_read_only()?;
    let (mappings, statuses) = ctx.rules_input(&state)?;
    let policy = ctx.policy(&mappings, &statuses);
    let eval = evaluate(&matter, &policy, ctx.now);
    let row = ledger::get(&state, matter.id)?;
    let skip = ledger::skip(&state, matter.id)?;
    let history = runlog::history(&state, "matter", &matter.id.to_string(), HISTORY)?;
    let case_id = row.as_ref().and_then(|r| r.case_id);
    let changed = match &row {
        Some(r) if r.case_id.is_some() => changed_fields(
            &r.sent,
            r.sent_ids,
            &current_body(&matter, &policy),
            crate::rules::case_body::current_ids(&matter, &policy),
            &mappings,
        ),
        _ => Vec::new(),
    };
    let rejection = if case_id.is_none() && eval.eligible() {
        last_refusal(&history)
    } else {
        None
    };
    let not_syncing = match state.key()? {
        Some(_) => None,
        None => Some(match state.setting(DISCONNECTED_SETTING)? {
            Some(when) => format!(
                "the CaseStatus API key was removed on {} — nothing syncs until `casestatus-sync connect`",
                crate::util::clock::local_text(&when, ctx.config.fluentcase.timezone)
            ),
            None => "no CaseStatus API key is saved — nothing syncs until `casestatus-sync connect`"
                .to_string(),
        }),
    };
    let situation = match (case_id, eval.eligible()) {
        (Some(_), _) => Situation::InCaseStatus,
        (None, false) => Situation::NotEligible,
        (None, true) if not_syncing.is_some() => Situation::NotSyncing,
        (None, true) if rejection.is_some() => Situation::Refused,
        (None, true) if row.is_some() => Situation::Waiting,
        (None, true) => Situation::Eligible,
    };
    let previous = crate::store::account::previous_cases(&state, matter.id)?;
    Ok(Facts {
        notes: notes(&matter),
        matter,
        eval,
        row,
        skip,
        history,
        changed,
        rejection,
        not_syncing,
        situation,
        previous,
    })
}

/// The newest attempt's refusal: only if the newest push outcome in the
/// log is a refusal (a later create or error supersedes it). Its message
/// is CaseStatus's, without our reason code in front.
fn last_refusal(history: &[(i64, String, ItemRow)]) -> Option<(String, String)> {
    use crate::store::outcome::Outcome;
    let (_, at, item) = history.iter().find(|(_, _, i)| {
        matches!(
            Outcome::from_name(&i.outcome),
            Some(
                Outcome::Rejected
                    | Outcome::Created
                    | Outcome::AlreadyInCasestatus
                    | Outcome::Failed
            )
        )
    })?;
    if Outcome::from_name(&item.outcome) != Some(Outcome::Rejected) {
        return None;
    }
    let message = item.detail["reasons"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["code"] == "rejected_by_casestatus"))
        .and_then(|r| r["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| runlog::describe_detail(&item.detail));
    Some((at.clone(), message))
}

/// When a create whose answer was lost may be sent again.
fn held_until(row: &LedgerRow) -> Option<DateTime<Utc>> {
    crate::util::clock::parse(&row.intent_at)
        .map(|t| t + chrono::Duration::minutes(UNCONFIRMED_GRACE_MINUTES))
}

/// The `why-skipped --json` document (also `/api/matters/{id}`), and what
/// the terminal and the matter page read: one answer, three presentations.
///
/// Fields stand in alphabetical order, here and in the nested views: the
/// order the document has always had (it was once a `serde_json` map), so
/// tools that compare it byte for byte see no change.
#[derive(Debug, Serialize)]
pub struct MatterView<'a> {
    pub casestatus_case_id: Option<i64>,
    pub changed_since_push: Vec<ChangeView<'a>>,
    /// When a create got no answer (only while no case id is known).
    pub create_attempted_at: Option<&'a str>,
    /// "Will be pushed": a refusal or no key counts against it.
    pub eligible: bool,
    /// While it is too new: when it becomes eligible (RFC 3339 UTC).
    pub eligible_from: Option<String>,
    pub file_number: Option<&'a str>,
    pub in_casestatus: bool,
    pub matter_id: i64,
    pub not_syncing: Option<&'a str>,
    pub notes: &'a [String],
    pub previous_accounts: Vec<PreviousView<'a>>,
    pub pushed_at: Option<&'a str>,
    /// Why it is not pushed, CaseStatus's last refusal included.
    pub reasons: Vec<ReasonView<'a>>,
    pub recent: Vec<EntryView<'a>>,
    pub rules: Vec<RuleView<'a>>,
    pub situation: Situation,
    pub skipped_since: Option<SkippedView<'a>>,
}

/// A field changed since the push (fields alphabetical, see [`MatterView`]).
#[derive(Debug, Serialize)]
pub struct ChangeView<'a> {
    pub field: &'a str,
    pub now: &'a str,
    pub sent: &'a str,
}

/// The matter's case in an account this state file left.
#[derive(Debug, Serialize)]
pub struct PreviousView<'a> {
    pub account: &'a str,
    pub base_url: &'a str,
    pub case_id: i64,
    pub filed_at: &'a str,
    pub pushed_at: Option<&'a str>,
}

/// One reason it is not pushed, and where to fix it.
#[derive(Debug, Serialize)]
pub struct ReasonView<'a> {
    pub code: ReasonCode,
    pub fix: &'static str,
    pub message: &'a str,
}

/// A Recent Activity log entry about the matter.
#[derive(Debug, Serialize)]
pub struct EntryView<'a> {
    /// When its run started (RFC 3339 UTC, as stored).
    pub at: &'a str,
    pub detail: &'a serde_json::Value,
    pub outcome: &'a str,
    pub run: i64,
}

impl EntryView<'_> {
    /// When, in the firm's zone.
    pub fn at_local(&self, tz: chrono_tz::Tz) -> String {
        crate::util::clock::local_text(self.at, tz)
    }

    /// The detail as one sentence.
    pub fn detail_text(&self) -> String {
        runlog::describe_detail(self.detail)
    }
}

/// Since when the same reasons hold.
#[derive(Debug, Serialize)]
pub struct SkippedView<'a> {
    pub at: &'a str,
    pub codes: &'a str,
    pub run: i64,
}

/// One eligibility rule: pass or fail, its failing messages, where to fix it.
#[derive(Debug, Serialize)]
pub struct RuleView<'a> {
    pub fix: &'static str,
    pub messages: Vec<&'a str>,
    pub passed: Verdict,
    pub rule: &'static str,
}

/// A rule's pass or fail (`true`/`false` in `--json`'s `"passed"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn passed(self) -> bool {
        self == Verdict::Pass
    }

    /// The rule table's first cell.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "✔ pass",
            Verdict::Fail => "✖ FAIL",
        }
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(self.passed())
    }
}

impl RuleView<'_> {
    /// The failing messages in one cell.
    pub fn details(&self) -> String {
        self.messages.join("; ")
    }

    /// Where to fix it, shown only when it fails.
    pub fn fix_shown(&self) -> &'static str {
        match self.passed {
            Verdict::Pass => "",
            Verdict::Fail => self.fix,
        }
    }
}

/// Everything [`gather`] read, as the view every presentation reads.
pub fn view<'a>(ctx: &Ctx, f: &'a Facts) -> MatterView<'a> {
    let case_id = f.row.as_ref().and_then(|r| r.case_id);
    let mut reasons: Vec<ReasonView<'a>> = f
        .eval
        .reasons
        .iter()
        .map(|r| ReasonView {
            code: r.code,
            fix: r.code.fix(),
            message: &r.message,
        })
        .collect();
    if let Some((_, msg)) = &f.rejection {
        reasons.push(ReasonView {
            code: ReasonCode::RejectedByCasestatus,
            fix: ReasonCode::RejectedByCasestatus.fix(),
            message: msg,
        });
    }
    MatterView {
        casestatus_case_id: case_id,
        changed_since_push: f
            .changed
            .iter()
            .map(|c| ChangeView {
                field: c.field,
                now: &c.now,
                sent: &c.sent,
            })
            .collect(),
        create_attempted_at: f
            .row
            .as_ref()
            .filter(|r| r.case_id.is_none())
            .map(|r| r.intent_at.as_str()),
        eligible: matches!(f.situation, Situation::Eligible | Situation::Waiting),
        eligible_from: f
            .eval
            .eligible_from
            .filter(|t| *t > ctx.now)
            .map(crate::util::clock::stamp),
        file_number: f.matter.file_number.as_deref(),
        in_casestatus: case_id.is_some(),
        matter_id: f.matter.id,
        not_syncing: f.not_syncing.as_deref(),
        notes: &f.notes,
        previous_accounts: f
            .previous
            .iter()
            .map(|p| PreviousView {
                account: &p.account,
                base_url: &p.base_url,
                case_id: p.case_id,
                filed_at: &p.filed_at,
                pushed_at: p.pushed_at.as_deref(),
            })
            .collect(),
        pushed_at: f.row.as_ref().and_then(|r| r.pushed_at.as_deref()),
        reasons,
        recent: f
            .history
            .iter()
            .map(|(run, at, i)| EntryView {
                at,
                detail: &i.detail,
                outcome: &i.outcome,
                run: *run,
            })
            .collect(),
        rules: rules(&f.eval),
        situation: f.situation,
        skipped_since: f.skip.as_ref().map(|s| SkippedView {
            at: &s.since,
            codes: &s.codes,
            run: s.since_run,
        }),
    }
}

/// Every rule with pass/fail, its failing messages and where to fix it.
fn rules(eval: &Evaluation) -> Vec<RuleView<'_>> {
    RULES
        .iter()
        .map(|(label, codes)| {
            let messages: Vec<&str> = eval
                .reasons
                .iter()
                .filter(|r| codes.contains(&r.code))
                .map(|r| r.message.as_str())
                .collect();
            RuleView {
                fix: codes.first().map_or("", |c| c.fix()),
                passed: if messages.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                messages,
                rule: label,
            }
        })
        .collect()
}

/// The one-sentence verdict, in its tone.
pub fn headline(ctx: &Ctx, f: &Facts) -> (Tone, String) {
    let tz = ctx.config.fluentcase.timezone;
    match f.situation {
        Situation::InCaseStatus => (Tone::Ok, "In CaseStatus".into()),
        Situation::NotEligible => (
            Tone::Warn,
            "Not eligible — skipped by every sync cycle until fixed".into(),
        ),
        Situation::Refused => (
            Tone::Warn,
            "Refused by CaseStatus — eligible here, but CaseStatus refuses it every cycle until what it names is fixed".into(),
        ),
        Situation::NotSyncing => (Tone::Warn, "Eligible, but not syncing".into()),
        Situation::Waiting => {
            let until = f
                .row
                .as_ref()
                .and_then(held_until)
                .map(|t| crate::util::clock::local(t, tz))
                .unwrap_or_default();
            (Tone::Warn, format!(
                "Waiting — a create got no answer; the next cycles look it up by matter id, and it is created again only if still missing after {until}"
            ))
        }
        Situation::Eligible => (
            Tone::Ok,
            "Eligible — will be pushed by the next sync cycle".into(),
        ),
    }
}

fn print(ctx: &Ctx, f: &Facts) {
    let out = &ctx.out;
    let (tone, text) = headline(ctx, f);
    out.line(
        Styled::from(format!(
            "Matter {} ({}): ",
            f.matter.id,
            f.matter.file_number.as_deref().unwrap_or("no file number"),
        )) + out.toned(tone, &text),
    );
    if let Some(why) = &f.not_syncing {
        out.line(out.warn_badge(&format!("Not syncing: {why}.")));
    }
    for p in &f.previous {
        out.line(format!(
            "In a previous CaseStatus account (key {:?} at {}, left {}): case {}",
            p.account,
            p.base_url,
            crate::util::clock::local_text(&p.filed_at, ctx.config.fluentcase.timezone),
            p.case_id
        ));
    }
    let view = view(ctx, f);
    let mut t = out.table(&["", "Rule", "Details", "Where to fix it"]);
    for r in &view.rules {
        t.add_row(vec![
            r.passed.label().to_string(),
            r.rule.to_string(),
            r.details(),
            r.fix_shown().to_string(),
        ]);
    }
    out.print_table(&t);
    for (tone, text) in findings(ctx, f) {
        out.line(out.toned(tone, &text));
    }
    if !view.recent.is_empty() {
        out.line("Recent Activity log entries for this matter:");
        for e in &view.recent {
            out.line(format!(
                "  run {} ({}): {} — {}",
                e.run,
                e.at_local(ctx.config.fluentcase.timezone),
                e.outcome,
                e.detail_text()
            ));
        }
    }
}

/// The sentences after the rules, in order: notes on optional fields,
/// "too new", where the matter stands in CaseStatus, drift since the push,
/// CaseStatus's last refusal, and since when it is skipped — times in the
/// firm's zone. The terminal and the matter page show exactly these.
pub fn findings(ctx: &Ctx, f: &Facts) -> Vec<(Tone, String)> {
    let tz = ctx.config.fluentcase.timezone;
    let mut lines: Vec<(Tone, String)> = f
        .notes
        .iter()
        .map(|n| (Tone::Plain, format!("Note: {n}.")))
        .collect();
    if let Some(from) = f.eval.eligible_from.filter(|t| *t > ctx.now) {
        lines.push((
            Tone::Plain,
            format!(
                "Too new: eligible from {} (45 minutes after it was created).",
                crate::util::clock::local(from, tz)
            ),
        ));
    }
    lines.extend(casestatus_findings(ctx, f));
    if let Some(s) = &f.skip {
        lines.push((
            Tone::Plain,
            format!(
                "Skipped in every sync cycle since run {} ({}) for: {}",
                s.since_run,
                crate::util::clock::local_text(&s.since, tz),
                s.codes
            ),
        ));
    }
    lines
}

fn casestatus_findings(ctx: &Ctx, f: &Facts) -> Vec<(Tone, String)> {
    let tz = ctx.config.fluentcase.timezone;
    let local = |t: &str| crate::util::clock::local_text(t, tz);
    let mut lines = vec![(
        Tone::Plain,
        match (&f.row, f.row.as_ref().and_then(|r| r.case_id)) {
            (Some(r), Some(id)) => format!(
                "CaseStatus: case {id}, in CaseStatus since {} ({}).",
                r.pushed_at.as_deref().map(local).unwrap_or_else(|| "?".into()),
                match r.how.as_deref() {
                    Some("created") => "created by this tool",
                    _ => "found already there",
                }
            ),
            (Some(r), None) => format!(
                "CaseStatus: not there yet. A push was attempted at {} and got no answer; each cycle looks it up by matter id before creating, so it will not be duplicated.",
                local(&r.intent_at)
            ),
            (None, _) => "CaseStatus: never pushed.".into(),
        },
    )];
    if !f.changed.is_empty() {
        let pushed_at = f
            .row
            .as_ref()
            .and_then(|r| r.pushed_at.as_deref())
            .map(local)
            .unwrap_or_else(|| "?".into());
        lines.push((Tone::Warn, drift_message(&pushed_at, &f.changed)));
    }
    if let Some((at, msg)) = &f.rejection {
        lines.push((
            Tone::Warn,
            format!(
                "Last attempt ({}) was refused by CaseStatus: {msg}. It is retried every cycle.",
                local(at)
            ),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document keeps the key order it had as a `serde_json` map
    /// (alphabetical, nested views too): every field filled, so a field
    /// out of order anywhere shows.
    #[test]
    fn the_document_keeps_its_key_order() {
        let detail = serde_json::json!({"reasons": []});
        let notes = vec!["client email \"x\" is not an address".to_string()];
        let view = MatterView {
            casestatus_case_id: Some(5512),
            changed_since_push: vec![ChangeView {
                field: "client name",
                now: "Maria Lopez-Garcia",
                sent: "Maria Lopez",
            }],
            create_attempted_at: Some("2026-12-02T06:00:00Z"),
            eligible: true,
            eligible_from: Some("2026-12-02T07:00:00Z".into()),
            file_number: Some("WC-2026-0042"),
            in_casestatus: true,
            matter_id: 1042,
            not_syncing: Some("no key"),
            notes: &notes,
            previous_accounts: vec![PreviousView {
                account: "old",
                base_url: "https://app.casestatus.com",
                case_id: 7,
                filed_at: "2026-12-01T00:00:00Z",
                pushed_at: Some("2026-11-01T00:00:00Z"),
            }],
            pushed_at: Some("2026-12-02T06:01:00Z"),
            reasons: vec![ReasonView {
                code: ReasonCode::TooNew,
                fix: ReasonCode::TooNew.fix(),
                message: "too new",
            }],
            recent: vec![EntryView {
                at: "2026-12-02T06:00:00Z",
                detail: &detail,
                outcome: "skipped",
                run: 3,
            }],
            rules: vec![RuleView {
                fix: "here",
                messages: vec!["too new"],
                passed: Verdict::Fail,
                rule: "At least 45 minutes old",
            }],
            situation: Situation::Waiting,
            skipped_since: Some(SkippedView {
                at: "2026-12-02T06:00:00Z",
                codes: "too_new",
                run: 3,
            }),
        };
        let text = serde_json::to_string(&view).unwrap();
        let as_map = serde_json::to_string(&serde_json::to_value(&view).unwrap()).unwrap();
        assert_eq!(text, as_map);
        assert!(text.contains(r#""passed":false"#), "{text}");
        assert!(text.contains(r#""situation":"waiting_for_casestatus""#));
    }

    #[test]
    fn situations_keep_their_names() {
        for (s, name) in [
            (Situation::InCaseStatus, "in_casestatus"),
            (Situation::NotEligible, "not_eligible"),
            (Situation::Refused, "refused_by_casestatus"),
            (Situation::Waiting, "waiting_for_casestatus"),
            (Situation::NotSyncing, "not_syncing"),
            (Situation::Eligible, "eligible"),
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), name);
        }
    }
}

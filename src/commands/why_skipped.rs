//! `why-skipped MATTER`: support's answer to "why isn't matter 1042 in
//! CaseStatus?" — the real situation first (in CaseStatus, not eligible,
//! refused by CaseStatus, waiting on a lost answer, not syncing at all),
//! then every rule with pass/fail and where to fix it, whether and when it
//! was pushed, drift since the push, and what recent cycles recorded.
//!
//! [`gather`] reads; [`to_json`], [`headline`] and [`findings`] only present
//! what it read, so the terminal, `--json` and the status page's matter
//! page (`serve`) cannot tell different stories.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::rules::drift::{changed_fields, drift_message, Change};
use crate::rules::eligibility::{current_body, evaluate, notes, Evaluation, ReasonCode, RULES};
use crate::rules::matter::UNCONFIRMED_GRACE_MINUTES;
use crate::store::fluentcase::{Access, MatterRecord};
use crate::store::ledger::{LedgerRow, SkipRow};
use crate::store::runlog::ItemRow;
use crate::store::{ledger, runlog};
use crate::sync::context::{Ctx, DISCONNECTED_SETTING};
use crate::util::exit::{UsageError, OK};
use crate::util::output::Tone;
use crate::util::term::Styled;

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

/// The headline: what will really happen to this matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    InCaseStatus,
    NotEligible,
    /// Eligible, but CaseStatus refused the last attempt (422).
    Refused,
    /// Eligible, but a create got no answer; held, then looked up.
    Waiting,
    /// Eligible, but no sync runs (the key was removed, or never added).
    NotSyncing,
    Eligible,
}

impl Situation {
    fn code(self) -> &'static str {
        match self {
            Situation::InCaseStatus => "in_casestatus",
            Situation::NotEligible => "not_eligible",
            Situation::Refused => "refused_by_casestatus",
            Situation::Waiting => "waiting_for_casestatus",
            Situation::NotSyncing => "not_syncing",
            Situation::Eligible => "eligible",
        }
    }
}

/// `why-skipped MATTER` (a matter id or a file number).
pub fn run(ctx: &Ctx, key: &str) -> anyhow::Result<u8> {
    let facts = gather(ctx, key)?;
    if ctx.out.json {
        ctx.out.json(&to_json(ctx, &facts))?;
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

/// The `why-skipped --json` document (also `/api/matters/{id}`).
pub fn to_json(ctx: &Ctx, f: &Facts) -> serde_json::Value {
    let case_id = f.row.as_ref().and_then(|r| r.case_id);
    let mut reasons: Vec<serde_json::Value> = f
        .eval
        .reasons
        .iter()
        .map(|r| json!({"code": r.code, "message": r.message, "fix": r.code.fix()}))
        .collect();
    if let Some((_, msg)) = &f.rejection {
        reasons.push(json!({
            "code": ReasonCode::RejectedByCasestatus, "message": msg,
            "fix": ReasonCode::RejectedByCasestatus.fix(),
        }));
    }
    json!({
        "matter_id": f.matter.id,
        "file_number": f.matter.file_number,
        // Eligible means "will be pushed": a refusal or no key counts against it.
        "eligible": matches!(f.situation, Situation::Eligible | Situation::Waiting),
        "situation": f.situation.code(),
        "in_casestatus": case_id.is_some(),
        "casestatus_case_id": case_id,
        "reasons": reasons,
        "rules": rules_json(&f.eval),
        "notes": f.notes,
        "not_syncing": f.not_syncing,
        "pushed_at": f.row.as_ref().and_then(|r| r.pushed_at.clone()),
        "create_attempted_at": f.row.as_ref().filter(|r| r.case_id.is_none()).map(|r| &r.intent_at),
        "eligible_from": f.eval.eligible_from.filter(|t| *t > ctx.now).map(crate::util::clock::stamp),
        "changed_since_push": f.changed,
        "skipped_since": f.skip.as_ref().map(|s| json!({"run": s.since_run, "at": s.since, "codes": s.codes})),
        "previous_accounts": f.previous,
        "recent": f.history.iter().map(|(run, at, i)| json!({"run": run, "at": at, "outcome": i.outcome, "detail": i.detail})).collect::<Vec<_>>(),
    })
}

/// Every rule with pass/fail, its failing messages and where to fix it.
fn rules_json(eval: &Evaluation) -> Vec<serde_json::Value> {
    RULES
        .iter()
        .map(|(label, codes)| {
            let failing: Vec<&str> = eval
                .reasons
                .iter()
                .filter(|r| codes.contains(&r.code))
                .map(|r| r.message.as_str())
                .collect();
            json!({
                "rule": label,
                "passed": failing.is_empty(),
                "messages": failing,
                "fix": codes[0].fix(),
            })
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
    let mut t = out.table(&["", "Rule", "Details", "Where to fix it"]);
    for r in rules_json(&f.eval) {
        let passed = r["passed"] == true;
        let msgs: Vec<&str> = r["messages"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
            .unwrap_or_default();
        t.add_row(vec![
            if passed { "✔ pass" } else { "✖ FAIL" }.to_string(),
            r["rule"].as_str().unwrap_or("").to_string(),
            msgs.join("; "),
            if passed {
                ""
            } else {
                r["fix"].as_str().unwrap_or("")
            }
            .to_string(),
        ]);
    }
    out.print_table(&t);
    for (tone, text) in findings(ctx, f) {
        out.line(out.toned(tone, &text));
    }
    if !f.history.is_empty() {
        out.line("Recent Activity log entries for this matter:");
        for (run, at, i) in &f.history {
            out.line(format!(
                "  run {run} ({}): {} — {}",
                crate::util::clock::local_text(at, ctx.config.fluentcase.timezone),
                i.outcome,
                runlog::describe_detail(&i.detail)
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

//! `why-skipped MATTER`: support's answer to "why isn't matter 1042 in
//! CaseStatus?" — every rule with pass/fail and where to fix it, whether and
//! when it was pushed, drift since the push, and what recent cycles recorded.

use serde_json::json;

use crate::app::Ctx;
use crate::eligibility::{current_body, evaluate, ReasonCode, RULES};
use crate::exit::{UsageError, OK};
use crate::fluentcase::Access;
use crate::sync_matters::{changed_fields, drift_message};
use crate::{ledger, runlog};

/// How many recent log entries about the matter to show.
const HISTORY: u32 = 10;

/// `why-skipped MATTER` (a matter id or a file number).
pub fn run(ctx: &Ctx, key: &str) -> anyhow::Result<u8> {
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let matter = fc.find_matter(key)?.ok_or_else(|| {
        UsageError(format!(
            "no matter with id or file number {:?} in FluentCase ({})",
            key.trim(),
            ctx.config.fluentcase.database.display()
        ))
    })?;
    let state = ctx.state()?;
    let (mappings, statuses) = ctx.rules_input(&state)?;
    let policy = ctx.policy(&mappings, &statuses);
    let eval = evaluate(&matter, &policy, ctx.now);
    let row = ledger::get(&state, matter.id)?;
    let skip = ledger::skip(&state, matter.id)?;
    let history = runlog::history(&state, "matter", &matter.id.to_string(), HISTORY)?;
    let case_id = row.as_ref().and_then(|r| r.case_id);
    let changed = match &row {
        Some(r) if r.case_id.is_some() => changed_fields(&r.sent, &current_body(&matter, &policy)),
        _ => Vec::new(),
    };
    let pushed_at = row.as_ref().and_then(|r| r.pushed_at.clone());
    // A 422 is not a rule; it comes from the last attempt, if that was refused.
    let rejection = if case_id.is_none() {
        history
            .iter()
            .find(|(_, _, i)| {
                matches!(
                    i.outcome.as_str(),
                    "rejected" | "created" | "already_in_casestatus" | "error"
                )
            })
            .filter(|(_, _, i)| i.outcome == "rejected")
            .map(|(_, at, i)| (at.clone(), runlog::describe_detail(&i.detail)))
    } else {
        None
    };

    let mut reasons: Vec<serde_json::Value> = eval
        .reasons
        .iter()
        .map(|r| json!({"code": r.code, "message": r.message, "fix": r.code.fix()}))
        .collect();
    if let Some((_, msg)) = &rejection {
        reasons.push(json!({
            "code": ReasonCode::RejectedByCasestatus, "message": msg,
            "fix": ReasonCode::RejectedByCasestatus.fix(),
        }));
    }
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|(label, codes)| {
            let failing: Vec<&crate::eligibility::Reason> = eval
                .reasons
                .iter()
                .filter(|r| codes.contains(&r.code))
                .collect();
            json!({
                "rule": label,
                "passed": failing.is_empty(),
                "messages": failing.iter().map(|r| &r.message).collect::<Vec<_>>(),
                "fix": codes[0].fix(),
            })
        })
        .collect();

    if ctx.out.json {
        ctx.out.json(&json!({
            "matter_id": matter.id,
            "file_number": matter.file_number,
            // Eligible means "will be pushed": a CaseStatus refusal counts against it.
            "eligible": eval.eligible() && rejection.is_none(),
            "in_casestatus": case_id.is_some(),
            "casestatus_case_id": case_id,
            "reasons": reasons,
            "rules": rules,
            "pushed_at": pushed_at,
            "create_attempted_at": row.as_ref().filter(|r| r.case_id.is_none()).map(|r| &r.intent_at),
            "eligible_from": eval.eligible_from.filter(|t| *t > ctx.now).map(crate::clock::stamp),
            "changed_since_push": changed,
            "skipped_since": skip.as_ref().map(|s| json!({"run": s.since_run, "at": s.since, "codes": s.codes})),
            "recent": history.iter().map(|(run, at, i)| json!({"run": run, "at": at, "outcome": i.outcome, "detail": i.detail})).collect::<Vec<_>>(),
        }))?;
        return Ok(OK);
    }

    let out = &ctx.out;
    let verdict = match (case_id, eval.eligible()) {
        (Some(_), _) => out.ok_badge("In CaseStatus"),
        (None, true) => out.ok_badge("Eligible — will be pushed by the next sync cycle"),
        (None, false) => out.warn_badge("Not eligible — skipped by every sync cycle until fixed"),
    };
    out.line(format!(
        "Matter {} ({}): {verdict}",
        matter.id,
        matter.file_number.as_deref().unwrap_or("no file number")
    ));
    let mut t = out.table(&["", "Rule", "Details", "Where to fix it"]);
    for r in &rules {
        let passed = r["passed"] == true;
        let msgs: Vec<&str> = r["messages"]
            .as_array()
            .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
            .unwrap_or_default();
        t.add_row(vec![
            if passed {
                "✔ pass".to_string()
            } else {
                "✖ FAIL".to_string()
            },
            r["rule"].as_str().unwrap_or("").to_string(),
            msgs.join("; "),
            if passed {
                String::new()
            } else {
                r["fix"].as_str().unwrap_or("").to_string()
            },
        ]);
    }
    out.print_table(&t);
    if let Some(from) = eval.eligible_from.filter(|t| *t > ctx.now) {
        out.line(format!(
            "Too new: eligible from {} (45 minutes after it was created).",
            crate::clock::stamp(from)
        ));
    }
    match (&row, case_id) {
        (Some(r), Some(id)) => out.line(format!(
            "CaseStatus: case {id}, in CaseStatus since {} ({}).",
            r.pushed_at.as_deref().unwrap_or("?"),
            match r.how.as_deref() { Some("created") => "created by this tool", _ => "found already there" }
        )),
        (Some(r), None) => out.line(format!(
            "CaseStatus: not there yet. A push was attempted at {}; the next cycle looks it up by matter id before creating, so it will not be duplicated.",
            r.intent_at
        )),
        (None, _) => out.line("CaseStatus: never pushed."),
    }
    if !changed.is_empty() {
        out.line(out.warn_badge(&drift_message(
            pushed_at.as_deref().unwrap_or("?"),
            &changed,
        )));
    }
    if let Some((at, msg)) = &rejection {
        out.line(out.warn_badge(&format!(
            "Last attempt ({at}) was refused by CaseStatus: {msg}. It is retried every cycle."
        )));
    }
    if let Some(s) = &skip {
        out.line(format!(
            "Skipped in every sync cycle since run {} ({}) for: {}",
            s.since_run, s.since, s.codes
        ));
    }
    if !history.is_empty() {
        out.line("Recent Activity log entries for this matter:");
        for (run, at, i) in &history {
            out.line(format!(
                "  run {run} ({at}): {} — {}",
                i.outcome,
                runlog::describe_detail(&i.detail)
            ));
        }
    }
    Ok(OK)
}

//! Practice Area & Stage Mapping: `refetch-practice-areas`, the `map`
//! overview, and `map practice-area` / `map stage`.
//!
//! Mappings are kept by CaseStatus's ids, so a rename in CaseStatus keeps
//! the mapping and the new name is what is sent. A practice area or stage
//! that vanished from CaseStatus keeps its mapping but is flagged (⚠) and
//! no longer used, so nothing is pushed to a name CaseStatus would refuse.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use crate::commands::exact_choice;
use crate::rules::eligibility::evaluate;
use crate::rules::policy::Policy;
use crate::store::fluentcase::Access;
use crate::store::state::{AreaRow, StateStore};
use crate::sync::Ctx;
use crate::util::exit::{SetupError, UsageError, OK};
use crate::util::output::Tone;
use crate::util::term::Styled;

/// What a refetch found different from the last snapshot.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    pub new_practice_areas: Vec<String>,
    pub vanished_practice_areas: Vec<String>,
    pub renamed_practice_areas: Vec<(String, String)>,
    /// "Area / Stage"
    pub new_stages: Vec<String>,
    pub vanished_stages: Vec<String>,
    /// ("Area / old stage name", "new stage name")
    pub renamed_stages: Vec<(String, String)>,
    /// Mappings that now point at something CaseStatus no longer has.
    pub flagged_mappings: Vec<String>,
}

/// `refetch-practice-areas`.
pub fn refetch(ctx: &Ctx) -> anyhow::Result<u8> {
    let mut state = ctx.state()?;
    let key = ctx.key(&state)?;
    let fetched = ctx.client_for(&key)?.practice_areas()?;
    let before = state.areas()?;
    state.store_snapshot(&fetched, &crate::util::clock::stamp(ctx.now))?;
    let after = state.areas()?;
    let changes = diff(&before, &after);
    if ctx.out.json {
        ctx.out
            .json(&json!({"practice_areas": fetched.len(), "changes": changes}))?;
        return Ok(OK);
    }
    ctx.out.line(format!(
        "Fetched {} practice area(s) from CaseStatus.",
        fetched.len()
    ));
    let sections: [(&str, Vec<String>); 6] = [
        ("New practice area", changes.new_practice_areas.clone()),
        (
            "Vanished practice area",
            changes.vanished_practice_areas.clone(),
        ),
        (
            "Renamed practice area",
            changes
                .renamed_practice_areas
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect(),
        ),
        ("New stage", changes.new_stages.clone()),
        ("Vanished stage", changes.vanished_stages.clone()),
        (
            "Renamed stage",
            changes
                .renamed_stages
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect(),
        ),
    ];
    if sections.iter().all(|(_, v)| v.is_empty()) {
        ctx.out.line("No changes since the last fetch.");
    }
    for (label, items) in sections {
        for i in items {
            ctx.out.line(format!("  {label}: {i}"));
        }
    }
    for f in &changes.flagged_mappings {
        ctx.out.line(
            Styled::from("  ") + ctx.out.warn_badge("Mapping needs attention:") + format!(" {f}"),
        );
    }
    Ok(OK)
}

fn diff(before: &[AreaRow], after: &[AreaRow]) -> Changes {
    let mut c = Changes::default();
    let old: HashMap<i64, &AreaRow> = before.iter().map(|a| (a.id, a)).collect();
    for a in after {
        let prev = old.get(&a.id);
        match prev {
            None if !a.vanished => c.new_practice_areas.push(a.name.clone()),
            Some(p) if !p.vanished && a.vanished => {
                c.vanished_practice_areas.push(a.name.clone());
                if let Some(ct) = &a.case_type {
                    c.flagged_mappings.push(format!(
                        "practice area {:?} (mapped to case type {ct:?}) is gone from CaseStatus",
                        a.name
                    ));
                }
            }
            Some(p) if p.vanished && !a.vanished => c.new_practice_areas.push(a.name.clone()),
            Some(p) if p.name != a.name => c
                .renamed_practice_areas
                .push((p.name.clone(), a.name.clone())),
            _ => {}
        }
        let old_stages: HashMap<i64, bool> = prev
            .map(|p| p.stages.iter().map(|s| (s.id, s.vanished)).collect())
            .unwrap_or_default();
        let old_names: HashMap<i64, &str> = prev
            .map(|p| p.stages.iter().map(|s| (s.id, s.name.as_str())).collect())
            .unwrap_or_default();
        for s in &a.stages {
            let label = format!("{} / {}", a.name, s.name);
            if let Some(old) = old_names.get(&s.id).filter(|o| **o != s.name) {
                if !s.vanished {
                    c.renamed_stages
                        .push((format!("{} / {old}", a.name), s.name.clone()));
                }
            }
            match old_stages.get(&s.id) {
                None | Some(true) if !s.vanished => c.new_stages.push(label),
                Some(false) if s.vanished => {
                    if let Some(st) = &s.matter_status {
                        c.flagged_mappings.push(format!(
                            "stage {label:?} (mapped to status {st:?}) is gone from CaseStatus"
                        ));
                    }
                    c.vanished_stages.push(label);
                }
                _ => {}
            }
        }
    }
    c
}

/// Areas from the snapshot, or the setup error saying how to get them.
fn snapshot(state: &StateStore) -> anyhow::Result<Vec<AreaRow>> {
    let areas = state.areas()?;
    if areas.is_empty() {
        return Err(SetupError(
            "no practice areas fetched from CaseStatus yet; run `casestatus-sync test` or `casestatus-sync refetch-practice-areas`".into(),
        )
        .into());
    }
    Ok(areas)
}

/// `map`: the overview with the Action Needed banner.
pub fn overview(ctx: &Ctx) -> anyhow::Result<u8> {
    let doc = overview_doc(ctx)?;
    if ctx.out.json {
        ctx.out.json(&doc)?;
    } else {
        print_overview(ctx, &doc);
    }
    Ok(OK)
}

/// The mapping overview as one document: the `--json` answer, and what the
/// terminal view (and the status page) render — one code path.
///
/// # Errors
/// The state file or FluentCase could not be read.
pub fn overview_doc(ctx: &Ctx) -> anyhow::Result<serde_json::Value> {
    let state = ctx.state_read_only()?;
    let areas = snapshot(&state)?;
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let counts = fc.matter_counts()?;
    let (mappings, statuses) = ctx.rules_input(&state)?;
    let book = ctx.phone_book(&state);
    let policy = Policy {
        phone_book: &book,
        ..ctx.policy(&mappings, &statuses)
    };
    let mut eligible_by_type: BTreeMap<String, u64> = BTreeMap::new();
    fc.for_each_matter(|m| {
        if evaluate(&m, &policy, ctx.now).eligible() {
            if let Some(ct) = m.case_type {
                *eligible_by_type.entry(ct).or_default() += 1;
            }
        }
    })?;
    let (unmapped_areas, unmapped_stages, flagged) = attention(&areas);
    let matters = |a: &AreaRow, status: &Option<String>| -> Option<i64> {
        let ct = a.case_type.as_ref()?;
        let st = status.as_ref()?;
        Some(counts.get(&(ct.clone(), st.clone())).copied().unwrap_or(0))
    };
    Ok(json!({
        "action_needed": unmapped_areas + unmapped_stages + flagged > 0,
        "unmapped_practice_areas": unmapped_areas,
        "unmapped_stages": unmapped_stages,
        "flagged_mappings": flagged,
        "practice_areas": areas.iter().map(|a| json!({
            "id": a.id, "name": a.name, "case_type": a.case_type, "vanished": a.vanished,
            "eligible_matters": a.case_type.as_ref().map(|ct| eligible_by_type.get(ct).copied().unwrap_or(0)),
            "stages": a.stages.iter().map(|s| json!({
                "id": s.id, "name": s.name, "position": s.position, "vanished": s.vanished,
                "matter_status": s.matter_status, "matters": matters(a, &s.matter_status),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }))
}

/// (unmapped practice areas, unmapped stages, mappings to vanished items).
fn attention(areas: &[AreaRow]) -> (usize, usize, usize) {
    let (mut unmapped_areas, mut unmapped_stages, mut flagged) = (0, 0, 0);
    for a in areas {
        if a.vanished {
            flagged += usize::from(a.case_type.is_some());
            continue;
        }
        unmapped_areas += usize::from(a.case_type.is_none());
        for s in &a.stages {
            if s.vanished {
                flagged += usize::from(s.matter_status.is_some());
            } else {
                unmapped_stages += usize::from(s.matter_status.is_none());
            }
        }
    }
    (unmapped_areas, unmapped_stages, flagged)
}

/// The Action Needed banner's sentence for an overview document, if
/// anything needs action (the terminal and the status page show it).
pub fn banner(doc: &serde_json::Value) -> Option<String> {
    if doc["action_needed"] != true {
        return None;
    }
    let mut parts = Vec::new();
    for (key, what) in [
        (
            "unmapped_practice_areas",
            "practice area(s) not mapped to a case type",
        ),
        ("unmapped_stages", "stage(s) not mapped to a matter status"),
        (
            "flagged_mappings",
            "mapping(s) to something CaseStatus no longer has",
        ),
    ] {
        let n = doc[key].as_u64().unwrap_or(0);
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    Some(format!(
        "Action Needed: {}. Matters are synced only where a practice area and its stage are mapped.",
        parts.join("; ")
    ))
}

/// A practice area's mapping cell from its document: the case type, or
/// ⚠ Fix, or a mapping to an area CaseStatus no longer has.
pub fn area_mapping(a: &serde_json::Value) -> (Tone, String) {
    match (a["case_type"].as_str(), a["vanished"] == true) {
        (Some(ct), false) => (Tone::Ok, ct.to_string()),
        (None, false) => (Tone::Warn, "Fix".into()),
        (Some(ct), true) => (
            Tone::Warn,
            format!("{ct} — practice area gone from CaseStatus; clear this mapping"),
        ),
        (None, true) => (Tone::Plain, "gone from CaseStatus".into()),
    }
}

/// A stage's mapping cell from its document: the matter status, or ⚠ Map.
pub fn stage_mapping(s: &serde_json::Value) -> (Tone, String) {
    match (s["matter_status"].as_str(), s["vanished"] == true) {
        (Some(st), false) => (Tone::Ok, st.to_string()),
        (None, false) => (Tone::Warn, "Map".into()),
        (Some(st), true) => (Tone::Warn, format!("{st} — stage gone from CaseStatus")),
        (None, true) => (Tone::Plain, "gone from CaseStatus".into()),
    }
}

/// The overview for people: the Action Needed banner, then each practice
/// area with its stage table.
fn print_overview(ctx: &Ctx, doc: &serde_json::Value) {
    let out = &ctx.out;
    if let Some(text) = banner(doc) {
        out.line(out.warn_badge(&text));
        out.line("");
    }
    for a in doc["practice_areas"].as_array().into_iter().flatten() {
        print_area(ctx, a);
    }
}

fn print_area(ctx: &Ctx, a: &serde_json::Value) {
    let out = &ctx.out;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let (tone, cell) = area_mapping(a);
    let mapping = match (a["case_type"].as_str(), a["vanished"] == true) {
        (Some(_), false) => {
            out.toned(tone, &cell)
                + format!(
                    " (case type; {} matter(s) eligible now)",
                    a["eligible_matters"].as_u64().unwrap_or(0)
                )
        }
        _ => out.toned(tone, &cell),
    };
    out.line(Styled::from(format!("Practice area: {}  →  ", text(&a["name"]))) + mapping);
    let mut t = out.table(&["Stage", "Matter status", "Matters"]);
    for s in a["stages"].as_array().into_iter().flatten() {
        let (tone, cell) = stage_mapping(s);
        let n = s["matters"]
            .as_i64()
            .map_or("—".to_string(), |n| n.to_string());
        t.add_row(vec![
            Styled::from(text(&s["name"])),
            out.toned(tone, &cell),
            Styled::from(n),
        ]);
    }
    out.print_table(&t);
    out.line("");
}

/// `map practice-area AREA --case-type TYPE | --clear`.
pub fn map_area(ctx: &Ctx, area: &str, case_type: Option<&str>) -> anyhow::Result<u8> {
    let state = ctx.state()?;
    let areas = snapshot(&state)?;
    let target = find_area(&areas, area, case_type.is_none())?;
    if let Some(ct) = case_type {
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let known = fc.case_types()?;
        let ct = exact_choice("case type", ct, &known)?;
        if let Some(other) = areas
            .iter()
            .find(|a| a.id != target.id && a.case_type.as_deref() == Some(ct.as_str()))
        {
            if other.vanished {
                // A mapping to an area CaseStatus no longer has is dead weight.
                state.map_area(other.id, None)?;
            } else {
                return Err(UsageError(format!(
                "case type {ct:?} is already mapped to practice area {:?}; a case type maps to one practice area (clear it first: casestatus-sync map practice-area {:?} --clear)",
                other.name, other.name
            ))
            .into());
            }
        }
        state.map_area(target.id, Some(ct))?;
        report(
            ctx,
            &format!("Practice area {:?} → case type {ct:?}", target.name),
        )
    } else {
        state.map_area(target.id, None)?;
        report(
            ctx,
            &format!("Practice area {:?} is no longer mapped", target.name),
        )
    }
}

/// `map stage AREA STAGE --status STATUS | --clear`.
pub fn map_stage(ctx: &Ctx, area: &str, stage: &str, status: Option<&str>) -> anyhow::Result<u8> {
    let state = ctx.state()?;
    let areas = snapshot(&state)?;
    let for_clear = status.is_none();
    let target = find_area(&areas, area, for_clear)?;
    // Stages gone from CaseStatus can only be cleared, and only while mapped.
    let usable = |s: &&crate::store::state::StageRow| {
        !s.vanished || (for_clear && s.matter_status.is_some())
    };
    let names: Vec<String> = target
        .stages
        .iter()
        .filter(usable)
        .map(|s| s.name.clone())
        .collect();
    let stage_name = exact_choice(&format!("stage of {:?}", target.name), stage, &names)?;
    let Some(stage_row) = target
        .stages
        .iter()
        .filter(usable)
        .filter(|s| &s.name == stage_name)
        .min_by_key(|s| s.vanished)
    else {
        // exact_choice returned a name from `live`, which comes from these stages.
        return Err(UsageError(format!("unknown stage {stage:?}")).into());
    };
    if let Some(st) = status {
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let known = fc.matter_statuses()?;
        let st = exact_choice("matter status", st, &known)?;
        if let Some(other) = target
            .stages
            .iter()
            .find(|s| s.id != stage_row.id && s.matter_status.as_deref() == Some(st.as_str()))
        {
            if other.vanished {
                state.map_stage(target.id, other.id, None)?;
            } else {
                return Err(UsageError(format!(
                "matter status {st:?} is already mapped to stage {:?} of {:?}; within a practice area a status maps to one stage (clear it first: casestatus-sync map stage {:?} {:?} --clear)",
                other.name, target.name, target.name, other.name
            ))
            .into());
            }
        }
        state.map_stage(target.id, stage_row.id, Some(st))?;
        report(
            ctx,
            &format!(
                "{} / {} → matter status {st:?}",
                target.name, stage_row.name
            ),
        )
    } else {
        state.map_stage(target.id, stage_row.id, None)?;
        report(
            ctx,
            &format!("{} / {} is no longer mapped", target.name, stage_row.name),
        )
    }
}

/// A practice area by exact name. Areas gone from CaseStatus can only be
/// chosen for `--clear` (`for_clear`), and only while they hold a mapping.
fn find_area<'a>(areas: &'a [AreaRow], name: &str, for_clear: bool) -> anyhow::Result<&'a AreaRow> {
    let usable = |a: &&AreaRow| !a.vanished || (for_clear && a.case_type.is_some());
    let names: Vec<String> = areas
        .iter()
        .filter(usable)
        .map(|a| a.name.clone())
        .collect();
    let chosen = exact_choice("practice area", name, &names)?;
    // Prefer the live area when a vanished one had the same name.
    areas
        .iter()
        .filter(usable)
        .filter(|a| &a.name == chosen)
        .min_by_key(|a| a.vanished)
        .ok_or_else(|| UsageError(format!("unknown practice area {name:?}")).into())
}

fn report(ctx: &Ctx, what: &str) -> anyhow::Result<u8> {
    if ctx.out.json {
        ctx.out.json(&json!({ "saved": what }))?;
    } else {
        ctx.out.line(format!("Saved: {what}"));
    }
    Ok(OK)
}

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

/// `map [practice-area|stage ...]`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<MapAction>,
}

#[derive(Debug, clap::Subcommand)]
pub enum MapAction {
    /// Map a practice area to a FluentCase case type (or clear it)
    PracticeArea {
        /// The CaseStatus practice area, exactly as named there
        #[arg(value_name = "AREA")]
        area: String,
        /// The FluentCase case type
        #[arg(
            long,
            value_name = "TYPE",
            required_unless_present = "clear",
            conflicts_with = "clear"
        )]
        case_type: Option<String>,
        /// Remove the mapping
        #[arg(long)]
        clear: bool,
    },
    /// Map a stage of a practice area to a FluentCase matter status (or clear it)
    Stage {
        /// The CaseStatus practice area, exactly as named there
        #[arg(value_name = "AREA")]
        area: String,
        /// The stage of that practice area, exactly as named there
        #[arg(value_name = "STAGE")]
        stage: String,
        /// The FluentCase matter status
        #[arg(
            long,
            value_name = "STATUS",
            required_unless_present = "clear",
            conflicts_with = "clear"
        )]
        status: Option<String>,
        /// Remove the mapping
        #[arg(long)]
        clear: bool,
    },
}

/// `map`: the overview ([`overview`]), or one mapping ([`map_area`],
/// [`map_stage`]; `--clear` is a mapping to nothing).
///
/// # Errors
/// As those.
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    match &args.action {
        None => overview(ctx),
        Some(MapAction::PracticeArea {
            area, case_type, ..
        }) => map_area(ctx, area, case_type.as_deref()),
        Some(MapAction::Stage {
            area,
            stage,
            status,
            ..
        }) => map_stage(ctx, area, stage, status.as_deref()),
    }
}

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

/// The mapping overview: the `map --json` document, and what the terminal
/// view and the status page read — one answer.
///
/// Fields stand in alphabetical order, here and in the nested views: the
/// order the document has always had (it was once a `serde_json` map).
#[derive(Debug, Serialize)]
pub struct Overview {
    pub action_needed: bool,
    /// Mappings to something CaseStatus no longer has.
    pub flagged_mappings: usize,
    pub practice_areas: Vec<AreaView>,
    pub unmapped_practice_areas: usize,
    pub unmapped_stages: usize,
}

/// A practice area with its case type and its stages.
#[derive(Debug, Serialize)]
pub struct AreaView {
    pub case_type: Option<String>,
    /// Matters of its case type eligible now (None while unmapped).
    pub eligible_matters: Option<u64>,
    pub id: i64,
    pub name: String,
    pub stages: Vec<StageView>,
    /// Gone from CaseStatus since the last refetch.
    pub vanished: bool,
}

/// A stage with its matter status and how many matters are in it.
#[derive(Debug, Serialize)]
pub struct StageView {
    pub id: i64,
    pub matter_status: Option<String>,
    /// Matters of the area's case type in that status (None while unmapped).
    pub matters: Option<i64>,
    pub name: String,
    pub position: i64,
    pub vanished: bool,
}

/// Where a practice area or stage stands: a closed vocabulary, read from
/// its mapping and whether CaseStatus still has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping<'a> {
    /// Mapped (to a case type, or a matter status) and in CaseStatus.
    Mapped(&'a str),
    /// In CaseStatus, not mapped: ⚠ Fix / ⚠ Map.
    Unmapped,
    /// Mapped, but gone from CaseStatus: the mapping should be cleared.
    GoneButMapped(&'a str),
    /// Gone from CaseStatus, and not mapped.
    Gone,
}

impl<'a> Mapping<'a> {
    fn of(mapped: Option<&'a str>, vanished: bool) -> Mapping<'a> {
        match (mapped, vanished) {
            (Some(m), false) => Mapping::Mapped(m),
            (None, false) => Mapping::Unmapped,
            (Some(m), true) => Mapping::GoneButMapped(m),
            (None, true) => Mapping::Gone,
        }
    }
}

impl AreaView {
    pub fn mapping(&self) -> Mapping<'_> {
        Mapping::of(self.case_type.as_deref(), self.vanished)
    }

    /// Its eligible matters, when it is mapped and in CaseStatus.
    pub fn eligible_now(&self) -> Option<u64> {
        match self.mapping() {
            Mapping::Mapped(_) => self.eligible_matters,
            _ => None,
        }
    }

    /// The mapping cell: the case type, or ⚠ Fix, or a mapping to an area
    /// CaseStatus no longer has.
    pub fn mapping_cell(&self) -> (Tone, String) {
        match self.mapping() {
            Mapping::Mapped(ct) => (Tone::Ok, ct.to_string()),
            Mapping::Unmapped => (Tone::Warn, "Fix".into()),
            Mapping::GoneButMapped(ct) => (
                Tone::Warn,
                format!("{ct} — practice area gone from CaseStatus; clear this mapping"),
            ),
            Mapping::Gone => (Tone::Plain, "gone from CaseStatus".into()),
        }
    }
}

impl StageView {
    pub fn mapping(&self) -> Mapping<'_> {
        Mapping::of(self.matter_status.as_deref(), self.vanished)
    }

    /// The mapping cell: the matter status, or ⚠ Map.
    pub fn mapping_cell(&self) -> (Tone, String) {
        match self.mapping() {
            Mapping::Mapped(st) => (Tone::Ok, st.to_string()),
            Mapping::Unmapped => (Tone::Warn, "Map".into()),
            Mapping::GoneButMapped(st) => {
                (Tone::Warn, format!("{st} — stage gone from CaseStatus"))
            }
            Mapping::Gone => (Tone::Plain, "gone from CaseStatus".into()),
        }
    }

    /// The Matters cell: the count, or — while unmapped.
    pub fn matters_cell(&self) -> String {
        self.matters.map_or("—".to_string(), |n| n.to_string())
    }
}

impl Overview {
    /// Matters eligible now, over every practice area (the badge's count).
    pub fn eligible(&self) -> u64 {
        self.practice_areas
            .iter()
            .filter_map(|a| a.eligible_matters)
            .sum()
    }

    /// The Action Needed banner's sentence, if anything needs action (the
    /// terminal and the status page show it).
    pub fn banner(&self) -> Option<String> {
        if !self.action_needed {
            return None;
        }
        let parts: Vec<String> = [
            (
                self.unmapped_practice_areas,
                "practice area(s) not mapped to a case type",
            ),
            (
                self.unmapped_stages,
                "stage(s) not mapped to a matter status",
            ),
            (
                self.flagged_mappings,
                "mapping(s) to something CaseStatus no longer has",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        Some(format!(
            "Action Needed: {}. Matters are synced only where a practice area and its stage are mapped.",
            parts.join("; ")
        ))
    }
}

/// The mapping overview as one answer: the `--json` document, and what the
/// terminal view (and the status page) render — one code path.
///
/// # Errors
/// [`SetupError`] when no practice areas were fetched yet; the state file
/// or FluentCase could not be read.
pub fn overview_doc(ctx: &Ctx) -> anyhow::Result<Overview> {
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
    let practice_areas = areas
        .iter()
        .map(|a| AreaView {
            case_type: a.case_type.clone(),
            eligible_matters: a
                .case_type
                .as_ref()
                .map(|ct| eligible_by_type.get(ct).copied().unwrap_or(0)),
            id: a.id,
            name: a.name.clone(),
            stages: a
                .stages
                .iter()
                .map(|s| StageView {
                    id: s.id,
                    matter_status: s.matter_status.clone(),
                    matters: matters(a, &s.matter_status),
                    name: s.name.clone(),
                    position: s.position,
                    vanished: s.vanished,
                })
                .collect(),
            vanished: a.vanished,
        })
        .collect();
    Ok(Overview {
        action_needed: unmapped_areas + unmapped_stages + flagged > 0,
        flagged_mappings: flagged,
        practice_areas,
        unmapped_practice_areas: unmapped_areas,
        unmapped_stages,
    })
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

/// The overview for people: the Action Needed banner, then each practice
/// area with its stage table.
fn print_overview(ctx: &Ctx, doc: &Overview) {
    let out = &ctx.out;
    if let Some(text) = doc.banner() {
        out.line(out.warn_badge(&text));
        out.line("");
    }
    for a in &doc.practice_areas {
        print_area(ctx, a);
    }
}

fn print_area(ctx: &Ctx, a: &AreaView) {
    let out = &ctx.out;
    let (tone, cell) = a.mapping_cell();
    let mut mapping = out.toned(tone, &cell);
    if let Some(n) = a.eligible_now() {
        mapping = mapping + format!(" (case type; {n} matter(s) eligible now)");
    }
    out.line(Styled::from(format!("Practice area: {}  →  ", a.name)) + mapping);
    let mut t = out.table(&["Stage", "Matter status", "Matters"]);
    for s in &a.stages {
        let (tone, cell) = s.mapping_cell();
        t.add_row(vec![
            Styled::from(s.name.clone()),
            out.toned(tone, &cell),
            Styled::from(s.matters_cell()),
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

#[cfg(test)]
#[path = "mapping_tests.rs"]
mod tests;

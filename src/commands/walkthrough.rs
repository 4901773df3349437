//! `setup`: the help article's settings page as a guided walk on a
//! terminal (SPEC §1): the key (hidden) and Test Connection with its
//! badge; the synced statuses; each practice area with a pick-list of case
//! types and each of its stages with a pick-list of matter statuses; the
//! event types as checkboxes; then what the next sync would do (a dry run)
//! and the cron line to install.
//!
//! Every list is built from what FluentCase and CaseStatus hold, so no name
//! is ever typed; the current choices are the defaults, so running it again
//! is a review. Each answer is saved as it is given, through the very
//! functions the scripted commands run (`connect`, `synced-statuses`,
//! `map practice-area`, `map stage`, `event-types enable|disable`) — one
//! code path, so a walk and a script give the same state, and Ctrl-C at
//! any question leaves what was saved before it (each save is one
//! transaction of the state file).

use dialoguer::theme::Theme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use crate::casestatus::ApiKey;
use crate::commands::{prompt, shell_word};
use crate::store::fluentcase::Access;
use crate::store::state::AreaRow;
use crate::sync::{Ctx, Kind};
use crate::util::exit::{UsageError, OK};
use crate::util::output::Output;
use crate::util::term::visible;

/// Why `setup` will not run off a terminal, and what scripts use instead.
pub const NOT_A_TERMINAL: &str = "setup asks questions and needs a terminal; scripts run the same steps one by one: connect --name NAME --api-key-stdin, test, synced-statuses STATUS..., map practice-area AREA --case-type TYPE, map stage AREA STAGE --status STATUS, event-types enable NAME... (see README, Setup)";

/// What stays when a person stops at a question.
const KEPT: &str = "every answer given before was saved; run `casestatus-sync setup` again to go on (your choices are the defaults)";

/// The pick-list entry that leaves an item unmapped.
const SKIP: &str = "— skip (not mapped) —";

/// One walk: the context for what it shows, a quiet one for the saves
/// (the scripted commands' own lines would repeat what the walk says).
struct Walk<'a> {
    ctx: &'a Ctx,
    quiet: Ctx,
    theme: Box<dyn Theme>,
}

/// `setup`: the guided walk.
///
/// # Errors
/// Not on a terminal, or with `--json` ([`UsageError`], exit 2); a person
/// stopping at a question ([`crate::util::exit::Interrupted`]); a save the
/// scripted command would refuse for a reason a new answer cannot fix.
pub fn run(ctx: &Ctx) -> anyhow::Result<u8> {
    if ctx.out.json {
        return Err(UsageError(format!("setup has no --json output: {NOT_A_TERMINAL}")).into());
    }
    if !prompt::interactive() {
        return Err(UsageError(NOT_A_TERMINAL.into()).into());
    }
    prompt::on_ctrl_c("setup", KEPT);
    let walk = Walk {
        ctx,
        quiet: Ctx {
            config: ctx.config.clone(),
            out: Output {
                quiet: true,
                ..ctx.out
            },
            now: ctx.now,
            trace: ctx.trace.clone(),
        },
        theme: prompt::theme(ctx.out.color),
    };
    walk.heading("1. CaseStatus API key");
    walk.key()?;
    walk.heading("2. Test Connection");
    walk.test()?;
    walk.heading("3. Synced matter statuses");
    walk.statuses()?;
    walk.heading("4. Practice Area & Stage Mapping");
    walk.mappings()?;
    walk.heading("5. Appointment Sync — Event Types");
    walk.event_types()?;
    walk.heading("6. What the next sync would do (a dry run: nothing is sent)");
    walk.dry_run();
    walk.heading("7. Sync every 15 minutes");
    walk.cron();
    Ok(OK)
}

impl Walk<'_> {
    fn out(&self) -> &Output {
        &self.ctx.out
    }

    fn heading(&self, text: &str) {
        self.out().line("");
        self.out().line(format!("━━ {text}"));
    }

    /// A save refused for a reason the person can answer differently (a
    /// case type already mapped elsewhere, a key CaseStatus refuses): shown,
    /// and the question asked again. Anything else ends the walk.
    fn refused(&self, e: &anyhow::Error) -> bool {
        let answerable = e.chain().any(|c| {
            c.is::<UsageError>()
                || c.is::<crate::util::exit::SetupError>()
                || c.is::<crate::casestatus::ApiError>()
        });
        if answerable {
            self.out()
                .line(self.out().bad_badge("Not saved:") + " " + crate::util::term::error_line(e));
        }
        answerable
    }

    /// The key: kept, or asked for (hidden) and saved by `connect`, which
    /// tests it with CaseStatus first.
    fn key(&self) -> anyhow::Result<()> {
        let ctx = self.ctx;
        if let Some(path) = &ctx.config.casestatus.api_key_file {
            self.out().line(format!(
                "The key is read from {} (casestatus.api_key_file in {}); nothing to save here.",
                path.display(),
                ctx.config.path.display()
            ));
            return Ok(());
        }
        let saved = ctx.state()?.key()?;
        if let Some(k) = &saved {
            let question = format!("A key named \"{}\" is saved. Replace it?", visible(&k.name));
            let replace = Confirm::with_theme(self.theme.as_ref())
                .with_prompt(&question)
                .default(false)
                .interact()
                .map_err(|e| prompt::failed(&question, e, KEPT))?;
            if !replace {
                return Ok(());
            }
        }
        loop {
            let question = "A descriptive name for the key";
            let name: String = Input::with_theme(self.theme.as_ref())
                .with_prompt(question)
                .default(
                    saved
                        .as_ref()
                        .map_or("CaseStatus API Key".to_string(), |k| k.name.clone()),
                )
                .interact_text()
                .map_err(|e| prompt::failed(question, e, KEPT))?;
            let question = "CaseStatus API key (from CaseStatus's Settings → API; input hidden)";
            let raw = Password::with_theme(self.theme.as_ref())
                .with_prompt(question)
                .interact()
                .map_err(|e| prompt::failed(question, e, KEPT))?;
            let args = crate::commands::setup::ConnectArgs {
                name: Some(name.clone()),
                api_key_stdin: false,
                no_test: false,
                statuses: Vec::new(),
                new_account: false,
                same_account: false,
                key: Some(ApiKey::new(&raw)),
            };
            match crate::commands::setup::connect(&self.quiet, args) {
                Ok(_) => {
                    self.out()
                        .line(format!("Saved API key \"{}\".", visible(name.trim())));
                    return Ok(());
                }
                Err(e) if self.refused(&e) => {
                    let question = "Try another key?";
                    let again = Confirm::with_theme(self.theme.as_ref())
                        .with_prompt(question)
                        .default(true)
                        .interact()
                        .map_err(|e| prompt::failed(question, e, KEPT))?;
                    if !again {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Test Connection (the badge), which also takes the first snapshot of
    /// the practice areas; on a re-run, the practice areas are fetched again
    /// so the lists below are CaseStatus's current ones.
    fn test(&self) -> anyhow::Result<()> {
        let had_snapshot = !self.ctx.state()?.areas()?.is_empty();
        crate::commands::setup::test_then(self.ctx, None)?;
        if had_snapshot {
            crate::commands::mapping::refetch(self.ctx)?;
        }
        Ok(())
    }

    /// The synced statuses, as a multi-select (at least one).
    fn statuses(&self) -> anyhow::Result<()> {
        let ctx = self.ctx;
        let known = ctx.fluentcase(Access::ReadOnly)?.matter_statuses()?;
        let (_, current) = ctx.rules_input(&ctx.state()?)?;
        let labels: Vec<String> = known.iter().map(|s| visible(s).into_owned()).collect();
        let checked: Vec<bool> = known.iter().map(|s| current.contains(s)).collect();
        let question =
            "Which matter statuses are synced? (space: check or uncheck, enter: save; by default only Open)";
        let chosen = loop {
            let picked = MultiSelect::with_theme(self.theme.as_ref())
                .with_prompt(question)
                .items(&labels)
                .defaults(&checked)
                .interact()
                .map_err(|e| prompt::failed(question, e, KEPT))?;
            if picked.is_empty() {
                self.out().line(
                    "Check at least one status: matters in unchecked statuses are never synced.",
                );
                continue;
            }
            break picked
                .into_iter()
                .filter_map(|i| known.get(i).cloned())
                .collect::<Vec<String>>();
        };
        crate::commands::setup::synced_statuses(&self.quiet, &chosen)?;
        self.out().line(format!(
            "Saved: synced statuses {}.",
            visible(&crate::commands::quoted(&chosen))
        ));
        Ok(())
    }

    /// Each practice area CaseStatus has: a case type or skip; each stage
    /// of a mapped one: a matter status or skip.
    fn mappings(&self) -> anyhow::Result<()> {
        let ctx = self.ctx;
        let areas = ctx.state()?.areas()?;
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let case_types = fc.case_types()?;
        let statuses = fc.matter_statuses()?;
        drop(fc);
        let live: Vec<&AreaRow> = areas.iter().filter(|a| !a.vanished).collect();
        if live.is_empty() {
            self.out().line("CaseStatus has no practice areas yet: add them in CaseStatus (Settings), then run setup again.");
            return Ok(());
        }
        self.out().line(format!(
            "{} practice area(s) in CaseStatus. Only matters whose case type is mapped are synced; unmapped ones are skipped.",
            live.len()
        ));
        for area in live {
            let question = format!(
                "Practice area \"{}\" → which FluentCase case type?",
                visible(&area.name)
            );
            let mapped = self.pick(&question, &case_types, area.case_type.as_deref(), |ct| {
                crate::commands::mapping::map_area(&self.quiet, &area.name, ct)
            })?;
            match &mapped {
                Some(ct) => self.out().line(format!(
                    "Saved: {} → case type {}",
                    visible(&area.name),
                    visible(ct)
                )),
                None => self.out().line(format!(
                    "{} is not mapped: its matters are skipped.",
                    visible(&area.name)
                )),
            }
            if mapped.is_none() {
                continue;
            }
            for stage in area.stages.iter().filter(|s| !s.vanished) {
                let question = format!(
                    "  Stage \"{}\" of \"{}\" → which matter status?",
                    visible(&stage.name),
                    visible(&area.name)
                );
                let status =
                    self.pick(&question, &statuses, stage.matter_status.as_deref(), |st| {
                        crate::commands::mapping::map_stage(
                            &self.quiet,
                            &area.name,
                            &stage.name,
                            st,
                        )
                    })?;
                if let Some(st) = status {
                    self.out().line(format!(
                        "  Saved: {} / {} → matter status {}",
                        visible(&area.name),
                        visible(&stage.name),
                        visible(&st)
                    ));
                }
            }
        }
        Ok(())
    }

    /// A pick-list of `choices` headed by "skip", the current one chosen
    /// (offered even if FluentCase no longer has it); a changed answer is
    /// saved by `save` (None: clear). A save refused
    /// (say, a case type already mapped to another area) is shown and the
    /// question asked again. The answer.
    fn pick(
        &self,
        question: &str,
        choices: &[String],
        current: Option<&str>,
        save: impl Fn(Option<&str>) -> anyhow::Result<u8>,
    ) -> anyhow::Result<Option<String>> {
        let mut items = vec![SKIP.to_string()];
        items.extend(choices.iter().map(|c| visible(c).into_owned()));
        let mut options = choices.to_vec();
        // A current choice FluentCase no longer has stays offered (and is
        // the default), so Enter never clears a mapping nobody chose to clear.
        if let Some(c) = current.filter(|c| !choices.iter().any(|x| x == c)) {
            items.push(format!("{} (as now; no longer in FluentCase)", visible(c)));
            options.push(c.to_string());
        }
        let default = current
            .and_then(|c| options.iter().position(|x| x == c))
            .map_or(0, |i| i + 1);
        loop {
            let picked = Select::with_theme(self.theme.as_ref())
                .with_prompt(question)
                .items(&items)
                .default(default)
                .max_length(12)
                .interact()
                .map_err(|e| prompt::failed(question, e, KEPT))?;
            let answer = picked
                .checked_sub(1)
                .and_then(|i| options.get(i))
                .map(String::as_str);
            if answer == current {
                return Ok(answer.map(str::to_string));
            }
            match save(answer) {
                Ok(_) => return Ok(answer.map(str::to_string)),
                Err(e) if self.refused(&e) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The event types as checkboxes; checked ones enabled, the others
    /// disabled, by `event-types enable|disable`.
    fn event_types(&self) -> anyhow::Result<()> {
        let ctx = self.ctx;
        let et = {
            let state = ctx.state()?;
            let fc = ctx.fluentcase(Access::ReadOnly)?;
            crate::commands::event_types::gather(&state, &fc)?
        };
        if et.types.is_empty() {
            self.out()
                .line("FluentCase has no event types, so no appointments are pushed.");
            return Ok(());
        }
        let labels: Vec<String> = et.types.iter().map(|t| visible(t).into_owned()).collect();
        let checked: Vec<bool> = et.types.iter().map(|t| et.is_enabled(t)).collect();
        let question = "Which event types are shared with clients as appointments? (space: check or uncheck, enter: save)";
        let picked = MultiSelect::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .items(&labels)
            .defaults(&checked)
            .interact()
            .map_err(|e| prompt::failed(question, e, KEPT))?;
        let (mut enable, mut disable) = (Vec::new(), Vec::new());
        for (i, t) in et.types.iter().enumerate() {
            match (picked.contains(&i), et.is_enabled(t)) {
                (true, false) => enable.push(t.clone()),
                (false, true) => disable.push(t.clone()),
                _ => {}
            }
        }
        if !enable.is_empty() {
            crate::commands::event_types::set(&self.quiet, &enable, true)?;
        }
        if !disable.is_empty() {
            crate::commands::event_types::set(&self.quiet, &disable, false)?;
        }
        let now: Vec<String> = picked
            .iter()
            .filter_map(|&i| et.types.get(i).cloned())
            .collect();
        self.out().line(if now.is_empty() {
            "Saved: no event types are checked, so no appointments are pushed.".to_string()
        } else {
            format!(
                "Saved: pushed as Meeting appointments: {}.",
                visible(&crate::commands::quoted(&now))
            )
        });
        Ok(())
    }

    /// `sync matters` and `sync appointments` as a dry run: what would be
    /// pushed and skipped, nothing sent. A failure is shown, not fatal:
    /// everything above is saved either way.
    fn dry_run(&self) {
        if let Err(e) = crate::sync::run(self.ctx, &[Kind::Matters, Kind::Appointments], true) {
            self.out().line(
                self.out().bad_badge("The dry run failed:")
                    + " "
                    + crate::util::term::error_line(&e),
            );
        }
        self.out().line("Why a matter is skipped, and where to fix it in FluentCase: casestatus-sync why-skipped MATTER");
    }

    /// The crontab lines, with this binary's and this config's absolute paths.
    fn cron(&self) {
        let bin = std::env::current_exe()
            .and_then(|p| p.canonicalize())
            .map(|p| shell_word(&p.display().to_string()))
            .unwrap_or_else(|_| "casestatus-sync".into());
        let config = std::path::absolute(&self.ctx.config.path)
            .map(|p| p.canonicalize().unwrap_or(p))
            .unwrap_or_else(|_| self.ctx.config.path.clone());
        let config = shell_word(&config.display().to_string());
        self.out().line(
            "Add this line to the crontab of the user that owns the state file (crontab -e):",
        );
        self.out()
            .line(format!("*/15 * * * * {bin} --config {config} sync all"));
        self.out().line(
            "Optional, to bring client messages in sooner (it never waits for a long matters run):",
        );
        self.out()
            .line(format!("*/2 * * * * {bin} --config {config} sync messages"));
        self.out().line(format!(
            "Health for monitoring: {bin} --config {config} status"
        ));
    }
}

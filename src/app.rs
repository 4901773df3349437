//! From parsed arguments to work: load and check the config, open what the
//! command needs, dispatch. Commands that need no config (sandbox,
//! completions) run before the config is looked for.

use std::collections::BTreeSet;
use std::io::IsTerminal;

use chrono::{DateTime, Utc};

use crate::casestatus::{ApiKey, CaseStatus};
use crate::cli::{Cli, Command, EventTypeAction, MapAction, SyncWhat};
use crate::config::{self, Config};
use crate::eligibility::{Mappings, Policy};
use crate::exit::{SetupError, UsageError};
use crate::fluentcase::{Access, FluentCase};
use crate::output::Output;
use crate::state::{StateStore, StoredKey};
use crate::sync::{self, Kind};

/// The setting that binds a state file to one CaseStatus account (its URL).
pub const ACCOUNT_SETTING: &str = "casestatus_base_url";
/// The setting recording a deliberate `disconnect`.
pub const DISCONNECTED_SETTING: &str = "disconnected_at";

/// What every command gets: the checked config, output settings and the clock.
pub struct Ctx {
    pub config: Config,
    pub out: Output,
    pub now: DateTime<Utc>,
}

impl Ctx {
    /// Open the state file named by the config.
    pub fn state(&self) -> anyhow::Result<StateStore> {
        Ok(StateStore::open(&self.config.state_database)?)
    }

    /// Open the existing state file for reading only: read-only commands
    /// (`log`, `status`, `why-skipped`, the `map` overview) never create one.
    pub fn state_read_only(&self) -> anyhow::Result<StateStore> {
        Ok(StateStore::open_read_only(&self.config.state_database)?)
    }

    /// Open FluentCase's database named by the config.
    pub fn fluentcase(&self, access: Access) -> anyhow::Result<FluentCase> {
        Ok(FluentCase::open(&self.config.fluentcase.database, access)?)
    }

    /// The key in use: from `casestatus.api_key_file` when the config names
    /// one (read now, every run), else the one saved by `connect`; or the
    /// setup error telling how to connect.
    pub fn key(&self, state: &StateStore) -> anyhow::Result<StoredKey> {
        if let Some(path) = &self.config.casestatus.api_key_file {
            let key = crate::keyfile::read(path)?;
            return Ok(StoredKey {
                name: format!("API key from {}", path.display()),
                secret: key.expose().to_string(),
                saved_at: String::new(),
            });
        }
        state.key()?.ok_or_else(|| {
            SetupError(format!(
                "not connected to CaseStatus: no API key is saved in {}; run `casestatus-sync connect --name NAME`",
                state.path().display()
            ))
            .into()
        })
    }

    /// A CaseStatus client for the saved key, after checking that this
    /// state file belongs to the configured CaseStatus account.
    ///
    /// The ledger, snapshot and mappings describe one CaseStatus account;
    /// pointing the same state file at another `base_url` (say, from the
    /// sandbox to production) would make the tool believe cases exist that
    /// don't. The first call records the URL; a different one is refused.
    pub fn casestatus(&self, state: &StateStore, key: &StoredKey) -> anyhow::Result<CaseStatus> {
        self.casestatus_bound(state, key, true)
    }

    /// As [`Ctx::casestatus`] but only checks the account binding, never
    /// records it (dry runs, and testing a key before it is saved).
    pub fn casestatus_unrecorded(
        &self,
        state: &StateStore,
        key: &StoredKey,
    ) -> anyhow::Result<CaseStatus> {
        self.casestatus_bound(state, key, false)
    }

    /// As [`Ctx::casestatus`]; `record` false checks the binding without
    /// recording it (dry runs change nothing).
    fn casestatus_bound(
        &self,
        state: &StateStore,
        key: &StoredKey,
        record: bool,
    ) -> anyhow::Result<CaseStatus> {
        let url = self
            .config
            .casestatus
            .base_url
            .as_str()
            .trim_end_matches('/');
        match state.setting(ACCOUNT_SETTING)? {
            Some(bound) if bound != url => {
                return Err(SetupError(format!(
                    "state database {} belongs to CaseStatus at {bound}, but casestatus.base_url in {} is {url}; its record of pushed cases and its mappings are for the other account — give this account its own state.database",
                    state.path().display(),
                    self.config.path.display()
                ))
                .into())
            }
            Some(_) => {}
            None if record => state.set_setting(ACCOUNT_SETTING, url)?,
            None => {}
        }
        Ok(CaseStatus::new(
            self.config.casestatus.base_url.clone(),
            &ApiKey::new(&key.secret),
            self.config.casestatus.timeout,
            self.config.casestatus.max_retries,
        )?)
    }

    /// For a sync: the client, or None when an admin removed the key on
    /// purpose (`disconnect` stops syncing; cron should not mail an error
    /// every 15 minutes for it). Never connected at all is a setup error.
    pub fn sync_client(
        &self,
        state: &StateStore,
        dry_run: bool,
    ) -> anyhow::Result<Option<CaseStatus>> {
        // A key file is the deployment's statement that syncing is wanted;
        // `disconnect` is refused while one is configured.
        if self.config.casestatus.api_key_file.is_none() && state.key()?.is_none() {
            if let Some(when) = state.setting(DISCONNECTED_SETTING)? {
                if self.out.json {
                    self.out
                        .json(&serde_json::json!({"syncing": false, "disconnected_at": when}))?;
                } else {
                    self.out.line(format!(
                        "Not syncing: the CaseStatus API key was removed on {when} (casestatus-sync connect to resume)."
                    ));
                }
                return Ok(None);
            }
        }
        let key = self.key(state)?;
        Ok(Some(self.casestatus_bound(state, &key, !dry_run)?))
    }

    /// The current mappings and synced statuses, for the eligibility rules.
    /// No statuses chosen yet (a key file needs no `connect`, which sets
    /// them) means the default, `Open`: `synced-statuses` cannot set none.
    pub fn rules_input(&self, state: &StateStore) -> anyhow::Result<(Mappings, BTreeSet<String>)> {
        let mappings =
            Mappings::from_areas(&state.areas()?).with_name_history(state.casestatus_names()?);
        let mut statuses: BTreeSet<String> = state.synced_statuses()?.into_iter().collect();
        if statuses.is_empty() {
            statuses.insert(crate::setup::DEFAULT_STATUS.to_string());
        }
        Ok((mappings, statuses))
    }

    /// Eligibility policy over borrowed inputs.
    pub fn policy<'a>(
        &'a self,
        mappings: &'a Mappings,
        statuses: &'a BTreeSet<String>,
    ) -> Policy<'a> {
        Policy {
            mappings,
            synced_statuses: statuses,
            deep_link_base: &self.config.fluentcase.base_url,
            phone_region: self.config.fluentcase.phone_region,
            timezone: self.config.fluentcase.timezone,
        }
    }
}

/// Run a parsed command line; the exit status on success.
///
/// # Errors
/// Any failure, to be printed once by `main` and mapped by [`crate::exit::code_for`].
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let verbose = cli.verbose > 0;
    let mut out = Output::new(cli.json, cli.quiet, verbose);
    // Under cron (stdout not a terminal) a sync that went well prints
    // nothing, so cron mails only problems (on stderr). `-v` or `--json`
    // ask for the summary anyway, and a dry run's plan is its whole point.
    if is_real_sync(&cli.command) && !std::io::stdout().is_terminal() && !verbose && !cli.json {
        out.quiet = true;
    }
    match &cli.command {
        Command::Sandbox { port } => return crate::sandbox_cmd::run(*port, &out),
        Command::Demo { dir } => return crate::demo::run(dir.as_deref(), cli.json),
        Command::Completions { shell } => {
            crate::completions::print(*shell);
            return Ok(crate::exit::OK);
        }
        Command::Man => return crate::completions::print_man(),
        _ => {}
    }
    let env = std::env::var(config::CONFIG_ENV).ok();
    let path = config::locate(cli.config.as_deref(), env.as_deref())?;
    let config = config::load(&path)?;
    let now = crate::clock::now().map_err(UsageError)?;
    let ctx = Ctx { config, out, now };

    match cli.command {
        Command::Connect(args) => crate::setup::connect(&ctx, args),
        Command::Test => crate::setup::test(&ctx),
        Command::Disconnect => crate::setup::disconnect(&ctx),
        Command::SyncedStatuses { statuses } => crate::setup::synced_statuses(&ctx, &statuses),
        Command::RefetchPracticeAreas => crate::mapping::refetch(&ctx),
        Command::Map { action: None } => crate::mapping::overview(&ctx),
        Command::Map {
            action:
                Some(MapAction::PracticeArea {
                    area, case_type, ..
                }),
        } => crate::mapping::map_area(&ctx, &area, case_type.as_deref()),
        Command::Map {
            action:
                Some(MapAction::Stage {
                    area,
                    stage,
                    status,
                    ..
                }),
        } => crate::mapping::map_stage(&ctx, &area, &stage, status.as_deref()),
        Command::EventTypes { action } => match action {
            None => crate::event_types::list(&ctx),
            Some(EventTypeAction::Enable { names }) => crate::event_types::set(&ctx, &names, true),
            Some(EventTypeAction::Disable { names }) => {
                crate::event_types::set(&ctx, &names, false)
            }
        },
        Command::Sync { what } => match what {
            SyncWhat::Matters(args) => sync::run(&ctx, &[Kind::Matters], args.dry_run),
            SyncWhat::Appointments(args) => sync::run(&ctx, &[Kind::Appointments], args.dry_run),
            SyncWhat::Messages(args) => sync::run(&ctx, &[Kind::Messages], args.dry_run),
            SyncWhat::All(args) => sync::run(&ctx, sync::ALL, args.dry_run),
        },
        Command::WhySkipped { matter } => crate::why_skipped::run(&ctx, &matter),
        Command::Log { run, limit } => crate::runlog::show(&ctx, run, limit),
        Command::Status { max_age } => crate::status::run(&ctx, max_age),
        Command::Sandbox { .. }
        | Command::Demo { .. }
        | Command::Completions { .. }
        | Command::Man => Ok(crate::exit::OK),
    }
}

/// A sync that changes things (not a dry run).
fn is_real_sync(command: &Command) -> bool {
    match command {
        Command::Sync { what } => {
            let (SyncWhat::Matters(a)
            | SyncWhat::Appointments(a)
            | SyncWhat::Messages(a)
            | SyncWhat::All(a)) = what;
            !a.dry_run
        }
        _ => false,
    }
}

/// Pick exact names out of a list of choices, or a usage error listing them.
///
/// # Errors
/// [`UsageError`] naming the first unknown value and every choice.
pub fn exact_choice<'a>(
    what: &str,
    value: &str,
    choices: &'a [String],
) -> anyhow::Result<&'a String> {
    if value.trim().is_empty() {
        return Err(UsageError(format!(
            "{what} name is empty; choices: {}",
            quoted(choices)
        ))
        .into());
    }
    choices.iter().find(|c| *c == value).ok_or_else(|| {
        let hint = choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value.trim()))
            .map(|c| format!(" (names are case-sensitive: did you mean {c:?}?)"))
            .unwrap_or_default();
        UsageError(format!(
            "unknown {what} {value:?}{hint}; choices: {}",
            quoted(choices)
        ))
        .into()
    })
}

/// `"a", "b"` or `(none)`.
pub fn quoted(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

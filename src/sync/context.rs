//! The context every command and sync works in: the checked config, the
//! output settings and the clock — and how to open what they need (the
//! state file, FluentCase, a CaseStatus client for the saved key). It is
//! passed down from the command line; nothing below fetches it from above.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::casestatus::{ApiKey, CaseStatus, Trace};
use crate::rules::contact::PhoneBook;
use crate::rules::policy::{Mappings, Policy};
use crate::store::fluentcase::{Access, FluentCase};
use crate::store::state::{StateStore, StoredKey};
use crate::util::config::Config;
use crate::util::exit::SetupError;
use crate::util::output::Output;

/// The setting recording a deliberate `disconnect`.
pub const DISCONNECTED_SETTING: &str = "disconnected_at";

/// What every command gets: the checked config, output settings and the clock.
pub struct Ctx {
    pub config: Config,
    pub out: Output,
    pub now: DateTime<Utc>,
    /// `--trace FILE`: every client made here records its exchanges there.
    pub trace: Option<Arc<Trace>>,
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
            let key = crate::store::keyfile::read(path)?;
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

    /// A CaseStatus client for `key`. It needs no state file (`doctor` must
    /// work, and say what is wrong, when it is missing); which account it
    /// opens is checked before any create, by the sync
    /// ([`crate::sync::account`]).
    pub fn client_for(&self, key: &StoredKey) -> anyhow::Result<CaseStatus> {
        Ok(CaseStatus::new(
            self.config.casestatus.base_url.clone(),
            &ApiKey::new(&key.secret),
            self.config.casestatus.timeout,
            self.config.casestatus.max_retries,
        )?
        .with_trace(self.trace.clone()))
    }

    /// For a sync: the client, or None when an admin removed the key on
    /// purpose (`disconnect` stops syncing; cron should not mail an error
    /// every 15 minutes for it). Never connected at all is a setup error.
    /// The key comes along: the account check hashes it.
    pub fn sync_client(
        &self,
        state: &StateStore,
    ) -> anyhow::Result<Option<(CaseStatus, StoredKey)>> {
        // A key file is the deployment's statement that syncing is wanted;
        // `disconnect` is refused while one is configured.
        if self.config.casestatus.api_key_file.is_none() && state.key()?.is_none() {
            if let Some(when) = state.setting(DISCONNECTED_SETTING)? {
                if self.out.json {
                    self.out
                        .json(&serde_json::json!({"syncing": false, "disconnected_at": when}))?;
                } else {
                    self.out.line(format!(
                        "Not syncing: the CaseStatus API key was removed on {} (casestatus-sync connect to resume).",
                        crate::util::clock::local_text(&when, self.config.fluentcase.timezone)
                    ));
                }
                return Ok(None);
            }
        }
        let key = self.key(state)?;
        Ok(Some((self.client_for(&key)?, key)))
    }

    /// The current mappings and synced statuses, for the eligibility rules.
    /// No statuses chosen yet (a key file needs no `connect`, which sets
    /// them) means the default, `Open`: `synced-statuses` cannot set none.
    pub fn rules_input(&self, state: &StateStore) -> anyhow::Result<(Mappings, BTreeSet<String>)> {
        let mappings =
            Mappings::from_areas(&state.areas()?).with_name_history(state.casestatus_names()?);
        let mut statuses: BTreeSet<String> = state.synced_statuses()?.into_iter().collect();
        if statuses.is_empty() {
            statuses.insert(crate::rules::eligibility::DEFAULT_SYNCED_STATUS.to_string());
        }
        Ok((mappings, statuses))
    }

    /// The phone numbers resolved by earlier syncs, for commands that judge
    /// every matter (`test`, `map`, the status page) without parsing
    /// 100,000 numbers again. Read-only; it is only a cache, so a file
    /// without it (an older schema, opened read-only) gives an empty book.
    pub fn phone_book(&self, state: &StateStore) -> PhoneBook {
        let region = self.config.fluentcase.phone_region;
        PhoneBook::new(crate::store::phones::load(state, region.as_ref(), true).unwrap_or_default())
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
            phone_book: &crate::rules::contact::NO_PHONE_BOOK,
        }
    }
}

//! Connecting: `connect`, `test`, `disconnect` and `synced-statuses`
//! (help article "Connecting FluentCase to CaseStatus").
//!
//! `connect` only saves the key (it works offline); `test` is the help
//! article's Test Connection and also takes the first practice-area
//! snapshot, so the admin can go straight on to `map`.

use std::io::{IsTerminal, Read};

use serde_json::json;

use crate::casestatus::{ApiError, ApiKey};
use crate::commands::{exact_choice, quoted};
use crate::rules::eligibility::evaluate;
use crate::rules::policy::Policy;
use crate::store::fluentcase::Access;
use crate::store::state::{StateStore, StoredKey};
use crate::sync::Ctx;
use crate::util::exit::{SetupError, UsageError, OK};

/// The status synced when the admin names none (help article: "only Open").
use crate::rules::eligibility::DEFAULT_SYNCED_STATUS as DEFAULT_STATUS;

/// What `connect` was asked to do: its flags, and the key when `setup`
/// has read it already.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// A descriptive name for the key, e.g. "CaseStatus API Key"
    #[arg(long, required_unless_present_any = ["same_account", "new_account"])]
    pub name: Option<String>,
    /// Read the key from standard input instead of a hidden prompt
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Save the key without testing it with CaseStatus first (offline setup)
    #[arg(long)]
    pub no_test: bool,
    /// A matter status to sync (repeatable; default Open)
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// The key opens another CaseStatus account on purpose: file the old
    /// account's record (kept for log and why-skipped) and push every
    /// matter to this one
    #[arg(long, conflicts_with = "same_account")]
    pub new_account: bool,
    /// Accept the account the current key and URL open as this state
    /// file's, without checking its cases (after a person has looked)
    #[arg(long, conflicts_with_all = ["api_key_stdin", "no_test", "statuses"])]
    pub same_account: bool,
    /// A key already read by `setup`'s hidden prompt; None reads it here
    /// (stdin with `api_key_stdin`, else a hidden prompt). Never an
    /// argument: clap's errors would echo it.
    #[arg(skip)]
    pub key: Option<ApiKey>,
}

/// `synced-statuses [STATUS...]`.
#[derive(Debug, clap::Args)]
pub struct SyncedStatusesArgs {
    /// The new set of synced statuses; none shows the current set
    #[arg(value_name = "STATUS")]
    pub statuses: Vec<String>,
}

/// `connect`: save (or replace) the key and, if given, the synced statuses.
///
/// Replacing the key (rotation) keeps the mappings and the ledger. Without
/// `--status`, a first connect syncs `Open`; a reconnect keeps the statuses.
pub fn connect(ctx: &Ctx, args: ConnectArgs) -> anyhow::Result<u8> {
    if args.same_account {
        return same_account(ctx);
    }
    if args.new_account && ctx.config.casestatus.api_key_file.is_some() {
        return new_account_from_key_file(ctx);
    }
    let name = args.name.as_deref().unwrap_or("").trim();
    if name.is_empty() {
        return Err(UsageError(
            "--name is empty; give the key a descriptive name such as \"CaseStatus API Key\""
                .into(),
        )
        .into());
    }
    refuse_with_key_file(ctx, "connect")?;
    // Check the statuses before asking for the key: fail before the paste.
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let known = fc.matter_statuses()?;
    let mut state = ctx.state()?;
    let statuses: Option<Vec<String>> = if !args.statuses.is_empty() {
        Some(checked_statuses(&args.statuses, &known)?)
    } else if state.synced_statuses()?.is_empty() {
        Some(checked_statuses(&[DEFAULT_STATUS.to_string()], &known)?)
    } else {
        None
    };

    let key = match args.key {
        Some(k) => checked_key(k.expose())?,
        None => read_key(args.api_key_stdin)?,
    };
    if !args.no_test {
        test_new_key(ctx, &state, &key)?;
    }
    let now = crate::util::clock::stamp(ctx.now);
    let replaced = state.key()?.is_some();
    let filed = if args.new_account {
        Some(file_previous_account(ctx, &mut state)?)
    } else {
        None
    };
    state.save_key(name, key.expose(), &now)?;
    if filed.is_some() {
        crate::sync::account::accept(ctx, &state, &ctx.key(&state)?)?;
    }
    state.clear_setting(crate::sync::DISCONNECTED_SETTING)?;
    if let Some(s) = &statuses {
        state.set_synced_statuses(s)?;
    }
    let synced = state.synced_statuses()?;
    if ctx.out.json {
        ctx.out.json(&json!({
            "saved": true, "key_name": name, "replaced_previous_key": replaced,
            "synced_statuses": synced, "previous_account": filed,
        }))?;
    } else {
        if let Some(f) = &filed {
            ctx.out.line(filed_text(f));
        }
        ctx.out.line(format!(
            "Saved API key \"{name}\"{}. Synced statuses: {}.",
            if filed.is_some() {
                " for a new CaseStatus account"
            } else if replaced {
                " (replacing the previous key; mappings and sync history kept; the next sync checks that it opens the same CaseStatus account)"
            } else {
                ""
            },
            quoted(&synced)
        ));
        ctx.out.line("Next: casestatus-sync test");
    }
    Ok(OK)
}

/// File the current account's record under its key's name (SPEC §2,
/// `connect --new-account`) and log it.
fn file_previous_account(
    ctx: &Ctx,
    state: &mut StateStore,
) -> anyhow::Result<crate::store::account::PreviousAccount> {
    let binding = crate::store::account::binding(state)?;
    let name = match binding.key_name {
        Some(name) => name,
        None => ctx
            .key(state)
            .map(|k| k.name)
            .unwrap_or_else(|_| "unnamed key".to_string()),
    };
    let url = binding
        .base_url
        .unwrap_or_else(|| ctx.config.casestatus.account_url().to_string());
    let now = crate::util::clock::stamp(ctx.now);
    let filed = crate::store::account::file_away(state, &name, &url, &now)?;
    let run_id = crate::store::runlog::start(state, "account", ctx.now)?;
    let id = filed.id.to_string();
    let about = crate::store::runlog::About {
        kind: crate::store::runlog::ItemKind::Account,
        id: &id,
        file_number: None,
    };
    let doc = json!({ "message": filed_text(&filed), "previous_account": &filed });
    let at = crate::util::clock::stamp(ctx.now);
    let outcome = crate::store::outcome::Outcome::NewAccount;
    crate::store::runlog::item(state, run_id, about, outcome, &doc, &at)?;
    let (counts, reasons) = (Default::default(), Default::default());
    crate::store::runlog::finish(state, run_id, &counts, &reasons, None, ctx.now)?;
    Ok(filed)
}

fn filed_text(f: &crate::store::account::PreviousAccount) -> String {
    format!(
        "Filed the record of the previous CaseStatus account (key \"{}\" at {}: {} cases, {} appointments); log and why-skipped still show it. The next sync pushes every eligible matter to the new account (if its practice areas differ, run casestatus-sync refetch-practice-areas and check casestatus-sync map).",
        f.name, f.base_url, f.cases, f.appointments
    )
}

/// `connect --new-account` with a key file: the key is the file's.
fn new_account_from_key_file(ctx: &Ctx) -> anyhow::Result<u8> {
    let mut state = ctx.state()?;
    let key = ctx.key(&state)?;
    let filed = file_previous_account(ctx, &mut state)?;
    crate::sync::account::accept(ctx, &state, &key)?;
    if ctx.out.json {
        ctx.out.json(&json!({ "previous_account": filed }))?;
    } else {
        ctx.out.line(filed_text(&filed));
    }
    Ok(OK)
}

/// `connect --same-account`: a person has checked; take the account the
/// current key and URL open as this state file's.
fn same_account(ctx: &Ctx) -> anyhow::Result<u8> {
    let state = ctx.state()?;
    let key = ctx.key(&state)?;
    crate::sync::account::accept(ctx, &state, &key)?;
    let url = ctx.config.casestatus.account_url();
    if ctx.out.json {
        ctx.out.json(&json!({ "account_accepted": url }))?;
    } else {
        ctx.out.line(format!(
            "This state file now belongs to the CaseStatus account at {url} that the current key opens; its record of pushed matters is kept."
        ));
    }
    Ok(OK)
}

/// Ask CaseStatus whether it accepts a key before it replaces a working
/// one: a typo must not stop every sync while `connect` says "Saved".
///
/// # Errors
/// A key CaseStatus refuses (401/403) is a [`SetupError`] (exit 3) saying
/// the previous key was kept; CaseStatus unreachable is the API error, with
/// `--no-test` as the way to save offline.
fn test_new_key(ctx: &Ctx, state: &StateStore, key: &ApiKey) -> anyhow::Result<()> {
    let candidate = StoredKey {
        name: String::new(),
        secret: key.expose().to_string(),
        saved_at: String::new(),
    };
    let kept = if state.key()?.is_some() {
        "the previous key is still in use"
    } else {
        "no key was saved"
    };
    let client = ctx.client_for(&candidate)?;
    match client.practice_areas() {
        Ok(_) => Ok(()),
        Err(e @ (ApiError::Unauthorized | ApiError::Forbidden)) => Err(SetupError(format!(
            "{e}: the new key was not saved and {kept}; {}",
            advice_for(&e, ctx)
        ))
        .into()),
        Err(e) => Err(anyhow::Error::from(e).context(format!(
            "cannot test the new key, so it was not saved and {kept}; try again, or save it untested with --no-test"
        ))),
    }
}

/// With `casestatus.api_key_file` the key is the deployment's, not the
/// state file's: `connect` and `disconnect` would change nothing that is used.
fn refuse_with_key_file(ctx: &Ctx, command: &str) -> anyhow::Result<()> {
    match &ctx.config.casestatus.api_key_file {
        None => Ok(()),
        Some(path) => Err(SetupError(format!(
            "{command} does not apply: the API key is read from {} (casestatus.api_key_file in {}); to {} remove or replace api_key_file there",
            path.display(),
            ctx.config.path.display(),
            if command == "disconnect" { "stop syncing," } else { "use a key saved by connect," }
        ))
        .into()),
    }
}

fn checked_statuses(wanted: &[String], known: &[String]) -> anyhow::Result<Vec<String>> {
    wanted
        .iter()
        .map(|w| exact_choice("matter status", w.trim(), known).cloned())
        .collect()
}

fn read_key(from_stdin: bool) -> anyhow::Result<ApiKey> {
    let raw = if from_stdin {
        let mut s = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut s)
            .map_err(|e| UsageError(format!("cannot read the API key from stdin: {e}")))?;
        s
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("CaseStatus API key (input hidden): ")
            .map_err(|e| UsageError(format!("cannot read the API key from the terminal: {e}")))?
    } else {
        return Err(UsageError(
            "no terminal to ask for the API key; pipe it in with --api-key-stdin (never pass it as an argument)".into(),
        )
        .into());
    };
    checked_key(&raw)
}

/// A key as pasted: surrounding whitespace trimmed; empty, or with spaces
/// or line breaks inside, refused (without quoting it).
///
/// # Errors
/// [`UsageError`] saying what is wrong with the key.
pub fn checked_key(raw: &str) -> anyhow::Result<ApiKey> {
    let key = ApiKey::new(raw);
    if key.expose().is_empty() {
        return Err(UsageError(
            "the API key is empty; paste the whole key from CaseStatus's settings".into(),
        )
        .into());
    }
    if key
        .expose()
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(UsageError(
            "the API key contains spaces or line breaks inside it; copy the key again as one string".into(),
        )
        .into());
    }
    Ok(key)
}

/// `test`: Test Connection. Green Connected badge with the key's name and
/// the number of matters eligible now; on failure the help article's advice.
pub fn test(ctx: &Ctx) -> anyhow::Result<u8> {
    test_then(ctx, Some("casestatus-sync map"))
}

/// Test Connection, ending (after a first fetch of the practice areas)
/// with `next`, the step that follows — `setup` goes straight on to it.
///
/// # Errors
/// CaseStatus could not be used with the key (the advice is printed first).
pub fn test_then(ctx: &Ctx, next: Option<&str>) -> anyhow::Result<u8> {
    let mut state = ctx.state()?;
    let key = ctx.key(&state)?;
    let client = ctx.client_for(&key)?;
    let areas = match client.practice_areas() {
        Ok(a) => a,
        Err(e) => {
            let advice = advice_for(&e, ctx);
            if ctx.out.json {
                ctx.out.json(&json!({
                    "connected": false, "key_name": key.name,
                    "error": e.to_string(), "advice": advice,
                }))?;
            } else {
                ctx.out
                    .line(ctx.out.bad_badge("Connection failed") + format!(" {e}"));
                ctx.out.line(advice);
            }
            return Err(e.into());
        }
    };
    let first_snapshot = state.areas()?.is_empty();
    if first_snapshot {
        state.store_snapshot(&areas, &crate::util::clock::stamp(ctx.now))?;
    }
    let eligible = count_eligible(ctx, &state)?;
    if ctx.out.json {
        ctx.out.json(&json!({
            "connected": true, "key_name": key.name,
            "key_file": ctx.config.casestatus.api_key_file,
            "eligible_matters": eligible, "practice_areas": areas.len(),
        }))?;
    } else {
        ctx.out.line(
            ctx.out.ok_badge("Connected")
                + format!(
                    "  {} · {} matter{} eligible for sync now",
                    key.name,
                    eligible,
                    if eligible == 1 { "" } else { "s" }
                ),
        );
        if first_snapshot {
            ctx.out.line(format!(
                "Fetched {} practice area(s) from CaseStatus.{}",
                areas.len(),
                next.map(|n| format!(" Next: {n}")).unwrap_or_default()
            ));
        }
    }
    Ok(OK)
}

/// How many matters pass every eligibility rule right now.
pub fn count_eligible(ctx: &Ctx, state: &crate::store::state::StateStore) -> anyhow::Result<u64> {
    let (mappings, statuses) = ctx.rules_input(state)?;
    let book = ctx.phone_book(state);
    let policy = Policy {
        phone_book: &book,
        ..ctx.policy(&mappings, &statuses)
    };
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let mut n = 0;
    fc.for_each_matter(|m| {
        if evaluate(&m, &policy, ctx.now).eligible() {
            n += 1;
        }
    })?;
    Ok(n)
}

/// The help article's advice for a failed test, by cause (also `doctor`'s).
pub(crate) fn advice_for(e: &ApiError, ctx: &Ctx) -> String {
    match e {
        ApiError::Unauthorized => "Double-check that you copied the full API key without extra spaces, then save it again with `casestatus-sync connect`. If the problem persists, contact CaseStatus support to confirm your API key is active and that API access is enabled on your account.".into(),
        ApiError::Forbidden => "The key was accepted but API access is not enabled on your CaseStatus plan. Contact CaseStatus support to enable API access on your subscription.".into(),
        ApiError::Unreachable { .. } => format!(
            "FluentCase could not reach CaseStatus at {}. Check this machine's network connection and `casestatus.base_url` in {}; if CaseStatus itself is down, try again later.",
            ctx.config.casestatus.base_url, ctx.config.path.display()
        ),
        _ => "CaseStatus answered unexpectedly. Try again in a few minutes; if it persists, contact CaseStatus support to confirm your API key is active and that API access is enabled on your account.".into(),
    }
}

/// `disconnect`: Remove API Key. Mappings and the ledger stay, so
/// connecting again never duplicates a case.
pub fn disconnect(ctx: &Ctx) -> anyhow::Result<u8> {
    refuse_with_key_file(ctx, "disconnect")?;
    let state = ctx.state()?;
    let had = state.key()?;
    if had.is_some() {
        state.set_setting(
            crate::sync::DISCONNECTED_SETTING,
            &crate::util::clock::stamp(ctx.now),
        )?;
    }
    state.remove_key()?;
    if ctx.out.json {
        ctx.out
            .json(&json!({"removed": had.is_some(), "key_name": had.as_ref().map(|k| &k.name)}))?;
    } else if let Some(k) = had {
        ctx.out.line(format!(
            "Removed API key \"{}\". All syncing has stopped. Cases already in CaseStatus stay there (remove them in CaseStatus if needed); the record of what was pushed is kept, so connecting again never duplicates them.",
            k.name
        ));
    } else {
        ctx.out.line("No API key was saved; nothing to remove.");
    }
    Ok(OK)
}

/// `synced-statuses [STATUS...]`: show, or replace, the synced statuses.
/// Without statuses it only reads: no state file is created (SPEC §1).
pub fn synced_statuses(ctx: &Ctx, wanted: &[String]) -> anyhow::Result<u8> {
    let synced = if wanted.is_empty() {
        ctx.state_read_only()?.synced_statuses()?
    } else {
        let mut state = ctx.state()?;
        let fc = ctx.fluentcase(Access::ReadOnly)?;
        let checked = checked_statuses(wanted, &fc.matter_statuses()?)?;
        state.set_synced_statuses(&checked)?;
        state.synced_statuses()?
    };
    if ctx.out.json {
        ctx.out.json(&json!({ "synced_statuses": synced }))?;
    } else {
        ctx.out
            .line(format!("Synced matter statuses: {}", quoted(&synced)));
    }
    Ok(OK)
}

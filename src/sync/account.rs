//! Is this the CaseStatus account the state file's record belongs to?
//! (SPEC §2, account binding.) Checked before any create, whenever the key
//! or `casestatus.base_url` differs from the last verified run's: the
//! ledger says which matters are in CaseStatus, and in another account
//! they are not — believing it would strand every pushed matter.
//!
//! Up to [`CHECKED_CASES`] recorded cases are looked up by
//! `integration_id`. All there under the same case ids: the same account
//! (a rotated key, a respelt URL) — go on and say so once in the log. None
//! there: another account, and only a person can say whether that is on
//! purpose (`connect --new-account`). Some there: stop and name the ones
//! missing. Messages are not held up: they carry their own matter id.

use serde_json::json;

use crate::casestatus::CaseStatus;
use crate::store::account;
use crate::store::outcome::Outcome;
use crate::store::runlog;
use crate::store::state::{StateStore, StoredKey};
use crate::sync::Ctx;
use crate::util::exit::SetupError;

/// How many recorded cases a changed key or URL is checked against.
pub const CHECKED_CASES: usize = 5;

/// Check (and, unless `dry_run`, record) the binding of the state file to
/// the account that `secret` opens at the configured URL.
///
/// # Errors
/// A [`SetupError`] (exit 3) when the account is not the recorded one, or
/// only partly; the API error when CaseStatus cannot answer the look-ups
/// (the next cycle checks again).
pub fn check(
    ctx: &Ctx,
    state: &StateStore,
    client: &CaseStatus,
    key: &StoredKey,
    dry_run: bool,
) -> anyhow::Result<()> {
    let secret = key.secret.as_str();
    let url = ctx.config.casestatus.account_url();
    let bound = account::binding(state)?;
    let hash = if dry_run {
        account::key_hash_read_only(state, secret)?
    } else {
        Some(account::key_hash(state, secret)?)
    };
    let same_url = bound.base_url.as_deref() == Some(url);
    let same_key = hash.is_some() && bound.key_hash == hash;
    if same_url && same_key {
        return Ok(());
    }
    let record = |state: &StateStore| -> anyhow::Result<()> {
        if let (false, Some(h)) = (dry_run, &hash) {
            account::bind(state, url, h, &key.name)?;
        }
        Ok(())
    };
    let sample = account::sample_cases(state, CHECKED_CASES)?;
    if sample.is_empty() {
        // Nothing pushed yet: whichever account this is, it is ours now.
        return record(state);
    }
    let mut missing = Vec::new();
    for (matter_id, case_id) in &sample {
        let found = client.find_cases(&matter_id.to_string())?;
        if !found.iter().any(|c| c.id == *case_id) {
            missing.push((*matter_id, *case_id));
        }
    }
    let what = match (same_url, same_key, &bound.key_hash) {
        (_, _, None) if bound.base_url.is_some() => "this state file's first check of its account",
        (true, false, _) => "the API key changed",
        (false, true, _) => "casestatus.base_url changed",
        _ => "the API key and casestatus.base_url changed",
    };
    if missing.is_empty() {
        record(state)?;
        if !dry_run {
            let message = format!(
                "{what}: the {} cases checked are in the CaseStatus account at {url} under the same ids, so it is the same account; syncing goes on",
                sample.len()
            );
            let run_id = runlog::start(state, "account", ctx.now)?;
            let about = runlog::About {
                kind: runlog::ItemKind::Account,
                id: url,
                file_number: None,
            };
            let doc = json!({ "message": message });
            let at = crate::util::clock::stamp(ctx.now);
            runlog::item(state, run_id, about, Outcome::SameAccount, &doc, &at)?;
            let (counts, reasons) = (Default::default(), Default::default());
            runlog::finish(state, run_id, &counts, &reasons, None, ctx.now)?;
        }
        return Ok(());
    }
    let named = missing
        .iter()
        .map(|(m, c)| format!("matter {m} (case {c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = if missing.len() == sample.len() {
        format!(
            "{what}, and the CaseStatus account at {url} holds none of the {} cases this state file recorded ({named}): it is another account, so matters and appointments are not synced (client messages are). If this is a new account on purpose, run `casestatus-sync connect --new-account` to file the old account's record and push every matter to this one; otherwise put back the previous key or URL",
            sample.len()
        )
    } else {
        format!(
            "{what}, and {} of the {} cases checked are not in the CaseStatus account at {url}: {named}; matters and appointments are held (client messages are not). Check the key and casestatus.base_url; if those cases were deleted in CaseStatus on purpose, `casestatus-sync connect --same-account` accepts this account as it is",
            missing.len(),
            sample.len()
        )
    };
    Err(SetupError(message).into())
}

/// Accept the current key and URL as this state file's account without the
/// check (`connect --same-account`: a person has looked).
///
/// # Errors
/// The state file cannot be written.
pub fn accept(ctx: &Ctx, state: &StateStore, key: &StoredKey) -> anyhow::Result<()> {
    let url = ctx.config.casestatus.account_url();
    let hash = account::key_hash(state, &key.secret)?;
    account::bind(state, url, &hash, &key.name)?;
    Ok(())
}
